"""QĐ 28/2025 assessment lists, a province's assessment settings, and key drug routes.

Every change is its own batch (an :class:`~geo.store.schema.ImportBatch` of a kind of
:data:`LIST_KINDS`) with an audit entry naming what it is, so it appears in the history and can be
undone like an import; nothing is deleted:

- a **list** (a province's classes of every commune for one assessment year) is kept
  as versions: each change (a class set by hand, the approval) writes a new version
  and the previous one stops being current; undoing the change's batch makes the
  newest remaining version current again. A version is ``draft`` (manual classes with
  their reasons; the computed classes are recomputed from the figures when shown) or
  ``approved`` (the People's Committee's decision number and date; every commune's
  computed, manual and approved class frozen with its criteria). An approved version is
  *frozen*: no version may follow it until its approval is undone.
- **settings** (cut-off day, drug-free target, rule overrides) likewise keep versions.
- a **key drug route** (QĐ 28/2025 Điều 3), approved by decision, with the communes it
  runs through and the dates it is in force; undoing its batch makes it inactive.

Only the latest change of a list or of the settings can be undone (undoing an older
one would leave its effect in the versions copied after it).

Imports :mod:`geo.store.schema`, :mod:`geo.store.audit_log`, :mod:`geo.store.session`
(locks) and :mod:`geo.vocab`; :mod:`geo.store.batches` calls :func:`undo_assessment_batch`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from geo.errors import ValidationError
from geo.store.audit_log import audit
from geo.store.schema import (
    AssessmentEntry,
    AssessmentList,
    AssessmentSettings,
    DrugRoute,
    DrugRouteCommune,
    ImportBatch,
    utcnow,
)
from geo.store.session import lock_province
from geo.vocab import QD28_CLASSES
from geo.vocab import ROUTE_SCOPES as _SCOPES

__all__ = [
    "LIST_KINDS",
    "ROUTE_SCOPES",
    "add_route",
    "assessment_settings",
    "current_list",
    "list_entries",
    "list_versions",
    "routes",
    "save_settings",
    "stored_lists",
    "undo_assessment_batch",
    "write_list",
]

#: Batch kinds of the assessment: a draft change, an approval, settings, a route.
LIST_KINDS = ("qd28_list", "qd28_approval", "qd28_settings", "qd28_route")
#: Scopes of a key drug route: within the province, or between provinces.
ROUTE_SCOPES = tuple(_SCOPES)
_STATUSES = ("draft", "approved")
#: Classes a list may hold for a commune (``undetermined`` only as computed).
_FINAL = tuple(k for k in QD28_CLASSES.ids if k != "undetermined")

_ENTRY_COLUMNS = ["unit_code", "computed_class", "manual_class", "reason", "final_class",
                  "approved_class", "criteria", "adjusted_by", "adjusted_at"]


def _batch(s: Session, kind: str, user: str, province_code: str, province_edition: str,
           file_name: str, note: str | None = None) -> ImportBatch:
    """A batch for one change (audited by the caller as what it is, not as an import).

    It carries the province it touches, in its edition (``batch_areas``), so history,
    views and undo check a user's area against it like any other batch.
    """
    b = ImportBatch(kind=kind, username=user, file_name=file_name[:500],
                    province_code=province_code, note=note)
    s.add(b)
    s.flush()
    from geo.store.batches import record_batch_areas  # batches imports this module

    record_batch_areas(s, b.id, [(province_edition, province_code)])
    return b


def _key(m: Any, province_code: str, province_edition: str) -> list:
    return [m.province_code == province_code, m.province_edition == province_edition]


# ----------------------------------------------------------------- lists


def current_list(s: Session, province_code: str, province_edition: str, edition: str,
                 year: int) -> AssessmentList | None:
    """The current version of a province's list for a year, if one is stored.

    Parameters
    ----------
    s : Session
        Open session.
    province_code, province_edition : str
        The province and the edition its code is read in.
    edition : {"legacy", "2025"}
        Edition of the list's communes.
    year : int
        Assessment year.

    Returns
    -------
    AssessmentList or None
    """
    return s.scalars(select(AssessmentList).where(
        *_key(AssessmentList, province_code, province_edition),
        AssessmentList.edition_id == edition, AssessmentList.year == int(year),
        AssessmentList.is_current.is_(True))).first()


def list_entries(s: Session, list_id: int) -> pd.DataFrame:
    """The communes of one list version.

    Returns
    -------
    pandas.DataFrame
        ``unit_code, computed_class, manual_class, reason, final_class,
        approved_class, criteria, adjusted_by, adjusted_at``; ``criteria`` is the
        parsed JSON (a list of criterion objects) or ``None``.
    """
    rows = s.execute(select(
        AssessmentEntry.unit_code, AssessmentEntry.computed_class, AssessmentEntry.manual_class,
        AssessmentEntry.reason, AssessmentEntry.final_class, AssessmentEntry.approved_class,
        AssessmentEntry.criteria, AssessmentEntry.adjusted_by, AssessmentEntry.adjusted_at,
    ).where(AssessmentEntry.list_id == list_id).order_by(AssessmentEntry.unit_code)).all()
    df = pd.DataFrame(rows, columns=_ENTRY_COLUMNS)
    df["criteria"] = [json.loads(c) if c else None for c in df.criteria]
    return df


def _list_row(x: AssessmentList) -> dict:
    return {"id": x.id, "province_code": x.province_code,
            "province_edition": x.province_edition, "edition": x.edition_id, "year": x.year,
            "status": x.status, "decision_no": x.decision_no,
            "decision_date": x.decision_date, "approved_by": x.approved_by,
            "approved_at": x.approved_at, "rule_set": x.rule_set,
            "rules": json.loads(x.rules) if x.rules else {},
            "province_class": x.province_class, "note": x.note, "created_by": x.created_by,
            "created_at": x.created_at, "batch_id": x.batch_id, "is_current": x.is_current,
            "is_demo": x.is_demo}


_LIST_COLUMNS = [
    "id", "province_code", "province_edition", "edition", "year", "status", "decision_no",
    "decision_date", "approved_by", "approved_at", "rule_set", "rules", "province_class",
    "note", "created_by", "created_at", "batch_id", "is_current", "is_demo"]


def stored_lists(s: Session, province_code: str, province_edition: str) -> pd.DataFrame:
    """The current list of every year a province has one, oldest year first.

    Returns
    -------
    pandas.DataFrame
        ``id, province_code, province_edition, edition, year, status, decision_no,
        decision_date, approved_by, approved_at, rule_set, rules, province_class, note,
        created_by, created_at, batch_id, is_current, is_demo``.
    """
    q = select(AssessmentList).where(*_key(AssessmentList, province_code, province_edition),
                                     AssessmentList.is_current.is_(True))
    rows = [_list_row(x) for x in s.scalars(q.order_by(AssessmentList.year,
                                                       AssessmentList.edition_id))]
    return pd.DataFrame(rows, columns=_LIST_COLUMNS)


def list_versions(s: Session, province_code: str, province_edition: str,
                  year: int | None = None) -> pd.DataFrame:
    """Every version of a province's lists (current or not), newest first, with its batch.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`stored_lists` plus ``batch_status`` (``active`` or
        ``undone``).
    """
    q = (select(AssessmentList, ImportBatch.status)
         .join(ImportBatch, ImportBatch.id == AssessmentList.batch_id, isouter=True)
         .where(*_key(AssessmentList, province_code, province_edition)))
    if year is not None:
        q = q.where(AssessmentList.year == int(year))
    rows = [{**_list_row(x), "batch_status": st or "active"}
            for x, st in s.execute(q.order_by(AssessmentList.id.desc()))]
    return pd.DataFrame(rows, columns=[*_LIST_COLUMNS, "batch_status"])


def write_list(s: Session, *, province_code: str, province_edition: str, edition: str,
               year: int, status: str, entries: Sequence[Mapping[str, Any]], rule_set: str,
               rules: Mapping[str, Any] | None = None, province_class: str | None = None,
               user: str = "system", decision_no: str | None = None,
               decision_date: date | None = None, note: str | None = None,
               batch_note: str | None = None, is_demo: bool = False) -> AssessmentList:
    """Store a new version of a province's list for a year, in a batch of its own.

    The current version (if any) stops being current. Nothing is stored when the
    current version is approved: an approved list is frozen until its approval is
    undone.

    Parameters
    ----------
    s : Session
        Open session (the province's lock is taken here).
    province_code, province_edition, edition, year
        Which list (see :func:`current_list`).
    status : {"draft", "approved"}
        ``approved`` needs ``decision_no`` and ``decision_date``.
    entries : sequence of mapping
        One per commune: ``unit_code``, ``final_class`` and optionally
        ``computed_class``, ``manual_class``, ``reason``, ``approved_class``,
        ``criteria`` (any JSON-serialisable value), ``adjusted_by``, ``adjusted_at``.
    rule_set : str
        Rule set id.
    rules : mapping, optional
        The readings, overrides and cut-off used (stored as JSON).
    province_class : str, optional
        The province's class (Điều 5).
    user : str
        Who (audited).
    decision_no, decision_date, note
        The approval's decision; a free note.
    batch_note : str, optional
        What the history shows for the change.
    is_demo : bool
        Mark the version as demo data.

    Returns
    -------
    AssessmentList
        Flushed.

    Raises
    ------
    ValidationError
        An unknown status or class, an approval without its decision, or a list
        already approved.
    """
    if status not in _STATUSES:
        raise ValidationError(f"Trạng thái danh sách '{status}' không hợp lệ.",
                              f"Invalid list status '{status}'.")
    if status == "approved" and not (decision_no and decision_date):
        raise ValidationError("Phê duyệt cần số và ngày quyết định.",
                              "An approval needs a decision number and date.")
    for e in entries:
        for col in ("final_class", "manual_class", "approved_class"):
            k = e.get(col)
            if k is not None and k not in _FINAL:
                raise ValidationError(
                    f"Loại '{k}' của xã {e.get('unit_code')} không hợp lệ; dùng: "
                    f"{', '.join(_FINAL)}.",
                    f"Invalid class '{k}' for commune {e.get('unit_code')}; use: "
                    f"{', '.join(_FINAL)}.")
    lock_province(s, province_code)
    cur = current_list(s, province_code, province_edition, edition, year)
    if cur is not None and cur.status == "approved":
        raise ValidationError(
            f"Danh sách năm {year} đã được phê duyệt (Quyết định số {cur.decision_no}); "
            "không sửa được danh sách đã phê duyệt — hãy hoàn tác phê duyệt trước.",
            f"The {year} list was approved (decision {cur.decision_no}); an approved list "
            "cannot be changed — undo the approval first.")
    kind = "qd28_approval" if status == "approved" else "qd28_list"
    b = _batch(s, kind, user, province_code, province_edition, f"(QĐ 28 {year})", batch_note)
    if cur is not None:
        cur.is_current = False
        s.flush()  # the partial unique index allows one current version
    now = utcnow()
    x = AssessmentList(
        province_code=province_code, province_edition=province_edition, edition_id=edition,
        year=int(year), status=status, decision_no=decision_no, decision_date=decision_date,
        approved_by=user if status == "approved" else None,
        approved_at=now if status == "approved" else None, rule_set=rule_set,
        rules=json.dumps(dict(rules or {}), ensure_ascii=False, default=str),
        province_class=province_class, note=note, created_by=user, created_at=now,
        batch_id=b.id, is_current=True, is_demo=is_demo)
    s.add(x)
    s.flush()
    s.add_all([AssessmentEntry(
        list_id=x.id, unit_code=str(e["unit_code"]), computed_class=e.get("computed_class"),
        manual_class=e.get("manual_class"), reason=e.get("reason"),
        final_class=e["final_class"], approved_class=e.get("approved_class"),
        criteria=(json.dumps(e["criteria"], ensure_ascii=False, default=str)
                  if e.get("criteria") is not None else None),
        adjusted_by=e.get("adjusted_by"), adjusted_at=e.get("adjusted_at"))
        for e in entries])
    b.n_rows = len(entries)
    audit(s, user, "approve" if status == "approved" else "update", "qd28_list", x.id,
          batch_id=b.id, province=province_code, year=int(year), edition=edition,
          status=status, decision_no=decision_no, decision_date=decision_date,
          entries=len(entries), previous=cur.id if cur is not None else None)
    return x


# ----------------------------------------------------------------- settings


def assessment_settings(s: Session, province_code: str, province_edition: str) -> dict | None:
    """The current assessment settings of a province, or ``None`` when none are stored.

    Returns
    -------
    dict or None
        ``cutoff`` (``"15/12"`` or None), ``target_share``, ``target_year``,
        ``target_source``, ``overrides`` (dict), ``created_by``, ``created_at``,
        ``batch_id``.
    """
    x = s.scalars(select(AssessmentSettings).where(
        *_key(AssessmentSettings, province_code, province_edition),
        AssessmentSettings.is_current.is_(True))).first()
    if x is None:
        return None
    return {"cutoff": x.cutoff, "target_share": x.target_share, "target_year": x.target_year,
            "target_source": x.target_source,
            "overrides": json.loads(x.overrides) if x.overrides else {},
            "created_by": x.created_by, "created_at": x.created_at, "batch_id": x.batch_id}


def save_settings(s: Session, province_code: str, province_edition: str, *,
                  cutoff: str | None = None, target_share: float | None = None,
                  target_year: int | None = None, target_source: str | None = None,
                  overrides: Mapping[str, Any] | None = None,
                  user: str = "system") -> AssessmentSettings:
    """Store a new version of a province's settings (validated by the caller), in a batch.

    Returns
    -------
    AssessmentSettings
        Flushed.
    """
    lock_province(s, province_code)
    b = _batch(s, "qd28_settings", user, province_code, province_edition, "(QĐ 28)")
    s.execute(update(AssessmentSettings).where(
        *_key(AssessmentSettings, province_code, province_edition),
        AssessmentSettings.is_current.is_(True)).values(is_current=False))
    x = AssessmentSettings(
        province_code=province_code, province_edition=province_edition, cutoff=cutoff,
        target_share=target_share, target_year=target_year, target_source=target_source,
        overrides=json.dumps(dict(overrides), ensure_ascii=False) if overrides else None,
        created_by=user, created_at=utcnow(), batch_id=b.id, is_current=True)
    s.add(x)
    s.flush()
    b.n_rows = 1
    audit(s, user, "update", "qd28_settings", x.id, batch_id=b.id, province=province_code,
          cutoff=cutoff, target_share=target_share, target_year=target_year,
          overrides=dict(overrides or {}))
    return x


# ----------------------------------------------------------------- routes


def add_route(s: Session, province_code: str, province_edition: str, *, name: str, scope: str,
              decision_no: str, decision_date: date, valid_from: date,
              valid_to: date | None, communes: Iterable[tuple[str, str]],
              note: str | None = None, user: str = "system", batch: ImportBatch | None = None,
              is_demo: bool = False) -> DrugRoute:
    """Store a key drug route with the communes it runs through.

    Parameters
    ----------
    s : Session
        Open session.
    province_code, province_edition : str
        The province that keeps the route.
    name : str
        E.g. ``"Quốc lộ 6 (Mộc Châu – Sơn La – Điện Biên)"``.
    scope : {"intra", "inter"}
        Within the province (approved by the province) or between provinces (by the
        Ministry of Public Security).
    decision_no, decision_date
        The approving decision.
    valid_from, valid_to : date
        When it is in force (``valid_to`` None: still in force).
    communes : iterable of (edition, code)
        The communes it runs through (validated by the caller).
    note : str, optional
        Free text.
    user : str
        Who (audited).
    batch : ImportBatch, optional
        The batch it belongs to (default: a new ``qd28_route`` batch).
    is_demo : bool
        Mark the route as demo data.

    Returns
    -------
    DrugRoute
        Flushed.

    Raises
    ------
    ValidationError
        An unknown scope, no commune, no decision, or ``valid_to`` before ``valid_from``.
    """
    pairs = list(dict.fromkeys((str(e), str(c)) for e, c in communes))
    if scope not in ROUTE_SCOPES:
        raise ValidationError(f"Phạm vi tuyến '{scope}' không hợp lệ; dùng intra (nội tỉnh) "
                              "hoặc inter (liên tỉnh).",
                              f"Invalid route scope '{scope}'; use intra or inter.")
    if not pairs:
        raise ValidationError("Tuyến chưa có xã nào.", "The route has no commune.")
    if not (decision_no and str(decision_no).strip()) or decision_date is None:
        raise ValidationError("Tuyến cần số và ngày quyết định phê duyệt.",
                              "A route needs the approving decision's number and date.")
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError("Ngày hết hiệu lực của tuyến trước ngày có hiệu lực.",
                              "The route's end date is before its start date.")
    lock_province(s, province_code)
    b = batch or _batch(s, "qd28_route", user, province_code, province_edition,
                        f"(QĐ 28 tuyến: {name})")
    r = DrugRoute(province_code=province_code, province_edition=province_edition, name=name,
                  scope=scope, decision_no=str(decision_no).strip(),
                  decision_date=decision_date, valid_from=valid_from, valid_to=valid_to,
                  note=note, created_by=user, created_at=utcnow(), batch_id=b.id, active=True,
                  is_demo=is_demo)
    s.add(r)
    s.flush()
    s.add_all([DrugRouteCommune(route_id=r.id, edition_id=e, unit_code=c) for e, c in pairs])
    b.n_rows = (b.n_rows or 0) + len(pairs)
    audit(s, user, "create", "drug_route", r.id, batch_id=b.id, province=province_code,
          name=name, scope=scope, decision_no=decision_no, communes=len(pairs))
    return r


def routes(s: Session, province_code: str, province_edition: str,
           on: date | None = None) -> pd.DataFrame:
    """A province's active key drug routes, one row per commune on them.

    Parameters
    ----------
    s : Session
        Open session.
    province_code, province_edition : str
        The province that keeps the routes.
    on : date, optional
        Only the routes in force that day.

    Returns
    -------
    pandas.DataFrame
        ``route_id, name, scope, decision_no, decision_date, valid_from, valid_to, note,
        is_demo, edition, unit_code``.
    """
    q = (select(DrugRoute.id, DrugRoute.name, DrugRoute.scope, DrugRoute.decision_no,
                DrugRoute.decision_date, DrugRoute.valid_from, DrugRoute.valid_to,
                DrugRoute.note, DrugRoute.is_demo, DrugRouteCommune.edition_id,
                DrugRouteCommune.unit_code)
         .join(DrugRouteCommune, DrugRouteCommune.route_id == DrugRoute.id)
         .where(*_key(DrugRoute, province_code, province_edition), DrugRoute.active.is_(True)))
    if on is not None:
        q = q.where(DrugRoute.valid_from <= on,
                    (DrugRoute.valid_to.is_(None)) | (DrugRoute.valid_to >= on))
    cols = ["route_id", "name", "scope", "decision_no", "decision_date", "valid_from",
            "valid_to", "note", "is_demo", "edition", "unit_code"]
    return pd.DataFrame(s.execute(q.order_by(DrugRoute.id, DrugRouteCommune.id)).all(),
                        columns=cols)


# ----------------------------------------------------------------- undo


def undo_assessment_batch(s: Session, batch_id: int) -> dict:
    """Take back what one assessment batch stored (called by :func:`geo.store.undo_batch`).

    A list or settings version of the batch stops being current and the newest
    remaining version from a batch not undone becomes current again; a route of the
    batch becomes inactive.

    Raises
    ------
    ValidationError
        The batch's list or settings version is no longer the current one (a later
        change was stored after it): only the latest change can be undone.

    Returns
    -------
    dict
        ``lists``, ``settings``, ``routes``: how many were taken back.
    """
    out = {"lists": 0, "settings": 0, "routes": 0}
    for model, keycols, what in (
            (AssessmentList, ("province_code", "province_edition", "edition_id", "year"),
             "lists"),
            (AssessmentSettings, ("province_code", "province_edition"), "settings")):
        mine = s.scalars(select(model).where(model.batch_id == batch_id)).all()
        for x in mine:
            if not x.is_current:
                year = getattr(x, "year", None)
                raise ValidationError(
                    "Chỉ hoàn tác được thay đổi mới nhất"
                    + (f" của danh sách năm {year}" if year else " của cài đặt")
                    + "; hãy hoàn tác các thay đổi sau nó trước.",
                    "Only the latest change"
                    + (f" of the {year} list" if year else " of the settings")
                    + " can be undone; undo the changes after it first.")
        for x in mine:
            x.is_current = False
            s.flush()
            key = [getattr(model, c) == getattr(x, c) for c in keycols]
            prev = s.scalars(
                select(model).join(ImportBatch, ImportBatch.id == model.batch_id, isouter=True)
                .where(*key, model.id != x.id,
                       (ImportBatch.status == "active") | (model.batch_id.is_(None)),
                       (model.batch_id.is_(None)) | (model.batch_id != batch_id))
                .order_by(model.id.desc())).first()
            if prev is not None:
                prev.is_current = True
            out[what] += 1
    n = s.execute(update(DrugRoute).where(DrugRoute.batch_id == batch_id,
                                          DrugRoute.active.is_(True))
                  .values(active=False)).rowcount
    out["routes"] = int(n or 0)
    return out
