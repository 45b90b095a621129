"""Every CLI job that changes data checks who runs it (role and area).

Each job is run through the real entry point (``geo.cli.common.run``, as the
``diaban`` console script does) as users of each role. A refused job must exit
with the permission or login exit code, say why in Vietnamese without a stack
trace, and leave the database exactly as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.backup import table_digests
from geo.errors import AuthError, PermissionDenied
from tests.accounts import add_user, audit_entries
from tests.conftest import copy_database, run_cli

# Logging in records itself (users.last_login, a 'login' audit row); everything else
# must stay exactly as it was when a job is refused.
_SIGN_IN = {"users", "audit_log", "api_tokens", "login_throttle"}


def db_fingerprint(url: str) -> tuple[dict, int]:
    """Digests of every data table, and the number of audit rows other than logins."""
    digests = {k: v for k, v in table_digests(url).items() if k not in _SIGN_IN}
    log = audit_entries(url, limit=None)
    return digests, int((~log.action.isin(["login", "login_failed", "lock"])).sum())

PW = "mat-khau-vai-tro"
USERS = {
    "quan_tri": ("admin", None),
    "lanh_dao": ("viewer", None),
    "ke_hoach": ("planner", None),
    "nhap_lieu": ("data_officer", "14"),  # Sơn La
    "hn_nhap": ("data_officer", "01"),  # Hà Nội
}
CSV = "ma_xa,ky,chi_tieu,gia_tri\n04024,2024-H1,registered_addicts,40\n"


@pytest.fixture(scope="module")
def accounts_url(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo with one account per role (the first must be the administrator)."""
    url = copy_database(demo_url, tmp_path_factory.mktemp("roles"))
    for name, (role, prov) in USERS.items():
        add_user(url, name, PW, role, prov, actor="test")
    return url


@pytest.fixture()
def db(accounts_url: str, tmp_path: Path) -> str:
    """A private copy of the demo with accounts, for one test."""
    return copy_database(accounts_url, tmp_path)


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    """Input files for the import jobs (refused jobs must not even read them)."""
    ind = tmp_path / "so_lieu.csv"
    ind.write_text(CSV, encoding="utf-8")
    geo = tmp_path / "xa.geojson"
    geo.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    tif = tmp_path / "dan_so.tif"
    tif.write_bytes(b"II*\x00" + b"\x00" * 64)
    return {"csv": ind, "geojson": geo, "tif": tif, "out": tmp_path / "out.zip"}


def diaban(db: str, *args: str, user: str | None = None, password: str = PW,
           token: str | None = None) -> tuple[int, str]:
    """Run ``diaban ARGS --db DB`` in-process through the console-script entry point."""
    env = {"DIABAN_USER": user, "DIABAN_PASSWORD": password if user else None,
           "DIABAN_TOKEN": token, "DIABAN_LANG": "vi"}
    code, out, err = run_cli([*args, "--db", db], env)
    return code, out + err


def jobs(f: dict[str, Path]) -> dict[str, tuple[str, list[str]]]:
    """Changing jobs: name → (action they need, arguments)."""
    return {
        "init": ("setup", ["init"]),
        "demo": ("setup", ["demo"]),
        "import indicators": ("import", ["import", "indicators", str(f["csv"]), "-p", "Sơn La"]),
        "import boundaries": ("import", ["import", "boundaries", str(f["geojson"]), "-p",
                                         "Sơn La", "--crs", "EPSG:4326"]),
        "import incidents": ("import", ["import", "incidents", str(f["csv"]), "-p", "Sơn La"]),
        "import facilities": ("import", ["import", "facilities", str(f["csv"]), "-p", "Sơn La"]),
        "import hotspots": ("import", ["import", "hotspots", str(f["csv"]), "-p", "Sơn La"]),
        "import population": ("import", ["import", "population", str(f["tif"]), "-p", "Sơn La",
                                         "--year", "2024"]),
        "import undo": ("undo", ["import", "undo", "1"]),
        "users add": ("manage_users", ["users", "add", "moi", "--role", "viewer",
                                       "--password-stdin"]),
        "users disable": ("manage_users", ["users", "disable", "ke_hoach"]),
        "users enable": ("manage_users", ["users", "enable", "ke_hoach"]),
        "users token": ("manage_users", ["users", "token", "ke_hoach"]),
        "backup": ("backup", ["backup", str(f["out"])]),
    }


ALL_IMPORTS = ("import indicators", "import boundaries", "import incidents",
               "import facilities", "import hotspots", "import population", "import undo")
ADMIN_JOBS = ("init", "demo", "users add", "users disable", "users enable", "users token",
              "backup")
# job → users who may not run it (a data officer of Hà Nội may not change Sơn La)
REFUSED = {
    **{j: ("lanh_dao", "ke_hoach", "hn_nhap") for j in ALL_IMPORTS},
    **{j: ("lanh_dao", "ke_hoach", "nhap_lieu", "hn_nhap") for j in ADMIN_JOBS},
}


@pytest.mark.parametrize("job", list(REFUSED))
def test_changing_job_is_refused_to_the_wrong_roles(db: str, files: dict, job: str) -> None:
    before = db_fingerprint(db)
    for user in REFUSED[job]:
        code, out = diaban(db, *jobs(files)[job][1], user=user)
        assert code == PermissionDenied.exit_code, (user, out)
        assert "không có quyền" in out or "chỉ được làm việc với tỉnh" in out, (user, out)
        assert "Traceback" not in out
    assert db_fingerprint(db) == before
    assert not files["out"].exists()


@pytest.mark.parametrize("job", ["import indicators", "import undo", "backup", "users add",
                                 "demo", "import boundaries"])
def test_changing_job_needs_a_login_once_accounts_exist(db: str, files: dict, job: str) -> None:
    before = db_fingerprint(db)
    code, out = diaban(db, *jobs(files)[job][1])
    assert code == AuthError.exit_code, out
    assert "--user" in out and "DIABAN_TOKEN" in out
    assert db_fingerprint(db) == before


def test_wrong_password_is_refused_and_counts_towards_throttling(db: str, files: dict) -> None:
    before = db_fingerprint(db)
    code, out = diaban(db, *jobs(files)["import indicators"][1], user="nhap_lieu",
                       password="sai-mat-khau")
    assert code == AuthError.exit_code
    assert "Sai tên đăng nhập hoặc mật khẩu" in out
    assert audit_entries(db, action="login_failed").iloc[0].username == "nhap_lieu"
    assert db_fingerprint(db) == before
    for _ in range(4):
        diaban(db, "import", "history", user="nhap_lieu", password="sai-mat-khau")
    # Issue 17: no lock any more; this machine must wait before it may try again.
    code, out = diaban(db, *jobs(files)["import indicators"][1], user="nhap_lieu")
    assert code == AuthError.exit_code
    assert "hãy đợi" in out


def test_data_officer_imports_and_undoes_in_own_province(db: str, files: dict) -> None:
    code, out = diaban(db, *jobs(files)["import indicators"][1], user="nhap_lieu")
    assert code == 0, out
    log = audit_entries(db, action="import")
    assert log.iloc[0].username == "nhap_lieu"
    bid = int(log.iloc[0].batch_id)
    code, out = diaban(db, "import", "undo", str(bid), "--yes", user="nhap_lieu")
    assert code == 0, out
    assert audit_entries(db, action="undo").iloc[0].username == "nhap_lieu"


def test_rows_outside_the_users_province_are_refused_with_the_row(db: str, tmp_path: Path) -> None:
    # Sơn La officer, a file naming a Hà Nội commune on its 3rd line (00004: Ba Đình ward).
    f = tmp_path / "lan.csv"
    f.write_text(CSV + "00004,2024-H1,registered_addicts,3\n", encoding="utf-8")
    before = db_fingerprint(db)
    code, out = diaban(db, "import", "indicators", str(f), user="nhap_lieu")
    assert code == 4, out
    assert "dòng 3" in out and "00004" in out and "ngoài địa bàn" in out
    assert db_fingerprint(db) == before


@pytest.mark.parametrize(("user", "args", "ok"), [
    ("lanh_dao", ["analyze", "classify", "-p", "Sơn La"], False),
    ("ke_hoach", ["analyze", "classify", "-p", "Sơn La"], True),
    ("lanh_dao", ["import", "history"], True),
    ("lanh_dao", ["audit"], False),
    ("quan_tri", ["audit"], True),
    ("hn_nhap", ["export", "indicators", "-p", "Sơn La", "--out", "x.csv"], False),
])
def test_reading_jobs_check_the_role_too(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        user: str, args: list[str], ok: bool) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = diaban(db, *args, user=user)
    assert (code == 0) is ok, out
    if not ok:
        assert code == PermissionDenied.exit_code and "Traceback" not in out


def test_api_token_acts_as_its_user(db: str, files: dict) -> None:
    from tests.accounts import create_token, revoke_token

    tok = create_token(db, "nhap_lieu", actor="quan_tri")
    code, out = diaban(db, *jobs(files)["import indicators"][1], token=tok)
    assert code == 0, out
    code, out = diaban(db, "backup", str(files["out"]), token=tok)
    assert code == PermissionDenied.exit_code
    revoke_token(db, 1, actor="quan_tri")
    code, out = diaban(db, "import", "history", token=tok)
    assert code == AuthError.exit_code and "thu hồi" in out


def test_without_accounts_the_local_user_may_do_everything(empty_url: str, files: dict) -> None:
    code, out = diaban(empty_url, *jobs(files)["import indicators"][1])
    assert code == 0, out
