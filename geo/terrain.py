"""Travel cost over terrain from a DEM: slope-weighted distance to facilities.

Walking speed follows Tobler's hiking function, v = 6·exp(−3.5·|tan θ + 0.05|) km/h;
the cost of a cell is its crossing time, expressed as the flat-ground km that take
the same time (5.04 km/h on the flat), so "km equivalent" reads like a distance.
The cumulative cost surface is computed with scikit-image's minimum-cost-path
(``skimage.graph.MCP_Geometric``) on the DEM reprojected to a metric grid: the
province's VN-2000 TM-3 zone, whose scale is within 0.03% of true across a
province (Web Mercator, EPSG:3857, would make every length about 7% long at 21°N).
The DEM and the points are reprojected with the pinned transformations of
:mod:`geo.crs`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import rasterio
from pyproj import CRS
from rasterio.crs import CRS as RasterioCRS
from rasterio.warp import Resampling, calculate_default_transform, reproject

from geo.crs import coordinate_operation, nearest_zone, to_wgs84
from geo.crs import reproject as reproject_geoms
from geo.errors import ValidationError

__all__ = ["cost_surface", "travel_cost_km", "travel_costs_km"]

FLAT_KMH = 6 * np.exp(-3.5 * 0.05)


def _read_metric(dem: str | Path, crs: CRS) -> tuple[np.ndarray, Any, float]:
    """The DEM warped to ``crs`` (square cells): elevations, affine transform, cell size (m)."""
    try:
        src = rasterio.open(dem)
    except rasterio.errors.RasterioIOError:
        raise ValidationError("Không đọc được tệp độ cao (DEM); cần GeoTIFF.",
                              "Cannot read the DEM; a GeoTIFF is required.",
                              file=Path(dem).name) from None
    with src:
        if src.crs is None:
            raise ValidationError("Tệp DEM không có hệ tọa độ.", "The DEM has no CRS.",
                                  file=Path(dem).name)
        dst = RasterioCRS.from_wkt(crs.to_wkt())
        op = coordinate_operation(src.crs, crs)
        pinned = {"COORDINATE_OPERATION": op} if op else {}
        transform, w, h = calculate_default_transform(src.crs, dst, src.width, src.height,
                                                      *src.bounds, **pinned)
        out = np.full((h, w), np.nan, dtype="float32")
        reproject(rasterio.band(src, 1), out, src_transform=src.transform, src_crs=src.crs,
                  dst_transform=transform, dst_crs=dst, resampling=Resampling.bilinear,
                  src_nodata=src.nodata, dst_nodata=np.nan, **pinned)
    return out, transform, abs(transform.a)


def cost_surface(elev: np.ndarray, cell_m: float) -> np.ndarray:
    """Per-cell crossing cost (flat-km equivalent) from elevations on a metric grid.

    Parameters
    ----------
    elev : numpy.ndarray
        Elevations (m) on square cells; NaN where unknown (impassable).
    cell_m : float
        Cell size in metres.

    Returns
    -------
    numpy.ndarray
        Cost of crossing each cell, in flat-ground km; ``inf`` where ``elev`` is NaN.

    Examples
    --------
    >>> float(cost_surface(np.zeros((3, 3)), 100.0)[1, 1])
    0.1
    """
    gy, gx = np.gradient(np.nan_to_num(elev, nan=np.nanmean(elev)), cell_m)
    slope = np.hypot(gx, gy)
    speed = 6 * np.exp(-3.5 * np.abs(slope + 0.05))
    cost = (cell_m / 1000.0) * FLAT_KMH / speed
    cost[~np.isfinite(elev)] = np.inf
    return cost


def travel_cost_km(dem: str | Path, facilities: gpd.GeoDataFrame, points: gpd.GeoSeries,
                   crs: Any = None) -> np.ndarray:
    """Slope-weighted cost (flat-km equivalent) from each point to its nearest facility.

    Parameters
    ----------
    dem : str or Path
        Elevation GeoTIFF with a CRS.
    facilities : geopandas.GeoDataFrame
        Facility points (with a CRS).
    points : geopandas.GeoSeries
        Points to measure from, e.g. commune centroids (with a CRS).
    crs : str, int or pyproj.CRS, optional
        Metric CRS to measure in: the province's VN-2000 TM-3 zone
        (:func:`geo.crs.province_crs`). By default the TM-3 zone nearest the points.

    Returns
    -------
    numpy.ndarray
        One cost per point (km); NaN for points off the DEM or that no facility
        on the DEM can reach.
    """
    return travel_costs_km(dem, {"all": facilities}, points, crs)["all"]


def travel_costs_km(dem: str | Path, facilities: dict[str, gpd.GeoDataFrame],
                    points: gpd.GeoSeries, crs: Any = None) -> dict[str, np.ndarray]:
    """:func:`travel_cost_km` for several groups of facilities, the DEM warped once.

    Parameters
    ----------
    dem : str or Path
        Elevation GeoTIFF with a CRS.
    facilities : dict of str to geopandas.GeoDataFrame
        Facility points per group (e.g. per facility kind).
    points : geopandas.GeoSeries
        Points to measure from.
    crs : str, int or pyproj.CRS, optional
        Metric CRS (default: the TM-3 zone nearest the points).

    Returns
    -------
    dict of str to numpy.ndarray
        Per group, one cost per point (km); NaN where unreachable or off the DEM.
    """
    from skimage.graph import MCP_Geometric

    if len(points) == 0:
        return {k: np.empty(0) for k in facilities}
    if crs is None:
        lon = to_wgs84(points).x.to_numpy()
        crs = nearest_zone(float(np.nanmean(lon)))
    crs = CRS.from_user_input(crs)
    elev, transform, cell = _read_metric(dem, crs)
    cost = cost_surface(elev, cell)
    inv = ~transform

    def rc(geoms: gpd.GeoSeries) -> list[tuple[int, int]]:
        g = reproject_geoms(geoms, crs)
        out = []
        for x, y in zip(g.x, g.y):
            c, r = inv @ (x, y)
            out.append((int(np.floor(r)), int(np.floor(c))))
        return out

    cells = rc(points)
    res: dict[str, np.ndarray] = {}
    for key, fac in facilities.items():
        starts = [p for p in rc(fac.geometry) if 0 <= p[0] < cost.shape[0]
                  and 0 <= p[1] < cost.shape[1]] if len(fac) else []
        if not starts:
            res[key] = np.full(len(points), np.nan)
            continue
        cum, _ = MCP_Geometric(cost, fully_connected=True).find_costs(starts)
        res[key] = np.asarray([
            float(cum[r, c]) if 0 <= r < cum.shape[0] and 0 <= c < cum.shape[1]
            and np.isfinite(cum[r, c]) else np.nan for r, c in cells])
    return res
