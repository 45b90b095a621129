"""Shared pytest fixtures.

The database fixtures (``empty_url``, ``demo_url``, ``demo_copy_url``) give SQLite
files, or fresh PostgreSQL/PostGIS databases when ``DIABAN_TEST_PG_URL`` names a
server (any database on it, e.g. ``postgresql+psycopg2://diaban@127.0.0.1:54329/postgres``;
``scripts/pg.sh start`` prints one). Each PostgreSQL fixture database is created
with ``CREATE DATABASE … TEMPLATE`` from one built per test session, and dropped
afterwards.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
PG_URL = os.environ.get("DIABAN_TEST_PG_URL")
_PG_COUNTER = itertools.count()


def _pg_admin() -> object:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _pg_forget(url: str) -> None:
    """Close the pooled connections diaban holds to ``url`` (before copying or dropping)."""
    from geo.store import dispose_engine

    dispose_engine(url)


def pg_create(template_url: str | None = None, label: str = "t") -> str:
    """Create a fresh PostgreSQL database (optionally a copy of another); return its URL."""
    from sqlalchemy.engine import make_url

    name = f"diaban_{label}_{os.getpid()}_{next(_PG_COUNTER)}"
    admin = _pg_admin()
    q = admin.dialect.identifier_preparer.quote
    ddl = f"CREATE DATABASE {q(name)}"  # identifiers cannot be bound parameters
    if template_url:
        _pg_forget(template_url)
        ddl += f" TEMPLATE {q(make_url(template_url).database)}"
    with admin.connect() as c:
        c.exec_driver_sql(ddl)
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def pg_drop(url: str) -> None:
    """Drop a database made by :func:`pg_create`, closing any connection to it."""
    from sqlalchemy.engine import make_url

    _pg_forget(url)
    admin = _pg_admin()
    q = admin.dialect.identifier_preparer.quote
    with admin.connect() as c:
        c.exec_driver_sql(f"DROP DATABASE IF EXISTS {q(make_url(url).database)} WITH (FORCE)")
    admin.dispose()


_PG_COPIES: list[str] = []
#: Read-only fixture database → the template it was made from (same contents).
_PG_SOURCES: dict[str, str] = {}


def copy_database(url: str, folder: Path) -> str:
    """A private copy of a test database (SQLite file copy, or PostgreSQL ``TEMPLATE``).

    PostgreSQL copies are dropped at the end of the session. ``CREATE DATABASE …
    TEMPLATE`` needs a source nobody is connected to, so a copy of ``demo_url`` (which
    e2e app servers keep open) is made from the demo template it came from; any
    other source must not be open in another process.
    """
    if url.startswith("sqlite:///"):
        import shutil

        from geo.store import dispose_engines

        dispose_engines()
        dst = Path(folder) / "copy.db"
        shutil.copy(url.removeprefix("sqlite:///"), dst)
        return f"sqlite:///{dst}"
    copy = pg_create(_PG_SOURCES.get(url, url), "copy")
    _PG_COPIES.append(copy)
    return copy


def db_fingerprint(url: str) -> object:
    """Something equal for two states of a database only if nothing changed.

    SQLite: the file's SHA-256 (byte for byte). PostgreSQL: the SHA-256 of every
    table's rows (:func:`geo.backup.table_digests`).
    """
    import hashlib

    from geo.store import dispose_engines

    if url.startswith("sqlite:///"):
        dispose_engines()
        return hashlib.sha256(Path(url.removeprefix("sqlite:///")).read_bytes()).hexdigest()
    from geo.backup import table_digests

    return table_digests(url)


# Credentials and language from the developer's shell must not leak into CLI tests.
_CLI_CLEAN_ENV = {"DIABAN_USER": None, "DIABAN_PASSWORD": None, "DIABAN_TOKEN": None,
                  "DIABAN_LANG": None, "DIABAN_DATABASE_URL": None}


def run_cli(args: list[str], env: dict | None = None, stdin: str | None = None
            ) -> tuple[int, str, str]:
    """Run ``diaban ARGS`` in-process as the console script does.

    Errors become messages and exit codes through :func:`geo.cli.common.run`,
    exactly as for a user. Credential variables are cleared unless ``env`` sets them.

    Returns
    -------
    tuple of (int, str, str)
        Exit code, standard output and standard error.
    """
    import sys

    from click.testing import CliRunner

    from geo.cli import common
    from geo.cli.main import cli

    runner = CliRunner()
    with runner.isolation(input=stdin, env={**_CLI_CLEAN_ENV, **(env or {})}) as (out, err, _):
        argv = sys.argv
        sys.argv = ["diaban", *args]
        try:
            common.run(cli)
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        finally:
            sys.argv = argv
        return code, out.getvalue().decode(), err.getvalue().decode()


@pytest.fixture(scope="session")
def _pg_templates() -> Iterator[dict]:
    """Per-session template databases on the PostgreSQL server (built lazily)."""
    made: dict[str, str] = {}
    yield made
    for url in [*_PG_COPIES, *made.values()]:
        pg_drop(url)


def _pg_template(made: dict, kind: str) -> str:
    if kind not in made:
        url = pg_create(label=f"tpl{kind}")
        made[kind] = url
        if kind == "demo":
            from geo.demo import build_demo

            build_demo(url)
        else:
            from geo.store import init_db

            init_db(url)
        _pg_forget(url)
    return made[kind]


@pytest.fixture(scope="session")
def inflating_geojson(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 25 MB GeoJSON whose reading needs over 500 MB (tests/geo/io/inflating_files.py)."""
    from tests.geo.io.inflating_files import huge_ring_geojson

    return huge_ring_geojson(tmp_path_factory.mktemp("inflating") / "ranh_gioi_lon.geojson")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of real reference data beside the checkout; skip the test when absent."""
    if not (SHARED_DATA / "son_la_communes_2009.gpkg").exists():
        pytest.skip("../shared/data is not available")
    return SHARED_DATA


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> str:
    """URL of a database holding the Sơn La demo, built once per test session.

    Tests must not change it; those that write use ``empty_url`` or copy it.
    """
    if PG_URL:
        template = _pg_template(request.getfixturevalue("_pg_templates"), "demo")
        url = pg_create(template, "demo")
        _PG_SOURCES[url] = template
        request.addfinalizer(lambda: pg_drop(url))
        return url
    from geo.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    build_demo(url)
    return url


@pytest.fixture()
def demo_copy_url(demo_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A private copy of the demo database that a test may change."""
    if PG_URL:
        url = pg_create(_pg_template(request.getfixturevalue("_pg_templates"), "demo"), "copy")
        request.addfinalizer(lambda: pg_drop(url))
        return url
    import shutil

    src = Path(demo_url.removeprefix("sqlite:///"))
    dst = tmp_path / "demo_copy.db"
    shutil.copy(src, dst)
    return f"sqlite:///{dst}"


@pytest.fixture()
def empty_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """URL of a fresh, migrated database with the registry loaded but no data."""
    if PG_URL:
        url = pg_create(_pg_template(request.getfixturevalue("_pg_templates"), "empty"), "empty")
        request.addfinalizer(lambda: pg_drop(url))
        return url
    from geo.store import init_db

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    init_db(url)
    return url


def run_async(coro: object) -> object:
    """Run a coroutine to completion in its own thread and event loop; return its result.

    Playwright's sync API (the e2e fixtures) keeps an event loop running in the main
    thread for the rest of the session, where ``asyncio.run`` refuses to start another;
    a worker thread has none.
    """
    import asyncio
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


#: Fixtures that hand a test a database of the backend under test.
_DB_FIXTURES = frozenset({"demo_url", "demo_copy_url", "empty_url", "_pg_templates"})


#: Browser tests that also run on PostgreSQL: logins, roles and their limits (the rest
#: of the pages read through services whose PostgreSQL behaviour the service tests cover).
_PG_E2E = frozenset({"test_roles.py", "test_login_limits.py"})
#: Modules about something else than storage that need a database only to start an app:
#: numba's on-disk cache shared by processes.
_PG_SKIP = frozenset({"test_numba_cache.py"})


def _uses_backend(item: pytest.Item) -> bool:
    """Whether a test reads or writes a database of the backend under test."""
    path = Path(str(getattr(item, "fspath", "")))
    if (path.parent.name == "e2e" and path.name not in _PG_E2E) or path.name in _PG_SKIP:
        return False
    if _DB_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    module = getattr(item, "module", None)
    names = vars(module) if module is not None else {}
    return any(n in names for n in ("PG_URL", "pg_create", "copy_database"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, run only the tests that touch a database.

    The rest (statistics, readers, drawing…) do not depend on the backend and have
    already run on the SQLite pass; running them again would only double CI's time.
    Of the browser tests, those of logins and roles run on both.
    """
    if not PG_URL:
        return
    keep = [i for i in items if _uses_backend(i)]
    if len(keep) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if not _uses_backend(i)])
        items[:] = keep
