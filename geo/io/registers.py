"""Facilities and hotspot designations from CSV/XLSX (also used by the Data page editor).

Validation: facility type from :data:`geo.store.FACILITY_KINDS` (id or Vietnamese/English
label), location inside the province, dates in order; hotspot status from
:data:`geo.store.HOTSPOT_STATUSES`, commune of the province, dates in order per commune;
texts no longer than their columns (PostgreSQL enforces ``VARCHAR`` lengths).
All or nothing, one undoable batch.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from geo.db import Facility, HotspotEvent
from geo.errors import Problem, ValidationError
from geo.io.tables import Table, column_key, parse_number, problem, read_table

__all__ = ["import_facilities", "import_hotspots", "validate_facilities", "validate_hotspots"]

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


def _over_length(model: type, column: str, value: object) -> tuple[int, int] | None:
    """``(length, limit)`` when ``value`` is longer than the ``VARCHAR`` of the column."""
    limit = getattr(model.__table__.c[column].type, "length", None)
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
    from geo.store import FACILITY_KINDS

    k = column_key(v)
    for kid, (vi, en) in FACILITY_KINDS.items():
        if k in (column_key(kid), column_key(vi), column_key(en)):
            return kid
    return None


def validate_facilities(df: pd.DataFrame, province: str, tab: Table | None = None,
                        file: str | None = None) -> tuple[list[dict], list[Problem]]:
    """Validate facility rows; return records ready for :func:`geo.store.add_facility`."""
    from geo.io.boundaries import province_bbox
    from geo.store import FACILITY_KINDS

    pcode, (x0, y0, x1, y1), pname = province_bbox(province)
    cols = _find(df, FACILITY_COLS)
    probs: list[Problem] = []

    def bad(i: int, c: str, vi: str, en: str) -> None:
        probs.append(problem(tab, i, c, vi, en) if tab is not None else
                     Problem(vi, en, file=file, row=i + 1, column=c))

    for need in ("kind", "name", "lat", "lon"):
        if need not in cols:
            raise ValidationError(f"Thiếu cột {FACILITY_COLS[need][0]} ({need}).",
                                  f"Missing column {need}.", file=file)
    recs = []
    for i, r in enumerate(df.to_dict("records")):
        kind = _kind(r[cols["kind"]])
        if kind is None:
            bad(i, cols["kind"], f"loại '{r[cols['kind']]}' không hợp lệ; dùng: "
                f"{', '.join(v[0] for v in FACILITY_KINDS.values())}",
                f"invalid type '{r[cols['kind']]}'; use: {', '.join(FACILITY_KINDS)}")
        lat, lon = parse_number(r[cols["lat"]]), parse_number(r[cols["lon"]])
        if lat is None or lon is None:
            bad(i, cols["lat"], "thiếu tọa độ", "missing coordinates")
        elif not (x0 <= lon <= x1 and y0 <= lat <= y1):
            bad(i, cols["lat"], f"vị trí ({lat}, {lon}) nằm ngoài {pname}",
                f"location ({lat}, {lon}) is outside {pname}")
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
            over = _over_length(Facility, key, r[cols[key]] if key in cols else None)
            if over:
                bad(i, cols[key], f"quá dài ({over[0]} ký tự, tối đa {over[1]})",
                    f"too long ({over[0]} characters, at most {over[1]})")
        cap = parse_number(r[cols["capacity"]]) if "capacity" in cols else None
        recs.append({"kind": kind, "name": str(r[cols["name"]] or "").strip(),
                     "province_code": pcode, "lat": lat, "lon": lon,
                     "capacity": int(cap) if cap is not None else None,
                     "operator": r.get(cols.get("operator", ""), None),
                     "opened_on": o if isinstance(o, date) else None,
                     "closed_on": c if isinstance(c, date) else None})
    return recs, probs


def validate_hotspots(df: pd.DataFrame, province: str, tab: Table | None = None,
                      file: str | None = None) -> tuple[dict, list[Problem]]:
    """Validate hotspot event rows; return ``{(edition, code): [events]}`` and problems."""
    from geo.registry import load_units
    from geo.store import HOTSPOT_STATUSES

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
    labels |= {column_key(v[0]): k for k, v in HOTSPOT_STATUSES.items()}
    labels |= {column_key(v[1]): k for k, v in HOTSPOT_STATUSES.items()}
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
        over = _over_length(HotspotEvent, "decision_no",
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
    return out, probs


def _store(kind: str, path: str | Path, province: str, url: str | None, user: str,
           display_name: str | None) -> dict:
    from geo.db import session_scope
    from geo.store import (
        add_facility,
        add_hotspot,
        file_sha256,
        find_active_batch,
        init_db,
        lock_province,
        lock_units,
        new_batch,
    )

    name = display_name or Path(path).name
    tab = read_table(path, name)
    if kind == "facilities":
        recs, probs = validate_facilities(tab.df, province, tab, name)
    else:
        recs, probs = validate_hotspots(tab.df, province, tab, name)
    if probs:
        raise ValidationError(f"Tệp '{name}' có {len(probs)} lỗi; chưa lưu gì.",
                              f"File '{name}' has {len(probs)} problems; nothing stored.",
                              problems=probs, file=name)
    if not recs:
        raise ValidationError("Tệp không có dòng nào.", "The file has no rows.", file=name)
    init_db(url)
    sha = file_sha256(path)
    with session_scope(url) as s:
        # Hold the province's lock from the check to the write (see geo.store.lock_units).
        if kind == "facilities":
            lock_province(s, recs[0]["province_code"])
        else:
            lock_units(s, recs)  # keyed by (edition, commune code)
        prev = find_active_batch(s, kind, sha)
        if prev is not None:
            return {"file": name, "batch": prev.id, "stored": 0, "already_imported": True}
        b = new_batch(s, kind, user=user, file_name=name, sha256=sha)
        if kind == "facilities":
            for r in recs:
                add_facility(s, batch=b, user=user, **r)
        else:
            for (ed, code), evs in recs.items():
                add_hotspot(s, ed, code, evs, batch=b, user=user)
        b.n_rows = len(recs)
        return {"file": name, "batch": b.id, "stored": len(recs), "already_imported": False}


def import_facilities(path: str | Path, province: str, url: str | None = None,
                      user: str = "system", display_name: str | None = None) -> dict:
    """Import facilities from CSV/XLSX, all or nothing; returns ``file, batch, stored``."""
    return _store("facilities", path, province, url, user, display_name)


def import_hotspots(path: str | Path, province: str, url: str | None = None,
                    user: str = "system", display_name: str | None = None) -> dict:
    """Import hotspot designations (one row per status event), all or nothing."""
    return _store("hotspots", path, province, url, user, display_name)
