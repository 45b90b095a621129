"""Fast page tests: the real app script run by ``streamlit.testing.v1.AppTest`` on the demo.

Each test opens ``app.py`` (language, login gate, navigation) and switches to one
page the way the menu does; no browser. The Chromium tests in ``tests/e2e`` cover
what AppTest cannot (the folium map, downloads, real widgets).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"


def page_text(at: AppTest) -> str:
    """Everything the page wrote as text (titles, markdown, captions, alerts)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "success", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


@pytest.fixture()
def open_page(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Open a page of the app on the demo database, in Vietnamese or English."""
    import streamlit as st

    monkeypatch.setenv("DIABAN_DATABASE_URL", demo_url)
    st.cache_data.clear()

    def open_(path: str, lang: str = "vi") -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=600)
        at.session_state["lang"] = lang  # the sidebar's language choice starts from it
        at.run()
        at.switch_page(path)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_


@pytest.fixture(autouse=True)
def _restore_main_module() -> Iterator[None]:
    """Put back ``sys.modules["__main__"]`` after an AppTest run.

    Streamlit's script runner installs the page as ``__main__`` and leaves it there;
    processes that later tests start with ``multiprocessing`` (spawn) would run the
    page instead of pytest's main module and die (tests/geo/store/test_concurrency.py).
    """
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
