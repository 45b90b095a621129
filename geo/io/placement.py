"""Where things are, by the registry: is a commune's polygon where its commune is, is a point
in the province, in Vietnam, or are its latitude and longitude swapped?

The registry (:mod:`geo.registry`) has no polygons, but it has every commune's centroid,
its area (2025 edition) or bounding box (legacy edition), and its district and province.
That is enough to catch what matters in user files:

- :func:`check_features` — every matched boundary feature against its commune: near the
  registry's centroid, with an area close to the registry's, inside the province (and the
  district, legacy edition). Distances and areas are measured in the province's VN-2000
  TM-3 zone. A feature that fails is not stored as that commune: the import names it
  (``tên khớp với xã X nhưng nằm cách X 36 km, trong tỉnh Hải Dương``).
- :func:`check_points` — coordinates typed in a table (incidents, facilities): a number
  each, a possible latitude/longitude, not swapped, in Vietnam, in the province.
- :func:`locate` — which commune, district and province a WGS84 point falls in, from the
  legacy registry's bounding boxes (accurate to a few hundred metres at borders: it
  names where a misplaced thing is, it never decides alone).

Tolerances (stated here, once):

- a feature is *near* its commune when the commune's registry centroid lies inside it or
  within :data:`NEAR_KM` km of it (or :data:`NEAR_SHARE` × √area km for a commune larger
  than 100 km²); on the real Sơn La polygons 99 % of centroids lie inside their commune,
  while a wrong TM-3 zone moves every commune 50–100 km;
- its area is *close* when within a factor :data:`AREA_FACTOR` of the registry's: 2 for
  the 2025 edition (measured areas; the real polygons agree within ±15 %), 3 for the
  legacy edition, whose area is estimated as :data:`LEGACY_FILL` × the bounding box
  (real communes fill 21–69 % of their box);
- *inside* a province or district means inside the union of its communes' registry
  bounding boxes, grown by :data:`BOX_MARGIN_KM` km;
- a point farther than :data:`FAR_KM` km from every commune centroid of Vietnam is
  outside Vietnam.

Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo.errors import Problem

__all__ = [
    "AREA_FACTOR",
    "BOX_MARGIN_KM",
    "FAR_KM",
    "LEGACY_FILL",
    "NEAR_KM",
    "NEAR_SHARE",
    "POINT_VERDICTS",
    "Place",
    "check_features",
    "check_points",
    "locate",
    "point_message",
    "registry_places",
    "territory_codes",
    "tolerance_km",
]

#: Smallest distance (km) from the registry centroid a feature may lie and still be its commune.
NEAR_KM = 3.0
#: ... or this share of √(registry area in km²) for large communes.
NEAR_SHARE = 0.3
#: Area of a feature / registry area must lie within [1/f, f].
AREA_FACTOR = {"2025": 2.0, "legacy": 3.0}
#: Legacy registry: a commune's area is estimated as this share of its bounding box.
LEGACY_FILL = 0.5
#: Province and district extents: their communes' bounding boxes grown by this (km).
BOX_MARGIN_KM = 1.0
#: A point this far (km) from every commune centroid is outside Vietnam.
FAR_KM = 25.0

_KM_PER_DEG = 111.32


def tolerance_km(area_km2: Any) -> np.ndarray:
    """Distance (km) within which a feature counts as near its commune's centroid.

    ``max(NEAR_KM, NEAR_SHARE × √area)``; :data:`NEAR_KM` where the area is unknown.

    Examples
    --------
    >>> tolerance_km([50.0, 400.0, float("nan")]).round(1).tolist()
    [3.0, 6.0, 3.0]
    """
    a = np.asarray(area_km2, dtype=float)
    t = NEAR_SHARE * np.sqrt(np.where(np.isfinite(a) & (a > 0), a, 0.0))
    return np.maximum(NEAR_KM, t)


@lru_cache(maxsize=2)
def registry_places(edition: str) -> pd.DataFrame:
    """Every commune of an edition with what placement needs, indexed by code.

    Returns
    -------
    pandas.DataFrame
        ``name, province_code, province_name, district_code, district_name, lon, lat,
        area_km2, area_source`` (``registry`` for the 2025 edition's measured areas,
        ``bbox`` for the legacy estimate :data:`LEGACY_FILL` × bounding box).
    """
    from geo.registry import load_units

    u = load_units(edition, "commune").set_index("code")
    lon, lat = u.lon.astype(float), u.lat.astype(float)
    area = pd.to_numeric(u.area_km2, errors="coerce")
    src = pd.Series("registry", index=u.index)
    if edition == "legacy" or area.isna().all():
        box = u[["bbox_minx", "bbox_miny", "bbox_maxx", "bbox_maxy"]].apply(
            pd.to_numeric, errors="coerce")
        est = (LEGACY_FILL * (box.bbox_maxx - box.bbox_minx) * _KM_PER_DEG
               * np.cos(np.radians(lat)) * (box.bbox_maxy - box.bbox_miny) * 110.57)
        area = area.fillna(est) if edition != "legacy" else est
        src[:] = "bbox"
    out = pd.DataFrame({"name": u.name, "province_code": u.province_code,
                        "province_name": u.province_name, "district_code": u.district_code,
                        "district_name": u.district_name, "lon": lon, "lat": lat,
                        "area_km2": area, "area_source": src})
    return out


@lru_cache(maxsize=1)
def _legacy_boxes() -> tuple[pd.DataFrame, shapely.STRtree, shapely.STRtree]:
    """Legacy communes with their boxes grown by :data:`BOX_MARGIN_KM` (and two trees)."""
    from geo.registry import load_units

    u = load_units("legacy", "commune").reset_index(drop=True)
    lat = u.lat.astype(float).to_numpy()
    dy = BOX_MARGIN_KM / 110.57
    dx = BOX_MARGIN_KM / (_KM_PER_DEG * np.cos(np.radians(lat)))
    boxes = shapely.box(u.bbox_minx.astype(float) - dx, u.bbox_miny.astype(float) - dy,
                        u.bbox_maxx.astype(float) + dx, u.bbox_maxy.astype(float) + dy)
    pts = shapely.points(u.lon.astype(float).to_numpy(), lat)
    return u, shapely.STRtree(boxes), shapely.STRtree(pts)


@lru_cache(maxsize=1)
def _legacy_to_2025() -> pd.DataFrame:
    """Legacy commune → the 2025 commune that took most of it, and that one's province."""
    from geo.registry import load_crosswalk, load_units

    cw = load_crosswalk().sort_values("weight", ascending=False).drop_duplicates("old_code")
    new = load_units("2025", "commune").set_index("code")
    cw = cw.set_index("old_code")
    return pd.DataFrame({"new_code": cw.new_code,
                         "province_code": new.province_code.reindex(cw.new_code).to_numpy(),
                         "province_name": new.province_name.reindex(cw.new_code).to_numpy()},
                        index=cw.index)


@dataclass(frozen=True)
class Place:
    """Where a point is, by the registry (see :func:`locate`).

    Attributes
    ----------
    in_vietnam : bool
        Within :data:`FAR_KM` km of some commune centroid.
    commune_code, commune_name, district_name, province_code, province_name : str or None
        The legacy commune (district, province) the point falls in.
    province_2025_code, province_2025_name : str or None
        The 2025 province that commune belongs to now.
    """

    in_vietnam: bool
    commune_code: str | None = None
    commune_name: str | None = None
    district_name: str | None = None
    province_code: str | None = None
    province_name: str | None = None
    province_2025_code: str | None = None
    province_2025_name: str | None = None

    def label(self, edition: str, lang: str = "vi", district: bool = False) -> str:
        """``"tỉnh Hải Dương"`` (``"huyện Mộc Châu, tỉnh Sơn La"``), in ``edition``'s names."""
        if not self.in_vietnam:
            return "ngoài lãnh thổ Việt Nam" if lang == "vi" else "outside Vietnam"
        prov = self.province_2025_name if edition == "2025" else self.province_name
        prov = _lower_prefix(str(prov or ""), lang)
        if district and edition == "legacy" and self.district_name:
            return f"{_lower_prefix(self.district_name, lang)}, {prov}"
        return prov


def _lower_prefix(name: str, lang: str) -> str:
    """``"Tỉnh Hải Dương"`` → ``"tỉnh Hải Dương"`` (English: ``"Hải Dương province"``)."""
    from geo.names import strip_prefix

    kind, rest = strip_prefix(name)
    if lang == "en":
        en = {"tỉnh": "province", "thành phố": "city", "huyện": "district", "quận": "district",
              "thị xã": "town"}
        return f"{rest} {en.get(kind, '')}".strip() if kind else name
    return (name[:1].lower() + name[1:]) if kind else name


def locate(lon: Any, lat: Any) -> list[Place]:
    """Which legacy commune (district, province, and 2025 province) WGS84 points fall in.

    Among the communes whose registry bounding box (grown by :data:`BOX_MARGIN_KM`)
    holds the point, the one with the nearest centroid; when no box holds it, the
    nearest centroid within :data:`FAR_KM` km; else outside Vietnam.

    Parameters
    ----------
    lon, lat : array-like
        WGS84 degrees.

    Returns
    -------
    list of Place
        One per point (non-finite coordinates: outside Vietnam).

    Examples
    --------
    >>> p = locate([104.0], [21.3])[0]
    >>> p.province_name, p.in_vietnam
    ('Tỉnh Sơn La', True)
    >>> locate([100.5], [13.7])[0].in_vietnam   # Bangkok
    False
    """
    units, boxes, cents = _legacy_boxes()
    lon = np.atleast_1d(np.asarray(lon, float))
    lat = np.atleast_1d(np.asarray(lat, float))
    ok = np.isfinite(lon) & np.isfinite(lat)
    pts = shapely.points(np.where(ok, lon, 0.0), np.where(ok, lat, 0.0))
    best = np.full(len(pts), -1, dtype=np.int64)
    inp, cand = boxes.query(pts, predicate="intersects")
    if len(inp):
        cx = units.lon.astype(float).to_numpy()[cand]
        cy = units.lat.astype(float).to_numpy()[cand]
        d2 = ((cx - lon[inp]) * np.cos(np.radians(lat[inp]))) ** 2 + (cy - lat[inp]) ** 2
        order = np.lexsort((d2, inp))
        first = np.r_[True, inp[order][1:] != inp[order][:-1]]
        best[inp[order][first]] = cand[order][first]
    rest = np.flatnonzero((best < 0) & ok)
    if len(rest):
        near, dist = cents.query_nearest(pts[rest], return_distance=True)
        near_pt, near_u = near
        km = dist * _KM_PER_DEG
        keep = km <= FAR_KM
        best[rest[near_pt[keep]]] = near_u[keep]
    best[~ok] = -1
    to25 = _legacy_to_2025()
    out = []
    for i in best:
        if i < 0:
            out.append(Place(False))
            continue
        r = units.iloc[int(i)]
        n = to25.loc[r.code] if r.code in to25.index else None
        out.append(Place(True, str(r.code), str(r["name"]), r.district_name or None,
                         str(r.province_code), str(r.province_name),
                         None if n is None else str(n.province_code),
                         None if n is None else str(n.province_name)))
    return out


def territory_codes(province: Any, edition: str | None = None) -> set[str]:
    """Legacy commune codes covering a province (a 2025 province: its predecessors).

    Parameters
    ----------
    province : Province or str
        :class:`geo.registry.Province` (or a code/name, read in ``edition``).
    edition : {"legacy", "2025"}, optional
        Edition of a province given as text.
    """
    from geo.registry import Province, find_province, load_crosswalk, load_units

    p = province if isinstance(province, Province) else find_province(str(province), edition)
    u = load_units(p.edition, "commune")
    own = set(u.code[u.province_code == p.code])
    if p.edition == "legacy":
        return own
    cw = load_crosswalk()
    return set(cw.old_code[cw.new_code.isin(own)])


def _inside_boxes(lon: np.ndarray, lat: np.ndarray, codes: set[str]) -> np.ndarray:
    """Points inside the union of the grown registry boxes of some legacy communes."""
    units, boxes, _ = _legacy_boxes()
    pts = shapely.points(lon, lat)
    inp, cand = boxes.query(pts, predicate="intersects")
    hit = units.code.to_numpy()[cand]
    keep = np.fromiter((c in codes for c in hit), bool, len(hit))
    out = np.zeros(len(pts), bool)
    out[inp[keep]] = True
    return out


def _fmt(v: float, lang: str, digits: int = 0) -> str:
    from geo.i18n import fmt_number

    return fmt_number(round(float(v), digits), lang, digits)


def check_features(gdf: Any, codes: Any, province: Any, edition: str,
                   file: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Check matched boundary features against where their communes are.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        ``feature`` numbers and WGS84 polygons.
    codes : sequence of str
        The commune each feature was matched to (same order as ``gdf``).
    province : Province
        The province of the import (its TM-3 zone measures; its territory is
        where the features must lie).
    edition : {"legacy", "2025"}
        Registry edition of ``codes``.
    file : str, optional
        File name for the problems.

    Returns
    -------
    checks : pandas.DataFrame
        One row per feature: ``feature, code, distance_km, tolerance_km, area_km2,
        registry_area_km2, area_ratio, in_province, in_district, placed, reason``
        (``far``, ``area``, ``outside`` or ``None``) and ``where_vi``/``where_en``.
    problems : list of Problem
        One per feature not placed, naming the commune, the distance and where
        the feature lies instead.
    """
    import geopandas as gpd

    from geo.crs import from_wgs84, province_crs

    codes = [str(c) for c in codes]
    n = len(codes)
    cols = ["feature", "code", "distance_km", "tolerance_km", "area_km2", "registry_area_km2",
            "area_ratio", "in_province", "in_district", "placed", "reason", "where_vi",
            "where_en"]
    if n == 0:
        return pd.DataFrame(columns=cols), []
    reg = registry_places(edition).reindex(codes)
    zone = province_crs(province.code, province.edition)
    geoms = gpd.GeoSeries(list(gdf.geometry), crs=4326)
    metric = from_wgs84(geoms, zone).to_numpy()
    ax, ay = _anchor_xy(reg, zone)
    dist = shapely.distance(metric, shapely.points(ax, ay)) / 1000.0
    dist = np.where(np.isfinite(dist), dist, np.inf)
    tol = tolerance_km(reg.area_km2)
    # Several features chosen for one commune (its parts) are measured together.
    area = pd.Series(shapely.area(metric) / 1e6).groupby(pd.Series(codes)).transform("sum")
    ratio = area.to_numpy() / reg.area_km2.astype(float).to_numpy()
    f = AREA_FACTOR.get(edition, 3.0)
    bad_area = np.isfinite(ratio) & ((ratio > f) | (ratio < 1 / f))
    rep = shapely.point_on_surface(geoms.to_numpy())
    rx, ry = shapely.get_x(rep), shapely.get_y(rep)
    in_prov = _inside_boxes(rx, ry, territory_codes(province))
    in_dist = np.full(n, None, dtype=object)
    if edition == "legacy":
        legacy = registry_places("legacy")
        for d, idx in pd.Series(range(n)).groupby(reg.district_code.to_numpy()):
            members = set(legacy.index[legacy.district_code == d])
            in_dist[idx.to_numpy()] = _inside_boxes(rx[idx], ry[idx], members)
    far = dist > tol
    outside = ~in_prov | (in_dist == False)  # noqa: E712 - object array of bools/None
    reason = np.where(far, "far", np.where(outside, "outside",
                                           np.where(bad_area, "area", None)))
    placed = reason == None  # noqa: E711
    where_vi = np.full(n, None, dtype=object)
    where_en = np.full(n, None, dtype=object)
    problems: list[Problem] = []
    todo = np.flatnonzero(~placed)
    places = locate(rx[todo], ry[todo]) if len(todo) else []
    for k, i in enumerate(todo):
        pl = places[k]
        r = reg.iloc[i]
        wvi = pl.label(edition, "vi", district=True)
        wen = pl.label(edition, "en", district=True)
        where_vi[i], where_en[i] = wvi, wen
        cname = f"{r['name']} ({codes[i]})"
        if reason[i] == "far" or reason[i] == "outside":
            d = _fmt(dist[i], "vi", 0 if dist[i] >= 10 else 1)
            de = _fmt(dist[i], "en", 0 if dist[i] >= 10 else 1)
            vi = (f"tên khớp với {cname} nhưng nằm cách xã này {d} km, "
                  f"{'trong' if pl.in_vietnam else ''} {wvi}").replace("  ", " ")
            en = (f"the name matches {cname} but the feature lies {de} km from it, "
                  f"{'in ' if pl.in_vietnam else ''}{wen}")
            if reason[i] == "outside":
                scope_vi = "huyện" if in_prov[i] else "tỉnh"
                scope_en = "district" if in_prov[i] else "province"
                vi = (f"tên khớp với {cname} nhưng đối tượng nằm ngoài {scope_vi} của xã này, "
                      f"trong {wvi} (cách {d} km)")
                en = (f"the name matches {cname} but the feature lies outside its "
                      f"{scope_en}, in {wen} ({de} km away)")
        else:
            a, ra = area.iloc[i], float(r.area_km2)
            est_vi = "" if r.area_source == "registry" else " (ước tính từ khung bao)"
            est_en = "" if r.area_source == "registry" else " (estimated from its bounding box)"
            x = ratio[i] if ratio[i] >= 1 else 1 / max(ratio[i], 1e-9)
            more_vi = "lớn hơn" if ratio[i] >= 1 else "nhỏ hơn"
            more_en = "larger" if ratio[i] >= 1 else "smaller"
            vi = (f"tên khớp với {cname} nhưng diện tích {_fmt(a, 'vi', 1)} km² khác xa "
                  f"diện tích của xã trong danh mục, {_fmt(ra, 'vi', 1)} km²{est_vi} "
                  f"({more_vi} {_fmt(x, 'vi', 1)} lần; cho phép chênh tới {_fmt(f, 'vi')} lần)")
            en = (f"the name matches {cname} but its area, {_fmt(a, 'en', 1)} km², is far "
                  f"from the registry's {_fmt(ra, 'en', 1)} km²{est_en} ({_fmt(x, 'en', 1)} "
                  f"times {more_en}; {_fmt(f, 'en')} times at most)")
        problems.append(Problem(vi, en, file=file, row=int(gdf.feature.iloc[i]),
                                column="vị trí / position"))
    checks = pd.DataFrame({
        "feature": gdf.feature.to_numpy(), "code": codes,
        "distance_km": np.round(np.where(np.isfinite(dist), dist, np.nan), 3),
        "tolerance_km": np.round(tol, 2), "area_km2": np.round(area.to_numpy(), 3),
        "registry_area_km2": reg.area_km2.astype(float).round(3).to_numpy(),
        "area_ratio": np.round(ratio, 3), "in_province": in_prov, "in_district": in_dist,
        "placed": placed, "reason": reason, "where_vi": where_vi, "where_en": where_en})
    return checks, problems


def _anchor_xy(reg: pd.DataFrame, zone: Any) -> tuple[np.ndarray, np.ndarray]:
    from geo.crs import transformer

    x, y = transformer("EPSG:4326", zone).transform(reg.lon.astype(float).to_numpy(),
                                                     reg.lat.astype(float).to_numpy())
    return np.asarray(x, float), np.asarray(y, float)


#: Verdicts of :func:`check_points`.
POINT_VERDICTS = ("ok", "missing", "not_number", "impossible", "swapped", "outside_vietnam",
                  "outside_province")


def check_points(lat: Any, lon: Any, province: Any) -> tuple[np.ndarray, list[Place | None]]:
    """Judge typed latitude/longitude pairs (numbers already parsed; NaN = not a number).

    Parameters
    ----------
    lat, lon : array-like of float
        Parsed values (NaN where the cell was empty or not a number: the caller
        knows which and says so).
    province : Province
        The province the points must lie in.

    Returns
    -------
    verdict : numpy.ndarray of str
        Per point: ``ok``, ``missing`` (NaN), ``impossible`` (|lat| > 90 or
        |lon| > 180), ``swapped`` (read the other way round the point is in the
        province), ``outside_vietnam`` or ``outside_province``.
    places : list
        :class:`Place` of points outside the province (None elsewhere), to say
        where they are.

    Examples
    --------
    >>> from geo.registry import find_province
    >>> v, _ = check_points([21.33, 103.9, 95, 13.7, 21.03], [103.9, 21.33, 104, 100.5, 105.85],
    ...                     find_province("Sơn La"))
    >>> v.tolist()
    ['ok', 'swapped', 'impossible', 'outside_vietnam', 'outside_province']
    """
    lat = np.asarray(lat, float)
    lon = np.asarray(lon, float)
    n = len(lat)
    verdict = np.full(n, "ok", dtype=object)
    places: list[Place | None] = [None] * n
    miss = ~(np.isfinite(lat) & np.isfinite(lon))
    verdict[miss] = "missing"
    impossible = ~miss & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
    terr = territory_codes(province)
    cand = np.flatnonzero(~miss)
    if not len(cand):
        return verdict, places
    inside = np.zeros(n, bool)
    inside[cand] = _inside_boxes(np.where(impossible, 0, lon)[cand],
                                 np.where(impossible, 0, lat)[cand], terr)
    inside &= ~impossible
    swap_ok = ~miss & (np.abs(lon) <= 90) & (np.abs(lat) <= 180)
    swapped = np.zeros(n, bool)
    s_idx = np.flatnonzero(swap_ok & ~inside)
    if len(s_idx):
        swapped[s_idx] = _inside_boxes(lat[s_idx], lon[s_idx], terr)
    verdict[impossible] = "impossible"
    verdict[swapped] = "swapped"
    rest = np.flatnonzero(~miss & ~impossible & ~swapped & ~inside)
    if len(rest):
        for i, pl in zip(rest, locate(lon[rest], lat[rest])):
            places[i] = pl
            verdict[i] = "outside_province" if pl.in_vietnam else "outside_vietnam"
    return verdict, places


def point_message(verdict: str, lat: float, lon: float, place: Place | None,
                  province_name: str, edition: str = "2025") -> tuple[str, str]:
    """The Vietnamese and English message for a :func:`check_points` verdict."""
    pt_vi = f"(vĩ độ {_fmt(lat, 'vi', 5)}; kinh độ {_fmt(lon, 'vi', 5)})"
    pt_en = f"(latitude {_fmt(lat, 'en', 5)}, longitude {_fmt(lon, 'en', 5)})"
    if verdict == "impossible":
        return (f"tọa độ {pt_vi} không thể có (vĩ độ trong −90…90, kinh độ trong "
                "−180…180)", f"coordinates {pt_en} are impossible (latitude within "
                "−90…90, longitude within −180…180)")
    if verdict == "swapped":
        return (f"vĩ độ và kinh độ bị đảo: {pt_vi} đọc ngược lại mới nằm trong {province_name}; "
                "hãy đổi chỗ hai cột (ở Việt Nam vĩ độ khoảng 8–23, kinh độ khoảng 102–110)",
                f"latitude and longitude are swapped: {pt_en} lies in {province_name} only "
                "the other way round; swap the two columns (in Vietnam latitude is about "
                "8–23, longitude about 102–110)")
    if verdict == "outside_vietnam":
        return (f"điểm {pt_vi} nằm ngoài lãnh thổ Việt Nam",
                f"point {pt_en} lies outside Vietnam")
    if verdict == "outside_province":
        where_vi = place.label(edition, "vi") if place else "tỉnh khác"
        where_en = place.label(edition, "en") if place else "another province"
        return (f"điểm {pt_vi} nằm ngoài {province_name}, trong {where_vi}",
                f"point {pt_en} lies outside {province_name}, in {where_en}")
    return ("thiếu tọa độ", "missing coordinates")
