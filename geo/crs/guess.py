"""Guessing the CRS of coordinates that came without one, and checking a declared one.

Files often arrive without a ``.prj``, or with a wrong one: the coordinate ranges
and the province tell which CRS is plausible.

- :func:`guess_crs` ranks plausible CRSs for coordinates without a ``.prj``;
- :func:`check_declared_crs` flags a ``.prj`` that puts the data outside the
  province or outside Vietnam;
- :func:`rank_by_anchors` ranks CRSs by how many features land on known
  positions (a boundary file's communes on their registry centroids): the
  test that tells a wrong TM-3 zone or a UTM ``.prj`` from the right one.

Imports :mod:`geo.crs.zones` (the candidates) and :mod:`geo.crs.transform`
(each reading is reprojected with the pinned transformations).

Examples
--------
>>> g = guess_crs((420000, 2280000, 600000, 2430000), "14")
>>> g[0].crs, g[0].province_code
('EPSG:9206', '14')
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError, ProjError

from geo.crs.transform import WGS84, BallparkWarning, transformer
from geo.crs.zones import (
    ZonedProvince,
    crs_id,
    load_zones,
    meridian_dms,
    province_zone,
    zone_crs,
)
from geo.errors import ValidationError
from geo.i18n import fmt_number

__all__ = [
    "VIETNAM_BBOX",
    "VIETNAM_REGIONS",
    "CrsGuess",
    "check_declared_crs",
    "guess_crs",
    "rank_by_anchors",
    "share_inside",
]

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

Box = tuple[float, float, float, float]


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
    placed, total : int or None
        For :func:`rank_by_anchors`: features that land on their known position
        under this CRS, out of how many.
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
    placed: int | None = None
    total: int | None = None

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


def share_inside(box: Box, region: Box) -> float:
    """Share of a box inside a region box (0..1), as the product of the x and y shares.

    A box of zero width (or height) counts as inside along that axis when it lies
    within the region's range. Both boxes are ``(minx, miny, maxx, maxy)``.

    Examples
    --------
    >>> share_inside((0, 0, 2, 2), (1, 0, 5, 5))
    0.5
    >>> share_inside((0, 0, 1, 1), (2, 2, 3, 3))
    0.0
    """
    return (_share_1d(box[0], box[2], region[0], region[2])
            * _share_1d(box[1], box[3], region[1], region[3]))


def _inside_vietnam(box: Box) -> float:
    """Share of ``box`` inside :data:`VIETNAM_REGIONS` (which do not overlap)."""
    return min(1.0, sum(share_inside(box, r) for r in VIETNAM_REGIONS))


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
        inside = share_inside(box, reg)
    if inside <= 0:
        return None
    fit = 0.8 * inside + 0.2 * _iou(box, reg)
    epsg = cand.crs.to_epsg()
    cid = crs_id(cand.crs)
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
        dms = meridian_dms(cand.central_meridian or 0)
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
        return CrsGuess(crs=crs_id(crs) if crs is not None else str(declared_crs),
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
    inside = share_inside(box, region)
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


def _anchor_distances(geoms: Any, anchors: Any, cand: _Candidate, degrees: bool
                      ) -> tuple[Any, float] | None:
    """Metres from each geometry (read in ``cand``) to its anchor (WGS84 lon/lat), and the
    systematic offset: the length of the median (dx, dy) from anchors to the geometries'
    centroids (a same-meridian TM-3/UTM mix-up shifts everything ~700 m north).
    """
    import numpy as np
    import shapely

    lon, lat = np.asarray(anchors[0], float), np.asarray(anchors[1], float)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BallparkWarning)
            x, y = transformer(WGS84, cand.crs).transform(lon, lat)
    except (ProjError, CRSError):
        return None
    x, y = np.asarray(x, float), np.asarray(y, float)
    if not np.isfinite(x).all() or not np.isfinite(y).all():
        return None
    d = shapely.distance(geoms, shapely.points(x, y))
    c = shapely.centroid(geoms)
    dx, dy = shapely.get_x(c) - x, shapely.get_y(c) - y
    scale = 111_320.0 if degrees else 1.0  # lon/lat degrees: metres along the meridian
    ok = np.isfinite(dx) & np.isfinite(dy)
    bias = float(np.hypot(np.median(dx[ok]), np.median(dy[ok]))) * scale if ok.any() else 0.0
    return np.where(np.isfinite(d), d * scale, np.inf), bias


def rank_by_anchors(geoms: Any, anchors: tuple[Any, Any], tolerance_m: Any,
                    province_code: str | None = None, *, edition: str = "legacy"
                    ) -> list[CrsGuess]:
    """Rank CRSs by how many geometries land on their known positions.

    Each geometry (in the file's own coordinates, CRS unknown or doubted) has an
    anchor, a WGS84 point where it should lie (a commune's registry centroid).
    Every plausible CRS is tried — the VN-2000 TM-3 zones, VN-2000 and WGS 84
    UTM 48N/49N for metres; WGS 84 and VN-2000 geographic for degrees — by
    bringing the anchors into it and measuring their distance to the
    geometries (0 inside). A geometry is *placed* when that distance is within
    its tolerance. A wrong TM-3 zone moves everything by 50–100 km and a UTM
    reading by about 100 km, far beyond any commune's tolerance, so the right
    CRS places nearly all and the others nearly none. Among CRSs placing as many,
    one that shifts every geometry the same way by more than 300 m more than
    another loses to it (a TM-3 zone and UTM on the same meridian differ by ~700 m
    of northing); otherwise WGS 84 and VN-2000 twins (about 200 m apart) tie and
    the VN-2000 one, what official files use, comes first, then the province's
    own zone.

    Parameters
    ----------
    geoms : array of shapely geometries
        In the file's coordinates.
    anchors : (lon, lat) arrays
        WGS84 position each geometry should cover or lie near.
    tolerance_m : float or array
        Distance in metres within which a geometry counts as placed.
    province_code : str, optional
        Its own TM-3 zone wins ties.
    edition : {"legacy", "2025"}
        Registry of ``province_code``.

    Returns
    -------
    list of CrsGuess
        Best first (most placed), with ``placed``/``total``, ``score`` = the
        share placed and the reason in both languages; CRSs that place none
        are left out.

    Examples
    --------
    >>> import shapely
    >>> from geo.crs import transformer
    >>> x, y = transformer("EPSG:4326", "EPSG:9206").transform(104.0, 21.0)
    >>> sq = [shapely.box(x - 2000, y - 2000, x + 2000, y + 2000)]
    >>> best = rank_by_anchors(sq, ([104.0], [21.0]), 3000, "14")[0]
    >>> best.crs, best.placed, best.total
    ('EPSG:9206', 1, 1)
    """
    import numpy as np

    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    if n == 0:
        return []
    import shapely

    b = shapely.total_bounds(geoms)
    degrees = bool(np.isfinite(b).all()) and _is_degrees(tuple(float(v) for v in b))
    tol = np.broadcast_to(np.asarray(tolerance_m, float), (n,))
    own = None
    if province_code is not None:
        try:
            own = province_zone(province_code, edition)
        except Exception:  # noqa: BLE001 - ranking still works without a province
            own = None
    out: list[tuple[list, CrsGuess]] = []
    for cand in _candidates():
        if (cand.kind == "geographic") != degrees:
            continue
        got = _anchor_distances(geoms, anchors, cand, degrees)
        if got is None:
            continue
        d, bias = got
        placed = int((d <= tol).sum())
        if placed == 0:
            continue
        is_own = (own is not None and cand.kind == "tm3"
                  and math.isclose(cand.central_meridian or 0, own.central_meridian))
        prior = (cand.datum == "VN-2000", is_own)
        med = float(np.median(d[d <= tol]))
        cid = crs_id(cand.crs)
        name = cand.crs.name if cand.crs.to_epsg() != 4326 else "WGS 84"
        what_vi = name + (f" (múi chiếu của {own.label('vi')})" if is_own and own else "")
        what_en = name + (f" ({own.label('en')}'s zone)" if is_own and own else "")
        g = CrsGuess(
            crs=cid, name=name, score=round(placed / n, 3),
            reason_vi=(f"đọc theo {cid} {what_vi}: {placed}/{n} xã nằm đúng vị trí của mình "
                       f"trong danh mục (khoảng cách trung vị từ tâm xã đến đối tượng "
                       f"{fmt_number(round(med), 'vi')} m)"),
            reason_en=(f"read as {cid} {what_en}: {placed}/{n} communes lie where the "
                       f"registry has them (median distance from the commune's centre to "
                       f"the feature {fmt_number(round(med), 'en')} m)"),
            kind=cand.kind, central_meridian=cand.central_meridian,
            province_code=own.code if is_own and own else None, placed=placed, total=n)
        out.append(([-placed, bias, not prior[0], not prior[1], med], g))
    least: dict[int, float] = {}
    for key, _ in out:
        least[key[0]] = min(least.get(key[0], math.inf), key[1])
    for key, _ in out:  # biases within 300 m of the least among equals count as equal
        key[1] = key[1] > least[key[0]] + 300.0
    out.sort(key=lambda kv: kv[0])
    return [g for _, g in out]
