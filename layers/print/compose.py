"""Composing a printed page: the map frame, its panel of legends and inset, and the render.

:func:`render_map` draws one indicator for one period, or one map of categories
(QĐ 28 classes, class changes: :attr:`MapFigureSpec.categories`), on the same page
layout; :func:`render_small_multiples` one indicator across periods with one shared
classification. The panel (legends,
locator inset) goes to the right of the map or below it, in as many columns as
gives the largest map scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from pyproj import CRS
from shapely.geometry import box

from geo.errors import ValidationError
from geo.i18n import tr
from geo.vocab import NO_DATA_COLOR
from layers.basemap import vietnam_layers
from layers.classes import Classes, categorical
from layers.print.furniture import (
    archipelago_labels,
    draw_header_footer,
    draw_inset,
    draw_north,
    draw_scalebar,
    grid_convergence,
    inset_geometries,
    inset_size,
    north_size,
    scalebar_size,
)
from layers.print.geometry import (
    dissolve,
    draw_polys,
    lonlat,
    map_crs,
    nice_length,
    nice_scale,
    project,
    shows_whole_country,
)
from layers.print.labels import draw_label, hotspot_labels, place_labels
from layers.print.legend import (
    classify_figure,
    draw_legend,
    facility_kinds,
    facility_marker,
    legend_rows,
    legend_size,
    marker_size,
)
from layers.print.page import EDGE, HOTSPOT_COLOR, LAND_VN, RC, Page, format_of, nfc, save
from layers.print.spec import MapFigureSpec, check_spec, check_units

__all__ = ["render_map", "render_small_multiples"]


def render_map(spec: MapFigureSpec, out_path: str | Path, fmt: str | None = None) -> Path:
    """Render one map (a choropleth, or categories: ``spec.categories``) to a PNG, PDF or SVG page.

    Parameters
    ----------
    spec : MapFigureSpec
        What to draw.
    out_path : str or pathlib.Path
        Output file; its suffix gives the format unless ``fmt`` is given.
    fmt : {"png", "pdf", "svg"}, optional
        Output format, overriding the suffix.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    geo.errors.ValidationError
        For a bad spec (unknown scheme, size, format, missing columns...).
    """
    out_path = Path(out_path)
    f = format_of(out_path, fmt)
    check_spec(spec)
    with matplotlib.rc_context(RC):
        page = Page(spec.size, spec.orientation, spec.dpi, f)
        _compose_single(page, spec)
        return save(page, out_path, f, nfc(spec.title))


def render_small_multiples(units_by_period: Mapping[str, gpd.GeoDataFrame], spec: MapFigureSpec,
                           out_path: str | Path, fmt: str | None = None) -> Path:
    """One indicator across periods on one page, with one shared classification.

    Parameters
    ----------
    units_by_period : mapping of str to geopandas.GeoDataFrame
        Period id (``2023-H1``...) or any caption → units (``code, name,
        value, geometry``), in the order to draw them. Units may differ
        between periods (e.g. before and after the 2025 reform).
    spec : MapFigureSpec
        Title, legend, scheme, CRS, page... ``spec.units`` is ignored.
        Hotspots are outlined but not labelled; facilities are not drawn.
    out_path : str or pathlib.Path
        Output file; its suffix gives the format unless ``fmt`` is given.
    fmt : {"png", "pdf", "svg"}, optional
        Output format, overriding the suffix.

    Returns
    -------
    pathlib.Path
    """
    out_path = Path(out_path)
    f = format_of(out_path, fmt)
    if not units_by_period:
        raise ValidationError("Không có kỳ nào để vẽ.", "There are no periods to draw.")
    first = next(iter(units_by_period.values()))
    check_spec(replace(spec, units=first))
    for key, u in units_by_period.items():
        problems: list[tuple[str, str]] = []
        check_units(u, problems)
        if problems:
            vi, en = problems[0]
            raise ValidationError(f"Kỳ {key}: {vi}", f"Period {key}: {en}")
    with matplotlib.rc_context(RC):
        page = Page(spec.size, spec.orientation, spec.dpi, f)
        _compose_multiples(page, units_by_period, spec)
        return save(page, out_path, f, nfc(spec.title))


# ------------------------------------------------------------------ layout


@dataclass
class _Block:
    """A panel item of known size in mm, drawn at its top-left corner."""

    w: float
    h: float
    draw: Callable[[float, float], object]
    bottom: bool = False  # align to the bottom of the map frame (the inset)


def _partitions(items: list[_Block]) -> list[list[list[_Block]]]:
    """Every split of ``items`` into ordered columns (order inside columns kept)."""
    if not items:
        return [[]]
    first, rest = items[0], items[1:]
    out = []
    for part in _partitions(rest):
        out.append([[first], *part])
        for i in range(len(part)):
            out.append([*part[:i], [first, *part[i]], *part[i + 1:]])
    return out


def _layouts(body: tuple[float, float, float, float], blocks: list[_Block], gap: float
             ) -> list[tuple[str, tuple[float, float, float, float],
                             list[tuple[_Block, float, float]]]]:
    """Candidate page layouts: the map frame and the panel blocks' positions.

    The panel goes on the right of the map or below it, in one or more
    columns; the inset (``bottom=True``) sits at the bottom of its column.
    """
    bx, by, bw, bh = body
    out = []
    for cols in _partitions(blocks):
        for c in cols:  # the inset ends its column
            c.sort(key=lambda b: b.bottom)
        widths = [max(b.w for b in c) for c in cols]
        heights = [sum(b.h for b in c) + gap * (len(c) - 1) for c in cols]
        panel_w = sum(widths) + gap * 1.5 * (len(cols) - 1)
        # right
        if max(heights) <= bh and bw - panel_w - gap >= 60:
            fw = bw - panel_w - gap
            place, x = [], bx + fw + gap
            for c, w in zip(cols, widths):
                y = by
                for b in c:
                    yb = by + bh - b.h if b.bottom else y
                    place.append((b, x, yb))
                    y += b.h + gap
                x += w + gap * 1.5
            out.append(("right", (bx, by, fw, bh), place))
        # bottom
        ph = max(heights)
        if panel_w <= bw and bh - ph - gap >= 60:
            fh = bh - ph - gap
            place, x = [], bx
            for c, w in zip(cols, widths):
                y = by + fh + gap
                xc = bx + bw - w if any(b.bottom for b in c) else x
                for b in c:
                    place.append((b, xc, y))
                    y += b.h + gap
                x += w + gap * 1.5
            out.append(("bottom", (bx, by, bw, fh), place))
    if not out:
        raise ValidationError("Trang quá nhỏ cho bản đồ và chú giải; chọn khổ A3.",
                              "The page is too small for the map and legend; use A3.")
    return out


def _inset_block(page: Page, spec: MapFigureSpec, union_ll: shapely.Geometry,
                 width: float) -> _Block:
    lang = spec.lang
    cap = (tr("Vị trí ", "Location of ", lang) + nfc(spec.province) if spec.province
           else tr("Vị trí khu vực bản đồ", "Location of the map area", lang))
    cap_h = len(page.wrap(cap, 7.5, width, "bold")) * page.line_h(7.5) + 1.0
    return _Block(width, inset_size(width)[1] + cap_h, lambda x, y: draw_inset(
        page, x, y, width, inset_geometries(spec, union_ll), lang, cap), bottom=True)


def _legend_blocks(page: Page, rows: list, sym: list) -> list[_Block]:
    max_w = 62 * page.fs
    blocks = []
    for rr in (rows, sym):
        w, h = legend_size(page, rr, max_w)
        blocks.append(_Block(w, h, lambda x, y, rr=rr: draw_legend(page, x, y, rr, max_w)))
    return blocks


# --------------------------------------------------------------- the map


def _prepare_units(units_ll: gpd.GeoDataFrame, crs: CRS, categories: bool = False
                   ) -> gpd.GeoDataFrame:
    """Units in the map's CRS; a categorical map keeps its term ids in ``category``."""
    u = project(units_ll, crs)
    u = u[~(u.geometry.isna() | u.geometry.is_empty)].copy()
    if categories:  # the class codes are set by _figure_classes
        u["category"] = u["value"].astype(object)
        u["value"] = np.nan
    else:
        u["value"] = pd.to_numeric(u["value"], errors="coerce").astype(float)
    u["name"] = [nfc(s) for s in u["name"]]
    return u


def _figure_classes(spec: MapFigureSpec, frames: list[gpd.GeoDataFrame]) -> Classes:
    """The classes of a figure, pooled over its maps.

    Numbers are classed by :func:`~layers.print.legend.classify_figure`; categories
    by :func:`layers.classes.categorical`, whose class codes replace each frame's
    ``value`` so that both are drawn by the same code.
    """
    if spec.categories is not None:
        cats = [c for f in frames for c in f["category"]]
        classes, codes = categorical(cats, spec.categories, spec.category_ids, spec.lang)
        start = 0
        for f in frames:
            f["value"] = codes[start:start + len(f)]
            start += len(f)
        return classes
    pooled = np.concatenate([f["value"].to_numpy() for f in frames])
    hidden = ([_hidden(f) for f in frames] if all("suppressed" in f for f in frames)
              else None)
    return classify_figure(pooled, spec.scheme, spec.k, spec.suppress_below, spec.lang,
                           spec.digits, None if hidden is None else np.concatenate(hidden))


def _draw_marks(page: Page, ax: Axes, units: gpd.GeoDataFrame, spec: MapFigureSpec,
                fs: float) -> None:
    """Each unit's category mark (``Term.mark``) at its representative point."""
    vocab = spec.categories
    if vocab is None or not spec.marks or "category" not in units:
        return
    wanted = set(vocab.ids if spec.marks is True else spec.marks)
    font = page.font(6.5 * fs, "bold")
    # a white outline drawn alone under the mark, so the mark itself stays text in PDF/SVG
    halo = [patheffects.Stroke(linewidth=1.2 * fs, foreground="white")]
    for cat, geom in zip(units["category"], units.geometry.values):
        if cat is None or cat != cat or cat not in wanted or not vocab[cat].mark:
            continue
        p = geom.representative_point()
        for effects, z in ((halo, 7), (None, 7.1)):
            ax.text(p.x, p.y, vocab[cat].mark, fontproperties=font, color="#1a1a1a",
                    ha="center", va="center", zorder=z, path_effects=effects)


def _prepare_hotspots(spec: MapFigureSpec, units: gpd.GeoDataFrame, crs: CRS
                      ) -> gpd.GeoDataFrame | None:
    hot = spec.hotspots
    if hot is None or not len(hot):
        return None
    hot = hot.copy()
    if "code" in hot and "code" in units and (hot.geometry.isna().any() or hot.crs is None):
        geo = dict(zip(units["code"].astype(str), lonlat(units).geometry))
        hot["geometry"] = [g if g is not None else geo.get(str(c))
                           for g, c in zip(hot.geometry, hot["code"])]
        hot = gpd.GeoDataFrame(hot, geometry="geometry", crs=hot.crs or "EPSG:4326")
    hot = project(lonlat(hot), crs)
    return hot[~(hot.geometry.isna() | hot.geometry.is_empty)]


def _hidden(units: gpd.GeoDataFrame) -> np.ndarray | None:
    """The units' ``suppressed`` flags (rates whose counts are small), if given."""
    return units["suppressed"].to_numpy(dtype=bool) if "suppressed" in units else None


def _draw_map_body(page: Page, ax: Axes, units: gpd.GeoDataFrame, classes: Classes,
                   spec: MapFigureSpec, hot: gpd.GeoDataFrame | None,
                   fac: gpd.GeoDataFrame | None, country: gpd.GeoDataFrame | None,
                   has_group: bool, m_per_mm: float, small: bool = False) -> None:
    fs = page.fs * (0.8 if small else 1.0)
    if country is not None:
        land = country[country.role.isin(["mainland", "archipelago"])]
        draw_polys(ax, land.geometry.values, LAND_VN, "#7d6a49", 0.4 * fs, 0.5)
        x0, x1 = ax.get_xlim()
        y0, _ = ax.get_ylim()
        archipelago_labels(page, ax, country, spec.lang, m_per_mm, 6.5 * fs / page.fs, y0, x1)
    colors = classes.colors_of(units["value"].to_numpy(), _hidden(units))
    nodata = colors == NO_DATA_COLOR
    geoms = units.geometry.values
    draw_polys(ax, geoms[~nodata], list(colors[~nodata]), EDGE, 0.25 * fs, 2)
    if nodata.any():
        draw_polys(ax, geoms[nodata], NO_DATA_COLOR, EDGE, 0.25 * fs, 2, hatch="/////")
    eps = 0.15 * m_per_mm
    if has_group:
        groups = [dissolve(g.geometry.values, eps)
                  for _, g in units.groupby(spec.group_column, sort=False)]
        draw_polys(ax, np.array(groups, dtype=object), "none", "#4d4d4d", 0.7 * fs, 3)
    outline = dissolve(geoms, eps)
    draw_polys(ax, np.array([outline], dtype=object), "none", "#262626", 1.0 * fs, 4)
    _draw_marks(page, ax, units, spec, fs)
    if hot is not None:
        draw_polys(ax, hot.geometry.values, "none", "white", 3.0 * fs, 5)
        draw_polys(ax, hot.geometry.values, "none", HOTSPOT_COLOR, 1.5 * fs, 6)
    if fac is not None and len(fac):
        for kind in facility_kinds(fac):
            pts = fac[fac["kind"].astype(str) == kind].geometry
            mk, col = facility_marker(kind)
            ax.plot(pts.x, pts.y, marker=mk, markersize=marker_size(mk) * fs, linestyle="none",
                    markerfacecolor=col, markeredgecolor="white", markeredgewidth=0.7 * fs,
                    zorder=8)


def _compose_single(page: Page, spec: MapFigureSpec) -> None:
    lang, fs = spec.lang, page.fs
    units_ll = lonlat(spec.units)
    crs = map_crs(spec.projected_crs, units_ll)
    units = _prepare_units(units_ll, crs, spec.categories is not None)
    classes = _figure_classes(spec, [units])
    whole_country = shows_whole_country(units_ll.total_bounds)
    union_ll = shapely.union_all(units_ll.geometry.values)
    country = vietnam_layers(crs) if whole_country else None
    hot = _prepare_hotspots(spec, units, crs)
    fac = spec.facilities
    if fac is not None and len(fac):
        fac = project(lonlat(fac), crs)
    fac_kinds = facility_kinds(fac)
    has_group = bool(spec.group_column and spec.group_column in units)

    body = draw_header_footer(page, spec, crs)
    statuses = [] if hot is None else list(dict.fromkeys(hot["status"].astype(str)))
    rows, sym = legend_rows(classes, spec, statuses, fac_kinds, has_group,
                            national=whole_country)
    blocks = _legend_blocks(page, rows, sym)
    if spec.inset and not whole_country:
        blocks.append(_inset_block(page, spec, union_ll, 44.0 * fs))
    gap = 6.0 * fs

    b = units.total_bounds
    if country is not None:
        b = np.r_[np.minimum(b[:2], country.total_bounds[:2]),
                  np.maximum(b[2:], country.total_bounds[2:])]
    dw, dh = (b[2] - b[0]) * 1.06, (b[3] - b[1]) * 1.06
    options = _layouts(body, blocks, gap)
    _, (fx, fy, fw, fh), placements = min(
        options, key=lambda o: (round(max(dw / o[1][2], dh / o[1][3]), 1), len(o[2])))
    scale = nice_scale(max(dw / fw, dh / fh) * 1000)
    m_per_mm = scale / 1000

    ax = page.axes(fx, fy, fw, fh, zorder=2)
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    xlim = (cx - fw / 2 * m_per_mm, cx + fw / 2 * m_per_mm)
    ylim = (cy - fh / 2 * m_per_mm, cy + fh / 2 * m_per_mm)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")

    _draw_map_body(page, ax, units, classes, spec, hot, fac, country, has_group, m_per_mm)

    # furniture: scale bar and north arrow in the emptiest corners of the frame
    union = shapely.union_all(units.geometry.values)
    if country is not None:
        union = union.union(shapely.union_all(country.geometry.values))
    bar_m = nice_length(fw * 0.28 * m_per_mm)
    bar_mm = bar_m / m_per_mm
    sb_w, sb_h = scalebar_size(page, bar_mm, scale, lang)
    na_w, na_h = north_size(page)
    inner = 3.0 * fs

    def corners(w: float, h: float) -> list[tuple[str, float, float]]:
        return [("bl", fx + inner, fy + fh - inner - h), ("br", fx + fw - inner - w,
                                                          fy + fh - inner - h),
                ("tl", fx + inner, fy + inner), ("tr", fx + fw - inner - w, fy + inner)]

    def to_data(x: float, y: float, w: float, h: float) -> shapely.Polygon:
        x0 = xlim[0] + (x - fx) * m_per_mm
        y1 = ylim[1] - (y - fy) * m_per_mm
        return box(x0, y1 - h * m_per_mm, x0 + w * m_per_mm, y1)

    def overlap(g: shapely.Polygon) -> float:
        return g.intersection(union).area

    sb = min(corners(sb_w, sb_h), key=lambda c: (round(overlap(to_data(c[1], c[2], sb_w, sb_h))
                                                       / 1e6), "bl br tl tr".index(c[0])))
    na = min((c for c in corners(na_w, na_h) if c[0] != sb[0]),
             key=lambda c: (round(overlap(to_data(c[1], c[2], na_w, na_h)) / 1e6),
                            "tr tl br bl".index(c[0])))
    draw_scalebar(page, sb[1], sb[2], bar_mm, bar_m, scale, lang)
    draw_north(page, na[1] + na_w / 2, na[2], grid_convergence(crs, cx, cy), lang)
    obstacles = [to_data(sb[1], sb[2], sb_w, sb_h), to_data(na[1], na[2], na_w, na_h)]

    if hot is not None:
        labels = hotspot_labels(page, spec, hot, units, classes)
        if fac is not None and len(fac):
            r = 2.0 * fs * m_per_mm
            obstacles += [box(p.x - r, p.y - r, p.x + r, p.y + r) for p in fac.geometry]
        pad = 1.5 * m_per_mm
        place_labels(labels, m_per_mm, (xlim[0] + pad, ylim[0] + pad, xlim[1] - pad,
                                        ylim[1] - pad), obstacles, list(hot.geometry.values))
        for lab in labels:
            draw_label(page, ax, lab, m_per_mm)

    # neat line
    page.ax.add_patch(Rectangle((fx, fy), fw, fh, fill=False, edgecolor="#444444",
                                linewidth=0.6 * fs, zorder=11))
    for blk, x, y in placements:
        blk.draw(x, y)


# ---------------------------------------------------------- small multiples


def _period_label(key: str, lang: str) -> str:
    from geo.periods import parse_period

    try:
        return parse_period(key).label(lang)
    except ValidationError:  # any key that is not a period is printed as it is
        return nfc(key)


def _compose_multiples(page: Page, units_by_period: Mapping[str, gpd.GeoDataFrame],
                       spec: MapFigureSpec) -> None:
    lang, fs = spec.lang, page.fs
    lls = {k: lonlat(u) for k, u in units_by_period.items()}
    all_ll = gpd.GeoDataFrame(pd.concat(list(lls.values()), ignore_index=True),
                              geometry="geometry", crs="EPSG:4326")
    crs = map_crs(spec.projected_crs, all_ll)
    units = {k: _prepare_units(u, crs, spec.categories is not None) for k, u in lls.items()}
    classes = _figure_classes(spec, list(units.values()))
    last = list(units.values())[-1]
    hot = _prepare_hotspots(spec, last, crs)
    statuses = [] if hot is None else list(dict.fromkeys(hot["status"].astype(str)))
    has_group = bool(spec.group_column and all(spec.group_column in u for u in units.values()))
    union_ll = shapely.union_all(all_ll.geometry.values)

    body = draw_header_footer(page, spec, crs)
    rows, sym = legend_rows(classes, spec, statuses, [], has_group, unit_periods=True,
                            labelled=False)
    blocks = _legend_blocks(page, rows, sym)
    na_w, na_h = north_size(page)
    sb_w = 48.0 * fs
    sb_h = max(na_h, scalebar_size(page, 30 * fs, 1e6, lang)[1])
    furniture = _Block(sb_w, sb_h, lambda x, y: None)
    blocks.append(furniture)
    if spec.inset:
        blocks.append(_inset_block(page, spec, union_ll, 40.0 * fs))
    bounds = np.array([u.total_bounds for u in units.values()])
    b = np.r_[bounds[:, :2].min(axis=0), bounds[:, 2:].max(axis=0)]
    dw, dh = (b[2] - b[0]) * 1.04, (b[3] - b[1]) * 1.04
    n = len(units)
    gap, cgap = 6.0 * fs, 3.0 * fs
    cap_h = page.line_h(8.5) + 0.5
    best = None
    for _, (fx, fy, fw, fh), placements in _layouts(body, blocks, gap):
        for cols in range(1, n + 1):
            rws = math.ceil(n / cols)
            cw = (fw - (cols - 1) * cgap) / cols
            ch = (fh - rws * cap_h - (rws - 1) * cgap) / rws
            if cw <= 15 or ch <= 15:
                continue
            sc = max(dw / cw, dh / ch)
            key = (nice_scale(sc * 1000), len({p[1] for p in placements}))
            if best is None or key < best[0]:
                best = (key, (fx, fy, fw, fh), placements, cols, rws, cw, ch)
    if best is None:
        raise ValidationError("Quá nhiều kỳ cho một trang; chọn khổ A3 hoặc ít kỳ hơn.",
                              "Too many periods for one page; use A3 or fewer periods.")
    (scale, _), (fx, fy, fw, fh), placements, cols, rws, cw, ch = best
    m_per_mm = scale / 1000
    # cells fitted to the data at the common scale; the grid centred across the area
    cw, ch = min(cw, dw / m_per_mm), min(ch, dh / m_per_mm)
    fx += (fw - cols * cw - (cols - 1) * cgap) / 2
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    for i, (key, u) in enumerate(units.items()):
        r_, c_ = divmod(i, cols)
        x = fx + c_ * (cw + cgap)
        y = fy + r_ * (ch + cap_h + cgap)
        page.text(x, y, _period_label(key, lang), 8.5, weight="bold")
        ax = page.axes(x, y + cap_h, cw, ch, zorder=2)
        ax.set_xlim(cx - cw / 2 * m_per_mm, cx + cw / 2 * m_per_mm)
        ax.set_ylim(cy - ch / 2 * m_per_mm, cy + ch / 2 * m_per_mm)
        ax.set_aspect("equal")
        _draw_map_body(page, ax, u, classes, spec, hot, None, None, has_group, m_per_mm,
                       small=True)
        page.ax.add_patch(Rectangle((x, y + cap_h), cw, ch, fill=False, edgecolor="#888888",
                                    linewidth=0.4 * fs, zorder=11))
    for blk, x, y in placements:
        if blk is furniture:
            bar_m = nice_length((sb_w - na_w - 10 * fs) * m_per_mm)
            draw_north(page, x + na_w / 2, y, grid_convergence(crs, cx, cy), lang)
            draw_scalebar(page, x + na_w + 3 * fs, y + 2, bar_m / m_per_mm, bar_m, scale, lang)
        else:
            blk.draw(x, y)
