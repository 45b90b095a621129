"""``diaban users add|list|passwd|disable|enable|token|tokens|revoke-token|roles``."""

from __future__ import annotations

import sys

import click

from geo.cli.common import ctx_obj, echo_table, emit_json, options, t
from geo.cli.identity import principal


def register(cli: click.Group) -> None:
    """Add the ``users`` group."""
    cli.add_command(users)


@click.group("users")
def users() -> None:
    """Tài khoản người dùng và vai trò. / User accounts and roles.

    Khi chưa có tài khoản nào, mọi lệnh chạy với quyền quản trị cục bộ; tài khoản
    đầu tiên phải là quản trị (admin). / Until an account exists every command runs as
    the local administrator; the first account must be an admin.
    """


def _read_password(stdin: bool, confirm: bool = True) -> str:
    """A password from one line of stdin, or typed twice at a hidden prompt."""
    if stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return click.prompt(t("Mật khẩu", "Password"), hide_input=True,
                        confirmation_prompt=t("Nhập lại mật khẩu", "Repeat the password")
                        if confirm else False)


@users.command("add")
@click.argument("username")
@click.option("--role", "-r", required=True,
              type=click.Choice(["viewer", "planner", "data_officer", "admin"]),
              help="Vai trò / role.")
@click.option("--province", "-p", default=None,
              help="Chỉ được làm việc với tỉnh này / limit to this province.")
@click.option("--edition", type=click.Choice(["legacy", "2025"]), default=None,
              help="Đọc mã/tên tỉnh theo danh mục này (mặc định: danh mục cũ trước) / read the "
                   "province in this registry edition (default: legacy first).")
@click.option("--district", default=None,
              help="Chỉ được làm việc với huyện (mã, danh mục cũ) / limit to a district.")
@click.option("--password-stdin", is_flag=True,
              help="Đọc mật khẩu từ dòng đầu của stdin / read the password from stdin.")
@options
def add_cmd(username: str, role: str, province: str | None, edition: str | None,
            district: str | None, password_stdin: bool) -> None:
    """Tạo tài khoản. / Create an account."""
    from geo.auth import authorize
    from geo.services import users as svc

    o = ctx_obj()
    me = principal()
    authorize(me, "manage_users")  # before asking for the new password
    pw = _read_password(password_stdin)
    acc = svc.add_user(svc.AddUserRequest(username, pw, role, province, district, edition), me,
                       o["db"])
    if o["json"]:
        emit_json({"ok": True, **acc.to_dict()})
    else:
        click.echo(t(f"Đã tạo tài khoản {acc.username} ({acc.role}).",
                     f"Account {acc.username} created ({acc.role})."))


@users.command("list")
@options
def list_cmd() -> None:
    """Liệt kê tài khoản. / List accounts."""
    from geo.services import users as svc

    o = ctx_obj()
    rows = svc.list_users(principal(), o["db"]).records()
    if o["json"]:
        emit_json(rows)
        return
    for r in rows:
        r["state"] = t("hoạt động", "active") if r["active"] else t("vô hiệu", "disabled")
    echo_table(rows, [("username", t("Tài khoản", "Account")), ("role", t("Vai trò", "Role")),
                      ("province_code", t("Tỉnh", "Province")),
                      ("district_code", t("Huyện", "District")),
                      ("state", t("Trạng thái", "State")),
                      ("locked_until", t("Khóa đến", "Locked until")),
                      ("last_login", t("Đăng nhập gần nhất", "Last login"))])


@users.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True,
              help="Đọc mật khẩu mới từ stdin / read the new password from stdin.")
@options
def passwd_cmd(username: str, password_stdin: bool) -> None:
    """Đổi mật khẩu (của mình, hoặc của người khác nếu là quản trị). / Change a password."""
    from geo.services import users as svc

    o = ctx_obj()
    me = principal()
    svc.may_set_password(me, username)  # before asking for the new password
    pw = _read_password(password_stdin)
    svc.set_password(svc.PasswordRequest(username, pw), me, o["db"])
    if o["json"]:
        emit_json({"ok": True, "username": username})
    else:
        click.echo(t(f"Đã đổi mật khẩu của {username}.", f"Password of {username} changed."))


@users.command("disable")
@click.argument("username")
@options
def disable_cmd(username: str) -> None:
    """Vô hiệu hóa tài khoản (không xóa). / Disable an account (never deleted)."""
    _set_active(username, False)


@users.command("enable")
@click.argument("username")
@options
def enable_cmd(username: str) -> None:
    """Kích hoạt lại tài khoản, mở khóa. / Enable an account again and unlock it."""
    _set_active(username, True)


def _set_active(username: str, enable: bool) -> None:
    from geo.services import users as svc

    o = ctx_obj()
    change = svc.enable_user if enable else svc.disable_user
    change(svc.UserRequest(username), principal(), o["db"])
    if o["json"]:
        emit_json({"ok": True, "username": username, "active": enable})
    elif enable:
        click.echo(t(f"Đã kích hoạt lại {username}.", f"{username} enabled."))
    else:
        click.echo(t(f"Đã vô hiệu hóa {username}; tài khoản vẫn được lưu trong nhật ký.",
                     f"{username} disabled; the account stays in the records."))


@users.command("token")
@click.argument("username")
@click.option("--note", default=None, help="Ghi chú (dùng cho việc gì) / what it is for.")
@options
def token_cmd(username: str, note: str | None) -> None:
    """Tạo mã truy cập cho kịch bản (DIABAN_TOKEN). / Create an API token for scripts."""
    from geo.services import users as svc

    o = ctx_obj()
    tok = svc.create_token(svc.TokenRequest(username, note), principal(), o["db"]).token
    if o["json"]:
        emit_json({"ok": True, "username": username, "token": tok})
    else:
        click.echo(t("Mã truy cập (chỉ hiện một lần, hãy lưu ở nơi an toàn):",
                     "API token (shown once, keep it safe):"), err=True)
        click.echo(tok)


@users.command("tokens")
@options
def tokens_cmd() -> None:
    """Liệt kê mã truy cập (không hiện mã). / List API tokens (never the tokens)."""
    from geo.services import users as svc

    o = ctx_obj()
    rows = svc.list_tokens(principal(), o["db"]).records()
    if o["json"]:
        emit_json(rows)
    else:
        echo_table(rows, [("id", "ID"), ("username", t("Tài khoản", "Account")),
                          ("note", t("Ghi chú", "Note")), ("created_at", t("Tạo lúc", "Created")),
                          ("last_used", t("Dùng gần nhất", "Last used")),
                          ("revoked_at", t("Thu hồi", "Revoked"))])


@users.command("revoke-token")
@click.argument("token_id", type=int)
@options
def revoke_cmd(token_id: int) -> None:
    """Thu hồi mã truy cập. / Revoke an API token."""
    from geo.services import users as svc

    o = ctx_obj()
    svc.revoke_token(svc.RevokeTokenRequest(token_id), principal(), o["db"])
    if o["json"]:
        emit_json({"ok": True, "id": token_id})
    else:
        click.echo(t(f"Đã thu hồi mã truy cập số {token_id}.", f"API token {token_id} revoked."))


@users.command("roles")
@options
def roles_cmd() -> None:
    """Bảng quyền của từng vai trò. / What each role may do."""
    from geo.services.users import roles_table
    from geo.vocab import ACTIONS

    o = ctx_obj()
    rows = roles_table(o["lang"])
    if o["json"]:
        emit_json(rows)
        return
    for r in rows:
        for a in ACTIONS:
            r[a] = "x" if r[a] else ""
    echo_table(rows, [("role", t("Vai trò", "Role"))] + [(a, a) for a in ACTIONS])
