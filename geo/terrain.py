"""Travel cost over terrain from a DEM: slope-weighted distance to facilities.

Walking speed follows Tobler's hiking function, v = 6·exp(−3.5·|tan θ + 0.05|) km/h;
the cost of a cell is its crossing time, expressed as the flat-ground km that take
the same time (5.04 km/h on the flat), so "km equivalent" reads like a distance.
The cumulative cost surface is computed with scikit-image's minimum-cost-path
(``skimage.graph.MCP_Geometric``) on the DEM reprojected to a metric grid.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from rasterio.warp import Resampling, calculate_default_transform, reproject

from geo.errors import ValidationError

__all__ = ["cost_surface", "travel_cost_km"]

FLAT_KMH = 6 * np.exp(-3.5 * 0.05)


def _read_metric(dem: str | Path, bounds: tuple[float, float, float, float] | None,
                 crs: str = "EPSG:3857") -> tuple[np.ndarray, object, float]:
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
        transform, w, h = calculate_default_transform(src.crs, crs, src.width, src.height,
                                                      *src.bounds)
        out = np.full((h, w), np.nan, dtype="float32")
        reproject(rasterio.band(src, 1), out, src_transform=src.transform, src_crs=src.crs,
                  dst_transform=transform, dst_crs=crs, resampling=Resampling.bilinear,
                  src_nodata=src.nodata, dst_nodata=np.nan)
    return out, transform, abs(transform.a)


def cost_surface(elev: np.ndarray, cell_m: float) -> np.ndarray:
    """Per-cell crossing cost (flat-km equivalent) from elevations on a metric grid."""
    gy, gx = np.gradient(np.nan_to_num(elev, nan=np.nanmean(elev)), cell_m)
    slope = np.hypot(gx, gy)
    speed = 6 * np.exp(-3.5 * np.abs(slope + 0.05))
    cost = (cell_m / 1000.0) * FLAT_KMH / speed
    cost[~np.isfinite(elev)] = np.inf
    return cost


def travel_cost_km(dem: str | Path, facilities: gpd.GeoDataFrame,
                   points: gpd.GeoSeries) -> np.ndarray:
    """Slope-weighted cost (flat-km equivalent) from each point to its nearest facility."""
    from skimage.graph import MCP_Geometric

    elev, transform, cell = _read_metric(dem, None)
    cost = cost_surface(elev, cell)
    inv = ~transform

    def rc(geoms: gpd.GeoSeries) -> list[tuple[int, int]]:
        g = geoms.to_crs("EPSG:3857")
        out = []
        for x, y in zip(g.x, g.y):
            c, r = inv * (x, y)
            out.append((int(r), int(c)))
        return out

    starts = [p for p in rc(facilities.geometry) if 0 <= p[0] < cost.shape[0]
              and 0 <= p[1] < cost.shape[1]]
    if not starts:
        return np.full(len(points), np.nan)
    mcp = MCP_Geometric(cost, fully_connected=True)
    cum, _ = mcp.find_costs(starts)
    res = []
    for r, c in rc(points):
        ok = 0 <= r < cum.shape[0] and 0 <= c < cum.shape[1]
        res.append(float(cum[r, c]) if ok and np.isfinite(cum[r, c]) else np.nan)
    return np.asarray(res)
