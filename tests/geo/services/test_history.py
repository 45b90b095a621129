"""geo.services.history: import batches listed within the principal's area, and undone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.auth import Principal
from geo.errors import NotFoundError, PermissionDenied, ValidationError
from geo.i18n import fmt_number
from geo.services import imports as imp
from geo.services.history import HistoryRequest, UndoRequest, history, undo
from geo.store import get_values, session_scope
from tests.conftest import db_fingerprint

ADMIN = Principal("quan_tri", "admin")
SON_LA_OFFICER = Principal("nhap_lieu", "data_officer", "14")
HA_NOI_OFFICER = Principal("hn_nhap", "data_officer", "01")
MOC_CHAU_OFFICER = Principal("mc_nhap", "data_officer", "14", "123")
VIEWER = Principal("lanh_dao", "viewer")


def _import(folder: Path, name: str, body: str, who: Principal, url: str) -> int:
    p = folder / name
    p.write_text("ma_xa,ky,chi_tieu,gia_tri\n" + body, encoding="utf-8")
    return imp.import_file(imp.IndicatorsRequest(p), who, url).batch_id


@pytest.fixture()
def batches(tmp_path: Path, empty_url: str) -> dict[str, int]:
    """Four batches: Sơn La by an administrator and two officers, Hà Nội by its officer."""
    return {
        "son_la_admin": _import(tmp_path, "sl.csv", "04024,2023-H1,registered_addicts,5\n",
                                ADMIN, empty_url),
        "son_la_officer": _import(tmp_path, "sl2.csv", "04024,2023-H1,registered_addicts,7\n",
                                  SON_LA_OFFICER, empty_url),
        "moc_chau": _import(tmp_path, "mc.csv", "04045,2023-H1,relapse,2\n",
                            MOC_CHAU_OFFICER, empty_url),
        "ha_noi": _import(tmp_path, "hn.csv", "00004,2023-H1,relapse,1\n", HA_NOI_OFFICER,
                          empty_url),
    }


def test_history_is_newest_first_within_the_principals_area(batches: dict[str, int],
                                                            empty_url: str) -> None:
    every = history(HistoryRequest(), ADMIN, empty_url)
    assert every.batches.id.tolist() == sorted(batches.values(), reverse=True)
    assert every.province_code is None and every.undoable == every.batches.id.tolist()
    son_la = history(HistoryRequest(), SON_LA_OFFICER, empty_url)
    assert son_la.province_code == "14"
    assert set(son_la.batches.id) == set(batches.values()) - {batches["ha_noi"]}
    assert set(history(HistoryRequest("Hà Nội"), ADMIN, empty_url).batches.id) == {
        batches["ha_noi"]}
    with pytest.raises(PermissionDenied):
        history(HistoryRequest("Sơn La"), HA_NOI_OFFICER, empty_url)
    # A district officer may undo only their own batches.
    assert history(HistoryRequest(), MOC_CHAU_OFFICER, empty_url).undoable == [
        batches["moc_chau"]]
    rows = json.loads(json.dumps(son_la.to_dict(), allow_nan=False))["batches"]
    assert rows[0]["user"] == "mc_nhap" and rows[0]["undone_at"] is None


def test_undo_brings_the_earlier_value_back_and_says_what_it_did(batches: dict[str, int],
                                                                 empty_url: str) -> None:
    res = undo(UndoRequest(batches["son_la_officer"]), SON_LA_OFFICER, empty_url)
    assert (res.kind, res.file, res.values, res.restored) == ("indicators", "sl2.csv", 1, 1)
    assert json.loads(json.dumps(res.to_dict()))["batch"] == batches["son_la_officer"]
    with session_scope(empty_url) as s:
        v = get_values(s, "14", "legacy", ["registered_addicts"]).value.tolist()
    assert v == [5.0]
    h = history(HistoryRequest(), ADMIN, empty_url).batches.set_index("id")
    assert h.loc[batches["son_la_officer"], "status"] == "undone"
    with pytest.raises(ValidationError, match="đã được hoàn tác"):
        undo(UndoRequest(batches["son_la_officer"]), ADMIN, empty_url)


@pytest.mark.parametrize(("who", "batch"), [
    (HA_NOI_OFFICER, "son_la_admin"),  # another province
    (MOC_CHAU_OFFICER, "son_la_officer"),  # a district officer, someone else's import
    (VIEWER, "ha_noi"),  # no undo right
])
def test_undo_refused_changes_nothing(batches: dict[str, int], empty_url: str,
                                      who: Principal, batch: str) -> None:
    before = db_fingerprint(empty_url)
    with pytest.raises(PermissionDenied):
        undo(UndoRequest(batches[batch]), who, empty_url)
    assert db_fingerprint(empty_url) == before


def test_undo_of_a_batch_that_does_not_exist(empty_url: str) -> None:
    with pytest.raises(NotFoundError, match="9999"):
        undo(UndoRequest(9999), ADMIN, empty_url)
    with pytest.raises(PermissionDenied):  # the role is checked before the batch is looked up
        undo(UndoRequest(9999), VIEWER, empty_url)
    with pytest.raises(ValidationError):
        UndoRequest("abc").check()


def test_undo_preview_names_what_will_be_undone_and_changes_nothing(
        batches: dict[str, int], empty_url: str) -> None:
    from geo.services.history import undo_preview

    before = db_fingerprint(empty_url)
    pv = undo_preview(UndoRequest(batches["son_la_officer"]), SON_LA_OFFICER, empty_url)
    assert db_fingerprint(empty_url) == before
    assert (pv.kind, pv.file, pv.user) == ("indicators", "sl2.csv", "nhap_lieu")
    assert (pv.values, pv.current, pv.restored) == (1, 1, 1)
    msg = pv.message("vi")
    assert f"lần nhập số {batches['son_la_officer']}" in msg.lower()
    assert "Số liệu xã" in msg and "sl2.csv" in msg and "nhap_lieu" in msg
    assert "1 số liệu của lần nhập trước được dùng lại" in msg
    assert pv.created_at.strftime("%d/%m/%Y") in msg
    en = pv.message("en")
    assert "Commune figures" in en and "sl2.csv" in en and "cannot be reversed" in en
    json.dumps(pv.to_dict(), allow_nan=False)
    # The preview refuses what undo would refuse, with the same errors.
    with pytest.raises(PermissionDenied):
        undo_preview(UndoRequest(batches["son_la_officer"]), MOC_CHAU_OFFICER, empty_url)
    undo(UndoRequest(batches["son_la_officer"]), SON_LA_OFFICER, empty_url)
    with pytest.raises(ValidationError, match="đã được hoàn tác"):
        undo_preview(UndoRequest(batches["son_la_officer"]), SON_LA_OFFICER, empty_url)
    # The first import has nothing left to bring back when undone now.
    pv = undo_preview(UndoRequest(batches["son_la_admin"]), ADMIN, empty_url)
    assert (pv.current, pv.restored) == (1, 0)
    assert "không có số liệu cũ nào" in pv.message("vi")


def test_the_demo_base_load_is_never_undone_as_an_import(demo_copy_url: str,
                                                         tmp_path: Path) -> None:
    from geo.services.history import undo_preview

    demo = history(HistoryRequest(data_only=True), ADMIN, demo_copy_url)
    (base,) = demo.base
    assert base not in demo.undoable
    mine = _import(tmp_path, "them.csv", "04024,2024-H1,relapse,3\n", ADMIN, demo_copy_url)
    demo = history(HistoryRequest(data_only=True), ADMIN, demo_copy_url)
    assert demo.undoable == [mine] and demo.base == [base]
    undo(UndoRequest(mine), ADMIN, demo_copy_url)
    # The list read again says so at once; the base load is still the only thing in use.
    after = history(HistoryRequest(data_only=True), ADMIN, demo_copy_url)
    assert after.batches.set_index("id").status.to_dict() == {mine: "undone", base: "active"}
    assert after.undoable == []
    labels = after.labelled("vi").set_index("id")
    assert labels.loc[mine, "status"] == "Đã hoàn tác"
    assert labels.loc[base, "kind"] == "Dữ liệu minh họa (nạp ban đầu)"
    assert labels.loc[base, "undone_at"] == "" and labels.loc[base, "rows"] == fmt_number(
        int(after.batches.set_index("id").rows[base]), "vi")
    assert "." in labels.loc[base, "rows"]  # tens of thousands, written the Vietnamese way
    before = db_fingerprint(demo_copy_url)
    for call in (undo, undo_preview):
        with pytest.raises(ValidationError, match="diaban demo --reset"):
            call(UndoRequest(base), ADMIN, demo_copy_url)
    assert db_fingerprint(demo_copy_url) == before


def test_data_only_history_leaves_the_qd28_changes_to_their_page(demo_url: str) -> None:
    """The Data page and ``diaban import history`` list imports of data; the demo's QĐ 28
    lists, approvals, settings and routes are changes of the classification page."""
    from geo.auth import local_admin
    from geo.services.history import HistoryRequest, history

    every = history(HistoryRequest(), local_admin(), demo_url)
    data = history(HistoryRequest(data_only=True), local_admin(), demo_url)
    qd28 = every.batches[every.batches.kind.str.startswith("qd28_")]
    assert len(qd28) >= 4  # the demo's 2024/2025 approvals, the 2026 draft, settings …
    assert not data.batches.kind.str.startswith("qd28_").any()
    assert len(data.batches) == len(every.batches) - len(qd28)
    assert set(data.undoable) == set(every.undoable) - set(qd28.id.astype(int))
