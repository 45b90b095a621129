"""The screen map's data: geometry published once by content, views that restyle it."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import box

from geo.vocab import FACILITY_KINDS, HOTSPOT_STATUSES, NO_DATA_COLOR
from layers.classes import classify
from layers.maps import legend_html
from layers.webmap import component_dir, geometry_json, publish_geometry, view_payload

EVIL = "<img src=x onerror=alert(1)>"


def _communes(values: list[float] | None = None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["d", "a", "c", "b"], "name": ["Xã D", EVIL, "Xã C", "Xã Lóng Sập"],
         "district_name": ["H", "H", None, "H"],
         "value": values or [9.0, 1.0, np.nan, 5.0]},
        geometry=[box(104.1, 21.1, 104.2, 21.2), box(104, 21, 104.1, 21.1),
                  box(104, 21.1, 104.1, 21.2), box(104.1, 21, 104.2, 21.1)], crs=4326)


def test_geometry_is_the_same_bytes_for_the_same_communes_in_any_order() -> None:
    g = _communes()
    a = geometry_json(g)
    assert geometry_json(g.iloc[::-1]) == a
    fc = json.loads(a)
    assert [f["properties"]["code"] for f in fc["features"]] == ["a", "b", "c", "d"]
    # Names are data, sent as they are: the component shows them as text.
    assert fc["features"][0]["properties"]["name"] == EVIL
    assert fc["features"][2]["properties"]["district"] == ""
    # Coordinates on a 1e-5° grid, and nothing but the polygons' identity.
    assert set(fc["features"][0]["properties"]) == {"code", "name", "district"}
    moved = g.copy()
    moved.geometry = moved.geometry.translate(0.001, 0)
    assert geometry_json(moved) != a


def test_geometry_is_published_once_under_a_name_from_its_content(tmp_path) -> None:
    g = _communes()
    url = publish_geometry(g, folder=tmp_path)
    assert url.startswith("geo/") and url.endswith(".json")
    path = tmp_path / url
    assert path.read_bytes() == geometry_json(g)
    stamp = path.stat().st_mtime_ns
    assert publish_geometry(g.iloc[::-1], folder=tmp_path) == url
    assert path.stat().st_mtime_ns == stamp  # not written again
    assert publish_geometry(g.iloc[:2], folder=tmp_path) != url
    assert len(list((tmp_path / "geo").iterdir())) == 2


def test_component_folder_holds_its_page_leaflet_and_the_geometry_folder(
        tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DIABAN_WEBMAP_DIR", str(tmp_path))
    component_dir.cache_clear()
    try:
        folder = component_dir()
        assert folder.parent == tmp_path
        for rel in ("index.html", "webmap.js", "webmap.css", "leaflet/leaflet.js",
                    "leaflet/leaflet.css", "leaflet/images/layers.png"):
            assert (folder / rel).is_file(), rel
        assert (folder / "geo").is_dir()
        page = (folder / "index.html").read_text("utf-8")
        assert 'src="leaflet/leaflet.js"' in page and 'src="webmap.js"' in page
        assert "http" not in page  # nothing from another machine
    finally:
        component_dir.cache_clear()


def test_view_carries_colours_values_and_symbols_not_geometry() -> None:
    g = _communes()
    c = classify(g.value.to_numpy(), "equal_interval", 2, lang="vi")
    fac = gpd.GeoDataFrame({"kind": ["methadone", "club"], "name": [EVIL, "CLB"],
                            "capacity": [30, None]},
                           geometry=gpd.points_from_xy([104.05, 104.15], [21.05, 21.15]),
                           crs=4326)
    hot = pd.DataFrame({"unit_code": ["b"], "status": ["transformed"]})
    v = view_payload(g, c, geometry="geo/x.json", legend="<b>L</b>", lang="vi", digits=0,
                     hotspots=hot, facilities=fac, height=480)
    assert v["geometry"] == "geo/x.json" and v["height"] == 480
    assert v["fill"] == {code: col for code, col in zip(g.code, c.colors_of(g.value))
                         if col != NO_DATA_COLOR}
    assert "c" not in v["fill"] and "c" not in v["values"]  # no data: the component's grey
    assert v["values"] == {"d": "9", "a": "1", "b": "5"}
    assert v["status"] == {"b": HOTSPOT_STATUSES.label("transformed", "vi")}
    assert v["outlines"] == [{"code": "b", "color": HOTSPOT_STATUSES.color("transformed")}]
    assert v["labels"][0]["name"] == "Xã Lóng Sập"
    assert [f["name"] for f in v["facilities"]] == [EVIL, "CLB"]
    assert v["facilities"][0]["capacity"] == "Công suất: 30"
    assert v["facilities"][1]["capacity"] == ""
    assert set(v["symbols"]) == {"methadone", "club"}
    assert FACILITY_KINDS["methadone"].color in v["symbols"]["methadone"]
    text = json.dumps(v, ensure_ascii=False)
    assert "coordinates" not in text  # the polygons are never in a view
    assert view_payload(g, c, geometry="geo/x.json", legend="<b>L</b>", lang="vi", digits=0,
                        hotspots=hot, facilities=fac, height=480) == v  # same in, same out


def test_view_in_english_formats_numbers_and_texts_in_english() -> None:
    g = _communes([1234.5, 1.0, np.nan, 5.0])
    c = classify(g.value.to_numpy(), "quantiles", 2, lang="en")
    v = view_payload(g, c, geometry="geo/x.json", legend=None, lang="en", digits=1)
    assert v["values"]["d"] == "1,234.5" and v["texts"]["commune"] == "Commune"
    vi = view_payload(g, classify(g.value.to_numpy(), "quantiles", 2), geometry="geo/x.json",
                      legend=None, lang="vi", digits=1)
    assert vi["values"]["d"] == "1.234,5" and vi["texts"]["legend"] == "Chú giải"
    assert v["legend"] is None


def test_hidden_values_show_as_below_the_threshold_whatever_their_size() -> None:
    # Rates: "a" is high but comes from a small count, "b" is low from a large count.
    g = _communes([9.0, 80.0, np.nan, 2.0])
    hidden = np.array([False, True, False, False])
    c = classify(g.value.to_numpy(), "equal_interval", 2, suppress_below=5, hidden=hidden)
    v = view_payload(g, c, geometry="geo/x.json", legend=None, digits=1, hidden=hidden)
    assert v["values"]["a"] == "< 5" and v["fill"]["a"] == c.suppressed_color
    assert v["values"]["b"] == "2,0" and v["fill"]["b"] != c.suppressed_color
    assert "80" not in json.dumps(v)


def test_legend_lists_the_hidden_class_and_layer_switches() -> None:
    v = np.array([1.0, 2, 10, 20, np.nan])
    c = classify(v, "equal_interval", 2, suppress_below=5)
    html = legend_html(c, f"Tỷ lệ {EVIL}", "vi", facilities=True, hotspots=True,
                       approximate=False, toggles=True)
    assert "&lt; 5 <span style='color:#666'>(2)</span>" in html
    assert "data-layer='hotspots'" in html and "data-layer='facilities'" in html
    assert EVIL not in html and "&lt;img" in html
    plain = legend_html(c, "t", "vi", facilities=True, hotspots=True, approximate=False)
    assert "<input" not in plain
