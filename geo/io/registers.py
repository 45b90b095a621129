"""Facilities and hotspot designations from CSV/XLSX (also the Data page's editor tables).

Validation: facility type from :data:`geo.vocab.FACILITY_KINDS` (id or Vietnamese/English
label), location inside the province, dates in order; hotspot status from
:data:`geo.vocab.HOTSPOT_STATUSES`, commune of the province, dates in order per commune;
texts no longer than the limits the caller gives (the database's ``VARCHAR`` lengths,
which PostgreSQL enforces). Every problem names its file, row and column.

Nothing here touches the database (storing is :mod:`geo.services.imports`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from geo.errors import Problem, ValidationError
from geo.io.tables import Table, column_key, parse_number, problem
from geo.vocab import FACILITY_KINDS, HOTSPOT_STATUSES

__all__ = ["FACILITY_FIELDS", "HOTSPOT_FIELDS", "validate_facilities", "validate_hotspots"]

#: Columns of the facilities frame :func:`validate_facilities` returns.
FACILITY_FIELDS = ["kind", "name", "province_code", "lat", "lon", "capacity", "operator",
                   "opened_on", "closed_on"]
#: Columns of the hotspot events frame :func:`validate_hotspots` returns.
HOTSPOT_FIELDS = ["edition", "unit_code", "status", "event_date", "decision_no", "note"]

FACILITY_COLS = {"kind": ["loai", "loại", "kind", "type"], "name": ["ten", "tên", "name"],
                 "lat": ["lat", "vi_do", "vĩ độ"], "lon": ["lon", "kinh_do", "kinh độ"],
                 "capacity": ["cong_suat", "công suất", "capacity"],
                 "operator": ["don_vi", "đơn vị quản lý", "operator"],
                 "opened_on": ["ngay_mo", "ngày mở", "opened_on"],
                 "closed_on": ["ngay_dong", "ngày đóng", "closed_on"]}
HOTSPOT_COLS = {"unit_code": ["ma_xa", "mã xã", "unit_code"], "status": ["trang_thai",
                "trạng thái", "status"], "event_date": ["ngay", "ngày", "date", "event_date"],
                "decision_no": ["so_quyet_dinh", "số quyết định", "decision_no"],
                "note": ["ghi_chu", "ghi chú", "note"]}


def _over_length(limits: Mapping[str, int] | None, column: str,
                 value: object) -> tuple[int, int] | None:
    """``(length, limit)`` when ``value`` is longer than the limit of the column."""
    limit = (limits or {}).get(column)
    if value is None or limit is None or len(str(value)) <= limit:
        return None
    return len(str(value)), limit


def _find(df: pd.DataFrame, aliases: dict[str, list[str]]) -> dict[str, str]:
    keys = {column_key(c): c for c in df.columns}
    return {k: keys[column_key(a)] for k, al in aliases.items() for a in al
            if column_key(a) in keys}


def _date(v: object) -> date | None | str:
    if v is None or (isinstance(v, float) and v != v) or str(v).strip() == "":
        return None
    if isinstance(v, date):
        return v
    s = str(v).strip().split(" ")[0]
    d = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    if pd.isna(d):
        d = pd.to_datetime(s, dayfirst=True, errors="coerce")
    return "bad" if pd.isna(d) else d.date()


def _kind(v: object) -> str | None:
    k = column_key(v)
    for kid, (vi, en) in FACILITY_KINDS.pairs().items():
        if k in (column_key(kid), column_key(vi), column_key(en)):
            return kid
    return None


def validate_facilities(df: pd.DataFrame, province: str, tab: Table | None = None,
                        file: str | None = None, limits: Mapping[str, int] | None = None
                        ) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate facility rows.

    Parameters
    ----------
    df : pandas.DataFrame
        One facility per row: ``loai, ten, vi_do, kinh_do`` and optionally
        ``cong_suat, don_vi, ngay_mo, ngay_dong`` (Vietnamese or English headers).
    province : str or Province
        Province code or name (or :class:`geo.registry.Province`); every facility
        must lie inside it: a coordinate that is not a number, impossible, swapped,
        outside Vietnam or outside the province is a problem of its cell.
    tab : Table, optional
        The file ``df`` was read from (problems then name its rows and columns).
    file : str, optional
        File name for messages when there is no ``tab``.
    limits : mapping, optional
        Longest text allowed per field (``name``, ``operator``).

    Returns
    -------
    facilities : pandas.DataFrame
        :data:`FACILITY_FIELDS`, one row per input row (object columns: ``None``
        where nothing was given).
    problems : list of Problem
        Every bad cell; nothing may be stored while this is not empty.

    Raises
    ------
    ValidationError
        When a required column is missing.
    """
    import numpy as np

    from geo.io.boundaries import province_bbox
    from geo.io.placement import check_points, point_message
    from geo.registry import Province, find_province

    prov = province if isinstance(province, Province) else find_province(str(province))
    pcode, _, pname = province_bbox(prov)
    cols = _find(df, FACILITY_COLS)
    probs: list[Problem] = []

    def bad(i: int, c: str, vi: str, en: str) -> None:
        probs.append(problem(tab, i, c, vi, en) if tab is not None else
                     Problem(vi, en, file=file, row=i + 1, column=c))

    for need in ("kind", "name", "lat", "lon"):
        if need not in cols:
            raise ValidationError(f"Thiếu cột {FACILITY_COLS[need][0]} ({need}).",
                                  f"Missing column {need}.", file=file)
    records = df.to_dict("records")
    lats = np.full(len(records), np.nan)
    lons = np.full(len(records), np.nan)
    for i, r in enumerate(records):
        for key, arr in (("lat", lats), ("lon", lons)):
            raw = r[cols[key]]
            v = parse_number(raw)
            if raw is None or str(raw).strip() == "" or (isinstance(raw, float) and raw != raw):
                bad(i, cols[key], "thiếu tọa độ (ô trống)", "missing coordinate (empty cell)")
            elif v is None:
                bad(i, cols[key], f"'{raw}' không phải là số (tọa độ)",
                    f"'{raw}' is not a number (coordinate)")
            else:
                arr[i] = v
    verdict, places = check_points(lats, lons, prov)
    recs = []
    for i, r in enumerate(records):
        kind = _kind(r[cols["kind"]])
        if kind is None:
            bad(i, cols["kind"], f"loại '{r[cols['kind']]}' không hợp lệ; dùng: "
                f"{', '.join(v.vi for v in FACILITY_KINDS.values())}",
                f"invalid type '{r[cols['kind']]}'; use: {', '.join(FACILITY_KINDS)}")
        lat = None if lats[i] != lats[i] else float(lats[i])
        lon = None if lons[i] != lons[i] else float(lons[i])
        if verdict[i] not in ("ok", "missing"):
            vi, en = point_message(str(verdict[i]), lats[i], lons[i], places[i], pname,
                                   prov.edition)
            bad(i, cols["lat"], vi, en)
        dates = {k: _date(r[cols[k]]) if k in cols else None for k in ("opened_on", "closed_on")}
        for k, v in dates.items():
            if v == "bad":
                bad(i, cols[k], f"ngày '{r[cols[k]]}' không đọc được",
                    f"unreadable date '{r[cols[k]]}'")
        o, c = dates["opened_on"], dates["closed_on"]
        if isinstance(o, date) and isinstance(c, date) and c < o:
            bad(i, cols["closed_on"], "ngày đóng trước ngày mở", "closed before opened")
        if not str(r[cols["name"]] or "").strip():
            bad(i, cols["name"], "thiếu tên cơ sở", "missing name")
        for key in ("name", "operator"):
            over = _over_length(limits, key, r[cols[key]] if key in cols else None)
            if over:
                bad(i, cols[key], f"quá dài ({over[0]} ký tự, tối đa {over[1]})",
                    f"too long ({over[0]} characters, at most {over[1]})")
        raw_cap = r[cols["capacity"]] if "capacity" in cols else None
        cap = parse_number(raw_cap)
        if cap is None and raw_cap is not None and str(raw_cap).strip() != "" and not (
                isinstance(raw_cap, float) and raw_cap != raw_cap):
            bad(i, cols["capacity"], f"công suất '{raw_cap}' không phải là số",
                f"capacity '{raw_cap}' is not a number")
        elif cap is not None and (cap < 0 or cap != int(cap)):
            bad(i, cols["capacity"], f"công suất '{raw_cap}' phải là số nguyên không âm",
                f"capacity '{raw_cap}' must be a whole number, not negative")
            cap = None
        recs.append({"kind": kind, "name": str(r[cols["name"]] or "").strip(),
                     "province_code": pcode, "lat": lat, "lon": lon,
                     "capacity": int(cap) if cap is not None else None,
                     "operator": r.get(cols.get("operator", ""), None),
                     "opened_on": o if isinstance(o, date) else None,
                     "closed_on": c if isinstance(c, date) else None})
    probs.sort(key=lambda p: p.row or 0)
    return pd.DataFrame(recs, columns=FACILITY_FIELDS, dtype=object), probs


def validate_hotspots(df: pd.DataFrame, province: str, tab: Table | None = None,
                      file: str | None = None, limits: Mapping[str, int] | None = None
                      ) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate hotspot status events (one row per event).

    Parameters
    ----------
    df : pandas.DataFrame
        ``ma_xa, trang_thai, ngay`` and optionally ``so_quyet_dinh, ghi_chu``.
    province : str
        Province code or name; every commune must be in it (either edition).
    tab, file :
        As for :func:`validate_facilities`.
    limits : mapping, optional
        Longest text allowed per field (``decision_no``).

    Returns
    -------
    events : pandas.DataFrame
        :data:`HOTSPOT_FIELDS`, the events of each commune together and in date
        order, communes in the order they first appear.
    problems : list of Problem
        Every bad cell; nothing may be stored while this is not empty.

    Raises
    ------
    ValidationError
        When a required column is missing.
    """
    from geo.registry import load_units

    cols = _find(df, HOTSPOT_COLS)
    probs: list[Problem] = []

    def bad(i: int, c: str, vi: str, en: str) -> None:
        probs.append(problem(tab, i, c, vi, en) if tab is not None else
                     Problem(vi, en, file=file, row=i + 1, column=c))

    for need in ("unit_code", "status", "event_date"):
        if need not in cols:
            raise ValidationError(f"Thiếu cột {HOTSPOT_COLS[need][0]} ({need}).",
                                  f"Missing column {need}.", file=file)
    from geo.registry import province_mask

    units = {}
    for ed in ("legacy", "2025"):
        u = load_units(ed, "commune")
        units[ed] = set(u.loc[province_mask(u, province), "code"])
    labels = {column_key(k): k for k in HOTSPOT_STATUSES}
    labels |= {column_key(v.vi): k for k, v in HOTSPOT_STATUSES.items()}
    labels |= {column_key(v.en): k for k, v in HOTSPOT_STATUSES.items()}
    out: dict[tuple[str, str], list[dict]] = {}
    for i, r in enumerate(df.to_dict("records")):
        raw = str(r[cols["unit_code"]] or "").strip().split(".")[0]
        code = raw.zfill(5) if raw.isdigit() else raw
        ed = "legacy" if code in units["legacy"] else "2025" if code in units["2025"] else None
        if ed is None:
            bad(i, cols["unit_code"], f"mã xã '{raw}' không thuộc tỉnh",
                f"commune code '{raw}' is not in the province")
            continue
        st = labels.get(column_key(r[cols["status"]]))
        if st is None:
            bad(i, cols["status"], f"trạng thái '{r[cols['status']]}' không hợp lệ",
                f"invalid status '{r[cols['status']]}'")
            continue
        d = _date(r[cols["event_date"]])
        if not isinstance(d, date):
            bad(i, cols["event_date"], "ngày trống hoặc không đọc được",
                "missing or unreadable date")
            continue
        if d > date.today():
            bad(i, cols["event_date"], f"ngày {d:%d/%m/%Y} ở tương lai",
                f"date {d:%d/%m/%Y} is in the future")
            continue
        over = _over_length(limits, "decision_no",
                            r[cols["decision_no"]] if "decision_no" in cols else None)
        if over:
            bad(i, cols["decision_no"], f"số quyết định quá dài ({over[0]} ký tự, tối đa "
                f"{over[1]})", f"decision number too long ({over[0]} characters, at most "
                f"{over[1]})")
            continue
        evs = out.setdefault((ed, code), [])
        if evs and d < evs[-1]["event_date"]:
            bad(i, cols["event_date"], f"ngày {d} sớm hơn mốc trước của xã {code}",
                f"date {d} is before the commune's previous event")
            continue
        evs.append({"status": st, "event_date": d,
                    "decision_no": r.get(cols.get("decision_no", ""), None),
                    "note": r.get(cols.get("note", ""), None)})
    rows = [{"edition": ed, "unit_code": code, **ev} for (ed, code), evs in out.items()
            for ev in evs]
    return pd.DataFrame(rows, columns=HOTSPOT_FIELDS, dtype=object), probs
