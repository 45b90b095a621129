"""CPU of one map-page rerun: build the Sơn La map and render its HTML.

Streamlit reruns the map page on every click, and ``st_folium`` renders the whole
folium map to HTML each time. This benchmark repeats the map work of one rerun with
the page's cached data (demo database, legacy edition, latest period, hotspots and
facilities shown): ``choropleth_map`` and ``make_offline`` (build), then ``render``
of the root element. It reports the process CPU time of each, and how much of it
went into compiling branca's Jinja templates, and whether those templates repeat
between reruns (a cache keyed by template text helps only if they do).

Run by hand from the checkout: ``python bench/bench_map_rerun.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import branca.element as be  # noqa: E402

from geo.demo import build_demo  # noqa: E402
from geo.mapdata import display_geometries, hotspot_status, map_frame  # noqa: E402
from geo.store import (  # noqa: E402
    available_periods,
    facilities,
    session_scope,  # noqa: E402
)
from layers.maps import choropleth_map, classify_values  # noqa: E402
from layers.offline import make_offline  # noqa: E402

BRANCA_TEMPLATE = be.Template


class _Compiles:
    """Stands in for ``branca.element.Template``: times and records each compilation."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.texts: list[str] = []

    def __call__(self, source: str, *args: object, **kwargs: object) -> object:
        t0 = time.process_time()
        out = BRANCA_TEMPLATE(source, *args, **kwargs)
        self.seconds += time.process_time() - t0
        self.texts.append(source)
        return out


def rerun(gdf: object, hot: object, fac: object) -> tuple[float, float, int]:
    """One rerun's map work: (build CPU s, render CPU s, HTML characters)."""
    t0 = time.process_time()
    classes = classify_values(gdf.value.to_numpy(), "quantiles", 5, "vi", 0)
    m = make_offline(choropleth_map(
        gdf, title="Người nghiện có hồ sơ", classes=classes, lang="vi", value_label="Giá trị",
        hotspots=hot, facilities=fac, approximate=True, digits=0, height=600))
    t1 = time.process_time()
    html = m.get_root().render()
    return t1 - t0, time.process_time() - t1, len(html)


def main() -> None:
    """Run the benchmark and print a JSON result."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20, help="reruns to time")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as d:
        url = f"sqlite:///{d}/demo.db"
        build_demo(url)
        with session_scope(url) as s:
            period = [p for p in available_periods(s) if p < "2025-H2"][-1]
            gdf = display_geometries(map_frame(s, "14", "legacy", "registered_addicts",
                                               period, "count"))
            hot = hotspot_status(s, "14", "legacy")
            fac = facilities(s, "14")

    rerun(gdf, hot, fac)  # warm-up: imports, class-level templates
    build, render = [], []
    compiles = _Compiles()
    be.Template = compiles
    try:
        texts_per_rerun = []
        for _ in range(args.repeat):
            before = len(compiles.texts)
            b, r, size = rerun(gdf, hot, fac)
            build.append(b)
            render.append(r)
            texts_per_rerun.append(set(compiles.texts[before:]))
    finally:
        be.Template = BRANCA_TEMPLATE
    total = sum(build) + sum(render)
    res = {
        "communes": len(gdf), "hotspots": len(hot), "facilities": len(fac), "period": period,
        "html_mb": round(size / 1e6, 2), "repeat": args.repeat,
        "build_cpu_s_median": round(statistics.median(build), 3),
        "render_cpu_s_median": round(statistics.median(render), 3),
        "templates_compiled_per_rerun": len(compiles.texts) // args.repeat,
        "template_compile_share": round(compiles.seconds / total, 2),
        "templates_repeated_next_rerun": len(texts_per_rerun[0] & texts_per_rerun[1])
        if args.repeat > 1 else None,
    }
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
