"""User accounts: creation, passwords, lockout, login, sessions.

Passwords are stored as argon2id hashes; after :data:`MAX_FAILED` failed logins in
a row an account is locked for :data:`LOCK_MINUTES` minutes. Accounts are never
deleted, only disabled. Every function takes an open session of the caller's
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

from geo.auth.area import check_area
from geo.auth.policy import Principal, as_principal
from geo.errors import AuthError, NotFoundError, ValidationError
from geo.store.schema import User, utcnow
from geo.vocab import ROLES

__all__ = [
    "LOCK_MINUTES",
    "MAX_FAILED",
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
    "refresh",
    "session_expired",
    "set_password",
]

#: Failed logins in a row that lock an account.
MAX_FAILED = 5
#: Minutes an account stays locked.
LOCK_MINUTES = 15
#: Shortest password accepted.
MIN_PASSWORD = 8
#: A session ends after this many minutes without activity (``DIABAN_SESSION_IDLE_MIN``).
SESSION_IDLE_MINUTES = int(os.environ.get("DIABAN_SESSION_IDLE_MIN", "30"))
#: A session ends this many hours after login, active or not (``DIABAN_SESSION_MAX_HOURS``).
SESSION_MAX_HOURS = float(os.environ.get("DIABAN_SESSION_MAX_HOURS", "10"))
#: What :func:`list_users` tells about an account (never the password hash).
USER_COLUMNS = ("username", "role", "province_code", "district_code", "active", "locked_until",
                "failed_attempts", "created_at", "last_login")

_HASHER = PasswordHasher()


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


def check_password(password: str) -> str:
    """``password`` when it has at least :data:`MIN_PASSWORD` characters.

    Raises
    ------
    ValidationError
        When it is shorter.
    """
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.",
            f"The password must have at least {MIN_PASSWORD} characters.",
        )
    return password


def check_username(username: str) -> str:
    """``username`` when it has only letters, digits and ``._-@`` (at most 80 characters).

    Raises
    ------
    ValidationError
        For an empty, too long or otherwise spelled name.
    """
    if not username or len(username) > 80 or not all(
            c.isalnum() or c in "._-@" for c in username):
        raise ValidationError(
            "Tên đăng nhập chỉ gồm chữ, số và . _ - @ (tối đa 80 ký tự).",
            "A username has only letters, digits and . _ - @ (at most 80 characters).",
        )
    return username


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
             actor: str = "system") -> Principal:
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

    Raises
    ------
    ValidationError
        Bad name, role or password, the name is taken, or the first account is not
        an administrator.
    """
    from geo.store import audit

    check_role(role)
    check_password(password)
    check_username(username)
    province_code, district_code = check_area(province_code, district_code)
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
             province_code=province_code, district_code=district_code, active=True,
             failed_attempts=0)
    s.add(u)
    s.flush()
    audit(s, actor, "create", "user", username, role=role, province=province_code,
          district=district_code)
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
        Too short a password.
    NotFoundError
        No such account.
    """
    from geo.store import audit

    check_password(password)
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


def authenticate(s: Session, username: str, password: str,
                 now: datetime | None = None) -> Principal:
    """Check a username and password; count failures and lock after :data:`MAX_FAILED`.

    Unknown names, wrong passwords and disabled accounts get the same message.
    Every failure and every lock is recorded in the audit log.

    The failure counter, the lock and the audit entries are written in ``s`` before
    :class:`~geo.errors.AuthError` is raised: **the caller commits them even when
    this raises** (:func:`geo.services.users.login` does).

    Raises
    ------
    AuthError
        Wrong credentials, disabled account, or account locked (with the minutes left).
    """
    from geo.store import audit

    now = now or utcnow()
    u = s.scalars(select(User).where(User.username == username).with_for_update()).first()
    if u is None or not u.active:
        _verify(_dummy_hash(), password)
        audit(s, username or "?", "login_failed", "user", username,
              reason="unknown" if u is None else "disabled")
        raise _bad_login()
    locked = _aware(u.locked_until)
    if locked and locked > now:
        left = int((locked - now).total_seconds() // 60) + 1
        audit(s, username, "login_refused", "user", username, reason="locked")
        raise AuthError(
            f"Tài khoản tạm khóa do đăng nhập sai nhiều lần; thử lại sau {left} phút.",
            f"Account locked after repeated failed logins; try again in {left} min.",
        )
    if not _verify(u.password_hash, password):
        u.failed_attempts = (u.failed_attempts or 0) + 1
        audit(s, username, "login_failed", "user", username, attempts=u.failed_attempts)
        if u.failed_attempts >= MAX_FAILED:
            u.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            u.failed_attempts = 0
            audit(s, username, "lock", "user", username, minutes=LOCK_MINUTES)
            raise AuthError(
                f"Đăng nhập sai {MAX_FAILED} lần: tài khoản bị khóa {LOCK_MINUTES} phút.",
                f"{MAX_FAILED} failed logins: the account is locked for {LOCK_MINUTES} min.",
            )
        raise _bad_login()
    if _HASHER.check_needs_rehash(u.password_hash):
        u.password_hash = _HASHER.hash(password)
    u.failed_attempts = 0
    u.locked_until = None
    u.last_login = now
    audit(s, username, "login", "user", username)
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
