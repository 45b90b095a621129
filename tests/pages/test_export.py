"""The Xuất bản đồ page (streamlit AppTest): preview, downloads, errors as messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture()
def export_page(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DIABAN_DATABASE_URL", demo_url)
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    at.switch_page("pages/export.py")
    at.session_state["ex_dpi"] = 150
    at.run()
    return at


def test_preview_and_every_download_are_offered(export_page: AppTest) -> None:
    at = export_page
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Xuất bản đồ"]
    assert [b.label for b in at.get("download_button")] == ["PNG", "PDF", "SVG", "HTML"]
    assert any("Xem trước" in str(e.proto) for e in at.get("image"))


def test_a_province_without_boundaries_is_a_message_not_a_crash(export_page: AppTest) -> None:
    at = export_page
    at.selectbox(key="ex_prov__vi").set_value("01").run()  # Hà Nội: the demo has no communes
    assert not at.exception
    assert [e.value for e in at.error] == ["Tỉnh này chưa có ranh giới xã để vẽ."]
    assert not at.get("download_button")
