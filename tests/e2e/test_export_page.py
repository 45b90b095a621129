"""The Export page in Chromium: the briefing pack hides small counts on its map page.

A user reaches the page through the menu, ticks "Ẩn số nhỏ" in the sidebar and picks
rates, makes the pack and downloads it: its map page hides exactly the communes with
fewer than 5 people counted (their rates too, whatever their size), as the screen does.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.e2e.conftest import Page

pytestmark = pytest.mark.e2e

T = 180_000


def test_briefing_pack_hides_rates_of_small_counts_on_its_map_page(app_url, browser,
                                                                    demo_url, tmp_path):
    from geo.auth import local_admin
    from geo.services.maps import MapRequest, map_view

    p = Page(browser, 1366, 768, accept_downloads=True)
    try:
        page = p.page
        page.goto(app_url + "/")
        p.map_frame(T)
        p.idle(T)
        page.get_by_role("link", name="Xuất bản đồ").click()  # through the menu
        page.get_by_role("heading", name="Xuất bản đồ").wait_for(timeout=T)
        p.idle(T)
        sidebar = page.locator("[data-testid='stSidebar']")
        sidebar.get_by_text("Tỷ lệ trên 10.000 dân").click()
        p.idle(T)
        sidebar.get_by_text("Ẩn số nhỏ (bảo vệ thông tin cá nhân)").click()
        page.get_by_text("hiện là “< 5”").first.wait_for(timeout=T)
        p.idle(T)
        period = page.get_by_text(re.compile(r"^6 tháng (đầu|cuối) năm \d{4}$")).first.inner_text()
        page.get_by_role("button", name="Tạo báo cáo tóm tắt (PDF)").click()
        button = page.get_by_role("button", name="Tải báo cáo tóm tắt")
        button.wait_for(timeout=T)
        page.screenshot(path="/tmp/e2e_export_pack.png")
        with page.expect_download(timeout=T) as dl:
            button.click()
        pdf = tmp_path / "pack.pdf"
        dl.value.save_as(pdf)
    finally:
        p.close()
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                           capture_output=True, text=True).stdout
    assert "Tỷ lệ trên 10.000 dân" in first and period in first
    pid = {"đầu": "H1", "cuối": "H2"}[period.split()[2]]
    counts = map_view(MapRequest("14", "legacy", "registered_addicts",
                                 f"{period.split()[-1]}-{pid}"), local_admin(),
                      demo_url).communes.value
    small = int((counts < 5).sum())
    assert small > 0
    assert re.search(rf"< 5 \({small}\)", first), first
    assert "cả tỷ lệ tính từ các số đó" in first
