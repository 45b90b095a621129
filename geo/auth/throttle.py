"""Login throttling: growing delays per source and per account, never a lock.

Five failed logins locked an account for 15 minutes, so anybody who could reach the
login form (no account needed) could lock any user out, again and again. diaban now
slows the guesser down instead:

- **per source** (the client's address; ``local`` for the CLI): after
  :data:`SOURCE_FREE` failures, each further attempt from that source must wait
  ``SOURCE_BASE · 2^(n - SOURCE_FREE)`` seconds after the last one (5, 10, 20, … s),
  at most :data:`SOURCE_MAX_WAIT` (15 min). It only stops the source that fails;
  an attempt it makes while it must wait counts too (hammering only lengthens its
  own wait), and a login that succeeds does not reset it (a guesser holding an
  account of its own cannot wipe its record);
- **per account**: after :data:`ACCOUNT_FREE` failures from any source, attempts on
  that account must wait ``ACCOUNT_BASE · 2^(n - ACCOUNT_FREE)`` seconds (2, 4, 8, …),
  at most :data:`ACCOUNT_MAX_WAIT` (30 s) — except from a source that has logged
  into this account before (:data:`KNOWN_DAYS` days), so the user's own office is
  never kept waiting by somebody else's failures. Attempts refused while waiting do
  not count here, so nobody can keep an account waiting by hammering it; a success
  resets the account's count.

An attempt made while its source or account must wait is refused **before** the
password is looked at; the answer says how many seconds to wait and is the same for
every username, existing or not. Counts are forgotten
:data:`FORGET_AFTER` (1 h) after the last failure. Nothing locks an account: an
administrator disables one (:func:`geo.auth.disable_user`) to stop it.

Keys are stored in ``login_throttle``: ``src:<address>``, ``acct:<username>`` for
an existing account, ``acct:?<4 hex digits of its SHA-256>`` for any other name (a
password typed into the username field is never stored, and 16 bits cannot give it
back), ``ok:<SHA-256 of username|address>`` for a source that logged in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.store.schema import LoginThrottle

__all__ = [
    "ACCOUNT_BASE",
    "ACCOUNT_FREE",
    "ACCOUNT_MAX_WAIT",
    "FORGET_AFTER",
    "KNOWN_DAYS",
    "LOCAL_SOURCE",
    "SOURCE_BASE",
    "SOURCE_FREE",
    "SOURCE_MAX_WAIT",
    "Throttle",
    "account_key",
    "source_key",
]

#: Failures from one source before it must wait.
SOURCE_FREE = 5
#: First wait of a source, in seconds (doubling with every further failure).
SOURCE_BASE = 5
#: Longest wait of a source, in seconds.
SOURCE_MAX_WAIT = 15 * 60
#: Failures on one account before sources new to it must wait.
ACCOUNT_FREE = 10
#: First wait on an account, in seconds (doubling with every further failure).
ACCOUNT_BASE = 2
#: Longest wait on an account, in seconds.
ACCOUNT_MAX_WAIT = 30
#: Counts are forgotten this long after the last failure.
FORGET_AFTER = timedelta(hours=1)
#: A source that logged into an account within this many days skips the account's wait.
KNOWN_DAYS = 30
#: The source of CLI logins (the machine itself).
LOCAL_SOURCE = "local"


def _aware(d: datetime | None) -> datetime | None:
    if d is not None and d.tzinfo is None:
        return d.replace(tzinfo=UTC)
    return d


def source_key(source: str | None) -> str:
    """Key of a client address (``local`` when none is known)."""
    src = (source or LOCAL_SOURCE).strip()[:100] or LOCAL_SOURCE
    return f"src:{src}"


def account_key(username: str, exists: bool) -> str:
    """Key of an account: the name of an existing one, 16 bits of a hash otherwise."""
    if exists:
        return f"acct:{username}"
    return "acct:?" + hashlib.sha256(str(username).encode("utf-8", "replace")).hexdigest()[:4]


def _wait(failures: int, free: int, base: int, most: int) -> float:
    if failures < free:
        return 0.0
    return float(min(base * 2 ** min(failures - free, 30), most))


@dataclass
class Throttle:
    """The throttling state of one login attempt (one source, one account name).

    Parameters
    ----------
    s : Session
        The login's transaction (the caller commits even when the login fails).
    source : str or None
        The client's address (``None``: the CLI on this machine).
    username : str
        The name typed.
    exists : bool
        Whether an account of this name exists.
    now : datetime
        The time of the attempt (UTC).
    """

    s: Session
    source: str | None
    username: str
    exists: bool
    now: datetime

    def _row(self, key: str) -> LoginThrottle:
        row = self.s.scalars(select(LoginThrottle).where(LoginThrottle.key == key)
                             .with_for_update()).first()
        if row is None:
            _insert_missing(self.s, key)
            row = self.s.scalars(select(LoginThrottle).where(LoginThrottle.key == key)
                                 .with_for_update()).one()
        last = _aware(row.last_failure)
        if row.failures and last is not None and self.now - last > FORGET_AFTER:
            row.failures, row.wait_until = 0, None
        return row

    def _known(self) -> bool:
        if not self.exists:
            return False
        row = self.s.get(LoginThrottle, _known_key(self.username, self.source))
        last = _aware(row.last_failure) if row is not None else None
        return last is not None and self.now - last <= timedelta(days=KNOWN_DAYS)

    def seconds_to_wait(self) -> int:
        """Whole seconds this attempt must still wait (0: it may be checked now).

        When the source itself must wait, the attempt counts as one more failure of
        the source (not of the account), and the wait returned is the new one.
        """
        src = source_key(self.source)
        keys = [src]
        if not self._known():
            keys.append(account_key(self.username, self.exists))
        left, source_waits = 0.0, False
        for key in keys:
            row = self.s.get(LoginThrottle, key)
            until = _aware(row.wait_until) if row is not None else None
            last = _aware(row.last_failure) if row is not None else None
            if until is not None and until > self.now and not (
                    last is not None and self.now - last > FORGET_AFTER):
                left = max(left, (until - self.now).total_seconds())
                source_waits |= key == src
        if source_waits:
            left = max(left, self._count(src, SOURCE_FREE, SOURCE_BASE, SOURCE_MAX_WAIT)[1])
        return int(left) + (1 if left % 1 else 0)

    def _count(self, key: str, free: int, base: int, most: int) -> tuple[int, float]:
        row = self._row(key)
        row.failures = (row.failures or 0) + 1
        row.last_failure = self.now
        wait = _wait(row.failures, free, base, most)
        row.wait_until = self.now + timedelta(seconds=wait) if wait else None
        return row.failures, wait

    def failed(self) -> int:
        """Count a failed attempt on the source and the account.

        Returns
        -------
        int
            Failures of the account (the number :func:`geo.auth.accounts.list_users`
            shows as ``failed_attempts``).
        """
        self._count(source_key(self.source), SOURCE_FREE, SOURCE_BASE, SOURCE_MAX_WAIT)
        return self._count(account_key(self.username, self.exists), ACCOUNT_FREE, ACCOUNT_BASE,
                           ACCOUNT_MAX_WAIT)[0]

    def succeeded(self) -> None:
        """Forget the account's failures and remember the source for this account."""
        acct = self._row(account_key(self.username, True))
        acct.failures, acct.wait_until = 0, None
        ok = self._row(_known_key(self.username, self.source))
        ok.last_failure = self.now  # here: when this source last logged in


def _known_key(username: str, source: str | None) -> str:
    """Key remembering that ``source`` logged into ``username`` (hashed: it fits the column)."""
    raw = f"{username}|{source_key(source)}".encode("utf-8", "replace")
    return "ok:" + hashlib.sha256(raw).hexdigest()[:40]


def _insert_missing(s: Session, key: str) -> None:
    """Insert a zero row for ``key`` unless a concurrent login just did."""
    dialect = s.get_bind().dialect.name
    values = {"key": key, "failures": 0}
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - diaban runs on SQLite and PostgreSQL
        s.add(LoginThrottle(**values))
        s.flush()
        return
    s.execute(insert(LoginThrottle).values(**values).on_conflict_do_nothing())
