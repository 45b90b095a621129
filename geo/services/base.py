"""What every service shares: requests checked up front, the acting principal, one transaction.

A service function has one shape::

    def map_view(req: MapRequest, who: Principal, db: str | None = None) -> MapView:
        req = req.check()                       # every argument validated, province resolved
        authorize(who, "view", req.province)
        with transaction(db) as s:              # one transaction for the whole use case
            ...
        return MapView(...)

- A **request** is a frozen dataclass deriving from :class:`Request`; its
  :meth:`~Request.check` validates every field with the project's errors
  (:class:`~geo.errors.ValidationError`, :class:`~geo.errors.NotFoundError`) before
  anything is read or written, and returns the request with names resolved (a
  province text becomes a :class:`~geo.registry.Province`, a period text a
  :class:`~geo.periods.Period`).
- The **principal** (:class:`geo.auth.Principal`) is who acts; the service
  authorises it with :func:`geo.auth.authorize` for the province it touches.
- The **result** is a dataclass with ``to_dict()`` giving strict JSON (see
  :func:`plain`).

Pages and CLI commands call services only; they never open a session.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any, Self

from sqlalchemy.orm import Session

from geo.errors import NotFoundError, ValidationError

__all__ = [
    "EDITION_CHOICES",
    "Progress",
    "Request",
    "check_edition",
    "check_indicator",
    "check_period",
    "check_province",
    "ensure_db",
    "latest_period",
    "plain",
    "reporter",
    "transaction",
]

#: ``progress(fraction, message)``: fraction 0..1; the CLI draws a bar, pages ``st.progress``.
Progress = Callable[[float, str], None] | None

#: Units editions a request may name.
EDITION_CHOICES = ("legacy", "2025")


class Request:
    """Base of every service request.

    Subclasses are ``@dataclass(frozen=True)`` and override :meth:`check`, which
    validates every field up front and returns the request with its names
    resolved (``dataclasses.replace``); it is safe to call twice.
    """

    def check(self) -> Self:
        """Validate every field; return the checked request (nothing to check here)."""
        return self


def check_province(province: object, edition: str | None = None) -> Any:
    """Resolve a province code or name once (:func:`geo.registry.find_province`).

    Parameters
    ----------
    province : str or Province
        Code or name; a :class:`~geo.registry.Province` is returned as it is.
    edition : {"legacy", "2025"}, optional
        The units edition of the request: a code is read in it first (``"24"`` is
        Bắc Giang before 1 July 2025 and Bắc Ninh after).

    Raises
    ------
    NotFoundError
        No province has this code or name.
    ValidationError
        The province is missing.
    """
    from geo.registry import Province, find_province

    if isinstance(province, Province):
        return province
    if province is None or not str(province).strip():
        raise ValidationError("Chưa chọn tỉnh.", "No province given.", column="province")
    return find_province(str(province), edition)


def check_edition(edition: str | None, default: str = "legacy") -> str:
    """An edition id (``legacy``/``2025``), ``default`` when ``None``.

    Raises
    ------
    ValidationError
        For any other value.
    """
    ed = default if edition is None else str(edition)
    if ed not in EDITION_CHOICES:
        raise ValidationError(
            f"Phiên bản đơn vị hành chính '{ed}' không hợp lệ; dùng legacy (trước 01/7/2025) "
            "hoặc 2025.",
            f"Invalid units edition '{ed}'; use legacy (before 1 Jul 2025) or 2025.",
            column="edition")
    return ed


def check_period(period: object) -> Any:
    """A :class:`~geo.periods.Period` from its id or a Vietnamese spelling."""
    from geo.periods import parse_period

    return parse_period(period)  # type: ignore[arg-type]


def check_indicator(indicator: str) -> str:
    """An indicator id of the catalog (raises :class:`NotFoundError` otherwise)."""
    from geo.indicators import get_indicator

    if not indicator:
        raise NotFoundError("Chưa chọn chỉ tiêu.", "No indicator given.")
    return get_indicator(str(indicator)).id


_READY: set[str] = set()


def ensure_db(db: str | None = None) -> str:
    """Make sure the database is migrated and seeded, once per process; return its URL.

    Parameters
    ----------
    db : str, optional
        Database URL (default: ``DIABAN_DATABASE_URL`` or ``sqlite:///diaban.db``).
    """
    from geo.store import database_url, init_db

    url = database_url(db)
    if url not in _READY:
        init_db(url)
        _READY.add(url)
    return url


def mark_ready(url: str) -> None:
    """Take the database at ``url`` as migrated and seeded without looking.

    For a child process doing part of a service's work for a parent that
    prepared the database (:func:`ensure_db`) just before.
    """
    _READY.add(url)


def forget_databases() -> None:
    """Forget which databases :func:`ensure_db` prepared (after they were replaced)."""
    _READY.clear()


@contextmanager
def transaction(db: str | None = None) -> Iterator[Session]:
    """One transaction on a ready database: commit on success, roll back on any error."""
    from geo.store import session_scope

    url = ensure_db(db)
    with session_scope(url) as s:
        yield s


def latest_period(s: Session, edition: str | None = None) -> Any:
    """The latest period with figures; for the legacy edition, the latest recorded on it.

    Periods recorded on 2025 communes can be drawn on legacy ones only as estimates
    (shared out by population), so analyses of the legacy edition stop at its last
    own period.

    Raises
    ------
    NotFoundError
        No period has figures.
    """
    from geo.periods import parse_period
    from geo.store import available_periods

    ps = [parse_period(p) for p in available_periods(s)]
    usable = [p for p in ps if edition != "legacy" or p.edition == "legacy"]
    if not usable:
        raise NotFoundError("Cơ sở dữ liệu chưa có số liệu.", "The database has no figures yet.")
    return usable[-1]


def reporter(progress: Progress) -> Callable[[float, str], None]:
    """A progress callback that is safe to call when ``progress`` is ``None``."""
    if progress is None:
        return lambda f, m: None
    return progress


def plain(obj: Any) -> Any:
    """Strict-JSON form of a result: NaN and infinities become ``None``.

    Dataclasses become dicts (their ``to_dict()`` when they have one), frames
    become lists of records, dates ISO strings, numpy scalars Python numbers.

    Examples
    --------
    >>> import numpy as np
    >>> plain({"a": float("nan"), "b": np.int64(3), "c": [1.5, float("inf")]})
    {'a': None, 'b': 3, 'c': [1.5, None]}
    """
    import numpy as np
    import pandas as pd

    if obj is None or isinstance(obj, (bool, str, int)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if obj is pd.NaT:
        return None
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    if isinstance(obj, np.generic):
        return plain(obj.item())
    if isinstance(obj, pd.DataFrame):
        df = pd.DataFrame(obj.drop(columns="geometry", errors="ignore"))
        return [plain(r) for r in df.to_dict("records")]
    if isinstance(obj, pd.Series):
        return plain(obj.to_dict())
    if isinstance(obj, np.ndarray):
        return [plain(v) for v in obj.tolist()]
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [plain(v) for v in obj]
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return plain(obj.to_dict())
    if is_dataclass(obj):
        return {f.name: plain(getattr(obj, f.name)) for f in fields(obj)}
    if _scalar_na(obj):
        return None
    return str(obj)


def _scalar_na(obj: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(obj))
    except (TypeError, ValueError):
        return False

