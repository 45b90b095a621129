"""The registers: designated hotspot communes with their status history, and facilities.

Statuses and facility kinds are the codes of :data:`geo.vocab.HOTSPOT_STATUSES`
and :data:`geo.vocab.FACILITY_KINDS`.

Imports :mod:`geo.store.schema`, :mod:`geo.store.units`, :mod:`geo.store.audit_log`,
:mod:`geo.registry` and :mod:`geo.vocab`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.errors import NotFoundError, ValidationError
from geo.registry import EDITIONS, Province, load_units, province_mask
from geo.store.audit_log import audit
from geo.store.schema import Facility, Hotspot, HotspotEvent, ImportBatch
from geo.store.units import province_units
from geo.vocab import FACILITY_KINDS, HOTSPOT_STATUSES

__all__ = ["add_facility", "add_hotspot", "facilities", "hotspot_table"]


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

    Parameters
    ----------
    s : Session
        Open session.
    edition : {"legacy", "2025"}
        Edition of ``unit_code``.
    unit_code : str
        The commune.
    events : list of dict
        Each: ``status`` (a code of :data:`geo.vocab.HOTSPOT_STATUSES`),
        ``event_date``, optionally ``decision_no``, ``decision_date``, ``note``;
        in date order.
    plan_id : int, optional
        The plan that designated it.
    batch : ImportBatch, optional
        The import it comes from.
    user : str
        Who (audited).
    note : str, optional
        Free text.

    Returns
    -------
    Hotspot
        Flushed (its ``id`` is set).

    Raises
    ------
    ValidationError
        An unknown status, or events out of date order.
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


def hotspot_table(s: Session, province: str | Province | None = None,
                  on: date | None = None) -> pd.DataFrame:
    """Designated hotspot communes with their status history and status on a date.

    Parameters
    ----------
    s : Session
        Open session.
    province : str, optional
        Only the hotspots of this province (code or name; communes of either edition).
    on : datetime.date, optional
        Date of ``current_status`` (default today).

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
    """Store one facility.

    Parameters
    ----------
    s : Session
        Open session.
    batch : ImportBatch, optional
        The import it comes from.
    user : str
        Who (audited).
    **fields
        Columns of :class:`geo.store.schema.Facility` (``kind, name, province_code,
        lat, lon``...), validated by the caller except ``kind``.

    Returns
    -------
    Facility
        Flushed (its ``id`` is set).

    Raises
    ------
    ValidationError
        ``kind`` is not a code of :data:`geo.vocab.FACILITY_KINDS`.
    """
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


def facilities(s: Session, province: str | Province | None = None) -> gpd.GeoDataFrame:
    """Active facilities as WGS84 points.

    Parameters
    ----------
    s : Session
        Open session.
    province : str, optional
        Only the facilities of this province (code or name of either edition).

    Returns
    -------
    geopandas.GeoDataFrame
        ``id, kind, name, capacity, operator, opened_on, province_code, is_demo,
        lon, lat, geometry`` (EPSG:4326).
    """
    q = select(Facility).where(Facility.active.is_(True))
    if isinstance(province, Province):
        # A facility carries the province code of either edition: the province's own
        # code and those of the provinces of the other edition its communes belong to.
        other = "legacy" if province.edition == "2025" else "2025"
        codes = {province.code} | set(province_units(s, province, other).province_code)
        q = q.where(Facility.province_code.in_(codes))
    elif province:
        codes = set()
        for ed in EDITIONS:
            p = load_units(ed, "province")
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
