"""Importing the province's own report sheets, CLI and service (issue 14, must-have 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.auth import Principal
from geo.errors import ValidationError
from geo.services import imports as imp
from geo.store import get_values, session_scope
from tests.conftest import db_fingerprint, run_cli
from tests.geo.io.report_corpus import CODES, HEADER_1, son_la_report

ADMIN = Principal("quan_tri", "admin")
NEW_COLUMN = "Số người được hỗ trợ hòa nhập cộng đồng"


def _stored(url: str) -> dict:
    with session_scope(url) as s:
        v = get_values(s, "14", "legacy")
    v = v[v.converted == ""]
    return {(r.unit_code, r.period, r.indicator): r.value for r in v.itertuples()}


def test_a_report_sheet_is_stored_as_its_communes_figures(tmp_path: Path,
                                                          empty_url: str) -> None:
    p = son_la_report(tmp_path / "bao_cao_6_thang.xlsx")
    res = imp.import_file(imp.IndicatorsRequest(p, province="Sơn La"), ADMIN, empty_url)
    assert res.rows == 24 and res.details["period"] == "2024-H1"
    got = _stored(empty_url)
    assert len(got) == 24 and {k[0] for k in got} == set(CODES.values())
    assert got[("04024", "2024-H1", "population")] == 6789
    assert got[("04051", "2024-H1", "registered_addicts")] == 20
    assert res.details["sheet"]["rows"]["commune"] == 4


def test_a_sheet_whose_subtotals_disagree_stores_nothing(tmp_path: Path,
                                                         empty_url: str) -> None:
    p = son_la_report(tmp_path / "sai_tong.xlsx", subtotal_offset={("Huyện Vân Hồ", 0): 100})
    before = db_fingerprint(empty_url)
    with pytest.raises(ValidationError) as ei:
        imp.import_file(imp.IndicatorsRequest(p, province="Sơn La"), ADMIN, empty_url)
    (pr,) = ei.value.problems
    assert pr.file == "sai_tong.xlsx" and pr.row == 13 and pr.column == "Dân số (người) (C)"
    assert "Huyện Vân Hồ" in pr.vi and "chênh 100" in pr.vi
    assert db_fingerprint(empty_url) == before


def test_the_mapping_is_remembered_for_the_layout(tmp_path: Path, empty_url: str) -> None:
    h = list(HEADER_1)
    h[5] = NEW_COLUMN
    first = son_la_report(tmp_path / "h1.xlsx", header_1=h)
    prep = imp.preview(imp.IndicatorsRequest(first, province="Sơn La"), ADMIN, empty_url)
    assert not prep.ok and prep.sheet is not None
    m = prep.sheet.mapping()
    m.columns[NEW_COLUMN] = "illegal_users"
    imp.import_file(imp.IndicatorsRequest(first, province="Sơn La", mapping=m.to_dict()),
                    ADMIN, empty_url)
    second = son_la_report(tmp_path / "h2.xlsx", header_1=h, title="6 THÁNG CUỐI NĂM 2024")
    res = imp.import_file(imp.IndicatorsRequest(second, province="Sơn La"), ADMIN, empty_url)
    assert res.details["period"] == "2024-H2"
    assert any("ánh xạ đã nhớ" in n.vi for n in res.notes)
    assert _stored(empty_url)[("04024", "2024-H2", "illegal_users")] == 3


def test_the_cli_writes_a_mapping_to_edit_and_reads_it(tmp_path: Path, empty_url: str) -> None:
    h = list(HEADER_1)
    h[5] = NEW_COLUMN
    p = son_la_report(tmp_path / "bao_cao.xlsx", header_1=h)
    before = db_fingerprint(empty_url)
    code, out, err = run_cli(["--db", empty_url, "import", "indicators", str(p), "-p",
                              "Sơn La"])
    assert code == 4 and NEW_COLUMN in err and "--mapping" in err and "bao_cao.xlsx" in err
    m = tmp_path / "anh_xa.json"
    code, out, err = run_cli(["--db", empty_url, "import", "indicators", str(p), "-p",
                              "Sơn La", "--write-mapping", str(m)])
    assert code == 0 and str(m) in out
    d = json.loads(m.read_text(encoding="utf-8"))
    assert d["kind"] == "diaban-report-mapping" and d["columns"][NEW_COLUMN] == "?"
    code, out, err = run_cli(["--db", empty_url, "import", "indicators", str(p), "-p",
                              "Sơn La", "--mapping", str(m)])
    assert code == 4 and "chưa chọn chỉ tiêu" in err and "anh_xa.json" in err
    assert db_fingerprint(empty_url) == before
    d["columns"][NEW_COLUMN] = "illegal_users"
    m.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    code, out, err = run_cli(["--db", empty_url, "import", "indicators", str(p), "-p",
                              "Sơn La", "--mapping", str(m)])
    assert code == 0, err
    assert "Đã lưu 24 số liệu" in out and "không phải chỉ tiêu" in out
    assert _stored(empty_url)[("04051", "2024-H1", "illegal_users")] == 5


def test_the_cli_json_of_a_sheet_is_strict(tmp_path: Path, empty_url: str) -> None:
    p = son_la_report(tmp_path / "bc.xlsx", total_offset=3)

    def strict(text: str) -> dict:
        def bad(x: str) -> None:
            raise ValueError(x)

        return json.loads(text, parse_constant=bad)

    code, out, _ = run_cli(["--db", empty_url, "import", "indicators", str(p), "-p", "Sơn La",
                            "--json"])
    assert code == 4 and strict(out)["ok"] is False
    p = son_la_report(tmp_path / "dung.xlsx")
    code, out, _ = run_cli(["--db", empty_url, "import", "indicators", str(p), "-p", "Sơn La",
                            "--json", "--dry-run"])
    d = strict(out)
    assert code == 0 and d["rows"] == 24 and d["sheet"]["rows"]["total"] == 1
