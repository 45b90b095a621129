"""Population raster summed per commune."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from geo.auth import Principal
from geo.errors import ValidationError
from geo.io.raster import zonal_sums
from geo.services.imports import PopulationRequest, import_file


def import_population(path: Path, province: str, year: int, url: str) -> object:
    """Sum a raster per commune and store it through the import service."""
    return import_file(PopulationRequest(path, province, year=year), Principal("system", "admin"),
                       url)


def _tif(path: Path, arr: np.ndarray, transform: object, crs: str) -> Path:
    with rasterio.open(path, "w", driver="GTiff", height=arr.shape[0], width=arr.shape[1],
                       count=1, dtype="float32", crs=crs, transform=transform,
                       nodata=-1) as dst:
        dst.write(arr.astype("float32"), 1)
    return path


def test_zonal_sums_in_a_projected_raster(tmp_path: Path) -> None:
    # 100 m grid in VN-2000 TM-3; two 1 km squares as communes, given in WGS84.
    arr = np.ones((40, 40))
    arr[0, 0] = -1  # nodata
    p = _tif(tmp_path / "pop.tif", arr, from_origin(500000, 2400000, 100, 100), "EPSG:9206")
    sq = [shapely.box(500000, 2399000, 501000, 2400000), shapely.box(501000, 2399000, 502000,
                                                                     2400000)]
    polys = gpd.GeoDataFrame({"code": ["a", "b"]}, geometry=sq, crs=9206).to_crs(4326)
    s = zonal_sums(p, polys).set_index("unit_code").value
    assert s["a"] == pytest.approx(99, abs=2) and s["b"] == pytest.approx(100, abs=2)


def test_import_population_stores_year(demo_copy_url: str, tmp_path: Path) -> None:
    from geo.store import current_boundaries, get_values, session_scope

    with session_scope(demo_copy_url) as s:
        b = current_boundaries(s, "Sơn La", "legacy")
    x0, y0, x1, y1 = b.total_bounds
    arr = np.full((200, 300), 2.0)
    p = _tif(tmp_path / "pop.tif", arr,
             from_origin(x0, y1, (x1 - x0) / 300, (y1 - y0) / 200), "EPSG:4326")
    res = import_population(p, "Sơn La", 2019, demo_copy_url)
    assert res.stored == len(b) and res.details["total"] > 0
    with session_scope(demo_copy_url) as s:
        v = get_values(s, "Sơn La", "legacy", ["population"], ["2019"])
    assert (v[v.converted == ""].value > 0).mean() > 0.9
    with pytest.raises(ValidationError):
        import_population(tmp_path / "x.tif", "Sơn La", 2019, demo_copy_url)


def test_commune_smaller_than_a_cell_gets_its_share(tmp_path: Path) -> None:
    # Regression: counting only cells whose centre falls inside gave small communes 0 people.
    p = _tif(tmp_path / "pop.tif", np.full((2, 2), 400.0), from_origin(0, 2000, 1000, 1000),
             "EPSG:3857")
    tiny = shapely.box(100, 1100, 350, 1350)       # 1/16 of a cell, away from its centre
    rest = shapely.box(0, 0, 2000, 2000).difference(tiny)
    polys = gpd.GeoDataFrame({"code": ["tiny", "rest"]}, geometry=[tiny, rest], crs=3857)
    s = zonal_sums(p, polys).set_index("unit_code").value
    assert s["tiny"] == pytest.approx(400 / 16, rel=0.05)
    assert s.sum() == pytest.approx(1600.0, rel=1e-6)  # the total is conserved
