"""Population rasters (GeoTIFF, any CRS) summed per commune.

:func:`zonal_sums` reads the raster once and sums it over the commune polygons
the caller brings (storing the sums as ``population`` is
:mod:`geo.services.imports`). Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from geo.crs import reproject
from geo.errors import ValidationError

__all__ = ["zonal_sums"]


def zonal_sums(path: str | Path, polygons: object, display_name: str | None = None,
               progress: Callable[[float, str], None] | None = None) -> pd.DataFrame:
    """Sum raster values per polygon, each cell weighted by the share of it the polygon covers.

    Coverage fractions come from rasterising the polygon on a grid 8× finer than
    the raster (as exact-extract tools do), so a commune smaller than a cell
    still gets its share and the sums over a coverage add up to the raster's
    total; nodata and negative cells are ignored.

    Parameters
    ----------
    path : str or Path
        Single-band GeoTIFF with a CRS.
    polygons : geopandas.GeoDataFrame
        ``code`` and geometry (any CRS; reprojected to the raster's).
    display_name : str, optional
        File name for messages.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    pandas.DataFrame
        ``unit_code, value``.
    """
    import rasterio
    import rasterio.errors
    from rasterio.errors import RasterioIOError
    from rasterio.features import geometry_mask
    from rasterio.windows import from_bounds

    name = display_name or Path(path).name
    try:
        src = rasterio.open(path)
    except RasterioIOError as e:
        raise ValidationError("Không đọc được ảnh GeoTIFF (tệp hỏng hoặc không phải GeoTIFF).",
                              "Cannot read the GeoTIFF (damaged or not a GeoTIFF).",
                              file=name) from e
    with src:
        if src.crs is None:
            raise ValidationError("Ảnh GeoTIFF không có hệ tọa độ.",
                                  "The GeoTIFF has no CRS.", file=name)
        # The pinned transformation (geo.crs), not whatever PROJ picks per point.
        polys = reproject(polygons, src.crs.to_wkt())
        out = []
        for k, (code, geom) in enumerate(zip(polys.code, polys.geometry)):
            if progress:
                progress(k / max(len(polys), 1), str(code))
            # Every cell the polygon touches: floor the start, ceil the end (rounding
            # would give a polygon smaller than a cell an empty window).
            w0 = from_bounds(*geom.bounds, transform=src.transform)
            c0, r0 = int(np.floor(w0.col_off)), int(np.floor(w0.row_off))
            c1 = int(np.ceil(w0.col_off + w0.width))
            r1 = int(np.ceil(w0.row_off + w0.height))
            win = rasterio.windows.Window(c0, r0, max(c1 - c0, 1), max(r1 - r0, 1))
            try:
                win = win.intersection(rasterio.windows.Window(0, 0, src.width, src.height))
            except rasterio.errors.WindowError:
                win = None
            if win is None or win.width < 1 or win.height < 1:
                out.append((code, 0.0))
                continue
            arr = src.read(1, window=win, masked=True).astype("float64")
            frac = _coverage(geom, arr.shape, src.window_transform(win), geometry_mask)
            vals = np.where(~np.ma.getmaskarray(arr), arr.filled(0), 0) * frac
            out.append((code, float(np.clip(vals, 0, None).sum())))
    return pd.DataFrame(out, columns=["unit_code", "value"])


_SUB = 8


def _coverage(geom: object, shape: tuple[int, int], transform: object,
              geometry_mask: Callable) -> np.ndarray:
    """Fraction of each cell covered by ``geom`` (0–1), from an 8× finer rasterisation."""
    from affine import Affine

    h, w = shape
    fine = transform @ Affine.scale(1 / _SUB)
    inside = ~geometry_mask([geom], out_shape=(h * _SUB, w * _SUB), transform=fine)
    return inside.reshape(h, _SUB, w, _SUB).mean(axis=(1, 3))
