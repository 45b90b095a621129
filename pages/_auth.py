"""Login gate, session expiry, logout and page-level permission checks.

``app.py`` calls :func:`login_gate` on every run, before navigation. While the
database has no user accounts everyone is the local administrator (single-user
install); once an account exists, nothing but the login form is shown until the
user logs in. A session ends after ``DIABAN_SESSION_IDLE_MIN`` minutes without
activity (default 30) or ``DIABAN_SESSION_MAX_HOURS`` after login (default 10);
disabling an account or changing its role takes effect on the user's next click.

Pages call :func:`require_action` before showing what a role may not use.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import streamlit as st

from geo import auth
from geo.errors import AuthError, PermissionDenied
from geo.services import users
from geo.vocab import ROLES
from pages._state import current_user, db_url, lang, t

_AUTH = "_auth_session"
_MSG = "_auth_message"


#: Databases known to have accounts, until when (monotonic seconds): accounts are never
#: deleted, so a "yes" stays true; a "no" is asked again on every run, so the first
#: account switches login on at once.
_ACCOUNTS_SEEN: dict[str | None, float] = {}
_ACCOUNTS_TTL_S = 60.0


def _users_exist() -> bool:
    """Whether accounts exist; stops the app (fails closed) when the database is unreachable."""
    url = db_url()
    if _ACCOUNTS_SEEN.get(url, 0.0) > time.monotonic():
        return True
    try:
        yes = users.login_required(url)
        if yes:
            _ACCOUNTS_SEEN[url] = time.monotonic() + _ACCOUNTS_TTL_S
        return yes
    except Exception:  # noqa: BLE001 - never open the app because the database is down
        st.error(t("Không kết nối được cơ sở dữ liệu. Hãy báo quản trị hệ thống kiểm tra máy chủ "
                   "CSDL (DIABAN_DATABASE_URL) rồi tải lại trang.",
                   "Cannot reach the database. Ask the administrator to check the database "
                   "server (DIABAN_DATABASE_URL), then reload the page."))
        st.stop()
        raise  # st.stop() raises; this keeps type checkers right


def _ref(code: object) -> object:
    """The :class:`~geo.registry.Province` a sidebar code stands for (``None`` stays)."""
    from pages._common import province_ref

    if code is None or code == "" or not isinstance(code, str):
        return code
    try:
        return province_ref(code)
    except KeyError:
        return code  # not a province of the list: checked as a bare code


def _set_user(p: auth.Principal) -> None:
    st.session_state["user"] = p.to_dict()
    prov = st.session_state.get("province")
    if p.province_code and (prov is None or not auth.allowed(p, "view", _ref(prov))):
        st.session_state["province"] = p.province_code


def client_source() -> str | None:
    """The address failed logins are throttled by (:mod:`geo.auth.throttle`).

    The browser's address as Streamlit saw it; behind the local reverse proxy of
    ``diaban serve`` (the peer is this machine) the address that proxy appended to
    ``X-Forwarded-For`` — the last one: earlier ones are whatever the client sent.
    A client connecting directly cannot choose its source by sending the header.
    """
    try:
        ip = st.context.ip_address
        headers = st.context.headers
    except Exception:  # noqa: BLE001 - no request context (AppTest): this machine
        return None
    if ip:
        return str(ip)
    forwarded = (headers.get("X-Forwarded-For") or "") if headers else ""
    last = forwarded.split(",")[-1].strip()
    return last[:100] or None


def _logout(reason: str | None = None) -> None:
    sess = st.session_state.pop(_AUTH, None)
    st.session_state.pop("user", None)
    if reason:
        st.session_state[_MSG] = reason
    if sess and reason is None:
        try:
            users.logout(sess["user"], db_url())
        except Exception:  # noqa: BLE001 - logging out must always work
            pass


def _province_name(p: auth.Principal) -> str:
    """Name of the province a user is limited to, in its edition (the code if unknown)."""
    from geo.auth.area import province_label

    return province_label(p.province_code, p.province_edition or "legacy")


def _sidebar(p: auth.Principal) -> None:
    with st.sidebar:
        if p.local:
            st.caption(t("Chưa có tài khoản người dùng: mọi người dùng máy này có quyền quản trị. "
                         "Tạo tài khoản quản trị (trang Quản trị hoặc `diaban users add`) để "
                         "bật đăng nhập.",
                         "No user accounts yet: whoever uses this machine is administrator. "
                         "Create an admin account (Administration page or `diaban users add`) "
                         "to switch login on."))
            return
        role = ROLES.label(p.role, lang())
        st.caption(t("Đăng nhập:", "Logged in:") + f" {p.username} — {role}"
                   + (f" — {_province_name(p)}" if p.province_code else ""))
        st.button(t("Đăng xuất", "Log out"), key="logout_btn", on_click=_logout)


def login_gate() -> None:
    """Stop the app at a login form unless a valid session exists (see module docs)."""
    url = db_url()
    if not _users_exist():
        st.session_state.pop(_AUTH, None)
        p = users.local_admin()
        _set_user(p)
        _sidebar(p)
        return
    sess = st.session_state.get(_AUTH)
    if sess:
        now = datetime.now(UTC)
        if auth.session_expired(sess["started"], sess["last_seen"], now):
            _logout("expired")
        else:
            p = users.refresh(sess["user"], url)
            if p is None:
                _logout("disabled")
            else:
                sess["last_seen"] = now
                sess["user"] = p.to_dict()
                _set_user(p)
                _sidebar(p)
                return
    st.session_state.pop("user", None)
    _hidden_navigation()
    _login_form(url)
    st.stop()


def _login_page() -> None:
    """Never run: the login form is drawn by :func:`login_gate` itself."""


def _hidden_navigation() -> None:
    """Know the app's page URLs but show no menu while the login form is up.

    Without an ``st.navigation`` call Streamlit lists every file of ``pages/`` in the
    sidebar, helper modules included. A page URL (``/data``) stays valid without a
    "page not found" message and opens after login if the role allows it.
    """
    here = Path(__file__).resolve().parent
    pages = [st.Page(_login_page, title=t("Đăng nhập", "Log in"), default=True)]
    pages += [st.Page(str(f), url_path=f.stem) for f in sorted(here.glob("*.py"))
              if not f.stem.startswith("_")]
    st.navigation(pages, position="hidden")


def _login_form(url: str | None) -> None:
    st.title(t("Đăng nhập diaban", "Log in to diaban"))
    msg = st.session_state.pop(_MSG, None)
    if msg == "expired":
        st.warning(t("Phiên làm việc đã hết hạn; hãy đăng nhập lại.",
                     "Your session has expired; please log in again."))
    elif msg == "disabled":
        st.warning(t("Tài khoản đã bị vô hiệu hóa hoặc tạm khóa.",
                     "The account has been disabled or locked."))
    box = st.container(width=460)  # a login form, not a full-width banner
    with box, st.form("login_form", clear_on_submit=False):
        username = st.text_input(t("Tên đăng nhập", "Username"), key="login_user")
        password = st.text_input(t("Mật khẩu", "Password"), type="password", key="login_pw")
        ok = st.form_submit_button(t("Đăng nhập", "Log in"))
    if ok:
        try:
            p = users.login(users.LoginRequest(username.strip(), password, client_source()),
                            url)
        except AuthError as e:
            box.error(e.message(lang()))
            return
        now = datetime.now(UTC)
        st.session_state[_AUTH] = {"user": p.to_dict(), "started": now, "last_seen": now}
        st.session_state.pop("login_pw", None)
        _set_user(p)
        st.rerun()


def require_action(action: str, province_code: str | None = None,
                   whole_province: bool = False) -> auth.Principal:
    """Stop the page with a Vietnamese/English message unless the user may do ``action``.

    Parameters
    ----------
    action : str
        A key of :data:`geo.auth.ACTIONS`.
    province_code : str, optional
        Province the page works on.
    whole_province : bool
        The action touches the whole province (refused to district-limited users).

    Returns
    -------
    Principal
        The user, when allowed.
    """
    user = current_user()
    try:
        auth.authorize(user, action, _ref(province_code), whole_province=whole_province)
    except PermissionDenied as e:
        st.error(e.message(lang()))
        st.stop()
    return auth.as_principal(user)


def can(action: str, province_code: str | None = None) -> bool:
    """Whether the logged-in user may do ``action`` (to hide buttons)."""
    return auth.allowed(current_user(), action, _ref(province_code))


def visible_provinces(codes: list[str]) -> list[str]:
    """The province codes among ``codes`` the logged-in user may view."""
    return [c for c in codes if can("view", c)]
