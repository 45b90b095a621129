"""Importing commune figures: all or nothing, clear messages, idempotent, undoable."""

import json

import openpyxl
import pytest

from geo.auth import Principal
from geo.errors import ValidationError
from geo.services.history import HistoryRequest, UndoRequest, history, undo
from geo.services.imports import (
    IndicatorsRequest,
    TemplateRequest,
    import_file,
    write_template,
)
from geo.store import get_values, session_scope
from tests.conftest import db_fingerprint


def import_indicators(path, url, user="system", **kw):
    """Import a file of figures through the service, as ``user`` (an administrator)."""
    return import_file(IndicatorsRequest(path, **kw), Principal(user, "admin"), url)


def _sha(url):
    return db_fingerprint(url)


def _csv(tmp_path, text, name="f.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_long_csv_with_bom_and_semicolons_is_stored(tmp_path, empty_url):
    p = _csv(tmp_path, "\ufeffma_xa;ky;chi_tieu;gia_tri\n04024;2023-H1;registered_addicts;1.234\n"
             "04024;6 tháng đầu năm 2023;Dân số;3.456\n")
    res = import_indicators(p, empty_url, user="cb")
    assert res.rows == 2 and res.batch_id
    with session_scope(empty_url) as s:
        v = get_values(s, "14", "legacy").set_index("indicator").value
    assert v["registered_addicts"] == 1234 and v["population"] == 3456


def test_bad_rows_store_nothing_and_name_every_cell(tmp_path, empty_url):
    good = _csv(tmp_path, "ma_xa,ky,chi_tieu,gia_tri\n04024,2023-H1,registered_addicts,5\n",
                "good.csv")
    import_indicators(good, empty_url)
    before = _sha(empty_url)
    bad = _csv(tmp_path, "ma_xa,ky,chi_tieu,gia_tri\n04024,2023-H1,registered_addicts,9\n"
               "04024,2023-H9,registered_addicts,5\n99999,2023-H1,registered_addicts,5\n"
               "04045,2023-H1,khong_co,5\n04045,2023-H1,relapse,abc\n04045,2023-H1,relapse,-1\n"
               "04045,2023-H1,population,1e12\n04024,2023-H1,registered_addicts,3\n",
               "bad.csv")
    with pytest.raises(ValidationError) as e:
        import_indicators(bad, empty_url)
    rows = sorted(p.row for p in e.value.problems)
    assert rows == [3, 4, 5, 6, 7, 8, 9]
    assert all(p.file == "bad.csv" and p.column for p in e.value.problems)
    msg = e.value.message("vi")
    assert "chưa lưu gì" in msg and "không phải là số" in msg and "trùng lặp" in msg
    assert "nothing was stored" in e.value.message("en")
    assert _sha(empty_url) == before
    with session_scope(empty_url) as s:
        assert get_values(s, "14", "legacy").value.tolist() == [5.0]


def test_contradiction_with_stored_figures_is_rejected(tmp_path, empty_url):
    import_indicators(_csv(tmp_path, "ma_xa,ky,chi_tieu,gia_tri\n04024,2023-H1,counselled,50\n",
                           "a.csv"), empty_url)
    with pytest.raises(ValidationError) as e:
        import_indicators(_csv(tmp_path, "ma_xa,ky,chi_tieu,gia_tri\n"
                               "04024,2023-H1,registered_addicts,40\n", "b.csv"), empty_url)
    (p,) = e.value.problems
    assert p.row == 2 and "mâu thuẫn" in p.vi and "40" in p.vi


def test_same_file_twice_changes_nothing(tmp_path, empty_url):
    p = _csv(tmp_path, "ma_xa,ky,chi_tieu,gia_tri\n04024,2023-H1,registered_addicts,5\n")
    first = import_indicators(p, empty_url)
    before = _sha(empty_url)
    again = import_indicators(p, empty_url)
    assert again.already_imported and again.batch_id == first.batch_id
    assert _sha(empty_url) == before


def test_commune_that_did_not_exist_in_the_period(tmp_path, empty_url):
    p = _csv(tmp_path, "ma_xa,ky,chi_tieu,gia_tri\n04024,2025-H2,registered_addicts,5\n")
    with pytest.raises(ValidationError) as e:
        import_indicators(p, empty_url)
    assert "không tồn tại trong kỳ 2025-H2" in e.value.problems[0].vi


def test_template_round_trip_and_undo(tmp_path, empty_url):
    path = write_template(TemplateRequest("Sơn La", "2025-H2", tmp_path / "mau.xlsx")).file
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    header = [c.value for c in ws[5]]
    assert header[:3] == ["ma_xa", "xa", "huyen"]
    assert ws.max_row == 5 + 75  # one row per 2025 commune of Sơn La
    col = header.index(next(h for h in header if h and h.endswith("[registered_addicts]"))) + 1
    ws.cell(row=6, column=col, value=42)
    wb.save(path)
    res = import_indicators(path, empty_url)
    assert res.rows == 1 and res.editions == {"2025": 1}
    with session_scope(empty_url) as s:
        assert len(get_values(s, "14", "2025")) == 1
    undo(UndoRequest(res.batch_id), Principal("cb", "admin"), empty_url)
    with session_scope(empty_url) as s:
        assert get_values(s, "14", "2025").empty
    assert history(HistoryRequest(), Principal("cb", "admin"),
                   empty_url).batches.status.tolist() == ["undone"]


def test_excel_merged_header_and_names(tmp_path, empty_url):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Kỳ báo cáo: 2024-H1"
    ws.append(["Huyện", "Xã", "Số liệu", None])
    ws.merge_cells("C2:D2")
    ws.append([None, None, "Dân số [population]", "Người tái nghiện [relapse]"])
    ws.append(["Huyện Vân Hồ", "Tân Xuân", "6.789", 3])
    p = tmp_path / "merged.xlsx"
    wb.save(p)
    res = import_indicators(p, empty_url, province="Sơn La")
    assert res.rows == 2
    with session_scope(empty_url) as s:
        v = get_values(s, "14", "legacy").set_index("indicator")
    assert v.loc["population", "unit_code"] == "04058" and v.loc["population", "value"] == 6789


def test_cli_reports_problems_in_json(tmp_path, empty_url):
    from click.testing import CliRunner

    from geo.cli.main import cli

    p = _csv(tmp_path, "ma_xa,ky,chi_tieu,gia_tri\n04024,2023-H1,registered_addicts,x\n")
    r = CliRunner().invoke(cli, ["--db", empty_url, "import", "indicators", str(p), "--json"])
    assert r.exit_code != 0
    assert isinstance(r.exception, ValidationError)
    r2 = CliRunner().invoke(cli, ["--db", empty_url, "import", "history", "--json"])
    assert json.loads(r2.output) == []
