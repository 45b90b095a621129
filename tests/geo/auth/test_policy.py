"""geo.auth.policy: the permission table, principals in every form, authorize and may_undo."""

from __future__ import annotations

import pytest

from geo.auth import PERMISSIONS, Principal, allowed, as_principal, authorize, may_undo
from geo.auth import roles_table as table
from geo.errors import PermissionDenied
from geo.vocab import ACTIONS, ROLES


class _Row:
    """A stored account as the database returns it (attributes, not a dict)."""

    username = "nhaplieu"
    role = "data_officer"
    province_code = "14"
    district_code = None
    password_hash = "$argon2id$…"


def test_a_principal_from_each_form_is_the_same() -> None:
    p = Principal("nhaplieu", "data_officer", "14")
    assert as_principal(p) is p
    assert as_principal(p.to_dict()) == p
    assert as_principal(_Row()) == p
    assert as_principal(None) is None
    assert as_principal({"username": "may", "role": "admin", "local": True}).local


def test_every_role_and_action_of_the_vocabulary_is_in_the_table() -> None:
    assert set(PERMISSIONS) == set(ROLES)
    assert PERMISSIONS["admin"] == frozenset(ACTIONS)
    for actions in PERMISSIONS.values():
        assert actions <= set(ACTIONS)


def test_roles_table_matches_permissions_with_labels_in_both_languages() -> None:
    vi, en = table("vi"), table("en")
    assert [r["role"] for r in vi] == list(ROLES)
    for r_vi, r_en in zip(vi, en):
        assert r_vi["label"] == ROLES[r_vi["role"]].vi and r_en["label"] == ROLES[r_en["role"]].en
        assert {a for a in ACTIONS if r_vi[a]} == set(PERMISSIONS[r_vi["role"]])


def test_refusal_messages_use_the_vocabulary_labels() -> None:
    with pytest.raises(PermissionDenied) as ei:
        authorize(Principal("kehoach", "planner"), "backup")
    assert ei.value.vi == ("Tài khoản 'kehoach' (Cán bộ kế hoạch) không có quyền sao lưu, "
                           "phục hồi dữ liệu.")
    assert ei.value.en == "Account 'kehoach' (Planner) may not back up and restore data."
    assert ei.value.exit_code == 6


def test_unknown_role_is_refused_everything() -> None:
    ghost = Principal("x", "superuser")
    assert not any(allowed(ghost, a) for a in ACTIONS)


def test_district_limited_user_undoes_only_own_batches() -> None:
    moc_chau = Principal("mc", "data_officer", "14", "123")
    may_undo(moc_chau, "14", "mc")
    with pytest.raises(PermissionDenied) as ei:
        may_undo(moc_chau, "14", "nguoi_khac")
    assert "chính mình" in ei.value.vi
    # A province-wide officer may undo anyone's batch of the province, not of another.
    son_la = Principal("sl", "data_officer", "14")
    may_undo(son_la, "14", "nguoi_khac")
    with pytest.raises(PermissionDenied):
        may_undo(son_la, "01", "nguoi_khac")
    with pytest.raises(PermissionDenied):
        may_undo(Principal("ld", "viewer"), "14", "ld")


def test_district_limit_names_the_district() -> None:
    moc_chau = Principal("mc", "data_officer", "14", "123")
    with pytest.raises(PermissionDenied) as ei:
        authorize(moc_chau, "import", district_code="128")
    assert "huyện mã 128" in ei.value.vi and "district 128" in ei.value.en
