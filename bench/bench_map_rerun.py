"""Bytes and server CPU of one map-page rerun, measured through a real Streamlit server.

The map page reruns on every click and every changed widget. This benchmark starts
the app (``streamlit run app.py``, the shipped configuration) on a copy of the demo
database, opens one session with the browser's WebSocket protocol
(:class:`bench.st_client.Browser`, which sends back the hashes of the messages it
has, as the browser does) and repeats, one at a time, what a user does:

- ``rerun``: a rerun with nothing changed (what a widget elsewhere on the page costs);
- ``click``: a click on a commune of the map (the selection comes back);
- ``period``: another period on the slider, first visits (``period_new``) and periods
  seen before in the session (``period_seen``);
- ``language``: a switch of the interface language.

For each it reports the bytes the server sent for the rerun and the CPU time the
server process used for it (``/proc/PID/stat``, measured after a short pause so the
sending is counted), median over the repetitions, and the wall time the client
waited. With ``--chromium`` it also times the first map of a fresh session in
Debian's Chromium: from navigation until the commune polygons are drawn.

Run by hand from the checkout: ``python bench/bench_map_rerun.py [--repeat N]
[--chromium] [--db URL] [--streamlit-opt KEY=VALUE]``. Without ``--db`` it builds the
demo in a temporary SQLite file. It prints a JSON result (with the machine's load
average before the run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.st_client import Browser, state  # noqa: E402
from geo.serve import APP_SCRIPT, free_port, start_streamlit, stop_process  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Communes of Sơn La (legacy) clicked in turn.
CLICKS = ["04024", "04045", "04051", "04058", "03646", "03649"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(port: int, pid: int, repeat: int) -> dict[str, list[dict]]:
    """Drive one session through the reruns; one record per rerun and kind."""
    b = Browser(port)
    await b.connect()
    out: dict[str, list[dict]] = {}

    async def run(kind: str, **kw: object) -> None:
        await asyncio.sleep(0.3)
        c0 = cpu_seconds(pid)
        r = await b.rerun(**kw)
        await asyncio.sleep(0.3)  # the server finishes sending after script_finished
        cpu = cpu_seconds(pid) - c0
        out.setdefault(kind, []).append({"bytes": r.nbytes, "cpu_s": cpu, "wall_s": r.seconds,
                                         "errors": r.errors})

    await run("open")
    await run("warm_up")  # the map page again: every module imported, caches filled
    periods = list(b.widget("map_period").options)
    start = periods[-2] if len(periods) > 1 else periods[0]
    others = [p for p in periods if p != start][: max(repeat, 1)]
    for _ in range(repeat):
        await run("rerun")
    for i in range(repeat):
        click = {"last_active_drawing": {"type": "Feature", "geometry": None,
                                         "properties": {"code": CLICKS[i % len(CLICKS)]}}}
        await run("click", states=[state(b.widgets["_component"].id,
                                         json_value=json.dumps(click))])
    for p in others:  # first visit of each period in this session
        await run("period_new", states=[state(b.widget("map_period").id,
                                              string_array_value=[p])])
    for i in range(repeat):  # back and forth between periods already seen
        p = others[i % len(others)]
        await run("period_seen", states=[state(b.widget("map_period").id,
                                               string_array_value=[p])])
    for i in range(repeat):
        w = b.widgets["lang_choice"]
        label = ["English", "Tiếng Việt"][i % 2]
        await run("language", states=[state(w.id, string_value=label)])
    await b.close()
    return out


def first_map_in_chromium(url: str, runs: int = 3) -> list[float]:
    """Seconds from navigation to the commune polygons drawn, fresh browser context each."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        br = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            ctx = br.new_context(viewport={"width": 1366, "height": 768})
            page = ctx.new_page()
            t0 = time.perf_counter()
            page.goto(url + "/")
            page.wait_for_function(
                """() => [...document.querySelectorAll('iframe')].some(f => {
                       try { return f.contentDocument && f.contentDocument
                                 .querySelectorAll('path.leaflet-interactive').length >= 100; }
                       catch (e) { return false; } })""", timeout=120_000, polling=50)
            times.append(time.perf_counter() - t0)
            ctx.close()
        br.close()
    return times


def main() -> None:
    """Run the benchmark and print a JSON result."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=6, help="reruns of each kind")
    ap.add_argument("--db", default=None, help="database URL (default: a fresh demo)")
    ap.add_argument("--chromium", action="store_true",
                    help="also time the first map of a fresh session in Chromium")
    ap.add_argument("--streamlit-opt", action="append", default=[], metavar="KEY=VALUE",
                    help="extra streamlit setting, e.g. runner.postScriptGC=false")
    args = ap.parse_args()

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as d:
        url = args.db
        if url is None:
            url = f"sqlite:///{d}/demo.db"
            subprocess.run([sys.executable, "-m", "geo.cli.main", "--db", url, "demo"],
                           check=True, capture_output=True, cwd=ROOT)
        port = free_port()
        log = Path(d) / "streamlit.log"
        proc = start_streamlit(port, log, script=APP_SCRIPT, db=url, timeout=180,
                               options=args.streamlit_opt)
        try:
            samples = asyncio.run(measure(port, proc.pid, args.repeat))
            chromium = (first_map_in_chromium(f"http://127.0.0.1:{port}")
                        if args.chromium else None)
        finally:
            stop_process(proc, 10)
    res: dict[str, object] = {"commit": subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
        text=True).stdout.strip(), "load_before": [round(x, 2) for x in load_before],
        "repeat": args.repeat, "streamlit_opt": args.streamlit_opt}
    for kind, rows in samples.items():
        res[kind] = {
            "n": len(rows),
            "bytes_median": int(statistics.median(r["bytes"] for r in rows)),
            "cpu_s_median": round(statistics.median(r["cpu_s"] for r in rows), 3),
            "wall_s_median": round(statistics.median(r["wall_s"] for r in rows), 3),
            "errors": sorted({e for r in rows for e in r["errors"]})[:3],
        }
    if chromium is not None:
        res["first_map_chromium_s"] = [round(x, 2) for x in chromium]
    res["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(res, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
