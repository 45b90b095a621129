def test_ranking_explains_every_commune_and_classification_tab_draws(open_page):
    at = open_page("pages/targeting.py")
    assert at.title[0].value == "Chọn địa bàn"
    ranking = at.dataframe[0].value
    assert list(ranking["Hạng"]) == list(range(1, len(ranking) + 1))
    assert len(ranking) == 200
    assert ranking["Giải thích"].str.len().min() > 20
    classes = [df.value for df in at.dataframe if "Phân loại" in df.value.columns]
    assert classes and len(classes[0]) == 200


def test_a_ranking_error_leaves_the_other_tabs_drawn(open_page):
    at = open_page("pages/targeting.py")
    for key in ("rate", "trend", "hotspot", "classification", "distance", "designation"):
        at.number_input(key=f"tg_w_{key}").set_value(0.0)
    at.run()
    assert not at.exception
    assert any("Tổng trọng số phải lớn hơn 0" in e.value for e in at.error)
    text = "\n".join(str(c.value) for c in at.caption)
    assert "hoán vị" in text and "Mann-Kendall" in text  # hot spots and emerging tabs
    assert any("Phân loại" in df.value.columns for df in at.dataframe)  # classification tab
