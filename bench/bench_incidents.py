"""Benchmark: 1,000,000 incident points counted per commune and half-year for Sơn La.

diaban's :func:`geo.io.incidents.count_incidents` (one STRtree query, numpy
assignment, groupby) side by side with a plain ``geopandas.sjoin`` + ``groupby``.
Each method runs in its own process so its peak memory (ru_maxrss) is its own.

Run: ``python bench/bench_incidents.py [--n 1000000]``. Needs
``../shared/data/son_la_communes_2009.gpkg`` (real polygons).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

GPKG = Path(__file__).resolve().parents[2] / "shared" / "data" / "son_la_communes_2009.gpkg"


def _points(n: int, seed: int = 0):  # noqa: ANN202 - bench helper
    import geopandas as gpd
    import numpy as np

    polys = gpd.read_file(GPKG, layer="communes")
    polys["code"] = polys.census_id.astype(str)
    minx, miny, maxx, maxy = polys.total_bounds
    rng = np.random.default_rng(seed)
    lon = rng.uniform(minx, maxx, n)
    lat = rng.uniform(miny, maxy, n)
    days = rng.integers(0, 5 * 365, n)
    dates = np.datetime64("2021-01-01") + days.astype("timedelta64[D]")
    return polys[["code", "geometry"]], lon, lat, dates


def _run(method: str, n: int) -> dict:
    import pandas as pd

    polys, lon, lat, dates = _points(n)
    t0 = time.perf_counter()
    if method == "diaban":
        from geo.io.incidents import count_incidents
        from geo.periods import period_ids

        per = period_ids(pd.Series(dates))
        counts, _ = count_incidents(lon, lat, per, polys)
    else:
        import geopandas as gpd

        from geo.periods import period_ids

        pts = gpd.GeoDataFrame({"period": period_ids(pd.Series(dates))},
                               geometry=gpd.points_from_xy(lon, lat), crs=4326)
        j = gpd.sjoin(pts, polys, predicate="within")
        counts = j.groupby(["code", "period"]).size().rename("value").reset_index()
    secs = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    return {"method": method, "n": n, "seconds": round(secs, 2), "peak_mib": round(peak),
            "rows": len(counts), "points_counted": int(counts["value"].sum())}


def main() -> None:
    """Run both methods in subprocesses and print a Markdown table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--method", default=None)
    a = ap.parse_args()
    if a.method:
        print(json.dumps(_run(a.method, a.n)))
        return
    if not GPKG.exists():
        sys.exit(f"missing {GPKG}")
    out = []
    for m in ("diaban", "sjoin"):
        r = subprocess.run([sys.executable, __file__, "--n", str(a.n), "--method", m],
                           capture_output=True, text=True, check=True)
        out.append(json.loads(r.stdout.strip().splitlines()[-1]))
    print("| method | points | seconds | peak memory (MiB) | (commune, period) rows | "
          "points counted |")
    print("|---|---|---|---|---|---|")
    for r in out:
        print(f"| {r['method']} | {r['n']:,} | {r['seconds']} | {r['peak_mib']} | {r['rows']} "
              f"| {r['points_counted']:,} |")


if __name__ == "__main__":
    main()
