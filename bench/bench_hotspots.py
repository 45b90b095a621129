"""Time emerging hot spots at national scale: ~10,040 communes × 10 half-years.

Run by hand from the checkout:
``python bench/bench_hotspots.py [--permutations 999] [--n-jobs 1] [--periods 10]``.
Goal: Gi* with 999 permutations in every period plus the emerging classification
≤ 30 s on the 2-core development machine. The polygons are a 251 × 40 grid of squares
(10,040 units, 8 queen neighbours inside); the values are noise with three planted
clusters (one appearing, one always there, one fading) so every kind of work happens.
esda's permutation kernel is compiled by numba on its first call in a process; that
cost is printed apart.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import box

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.stats import (  # noqa: E402
    classify_emerging,
    contiguity_weights,
    emerging_hotspots,
    local_gistar,
)

NX, NY = 251, 40  # 10,040 units


def layer() -> gpd.GeoDataFrame:
    cells = [box(i, j, i + 1, j + 1) for j in range(NY) for i in range(NX)]
    codes = [f"{k:05d}" for k in range(NX * NY)]
    return gpd.GeoDataFrame({"code": codes}, geometry=cells, crs=3405)  # metres


def values(codes: list[str], n_periods: int) -> pd.DataFrame:
    rng = np.random.default_rng(2021)

    def square(i0: int, j0: int, size: int) -> np.ndarray:
        return np.array([(j0 + dj) * NX + i0 + di for dj in range(size)
                         for di in range(size)])

    appearing, always, fading = square(30, 10, 5), square(120, 20, 6), square(200, 5, 5)
    cols = {}
    for t in range(n_periods):
        y = rng.poisson(8, len(codes)).astype(float)
        if t >= n_periods - 3:
            y[appearing] += 25
        y[always] += 25
        y[fading] += 25 * max(0.0, 1 - t / (n_periods - 1))
        cols[f"t{t:02d}"] = y
    return pd.DataFrame(cols, index=codes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--permutations", type=int, default=999)
    ap.add_argument("--n-jobs", type=int, default=1)
    ap.add_argument("--periods", type=int, default=10)
    args = ap.parse_args()

    try:
        import numba
        print(f"numba {numba.__version__}")
    except ImportError:
        print("numba not installed: esda runs its pure-Python permutation loop")

    t0 = time.perf_counter()
    small = contiguity_weights(layer().iloc[:100]).w
    local_gistar(np.arange(100.0), small, permutations=9, n_jobs=args.n_jobs)
    compile_s = time.perf_counter() - t0
    print(f"first Gi* call in this process (numba compile, 100 units): {compile_s:6.1f} s")

    t0 = time.perf_counter()
    gdf = layer()
    wr = contiguity_weights(gdf)
    weights_s = time.perf_counter() - t0
    print(f"queen weights, {wr.w.n} polygons ({len(wr.islands)} islands):      "
          f"{weights_s:6.1f} s")

    table = values(list(gdf.code), args.periods)
    stamps: list[float] = []
    t0 = time.perf_counter()
    res = emerging_hotspots(table, wr.w, permutations=args.permutations, seed=12345,
                            n_jobs=args.n_jobs,
                            progress=lambda f, m: stamps.append(time.perf_counter()))
    total_s = time.perf_counter() - t0
    per_period = np.diff([t0] + stamps[:-1])
    classify_s = stamps[-1] - stamps[-2]
    print(f"Gi* per period ({args.permutations} permutations, n_jobs={args.n_jobs}): "
          f"mean {per_period.mean():.2f} s, max {per_period.max():.2f} s")
    print(f"emerging classification (Mann-Kendall + rules):   {classify_s:6.2f} s")
    print(f"emerging_hotspots total, {args.periods} periods:          {total_s:6.1f} s"
          f"  (goal ≤ 30 s)")

    z = res[[c for c in res.columns if c.startswith("z_")]].to_numpy()
    t0 = time.perf_counter()
    classify_emerging(z, np.abs(z) > 3)
    print(f"classify_emerging alone, {len(z)} units:              "
          f"{time.perf_counter() - t0:6.2f} s")
    print(f"with weights and first-call compile:              "
          f"{compile_s + weights_s + total_s:6.1f} s")
    print("categories:", res.category.value_counts().to_dict())
    p_min, alpha = 1 / (args.permutations + 1), 0.10
    print(f"FDR note: with p_sim ≥ {p_min:.4f}, a period has hot spots only if at least "
          f"{int(np.ceil(p_min * wr.w.n / alpha))} units reach that p-value "
          f"(alpha {alpha}, {wr.w.n} units)")


if __name__ == "__main__":
    main()
