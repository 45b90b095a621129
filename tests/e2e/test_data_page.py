"""Data page in a real browser: upload a CSV, see the validation report."""

from __future__ import annotations

import shutil

import pytest

pytestmark = pytest.mark.e2e


def test_upload_csv_shows_report(app_url, page, tmp_path):
    bad = tmp_path / "bao_cao.csv"
    bad.write_text("ma_xa;ky;chi_tieu;gia_tri\n03646;2023-H1;registered_addicts;-5\n",
                   encoding="utf-8-sig")
    p = page.page
    p.goto(app_url + "/data")
    p.get_by_text("Số liệu xã").first.wait_for(timeout=60_000)
    _idle(p)  # the first run (cold on a new server) has finished before the upload
    p.locator("input[type=file]").first.set_input_files(str(bad))
    p.get_by_text("chưa lưu gì").first.wait_for(timeout=60_000)
    p.screenshot(path=str(tmp_path / "data_page.png"), full_page=True)
    shutil.copy(tmp_path / "data_page.png", "/tmp/data_page.png")
    assert p.get_by_text("bao_cao.csv").count() > 0
    assert not page.external


def test_upload_whose_content_is_not_its_type_is_refused(app_url, page, tmp_path):
    # An executable renamed .xlsx: refused by its bytes, with the file named, before
    # anything reads it as a spreadsheet.
    fake = tmp_path / "so_lieu.xlsx"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 2048)
    p = page.page
    p.goto(app_url + "/data")
    p.get_by_text("Số liệu xã").first.wait_for(timeout=60_000)
    _idle(p)  # the page's first run has finished: the upload starts a run of its own
    p.locator("input[type=file]").first.set_input_files(str(fake))
    # The visible message: a page being redrawn keeps a hidden copy of its elements.
    msg = p.get_by_text("không phải định dạng XLSX").filter(visible=True).first
    msg.wait_for(timeout=60_000)
    assert "so_lieu.xlsx" in msg.inner_text()
    body = p.locator("body").inner_text()
    assert "Traceback" not in body and "BadZipFile" not in body
    assert not page.external


def _choose(p, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label``."""
    box = p.locator("[data-testid='stSelectbox']").filter(has_text=label).first
    box.locator("input").click()
    p.get_by_role("option", name=option).first.click()


def _idle(p, timeout: float = 120_000) -> None:
    import time

    time.sleep(1.0)
    p.wait_for_selector(".stApp[data-test-script-state='notRunning']", timeout=timeout)


def test_template_download_filled_in_shows_what_will_change(app_url, page, tmp_path):
    """The template of the chosen period, filled in and uploaded: the report shows old → new
    beside each commune and flags Vân Hồ's jump from 221 to 999 before anything is stored."""
    import openpyxl

    p = page.page
    p.set_viewport_size({"width": 1366, "height": 768})
    p.goto(app_url)
    page.idle()
    p.get_by_role("link", name="Dữ liệu").click()  # through the menu, as a user
    p.get_by_text("Tải mẫu nhập liệu cho kỳ").first.wait_for(timeout=60_000)
    _idle(p)
    _choose(p, "Tải mẫu nhập liệu cho kỳ", "6 tháng cuối năm 2025 (15/6/2025 – 14/12/2025)")
    _idle(p)
    assert p.get_by_text("Mẫu liệt kê 75 xã, phường sau 01/7/2025").count() == 1
    with p.expect_download() as dl:
        p.get_by_role("button", name="Tải mẫu Excel").click()
    assert dl.value.suggested_filename == "mau_nhap_lieu_14_2025-H2.xlsx"
    path = tmp_path / "mau.xlsx"
    dl.value.save_as(path)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert ws["A2"].value.startswith("Kỳ báo cáo: 2025-H2")
    header = [c.value for c in ws[5]]
    col = next(i for i, h in enumerate(header, 1) if h and "[registered_addicts]" in h)
    rows = {ws.cell(r, 1).value: r for r in range(6, ws.max_row + 1)}
    assert len(rows) == 75 and "04048" in rows  # xã Vân Hồ (2025)
    ws.cell(rows["04048"], col).value = 999
    ws.cell(rows["04045"], col).value = 62  # Lóng Sập: 61 stored, a small change
    wb.save(path)

    p.locator("input[type=file]").first.set_input_files(str(path))
    p.get_by_text("Những gì sẽ thay đổi").first.wait_for(timeout=120_000)
    _idle(p)
    body = p.locator("[data-testid='stMain']").inner_text()
    assert "2 số liệu: 2 thay số đã lưu, 0 mới, 0 giữ nguyên." in body
    assert "1 số liệu vượt ngoài khoảng hợp lý" in body
    cells = p.locator("[data-testid='stDataFrame'] [role=gridcell]").all_text_contents()
    assert "221 → 999" in cells and "61 → 62" in cells
    assert any(c.startswith("⚠ gấp 4,5 lần 221 (6 tháng cuối năm 2025)") for c in cells)
    p.locator("[data-testid='stMain']").evaluate(
        "e => e.scrollTo(0, e.scrollHeight)")
    p.screenshot(path=str(tmp_path / "change_report.png"))
    shutil.copy(tmp_path / "change_report.png", "/tmp/change_report.png")
    assert not page.external


@pytest.fixture()
def private_app(demo_copy_url, tmp_path):
    """An app server on a private copy of the demo (the test writes)."""
    from tests.e2e.conftest import streamlit_server

    with streamlit_server(demo_copy_url, tmp_path) as url:
        yield url, demo_copy_url


def test_double_undo_asks_first_and_never_takes_the_demo(private_app, page, tmp_path):
    """Issue 15: undo one import, then try again — the list says at once that it is undone,
    nothing else is offered, and the demo's base load survives."""
    from geo.auth import Principal
    from geo.services import imports as imp
    from geo.store import get_values, session_scope

    url, db = private_app
    f = tmp_path / "them.csv"
    f.write_text("ma_xa,ky,chi_tieu,gia_tri\n04024,2024-H1,relapse,77\n", encoding="utf-8")
    mine = imp.import_file(imp.IndicatorsRequest(f), Principal("cb", "admin"), db).batch_id
    p = page.page
    p.set_viewport_size({"width": 1366, "height": 768})
    p.goto(url)
    page.idle()
    p.get_by_role("link", name="Dữ liệu").click()
    p.get_by_role("tab", name="Lịch sử nhập").click()
    p.get_by_role("button", name="Hoàn tác lần nhập này…").wait_for(timeout=60_000)
    _idle(p)
    # The choice names the batch; the demo's load is not among the choices.
    box = p.locator("[data-testid='stSelectbox']").filter(has_text="Lần nhập cần hoàn tác")
    assert box.locator("input").input_value().startswith(
        f"Lần nhập số {mine}: Số liệu xã — them.csv (cb, ")
    box.locator("input").click()
    options = p.get_by_role("option").all_inner_texts()
    assert len(options) == 1 and options[0].startswith(f"Lần nhập số {mine}:")
    p.keyboard.press("Escape")
    p.get_by_role("button", name="Hoàn tác lần nhập này…").click()
    ask = p.locator("[data-testid='stAlertContentWarning']").first
    ask.wait_for(timeout=60_000)
    assert f"Hoàn tác lần nhập số {mine}: Số liệu xã, tệp «them.csv», do cb" in ask.inner_text()
    with session_scope(db) as s:  # asked, nothing done yet
        v = get_values(s, "14", "legacy", ["relapse"], ["2024-H1"]).set_index("unit_code")
    assert v.value["04024"] == 77
    p.screenshot(path=str(tmp_path / "undo_ask.png"))
    shutil.copy(tmp_path / "undo_ask.png", "/tmp/undo_ask.png")
    p.get_by_role("button", name="Xác nhận hoàn tác").click()
    p.get_by_text(f"Đã hoàn tác lần nhập số {mine}.").wait_for(timeout=60_000)
    _idle(p)
    # The list is read again at once: the import is undone, nothing else can be undone,
    # and the second click of issue 15 has nothing to hit.
    cells = p.locator("[data-testid='stDataFrame'] [role=gridcell]").all_text_contents()
    assert "Đã hoàn tác" in cells and cells.count("Đang dùng") == 1
    assert p.get_by_role("button", name="Hoàn tác lần nhập này…").count() == 0
    assert p.get_by_text("Không có lần nhập nào bạn có thể hoàn tác.").count() == 1
    assert p.get_by_text("diaban demo --reset").count() >= 1
    p.screenshot(path=str(tmp_path / "undo_done.png"))
    shutil.copy(tmp_path / "undo_done.png", "/tmp/undo_done.png")
    with session_scope(db) as s:  # the demo's base load survives
        v = get_values(s, "14", "legacy", ["relapse"], ["2024-H1"]).set_index("unit_code")
    assert len(v) == 200 and v.value["04024"] != 77
    assert not page.external


def test_an_upload_over_the_memory_ceiling_is_refused_and_the_server_goes_on(
        demo_url, page, tmp_path, inflating_geojson):
    """Issue 17: a 25 MB GeoJSON whose reading needs over 500 MB, under a 300 MB ceiling —
    the page says why and what to do, and the same server then reads the next file."""
    import os
    import urllib.request

    from tests.conftest import db_fingerprint
    from tests.e2e.conftest import streamlit_server

    before = db_fingerprint(demo_url)
    env = {**os.environ, "DIABAN_UPLOAD_MEMORY_MB": "300"}
    with streamlit_server(demo_url, tmp_path, env=env) as url:
        p = page.page
        p.goto(url + "/data")
        p.get_by_role("tab", name="Ranh giới").click()
        p.get_by_text("Tệp ranh giới").first.wait_for(timeout=60_000)
        _idle(p)
        p.locator("input[type=file]").nth(1).set_input_files(str(inflating_geojson))
        msg = p.get_by_text("cần nhiều bộ nhớ hơn mức máy chủ cho phép").filter(
            visible=True).first
        msg.wait_for(timeout=120_000)
        text = msg.inner_text()
        assert "ranh_gioi_lon.geojson" in text and "(300 MB)" in text
        assert "DIABAN_UPLOAD_MEMORY_MB" in text
        p.screenshot(path=str(tmp_path / "over_ceiling.png"), full_page=True)
        shutil.copy(tmp_path / "over_ceiling.png", "/tmp/over_ceiling.png")
        body = p.locator("body").inner_text()
        assert "This app has encountered an error" not in body and "Traceback" not in body

        # The server is alive and reads the next upload.
        with urllib.request.urlopen(url + "/_stcore/health", timeout=10) as r:
            assert r.read() == b"ok"
        p.get_by_role("tab", name="Số liệu xã").click()
        _idle(p)
        ok = tmp_path / "bao_cao.csv"
        ok.write_text("ma_xa;ky;chi_tieu;gia_tri\n03646;2023-H1;registered_addicts;-5\n",
                      encoding="utf-8-sig")
        p.locator("input[type=file]").first.set_input_files(str(ok))
        p.get_by_text("chưa lưu gì").filter(visible=True).first.wait_for(timeout=60_000)
    assert db_fingerprint(demo_url) == before
    assert not page.external
