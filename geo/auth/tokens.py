"""API tokens for scripts (``DIABAN_TOKEN``): only their SHA-256 is stored.

A token acts as its user while the token is not revoked and the account is
active. Every function takes an open session of the caller's transaction; the use
cases are in :mod:`geo.services.users`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.auth.accounts import get_user
from geo.auth.policy import Principal
from geo.errors import AuthError, NotFoundError, ValidationError
from geo.store.schema import ApiToken, User, utcnow

__all__ = ["TOKEN_COLUMNS", "TOKEN_PREFIX", "create_token", "list_tokens", "note_limit",
           "revoke_token", "token_user"]

#: Every token starts with this, so it can be recognised (and found by secret scanners).
TOKEN_PREFIX = "dbn_"
#: What :func:`list_tokens` tells about a token (never the token).
TOKEN_COLUMNS = ("id", "username", "note", "created_by", "created_at", "last_used",
                 "revoked_at")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def note_limit() -> int:
    """Longest token note the database keeps."""
    return ApiToken.__table__.c.note.type.length


def create_token(s: Session, username: str, actor: str = "system",
                 note: str | None = None) -> tuple[int, str]:
    """Create an API token for ``username``.

    Returns
    -------
    tuple of (int, str)
        The token's id and the token (``dbn_…``), shown once.

    Raises
    ------
    ValidationError
        When the note is longer than its column (200 characters).
    NotFoundError
        No such account.
    """
    from geo.store import audit

    limit = note_limit()
    if note is not None and len(note) > limit:
        raise ValidationError(f"Ghi chú của token dài quá {limit} ký tự.",
                              f"A token note has at most {limit} characters.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    u = get_user(s, username)
    t = ApiToken(user_id=u.id, token_sha256=_token_hash(token), note=note, created_by=actor)
    s.add(t)
    s.flush()
    audit(s, actor, "create", "api_token", t.id, account=username, note=note)
    return t.id, token


def revoke_token(s: Session, token_id: int, actor: str = "system") -> None:
    """Revoke an API token (kept, marked revoked).

    Raises
    ------
    NotFoundError
        No token with this id.
    """
    from geo.store import audit

    t = s.get(ApiToken, token_id)
    if t is None:
        raise NotFoundError(f"Không có mã truy cập số {token_id}.", f"No API token {token_id}.")
    t.revoked_at = utcnow()
    audit(s, actor, "revoke", "api_token", token_id)


def list_tokens(s: Session) -> list[dict]:
    """API tokens with the fields of :data:`TOKEN_COLUMNS` (never the tokens themselves)."""
    rows = s.execute(
        select(ApiToken.id, User.username, ApiToken.note, ApiToken.created_by,
               ApiToken.created_at, ApiToken.last_used, ApiToken.revoked_at)
        .join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    ).all()
    return [dict(zip(TOKEN_COLUMNS, r)) for r in rows]


def token_user(s: Session, token: str) -> Principal:
    """The user of a valid, unrevoked API token whose account is active and not locked.

    Failed password logins (throttled, :mod:`geo.auth.throttle`) never stop a token:
    an administrator disables the account or revokes the token.

    A refused token is recorded in the audit log before :class:`~geo.errors.AuthError`
    is raised: **the caller commits even when this raises**
    (:func:`geo.services.users.token_login` does).

    Raises
    ------
    AuthError
        Unknown or revoked token, disabled or locked account.
    """
    from geo.store import audit

    row = s.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_sha256 == _token_hash(token.strip()))
    ).first()
    locked = row is not None and row[1].locked_until is not None and (
        row[1].locked_until.replace(tzinfo=row[1].locked_until.tzinfo or UTC) > utcnow())
    if row is None or row[0].revoked_at is not None or not row[1].active or locked:
        audit(s, "?", "login_failed", "api_token", row[0].id if row else None)
        raise AuthError("Mã truy cập (DIABAN_TOKEN) không hợp lệ hoặc đã bị thu hồi.",
                        "The API token (DIABAN_TOKEN) is invalid or revoked.")
    row[0].last_used = utcnow()
    return Principal.from_user(row[1])
