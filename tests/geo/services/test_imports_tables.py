"""Tabular imports (issue 14): one problem per bad cell, with file, row and column.

Incidents: text in a coordinate, an empty cell, an impossible latitude/longitude, latitude
and longitude swapped (recognised as such), a point outside Vietnam or outside the
province, a date in the future or not a date. ``skip_invalid`` skips exactly those rows.
Facilities and hotspots likewise. No input makes an import exit 70.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from geo.auth import Principal
from geo.errors import ValidationError
from geo.services import imports as imp
from tests.conftest import db_fingerprint, run_cli

ADMIN = Principal("quan_tri", "admin")
#: A point inside Chiềng Lề (Sơn La city) whatever the boundaries stored.
GOOD = ("21.3346", "103.9163")

#: (row label, lat, lon, date, expected problems as (column, fragment))
BROKEN = [
    ("text latitude", "abc", GOOD[1], "2023-03-02", [("vi_do", "'abc' không phải là số")]),
    ("empty longitude", GOOD[0], "", "2023-03-02", [("kinh_do", "thiếu tọa độ")]),
    ("impossible latitude", "95", GOOD[1], "2023-03-02", [("vi_do", "không thể có")]),
    ("swapped", GOOD[1], GOOD[0], "2023-03-02", [("vi_do", "vĩ độ và kinh độ bị đảo")]),
    ("outside Vietnam", "13.7563", "100.5018", "2023-03-02",
     [("vi_do", "nằm ngoài lãnh thổ Việt Nam")]),
    ("Hà Nội", "21.0285", "105.8542", "2023-03-02",
     [("vi_do", "nằm ngoài Tỉnh Sơn La, trong thành phố Hà Nội")]),
    ("future", GOOD[0], GOOD[1], "01/01/2099", [("ngay", "ở tương lai")]),
    ("not a date", GOOD[0], GOOD[1], "hôm qua", [("ngay", "không đọc được")]),
    ("empty date", GOOD[0], GOOD[1], "", [("ngay", "thiếu ngày")]),
    ("two bad cells", "x", GOOD[1], "31/02/2023", [("vi_do", "'x' không phải là số"),
                                                    ("ngay", "không đọc được")]),
]


def _incidents(tmp_path: Path, rows: list[tuple[str, str, str]], name: str = "vu_viec.csv"
               ) -> Path:
    p = tmp_path / name
    df = pd.DataFrame(rows, columns=["vi_do", "kinh_do", "ngay"]).assign(loai="ma túy")
    df.to_csv(p, index=False)
    return p


def test_every_broken_incident_cell_is_its_own_problem(tmp_path: Path,
                                                      demo_copy_url: str) -> None:
    rows = [(GOOD[0], GOOD[1], "2023-03-01")] + [(lat, lon, d) for _, lat, lon, d, _ in BROKEN]
    p = _incidents(tmp_path, rows)
    before = db_fingerprint(demo_copy_url)
    with pytest.raises(ValidationError) as ei:
        imp.import_file(imp.IncidentsRequest(p, "Sơn La"), ADMIN, demo_copy_url)
    got = [(pr.row, pr.column, pr.vi) for pr in ei.value.problems]
    assert all(pr.file == "vu_viec.csv" for pr in ei.value.problems)
    for k, (label, *_, expected) in enumerate(BROKEN):
        row = k + 3  # header is row 1, the good row is row 2
        mine = [(c, v) for r, c, v in got if r == row]
        assert len(mine) == len(expected), (label, mine)
        for (col, frag), (c, v) in zip(expected, mine):
            assert c.startswith(col) and frag in v, (label, c, v)
    assert f"{len(BROKEN)} dòng lỗi" in ei.value.vi and "--skip-invalid" in ei.value.vi
    assert db_fingerprint(demo_copy_url) == before

    res = imp.import_file(imp.IncidentsRequest(p, "Sơn La", skip_invalid=True), ADMIN,
                          demo_copy_url)
    assert res.details["points"] == 1 and res.details["bad_rows"] == len(BROKEN)
    assert sorted({s.row for s in res.skipped}) == list(range(3, 3 + len(BROKEN)))


def test_swapped_vn2000_x_and_y_are_recognised(tmp_path: Path, demo_copy_url: str) -> None:
    from geo.crs import transformer

    x, y = transformer("EPSG:4326", "EPSG:9206").transform(float(GOOD[1]), float(GOOD[0]))
    p = tmp_path / "xy.csv"
    pd.DataFrame({"x": [x, y], "y": [y, x], "ngay": ["2023-01-02"] * 2}).to_csv(p, index=False)
    with pytest.raises(ValidationError) as ei:
        imp.import_file(imp.IncidentsRequest(p, "Sơn La"), ADMIN, demo_copy_url)
    (pr,) = ei.value.problems
    assert pr.row == 3 and "x và y bị đảo" in pr.vi and "x and y are swapped" in pr.en


def test_the_cli_never_exits_70_and_its_json_is_strict(tmp_path: Path,
                                                      demo_copy_url: str) -> None:
    rows = [(lat, lon, d) for _, lat, lon, d, _ in BROKEN]
    p = _incidents(tmp_path, rows, "sai.csv")

    def strict(text: str) -> dict:
        def bad(x: str) -> None:
            raise ValueError(f"not strict JSON: {x}")

        return json.loads(text, parse_constant=bad)

    code, out, err = run_cli(["--db", demo_copy_url, "import", "incidents", str(p), "-p",
                              "Sơn La", "--json"])
    assert code == 4 and "Traceback" not in err
    d = strict(out)
    assert d["ok"] is False and len(d["problems"]) == 11
    code, out, _ = run_cli(["--db", demo_copy_url, "import", "incidents", str(p), "-p",
                            "Sơn La", "--skip-invalid"])
    assert code == 4  # every row bad: nothing to store, still a clear refusal
    p2 = _incidents(tmp_path, [(GOOD[0], GOOD[1], "2023-03-01")] + rows, "mot_dung.csv")
    code, out, err = run_cli(["--db", demo_copy_url, "import", "incidents", str(p2), "-p",
                              "Sơn La", "--skip-invalid"])
    assert code == 0, err
    assert f"Bỏ qua {len(BROKEN)} dòng lỗi" in out


def test_facility_cells(tmp_path: Path, empty_url: str) -> None:
    p = tmp_path / "co_so.csv"
    pd.DataFrame({
        "loai": ["counselling_point"] * 4, "ten": ["A", "B", "C", "D"],
        "vi_do": [GOOD[0], "abc", GOOD[1], GOOD[0]],
        "kinh_do": [GOOD[1], GOOD[1], GOOD[0], GOOD[1]],
        "cong_suat": ["20", "", "", "hai mươi"]}).to_csv(p, index=False)
    before = db_fingerprint(empty_url)
    with pytest.raises(ValidationError) as ei:
        imp.import_file(imp.FacilitiesRequest(p, "Sơn La"), ADMIN, empty_url)
    got = [(pr.row, pr.column.split(" ")[0], pr.vi) for pr in ei.value.problems]
    assert [(r, c) for r, c, _ in got] == [(3, "vi_do"), (4, "vi_do"), (5, "cong_suat")]
    assert "'abc' không phải là số" in got[0][2] and "bị đảo" in got[1][2]
    assert "không phải là số" in got[2][2]
    assert db_fingerprint(empty_url) == before


def test_a_hotspot_event_in_the_future_is_refused(tmp_path: Path, empty_url: str) -> None:
    p = tmp_path / "trong_diem.csv"
    p.write_text("ma_xa,trang_thai,ngay\n04024,designated,2023-01-05\n"
                 "04045,designated,2099-01-05\n", encoding="utf-8")
    with pytest.raises(ValidationError) as ei:
        imp.import_file(imp.HotspotsRequest(p, "Sơn La"), ADMIN, empty_url)
    (pr,) = ei.value.problems
    assert pr.row == 3 and "tương lai" in pr.vi


def test_the_same_figures_file_with_another_period_supersedes_it_if_allowed(
        tmp_path: Path, empty_url: str) -> None:
    from geo.errors import PermissionDenied
    from geo.store import get_values, session_scope

    p = tmp_path / "so_lieu.csv"
    p.write_text("ma_xa,Dân số [population]\n04024,1200\n", encoding="utf-8")
    first = imp.import_file(imp.IndicatorsRequest(p, period="2023-H1"), ADMIN, empty_url)
    same = imp.import_file(imp.IndicatorsRequest(p, period="2023-H1"), ADMIN, empty_url)
    assert same.already_imported and same.batch_id == first.batch_id
    # A district officer may not replace (undo) an import made by someone else.
    officer = Principal("mc_nhap", "data_officer", "14", "123")
    before = db_fingerprint(empty_url)
    with pytest.raises(PermissionDenied) as ei:
        imp.import_file(imp.IndicatorsRequest(p, period="2023-H2"), officer, empty_url)
    assert f"lần nhập số {first.batch_id}" in ei.value.vi and "quan_tri" in ei.value.vi
    assert db_fingerprint(empty_url) == before
    second = imp.import_file(imp.IndicatorsRequest(p, period="2023-H2"), ADMIN, empty_url)
    assert second.superseded == [first.batch_id]
    with session_scope(empty_url) as s:
        v = get_values(s, "14", "legacy")
    v = v[v.converted == ""]
    assert v.period.tolist() == ["2023-H2"]  # the first reading is no longer current
