"""Map furniture: title and source blocks, scale bar, north arrow, locator inset.

The locator inset shows the whole of Vietnam with the Hoàng Sa and Trường Sa
archipelagos as Vietnamese territory (:func:`layers.basemap.vietnam_layers`), the
mapped area highlighted; it is drawn in WGS 84 / UTM 48N, which holds the
country and both archipelagos.
"""

from __future__ import annotations

import math
from datetime import date

import geopandas as gpd
import matplotlib.patches
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.colors import to_hex, to_rgb
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle
from pyproj import CRS
from shapely.geometry import box

from geo.crs import transformer
from geo.i18n import fmt_number, tr
from layers.basemap import neighbour_countries, vietnam_layers
from layers.print.geometry import draw_polys, lonlat, project
from layers.print.page import (
    HIGHLIGHT,
    INK,
    LAND_OTHER,
    LAND_VN,
    MUTED,
    SEA,
    Page,
    nfc,
)
from layers.print.spec import MapFigureSpec

__all__ = [
    "INSET_CRS",
    "archipelago_labels",
    "draw_header_footer",
    "draw_inset",
    "draw_north",
    "draw_scalebar",
    "grid_convergence",
    "inset_geometries",
    "inset_size",
    "north_size",
    "scalebar_size",
]

#: CRS of the locator inset: WGS 84 / UTM 48N holds the whole country and both archipelagos.
INSET_CRS = "EPSG:32648"


# ------------------------------------------------------------------ inset


def _inset_frame() -> shapely.Polygon:
    t = transformer("EPSG:4326", INSET_CRS)
    xs, ys = t.transform([101.7, 114.4, 114.4, 101.7], [6.2, 6.2, 23.6, 23.6])
    return box(min(xs), min(ys), max(xs), max(ys))


_INSET_CACHE: dict[str, gpd.GeoDataFrame] = {}


def _inset_base() -> gpd.GeoDataFrame:
    if "base" not in _INSET_CACHE:
        frame = _inset_frame()
        t = transformer(INSET_CRS, "EPSG:4326")
        fx, fy = t.transform(*frame.exterior.xy)
        clip_ll = box(min(fx) - 1, min(fy) - 1, max(fx) + 1, max(fy) + 1)
        nb = neighbour_countries()
        nb = nb[nb.intersects(clip_ll)].copy()
        nb["geometry"] = nb.geometry.intersection(clip_ll)
        nb = project(lonlat(nb), INSET_CRS)
        nb = gpd.GeoDataFrame({"role": "neighbour", "key": nb["iso_a3"].str.lower(),
                               "territory": nb["iso_a3"], "label_vi": "", "label_en": ""},
                              geometry=nb.geometry.values, crs=INSET_CRS)
        vn = vietnam_layers(INSET_CRS)
        fr = gpd.GeoDataFrame({"role": ["frame"], "key": ["frame"], "territory": [""],
                               "label_vi": [""], "label_en": [""]}, geometry=[frame],
                              crs=INSET_CRS)
        base = pd.concat([fr, nb, vn], ignore_index=True)
        base["geometry"] = shapely.simplify(base.geometry.values, 400.0, preserve_topology=True)
        _INSET_CACHE["base"] = gpd.GeoDataFrame(base, geometry="geometry", crs=INSET_CRS)
    return _INSET_CACHE["base"].copy()


def inset_geometries(spec: MapFigureSpec, area: shapely.Geometry | None = None
                     ) -> gpd.GeoDataFrame:
    """Everything the locator inset draws, in the inset's CRS (UTM 48N).

    Parameters
    ----------
    spec : MapFigureSpec
        Its units give the highlighted area.
    area : shapely geometry, optional
        The area to highlight in WGS84 (the union of ``spec.units`` by default).

    Returns
    -------
    geopandas.GeoDataFrame
        ``role`` in ``frame`` (the visible extent), ``neighbour``, ``mainland``,
        ``archipelago`` (Hoàng Sa and Trường Sa, ``territory == "VNM"``),
        ``archipelago_label`` and ``province``; ``key``, ``territory``,
        ``label_vi``, ``label_en``, ``geometry``.
    """
    base = _inset_base()
    if area is None:
        area = shapely.union_all(lonlat(spec.units).geometry.values)
    prov = project(gpd.GeoSeries([area], crs="EPSG:4326"), INSET_CRS)
    row = gpd.GeoDataFrame({"role": ["province"], "key": ["province"], "territory": ["VNM"],
                            "label_vi": [spec.province], "label_en": [spec.province]},
                           geometry=list(prov.values), crs=INSET_CRS)
    return gpd.GeoDataFrame(pd.concat([base, row], ignore_index=True), geometry="geometry",
                            crs=INSET_CRS)


def archipelago_labels(page: Page, ax: Axes, geoms: gpd.GeoDataFrame, lang: str,
                       m_per_mm: float, size: float, miny: float, maxx: float) -> None:
    """Label Hoàng Sa and Trường Sa below their islets (or left of them near the edge).

    Labels stay inside the map's right (``maxx``) and bottom (``miny``) edges.
    """
    islets = geoms[geoms.role == "archipelago"].set_index("key").geometry
    for _, r in geoms[geoms.role == "archipelago_label"].iterrows():
        label = r["label_en"] if lang == "en" else r["label_vi"]
        name, _, paren = label.partition(" (")
        if name.endswith(" Archipelago"):  # English names are long: two lines
            name = name[: -len(" Archipelago")] + "\nArchipelago"
        txt = name + ("\n(" + paren if paren else "")
        isl = islets[r["key"]] if r["key"] in islets.index else r.geometry
        half = max(page.width(t, size) for t in txt.split("\n")) / 2 + 0.8
        lx = min(r.geometry.x, maxx - half * m_per_mm)  # keep the label inside the frame
        ly, ha, va = isl.bounds[1] - 0.8 * m_per_mm, "center", "top"
        if ly - (txt.count("\n") + 1) * page.line_h(size) * m_per_mm < miny:
            # no room below: to the left of the islets, over open sea
            lx, ly, ha, va = (isl.bounds[0] - 1.0 * m_per_mm, isl.centroid.y, "right", "center")
        ax.text(lx, ly, txt, ha=ha, va=va, multialignment="center",
                fontproperties=page.font(size * page.fs), color="#5b4a2e", linespacing=1.1,
                zorder=6)


def inset_size(width_mm: float) -> tuple[float, float]:
    """Width and height in mm of the inset's map at ``width_mm``."""
    minx, miny, maxx, maxy = _inset_frame().bounds
    return width_mm, width_mm * (maxy - miny) / (maxx - minx)


def draw_inset(page: Page, x: float, y: float, w: float, geoms: gpd.GeoDataFrame,
               lang: str, caption: str) -> float:
    """Draw the inset at (x, y) mm, width w; return its total height in mm."""
    fs = page.fs
    cap_lines = page.wrap(caption, 7.5, w, "bold")
    cy = y
    for line in cap_lines:
        page.text(x, cy, line, 7.5, weight="bold")
        cy += page.line_h(7.5)
    cy += 1.0
    _, h = inset_size(w)
    ax = page.axes(x, cy, w, h, zorder=5)
    frame = geoms[geoms.role == "frame"].geometry.iloc[0]
    minx, miny, maxx, maxy = frame.bounds
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.add_patch(Rectangle((minx, miny), maxx - minx, maxy - miny, facecolor=SEA,
                           edgecolor="none", zorder=0))
    nb = geoms[geoms.role == "neighbour"]
    draw_polys(ax, nb.geometry.values, LAND_OTHER, "#b9b9b9", 0.3 * fs, 1)
    vn = geoms[geoms.role.isin(["mainland", "archipelago"])]
    draw_polys(ax, vn.geometry.values, LAND_VN, "#7d6a49", 0.35 * fs, 2)
    prov = geoms[geoms.role == "province"].geometry.iloc[0]
    draw_polys(ax, np.array([prov]), HIGHLIGHT, HIGHLIGHT, 0.4 * fs, 3)
    pminx, pminy, pmaxx, pmaxy = prov.bounds
    m_per_mm = (maxx - minx) / w
    if max(pmaxx - pminx, pmaxy - pminy) < 4 * m_per_mm:  # tiny area: ring it
        c = prov.centroid
        ax.add_patch(matplotlib.patches.Circle((c.x, c.y), 3 * m_per_mm, fill=False,
                                               edgecolor=HIGHLIGHT, linewidth=0.8 * fs,
                                               zorder=4))
    archipelago_labels(page, ax, geoms, lang, m_per_mm, 5.5, miny, maxx)
    sx, sy = transformer("EPSG:4326", INSET_CRS).transform(111.5, 12.6)  # open sea
    ax.text(sx, sy, tr("Biển Đông", "East Sea", lang), ha="center", va="center",
            fontproperties=page.font(5.5 * fs, style="italic"), color="#4a7aa8", zorder=5)
    ax.add_patch(Rectangle((minx, miny), maxx - minx, maxy - miny, fill=False,
                           edgecolor="#666666", linewidth=0.5 * fs, zorder=6, clip_on=False))
    return cy - y + h


# --------------------------------------------------------- scale bar, north


def draw_scalebar(page: Page, x: float, y: float, length_mm: float, length_m: float,
                  scale: float, lang: str) -> None:
    """Scale bar (alternating segments, km) with its top-left at (x, y) mm."""
    lead = round(length_m / 10 ** math.floor(math.log10(length_m)))
    n = {1: 5, 2: 4, 5: 5}.get(lead, 4)
    seg = length_mm / n
    bar_h = 1.4 * page.fs
    ty = y + page.line_h(6.5)
    for i in range(n):
        page.ax.add_patch(Rectangle((x + i * seg, ty), seg, bar_h,
                                    facecolor=INK if i % 2 == 0 else "white",
                                    edgecolor=INK, linewidth=0.5 * page.fs, zorder=12))
    km = length_m / 1000
    digits = 0 if float(km / n).is_integer() else (1 if float(km / n * 10).is_integer() else 2)
    widest = page.width(fmt_number(km, lang, digits), 6.5)
    ticks = range(n + 1) if seg > widest + 1.5 else ((0, n // 2, n) if n % 2 == 0 else (0, n))
    for i in ticks:
        s = fmt_number(km * i / n, lang, digits if i not in (0, n) or digits else 0)
        page.text(x + i * seg, ty - 0.6, s, 6.5, ha="center", va="bottom")
    page.text(x + length_mm + 1.5, ty + bar_h / 2, "km", 6.5, va="center")
    page.text(x, ty + bar_h + 1.0, tr("Tỷ lệ", "Scale", lang) + " 1:"
              + fmt_number(scale, lang, 0), 6.5, color=MUTED)


def scalebar_size(page: Page, length_mm: float, scale: float, lang: str
                  ) -> tuple[float, float]:
    """Width and height in mm of :func:`draw_scalebar`'s block."""
    w = max(length_mm + 2 + page.width("km", 6.5),
            page.width(tr("Tỷ lệ", "Scale", lang) + " 1:" + fmt_number(scale, lang, 0), 6.5))
    h = page.line_h(6.5) + 1.4 * page.fs + 1.0 + page.line_h(6.5)
    return w + 2, h


def grid_convergence(crs: CRS, x: float, y: float) -> float:
    """Angle in degrees from grid north to true north at (x, y), clockwise positive."""
    lon, lat = transformer(crs, "EPSG:4326").transform(x, y)
    x2, y2 = transformer("EPSG:4326", crs).transform(lon, lat + 0.05)
    return math.degrees(math.atan2(x2 - x, y2 - y))


def draw_north(page: Page, cx: float, top: float, angle: float, lang: str) -> None:
    """North arrow centred at cx, letter at top (mm); rotated by ``angle`` degrees."""
    fs = page.fs
    h, w = 9.0 * fs, 3.2 * fs
    cy = top + page.line_h(8) + h / 2
    a = math.radians(angle)

    def rot(px: float, py: float) -> tuple[float, float]:
        # py is upwards here; page y grows down
        return (cx + px * math.cos(a) + py * math.sin(a),
                cy - (-px * math.sin(a) + py * math.cos(a)))

    tip, base_l, base_r, notch = (0, h / 2), (-w, -h / 2), (w, -h / 2), (0, -h / 4)
    page.ax.add_patch(Polygon([rot(*tip), rot(*base_l), rot(*notch)], closed=True,
                              facecolor=INK, edgecolor=INK, linewidth=0.5 * fs, zorder=12))
    page.ax.add_patch(Polygon([rot(*tip), rot(*notch), rot(*base_r)], closed=True,
                              facecolor="white", edgecolor=INK, linewidth=0.5 * fs,
                              zorder=12))
    lx, ly = rot(0, h / 2 + 0.8)
    page.text(lx, ly, tr("B", "N", lang), 8, weight="bold", ha="center", va="bottom")


def north_size(page: Page) -> tuple[float, float]:
    """Width and height in mm of :func:`draw_north`'s block."""
    return 8.0 * page.fs, page.line_h(8) + 9.0 * page.fs + 1


# ------------------------------------------------------------ title, source


def _footer_lines(page: Page, spec: MapFigureSpec, crs: CRS, width: float
                  ) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Notes (text, style, colour) above the source line, and the source lines."""
    lang = spec.lang
    notes: list[tuple[str, str, str]] = []
    if spec.approximate:
        notes.append(("⚠ " + tr("Ranh giới xã mang tính minh họa, gần đúng — không dùng cho "
                                "mục đích pháp lý",
                                "Commune boundaries are approximate, for illustration only — "
                                "not for legal use", lang), "italic", "#9c1c1c"))
    if spec.suppress_below is not None:
        notes.append((tr(f"Số nhỏ hơn {spec.suppress_below} được ẩn (hiện “< "
                         f"{spec.suppress_below}”), cả tỷ lệ tính từ các số đó, để bảo vệ "
                         "thông tin cá nhân.",
                         f"Counts below {spec.suppress_below} are hidden (shown as “< "
                         f"{spec.suppress_below}”), and so are rates computed from them, to "
                         "protect individuals.", lang),
                      "normal", MUTED))
    for n in spec.extra_notes:
        notes.append((nfc(n), "normal", MUTED))
    crs_txt = tr("Hệ quy chiếu", "Coordinate system", lang) + f": {crs.name}"
    epsg = crs.to_epsg()
    if epsg:
        crs_txt += f" (EPSG:{epsg})"
    notes.append((crs_txt, "normal", MUTED))
    src = tr("Nguồn", "Source", lang) + ": " + (nfc(spec.source) or "—")
    return notes, page.wrap(src, 7.5, width)


def _draw_stamp(page: Page, x: float, y: float, width: float, text: str, color: str) -> float:
    """A boxed bold line (the list's approval status) at (x, y); returns the y below it."""
    fs = page.fs
    pad = 1.6 * fs
    lines = page.wrap(text, 10, width - 2 * pad, "bold")
    w = min(width, max(page.width(s, 10, "bold") for s in lines) + 2 * pad)
    h = len(lines) * page.line_h(10) + 2 * pad * 0.6
    ink = to_hex(tuple(0.62 * c for c in to_rgb(color)))  # the colour, dark enough to read
    page.ax.add_patch(Rectangle((x, y), w, h, facecolor="white", edgecolor=color,
                                linewidth=1.6 * fs, zorder=11))
    ty = y + pad * 0.6
    for s in lines:
        page.text(x + pad, ty, s, 10, weight="bold", color=ink)
        ty += page.line_h(10)
    return y + h


def draw_header_footer(page: Page, spec: MapFigureSpec, crs: CRS
                       ) -> tuple[float, float, float, float]:
    """Draw the title block and the footer (notes, source, date).

    Returns
    -------
    tuple of float
        The body left for the map and its panel: ``x, y, w, h`` in mm.
    """
    fs = page.fs
    m = 10.0 * fs
    x0, width = m, page.w - 2 * m
    y = m
    for s in page.wrap(nfc(spec.title), 15, width, "bold"):
        page.text(x0, y, s, 15, weight="bold")
        y += page.line_h(15)
    if spec.subtitle:
        y += 0.5
        for s in page.wrap(nfc(spec.subtitle), 10.5, width):
            page.text(x0, y, s, 10.5, color="#333333")
            y += page.line_h(10.5)
    if spec.stamp:
        y += 1.5 * fs
        y = _draw_stamp(page, x0, y, width, nfc(spec.stamp), spec.stamp_color)
    y += 1.5
    page.ax.add_line(Line2D([x0, x0 + width], [y, y], color="#444444", linewidth=0.8 * fs))
    body_top = y + 3.0 * fs

    # footer, from the bottom up
    date_txt = tr("Ngày xuất", "Exported", spec.lang) + ": " + (
        spec.export_date or date.today()).strftime("%d/%m/%Y")
    date_w = page.width(date_txt, 7.5) + 4
    notes, src_lines = _footer_lines(page, spec, crs, width - date_w)
    yb = page.h - m
    for s in reversed(src_lines):
        page.text(x0, yb, s, 7.5, va="bottom")
        yb -= page.line_h(7.5)
    page.text(x0 + width, page.h - m, date_txt, 7.5, ha="right", va="bottom")
    for text, style, color in reversed(notes):
        lines = page.wrap(text, 7, width, style=style)
        for s in reversed(lines):
            page.text(x0, yb, s, 7, style=style, color=color, va="bottom")
            yb -= page.line_h(7)
    yb -= 1.0
    page.ax.add_line(Line2D([x0, x0 + width], [yb, yb], color="#999999", linewidth=0.4 * fs))
    body_bottom = yb - 3.0 * fs
    return x0, body_top, width, body_bottom - body_top
