"""Issue 17, point 5: every failure a user can cause or meet is a message, never exit 70.

Odd line endings, undecodable bytes, deep nesting, long names, a database that cannot
be reached, a full disk: each gives an exit code of 3–7, a Vietnamese message and,
with ``--json``, a JSON error object on stdout.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from geo.errors import AuthError, ResourceError
from tests.accounts import add_user, audit_entries
from tests.conftest import db_fingerprint, run_cli

PW = "ba-con-meo-den"


def _json_error(code: int, out: str, err: str) -> dict:
    assert 3 <= code <= 7, (code, out, err)
    assert "Lỗi ngoài dự kiến" not in err and "Traceback" not in out + err
    body = json.loads(out)
    assert body["ok"] is False and body["vi"] and body["en"]
    return body


def test_old_mac_line_endings_import(tmp_path: Path, empty_url: str) -> None:
    p = tmp_path / "mac.csv"
    p.write_bytes(b"ma_xa,ky,chi_tieu,gia_tri\r04024,2023-H1,registered_addicts,5\r"
                  b"04027,2023-H1,registered_addicts,7\r")
    code, out, err = run_cli(["import", "indicators", str(p), "--db", empty_url, "--json"])
    assert code == 0, (out, err)
    assert json.loads(out)["rows"] == 2


def test_unreadable_csv_is_a_message(tmp_path: Path, empty_url: str) -> None:
    p = tmp_path / "hong.csv"
    p.write_bytes(b'ma_xa,ky,chi_tieu,gia_tri\n"04024,2023-H1,registered_addicts,5\n'
                  + b'x' * 140_000 + b"\n")
    code, out, err = run_cli(["import", "indicators", str(p), "--db", empty_url, "--json"])
    assert _json_error(code, out, err)["error"] == "ValidationError"


def test_long_names_are_refused_before_the_database(empty_url: str) -> None:
    add_user(empty_url, "quan_tri", PW, "admin")
    long_name = "a" * 300
    code, out, err = run_cli(["users", "add", long_name, "--role", "viewer", "--password-stdin",
                              "--db", empty_url, "--json"],
                             {"DIABAN_USER": "quan_tri", "DIABAN_PASSWORD": PW},
                             stdin=PW + "\n")
    assert _json_error(code, out, err)["error"] == "ValidationError"
    # At login: the same answer as a wrong password, the failure logged masked.
    code, out, err = run_cli(["import", "history", "--db", empty_url, "--json"],
                             {"DIABAN_USER": long_name, "DIABAN_PASSWORD": PW})
    assert _json_error(code, out, err)["error"] == "AuthError" and code == AuthError.exit_code
    failed = audit_entries(empty_url, action="login_failed")
    assert failed.username.tolist() == ["?(300)"]
    assert [u["username"] for u in __import__("tests.accounts").accounts.list_users(
        empty_url)] == ["quan_tri"]


@pytest.mark.parametrize("url", ["postgresql+psycopg2://nobody@127.0.0.1:1/khong_co",
                                 "sqlite:////khong/co/thu/muc/nay/diaban.db"])
def test_database_unreachable(url: str) -> None:
    code, out, err = run_cli(["import", "history", "--db", url, "--json"])
    body = _json_error(code, out, err)
    assert body["error"] == "ResourceError" and code == ResourceError.exit_code
    assert "Không kết nối được cơ sở dữ liệu" in body["vi"]


def test_disk_full_during_import(tmp_path: Path, empty_url: str,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import geo.services.imports as imp

    def full(*args: object, **kwargs: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    p = tmp_path / "so_lieu.csv"
    p.write_text("ma_xa,ky,chi_tieu,gia_tri\n04024,2023-H1,registered_addicts,5\n",
                 encoding="utf-8")
    run_cli(["import", "history", "--db", empty_url])  # the database exists before
    before = db_fingerprint(empty_url)
    monkeypatch.setattr(imp, "write_values", full)
    code, out, err = run_cli(["import", "indicators", str(p), "--db", empty_url, "--json"])
    body = _json_error(code, out, err)
    assert body["error"] == "ResourceError" and "Ổ đĩa đã đầy" in body["vi"]
    assert db_fingerprint(empty_url) == before


def test_disk_full_during_backup(tmp_path: Path, empty_url: str,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    run_cli(["import", "history", "--db", empty_url])
    real = zipfile.ZipFile.writestr

    def full(self: zipfile.ZipFile, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", full)
    out_file = tmp_path / "sao_luu.zip"
    code, out, err = run_cli(["backup", str(out_file), "--db", empty_url, "--json"])
    monkeypatch.setattr(zipfile.ZipFile, "writestr", real)
    body = _json_error(code, out, err)
    assert "Ổ đĩa đã đầy" in body["vi"]


def test_history_json_is_strict(tmp_path: Path, empty_url: str) -> None:
    """``import history --json`` printed NaN for batches with no province (issue 17)."""
    p = tmp_path / "so_lieu.csv"
    p.write_text("ma_xa,ky,chi_tieu,gia_tri\n04024,2023-H1,registered_addicts,5\n",
                 encoding="utf-8")
    assert run_cli(["import", "indicators", str(p), "--db", empty_url])[0] == 0
    code, out, err = run_cli(["import", "history", "--db", empty_url, "--json"])
    assert code == 0
    rows = json.loads(out, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    assert rows[0]["undone_at"] is None and rows[0]["areas"] == ["legacy:14"]
    assert "NaN" not in out
