"""Incident points → counts per commune and period (the ``incidents`` indicator).

A CSV/XLSX of incidents has one row per incident with coordinates (``lat``/``lon``
in WGS84, or VN-2000 ``x``/``y`` in the province's TM-3 zone or ``crs=``), a date
and a type. Points are assigned to communes by a vectorised point-in-polygon
join (:class:`shapely.STRtree`) on the stored boundaries of the edition in force
in each period, and counted per commune and period. Rows without coordinates,
with a bad date or outside the province are reported with their row; by
default they stop the import, with ``skip_invalid`` they are skipped and listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import Problem, ValidationError
from geo.io.tables import Table, parse_number, problem, read_table

__all__ = ["IncidentImport", "count_incidents", "import_incidents", "period_ids"]

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
class IncidentImport:
    """Result of an incident import."""

    file: str
    counts: pd.DataFrame
    batch_id: int | None = None
    stored: int = 0
    points: int = 0
    skipped: list[Problem] = field(default_factory=list)
    already_imported: bool = False

    def to_dict(self) -> dict:
        """JSON-serialisable summary."""
        return {"file": self.file, "batch": self.batch_id, "stored": self.stored,
                "points": self.points, "already_imported": self.already_imported,
                "periods": sorted(self.counts.period.unique().tolist()) if len(self.counts)
                else [],
                "skipped_rows": [p.to_dict() for p in self.skipped]}


def period_ids(dates: pd.Series, kind: str = "H") -> np.ndarray:
    """Period id of each date: ``2023-H1`` (kind ``H``), ``2023-Q2`` (``Q``) or ``2023`` (``Y``)."""
    d = pd.to_datetime(dates)
    year = d.dt.year.astype(str)
    if kind == "Y":
        return year.to_numpy()
    if kind == "Q":
        return (year + "-Q" + ((d.dt.month - 1) // 3 + 1).astype(str)).to_numpy()
    return (year + "-H" + np.where(d.dt.month <= 6, "1", "2")).to_numpy()


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


def _numbers(col: pd.Series) -> np.ndarray:
    num = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(num) & col.notna().to_numpy()
    for i in np.flatnonzero(bad):  # "105,123" and other local forms
        v = parse_number(col.iloc[i])
        num[i] = np.nan if v is None else v
    return num


def _dates(col: pd.Series) -> pd.Series:
    s = col.astype("string").str.strip()
    iso = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    rest = iso.isna() & s.notna()
    if rest.any():
        iso[rest] = pd.to_datetime(s[rest].str.split(" ").str[0], dayfirst=True,
                                   errors="coerce", format="mixed")
    return iso


def import_incidents(
    path: str | Path,
    province: str,
    url: str | None = None,
    *,
    crs: str | None = None,
    period_kind: str = "H",
    skip_invalid: bool = False,
    dry_run: bool = False,
    user: str = "system",
    display_name: str | None = None,
    progress: Progress = None,
) -> IncidentImport:
    """Count the incidents of a file per commune and period and store them.

    Communes with no incident in a period covered by the file get 0 for it (the
    file is taken to be the province's complete list for those periods).

    Parameters
    ----------
    path : str or Path
        CSV or XLSX, one incident per row.
    province : str
        Province code or name.
    url : str, optional
        Database URL.
    crs : str, optional
        CRS of ``x``/``y`` columns (default: the province's VN-2000 TM-3 zone).
    period_kind : {"H", "Q", "Y"}
        Half-years (default), quarters or years.
    skip_invalid : bool
        Skip rows without coordinates, with bad dates or outside the province
        (they are listed in the result) instead of refusing the file.
    dry_run : bool
        Count only; store nothing.
    user, display_name, progress :
        As for the other imports.

    Returns
    -------
    IncidentImport

    Raises
    ------
    ValidationError
        Listing every bad row (file, row, column); nothing stored.
    """
    from geo.crs import WGS84, province_crs, transformer
    from geo.db import session_scope
    from geo.io.boundaries import province_bbox
    from geo.periods import parse_period
    from geo.store import (
        current_boundaries,
        file_sha256,
        find_active_batch,
        init_db,
        lock_units,
        new_batch,
        province_units,
        write_values,
    )

    name = display_name or Path(path).name

    def step(f: float, m: str) -> None:
        if progress:
            progress(f, m)

    step(0.05, "Đọc tệp")
    tab = read_table(path, name)
    cols = _columns(tab)
    df = tab.df
    pcode, bbox, pname = province_bbox(province)
    problems: list[Problem] = []
    if "lat" in cols:
        lon, lat = _numbers(df[cols["lon"]]), _numbers(df[cols["lat"]])
        ccol = cols["lat"]
    else:
        x, y = _numbers(df[cols["x"]]), _numbers(df[cols["y"]])
        src = crs or province_crs(pcode)
        tr = transformer(src, WGS84)
        lon, lat = tr.transform(x, y)
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        ccol = cols["x"]
    dates = _dates(df[cols["date"]])
    today = pd.Timestamp(date.today())
    no_xy = ~(np.isfinite(lon) & np.isfinite(lat))
    bad_date = dates.isna().to_numpy()
    future = (dates > today).fillna(False).to_numpy()
    step(0.3, "Ghép điểm vào xã")
    init_db(url)
    periods = np.full(len(df), "", dtype=object)
    ok_dates = ~bad_date & ~future
    periods[ok_dates] = period_ids(dates[ok_dates], period_kind)
    unit_code = np.full(len(df), None, dtype=object)
    all_codes: dict[str, list[str]] = {}
    with session_scope(url) as s:
        for per_id in sorted(set(periods[ok_dates & ~no_xy])):
            per = parse_period(per_id)
            ed = per.edition
            polys = current_boundaries(s, province, ed)
            if polys.empty:
                raise ValidationError(
                    f"Chưa có ranh giới xã ({ed}) của {pname} để ghép điểm; hãy nhập ranh giới "
                    "trước (diaban import boundaries).",
                    f"No {ed} commune boundaries of {pname} stored to join points to; import "
                    "boundaries first (diaban import boundaries).", file=name)
            all_codes.setdefault(per_id, list(province_units(s, province, ed).code))
            sel = np.flatnonzero((periods == per_id) & ~no_xy)
            counts, unit = count_incidents(lon[sel], lat[sel], periods[sel], polys)
            inside = unit >= 0
            unit_code[sel[inside]] = polys.code.to_numpy()[unit[inside]]
    outside = ~no_xy & ok_dates & (unit_code == None)  # noqa: E711 - numpy elementwise
    for i in np.flatnonzero(no_xy):
        problems.append(problem(tab, int(i), ccol, "thiếu tọa độ hoặc tọa độ không phải số",
                                "missing or non-numeric coordinates"))
    for i in np.flatnonzero(bad_date & ~no_xy):
        problems.append(problem(tab, int(i), cols["date"],
                                f"ngày '{df[cols['date']].iloc[i]}' không đọc được",
                                f"unreadable date '{df[cols['date']].iloc[i]}'"))
    for i in np.flatnonzero(future & ~no_xy):
        problems.append(problem(tab, int(i), cols["date"], "ngày ở tương lai",
                                "date in the future"))
    for i in np.flatnonzero(outside):
        problems.append(problem(tab, int(i), ccol,
                                f"điểm ({lon[i]:.5f}, {lat[i]:.5f}) nằm ngoài các xã của {pname}",
                                f"point ({lon[i]:.5f}, {lat[i]:.5f}) is outside the communes of "
                                f"{pname}", ))
    problems.sort(key=lambda p: p.row or 0)
    good = unit_code != None  # noqa: E711
    if problems and (not skip_invalid or not good.any()):
        why = ("" if good.any() else " Không có điểm nào hợp lệ trong tỉnh.")
        raise ValidationError(
            f"Tệp '{name}' có {len(problems)} dòng lỗi; chưa lưu gì.{why} Sửa các dòng dưới đây "
            "hoặc dùng --skip-invalid để bỏ qua chúng.",
            f"File '{name}' has {len(problems)} bad rows; nothing stored. Fix the rows below or "
            "use --skip-invalid to skip them.", problems=problems, file=name)
    if not good.any():
        raise ValidationError("Tệp không có vụ việc nào.", "The file has no incidents.",
                              file=name)
    found = pd.DataFrame({"unit_code": unit_code[good], "period": periods[good]})
    counts = found.groupby(["unit_code", "period"]).size().rename("value").reset_index()
    full = pd.DataFrame([(c, p) for p, cs in all_codes.items() for c in cs],
                        columns=["unit_code", "period"])
    counts = full.merge(counts, how="left").fillna({"value": 0})
    counts["indicator"] = "incidents"
    res = IncidentImport(name, counts, points=int(good.sum()), skipped=problems)
    if dry_run:
        return res
    step(0.8, "Lưu")
    sha = file_sha256(path)
    editions = {per_id: parse_period(per_id).edition
                for per_id in counts.period.unique()}
    with session_scope(url) as s:
        # Hold the provinces' locks from the check to the write (see geo.store.lock_units).
        lock_units(s, zip(counts.period.map(editions), counts.unit_code))
        prev = find_active_batch(s, "incidents", sha)
        if prev is not None:
            res.batch_id, res.already_imported = prev.id, True
            return res
        b = new_batch(s, "incidents", user=user, file_name=name, sha256=sha,
                      province_code=pcode)
        for per_id, grp in counts.groupby("period"):
            res.stored += write_values(s, grp, b, editions[per_id])
        res.batch_id = b.id
    step(1.0, "Xong")
    return res
