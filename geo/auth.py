"""Users, roles and permissions: who may do what, where.

Roles (Vietnamese first):

========================  ============  ===========================================
role                      who           actions
========================  ============  ===========================================
``viewer``                leadership    view, export
``planner``               planners      view, export, analyze
``data_officer``          data entry    view, export, analyze, import, edit, undo
``admin``                 administrator every action, incl. manage_users, audit, backup
========================  ============  ===========================================

A user may be limited to a province (``province_code``) or a district
(``district_code``, legacy edition); :func:`authorize` refuses actions on another
province. Passwords are stored as argon2id hashes; after :data:`MAX_FAILED`
failed logins in a row an account is locked for :data:`LOCK_MINUTES` minutes.

**Single-user local install.** While the ``users`` table is empty, nobody is
asked to log in and everything is allowed as the local administrator (the CLI
records the operating-system user name in the audit log). Creating the first
user (``diaban users add``) switches login on for the app and the CLI.

The CLI acts as the user given by ``--user``/``DIABAN_USER`` with a password
(typed at a hidden prompt, or ``DIABAN_PASSWORD`` for scripts), or by an API
token an admin created (``DIABAN_TOKEN``); see :func:`cli_principal`. This
module never imports Streamlit.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from geo.db import ApiToken, User, get_engine, session_scope, utcnow
from geo.errors import AuthError, NotFoundError, PermissionDenied, ValidationError
from geo.i18n import tr

__all__ = [
    "ACTIONS",
    "LOCK_MINUTES",
    "MAX_FAILED",
    "PERMISSIONS",
    "ROLES",
    "Principal",
    "add_user",
    "allowed",
    "authenticate",
    "authorize",
    "cli_principal",
    "create_token",
    "disable_user",
    "has_users",
    "list_users",
    "local_admin",
    "may_undo",
    "revoke_token",
    "session_expired",
    "set_password",
    "token_user",
    "units_outside_area",
]

#: Roles with their Vietnamese and English labels.
ROLES: dict[str, tuple[str, str]] = {
    "viewer": ("Lãnh đạo (chỉ xem)", "Leadership (view only)"),
    "planner": ("Cán bộ kế hoạch", "Planner"),
    "data_officer": ("Cán bộ nhập liệu", "Data officer"),
    "admin": ("Quản trị hệ thống", "Administrator"),
}

#: Actions with their Vietnamese and English labels.
ACTIONS: dict[str, tuple[str, str]] = {
    "view": ("xem bản đồ, số liệu", "view maps and figures"),
    "export": ("xuất bản đồ, báo cáo, số liệu", "export maps, briefs and figures"),
    "analyze": ("phân tích, chọn địa bàn", "run analyses and targeting"),
    "import": ("nhập dữ liệu", "import data"),
    "edit": ("sửa dữ liệu", "edit data"),
    "undo": ("hoàn tác lần nhập", "undo imports"),
    "manage_users": ("quản lý tài khoản", "manage user accounts"),
    "audit": ("xem nhật ký thay đổi", "read the audit log"),
    "backup": ("sao lưu, phục hồi dữ liệu", "back up and restore data"),
    "setup": ("khởi tạo, nâng cấp cơ sở dữ liệu, nạp dữ liệu mẫu",
              "initialise or upgrade the database, load the demo"),
}

_READ = frozenset({"view", "export"})
#: Which role may do which action.
PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": _READ,
    "planner": _READ | {"analyze"},
    "data_officer": _READ | {"analyze", "import", "edit", "undo"},
    "admin": frozenset(ACTIONS),
}

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

_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so both paths take as long."""
    return _HASHER.hash("diaban-no-such-user")


_TOKEN_PREFIX = "dbn_"


@dataclass(frozen=True)
class Principal:
    """Who is acting: a logged-in user, a token's user, or the local administrator.

    Attributes
    ----------
    username : str
        Name recorded in the audit log.
    role : str
        A key of :data:`ROLES`.
    province_code, district_code : str or None
        Area the user is limited to (``None``: everywhere).
    local : bool
        ``True`` for the implicit administrator of an install without users.
    """

    username: str
    role: str
    province_code: str | None = None
    district_code: str | None = None
    local: bool = False

    @classmethod
    def from_user(cls, u: User) -> Principal:
        """Build from a :class:`geo.db.User` row."""
        return cls(u.username, u.role, u.province_code, u.district_code)

    def to_dict(self) -> dict:
        """Plain dict (for the Streamlit session state)."""
        return asdict(self)


def _principal(user: Principal | User | dict | None) -> Principal | None:
    if user is None or isinstance(user, Principal):
        return user
    if isinstance(user, User):
        return Principal.from_user(user)
    return Principal(
        username=user.get("username", ""), role=user.get("role", ""),
        province_code=user.get("province_code"), district_code=user.get("district_code"),
        local=bool(user.get("local", False)),
    )


def local_admin() -> Principal:
    """The implicit administrator of an install whose ``users`` table is empty."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        name = "local"
    return Principal(username=name or "local", role="admin", local=True)


# ------------------------------------------------------------------ permissions


def allowed(user: Principal | User | dict | None, action: str,
            province_code: str | None = None, district_code: str | None = None) -> bool:
    """Whether ``user`` may do ``action`` (in ``province_code``); never raises.

    Examples
    --------
    >>> allowed({"username": "a", "role": "viewer"}, "import")
    False
    >>> allowed({"username": "b", "role": "data_officer", "province_code": "14"}, "import", "14")
    True
    """
    try:
        authorize(user, action, province_code, district_code)
    except PermissionDenied:
        return False
    return True


def authorize(user: Principal | User | dict | None, action: str,
              province_code: str | None = None, district_code: str | None = None,
              whole_province: bool = False) -> None:
    """Raise :class:`~geo.errors.PermissionDenied` unless ``user`` may do ``action``.

    Parameters
    ----------
    user : Principal, User, dict or None
        Who acts (``None``: nobody is logged in).
    action : str
        A key of :data:`ACTIONS`.
    province_code : str, optional
        Province the action touches, in either registry edition; a user limited to a
        province may act on it, on the 2025 province it merged into, and on the legacy
        provinces merged into it.
    district_code : str, optional
        Legacy district the action touches (checked for district-limited users).
    whole_province : bool
        The action touches the whole province at once (boundaries, population, a
        province-wide export): refused to users limited to one district.

    Raises
    ------
    PermissionDenied
        With a Vietnamese and an English message naming the role and the action.
    ValueError
        For an action not in :data:`ACTIONS` (a programming error).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    p = _principal(user)
    act_vi, act_en = ACTIONS[action]
    if p is None:
        raise PermissionDenied(f"Cần đăng nhập để {act_vi}.", f"Log in to {act_en}.")
    if action not in PERMISSIONS.get(p.role, frozenset()):
        role_vi, role_en = ROLES.get(p.role, (p.role, p.role))
        raise PermissionDenied(
            f"Tài khoản '{p.username}' ({role_vi}) không có quyền {act_vi}.",
            f"Account '{p.username}' ({role_en}) may not {act_en}.",
        )
    if p.province_code and province_code and not _same_province(p.province_code,
                                                                 province_code):
        raise PermissionDenied(
            f"Tài khoản '{p.username}' chỉ được làm việc với tỉnh mã {p.province_code}, "
            f"không được {act_vi} của tỉnh mã {province_code}.",
            f"Account '{p.username}' is limited to province {p.province_code} and may not "
            f"{act_en} of province {province_code}.",
        )
    if p.district_code:
        if whole_province:
            raise PermissionDenied(
                f"Tài khoản '{p.username}' chỉ được làm việc với huyện mã {p.district_code}, "
                f"không được {act_vi} cho cả tỉnh.",
                f"Account '{p.username}' is limited to district {p.district_code} and may not "
                f"{act_en} for a whole province.",
            )
        if province_code and not _district_in_province(p.district_code, province_code):
            raise PermissionDenied(
                f"Tài khoản '{p.username}' chỉ được làm việc với huyện mã {p.district_code}.",
                f"Account '{p.username}' is limited to district {p.district_code}.",
            )
        if district_code and district_code != p.district_code:
            raise PermissionDenied(
                f"Tài khoản '{p.username}' chỉ được làm việc với huyện mã {p.district_code}, "
                f"không được {act_vi} của huyện mã {district_code}.",
                f"Account '{p.username}' is limited to district {p.district_code} and may "
                f"not {act_en} of district {district_code}.",
            )


def may_undo(user: Principal | User | dict | None, province_code: str | None,
             batch_user: str | None) -> None:
    """Raise :class:`~geo.errors.PermissionDenied` unless ``user`` may undo a batch.

    A batch of a province needs the ``undo`` right there; a user limited to one
    district may undo only the batches they imported themselves.
    """
    p = _principal(user)
    authorize(p, "undo", province_code)
    if p is not None and p.district_code and batch_user != p.username:
        raise PermissionDenied(
            f"Tài khoản '{p.username}' chỉ được hoàn tác lần nhập do chính mình thực hiện.",
            f"Account '{p.username}' may undo only its own imports.",
        )


def units_outside_area(user: Principal | User | dict | None, edition: str,
                       codes: list[str]) -> list[str]:
    """Commune codes of ``edition`` outside the area ``user`` is limited to.

    A 2025 commune is inside a (legacy) district limit when one of the communes
    it was formed from lay in that district.

    Examples
    --------
    >>> units_outside_area({"username": "a", "role": "admin"}, "legacy", ["04024"])
    []
    """
    p = _principal(user)
    if p is None or (not p.province_code and not p.district_code):
        return []
    from geo.registry import load_crosswalk, load_units

    units = load_units(edition, "commune").set_index("code")
    out = []
    if p.district_code:
        if edition == "legacy":
            ok = set(units.index[units.district_code == p.district_code])
        else:
            old = load_units("legacy", "commune").set_index("code").district_code
            cw = load_crosswalk()
            ok = set(cw.new_code[cw.old_code.map(old) == p.district_code])
        return [c for c in codes if c not in ok]
    for c in codes:
        prov = units.province_code.get(c)
        if not isinstance(prov, str) or not _same_province(p.province_code, prov):
            out.append(c)
    return out


@functools.lru_cache(maxsize=1)
def _province_links() -> frozenset[tuple[str, str]]:
    """(legacy province, 2025 province) pairs that share at least one commune."""
    from geo.registry import load_crosswalk, load_units

    old = load_units("legacy", "commune").set_index("code").province_code
    new = load_units("2025", "commune").set_index("code").province_code
    cw = load_crosswalk()
    pairs = zip(cw.old_code.map(old), cw.new_code.map(new))
    return frozenset((a, b) for a, b in pairs if isinstance(a, str) and isinstance(b, str))


def _same_province(limit: str, code: str) -> bool:
    if limit == code:
        return True
    links = _province_links()
    return (limit, code) in links or (code, limit) in links


def _district_province(district: str) -> str | None:
    """Province code of a legacy district (``None`` when the registry lacks it)."""
    from geo.registry import load_units

    d = load_units("legacy", "district")
    row = d[d.code == district]
    return None if row.empty else str(row.province_code.iloc[0])


def _district_in_province(district: str, province: str) -> bool:
    dprov = _district_province(district)
    return dprov is None or _same_province(dprov, province)


# ------------------------------------------------------------------ users


def has_users(url: str | None = None, s: Session | None = None) -> bool:
    """Whether any user account exists (login is required once one does).

    A database without diaban's tables yet has no users.
    """
    if s is not None:
        return bool(s.scalar(select(func.count()).select_from(User)))
    if not inspect(get_engine(url)).has_table(User.__tablename__):
        return False
    with session_scope(url) as s2:
        return bool(s2.scalar(select(func.count()).select_from(User)))


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError(
            f"Vai trò '{role}' không hợp lệ; dùng: {', '.join(ROLES)}.",
            f"Invalid role '{role}'; use: {', '.join(ROLES)}.",
        )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.",
            f"The password must have at least {MIN_PASSWORD} characters.",
        )


def _get_user(s: Session, username: str, lock: bool = False) -> User:
    q = select(User).where(User.username == username)
    if lock:
        q = q.with_for_update()
    u = s.scalars(q).first()
    if u is None:
        raise NotFoundError(f"Không có tài khoản '{username}'.", f"No account '{username}'.")
    return u


def add_user(url: str | None, username: str, password: str, role: str,
             province_code: str | None = None, district_code: str | None = None,
             actor: str = "system") -> Principal:
    """Create a user account with an argon2 password hash.

    Parameters
    ----------
    url : str or None
        Database URL.
    username, password : str
        Login name (letters, digits, ``._-@``) and password (≥ :data:`MIN_PASSWORD` chars).
    role : str
        A key of :data:`ROLES`.
    province_code, district_code : str, optional
        Limit the account to a province or a (legacy) district.
    actor : str
        Who creates the account (audit log).

    Raises
    ------
    ValidationError
        Bad name, role or password, or the name is taken.
    """
    from geo.store import audit, init_db

    _check_role(role)
    _check_password(password)
    if not username or len(username) > 80 or not all(
            c.isalnum() or c in "._-@" for c in username):
        raise ValidationError(
            "Tên đăng nhập chỉ gồm chữ, số và . _ - @ (tối đa 80 ký tự).",
            "A username has only letters, digits and . _ - @ (at most 80 characters).",
        )
    province_code, district_code = _check_area(province_code, district_code)
    init_db(url)
    with session_scope(url) as s:
        if role != "admin" and not has_users(s=s):
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


def _check_area(province: str | None, district: str | None) -> tuple[str | None, str | None]:
    """Resolve a province (code or name) and check a district code against the registry."""
    if province:
        province = _province_code(province)
    if district:
        dprov = _district_province(district)
        if dprov is None:
            raise ValidationError(f"Không có huyện mã '{district}'.",
                                  f"No district with code '{district}'.")
        if province and not _same_province(province, dprov):
            raise ValidationError(f"Huyện {district} không thuộc tỉnh {province}.",
                                  f"District {district} is not in province {province}.")
        province = province or dprov
    return province, district


def list_users(url: str | None = None) -> list[dict]:
    """Every account, without password hashes.

    Returns
    -------
    list of dict
        ``username, role, province_code, district_code, active, locked_until,
        failed_attempts, created_at, last_login``.
    """
    cols = ["username", "role", "province_code", "district_code", "active", "locked_until",
            "failed_attempts", "created_at", "last_login"]
    if not has_users(url):
        return []
    with session_scope(url) as s:
        return [{c: getattr(u, c) for c in cols}
                for u in s.scalars(select(User).order_by(User.username))]


def set_password(url: str | None, username: str, password: str, actor: str = "system") -> None:
    """Change a password; also unlocks the account."""
    from geo.store import audit

    _check_password(password)
    with session_scope(url) as s:
        u = _get_user(s, username, lock=True)
        u.password_hash = _HASHER.hash(password)
        u.failed_attempts = 0
        u.locked_until = None
        audit(s, actor, "passwd", "user", username)


def disable_user(url: str | None, username: str, actor: str = "system",
                 enable: bool = False) -> None:
    """Disable (or enable again) an account; it is never deleted. Its tokens stop working."""
    from geo.store import audit

    with session_scope(url) as s:
        u = _get_user(s, username, lock=True)
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


def authenticate(url: str | None, username: str, password: str,
                 now: datetime | None = None) -> Principal:
    """Check a username and password; count failures and lock after :data:`MAX_FAILED`.

    Unknown names, wrong passwords and disabled accounts get the same message.
    Every failure and every lock is recorded in the audit log.

    Raises
    ------
    AuthError
        Wrong credentials, disabled account, or account locked (with the minutes left).
    """
    from geo.store import audit

    now = now or utcnow()
    error: AuthError | None = None
    with session_scope(url) as s:
        u = s.scalars(select(User).where(User.username == username).with_for_update()).first()
        if u is None or not u.active:
            _verify(_dummy_hash(), password)
            audit(s, username or "?", "login_failed", "user", username,
                  reason="unknown" if u is None else "disabled")
            error = _bad_login()
        elif _aware(u.locked_until) and _aware(u.locked_until) > now:
            left = int((_aware(u.locked_until) - now).total_seconds() // 60) + 1
            audit(s, username, "login_refused", "user", username, reason="locked")
            error = AuthError(
                f"Tài khoản tạm khóa do đăng nhập sai nhiều lần; thử lại sau {left} phút.",
                f"Account locked after repeated failed logins; try again in {left} min.",
            )
        elif not _verify(u.password_hash, password):
            u.failed_attempts = (u.failed_attempts or 0) + 1
            audit(s, username, "login_failed", "user", username, attempts=u.failed_attempts)
            if u.failed_attempts >= MAX_FAILED:
                u.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                u.failed_attempts = 0
                audit(s, username, "lock", "user", username, minutes=LOCK_MINUTES)
                error = AuthError(
                    f"Đăng nhập sai {MAX_FAILED} lần: tài khoản bị khóa {LOCK_MINUTES} phút.",
                    f"{MAX_FAILED} failed logins: the account is locked for {LOCK_MINUTES} min.",
                )
            else:
                error = _bad_login()
        else:
            if _HASHER.check_needs_rehash(u.password_hash):
                u.password_hash = _HASHER.hash(password)
            u.failed_attempts = 0
            u.locked_until = None
            u.last_login = now
            audit(s, username, "login", "user", username)
            return Principal.from_user(u)
    raise error


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


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


def refresh(url: str | None, principal: Principal | dict) -> Principal | None:
    """The account as stored now (``None`` if it was disabled or locked since login).

    Pages call this on every run so that disabling an account or changing its role
    takes effect at once.
    """
    p = _principal(principal)
    if p is None or p.local:
        return p
    with session_scope(url) as s:
        u = s.scalars(select(User).where(User.username == p.username)).first()
        if u is None or not u.active:
            return None
        locked = _aware(u.locked_until)
        if locked and locked > utcnow():
            return None
        return Principal.from_user(u)


# ------------------------------------------------------------------ tokens


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(url: str | None, username: str, actor: str = "system",
                 note: str | None = None) -> str:
    """Create an API token for ``username``; only its SHA-256 is stored.

    Returns
    -------
    str
        The token (``dbn_…``), shown once. Scripts pass it in ``DIABAN_TOKEN``.

    Raises
    ------
    ValidationError
        When the note is longer than its column (200 characters).
    """
    from geo.store import audit

    limit = ApiToken.__table__.c.note.type.length
    if note is not None and len(note) > limit:
        raise ValidationError(f"Ghi chú của token dài quá {limit} ký tự.",
                              f"A token note has at most {limit} characters.")
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    with session_scope(url) as s:
        u = _get_user(s, username)
        t = ApiToken(user_id=u.id, token_sha256=_token_hash(token), note=note,
                     created_by=actor)
        s.add(t)
        s.flush()
        audit(s, actor, "create", "api_token", t.id, account=username, note=note)
    return token


def revoke_token(url: str | None, token_id: int, actor: str = "system") -> None:
    """Revoke an API token (kept, marked revoked)."""
    from geo.store import audit

    with session_scope(url) as s:
        t = s.get(ApiToken, token_id)
        if t is None:
            raise NotFoundError(f"Không có mã truy cập số {token_id}.",
                                f"No API token {token_id}.")
        t.revoked_at = utcnow()
        audit(s, actor, "revoke", "api_token", token_id)


def list_tokens(url: str | None = None) -> list[dict]:
    """API tokens (never the tokens themselves)."""
    with session_scope(url) as s:
        rows = s.execute(
            select(ApiToken.id, User.username, ApiToken.note, ApiToken.created_by,
                   ApiToken.created_at, ApiToken.last_used, ApiToken.revoked_at)
            .join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
        ).all()
    keys = ["id", "username", "note", "created_by", "created_at", "last_used", "revoked_at"]
    return [dict(zip(keys, r)) for r in rows]


def token_user(url: str | None, token: str) -> Principal:
    """The user of a valid, unrevoked API token whose account is active.

    Raises
    ------
    AuthError
        Unknown or revoked token, or disabled account.
    """
    from geo.store import audit

    with session_scope(url) as s:
        row = s.execute(
            select(ApiToken, User).join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_sha256 == _token_hash(token.strip()))
        ).first()
        if row is None or row[0].revoked_at is not None or not row[1].active:
            audit(s, "?", "login_failed", "api_token", row[0].id if row else None)
            ok = None
        else:
            row[0].last_used = utcnow()
            ok = Principal.from_user(row[1])
    if ok is None:
        raise AuthError("Mã truy cập (DIABAN_TOKEN) không hợp lệ hoặc đã bị thu hồi.",
                        "The API token (DIABAN_TOKEN) is invalid or revoked.")
    return ok


# ------------------------------------------------------------------ CLI


def _click_objs() -> tuple[dict, dict]:
    """Options of the running click command (``db``, ``user``, ``lang``) and the
    root command's dict (where the answer is remembered); empty outside click.
    """
    if "click" not in sys.modules:
        return {}, {}
    import click

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return {}, {}
    root = ctx.find_root()
    if root.obj is None:
        root.obj = {}
    return (ctx.obj if isinstance(ctx.obj, dict) else root.obj), root.obj


def cli_principal(url: str | None = None, action: str | None = None,
                  province_code: str | None = None, *, username: str | None = None,
                  password: str | None = None, token: str | None = None,
                  prompt: Callable[[str], str] | None = None) -> Principal:
    """Who runs this CLI job, after checking ``action``.

    While the ``users`` table is empty everything is allowed as the local
    administrator (named after the operating-system user). Otherwise the user is,
    in this order: the API token in ``DIABAN_TOKEN``; or ``--user``/``DIABAN_USER``
    with the password in ``DIABAN_PASSWORD`` or typed at a hidden prompt. Failed
    passwords count towards the lockout. Within one command the answer is
    remembered, so the password is asked once. CLI commands call it through
    :func:`geo.cli.common.acting_user`.

    Parameters
    ----------
    url : str, optional
        Database URL (default: the running command's ``--db``).
    action : str, optional
        A key of :data:`ACTIONS` to check.
    province_code : str, optional
        Province the job touches.
    username, password, token : str, optional
        Override the sources above.
    prompt : callable, optional
        Asks for the password (default: a hidden prompt on a terminal).

    Returns
    -------
    Principal
        The acting user.

    Raises
    ------
    AuthError
        Missing or wrong credentials, locked account.
    PermissionDenied
        The user's role does not allow ``action``.
    """
    obj, memo = _click_objs()
    url = url if url is not None else obj.get("db")
    cached = memo.get("_principal")
    if cached is not None and memo.get("_principal_url") == url:
        p = cached
    elif not has_users(url):
        p = local_admin()
    else:
        token = token or os.environ.get("DIABAN_TOKEN")
        username = username or obj.get("user") or os.environ.get("DIABAN_USER")
        if token:
            p = token_user(url, token)
        elif username:
            if password is None:
                password = os.environ.get("DIABAN_PASSWORD")
            if password is None:
                if prompt is None and sys.stdin is not None and sys.stdin.isatty():
                    prompt = getpass.getpass
                if prompt is None:
                    raise AuthError(
                        "Cần mật khẩu: chạy trong cửa sổ lệnh để nhập, hoặc đặt DIABAN_PASSWORD,"
                        " hoặc dùng mã truy cập DIABAN_TOKEN.",
                        "A password is needed: run in a terminal to type it, or set "
                        "DIABAN_PASSWORD, or use an API token in DIABAN_TOKEN.",
                    )
                password = prompt(tr(f"Mật khẩu của {username}: ", f"Password for {username}: ",
                                     obj.get("lang", "vi")))
            p = authenticate(url, username, password)
        else:
            raise AuthError(
                "Cơ sở dữ liệu này có tài khoản người dùng: cho biết bạn là ai bằng --user TÊN "
                "(hoặc DIABAN_USER), hoặc dùng mã truy cập DIABAN_TOKEN.",
                "This database has user accounts: say who you are with --user NAME "
                "(or DIABAN_USER), or use an API token in DIABAN_TOKEN.",
            )
        memo["_principal"] = p  # remembered for this command only
        memo["_principal_url"] = url
    if action is not None:
        authorize(p, action, province_code)
    return p


def _province_code(province: str) -> str:
    from geo.registry import resolve_province

    try:
        return str(resolve_province(province).code)
    except NotFoundError:  # a 2025-only name
        return str(resolve_province(province, "2025").code)


def roles_table(lang: str = "vi") -> list[dict]:
    """The permission table as rows (role, label, one column per action: bool)."""
    return [
        {"role": r, "label": tr(*ROLES[r], lang), **{a: a in PERMISSIONS[r] for a in ACTIONS}}
        for r in ROLES
    ]
