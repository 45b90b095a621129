"""Reading and writing diaban's data: one place for every query.

Every function takes a SQLAlchemy ``Session`` (see :func:`geo.db.session_scope`);
functions that change data record an audit entry and, for imports, belong to an
:class:`~geo.db.ImportBatch` that can be undone. Nothing is hard-deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from geo.db import (
    PG_LOCK_NAMESPACE,
    AuditEntry,
    Boundary,
    CrosswalkRow,
    EditionRow,
    Facility,
    Hotspot,
    HotspotEvent,
    ImportBatch,
    IndicatorRow,
    IndicatorValue,
    Plan,
    PlanTarget,
    Unit,
    lock_schema,
    migrate,
    session_scope,
    utcnow,
)
from geo.errors import NotFoundError, ValidationError
from geo.indicators import convert_values, load_catalog
from geo.registry import EDITIONS, load_crosswalk, load_units

__all__ = [
    "HOTSPOT_STATUSES",
    "FACILITY_KINDS",
    "audit",
    "current_boundaries",
    "facilities",
    "file_sha256",
    "get_values",
    "hotspot_table",
    "init_db",
    "list_batches",
    "lock_province",
    "lock_units",
    "new_batch",
    "province_units",
    "save_boundaries",
    "undo_batch",
    "write_values",
]

#: Status of a designated hotspot commune, with Vietnamese and English labels.
HOTSPOT_STATUSES: dict[str, tuple[str, str]] = {
    "designated": ("Được xác định là địa bàn trọng điểm", "Designated"),
    "in_transformation": ("Đang chuyển hóa", "In transformation"),
    "transformed": ("Đã chuyển hóa", "Transformed"),
    "relapsed": ("Tái phức tạp", "Relapsed"),
    "removed": ("Đưa ra khỏi danh sách", "Removed"),
}

#: Facility types, with Vietnamese and English labels.
FACILITY_KINDS: dict[str, tuple[str, str]] = {
    "treatment_facility": ("Cơ sở cai nghiện ma túy", "Drug treatment facility"),
    "methadone": ("Cơ sở điều trị Methadone", "Methadone point"),
    "counselling": ("Điểm tư vấn, hỗ trợ cai nghiện", "Counselling point"),
    "club": ("Câu lạc bộ sau cai", "Post-treatment club"),
}


# ------------------------------------------------------------------ setup


def init_db(url: str | None = None, progress: Any = None) -> None:
    """Migrate the schema and load the registry, crosswalk and indicator catalog once.

    Safe to call again: seeds are loaded only when missing.
    """
    migrate(url)
    with session_scope(url) as s:
        lock_schema(s)  # another process may be seeding the same new database
        if s.scalar(select(func.count()).select_from(EditionRow)) == 0:
            for ed in EDITIONS.values():
                s.add(
                    EditionRow(
                        id=ed.id, name_vi=ed.name_vi, name_en=ed.name_en,
                        valid_from=ed.valid_from, valid_to=ed.valid_to,
                    )
                )
            s.flush()
        if s.scalar(select(func.count()).select_from(Unit)) == 0:
            for i, ed in enumerate(EDITIONS):
                if progress:
                    progress(0.1 + 0.4 * i, f"Nạp danh mục đơn vị hành chính ({ed})")
                df = load_units(ed).rename(columns={"edition": "edition_id"})
                df = df.drop(columns=["key", "province_name", "district_name"])
                rows = _records(df)
                s.execute(insert(Unit), rows)
        if s.scalar(select(func.count()).select_from(CrosswalkRow)) == 0:
            cw = load_crosswalk()
            rows = [
                {
                    "from_edition": "legacy", "from_code": r.old_code, "to_edition": "2025",
                    "to_code": r.new_code, "weight": float(r.weight), "split": bool(r.split),
                    "method": r.method, "source": "vietnamadminunits",
                }
                for r in cw.itertuples()
            ]
            s.execute(insert(CrosswalkRow), rows)
        known = set(s.scalars(select(IndicatorRow.id)))
        for ind in load_catalog():
            if ind.id not in known:
                s.add(
                    IndicatorRow(
                        id=ind.id, name_vi=ind.name_vi, name_en=ind.name_en,
                        unit_vi=ind.unit_vi, unit_en=ind.unit_en,
                        higher_is_worse=ind.higher_is_worse,
                        aggregate=ind.aggregate, convert=ind.convert,
                    )
                )


def _records(df: pd.DataFrame) -> list[dict]:
    """DataFrame → list of dicts with NaN turned into None (for bulk inserts)."""
    out = df.astype(object).where(df.notna(), None)
    return out.to_dict("records")


def audit(
    s: Session,
    user: str,
    action: str,
    entity: str,
    entity_id: Any = None,
    batch_id: int | None = None,
    **detail: Any,
) -> None:
    """Record who did what, when, from which batch."""
    s.add(
        AuditEntry(
            username=user, action=action, entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            batch_id=batch_id,
            detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
        )
    )


# ------------------------------------------------------------------ units


def province_units(s: Session, province: str, edition: str) -> pd.DataFrame:
    """Commune-level units of one province in one edition.

    Parameters
    ----------
    s : Session
        Open session.
    province : str
        Province code or name, of either edition. A legacy province asked for in
        the 2025 edition gives the 2025 communes its communes merged into (and
        vice versa).
    edition : {"legacy", "2025"}
        Registry edition of the communes returned.

    Returns
    -------
    pandas.DataFrame
        ``code, name, unit_type, district_code, district_name, province_code, lat, lon,
        area_km2`` for each commune.
    """
    from geo.registry import province_mask

    units = load_units(edition, "commune")
    mask = province_mask(units, province)
    if not mask.any():
        other = "legacy" if edition == "2025" else "2025"
        ou = load_units(other, "commune")
        om = province_mask(ou, province)
        if not om.any():
            raise NotFoundError(
                f"Không tìm thấy tỉnh '{province}'.", f"Province '{province}' not found."
            )
        codes = set(ou.loc[om, "code"])
        cw = crosswalk(s)
        if edition == "2025":
            mapped = set(cw.loc[cw.old_code.isin(codes), "new_code"])
        else:
            mapped = set(cw.loc[cw.new_code.isin(codes), "old_code"])
        mask = units.code.isin(mapped)
    cols = ["code", "name", "unit_type", "district_code", "district_name", "province_code",
            "province_name", "lat", "lon", "area_km2"]
    return units.loc[mask, cols].reset_index(drop=True)


def crosswalk(s: Session) -> pd.DataFrame:
    """The stored legacy → 2025 crosswalk (``old_code, new_code, weight, split, method``)."""
    rows = s.execute(
        select(
            CrosswalkRow.from_code, CrosswalkRow.to_code, CrosswalkRow.weight,
            CrosswalkRow.split, CrosswalkRow.method,
        ).where(CrosswalkRow.from_edition == "legacy", CrosswalkRow.to_edition == "2025")
    ).all()
    return pd.DataFrame(rows, columns=["old_code", "new_code", "weight", "split", "method"])


def set_split_weights(s: Session, weights: pd.DataFrame, method: str, user: str = "system") -> int:
    """Replace split-commune weights with area shares (``old_code, new_code, weight``)."""
    n = 0
    for r in weights.itertuples():
        res = s.execute(
            update(CrosswalkRow)
            .where(
                CrosswalkRow.from_code == r.old_code,
                CrosswalkRow.to_code == r.new_code,
                CrosswalkRow.split.is_(True),
            )
            .values(weight=float(r.weight), method=method)
        )
        n += res.rowcount or 0
    audit(s, user, "update", "crosswalk", None, rows=n, method=method)
    return n


# ------------------------------------------------------------------ batches


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (used to make re-imports idempotent)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def new_batch(
    s: Session,
    kind: str,
    user: str = "system",
    file_name: str | None = None,
    sha256: str | None = None,
    province_code: str | None = None,
    note: str | None = None,
) -> ImportBatch:
    """Create an import batch and audit it."""
    b = ImportBatch(
        kind=kind, username=user, file_name=file_name, file_sha256=sha256,
        province_code=province_code, note=note,
    )
    s.add(b)
    s.flush()
    audit(s, user, "import", kind, b.id, batch_id=b.id, file=file_name)
    return b


def find_active_batch(s: Session, kind: str, sha256: str) -> ImportBatch | None:
    """The active batch that imported a file with this hash, if any."""
    return s.scalars(
        select(ImportBatch).where(
            ImportBatch.kind == kind,
            ImportBatch.file_sha256 == sha256,
            ImportBatch.status == "active",
        )
    ).first()


def list_batches(s: Session, province_code: str | None = None) -> pd.DataFrame:
    """Import history, newest first."""
    q = select(ImportBatch).order_by(ImportBatch.id.desc())
    if province_code:
        q = q.where(ImportBatch.province_code == province_code)
    rows = [
        {
            "id": b.id, "kind": b.kind, "file": b.file_name, "user": b.username,
            "created_at": b.created_at, "rows": b.n_rows, "status": b.status,
            "province_code": b.province_code, "undone_at": b.undone_at,
        }
        for b in s.scalars(q)
    ]
    return pd.DataFrame(
        rows,
        columns=["id", "kind", "file", "user", "created_at", "rows", "status",
                 "province_code", "undone_at"],
    )


def undo_batch(s: Session, batch_id: int, user: str = "system") -> dict:
    """Undo an import batch: its rows stop being current and earlier values come back.

    Nothing is deleted; the batch is marked ``undone``.

    Raises
    ------
    NotFoundError
        When the batch does not exist.
    ValidationError
        When it was already undone.
    """
    b = s.get(ImportBatch, batch_id)
    if b is None:
        raise NotFoundError(
            f"Không có lần nhập dữ liệu số {batch_id}.", f"No import batch {batch_id}."
        )
    if s.get_bind().dialect.name == "postgresql":
        # Serialise with imports and undos of the same provinces, then look again:
        # another undo of this batch may have finished while we waited.
        lock_units(s, [
            (ed, code) for model in (IndicatorValue, Boundary)
            for ed, code in s.execute(select(model.edition_id, model.unit_code)
                                      .where(model.batch_id == batch_id).distinct())])
        s.refresh(b)
    if b.status != "active":
        raise ValidationError(
            f"Lần nhập số {batch_id} đã được hoàn tác trước đó.",
            f"Import batch {batch_id} was already undone.",
        )
    # Values: rows of this batch stop being current; for each key, the newest
    # remaining row from an active batch becomes current again.
    keys = s.execute(
        select(
            IndicatorValue.edition_id, IndicatorValue.unit_code,
            IndicatorValue.period, IndicatorValue.indicator_id,
        ).where(IndicatorValue.batch_id == batch_id).distinct()
    ).all()
    s.execute(
        update(IndicatorValue).where(IndicatorValue.batch_id == batch_id).values(is_current=False)
    )
    restored = 0
    for ed, code, period, ind in keys:
        prev = s.scalars(
            select(IndicatorValue)
            .join(ImportBatch, ImportBatch.id == IndicatorValue.batch_id, isouter=True)
            .where(
                IndicatorValue.edition_id == ed, IndicatorValue.unit_code == code,
                IndicatorValue.period == period, IndicatorValue.indicator_id == ind,
                IndicatorValue.batch_id != batch_id,
                (ImportBatch.status == "active") | (IndicatorValue.batch_id.is_(None)),
            )
            .order_by(IndicatorValue.id.desc())
        ).first()
        if prev is not None:
            prev.is_current = True
            restored += 1
    # Boundaries of this batch: the previous version becomes current again.
    bkeys = s.execute(
        select(Boundary.edition_id, Boundary.unit_code).where(Boundary.batch_id == batch_id)
    ).all()
    s.execute(update(Boundary).where(Boundary.batch_id == batch_id).values(is_current=False))
    for ed, code in bkeys:
        prev = s.scalars(
            select(Boundary)
            .join(ImportBatch, ImportBatch.id == Boundary.batch_id, isouter=True)
            .where(
                Boundary.edition_id == ed, Boundary.unit_code == code,
                Boundary.batch_id != batch_id,
                (ImportBatch.status == "active") | (Boundary.batch_id.is_(None)),
            )
            .order_by(Boundary.version.desc())
        ).first()
        if prev is not None:
            prev.is_current = True
    for model in (Facility, Hotspot, HotspotEvent):
        s.execute(update(model).where(model.batch_id == batch_id).values(active=False))
    b.status = "undone"
    b.undone_at = utcnow()
    b.undone_by = user
    audit(s, user, "undo", b.kind, batch_id, batch_id=batch_id, values=len(keys),
          restored=restored, boundaries=len(bkeys))
    return {"batch": batch_id, "values": len(keys), "restored": restored,
            "boundaries": len(bkeys)}


# ------------------------------------------------------------------ values


def write_values(
    s: Session,
    values: pd.DataFrame,
    batch: ImportBatch | None,
    edition: str,
    is_demo: bool = False,
) -> int:
    """Store long-form values as current, superseding earlier values of the same keys.

    Parameters
    ----------
    s : Session
        Open session.
    values : pandas.DataFrame
        Columns ``unit_code, period, indicator, value`` (already validated).
    batch : ImportBatch or None
        The batch they come from.
    edition : str
        Registry edition of ``unit_code``.
    is_demo : bool
        Mark the values as synthetic demo data.

    Returns
    -------
    int
        Number of values written.
    """
    if values.empty:
        return 0
    v = values[["unit_code", "period", "indicator", "value"]].copy()
    # Supersede: mark current rows of the same keys not current (chunked by indicator).
    for (ind, period), grp in v.groupby(["indicator", "period"]):
        codes = list(grp.unit_code.unique())
        for i in range(0, len(codes), 500):
            s.execute(
                update(IndicatorValue)
                .where(
                    IndicatorValue.edition_id == edition,
                    IndicatorValue.indicator_id == ind,
                    IndicatorValue.period == period,
                    IndicatorValue.unit_code.in_(codes[i : i + 500]),
                    IndicatorValue.is_current.is_(True),
                )
                .values(is_current=False)
            )
    now = utcnow()
    rows = [
        {
            "edition_id": edition, "unit_code": r.unit_code, "period": r.period,
            "indicator_id": r.indicator, "value": float(r.value),
            "batch_id": batch.id if batch else None, "is_current": True,
            "is_demo": is_demo, "created_at": now,
        }
        for r in v.itertuples()
    ]
    s.execute(insert(IndicatorValue), rows)
    if batch is not None:
        batch.n_rows = (batch.n_rows or 0) + len(rows)
    return len(rows)


def get_values(
    s: Session,
    province: str,
    edition: str,
    indicators: list[str] | None = None,
    periods: list[str] | None = None,
) -> pd.DataFrame:
    """Current values of a province on the communes of one edition.

    Values recorded on the other edition cross the reform through the
    crosswalk: legacy → 2025 by summing weighted counts (exact for whole
    merges); 2025 → legacy by sharing a new commune's count among its
    predecessors in proportion to their latest population (an estimate,
    flagged ``converted="estimated"``).

    Returns
    -------
    pandas.DataFrame
        ``unit_code, period, indicator, value, converted`` where ``converted`` is
        ``""`` (recorded on this edition), ``"crosswalk"`` or ``"estimated"``.
    """
    units = province_units(s, province, edition)
    other = "legacy" if edition == "2025" else "2025"
    cw = crosswalk(s)
    own = _read_values(s, edition, list(units.code), indicators, periods)
    own["converted"] = ""
    if edition == "2025":
        src_codes = list(cw.loc[cw.new_code.isin(units.code), "old_code"].unique())
    else:
        src_codes = list(cw.loc[cw.old_code.isin(units.code), "new_code"].unique())
    foreign = _read_values(s, other, src_codes, indicators, periods)
    if foreign.empty:
        out = own
    else:
        if edition == "2025":
            conv = convert_values(foreign, cw)
            conv["converted"] = "crosswalk"
        else:
            conv = _disaggregate(s, foreign, cw, src_codes)
            conv["converted"] = "estimated"
        conv = conv[conv.unit_code.isin(units.code)]
        # A value recorded on this edition wins over a converted one.
        key = ["unit_code", "period", "indicator"]
        conv = conv.merge(own[key], on=key, how="left", indicator=True)
        conv = conv[conv["_merge"] == "left_only"].drop(columns="_merge")
        out = pd.concat([own, conv], ignore_index=True)
    return out.sort_values(["indicator", "period", "unit_code"]).reset_index(drop=True)


def _read_values(
    s: Session,
    edition: str,
    codes: list[str],
    indicators: list[str] | None,
    periods: list[str] | None,
) -> pd.DataFrame:
    cols = ["unit_code", "period", "indicator", "value"]
    if not codes:
        return pd.DataFrame(columns=cols)
    frames = []
    for i in range(0, len(codes), 900):
        q = select(
            IndicatorValue.unit_code, IndicatorValue.period,
            IndicatorValue.indicator_id, IndicatorValue.value,
        ).where(
            IndicatorValue.edition_id == edition,
            IndicatorValue.is_current.is_(True),
            IndicatorValue.unit_code.in_(codes[i : i + 900]),
        )
        if indicators:
            q = q.where(IndicatorValue.indicator_id.in_(indicators))
        if periods:
            q = q.where(IndicatorValue.period.in_(periods))
        frames.append(pd.DataFrame(s.execute(q).all(), columns=cols))
    return pd.concat(frames, ignore_index=True)


def _disaggregate(
    s: Session, values: pd.DataFrame, cw: pd.DataFrame, new_codes: list[str]
) -> pd.DataFrame:
    """Share 2025-commune values among legacy predecessors by latest population."""
    link = cw[cw.new_code.isin(new_codes)][["old_code", "new_code", "weight"]]
    pop = _read_values(s, "legacy", list(link.old_code.unique()), ["population"], None)
    if pop.empty:
        link = link.assign(pop=1.0)
    else:
        latest = pop.sort_values("period").groupby("unit_code").value.last()
        link = link.assign(pop=link.old_code.map(latest).fillna(0.0))
    link["share"] = link["pop"] * link["weight"]
    total = link.groupby("new_code").share.transform("sum")
    n = link.groupby("new_code").share.transform("size")
    link["share"] = np.where(total > 0, link["share"] / total.where(total > 0, 1), 1.0 / n)
    m = values.merge(link, left_on="unit_code", right_on="new_code")
    m["value"] = m["value"] * m["share"]
    out = m.groupby(["old_code", "period", "indicator"], as_index=False).value.sum()
    return out.rename(columns={"old_code": "unit_code"})


def available_periods(s: Session) -> list[str]:
    """Periods that have any current value, sorted."""
    from geo.periods import parse_period

    ps = s.scalars(
        select(IndicatorValue.period).where(IndicatorValue.is_current.is_(True)).distinct()
    ).all()
    return [p.id for p in sorted(parse_period(p) for p in ps)]


# ------------------------------------------------------------------ boundaries


def save_boundaries(
    s: Session,
    gdf: gpd.GeoDataFrame,
    edition: str,
    source: str,
    batch: ImportBatch | None = None,
    source_crs: str | None = None,
    source_file: str | None = None,
) -> int:
    """Store boundaries (``code, geometry`` in WGS84) as the new current version.

    Earlier versions of the same units stay stored and stop being current;
    undoing the batch brings them back.
    """
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    codes = list(gdf["code"])
    latest = dict(
        s.execute(
            select(Boundary.unit_code, func.max(Boundary.version))
            .where(Boundary.edition_id == edition, Boundary.unit_code.in_(codes))
            .group_by(Boundary.unit_code)
        ).all()
    )
    for i in range(0, len(codes), 500):
        s.execute(
            update(Boundary)
            .where(
                Boundary.edition_id == edition,
                Boundary.unit_code.in_(codes[i : i + 500]),
                Boundary.is_current.is_(True),
            )
            .values(is_current=False)
        )
    for code, geom in zip(gdf["code"], gdf.geometry):
        s.add(
            Boundary(
                edition_id=edition, unit_code=code, version=latest.get(code, 0) + 1,
                geom=geom, source=source, source_crs=source_crs, source_file=source_file,
                batch_id=batch.id if batch else None, is_current=True,
            )
        )
    if batch is not None:
        batch.n_rows = (batch.n_rows or 0) + len(codes)
    return len(codes)


def current_boundaries(s: Session, province: str, edition: str) -> gpd.GeoDataFrame:
    """Current boundaries of a province's communes with their names, in WGS84.

    Returns
    -------
    geopandas.GeoDataFrame
        ``code, name, unit_type, district_name, source, version, geometry``; units
        without a stored boundary are left out.
    """
    units = province_units(s, province, edition)
    rows = []
    codes = list(units.code)
    for i in range(0, len(codes), 900):
        rows += s.execute(
            select(Boundary.unit_code, Boundary.source, Boundary.version, Boundary.geom).where(
                Boundary.edition_id == edition,
                Boundary.is_current.is_(True),
                Boundary.unit_code.in_(codes[i : i + 900]),
            )
        ).all()
    b = pd.DataFrame(rows, columns=["code", "source", "version", "geometry"])
    out = units[["code", "name", "unit_type", "district_name"]].merge(b, on="code")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=4326)


# ------------------------------------------------------------------ hotspots, facilities


def add_hotspot(
    s: Session,
    edition: str,
    unit_code: str,
    events: list[dict],
    plan_id: int | None = None,
    batch: ImportBatch | None = None,
    user: str = "system",
    note: str | None = None,
) -> Hotspot:
    """Designate a hotspot commune with its dated status events.

    Each event: ``status`` (a key of :data:`HOTSPOT_STATUSES`), ``event_date``,
    optionally ``decision_no``, ``decision_date``, ``note``. Dates must be in order.
    """
    last: date | None = None
    for ev in events:
        if ev["status"] not in HOTSPOT_STATUSES:
            raise ValidationError(
                f"Trạng thái '{ev['status']}' không hợp lệ; dùng: {', '.join(HOTSPOT_STATUSES)}.",
                f"Invalid status '{ev['status']}'; use: {', '.join(HOTSPOT_STATUSES)}.",
            )
        if last and ev["event_date"] < last:
            raise ValidationError(
                f"Các mốc trạng thái của xã {unit_code} không theo thứ tự thời gian.",
                f"Status events of commune {unit_code} are not in date order.",
            )
        last = ev["event_date"]
    h = Hotspot(edition_id=edition, unit_code=unit_code, plan_id=plan_id, note=note,
                batch_id=batch.id if batch else None)
    s.add(h)
    s.flush()
    for ev in events:
        s.add(HotspotEvent(hotspot_id=h.id, batch_id=batch.id if batch else None, **ev))
    audit(s, user, "create", "hotspot", h.id, batch_id=batch.id if batch else None,
          unit=unit_code, events=len(events))
    return h


def hotspot_table(s: Session, province: str | None = None, on: date | None = None) -> pd.DataFrame:
    """Designated hotspot communes with their status history and status on a date.

    Returns
    -------
    pandas.DataFrame
        One row per event: ``hotspot_id, edition, unit_code, name, status, event_date,
        decision_no, decision_date, note``; plus ``current_status`` (status of the
        hotspot on ``on``, default today) repeated on each row.
    """
    q = (
        select(
            Hotspot.id, Hotspot.edition_id, Hotspot.unit_code, HotspotEvent.status,
            HotspotEvent.event_date, HotspotEvent.decision_no, HotspotEvent.decision_date,
            HotspotEvent.note,
        )
        .join(HotspotEvent, HotspotEvent.hotspot_id == Hotspot.id)
        .where(Hotspot.active.is_(True), HotspotEvent.active.is_(True))
        .order_by(Hotspot.id, HotspotEvent.event_date, HotspotEvent.id)
    )
    cols = ["hotspot_id", "edition", "unit_code", "status", "event_date", "decision_no",
            "decision_date", "note"]
    df = pd.DataFrame(s.execute(q).all(), columns=cols)
    names = pd.concat(
        [load_units(e, "commune")[["edition", "code", "name", "province_code", "district_name"]]
         for e in EDITIONS]
    )
    df = df.merge(names, left_on=["edition", "unit_code"], right_on=["edition", "code"],
                  how="left").drop(columns="code")
    if province:
        keep = set()
        for ed in EDITIONS:
            try:
                keep |= {(ed, c) for c in province_units(s, province, ed).code}
            except NotFoundError:
                pass
        df = df[[(e, c) in keep for e, c in zip(df.edition, df.unit_code)]]
    on = on or date.today()
    cur = (
        df[df.event_date <= on].groupby("hotspot_id").status.last()
        if not df.empty else pd.Series(dtype=str)
    )
    df["current_status"] = df.hotspot_id.map(cur)
    return df.reset_index(drop=True)


def add_facility(s: Session, batch: ImportBatch | None = None, user: str = "system",
                 **fields: Any) -> Facility:
    """Store one facility (fields of :class:`geo.db.Facility`, validated by the caller)."""
    if fields.get("kind") not in FACILITY_KINDS:
        raise ValidationError(
            f"Loại cơ sở '{fields.get('kind')}' không hợp lệ; dùng: {', '.join(FACILITY_KINDS)}.",
            f"Invalid facility type '{fields.get('kind')}'; use: {', '.join(FACILITY_KINDS)}.",
        )
    f = Facility(batch_id=batch.id if batch else None, **fields)
    s.add(f)
    s.flush()
    audit(s, user, "create", "facility", f.id, batch_id=batch.id if batch else None,
          name=f.name, kind=f.kind)
    return f


def facilities(s: Session, province: str | None = None) -> gpd.GeoDataFrame:
    """Active facilities as WGS84 points (``id, kind, name, capacity, operator, opened_on``)."""
    q = select(Facility).where(Facility.active.is_(True))
    if province:
        from geo.registry import load_units as _lu
        from geo.registry import province_mask

        codes = set()
        for ed in EDITIONS:
            p = _lu(ed, "province")
            codes |= set(p.loc[province_mask(p, province), "code"])
        q = q.where(Facility.province_code.in_(codes))
    rows = [
        {
            "id": f.id, "kind": f.kind, "name": f.name, "capacity": f.capacity,
            "operator": f.operator, "opened_on": f.opened_on, "province_code": f.province_code,
            "is_demo": f.is_demo, "lon": f.lon, "lat": f.lat,
        }
        for f in s.scalars(q.order_by(Facility.id))
    ]
    df = pd.DataFrame(rows, columns=["id", "kind", "name", "capacity", "operator", "opened_on",
                                     "province_code", "is_demo", "lon", "lat"])
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon, df.lat), crs=4326)


# ------------------------------------------------------------------ plans


def plans(s: Session, province: str | None = None) -> pd.DataFrame:
    """Stored plans (``id, number, title_vi, title_en, start_year, end_year, province_code``)."""
    q = select(Plan).order_by(Plan.id)
    rows = [
        {"id": p.id, "number": p.number, "title_vi": p.title_vi, "title_en": p.title_en,
         "start_year": p.start_year, "end_year": p.end_year, "province_code": p.province_code,
         "issued_on": p.issued_on, "source": p.source}
        for p in s.scalars(q)
    ]
    df = pd.DataFrame(rows, columns=["id", "number", "title_vi", "title_en", "start_year",
                                     "end_year", "province_code", "issued_on", "source"])
    if province and not df.empty:
        from geo.registry import resolve_province

        code = resolve_province(province).code
        df = df[df.province_code == code]
    return df.reset_index(drop=True)


def plan_targets(s: Session, plan_id: int) -> pd.DataFrame:
    """Targets of a plan."""
    rows = [
        {"id": t.id, "key": t.key, "label_vi": t.label_vi, "label_en": t.label_en,
         "kind": t.kind, "indicator": t.indicator_id, "denominator": t.denominator_id,
         "target": t.target, "year": t.year, "source": t.source}
        for t in s.scalars(
            select(PlanTarget).where(PlanTarget.plan_id == plan_id).order_by(PlanTarget.id))
    ]
    return pd.DataFrame(rows, columns=["id", "key", "label_vi", "label_en", "kind", "indicator",
                                       "denominator", "target", "year", "source"])


# ------------------------------------------------------------------ concurrency


def lock_province(s: Session, code: str | None) -> None:
    """Serialise writers of one province until the session's transaction ends.

    Two imports that supersede values of the same keys at once would each mark
    the old rows not current and each insert a current row, leaving two current
    rows per key. Callers that write values or boundaries call this first, in
    the same transaction, before reading or superseding anything::

        with session_scope(url) as s:
            lock_units(s, ((edition, c) for c in values.unit_code))
            if find_active_batch(s, "indicators", sha) is None:
                b = new_batch(s, "indicators", ...)
                write_values(s, values, b, edition)

    On PostgreSQL this takes a transaction-level advisory lock on
    ``(namespace, province)``; other provinces are not blocked and the lock is
    released at commit or rollback. Lock several provinces in sorted order. On
    SQLite it does nothing: SQLite lets one transaction write at a time.

    Parameters
    ----------
    s : Session
        Session whose transaction holds the lock.
    code : str or None
        Province code (``None``: one lock shared by writes of unknown province).
    """
    if s.get_bind().dialect.name != "postgresql":
        return
    key = int(code) if code and str(code).isdigit() else (
        0 if not code else int(hashlib.sha256(str(code).encode()).hexdigest()[:7], 16))
    s.execute(select(func.pg_advisory_xact_lock(PG_LOCK_NAMESPACE, key)))


def lock_units(s: Session, units: Iterable[tuple[str, str]]) -> list[str | None]:
    """Take the :func:`lock_province` locks of every province these communes are in.

    Call it in the writing transaction before checking what is stored (e.g. whether
    the file was already imported) and before superseding anything. Provinces are
    locked in sorted order, so two writers of overlapping provinces cannot deadlock.
    Does nothing on SQLite.

    Parameters
    ----------
    s : Session
        Session whose transaction holds the locks.
    units : iterable of (str, str)
        ``(registry edition, commune code)`` of every value to be written (unknown
        codes share the lock of unknown provinces).

    Returns
    -------
    list of str or None
        The province codes locked, in the order taken (empty on SQLite).
    """
    if s.get_bind().dialect.name != "postgresql":
        return []
    by_edition: dict[str, set[str]] = {}
    for edition, code in units:
        by_edition.setdefault(str(edition), set()).add(str(code))
    provinces: set[str | None] = set()
    for edition, wanted in by_edition.items():
        prov = load_units(edition, "commune").set_index("code").province_code
        known = wanted & set(prov.index)
        provinces |= {str(p) for p in prov.loc[sorted(known)].unique()}
        if wanted - known:
            provinces.add(None)
    ordered = sorted(provinces, key=lambda c: (c is None, c or ""))
    for code in ordered:
        lock_province(s, code)
    return ordered


def data_version(s: Session) -> tuple:
    """``(newest batch id, newest undo time)``: changes whenever an import is stored or undone."""
    return tuple(s.execute(select(func.max(ImportBatch.id),
                                  func.max(ImportBatch.undone_at))).one())
