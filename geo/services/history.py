"""Import history and undo: list the batches, take one back.

Every import is a batch (:func:`geo.store.new_batch`) that records the
``(edition, province)`` pairs it touches (:func:`geo.store.record_batch_areas`).
:func:`history` lists them, newest first: the batches touching the province asked
for and, for a principal limited to an area, only those touching its area
(:func:`geo.auth.area.province_area`). :func:`undo` takes a batch back — only when
every province it touches lies in the principal's area — its rows stop being
current and the values and boundaries they had superseded are current again
(nothing is deleted; :func:`geo.store.undo_batch`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Self

import pandas as pd

from geo.auth import Principal, authorize, may_undo
from geo.auth.area import principal_area, province_area
from geo.errors import NotFoundError, PermissionDenied, ValidationError
from geo.services.base import Request, check_province, plain, transaction
from geo.store import batch_areas, list_batches, undo_batch

__all__ = ["History", "HistoryRequest", "UndoRequest", "UndoResult", "history", "undo"]


@dataclass(frozen=True)
class HistoryRequest(Request):
    """Which import batches to list.

    Attributes
    ----------
    province : str or Province, optional
        Only this province's batches (default: the principal's province, or all
        for a principal limited to none).
    """

    province: Any = None

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
        Active batches the principal may undo.
    """

    batches: pd.DataFrame
    province_code: str | None = None
    undoable: list[int] = field(default_factory=list)

    def records(self) -> list[dict]:
        """The batches as strict-JSON records (the CLI's ``--json`` output)."""
        return plain(self.batches)

    def to_dict(self) -> dict:
        """Strict-JSON form."""
        return {"province_code": self.province_code, "undoable": list(self.undoable),
                "batches": self.records()}


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
        where = batch_areas(s, df.id.tolist())
    undoable = [int(b) for b, st, user in zip(df.id, df.status, df.user)
                if st == "active" and _may_undo(who, where.get(int(b), frozenset()), user)]
    return History(df, code, undoable)


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
        When it was already undone.
    """
    from geo.store.schema import ImportBatch

    req = req.check()
    authorize(who, "undo")  # the role first: who may not undo learns nothing about batches
    with transaction(db) as s:
        b = s.get(ImportBatch, req.batch)
        if b is None:
            raise NotFoundError(f"Không có lần nhập dữ liệu số {req.batch}.",
                                f"No import batch {req.batch}.")
        may_undo(who, None, b.username, areas=batch_areas(s, [b.id]).get(b.id, frozenset()))
        if b.kind.startswith("qd28_"):  # a QĐ 28 list, its approval, settings or a route
            authorize(who, "approve", b.province_code)
        kind, file = b.kind, b.file_name
        res = undo_batch(s, req.batch, user=who.username)
    return UndoResult(req.batch, kind, file, int(res["values"]), int(res["restored"]),
                      int(res["boundaries"]))

