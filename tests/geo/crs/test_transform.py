"""Pinned transformations for geometries (reproject) and for GDAL raster warps."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin
from rasterio.warp import calculate_default_transform
from shapely.geometry import Point

from geo.crs import (
    OFFICIAL_TRANSFORMATION,
    coordinate_operation,
    from_wgs84,
    reproject,
    to_wgs84,
    transformer,
    uses_operation,
)
from geo.errors import ValidationError

#: Cà Mau, north of 9.35°N: inside the block where PROJ's own choice is EPSG:5194.
CA_MAU = (105.0, 9.45)


def test_reproject_between_two_projected_crs_goes_through_the_official_datum_shift() -> None:
    x, y = transformer("EPSG:4326", "EPSG:9207").transform(*CA_MAU)
    utm = reproject(Point(x, y), "EPSG:32648", "EPSG:9207")  # VN-2000 TM-3 → WGS 84 UTM 48N
    ex, ey = transformer("EPSG:4326", "EPSG:32648").transform(*CA_MAU)
    # 1 mm: the inverse Helmert's rounding; EPSG:5194 instead would be ~0.8 m off
    assert utm.x == pytest.approx(ex, abs=1e-3) and utm.y == pytest.approx(ey, abs=1e-3)
    assert uses_operation(transformer("EPSG:9207", "EPSG:32648"), OFFICIAL_TRANSFORMATION)


def test_reproject_matches_to_and_from_wgs84_and_keeps_frames() -> None:
    g = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[Point(*CA_MAU), Point(105.1, 9.0)], crs=4326)
    a = reproject(g, "EPSG:9207")
    b = from_wgs84(g, "EPSG:9207")
    assert a.crs.to_epsg() == 9207 and list(a.a) == [1, 2]
    assert np.allclose(a.geometry.x, b.geometry.x) and np.allclose(a.geometry.y, b.geometry.y)
    back = reproject(a, "EPSG:4326")
    assert np.allclose(back.geometry.x, g.geometry.x, atol=1e-9)
    assert np.allclose(to_wgs84(a).geometry.y, g.geometry.y, atol=1e-9)


def test_reproject_needs_a_crs() -> None:
    with pytest.raises(ValidationError):
        reproject(Point(1, 2), "EPSG:4326")


def test_a_raster_warped_with_the_pinned_operation_lands_where_transformer_puts_it(
        tmp_path: Path) -> None:
    """GDAL alone picks EPSG:5194 here: its grid would sit ~0.8 m off the vector data's."""
    west, north = 104.95, 9.55
    path = tmp_path / "dem.tif"
    with rasterio.open(path, "w", driver="GTiff", width=100, height=100, count=1,
                       dtype="float32", crs="EPSG:4326",
                       transform=from_origin(west, north, 0.001, 0.001)) as dst:
        dst.write(np.zeros((1, 100, 100), dtype="float32"))
    with rasterio.open(path) as src:
        args = ("EPSG:4326", "EPSG:9207", src.width, src.height, *src.bounds)
        pinned, _, _ = calculate_default_transform(
            *args, COORDINATE_OPERATION=coordinate_operation(src.crs, "EPSG:9207"))
        gdal, _, _ = calculate_default_transform(*args)
    # The warped grid's origin is the extent's west and north edges.
    box = (west, north - 0.1, west + 0.1, north)
    x0, _, _, y1 = transformer("EPSG:4326", "EPSG:9207").transform_bounds(*box, densify_pts=21)
    assert pinned.c == pytest.approx(x0, abs=0.01) and pinned.f == pytest.approx(y1, abs=0.01)
    px0, *_ = Transformer.from_crs(4326, 9207, always_xy=True).transform_bounds(*box,
                                                                                 densify_pts=21)
    assert gdal.c == pytest.approx(px0, abs=0.01)  # GDAL's choice is PROJ's default ...
    assert abs(gdal.c - pinned.c) > 0.5  # ... which is not the official one here


def test_coordinate_operation_of_the_same_crs_is_harmless() -> None:
    op = coordinate_operation("EPSG:9206", "EPSG:9206")
    assert op is None or "+proj" in op


@pytest.mark.parametrize("bad", ["EPSG:99999", "vn2000 mui 104", ""])
def test_an_unreadable_crs_is_a_user_error_not_a_crash(bad: str) -> None:
    """A typo in --crs gets a message in both languages (was pyproj's CRSError: exit 70)."""
    with pytest.raises(ValidationError) as ei:
        transformer(bad, "EPSG:4326")
    assert "EPSG:9206" in ei.value.message("vi") and "Cannot read the CRS" in ei.value.message(
        "en")
    with pytest.raises(ValidationError):
        reproject(Point(1, 2), bad, "EPSG:4326")
