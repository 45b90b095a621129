"""geo.services.backup: the ``backup`` right, requests checked before any file is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.auth import Principal
from geo.errors import NotFoundError, PermissionDenied, ValidationError
from geo.services import backup as svc
from tests.accounts import audit_entries
from tests.conftest import PG_URL, db_fingerprint, pg_create, pg_drop

ADMIN = Principal("quantri", "admin")


def test_backup_and_restore_through_the_service(demo_copy_url: str, tmp_path: Path) -> None:
    out = tmp_path / "sao_luu.zip"
    res = svc.backup(svc.BackupRequest(out), ADMIN, demo_copy_url)
    assert out.is_file() and res.file == out and res.created_by == "quantri"
    assert res.rows == sum(res.tables.values()) and res.tables["units"] > 0
    assert json.loads(json.dumps(res.to_dict(), allow_nan=False))["revision"] == res.revision
    target = pg_create(label="svcrestore") if PG_URL else f"sqlite:///{tmp_path / 'moi.db'}"
    try:
        back = svc.restore(svc.RestoreRequest(out), Principal("may", "admin", local=True),
                           target)
        assert back.tables == res.tables and back.revision == res.revision
        assert back.schema and back.rows == res.rows
        assert audit_entries(target, action="restore").username.tolist() == ["may"]
    finally:
        if PG_URL:
            pg_drop(target)


def test_refused_without_the_right_before_any_file(demo_copy_url: str, tmp_path: Path) -> None:
    out = tmp_path / "sao_luu.zip"
    before = db_fingerprint(demo_copy_url)
    for role in ("viewer", "planner", "data_officer"):
        with pytest.raises(PermissionDenied) as ei:
            svc.backup(svc.BackupRequest(out), Principal("x", role), demo_copy_url)
        assert "không có quyền sao lưu" in ei.value.vi
        with pytest.raises(PermissionDenied):
            svc.restore(svc.RestoreRequest(out), Principal("x", role), demo_copy_url)
    assert not out.exists()
    assert db_fingerprint(demo_copy_url) == before


def test_requests_name_the_file_problem(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as ei:
        svc.BackupRequest(tmp_path).check()
    assert "thư mục" in ei.value.vi
    with pytest.raises(ValidationError):
        svc.BackupRequest("").check()
    with pytest.raises(NotFoundError) as ei:
        svc.RestoreRequest(tmp_path / "khong_co.zip").check()
    assert "khong_co.zip" in ei.value.vi
    assert svc.BackupRequest(str(tmp_path / "a.zip")).check().file == tmp_path / "a.zip"
