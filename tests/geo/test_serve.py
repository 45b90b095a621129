"""``diaban serve``: app processes behind Debian's nginx (geo/serve.py, geo/cli/cmd_serve.py).

The fast tests check the refusals (with their messages) and that nginx accepts the
generated configuration. The slow one starts the real thing — ``diaban serve
--processes 2`` on the demo database — and checks what users and operators rely on:
the health check through the proxy, ``/_stcore/metrics`` refused, two browser sessions
pinned to two different processes (an upload only works on its session's process),
a killed process restarted while its users are re-pinned to the other, and nothing
left running after SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from geo.errors import ValidationError
from geo.serve import (
    DENIED_PATHS,
    ROUTE_COOKIE,
    Cluster,
    ProxySite,
    ServeError,
    check_port,
    find_nginx,
    free_port,
    health,
    nginx_config,
)
from tests.conftest import run_async, run_cli

ROOT = Path(__file__).resolve().parents[2]


def _nginx() -> str:
    try:
        return find_nginx()
    except ServeError:
        pytest.skip("nginx is not installed (scripts/setup.sh installs it)")


def _sqlite(url: str) -> bool:
    return url.startswith("sqlite")


# ------------------------------------------------------------------ fast: refusals


def test_missing_nginx_says_to_run_setup(monkeypatch):
    monkeypatch.setenv("DIABAN_NGINX", "/nonexistent/nginx")
    with pytest.raises(ServeError) as e:
        find_nginx()
    assert "scripts/setup.sh" in e.value.message("vi")
    assert "scripts/setup.sh" in e.value.message("en")


def test_cli_without_nginx_is_a_message_not_a_traceback(demo_url):
    code, out, err = run_cli(["--lang", "en", "--db", demo_url, "serve", "-n", "1",
                              "--host", "127.0.0.1", "--port", str(free_port())],
                             env={"DIABAN_NGINX": "/nonexistent/nginx"})
    assert code == 1
    assert "nginx" in err and "scripts/setup.sh" in err
    assert "Traceback" not in err + out


def test_port_in_use_is_refused_with_a_message():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(ServeError) as e:
            check_port("127.0.0.1", port)
    assert f"Cổng {port} đang được chương trình khác dùng" in e.value.message("vi")
    assert "--port" in e.value.message("en")
    check_port("127.0.0.1", port)  # free again once the other program closed it


def test_several_processes_need_postgresql_unless_allowed(demo_url, tmp_path):
    _nginx()
    c = Cluster(2, host="127.0.0.1", port=free_port(), db=demo_url, run_dir=tmp_path)
    if _sqlite(demo_url):
        with pytest.raises(ServeError) as e:
            c.check()
        assert "PostgreSQL" in e.value.message("vi") and "--allow-sqlite" in e.value.message("en")
        allowed = Cluster(2, host="127.0.0.1", port=free_port(), db=demo_url, run_dir=tmp_path,
                          allow_sqlite=True, lang="en")
        allowed.check()
        assert any("trial" in w for w in allowed.warnings)
    else:
        c.check()  # PostgreSQL: no flag, no warning
        assert c.warnings == []
    # One process on SQLite is the single-machine install: no flag needed.
    Cluster(1, host="127.0.0.1", port=free_port(), db=demo_url, run_dir=tmp_path).check()


def test_no_accounts_refused_on_a_public_address(demo_url, tmp_path):
    _nginx()
    from geo.services.users import login_required

    assert not login_required(demo_url)  # the demo has no accounts: everyone would be admin
    public = Cluster(1, host="0.0.0.0", port=free_port(), db=demo_url, run_dir=tmp_path)
    with pytest.raises(ServeError) as e:
        public.check()
    assert "diaban users add" in e.value.message("vi")
    Cluster(1, host="127.0.0.1", port=free_port(), db=demo_url, run_dir=tmp_path).check()


def test_unreachable_database_is_a_message(tmp_path):
    _nginx()
    c = Cluster(1, host="127.0.0.1", port=free_port(), run_dir=tmp_path,
                db="postgresql+psycopg2://nobody:secret@127.0.0.1:1/nothing")
    with pytest.raises(ServeError) as e:
        c.check()
    msg = e.value.message("en")
    assert "Cannot reach the database" in msg
    assert "secret" not in msg  # the password is never printed


def test_bad_streamlit_option_is_refused(demo_url, tmp_path):
    c = Cluster(1, host="127.0.0.1", port=free_port(), db=demo_url, run_dir=tmp_path,
                streamlit_options=["maxUploadSize"])
    with pytest.raises(ValidationError) as e:
        c.check()
    assert "section.name=value" in e.value.message("en")


# ------------------------------------------------------------------ fast: the config


def test_nginx_accepts_the_generated_configuration(tmp_path):
    nginx = _nginx()
    (tmp_path / "logs").mkdir()
    site = ProxySite("127.0.0.1", free_port(), (41001, 41002, 41003), tmp_path, tmp_path,
                     max_body_mb=200,
                     worker_user="www-data" if os.geteuid() == 0 else None)
    conf = nginx_config(site)
    (tmp_path / "nginx.conf").write_text(conf)
    r = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                        "-e", str(tmp_path / "logs" / "error.log")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for path in DENIED_PATHS:
        assert f"location ^~ {path} {{ return 403; }}" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_read_timeout 1d;" in conf
    assert "client_max_body_size 200m;" in conf
    # Each process's group has the two others as backups; unknown cookies go to the pool.
    assert conf.count("backup;") == 6
    assert f"map $cookie_{ROUTE_COOKIE} $diaban_upstream" in conf
    assert "sticky" not in conf  # nginx Plus only


# ------------------------------------------------------------------ slow: the real thing


def _get(url: str, cookie: str | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=60) as r:
            return r.status, {"set-cookie": r.headers.get_all("Set-Cookie") or []}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {"set-cookie": e.headers.get_all("Set-Cookie") or []}, e.read()


def _route(headers: dict) -> str | None:
    for v in headers["set-cookie"]:
        if v.startswith(f"{ROUTE_COOKIE}="):
            return v.split(";", 1)[0].split("=", 1)[1]
    return None


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d.name))
            except (OSError, ValueError, IndexError):
                pass
    return out


def _upload(base: str, session_id: str, route: str) -> tuple[int, str]:
    """Upload one small file to a Streamlit session through the proxy."""
    import requests

    s = requests.Session()
    s.trust_env = False
    s.cookies.set(ROUTE_COOKIE, route)
    s.get(base + "/_stcore/health", timeout=30)  # sets Streamlit's XSRF cookie
    token = s.cookies.get("_streamlit_xsrf")
    r = s.put(f"{base}/_stcore/upload_file/{session_id}/f1",
              files={"file": ("so_lieu.csv", b"ma_xa,gia_tri\n04024,1\n", "text/csv")},
              headers={"X-Xsrftoken": token or ""}, timeout=60)
    return r.status_code, r.text


async def _open_session(port: int, route: str):
    from bench.st_client import Browser

    b = Browser(port, cookie=f"{ROUTE_COOKIE}={route}")
    await b.connect()
    await b.rerun()  # the login page: a Streamlit session now exists in that process
    assert b.session_id
    return b


@pytest.mark.slow
def test_serve_two_processes_behind_nginx(demo_url, tmp_path):
    _nginx()
    port = free_port()
    run_dir = tmp_path / "run"
    cmd = [sys.executable, "-m", "geo.cli.main", "--lang", "en", "--db", demo_url, "serve",
           "--processes", "2", "--host", "127.0.0.1", "--port", str(port), "--run-dir",
           str(run_dir), "--json"]
    if _sqlite(demo_url):
        cmd.append("--allow-sqlite")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    err_log = open(tmp_path / "serve.err", "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err_log,
                            text=True)
    pids: set[int] = set()
    try:
        line = proc.stdout.readline()
        assert line, (tmp_path / "serve.err").read_text()
        st = json.loads(line)
        base = st["url"]
        apps = st["apps"]
        assert len(apps) == 2 and base == f"http://127.0.0.1:{port}"
        pids |= {a["pid"] for a in apps} | {st["nginx"]["pid"]}
        pids |= set(_children(st["nginx"]["pid"]))  # nginx's workers

        # The health check answers through the proxy; Streamlit's metrics do not.
        assert health(base)
        code, _, body = _get(base + "/_stcore/health")
        assert (code, body) == (200, b"ok")
        for path in ("/_stcore/metrics", "/_stcore/%6Detrics", "/_stcore//metrics",
                     "/_stcore/agent/openapi.json"):
            assert _get(base + path)[0] == 403, path
        assert _get(f"http://127.0.0.1:{apps[0]['port']}/_stcore/metrics")[0] == 200  # behind

        # Two browsers: each is pinned by the cookie the proxy sets; while the first
        # holds its session open, the second goes to the other (least connections).
        code, h, _ = _get(base + "/")
        route_a = _route(h)
        assert code == 200 and route_a in ("1", "2")

        async def two_sessions():
            a = await _open_session(port, route_a)
            code_b, hb, _ = await asyncio.to_thread(_get, base + "/")
            route_b = _route(hb)
            b = await _open_session(port, route_b)
            # Every later request of a browser carries its cookie: no new cookie.
            assert _route((await asyncio.to_thread(_get, base + "/", f"{ROUTE_COOKIE}="
                                                   f"{route_a}"))[1]) is None
            # A third browser lands on one of the two.
            assert _route((await asyncio.to_thread(_get, base + "/"))[1]) in ("1", "2")
            ups = [await asyncio.to_thread(_upload, base, a.session_id, route_a),
                   await asyncio.to_thread(_upload, base, b.session_id, route_b),
                   await asyncio.to_thread(_upload, base, a.session_id, route_b)]
            await a.close()
            await b.close()
            return route_b, ups

        route_b, ups = run_async(two_sessions())
        assert {route_a, route_b} == {"1", "2"}
        assert ups[0][0] == 204 and ups[1][0] == 204  # each upload reached its session
        # …and it is the stickiness that makes it work: the other process has no such
        # session (what Streamlit answers behind a proxy without sticky sessions).
        assert ups[2][0] == 400 and "Invalid session_id" in ups[2][1]
        log = (run_dir / "logs" / "access.log").read_text().splitlines()
        for route, app in ((route_a, apps[int(route_a) - 1]), (route_b, apps[int(route_b) - 1])):
            mine = [ln for ln in log if ln.endswith(f"route={route}")]
            assert mine and all(f"upstream=127.0.0.1:{app['port']}" in ln for ln in mine), mine

        # A process killed: its browsers are served by the other and re-pinned there,
        # and the supervisor starts it again on the same port.
        victim = apps[0]
        os.kill(victim["pid"], signal.SIGKILL)
        deadline = time.time() + 10
        while _alive(victim["pid"]) and time.time() < deadline:
            time.sleep(0.1)
        code, h, _ = _get(base + "/", f"{ROUTE_COOKIE}=1")
        assert code == 200 and _route(h) == "2"
        deadline = time.time() + 180
        while time.time() < deadline:
            st = json.loads((run_dir / "state.json").read_text())
            back = st["apps"][0]
            if back["restarts"] == 1 and health(f"http://127.0.0.1:{back['port']}"):
                break
            time.sleep(1)
        assert back["restarts"] == 1 and back["port"] == victim["port"]
        assert back["pid"] != victim["pid"] and _alive(back["pid"])
        pids.add(back["pid"])
        # Once nginx retries it (fail_timeout 5 s), cookie 1 reaches process 1 again.
        deadline = time.time() + 30
        while _route(_get(base + "/", f"{ROUTE_COOKIE}=1")[1]) is not None:
            assert time.time() < deadline, "process 1 never took its browsers back"
            time.sleep(1)

        # SIGTERM stops everything, cleanly.
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        err_log.close()
    err = (tmp_path / "serve.err").read_text()
    assert "Process 1" in err and "died (signal 9)" in err and "Traceback" not in err
    assert "Every process stopped." in err
    left = [p for p in pids if _alive(p)]
    assert not left, f"still running: {left}"
    check_port("127.0.0.1", port)  # the public port is free again
    assert not (run_dir / "state.json").exists()
