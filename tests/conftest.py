"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of real reference data beside the checkout; skip the test when absent."""
    if not (SHARED_DATA / "son_la_communes_2009.gpkg").exists():
        pytest.skip("../shared/data is not available")
    return SHARED_DATA


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a database holding the Sơn La demo, built once per test session.

    Tests must not change it; those that write use ``empty_url`` or copy it.
    """
    from geo.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    build_demo(url)
    return url


@pytest.fixture()
def demo_copy_url(demo_url: str, tmp_path: Path) -> str:
    """A private copy of the demo database that a test may change."""
    import shutil

    src = Path(demo_url.removeprefix("sqlite:///"))
    dst = tmp_path / "demo_copy.db"
    shutil.copy(src, dst)
    return f"sqlite:///{dst}"


@pytest.fixture()
def empty_url(tmp_path: Path) -> str:
    """URL of a fresh, migrated database with the registry loaded but no data."""
    from geo.store import init_db

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    init_db(url)
    return url
