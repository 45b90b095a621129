"""Zones: the nearest TM-3 zone, meridians as written, CRS ids."""

from __future__ import annotations

import math

import pytest

from geo.crs import crs_id, meridian_dms, nearest_zone, province_crs, zone_crs


@pytest.mark.parametrize("lon, epsg", [(103.2, 9205), (104.1, 9206), (105.6, 9209),
                                       (107.8, 5899), (108.4, 9218), (101.0, 5896)])
def test_nearest_zone(lon: float, epsg: int) -> None:
    assert nearest_zone(lon).to_epsg() == epsg


def test_nearest_zone_is_not_always_the_provinces_own() -> None:
    """Hà Nội's official zone is 105°00′ although its centre (105.8°E) is nearest 105°45′."""
    assert province_crs("01").to_epsg() == 5897
    assert nearest_zone(105.8).to_epsg() == 9210  # 105°45′


def test_nearest_zone_refuses_nan() -> None:
    with pytest.raises(ValueError):
        nearest_zone(math.nan)


def test_meridian_and_id() -> None:
    assert meridian_dms(104.0) == "104°00′" and meridian_dms(107.75) == "107°45′"
    assert crs_id(province_crs("14")) == "EPSG:9206"
    wkt = crs_id(zone_crs(103.5))  # no EPSG code for 103°30′: the WKT itself
    assert wkt.startswith("PROJCRS") and "103-30" in wkt
