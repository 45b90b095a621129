"""Backup and restore: exact round trip, across backends, refusals (geo.backup, CLI)."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path

import pytest
import shapely
from sqlalchemy import func, inspect, select, table

from geo.backup import VERSION, backup, dump_table, read_manifest, restore, table_digests
from geo.errors import ValidationError
from geo.store import get_engine, session_scope
from geo.store.schema import Boundary, Facility, ImportBatch, User
from tests.conftest import PG_URL, copy_database, db_fingerprint, pg_create, pg_drop, run_cli

PRECISE = 21.123456789012345  # needs all 17 significant digits


def _rows_in(url: str) -> dict[str, int]:
    """Rows per existing table (no tables: an empty dict)."""
    engine = get_engine(url)
    names = inspect(engine).get_table_names()
    with engine.connect() as conn:
        return {n: conn.execute(select(func.count()).select_from(table(n))).scalar()
                for n in names if n not in ("alembic_version", "spatial_ref_sys")}


@pytest.fixture()
def new_db(tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Factory of new, blank databases (no tables) on the test backend."""
    made: list[str] = []

    def make() -> str:
        if PG_URL:
            url = pg_create(label="restore")
        else:
            url = f"sqlite:///{tmp_path / f'restored_{len(made)}.db'}"
        made.append(url)
        return url

    yield make
    if PG_URL:
        for url in made:
            pg_drop(url)


@pytest.fixture(scope="module")
def demo_backup(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of (a copy of) the demo, for the refusal tests to damage."""
    folder = tmp_path_factory.mktemp("backup")
    url = copy_database(demo_url, folder)
    out = folder / "demo.zip"
    backup(url, out, user="quantri")
    return out


def _prepare(url: str) -> None:
    """Accounts, a token and a float that needs 17 digits, so every kind of value is there."""
    from tests.accounts import add_user, create_token

    add_user(url, "quantri", "quan-tri-sl-2025", "admin")
    add_user(url, "nhaplieu", "nhap-lieu-2025", "data_officer", province_code="14")
    create_token(url, "nhaplieu", actor="quantri", note="kịch bản")
    with session_scope(url) as s:
        f = s.scalars(select(Facility).order_by(Facility.id)).first()
        f.lat = PRECISE


def _values(url: str) -> dict:
    with session_scope(url) as s:
        b = s.scalars(select(Boundary).order_by(Boundary.id)).first()
        f = s.scalars(select(Facility).order_by(Facility.id)).first()
        ib = s.scalars(select(ImportBatch).order_by(ImportBatch.id)).first()
        created = ib.created_at if ib.created_at.tzinfo else ib.created_at.replace(tzinfo=UTC)
        return {"wkb": shapely.to_wkb(b.geom, hex=True), "n_coords": shapely.get_num_coordinates(
            b.geom), "lat": f.lat, "created": created.astimezone(UTC)}


def _same_except_audit(a: str, b: str) -> None:
    da, db = table_digests(a), table_digests(b)
    assert set(da) == set(db)
    differ = [t for t in da if da[t] != db[t]]
    assert differ == ["audit_log"] or differ == [], differ


def _check_restored(src: str, dst: str, audit_before: list[list], restorer: str) -> None:
    _same_except_audit(src, dst)
    restored = dump_table(dst, "audit_log")
    assert restored[:-1] == audit_before
    last = restored[-1]
    assert last[2:5] == [restorer, "restore", "database"]
    assert last[0] == audit_before[-1][0] + 1


def test_round_trip_is_exact(demo_copy_url: str, tmp_path: Path, new_db: Callable) -> None:
    from tests.accounts import add_user, authenticate, create_token, token_user

    src = demo_copy_url
    _prepare(src)
    token = create_token(src, "quantri", actor="quantri")
    audit_before = dump_table(src, "audit_log")
    out = tmp_path / "sao_luu.zip"
    m = backup(src, out, user="quantri")
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) & 0o077 == 0  # password hashes inside
    assert m["tables"]["users"]["rows"] == 2 and m["tables"]["boundaries"]["rows"] > 0
    assert read_manifest(out)["tables"] == m["tables"]
    # The backup itself is in the source's log, after the snapshot.
    after = dump_table(src, "audit_log")
    assert after[:-1] == audit_before and after[-1][2:5] == ["quantri", "backup", "database"]

    dst = new_db()
    res = restore(out, dst, user="phuc_hoi")
    assert res["tables"] == {t: v["rows"] for t, v in m["tables"].items()}
    assert res["revision"] == m["revision"]
    _check_restored(src, dst, audit_before, "phuc_hoi")
    v_src, v_dst = _values(src), _values(dst)
    assert v_dst == v_src and v_dst["lat"] == PRECISE and v_dst["n_coords"] > 4
    # Accounts, password hashes and tokens work in the restored database.
    assert authenticate(dst, "nhaplieu", "nhap-lieu-2025").province_code == "14"
    assert token_user(dst, token).username == "quantri"
    # Sequences continue after the restored ids (PostgreSQL).
    add_user(dst, "moi", "mat-khau-moi", "viewer")
    with session_scope(dst) as s:
        ids = sorted(s.scalars(select(User.id)))
    assert len(ids) == 3 and ids[-1] > ids[-2]


def test_cli_backup_and_restore(demo_copy_url: str, tmp_path: Path, new_db: Callable) -> None:
    src = demo_copy_url
    audit_before = dump_table(src, "audit_log")
    out = tmp_path / "sao_luu.zip"
    code, stdout, stderr = run_cli(["backup", str(out), "--db", src])
    assert code == 0, stderr
    assert "Đã sao lưu" in stdout and out.exists()
    dst = new_db()
    code, stdout, stderr = run_cli(["restore", str(out), "--db", dst, "--json"])
    assert code == 0, stderr
    res = json.loads(stdout)
    assert res["ok"] and res["tables"]["units"] > 0
    _check_restored(src, dst, audit_before, dump_table(dst, "audit_log")[-1][2])
    # Restoring again into the now filled database is refused, and changes nothing.
    before = db_fingerprint(dst)
    code, stdout, stderr = run_cli(["restore", str(out), "--db", dst])
    assert code == 4 and "đã có dữ liệu" in stderr
    assert "Traceback" not in stdout + stderr
    assert db_fingerprint(dst) == before


def test_cli_backup_needs_the_backup_right(demo_copy_url: str, tmp_path: Path) -> None:
    from tests.accounts import add_user

    add_user(demo_copy_url, "quantri", "quan-tri-sl-2025", "admin")
    add_user(demo_copy_url, "nhaplieu", "nhap-lieu-2025", "data_officer")
    out = tmp_path / "sao_luu.zip"
    code, stdout, stderr = run_cli(
        ["--user", "nhaplieu", "backup", str(out), "--db", demo_copy_url],
        {"DIABAN_PASSWORD": "nhap-lieu-2025"})
    assert code == 6 and "không có quyền sao lưu" in stderr
    assert "Traceback" not in stdout + stderr and not out.exists()
    code, _, stderr = run_cli(["--user", "quantri", "backup", str(out), "--db", demo_copy_url],
                              {"DIABAN_PASSWORD": "quan-tri-sl-2025"})
    assert code == 0, stderr
    assert read_manifest(out)["created_by"] == "quantri"


@pytest.mark.skipif(not PG_URL, reason="needs a PostgreSQL server (DIABAN_TEST_PG_URL)")
def test_cross_backend_sqlite_to_postgresql_and_back(tmp_path: Path) -> None:
    from geo.demo import build_demo

    lite = f"sqlite:///{tmp_path / 'nguon.db'}"
    build_demo(lite)
    _prepare(lite)
    audit_before = dump_table(lite, "audit_log")
    out = tmp_path / "sqlite.zip"
    assert backup(lite, out)["backend"] == "sqlite"
    pg = pg_create(label="cross")
    try:
        restore(out, pg, user="phuc_hoi")
        _check_restored(lite, pg, audit_before, "phuc_hoi")
        assert _values(pg) == _values(lite)
        back = tmp_path / "pg.zip"
        assert backup(pg, back)["backend"] == "postgresql"
        lite2 = f"sqlite:///{tmp_path / 'lai.db'}"
        restore(back, lite2)
        _same_except_audit(lite, lite2)
        assert _values(lite2) == _values(lite)
    finally:
        pg_drop(pg)


# ------------------------------------------------------------------ refusals


def _rewrite(src: Path, dst: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy a zip, passing each member through ``change`` (None drops it)."""
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            data = change(info.filename, zi.read(info))
            if data is not None:
                zo.writestr(info.filename, data)
    return dst


def test_restore_into_a_database_with_data_is_refused(demo_backup: Path,
                                                      demo_copy_url: str) -> None:
    before = db_fingerprint(demo_copy_url)
    with pytest.raises(ValidationError) as ei:
        restore(demo_backup, demo_copy_url)
    assert "đã có dữ liệu" in ei.value.vi and "editions (2)" in ei.value.vi
    assert "holds data" in ei.value.en
    assert db_fingerprint(demo_copy_url) == before


def _edit_row(name: str, data: bytes) -> bytes:
    if name != "tables/units.jsonl":
        return data
    lines = data.splitlines(keepends=True)
    row = json.loads(lines[10])
    row[5] = row[5] + " (sửa)"  # a name
    lines[10] = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    return b"".join(lines)


def _duplicate_row(name: str, data: bytes) -> bytes:
    return data + data.splitlines(keepends=True)[0] if name == "tables/editions.jsonl" \
        else data


def _garble_row(name: str, data: bytes) -> bytes:
    return data.replace(b"[", b"{", 3) if name == "tables/indicators.jsonl" else data


def _drop_table(name: str, data: bytes) -> bytes | None:
    return None if name == "tables/hotspots.jsonl" else data


@pytest.mark.parametrize("damage", [_edit_row, _duplicate_row, _garble_row, _drop_table])
def test_damaged_backup_restores_nothing(demo_backup: Path, tmp_path: Path, new_db: Callable,
                                         damage: Callable) -> None:
    bad = _rewrite(demo_backup, tmp_path / "hong.zip", damage)
    dst = new_db()
    with pytest.raises(ValidationError) as ei:
        restore(bad, dst)
    assert "hong.zip" in ei.value.vi
    assert "bị hỏng" in ei.value.vi or "thiếu bảng" in ei.value.vi
    assert not any(_rows_in(dst).values())


def test_not_a_backup(demo_backup: Path, tmp_path: Path, new_db: Callable) -> None:
    dst = new_db()
    junk = tmp_path / "khong_phai.zip"
    junk.write_bytes(b"PK\x03\x04 this is not really a zip")
    no_manifest = _rewrite(demo_backup, tmp_path / "thieu.zip",
                           lambda n, d: None if n == "manifest.json" else d)
    other = _rewrite(demo_backup, tmp_path / "khac.zip",
                     lambda n, d: json.dumps({"format": "other", "tables": {}}).encode()
                     if n == "manifest.json" else d)
    for f in (junk, no_manifest, other):
        with pytest.raises(ValidationError) as ei:
            restore(f, dst)
        assert f"Tệp '{f.name}' không phải bản sao lưu diaban." == ei.value.vi
    assert _rows_in(dst) == {}


def _manifest(change: Callable[[dict], None]) -> Callable[[str, bytes], bytes]:
    def edit(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        m = json.loads(data)
        change(m)
        return json.dumps(m).encode()

    return edit


def test_newer_format_or_unknown_schema_is_refused(demo_backup: Path, tmp_path: Path,
                                                   new_db: Callable) -> None:
    dst = new_db()
    newer = _rewrite(demo_backup, tmp_path / "moi.zip",
                     _manifest(lambda m: m.update(version=VERSION + 1)))
    with pytest.raises(ValidationError) as ei:
        restore(newer, dst)
    assert "định dạng mới hơn" in ei.value.vi and "newer format" in ei.value.en
    schema = _rewrite(demo_backup, tmp_path / "luoc_do.zip",
                      _manifest(lambda m: m.update(revision="9999_tuong_lai")))
    with pytest.raises(ValidationError) as ei:
        restore(schema, dst)
    assert "9999_tuong_lai" in ei.value.vi and "diaban này không biết" in ei.value.vi
    extra = _rewrite(demo_backup, tmp_path / "bang_la.zip",
                     _manifest(lambda m: m["tables"].update(
                         bang_la={"columns": ["id"], "rows": 0, "sha256": ""})))
    with pytest.raises(ValidationError) as ei:
        restore(extra, dst)
    assert "bảng không biết: bang_la" in ei.value.vi
    assert _rows_in(dst) == {}
