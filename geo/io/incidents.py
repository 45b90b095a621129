"""Incident points → counts per commune and period (the ``incidents`` indicator).

A CSV/XLSX of incidents has one row per incident with coordinates (``lat``/``lon``
in WGS84, or VN-2000 ``x``/``y`` in the province's TM-3 zone or ``crs=``), a date
and a type. :func:`read_incidents` reads the file once into points with their
period; :func:`join_incidents` assigns them to communes by a vectorised
point-in-polygon join (:class:`shapely.STRtree`) on the boundaries of the
edition in force in each period (the caller brings them; storing the counts is
:mod:`geo.services.imports`), and counts them per commune and period. Rows
without coordinates, with a bad date or outside the province are problems with
their row.

Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import Problem, ValidationError
from geo.io.tables import Table, parse_number, problem, read_table
from geo.periods import period_ids

__all__ = ["IncidentPoints", "count_incidents", "join_incidents",
           "read_incidents"]

Progress = Callable[[float, str], None] | None

_ALIASES = {
    "lat": ["lat", "latitude", "vi_do", "vĩ độ", "vido"],
    "lon": ["lon", "lng", "long", "longitude", "kinh_do", "kinh độ", "kinhdo"],
    "x": ["x", "toa_do_x", "tọa độ x", "easting"],
    "y": ["y", "toa_do_y", "tọa độ y", "northing"],
    "date": ["ngay", "ngày", "date", "ngay_xay_ra", "ngày xảy ra", "thoi_gian", "thời gian"],
    "type": ["loai", "loại", "type", "loai_vu_viec", "loại vụ việc"],
}


@dataclass
class IncidentPoints:
    """The incidents of a file, read once: WGS84 points with their period.

    Attributes
    ----------
    table : Table
        The cells as read (for locating problems).
    lon, lat : numpy.ndarray
        WGS84 coordinates per row (NaN where missing or not a number).
    periods : numpy.ndarray
        Period id per row (``""`` where the date is bad or in the future).
    problems : list of Problem
        One per bad cell (coordinates, dates), sorted by row.
    coord_col, date_col : str
        Columns problems point at.
    province_code, province_name : str
        The province the file covers.
    bad_rows : int
        Rows with at least one problem (what ``--skip-invalid`` skips).
    """

    table: Table
    lon: np.ndarray
    lat: np.ndarray
    periods: np.ndarray
    problems: list[Problem] = field(default_factory=list)
    coord_col: str = ""
    date_col: str = ""
    province_code: str = ""
    province_name: str = ""
    bad_rows: int = 0

    @property
    def located(self) -> np.ndarray:
        """Rows with coordinates and a usable date."""
        return (self.periods != "") & np.isfinite(self.lon) & np.isfinite(self.lat)

    def needed_periods(self) -> list[str]:
        """Periods of the located rows, sorted."""
        return sorted(set(self.periods[self.located]))


def count_incidents(lon: np.ndarray, lat: np.ndarray, periods: np.ndarray,
                    polygons: gpd.GeoDataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Count points per polygon and period with one vectorised spatial query.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        WGS84 coordinates.
    periods : numpy.ndarray
        Period id of each point.
    polygons : geopandas.GeoDataFrame
        ``code`` and polygon geometry in WGS84.

    Returns
    -------
    counts : pandas.DataFrame
        ``unit_code, period, value`` for every (commune, period) with at least one point.
    unit : numpy.ndarray
        Index into ``polygons`` of each point, ``-1`` when it lies in none.
    """
    pts = shapely.points(np.asarray(lon, float), np.asarray(lat, float))
    tree = shapely.STRtree(polygons.geometry.values)
    inp, poly = tree.query(pts, predicate="intersects")
    unit = np.full(len(pts), -1, dtype=np.int64)
    # A point on a shared border intersects two communes: the first one keeps it.
    unit[inp[::-1]] = poly[::-1]
    ok = unit >= 0
    codes = polygons["code"].to_numpy()
    df = pd.DataFrame({"unit_code": codes[unit[ok]], "period": np.asarray(periods)[ok]})
    counts = df.groupby(["unit_code", "period"], sort=True).size().rename("value")
    return counts.reset_index(), unit


def _columns(tab: Table) -> dict[str, str]:
    from geo.io.tables import column_key

    found = {column_key(c): c for c in tab.df.columns}
    out = {}
    for canon, names in _ALIASES.items():
        for n in names:
            if column_key(n) in found:
                out[canon] = found[column_key(n)]
                break
    has_ll = "lat" in out and "lon" in out
    has_xy = "x" in out and "y" in out
    missing = []
    if not has_ll and not has_xy:
        missing.append("lat/lon (vi_do/kinh_do) hoặc x/y")
    if "date" not in out:
        missing.append("ngay (date)")
    if missing:
        raise ValidationError(
            f"Thiếu cột: {', '.join(missing)}. Các cột trong tệp: {', '.join(tab.df.columns)}.",
            f"Missing columns: {', '.join(missing).replace('hoặc', 'or')}. Columns found: "
            f"{', '.join(tab.df.columns)}.", file=tab.file,
            row=tab.rows[0] - 1 if tab.rows else 1)
    return out


def _numbers(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Numbers of a column as people type them; and which cells hold text that is not one."""
    vals = col.to_numpy(dtype=object)
    num = np.full(len(vals), np.nan)
    text = np.zeros(len(vals), bool)
    for i, v in enumerate(vals):
        if v is None or (isinstance(v, float) and v != v) or str(v).strip() == "":
            continue
        x = parse_number(v)
        if x is None or x != x:
            text[i] = True
        else:
            num[i] = x
    return num, text


def _dates(col: pd.Series) -> pd.Series:
    s = col.astype("string").str.strip()
    iso = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    rest = iso.isna() & s.notna()
    if rest.any():
        iso[rest] = pd.to_datetime(s[rest].str.split(" ").str[0], dayfirst=True,
                                   errors="coerce", format="mixed")
    return iso


def read_incidents(
    path: str | Path,
    province: Any,
    *,
    crs: str | None = None,
    period_kind: str = "H",
    display_name: str | None = None,
    progress: Progress = None,
) -> IncidentPoints:
    """Read a file of incidents into WGS84 points with their period.

    Every bad cell is one problem with its row and column: a coordinate that is
    empty or not a number, an impossible latitude/longitude, latitude and longitude
    swapped (recognised: the other way round the point is in the province), a
    point outside Vietnam or outside the province (saying where it is), a date
    that is empty, not a date or in the future.

    Parameters
    ----------
    path : str or Path
        CSV or XLSX, one incident per row.
    province : str or Province
        Province code or name (a :class:`geo.registry.Province` is read in its edition).
    crs : str, optional
        CRS of ``x``/``y`` columns (default: the province's VN-2000 TM-3 zone).
    period_kind : {"H", "Q", "Y"}
        Half-years (default), quarters or years.
    display_name : str, optional
        File name shown in messages.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    IncidentPoints

    Raises
    ------
    ValidationError
        When the file cannot be read or lacks the coordinate or date columns.
    """
    from geo.crs import WGS84, province_crs, transformer
    from geo.io.boundaries import province_bbox
    from geo.io.placement import check_points, point_message
    from geo.registry import Province, find_province

    name = display_name or Path(path).name

    def step(f: float, m: str) -> None:
        if progress:
            progress(f, m)

    step(0.05, "Đọc tệp")
    tab = read_table(path, name)
    cols = _columns(tab)
    df = tab.df
    prov = province if isinstance(province, Province) else find_province(str(province))
    pcode, _, pname = province_bbox(prov)
    problems: list[Problem] = []
    bad_row = np.zeros(len(df), bool)

    def cell(i: int, col: str, vi: str, en: str) -> None:
        problems.append(problem(tab, int(i), col, vi, en))
        bad_row[i] = True

    if "lat" in cols:
        c1, c2 = cols["lat"], cols["lon"]
        lat, t1 = _numbers(df[c1])
        lon, t2 = _numbers(df[c2])
    else:
        c1, c2 = cols["x"], cols["y"]
        x, t1 = _numbers(df[c1])
        y, t2 = _numbers(df[c2])
    for c, txt in ((c1, t1), (c2, t2)):
        raw = df[c]
        for i in range(len(df)):
            v = raw.iloc[i]
            if txt[i]:
                cell(i, c, f"'{v}' không phải là số (tọa độ)",
                     f"'{v}' is not a number (coordinate)")
            elif v is None or str(v).strip() == "":
                cell(i, c, "thiếu tọa độ (ô trống)", "missing coordinate (empty cell)")
    if "lat" not in cols:
        src = crs or province_crs(prov.code, prov.edition)
        tr = transformer(src, WGS84)
        lon, lat = (np.asarray(a, float) for a in tr.transform(x, y))
        # Easting and northing typed the other way round: VN-2000 northings are millions.
        sx, sy = (np.asarray(a, float) for a in tr.transform(y, x))
    both = ~bad_row
    verdict, places = check_points(np.where(both, lat, np.nan), np.where(both, lon, np.nan),
                                   prov)
    if "lat" not in cols:
        v2, _ = check_points(np.where(both, sy, np.nan), np.where(both, sx, np.nan), prov)
        verdict = np.where((verdict != "ok") & (verdict != "missing") & (v2 == "ok"),
                           "swapped_xy", verdict)
    pair = f"{tab.where(0, c1)['column']}, {tab.where(0, c2)['column']}" if len(df) else ""
    for i in np.flatnonzero(both & (verdict != "ok") & (verdict != "missing")):
        if verdict[i] == "swapped_xy":
            vi = (f"tọa độ x và y bị đảo: ({x[i]:.0f}; {y[i]:.0f}) đọc ngược lại mới nằm "
                  f"trong {pname}; hãy đổi chỗ hai cột (x là hướng Đông, khoảng 300.000–"
                  "700.000 m; y là hướng Bắc, hàng triệu mét)")
            en = (f"x and y are swapped: ({x[i]:.0f}, {y[i]:.0f}) lies in {pname} only the "
                  "other way round; swap the two columns (x is the easting, about "
                  "300,000–700,000 m; y the northing, millions of metres)")
        else:
            vi, en = point_message(str(verdict[i]), lat[i], lon[i], places[i], pname,
                                   prov.edition)
        problems.append(Problem(vi, en, file=tab.file, row=tab.rows[i], column=pair))
        bad_row[i] = True
    dcol = cols["date"]
    dates = _dates(df[dcol])
    today = pd.Timestamp(date.today())
    empty_date = df[dcol].map(lambda v: v is None or str(v).strip() == "").to_numpy()
    bad_date = dates.isna().to_numpy() & ~empty_date
    future = (dates > today).fillna(False).to_numpy()
    for i in np.flatnonzero(empty_date):
        cell(i, dcol, "thiếu ngày (ô trống)", "missing date (empty cell)")
    for i in np.flatnonzero(bad_date):
        cell(i, dcol, f"ngày '{df[dcol].iloc[i]}' không đọc được (ghi dạng 31/12/2023 hoặc "
             "2023-12-31)", f"unreadable date '{df[dcol].iloc[i]}' (write 31/12/2023 or "
             "2023-12-31)")
    for i in np.flatnonzero(future):
        d = dates.iloc[i].strftime("%d/%m/%Y")
        cell(i, dcol, f"ngày {d} ở tương lai", f"date {d} is in the future")
    periods = np.full(len(df), "", dtype=object)
    ok = ~bad_row
    # The province reporting cycle: the assessment year from 15/12 (geo.periods).
    periods[ok] = period_ids(dates[ok], period_kind)
    lon = np.where(ok, lon, np.nan)
    lat = np.where(ok, lat, np.nan)
    problems.sort(key=lambda p: (p.row or 0))
    step(0.3, "Đã đọc")
    return IncidentPoints(tab, lon, lat, periods, problems, c1, dcol, pcode, pname,
                          int(bad_row.sum()))


def join_incidents(points: IncidentPoints, polygons: dict[str, gpd.GeoDataFrame],
                   communes: dict[str, list[str]]) -> tuple[pd.DataFrame, list[Problem], int]:
    """Assign points to communes and count them per commune and period.

    Communes with no incident in a period covered by the file get 0 for it (the
    file is taken to be the province's complete list for those periods).

    Parameters
    ----------
    points : IncidentPoints
        The file as read.
    polygons : dict
        Period id → commune boundaries (``code``, WGS84 polygons) of the edition
        in force in that period, for every period of :meth:`IncidentPoints.needed_periods`.
    communes : dict
        Period id → every commune code of the province in that edition.

    Returns
    -------
    counts : pandas.DataFrame
        ``unit_code, period, value, indicator`` (``incidents``).
    problems : list of Problem
        The file's problems and points outside every commune, sorted by row.
    points : int
        Number of incidents counted.
    """
    tab = points.table
    lon, lat, periods = points.lon, points.lat, points.periods
    located = points.located
    unit_code = np.full(len(periods), None, dtype=object)
    for per_id in points.needed_periods():
        polys = polygons[per_id]
        sel = np.flatnonzero((periods == per_id) & located)
        _, unit = count_incidents(lon[sel], lat[sel], periods[sel], polys)
        inside = unit >= 0
        unit_code[sel[inside]] = polys.code.to_numpy()[unit[inside]]
    outside = located & (unit_code == None)  # noqa: E711 - numpy elementwise
    problems = list(points.problems)
    for i in np.flatnonzero(outside):
        problems.append(problem(tab, int(i), points.coord_col,
                                f"điểm (vĩ độ {lat[i]:.5f}, kinh độ {lon[i]:.5f}) nằm ngoài các "
                                f"xã đã lưu ranh giới của {points.province_name}",
                                f"point (lat {lat[i]:.5f}, lon {lon[i]:.5f}) is outside the "
                                f"stored commune boundaries of {points.province_name}"))
    problems.sort(key=lambda p: p.row or 0)
    good = unit_code != None  # noqa: E711
    found = pd.DataFrame({"unit_code": unit_code[good], "period": periods[good]})
    counts = found.groupby(["unit_code", "period"]).size().rename("value").reset_index()
    full = pd.DataFrame([(c, p) for p, cs in communes.items() for c in cs],
                        columns=["unit_code", "period"])
    counts = full.merge(counts, how="left").fillna({"value": 0})
    counts["indicator"] = "incidents"
    return counts, problems, int(good.sum())
