def test_ranking_explains_every_commune_and_classification_tab_draws(open_page):
    at = open_page("pages/targeting.py")
    assert at.title[0].value == "Chọn địa bàn"
    ranking = at.dataframe[0].value
    assert list(ranking["Hạng"]) == list(range(1, len(ranking) + 1))
    assert len(ranking) == 200
    assert ranking["Giải thích"].str.len().min() > 20
    classes = [df.value for df in at.dataframe if "Phân loại" in df.value.columns]
    assert classes and len(classes[0]) == 200


def test_all_zero_weights_are_said_and_the_other_tabs_still_draw(open_page):
    at = open_page("pages/targeting.py")
    for k in ("rate", "trend", "hotspot", "classification", "distance", "designation"):
        at.number_input(key=f"tg_w_{k}").set_value(0)
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception
    assert any("Mọi trọng số đều bằng 0" in w.value for w in at.warning)
    assert not [df for df in at.dataframe if "Hạng" in df.value.columns]
    # The classification tab is still drawn (issue 15: all-zero weights blanked the tabs).
    assert [df for df in at.dataframe if "Phân loại" in df.value.columns]


def test_weights_as_entered_are_stated(open_page):
    at = open_page("pages/targeting.py")
    for k, v in (("rate", 40), ("trend", 20), ("hotspot", 20), ("classification", 0),
                 ("distance", 20), ("designation", 0)):
        at.number_input(key=f"tg_w_{k}").set_value(v)
    at.button[0].click()
    at.run()
    assert not at.exception
    about = [m.value for m in at.markdown if m.value.startswith("**Xếp hạng:**")]
    assert about and about[0].endswith("trọng số: Tỷ lệ 40%, Xu hướng 20%, Điểm nóng 20%, "
                                       "Xa cơ sở 20%")
    ranking = [df.value for df in at.dataframe if "Hạng" in df.value.columns][0]
    assert not ranking["Giải thích"].str.contains("Đang chuyển hóa \\(\\+").any()
