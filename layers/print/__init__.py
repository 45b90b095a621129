"""Printed maps: briefing figures on A4/A3 pages (PNG, PDF, SVG) with matplotlib.

The briefing figure shows one indicator for one period (or every period as
small multiples) with a title, legend, scale bar, north arrow, a locator inset
of Vietnam with the Hoàng Sa and Trường Sa archipelagos, source and export date.
It is kept apart from the interactive folium maps of :mod:`layers.maps`, but
shares their classes and colours (:mod:`layers.classes`) and their vocabulary
(:mod:`geo.vocab`).

The map is drawn in the province's projected CRS (VN-2000 TM-3 zone), reached
through the pinned transformations of :mod:`geo.crs`, so the scale bar and the
printed scale ``1:N`` are true at the page size. Fonts are DejaVu Sans (it has
every Vietnamese glyph), embedded as TrueType in PDF and kept as ``<text>`` in
SVG. Values below ``suppress_below`` are never printed nor used to classify:
they form a class of their own shown as ``< N``.

Rooms: :mod:`~layers.print.spec` (what a figure shows, the one check of its
options), :mod:`~layers.print.page` (paper, formats, fonts),
:mod:`~layers.print.legend`, :mod:`~layers.print.furniture` (title and source
blocks, scale bar, north arrow, inset), :mod:`~layers.print.labels` (hotspot
labels), :mod:`~layers.print.compose` (the page and its render),
:mod:`~layers.print.tables` (the briefing pack's table page). This package draws
what it is given: it reads no database (the exports service,
:mod:`geo.services.exports`, gathers the data).

Examples
--------
>>> spec = MapFigureSpec(units=gdf, title="Người nghiện có hồ sơ quản lý",
...                      subtitle="6 tháng đầu năm 2024 · tỉnh Sơn La",
...                      legend_title="Số người", projected_crs="EPSG:9206",
...                      source="Công an tỉnh Sơn La", suppress_below=5)  # doctest: +SKIP
>>> render_map(spec, "son_la.pdf")  # doctest: +SKIP
"""

from __future__ import annotations

from layers.classes import Classes, format_value
from layers.print.compose import render_map, render_small_multiples
from layers.print.furniture import inset_geometries
from layers.print.legend import classify_figure
from layers.print.page import FORMATS, ORIENTATIONS, PAGE_SIZES
from layers.print.spec import DPI_RANGE, MapFigureSpec, check_options, check_spec
from layers.print.tables import render_table_page

__all__ = [
    "DPI_RANGE",
    "FORMATS",
    "ORIENTATIONS",
    "PAGE_SIZES",
    "Classes",
    "MapFigureSpec",
    "check_options",
    "check_spec",
    "classify_figure",
    "format_value",
    "inset_geometries",
    "render_map",
    "render_small_multiples",
    "render_table_page",
]
