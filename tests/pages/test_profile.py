from tests.pages.conftest import page_text


def test_profile_of_a_merged_commune_names_its_successor_from_the_stored_crosswalk(open_page):
    at = open_page("pages/profile.py")
    at.selectbox(key="profile_pick").set_value("04024").run()  # Chiềng Khừa
    assert not at.exception
    text = page_text(at)
    assert "Chiềng Khừa" in at.subheader[0].value
    assert "Lóng Sập" in text and "04045" in text
    assert "bảng chuyển đổi lưu trong cơ sở dữ liệu" in text
