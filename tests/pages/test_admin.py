"""The administration page (pages/admin.py) in Streamlit's AppTest: accounts, tokens,
audit log, roles and backup, driven through the real app (login gate and navigation).

AppTest forgets before every run that the app uses ``st.navigation``, so Streamlit
would first run the page alone as a legacy ``pages/`` app and ``pages._state.boot``
would rerun it, dropping the button click of that run; :func:`_navigation_app`
keeps the app in ``st.navigation`` mode, as a real server is after its first request.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from geo.auth import MIN_PASSWORD
from tests.accounts import add_user, audit_entries, authenticate, list_tokens, list_users

APP = str(Path(__file__).resolve().parents[2] / "app.py")
ADMIN_PW = "quan-tri-sl-2025"


class _NavigationPages(PagesManager):
    """A pages manager for an app that calls ``st.navigation`` (no legacy ``pages/`` mode)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        PagesManager.uses_pages_directory = False
        super().__init__(*args, **kwargs)


def _admin_page(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    import streamlit.testing.v1.app_test as app_test

    monkeypatch.setattr(app_test, "PagesManager", _NavigationPages)
    monkeypatch.setenv("DIABAN_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/admin.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _fill_new_account(at: AppTest, name: str, pw1: str, pw2: str, role: str | None = None
                      ) -> None:
    at.text_input(key="au_name").input(name)
    at.text_input(key="au_pw1").input(pw1)
    at.text_input(key="au_pw2").input(pw2)
    if role:
        at.selectbox(key="au_role").select(role)
    at.button(key="FormSubmitter:add_user-Tạo tài khoản").click()
    at.run()


def _log_in(at: AppTest, username: str, password: str, page: str = "pages/admin.py") -> None:
    assert [t.value for t in at.title] == ["Đăng nhập diaban"]
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_pw").input(password)
    at.button(key="FormSubmitter:login_form-Đăng nhập").click()
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_first_account_from_the_page_switches_login_on(empty_url: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    at = _admin_page(empty_url, monkeypatch)
    assert [t.value for t in at.title] == ["Quản trị"]
    assert "Chưa có tài khoản nào" in at.info[0].value
    # The first account must be an administrator: the form offers that role first.
    assert at.selectbox(key="au_role").value == "admin"
    _fill_new_account(at, "quantri", ADMIN_PW, ADMIN_PW + "x")
    assert [e.value for e in at.error] == ["Hai mật khẩu không giống nhau."]
    _fill_new_account(at, "quantri", "ngan", "ngan")
    assert f"ít nhất {MIN_PASSWORD} ký tự" in at.error[0].value
    assert list_users(empty_url) == []
    _fill_new_account(at, "quantri", ADMIN_PW, ADMIN_PW)
    # An account exists now: whoever uses the app must log in, the page is gone.
    assert [t.value for t in at.title] == ["Đăng nhập diaban"]
    assert [u["username"] for u in list_users(empty_url)] == ["quantri"]
    assert authenticate(empty_url, "quantri", ADMIN_PW).role == "admin"


def test_admin_manages_accounts_tokens_log_and_backup(empty_url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    add_user(empty_url, "quantri", ADMIN_PW, "admin")
    add_user(empty_url, "lanhdao", "lanh-dao-2025", "viewer", province_code="14",
             actor="quantri")
    at = _admin_page(empty_url, monkeypatch)
    _log_in(at, "quantri", ADMIN_PW)
    assert [t.value for t in at.title] == ["Quản trị"]
    table = at.dataframe[0].value
    assert sorted(table["Tài khoản"]) == ["lanhdao", "quantri"]
    assert "$argon2" not in table.to_string()
    assert set(table["Vai trò"]) == {"Quản trị hệ thống", "Lãnh đạo (chỉ xem)"}

    # A new account, by an administrator who is logged in.
    _fill_new_account(at, "kehoach", "ke-hoach-2025", "ke-hoach-2025", role="planner")
    assert [s.value for s in at.success] == ["Đã tạo tài khoản kehoach."]
    assert authenticate(empty_url, "kehoach", "ke-hoach-2025").role == "planner"
    created = audit_entries(empty_url, action="create", entity="user", username="quantri")
    assert "kehoach" in set(created.entity_id)

    # Disable the viewer: it can no longer log in.
    at.selectbox(key="mu_who").select("lanhdao")
    at.run()
    at.button(key="mu_disable").click()
    at.run()
    assert not at.exception
    assert [u["active"] for u in list_users(empty_url) if u["username"] == "lanhdao"] == [False]
    assert at.button(key="mu_enable") is not None  # the button now offers enabling

    # A token for scripts is shown once, and only its record stays.
    at.text_input(key="mu_tok_note").input("sao lưu đêm")
    at.button(key="mu_tok_ok").click()
    at.run()
    token = at.code[0].value
    assert token.startswith("dbn_")
    (row,) = list_tokens(empty_url)
    assert row["note"] == "sao lưu đêm" and token not in repr(row)

    # The audit tab lists the log with labels, the roles tab the permission table.
    log = at.tabs[1].dataframe[0].value
    assert {"đăng nhập", "tạo mới", "vô hiệu hóa tài khoản"} <= set(log["Thao tác"])
    roles = at.tabs[2].dataframe[0].value
    assert list(roles["Vai trò"]) == ["Lãnh đạo (chỉ xem)", "Cán bộ kế hoạch",
                                      "Cán bộ nhập liệu", "Quản trị hệ thống"]

    # A backup for download, recorded in the log.
    at.button(key="bk_make").click()
    at.run()
    assert not at.exception
    assert at.session_state["bk_bytes"][:2] == b"PK"
    assert audit_entries(empty_url, action="backup").username.tolist() == ["quantri"]


def test_the_page_itself_refuses_a_viewer(empty_url: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The menu hides the page from a viewer (tests/e2e/test_roles.py); reached anyway,
    the page checks the right itself and shows nothing of the accounts."""
    import streamlit.testing.v1.app_test as app_test

    add_user(empty_url, "quantri", ADMIN_PW, "admin")
    monkeypatch.setattr(app_test, "PagesManager", _NavigationPages)
    monkeypatch.setenv("DIABAN_DATABASE_URL", empty_url)
    at = AppTest.from_file(str(Path(APP).parent / "pages" / "admin.py"), default_timeout=120)
    at.session_state["user"] = {"username": "lanhdao", "role": "viewer"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [
        "Tài khoản 'lanhdao' (Lãnh đạo (chỉ xem)) không có quyền quản lý tài khoản."]
    assert not at.dataframe and not at.text_input and not at.tabs


def test_an_admin_limited_to_a_province_manages_only_its_area(
        empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 17: an admin limited to Sơn La created an unlimited admin, reset the main
    # admin's password and took a backup of every province.
    add_user(empty_url, "quantri", ADMIN_PW, "admin")
    add_user(empty_url, "sl_quantri", "quan-tri-son-la", "admin", province_code="14")
    add_user(empty_url, "db_xem", "lanh-dao-2025", "viewer", province_code="11")
    at = _admin_page(empty_url, monkeypatch)
    _log_in(at, "sl_quantri", "quan-tri-son-la")
    table = at.dataframe[0].value
    assert list(table["Tài khoản"]) == ["sl_quantri"]  # not the main admin, not Điện Biên
    # Only provinces of its area are offered, never "no limit".
    offered = at.selectbox(key="au_prov").options
    assert offered and "—" not in offered and all("Sơn La" in o for o in offered)
    _fill_new_account(at, "sl_xem", "xem-ban-do-son-la", "xem-ban-do-son-la", role="viewer")
    assert [s.value for s in at.success] == ["Đã tạo tài khoản sl_xem."]
    (acc,) = [u for u in list_users(empty_url) if u["username"] == "sl_xem"]
    assert acc["province_code"] == "14"
    # No backup: the tab says why and offers no button.
    assert "không giới hạn địa bàn" in at.tabs[3].info[0].value
    assert not [b for b in at.button if b.key == "bk_make"]
    assert audit_entries(empty_url, action="backup").empty
