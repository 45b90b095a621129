from tests.pages.conftest import page_text


def _table(at):
    return next(df.value for df in at.dataframe)


def test_map_lists_every_commune_of_the_edition_with_its_value(open_page):
    at = open_page("pages/map.py")
    assert at.title[0].value == "Bản đồ"
    legacy = _table(at)
    assert len(legacy) == 200  # Sơn La before 1 July 2025
    assert legacy["Giá trị"].notna().sum() > 150
    at.sidebar.radio(key="map_ed__vi").set_value("2025").run()
    assert not at.exception
    assert len(_table(at)) == 75  # after the reform


def test_map_in_english(open_page):
    at = open_page("pages/map.py", lang="en")
    assert at.title[0].value == "Map"
    assert "Commune" in _table(at).columns
    assert "Bản đồ" not in page_text(at)


def _app(demo_url, monkeypatch, **params):
    from pathlib import Path

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DIABAN_DATABASE_URL", demo_url)
    st.cache_data.clear()
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"),
                           default_timeout=600)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_shared_link_opens_the_same_view_and_the_link_follows_the_view(demo_url,
                                                                         monkeypatch):
    at = _app(demo_url, monkeypatch, province="14", edition="2025", period="2023-H2",
              indicator="drug_cases_detected", measure="rate")
    assert at.sidebar.radio(key="map_ed__vi").value == "2025"
    assert at.sidebar.select_slider(key="map_period__vi").value == "2023-H2"
    assert at.sidebar.selectbox(key="map_ind__vi").value == "drug_cases_detected"
    assert at.sidebar.radio(key="map_measure__vi").value == "rate"
    assert len(_table(at)) == 75
    at.sidebar.select_slider(key="map_period__vi").set_value("2024-H1").run()
    assert at.query_params["period"] == "2024-H1"
    assert at.query_params["edition"] == "2025"


def test_a_link_with_choices_the_user_cannot_have_is_ignored(demo_url, monkeypatch):
    at = _app(demo_url, monkeypatch, period="1999-H1", indicator="<script>", edition="x")
    assert at.sidebar.radio(key="map_ed__vi").value == "legacy"
    assert at.sidebar.selectbox(key="map_ind__vi").value == "registered_addicts"
    assert at.sidebar.select_slider(key="map_period__vi").value != "1999-H1"


def test_headline_numbers_sit_above_the_map(open_page):
    at = open_page("pages/map.py")
    labels = [m.label for m in at.metric]
    assert labels == ["Toàn tỉnh — người", "Xã tăng · giảm", "Địa bàn trọng điểm",
                      "Chỉ tiêu đúng tiến độ"]
    total = at.metric[0].value
    table = _table(at)
    assert total == f"{int(table['Giá trị'].sum()):,}".replace(",", ".")
    assert at.metric[2].value == "4"  # designated by the end of the demo's period
    assert "/" in at.metric[3].value
    assert "Danh sách QĐ 28/2025 năm" in page_text(at)  # the year's list, approved or draft


def test_hiding_small_counts_hides_them_in_the_table_too(open_page):
    at = open_page("pages/map.py")
    counts = _table(at)["Giá trị"]
    small = int((counts < 5).sum())
    assert small > 0
    at.sidebar.checkbox(key="map_hide__vi").check().run()
    at.sidebar.radio(key="map_measure__vi").set_value("rate").run()
    assert not at.exception
    shown = _table(at)["Giá trị"]
    assert (shown == "< 5").sum() == small  # rates of small counts, not small rates


def test_the_headline_counts_the_years_qd28_list_and_says_approved_or_draft(open_page):
    """Issue 13: maps use the approved list where one exists and say when it is a draft."""
    at = open_page("pages/map.py")
    at.sidebar.radio(key="map_ed__vi").set_value("2025").run()

    def line() -> str:
        return next(c.value for c in at.caption if "Danh sách QĐ 28/2025" in c.value)

    at.sidebar.select_slider(key="map_period__vi").set_value("2025-H2").run()
    assert not at.exception
    assert "năm 2025 (Đã phê duyệt — Quyết định số DEMO-2987/QĐ-UBND" in line(), line()
    at.sidebar.select_slider(key="map_period__vi").set_value("2026").run()
    assert "năm 2026 (Dự thảo" in line(), line()
