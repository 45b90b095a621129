"""Quản trị — user accounts (list, add, disable, passwords, tokens), audit log, backup."""

from __future__ import annotations

from pages._state import boot

boot()

import tempfile  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from geo.audit import describe_detail  # noqa: E402
from geo.auth import in_area  # noqa: E402
from geo.auth.area import province_label  # noqa: E402
from geo.errors import DiabanError  # noqa: E402
from geo.services import backup as backups  # noqa: E402
from geo.services import users as svc  # noqa: E402
from geo.vocab import ACTIONS, AUDIT_ACTIONS, AUDIT_ENTITIES, ROLES  # noqa: E402
from pages import _common as data  # noqa: E402
from pages._auth import can, require_action  # noqa: E402
from pages._state import bound, db_url, index_of, lang, remember, t, wkey  # noqa: E402
from pages._widgets import show_table  # noqa: E402

st.title(t("Quản trị", "Administration"))
me = require_action("manage_users")
url = db_url()

tab_users, tab_audit, tab_roles, tab_backup = st.tabs([
    t("Tài khoản", "Accounts"), t("Nhật ký thay đổi", "Audit log"),
    t("Phân quyền", "Roles"), t("Sao lưu", "Backup")])


def _role_label(r: str) -> str:
    return ROLES.label(r, lang())


def _blank_missing(df: pd.DataFrame, cols: list[str],
                   times: tuple[str, ...] = ()) -> pd.DataFrame:
    """Empty cells instead of "None" in ``cols``; ``times`` to the minute (UTC)."""
    df = df.copy()
    for c in times:
        if c in df:
            df[c] = pd.to_datetime(df[c], utc=True).dt.strftime("%d/%m/%Y %H:%M")
    for c in (*cols, *times):
        if c in df:
            df[c] = df[c].astype(object).where(df[c].notna(), "")
    return df


_FLASH = "_admin_flash"


with tab_users:
    if not can("manage_users"):
        st.info(t("Chỉ quản trị mới quản lý tài khoản.", "Only administrators manage accounts."))
    else:
        if flash := st.session_state.pop(_FLASH, None):
            st.success(flash)  # set before the rerun that follows a change
        users = svc.list_users(me, url).frame()
        provs = data.provinces()
        names = dict(zip(provs.code, provs.name))
        if me.limited:  # an administrator limited to an area gives only parts of it
            provs = provs[[in_area(me, data.province_ref(c)) for c in provs.code]]
        if users.empty:
            st.info(t("Chưa có tài khoản nào: ứng dụng đang mở cho mọi người dùng máy này. Tài "
                      "khoản đầu tiên phải là quản trị; sau khi tạo, mọi người phải đăng nhập.",
                      "No accounts yet: the app is open to whoever uses this machine. The first "
                      "account must be an administrator; after it is created everyone logs in."))
        else:
            view = _blank_missing(users.assign(
                role=users.role.map(_role_label),
                active=users.active.map(lambda a: t("có", "yes") if a else t("không", "no")),
                province_code=[province_label(c, e) or None for c, e in
                               zip(users.province_code, users.province_edition)]).drop(
                columns="province_edition"),
                ["province_code", "district_code"],
                times=("locked_until", "created_at", "last_login"))
            view = view.rename(columns={
                "username": t("Tài khoản", "Account"), "role": t("Vai trò", "Role"),
                "province_code": t("Tỉnh", "Province"), "district_code": t("Huyện", "District"),
                "active": t("Hoạt động", "Active"), "locked_until": t("Khóa đến", "Locked until"),
                "failed_attempts": t("Sai liên tiếp", "Failed in a row"),
                "created_at": t("Tạo lúc", "Created"),
                "last_login": t("Đăng nhập gần nhất", "Last login")})
            st.dataframe(view, hide_index=True, width="stretch")
            st.caption(t("Giờ UTC.", "Times in UTC."))

        st.subheader(t("Thêm tài khoản", "Add an account"))
        with st.form("add_user", clear_on_submit=True):
            c1, c2 = st.columns(2)
            new_name = c1.text_input(t("Tên đăng nhập", "Username"), key="au_name")
            roles = list(ROLES)
            new_role = c2.selectbox(t("Vai trò", "Role"), roles,
                                    index=roles.index("admin") if users.empty else 0,
                                    format_func=_role_label, key="au_role")
            pcodes = ([] if me.limited else [""]) + list(provs.code)
            new_prov = c1.selectbox(t("Giới hạn tỉnh (tùy chọn)", "Limit to province (optional)"),
                                    pcodes, format_func=lambda c: names.get(c, "—"),
                                    key="au_prov")
            new_dist = c2.text_input(t("Giới hạn huyện: mã huyện (tùy chọn)",
                                       "Limit to district: code (optional)"), key="au_dist")
            pw1 = c1.text_input(t("Mật khẩu", "Password"), type="password", key="au_pw1")
            pw2 = c2.text_input(t("Nhập lại mật khẩu", "Repeat the password"), type="password",
                                key="au_pw2")
            if st.form_submit_button(t("Tạo tài khoản", "Create account")):
                if pw1 != pw2:
                    st.error(t("Hai mật khẩu không giống nhau.", "The passwords differ."))
                else:
                    try:
                        acc = svc.add_user(svc.AddUserRequest(
                            new_name.strip(), pw1, new_role,
                            data.province_ref(new_prov) if new_prov else None,
                            new_dist.strip() or None), me, url)
                        st.session_state[_FLASH] = t(f"Đã tạo tài khoản {acc.username}.",
                                                     f"Account {acc.username} created.")
                        st.rerun()
                    except DiabanError as e:
                        st.error(e.message(lang()))

        if not users.empty:
            st.subheader(t("Sửa tài khoản", "Change an account"))
            names_list = list(users.username)
            who = st.selectbox(t("Tài khoản", "Account"), names_list, key="mu_who")
            row = users.set_index("username").loc[who]
            c1, c2, c3 = st.columns(3)
            if row.active:
                if c1.button(t("Vô hiệu hóa", "Disable"), key="mu_disable"):
                    try:
                        svc.disable_user(svc.UserRequest(who), me, url)
                        st.rerun()
                    except DiabanError as e:
                        st.error(e.message(lang()))
            elif c1.button(t("Kích hoạt lại", "Enable"), key="mu_enable"):
                try:
                    svc.enable_user(svc.UserRequest(who), me, url)
                    st.rerun()
                except DiabanError as e:
                    st.error(e.message(lang()))
            with c2.popover(t("Đặt mật khẩu mới", "Set a new password")):
                npw = st.text_input(t("Mật khẩu mới", "New password"), type="password",
                                    key="mu_pw")
                if st.button(t("Lưu mật khẩu", "Save password"), key="mu_pw_ok"):
                    try:
                        svc.set_password(svc.PasswordRequest(who, npw), me, url)
                        st.success(t("Đã đổi mật khẩu.", "Password changed."))
                    except DiabanError as e:
                        st.error(e.message(lang()))
            with c3.popover(t("Mã truy cập cho kịch bản", "API token for scripts")):
                note = st.text_input(t("Ghi chú", "Note"), key="mu_tok_note")
                if st.button(t("Tạo mã", "Create token"), key="mu_tok_ok"):
                    try:
                        tok = svc.create_token(svc.TokenRequest(who, note or None), me, url)
                    except DiabanError as e:
                        st.error(e.message(lang()))
                    else:
                        st.caption(t("Chỉ hiện một lần; dùng trong DIABAN_TOKEN:",
                                     "Shown once; use it in DIABAN_TOKEN:"))
                        st.code(tok.token, language=None)
            tokens = svc.list_tokens(me, url).frame()
            if not tokens.empty:
                st.caption(t("Mã truy cập (không hiện mã); giờ UTC.",
                             "API tokens (never shown again); times in UTC."))
                show_table(_blank_missing(tokens, ["note"], times=(
                    "created_at", "last_used", "revoked_at")).rename(columns={
                        "id": t("Số", "No."), "username": t("Tài khoản", "Account"),
                        "note": t("Ghi chú", "Note"), "created_by": t("Người tạo", "Created by"),
                        "created_at": t("Tạo lúc", "Created"),
                        "last_used": t("Dùng gần nhất", "Last used"),
                        "revoked_at": t("Thu hồi lúc", "Revoked")}))
                live = tokens[tokens.revoked_at.isna()].id.tolist()
                if live:
                    tid = st.selectbox(t("Thu hồi mã số", "Revoke token"), live, key="mu_rev")
                    if st.button(t("Thu hồi", "Revoke"), key="mu_rev_ok"):
                        try:
                            svc.revoke_token(svc.RevokeTokenRequest(int(tid)), me, url)
                            st.rerun()
                        except DiabanError as e:
                            st.error(e.message(lang()))

with tab_audit:
    c1, c2, c3, c4 = st.columns(4)
    f_user = c1.text_input(t("Người thực hiện", "User"), key="al_user")
    acts = [""] + svc.audit_actions(me, url)
    # Keyed per language (labels are part of a widget), the choice carried across a switch.
    f_action = remember("al_action", c2.selectbox(
        t("Thao tác", "Action"), acts, index=index_of(acts, "al_action", ""),
        key=wkey("al_action"), format_func=bound(
            lambda a, lg: AUDIT_ACTIONS.label(a, lg) if a else ("Tất cả" if lg == "vi"
                                                                 else "All"))))
    f_batch = c3.number_input(t("Lần nhập số", "Batch"), min_value=0, step=1, value=0,
                              key="al_batch", help=t("0: tất cả", "0: all"))
    f_text = c4.text_input(t("Tìm trong chi tiết", "Search details"), key="al_text")
    d1, d2, d3 = st.columns(3)
    f_since = d1.date_input(t("Từ ngày", "From"), value=date.today() - timedelta(days=30),
                            key="al_since", format="DD/MM/YYYY")
    f_until = d2.date_input(t("Đến ngày", "To"), value=date.today(), key="al_until",
                            format="DD/MM/YYYY")
    f_limit = d3.number_input(t("Số dòng tối đa", "Most rows"), min_value=10, max_value=100_000,
                              value=1000, step=100, key="al_limit")
    audit = svc.audit_log(svc.AuditRequest(
        username=f_user.strip() or None, action=f_action or None,
        batch_id=int(f_batch) or None, since=f_since, until=f_until,
        text=f_text.strip() or None, limit=int(f_limit)), me, url)
    log = audit.entries
    st.caption(t(f"{len(log)} dòng; giờ UTC.", f"{len(log)} entries; times in UTC."))
    shown = log.assign(action=log.action.map(lambda a: AUDIT_ACTIONS.label(a, lang())),
                       entity=log.entity.map(lambda e: AUDIT_ENTITIES.label(e, lang())),
                       detail=log.detail.map(lambda d: describe_detail(d, lang())),
                       batch_id=log.batch_id.astype("Int64"))
    shown = _blank_missing(shown, ["entity_id", "batch_id", "detail"], times=("at",))
    show_table(shown.drop(columns="id").rename(columns={
        "at": t("Thời gian", "Time"), "username": t("Người", "User"),
        "action": t("Thao tác", "Action"), "entity": t("Đối tượng", "Object"),
        "entity_id": t("Mã đối tượng", "Object no."),
        "batch_id": t("Lần nhập", "Batch"), "detail": t("Chi tiết", "Details")}),
        wrap=[t("Chi tiết", "Details")], max_rows=12)
    st.download_button(t("Tải CSV", "Download CSV"), audit.csv_bytes(), "nhat_ky_thay_doi.csv",
                       "text/csv", key="al_csv")

with tab_roles:
    st.caption(t("Vai trò nào được làm gì.", "What each role may do."))
    tbl = pd.DataFrame(svc.roles_table(lang())).drop(columns="role")
    marks = {a: tbl[a].map({True: "✓", False: "–"}) for a in ACTIONS if a in tbl}
    show_table(tbl.assign(**marks).rename(columns={"label": t("Vai trò", "Role"), **{
        a: ACTIONS.label(a, lang()) for a in ACTIONS}}))
    st.caption(t("✓ được phép, – không được phép.", "✓ allowed, – not allowed."))

with tab_backup:
    if not can("backup"):
        st.info(t("Chỉ quản trị không giới hạn địa bàn mới sao lưu (bản sao lưu chứa dữ liệu "
                  "của mọi tỉnh và mật khẩu đã băm của mọi tài khoản).",
                  "Only administrators not limited to an area make backups (a backup holds "
                  "every province's data and every account's password hash)."))
    else:
        st.caption(t("Bản sao lưu chứa mọi dữ liệu, kể cả mã băm mật khẩu: giữ ở nơi an toàn. "
                     "Phục hồi bằng lệnh `diaban restore TỆP --db URL_CSDL_MỚI`.",
                     "A backup holds all data, password hashes too: keep it safe. Restore "
                     "with `diaban restore FILE --db NEW_EMPTY_DB_URL`."))
        if st.button(t("Tạo bản sao lưu", "Make a backup"), key="bk_make"):
            with tempfile.TemporaryDirectory() as d:
                out = Path(d) / "diaban_backup.zip"
                try:
                    backups.backup(backups.BackupRequest(out), me, url)
                except DiabanError as e:
                    st.error(e.message(lang()))
                else:
                    st.session_state["bk_bytes"] = out.read_bytes()
        if st.session_state.get("bk_bytes"):
            st.download_button(t("Tải bản sao lưu", "Download the backup"),
                               st.session_state["bk_bytes"],
                               f"diaban_{date.today():%Y%m%d}.zip", "application/zip",
                               key="bk_dl")
