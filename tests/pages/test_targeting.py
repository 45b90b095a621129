def test_ranking_explains_every_commune_and_classification_tab_draws(open_page):
    at = open_page("pages/targeting.py")
    assert at.title[0].value == "Chọn địa bàn"
    ranking = at.dataframe[0].value
    assert list(ranking["Hạng"]) == list(range(1, len(ranking) + 1))
    assert len(ranking) == 200
    assert ranking["Giải thích"].str.len().min() > 20
    classes = [df.value for df in at.dataframe if "Phân loại" in df.value.columns]
    assert classes and len(classes[0]) == 200
