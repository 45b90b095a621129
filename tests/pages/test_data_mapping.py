"""The Data page reads a province's report sheet and lets a person map what it cannot (AppTest)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import get_values, session_scope
from tests.conftest import db_fingerprint
from tests.geo.io.report_corpus import COMMUNES, HEADER_1, son_la_report

PAGE = Path(__file__).resolve().parents[2] / "pages" / "data.py"
ADMIN = {"username": "quan_tri", "role": "admin", "province_code": None,
         "district_code": None, "local": False}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEW_COLUMN = "Số người được hỗ trợ hòa nhập cộng đồng"


def _page(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DIABAN_DATABASE_URL", url)
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.session_state["user"] = ADMIN
    at.session_state["province"] = "14"
    at.run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, path: Path) -> None:
    at.file_uploader(key="up_ind").set_value((path.name, path.read_bytes(), XLSX))
    at.run()
    assert not at.exception, at.exception


def _apply(at: AppTest) -> None:
    (btn,) = [b for b in at.button if b.label == "Áp dụng cách đọc này"]
    btn.click()
    at.run()
    assert not at.exception, at.exception


def test_an_unrecognised_column_is_mapped_in_the_form_then_stored_and_remembered(
        tmp_path: Path, empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    h = list(HEADER_1)
    h[5] = NEW_COLUMN
    sheet = son_la_report(tmp_path / "bao_cao_6_thang.xlsx", header_1=h)
    at = _page(empty_url, monkeypatch)
    before = db_fingerprint(empty_url)
    _upload(at, sheet)
    (err,) = [e.value for e in at.error]
    assert "bao_cao_6_thang.xlsx" in err and "chưa lưu gì" in err
    assert "Cách đọc báo cáo của tỉnh" in [s.value for s in at.subheader]
    boxes = {s.label: s for s in at.selectbox if s.key and "_col_" in s.key}
    assert boxes[f"F: {NEW_COLUMN}"].value == "?"
    assert boxes["D: Số người nghiện có hồ sơ quản lý / Tổng số"].value == "registered_addicts"
    assert boxes["E: Số người nghiện có hồ sơ quản lý / Trong đó: nữ — số chi tiết "
                 "('trong đó'), không phải chỉ tiêu"].value == ""
    assert not [b for b in at.button if b.key == "ok_ind"]
    assert db_fingerprint(empty_url) == before

    boxes[f"F: {NEW_COLUMN}"].set_value("illegal_users")
    _apply(at)
    assert not at.error, [e.value for e in at.error]
    assert "Tệp hợp lệ: 24 số liệu." in [s.value for s in at.success]
    at.button(key="ok_ind").click()
    at.run()
    assert any(s.value.startswith("Đã lưu") for s in at.success)
    with session_scope(empty_url) as s:
        v = get_values(s, "14", "legacy").set_index(["unit_code", "indicator"]).value
    assert v[("04051", "illegal_users")] == 5

    # The next sheet of this layout is read with the remembered mapping at once.
    nxt = son_la_report(tmp_path / "bao_cao_ca_nam.xlsx", header_1=h,
                        title="6 THÁNG CUỐI NĂM 2024")
    at = _page(empty_url, monkeypatch)
    _upload(at, nxt)
    assert not at.error, [e.value for e in at.error]
    assert "Tệp hợp lệ: 24 số liệu." in [s.value for s in at.success]
    assert any("ánh xạ đã nhớ" in c.value for c in at.caption)


def test_an_approximate_name_is_confirmed_in_the_form(
        tmp_path: Path, empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    c = copy.deepcopy(COMMUNES)
    c[0][1][0] = ("Chiềng Khưa", c[0][1][0][1])
    at = _page(empty_url, monkeypatch)
    _upload(at, son_la_report(tmp_path / "ten_gan_dung.xlsx", communes=c))
    (err,) = [e.value for e in at.error]
    assert "1 lỗi" in err
    (name,) = [s for s in at.selectbox if s.key and "_name_" in s.key]
    # the district as the registry names it (the sheet's 'Huyện Mộc Châu' is a town now)
    assert name.label == "Dòng 11: 'Chiềng Khưa' (Thị xã Mộc Châu)" and name.value == "04024"
    _apply(at)
    assert not at.error, [e.value for e in at.error]
    assert "Tệp hợp lệ: 24 số liệu." in [s.value for s in at.success]
