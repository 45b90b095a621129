"""Issue 17, points 3 and 4, against a running app over its WebSocket: an anonymous
client cannot lock a user out, clear everyone's caches, or read the server's metrics.

The clients speak Streamlit's browser protocol (``bench/st_client.py``); each says
which address it comes from in ``X-Forwarded-For``, as ``diaban serve``'s local proxy
does (the app trusts the header only from a peer on this machine).
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PG_URL, copy_database, run_async
from tests.e2e.conftest import streamlit_server

pytestmark = pytest.mark.e2e

PW = "Mat-khau-e2e-2025"


@pytest.fixture(scope="module")
def app(demo_url: str, request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from geo.store import dispose_engines
    from tests.accounts import add_user

    source = demo_url
    if PG_URL:
        from tests.conftest import _pg_template

        source = _pg_template(request.getfixturevalue("_pg_templates"), "demo")
    url = copy_database(source, tmp_path_factory.mktemp("limits_db"))
    add_user(url, "quan_tri", PW, "admin")
    add_user(url, "nhap_lieu", PW, "data_officer", "14")
    dispose_engines()
    logs = tmp_path_factory.mktemp("limits_st")
    with streamlit_server(url, logs) as base:
        yield base, logs / "streamlit.log"


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1].strip("/"))


async def _login(port: int, address: str, user: str, password: str) -> list[str]:
    from bench.st_client import Browser

    b = Browser(port, headers={"X-Forwarded-For": address})
    await b.connect()
    try:
        await b.login(user, password)
        return list(b.texts)
    finally:
        await b.close()


def test_an_anonymous_client_cannot_lock_a_user_out(app: tuple[str, Path]) -> None:
    base, log = app
    port = _port(base)

    async def attack() -> list[list[str]]:
        from bench.st_client import Browser

        b = Browser(port, headers={"X-Forwarded-For": "203.0.113.66"})
        await b.connect()
        answers = []
        try:
            await b.rerun()
            for i in range(12):
                await b.login("nhap_lieu", f"doan-mo-{i}")
                answers.append(list(b.texts))
            await b.clear_cache()  # refused without a login
            await b.rerun()
        finally:
            await b.close()
        return answers

    answers = run_async(attack())
    said = ["\n".join(a) for a in answers]
    assert all("Sai tên đăng nhập hoặc mật khẩu." in s for s in said[:5]), said[:5]
    assert all("hãy đợi" in s for s in said[5:]), said[5:]
    # The user, from their own machine, logs in with the right password at once.
    texts = "\n".join(run_async(_login(port, "198.51.100.7", "nhap_lieu", PW)))
    assert "Đăng nhập:" in texts and "nhap_lieu" in texts, texts
    # A name that is no account gets the same answers as one that is.
    other = "\n".join(run_async(_login(port, "192.0.2.9", "khong_co_ai", PW)))
    assert "Sai tên đăng nhập hoặc mật khẩu." in other
    assert "refused client message clear_cache" in log.read_text(encoding="utf-8")


def test_metrics_tell_nothing(app: tuple[str, Path]) -> None:
    base, _ = app
    run_async(_login(_port(base), "198.51.100.8", "quan_tri", PW))  # a session, a cache
    with urllib.request.urlopen(base.rstrip("/") + "/_stcore/metrics", timeout=30) as r:
        body = r.read().decode("utf-8", "replace")
    assert "session" not in body and "cache" not in body, body[:500]
