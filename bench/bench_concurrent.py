"""Concurrent users on PostgreSQL: N people browsing the map while M import figures.

What runs:

- a fresh PostgreSQL/PostGIS database with the Sơn La demo (``geo.demo.build_demo``),
  dropped at the end; one viewer account per browsing user and one data-officer
  account per importer (login is on, as in any multi-user install);
- the real app on that database: one ``streamlit run app.py`` process
  (``--processes 1``, the default), or ``diaban serve --processes N`` (N app
  processes behind nginx, sticky sessions) with ``--processes N`` (N > 1) or ``--serve``;
- with ``--peer``, afterwards and under the same load, the naive peer
  (``bench/peer_app.py``: the same map drawn the plain streamlit-folium way on every
  rerun), started the same way; the summary then carries ``peer`` (its summary) and
  ``ratio_p95`` (peer p95 ÷ diaban p95);
- N simulated browsers (``bench.st_client.Browser``), each one Streamlit session over
  the same WebSocket protocol the browser uses (``/_stcore/stream``, protobuf
  ``BackMsg``/``ForwardMsg``): open the app, log in, then until the time is up change
  the period slider, the indicator or the administrative units, or click a commune on
  the map, open its profile and go back to the map; users arrive spread over
  ``--ramp`` seconds and wait a think time between clicks (``--think``); behind nginx
  each user first fetches ``/`` and keeps the route cookie, as a browser does;
- M importers, each running ``diaban import indicators FILE --province 14 --json`` as
  a data officer (``DIABAN_USER``/``DIABAN_PASSWORD``), one process per import as a
  user's script would, back to back: CSV files of commune figures for Sơn La into the
  same database, alternating corrections of 2025-H1 (legacy communes) and a new
  period, 2026-H1 (2025 communes); importer i writes every M-th commune.

A *request* is one script run the user waits for: a ``rerun_script`` message sent
with the changed widget value (or the page to open), until the server's
``script_finished`` message for a run that was not cut short by ``st.rerun`` —
every element of the page, the map's HTML included, has then been received.
*Page time* is that interval measured by the client. It does not include the
browser drawing Leaflet in the map's iframe (see ``bench_map.py`` for that).

Before the clock starts, one probe session loads the map once (the server
process imports its modules) and then clears ``st.cache_data``, so each user's
first map page is a cold start of the shared caches; it is reported apart. Behind
nginx every process is probed once.

Run: ``python bench/bench_concurrent.py [--users 20] [--importers 2] [--duration 60]
[--think 5] [--ramp 10] [--processes 1] [--serve] [--peer] [--pg-url URL]
[--streamlit-opt server.fileWatcherType=none] [--out samples.json]``. Without
``--pg-url`` it runs ``scripts/pg.sh start``. Progress is printed every 5 s; the end
prints a JSON summary (machine, load average, commit, each app process's peak memory)
and Markdown table rows. Results are recorded in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # ``python bench/bench_concurrent.py`` from anywhere
    sys.path.insert(0, str(ROOT))

from bench.st_client import Browser, Run, state  # noqa: E402
from geo.serve import APP_SCRIPT, free_port, start_streamlit, stop_process  # noqa: E402

PEER_SCRIPT = ROOT / "bench" / "peer_app.py"
PROVINCE = "14"  # Sơn La, the demo province
PASSWORD = "bench-password-1"  # noqa: S105 - throwaway accounts in a throwaway database
#: Indicators the importers write: none of them takes part in a consistency rule,
#: so every generated file is valid against what is stored.
IMPORT_INDICATORS = [
    "illegal_users", "methadone_patients", "drug_offenders_arrested",
    "drug_use_points_existing", "drug_harbouring_places", "narcotic_plants_destroyed",
    "propaganda_sessions", "model_sites",
]
#: (period, edition) the importers alternate: a correction and a new period.
IMPORT_PERIODS = [("2025-H1", "legacy"), ("2026-H1", "2025")]
#: How often each browsing action is chosen.
ACTIONS = {"period": 0.35, "indicator": 0.25, "edition": 0.15, "commune": 0.25}


# ------------------------------------------------------------------ database


def _pg_server(url: str | None) -> str:
    """The maintenance URL of the PostgreSQL server (``scripts/pg.sh start`` if none)."""
    if url:
        return url
    out = subprocess.run(["bash", str(ROOT / "scripts" / "pg.sh"), "start"], check=True,
                         capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def _admin(server_url: str) -> Any:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def create_database(server_url: str) -> str:
    """Create an empty database with a unique name on the server; return its URL."""
    from sqlalchemy.engine import make_url

    name = f"diaban_bench_{os.getpid()}_{int(time.time())}"
    admin = _admin(server_url)
    q = admin.dialect.identifier_preparer.quote
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {q(name)}")  # identifiers cannot be bound
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, url: str) -> None:
    """Drop the benchmark database, closing every connection to it."""
    from sqlalchemy.engine import make_url

    from geo.store import dispose_engines

    dispose_engines()
    admin = _admin(server_url)
    q = admin.dialect.identifier_preparer.quote
    with admin.connect() as c:
        c.exec_driver_sql(f"DROP DATABASE IF EXISTS {q(make_url(url).database)} WITH (FORCE)")
    admin.dispose()


def prepare(url: str, users: int, importers: int) -> dict:
    """Build the demo and the accounts; return what was built."""
    from geo.auth import Principal
    from geo.demo import build_demo
    from geo.services.users import AddUserRequest, add_user

    t0 = time.perf_counter()
    last = [0.0]

    def progress(f: float, msg: str) -> None:
        if f - last[0] >= 0.2 or f >= 1.0:
            last[0] = f
            print(f"  demo {f:4.0%} {msg}", flush=True)

    info = build_demo(url, progress=progress)
    add_user(AddUserRequest("bench_admin", PASSWORD, "admin"), Principal("bench", "admin"), url)
    admin = Principal("bench_admin", "admin")
    for i in range(users):
        add_user(AddUserRequest(f"viewer{i:02d}", PASSWORD, "viewer", PROVINCE), admin, url)
    for i in range(importers):
        add_user(AddUserRequest(f"officer{i}", PASSWORD, "data_officer", PROVINCE), admin, url)
    info["build_s"] = round(time.perf_counter() - t0, 1)
    return info


# ------------------------------------------------------------------ the app server


@dataclass
class Target:
    """A running app under test: its public port and the PIDs of its app processes."""

    name: str
    port: int
    pids: list[int]
    proc: subprocess.Popen
    log: Path
    behind_proxy: bool
    run_dir: Path | None = None


def start_target(name: str, script: Path, url: str, processes: int, serve: bool,
                 options: list[str]) -> Target:
    """Start ``script`` on ``url``: one Streamlit process, or ``diaban serve``.

    ``options`` are extra ``section.name=value`` settings (``.streamlit/config.toml``
    applies otherwise, as in production).
    """
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"diaban_bench_{name}_{port}.log"
    if processes == 1 and not serve:
        proc = start_streamlit(port, log, script=script, db=url, options=options,
                               timeout=180)
        return Target(name, port, [proc.pid], proc, log, False)
    run_dir = Path(tempfile.mkdtemp(prefix=f"diaban_bench_{name}_serve_"))
    cmd = [sys.executable, "-m", "geo.cli.main", "serve", "--processes",
           str(processes), "--host", "127.0.0.1", "--port", str(port), "--run-dir",
           str(run_dir), "--app", str(script), "--json",
           *[f"--streamlit-opt={o}" for o in options]]
    env = dict(os.environ, DIABAN_DATABASE_URL=url, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *[p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]]))
    with open(log, "wb") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err,
                                text=True)
    line = proc.stdout.readline()  # the state, once the proxy answers
    if not line:
        proc.wait(30)
        sys.exit(f"diaban serve did not start (exit {proc.returncode}):\n" + log.read_text())
    st = json.loads(line)
    return Target(name, port, [a["pid"] for a in st["apps"]], proc, log, True, run_dir)


def stop_target(t: Target) -> None:
    """Stop what :func:`start_target` started."""
    stop_process(t.proc, 30)
    if t.run_dir is not None:
        shutil.rmtree(t.run_dir, ignore_errors=True)


def route_cookie(port: int) -> str | None:
    """Fetch ``/`` as a browser does first and return the proxy's route cookie, if any."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"http://127.0.0.1:{port}/", timeout=60) as r:
        for v in r.headers.get_all("Set-Cookie") or []:
            if v.startswith("diaban_route="):
                return v.split(";", 1)[0]
    return None


def rss_mb(pid: int) -> float:
    """Resident memory of a process, MiB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# ------------------------------------------------------------------ a simulated user


def _choice(rng: random.Random, options: list[str], current: str | None) -> str:
    other = [o for o in options if o != current]
    return rng.choice(other or options)


async def browse(i: int, target: Target, t_end: float, think: float,
                 communes: dict[str, list[str]], out: list[dict], seed: int,
                 delay: float = 0.0) -> None:
    """One user: wait ``delay`` s, open, log in, then browse the map until ``t_end``."""
    rng = random.Random(seed * 1000 + i)
    await asyncio.sleep(delay)
    cookie = (await asyncio.to_thread(route_cookie, target.port)
              if target.behind_proxy else None)
    b = Browser(target.port, cookie=cookie)
    user = {"edition": "legacy", "period": None, "indicator": None}

    async def request(kind: str, **kw: Any) -> Run:
        t = time.time()
        try:
            run = await b.rerun(**kw)
        except Exception as e:  # noqa: BLE001 - a failed request is a result
            # The session's message stream is out of step now: this user stops.
            run = Run(time.time() - t, 0, [f"{type(e).__name__}: {e}"])
            out.append({"user": i, "kind": kind, "t": t, "s": run.seconds, "bytes": 0,
                        "errors": run.errors})
            raise _UserStopped from e
        out.append({"user": i, "kind": kind, "t": t, "s": run.seconds, "bytes": run.nbytes,
                    "errors": run.errors})
        if think > 0:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))
        return run

    await b.connect()
    try:
        await _scenario(i, b, rng, user, request, t_end, communes)
    except _UserStopped:
        pass
    except KeyError as e:  # an expected widget is missing: the page did not draw
        out.append({"user": i, "kind": "missing_widget", "t": time.time(), "s": 0.0,
                    "bytes": 0, "errors": [str(e)]})
    finally:
        await b.close()


class _UserStopped(Exception):
    """A request failed; the simulated user leaves."""


async def _scenario(i: int, b: Browser, rng: random.Random, user: dict, request: Any,
                    t_end: float, communes: dict[str, list[str]]) -> None:
    """Open, log in, then browse until ``t_end`` (the body of :func:`browse`)."""
    await request("open")
    f = b.widgets
    await request("login", states=[
        state(f["login_user"].id, string_value=f"viewer{i:02d}"),
        state(f["login_pw"].id, string_value=PASSWORD),
        state(f["_submit"].id, trigger_value=True)])
    while time.time() < t_end:
        action = rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
        if action == "period":
            w = b.widget("map_period")
            user["period"] = _choice(rng, list(w.options), user["period"])
            await request("period", states=[
                state(w.id, string_array_value=[user["period"]])])
        elif action == "indicator":
            w = b.widget("map_ind")
            user["indicator"] = _choice(rng, list(w.options), user["indicator"])
            await request("indicator", states=[state(w.id, string_value=user["indicator"])])
        elif action == "edition":
            w = b.widget("map_ed")
            user["edition"] = "2025" if user["edition"] == "legacy" else "legacy"
            label = w.options[0 if user["edition"] == "legacy" else 1]
            await request("edition", states=[state(w.id, string_value=label)])
        else:
            code = rng.choice(communes[user["edition"]])
            click = {"last_active_drawing": {"type": "Feature", "geometry": None,
                                             "properties": {"code": code}}}
            await request("commune_click", states=[
                state(b.widgets["_component"].id, json_value=json.dumps(click))])
            if time.time() < t_end:
                await request("profile", page="profile")
            if time.time() < t_end:
                await request("back_to_map", page="")


async def probe(target: Target) -> dict:
    """Load the map once per app process (its modules load), then clear the caches.

    The probe logs in as the administrator, the only user whose "clear caches" diaban
    honours (:mod:`pages._guard`); Streamlit then empties ``st.cache_data`` and
    ``st.cache_resource`` of every process it reached.

    Behind the proxy, one session per process: each new browser goes to the process
    with the fewest open connections, so ``len(pids)`` sessions held open at once
    reach every process.
    """
    sessions = []
    runs: list[Run] = []
    for _ in range(len(target.pids)):
        cookie = (await asyncio.to_thread(route_cookie, target.port)
                  if target.behind_proxy else None)
        b = Browser(target.port, cookie=cookie)
        await b.connect()
        sessions.append(b)
        first = await b.rerun()
        login = await b.rerun(states=[
            # As the administrator: diaban honours "clear caches" from no one else.
            state(b.widgets["login_user"].id, string_value="bench_admin"),
            state(b.widgets["login_pw"].id, string_value=PASSWORD),
            state(b.widgets["_submit"].id, trigger_value=True)])
        again = await b.rerun()
        runs += [first, login, again]
    for b in sessions:
        await b.clear_cache()
    await asyncio.sleep(1.0)
    for b in sessions:
        await b.close()
    first, login, again = runs[0], runs[1], runs[2]
    return {"first_page_s": round(first.seconds, 2),
            "first_map_s": round(login.seconds, 2), "warm_map_s": round(again.seconds, 2),
            "first_map_s_per_process": [round(r.seconds, 2) for r in runs[1::3]],
            "map_page_bytes": again.nbytes, "errors": [e for r in runs for e in r.errors]}


# ------------------------------------------------------------------ importers


def _communes(edition: str) -> list[str]:
    from geo.registry import load_units

    u = load_units(edition, "commune")
    return sorted(u.code[u.province_code == PROVINCE])


def importer(i: int, n: int, url: str, t_end: float, out: list[dict], seed: int,
             pause: float = 0.0) -> None:
    """Import CSV files into the province until ``t_end`` with ``diaban import indicators``.

    One ``diaban`` process per file, as the data officer ``officer{i}``; one dict per
    import is appended to ``out``.
    """
    import numpy as np

    codes = {ed: _communes(ed)[i::n] for _, ed in IMPORT_PERIODS}
    rng = np.random.default_rng(seed * 100 + i)
    folder = Path(tempfile.mkdtemp(prefix=f"diaban_bench_imp{i}_"))
    env = dict(os.environ, DIABAN_DATABASE_URL=url, DIABAN_USER=f"officer{i}",
               DIABAN_PASSWORD=PASSWORD, DIABAN_LANG="en",
               PYTHONPATH=os.pathsep.join([str(ROOT), *[
                   p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]]))
    env.pop("DIABAN_TOKEN", None)
    j = 0
    while time.time() < t_end:
        period, edition = IMPORT_PERIODS[j % len(IMPORT_PERIODS)]
        lines = ["ma_xa,ky,chi_tieu,gia_tri"]
        for ind in IMPORT_INDICATORS:
            vals = rng.poisson(8.0, len(codes[edition]))
            lines += [f"{c},{period},{ind},{v}" for c, v in zip(codes[edition], vals)]
        path = folder / f"officer{i}_{j:04d}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        t = time.time()
        t0 = time.perf_counter()
        err = None
        rows = 0
        r = subprocess.run([sys.executable, "-m", "geo.cli.main", "import", "indicators",
                            str(path), "--province", PROVINCE, "--json"],
                           cwd=ROOT, env=env, capture_output=True, text=True)
        try:
            res = json.loads(r.stdout or "{}")
        except ValueError:
            res = {}
        if r.returncode == 0:
            rows = int(res.get("rows", 0))
        else:
            err = (r.stderr.strip() or res.get("en") or f"exit {r.returncode}")[:300]
        out.append({"importer": i, "t": t, "s": time.perf_counter() - t0, "rows": rows,
                    "period": period, "error": err})
        j += 1
        if pause > 0:
            time.sleep(pause)
    shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------ results


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")



def _pct(values: list[float], q: float) -> float:
    import numpy as np

    return round(float(np.percentile(values, q)), 2) if values else float("nan")


def _stats(rows: list[dict]) -> dict:
    s = [r["s"] for r in rows]
    return {"n": len(s), "p50": _pct(s, 50), "p95": _pct(s, 95),
            "max": round(max(s), 2) if s else float("nan")}


def summarise(samples: list[dict], imports: list[dict], t0: float, t_stop: float,
              users: int) -> dict:
    """Requests per second and page-time percentiles, overall, cold, warm and per kind."""
    missing = [r for r in samples if r["kind"] == "missing_widget"]
    samples = [r for r in samples if r["kind"] != "missing_widget"]
    first_map = {}
    for r in samples:  # each user's first map page ("login") is the cold one
        if r["kind"] == "login":
            first_map[r["user"]] = r
    cold = list(first_map.values())
    warm = [r for r in samples if r["kind"] not in ("open", "login")]
    window = t_stop - t0
    kinds = sorted({r["kind"] for r in samples})
    errors = [e for r in samples + missing for e in r["errors"]]
    imp_ok = [r for r in imports if not r["error"]]
    return {
        "users": users,
        "window_s": round(window, 1),
        "requests": len(samples),
        "requests_per_s": round(len(samples) / window, 2),
        "all": _stats(samples),
        "cold_first_map": _stats(cold),
        "warm": _stats(warm),
        "warm_requests_per_s": round(len(warm) / window, 2),
        "by_kind": {k: _stats([r for r in samples if r["kind"] == k]) for k in kinds},
        "request_errors": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "mean_page_mb": round(sum(r["bytes"] for r in warm) / max(len(warm), 1) / 1e6, 2),
        "imports": len(imp_ok),
        "import_errors": len(imports) - len(imp_ok),
        "import_error_examples": sorted({r["error"] for r in imports if r["error"]})[:5],
        "import_rows": sum(r["rows"] for r in imp_ok),
        "import_s": _stats(imp_ok),
    }


def machine() -> dict:
    """CPU count, RAM and versions of the machine and the stack."""
    from importlib.metadata import version

    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = ""
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info = {"cpus": os.cpu_count(), "cpu": cpu, "ram_gib": round(ram, 1),
            "python": platform.python_version(), "os": platform.platform()}
    for pkg in ("streamlit", "streamlit-folium", "folium", "geopandas", "sqlalchemy",
                "psycopg2-binary", "uvicorn", "websockets"):
        try:
            info[pkg] = version(pkg)
        except Exception:  # noqa: BLE001 - a package not installed under that name
            info[pkg] = None
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    dirty = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.split()
    info["commit"] = head + (" + uncommitted changes in " + ", ".join(dirty[1::2])
                             if dirty else "")
    return info


def _server_versions(url: str) -> dict:
    from sqlalchemy import text

    from geo.store import get_engine

    with get_engine(url).connect() as c:
        pg = c.execute(text("SHOW server_version")).scalar()
        gis = c.execute(text("SELECT postgis_lib_version()")).scalar()
    return {"postgresql": pg, "postgis": gis}




# ------------------------------------------------------------------ main


async def _drive(target: Target, args: argparse.Namespace, communes: dict[str, list[str]],
                 t_end: float, samples: list[dict], loads: list[float],
                 rss: dict[int, float]) -> float:
    t0 = time.time()
    last = [0]

    async def report() -> None:
        while True:
            await asyncio.sleep(5)
            n = len(samples)
            done = [r["s"] for r in samples]
            loads.append(os.getloadavg()[0])
            for pid in target.pids:
                rss[pid] = max(rss.get(pid, 0.0), rss_mb(pid))
            print(f"  {time.time() - t0:5.0f} s  requests {n:5d}  "
                  f"({(n - last[0]) / 5:.1f}/s)  p95 so far {_pct(done, 95)} s  "
                  f"load {loads[-1]:.1f}", flush=True)
            last[0] = n

    rep = asyncio.create_task(report())
    await asyncio.gather(*(browse(i, target, t_end, args.think, communes, samples, args.seed,
                                  args.ramp * i / max(args.users, 1))
                           for i in range(args.users)))
    rep.cancel()
    return time.time()


def run_one(name: str, script: Path, url: str, args: argparse.Namespace,
            communes: dict[str, list[str]]) -> tuple[dict, list[dict], list[dict]]:
    """Start ``script`` (diaban or the peer), run the users and importers, stop it.

    Returns the summary, the request samples and the imports.
    """
    serve = args.serve or args.processes > 1
    target = start_target(name, script, url, args.processes, serve, args.streamlit_opt)
    how = (f"diaban serve, {args.processes} processes behind nginx" if serve
           else "one streamlit process")
    print(f"{name}: {how} on port {target.port} (log {target.log}); probing …", flush=True)
    try:
        probed = asyncio.run(probe(target))
        print(f"  probe: {probed}", flush=True)
        print(f"{name}: {args.users} users and {args.importers} importers for "
              f"{args.duration:.0f} s (think {args.think} s) …", flush=True)
        load_before = os.getloadavg()
        cpu0 = {p: cpu_seconds(p) for p in target.pids}
        rss0 = {p: rss_mb(p) for p in target.pids}
        me0 = cpu_seconds(os.getpid())
        t0 = time.time()
        t_end = t0 + args.duration
        imports: list[dict] = []
        workers = [threading.Thread(target=importer, args=(i, args.importers, url, t_end,
                                                           imports, args.seed,
                                                           args.import_pause), daemon=True)
                   for i in range(args.importers)]
        for w in workers:
            w.start()
        samples: list[dict] = []
        loads: list[float] = []
        rss: dict[int, float] = {}
        t_stop = asyncio.run(_drive(target, args, communes, t_end, samples, loads, rss))
        server_cpu = sum(cpu_seconds(p) - c for p, c in cpu0.items()
                         if os.path.exists(f"/proc/{p}"))
        driver_cpu = cpu_seconds(os.getpid()) - me0
        browse_s = t_stop - t0
        for w in workers:
            w.join(600)
        alive = [p for p in target.pids if os.path.exists(f"/proc/{p}")]
    finally:
        stop_target(target)
    t_stop = max(t_stop, max((r["t"] + r["s"] for r in imports), default=t_stop))
    res = summarise(samples, imports, t0, t_stop, args.users)
    res |= {"app": name, "processes": args.processes, "behind_nginx": serve,
            "think_s": args.think, "ramp_s": args.ramp, "importers": args.importers,
            "import_pause_s": args.import_pause, "streamlit_opt": args.streamlit_opt,
            "load_before": [round(x, 1) for x in load_before],
            # Each app process runs Python code one thread at a time.
            "server_cpu_s": round(server_cpu, 1),
            "server_cores_busy": round(server_cpu / browse_s, 2),
            "server_cpu_s_per_request": round(server_cpu / max(res["requests"], 1), 2),
            "server_rss_mb_start": [round(rss0[p]) for p in target.pids],
            "server_rss_mb_peak": [round(rss.get(p, 0.0)) for p in target.pids],
            "app_processes_died": len(target.pids) - len(alive),
            "driver_cpu_s": round(driver_cpu, 1),
            "load_1min_during": round(sum(loads) / max(len(loads), 1), 1),
            "probe": probed}
    return res, samples, imports


def _row(label: str, r: dict) -> str:
    a, c, w = r["all"], r["cold_first_map"], r["import_s"]
    return (f"| {label} | {r['processes']} | {r['users']} | {r['importers']} | "
            f"{r['requests']} | {r['requests_per_s']} | {a['p50']} s | **{a['p95']} s** | "
            f"{a['max']} s | {c['p95']} s | {r['warm']['p95']} s | {r['imports']} | "
            f"{w['p95']} s | {r['server_cores_busy']} | "
            f"{max(r['server_rss_mb_peak'] or [0])} MiB | {r['load_before'][0]} / "
            f"{r['load_1min_during']} |")


TABLE_HEADER = ("| app | processes | users | importers | requests | req/s | p50 | **p95** | "
                "max | cold p95 | warm p95 | imports | import p95 | app cores busy | "
                "peak RSS per process | load before / during |\n"
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def main() -> None:
    """Set up, run diaban (and the peer), print a JSON summary and Markdown rows."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=20, help="browsing users")
    ap.add_argument("--importers", type=int, default=2, help="importing processes")
    ap.add_argument("--duration", type=float, default=60.0,
                    help="seconds during which new requests start")
    ap.add_argument("--think", type=float, default=5.0,
                    help="mean think time between a user's requests, s (uniform ±50%%; 0: none)")
    ap.add_argument("--processes", type=int, default=1,
                    help="app processes; more than 1 runs `diaban serve` (nginx in front)")
    ap.add_argument("--serve", action="store_true",
                    help="run `diaban serve` (nginx in front) even with one process")
    ap.add_argument("--peer", action="store_true",
                    help="also run the naive peer (bench/peer_app.py) under the same load")
    ap.add_argument("--pg-url", default=os.environ.get("DIABAN_BENCH_PG_URL"),
                    help="PostgreSQL server (any database on it); default: scripts/pg.sh start")
    ap.add_argument("--ramp", type=float, default=10.0,
                    help="users arrive evenly spread over this many seconds (0: all at once)")
    ap.add_argument("--import-pause", type=float, default=0.0,
                    help="seconds each importer waits between two imports (0: back to back)")
    ap.add_argument("--streamlit-opt", action="append", default=[], metavar="KEY=VALUE",
                    help="extra streamlit setting, e.g. server.fileWatcherType=none")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None,
                    help="write the summary and every sample as JSON here")
    args = ap.parse_args()

    server = _pg_server(args.pg_url)
    url = create_database(server)
    print(f"database {url.rsplit('/', 1)[-1]} on {server.rsplit('@', 1)[-1]}", flush=True)
    try:
        built = prepare(url, args.users, args.importers)
        facts = machine() | _server_versions(url)
        communes = {ed: _communes(ed) for ed in ("legacy", "2025")}
        res, samples, imports = run_one("diaban", APP_SCRIPT, url, args, communes)
        res |= {"demo": built, "machine": facts}
        out: dict[str, Any] = {"summary": res, "samples": samples, "imports": imports}
        if args.peer:
            peer, psamples, pimports = run_one("peer", PEER_SCRIPT, url, args, communes)
            res["peer"] = peer
            p95 = res["all"]["p95"]
            res["ratio_p95"] = (round(peer["all"]["p95"] / p95, 1)
                                if p95 and p95 == p95 else None)  # NaN: no request
            out["peer_samples"] = psamples
            out["peer_imports"] = pimports
        if args.out:
            args.out.write_text(json.dumps(out, indent=1, default=str))
        print(json.dumps(res, indent=2, default=str))
        print("\n" + TABLE_HEADER)
        print(_row("diaban", res))
        if args.peer:
            print(_row("peer (plain streamlit-folium)", res["peer"]))
            print(f"\npeer p95 ÷ diaban p95 = {res['ratio_p95']}")
    finally:
        drop_database(server, url)
        print(f"dropped {url.rsplit('/', 1)[-1]}", flush=True)


if __name__ == "__main__":
    main()
