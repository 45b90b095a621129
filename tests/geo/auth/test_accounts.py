"""geo.auth.accounts and geo.auth.tokens in the caller's session."""

from __future__ import annotations

import getpass

import pytest
from sqlalchemy import select

from geo.auth import accounts, tokens
from geo.errors import AuthError, NotFoundError, ValidationError
from geo.store import session_scope
from geo.store.schema import AuditEntry, User

PW = "mat-khau-an-toan"


def test_nothing_is_kept_when_the_caller_rolls_back(empty_url: str) -> None:
    with pytest.raises(ValidationError), session_scope(empty_url) as s:
        accounts.add_user(s, "quantri", PW, "admin", actor="cai_dat")
        assert accounts.has_users(s)
        raise ValidationError("thử", "test")
    with session_scope(empty_url) as s:
        assert not accounts.has_users(s)
        assert accounts.list_users(s) == []


def test_a_refused_login_is_written_to_the_session_before_it_raises(empty_url: str) -> None:
    with session_scope(empty_url) as s:
        accounts.add_user(s, "quantri", PW, "admin")
    with session_scope(empty_url) as s:
        with pytest.raises(AuthError):
            accounts.authenticate(s, "quantri", "sai-mat-khau")
        # Still in the session: the caller commits it (geo.services.users.login does).
        assert accounts.get_user(s, "quantri").failed_attempts == 1
        assert s.scalars(select(AuditEntry.action)).all()[-1] == "login_failed"
    with session_scope(empty_url) as s:
        assert s.scalars(select(User.failed_attempts)).one() == 1


def test_checks_say_what_is_wrong() -> None:
    assert accounts.check_role("planner") == "planner"
    assert accounts.check_username("nguyen.van-a@sl") == "nguyen.van-a@sl"
    for bad, check in [("boss", accounts.check_role), ("ngan", accounts.check_password),
                       ("a" * 81, accounts.check_username), ("", accounts.check_username)]:
        with pytest.raises(ValidationError) as ei:
            check(bad)
        assert ei.value.vi and ei.value.en


def test_local_admin_is_named_after_the_system_user() -> None:
    p = accounts.local_admin()
    assert p.role == "admin" and p.local
    assert p.username == (getpass.getuser() or "local")


def test_tokens_in_the_session(empty_url: str) -> None:
    with session_scope(empty_url) as s:
        accounts.add_user(s, "quantri", PW, "admin")
        tid, tok = tokens.create_token(s, "quantri", actor="quantri", note="đêm")
        assert tok.startswith(tokens.TOKEN_PREFIX)
        assert tokens.token_user(s, tok).username == "quantri"
        (row,) = tokens.list_tokens(s)
        assert row["id"] == tid and tuple(row) == tokens.TOKEN_COLUMNS
        with pytest.raises(NotFoundError):
            tokens.create_token(s, "khong_co")
        with pytest.raises(ValidationError):
            tokens.create_token(s, "quantri", note="x" * (tokens.note_limit() + 1))
        tokens.revoke_token(s, tid, actor="quantri")
        with pytest.raises(AuthError):
            tokens.token_user(s, tok)
        with pytest.raises(NotFoundError):
            tokens.revoke_token(s, tid + 100)
