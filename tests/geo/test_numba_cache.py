"""No cached numba kernel can abort a diaban process (issue 16, must-have 1).

``geo/__init__.py`` points numba's on-disk cache at one folder per numba and Python
version (``~/.cache/diaban/numba/numba-X-pyY``) before anything can import numba, and
nothing diaban imports brings quantecon's gufunc caches (numba#10128) any more. What
broke before: the role tests' app server died with ``LLVM ERROR: Symbol not found:
__gufunc__…quantecon…_probvec`` (exit 134) on its first visit to the targeting page
after another process had written the cache, and ``import geo.analysis`` aborted in
every later process.

These tests run the real processes on an empty cache in a temporary home folder:
two app servers started at once, both opening the targeting page as a planner, then
fresh processes (the CLI, a second virtual environment) reading what they wrote.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_async

ROOT = Path(__file__).resolve().parents[2]
PW = "Mat-khau-numba-2025"
#: Computes Gi* with permutations (esda's cached kernels) after importing geo.analysis.
GISTAR = """
import json, sys
import numpy as np
import geo.analysis  # noqa: F401 - the import that aborted
from libpysal.weights import lat2W
from geo.stats import local_gistar
import numba
r = local_gistar(np.arange(36.0) % 7, lat2W(6, 6), permutations=99, seed=1)
print(json.dumps({"cache": numba.config.CACHE_DIR, "prefix": sys.prefix,
                  "gufunc_package": "quantecon" in sys.modules or "giddy" in sys.modules,
                  "z": [round(float(z), 9) for z in r["z"]]}))
"""


def _version_folder() -> str:
    from importlib.metadata import version

    return f"numba-{version('numba')}-py{sys.version_info[0]}.{sys.version_info[1]}"


def _env(home: Path, db: str | None = None) -> dict[str, str]:
    """This environment with another home folder and no numba cache setting."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("NUMBA_CACHE_DIR", "DIABAN_USER", "DIABAN_PASSWORD", "DIABAN_TOKEN")}
    env |= {"HOME": str(home), "PYTHONPATH": str(ROOT)}
    if db is not None:
        env["DIABAN_DATABASE_URL"] = db
    return env


def _aborted(text: str) -> bool:
    return "LLVM ERROR" in text or "Symbol not found" in text


# ------------------------------------------------------------------ the folder


def test_cache_folder_is_per_numba_and_python_version(monkeypatch, tmp_path):
    import importlib.metadata as md

    import geo

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    importlib.reload(geo)
    here = os.environ["NUMBA_CACHE_DIR"]
    assert here == str(tmp_path / ".cache" / "diaban" / "numba" / _version_folder())

    # Another numba release gets another folder: it never reads this one's entries.
    real = md.version
    monkeypatch.setattr(md, "version", lambda p: "0.99.0" if p == "numba" else real(p))
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    importlib.reload(geo)
    other = os.environ["NUMBA_CACHE_DIR"]
    assert other != here and os.path.basename(other).startswith("numba-0.99.0-py")

    # A folder the administrator chose wins.
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    importlib.reload(geo)
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "mine")


def test_the_app_imports_give_numba_diaban_folder(tmp_path):
    # The bug: numba was imported (through the pages) before NUMBA_CACHE_DIR was set,
    # so one process wrote part of an entry next to the installed package and part in
    # diaban's folder. Import what the app imports, in its order, then ask numba.
    code = ("import streamlit, geo.auth, pages._auth, pages._common, layers.maps, "
            "geo.services.analysis, geo.analysis, numba, sys; "
            "print(numba.config.CACHE_DIR); "
            "print('quantecon' in sys.modules or 'giddy' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], env=_env(tmp_path), cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    cache, gufunc = r.stdout.split()[-2:]
    assert cache == str(tmp_path / ".cache" / "diaban" / "numba" / _version_folder())
    assert gufunc == "False"


# ------------------------------------------------------------------ processes sharing one cache


@pytest.mark.slow
def test_second_virtualenv_shares_the_cache(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    first = subprocess.run([sys.executable, "-c", GISTAR], env=_env(home), cwd=tmp_path,
                           capture_output=True, text=True, timeout=600)
    assert first.returncode == 0 and not _aborted(first.stderr), first.stderr[-2000:]
    cache = Path(json.loads(first.stdout.splitlines()[-1])["cache"])
    written = sorted(p.name for p in cache.rglob("*.nbi"))
    assert written, "the first process cached no kernel"

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip",
                    str(venv)], check=True, timeout=300)
    second = subprocess.run([str(venv / "bin" / "python"), "-c", GISTAR], env=_env(home),
                            cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0 and not _aborted(second.stderr), second.stderr[-2000:]
    a = json.loads(first.stdout.splitlines()[-1])
    b = json.loads(second.stdout.splitlines()[-1])
    assert b["prefix"] == str(venv) != a["prefix"]  # really another environment
    assert b["cache"] == a["cache"]  # same numba and Python: the same folder, reused
    assert not a["gufunc_package"] and not b["gufunc_package"]
    assert b["z"] == a["z"]
    assert sorted(p.name for p in cache.rglob("*.nbi")) == written  # nothing rewritten


@pytest.mark.slow
def test_two_app_servers_at_once_on_one_empty_cache(demo_copy_url, tmp_path):
    from bench.st_client import Browser
    from geo.serve import free_port, launch_streamlit, stop_process, wait_healthy
    from geo.store import dispose_engines
    from tests import accounts

    accounts.add_user(demo_copy_url, "quantri", PW, "admin")  # the first account is an admin
    accounts.add_user(demo_copy_url, "ke_hoach", PW, "planner", actor="quantri")
    dispose_engines()
    home = tmp_path / "home"
    home.mkdir()
    env = _env(home, demo_copy_url)
    servers = []
    try:
        for i in range(2):  # started at once, both on the same empty cache
            port = free_port()
            log = tmp_path / f"app{i}.log"
            servers.append((port, launch_streamlit(port, log, env=env), log))
        for port, proc, log in servers:
            wait_healthy(port, proc, 180, log)

        async def targeting(port: int) -> tuple[list[str], list[str]]:
            b = Browser(port)
            await b.connect()
            try:
                login = await b.login("ke_hoach", PW)
                page = await b.rerun(page="targeting", timeout=400)
                return login.errors + page.errors, b.texts
            finally:
                await b.close()

        async def both() -> list:
            return await asyncio.gather(*(targeting(p) for p, _, _ in servers))

        results = run_async(both())
        for (port, proc, log), (errors, texts) in zip(servers, results):
            assert proc.poll() is None, f"server {port} died:\n{log.read_text()[-3000:]}"
            assert not _aborted(log.read_text())
            assert errors == []
            assert "Chọn địa bàn" in texts  # the page was drawn, not an error page
    finally:
        for _, proc, _ in servers:
            stop_process(proc)
    cache = home / ".cache" / "diaban" / "numba"
    assert [p.name for p in cache.iterdir()] == [_version_folder()]
    assert any(cache.rglob("*.nbi")), "the servers cached no kernel"

    # A fresh process now loads what the two wrote at once: the case that aborted.
    fresh = subprocess.run([sys.executable, "-c", GISTAR], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=600)
    assert fresh.returncode == 0 and not _aborted(fresh.stderr), fresh.stderr[-2000:]
    assert json.loads(fresh.stdout.splitlines()[-1])["cache"] == str(cache / _version_folder())
