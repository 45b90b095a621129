"""Maps draw with the network cut: in st_folium, in components.html and from a file.

A tiny Streamlit script draws the maps of ``tests/layers/test_offline.py`` (GeoJson,
choropleth, SVG facility markers, marker cluster, LayerControl, Fullscreen, and a
DualMap); Debian's Chromium opens it with every request that leaves 127.0.0.1 or
localhost blocked and recorded (the ``page`` fixture of ``conftest.py``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import streamlit_server

CHROMIUM = Path("/usr/bin/chromium")
POLYGONS = 8  # 4 GeoJson communes + the same 4 as choropleth
SCRIPT = """
    import streamlit as st
    import streamlit.components.v1 as components
    from streamlit_folium import st_folium

    from layers.offline import make_offline, standalone_html
    from tests.layers.test_offline import dual_map, full_map

    st.title("Offline map")
    st_folium(make_offline(full_map()), key="single", height=420,
              use_container_width=True, returned_objects=[])
    st_folium(make_offline(dual_map()), key="dual", height=320,
              use_container_width=True, returned_objects=[])
    components.html(standalone_html(full_map()), height=420)
"""

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture(scope="module")
def offline_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``streamlit run`` of the tiny script on a free localhost port; yields its URL."""
    work = tmp_path_factory.mktemp("offline_app")
    script = work / "offline_app.py"
    script.write_text(textwrap.dedent(SCRIPT), encoding="utf-8")
    with streamlit_server(None, work, script) as url:
        yield url


def _errors(page: object) -> list[str]:
    """Collect uncaught exceptions and console errors of the page and its iframes."""
    errors: list[str] = []
    page.page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.page.on("console", lambda m: errors.append(f"console: {m.text}")
                 if m.type == "error" else None)
    return errors


def _assert_drawn(frame: object, maps: int = 1) -> None:
    """Leaflet 1.9.4 from diaban drew every polygon, symbol, legend and control."""
    frame.locator(".leaflet-container").nth(maps - 1).wait_for(timeout=60_000)
    paths = frame.locator("path.leaflet-interactive")
    paths.nth(maps * POLYGONS - 1).wait_for(timeout=60_000)
    assert paths.count() == maps * POLYGONS
    sizes = paths.evaluate_all(
        "ps => ps.map(p => { const r = p.getBoundingClientRect(); return [r.width, r.height]; })")
    assert all(w > 20 and h > 20 for w, h in sizes), sizes
    assert frame.locator("body").evaluate("() => window.L.version") == "1.9.4"
    assert frame.locator(".diaban-facility svg").count() >= 4 * maps
    assert frame.locator(".diaban-colormap svg rect").count() >= 4 * maps
    assert frame.locator(".leaflet-control-layers").count() == maps


def test_st_folium_and_components_html_draw_without_network(offline_app, page):
    errors = _errors(page)
    page.page.goto(offline_app + "/")
    folium_frames = page.page.locator("iframe[title='streamlit_folium.st_folium']")
    folium_frames.nth(1).wait_for(timeout=60_000)

    single = page.page.frame_locator("iframe[title='streamlit_folium.st_folium']").nth(0)
    _assert_drawn(single)
    assert single.locator(".fullscreen-icon").count() == 1

    dual = page.page.frame_locator("iframe[title='streamlit_folium.st_folium']").nth(1)
    _assert_drawn(dual, maps=2)
    # Leaflet.Sync (inlined) links the two maps.
    assert dual.locator("body").evaluate("() => window.map_div._syncMaps.length") == 1

    html_frame = page.page.frame_locator("iframe[title='st.iframe']").first
    _assert_drawn(html_frame)

    page.page.wait_for_timeout(500)
    page.page.screenshot(path="/tmp/offline_map.png", full_page=True)
    assert page.external == []
    assert errors == []


def test_saved_page_draws_from_disk(tmp_path, page):
    from layers.offline import standalone_html
    from tests.layers.test_offline import full_map

    f = tmp_path / "map.html"
    f.write_text(standalone_html(full_map()), encoding="utf-8")
    errors = _errors(page)
    page.page.goto(f.as_uri())
    _assert_drawn(page.page)
    page.page.screenshot(path="/tmp/offline_map_file.png")
    assert page.external == []
    assert errors == []
