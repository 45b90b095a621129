"""Reprojection through the transformations this project pins.

VN-2000 ↔ WGS84 always uses the official 7-parameter transformation, EPSG:6960
"VN-2000 to WGS 84 (2)" (Quyết định 05/2007/QĐ-BTNMT). ``Transformer.from_crs``
alone (and so GeoPandas' ``to_crs``) picks, point by point, EPSG:5194 "VN-2000
to WGS 84 (1)" (an oil-industry set) inside the Mekong delta blocks it covers
(104.24–107.11°E, 9.35–11.04°N) and EPSG:6960 elsewhere: the two differ by
~0.8 m, so a polygon crossing 9.35°N (Cà Mau) would get a step.
:func:`transformer` therefore lists PROJ's candidates (``TransformerGroup``) and
keeps EPSG:6960 when it is among them. A ballpark (datum ignored, ~200 m off) is
used only when nothing better exists, with a :class:`BallparkWarning`.

Every reprojection of user data goes through here: :func:`to_wgs84`,
:func:`from_wgs84`, :func:`reproject` (geometries), :func:`transformer`
(coordinates) and :func:`coordinate_operation` (rasters warped by GDAL).

PROJ works offline: only the bundled ``proj.db`` is used and PROJ's network
access (remote grids) is switched off when this module is imported. Imports
nothing of diaban but :mod:`geo.errors`.

Examples
--------
>>> x, y = transformer("EPSG:4326", "EPSG:9206").transform(104.0, 21.0)
>>> round(x), round(y)
(499804, 2322951)
"""

from __future__ import annotations

import threading
import warnings
from functools import lru_cache
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pyproj
import pyproj.network
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError
from pyproj.transformer import TransformerGroup
from shapely.geometry.base import BaseGeometry

from geo.errors import ValidationError

__all__ = [
    "BallparkWarning",
    "OFFICIAL_TRANSFORMATION",
    "WGS84",
    "coordinate_operation",
    "from_wgs84",
    "is_ballpark",
    "reproject",
    "to_wgs84",
    "transformer",
    "uses_operation",
]

# No remote grids, ever: offices have no internet and results must not depend on it.
if pyproj.network.is_network_enabled():
    pyproj.network.set_network_enabled(False)

WGS84 = "EPSG:4326"
#: EPSG code of "VN-2000 to WGS 84 (2)", the official parameters (QĐ 05/2007/QĐ-BTNMT).
OFFICIAL_TRANSFORMATION = 6960

Geo = TypeVar("Geo", gpd.GeoDataFrame, gpd.GeoSeries, BaseGeometry)


class BallparkWarning(UserWarning):
    """Only a ballpark transformation (datum shift ignored, ~200 m off) was available."""


def _crs(value: Any) -> CRS:
    """``value`` as a CRS; a :class:`ValidationError` in the user's words when unreadable."""
    if isinstance(value, CRS):
        return value
    try:
        return CRS.from_user_input(value)
    except CRSError as e:
        shown = str(value)[:80]
        raise ValidationError(
            f"Không đọc được hệ toạ độ '{shown}': hãy ghi mã EPSG, ví dụ EPSG:9206 (VN-2000 "
            "TM-3 kinh tuyến trục 104°00′, tỉnh Sơn La).",
            f"Cannot read the CRS '{shown}': give an EPSG code, e.g. EPSG:9206 (VN-2000 TM-3, "
            "central meridian 104°00′, Sơn La).") from e


def _walk_ids(obj: Any) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    if isinstance(obj, dict):
        i = obj.get("id")
        if isinstance(i, dict) and "code" in i:
            out.append((str(i.get("authority", "")), int(i["code"])))
        for v in obj.values():
            out.extend(_walk_ids(v))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(_walk_ids(v))
    return out


def uses_operation(tr: Transformer, epsg_code: int) -> bool:
    """Whether a transformer runs the EPSG operation ``epsg_code`` (or its inverse).

    Parameters
    ----------
    tr : pyproj.Transformer
        The transformer to inspect.
    epsg_code : int
        E.g. :data:`OFFICIAL_TRANSFORMATION` (6960).

    Returns
    -------
    bool
    """
    try:
        ids = _walk_ids(tr.to_json_dict())
    except ProjError:
        return False
    # an inverse operation is identified as authority "INVERSE(EPSG)"
    return any(code == epsg_code and auth in ("EPSG", "INVERSE(EPSG)") for auth, code in ids)


def is_ballpark(tr: Transformer) -> bool:
    """Whether a transformer is a PROJ ballpark (datum shift ignored)."""
    return "ballpark" in (tr.description or "").lower()


def _pick_transformer(src: CRS, dst: CRS, always_xy: bool = True) -> Transformer:
    try:
        cands = TransformerGroup(src, dst, always_xy=always_xy).transformers
    except ProjError:
        cands = []
    for t in cands:
        if uses_operation(t, OFFICIAL_TRANSFORMATION):
            return t
    for t in cands:
        if not is_ballpark(t):
            return t
    if cands:
        warnings.warn(BallparkWarning(
            f"Chỉ có phép chuyển đổi gần đúng (bỏ qua khác biệt datum, lệch hàng trăm mét) "
            f"từ {src.name} sang {dst.name}. / Only a ballpark transformation (datum shift "
            f"ignored, off by hundreds of metres) from {src.name} to {dst.name}."), stacklevel=3)
        return cands[0]
    return Transformer.from_crs(src, dst, always_xy=always_xy)


_local = threading.local()


def transformer(src_crs: Any, dst_crs: Any) -> Transformer:
    """The transformer this project uses from ``src_crs`` to ``dst_crs`` (x = lon/easting).

    Among the operations PROJ knows (``TransformerGroup``), the official
    VN-2000 → WGS84 transformation EPSG:6960 when it applies, else PROJ's first
    non-ballpark one; a ballpark only as a last resort, with a
    :class:`BallparkWarning`. Cached per thread (transformers are not shared
    between threads).

    Parameters
    ----------
    src_crs, dst_crs : str, int or pyproj.CRS
        Anything :meth:`pyproj.CRS.from_user_input` accepts.

    Returns
    -------
    pyproj.Transformer
        With ``always_xy=True``.

    Raises
    ------
    ValidationError
        A CRS that cannot be read (a user's typo in ``--crs``), in the user's words.
    """
    src, dst = _crs(src_crs), _crs(dst_crs)
    cache: dict[tuple[str, str], Transformer] = _local.__dict__.setdefault("cache", {})
    key = (src.to_wkt(), dst.to_wkt())
    if key not in cache:
        cache[key] = _pick_transformer(src, dst)
    return cache[key]


def _transform_geoms(geoms: np.ndarray, tr: Transformer) -> np.ndarray:
    def f(xyz: np.ndarray) -> np.ndarray:
        out = xyz.copy()
        out[:, 0], out[:, 1] = tr.transform(xyz[:, 0], xyz[:, 1])
        return out

    res = shapely.transform(geoms, f, include_z=True)
    coords = shapely.get_coordinates(res)
    if len(coords) and not np.isfinite(coords).all():
        raise ValidationError(
            "Có toạ độ không chuyển đổi được (ra ngoài miền xác định của phép chiếu): có thể hệ "
            "toạ độ khai báo sai.",
            "Some coordinates cannot be transformed (outside the projection's domain): the "
            "declared CRS may be wrong.")
    return res


def _reproject(data: Geo, src: CRS, dst: CRS) -> Geo:
    tr = transformer(src, dst)
    if isinstance(data, BaseGeometry):
        return _transform_geoms(np.asarray([data], dtype=object), tr)[0]
    if isinstance(data, gpd.GeoDataFrame):
        geom = data.geometry
        new = gpd.GeoSeries(_transform_geoms(geom.to_numpy(), tr), index=data.index, crs=dst,
                            name=geom.name)
        out = data.copy()
        out[geom.name] = new
        return out.set_crs(dst, allow_override=True)
    if isinstance(data, gpd.GeoSeries):
        return gpd.GeoSeries(_transform_geoms(data.to_numpy(), tr), index=data.index, crs=dst,
                             name=data.name)
    raise TypeError(f"expected a GeoDataFrame, GeoSeries or shapely geometry, got {type(data)}")


def to_wgs84(data: Geo, src_crs: Any = None) -> Geo:
    """Reproject geometries to WGS84 (EPSG:4326, lon/lat).

    Parameters
    ----------
    data : geopandas.GeoDataFrame, geopandas.GeoSeries or shapely geometry
        Only the active geometry column of a GeoDataFrame is transformed.
    src_crs : str, int or pyproj.CRS, optional
        CRS of ``data``. Required for a bare geometry; for GeoPandas objects it
        defaults to ``data.crs`` and, when given, overrides it (a wrong ``.prj``).

    Returns
    -------
    Same type as ``data``
        GeoPandas objects carry ``crs=EPSG:4326``; the input is not modified.

    Raises
    ------
    ValidationError
        No CRS known, or coordinates outside the projection's domain.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> p = to_wgs84(Point(499804, 2322951), "EPSG:9206")
    >>> round(p.x, 4), round(p.y, 4)
    (104.0, 21.0)
    """
    src = src_crs if src_crs is not None else getattr(data, "crs", None)
    if src is None:
        raise ValidationError(
            "Không biết hệ toạ độ của dữ liệu (thiếu tệp .prj?): hãy chỉ định hệ toạ độ hoặc dùng "
            "gợi ý của diaban.",
            "The data's CRS is unknown (no .prj?): give the CRS or use diaban's guess.")
    return _reproject(data, _crs(src), _crs(WGS84))


def from_wgs84(data: Geo, dst_crs: Any) -> Geo:
    """Reproject geometries from WGS84 (EPSG:4326, lon/lat) to ``dst_crs``.

    Parameters
    ----------
    data : geopandas.GeoDataFrame, geopandas.GeoSeries or shapely geometry
        In WGS84. GeoPandas objects without a CRS are taken as WGS84.
    dst_crs : str, int or pyproj.CRS
        E.g. ``province_crs("14")``.

    Returns
    -------
    Same type as ``data``

    Raises
    ------
    ValidationError
        ``data`` has a CRS other than WGS84, or coordinates fall outside the
        target projection's domain.
    """
    wgs = _crs(WGS84)
    crs = getattr(data, "crs", None)
    if crs is not None and not _crs(crs).equals(wgs, ignore_axis_order=True):
        raise ValidationError(
            f"Dữ liệu đang ở hệ toạ độ {_crs(crs).name}, không phải WGS84.",
            f"The data is in {_crs(crs).name}, not WGS84.")
    return _reproject(data, wgs, _crs(dst_crs))



def reproject(data: Geo, dst_crs: Any, src_crs: Any = None) -> Geo:
    """Reproject geometries from any CRS to any CRS with the pinned transformations.

    Parameters
    ----------
    data : geopandas.GeoDataFrame, geopandas.GeoSeries or shapely geometry
        Only the active geometry column of a GeoDataFrame is transformed.
    dst_crs : str, int or pyproj.CRS
        Target CRS, e.g. ``province_crs("14")`` to measure lengths and areas.
    src_crs : str, int or pyproj.CRS, optional
        CRS of ``data``. Required for a bare geometry; for GeoPandas objects it
        defaults to ``data.crs`` and, when given, overrides it.

    Returns
    -------
    Same type as ``data``
        GeoPandas objects carry ``crs=dst_crs``; the input is not modified.

    Raises
    ------
    ValidationError
        No CRS known, or coordinates outside the projection's domain.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> p = reproject(Point(104.0, 21.0), "EPSG:9206", "EPSG:4326")
    >>> round(p.x), round(p.y)
    (499804, 2322951)
    """
    src = src_crs if src_crs is not None else getattr(data, "crs", None)
    if src is None:
        raise ValidationError(
            "Không biết hệ toạ độ của dữ liệu (thiếu tệp .prj?): hãy chỉ định hệ toạ độ hoặc dùng "
            "gợi ý của diaban.",
            "The data's CRS is unknown (no .prj?): give the CRS or use diaban's guess.")
    return _reproject(data, _crs(src), _crs(dst_crs))


@lru_cache(maxsize=64)
def _operation(src_wkt: str, dst_wkt: str) -> str | None:
    tr = _pick_transformer(CRS.from_wkt(src_wkt), CRS.from_wkt(dst_wkt), always_xy=False)
    return tr.to_proj4()


def coordinate_operation(src_crs: Any, dst_crs: Any) -> str | None:
    """The pinned transformation as a PROJ pipeline, for GDAL's ``COORDINATE_OPERATION``.

    GDAL (and so rasterio's ``calculate_default_transform`` and ``reproject``)
    otherwise picks its own operation, e.g. EPSG:5194 instead of the official
    EPSG:6960 in the Mekong delta. Pass the result as
    ``COORDINATE_OPERATION=...`` to make a raster warp use the same
    transformation as :func:`transformer`. The pipeline takes coordinates in
    each CRS's own axis order (latitude first for EPSG:4326), as GDAL requires.

    Parameters
    ----------
    src_crs, dst_crs : str, int, pyproj.CRS or rasterio.crs.CRS
        Anything :meth:`pyproj.CRS.from_user_input` accepts (rasterio CRSs are
        read through their WKT).

    Returns
    -------
    str or None
        A ``+proj=pipeline`` string; None when PROJ cannot write the operation as
        one (then let GDAL choose).

    Examples
    --------
    >>> op = coordinate_operation("EPSG:4326", "EPSG:9207")
    >>> "+proj=helmert" in op and "+proj=tmerc" in op
    True
    """
    def wkt(c: Any) -> str:
        return _crs(c.to_wkt() if hasattr(c, "to_wkt") else c).to_wkt()

    return _operation(wkt(src_crs), wkt(dst_crs))
