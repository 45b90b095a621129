"""The account use cases of :mod:`geo.services.users`, called database first.

Tests set up accounts, check logins and read the audit log the way pages and the
CLI do (through the service), with the short call shape they have always used: the
database URL first, the acting administrator's name as ``actor``.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from geo.auth import Principal
from geo.services import users

__all__ = ["add_user", "audit_actions", "audit_entries", "authenticate", "create_token",
           "disable_user", "list_tokens", "list_users", "refresh", "revoke_token",
           "set_password", "token_user"]


def _as(actor: str) -> Principal:
    return Principal(actor, "admin")


def add_user(url: str, username: str, password: str, role: str,
             province_code: str | None = None, district_code: str | None = None,
             actor: str = "system") -> users.Account:
    return users.add_user(users.AddUserRequest(username, password, role, province_code,
                                               district_code), _as(actor), url)


def list_users(url: str) -> list[dict]:
    return users.list_users(_as("system"), url).records()


def authenticate(url: str, username: str, password: str,
                 now: datetime | None = None, source: str | None = None) -> Principal:
    return users.login(users.LoginRequest(username, password, source), url, now=now)


def refresh(url: str, principal: Principal | dict) -> Principal | None:
    return users.refresh(principal, url)


def set_password(url: str, username: str, password: str, actor: str = "system") -> None:
    users.set_password(users.PasswordRequest(username, password), _as(actor), url)


def disable_user(url: str, username: str, actor: str = "system", enable: bool = False) -> None:
    change = users.enable_user if enable else users.disable_user
    change(users.UserRequest(username), _as(actor), url)


def create_token(url: str, username: str, actor: str = "system",
                 note: str | None = None) -> str:
    return users.create_token(users.TokenRequest(username, note), _as(actor), url).token


def revoke_token(url: str, token_id: int, actor: str = "system") -> None:
    users.revoke_token(users.RevokeTokenRequest(token_id), _as(actor), url)


def list_tokens(url: str) -> list[dict]:
    return users.list_tokens(_as("system"), url).records()


def token_user(url: str, token: str) -> Principal:
    return users.token_login(users.TokenLoginRequest(token), url)


def audit_entries(url: str, **filters: object) -> pd.DataFrame:
    """Audit entries (newest first) matching ``filters`` (see :class:`users.AuditRequest`)."""
    return users.audit_log(users.AuditRequest(**filters), _as("auditor"), url).entries


def audit_actions(url: str) -> list[str]:
    return users.audit_actions(_as("auditor"), url)
