"""Time the static map of Sơn La (204 real commune polygons): A4, 300 dpi, PNG and PDF.

Run by hand from the checkout: ``python bench/bench_figure.py [--repeat N] [--out DIR]``.
Goal: each format ≤ 3 s. The first render of a process also reads Natural
Earth and builds the locator inset (cached afterwards); it is printed apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from layers.print import MapFigureSpec, render_map  # noqa: E402

GPKG = ROOT.parent / "shared" / "data" / "son_la_communes_2009.gpkg"
HOTSPOTS = {"Chiềng Khừa": "transformed", "Lóng Sập": "in_transformation",
            "Lóng Luông": "in_transformation", "Tân Xuân": "designated"}


def son_la_spec() -> MapFigureSpec:
    g = gpd.read_file(GPKG, layer="communes")
    rng = np.random.default_rng(2021)
    values = rng.poisson((g.population / 400).clip(1, 80)).astype(float)
    values[rng.choice(len(g), 12, replace=False)] = np.nan
    units = gpd.GeoDataFrame(
        {"code": g.census_id.astype(str),
         "name": g.commune.str.replace(r"^(Xã|Phường|Thị trấn) ", "", regex=True),
         "district": g.district, "value": values}, geometry=g.geometry, crs=g.crs)
    hot = units[units.name.isin(HOTSPOTS)].copy()
    hot["status"] = hot.name.map(HOTSPOTS)
    pts = units.geometry.representative_point()
    fac = gpd.GeoDataFrame(
        {"kind": ["treatment_facility", "treatment_facility", "methadone", "methadone",
                  "counselling", "counselling", "club", "methadone"]},
        geometry=list(pts.iloc[[0, 120, 30, 60, 185, 200, 150, 90]]), crs="EPSG:4326")
    return MapFigureSpec(
        units=units, title="Số người nghiện ma túy có hồ sơ quản lý",
        subtitle="6 tháng đầu năm 2024 · tỉnh Sơn La (204 xã, phường, thị trấn)",
        legend_title="Số người nghiện có hồ sơ (người)", hotspots=hot, facilities=fac,
        projected_crs="EPSG:9206", source="Dữ liệu minh họa (tổng hợp)",
        export_date=date(2026, 11, 23), approximate=True, province="tỉnh Sơn La",
        group_column="district", suppress_below=5, size="A4", dpi=300)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="keep the files in this folder")
    args = ap.parse_args()
    if not GPKG.exists():
        print(f"skipped: {GPKG} not found")
        return
    spec = son_la_spec()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_figure_"))
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    render_map(spec, out / "cold.png")
    print(f"first render in this process (reads Natural Earth): {time.perf_counter() - t:.2f} s")
    for fmt in ("png", "pdf"):
        times = []
        for i in range(args.repeat):
            t = time.perf_counter()
            path = render_map(spec, out / f"son_la_a4_300dpi_{i}.{fmt}")
            times.append(time.perf_counter() - t)
        print(f"A4 300 dpi {fmt.upper()}: median {statistics.median(times):.2f} s, "
              f"max {max(times):.2f} s over {args.repeat} "
              f"({path.stat().st_size / 1e6:.1f} MB) — goal ≤ 3 s")


if __name__ == "__main__":
    main()
