"""Whole-country map benchmark: ~10,040 pre-2025 commune polygons on one map.

Measures the page payload and the time until the polygons are drawn in headless
Debian Chromium, for diaban's map (coverage-simplified, rounded coordinates,
canvas renderer, offline assets inlined) side by side with a plain folium
GeoJson layer of the same polygons.

Run: ``python -m bench.bench_map`` (builds the approximate country coverage
once, ~2 minutes, cached in ``~/.cache/diaban/``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np

CACHE = Path.home() / ".cache" / "diaban"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def country() -> gpd.GeoDataFrame:
    """Approximate legacy communes of the whole country (cached)."""
    path = CACHE / "country_legacy.gpkg"
    if not path.exists():
        from geo.approx import approximate_country

        CACHE.mkdir(parents=True, exist_ok=True)
        approximate_country().to_file(path, driver="GPKG")
    return gpd.read_file(path)


def diaban_html(gdf: gpd.GeoDataFrame) -> str:
    """diaban's map: per-province coverage simplification, 1e-4° grid, canvas."""
    from geo.mapdata import display_geometries
    from layers.maps import choropleth_map, classify_values
    from layers.offline import standalone_html

    parts = [display_geometries(g, tolerance_m=500.0) for _, g in gdf.groupby("province_code")]
    simp = gpd.GeoDataFrame(gpd.pd.concat(parts, ignore_index=True), crs=4326)
    rng = np.random.default_rng(0)
    simp["value"] = rng.gamma(2, 10, len(simp))
    simp["name"] = simp.code
    simp["district_name"] = ""
    m = choropleth_map(simp, title="bench", classes=classify_values(simp.value.to_numpy()),
                       precision=1e-4, prefer_canvas=True)
    return standalone_html(m)


def plain_html(gdf: gpd.GeoDataFrame) -> str:
    """A plain folium GeoJson layer of the same polygons (offline assets inlined too)."""
    from layers.offline import standalone_html

    m = folium.Map(tiles=None)
    folium.GeoJson(gdf[["code", "geometry"]].to_json()).add_to(m)
    b = gdf.total_bounds
    m.fit_bounds([[b[1], b[0]], [b[3], b[2]]])
    return standalone_html(m)


def time_to_draw(path: Path, n: int, canvas: bool) -> float:
    """Seconds from navigation start until the polygons are on screen."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        t0 = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load", timeout=300_000)
        if canvas:
            # Leaflet's canvas renderer draws on the first animation frame after load.
            page.wait_for_function("() => document.querySelector('canvas.leaflet-zoom-animated')"
                                   " !== null", timeout=300_000)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                          "requestAnimationFrame(r)))")
        else:
            page.wait_for_function(f"() => document.querySelectorAll('path.leaflet-interactive')"
                                   f".length >= {n}", timeout=300_000)
        dt = time.perf_counter() - t0
        page.screenshot(path=str(path.with_suffix(".png")))
        b.close()
    return dt


def main() -> None:
    """Run the benchmark and print a JSON result."""
    gdf = country()
    out = Path("/tmp/diaban_bench_map")
    out.mkdir(exist_ok=True)
    res = {"polygons": len(gdf)}
    for name, fn, canvas in (("diaban", diaban_html, True), ("plain_folium", plain_html, False)):
        t0 = time.perf_counter()
        html = fn(gdf)
        build = time.perf_counter() - t0
        f = out / f"{name}.html"
        f.write_text(html, encoding="utf-8")
        draws = [time_to_draw(f, len(gdf), canvas) for _ in range(3)]
        res[name] = {"payload_mb": round(f.stat().st_size / 1e6, 2),
                     "build_s": round(build, 2), "draw_s_median": round(float(np.median(draws)), 2),
                     "draw_s_all": [round(d, 2) for d in draws]}
        print(name, res[name], flush=True)
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
