"""Reading the audit log: who changed what, when, from which import batch.

Entries are written by :func:`geo.store.audit` on every change (imports, undo,
boundaries, hotspots, facilities, users, logins, backups, restores); this
module only reads them, with filters, in the caller's session, and exports them
as CSV. Pages and the CLI read the log through :func:`geo.services.users.audit_log`
(which needs the ``audit`` right). Labels of the recorded actions are
:data:`geo.vocab.AUDIT_ACTIONS`.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.store.schema import AuditEntry
from geo.vocab import (
    AUDIT_ACTIONS,
    AUDIT_DETAILS,
    FACILITY_KINDS,
    IMPORT_KINDS,
    LIST_STATUSES,
    ROLES,
    ROUTE_SCOPES,
)

__all__ = [
    "AUDIT_COLUMNS",
    "action_label",
    "audit_actions",
    "audit_entries",
    "describe_detail",
    "detail_dict",
    "write_audit_csv",
]


def action_label(action: str, lang: str = "vi") -> str:
    """Label of an audit action in ``lang`` (the code itself when unknown).

    Examples
    --------
    >>> action_label("login_failed", "en"), action_label("x_y")
    ('failed login', 'x_y')
    """
    return AUDIT_ACTIONS.label(action, lang)


#: Columns of :func:`audit_entries`.
AUDIT_COLUMNS = ["id", "at", "username", "action", "entity", "entity_id", "batch_id", "detail"]


def _start(d: date | datetime | None) -> datetime | None:
    if d is None:
        return None
    if not isinstance(d, datetime):
        d = datetime.combine(d, time.min)
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def audit_entries(
    s: Session,
    username: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    batch_id: int | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    text: str | None = None,
    limit: int | None = 1000,
) -> pd.DataFrame:
    """Audit entries, newest first, filtered.

    Parameters
    ----------
    s : Session
        Open session.
    username, action, entity : str, optional
        Exact matches.
    batch_id : int, optional
        Entries of one import batch.
    since, until : date or datetime, optional
        From ``since`` (inclusive) to ``until`` (a date includes its whole day), UTC.
    text : str, optional
        Case-insensitive substring of the details or the entity id.
    limit : int or None
        Most entries returned (``None``: all).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`AUDIT_COLUMNS`; ``detail`` is the JSON text recorded.
    """
    q = select(AuditEntry).order_by(AuditEntry.id.desc())
    if username:
        q = q.where(AuditEntry.username == username)
    if action:
        q = q.where(AuditEntry.action == action)
    if entity:
        q = q.where(AuditEntry.entity == entity)
    if batch_id is not None:
        q = q.where(AuditEntry.batch_id == batch_id)
    if since is not None:
        q = q.where(AuditEntry.at >= _start(since))
    if until is not None:
        end = _start(until)
        if not isinstance(until, datetime):
            end = end + timedelta(days=1)
            q = q.where(AuditEntry.at < end)
        else:
            q = q.where(AuditEntry.at <= end)
    if text:
        # A bound parameter, never spliced into SQL; %, _ and backslash match literally.
        low = text.lower()
        q = q.where(func.lower(func.coalesce(AuditEntry.detail, "")).contains(
                        low, autoescape=True)
                    | func.lower(func.coalesce(AuditEntry.entity_id, "")).contains(
                        low, autoescape=True))
    if limit is not None:
        q = q.limit(int(limit))
    rows = [{c: getattr(e, c) for c in AUDIT_COLUMNS} for e in s.scalars(q)]
    df = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    df["at"] = pd.to_datetime(df["at"], utc=True)
    df["batch_id"] = df["batch_id"].astype("Int64")
    for c in ("username", "action", "entity", "entity_id", "detail"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


def audit_actions(s: Session) -> list[str]:
    """Distinct actions present in the log (for filter lists)."""
    return sorted(s.scalars(select(AuditEntry.action).distinct()))


def write_audit_csv(df: pd.DataFrame, out: str | Path) -> Path:
    """Write audit entries as UTF-8 CSV (with BOM, so Excel shows Vietnamese correctly).

    Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
    ``-``, ``@``) are prefixed with ``'``: the log records user-supplied names.
    """
    out = Path(out)
    safe = df.copy()
    for c in safe.columns:
        if safe[c].dtype == object or pd.api.types.is_string_dtype(safe[c].dtype):
            safe[c] = safe[c].map(_defuse)
    safe.to_csv(out, index=False, encoding="utf-8-sig")
    return out


def _defuse(v: object) -> object:
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def detail_dict(detail: str | None) -> dict:
    """The ``detail`` JSON of an entry as a dict (``{}`` when empty)."""
    if not detail:
        return {}
    try:
        out = json.loads(detail)
    except json.JSONDecodeError:
        return {"text": detail}
    return out if isinstance(out, dict) else {"value": out}


def describe_detail(detail: str | None, lang: str = "vi") -> str:
    """An entry's details as people read them: ``tên: …; loại: Câu lạc bộ sau cai``.

    Keys are labelled by :data:`geo.vocab.AUDIT_DETAILS`, codes among the values
    (facility kinds, import kinds, roles) by their vocabularies, numbers in the
    language's way; a key without a label is shown as recorded.

    Examples
    --------
    >>> describe_detail('{"name": "CLB", "kind": "club", "values": 37500}')
    'tên: CLB; loại: Câu lạc bộ sau cai; số liệu: 37.500'
    >>> describe_detail(None)
    ''
    """
    from geo.i18n import fmt_number

    def value(k: str, v: object) -> str:
        if isinstance(v, bool):
            return ("có" if v else "không") if lang == "vi" else ("yes" if v else "no")
        if isinstance(v, (int, float)) and k in ("year", "target_year"):
            return str(v)  # a year, not a quantity: no thousands separator
        if isinstance(v, (int, float)):
            return fmt_number(v, lang, 0 if float(v).is_integer() else 2)
        if isinstance(v, list):
            return ", ".join(value(k, x) for x in v)
        if v is None:
            return "—"
        text = str(v)
        for vocab in ((ROLES,) if k == "role" else (FACILITY_KINDS, IMPORT_KINDS)
                      if k == "kind" else (LIST_STATUSES,) if k == "status"
                      else (ROUTE_SCOPES,) if k == "scope" else ()):
            if text in vocab:
                return vocab.label(text, lang)
        return text

    return "; ".join(f"{AUDIT_DETAILS.label(k, lang)}: {value(k, v)}"
                     for k, v in detail_dict(detail).items())
