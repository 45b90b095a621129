"""Data page in a real browser: upload a CSV, see the validation report."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_upload_csv_shows_report(app_url, page, tmp_path):
    bad = tmp_path / "bao_cao.csv"
    bad.write_text("ma_xa;ky;chi_tieu;gia_tri\n03646;2023-H1;registered_addicts;-5\n",
                   encoding="utf-8-sig")
    p = page.page
    p.goto(app_url + "/data")
    p.get_by_text("Số liệu xã").first.wait_for(timeout=60_000)
    p.locator("input[type=file]").first.set_input_files(str(bad))
    p.get_by_text("chưa lưu gì").first.wait_for(timeout=60_000)
    p.screenshot(path=str(tmp_path / "data_page.png"), full_page=True)
    import shutil

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
    p.locator("input[type=file]").first.set_input_files(str(fake))
    msg = p.get_by_text("không phải định dạng XLSX").first
    msg.wait_for(timeout=60_000)
    assert "so_lieu.xlsx" in msg.inner_text()
    body = p.locator("body").inner_text()
    assert "Traceback" not in body and "BadZipFile" not in body
    assert not page.external
