"""Concurrent users on PostgreSQL: N people browsing the map while M import figures.

What runs:

- a fresh PostgreSQL/PostGIS database with the Sơn La demo (``geo.demo.build_demo``),
  dropped at the end; one viewer account per browsing user and one data-officer
  account per importer (login is on, as in any multi-user install);
- the real app, ``streamlit run app.py``, on that database;
- N simulated browsers, each one Streamlit session over the same WebSocket protocol
  the browser uses (``/_stcore/stream``, protobuf ``BackMsg``/``ForwardMsg``): open
  the app, log in, then until the time is up change the period slider, the
  indicator or the administrative units, or click a commune on the map, open its
  profile and go back to the map; users arrive spread over ``--ramp`` seconds and
  wait a think time between clicks (``--think``);
- M importer processes, each importing CSV files of commune figures for Sơn La
  (``geo.services.imports.import_file``, as ``diaban import indicators`` does) into the
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
first map page is a cold start of the shared caches; it is reported apart.

Run: ``python bench/bench_concurrent.py [--users 20] [--importers 2] [--duration 60]
[--think 5] [--ramp 10] [--pg-url URL] [--streamlit-opt server.fileWatcherType=none]
[--out samples.json]``. Without ``--pg-url`` it runs ``scripts/pg.sh start``. Progress
is printed every 5 s; the end prints a JSON summary and a Markdown table row. Results
are recorded in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
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
FINISHED_EARLY_FOR_RERUN = 2


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

    from geo.db import dispose_engines

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(url: str, port: int, log: Path, options: list[str] | None = None
              ) -> subprocess.Popen:
    """Start ``streamlit run app.py`` on ``url`` and wait until it answers.

    ``options`` are extra ``section.name=value`` settings (``.streamlit/config.toml``
    applies otherwise, as in production).
    """
    env = dict(os.environ, DIABAN_DATABASE_URL=url)
    extra = [f"--{o.split('=', 1)[0]}={o.split('=', 1)[1]}" for o in options or []]
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", *extra],
            cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    sys.exit("streamlit did not start:\n" + log.read_text())


def stop_app(proc: subprocess.Popen) -> None:
    """Stop the app server started by :func:`start_app`."""
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


# ------------------------------------------------------------------ a simulated browser


@dataclass
class Run:
    """One request as the client saw it."""

    seconds: float
    nbytes: int
    errors: list[str] = field(default_factory=list)


class Browser:
    """One Streamlit session driven over the browser's WebSocket protocol.

    It keeps what a browser keeps between runs: the widgets on screen (id,
    options), the app's pages, and the hashes of cacheable messages it has
    received (sent back so the server may answer with references). Only the
    widget that changed is sent with a rerun; the server keeps the others.
    """

    def __init__(self, port: int) -> None:
        self.uri = f"ws://127.0.0.1:{port}/_stcore/stream"
        self.ws: Any = None
        self.widgets: dict[str, Any] = {}  # user key (or element type) -> element proto
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.cached: set[str] = set()
        self.page_hash = ""

    async def connect(self) -> None:
        """Open the WebSocket (a new Streamlit session)."""
        from websockets.asyncio.client import connect

        self.ws = await connect(self.uri, subprotocols=["streamlit"], max_size=None,
                                open_timeout=60, ping_interval=None)

    async def close(self) -> None:
        """Close the session."""
        if self.ws is not None:
            await self.ws.close()

    async def rerun(self, states: list | None = None, page: str | None = None,
                    timeout: float = 600.0) -> Run:
        """Send a rerun with changed widget ``states`` (or open ``page``); wait for it."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        cs = msg.rerun_script
        if page is not None:
            self.page_hash = self.pages.get(page, "")
            cs.page_name = page
        cs.page_script_hash = self.page_hash
        for s in states or []:
            cs.widget_states.widgets.append(s)
        cs.cached_message_hashes.extend(sorted(self.cached))
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        run = await asyncio.wait_for(self._receive(), timeout)
        run.seconds = time.perf_counter() - t0
        return run

    async def clear_cache(self) -> None:
        """Ask the server to clear ``st.cache_data`` and ``st.cache_resource`` (all users)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.clear_cache = True
        await self.ws.send(msg.SerializeToString())

    async def _receive(self) -> Run:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        run = Run(0.0, 0)
        widgets: dict[str, Any] = {}
        while True:
            data = await self.ws.recv()
            run.nbytes += len(data)
            m = ForwardMsg()
            m.ParseFromString(data)
            if m.metadata.cacheable and m.hash:
                self.cached.add(m.hash)
            kind = m.WhichOneof("type")
            if kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in m.navigation.app_pages}
            elif kind == "page_info_changed" or kind == "new_session":
                continue
            elif kind == "delta" and m.delta.WhichOneof("type") == "new_element":
                self._element(m.delta.new_element, widgets, run)
            elif kind == "script_finished":
                if m.script_finished == FINISHED_EARLY_FOR_RERUN:
                    widgets = {}  # st.rerun: the next run redraws the page
                    continue
                if m.script_finished != 0:
                    run.errors.append(f"script_finished={m.script_finished}")
                self.widgets = widgets
                return run

    @staticmethod
    def _element(el: Any, widgets: dict[str, Any], run: Run) -> None:
        kind = el.WhichOneof("type")
        sub = getattr(el, kind)
        if kind == "exception":
            run.errors.append(f"{sub.type}: {sub.message[:200]}")
        elif kind == "alert" and sub.format == 1:  # st.error
            run.errors.append(f"error: {sub.body[:200]}")
        elif kind == "component_instance":
            widgets["_component"] = sub
        elif kind == "button" and sub.is_form_submitter:
            widgets["_submit"] = sub
        else:
            wid = getattr(sub, "id", "") if hasattr(sub, "id") else ""
            if isinstance(wid, str) and wid.startswith("$$ID-"):
                widgets[wid.split("-", 2)[2]] = sub

    def widget(self, key_prefix: str) -> Any:
        """The widget whose user key starts with ``key_prefix`` (language suffix aside)."""
        for k, w in self.widgets.items():
            if k.startswith(key_prefix):
                return w
        raise KeyError(f"no widget {key_prefix!r} on the page; have {sorted(self.widgets)}")


def _state(wid: str, **value: Any) -> Any:
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    s = WidgetState(id=wid)
    for k, v in value.items():
        if k == "string_array_value":
            s.string_array_value.data.extend(v)
        else:
            setattr(s, k, v)
    return s


def _choice(rng: random.Random, options: list[str], current: str | None) -> str:
    other = [o for o in options if o != current]
    return rng.choice(other or options)


async def browse(i: int, port: int, t_end: float, think: float, communes: dict[str, list[str]],
                 out: list[dict], seed: int, delay: float = 0.0) -> None:
    """One user: wait ``delay`` s, open, log in, then browse the map until ``t_end``."""
    rng = random.Random(seed * 1000 + i)
    await asyncio.sleep(delay)
    b = Browser(port)
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
        _state(f["login_user"].id, string_value=f"viewer{i:02d}"),
        _state(f["login_pw"].id, string_value=PASSWORD),
        _state(f["_submit"].id, trigger_value=True)])
    while time.time() < t_end:
        action = rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
        if action == "period":
            w = b.widget("map_period")
            user["period"] = _choice(rng, list(w.options), user["period"])
            await request("period", states=[
                _state(w.id, string_array_value=[user["period"]])])
        elif action == "indicator":
            w = b.widget("map_ind")
            user["indicator"] = _choice(rng, list(w.options), user["indicator"])
            await request("indicator", states=[_state(w.id, string_value=user["indicator"])])
        elif action == "edition":
            w = b.widget("map_ed")
            user["edition"] = "2025" if user["edition"] == "legacy" else "legacy"
            label = w.options[0 if user["edition"] == "legacy" else 1]
            await request("edition", states=[_state(w.id, string_value=label)])
        else:
            code = rng.choice(communes[user["edition"]])
            click = {"last_active_drawing": {"type": "Feature", "geometry": None,
                                             "properties": {"code": code}}}
            await request("commune_click", states=[
                _state(b.widgets["_component"].id, json_value=json.dumps(click))])
            if time.time() < t_end:
                await request("profile", page="profile")
            if time.time() < t_end:
                await request("back_to_map", page="")


async def probe(port: int) -> dict:
    """Load the map once (the server imports its modules), then clear the shared caches."""
    b = Browser(port)
    await b.connect()
    first = await b.rerun()
    f = b.widgets
    login = await b.rerun(states=[
        _state(f["login_user"].id, string_value="viewer00"),
        _state(f["login_pw"].id, string_value=PASSWORD),
        _state(f["_submit"].id, trigger_value=True)])
    again = await b.rerun()
    await b.clear_cache()
    await asyncio.sleep(1.0)
    await b.close()
    return {"first_page_s": round(first.seconds, 2),
            "first_map_s": round(login.seconds, 2), "warm_map_s": round(again.seconds, 2),
            "map_page_bytes": again.nbytes, "errors": first.errors + login.errors + again.errors}


# ------------------------------------------------------------------ importers


def _communes(edition: str) -> list[str]:
    from geo.registry import load_units

    u = load_units(edition, "commune")
    return sorted(u.code[u.province_code == PROVINCE])


def importer(i: int, n: int, url: str, ready: Any, go: Any, t_end: Any, out: Any,
             seed: int, pause: float = 0.0) -> None:
    """Import CSV files into the province until ``t_end``; put one dict per import on ``out``."""
    import numpy as np

    from geo.auth import Principal
    from geo.errors import DiabanError
    from geo.services.imports import IndicatorsRequest, import_file

    codes = {ed: _communes(ed)[i::n] for _, ed in IMPORT_PERIODS}
    # The data officer's account, as the CLI resolves it after login.
    me = Principal(f"officer{i}", "data_officer", PROVINCE)
    rng = np.random.default_rng(seed * 100 + i)
    folder = Path(tempfile.mkdtemp(prefix=f"diaban_bench_imp{i}_"))
    ready.set()
    go.wait()
    j = 0
    while time.time() < t_end.value:
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
        try:
            res = import_file(IndicatorsRequest(path, province=PROVINCE), me, url)
            rows = res.rows
        except DiabanError as e:
            err = e.message("en")[:300]
        except Exception as e:  # noqa: BLE001 - a failed import is a result
            err = f"{type(e).__name__}: {str(e)[:300]}"
        out.put({"importer": i, "t": t, "s": time.perf_counter() - t0, "rows": rows,
                 "period": period, "error": err})
        j += 1
        if pause > 0:
            time.sleep(pause)
    out.put(None)


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

    from geo.db import get_engine

    with get_engine(url).connect() as c:
        pg = c.execute(text("SHOW server_version")).scalar()
        gis = c.execute(text("SELECT postgis_lib_version()")).scalar()
    return {"postgresql": pg, "postgis": gis}


# ------------------------------------------------------------------ main


async def _drive(port: int, args: argparse.Namespace, communes: dict[str, list[str]],
                 t_end: float, samples: list[dict], loads: list[float]) -> float:
    t0 = time.time()
    last = [0]

    async def report() -> None:
        while True:
            await asyncio.sleep(5)
            n = len(samples)
            done = [r["s"] for r in samples]
            loads.append(os.getloadavg()[0])
            print(f"  {time.time() - t0:5.0f} s  requests {n:5d}  "
                  f"({(n - last[0]) / 5:.1f}/s)  p95 so far {_pct(done, 95)} s  "
                  f"load {loads[-1]:.1f}", flush=True)
            last[0] = n

    rep = asyncio.create_task(report())
    await asyncio.gather(*(browse(i, port, t_end, args.think, communes, samples, args.seed,
                                  args.ramp * i / max(args.users, 1))
                           for i in range(args.users)))
    rep.cancel()
    return time.time()


def main() -> None:
    """Set up, run the users and importers, print a JSON summary and a Markdown row."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=20, help="browsing users")
    ap.add_argument("--importers", type=int, default=2, help="importing processes")
    ap.add_argument("--duration", type=float, default=60.0,
                    help="seconds during which new requests start")
    ap.add_argument("--think", type=float, default=5.0,
                    help="mean think time between a user's requests, s (uniform ±50%%; 0: none)")
    ap.add_argument("--pg-url", default=os.environ.get("DIABAN_BENCH_PG_URL"),
                    help="PostgreSQL server (any database on it); default: scripts/pg.sh start")
    ap.add_argument("--ramp", type=float, default=10.0,
                    help="users arrive evenly spread over this many seconds (0: all at once)")
    ap.add_argument("--import-pause", type=float, default=0.0,
                    help="seconds each importer waits between two imports (0: back to back)")
    ap.add_argument("--streamlit-opt", action="append", default=[], metavar="KEY=VALUE",
                    help="extra streamlit setting, e.g. server.fileWatcherType=none")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None, help="write every sample as JSON here")
    args = ap.parse_args()

    server = _pg_server(args.pg_url)
    url = create_database(server)
    print(f"database {url.rsplit('/', 1)[-1]} on {server.rsplit('@', 1)[-1]}", flush=True)
    proc = None
    ctx = mp.get_context("spawn")
    workers: list = []
    try:
        built = prepare(url, args.users, args.importers)
        facts = machine() | _server_versions(url)
        communes = {ed: _communes(ed) for ed in ("legacy", "2025")}
        port = _free_port()
        log = Path(tempfile.gettempdir()) / f"diaban_bench_streamlit_{port}.log"
        proc = start_app(url, port, log, args.streamlit_opt)
        print(f"app on port {port} (log {log}); probing …", flush=True)
        probed = asyncio.run(probe(port))
        print(f"  probe: {probed}", flush=True)

        ready = [ctx.Event() for _ in range(args.importers)]
        go = ctx.Event()
        t_end = ctx.Value("d", 0.0)
        q = ctx.Queue()
        workers = [ctx.Process(target=importer, args=(i, args.importers, url, ready[i], go,
                                                      t_end, q, args.seed, args.import_pause))
                   for i in range(args.importers)]
        for w in workers:
            w.start()
        for e in ready:
            e.wait(300)
        print(f"running {args.users} users and {args.importers} importers for "
              f"{args.duration:.0f} s (think {args.think} s) …", flush=True)
        load_before = os.getloadavg()
        cpu0 = cpu_seconds(proc.pid)
        me0 = cpu_seconds(os.getpid())
        t0 = time.time()
        t_end.value = t0 + args.duration
        go.set()
        samples: list[dict] = []
        loads: list[float] = []
        t_stop = asyncio.run(_drive(port, args, communes, t_end.value, samples, loads))
        server_cpu = cpu_seconds(proc.pid) - cpu0
        driver_cpu = cpu_seconds(os.getpid()) - me0
        browse_s = t_stop - t0
        imports: list[dict] = []
        left = args.importers
        while left:
            r = q.get(timeout=600)
            if r is None:
                left -= 1
            else:
                imports.append(r)
        for w in workers:
            w.join(60)
        t_stop = max(t_stop, max((r["t"] + r["s"] for r in imports), default=t_stop))
        res = summarise(samples, imports, t0, t_stop, args.users)
        res |= {"think_s": args.think, "ramp_s": args.ramp, "importers": args.importers,
                "import_pause_s": args.import_pause, "streamlit_opt": args.streamlit_opt,
                "load_before": [round(x, 1) for x in load_before],
                # The app server is one process; Python code runs one thread at a time.
                "server_cpu_s": round(server_cpu, 1),
                "server_cores_busy": round(server_cpu / browse_s, 2),
                "server_cpu_s_per_request": round(server_cpu / max(res["requests"], 1), 2),
                "driver_cpu_s": round(driver_cpu, 1),
                "load_1min_during": round(sum(loads) / max(len(loads), 1), 1),
                "probe": probed,
                "demo": built, "machine": facts}
        if args.out:
            args.out.write_text(json.dumps({"summary": res, "samples": samples,
                                            "imports": imports}, indent=1, default=str))
        print(json.dumps(res, indent=2, default=str))
        a, c, w = res["all"], res["cold_first_map"], res["import_s"]
        print("\n| users | importers | requests | window | req/s | p50 | p95 | max | cold p95 "
              "| warm p95 | imports | import p95 | server cores busy | load |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        print(f"| {args.users} | {args.importers} | {res['requests']} | {res['window_s']} s | "
              f"{res['requests_per_s']} | {a['p50']} s | {a['p95']} s | {a['max']} s | "
              f"{c['p95']} s | {res['warm']['p95']} s | {res['imports']} | {w['p95']} s | "
              f"{res['server_cores_busy']} | {res['load_1min_during']} |")
    finally:
        for w in workers:
            if w.is_alive():
                w.terminate()
        if proc is not None:
            stop_app(proc)
        drop_database(server, url)
        print(f"dropped {url.rsplit('/', 1)[-1]}", flush=True)


if __name__ == "__main__":
    main()
