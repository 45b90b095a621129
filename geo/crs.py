"""VN-2000 coordinate reference systems: provincial zones, WGS84 transforms, CRS guessing.

Official Vietnamese GIS files are usually VN-2000 (EPSG:4756), projected in the
province's 3-degree Transverse Mercator zone (TM-3, k = 0.9999, false easting
500 000 m) or in UTM 48N/49N. The central meridian of every province
(Thông tư 973/2001/TT-TCĐC) and its EPSG code are in ``data/vn2000_zones.json``.

- :func:`province_crs` gives a province's TM-3 zone (either edition's codes).
- :func:`to_wgs84` / :func:`from_wgs84` reproject geometries. VN-2000 ↔ WGS84 always
  uses the official 7-parameter transformation, EPSG:6960 "VN-2000 to WGS 84 (2)"
  (Quyết định 05/2007/QĐ-BTNMT). ``Transformer.from_crs`` alone picks, point by
  point, EPSG:5194 "VN-2000 to WGS 84 (1)" (an oil-industry set) inside the
  Mekong delta blocks it covers (104.24–107.11°E, 9.35–11.04°N) and EPSG:6960
  elsewhere: the two differ by ~0.8 m, so a polygon crossing 9.35°N (Cà Mau)
  would get a step. :func:`transformer` therefore lists PROJ's candidates
  (``TransformerGroup``) and keeps EPSG:6960 when it is among them. A ballpark
  (datum ignored, ~200 m off) is used only when nothing better exists, with a
  :class:`BallparkWarning`.
- :func:`guess_crs` ranks plausible CRSs for coordinates without a ``.prj``;
  :func:`check_declared_crs` flags a ``.prj`` that puts the data outside the
  province or outside Vietnam.

PROJ works offline: only the bundled ``proj.db`` is used and PROJ's network
access (remote grids) is switched off when this module is imported.

Examples
--------
>>> province_crs("14").to_epsg()
9206
>>> x, y = transformer("EPSG:4326", "EPSG:9206").transform(104.0, 21.0)
>>> round(x), round(y)
(499804, 2322951)
"""

from __future__ import annotations

import json
import math
import threading
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pyproj
import pyproj.network
import shapely
from pyproj import CRS, Transformer
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import TransverseMercatorConversion
from pyproj.exceptions import CRSError, ProjError
from pyproj.transformer import TransformerGroup
from shapely.geometry.base import BaseGeometry

from geo import DATA_DIR
from geo.errors import NotFoundError, ValidationError
from geo.i18n import fmt_number

__all__ = [
    "BallparkWarning",
    "CrsGuess",
    "EDITIONS",
    "OFFICIAL_TRANSFORMATION",
    "VIETNAM_BBOX",
    "VIETNAM_REGIONS",
    "VN2000",
    "WGS84",
    "ZonedProvince",
    "check_declared_crs",
    "from_wgs84",
    "guess_crs",
    "is_ballpark",
    "load_zones",
    "province_crs",
    "province_zone",
    "to_wgs84",
    "transformer",
    "uses_operation",
    "zone_crs",
]

# No remote grids, ever: offices have no internet and results must not depend on it.
if pyproj.network.is_network_enabled():
    pyproj.network.set_network_enabled(False)

ZONES_FILE = DATA_DIR / "vn2000_zones.json"
#: VN-2000 geographic CRS, base of every VN-2000 projected CRS.
VN2000 = "EPSG:4756"
WGS84 = "EPSG:4326"
#: EPSG code of "VN-2000 to WGS 84 (2)", the official parameters (QĐ 05/2007/QĐ-BTNMT).
OFFICIAL_TRANSFORMATION = 6960
#: Editions of the administrative units (see :mod:`geo.registry`).
EDITIONS = ("legacy", "2025")
#: Vietnam in WGS84 degrees (minx, miny, maxx, maxy), Hoàng Sa and Trường Sa included.
VIETNAM_BBOX = (102.0, 6.0, 118.0, 23.5)
#: Disjoint WGS84 boxes of the mainland (EPSG:4756's area of use), Hoàng Sa and Trường Sa:
#: much of VIETNAM_BBOX is open sea or neighbouring countries.
VIETNAM_REGIONS = ((102.14, 8.33, 109.53, 23.4), (110.9, 15.6, 112.9, 17.2),
                   (111.4, 6.0, 117.9, 12.0))

_TM3_EASTING = (300_000.0, 700_000.0)  # 500 000 ± 200 000 m
_UTM_EASTING = (166_000.0, 834_000.0)
_NORTHING = (900_000.0, 2_600_000.0)  # mainland Vietnam, 8.3–23.4°N
_MARGIN_DEG = 0.02  # province boxes are given a ~2 km margin
_OUTSIDE = 0.8  # check_declared_crs: less than this share inside is flagged
_BAND_PENALTY = 0.6  # fit factor when coordinates fall outside the usual band

Geo = TypeVar("Geo", gpd.GeoDataFrame, gpd.GeoSeries, BaseGeometry)
Box = tuple[float, float, float, float]


class BallparkWarning(UserWarning):
    """Only a ballpark transformation (datum shift ignored, ~200 m off) was available."""


# ------------------------------------------------------------------ zones


@lru_cache(maxsize=1)
def load_zones() -> dict[str, Any]:
    """The parsed ``data/vn2000_zones.json``.

    Returns
    -------
    dict
        Keys ``sources``, ``projection``, ``zones`` (one per central meridian, with
        ``epsg``), ``utm``, ``legacy`` and ``edition_2025`` (province code → entry
        with ``name``, ``central_meridian``, ``epsg``...). Do not modify it.
    """
    return json.loads(ZONES_FILE.read_text("utf-8"))


@dataclass(frozen=True)
class ZonedProvince:
    """A province and its VN-2000 TM-3 zone.

    Attributes
    ----------
    code : str
        GSO province code (``"14"``).
    edition : {"legacy", "2025"}
        Edition the code belongs to.
    name, full_name : str
        ``"Sơn La"``, ``"Tỉnh Sơn La"``.
    central_meridian : float
        Degrees east (104.0).
    dms : str
        The meridian as written in Vietnamese documents (``"104°00′"``).
    epsg : int or None
        EPSG code of the zone, None when EPSG has none (then :func:`zone_crs` builds it).
    merged_from : tuple of str
        Legacy codes merged into a 2025 province (empty for legacy entries).
    other_meridians : dict
        Legacy code → meridian of merged members whose zone differed.
    """

    code: str
    edition: str
    name: str
    full_name: str
    central_meridian: float
    dms: str
    epsg: int | None
    merged_from: tuple[str, ...] = ()
    other_meridians: dict[str, float] = field(default_factory=dict)

    @property
    def crs(self) -> CRS:
        """The zone as a :class:`pyproj.CRS`."""
        return zone_crs(self.central_meridian)

    def label(self, lang: str = "vi") -> str:
        """``"tỉnh Sơn La"`` / ``"Sơn La province"`` (``"thành phố"`` / ``"city"`` for cities)."""
        city = self.full_name.lower().startswith("thành phố")
        if lang == "en":
            return f"{self.name} {'city' if city else 'province'}"
        return f"{'thành phố' if city else 'tỉnh'} {self.name}"


def _norm_code(province_code: str | int) -> str:
    code = str(province_code).strip()
    if code.isdigit() and len(code) < 2:
        code = code.zfill(2)
    return code


def province_zone(province_code: str | int, edition: str = "legacy") -> ZonedProvince:
    """The VN-2000 TM-3 zone of a province.

    Parameters
    ----------
    province_code : str
        Two-digit GSO code (``"14"``).
    edition : {"legacy", "2025"}
        Which registry the code is from. Codes 24, 44, 52, 80, 82 and 91 name a
        different province in each edition (2025 merged provinces took a
        member's code), and their zones differ.

    Returns
    -------
    ZonedProvince

    Raises
    ------
    NotFoundError
        Unknown code or edition.

    Examples
    --------
    >>> province_zone("24").name, province_zone("24", "2025").name
    ('Bắc Giang', 'Bắc Ninh')
    """
    if edition not in EDITIONS:
        raise NotFoundError(f"Không có phiên bản đơn vị hành chính '{edition}' (legacy, 2025).",
                            f"Unknown edition '{edition}' (legacy, 2025).")
    code = _norm_code(province_code)
    table = load_zones()["legacy" if edition == "legacy" else "edition_2025"]
    if code not in table:
        raise NotFoundError(f"Không có tỉnh mã '{code}' (phiên bản {edition}).",
                            f"No province with code '{code}' ({edition} edition).")
    e = table[code]
    return ZonedProvince(code=code, edition=edition, name=e["name"], full_name=e["full_name"],
                         central_meridian=float(e["central_meridian"]),
                         dms=e["central_meridian_dms"], epsg=e["epsg"],
                         merged_from=tuple(e.get("merged_from", ())),
                         other_meridians={k: float(v) for k, v in
                                          e.get("other_meridians", {}).items()})


def province_crs(province_code: str | int, edition: str = "legacy") -> CRS:
    """The VN-2000 TM-3 zone of a province as a :class:`pyproj.CRS`.

    Parameters
    ----------
    province_code : str
        Two-digit GSO code (``"14"`` = Sơn La).
    edition : {"legacy", "2025"}
        Registry of the code (see :func:`province_zone`).

    Returns
    -------
    pyproj.CRS
        ``EPSG:92xx`` / ``EPSG:589x`` (built from EPSG:4756 if the meridian had no code).

    Examples
    --------
    >>> province_crs("11").to_epsg(), province_crs("84").to_epsg(), province_crs("01").to_epsg()
    (9205, 9209, 5897)
    """
    return province_zone(province_code, edition).crs


def _dms(meridian: float) -> str:
    deg = int(meridian)
    return f"{deg}°{round((meridian - deg) * 60):02d}′"


@lru_cache(maxsize=64)
def zone_crs(central_meridian: float) -> CRS:
    """The VN-2000 TM-3 CRS with the given central meridian.

    The EPSG CRS when ``data/vn2000_zones.json`` gives one; otherwise built from
    the VN-2000 geographic CRS EPSG:4756 with a Transverse Mercator (k = 0.9999,
    false easting 500 000 m), so PROJ still finds the EPSG datum transformation.

    Parameters
    ----------
    central_meridian : float
        Degrees east, e.g. 104.75 for 104°45′.

    Returns
    -------
    pyproj.CRS
    """
    for z in load_zones()["zones"]:
        if math.isclose(z["central_meridian"], central_meridian, abs_tol=1e-9) and z["epsg"]:
            return CRS.from_epsg(int(z["epsg"]))
    p = load_zones()["projection"]
    conv = TransverseMercatorConversion(
        latitude_natural_origin=p["latitude_of_origin"],
        longitude_natural_origin=central_meridian,
        false_easting=p["false_easting"], false_northing=p["false_northing"],
        scale_factor_natural_origin=p["scale_factor"])
    return ProjectedCRS(conversion=conv, geodetic_crs=CRS.from_user_input(p["geographic_crs"]),
                        name=f"VN-2000 / TM-3 {_dms(central_meridian).replace('°', '-')[:-1]}")


def _crs_id(crs: CRS) -> str:
    """``"EPSG:9206"`` when the CRS has an EPSG code, else its WKT."""
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


# ------------------------------------------------------------------ transforms


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


def _pick_transformer(src: CRS, dst: CRS) -> Transformer:
    try:
        cands = TransformerGroup(src, dst, always_xy=True).transformers
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
    return Transformer.from_crs(src, dst, always_xy=True)


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
    """
    src, dst = CRS.from_user_input(src_crs), CRS.from_user_input(dst_crs)
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
    return _reproject(data, CRS.from_user_input(src), CRS.from_user_input(WGS84))


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
    wgs = CRS.from_user_input(WGS84)
    crs = getattr(data, "crs", None)
    if crs is not None and not CRS.from_user_input(crs).equals(wgs, ignore_axis_order=True):
        raise ValidationError(
            f"Dữ liệu đang ở hệ toạ độ {CRS.from_user_input(crs).name}, không phải WGS84.",
            f"The data is in {CRS.from_user_input(crs).name}, not WGS84.")
    return _reproject(data, wgs, CRS.from_user_input(dst_crs))


# ------------------------------------------------------------------ guessing


@dataclass
class CrsGuess:
    """A CRS that coordinates may be in, and why.

    Attributes
    ----------
    crs : str
        ``"EPSG:9206"`` (WKT for a zone without an EPSG code).
    name : str
        CRS name (``"VN-2000 / TM-3 104-00"``).
    score : float
        0..1, higher is more plausible; guesses come best first.
    reason_vi, reason_en : str
        Why, in Vietnamese and English, with the coordinate ranges.
    kind : {"geographic", "tm3", "utm", "declared"}
    central_meridian : float or None
    province_code : str or None
        The given province when this CRS is its official TM-3 zone.
    inside : float or None
        Share of the data's extent, reprojected to WGS84, inside the region it was
        compared with (the province's box when given).
    wgs84_bounds : tuple or None
        The data's extent in WGS84 under this CRS.
    suggestions : list of CrsGuess
        For :func:`check_declared_crs`: CRSs that fit better.
    """

    crs: str
    name: str
    score: float
    reason_vi: str
    reason_en: str
    kind: str
    central_meridian: float | None = None
    province_code: str | None = None
    inside: float | None = None
    wgs84_bounds: Box | None = None
    suggestions: list[CrsGuess] = field(default_factory=list)

    def to_crs(self) -> CRS:
        """The guess as a :class:`pyproj.CRS`."""
        return CRS.from_user_input(self.crs)

    def reason(self, lang: str = "vi") -> str:
        """The reason in ``lang``."""
        return self.reason_en if lang == "en" else self.reason_vi


@dataclass(frozen=True)
class _Candidate:
    crs: CRS
    kind: str  # geographic | tm3 | utm
    central_meridian: float | None
    area: Box  # EPSG area of use (WGS84)
    legacy_provinces: tuple[str, ...] = ()
    datum: str = "VN-2000"


@lru_cache(maxsize=1)
def _candidates() -> tuple[_Candidate, ...]:
    def area(crs: CRS) -> Box:
        a = crs.area_of_use
        return tuple(a.bounds) if a is not None else VIETNAM_BBOX  # type: ignore[return-value]

    out = [_Candidate(CRS.from_epsg(4326), "geographic", None, VIETNAM_BBOX, datum="WGS 84"),
           _Candidate(CRS.from_epsg(4756), "geographic", None, VIETNAM_BBOX)]
    for z in load_zones()["zones"]:
        c = zone_crs(float(z["central_meridian"]))
        out.append(_Candidate(c, "tm3", float(z["central_meridian"]), area(c),
                              tuple(z["legacy_provinces"])))
    for u in load_zones()["utm"]:
        c = CRS.from_epsg(int(u["epsg"]))
        out.append(_Candidate(c, "utm", float(u["central_meridian"]), area(c)))
    for epsg, cm in ((32648, 105.0), (32649, 111.0)):
        c = CRS.from_epsg(epsg)
        vn = next(x for x in out if x.kind == "utm" and x.central_meridian == cm)
        out.append(_Candidate(c, "utm", cm, vn.area, datum="WGS 84"))
    return tuple(out)


def _check_bounds(bounds: Any, what: str = "bounds") -> Box:
    try:
        b = tuple(float(v) for v in bounds)
    except (TypeError, ValueError):
        b = ()
    if len(b) != 4 or not all(math.isfinite(v) for v in b) or b[0] > b[2] or b[1] > b[3]:
        raise ValidationError(
            f"Phạm vi toạ độ không hợp lệ ({what}): cần (minx, miny, maxx, maxy) hữu hạn, "
            "min ≤ max.",
            f"Invalid extent ({what}): need finite (minx, miny, maxx, maxy) with min ≤ max.")
    return b  # type: ignore[return-value]


def _share_1d(lo: float, hi: float, rlo: float, rhi: float) -> float:
    """Share of [lo, hi] inside [rlo, rhi]; a zero-length interval is 1 or 0."""
    if hi - lo <= 0:
        return 1.0 if rlo <= lo <= rhi else 0.0
    return max(0.0, min(hi, rhi) - max(lo, rlo)) / (hi - lo)


def _inside(box: Box, region: Box) -> float:
    return (_share_1d(box[0], box[2], region[0], region[2])
            * _share_1d(box[1], box[3], region[1], region[3]))


def _inside_vietnam(box: Box) -> float:
    """Share of ``box`` inside :data:`VIETNAM_REGIONS` (which do not overlap)."""
    return min(1.0, sum(_inside(box, r) for r in VIETNAM_REGIONS))


def _iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _grow(box: Box, d: float) -> Box:
    return (box[0] - d, box[1] - d, box[2] + d, box[3] + d)


def _wgs84_box(bounds: Box, crs: CRS) -> Box | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BallparkWarning)
            tr = transformer(crs, WGS84)
        b = tr.transform_bounds(*bounds, densify_pts=21)
    except (ProjError, CRSError):
        return None
    if not all(math.isfinite(v) for v in b):
        return None
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


def _is_degrees(b: Box) -> bool:
    return -180 <= b[0] <= b[2] <= 180 and -90 <= b[1] <= b[3] <= 90


def _band(lo: float, hi: float, band: tuple[float, float]) -> bool:
    return band[0] <= lo and hi <= band[1]


def _num(v: float, lang: str, digits: int = 0) -> str:
    return fmt_number(round(v, digits), lang, digits)


def _ranges(b: Box, lang: str) -> str:
    if _is_degrees(b):
        if lang == "en":
            return (f"Coordinates {_num(b[0], 'en', 2)}–{_num(b[2], 'en', 2)}° E, "
                    f"{_num(b[1], 'en', 2)}–{_num(b[3], 'en', 2)}° N")
        return (f"Toạ độ trong khoảng {_num(b[0], 'vi', 2)}–{_num(b[2], 'vi', 2)}° Đông, "
                f"{_num(b[1], 'vi', 2)}–{_num(b[3], 'vi', 2)}° Bắc")
    if lang == "en":
        return (f"Coordinates {_num(b[0], 'en')}–{_num(b[2], 'en')} m E, "
                f"{_num(b[1], 'en')}–{_num(b[3], 'en')} m N")
    return (f"Toạ độ trong khoảng {_num(b[0], 'vi')}–{_num(b[2], 'vi')} m Đông, "
            f"{_num(b[1], 'vi')}–{_num(b[3], 'vi')} m Bắc")


def _names(codes: tuple[str, ...], limit: int = 4) -> str:
    legacy = load_zones()["legacy"]
    names = [legacy[c]["name"] for c in codes if c in legacy]
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" (+{more})" if more > 0 else "")


def _score_one(b: Box, cand: _Candidate, region: Box | None, own: ZonedProvince | None,
               region_vi: str, region_en: str) -> CrsGuess | None:
    """Score one candidate; None when the data would fall outside the region."""
    box = b if cand.kind == "geographic" else _wgs84_box(b, cand.crs)
    if box is None:
        return None
    reg = region if region is not None else cand.area
    if region is None and cand.kind == "geographic":
        inside = _inside_vietnam(box)
        region_vi, region_en = "lãnh thổ Việt Nam", "Vietnam"
    else:
        inside = _inside(box, reg)
    if inside <= 0:
        return None
    fit = 0.8 * inside + 0.2 * _iou(box, reg)
    epsg = cand.crs.to_epsg()
    cid = _crs_id(cand.crs)
    is_own = (own is not None and cand.kind == "tm3"
              and math.isclose(cand.central_meridian or 0, own.central_meridian))
    notes_vi: list[str] = []
    notes_en: list[str] = []
    if cand.kind == "geographic":
        prior = 0.15 if cand.datum == "WGS 84" else 0.0
        what_vi = f"kinh độ, vĩ độ: {cand.crs.name} ({cid})"
        what_en = f"longitude/latitude: {cand.crs.name} ({cid})"
        if cand.datum != "WGS 84":
            notes_vi.append("không phân biệt được với WGS84 qua khoảng toạ độ (lệch khoảng 200 m)")
            notes_en.append("cannot be told from WGS84 by the ranges (about 200 m apart)")
    elif cand.kind == "tm3":
        prior = 0.15 if is_own else (0.05 if own is None else 0.0)
        dms = _dms(cand.central_meridian or 0)
        if not _band(b[0], b[2], _TM3_EASTING):
            fit *= _BAND_PENALTY
            notes_vi.append("toạ độ Đông ngoài khoảng thường gặp 300.000–700.000 m của TM-3")
            notes_en.append("eastings outside the usual TM-3 band 300,000–700,000 m")
        what_vi = f"phù hợp múi chiếu TM-3 kinh tuyến trục {dms} ({cid})"
        what_en = f"fit the VN-2000 TM-3 zone with central meridian {dms} ({cid})"
        if is_own and own is not None:
            what_vi += f" của {own.label('vi')}"
            what_en += f" of {own.label('en')}"
        else:
            if cand.legacy_provinces:
                what_vi += f", múi của {_names(cand.legacy_provinces)}"
                what_en += f", the zone of {_names(cand.legacy_provinces)}"
            if own is not None:
                notes_vi.append(f"không phải múi của {own.label('vi')} ({own.dms})")
                notes_en.append(f"not the zone of {own.label('en')} ({own.dms})")
    else:
        vn = cand.datum == "VN-2000"
        prior = 0.05 if vn else 0.0
        zone = "48N" if cand.central_meridian == 105.0 else "49N"
        if not _band(b[0], b[2], _UTM_EASTING):
            fit *= _BAND_PENALTY
            notes_vi.append("toạ độ Đông ngoài khoảng 166.000–834.000 m của UTM")
            notes_en.append("eastings outside the UTM band 166,000–834,000 m")
        what_vi = f"trong khoảng của lưới UTM múi {zone}: {cand.crs.name} ({cid})"
        what_en = f"within UTM zone {zone}'s range: {cand.crs.name} ({cid})"
        if not vn:
            notes_vi.append("cùng khoảng toạ độ với VN-2000 / UTM, lệch khoảng 200 m")
            notes_en.append("same ranges as VN-2000 / UTM, about 200 m apart")
    if cand.kind != "geographic" and not _band(b[1], b[3], _NORTHING):
        fit *= _BAND_PENALTY
        notes_vi.append("toạ độ Bắc ngoài khoảng 900.000–2.600.000 m của đất liền Việt Nam")
        notes_en.append("northings outside mainland Vietnam's 900,000–2,600,000 m")
    score = round(min(1.0, fit * (0.85 + prior)), 3)
    pct_vi, pct_en = _num(100 * inside, "vi"), _num(100 * inside, "en")
    reason_vi = (f"{_ranges(b, 'vi')}: {what_vi}; chuyển về WGS84, {pct_vi}% phạm vi dữ liệu nằm "
                 f"trong {region_vi}")
    reason_en = (f"{_ranges(b, 'en')}: {what_en}; converted to WGS84, {pct_en}% of the data's "
                 f"extent falls inside {region_en}")
    if notes_vi:
        reason_vi += "; " + "; ".join(notes_vi)
        reason_en += "; " + "; ".join(notes_en)
    return CrsGuess(crs=cid, name=cand.crs.name if epsg != 4326 else "WGS 84", score=score,
                    reason_vi=reason_vi + ".", reason_en=reason_en + ".", kind=cand.kind,
                    central_meridian=cand.central_meridian,
                    province_code=own.code if is_own and own is not None else None,
                    inside=round(inside, 4), wgs84_bounds=box)


def guess_crs(bounds: tuple[float, float, float, float], province_code: str | None = None,
              province_bbox: tuple[float, float, float, float] | None = None, *,
              edition: str = "legacy", min_score: float = 0.05) -> list[CrsGuess]:
    """Rank the CRSs that coordinates without a ``.prj`` may be in.

    Degrees within Vietnam are WGS84 (EPSG:4326, or VN-2000 geographic
    EPSG:4756, ~200 m apart and not separable by ranges). Metres are tried in
    every VN-2000 TM-3 zone, VN-2000 UTM 48N/49N and WGS 84 UTM 48N/49N: each
    reading is reprojected to WGS84 and scored by how much of it falls inside
    the province's box (``province_bbox``); without a box, inside the EPSG area
    of use of the province's zone, or, with no province either, of each
    candidate. The province's own TM-3 zone is preferred at equal fit, then
    VN-2000 UTM. TM-3 eastings are usually 500 000 ± 200 000 m, UTM ones
    166 000–834 000 m, northings 900 000–2 600 000 m; readings outside these
    bands are scored down, not dropped (island districts lie outside them).

    Parameters
    ----------
    bounds : tuple of float
        ``(minx, miny, maxx, maxy)`` of the file's coordinates (x = easting/lon).
    province_code : str, optional
        GSO code of the province the file is for.
    province_bbox : tuple of float, optional
        The province's WGS84 box ``(minx, miny, maxx, maxy)``; given ~2 km margin.
    edition : {"legacy", "2025"}
        Registry of ``province_code``.
    min_score : float
        Guesses scoring below are left out.

    Returns
    -------
    list of CrsGuess
        Best first; empty when nothing puts the data where it should be.

    Raises
    ------
    ValidationError
        Malformed ``bounds`` or ``province_bbox``.
    NotFoundError
        Unknown ``province_code``.

    Examples
    --------
    >>> g = guess_crs((420000, 2280000, 600000, 2430000), "14")
    >>> g[0].crs, g[0].province_code
    ('EPSG:9206', '14')
    """
    b = _check_bounds(bounds)
    own = province_zone(province_code, edition) if province_code is not None else None
    region: Box | None = None
    if province_bbox is not None:
        region = _grow(_check_bounds(province_bbox, "province_bbox"), _MARGIN_DEG)
        if own is not None:
            region_vi, region_en = f"phạm vi {own.label('vi')}", f"the extent of {own.label('en')}"
        else:
            region_vi, region_en = "phạm vi tỉnh đã cho", "the given province's extent"
    elif own is not None:
        a = own.crs.area_of_use
        region = _grow(tuple(a.bounds), _MARGIN_DEG) if a is not None else VIETNAM_BBOX
        region_vi = f"vùng sử dụng múi chiếu của {own.label('vi')} theo EPSG"
        region_en = f"the EPSG area of use of {own.label('en')}'s zone"
    else:
        region_vi = "vùng sử dụng của hệ toạ độ này theo EPSG"
        region_en = "this CRS's EPSG area of use"
    degrees = _is_degrees(b)
    out = []
    for cand in _candidates():
        if (cand.kind == "geographic") != degrees:
            continue
        g = _score_one(b, cand, region, own, region_vi, region_en)
        if g is not None and g.score >= min_score:
            out.append(g)
    out.sort(key=lambda g: -g.score)
    return out


def check_declared_crs(bounds: tuple[float, float, float, float], declared_crs: Any,
                       province_bbox: tuple[float, float, float, float] | None = None, *,
                       province_code: str | None = None,
                       edition: str = "legacy") -> CrsGuess | None:
    """Flag a declared CRS (a ``.prj``) that cannot be right for the data.

    Flagged: a CRS that cannot be read; degrees declared for metre values or the
    reverse; data that the declared CRS puts mostly outside Vietnam, or (with
    ``province_bbox``) less than 80% inside the province's box, or clearly less
    inside it than another CRS puts it. Not seen: a WGS84/VN-2000 datum mix-up
    (~200 m) or a neighbouring zone on a large province.

    Parameters
    ----------
    bounds : tuple of float
        ``(minx, miny, maxx, maxy)`` of the file's coordinates.
    declared_crs : str, int or pyproj.CRS
        The CRS the file declares.
    province_bbox : tuple of float, optional
        The province's WGS84 box.
    province_code : str, optional
        Used to rank the suggested alternatives.
    edition : {"legacy", "2025"}
        Registry of ``province_code``.

    Returns
    -------
    CrsGuess or None
        None when the declared CRS is plausible; otherwise a guess with
        ``kind="declared"``, the declared CRS, ``score`` = the share inside, the
        problem in ``reason_vi``/``reason_en`` and better CRSs in ``suggestions``.
    """
    b = _check_bounds(bounds)
    pbox = _check_bounds(province_bbox, "province_bbox") if province_bbox is not None else None
    try:
        crs = CRS.from_user_input(declared_crs)
    except CRSError:
        crs = None

    def flag(vi: str, en: str, inside: float = 0.0, box: Box | None = None) -> CrsGuess:
        sugg = [g for g in guess_crs(b, province_code, pbox, edition=edition)
                if crs is None or not CRS.from_user_input(g.crs).equals(crs)][:3]
        if sugg:
            vi += f" Có thể là: {', '.join(g.crs for g in sugg)}."
            en += f" It may be: {', '.join(g.crs for g in sugg)}."
        return CrsGuess(crs=_crs_id(crs) if crs is not None else str(declared_crs),
                        name=crs.name if crs is not None else str(declared_crs),
                        score=round(inside, 3), reason_vi=vi, reason_en=en, kind="declared",
                        inside=round(inside, 4), wgs84_bounds=box, suggestions=sugg)

    if crs is None:
        return flag(f"Không đọc được hệ toạ độ khai báo ({str(declared_crs)[:60]}).",
                    f"The declared CRS cannot be read ({str(declared_crs)[:60]}).")
    degrees = _is_degrees(b)
    if crs.is_geographic and not degrees:
        return flag(f"Tệp khai báo {crs.name} (đơn vị độ) nhưng toạ độ là mét. "
                    f"{_ranges(b, 'vi')}.",
                    f"The file declares {crs.name} (degrees) but the coordinates are metres. "
                    f"{_ranges(b, 'en')}.")
    if crs.is_projected and degrees:
        return flag(f"Tệp khai báo {crs.name} (đơn vị mét) nhưng toạ độ giống kinh độ, vĩ độ. "
                    f"{_ranges(b, 'vi')}.",
                    f"The file declares {crs.name} (metres) but the coordinates look like "
                    f"longitude/latitude. {_ranges(b, 'en')}.")
    box = b if crs.is_geographic else _wgs84_box(b, crs)
    if box is None:
        return flag(f"Không chuyển được toạ độ từ {crs.name} sang WGS84: hệ khai báo có lẽ sai.",
                    f"The coordinates cannot be transformed from {crs.name} to WGS84: the "
                    "declared CRS is probably wrong.")
    in_vn = _inside_vietnam(box)
    if in_vn < 0.5:
        return flag(f"Theo hệ khai báo {crs.name}, dữ liệu nằm ngoài Việt Nam "
                    f"({_num(100 * (1 - in_vn), 'vi')}% phạm vi ở ngoài).",
                    f"Read as the declared {crs.name}, the data lies outside Vietnam "
                    f"({_num(100 * (1 - in_vn), 'en')}% of its extent outside).", in_vn, box)
    if pbox is None:
        return None
    region = _grow(pbox, _MARGIN_DEG)
    inside = _inside(box, region)
    best = guess_crs(b, province_code, pbox, edition=edition)
    better = [g for g in best if not g.to_crs().equals(crs) and (g.inside or 0) >= inside + 0.1]
    if inside < _OUTSIDE or better:
        why_vi = (f"Theo hệ khai báo {crs.name}, chỉ {_num(100 * inside, 'vi')}% phạm vi dữ liệu "
                  "nằm trong phạm vi tỉnh")
        why_en = (f"Read as the declared {crs.name}, only {_num(100 * inside, 'en')}% of the "
                  "data's extent falls inside the province")
        if better:
            alt = 100 * (better[0].inside or 0)
            why_vi += f"; theo {better[0].crs} là {_num(alt, 'vi')}%"
            why_en += f"; read as {better[0].crs} it is {_num(alt, 'en')}%"
        return flag(why_vi + ".", why_en + ".", inside, box)
    return None
