"""The QĐ 28/2025 list as a PDF with both maps, and the briefing pack's classification section."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from pypdf import PdfReader

from geo.auth import Principal, local_admin
from geo.errors import NotFoundError, PermissionDenied, ValidationError
from geo.services.classification import (
    YearRequest,
    list_classes,
    transformation,
    undo_change,
)
from geo.services.exports import (
    AssessmentListExportRequest,
    BriefRequest,
    export_assessment_list,
    export_brief,
)
from geo.vocab import CLASS_CHANGES, QD28_CLASSES
from tests.conftest import run_cli

ADMIN = local_admin()


def _text(pdf, page: int, layout: bool = True) -> str:
    """Text of one page (1-based): as laid out, or in drawing order (a cell's lines together)."""
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []),
                           "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def _flat(s: str) -> str:
    """Whitespace collapsed (labels may wrap or be spaced out by -layout)."""
    return re.sub(r"\s+", " ", s)


def _pdf(url, tmp_path, year, lang="vi", name="ds.pdf"):
    res = export_assessment_list(AssessmentListExportRequest("Sơn La", year, tmp_path / name,
                                                             lang), ADMIN, url)
    return res


@pytest.fixture(scope="module")
def draft_2026(demo_url, tmp_path_factory):
    return _pdf(demo_url, tmp_path_factory.mktemp("qd28pdf"), 2026)


def test_maps_come_first_with_their_legends_counted_from_the_list(demo_url, draft_2026):
    view = list_classes(YearRequest("Sơn La", 2026), ADMIN, demo_url)
    trans = transformation(YearRequest("Sơn La", 2026), ADMIN, demo_url)
    pdf = draft_2026.file
    classes = _flat(_text(pdf, 1))
    assert "Phân loại địa bàn về ma túy năm 2026 — Tỉnh Sơn La" in classes
    assert "Loại địa bàn (QĐ 28/2025)" in classes
    for k, n in view.counts().items():  # every class with the number of communes in it
        if n or k in ("type_1", "type_2", "type_3", "drug_free"):
            assert f"{QD28_CLASSES.label(k)} ({n})" in classes, k
    changes = _flat(_text(pdf, 2))
    assert "Thay đổi loại địa bàn năm 2026 so với năm 2025 — Tỉnh Sơn La" in changes
    for k, n in trans.summary["changes"].items():
        if n:
            assert f"{CLASS_CHANGES.label(k)} ({n})" in changes, k
    for page in (classes, changes):  # the other printed figures' furniture
        assert "Nguồn:" in page and "Ngày xuất:" in page and "Tỷ lệ 1:" in page
        assert "Hoàng Sa" in page and "Trường Sa" in page
    assert "Cách đọc Quyết định" in classes
    assert "Chuyển hóa (Điều 2.2" in changes and f": {trans.summary['transformed']} xã" in changes


def test_the_list_follows_the_maps_with_every_commune_and_the_criteria_met(demo_url,
                                                                         draft_2026):
    view = list_classes(YearRequest("Sơn La", 2026), ADMIN, demo_url)
    n = len(PdfReader(str(draft_2026.file)).pages)
    assert n >= 4  # two maps, then the list over more than one page
    body = _flat(" ".join(_text(draft_2026.file, p, layout=False) for p in range(3, n + 1)))
    assert "DANH SÁCH ĐỊA BÀN TRỌNG ĐIỂM PHỨC TẠP VỀ MA TÚY" in body
    assert "Tiêu chí đạt (giá trị)" in body and "(tiếp)" in body
    for code, r in view.table.iterrows():
        assert code in body and r["name"] in body, code
    type_1 = view.table[view.table.final_class == "type_1"]
    assert f"I. {QD28_CLASSES.label('type_1')} ({len(type_1)} xã)" in body
    assert "4.1.a:" in body and "Chưa đủ số liệu" in body
    assert draft_2026.rows == len(view.table)


def test_the_label_says_draft_or_names_the_decision_as_stored(demo_url, demo_copy_url,
                                                              draft_2026, tmp_path):
    first = _flat(_text(draft_2026.file, 1))
    assert "DỰ THẢO — chưa được Ủy ban nhân dân tỉnh phê duyệt" in first
    assert "ĐÃ PHÊ DUYỆT" not in first
    # the change map names both years' lists: this year's draft, last year's decision
    second = _flat(_text(draft_2026.file, 2))
    assert "Năm 2026: DỰ THẢO" in second
    assert "Năm 2025: ĐÃ PHÊ DUYỆT — Quyết định số DEMO-2987/QĐ-UBND (minh họa), ngày " \
           "17/12/2025" in second

    approved = _flat(_text(_pdf(demo_url, tmp_path, 2025).file, 1))
    assert "ĐÃ PHÊ DUYỆT — Quyết định số DEMO-2987/QĐ-UBND (minh họa), ngày 17/12/2025" \
        in approved
    assert "DỰ THẢO" not in approved
    # undo the recorded approval: the same year's PDF now says draft
    undo_change(YearRequest("Sơn La", 2025), ADMIN, demo_copy_url)
    undone = _flat(_text(_pdf(demo_copy_url, tmp_path, 2025, name="undone.pdf").file, 1))
    assert "DỰ THẢO" in undone and "DEMO-2987" not in undone


def test_english_pdf(demo_url, tmp_path):
    res = _pdf(demo_url, tmp_path, 2025, lang="en")
    first = _flat(_text(res.file, 1))
    assert "Drug area classes 2025" in first and "Class (QĐ 28/2025)" in first
    assert "APPROVED — Decision No. DEMO-2987/QĐ-UBND (minh họa) of 17/12/2025" in first
    assert "Key area type I (" in first and "Source:" in first


@pytest.mark.parametrize("year, out, who, error, words", [
    (2031, "ds.pdf", ADMIN, NotFoundError, "2031 chưa có số liệu hay danh sách"),
    (2026, "ds.docx", ADMIN, ValidationError, ".xlsx, .pdf"),
    ("2026-H1", "ds.pdf", ADMIN, ValidationError, "không phải một năm"),
    (2026, "ds.pdf", Principal("db_nhap", "data_officer", "11", province_edition="2025"),
     PermissionDenied, ""),
])
def test_a_wrong_request_says_what_is_wrong_and_writes_nothing(demo_url, tmp_path, year, out,
                                                               who, error, words):
    with pytest.raises(error) as e:
        export_assessment_list(AssessmentListExportRequest("Sơn La", year, tmp_path / out),
                               who, demo_url)
    assert words in e.value.message("vi")
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_the_pdf_and_summarises_it_in_json(demo_url, tmp_path):
    out = tmp_path / "ds_2026.pdf"
    code, stdout, err = run_cli(["--db", demo_url, "export", "assessment", "-p", "Sơn La",
                                 "--year", "2026", "--out", str(out), "--json"])
    assert code == 0, err
    d = json.loads(stdout)
    assert d["ok"] and d["format"] == "pdf" and d["rows"] == 75 and d["file"] == str(out)
    assert out.read_bytes().startswith(b"%PDF")
    code, stdout, err = run_cli(["--db", demo_url, "--lang", "en", "export", "assessment", "-p",
                                 "Sơn La", "--year", "2031", "--out", str(tmp_path / "x.pdf")])
    assert code == NotFoundError.exit_code and "no figures and no QĐ 28 list" in err
    assert not (tmp_path / "x.pdf").exists()


# ------------------------------------------------------------------ the briefing pack


def test_the_pack_has_the_classification_section(demo_url, tmp_path):
    out = export_brief(BriefRequest("14", "2025-H1", tmp_path / "b.pdf"), ADMIN, demo_url).file
    trans = transformation(YearRequest("Sơn La", 2025), ADMIN, demo_url)
    assert len(PdfReader(str(out)).pages) == 5
    assert "Phân loại địa bàn về ma túy năm 2025" in _flat(_text(out, 3))
    assert "ĐÃ PHÊ DUYỆT — Quyết định số DEMO-2987" in _flat(_text(out, 3))
    assert "Thay đổi loại địa bàn năm 2025 so với năm 2024" in _flat(_text(out, 4))
    summary = _flat(_text(out, 5))
    assert "Phân loại địa bàn theo QĐ 28/2025 năm 2025" in summary
    d = trans.drug_free
    assert f"{d['n']}/{d['total']} xã" in summary and "50% vào năm 2030" in summary
    assert f"còn thiếu {d['needed']} xã" in summary
    s = trans.summary
    assert re.search(rf"Chuyển hóa: giảm ít nhất một loại.*?\b{s['transformed']}\b", summary)
    relapsed = trans.comparison.communes
    relapsed = relapsed[relapsed.relapsed.astype(bool)]
    cells = _flat(_text(out, 5, layout=False))
    assert len(relapsed) and all(name in cells for name in relapsed.name)
    assert "trang 5" in summary


def test_the_pack_says_so_when_the_province_has_nothing_to_classify(demo_copy_url, tmp_path):
    """Without the criteria's figures or a stored list the section is a page that says so."""
    from sqlalchemy import delete

    from geo.store import session_scope
    from geo.store.schema import AssessmentEntry, AssessmentList, IndicatorValue

    map_indicator = "drug_cases_detected"  # the pack's map; no QĐ 28 criterion reads it
    with session_scope(demo_copy_url) as s:
        s.execute(delete(AssessmentEntry))
        s.execute(delete(AssessmentList))
        s.execute(delete(IndicatorValue).where(IndicatorValue.indicator_id != map_indicator))
    out = export_brief(BriefRequest("14", "2025-H1", tmp_path / "b.pdf",
                                    indicator=map_indicator), ADMIN, demo_copy_url).file
    assert len(PdfReader(str(out)).pages) == 3
    last = _flat(_text(out, 3))
    assert "Phân loại địa bàn theo Quyết định 28/2025/QĐ-TTg" in last
    assert "chưa có số liệu các tiêu chí QĐ 28/2025 cho năm 2025" in last
