"""The page "Phân loại QĐ 28" in AppTest: summary, the list, a class by hand, the approval.

Reading tests open the shared demo; tests that click open a private copy with the app
kept in ``st.navigation`` mode (see tests/pages/test_admin.py: AppTest would otherwise
run the page alone first and drop the click).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from tests.conftest import db_fingerprint
from tests.pages.conftest import page_text

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/classification.py"


class _NavigationPages(PagesManager):
    def __init__(self, *args: object, **kwargs: object) -> None:
        PagesManager.uses_pages_directory = False
        super().__init__(*args, **kwargs)


@pytest.fixture()
def page_on_copy(demo_copy_url: str, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    import streamlit as st
    import streamlit.testing.v1.app_test as app_test

    monkeypatch.setattr(app_test, "PagesManager", _NavigationPages)
    monkeypatch.setenv("DIABAN_DATABASE_URL", demo_copy_url)
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=600)
    at.session_state["lang"] = "vi"
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at, demo_copy_url


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_latest_year_opens_as_a_labelled_draft_with_the_summary_on_top(open_page) -> None:
    at = open_page(PAGE)
    assert at.title[0].value == "Phân loại QĐ 28"
    assert at.selectbox(key="qd28_year_vi").value == 2026
    assert "DỰ THẢO — chưa phê duyệt" in at.warning[0].value
    m = _metrics(at)
    for label in ("Loại I", "Loại II", "Loại III", "Không ma túy", "Không xếp loại",
                  "Chưa đủ số liệu", "Chuyển hóa", "Thành không ma túy",
                  "Tái phức tạp (tăng loại)", "Xã không ma túy", "Cấp tỉnh (Điều 5)"):
        assert label in m, label
    assert sum(int(m[k]) for k in ("Loại I", "Loại II", "Loại III", "Không ma túy",
                                   "Không xếp loại", "Chưa đủ số liệu")) == 75
    assert m["Xã không ma túy"].endswith("%") and "," in m["Xã không ma túy"]
    text = page_text(at)
    assert "Mục tiêu 50% vào năm 2030" in text
    assert "So với năm 2025 (Đã phê duyệt — Quyết định số DEMO-2987" in text
    communes = at.dataframe[0].value
    assert len(communes) == 75
    assert communes["Loại"].str.startswith("✎ ").sum() == 1
    missing = communes[communes["Thiếu số liệu"] != ""]
    assert len(missing) == 1 and "trừ người điều trị thay thế" in missing["Thiếu số liệu"].iloc[0]
    # against last year: every kind of change is counted
    for label in ("+ Đưa vào danh sách", "− Đưa ra khỏi danh sách", "▼ Chuyển loại giảm",
                  "▲ Chuyển loại tăng"):
        assert int(m[label]) >= 1, label


def test_a_commune_shows_each_criterion_by_class_with_article_value_threshold(open_page) -> None:
    at = open_page(PAGE)
    at.selectbox(key="qd28_pick").select("04048").run()  # Vân Hồ: type I by the route
    assert not at.exception
    tables = [df.value for df in at.dataframe if "Điều khoản" in df.value.columns]
    assert len(tables) == 4  # type I, II, III, drug-free
    t1 = tables[0].set_index("Điều khoản")
    assert list(t1.columns) == ["Kết quả", "Giá trị", "Ngưỡng", "Tiêu chí"]
    assert t1.loc["4.1.đ", "Kết quả"] == "✓ Đạt"
    assert t1.loc["4.1.a", "Ngưỡng"] == "từ 0,5% trở lên"
    assert t1.loc["4.1.b", "Kết quả"] == "– Không đạt"
    timeline = [df.value for df in at.dataframe if "Nội dung" in df.value.columns][0]
    assert "Đang chuyển hóa" in set(timeline["Nội dung"])  # Lóng Luông, the plan's commune
    assert "QĐ 28: Trọng điểm loại I" in set(timeline["Nội dung"])


def test_an_approved_year_says_so_and_offers_no_change(open_page) -> None:
    at = open_page(PAGE)
    at.selectbox(key="qd28_year_vi").select(2025).run()
    assert not at.exception
    assert "Đã phê duyệt — Quyết định số DEMO-2987/QĐ-UBND (minh họa) ngày 17/12/2025" in \
        at.success[0].value
    labels = [b.label for b in at.button]
    assert "Ghi nhận phê duyệt" not in labels and "Lưu loại điều chỉnh" not in labels
    assert "Hoàn tác ghi nhận phê duyệt" in labels
    assert "Quyết định minh họa" in page_text(at)
    # 2024 → 2025 crosses the reform: the rule is stated
    assert "loại nặng nhất trong các xã cũ hợp thành" in page_text(at)


def test_the_page_in_english(open_page) -> None:
    at = open_page(PAGE, lang="en")
    assert at.title[0].value == "QĐ 28 classification"
    assert "DRAFT — not approved" in at.warning[0].value
    assert {"Type I", "Drug-free", "Transformed", "Relapsed (moved up)"} <= set(_metrics(at))
    assert "Chuyển hóa" not in page_text(at)


def test_set_a_class_then_record_the_approval_then_undo(page_on_copy) -> None:
    at, url = page_on_copy
    at.selectbox(key="qd28_pick").select("03688").run()  # Mường Chiên: not enough data
    assert "Chưa đủ số liệu: " in page_text(at)
    at.selectbox(key="qd28_set_03688_vi").select("type_3")
    before = db_fingerprint(url)
    at.button(key="qd28_set_btn").click().run()  # no reason: refused, nothing stored
    assert "lý do" in at.error[0].value
    assert db_fingerprint(url) == before
    at.text_area(key="qd28_reason_03688").input("Xã báo cáo: không ai ngoài điều trị")
    at.button(key="qd28_set_btn").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Đã xếp Xã Mường Chiên là Trọng điểm loại III" in at.success[0].value
    assert at.dataframe[0].value["Loại"].str.startswith("✎ ").sum() == 2

    # the approval: nothing happens until the confirmation naming the decision is ticked
    ok = at.button(key="qd28_ok_btn")
    assert ok.disabled
    at.text_input(key="qd28_no").input("3012/QĐ-UBND")
    at.date_input(key="qd28_date").set_value(date(2026, 12, 1)).run()
    sure = at.checkbox(key="qd28_ok_sure")
    assert "Quyết định số 3012/QĐ-UBND ngày 1/12/2026" in sure.label
    assert "75 xã" in sure.label and "khóa" in sure.label
    sure.check().run()
    at.button(key="qd28_ok_btn").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Đã ghi nhận phê duyệt danh sách năm 2026" in at.success[0].value
    assert "Đã phê duyệt — Quyết định số 3012/QĐ-UBND ngày 1/12/2026" in page_text(at)

    at.checkbox(key="qd28_undo_sure").check().run()
    at.button(key="qd28_undo_btn").click().run()
    assert not at.exception
    assert "trở lại dự thảo" in at.success[0].value
    assert "DỰ THẢO" in at.warning[0].value


def test_the_list_downloads_as_excel_and_as_pdf_with_the_maps(open_page) -> None:
    at = open_page(PAGE)
    buttons = {b.proto.label: b for b in at.get("download_button")}
    assert "Tải danh sách (Excel, mẫu trình UBND tỉnh)" in buttons
    pdf = buttons["Tải PDF (danh sách và bản đồ)"]
    assert "bản đồ thay đổi" in pdf.proto.help
    en = open_page(PAGE, "en")
    assert "Download PDF (list and maps)" in {b.proto.label for b in en.get("download_button")}
