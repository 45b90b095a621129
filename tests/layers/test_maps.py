"""Map layers: classes, no-data, offline assets, and names shown as text, never run."""


import geopandas as gpd
import numpy as np
import pytest
from shapely import box

from geo.vocab import NO_DATA_COLOR
from layers.maps import choropleth_map, classify_values
from layers.offline import assert_no_external_urls, make_offline, standalone_html

EVIL = "<img src=x onerror=alert(1)>"


def _gdf():
    return gpd.GeoDataFrame(
        {"code": ["a", "b", "c", "d"], "name": [EVIL, "Xã Lóng Sập", "Xã B", "Xã C"],
         "district_name": ["H", "H", "H", "H"], "value": [1.0, 5.0, np.nan, 9.0]},
        geometry=[box(104, 21, 104.1, 21.1), box(104.1, 21, 104.2, 21.1),
                  box(104, 21.1, 104.1, 21.2), box(104.1, 21.1, 104.2, 21.2)], crs=4326)


def test_classes_keep_no_data_apart():
    c = classify_values(np.array([1.0, 2, 3, np.nan, 10]), "quantiles", 3)
    assert c.no_data == 1 and sum(c.counts) == 4
    assert c.color_of(np.nan) == NO_DATA_COLOR
    ei = classify_values(np.array([0.0, 10, 20, 30]), "equal_interval", 3)
    assert ei.bins == pytest.approx([10.0, 20.0, 30.0])
    nb = classify_values(np.array([1.0, 1, 2, 50, 51, 52]), "natural_breaks", 2)
    assert nb.bins[0] == pytest.approx(2.0)


def _map():
    import pandas as pd

    fac = gpd.GeoDataFrame({"kind": ["methadone"], "name": [EVIL], "capacity": [10]},
                           geometry=gpd.points_from_xy([104.15], [21.15]), crs=4326)
    hot = pd.DataFrame({"unit_code": ["a"], "status": ["in_transformation"]})
    g = _gdf()
    return choropleth_map(g, title="t", classes=classify_values(g.value.to_numpy()),
                          hotspots=hot, facilities=fac, approximate=True)


def test_offline_page_has_no_external_assets():
    html = standalone_html(_map())
    assert assert_no_external_urls(html) == []
    assert "L.map(" in html and "leaflet" in html.lower()
    m = make_offline(_map())
    rendered = m.get_root().render()
    assert assert_no_external_urls(rendered) == []
    assert "data:text/javascript" in rendered  # Leaflet inlined, served by diaban itself


def test_imported_names_are_escaped():
    html = standalone_html(_map())
    assert EVIL not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html or "\\u0026lt;img" in html


def test_saved_map_shows_hidden_values_as_below_the_threshold_not_as_no_data():
    g = _gdf()
    hidden = np.array([False, True, False, False])  # "b" (5.0) comes from a small count
    c = classify_values(g.value.to_numpy(), "equal_interval", 2, digits=0, suppress_below=5,
                        hidden=hidden)
    html = standalone_html(choropleth_map(g, title="t", classes=c, hidden=hidden, digits=0))
    # the tooltip's text, HTML-escaped then JSON-escaped: "&lt; 5" shows as "< 5"
    assert '"value_txt": "\\u0026lt; 5"' in html
    assert c.suppressed_color in html
    assert "Không có số liệu" in html and "(1)" in html  # only "c" has no data
    assert "<details open class=\"diaban-legend\"" in html  # the legend folds away
    assert "fitBounds" in html
