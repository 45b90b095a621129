"""geo.services.users: requests checked up front, every use case authorised, one transaction,
strict-JSON results, and identity that never touches a database's schema."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect

from geo.auth import Principal
from geo.errors import AuthError, NotFoundError, PermissionDenied, ValidationError
from geo.services import users
from geo.store import get_engine
from tests.accounts import add_user, audit_entries, authenticate, list_users
from tests.conftest import db_fingerprint

ADMIN = Principal("quantri", "admin")
VIEWER = Principal("lanhdao", "viewer", "14")
PW = "mat-khau-an-toan"


@pytest.fixture()
def db(empty_url: str) -> str:
    add_user(empty_url, "quantri", PW, "admin")
    add_user(empty_url, "lanhdao", PW, "viewer", province_code="14", actor="quantri")
    return empty_url


def _strict(obj: object) -> object:
    return json.loads(json.dumps(obj, allow_nan=False))


def test_identity_leaves_a_new_database_untouched(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'moi.db'}"
    assert users.login_required(url) is False
    assert users.refresh(ADMIN, url) is None  # no such account there
    users.logout(ADMIN, url)
    assert users.refresh(users.local_admin(), url).local
    # No schema was created: diaban restore still finds its target empty.
    assert inspect(get_engine(url)).get_table_names() == []
    with pytest.raises(AuthError):
        users.login(users.LoginRequest("quantri", PW), url)
    assert inspect(get_engine(url)).get_table_names() == []


def test_login_required_once_an_account_exists(empty_url: str, db: str) -> None:
    assert users.login_required(db)


def test_requests_are_checked_before_anything_is_read() -> None:
    req = users.AddUserRequest("moi", PW, "planner", province="Sơn La")
    assert req.check() == users.AddUserRequest("moi", PW, "planner", "14", None, "legacy")
    assert "mat-khau" not in repr(req)  # passwords never appear in logs of requests
    with pytest.raises(ValidationError):
        users.AddUserRequest("moi", PW, "boss").check()
    with pytest.raises(NotFoundError):
        users.AddUserRequest("moi", PW, "viewer", province="Không Có").check()
    with pytest.raises(ValidationError):
        users.TokenRequest("moi", "x" * 201).check()
    with pytest.raises(ValidationError):
        users.RevokeTokenRequest("mot").check()
    assert users.RevokeTokenRequest("3").check().token_id == 3
    with pytest.raises(ValidationError) as ei:
        users.AuditRequest(limit=-1).check()
    assert "limit" in ei.value.vi and "limit" in ei.value.en
    with pytest.raises(ValidationError):
        users.AuditRequest(batch_id=True).check()
    with pytest.raises(ValidationError):
        users.AuditRequest(since="hôm qua").check()
    with pytest.raises(ValidationError):
        users.LoginRequest("a", None).check()


def test_managing_accounts_needs_the_right_and_changes_nothing_when_refused(db: str) -> None:
    before = db_fingerprint(db)
    refused = [
        lambda: users.add_user(users.AddUserRequest("moi", PW, "admin"), VIEWER, db),
        lambda: users.list_users(VIEWER, db),
        lambda: users.disable_user(users.UserRequest("quantri"), VIEWER, db),
        lambda: users.enable_user(users.UserRequest("quantri"), VIEWER, db),
        lambda: users.set_password(users.PasswordRequest("quantri", PW + "1"), VIEWER, db),
        lambda: users.create_token(users.TokenRequest("lanhdao"), VIEWER, db),
        lambda: users.list_tokens(VIEWER, db),
        lambda: users.revoke_token(users.RevokeTokenRequest(1), VIEWER, db),
        lambda: users.audit_log(users.AuditRequest(), VIEWER, db),
        lambda: users.audit_actions(VIEWER, db),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied) as ei:
            call()
        assert "lanhdao" in ei.value.vi
    # Nobody logged in at all.
    with pytest.raises(PermissionDenied):
        users.list_users(None, db)  # type: ignore[arg-type]
    assert db_fingerprint(db) == before


def test_own_password_without_the_right(db: str) -> None:
    me = authenticate(db, "lanhdao", PW)
    res = users.set_password(users.PasswordRequest("lanhdao", "mat-khau-moi-1"), me, db)
    assert res.to_dict() == {"username": "lanhdao", "action": "passwd", "active": None}
    assert authenticate(db, "lanhdao", "mat-khau-moi-1") == me
    # The local administrator has no own account: it needs (and has) the right.
    local = Principal("may", "admin", local=True)
    users.may_set_password(local, "may")
    with pytest.raises(PermissionDenied):
        users.may_set_password(Principal("may", "viewer", local=True), "may")


def test_results_are_strict_json(db: str) -> None:
    acc = users.add_user(users.AddUserRequest("kehoach", PW, "planner"), ADMIN, db)
    assert (acc.username, acc.role, acc.active, acc.failed_attempts) == (
        "kehoach", "planner", True, 0)
    d = _strict(acc.to_dict())
    assert d["created_at"] and "password" not in json.dumps(d)
    listing = users.list_users(ADMIN, db)
    assert [a["username"] for a in _strict(listing.to_dict())["accounts"]] == [
        "kehoach", "lanhdao", "quantri"]
    assert list(listing.frame().columns)[:2] == ["username", "role"]
    tok = users.create_token(users.TokenRequest("kehoach", "kịch bản"), ADMIN, db)
    assert "dbn_" not in repr(tok)  # the token is not in the result's repr
    assert _strict(tok.to_dict())["token"] == tok.token
    tokens = users.list_tokens(ADMIN, db)
    assert tok.token not in json.dumps(_strict(tokens.to_dict()))
    assert users.revoke_token(users.RevokeTokenRequest(tok.id), ADMIN, db) == {"id": tok.id}
    with pytest.raises(AuthError):
        users.token_login(users.TokenLoginRequest(tok.token), db)
    assert users.list_tokens(ADMIN, db).frame().revoked_at.notna().all()


def test_disable_enable_and_refresh(db: str) -> None:
    me = authenticate(db, "lanhdao", PW)
    assert users.refresh(me.to_dict(), db) == me
    change = users.disable_user(users.UserRequest("lanhdao"), ADMIN, db)
    assert (change.action, change.active) == ("disable", False)
    assert users.refresh(me, db) is None
    with pytest.raises(ValidationError) as ei:
        users.disable_user(users.UserRequest("quantri"), ADMIN, db)
    assert "quản trị cuối cùng" in ei.value.vi
    with pytest.raises(NotFoundError):
        users.enable_user(users.UserRequest("khong_co"), ADMIN, db)
    users.enable_user(users.UserRequest("lanhdao"), ADMIN, db)
    assert users.refresh(me, db) == me


def test_logout_is_recorded(db: str) -> None:
    me = authenticate(db, "lanhdao", PW)
    users.logout(me, db)
    users.logout(users.local_admin(), db)  # nothing to record for the local administrator
    log = audit_entries(db, action="logout")
    assert log.username.tolist() == ["lanhdao"]


def test_audit_log_result(db: str, tmp_path: Path) -> None:
    authenticate(db, "quantri", PW)
    log = users.audit_log(users.AuditRequest(username="quantri", since=date(2000, 1, 1)),
                          ADMIN, db)
    assert len(log) == len(log.records()) >= 2
    assert {r["action"] for r in log.records()} >= {"create", "login"}
    entries = _strict(log.to_dict())["entries"]
    assert entries[0]["id"] > entries[-1]["id"]
    raw = log.csv_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"login" in raw
    assert log.write_csv(tmp_path / "a.csv").read_bytes() == raw
    assert "login" in users.audit_actions(ADMIN, db)
    assert list_users(db)  # the reads changed nothing that matters
