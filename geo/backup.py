"""Backup and restore in a portable format, the same on SQLite and PostgreSQL.

A backup is a zip file::

    manifest.json          format, version, schema revision, source backend,
                           time, who, and for each table: columns, rows, SHA-256
    tables/<table>.jsonl   one JSON array per row, columns in manifest order,
                           rows ordered by primary key

Values are written so that they come back exactly: floats with Python's
shortest round-trip ``repr``, datetimes as ISO 8601 in UTC, dates as ISO dates,
geometries as little-endian WKB in hex, other binary as hex. All tables are
read in one transaction (a consistent snapshot on PostgreSQL, where imports
may go on meanwhile).

:func:`restore` loads a backup into an **empty** database (SQLite file or
PostgreSQL database with no diaban tables, or migrated but without rows): it
creates the schema at the backup's revision, loads every table in one
transaction, checks every table's SHA-256 against the manifest, sets the
PostgreSQL sequences, then upgrades the schema to the current revision. A backup
made on SQLite restores on PostgreSQL and the other way round.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

import shapely
from sqlalchemy import Date, DateTime, LargeBinary, Table, func, inspect, select
from sqlalchemy.engine import Connection

from geo.errors import ValidationError
from geo.store.schema import Base, GeometryType, utcnow
from geo.store.session import current_revision, get_engine, migrate

__all__ = [
    "FORMAT",
    "VERSION",
    "backup",
    "dump_table",
    "read_manifest",
    "restore",
    "table_digests",
]

FORMAT = "diaban-backup"
VERSION = 1
_CHUNK = 2000
Progress = Callable[[float, str], None] | None


def _tables() -> list[Table]:
    """Every diaban table, parents before children."""
    return list(Base.metadata.sorted_tables)


# ------------------------------------------------------------------ encoding


def _encode(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        if math.isfinite(v):
            return v
        return {"float": repr(v)}
    if isinstance(v, datetime):
        if v.tzinfo is None:  # SQLite keeps UTC without the zone
            v = v.replace(tzinfo=UTC)
        return v.astimezone(UTC).isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, shapely.Geometry):
        return shapely.to_wkb(v, hex=True, byte_order=1, include_srid=False)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).hex()
    raise TypeError(f"cannot back up a value of type {type(v).__name__}")


def _decoder(col: Any) -> Callable[[Any], Any]:
    t = col.type
    if isinstance(t, GeometryType):
        return lambda v: None if v is None else shapely.from_wkb(bytes.fromhex(v))
    if isinstance(t, DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(t, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(t, LargeBinary):
        return lambda v: None if v is None else bytes.fromhex(v)
    return lambda v: float(v["float"]) if isinstance(v, dict) and "float" in v else v


def _line(row: Any) -> bytes:
    return (json.dumps([_encode(v) for v in row], ensure_ascii=False,
                       separators=(",", ":")) + "\n").encode("utf-8")


def _rows(conn: Connection, table: Table) -> Iterator[bytes]:
    pk = list(table.primary_key.columns) or list(table.columns)
    res = conn.execution_options(yield_per=_CHUNK).execute(select(table).order_by(*pk))
    for row in res:
        yield _line(row)


def dump_table(url: str | None, name: str) -> list[list]:
    """One table as encoded rows (lists, primary-key order): for comparing databases.

    Examples
    --------
    >>> dump_table("sqlite://", "editions")  # doctest: +SKIP
    [['2025', 'Sau sắp xếp 01/7/2025', ...], ...]
    """
    table = Base.metadata.tables[name]
    with get_engine(url).connect() as conn:
        return [json.loads(b) for b in _rows(conn, table)]


def table_digests(url: str | None = None) -> dict[str, str]:
    """SHA-256 of each table's encoded rows; equal digests mean equal contents."""
    out = {}
    with get_engine(url).connect() as conn:
        for table in _tables():
            h = hashlib.sha256()
            for b in _rows(conn, table):
                h.update(b)
            out[table.name] = h.hexdigest()
    return out


# ------------------------------------------------------------------ backup


def backup(url: str | None, out: str | Path, user: str = "system",
           progress: Progress = None) -> dict:
    """Write every table of the database to a backup file.

    Parameters
    ----------
    url : str or None
        Database URL.
    out : str or Path
        The ``.zip`` file to write (replaced atomically when complete).
    user : str
        Who makes the backup (manifest and audit log).
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    dict
        The manifest.
    """
    from geo.store import audit

    out = Path(out)
    engine = get_engine(url)
    tables = _tables()
    manifest: dict[str, Any] = {
        "format": FORMAT, "version": VERSION, "backend": engine.dialect.name,
        "created_at": utcnow().isoformat(), "created_by": user, "tables": {},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".diaban_backup_", suffix=".zip", dir=out.parent)
    os.close(fd)
    try:
        opts = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" \
            else {}
        with engine.connect().execution_options(**opts) as conn, \
                zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            with conn.begin():
                manifest["revision"] = _revision(conn)
                if manifest["revision"] is None:
                    raise ValidationError(
                        "Cơ sở dữ liệu chưa được khởi tạo; không có gì để sao lưu.",
                        "The database is not initialised; there is nothing to back up.")
                for i, table in enumerate(tables):
                    if progress:
                        progress(i / len(tables), f"Sao lưu bảng {table.name}")
                    h = hashlib.sha256()
                    n = 0
                    with zf.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as f:
                        for b in _rows(conn, table):
                            h.update(b)
                            f.write(b)
                            n += 1
                    manifest["tables"][table.name] = {
                        "columns": [c.name for c in table.columns], "rows": n,
                        "sha256": h.hexdigest(),
                    }
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    from geo.store import session_scope

    with session_scope(url) as s:
        audit(s, user, "backup", "database", None, file=out.name,
              rows=sum(t["rows"] for t in manifest["tables"].values()))
    if progress:
        progress(1.0, "Xong")
    return manifest


def _revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def read_manifest(path: str | Path) -> dict:
    """The manifest of a backup file.

    Raises
    ------
    ValidationError
        When the file is not a diaban backup.
    """
    name = Path(path).name
    try:
        with zipfile.ZipFile(path) as zf:
            m = json.loads(zf.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValidationError(f"Tệp '{name}' không phải bản sao lưu diaban.",
                              f"'{name}' is not a diaban backup.", file=name) from e
    if m.get("format") != FORMAT or not isinstance(m.get("tables"), dict):
        raise ValidationError(f"Tệp '{name}' không phải bản sao lưu diaban.",
                              f"'{name}' is not a diaban backup.", file=name)
    if int(m.get("version", 0)) > VERSION:
        raise ValidationError(
            f"Bản sao lưu '{name}' có định dạng mới hơn phiên bản diaban này; hãy nâng cấp.",
            f"Backup '{name}' has a newer format than this diaban; upgrade diaban.", file=name)
    return m


# ------------------------------------------------------------------ restore


def _nonempty_tables(url: str | None) -> list[tuple[str, int]]:
    engine = get_engine(url)
    names = set(inspect(engine).get_table_names())
    out = []
    with engine.connect() as conn:
        for table in _tables():
            if table.name in names:
                n = conn.execute(select(func.count()).select_from(table)).scalar()
                if n:
                    out.append((table.name, n))
    return out


def restore(path: str | Path, url: str | None, user: str = "system",
            progress: Progress = None) -> dict:
    """Load a backup into an empty database; all or nothing.

    Parameters
    ----------
    path : str or Path
        A file written by :func:`backup`.
    url : str or None
        Target database: empty (no tables, or migrated tables without rows).
    user : str
        Who restores (audit log).
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    dict
        ``tables`` (rows per table), ``revision`` of the backup and ``schema`` now.

    Raises
    ------
    ValidationError
        Not a backup, damaged (a table's SHA-256 or row count differs from the
        manifest), from an unknown schema revision, or the target holds data.
    """
    from alembic.script import ScriptDirectory

    from geo.store import audit
    from geo.store.session import MIGRATIONS_DIR, database_url, downgrade, session_scope

    path = Path(path)
    name = path.name
    m = read_manifest(path)
    url = database_url(url)
    scripts = ScriptDirectory(str(MIGRATIONS_DIR))
    rev = m.get("revision")
    known = {s.revision for s in scripts.walk_revisions()}
    if rev not in known:
        raise ValidationError(
            f"Bản sao lưu '{name}' có lược đồ phiên bản {rev}, diaban này không biết; "
            "hãy dùng phiên bản diaban mới hơn.",
            f"Backup '{name}' has schema revision {rev}, unknown to this diaban; use a newer "
            "diaban.", file=name)
    tables = {t.name: t for t in _tables()}
    unknown = set(m["tables"]) - set(tables)
    if unknown:
        raise ValidationError(
            f"Bản sao lưu '{name}' có bảng không biết: {', '.join(sorted(unknown))}.",
            f"Backup '{name}' has unknown tables: {', '.join(sorted(unknown))}.", file=name)
    _verify(path, m, name)
    busy = _nonempty_tables(url)
    if busy:
        listing = ", ".join(f"{t} ({n})" for t, n in busy[:5])
        raise ValidationError(
            f"Cơ sở dữ liệu đích đã có dữ liệu: {listing}. Hãy phục hồi vào một cơ sở dữ liệu "
            "mới, trống (không cần chạy diaban init); không xóa dữ liệu đang có.",
            f"The target database holds data: {listing}. Restore into a new, empty database "
            "(no need for diaban init); existing data is never deleted.", file=name)
    # Schema at the backup's revision (an empty database may be at another one).
    if current_revision(url) not in (None, rev):
        downgrade(url, "base")
    migrate(url, rev)
    engine = get_engine(url)
    counts: dict[str, int] = {}
    order = [t for t in tables if t in m["tables"]]
    with zipfile.ZipFile(path) as zf, engine.begin() as conn:
        for i, tname in enumerate(order):
            if progress:
                progress(0.05 + 0.85 * i / max(len(order), 1), f"Phục hồi bảng {tname}")
            counts[tname] = _load_table(conn, zf, tables[tname], m["tables"][tname], name)
        if engine.dialect.name == "postgresql":
            _reset_sequences(conn, [tables[t] for t in order])
    migrate(url)
    with session_scope(url) as s:
        audit(s, user, "restore", "database", None, file=name, revision=rev,
              rows=sum(counts.values()), backup_created_at=m.get("created_at"),
              backup_created_by=m.get("created_by"))
    if progress:
        progress(1.0, "Xong")
    return {"tables": counts, "revision": rev, "schema": current_revision(url)}


def _damaged(name: str, table: str) -> ValidationError:
    return ValidationError(
        f"Bản sao lưu '{name}' bị hỏng: bảng {table} không khớp tổng kiểm tra; "
        "chưa phục hồi gì.",
        f"Backup '{name}' is damaged: table {table} fails its checksum; nothing was "
        "restored.", file=name)


def _open_table(zf: zipfile.ZipFile, table: str, name: str) -> IO[bytes]:
    """The JSONL member of ``table`` in backup ``name``; a missing one is damage."""
    try:
        return zf.open(f"tables/{table}.jsonl")
    except KeyError as e:
        raise ValidationError(f"Bản sao lưu '{name}' thiếu bảng {table}.",
                              f"Backup '{name}' lacks table {table}.", file=name) from e


def _verify(path: Path, m: dict, name: str) -> None:
    """Check every table's SHA-256 and row count before the target is touched.

    A damaged line may not even be JSON, or may break a constraint: it must be
    reported as damage, not met as a database error halfway through loading.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            for tname, meta in m["tables"].items():
                h = hashlib.sha256()
                n = 0
                with _open_table(zf, tname, name) as raw:
                    for line in raw:
                        h.update(line)
                        n += 1
                if not isinstance(meta, dict) or h.hexdigest() != meta.get("sha256") \
                        or n != meta.get("rows"):
                    raise _damaged(name, tname)
    except (zipfile.BadZipFile, OSError, EOFError) as e:  # bad CRC, truncated file
        raise ValidationError(f"Bản sao lưu '{name}' bị hỏng, không đọc được; chưa phục hồi gì.",
                              f"Backup '{name}' is damaged and unreadable; nothing was "
                              "restored.", file=name) from e


def _load_table(conn: Connection, zf: zipfile.ZipFile, table: Table, meta: dict,
                name: str) -> int:
    cols = list(meta["columns"])
    missing = [c for c in cols if c not in table.c]
    if missing:
        raise ValidationError(
            f"Bản sao lưu '{name}': bảng {table.name} có cột không biết {missing}.",
            f"Backup '{name}': table {table.name} has unknown columns {missing}.", file=name)
    decoders = [_decoder(table.c[c]) for c in cols]
    h = hashlib.sha256()
    n = 0
    batch: list[dict] = []
    with _open_table(zf, table.name, name) as raw:
        for line in raw:
            h.update(line)
            vals = json.loads(line)
            batch.append({c: d(v) for c, d, v in zip(cols, decoders, vals)})
            n += 1
            if len(batch) >= _CHUNK:
                conn.execute(table.insert(), batch)
                batch = []
    if batch:
        conn.execute(table.insert(), batch)
    if h.hexdigest() != meta["sha256"] or n != meta["rows"]:
        raise _damaged(name, table.name)
    return n


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """Point each serial primary key's sequence past the restored ids (PostgreSQL)."""
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or pk[0].name != "id" or pk[0].type.python_type is not int:
            continue
        col = pk[0]
        seq = conn.execute(select(func.pg_get_serial_sequence(table.name, "id"))).scalar()
        if seq is None:
            continue
        top = conn.execute(select(func.max(col))).scalar()
        conn.execute(select(func.setval(seq, top or 1, top is not None)))
