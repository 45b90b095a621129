"""Use cases of accounts: logging in, managing users and API tokens, reading the audit log.

Logging in (:func:`login`, :func:`token_login`), checking a session
(:func:`refresh`) and logging out need no right; they never change the database's
schema, so that ``diaban restore`` can still find its target empty. Everything
else is authorised here: accounts and tokens need ``manage_users`` (changing
one's own password needs nothing more than being logged in), the audit log needs
``audit``. Each use case runs in one transaction.

Examples
--------
>>> from geo.services import users
>>> req = users.AddUserRequest("lanhdao", "ba con meo den", "viewer", province="Sơn La")
>>> req.check().province, req.check().edition
('14', 'legacy')
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from geo.auth import (
    Principal,
    accounts,
    area,
    as_principal,
    authorize,
    local_admin,
    roles_table,
    tokens,
)
from geo.errors import AuthError, PermissionDenied, ValidationError
from geo.services.base import Request, plain, transaction

__all__ = [
    "Account",
    "AccountChange",
    "AccountList",
    "AddUserRequest",
    "AuditLog",
    "AuditRequest",
    "LoginRequest",
    "NewToken",
    "PasswordRequest",
    "RevokeTokenRequest",
    "TokenList",
    "TokenLoginRequest",
    "TokenRequest",
    "UserRequest",
    "add_user",
    "audit_actions",
    "audit_log",
    "create_token",
    "disable_user",
    "enable_user",
    "list_tokens",
    "list_users",
    "local_admin",
    "login",
    "login_required",
    "logout",
    "may_set_password",
    "refresh",
    "revoke_token",
    "roles_table",
    "set_password",
    "token_login",
]


@contextmanager
def _session(db: str | None) -> Iterator[Session | None]:
    """A session on ``db`` as it is: ``None`` when it has no diaban tables yet.

    Identity never migrates or seeds a database: ``diaban restore`` asks who runs it
    before restoring into a new, empty one.
    """
    from sqlalchemy import inspect

    from geo.store import database_url, get_engine, session_scope
    from geo.store.schema import User

    url = database_url(db)
    if _TABLES_SEEN.get(url, 0.0) <= time.monotonic():
        if not inspect(get_engine(url)).has_table(User.__tablename__):
            yield None
            return
        # Pages ask on every run; a schema once there stays (a catalog query spared).
        _TABLES_SEEN[url] = time.monotonic() + 60.0
    with session_scope(url) as s:
        yield s


#: Databases whose account table was seen, until when (monotonic seconds).
_TABLES_SEEN: dict[str, float] = {}


def _text(value: object, column: str, vi: str, en: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{vi} phải là chữ.", f"{en} must be text.", column=column)
    return value


# ------------------------------------------------------------------ identity


@dataclass(frozen=True)
class LoginRequest(Request):
    """A username and password typed at the login form or the CLI prompt.

    Attributes
    ----------
    username, password : str
        As typed.
    source : str, optional
        The client's address (the app: the browser's, through the local proxy only;
        ``None``: this machine, the CLI). Failures are throttled per source and per
        account (:mod:`geo.auth.throttle`).
    """

    username: str
    password: str = field(repr=False)
    source: str | None = None

    def check(self) -> LoginRequest:
        """Both are text (a wrong name or password is the login's answer, not an error)."""
        _text(self.username, "username", "Tên đăng nhập", "The username")
        _text(self.password, "password", "Mật khẩu", "The password")
        return self


@dataclass(frozen=True)
class TokenLoginRequest(Request):
    """An API token (``DIABAN_TOKEN``)."""

    token: str = field(repr=False)

    def check(self) -> TokenLoginRequest:
        """The token is text."""
        _text(self.token, "token", "Mã truy cập", "The API token")
        return self


def login_required(db: str | None = None) -> bool:
    """Whether anybody must log in: some account exists (a database without tables has none).

    Raises
    ------
    sqlalchemy.exc.OperationalError
        When the database cannot be reached (the app then fails closed).
    """
    with _session(db) as s:
        return s is not None and accounts.has_users(s)


def login(req: LoginRequest, db: str | None = None, now: datetime | None = None) -> Principal:
    """Check a username and password (:func:`geo.auth.accounts.authenticate`).

    Failures make the source, then the account, wait growing delays
    (:mod:`geo.auth.throttle`); nothing locks the account. Failures and logins are in
    the audit log (committed even when the login is refused).

    Raises
    ------
    AuthError
        Wrong credentials or disabled account (one message), or a wait to respect.
    """
    req = req.check()
    error: AuthError | None = None
    with _session(db) as s:
        if s is None:
            raise AuthError("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password.")
        try:
            p = accounts.authenticate(s, req.username, req.password, now=now,
                                      source=req.source)
        except AuthError as e:
            error = e  # leave the block normally: the failure is recorded
    if error is not None:
        raise error
    return p


def token_login(req: TokenLoginRequest, db: str | None = None) -> Principal:
    """The user of an API token (:func:`geo.auth.tokens.token_user`); refusals are logged.

    Raises
    ------
    AuthError
        Unknown or revoked token, or disabled account.
    """
    req = req.check()
    error: AuthError | None = None
    with _session(db) as s:
        if s is None:
            raise AuthError("Mã truy cập (DIABAN_TOKEN) không hợp lệ hoặc đã bị thu hồi.",
                            "The API token (DIABAN_TOKEN) is invalid or revoked.")
        try:
            p = tokens.token_user(s, req.token)
        except AuthError as e:
            error = e
    if error is not None:
        raise error
    return p


def refresh(who: Principal | dict | None, db: str | None = None) -> Principal | None:
    """The account of ``who`` as stored now; ``None`` once it is disabled, locked or gone.

    Pages call it on every run, so that disabling an account or changing its role
    takes effect on the user's next click. The local administrator is kept as is.
    """
    p = as_principal(who)
    if p is None or p.local:
        return p
    with _session(db) as s:
        return None if s is None else accounts.refresh(s, p)


def logout(who: Principal | dict, db: str | None = None) -> None:
    """Record that ``who`` logged out (nothing for the local administrator)."""
    p = as_principal(who)
    if p is None or p.local:
        return
    from geo.store import audit

    with _session(db) as s:
        if s is not None:
            audit(s, p.username, "logout", "user", p.username)


# ------------------------------------------------------------------ accounts


@dataclass(frozen=True)
class Account:
    """One account as an administrator sees it (never its password hash)."""

    username: str
    role: str
    province_code: str | None
    province_edition: str | None
    district_code: str | None
    active: bool
    locked_until: datetime | None
    failed_attempts: int
    created_at: datetime | None
    last_login: datetime | None

    def to_dict(self) -> dict:
        """Strict-JSON dict."""
        return plain({k: getattr(self, k) for k in accounts.USER_COLUMNS})


@dataclass(frozen=True)
class AccountList:
    """Every account, by name."""

    accounts: tuple[Account, ...]

    def records(self) -> list[dict]:
        """One dict per account (datetimes as they are), e.g. for a table."""
        return [{k: getattr(a, k) for k in accounts.USER_COLUMNS} for a in self.accounts]

    def frame(self) -> pd.DataFrame:
        """The accounts as a table (columns :data:`geo.auth.accounts.USER_COLUMNS`)."""
        return pd.DataFrame(self.records(), columns=list(accounts.USER_COLUMNS))

    def to_dict(self) -> dict:
        """Strict-JSON dict: ``{"accounts": [...]}``."""
        return {"accounts": [a.to_dict() for a in self.accounts]}


@dataclass(frozen=True)
class AccountChange:
    """What changed on an account: ``action`` is ``passwd``, ``disable`` or ``enable``."""

    username: str
    action: str
    active: bool | None = None

    def to_dict(self) -> dict:
        """Strict-JSON dict."""
        return plain(asdict(self))


@dataclass(frozen=True)
class AddUserRequest(Request):
    """A new account.

    Attributes
    ----------
    username, password : str
        Login name (letters, digits, ``._-@``) and password.
    role : str
        A key of :data:`geo.vocab.ROLES`.
    province : str or Province, optional
        Limit the account to a province (code or name; a
        :class:`~geo.registry.Province` keeps its edition).
    district : str, optional
        Limit the account to a legacy district (code).
    edition : {"legacy", "2025"}, optional
        Edition to read ``province`` in (default: the legacy registry first, as
        accounts have always been read); set by :meth:`check`.
    """

    username: str
    password: str = field(repr=False)
    role: str = "viewer"
    province: Any = None
    district: str | None = None
    edition: str | None = None

    def check(self) -> AddUserRequest:
        """Validate role, name, password and area; the province becomes its code and
        ``edition`` the edition it is read in.

        Raises
        ------
        ValidationError
            Bad role, password, name or district, or a district outside the province.
        NotFoundError
            Unknown province.
        """
        accounts.check_role(self.role)
        accounts.check_username(self.username)
        accounts.check_password(self.password, self.username)
        province, district, edition = area.check_limit(self.province or None,
                                                       self.district or None, self.edition)
        return replace(self, province=province, district=district, edition=edition)

    def principal(self) -> Principal:
        """The account this request creates, as a principal (after :meth:`check`)."""
        return Principal(self.username, self.role, self.province, self.district,
                         province_edition=self.edition)


@dataclass(frozen=True)
class UserRequest(Request):
    """One account, by name."""

    username: str

    def check(self) -> UserRequest:
        """The name is text."""
        _text(self.username, "username", "Tên đăng nhập", "The username")
        return self


@dataclass(frozen=True)
class PasswordRequest(Request):
    """A new password for an account."""

    username: str
    password: str = field(repr=False)

    def check(self) -> PasswordRequest:
        """The password meets the policy (:mod:`geo.auth.passwords`).

        Raises
        ------
        ValidationError
            A password the policy refuses.
        """
        _text(self.username, "username", "Tên đăng nhập", "The username")
        accounts.check_password(self.password, self.username)
        return self


def _account(row: dict) -> Account:
    return Account(**{k: row[k] for k in accounts.USER_COLUMNS})


def _as_principal(row: dict) -> Principal:
    return Principal(row["username"], row["role"], row["province_code"], row["district_code"],
                     province_edition=row.get("province_edition"))


def _outside(who: Principal, username: str) -> PermissionDenied:
    return PermissionDenied(
        f"Tài khoản '{who.username}' chỉ quản lý được tài khoản trong địa bàn của mình; "
        f"'{username}' không thuộc địa bàn đó (hoặc không giới hạn địa bàn).",
        f"Account '{who.username}' manages only accounts within its own area; "
        f"'{username}' is not (or is not limited to an area).")


def _managed(s: Session, who: Principal, username: str) -> dict:
    """The stored account ``username`` when ``who`` may manage it (see
    :func:`geo.auth.area.account_within`).

    Raises
    ------
    NotFoundError
        No such account.
    PermissionDenied
        The account is outside ``who``'s area (or unlimited while ``who`` is not).
    """
    row = accounts.get_user(s, username)
    acc = {k: getattr(row, k) for k in accounts.USER_COLUMNS}
    if not area.account_within(who, _as_principal(acc)):
        raise _outside(who, username)
    return acc


def add_user(req: AddUserRequest, who: Principal, db: str | None = None) -> Account:
    """Create an account (``manage_users``); the first one must be an administrator.

    An administrator limited to an area creates only accounts limited to a part of
    that area (never an unlimited one).

    Raises
    ------
    PermissionDenied
        ``who`` may not manage users, or not this account's area.
    ValidationError, NotFoundError
        See :meth:`AddUserRequest.check`; also a name that is taken.
    """
    authorize(who, "manage_users")
    req = req.check()
    if not area.account_within(who, req.principal()):
        raise _outside(who, req.username)
    with transaction(db) as s:
        accounts.add_user(s, req.username, req.password, req.role, req.province,
                          req.district, actor=who.username, province_edition=req.edition)
        (row,) = [r for r in accounts.list_users(s) if r["username"] == req.username]
    return _account(row)


def list_users(who: Principal, db: str | None = None) -> AccountList:
    """The accounts ``who`` manages (``manage_users``): every one, or for an
    administrator limited to an area, those within it.
    """
    authorize(who, "manage_users")
    with transaction(db) as s:
        rows = [r for r in accounts.list_users(s)
                if area.account_within(who, _as_principal(r))]
    return AccountList(tuple(_account(r) for r in rows))


def may_set_password(who: Principal, username: str) -> None:
    """Raise :class:`~geo.errors.PermissionDenied` unless ``who`` may set ``username``'s
    password: a logged-in user their own, an administrator those of the accounts it
    manages (checked again against the stored account by :func:`set_password`).
    """
    if who.local or who.username != username:
        authorize(who, "manage_users")


def set_password(req: PasswordRequest, who: Principal, db: str | None = None) -> AccountChange:
    """Change a password (see :func:`may_set_password`); also unlocks the account.

    Raises
    ------
    PermissionDenied
        Someone else's password without the ``manage_users`` right, or of an
        account outside ``who``'s area.
    ValidationError
        A password the policy refuses.
    NotFoundError
        No such account.
    """
    may_set_password(who, req.username)
    req = req.check()
    with transaction(db) as s:
        if who.local or who.username != req.username:
            _managed(s, who, req.username)
        accounts.set_password(s, req.username, req.password, actor=who.username)
    return AccountChange(req.username, "passwd")


def disable_user(req: UserRequest, who: Principal, db: str | None = None) -> AccountChange:
    """Disable an account (``manage_users``); it stays in the records, its tokens stop.

    Raises
    ------
    PermissionDenied
        The account is outside ``who``'s area.
    ValidationError
        The last active administrator.
    NotFoundError
        No such account.
    """
    authorize(who, "manage_users")
    req = req.check()
    with transaction(db) as s:
        _managed(s, who, req.username)
        accounts.disable_user(s, req.username, actor=who.username)
    return AccountChange(req.username, "disable", active=False)


def enable_user(req: UserRequest, who: Principal, db: str | None = None) -> AccountChange:
    """Enable an account again and unlock it (``manage_users``).

    Raises
    ------
    PermissionDenied
        The account is outside ``who``'s area.
    NotFoundError
        No such account.
    """
    authorize(who, "manage_users")
    req = req.check()
    with transaction(db) as s:
        _managed(s, who, req.username)
        accounts.disable_user(s, req.username, actor=who.username, enable=True)
    return AccountChange(req.username, "enable", active=True)


# ------------------------------------------------------------------ tokens


@dataclass(frozen=True)
class TokenRequest(Request):
    """A new API token for an account, with a note saying what it is for."""

    username: str
    note: str | None = None

    def check(self) -> TokenRequest:
        """The note fits its column.

        Raises
        ------
        ValidationError
            A note longer than :func:`geo.auth.tokens.note_limit` characters.
        """
        _text(self.username, "username", "Tên đăng nhập", "The username")
        limit = tokens.note_limit()
        if self.note is not None and len(self.note) > limit:
            raise ValidationError(f"Ghi chú của token dài quá {limit} ký tự.",
                                  f"A token note has at most {limit} characters.",
                                  column="note")
        return replace(self, note=self.note or None)


@dataclass(frozen=True)
class RevokeTokenRequest(Request):
    """An API token to revoke, by id."""

    token_id: int

    def check(self) -> RevokeTokenRequest:
        """The id is a whole number."""
        try:
            tid = int(self.token_id)
        except (TypeError, ValueError) as e:
            raise ValidationError(f"Số mã truy cập '{self.token_id}' không hợp lệ.",
                                  f"Invalid API token id '{self.token_id}'.",
                                  column="token_id") from e
        return replace(self, token_id=tid)


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``token`` is shown once and never stored."""

    id: int
    username: str
    token: str = field(repr=False)
    note: str | None = None

    def to_dict(self) -> dict:
        """Strict-JSON dict (with the token)."""
        return {"id": self.id, "username": self.username, "token": self.token,
                "note": self.note}


@dataclass(frozen=True)
class TokenList:
    """API tokens (never the tokens): dicts with :data:`geo.auth.tokens.TOKEN_COLUMNS`."""

    tokens: tuple[dict, ...]

    def records(self) -> list[dict]:
        """One dict per token."""
        return [dict(t) for t in self.tokens]

    def frame(self) -> pd.DataFrame:
        """The tokens as a table (columns :data:`geo.auth.tokens.TOKEN_COLUMNS`)."""
        return pd.DataFrame(self.records(), columns=list(tokens.TOKEN_COLUMNS))

    def to_dict(self) -> dict:
        """Strict-JSON dict: ``{"tokens": [...]}``."""
        return {"tokens": plain(self.records())}


def create_token(req: TokenRequest, who: Principal, db: str | None = None) -> NewToken:
    """Create an API token for an account (``manage_users``).

    Raises
    ------
    ValidationError
        Too long a note.
    NotFoundError
        No such account.
    """
    authorize(who, "manage_users")
    req = req.check()
    with transaction(db) as s:
        _managed(s, who, req.username)
        tid, tok = tokens.create_token(s, req.username, actor=who.username, note=req.note)
    return NewToken(tid, req.username, tok, req.note)


def list_tokens(who: Principal, db: str | None = None) -> TokenList:
    """The API tokens of the accounts ``who`` manages (``manage_users``)."""
    authorize(who, "manage_users")
    with transaction(db) as s:
        mine = {r["username"] for r in accounts.list_users(s)
                if area.account_within(who, _as_principal(r))}
        return TokenList(tuple(t for t in tokens.list_tokens(s) if t["username"] in mine))


def revoke_token(req: RevokeTokenRequest, who: Principal, db: str | None = None) -> dict:
    """Revoke an API token (``manage_users``); returns ``{"id": …}``.

    Raises
    ------
    NotFoundError
        No token with this id.
    """
    authorize(who, "manage_users")
    req = req.check()
    with transaction(db) as s:
        owner = {t["id"]: t["username"] for t in tokens.list_tokens(s)}.get(req.token_id)
        if owner is not None:
            _managed(s, who, owner)
        tokens.revoke_token(s, req.token_id, actor=who.username)
    return {"id": req.token_id}


# ------------------------------------------------------------------ audit log


@dataclass(frozen=True)
class AuditRequest(Request):
    """Filters of the audit log; every one is optional.

    Attributes
    ----------
    username, action, entity : str, optional
        Exact matches.
    batch_id : int, optional
        Entries of one import batch.
    since, until : date or datetime, optional
        From ``since`` to ``until`` (a date includes its whole day), UTC.
    text : str, optional
        Case-insensitive text in the details or the entity id.
    limit : int or None
        Most entries (newest first; ``None``: all).
    """

    username: str | None = None
    action: str | None = None
    entity: str | None = None
    batch_id: int | None = None
    since: date | datetime | None = None
    until: date | datetime | None = None
    text: str | None = None
    limit: int | None = 1000

    def check(self) -> AuditRequest:
        """Numbers are whole and not negative, dates are dates.

        Raises
        ------
        ValidationError
            Naming the filter that is wrong.
        """
        for name in ("batch_id", "limit"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
                raise ValidationError(f"Bộ lọc {name} phải là số nguyên không âm, không phải "
                                      f"'{v}'.", f"Filter {name} must be a whole number ≥ 0, "
                                      f"not '{v}'.", column=name)
        for name in ("since", "until"):
            v = getattr(self, name)
            if v is not None and not isinstance(v, date):
                raise ValidationError(f"Bộ lọc {name} phải là ngày, không phải '{v}'.",
                                      f"Filter {name} must be a date, not '{v}'.", column=name)
        return self


@dataclass(frozen=True)
class AuditLog:
    """Audit entries, newest first (columns :data:`geo.audit.AUDIT_COLUMNS`)."""

    entries: pd.DataFrame

    def __len__(self) -> int:
        return len(self.entries)

    def records(self) -> list[dict[str, Any]]:
        """One dict per entry."""
        return self.entries.to_dict("records")

    def to_dict(self) -> dict:
        """Strict-JSON dict: ``{"entries": [...]}``."""
        return {"entries": plain(self.entries)}

    def write_csv(self, out: str | Path) -> Path:
        """Write the entries as UTF-8 CSV with a BOM, formulas defused.

        See :func:`geo.audit.write_audit_csv`.
        """
        from geo.audit import write_audit_csv

        return write_audit_csv(self.entries, out)

    def csv_bytes(self) -> bytes:
        """The CSV of :meth:`write_csv` as bytes (for a download button)."""
        with tempfile.TemporaryDirectory() as d:
            return self.write_csv(Path(d) / "audit.csv").read_bytes()


def audit_log(req: AuditRequest, who: Principal, db: str | None = None) -> AuditLog:
    """Audit entries matching ``req`` (``audit``); an administrator limited to an area
    reads only the entries of the accounts within it and its own.
    """
    from geo.audit import audit_entries

    authorize(who, "audit")
    req = req.check()
    limited = as_principal(who).limited
    with transaction(db) as s:
        df = audit_entries(s, username=req.username, action=req.action, entity=req.entity,
                           batch_id=req.batch_id, since=req.since, until=req.until,
                           text=req.text, limit=None if limited else req.limit)
        if limited:  # only what the accounts of its area did
            mine = {r["username"] for r in accounts.list_users(s)
                    if area.account_within(who, _as_principal(r))} | {who.username}
            df = df[df.username.isin(mine)]
            df = (df if req.limit is None else df.head(req.limit)).reset_index(drop=True)
    return AuditLog(df)


def audit_actions(who: Principal, db: str | None = None) -> list[str]:
    """Actions present in the audit log, for a filter list (``audit``)."""
    from geo.audit import audit_actions as actions

    authorize(who, "audit")
    with transaction(db) as s:
        return actions(s)
