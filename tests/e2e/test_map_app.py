"""The app as a user meets it: the demo map, a click to a profile, the slider, languages."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

CHOROPLETH = "path.leaflet-interactive[fill-opacity='0.85']"


def _fills(frame):
    return frame.locator(CHOROPLETH).evaluate_all("els => els.map(e => e.getAttribute('fill'))")


def test_map_draws_one_polygon_per_commune_offline(app_url, page):
    page.page.goto(app_url + "/")
    frame = page.map_frame()
    frame.locator(CHOROPLETH).nth(199).wait_for()
    assert frame.locator(CHOROPLETH).count() == 200  # Sơn La, before 1 July 2025
    assert frame.locator(".diaban-legend").inner_text().count("Không có số liệu") == 1
    assert page.page.get_by_text("gần đúng").first.is_visible()
    page.page.screenshot(path="/tmp/e2e_map.png")
    assert page.external == []


def test_2025_edition_shows_75_communes(app_url, page):
    page.page.goto(app_url + "/")
    page.map_frame()
    page.page.get_by_text("Sau 01/7/2025").click()
    frame = page.page.frame_locator("iframe[title*='diaban_map']").first
    page.page.wait_for_function(
        """() => { const f = document.querySelector("iframe[title*='diaban_map']");
                   return f && f.contentDocument && f.contentDocument
                     .querySelectorAll("path[fill-opacity='0.85']").length === 75; }""",
        timeout=60_000)
    assert frame.locator(CHOROPLETH).count() == 75
    assert page.external == []


def test_period_slider_changes_colours(app_url, page):
    page.page.goto(app_url + "/")
    frame = page.map_frame()
    frame.locator(CHOROPLETH).nth(199).wait_for()
    before = _fills(frame)
    slider = page.page.get_by_role("slider").first
    slider.focus()
    for _ in range(4):
        page.page.keyboard.press("ArrowLeft")
    page.page.wait_for_function(
        """(before) => { const f = document.querySelector("iframe[title*='diaban_map']");
            if (!f || !f.contentDocument) return false;
            const now = [...f.contentDocument.querySelectorAll("path[fill-opacity='0.85']")]
                        .map(e => e.getAttribute('fill'));
            return now.length === before.length && now.some((c, i) => c !== before[i]); }""",
        arg=before, timeout=60_000)
    assert _fills(page.page.frame_locator("iframe[title*='diaban_map']").first) != before


def test_click_opens_commune_profile(app_url, page):
    page.page.goto(app_url + "/")
    frame = page.map_frame()
    frame.locator(CHOROPLETH).nth(199).wait_for()
    # A polygon whose centre is not covered by the legend, a label or a marker.
    idx = frame.locator("body").evaluate("""() => {
        const ps = [...document.querySelectorAll("path[fill-opacity='0.85']")];
        for (let i = 0; i < ps.length; i++) {
            const r = ps[i].getBoundingClientRect();
            const el = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
            if (el === ps[i] && r.width > 12 && r.height > 12) return i;
        }
        return -1; }""")
    assert idx >= 0
    frame.locator(CHOROPLETH).nth(idx).click()
    link = page.page.get_by_text("Mở hồ sơ địa bàn")
    link.wait_for(timeout=60_000)
    chosen = page.page.get_by_text("Đã chọn").inner_text()
    link.click()
    page.page.get_by_role("heading", name="Hồ sơ địa bàn").wait_for(timeout=60_000)
    name = chosen.removeprefix("Đã chọn ").rstrip(".")
    page.page.get_by_role("heading", name=name).wait_for(timeout=60_000)
    page.page.screenshot(path="/tmp/e2e_profile.png")


def test_language_switch(app_url, page):
    page.page.goto(app_url + "/")
    page.map_frame()
    page.page.get_by_text("Sau 01/7/2025").click()
    expect(page.page.get_by_role("radio", name="Sau 01/7/2025")).to_be_checked(timeout=30_000)
    page.idle()  # switching language mid-run would start from the choices stored before
    page.map_frame()
    langs = page.page.get_by_role("radiogroup", name="Ngôn ngữ / Language")
    langs.get_by_text("English", exact=True).click()
    page.page.get_by_role("heading", name="Map", exact=True).first.wait_for(timeout=60_000)
    expect(page.page.get_by_text("Administrative units").first).to_be_visible(timeout=30_000)
    # The user's choices survive the switch.
    expect(page.page.get_by_role("radio", name="After 1 Jul 2025")).to_be_checked(
        timeout=30_000)
    langs.get_by_text("Tiếng Việt", exact=True).click()
    page.page.get_by_role("heading", name="Bản đồ", exact=True).first.wait_for(timeout=60_000)


def test_progress_page_shows_the_plan(app_url, page):
    page.page.goto(app_url + "/progress")
    page.page.get_by_role("heading", name="Chỉ tiêu của tỉnh").wait_for(timeout=60_000)
    page.page.get_by_text("Sở LĐTBXH tỉnh Sơn La").first.wait_for(timeout=60_000)
    page.page.get_by_text("Quy tắc đánh giá").wait_for(timeout=60_000)
    # Data grids: the baseline-vs-latest table and the targets table.
    grids = page.page.locator("[role='grid']")
    grids.nth(1).wait_for(state="attached", timeout=60_000)
    assert grids.count() >= 2
    assert page.external == []
