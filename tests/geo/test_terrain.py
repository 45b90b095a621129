"""Travel cost over a DEM is measured in true metres (the TM-3 zone), not Web Mercator's."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import rasterio
from rasterio.transform import from_origin

from geo.terrain import travel_cost_km

GEOD = pyproj.Geod(ellps="WGS84")


def _flat_dem(path: Path, west: float, north: float, cols: int, rows: int,
              step: float = 0.001, crs: str = "EPSG:4326") -> Path:
    """A flat DEM (every cell 500 m) in degrees, like SRTM tiles."""
    with rasterio.open(path, "w", driver="GTiff", width=cols, height=rows, count=1,
                       dtype="float32", crs=crs,
                       transform=from_origin(west, north, step, step)) as dst:
        dst.write(np.full((1, rows, cols), 500.0, dtype="float32"))
    return path


def _points(lon: list[float], lat: list[float]) -> gpd.GeoSeries:
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326)


@pytest.mark.parametrize("a, b", [
    ((103.65, 21.2), (104.35, 21.2)),   # 73 km east–west across Sơn La's zone meridian
    ((104.0, 20.9), (104.0, 21.4)),     # 55 km north–south
], ids=["east-west", "north-south"])
def test_flat_ground_cost_is_the_geodesic_length(tmp_path: Path, a, b) -> None:
    """On flat ground the cost is the walking distance: within 0.5% of the geodesic.

    Computed in Web Mercator (the old code) it was 1/cos(21°) ≈ 7% long.
    """
    dem = _flat_dem(tmp_path / "dem.tif", 103.6, 21.45, cols=800, rows=600)
    fac = gpd.GeoDataFrame({"kind": ["club"]}, geometry=_points([a[0]], [a[1]]))
    cost = travel_cost_km(dem, fac, _points([b[0]], [b[1]]), crs="EPSG:9206")
    true_km = GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000
    assert cost[0] == pytest.approx(true_km, rel=0.005)


def test_default_zone_is_the_one_of_the_points(tmp_path: Path) -> None:
    """Without a CRS the nearest TM-3 zone is used: same true length, not Mercator's."""
    dem = _flat_dem(tmp_path / "dem.tif", 103.6, 21.45, cols=800, rows=600)
    a, b = (103.65, 21.2), (104.35, 21.2)
    fac = gpd.GeoDataFrame({"kind": ["club"]}, geometry=_points([a[0]], [a[1]]))
    cost = travel_cost_km(dem, fac, _points([b[0]], [b[1]]))
    assert cost[0] == pytest.approx(GEOD.inv(*a, *b)[2] / 1000, rel=0.005)


def test_points_off_the_dem_have_no_cost(tmp_path: Path) -> None:
    dem = _flat_dem(tmp_path / "dem.tif", 103.6, 21.45, cols=200, rows=200)
    fac = gpd.GeoDataFrame({"kind": ["club"]}, geometry=_points([103.65], [21.4]))
    cost = travel_cost_km(dem, fac, _points([103.7, 105.5], [21.35, 21.35]))
    assert np.isfinite(cost[0]) and np.isnan(cost[1])


def test_a_slope_costs_more_than_flat_ground(tmp_path: Path) -> None:
    """Tobler: climbing 10% costs more flat-km than the horizontal distance."""
    path = tmp_path / "slope.tif"
    rows, cols = 300, 300
    # elevation rises eastwards by ~10 m per 100 m (0.001° ≈ 104 m at 21°N)
    elev = np.tile(np.arange(cols, dtype="float32") * 10.4, (rows, 1))
    with rasterio.open(path, "w", driver="GTiff", width=cols, height=rows, count=1,
                       dtype="float32", crs="EPSG:4326",
                       transform=from_origin(103.9, 21.3, 0.001, 0.001)) as dst:
        dst.write(elev[None])
    a, b = (103.92, 21.15), (104.17, 21.15)
    fac = gpd.GeoDataFrame({"kind": ["club"]}, geometry=_points([a[0]], [a[1]]))
    cost = travel_cost_km(path, fac, _points([b[0]], [b[1]]), crs="EPSG:9206")
    flat_km = GEOD.inv(*a, *b)[2] / 1000
    assert cost[0] > 1.2 * flat_km
