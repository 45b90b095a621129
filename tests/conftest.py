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
