"""Geometry of a printed map: reprojection, map scale, polygons drawn as one collection.

Every reprojection goes through the pinned transformations of :mod:`geo.crs`
(:func:`geo.crs.to_wgs84`, :func:`geo.crs.from_wgs84`,
:func:`geo.crs.transformer`), never a plain ``to_crs``: PROJ's default choice
for VN-2000 can be the ballpark one, hundreds of metres off.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from pyproj import CRS

from geo.crs import from_wgs84, to_wgs84
from geo.errors import ValidationError

__all__ = [
    "dissolve",
    "draw_polys",
    "lonlat",
    "map_crs",
    "nice_length",
    "nice_scale",
    "project",
    "shows_whole_country",
]

_WGS84 = CRS.from_epsg(4326)


def lonlat(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` in WGS84 (lon/lat); a frame without CRS must already be in degrees.

    Raises
    ------
    ValidationError
        No CRS and coordinates that are not longitudes/latitudes.
    """
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ValidationError(
                "Đơn vị không có hệ tọa độ và không phải kinh độ/vĩ độ.",
                "Units have no CRS and are not longitude/latitude.")
        return gdf.set_crs("EPSG:4326")
    return gdf if gdf.crs.equals(_WGS84) else to_wgs84(gdf)


def project(data: gpd.GeoDataFrame | gpd.GeoSeries, crs: object
            ) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """WGS84 geometries in the map's CRS (:func:`geo.crs.from_wgs84`)."""
    return from_wgs84(data, crs)


def map_crs(spec_crs: object, units: gpd.GeoDataFrame) -> CRS:
    """The CRS the map is drawn in: the spec's, or the UTM zone of the units' centre.

    Raises
    ------
    ValidationError
        For a geographic (degree) CRS.
    """
    if spec_crs is None:
        return units.estimate_utm_crs()
    crs = CRS.from_user_input(spec_crs)
    if not crs.is_projected:
        raise ValidationError("Hệ tọa độ vẽ bản đồ phải là hệ phẳng (mét), ví dụ EPSG:9206.",
                              "The map CRS must be projected (metres), e.g. EPSG:9206.")
    return crs


def nice_scale(s: float) -> float:
    """Round a scale denominator up to two significant digits.

    Examples
    --------
    >>> nice_scale(1_052_689), nice_scale(432_000), nice_scale(98_100)
    (1100000.0, 440000.0, 99000.0)
    """
    step = 10.0 ** (math.floor(math.log10(s)) - 1)
    return float(math.ceil(s / step - 1e-9) * step)


def nice_length(max_m: float) -> float:
    """Largest 1, 2 or 5 × 10^n metres not above ``max_m``."""
    exp = math.floor(math.log10(max_m))
    for step in (5, 2, 1):
        if step * 10**exp <= max_m:
            return step * 10**exp
    return 10.0**exp  # pragma: no cover


def draw_polys(ax: Axes, geoms: np.ndarray, facecolor: object, edgecolor: object,
               linewidth: float, zorder: float, hatch: str | None = None,
               joinstyle: str = "round") -> None:
    """Draw polygons as one PatchCollection (fast, vector)."""
    patches = []
    for g in geoms:
        if g is None or g.is_empty:
            continue
        polys = g.geoms if g.geom_type == "MultiPolygon" else [g]
        verts, codes = [], []
        for p in polys:
            if p.geom_type != "Polygon":
                continue
            for ring in [p.exterior, *p.interiors]:
                c = np.asarray(ring.coords)[:, :2]
                verts.append(c)
                cc = np.full(len(c), MplPath.LINETO, dtype=np.uint8)
                cc[0] = MplPath.MOVETO
                cc[-1] = MplPath.CLOSEPOLY
                codes.append(cc)
        if verts:
            patches.append(PathPatch(MplPath(np.concatenate(verts), np.concatenate(codes))))
    coll = PatchCollection(patches, facecolor=facecolor, edgecolor=edgecolor,
                           linewidth=linewidth, zorder=zorder, joinstyle=joinstyle,
                           match_original=False)
    if hatch:
        coll.set_hatch(hatch)
    ax.add_collection(coll)


def dissolve(geoms: np.ndarray, eps: float) -> shapely.Geometry:
    """Union of polygons that closes slivers and pin-holes narrower than ``2 * eps``.

    Boundary files are rarely perfect coverages: a plain union keeps hairline
    gaps between neighbours as holes, which an outline then draws as dashes
    along every inner boundary.
    """
    u = shapely.union_all(shapely.buffer(geoms, eps, quad_segs=2, join_style="mitre"))
    u = shapely.buffer(u, -eps, quad_segs=2, join_style="mitre")
    min_hole = (20 * eps) ** 2
    polys = [shapely.Polygon(p.exterior, [r for r in p.interiors
                                          if shapely.Polygon(r).area > min_hole])
             for p in getattr(u, "geoms", [u]) if p.geom_type == "Polygon" and not p.is_empty]
    return shapely.MultiPolygon(polys) if len(polys) != 1 else polys[0]


def shows_whole_country(bounds_wgs84: np.ndarray) -> bool:
    """Whether a map of these lon/lat bounds shows the whole country (≥ 10° of latitude)."""
    minx, miny, maxx, maxy = bounds_wgs84
    return (maxy - miny) >= 10.0
