"""User files are reprojected with the pinned transformations, never plain ``to_crs``."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon

from geo.crs import BallparkWarning, transformer
from geo.io.boundaries import read_boundaries

#: A hand-written VN-2000 TM-3 104° with +towgs84: written as a shapefile .prj, the
#: datum shift is lost (ESRI WKT has no TOWGS84), so only a ballpark reaches WGS84.
CUSTOM_TM3 = ("+proj=tmerc +lat_0=0 +lon_0=104 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
              "+towgs84=-191.90441,-39.30318,-111.45033,0.00928836,-0.01975479,0.00427372,"
              "0.252906278 +units=m +no_defs")


def _ca_mau_file(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """A commune-sized square in Cà Mau's zone (EPSG:9207) crossing 9.35°N."""
    lon = [104.95, 105.10, 105.10, 104.95]
    lat = [9.20, 9.20, 9.50, 9.50]
    x, y = transformer("EPSG:4326", "EPSG:9207").transform(lon, lat)
    xy = np.c_[x, y]
    p = tmp_path / "ca_mau.shp"
    gpd.GeoDataFrame({"ten_xa": ["Thử"]}, geometry=[Polygon(xy)], crs=9207).to_file(p)
    return p, xy


def test_boundary_file_is_brought_to_wgs84_with_epsg_6960(tmp_path: Path) -> None:
    """North of 9.35°N PROJ's own choice (EPSG:5194) is ~0.8 m off the official EPSG:6960."""
    path, xy = _ca_mau_file(tmp_path)
    r = read_boundaries(path, "Cà Mau")
    got = shapely.get_coordinates(r.gdf.geometry.iloc[0])[:4]
    pinned = np.c_[transformer("EPSG:9207", "EPSG:4326").transform(xy[:, 0], xy[:, 1])]
    plain = np.c_[Transformer.from_crs(9207, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])]
    order = np.lexsort(got.T), np.lexsort(pinned.T)
    got, pinned, plain = got[order[0]], pinned[order[1]], plain[order[1]]
    assert np.abs(got - pinned).max() < 1e-9
    north = pinned[:, 1] > 9.35
    assert np.abs(got[north] - plain[north]).max() > 5e-6  # degrees: about 0.8 m


def test_a_prj_that_lost_its_datum_shift_is_said_not_silently_read(tmp_path: Path) -> None:
    from geo.registry import load_units

    u = load_units("legacy", "commune")
    u = u[u.province_code == "14"].head(3)
    g = gpd.GeoDataFrame({"ma_xa": list(u.code)},
                         geometry=[shapely.box(x - .01, y - .01, x + .01, y + .01)
                                   for x, y in zip(u.lon, u.lat)], crs=4326)
    bad, good = tmp_path / "bad.shp", tmp_path / "good.shp"
    g.to_crs(CUSTOM_TM3).to_file(bad)
    g.to_crs(9206).to_file(good)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BallparkWarning)
        r = read_boundaries(bad, "Sơn La")
    notes = [n.message("en") for n in r.notes]
    assert any("hundreds of metres" in n and "EPSG:9206" in n for n in notes), notes
    assert any("lệch hàng trăm mét" in n.message("vi") for n in r.notes)
    r = read_boundaries(good, "Sơn La")
    assert not any("hundreds of metres" in n.message("en") for n in r.notes)
