"""Users, roles, area limits, passwords, lockout, sessions and API tokens (geo.auth)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from geo.auth import (
    ACTIONS,
    LOCK_MINUTES,
    MAX_FAILED,
    MIN_PASSWORD,
    PERMISSIONS,
    ROLES,
    Principal,
    allowed,
    authorize,
    masked_name,
    session_expired,
    units_outside_area,
)
from geo.errors import AuthError, PermissionDenied, ValidationError
from geo.store import session_scope
from geo.store.schema import ApiToken, AuditEntry, User, utcnow
from tests.accounts import (
    add_user,
    authenticate,
    create_token,
    disable_user,
    list_tokens,
    list_users,
    refresh,
    revoke_token,
    set_password,
    token_user,
)

PW = "mat-khau-an-toan"
ADMIN_PW = "quan-tri-sl-2025"


def _audit(url: str, action: str, entity_id: str | None = None) -> list[AuditEntry]:
    with session_scope(url) as s:
        q = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        if entity_id is not None:
            q = q.where(AuditEntry.entity_id == entity_id)
        rows = list(s.scalars(q))
        s.expunge_all()
    return rows


@pytest.fixture()
def accounts(empty_url: str) -> str:
    """An admin and a viewer on a fresh database."""
    add_user(empty_url, "quantri", ADMIN_PW, "admin", actor="cai_dat")
    add_user(empty_url, "lanhdao", PW, "viewer", actor="quantri")
    return empty_url


# ------------------------------------------------------------------ permissions

EXPECTED = {
    "viewer": {"view", "export"},
    "planner": {"view", "export", "analyze", "approve"},
    "data_officer": {"view", "export", "analyze", "import", "edit", "undo"},
    "admin": set(ACTIONS),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_permission_table_per_role(role: str) -> None:
    assert set(PERMISSIONS[role]) == EXPECTED[role]
    user = {"username": "u", "role": role}
    for action in ACTIONS:
        assert allowed(user, action) is (action in EXPECTED[role]), (role, action)


def test_refusals_name_role_and_action_in_vietnamese() -> None:
    viewer = Principal("lanhdao", "viewer")
    for action in ("import", "edit", "undo", "analyze", "manage_users"):
        with pytest.raises(PermissionDenied) as ei:
            authorize(viewer, action)
        assert "không có quyền" in ei.value.vi and "lanhdao" in ei.value.vi
        assert ACTIONS[action].vi in ei.value.vi
        assert "may not" in ei.value.en
    planner = Principal("kehoach", "planner")
    authorize(planner, "analyze")
    assert not allowed(planner, "import")
    officer = Principal("nhaplieu", "data_officer")
    for action in ("import", "edit", "undo"):
        authorize(officer, action)
    for action in ("manage_users", "audit", "backup"):
        assert not allowed(officer, action)
    with pytest.raises(PermissionDenied) as ei:
        authorize(None, "view")
    assert "Cần đăng nhập" in ei.value.vi
    assert not allowed({"username": "x", "role": "superuser"}, "view")
    with pytest.raises(ValueError):
        authorize(Principal("a", "admin"), "launch_missiles")


def test_province_limit_follows_the_2025_merger() -> None:
    son_la = Principal("sonla", "data_officer", province_code="14")
    assert allowed(son_la, "import", "14")
    assert not allowed(son_la, "import", "01")
    with pytest.raises(PermissionDenied) as ei:
        authorize(son_la, "import", "01")
    assert "chỉ được làm việc với tỉnh mã 14" in ei.value.vi
    # Hà Giang (legacy 02) merged into Tuyên Quang (2025 code 08), and back. A code
    # alone is read in every edition (legacy 08 is the old Tuyên Quang): the 2025
    # province is named as such (issue 17).
    from geo.registry import Province

    tq_2025 = Province("08", "Tỉnh Tuyên Quang", "2025")
    ha_giang = Principal("hagiang", "data_officer", province_code="02")
    assert allowed(ha_giang, "import", "02") and allowed(ha_giang, "import", tq_2025)
    assert not allowed(ha_giang, "import", "01")
    tuyen_quang = Principal("tq", "data_officer", province_code="08",
                            province_edition="2025")
    assert allowed(tuyen_quang, "import", "02")
    # No province named: only the role counts; an unlimited user goes anywhere.
    assert allowed(son_la, "import")
    assert allowed(Principal("tw", "data_officer"), "import", "01")


def test_district_limit() -> None:
    moc_chau = Principal("mc", "data_officer", province_code="14", district_code="123")
    assert allowed(moc_chau, "import", "14", "123")
    assert not allowed(moc_chau, "import", "14", "128")  # Vân Hồ
    assert not allowed(moc_chau, "import", "01")
    with pytest.raises(PermissionDenied) as ei:
        authorize(moc_chau, "import", "14", whole_province=True)
    assert "cả tỉnh" in ei.value.vi
    # Chiềng Khừa (Mộc Châu) in, Tân Xuân (Vân Hồ) out; the 2025 xã Lóng Sập was
    # formed from Mộc Châu communes.
    assert units_outside_area(moc_chau, "legacy", ["04024", "04058"]) == ["04058"]
    assert units_outside_area(moc_chau, "2025", ["04045"]) == []


# ------------------------------------------------------------------ accounts


def test_first_account_must_be_admin(empty_url: str) -> None:
    with pytest.raises(ValidationError) as ei:
        add_user(empty_url, "lanhdao", PW, "viewer")
    assert "Tài khoản đầu tiên phải là quản trị" in ei.value.vi
    assert list_users(empty_url) == []
    add_user(empty_url, "quantri", ADMIN_PW, "admin")
    add_user(empty_url, "lanhdao", PW, "viewer")
    assert [u["username"] for u in list_users(empty_url)] == ["lanhdao", "quantri"]


def test_bad_accounts_are_refused_in_vietnamese(accounts: str) -> None:
    cases = [
        (("quantri", PW, "viewer"), "đã có"),
        (("moi", "ngan", "viewer"), f"ít nhất {MIN_PASSWORD} ký tự"),
        (("moi", PW, "superuser"), "Vai trò 'superuser' không hợp lệ"),
        (("<script>", PW, "viewer"), "Tên đăng nhập chỉ gồm"),
        (("a b", PW, "viewer"), "Tên đăng nhập chỉ gồm"),
    ]
    for args, msg in cases:
        with pytest.raises(ValidationError) as ei:
            add_user(accounts, *args)
        assert msg in ei.value.vi, (args, ei.value.vi)
        assert ei.value.en and ei.value.en != ei.value.vi
    with pytest.raises(ValidationError) as ei:
        add_user(accounts, "x", PW, "viewer", province_code="01", district_code="123")
    assert "không thuộc tỉnh" in ei.value.vi
    assert [u["username"] for u in list_users(accounts)] == ["lanhdao", "quantri"]


def test_area_given_by_name_is_stored_as_code(accounts: str) -> None:
    p = add_user(accounts, "sonla", PW, "data_officer", province_code="Sơn La")
    assert p.province_code == "14"
    p = add_user(accounts, "mocchau", PW, "data_officer", district_code="123")
    assert (p.province_code, p.district_code) == ("14", "123")


def test_only_an_argon2_hash_is_stored(accounts: str) -> None:
    with session_scope(accounts) as s:
        users = {u.username: u.password_hash for u in s.scalars(select(User))}
    assert users["lanhdao"].startswith("$argon2")
    assert PW not in users["lanhdao"] and ADMIN_PW not in users["quantri"]
    assert users["lanhdao"] != users["quantri"]
    rows = list_users(accounts)
    assert all("password_hash" not in r for r in rows)
    assert "$argon2" not in repr(rows)
    created = _audit(accounts, "create")
    assert [(e.entity, e.entity_id, e.username) for e in created] == [
        ("user", "quantri", "cai_dat"), ("user", "lanhdao", "quantri")]


# ------------------------------------------------------------------ login


def test_authenticate_ok_and_same_message_for_wrong_password_and_unknown_user(
        accounts: str) -> None:
    p = authenticate(accounts, "lanhdao", PW)
    assert (p.username, p.role, p.local) == ("lanhdao", "viewer", False)
    assert _audit(accounts, "login", "lanhdao")
    with session_scope(accounts) as s:
        assert s.scalars(select(User.last_login).where(User.username == "lanhdao")).one()
    with pytest.raises(AuthError) as wrong:
        authenticate(accounts, "lanhdao", PW + "x")
    with pytest.raises(AuthError) as unknown:
        authenticate(accounts, "khongco", PW)
    assert wrong.value.vi == unknown.value.vi == "Sai tên đăng nhập hoặc mật khẩu."
    assert wrong.value.en == unknown.value.en
    failed = _audit(accounts, "login_failed")
    # A name that is no account is never stored as typed (it may be a password).
    assert [e.entity_id for e in failed] == ["lanhdao", masked_name("khongco")]


def test_failures_slow_the_source_down_and_never_lock_the_account(accounts: str) -> None:
    # Issue 17: five failures used to lock the account for everyone; now the source
    # that fails waits growing delays, and the right password from elsewhere works.
    t0 = utcnow()
    for i in range(MAX_FAILED):
        with pytest.raises(AuthError) as ei:
            authenticate(accounts, "lanhdao", "sai-mat-khau", now=t0, source="10.0.0.66")
        assert "Sai tên đăng nhập" in ei.value.vi, i
    # The source must wait now: refused before the password is looked at.
    with pytest.raises(AuthError) as ei:
        authenticate(accounts, "lanhdao", PW, now=t0, source="10.0.0.66")
    assert "hãy đợi" in ei.value.vi
    # The account is not locked: the user's own machine logs in, sessions live on.
    assert authenticate(accounts, "lanhdao", PW, now=t0,
                        source="10.0.0.7").username == "lanhdao"
    assert refresh(accounts, Principal("lanhdao", "viewer")) is not None
    # Other accounts are not affected.
    authenticate(accounts, "quantri", ADMIN_PW, now=t0, source="10.0.0.8")
    # Once the wait has passed, the failing source may try again.
    later = t0 + timedelta(minutes=1)
    assert authenticate(accounts, "lanhdao", PW, now=later,
                        source="10.0.0.66").username == "lanhdao"
    assert len(_audit(accounts, "login_failed", "lanhdao")) == MAX_FAILED
    assert not _audit(accounts, "lock", "lanhdao")
    assert _audit(accounts, "login", "lanhdao")
    assert LOCK_MINUTES == 15  # the longest wait of a source


def test_set_password_unlocks(accounts: str) -> None:
    t0 = utcnow()
    for _ in range(MAX_FAILED):
        with pytest.raises(AuthError):
            authenticate(accounts, "lanhdao", "sai-mat-khau", now=t0)
    with pytest.raises(AuthError):  # this machine must wait a few seconds first
        authenticate(accounts, "lanhdao", PW, now=t0)
    set_password(accounts, "lanhdao", "mat-khau-moi-2025", actor="quantri")
    later = t0 + timedelta(minutes=1)
    assert authenticate(accounts, "lanhdao", "mat-khau-moi-2025",
                        now=later).username == "lanhdao"
    with pytest.raises(AuthError):
        authenticate(accounts, "lanhdao", PW, now=later)
    with pytest.raises(ValidationError):
        set_password(accounts, "lanhdao", "ngan")
    (e,) = _audit(accounts, "passwd", "lanhdao")
    assert e.username == "quantri"


def test_disabled_account_is_refused(accounts: str) -> None:
    p = authenticate(accounts, "lanhdao", PW)
    disable_user(accounts, "lanhdao", actor="quantri")
    with pytest.raises(AuthError) as ei:
        authenticate(accounts, "lanhdao", PW)
    assert ei.value.vi == "Sai tên đăng nhập hoặc mật khẩu."
    assert refresh(accounts, p) is None
    assert refresh(accounts, p.to_dict()) is None
    (e,) = _audit(accounts, "disable", "lanhdao")
    assert e.username == "quantri"
    assert [u["active"] for u in list_users(accounts) if u["username"] == "lanhdao"] == [False]
    disable_user(accounts, "lanhdao", actor="quantri", enable=True)
    assert refresh(accounts, p) == p
    assert authenticate(accounts, "lanhdao", PW) == p


def test_refresh_sees_role_changes_and_keeps_local_admin(accounts: str) -> None:
    p = authenticate(accounts, "lanhdao", PW)
    with session_scope(accounts) as s:
        s.scalars(select(User).where(User.username == "lanhdao")).one().role = "planner"
    assert refresh(accounts, p).role == "planner"
    local = Principal("may_tinh", "admin", local=True)
    assert refresh(accounts, local) is local


def test_last_admin_cannot_be_disabled(accounts: str) -> None:
    with pytest.raises(ValidationError) as ei:
        disable_user(accounts, "quantri", actor="quantri")
    assert "quản trị cuối cùng" in ei.value.vi
    authenticate(accounts, "quantri", ADMIN_PW)
    add_user(accounts, "quantri2", ADMIN_PW, "admin", actor="quantri")
    disable_user(accounts, "quantri", actor="quantri2")
    with pytest.raises(ValidationError):
        disable_user(accounts, "quantri2", actor="quantri2")
    assert not _audit(accounts, "disable", "quantri2")


def test_session_expiry() -> None:
    t0 = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
    seen = t0 + timedelta(hours=2)
    assert not session_expired(t0, seen, seen + timedelta(minutes=29), 30, 10)
    assert session_expired(t0, seen, seen + timedelta(minutes=31), 30, 10)  # idle
    busy = t0 + timedelta(hours=10)
    assert not session_expired(t0, busy, busy - timedelta(minutes=1), 30, 10)
    assert session_expired(t0, busy, busy + timedelta(minutes=1), 30, 10)  # too old
    assert not session_expired(t0, t0, t0 + timedelta(minutes=5))
    assert session_expired(t0, t0, t0 + timedelta(days=1))


# ------------------------------------------------------------------ tokens


def test_api_tokens(accounts: str) -> None:
    add_user(accounts, "nhaplieu", PW, "data_officer", province_code="14", actor="quantri")
    tok = create_token(accounts, "nhaplieu", actor="quantri", note="kịch bản nhập")
    assert tok.startswith("dbn_") and len(tok) > 40
    p = token_user(accounts, tok)
    assert (p.username, p.role, p.province_code) == ("nhaplieu", "data_officer", "14")
    assert token_user(accounts, f"  {tok}\n") == p
    with session_scope(accounts) as s:
        (t,) = s.scalars(select(ApiToken))
        assert t.token_sha256 == hashlib.sha256(tok.encode()).hexdigest()
        assert t.last_used is not None and t.created_by == "quantri"
        stored = [str(v) for v in vars(t).values()]
    assert not any(tok in v for v in stored)
    assert tok not in repr(list_tokens(accounts))
    (created,) = _audit(accounts, "create", str(t.id))
    assert created.entity == "api_token" and created.username == "quantri"

    for bad in ("dbn_khongco", "", tok[:-1]):
        with pytest.raises(AuthError) as ei:
            token_user(accounts, bad)
        assert "không hợp lệ hoặc đã bị thu hồi" in ei.value.vi

    disable_user(accounts, "nhaplieu", actor="quantri")
    with pytest.raises(AuthError):
        token_user(accounts, tok)
    disable_user(accounts, "nhaplieu", actor="quantri", enable=True)
    assert token_user(accounts, tok) == p

    revoke_token(accounts, t.id, actor="quantri")
    with pytest.raises(AuthError):
        token_user(accounts, tok)
    assert list_tokens(accounts)[0]["revoked_at"] is not None
    assert _audit(accounts, "revoke", str(t.id))
    failed = [e for e in _audit(accounts, "login_failed") if e.entity == "api_token"]
    assert len(failed) == 5


def test_a_hash_of_the_old_settings_still_logs_in_and_is_rehashed(accounts: str) -> None:
    from argon2 import PasswordHasher

    with session_scope(accounts) as s:
        u = s.scalars(select(User).where(User.username == "lanhdao")).one()
        u.password_hash = PasswordHasher(time_cost=3, memory_cost=65536,
                                         parallelism=4).hash(PW)
    p = authenticate(accounts, "lanhdao", PW)
    assert p.username == "lanhdao"
    with session_scope(accounts) as s:
        stored = s.scalars(select(User.password_hash).where(User.username == "lanhdao")).one()
    assert stored.startswith("$argon2id$") and "m=47104,t=1,p=1" in stored
    assert authenticate(accounts, "lanhdao", PW).username == "lanhdao"
    with pytest.raises(AuthError):
        authenticate(accounts, "lanhdao", PW + "x")
