"""User accounts: creation, passwords, login, sessions.

Passwords are stored as argon2id hashes and must meet :mod:`geo.auth.passwords`.
Failed logins slow the guesser down (:mod:`geo.auth.throttle`: growing delays per
source and per account); nothing an outsider does locks an account. Accounts are
never deleted, only disabled. Every function takes an open session of the caller's
transaction (:func:`geo.services.base.transaction`); the use cases that call them
are in :mod:`geo.services.users`.

While the ``users`` table is empty nobody logs in: everyone is the local
administrator (:func:`local_admin`).
"""

from __future__ import annotations

import functools
import getpass
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.auth.area import check_limit
from geo.auth.passwords import MAX_PASSWORD, MIN_PASSWORD, check_username, username_ok
from geo.auth.passwords import check_password as _check_password
from geo.auth.policy import Principal, as_principal
from geo.auth.throttle import SOURCE_FREE, SOURCE_MAX_WAIT, Throttle
from geo.errors import AuthError, NotFoundError, ValidationError
from geo.store.schema import User, utcnow
from geo.vocab import ROLES

__all__ = [
    "LOCK_MINUTES",
    "MAX_FAILED",
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "SESSION_IDLE_MINUTES",
    "SESSION_MAX_HOURS",
    "USER_COLUMNS",
    "add_user",
    "authenticate",
    "check_password",
    "check_role",
    "check_username",
    "disable_user",
    "get_user",
    "has_users",
    "list_users",
    "local_admin",
    "masked_name",
    "refresh",
    "session_expired",
    "set_password",
]

#: Failures from one source before it must wait (:data:`geo.auth.throttle.SOURCE_FREE`).
MAX_FAILED = SOURCE_FREE
#: Longest wait of a source, in minutes (:data:`geo.auth.throttle.SOURCE_MAX_WAIT`).
LOCK_MINUTES = SOURCE_MAX_WAIT // 60
#: A session ends after this many minutes without activity (``DIABAN_SESSION_IDLE_MIN``).
SESSION_IDLE_MINUTES = int(os.environ.get("DIABAN_SESSION_IDLE_MIN", "30"))
#: A session ends this many hours after login, active or not (``DIABAN_SESSION_MAX_HOURS``).
SESSION_MAX_HOURS = float(os.environ.get("DIABAN_SESSION_MAX_HOURS", "10"))
#: What :func:`list_users` tells about an account (never the password hash).
USER_COLUMNS = ("username", "role", "province_code", "province_edition", "district_code",
                "active", "locked_until", "failed_attempts", "created_at", "last_login")

#: argon2id at one of OWASP's equivalent settings (46 MiB, one pass, one lane): about
#: 0.05 s of one core per login, where argon2-cffi's default (64 MiB, three passes, four
#: lanes) took 0.18 s of both cores of a province server, so that 50 people logging in
#: at the start of a working day queued behind each other's hashes for seconds. Hashes
#: made with other settings still verify and are rehashed at the next login.
_HASHER = PasswordHasher(time_cost=1, memory_cost=47104, parallelism=1)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so both paths take as long."""
    return _HASHER.hash("diaban-no-such-user")


def local_admin() -> Principal:
    """The implicit administrator of an install whose ``users`` table is empty.

    Named after the operating-system user (recorded in the audit log).
    """
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        name = "local"
    return Principal(username=name or "local", role="admin", local=True)


def has_users(s: Session) -> bool:
    """Whether any user account exists (login is required once one does)."""
    return bool(s.scalar(select(func.count()).select_from(User)))


# ------------------------------------------------------------------ checks


def check_role(role: str) -> str:
    """``role`` when it is a key of :data:`geo.vocab.ROLES`.

    Raises
    ------
    ValidationError
        For any other role, listing the valid ones.
    """
    if role not in ROLES:
        raise ValidationError(
            f"Vai trò '{role}' không hợp lệ; dùng: {', '.join(ROLES)}.",
            f"Invalid role '{role}'; use: {', '.join(ROLES)}.",
        )
    return role


def check_password(password: str, username: str | None = None) -> str:
    """``password`` when :mod:`geo.auth.passwords` accepts it (≥ :data:`MIN_PASSWORD`
    characters, ≤ :data:`MAX_PASSWORD`, not common, not the username).

    Raises
    ------
    ValidationError
        Saying what is wrong.
    """
    return _check_password(password, username)


# ------------------------------------------------------------------ accounts


def get_user(s: Session, username: str, lock: bool = False) -> User:
    """The account ``username`` (``lock``: ``SELECT … FOR UPDATE``).

    Raises
    ------
    NotFoundError
        No such account.
    """
    q = select(User).where(User.username == username)
    if lock:
        q = q.with_for_update()
    u = s.scalars(q).first()
    if u is None:
        raise NotFoundError(f"Không có tài khoản '{username}'.", f"No account '{username}'.")
    return u


def add_user(s: Session, username: str, password: str, role: str,
             province_code: str | None = None, district_code: str | None = None,
             actor: str = "system", province_edition: str | None = None) -> Principal:
    """Create a user account with an argon2 password hash.

    Parameters
    ----------
    s : Session
        Open session (the caller commits).
    username, password : str
        Login name (letters, digits, ``._-@``) and password (≥ :data:`MIN_PASSWORD` chars).
    role : str
        A key of :data:`geo.vocab.ROLES`.
    province_code, district_code : str, optional
        Limit the account to a province (code or name) or a (legacy) district.
    actor : str
        Who creates the account (audit log).
    province_edition : {"legacy", "2025"}, optional
        The edition the province is read in (default: the legacy registry first, as
        :func:`geo.auth.area.province_code` reads it).

    Raises
    ------
    ValidationError
        Bad name, role or password, the name is taken, or the first account is not
        an administrator.
    """
    from geo.store import audit

    check_role(role)
    check_username(username)
    check_password(password, username)
    province_code, district_code, province_edition = check_limit(
        province_code, district_code, province_edition)
    if role != "admin" and not has_users(s):
        raise ValidationError(
            "Tài khoản đầu tiên phải là quản trị (--role admin): khi đã có tài khoản, "
            "chỉ quản trị mới tạo được tài khoản khác.",
            "The first account must be an administrator (--role admin): once accounts "
            "exist, only administrators can create others.",
        )
    if s.scalars(select(User.id).where(User.username == username)).first() is not None:
        raise ValidationError(f"Tài khoản '{username}' đã có.",
                              f"Account '{username}' already exists.")
    u = User(username=username, password_hash=_HASHER.hash(password), role=role,
             province_code=province_code, province_edition=province_edition,
             district_code=district_code, active=True, failed_attempts=0)
    s.add(u)
    s.flush()
    audit(s, actor, "create", "user", username, role=role, province=province_code,
          edition=province_edition, district=district_code)
    return Principal.from_user(u)


def list_users(s: Session) -> list[dict]:
    """Every account, by name, with the fields of :data:`USER_COLUMNS` (no password hash)."""
    return [{c: getattr(u, c) for c in USER_COLUMNS}
            for u in s.scalars(select(User).order_by(User.username))]


def set_password(s: Session, username: str, password: str, actor: str = "system") -> None:
    """Change a password; also unlocks the account.

    Raises
    ------
    ValidationError
        A password the policy refuses (:mod:`geo.auth.passwords`).
    NotFoundError
        No such account.
    """
    from geo.store import audit

    check_password(password, username)
    u = get_user(s, username, lock=True)
    u.password_hash = _HASHER.hash(password)
    u.failed_attempts = 0
    u.locked_until = None
    audit(s, actor, "passwd", "user", username)


def disable_user(s: Session, username: str, actor: str = "system",
                 enable: bool = False) -> None:
    """Disable (or enable again, and unlock) an account; it is never deleted.

    A disabled account's API tokens stop working.

    Raises
    ------
    NotFoundError
        No such account.
    ValidationError
        Disabling the last active administrator.
    """
    from geo.store import audit

    u = get_user(s, username, lock=True)
    if not enable and u.role == "admin" and u.active:
        n_admins = s.scalar(select(func.count()).select_from(User).where(
            User.role == "admin", User.active.is_(True)))
        if n_admins <= 1:
            raise ValidationError(
                "Không thể vô hiệu hóa tài khoản quản trị cuối cùng.",
                "The last active administrator cannot be disabled.",
            )
    u.active = enable
    if enable:
        u.failed_attempts = 0
        u.locked_until = None
    audit(s, actor, "enable" if enable else "disable", "user", username)


# ------------------------------------------------------------------ login


def _aware(d: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; diaban stores UTC."""
    if d is not None and d.tzinfo is None:
        return d.replace(tzinfo=UTC)
    return d


def _bad_login() -> AuthError:
    return AuthError("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password.")


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _locked(u: User, now: datetime) -> bool:
    """An account whose ``locked_until`` lies ahead (set by versions before 0004b)."""
    locked = _aware(u.locked_until)
    return bool(locked and locked > now)


def masked_name(username: object) -> str:
    """How a name that is no account is written in the audit log: never as typed.

    A password typed into the username field must not end up in the log, so only
    its length is kept (``?(12)``).

    Examples
    --------
    >>> masked_name("Mat-khau-2025")
    '?(13)'
    """
    return f"?({len(username) if isinstance(username, str) else 0})"


def authenticate(s: Session, username: str, password: str,
                 now: datetime | None = None, source: str | None = None) -> Principal:
    """Check a username and password, throttling failures (:mod:`geo.auth.throttle`).

    Unknown names, wrong passwords, disabled accounts and names that are not valid
    usernames (checked before the database is asked) get the same message; an
    attempt made while its source or the account must wait is refused before the
    password is checked, with the seconds to wait, whatever the name. Passwords
    longer than :data:`MAX_PASSWORD` are refused without hashing. Failures and
    logins are recorded in the audit log with the source; a name that is no
    account is recorded masked (:func:`masked_name`), never as typed.

    The throttle counts and the audit entries are written in ``s`` before
    :class:`~geo.errors.AuthError` is raised: **the caller commits them even when
    this raises** (:func:`geo.services.users.login` does).

    Parameters
    ----------
    s : Session
        Open session.
    username, password : str
        As typed.
    now : datetime, optional
        Time of the attempt (UTC; tests).
    source : str, optional
        The client's address (``None``: this machine, the CLI).

    Raises
    ------
    AuthError
        Wrong credentials, disabled account, or the source/account must wait.
    """
    from geo.store import audit

    now = now or utcnow()
    name = username if isinstance(username, str) else ""
    valid = username_ok(name)
    u = s.scalars(select(User).where(User.username == name).with_for_update()).first() \
        if valid else None
    th = Throttle(s, source, name, u is not None, now)
    wait = th.seconds_to_wait()
    if wait > 0:
        raise AuthError(
            f"Đăng nhập sai nhiều lần; hãy đợi {wait} giây rồi thử lại.",
            f"Too many failed logins; wait {wait} s and try again.")
    pw = password if isinstance(password, str) else ""
    usable = u is not None and u.active and not _locked(u, now)
    if len(pw) > MAX_PASSWORD:
        ok = False
    elif usable:
        ok = _verify(u.password_hash, pw)
    else:
        _verify(_dummy_hash(), pw)  # unknown and known names take as long
        ok = False
    src = source or "local"
    if not ok:
        n = th.failed()
        if u is None:
            shown = masked_name(name)
            audit(s, shown, "login_failed", "user", shown,
                  reason="unknown" if valid else "invalid_name", source=src)
        else:
            u.failed_attempts = n
            reason = ("wrong_password" if usable else
                      "disabled" if not u.active else "locked")
            audit(s, name, "login_failed", "user", name, reason=reason, attempts=n,
                  source=src)
        raise _bad_login()
    if _HASHER.check_needs_rehash(u.password_hash):
        u.password_hash = _HASHER.hash(pw)
    th.succeeded()
    u.failed_attempts = 0
    u.last_login = now
    audit(s, name, "login", "user", name, source=src)
    return Principal.from_user(u)


def session_expired(started_at: datetime, last_seen: datetime, now: datetime | None = None,
                    idle_minutes: float | None = None, max_hours: float | None = None) -> bool:
    """Whether a login session has ended (idle too long, or too old).

    Examples
    --------
    >>> t0 = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)
    >>> session_expired(t0, t0, t0 + timedelta(minutes=10))
    False
    >>> session_expired(t0, t0, t0 + timedelta(minutes=45))
    True
    """
    now = now or utcnow()
    idle = timedelta(minutes=SESSION_IDLE_MINUTES if idle_minutes is None else idle_minutes)
    most = timedelta(hours=SESSION_MAX_HOURS if max_hours is None else max_hours)
    return now - last_seen > idle or now - started_at > most


def refresh(s: Session, principal: Principal | Mapping | None) -> Principal | None:
    """The account as stored now (``None`` if it was disabled or locked since login).

    Failed logins by others never end a session: only disabling (or a
    ``locked_until`` left by a version before 0004b) does.

    The local administrator is returned as it is.
    """
    p = as_principal(principal)
    if p is None or p.local:
        return p
    u = s.scalars(select(User).where(User.username == p.username)).first()
    if u is None or not u.active:
        return None
    locked = _aware(u.locked_until)
    if locked and locked > utcnow():
        return None
    return Principal.from_user(u)
