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
