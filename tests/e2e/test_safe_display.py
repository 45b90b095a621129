"""Names from imported files are shown as text in the browser, never run."""

import pytest

from layers.offline import standalone_html
from tests.layers.test_maps import EVIL, _map


@pytest.mark.e2e
def test_hostile_name_shows_as_text_in_the_browser(tmp_path, browser):
    f = tmp_path / "m.html"
    f.write_text(standalone_html(_map()), encoding="utf-8")
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f.as_uri())
    poly = page.locator("path[fill-opacity='0.85']").first
    poly.wait_for()
    box_ = poly.bounding_box()
    page.mouse.move(box_["x"] + 6, box_["y"] + box_["height"] - 6)
    tip = page.locator(".leaflet-tooltip").first
    tip.wait_for()
    assert EVIL in tip.inner_text()
    assert page.locator(".leaflet-tooltip img").count() == 0
    page.locator(".diaban-facility").last.click(force=True)  # the facility symbol
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert EVIL in popup.inner_text() and popup.locator("img").count() == 0
    page.close()
    assert dialogs == []
