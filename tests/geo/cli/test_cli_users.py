"""``diaban users …``: the first admin, logging in from the CLI, refusals without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from geo.auth import MIN_PASSWORD
from geo.errors import AuthError
from geo.store import session_scope
from geo.store.schema import AuditEntry
from tests.accounts import authenticate
from tests.conftest import _CLI_CLEAN_ENV, run_cli

ADMIN_PW = "quan-tri-sl-2025"
VIEWER_PW = "lanh-dao-2025"


def as_admin() -> dict:
    return {"DIABAN_USER": "quantri", "DIABAN_PASSWORD": ADMIN_PW}


def as_viewer(pw: str = VIEWER_PW) -> dict:
    return {"DIABAN_USER": "lanhdao", "DIABAN_PASSWORD": pw}


def refused(code: int, out: str, err: str, expect_code: int, text: str) -> None:
    assert code == expect_code, (code, out, err)
    assert text in err, err
    assert "Traceback" not in out + err and "Lỗi ngoài dự kiến" not in err


@pytest.fixture()
def db(empty_url: str) -> str:
    """A database with an admin (made as the local administrator) and a viewer."""
    code, out, err = run_cli(["users", "add", "quantri", "--role", "admin", "--password-stdin",
                              "--db", empty_url], stdin=ADMIN_PW + "\n")
    assert code == 0, err
    assert "Đã tạo tài khoản quantri (admin)" in out
    code, out, err = run_cli(["users", "add", "lanhdao", "--role", "viewer", "--province", "Sơn La",
                              "--password-stdin", "--db", empty_url], as_admin(), VIEWER_PW + "\n")
    assert code == 0, err
    return empty_url


def test_first_admin_then_login_is_required(db: str) -> None:
    # The first account was created by the local (operating-system) user.
    with session_scope(db) as s:
        first = s.scalars(select(AuditEntry).where(AuditEntry.action == "create")
                          .order_by(AuditEntry.id)).first()
        assert (first.entity_id, first.username == "quantri") == ("quantri", False)
    assert authenticate(db, "quantri", ADMIN_PW).role == "admin"
    # Now that accounts exist, nobody may act without saying who they are.
    code, out, err = run_cli(["users", "add", "moi", "--role", "viewer", "--password-stdin",
                              "--db", db], stdin="mat-khau-moi\n")
    refused(code, out, err, 7, "--user")
    code, out, err = run_cli(["users", "list", "--db", db], {"DIABAN_USER": "quantri"})
    refused(code, out, err, 7, "DIABAN_PASSWORD")
    code, out, err = run_cli(["users", "list", "--db", db],
                             {"DIABAN_USER": "quantri", "DIABAN_PASSWORD": "sai-mat-khau"})
    refused(code, out, err, 7, "Sai tên đăng nhập hoặc mật khẩu")
    code, out, err = run_cli(["--lang", "en", "users", "list", "--db", db],
                             {"DIABAN_USER": "quantri", "DIABAN_PASSWORD": "sai-mat-khau"})
    refused(code, out, err, 7, "Wrong username or password")
    # --user works as well as DIABAN_USER.
    code, out, err = run_cli(["--user", "quantri", "users", "list", "--db", db],
                             {"DIABAN_PASSWORD": ADMIN_PW})
    assert code == 0, err


def test_bad_new_accounts_are_refused(db: str) -> None:
    code, out, err = run_cli(["users", "add", "lanhdao", "--role", "viewer", "--password-stdin",
                              "--db", db], as_admin(), "mat-khau-moi\n")
    refused(code, out, err, 4, "Tài khoản 'lanhdao' đã có")
    code, out, err = run_cli(["users", "add", "moi", "--role", "viewer", "--password-stdin",
                              "--db", db], as_admin(), "ngan\n")
    refused(code, out, err, 4, f"ít nhất {MIN_PASSWORD} ký tự")
    code, out, err = run_cli(["users", "add", "moi", "--role", "boss", "--password-stdin",
                              "--db", db], as_admin(), "mat-khau-moi\n")
    assert code == 2 and "boss" in err and "Traceback" not in out + err


def test_first_account_must_be_admin(empty_url: str) -> None:
    code, out, err = run_cli(["users", "add", "lanhdao", "--role", "viewer", "--password-stdin",
                              "--db", empty_url], stdin=VIEWER_PW + "\n")
    refused(code, out, err, 4, "Tài khoản đầu tiên phải là quản trị")


def test_list_shows_accounts_never_hashes(db: str) -> None:
    code, out, err = run_cli(["users", "list", "--db", db], as_admin())
    assert code == 0, err
    assert "quantri" in out and "lanhdao" in out and "viewer" in out and "14" in out
    assert "hoạt động" in out
    assert "$argon2" not in out and ADMIN_PW not in out and VIEWER_PW not in out
    code, out, err = run_cli(["users", "list", "--json", "--db", db], as_admin())
    rows = json.loads(out)
    assert {r["username"] for r in rows} == {"quantri", "lanhdao"}
    assert all("password_hash" not in r for r in rows) and "$argon2" not in out


def test_viewer_may_not_manage_users(db: str) -> None:
    for args in (["users", "list"], ["users", "disable", "quantri"],
                 ["users", "token", "lanhdao"], ["users", "tokens"]):
        code, out, err = run_cli([*args, "--db", db], as_viewer())
        refused(code, out, err, 6, "không có quyền quản lý tài khoản")
    code, out, err = run_cli(["users", "add", "moi", "--role", "admin", "--password-stdin",
                              "--db", db], as_viewer(), "mat-khau-moi\n")
    refused(code, out, err, 6, "không có quyền quản lý tài khoản")
    with pytest.raises(AuthError):
        authenticate(db, "moi", "mat-khau-moi")


def test_passwd_own_yes_others_no(db: str) -> None:
    code, out, err = run_cli(["users", "passwd", "lanhdao", "--password-stdin", "--db", db],
                             as_viewer(), "mat-khau-doi-roi\n")
    assert code == 0, err
    assert "Đã đổi mật khẩu của lanhdao" in out
    assert authenticate(db, "lanhdao", "mat-khau-doi-roi").username == "lanhdao"
    with pytest.raises(AuthError):
        authenticate(db, "lanhdao", VIEWER_PW)
    code, out, err = run_cli(["users", "passwd", "quantri", "--password-stdin", "--db", db],
                             as_viewer("mat-khau-doi-roi"), "chiem-quyen-quan-tri\n")
    refused(code, out, err, 6, "không có quyền quản lý tài khoản")
    assert authenticate(db, "quantri", ADMIN_PW).username == "quantri"
    # An admin may reset anyone's password.
    code, out, err = run_cli(["users", "passwd", "lanhdao", "--password-stdin", "--db", db],
                             as_admin(), "dat-lai-boi-quan-tri\n")
    assert code == 0, err
    assert authenticate(db, "lanhdao", "dat-lai-boi-quan-tri")


def test_disable_and_enable(db: str) -> None:
    code, out, err = run_cli(["users", "disable", "lanhdao", "--db", db], as_admin())
    assert code == 0, err
    assert "Đã vô hiệu hóa lanhdao" in out
    code, out, err = run_cli(["users", "passwd", "lanhdao", "--password-stdin", "--db", db],
                             as_viewer(), "mat-khau-khac-1\n")
    refused(code, out, err, 7, "Sai tên đăng nhập hoặc mật khẩu")
    code, out, err = run_cli(["users", "list", "--db", db], as_admin())
    line = next(x for x in out.splitlines() if x.startswith("lanhdao"))
    assert "vô hiệu" in line
    code, out, err = run_cli(["users", "disable", "quantri", "--db", db], as_admin())
    refused(code, out, err, 4, "quản trị cuối cùng")
    code, out, err = run_cli(["users", "disable", "khongco", "--db", db], as_admin())
    refused(code, out, err, 3, "Không có tài khoản 'khongco'")
    code, out, err = run_cli(["users", "enable", "lanhdao", "--db", db], as_admin())
    assert code == 0, err
    assert authenticate(db, "lanhdao", VIEWER_PW)


def test_api_tokens(db: str) -> None:
    code, out, err = run_cli(["users", "token", "quantri", "--note", "sao lưu đêm", "--db", db],
                             as_admin())
    assert code == 0, err
    token = out.strip()
    assert token.startswith("dbn_") and "chỉ hiện một lần" in err
    code, out, err = run_cli(["users", "list", "--db", db], {"DIABAN_TOKEN": token})
    assert code == 0, err
    code, out, err = run_cli(["users", "tokens", "--json", "--db", db], {"DIABAN_TOKEN": token})
    (row,) = json.loads(out)
    assert row["username"] == "quantri" and row["note"] == "sao lưu đêm"
    assert token not in out
    code, out, err = run_cli(["users", "revoke-token", str(row["id"]), "--db", db], as_admin())
    assert code == 0, err
    code, out, err = run_cli(["users", "list", "--db", db], {"DIABAN_TOKEN": token})
    refused(code, out, err, 7, "không hợp lệ hoặc đã bị thu hồi")
    code, out, err = run_cli(["users", "revoke-token", "999", "--db", db], as_admin())
    refused(code, out, err, 3, "Không có mã truy cập số 999")


def test_roles_table() -> None:
    code, out, err = run_cli(["users", "roles", "--json"])
    assert code == 0, err
    rows = {r["role"]: r for r in json.loads(out)}
    assert set(rows) == {"viewer", "planner", "data_officer", "admin"}
    assert not rows["viewer"]["import"] and rows["data_officer"]["import"]
    assert not rows["data_officer"]["manage_users"] and rows["admin"]["backup"]


def test_console_script_refusal_has_no_traceback(db: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in _CLI_CLEAN_ENV}
    env.update(as_viewer())
    p = subprocess.run([sys.executable, "-m", "geo.cli.main", "users", "list", "--db", db],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 6, p.stderr
    assert "không có quyền quản lý tài khoản" in p.stderr
    assert "Traceback" not in p.stdout + p.stderr
