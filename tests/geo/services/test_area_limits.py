"""Issue 17, point 1: province limits that hold.

Every batch records the provinces it touches (with their edition) and history and
undo check them against the principal's area; an administrator limited to an area
manages only the accounts within it, never an unlimited one, and makes no backup.
Written against the attack that succeeded: a data officer of Điện Biên undid Sơn
La's facility and hotspot imports, an admin of Sơn La created an unlimited admin,
reset the main admin's password and took a backup of every province.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from geo.auth import Principal, in_area, province_area
from geo.errors import PermissionDenied
from geo.registry import Province
from geo.services import backup as backups
from geo.services import imports as imp
from geo.services import users
from geo.services.history import HistoryRequest, UndoRequest, history, undo
from geo.store import session_scope
from tests.conftest import db_fingerprint, run_cli

ADMIN = Principal("quan_tri", "admin")
SON_LA = Principal("sl_nhap", "data_officer", "14", province_edition="2025")
DIEN_BIEN = Principal("db_nhap", "data_officer", "11", province_edition="2025")
SON_LA_ADMIN = Principal("sl_quantri", "admin", "14", province_edition="2025")
PW = "ba-con-meo-den"


def _write(folder: Path, name: str, body: str) -> Path:
    p = folder / name
    p.write_text(body, encoding="utf-8")
    return p


@pytest.fixture()
def son_la_batches(tmp_path: Path, empty_url: str) -> dict[str, int]:
    """Sơn La's facility, hotspot and indicator imports, by Sơn La's officer."""
    fac = _write(tmp_path, "co_so.csv", "loai,ten,vi_do,kinh_do\n"
                 "methadone,Điểm Methadone Mộc Châu,20.85,104.63\n")
    hot = _write(tmp_path, "trong_diem.csv", "ma_xa,trang_thai,ngay\n"
                 "04024,designated,2021-03-01\n")
    ind = _write(tmp_path, "so_lieu.csv", "ma_xa,ky,chi_tieu,gia_tri\n"
                 "04024,2023-H1,registered_addicts,5\n")
    return {
        "facilities": imp.import_file(imp.FacilitiesRequest(fac, "Sơn La"), SON_LA,
                                      empty_url).batch_id,
        "hotspots": imp.import_file(imp.HotspotsRequest(hot, "Sơn La"), SON_LA,
                                    empty_url).batch_id,
        "indicators": imp.import_file(imp.IndicatorsRequest(ind), SON_LA, empty_url).batch_id,
    }


def test_every_kind_of_batch_records_its_provinces(son_la_batches: dict[str, int],
                                                   empty_url: str) -> None:
    got = history(HistoryRequest(), ADMIN, empty_url).batches.set_index("id").areas
    assert got[son_la_batches["facilities"]] == ["2025:14"]  # the request's province
    assert got[son_la_batches["hotspots"]] == ["legacy:14"]  # commune 04024, legacy
    assert got[son_la_batches["indicators"]] == ["legacy:14"]


def test_an_officer_of_another_province_can_neither_see_nor_undo_them(
        son_la_batches: dict[str, int], empty_url: str) -> None:
    before = db_fingerprint(empty_url)
    for bid in son_la_batches.values():
        with pytest.raises(PermissionDenied) as ei:
            undo(UndoRequest(bid), DIEN_BIEN, empty_url)
        assert "không được hoàn tác" in ei.value.vi
    assert db_fingerprint(empty_url) == before
    assert history(HistoryRequest(), DIEN_BIEN, empty_url).batches.empty
    # Sơn La's own officer sees all three (they were missing from its list) and may undo them.
    mine = history(HistoryRequest(), SON_LA, empty_url)
    assert sorted(mine.undoable) == sorted(son_la_batches.values())
    assert undo(UndoRequest(son_la_batches["facilities"]), SON_LA, empty_url).kind == \
        "facilities"


def test_the_cli_refuses_the_undo_too(son_la_batches: dict[str, int], empty_url: str) -> None:
    users.add_user(users.AddUserRequest("quan_tri", PW, "admin"), ADMIN, empty_url)
    users.add_user(users.AddUserRequest("db_nhap", PW, "data_officer", "11", edition="2025"),
                   ADMIN, empty_url)
    env = {"DIABAN_USER": "db_nhap", "DIABAN_PASSWORD": PW}
    for bid in son_la_batches.values():
        code, out, err = run_cli(["import", "undo", str(bid), "--db", empty_url, "--json"],
                                 env)
        assert code == PermissionDenied.exit_code, (out, err)
        assert json.loads(out)["error"] == "PermissionDenied"
    code, out, err = run_cli(["import", "history", "--db", empty_url, "--json"], env)
    assert code == 0 and json.loads(out) == []
    still = history(HistoryRequest(), ADMIN, empty_url).batches
    assert set(still.status) == {"active"} and len(still) == 3


def test_a_code_alone_is_read_in_both_editions() -> None:
    # Legacy Bắc Giang (24) merged into 2025 Bắc Ninh (24); legacy Bắc Ninh was 27.
    bac_giang = Principal("bg", "data_officer", "24", province_edition="legacy")
    assert in_area(bac_giang, Province("24", "Tỉnh Bắc Ninh", "2025"))
    assert not in_area(bac_giang, Province("27", "Tỉnh Bắc Ninh", "legacy"))
    assert not in_area(bac_giang, "27")
    new_bac_ninh = Principal("bn", "data_officer", "24", province_edition="2025")
    assert in_area(new_bac_ninh, "27") and in_area(new_bac_ninh, "24")
    assert province_area("24", "2025") == {("2025", "24"), ("legacy", "24"), ("legacy", "27")}
    # Accounts of before the migration (no edition) are read as legacy provinces.
    old = Principal("cu", "data_officer", "24")
    assert not in_area(old, Province("27", "Tỉnh Bắc Ninh", "legacy"))


def test_a_limited_admin_manages_only_accounts_of_its_area(empty_url: str,
                                                          tmp_path: Path) -> None:
    users.add_user(users.AddUserRequest("quan_tri", PW, "admin"), ADMIN, empty_url)
    users.add_user(users.AddUserRequest("sl_quantri", PW, "admin", "14", edition="2025"),
                   ADMIN, empty_url)
    users.add_user(users.AddUserRequest("db_nhap", PW, "data_officer", "11"), ADMIN,
                   empty_url)
    before = db_fingerprint(empty_url)
    refused = [
        lambda: users.add_user(users.AddUserRequest("sieu", PW, "admin"), SON_LA_ADMIN,
                               empty_url),
        lambda: users.add_user(users.AddUserRequest("db2", PW, "viewer", "11"), SON_LA_ADMIN,
                               empty_url),
        lambda: users.set_password(users.PasswordRequest("quan_tri", "mat-khau-cua-toi"),
                                   SON_LA_ADMIN, empty_url),
        lambda: users.disable_user(users.UserRequest("quan_tri"), SON_LA_ADMIN, empty_url),
        lambda: users.create_token(users.TokenRequest("quan_tri"), SON_LA_ADMIN, empty_url),
        lambda: users.set_password(users.PasswordRequest("db_nhap", "mat-khau-cua-toi"),
                                   SON_LA_ADMIN, empty_url),
        lambda: backups.backup(backups.BackupRequest(tmp_path / "all.zip"), SON_LA_ADMIN,
                               empty_url),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    assert db_fingerprint(empty_url) == before
    assert not (tmp_path / "all.zip").exists()
    # Within its area it does its job, and sees only those accounts (and their log).
    acc = users.add_user(users.AddUserRequest("sl_xem", PW, "viewer", "Sơn La"),
                         SON_LA_ADMIN, empty_url)
    assert (acc.province_code, acc.province_edition) == ("14", "legacy")
    users.set_password(users.PasswordRequest("sl_xem", "mat-khau-moi-cua-xem"), SON_LA_ADMIN,
                       empty_url)
    names = [a.username for a in users.list_users(SON_LA_ADMIN, empty_url).accounts]
    assert names == ["sl_quantri", "sl_xem"]
    log = users.audit_log(users.AuditRequest(), SON_LA_ADMIN, empty_url).entries
    assert set(log.username) == {"sl_quantri"}
    assert len(users.list_users(ADMIN, empty_url).accounts) == 4


def test_backfill_of_existing_batches(tmp_path: Path) -> None:
    """Batches stored before 0004b get their provinces from their rows."""
    from geo.store import downgrade, init_db, migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    init_db(url)
    hot = _write(tmp_path, "trong_diem.csv", "ma_xa,trang_thai,ngay\n"
                 "04024,designated,2021-03-01\n")
    fac = _write(tmp_path, "co_so.csv", "loai,ten,vi_do,kinh_do\n"
                 "methadone,Điểm Methadone Mộc Châu,20.85,104.63\n")
    b_hot = imp.import_file(imp.HotspotsRequest(hot, "Sơn La"), ADMIN, url).batch_id
    b_fac = imp.import_file(imp.FacilitiesRequest(fac, "Sơn La"), ADMIN, url).batch_id
    downgrade(url, "0003")
    migrate(url, "0004b")
    with session_scope(url) as s:
        rows = set(s.execute(text("SELECT batch_id, edition_id, province_code "
                                  "FROM batch_areas")).tuples())
    assert rows == {(b_hot, "legacy", "14"), (b_fac, "2025", "14")}
