"""Offline maps: no asset from a CDN, in a saved page and in what st_folium sends."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import folium
import folium.plugins
import pandas as pd
import pytest

from geo.vocab import FACILITY_KINDS
from layers.offline import (
    STATIC_DIR,
    assert_no_external_urls,
    facility_icon,
    make_offline,
    standalone_html,
)

CDN_HOSTS = ("jsdelivr", "cdnjs", "unpkg", "code.jquery.com", "bootstrapcdn", "d3js.org",
             "github.io", "openstreetmap")
CODES = ["14001", "14002", "14003", "14004"]


def new_map(location: list[float] | None = None, **kwargs: object) -> folium.Map:
    """A folium map without tiles, with the maximum zoom MarkerCluster needs."""
    m = folium.Map(location=location, tiles=None, max_zoom=18, **kwargs)
    m.options["max_zoom"] = 18  # folium gives max_zoom to its tile layer only
    return m


def _geojson() -> dict:
    feats = []
    for i, code in enumerate(CODES):
        x0, y0 = 103.9 + 0.1 * (i % 2), 21.2 + 0.1 * (i // 2)
        ring = [[x0, y0], [x0 + 0.1, y0], [x0 + 0.1, y0 + 0.1], [x0, y0 + 0.1], [x0, y0]]
        feats.append({"type": "Feature", "properties": {"code": code, "name": f"Xã {i}"},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": feats}


def _layers(m: folium.Map | folium.plugins.DualMap) -> None:
    gj = _geojson()
    folium.GeoJson(gj, name="Ranh giới xã",
                   tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    folium.Choropleth(gj, data=pd.DataFrame({"code": CODES, "v": [1.0, 4.0, 9.0, 16.0]}),
                      columns=["code", "v"], key_on="feature.properties.code",
                      legend_name="Người nghiện / 10.000 dân", name="Tỷ lệ").add_to(m)
    for i, kind in enumerate(FACILITY_KINDS):
        folium.Marker([21.25, 103.92 + 0.05 * i], icon=facility_icon(kind),
                      popup=folium.Popup(kind)).add_to(m)


def full_map() -> folium.Map:
    """GeoJson, choropleth, DivIcon markers, cluster, LayerControl, Fullscreen."""
    m = new_map(location=[21.3, 104.0], zoom_start=11)
    _layers(m)
    cluster = folium.plugins.MarkerCluster(name="Cụm").add_to(m)
    folium.Marker([21.3, 104.0], icon=facility_icon("club")).add_to(cluster)
    folium.plugins.Fullscreen().add_to(m)
    folium.LayerControl().add_to(m)
    return m


def dual_map() -> folium.plugins.DualMap:
    """Two periods side by side: each map its own layers, the two views synced.

    Layers go to ``m1``/``m2`` separately: streamlit-folium 0.27.4 mixes up variable
    names of children that ``DualMap.add_child`` deep-copies into ``m2`` (a
    Choropleth added that way breaks the whole map in ``st_folium``).
    """
    d = folium.plugins.DualMap(location=[21.3, 104.0], zoom_start=11, tiles=None)
    for m in (d.m1, d.m2):
        _layers(m)
        folium.LayerControl().add_to(m)
    return d


def _data_urls(html: str) -> list[bytes]:
    return [base64.b64decode(b) for b in re.findall(r"data:text/\w+;charset=utf-8;base64,"
                                                     r"([A-Za-z0-9+/=]+)", html)]


def _asset_links(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', html)


def _assert_offline(html: str) -> None:
    assert assert_no_external_urls(html) == []
    lowered = html.lower()
    assert not [h for h in CDN_HOSTS if h in lowered]


# ---------------------------------------------------------------- saved page


def test_plain_folium_map_would_fetch_from_cdns():
    """The check sees what make_offline removes (guards against a blind checker)."""
    html = folium.Map().get_root().render()
    bad = assert_no_external_urls(html)
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in bad
    assert any("bootstrap" in u for u in bad) and any("jquery" in u for u in bad)


def test_full_map_saved_page_has_no_external_url_and_carries_leaflet():
    html = standalone_html(full_map())
    _assert_offline(html)
    code = b"\n".join(_data_urls(html))
    assert b"Leaflet 1.9.4" in code and b"jQuery v3.7.1" in code
    assert b"leaflet.fullscreen" in code and b"MarkerClusterGroup" in code
    assert b".leaflet-container" in code  # leaflet.css
    # The choropleth's legend is a static SVG, not branca's d3 script.
    assert "diaban-colormap" in html and "d3.min.js" not in html
    assert json.dumps("Người nghiện / 10.000 dân")[1:-1] in html  # caption, JS-escaped
    assert html.count("diaban-facility ") == len(FACILITY_KINDS) + 1


def test_dual_map_saved_page_has_no_external_url():
    d = dual_map()
    html = standalone_html(d)
    _assert_offline(html)
    assert b"L.Sync = function" in b"".join(_data_urls(html))
    assert f"{d.m1.get_name()}.sync({d.m2.get_name()})" in html
    assert html.count("L.control({position") == 2  # a legend on each map


def test_dual_map_children_copied_to_the_second_map_are_offline_too():
    d = folium.plugins.DualMap(location=[21.3, 104.0], zoom_start=11, tiles=None)
    _layers(d)  # DualMap.add_child: m1 gets them, m2 a deep copy at render time
    folium.LayerControl().add_to(d)
    html = standalone_html(d)
    _assert_offline(html)
    assert html.count("L.control({position") == 2 and "d3.min.js" not in html


def test_side_by_side_layers_ship_their_css():
    m = new_map(location=[21.3, 104.0])
    left = folium.TileLayer("/tiles/a/{z}/{x}/{y}.png", attr="a", name="a").add_to(m)
    right = folium.TileLayer("/tiles/b/{z}/{x}/{y}.png", attr="b", name="b").add_to(m)
    folium.plugins.SideBySideLayers(left, right).add_to(m)
    html = standalone_html(m)
    _assert_offline(html)
    code = b"".join(_data_urls(html))
    assert b"L.control.sideBySide" in code and b".leaflet-sbs-range" in code
    assert b"url(range-icon.png)" not in code  # the image is inlined in the CSS


def test_css_images_are_inlined():
    html = standalone_html(full_map())
    css = b"".join(_data_urls(html))
    assert b"images/layers.png" not in css and b"icon-fullscreen.svg" not in css
    assert css.count(b"data:image/png;base64,") >= 2  # layers.png, layers-2x.png
    assert b"data:image/svg+xml;base64," in css


def test_url_mode_links_files_that_exist():
    m = make_offline(full_map(), base_url="/assets")
    html = m.get_root().render()
    _assert_offline(html)
    links = re.findall(r'(?:src|href)="(/assets/[^"]+)"', html)
    assert "/assets/leaflet/leaflet.js" in links
    for link in links:
        assert (STATIC_DIR / link.removeprefix("/assets/")).is_file(), link


def test_map_rendered_before_make_offline_loses_its_cdn_links():
    m = full_map()
    m.get_root().render()
    assert assert_no_external_urls(m.get_root().render())
    _assert_offline(standalone_html(m))


def test_make_offline_is_idempotent_and_leaves_folium_classes_alone():
    before = (list(folium.Map.default_js), list(folium.plugins.Fullscreen.default_css))
    m = full_map()
    once = _asset_links(standalone_html(m))
    html = standalone_html(make_offline(m))
    assert _asset_links(html) == once and len(once) == len(set(once)) > 5
    assert (folium.Map.default_js, folium.plugins.Fullscreen.default_css) == before
    _assert_offline(html)


def test_folium_icon_is_refused():
    m = new_map()
    folium.Marker([21, 104], icon=folium.Icon(icon="home")).add_to(m)
    with pytest.raises(ValueError, match="facility_icon"):
        make_offline(m)


def test_plugin_without_vendored_files_is_refused():
    m = new_map()
    folium.plugins.Draw().add_to(m)
    with pytest.raises(ValueError, match=r"Draw needs https://.*leaflet\.draw"):
        make_offline(m)


# ---------------------------------------------------------------- st_folium


def _st_folium_args(fig: object, monkeypatch: pytest.MonkeyPatch) -> dict:
    """What st_folium would send to its iframe (the component call is captured)."""
    import streamlit_folium

    sent: dict = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: sent.update(kw))
    streamlit_folium.st_folium(fig, key="m", returned_objects=[])
    return sent


def test_st_folium_loads_cdn_scripts_without_make_offline(monkeypatch):
    m = full_map()
    sent = _st_folium_args(m, monkeypatch)
    # streamlit-folium adds d3 from two CDNs for any branca colour scale.
    assert "https://d3js.org/d3.v4.min.js" in sent["js_links"]
    assert any("leaflet@1.9.3" in u for u in sent["js_links"])


@pytest.mark.parametrize("build", [full_map, dual_map])
def test_st_folium_gets_only_inlined_assets(build, monkeypatch):
    sent = _st_folium_args(make_offline(build()), monkeypatch)
    links = sent["js_links"] + sent["css_links"]
    assert links and all(u.startswith("data:") for u in links)
    assert base64.b64decode(sent["js_links"][0].split(",", 1)[1]).startswith(
        b"/* @preserve\n * Leaflet 1.9.4")
    page = sent["header"] + sent["html"] + sent["script"]
    _assert_offline(page)
    assert "map_div" in sent["script"] and "diaban-colormap" in sent["script"]


# ---------------------------------------------------------------- icons


def test_facility_icons_are_distinct_svg_with_names():
    icons = {k: facility_icon(k) for k in FACILITY_KINDS}
    htmls = [i.options["html"] for i in icons.values()]
    assert all(h.startswith("<svg") and "<title>" in h for h in htmls)
    assert len({FACILITY_KINDS[k].color for k in icons}) == 4
    assert len({FACILITY_KINDS[k].shape for k in icons}) == 4
    assert "Cơ sở cai nghiện" in icons["treatment_facility"].options["html"]
    assert "Methadone point" in facility_icon("methadone", lang="en").options["html"]
    assert icons["club"].options["class_name"] == "diaban-facility diaban-facility-club"
    assert assert_no_external_urls("".join(htmls)) == []


def test_facility_icon_refuses_unknown_kind():
    with pytest.raises(ValueError, match="treatment_facility"):
        facility_icon("hospital")


def test_facility_symbols_follow_the_store_and_the_map_colours():
    from geo.store import add_facility  # the store accepts exactly the vocabulary's kinds

    assert "FACILITY_KINDS" in add_facility.__globals__
    assert add_facility.__globals__["FACILITY_KINDS"] is FACILITY_KINDS
    for kind, term in FACILITY_KINDS.items():  # screen symbols take the vocabulary's colour
        assert f'fill="{term.color}"' in facility_icon(kind).options["html"]


# ---------------------------------------------------------------- the checker


@pytest.mark.parametrize("page, bad", [
    ('<script src="https://unpkg.com/a.js"></script>', ["https://unpkg.com/a.js"]),
    ("<link rel='stylesheet' href='//cdn.example.org/a.css'>", ["//cdn.example.org/a.css"]),
    ('<img alt="x" src=http://tiles.example.org/1.png>', ["http://tiles.example.org/1.png"]),
    ('<img srcset="/a.png 1x, https://x.org/b.png 2x">', ["https://x.org/b.png"]),
    # popup HTML inside a JavaScript string, quotes escaped
    ('var p = "<img src=\\"https://x.org/p.png\\">";', ["https://x.org/p.png"]),
    ("<style>.a{background:url('https://x.org/i.png')}</style>", ["https://x.org/i.png"]),
    ('<style>@import "https://fonts.example.org/f.css";</style>',
     ["https://fonts.example.org/f.css"]),
    ('<script src="http://localhost:8501/a.js"></script><img src="http://127.0.0.1/b.png">'
     '<script src="data:text/javascript;base64,Ly8v"></script><link href="/app/static/a.css">'
     '<a href="https://leafletjs.com">Leaflet</a>', []),
])
def test_assert_no_external_urls(page, bad):
    assert assert_no_external_urls(page) == bad


def test_every_vendored_directory_has_its_licence():
    for d in (p for p in STATIC_DIR.iterdir() if p.is_dir()):
        assert [f for f in d.iterdir() if re.match(r"(?i)(mit-)?licen[cs]e", f.name)], d
    assert "BSD-2-Clause" in (STATIC_DIR / "README.md").read_text("utf-8")
    assert Path(STATIC_DIR / "leaflet" / "LICENSE").read_text().startswith("BSD 2-Clause")


def test_the_same_map_renders_to_the_same_page() -> None:
    # Elements get ids in tree order, popups included: a page that sends the same map
    # again sends the same bytes, and a saved map is reproducible.
    from tests.layers.test_maps import _map

    first = make_offline(_map()).get_root().render()
    second = make_offline(_map()).get_root().render()
    assert first == second
    assert not re.search(r"_[0-9a-f]{32}\b", first)  # no uuid4 names left
    assert "popup_" in first and ".setContent(html_" in first
