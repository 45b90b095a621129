"""The built wheel is a complete diaban: installed outside the checkout, it loads the demo,
exports a map and serves its app.

The wheel is built offline from a copy of the checkout (no build isolation: the
machine's setuptools), installed without dependencies into a fresh virtual
environment that borrows the machine's packages (``--system-site-packages``), and
run from a folder outside the checkout with ``PYTHONPATH`` cleared, so only the
installed copy can be imported. Nothing reaches the network.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parent.parent
_SKIP = {".git", "__pycache__", "build", "dist", ".pytest_cache", ".ruff_cache", ".venv",
         "tmp", "out"}


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in _SKIP or n.endswith((".egg-info", ".pyc", ".db"))}


def _run(argv: list[str], cwd: Path, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    p = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, f"{argv}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return p


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the checkout (the checkout gets no build/ folder)."""
    src = tmp_path_factory.mktemp("src") / "diaban"
    shutil.copytree(ROOT, src, ignore=_ignore)
    dist = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PIP_NO_INDEX"] = "1"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--no-index", str(src), "-w", str(dist)], dist, env)
    (whl,) = dist.glob("diaban-*.whl")
    return whl


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A fresh environment with the wheel installed; a clean environment and a work folder."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                    str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items()
           if k != "PYTHONPATH" and not k.startswith("DIABAN_")}
    env["PIP_NO_INDEX"] = "1"
    work = tmp_path_factory.mktemp("work")
    assert ROOT not in work.parents
    # The machine's pip installs into the venv (its prefix); --force-reinstall because
    # the machine may have diaban installed (editable) outside this environment.
    _run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", "--force-reinstall",
          str(wheel)], work, env)
    return {"venv": venv, "python": py, "diaban": venv / "bin" / "diaban", "env": env,
            "work": work, "db": f"sqlite:///{work / 'diaban.db'}"}


def test_wheel_holds_data_assets_migrations_and_the_app(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    need = {f"geo/data/{f.name}" for f in (ROOT / "data").iterdir() if f.is_file()}
    need |= {str(f.relative_to(ROOT)) for f in (ROOT / "layers" / "static").rglob("*")
             if f.is_file()}
    need |= {"geo/migrations/env.py", "geo/migrations/script.py.mako"}
    need |= {f"geo/migrations/versions/{f.name}"
             for f in (ROOT / "geo" / "migrations" / "versions").glob("*.py")}
    need |= {"diaban_app/app.py", "diaban_app/static/favicon.png",
             "diaban_app/.streamlit/config.toml"}
    need |= {f"diaban_app/pages/{f.name}" for f in (ROOT / "pages").glob("*.py")}
    # Every module of the core, including subpackages added later.
    need |= {str(f.relative_to(ROOT)) for pkg in ("geo", "layers")
             for f in (ROOT / pkg).rglob("*.py") if "__pycache__" not in f.parts}
    assert sorted(need - names) == []
    assert "geo/data/indicators.json" in names and "layers/static/leaflet/leaflet.js" in names
    # Only the app is taken from the checkout's top folder.
    assert sorted(n for n in names if n.startswith("diaban_app/") and n.count("/") == 1) == [
        "diaban_app/app.py"]
    assert not any(n.startswith(("tests/", "bench/", "data/", "pages/")) for n in names)


def test_installed_copy_is_what_runs(installed: dict) -> None:
    code = ("import json, geo, layers, diaban_app, layers.offline as o; "
            "print(json.dumps([geo.__file__, layers.__file__, list(diaban_app.__path__)[0], "
            "str(geo.DATA_DIR), str(o.STATIC_DIR)]))")
    p = _run([str(installed["python"]), "-c", code], installed["work"], installed["env"])
    paths = [Path(x) for x in json.loads(p.stdout)]
    site = installed["venv"].resolve()
    for path in paths:
        assert site in path.resolve().parents, path
        assert ROOT not in path.resolve().parents, path
    data_dir, static_dir = paths[3], paths[4]
    assert (data_dir / "indicators.json").is_file()
    assert (static_dir / "leaflet" / "leaflet.js").is_file()


def test_demo_and_map_export_from_the_installed_wheel(installed: dict) -> None:
    diaban, env, work, db = (installed[k] for k in ("diaban", "env", "work", "db"))
    p = _run([str(diaban), "--db", db, "demo"], work, env)
    assert "Đã nạp tỉnh minh họa Sơn La" in p.stdout
    out = work / "ban_do.png"
    p = _run([str(diaban), "--db", db, "export", "map", "-p", "Sơn La", "--period", "2024-H2",
              "--dpi", "100", "--out", str(out)], work, env)
    assert str(out) in p.stdout
    from PIL import Image

    with Image.open(out) as im:
        assert im.format == "PNG"
        w, h = im.size
    assert (round(w / 100 * 25.4), round(h / 100 * 25.4)) == (210, 297)  # A4 portrait


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_installed_app_serves_and_draws(installed: dict) -> None:
    diaban, env, work, db = (installed[k] for k in ("diaban", "env", "work", "db"))
    _run([str(diaban), "--db", db, "demo"], work, env)  # the app's map needs data
    app = installed["venv"] / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" \
        / "site-packages" / "diaban_app" / "app.py"
    assert app.is_file()
    port = _free_port()
    log = work / "app.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen([str(diaban), "--db", db, "app", "--port", str(port),
                                 "--address", "127.0.0.1"], cwd=work, env=env, stdout=fh,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 90
        health = None
        while time.time() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                            timeout=2) as r:
                    health = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert health == "ok", log.read_text()
        # The server runs the installed app (diaban app replaced itself with streamlit).
        proc_cmdline = Path(f"/proc/{proc.pid}/cmdline")
        if proc_cmdline.exists():  # Linux
            cmdline = proc_cmdline.read_bytes().split(b"\0")
            assert str(app).encode() in cmdline, cmdline
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            assert r.status == 200 and b"<html" in r.read().lower()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    # The installed app's script runs (login gate, navigation, map page) on the demo.
    script = ("import sys; from streamlit.testing.v1 import AppTest; "
              "at = AppTest.from_file(sys.argv[1], default_timeout=180); at.run(); "
              "import json; print(json.dumps({'exc': [str(e.value) for e in at.exception], "
              "'titles': [t.value for t in at.title]}))")
    p = _run([str(installed["python"]), "-c", script, str(app)], work,
             {**env, "DIABAN_DATABASE_URL": db})
    res = json.loads(p.stdout.strip().splitlines()[-1])
    assert res == {"exc": [], "titles": ["Bản đồ"]}
