"""Fixtures for end-to-end tests: the real app on the demo, in Debian's Chromium."""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
#: The frame of diaban's map component (pages._common.draw_map).
MAP_FRAME = "iframe[title*='diaban_map']"


@contextlib.contextmanager
def streamlit_server(db_url: str | None, log_dir: Path, script: Path | None = None,
                     env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``streamlit run`` on ``db_url``; yield the server's URL, stop it afterwards.

    Parameters
    ----------
    db_url : str or None
        Database for ``DIABAN_DATABASE_URL`` (None: leave the environment as it is).
    log_dir : Path
        The server's output goes to ``log_dir/streamlit.log``.
    script : Path, optional
        A script to serve instead of diaban's ``app.py``; it runs in its own folder
        with the repository on ``PYTHONPATH``.
    env : dict, optional
        The server's environment (default: this process's).

    Skips when Debian chromium is missing; fails with the server's log when it does
    not answer its health check within a minute. Starting and stopping is
    :func:`geo.serve.start_streamlit`, shared with the benchmarks and ``diaban serve``.
    """
    from geo.serve import ServeError, free_port, start_streamlit, stop_process

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    port = free_port()
    log = Path(log_dir) / "streamlit.log"
    try:
        proc = start_streamlit(port, log, timeout=60, db=db_url, env=env,
                               script=script or ROOT / "app.py",
                               cwd=script.parent if script is not None else ROOT)
    except ServeError as e:
        pytest.fail("streamlit did not start:\n" + e.message("en"))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc, 10)


@pytest.fixture(scope="session")
def app_url(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start ``streamlit run app.py`` on the demo database; yield its URL."""
    with streamlit_server(demo_url, tmp_path_factory.mktemp("st")) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Page:
    """A browser page that records and blocks every request leaving localhost."""

    def __init__(self, browser: object, width: int = 1400, height: int = 1000,
                 **context: object) -> None:
        self.external: list[str] = []
        self.ctx = browser.new_context(viewport={"width": width, "height": height}, **context)
        self.ctx.route("**/*", self._route)
        self.page = self.ctx.new_page()

    def _route(self, route: object) -> None:
        m = re.match(r"^[a-z]+://([^/:]+)", route.request.url)
        if m and m.group(1) not in ("localhost", "127.0.0.1"):
            self.external.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def idle(self, timeout: float = 60_000) -> None:
        """Wait until the app's script run has finished (its choices are stored)."""
        self.page.wait_for_selector(".stApp[data-test-script-state='notRunning']",
                                    timeout=timeout)

    def map_frame(self, timeout: float = 60_000) -> object:
        """The map component's iframe, once its polygons are drawn."""
        self.page.wait_for_selector(MAP_FRAME, timeout=timeout)
        frame = self.page.frame_locator(MAP_FRAME).first
        frame.locator("path.leaflet-interactive").first.wait_for(timeout=timeout)
        return frame

    def map_frames(self) -> list[object]:
        """The map components' frames (``Frame`` objects, for ``evaluate``), page order."""
        return [h.content_frame() for h in self.page.locator(MAP_FRAME).element_handles()]

    def close(self) -> None:
        self.ctx.close()


@pytest.fixture()
def page(browser: object) -> Iterator[Page]:
    """A fresh page for one test."""
    p = Page(browser)
    yield p
    p.close()
