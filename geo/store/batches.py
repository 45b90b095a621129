"""Import batches: each import is one batch that can be listed and undone, never deleted.

A batch records who imported which file (by SHA-256, so a file imported twice is
found, :func:`find_active_batch`) and when. Undoing it makes its rows stop being
current and brings back what they had superseded.

Imports :mod:`geo.store.schema`, :mod:`geo.store.session` (locks) and
:mod:`geo.store.audit_log`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from geo.errors import NotFoundError, ValidationError
from geo.store.audit_log import audit
from geo.store.schema import (
    BatchArea,
    Boundary,
    Facility,
    Hotspot,
    HotspotEvent,
    ImportBatch,
    IndicatorValue,
    utcnow,
)
from geo.store.session import lock_units, lock_writes

__all__ = ["batch_areas", "data_version", "file_batches", "file_sha256", "find_active_batch",
           "last_detail", "list_batches", "new_batch", "record_batch_areas", "undo_batch"]


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
    **detail: object,
) -> ImportBatch:
    """Create an import batch and audit it.

    Parameters
    ----------
    s : Session
        The importing transaction (hold the provinces' locks first,
        :func:`geo.store.session.lock_units`).
    kind : str
        ``"indicators"``, ``"boundaries"``, ``"incidents"``, ``"population"``,
        ``"facilities"``, ``"hotspots"``, ``"demo"``...
    user : str
        Who imports.
    file_name, sha256 : str, optional
        The file imported and the SHA-256 of its bytes (:func:`file_sha256`).
    province_code : str, optional
        Province the batch is for.
    note : str, optional
        Free text shown in the history.
    **detail
        Recorded with the batch's audit entry (e.g. ``result``, the key of what
        the import wrote, that :func:`file_batches` gives back).

    Returns
    -------
    ImportBatch
        Flushed (its ``id`` is set).
    """
    b = ImportBatch(
        kind=kind, username=user, file_name=file_name, file_sha256=sha256,
        province_code=province_code, note=note,
    )
    s.add(b)
    s.flush()
    audit(s, user, "import", kind, b.id, batch_id=b.id, file=file_name, **detail)
    return b


def record_batch_areas(s: Session, batch_id: int,
                       provinces: Iterable[tuple[str, str]] = ()) -> set[tuple[str, str]]:
    """Record the ``(edition, province)`` pairs a batch touches; call it after writing.

    The provinces of the communes of the batch's values, boundaries and hotspots
    (each in its own edition), and ``provinces`` when the rows name no commune
    (facilities: the province of the request, as a :class:`~geo.registry.Province`
    gives it). History, view and undo check a user's area against these.

    Returns
    -------
    set of (str, str)
        The pairs recorded.
    """
    from geo.registry import load_units

    s.flush()
    pairs: set[tuple[str, str]] = set()
    units = [select(m.edition_id, m.unit_code).where(m.batch_id == batch_id).distinct()
             for m in (IndicatorValue, Boundary, Hotspot)]
    units.append(select(Hotspot.edition_id, Hotspot.unit_code)
                 .join(HotspotEvent, HotspotEvent.hotspot_id == Hotspot.id)
                 .where(HotspotEvent.batch_id == batch_id).distinct())
    by_edition: dict[str, set[str]] = {}
    for q in units:
        for ed, code in s.execute(q):
            by_edition.setdefault(str(ed), set()).add(str(code))
    for ed, codes in by_edition.items():
        prov = load_units(ed, "commune").set_index("code").province_code
        pairs |= {(ed, str(prov[c])) for c in codes if c in prov.index}
    if not pairs:
        pairs = {(str(ed), str(code)) for ed, code in provinces}
    have = set(s.execute(select(BatchArea.edition_id, BatchArea.province_code)
                         .where(BatchArea.batch_id == batch_id)).tuples())
    for ed, code in sorted(pairs - have):
        s.add(BatchArea(batch_id=batch_id, edition_id=ed, province_code=code))
    s.flush()
    return pairs


def batch_areas(s: Session, batch_ids: Iterable[int] | None = None
                ) -> dict[int, frozenset[tuple[str, str]]]:
    """Batch id → the ``(edition, province)`` pairs it touches (empty when none recorded)."""
    q = select(BatchArea.batch_id, BatchArea.edition_id, BatchArea.province_code)
    if batch_ids is not None:
        ids = sorted({int(i) for i in batch_ids})
        if not ids:
            return {}
        q = q.where(BatchArea.batch_id.in_(ids))
    out: dict[int, set[tuple[str, str]]] = {}
    for b, ed, code in s.execute(q):
        out.setdefault(int(b), set()).add((str(ed), str(code)))
    return {k: frozenset(v) for k, v in out.items()}


def find_active_batch(s: Session, kind: str, sha256: str) -> ImportBatch | None:
    """The active batch that imported a file with this hash, if any.

    Parameters
    ----------
    s : Session
        Open session.
    kind : str
        Kind of import (see :func:`new_batch`).
    sha256 : str
        SHA-256 of the file's bytes.

    Returns
    -------
    ImportBatch or None
        None when no active (not undone) batch imported these bytes as ``kind``.
    """
    return s.scalars(
        select(ImportBatch).where(
            ImportBatch.kind == kind,
            ImportBatch.file_sha256 == sha256,
            ImportBatch.status == "active",
        )
    ).first()


def file_batches(s: Session, kind: str, sha256: str) -> list[tuple[ImportBatch, dict]]:
    """The active batches that imported a file with this hash, with their recorded details.

    Parameters
    ----------
    s : Session
        Open session.
    kind : str
        Kind of import.
    sha256 : str
        SHA-256 of the file's bytes.

    Returns
    -------
    list of (ImportBatch, dict)
        Oldest first; the dict is what :func:`new_batch` recorded as ``detail``
        (empty for batches that recorded nothing).
    """
    import json

    from geo.store.schema import AuditEntry

    batches = list(s.scalars(
        select(ImportBatch).where(ImportBatch.kind == kind, ImportBatch.file_sha256 == sha256,
                                  ImportBatch.status == "active").order_by(ImportBatch.id)))
    out = []
    for b in batches:
        raw = s.scalars(select(AuditEntry.detail).where(
            AuditEntry.batch_id == b.id, AuditEntry.action == "import")
            .order_by(AuditEntry.id)).first()
        try:
            detail = json.loads(raw) if raw else {}
        except ValueError:
            detail = {}
        out.append((b, detail if isinstance(detail, dict) else {}))
    return out


def last_detail(s: Session, kind: str, key: str, value: str) -> tuple[int, dict] | None:
    """The newest import of ``kind`` that recorded ``key = value`` in its details.

    E.g. the mapping last used for a report sheet's layout
    (``last_detail(s, "indicators", "layout", "3f2a9c1b7d0e")``).

    Returns
    -------
    (int, dict) or None
        The batch id and its recorded details.
    """
    import json

    from geo.store.schema import AuditEntry

    needle = json.dumps({key: value}, ensure_ascii=False)[1:-1]
    q = (select(AuditEntry.batch_id, AuditEntry.detail)
         .where(AuditEntry.action == "import", AuditEntry.entity == kind,
                AuditEntry.detail.contains(needle))
         .order_by(AuditEntry.id.desc()))
    for bid, raw in s.execute(q):
        try:
            d = json.loads(raw)
        except (TypeError, ValueError):
            continue
        if isinstance(d, dict) and d.get(key) == value:
            return int(bid), d
    return None


def list_batches(s: Session, province_code: str | None = None,
                 areas: Iterable[tuple[str, str]] | None = None) -> pd.DataFrame:
    """Import history, newest first.

    Parameters
    ----------
    s : Session
        Open session.
    province_code : str, optional
        Only the batches recorded with this province code (as typed on the batch).
    areas : iterable of (str, str), optional
        Only the batches touching one of these ``(edition, province)`` pairs
        (:func:`record_batch_areas`).

    Returns
    -------
    pandas.DataFrame
        ``id, kind, file, user, created_at, rows, status, province_code, undone_at,
        areas`` (``areas``: the batch's provinces as ``"edition:code"``, sorted).
    """
    q = select(ImportBatch).order_by(ImportBatch.id.desc())
    if province_code:
        q = q.where(ImportBatch.province_code == province_code)
    if areas is not None:
        wanted = sorted(set(areas))
        if not wanted:
            q = q.where(ImportBatch.id.is_(None))
        else:
            from sqlalchemy import and_, or_

            hit = select(BatchArea.batch_id).where(or_(*[
                and_(BatchArea.edition_id == ed, BatchArea.province_code == code)
                for ed, code in wanted]))
            q = q.where(ImportBatch.id.in_(hit))
    batches = list(s.scalars(q))
    where = batch_areas(s, [b.id for b in batches])
    rows = [
        {
            "id": b.id, "kind": b.kind, "file": b.file_name, "user": b.username,
            "created_at": b.created_at, "rows": b.n_rows, "status": b.status,
            "province_code": b.province_code, "undone_at": b.undone_at,
            "areas": [f"{ed}:{code}" for ed, code in sorted(where.get(b.id, ()))],
        }
        for b in batches
    ]
    return pd.DataFrame(
        rows,
        columns=["id", "kind", "file", "user", "created_at", "rows", "status",
                 "province_code", "undone_at", "areas"],
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
    else:
        lock_writes(s)  # SQLite: another undo of this batch waits, then finds it undone
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
    # QĐ 28 lists, settings and routes (geo.store.assessments imports this module).
    from geo.store.assessments import undo_assessment_batch

    undo_assessment_batch(s, batch_id)
    b.status = "undone"
    b.undone_at = utcnow()
    b.undone_by = user
    audit(s, user, "undo", b.kind, batch_id, batch_id=batch_id, values=len(keys),
          restored=restored, boundaries=len(bkeys))
    return {"batch": batch_id, "values": len(keys), "restored": restored,
            "boundaries": len(bkeys)}


def data_version(s: Session) -> tuple:
    """``(newest batch id, newest undo time)``: changes whenever an import is stored or undone.

    Caches of figures (the pages', the services') are keyed on it; it is two aggregates.
    """
    return tuple(s.execute(select(func.max(ImportBatch.id),
                                  func.max(ImportBatch.undone_at))).one())
