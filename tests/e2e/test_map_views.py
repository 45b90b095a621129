"""The maps as a leader and a planner meet them on a laptop (1366×768), in Chromium.

Every map fits its province when it opens (also the targeting maps, which open in tabs),
a click, another period and another language restyle the map in place (same map, same
view, no reload), the page scrolls past the map, two periods compare side by side, and
the view is kept in the page's URL. Pages are reached through the menu.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import MAP_FRAME, Page

pytestmark = pytest.mark.e2e

CHOROPLETH = "path.leaflet-interactive[fill-opacity='0.85']"
T = 90_000
#: Where the drawn polygons are inside a map frame, and the frame's size.
EXTENT = """() => {
    const ps = [...document.querySelectorAll("path.leaflet-interactive[fill-opacity='0.85']")];
    let x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
    for (const p of ps) { const r = p.getBoundingClientRect();
        x0 = Math.min(x0, r.left); y0 = Math.min(y0, r.top);
        x1 = Math.max(x1, r.right); y1 = Math.max(y1, r.bottom); }
    return {n: ps.length, x0, y0, x1, y1, w: innerWidth, h: innerHeight,
            zoom: window.diabanMap.getZoom()}; }"""


@pytest.fixture()
def laptop(browser: object):
    p = Page(browser, 1366, 768)
    yield p
    p.close()


def _assert_fits(frame: object, communes: int = 200) -> dict:
    """The province's polygons are all in the frame and fill a good part of it."""
    e = frame.evaluate(EXTENT)
    assert e["n"] == communes, e
    assert e["x0"] >= -1 and e["y0"] >= -1 and e["x1"] <= e["w"] + 1 and e["y1"] <= e["h"] + 1, e
    # Not the whole world at zoom 1–3: the province spans most of the frame.
    assert (e["x1"] - e["x0"]) > 0.5 * e["w"] or (e["y1"] - e["y0"]) > 0.5 * e["h"], e
    assert e["zoom"] >= 7, e
    return e


def _open_map(p: Page, url: str) -> object:
    p.page.goto(url + "/")
    frame = p.map_frame(T)
    frame.locator(CHOROPLETH).nth(199).wait_for(timeout=T)
    p.idle(T)
    return p.map_frames()[0]


def test_every_targeting_map_shows_the_province_on_open(app_url, laptop):
    p = laptop
    _open_map(p, app_url)
    p.page.get_by_role("link", name="Chọn địa bàn").click()  # through the menu
    p.page.get_by_role("heading", name="Chọn địa bàn").wait_for(timeout=T)
    p.idle(T)
    tabs = [("Điểm nóng một kỳ", 2), ("Điểm nóng theo thời gian", 1),
            ("Phân loại QĐ 28/2025", 1)]
    for n, (tab, maps) in enumerate(tabs):
        p.page.get_by_role("tab", name=tab).click()
        panel = p.page.get_by_role("tabpanel", name=tab)
        panel.locator(MAP_FRAME).nth(maps - 1).wait_for(timeout=T)
        for i in range(maps):
            frame = panel.frame_locator(MAP_FRAME).nth(i)
            frame.locator(CHOROPLETH).nth(199).wait_for(timeout=T)
            expect(frame.locator("body")).to_have_attribute("data-drawn", re.compile("geo/"),
                                                             timeout=T)
        p.page.wait_for_timeout(500)  # the frame fits once it is shown
        shown = [h.content_frame() for h in panel.locator(MAP_FRAME).element_handles()]
        assert len(shown) == maps, tab
        for f in shown:
            _assert_fits(f)
        p.page.screenshot(path=f"/tmp/e2e_targeting_{n + 2}.png")
    assert p.external == []


def test_a_click_a_period_and_a_language_restyle_the_same_map(app_url, laptop):
    p = laptop
    frame = _open_map(p, app_url)
    _assert_fits(frame)
    frame.evaluate("() => { window.__sameMap = window.diabanMap; }")
    view = frame.evaluate("() => [diabanMap.getCenter(), diabanMap.getZoom()]")

    def same_map() -> None:
        assert frame.evaluate("() => window.__sameMap === window.diabanMap"), "map redrawn"
        assert frame.evaluate("() => [diabanMap.getCenter(), diabanMap.getZoom()]") == view
        assert frame.locator(CHOROPLETH).count() == 200

    # A click: the commune is outlined, its name and profile link appear beside the map.
    idx = frame.evaluate("""() => {
        const ps = [...document.querySelectorAll("path[fill-opacity='0.85']")];
        for (let i = 0; i < ps.length; i++) { const r = ps[i].getBoundingClientRect();
            const el = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
            if (el === ps[i] && r.width > 12 && r.height > 12) return i; }
        return -1; }""")
    p.page.frame_locator(MAP_FRAME).first.locator(CHOROPLETH).nth(idx).click()
    p.page.get_by_text("Mở hồ sơ địa bàn").wait_for(timeout=T)
    p.idle(T)
    p.page.mouse.move(5, 5)  # off the map: the commune keeps the outline of the selection
    code = frame.evaluate("() => document.body.getAttribute('data-selected')")
    assert code and frame.evaluate(
        "(c) => document.querySelectorAll(\"path[stroke-width='3']\").length", code) >= 1
    same_map()
    p.page.screenshot(path="/tmp/e2e_map_click.png")

    fills = frame.evaluate("() => [...document.querySelectorAll(\"path[fill-opacity='0.85']\")]"
                           ".map(e => e.getAttribute('fill')).join()")
    slider = p.page.get_by_role("slider").first
    slider.focus()
    p.page.keyboard.press("ArrowLeft")
    p.page.wait_for_function(
        """(before) => { const f = document.querySelector("iframe[title*='diaban_map']");
            return [...f.contentDocument.querySelectorAll("path[fill-opacity='0.85']")]
                     .map(e => e.getAttribute('fill')).join() !== before; }""",
        arg=fills, timeout=T)
    p.idle(T)
    same_map()
    assert "period=" in p.page.url  # the view is in the URL
    p.page.screenshot(path="/tmp/e2e_map_period.png")

    p.page.get_by_role("radiogroup", name="Ngôn ngữ / Language").get_by_text(
        "English", exact=True).click()
    p.page.get_by_role("heading", name="Map", exact=True).first.wait_for(timeout=T)
    p.idle(T)
    expect(frame.locator(".diaban-legend-toggle")).to_have_text("Legend", timeout=T)
    same_map()
    p.page.screenshot(path="/tmp/e2e_map_english.png")
    assert p.external == []


def test_the_page_scrolls_past_the_map_until_it_is_clicked(app_url, laptop):
    p = laptop
    frame = _open_map(p, app_url)
    zoom = frame.evaluate("() => diabanMap.getZoom()")
    main = p.page.locator("[data-testid='stMain']")
    top = main.evaluate("e => e.scrollTop")
    box = p.page.locator(MAP_FRAME).first.bounding_box()
    p.page.mouse.move(box["x"] + 120, box["y"] + 100)
    p.page.mouse.wheel(0, 300)
    p.page.wait_for_timeout(600)
    assert frame.evaluate("() => diabanMap.getZoom()") == zoom
    assert main.evaluate("e => e.scrollTop") > top  # the page moved, not the map
    # Once the map is clicked, the wheel zooms it.
    box = p.page.locator(MAP_FRAME).first.bounding_box()
    p.page.mouse.click(box["x"] + 12, box["y"] + box["height"] - 40)
    p.page.mouse.wheel(0, -300)
    p.page.wait_for_function("(z) => true", arg=zoom)
    p.page.wait_for_timeout(800)
    assert frame.evaluate("() => diabanMap.getZoom()") != zoom


def test_two_periods_compare_side_by_side_on_a_laptop(app_url, laptop):
    p = laptop
    _open_map(p, app_url)
    p.page.get_by_text("So sánh hai kỳ").click()
    p.page.wait_for_function(
        "() => document.querySelectorAll(\"iframe[title*='diaban_map']\").length === 2",
        timeout=T)
    for i in range(2):
        p.page.frame_locator(MAP_FRAME).nth(i).locator(CHOROPLETH).nth(199).wait_for(timeout=T)
    p.idle(T)
    p.page.wait_for_timeout(500)
    frames = p.map_frames()
    assert len(frames) == 2
    boxes = [b.bounding_box() for b in p.page.locator(MAP_FRAME).element_handles()]
    assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"] <= 1366  # side by side
    for f in frames:
        _assert_fits(f)
        # Each map's legend starts folded: it covers nothing; one legend shows below.
        assert f.locator(".diaban-legend.collapsed").count() == 1
    assert p.page.get_by_text("Không có số liệu").count() >= 1
    p.page.screenshot(path="/tmp/e2e_compare.png")
    assert p.external == []


def test_a_bookmarked_view_opens_as_it_was_saved(app_url, laptop):
    p = laptop
    p.page.goto(app_url + "/?province=14&edition=2025&indicator=drug_cases_detected"
                "&period=2024-H1&measure=rate")
    frame = p.map_frame(T)
    frame.locator(CHOROPLETH).nth(74).wait_for(timeout=T)
    p.idle(T)
    expect(p.page.get_by_role("radio", name="Sau 01/7/2025")).to_be_checked()
    expect(p.page.get_by_role("radio", name="Tỷ lệ trên 10.000 dân")).to_be_checked()
    expect(p.page.get_by_text("6 tháng đầu năm 2024").first).to_be_visible()
    assert frame.locator(CHOROPLETH).count() == 75
    _assert_fits(p.map_frames()[0], communes=75)


def test_the_classification_page_maps_the_years_classes_and_changes(app_url, laptop):
    """Issue 13: the list's classes and the changes against last year, each with its legend
    and the list's status (the demo's 2026 list is a draft), over the 2025 communes."""
    p = laptop
    _open_map(p, app_url)
    p.page.get_by_role("link", name="Phân loại QĐ 28").click()  # through the menu
    p.page.get_by_role("heading", name="Phân loại QĐ 28").wait_for(timeout=T)
    p.page.wait_for_function(
        "() => document.querySelectorAll(\"iframe[title*='diaban_map']\").length === 2",
        timeout=T)
    for i in range(2):
        p.page.frame_locator(MAP_FRAME).nth(i).locator(CHOROPLETH).nth(74).wait_for(timeout=T)
    p.idle(T)
    p.page.wait_for_timeout(500)
    classes, changes = p.map_frames()
    for f in (classes, changes):
        _assert_fits(f, communes=75)
    legend = classes.locator(".diaban-legend").inner_text()
    assert "Dự thảo" in legend and "loại I" in legend and "Không ma túy" in legend, legend
    legend = changes.locator(".diaban-legend").inner_text()
    assert "2025 → 2026" in legend and "Chuyển loại giảm" in legend, legend
    assert "Tái phức tạp" in legend, legend  # the demo's relapse
    body = p.page.locator("[data-testid='stMain']").inner_text()
    assert "Loại địa bàn năm 2026" in body and "Thay đổi so với năm 2025" in body
    p.page.screenshot(path="/tmp/e2e_classification_maps.png", full_page=False)
    # The list with both maps, as a PDF for the submission (made when clicked).
    with p.page.expect_download(timeout=T) as dl:
        p.page.get_by_role("button", name="Tải PDF (danh sách và bản đồ)").click()
    from pypdf import PdfReader

    pdf = PdfReader(dl.value.path())
    first = pdf.pages[0].extract_text()
    assert len(pdf.pages) >= 3 and "2026" in first and "DỰ THẢO" in first, first[:300]
    assert "Thay đổi loại" in pdf.pages[1].extract_text()
    assert p.external == []
