"""Connections, transactions, migrations and the writers' locks.

SQLite is the default backend (``diaban.db`` in the working directory);
``DIABAN_DATABASE_URL`` or ``--db`` selects another, e.g.
``postgresql+psycopg2://user:pw@localhost/diaban``. Migrations live in
``geo/migrations`` and run with :func:`migrate`.

Writers of values or boundaries take the provinces' locks first, in the same
transaction as the "already imported?" check and the write (:func:`lock_units`).

This module owns the engine cache. Of diaban it imports only :mod:`geo.registry`
(which province a commune is in); the migrations read :mod:`geo.store.schema`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from geo.registry import load_units

__all__ = [
    "DEFAULT_URL",
    "MIGRATIONS_DIR",
    "PG_LOCK_NAMESPACE",
    "PG_SCHEMA_LOCK",
    "current_revision",
    "database_url",
    "dispose_engine",
    "dispose_engines",
    "downgrade",
    "get_engine",
    "lock_province",
    "lock_schema",
    "lock_units",
    "lock_writes",
    "migrate",
    "session_scope",
]

DEFAULT_URL = "sqlite:///diaban.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def database_url(url: str | None = None) -> str:
    """Return the database URL: the argument, ``DIABAN_DATABASE_URL``, or ``diaban.db``."""
    return url or os.environ.get("DIABAN_DATABASE_URL") or DEFAULT_URL


_ENGINES: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """Return a (cached) engine for the URL; SQLite gets foreign keys and WAL."""
    url = database_url(url)
    if url not in _ENGINES:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30})

            @event.listens_for(engine, "connect")
            def _sqlite_pragmas(dbapi_conn: Any, _rec: Any) -> None:
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()
        else:
            # GeoAlchemy2 registers its DDL event hooks on import; they must all be in
            # place before the first CREATE TABLE, not imported halfway through one.
            import geoalchemy2  # noqa: F401

            engine = create_engine(url, pool_pre_ping=True)
        _ENGINES[url] = engine
    return _ENGINES[url]


def _forget_engines_in_child() -> None:
    """After a fork: drop the parent's engines without closing their connections.

    The child must never use (or close: on PostgreSQL that ends the parent's session)
    a connection it inherited; the next :func:`get_engine` opens its own.
    """
    for e in _ENGINES.values():
        e.dispose(close=False)
    _ENGINES.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_engines_in_child)


def dispose_engines() -> None:
    """Close every cached engine (tests and backup/restore use this)."""
    for e in _ENGINES.values():
        e.dispose()
    _ENGINES.clear()


def dispose_engine(url: str | None = None) -> None:
    """Close and forget the cached engine of one database, if there is one.

    Its pooled connections are closed, so the database can then be copied,
    replaced or dropped; the next :func:`get_engine` opens a new one.

    Parameters
    ----------
    url : str, optional
        Database URL (see :func:`database_url`).
    """
    engine = _ENGINES.pop(database_url(url), None)
    if engine is not None:
        engine.dispose()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transaction: commit on success, roll back on any error.

    Examples
    --------
    >>> with session_scope("sqlite://") as s:  # doctest: +SKIP
    ...     s.add(...)
    """
    factory = sessionmaker(bind=get_engine(url), expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


#: First key of diaban's PostgreSQL advisory locks (:func:`lock_province` uses
#: the province code as second key; negative second keys are diaban's own).
PG_LOCK_NAMESPACE = 0x0D1A
#: Second key of the lock held while the schema is migrated and the seeds are loaded.
PG_SCHEMA_LOCK = -1


def lock_schema(conn: Any) -> None:
    """On PostgreSQL, wait for the schema lock until the transaction of ``conn`` ends.

    Several processes (app sessions, CLI jobs) may find the same new database and
    migrate or seed it at once; with this lock one does the work and the others
    then find it done. Does nothing on other backends.

    Parameters
    ----------
    conn : Connection or Session
        Connection or session whose transaction holds the lock.
    """
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    if bind.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:ns, :key)"),
            {"ns": PG_LOCK_NAMESPACE, "key": PG_SCHEMA_LOCK},
        )


def _alembic(step: str, url: str | None, revision: str) -> None:
    """Run Alembic's ``upgrade`` or ``downgrade`` to ``revision``.

    On PostgreSQL the PostGIS extension is created first, and the whole step is one
    transaction under :func:`lock_schema`, so processes migrating the same database at
    once do not collide.
    """
    from alembic import command

    url = database_url(url)
    cfg = _alembic_config(url)
    run = getattr(command, step)
    if not url.startswith("postgresql"):
        run(cfg, revision)
        return
    with get_engine(url).begin() as conn:
        lock_schema(conn)
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        cfg.attributes["connection"] = conn  # env.py runs in this transaction
        run(cfg, revision)


def migrate(url: str | None = None, revision: str = "head") -> None:
    """Upgrade the database schema to ``revision`` (creates the database if needed).

    On PostgreSQL: PostGIS first, then the upgrade in one locked transaction (see
    :func:`lock_schema`).
    """
    _alembic("upgrade", url, revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    """Downgrade the database schema to ``revision`` (one locked transaction on PostgreSQL)."""
    _alembic("downgrade", url, revision)


def current_revision(url: str | None = None) -> str | None:
    """Return the schema revision the database is at (``None`` when not migrated)."""
    from alembic.runtime.migration import MigrationContext

    with get_engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# ------------------------------------------------------------------ locks


def lock_writes(s: Session) -> None:
    """On SQLite, take the database's write lock now (``BEGIN IMMEDIATE``).

    SQLite's Python driver begins a transaction only at the first write, so an
    "already imported?" look made before it runs outside any lock: two processes
    importing the same file at once both found nothing and both wrote a batch
    (issue 17). Taking the write lock first makes the look and the write one
    critical section; another writer waits (the engine's 30 s timeout) and then
    finds this one's batch. Readers are not blocked (WAL). Does nothing elsewhere
    or when this transaction already writes.
    """
    if s.get_bind().dialect.name != "sqlite":
        return
    dbapi = s.connection().connection.dbapi_connection
    if not dbapi.in_transaction:
        dbapi.execute("BEGIN IMMEDIATE")


def lock_province(s: Session, code: str | None) -> None:
    """Serialise writers of one province until the session's transaction ends.

    Two imports that supersede values of the same keys at once would each mark
    the old rows not current and each insert a current row, leaving two current
    rows per key. Callers that write values or boundaries call this first, in
    the same transaction, before reading or superseding anything::

        with session_scope(url) as s:
            lock_units(s, ((edition, c) for c in values.unit_code))
            if find_active_batch(s, "indicators", sha) is None:
                b = new_batch(s, "indicators", ...)
                write_values(s, values, b, edition)

    On PostgreSQL this takes a transaction-level advisory lock on
    ``(namespace, province)``; other provinces are not blocked and the lock is
    released at commit or rollback. Lock several provinces in sorted order. On
    SQLite it takes the database's write lock (:func:`lock_writes`).

    Parameters
    ----------
    s : Session
        Session whose transaction holds the lock.
    code : str or None
        Province code (``None``: one lock shared by writes of unknown province).
    """
    if s.get_bind().dialect.name != "postgresql":
        lock_writes(s)  # SQLite: one writer at a time, from the check on
        return
    key = int(code) if code and str(code).isdigit() else (
        0 if not code else int(hashlib.sha256(str(code).encode()).hexdigest()[:7], 16))
    s.execute(select(func.pg_advisory_xact_lock(PG_LOCK_NAMESPACE, key)))


def lock_units(s: Session, units: Iterable[tuple[str, str]]) -> list[str | None]:
    """Take the :func:`lock_province` locks of every province these communes are in.

    Call it in the writing transaction before checking what is stored (e.g. whether
    the file was already imported) and before superseding anything. Provinces are
    locked in sorted order, so two writers of overlapping provinces cannot deadlock.
    Does nothing on SQLite.

    Parameters
    ----------
    s : Session
        Session whose transaction holds the locks.
    units : iterable of (str, str)
        ``(registry edition, commune code)`` of every value to be written (unknown
        codes share the lock of unknown provinces).

    Returns
    -------
    list of str or None
        The province codes locked, in the order taken (empty on SQLite).
    """
    if s.get_bind().dialect.name != "postgresql":
        lock_writes(s)  # SQLite: one writer at a time, from the check on
        return []
    by_edition: dict[str, set[str]] = {}
    for edition, code in units:
        by_edition.setdefault(str(edition), set()).add(str(code))
    provinces: set[str | None] = set()
    for edition, wanted in by_edition.items():
        prov = load_units(edition, "commune").set_index("code").province_code
        known = wanted & set(prov.index)
        provinces |= {str(p) for p in prov.loc[sorted(known)].unique()}
        if wanted - known:
            provinces.add(None)
    ordered = sorted(provinces, key=lambda c: (c is None, c or ""))
    for code in ordered:
        lock_province(s, code)
    return ordered
