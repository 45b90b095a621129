"""Import history and undo: list the batches, say what an undo would do, take one back.

Every import is a batch (:func:`geo.store.new_batch`) that records the
``(edition, province)`` pairs it touches (:func:`geo.store.record_batch_areas`).
:func:`history` lists them, newest first: the batches touching the province asked
for and, for a principal limited to an area, only those touching its area
(:func:`geo.auth.area.province_area`). :func:`undo` takes a batch back — only when
every province it touches lies in the principal's area; :func:`undo_preview`
first names what it would take back (kind, file, who, when, counts) without changing
anything, so pages and the CLI can ask — its rows stop being
current and the values and boundaries they had superseded are current again
(nothing is deleted; :func:`geo.store.undo_batch`).

The demo's base load (kind ``demo``) is not an ordinary import: undoing it would
empty the demo province, so neither :func:`undo` nor :func:`undo_preview` accept
it; ``diaban demo --reset`` (:func:`geo.services.demo.build_demo`) rebuilds the
demo instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Self

import pandas as pd
from sqlalchemy import func, select

from geo.auth import Principal, authorize, may_undo
from geo.auth.area import principal_area, province_area
from geo.errors import NotFoundError, PermissionDenied, ValidationError
from geo.i18n import fmt_number, tr
from geo.services.base import Request, check_province, plain, transaction
from geo.store import batch_areas, list_batches, undo_batch
from geo.vocab import BATCH_STATUSES, IMPORT_KINDS

__all__ = ["BASE_KINDS", "History", "HistoryRequest", "UndoPreview", "UndoRequest",
           "UndoResult", "history", "undo", "undo_preview"]

#: Kinds of the QĐ 28 list's changes (lists, approvals, settings, routes).
QD28_PREFIX = "qd28_"
#: Batch kinds that are a database's base load, never undone as an ordinary import.
BASE_KINDS = ("demo",)


@dataclass(frozen=True)
class HistoryRequest(Request):
    """Which import batches to list.

    Attributes
    ----------
    province : str or Province, optional
        Only this province's batches (default: the principal's province, or all
        for a principal limited to none).
    data_only : bool
        Only the imports of data (figures, boundaries, incidents, facilities,
        hotspots, population, the demo's base load): the QĐ 28 lists, approvals,
        settings and routes are changes of the classification page and
        ``diaban assess``, listed and undone there.
    """

    province: Any = None
    data_only: bool = False

    def check(self) -> Self:
        """Resolve the province when one is given."""
        if self.province is None or str(self.province).strip() == "":
            return replace(self, province=None)
        return replace(self, province=check_province(self.province))


@dataclass
class History:
    """Import batches, newest first.

    Attributes
    ----------
    batches : pandas.DataFrame
        ``id, kind, file, user, created_at, rows, status, province_code, undone_at,
        areas`` (the provinces each batch touches, ``"edition:code"``).
    province_code : str or None
        Province the list is limited to (``None``: every province).
    undoable : list of int
        Active batches the principal may undo (never a base load, :data:`BASE_KINDS`).
    base : list of int
        Active base loads (the demo) listed: rebuilt with ``diaban demo --reset``,
        not undone.
    """

    batches: pd.DataFrame
    province_code: str | None = None
    undoable: list[int] = field(default_factory=list)
    base: list[int] = field(default_factory=list)

    def records(self) -> list[dict]:
        """The batches as strict-JSON records (the CLI's ``--json`` output)."""
        return plain(self.batches)

    def to_dict(self) -> dict:
        """Strict-JSON form."""
        return {"province_code": self.province_code, "undoable": list(self.undoable),
                "base": list(self.base), "batches": self.records()}

    def labelled(self, lang: str = "vi") -> pd.DataFrame:
        """The batches as people read them: kinds and statuses as labels, times to the
        minute (UTC, ``dd/mm/yyyy hh:mm``), counts formatted in ``lang``, nothing
        shown as "None".

        Columns keep their codes (``id, kind, file, user, created_at, rows, status,
        undone_at``); a caller names them in its language.
        """
        df = self.batches
        return pd.DataFrame({
            "id": df.id.astype(int),
            "kind": [IMPORT_KINDS.label(k, lang) for k in df.kind],
            "file": [f if isinstance(f, str) else "" for f in df.file],
            "user": [u if isinstance(u, str) else "" for u in df.user],
            "created_at": [_when(t) for t in df.created_at],
            "rows": [fmt_number(n, lang) if n == n and n is not None else "" for n in df.rows],
            "status": [BATCH_STATUSES.label(x, lang) for x in df.status],
            "undone_at": [_when(t) for t in df.undone_at],
        })

    def choice_label(self, batch: int, lang: str = "vi") -> str:
        """One line naming a batch for a list of choices (number, kind, file, who, when)."""
        r = self.batches.set_index("id").loc[int(batch)]
        file = f" — {r.file}" if isinstance(r.file, str) and r.file else ""
        return tr(f"Lần nhập số {batch}: {IMPORT_KINDS.label(r.kind, 'vi')}{file} "
                  f"({r.user}, {_when(r.created_at)})",
                  f"Batch {batch}: {IMPORT_KINDS.label(r.kind, 'en')}{file} "
                  f"({r.user}, {_when(r.created_at)})", lang)


def _when(t: object) -> str:
    """A stored time as ``dd/mm/yyyy hh:mm`` (UTC); empty when there is none."""
    if t is None or (isinstance(t, float) and t != t) or t is pd.NaT:
        return ""
    ts = pd.Timestamp(t)
    return "" if pd.isna(ts) else ts.strftime("%d/%m/%Y %H:%M")


def history(req: HistoryRequest, who: Principal, db: str | None = None) -> History:
    """List import batches, newest first.

    Parameters
    ----------
    req : HistoryRequest
        Which province (default: the principal's area).
    who : Principal
        Needs the ``view`` right in the province.
    db : str, optional
        Database URL.

    Returns
    -------
    History

    Raises
    ------
    PermissionDenied
        When ``who`` may not view the province.
    """
    req = req.check()
    code = req.province.code if req.province is not None else who.province_code
    authorize(who, "view", req.province)
    wanted = principal_area(who)
    if req.province is not None:
        asked = province_area(req.province.code, req.province.edition)
        wanted = asked if wanted is None else wanted & asked
    with transaction(db) as s:
        df = list_batches(s, areas=wanted)
        if req.data_only:
            df = df[~df.kind.astype(str).str.startswith(QD28_PREFIX)].reset_index(drop=True)
        where = batch_areas(s, df.id.tolist())
    active = df[df.status == "active"]
    undoable = [int(b) for b, kind, user in zip(active.id, active.kind, active.user)
                if kind not in BASE_KINDS
                and _may_undo(who, where.get(int(b), frozenset()), user)]
    base = [int(b) for b, kind in zip(active.id, active.kind) if kind in BASE_KINDS]
    return History(df, code, undoable, base)


def _may_undo(who: Principal, areas: frozenset, user: str | None) -> bool:
    try:
        may_undo(who, None, user, areas=areas)
    except PermissionDenied:
        return False
    return True


@dataclass(frozen=True)
class UndoRequest(Request):
    """The batch to undo.

    Attributes
    ----------
    batch : int
        Batch number (``diaban import history`` lists them).
    """

    batch: int = 0

    def check(self) -> Self:
        """The batch number must be a positive whole number."""
        try:
            n = int(str(self.batch))
        except (TypeError, ValueError):
            n = 0
        if n <= 0:
            raise ValidationError(f"Số lần nhập '{self.batch}' không hợp lệ.",
                                  f"Invalid batch number '{self.batch}'.")
        return replace(self, batch=n)


@dataclass
class UndoResult:
    """A batch undone.

    Attributes
    ----------
    batch : int
        The batch.
    kind, file : str
        What it had imported.
    values : int
        Values that stopped being current.
    restored : int
        Earlier values current again.
    boundaries : int
        Boundaries that stopped being current (earlier versions are current again).
    """

    batch: int
    kind: str
    file: str | None
    values: int
    restored: int
    boundaries: int

    def to_dict(self) -> dict:
        """Strict-JSON form."""
        return plain({"batch": self.batch, "kind": self.kind, "file": self.file,
                      "values": self.values, "restored": self.restored,
                      "boundaries": self.boundaries})


@dataclass
class UndoPreview:
    """What undoing a batch would take back, before anything changes.

    Attributes
    ----------
    batch : int
    kind : str
        Kind of import (:data:`geo.vocab.IMPORT_KINDS`).
    file, user : str or None
        The file imported and who imported it.
    created_at : datetime or None
        When (UTC).
    province_code : str or None
        The batch's province.
    values : int
        Figures the batch stored.
    current : int
        Of those, figures in use now: they stop being used.
    restored : int
        Figures of earlier imports that are used again.
    boundaries, facilities, hotspots : int
        Commune polygons in use, facilities and hotspot communes that stop being used.
    """

    batch: int
    kind: str
    file: str | None
    user: str | None
    created_at: datetime | None
    province_code: str | None
    values: int
    current: int
    restored: int
    boundaries: int
    facilities: int
    hotspots: int

    def to_dict(self) -> dict:
        """Strict-JSON form."""
        return plain({k: getattr(self, k) for k in (
            "batch", "kind", "file", "user", "created_at", "province_code", "values",
            "current", "restored", "boundaries", "facilities", "hotspots")})

    def message(self, lang: str = "vi") -> str:
        """What will be undone, in one paragraph, to ask before undoing."""
        def n(x: int) -> str:
            return fmt_number(x, lang)

        when = _when(self.created_at)
        file = self.file or tr("(không có tên tệp)", "(no file name)", lang)
        vi_parts, en_parts = [], []
        if self.values:
            vi_parts.append(f"{n(self.current)} số liệu đang dùng sẽ thôi dùng"
                            + (f", {n(self.restored)} số liệu của lần nhập trước được dùng lại"
                               if self.restored else ", không có số liệu cũ nào để dùng lại"))
            en_parts.append(f"{n(self.current)} figures in use stop being used"
                            + (f", {n(self.restored)} figures of earlier imports are used "
                               "again" if self.restored else "; no earlier figures to bring "
                               "back"))
        for count, vi, en in ((self.boundaries, "ranh giới xã", "commune boundaries"),
                              (self.facilities, "cơ sở", "facilities"),
                              (self.hotspots, "địa bàn trọng điểm", "hotspot communes")):
            if count:
                vi_parts.append(f"{n(count)} {vi} thôi dùng")
                en_parts.append(f"{n(count)} {en} stop being used")
        if not vi_parts:
            vi_parts, en_parts = ["không còn gì đang dùng"], ["nothing of it is in use"]
        return tr(
            f"Hoàn tác lần nhập số {self.batch}: {IMPORT_KINDS.label(self.kind, 'vi')}, tệp "
            f"«{file}», do {self.user} nhập lúc {when} (UTC). {'; '.join(vi_parts)}. "
            "Không thể làm lại sau khi hoàn tác; muốn có lại phải nhập lại tệp.",
            f"Undo batch {self.batch}: {IMPORT_KINDS.label(self.kind, 'en')}, file "
            f"“{file}”, imported by {self.user} on {when} (UTC). {'; '.join(en_parts)}. "
            "An undo cannot be reversed; to get the data back, import the file again.",
            lang)


def _base_refusal(batch: int) -> ValidationError:
    return ValidationError(
        f"Lần nhập số {batch} là dữ liệu minh họa nạp ban đầu, không hoàn tác như một lần "
        "nhập thường (cả tỉnh minh họa sẽ trống). Muốn dựng lại dữ liệu minh họa: "
        "diaban demo --reset.",
        f"Batch {batch} is the demo's base load, not undone like an ordinary import (the "
        "whole demo province would be empty). To rebuild the demo: diaban demo --reset.")


def _batch_to_undo(s: Any, req: UndoRequest, who: Principal) -> Any:
    """The batch, once ``who`` may undo it and it may be undone (base loads never)."""
    from geo.store.schema import ImportBatch

    b = s.get(ImportBatch, req.batch)
    if b is None:
        raise NotFoundError(f"Không có lần nhập dữ liệu số {req.batch}.",
                            f"No import batch {req.batch}.")
    may_undo(who, None, b.username, areas=batch_areas(s, [b.id]).get(b.id, frozenset()))
    if b.kind.startswith(QD28_PREFIX):  # a QĐ 28 list, its approval, settings or a route
        authorize(who, "approve", b.province_code)
    if b.kind in BASE_KINDS:
        raise _base_refusal(req.batch)
    return b


def undo_preview(req: UndoRequest, who: Principal, db: str | None = None) -> UndoPreview:
    """Say what undoing a batch would take back; nothing changes.

    Parameters
    ----------
    req : UndoRequest
        The batch.
    who : Principal
        Needs the right to undo it (as :func:`undo`).
    db : str, optional
        Database URL.

    Returns
    -------
    UndoPreview

    Raises
    ------
    PermissionDenied
        When ``who`` may not undo it.
    NotFoundError
        When there is no such batch.
    ValidationError
        When it was already undone, or is the demo's base load.
    """
    from geo.store.schema import Boundary, Facility, Hotspot, ImportBatch, IndicatorValue

    req = req.check()
    authorize(who, "undo")
    with transaction(db) as s:
        b = _batch_to_undo(s, req, who)
        if b.status != "active":
            raise ValidationError(f"Lần nhập số {req.batch} đã được hoàn tác trước đó.",
                                  f"Import batch {req.batch} was already undone.")
        iv = IndicatorValue
        keys = select(iv.edition_id, iv.unit_code, iv.period, iv.indicator_id).where(
            iv.batch_id == req.batch).distinct().subquery()
        values = s.scalar(select(func.count()).select_from(keys)) or 0
        current = s.scalar(select(func.count()).where(iv.batch_id == req.batch,
                                                      iv.is_current.is_(True))) or 0
        other = select(iv.id).join(ImportBatch, ImportBatch.id == iv.batch_id, isouter=True
                                   ).where(iv.edition_id == keys.c.edition_id,
                                           iv.unit_code == keys.c.unit_code,
                                           iv.period == keys.c.period,
                                           iv.indicator_id == keys.c.indicator_id,
                                           iv.batch_id != req.batch,
                                           (ImportBatch.status == "active")
                                           | iv.batch_id.is_(None)).exists()
        restored = s.scalar(select(func.count()).select_from(keys).where(other)) or 0
        bounds = s.scalar(select(func.count()).where(Boundary.batch_id == req.batch,
                                                     Boundary.is_current.is_(True))) or 0
        facs = s.scalar(select(func.count()).where(Facility.batch_id == req.batch,
                                                   Facility.active.is_(True))) or 0
        hots = s.scalar(select(func.count()).where(Hotspot.batch_id == req.batch,
                                                   Hotspot.active.is_(True))) or 0
        return UndoPreview(req.batch, b.kind, b.file_name, b.username, b.created_at,
                           b.province_code, int(values), int(current), int(restored),
                           int(bounds), int(facs), int(hots))


def undo(req: UndoRequest, who: Principal, db: str | None = None) -> UndoResult:
    """Undo an import batch: its rows stop being current, earlier ones come back.

    Parameters
    ----------
    req : UndoRequest
        The batch.
    who : Principal
        Needs the ``undo`` right in every province the batch touches (a batch whose
        provinces are not recorded: an unlimited principal only); a user limited to
        one district may undo only their own imports (:func:`geo.auth.may_undo`).
    db : str, optional
        Database URL.

    Returns
    -------
    UndoResult

    Raises
    ------
    PermissionDenied
        When ``who`` may not undo it.
    NotFoundError
        When there is no such batch.
    ValidationError
        When it was already undone, or is the demo's base load (rebuild the demo with
        ``diaban demo --reset`` instead).
    """
    req = req.check()
    authorize(who, "undo")  # the role first: who may not undo learns nothing about batches
    with transaction(db) as s:
        b = _batch_to_undo(s, req, who)
        kind, file = b.kind, b.file_name
        res = undo_batch(s, req.batch, user=who.username)
    return UndoResult(req.batch, kind, file, int(res["values"]), int(res["restored"]),
                      int(res["boundaries"]))

