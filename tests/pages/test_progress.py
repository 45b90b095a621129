from geo.vocab import TARGET_STATUSES


def test_plan_progress_shows_the_hotspots_and_every_target_with_a_text_mark(open_page):
    at = open_page("pages/progress.py")
    assert at.title[0].value == "Tiến độ chuyển hóa"
    tables = [df.value for df in at.dataframe]
    communes = tables[0]
    assert len(communes) == 4  # KH 75: Chiềng Khừa, Lóng Sập, Lóng Luông, Tân Xuân
    targets = tables[-1]
    assert len(targets) >= 3
    marks = {t.mark for t in TARGET_STATUSES.values()}
    # A mark that needs no emoji font (the server has none) starts every assessment.
    assert all(v.split(" ")[0] in marks for v in targets["Đánh giá"])
