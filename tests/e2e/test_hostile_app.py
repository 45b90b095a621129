"""Hostile input in the running app: imported names stay text, failures show no internals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.security import HOSTILE_NAMES, find_unescaped
from tests.conftest import copy_database
from tests.e2e.conftest import Page, streamlit_server

pytestmark = pytest.mark.e2e

EVIL = HOSTILE_NAMES[0]  # <img src=x onerror=alert(1)>
INTERNALS = ("Traceback", 'File "/', "psycopg2", "sqlalchemy", "OperationalError")


@pytest.fixture(scope="module")
def hostile_app(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a demo copy where a facility was imported with a script-like name."""
    from geo.auth import Principal
    from geo.services.imports import FacilitiesRequest, import_file

    folder = tmp_path_factory.mktemp("hostile")
    url = copy_database(demo_url, folder)
    csv = folder / "co_so.csv"
    names = [n.replace(",", " ").replace('"', "'") for n in HOSTILE_NAMES[:4]]
    rows = [f"methadone,{n},{21.33 + i * 0.01:.4f},103.91,," for i, n in enumerate(names)]
    csv.write_text("loai,ten,vi_do,kinh_do,cong_suat,ngay_mo\n" + "\n".join(rows) + "\n",
                   encoding="utf-8")
    import_file(FacilitiesRequest(csv, "Sơn La"), Principal("test", "admin"), url)
    with streamlit_server(url, folder) as app:
        yield app


def _folium_frame(p: Page) -> object:
    p.map_frame()
    for f in p.page.frames:
        if f.evaluate("() => typeof L !== 'undefined' && !!document.querySelector("
                      "'.leaflet-container')"):
            return f
    raise AssertionError("no Leaflet map frame: " + ", ".join(f.url for f in p.page.frames))


def test_imported_names_show_as_text_in_map_popups(hostile_app: str, browser: object) -> None:
    p = Page(browser)
    dialogs: list[str] = []
    p.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        p.page.goto(hostile_app)
        frame = _folium_frame(p)
        # Open every facility's popup and tooltip the way a click and a hover do.
        texts = frame.evaluate("""() => {
            const out = [];
            const map = Object.values(window).find(v => v instanceof L.Map);
            map.eachLayer(l => {
                if ((l instanceof L.Marker || l instanceof L.CircleMarker) && l.getPopup
                    && l.getPopup()) {
                    l.openPopup();
                    const el = l.getPopup().getElement()
                                .querySelector('.leaflet-popup-content');
                    out.push({text: el.innerText, html: el.innerHTML,
                              imgs: el.querySelectorAll('img,script,svg,iframe,b[onmouseover]')
                                      .length});
                    l.closePopup();
                }
            });
            return out;
        }""")
        shown = [t for t in texts if "onerror" in t["text"] or "script" in t["text"]]
        assert len(shown) >= 2, [t["text"][:40] for t in texts]
        assert EVIL in " ".join(t["text"] for t in texts)
        assert all(t["imgs"] == 0 for t in texts)
        assert find_unescaped(frame.content()) == []
        assert dialogs == []
        assert p.external == []
    finally:
        p.close()


def test_database_down_shows_a_message_not_internals(browser: object,
                                                     tmp_path: Path) -> None:
    # A server that is not there: the app must say so in Vietnamese, open nothing, and
    # show no stack trace, driver name or SQL.
    down = "postgresql+psycopg2://diaban:secret@127.0.0.1:9/khong_co"
    with streamlit_server(down, tmp_path) as app:
        p = Page(browser)
        try:
            p.page.goto(app)
            p.page.get_by_text("Không kết nối được cơ sở dữ liệu").wait_for(timeout=60_000)
            body = p.page.locator("body").inner_text()
            assert not any(s in body for s in INTERNALS), body
            assert "secret" not in body
            # Fails closed: no page of the app (no map, no menu entry "Dữ liệu").
            assert p.page.locator("iframe[title*='diaban_map']").count() == 0
            assert "Dữ liệu" not in body
        finally:
            p.close()


def test_figures_imported_elsewhere_show_without_waiting_for_the_cache(
        demo_url: str, browser: object, tmp_path: Path) -> None:
    # A data officer imports a new period from the CLI while the app is open: the next
    # page load shows it (the caches are dropped when the import batches change).
    from geo.auth import Principal
    from geo.services.imports import IndicatorsRequest, import_file

    url = copy_database(demo_url, tmp_path)
    with streamlit_server(url, tmp_path) as app:
        p = Page(browser)
        try:
            p.page.goto(app)
            p.map_frame()
            assert p.page.get_by_text("6 tháng đầu năm 2026").count() == 0
            f = tmp_path / "ky_moi.csv"
            f.write_text("ma_xa,ky,chi_tieu,gia_tri\n04045,2026-H1,registered_addicts,21\n",
                         encoding="utf-8")
            import_file(IndicatorsRequest(f), Principal("test", "admin"), url)
        finally:
            p.close()
        p = Page(browser)  # a new visit (the old one remembers its chosen period)
        try:
            p.page.goto(app)
            p.map_frame()
            p.page.get_by_text("6 tháng đầu năm 2026").first.wait_for(timeout=30_000)
        finally:
            p.close()
