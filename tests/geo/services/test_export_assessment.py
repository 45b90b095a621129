"""The QĐ 28/2025 list as the People's Committee signs it (XLSX)."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from geo.auth import local_admin
from geo.errors import ValidationError
from geo.services.classification import YearRequest, list_classes
from geo.services.exports import AssessmentListExportRequest, export_assessment_list
from geo.vocab import QD28_CLASSES
from tests.conftest import run_cli

ARTICLE = {"type_1": "4.1.", "type_2": "4.2.", "type_3": "4.3.", "drug_free": "6."}


def _rows(path):
    ws = load_workbook(path).worksheets[0]
    return [[v for v in row] for row in ws.iter_rows(values_only=True)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_list_has_one_section_per_class_with_the_criteria_met(demo_url, tmp_path, year):
    who = local_admin()
    view = list_classes(YearRequest("Sơn La", year), who, demo_url)
    res = export_assessment_list(
        AssessmentListExportRequest("Sơn La", year, tmp_path / "ds.xlsx"), who, demo_url)
    rows = _rows(res.file)
    title = " ".join(str(r[0]) for r in rows[:4])
    if view.approved:
        assert view.info["decision_no"] in title
    else:
        assert "DỰ THẢO" in title
    counts = view.counts()
    headings = {r[0]: i for i, r in enumerate(rows) if isinstance(r[0], str)
                and r[0].split(". ")[0] in ("I", "II", "III", "IV", "V", "VI")}
    for klass in ("type_1", "type_2", "type_3", "drug_free"):
        head = next(h for h in headings
                    if h.split(". ", 1)[1].startswith(QD28_CLASSES.label(klass) + " ("))
        assert f"({counts[klass]} xã)" in head
        start = headings[head] + 1
        body = [r for r in rows[start:start + counts[klass]]]
        assert [r[0] for r in body] == list(range(1, counts[klass] + 1))
        assert all(r[3] == QD28_CLASSES.short(klass) for r in body)
        if klass != "drug_free":  # each key area lists the criteria of its class it meets
            assert all(r[4] and str(r[4]).startswith(ARTICLE[klass]) for r in body)
    manual = view.table[view.table.manual_class.notna() & (view.table.manual_class != "")]
    for code, r in manual.iterrows():
        row = next(x for x in rows if x[2] == code)
        assert r.reason in row[5]
    assert res.rows == len(view.table)


def test_a_list_export_other_than_xlsx_is_refused_before_anything(demo_url, tmp_path):
    with pytest.raises(ValidationError) as e:
        export_assessment_list(AssessmentListExportRequest("Sơn La", 2026, tmp_path / "a.csv"),
                               local_admin(), demo_url)
    assert ".xlsx" in e.value.message("vi")
    assert not (tmp_path / "a.csv").exists()


def test_cli_writes_the_list_and_says_so_in_json(demo_url, tmp_path):
    code, out, err = run_cli(["--db", demo_url, "export", "assessment", "-p", "Sơn La",
                              "--year", "2026", "--out", str(tmp_path / "l.xlsx"), "--json"])
    assert code == 0, err
    d = json.loads(out)
    assert d["ok"] and d["format"] == "xlsx" and d["rows"] == 75
    code, out, err = run_cli(["--db", demo_url, "export", "assessment", "-p", "Sơn La",
                              "--year", "2026-H1", "--out", str(tmp_path / "l.xlsx")])
    assert code == 4 and "không phải một năm" in err
