"""Provincial report sheets read as data officers receive them (issue 14, must-have 7)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from geo.errors import ValidationError
from geo.io.indicators import read_indicators
from geo.io.report_sheets import Mapping, layout_key, period_from_title, read_report_sheet
from geo.io.tables import read_grid
from geo.registry import find_province
from tests.geo.io.report_corpus import CODES, COMMUNES, HEADER_1, son_la_report

SON_LA = find_province("Sơn La")


def _sheet(path: Path, **kw: object):
    return read_report_sheet(read_grid(path), SON_LA, **kw)


def test_title_block_merged_header_and_rows_are_read(tmp_path: Path) -> None:
    sheet = _sheet(son_la_report(tmp_path / "bc.xlsx"))
    cols = {c.letter: (c.role, c.indicator) for c in sheet.columns}
    assert cols == {
        "A": ("stt", None), "B": ("name", None), "C": ("indicator", "population"),
        "D": ("indicator", "registered_addicts"), "E": ("ignored", None),
        "F": ("indicator", "illegal_users"), "G": ("indicator", "voluntary_treatment"),
        "H": ("indicator", "compulsory_treatment"), "I": ("indicator", "drug_cases_detected"),
        "J": ("ignored", None)}
    headers = [c.header for c in sheet.columns]
    assert headers[3] == "Số người nghiện có hồ sơ quản lý / Tổng số"
    assert headers[4] == "Số người nghiện có hồ sơ quản lý / Trong đó: nữ"
    assert sheet.period == "2024-H1" and sheet.edition == "legacy"
    assert sheet.table.rows[0] == 10  # title block (1–5), header (7–8), column numbers (9)
    kinds = [sheet.rows[i] for i in sorted(sheet.rows)]
    assert kinds[:7] == ["district", "commune", "commune", "district", "commune", "commune",
                         "total"]
    assert [k for k in kinds[7:] if k != "empty"] == ["footnote", "footnote"]
    assert sheet.problems == []
    notes = " | ".join(n.vi for n in sheet.notes)
    assert "Trong đó: nữ" in notes and "không phải chỉ tiêu" in notes
    assert "ô ghi '-' được hiểu là 0" in notes and "kỳ báo cáo đọc từ tiêu đề: 2024-H1" in notes


def test_only_communes_are_figures_with_numbers_as_people_write_them(tmp_path: Path) -> None:
    got = read_indicators(son_la_report(tmp_path / "bc.xlsx"), province=SON_LA)
    assert got.problems == []
    v = got.values.set_index(["unit_code", "indicator"]).value
    assert sorted(got.values.unit_code.unique()) == sorted(CODES.values())
    assert v[("04024", "population")] == 6789  # "6.789"
    assert v[("04045", "compulsory_treatment")] == 0  # "-"
    assert v[("04058", "registered_addicts")] == 0
    assert len(got.values) == 4 * 6 and set(got.values.period) == {"2024-H1"}


def test_subtotals_and_totals_that_disagree_are_problems_of_their_cells(tmp_path: Path) -> None:
    p = son_la_report(tmp_path / "sai.xlsx", subtotal_offset={("Huyện Mộc Châu", 1): 2},
                      total_offset=5)
    got = read_indicators(p, province=SON_LA)
    assert [(pr.row, pr.column) for pr in got.problems] == [
        (10, "Số người nghiện có hồ sơ quản lý / Tổng số (D)"),
        (16, "Số người nghiện có hồ sơ quản lý / Tổng số (D)")]
    assert "dòng 'Huyện Mộc Châu' ghi 22 nhưng tổng 2 xã của nó (dòng 11–12) là 20 " \
           "(chênh 2)" in got.problems[0].vi
    assert "'Tổng cộng' ghi 45" in got.problems[1].vi and "là 40" in got.problems[1].vi
    assert all(pr.file == "sai.xlsx" for pr in got.problems)


def test_trailing_subtotal_rows_are_checked_too(tmp_path: Path) -> None:
    p = son_la_report(tmp_path / "cong.xlsx", trailing_subtotals=True,
                      subtotal_offset={("Huyện Vân Hồ", 6): -1})
    sheet = _sheet(p)
    kinds = [sheet.rows[i] for i in sorted(sheet.rows)]
    assert kinds[:7] == ["commune", "commune", "subtotal", "commune", "commune", "subtotal",
                         "total"]
    (pr,) = sheet.problems
    assert pr.row == 15 and "Cộng huyện Vân Hồ" in pr.vi and pr.column.endswith("(I)")
    assert len(sheet.checks) == 3 * 6  # 3 rows × 6 indicator columns (not "of which")


def test_an_unknown_column_needs_a_mapping_then_reads(tmp_path: Path) -> None:
    h = list(HEADER_1)
    h[5] = "Số người được hỗ trợ hòa nhập cộng đồng"
    p = son_la_report(tmp_path / "la.xlsx", header_1=h)
    sheet = _sheet(p)
    (pr,) = sheet.problems
    assert pr.row == 8 and pr.column.endswith("(F)") and "--mapping" in pr.vi
    m = sheet.mapping()
    assert m.columns["Số người được hỗ trợ hòa nhập cộng đồng"] == "?"
    assert m.columns["Số người nghiện có hồ sơ quản lý / Trong đó: nữ"] is None
    with pytest.raises(ValidationError) as ei:
        Mapping.from_dict(json.loads(m.to_json()))
    assert "chưa chọn chỉ tiêu" in ei.value.problems[0].vi
    m.columns["Số người được hỗ trợ hòa nhập cộng đồng"] = "illegal_users"
    f = tmp_path / "anh_xa.json"
    f.write_text(m.to_json(), encoding="utf-8")
    sheet = _sheet(p, mapping=Mapping.read(f))
    assert sheet.problems == []
    assert {c.letter: c.indicator for c in sheet.columns}["F"] == "illegal_users"
    # A column named by its letter, and ignored.
    sheet = _sheet(p, mapping=Mapping({"F": None}))
    assert sheet.problems == [] and sheet.columns[5].role == "ignored"


def test_a_mapping_naming_an_unknown_indicator_is_refused() -> None:
    with pytest.raises(ValidationError) as ei:
        Mapping.from_dict({"columns": {"Dân số": "so_con_meo"}}, "m.json")
    assert "so_con_meo" in ei.value.problems[0].vi and ei.value.problems[0].file == "m.json"


def test_uncertain_names_are_listed_for_a_person(tmp_path: Path) -> None:
    c = copy.deepcopy(COMMUNES)
    c[0][1][0] = ("Chiềng Khưa", c[0][1][0][1])
    p = son_la_report(tmp_path / "ten.xlsx", communes=c)
    sheet = _sheet(p)
    (u,) = sheet.uncertain
    assert u["name"] == "Chiềng Khưa" and u["code"] == "04024" and u["row"] == 11
    (pr,) = sheet.problems
    assert "cần người xác nhận" in pr.vi and "--accept-matches" in pr.vi and pr.row == 11
    assert _sheet(p, accept_matches=True).problems == []
    confirmed = Mapping(communes={"Chiềng Khưa | Huyện Mộc Châu": "04024"})
    assert _sheet(p, mapping=confirmed).problems == []
    wrong = Mapping(communes={"Chiềng Khưa": "00001"})
    (pr,) = _sheet(p, mapping=wrong).problems
    assert "không thuộc tỉnh" in pr.vi


def test_a_name_of_another_province_is_not_matched(tmp_path: Path) -> None:
    c = copy.deepcopy(COMMUNES)
    c[1][1][0] = ("Xã Hoàn Kiếm", c[1][1][0][1])
    got = read_indicators(son_la_report(tmp_path / "khac.xlsx", communes=c), province=SON_LA)
    (pr,) = [p for p in got.problems if "Hoàn Kiếm" in p.vi]
    assert "không khớp xã nào" in pr.vi and pr.row == 14


def test_period_comes_from_the_title_or_must_be_given(tmp_path: Path) -> None:
    assert _sheet(son_la_report(tmp_path / "nam.xlsx", title="NĂM 2023")).period == "2023"
    p = son_la_report(tmp_path / "khong_ky.xlsx", title="")
    with pytest.raises(ValidationError) as ei:
        _sheet(p)
    assert "--period" in ei.value.vi and ei.value.problem.file == "khong_ky.xlsx"
    assert _sheet(p, period="2024-H2").period == "2024-H2"
    assert period_from_title(["Sơn La, ngày 20 tháng 6 năm 2024"]) is None


def test_a_sheet_without_a_province_is_refused_naming_the_option(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as ei:
        read_indicators(son_la_report(tmp_path / "bc.xlsx"))
    assert "--province" in ei.value.vi


def test_layout_key_ignores_spelling_of_case_and_marks() -> None:
    assert layout_key(["STT", "Tên đơn vị"]) == layout_key(["stt", "Ten don vi"])
    assert layout_key(["STT", "Tên đơn vị"]) != layout_key(["STT", "Đơn vị"])


@pytest.mark.parametrize(("heading", "expected"), [
    ("Số người nghiện", ("indicator", "registered_addicts")),
    ("Số người nghiện ma túy hiện có", ("indicator", "registered_addicts")),
    ("Số người sử dụng ma túy / Tổng số", ("indicator", "illegal_users")),
    ("Số vụ phạm tội về ma túy phát hiện trong kỳ", ("indicator", "drug_cases_detected")),
    ("Số người nghiện có hồ sơ quản lý / Trong đó: nữ", ("ignored", None)),
    ("Tỷ lệ (%)", ("ignored", None)),
    ("So với cùng kỳ / Tăng", ("ignored", None)),
    ("Ghi chú", ("ignored", None)),
    ("Số người nghiện ma túy cai nghiện tự nguyện", ("unknown", None)),  # not guessed
])
def test_headings_are_read_from_their_wording(heading: str, expected: tuple) -> None:
    from geo.io.indicators import catalog_lookup
    from geo.io.report_sheets import _recognise

    lookup = catalog_lookup()
    assert _recognise(heading, lookup, list(lookup))[:2] == expected


def test_catalog_names_and_aliases_name_one_indicator_each() -> None:
    from geo.indicators import load_catalog
    from geo.io.tables import column_key

    seen: dict[str, str] = {}
    for ind in load_catalog():
        for name in (ind.id, ind.name_vi, ind.name_en, *ind.aliases):
            assert seen.setdefault(column_key(name), ind.id) == ind.id, name


def test_a_2025_sheet_is_read_on_the_new_communes(tmp_path: Path) -> None:
    communes = [("Các xã", [("Xã Lóng Sập", ["16.789", "20", "1", "5", "3", "1", "7"]),
                           ("Xã Vân Hồ", ["21.432", "28", "2", "7", "5", "2", "9"])])]
    p = son_la_report(tmp_path / "2025.xlsx", title="6 THÁNG CUỐI NĂM 2025",
                      communes=communes)
    got = read_indicators(p, province=SON_LA)
    assert got.period == "2025-H2" and got.sheet.edition == "2025"
    assert got.problems == [], [x.vi for x in got.problems]
    assert set(got.values.edition) == {"2025"} and len(got.values.unit_code.unique()) == 2


def test_the_same_sheet_saved_as_csv_reads_the_same(tmp_path: Path) -> None:
    import csv

    from openpyxl import load_workbook

    xlsx = son_la_report(tmp_path / "bc.xlsx")
    ws = load_workbook(xlsx).active  # a merged range keeps its text in its first cell only
    p = tmp_path / "bc.csv"
    with open(p, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["" if v is None else v for v in r]
                                 for r in ws.iter_rows(values_only=True)])
    a = read_indicators(xlsx, province=SON_LA)
    b = read_indicators(p, province=SON_LA)
    assert b.problems == [] and b.period == "2024-H1"
    cols = ["unit_code", "indicator", "value"]
    assert b.values[cols].sort_values(cols).values.tolist() == \
        a.values[cols].sort_values(cols).values.tolist()
