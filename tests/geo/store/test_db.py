"""Migrations: up, down and up again, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from geo.store import current_revision, downgrade, get_engine, migrate
from geo.store.schema import Base
from tests.conftest import PG_URL, pg_create, pg_drop

EXPECTED = {"editions", "units", "crosswalk", "boundaries", "indicators", "indicator_values",
            "hotspots", "hotspot_events", "facilities", "plans", "plan_targets",
            "import_batches", "users", "audit_log", "api_tokens"}


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (DIABAN_TEST_PG_URL)")
    url = pg_create(label="blank")
    yield url
    pg_drop(url)


def _tables(url: str) -> set[str]:
    return set(inspect(get_engine(url)).get_table_names())


def _head() -> str:
    from alembic.script import ScriptDirectory

    from geo.store.session import MIGRATIONS_DIR

    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def test_migrations_up_down_up(blank_url: str) -> None:
    url = blank_url
    migrate(url)
    assert current_revision(url) == _head()
    assert EXPECTED <= _tables(url)
    downgrade(url, "base")
    assert current_revision(url) is None
    assert _tables(url) & EXPECTED == set()
    migrate(url)
    assert EXPECTED <= _tables(url)
    assert current_revision(url) == _head()


def test_migrations_build_exactly_the_models(blank_url: str) -> None:
    """Tables, columns, types, indexes of the migrated database = geo.store.schema's models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    def ours(obj: object, name: str, type_: str, reflected: bool, compare_to: object) -> bool:
        return not (type_ == "table" and name == "spatial_ref_sys")  # PostGIS's own table

    migrate(blank_url)
    with get_engine(blank_url).connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": ours,
                                                     "compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []


def test_partial_unique_indexes_exist(blank_url: str) -> None:
    migrate(blank_url)
    insp = inspect(get_engine(blank_url))
    for table, name in (("indicator_values", "uq_values_one_current"),
                        ("boundaries", "uq_boundaries_one_current")):
        idx = {i["name"]: i for i in insp.get_indexes(table)}
        assert idx[name]["unique"], (table, name)
