"""Fixtures of the page tests (``streamlit.testing.v1.AppTest``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _restore_main_module() -> Iterator[None]:
    """Put back ``sys.modules["__main__"]`` after an AppTest run.

    Streamlit's script runner installs the page as ``__main__`` and leaves it there;
    processes that later tests start with ``multiprocessing`` (spawn) would run the
    page instead of pytest's main module and die (tests/test_concurrency.py).
    """
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
