"""Targeting page in a real browser: the ranking uses the weights exactly as entered."""

from __future__ import annotations

import io
import shutil
import time

import pandas as pd
import pytest

pytestmark = pytest.mark.e2e
T = 300_000  # ms: a first ranking computes Gi* with 999 permutations for every period


def _idle(p) -> None:
    time.sleep(1.0)
    p.wait_for_selector(".stApp[data-test-script-state='notRunning']", timeout=T)


def test_ranking_uses_the_weights_as_given(app_url, page, tmp_path):
    p = page.page
    p.set_viewport_size({"width": 1366, "height": 768})
    p.goto(app_url)
    page.idle()
    p.get_by_role("link", name="Chọn địa bàn").click()
    p.get_by_text("Xếp hạng:").first.wait_for(timeout=T)
    _idle(p)
    # The README's weights: rate 40, trend 20, hot spot 20, distance 20, the other two 0.
    for label, value in (("Tỷ lệ", 40), ("Xu hướng", 20), ("Điểm nóng", 20),
                         ("Phân loại QĐ 28", 0), ("Xa cơ sở", 20), ("Đang là trọng điểm", 0)):
        box = p.get_by_label(label, exact=True)
        box.fill(str(value))
    p.get_by_role("button", name="Xếp hạng theo các trọng số này").click()
    p.get_by_text("trọng số: Tỷ lệ 40%, Xu hướng 20%, Điểm nóng 20%, Xa cơ sở 20%").first \
        .wait_for(timeout=T)
    _idle(p)
    # The paragraph that says what was ranked (its bold start is an element of its own).
    about = p.locator("[data-testid='stMarkdownContainer'] p", has_text="Xếp hạng:").first \
        .inner_text()
    assert "Tỉnh Sơn La · Người nghiện có hồ sơ quản lý · 6 tháng đầu năm 2025 · xã trước " \
           "01/7/2025" in about
    assert "Phân loại QĐ 28" not in about and "Đang là trọng điểm" not in about
    assert "Tổng trọng số" not in p.locator("[data-testid='stMain']").inner_text()
    cells = p.locator("[data-testid='stDataFrame'] [role=gridcell]").all_text_contents()
    explained = [c for c in cells if c.startswith("Tỷ lệ ")]
    assert explained, cells[:20]
    # A criterion weighed 0 adds nothing and is not in any explanation.
    assert not any("Đang chuyển hóa (+" in c or "Chưa đủ số liệu (+" in c for c in explained)
    assert all("cách cơ sở điều trị/Methadone" in c for c in explained)
    scores = [c for c in cells if c.replace(",", "").isdigit() and "," in c]
    assert scores, "scores are written the Vietnamese way (73,6)"
    p.screenshot(path=str(tmp_path / "ranking.png"))
    shutil.copy(tmp_path / "ranking.png", "/tmp/ranking.png")
    # The workbook says what was ranked and the weights used.
    with p.expect_download() as dl:
        p.get_by_role("button", name="Tải Excel").click()
    book = pd.read_excel(io.BytesIO(open(dl.value.path(), "rb").read()), sheet_name=None)
    meta = book["trong_so"].set_index("Mục")["Giá trị"]
    assert float(meta["Trọng số: Phân loại QĐ 28/2025"]) == 0
    assert float(meta["Trọng số: Tỷ lệ trên 10.000 dân"]) == 0.4
    assert meta["Chỉ tiêu"] == "Người nghiện có hồ sơ quản lý"
    assert meta["Đơn vị hành chính"] == "Trước 01/7/2025"
    assert "Hạng" in book["xep_hang"].columns and "rank" not in book["xep_hang"].columns


def test_all_zero_weights_say_so_and_leave_the_other_tabs_working(app_url, page):
    p = page.page
    p.goto(app_url + "/targeting")
    p.get_by_text("Xếp hạng:").first.wait_for(timeout=T)
    _idle(p)
    for label in ("Tỷ lệ", "Xu hướng", "Điểm nóng", "Phân loại QĐ 28", "Xa cơ sở",
                  "Đang là trọng điểm"):
        p.get_by_label(label, exact=True).fill("0")
    p.get_by_role("button", name="Xếp hạng theo các trọng số này").click()
    p.get_by_text("Mọi trọng số đều bằng 0").first.wait_for(timeout=T)
    _idle(p)
    p.get_by_role("tab", name="Điểm nóng theo thời gian").click()
    p.get_by_text("Gi* từng kỳ (10 kỳ").first.wait_for(timeout=T)
    assert "Traceback" not in p.locator("body").inner_text()
