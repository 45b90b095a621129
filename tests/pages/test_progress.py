from geo.vocab import TARGET_STATUSES


def test_plan_progress_shows_the_hotspots_and_every_target_with_a_text_mark(open_page):
    at = open_page("pages/progress.py")
    assert at.title[0].value == "Tiến độ chuyển hóa"
    tables = [df.value for df in at.dataframe]
    communes = tables[0]
    assert len(communes) == 4  # KH 75: Chiềng Khừa, Lóng Sập, Lóng Luông, Tân Xuân
    targets = next(df for df in tables if "Đánh giá" in df.columns)
    assert len(targets) >= 3
    marks = {t.mark for t in TARGET_STATUSES.values()}
    # A mark that needs no emoji font (the server has none) starts every assessment.
    assert all(v.split(" ")[0] in marks for v in targets["Đánh giá"])


def test_progress_shows_the_yearly_qd28_lists_approved_or_draft(open_page):
    """Issue 13: progress reads the approved lists (2024, 2025) and says 2026 is a draft."""
    at = open_page("pages/progress.py")
    assert not at.exception
    table = next(df.value for df in at.dataframe if "Chuyển hóa" in df.value.columns)
    by_year = table.set_index("Năm")
    assert list(by_year.index) == ["2024", "2025", "2026"]
    assert by_year.loc["2025", "Danh sách"].startswith("Đã phê duyệt — Quyết định số DEMO-2987")
    assert by_year.loc["2026", "Danh sách"].startswith("Dự thảo")
    assert int(by_year.loc["2026", "Chuyển hóa"]) > 0
