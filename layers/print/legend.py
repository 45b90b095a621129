"""The printed legends: the colour classes, and the symbols (hotspots, boundaries, facilities).

Classes come from :func:`layers.classes.classify` (the screen map's classes);
every status and facility colour, label and symbol from :mod:`geo.vocab`.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from geo.i18n import tr
from geo.vocab import FACILITY_KINDS, HOTSPOT_STATUSES, NO_DATA_COLOR
from layers.classes import Classes, classify, no_data_label
from layers.print.page import EDGE, HOTSPOT_COLOR, MUTED, Page, nfc
from layers.print.spec import MapFigureSpec

__all__ = [
    "LegendRow",
    "classify_figure",
    "draw_legend",
    "facility_kinds",
    "facility_marker",
    "legend_rows",
    "legend_size",
    "marker_size",
]

#: matplotlib marker of each vocabulary shape.
_MARKERS = {"square": "s", "diamond": "D", "circle": "o", "triangle": "^"}
_SW_W, _SW_H, _SW_GAP = 7.0, 4.0, 2.0


def classify_figure(values: np.ndarray, scheme: str = "quantiles", k: int = 5,
                    suppress_below: int | None = None, lang: str = "vi",
                    digits: int | None = None, hidden: np.ndarray | None = None) -> Classes:
    """Classes of a printed map: :func:`layers.classes.classify`, as on screen.

    NaN goes to a no-data class; values below ``suppress_below`` (or, when given,
    the ``hidden`` ones: rates whose counts are small) go to their own ``< N``
    class and take no part in the breaks, so neither the breaks nor the labels
    reveal them.

    Examples
    --------
    >>> c = classify_figure(np.array([1, 2, 10, 20, 30, 40, np.nan]), "equal_interval", 3,
    ...                     suppress_below=5)
    >>> c.labels, c.suppressed, c.no_data
    (['10 – 20', '21 – 30', '31 – 40'], 2, 1)
    """
    return classify(values, scheme, k, lang=lang, digits=digits, suppress_below=suppress_below,
                    hidden=hidden)


def facility_marker(kind: str) -> tuple[str, str]:
    """``(matplotlib marker, colour)`` of a facility kind (its vocabulary shape and colour).

    Unknown kinds (free text) get a grey circle.
    """
    term = FACILITY_KINDS.get(kind)
    if term is None:
        return "o", "#333333"
    return _MARKERS.get(term.shape, "o"), term.color


def marker_size(marker: str) -> float:
    """Marker size in points at A4 (shapes of equal visual weight)."""
    return {"s": 6.0, "D": 5.2, "^": 6.6, "o": 6.0}.get(marker, 6.0)


def facility_kinds(fac: gpd.GeoDataFrame | None) -> list[str]:
    """Kinds present, in vocabulary order (unknown kinds last, sorted)."""
    if fac is None or not len(fac):
        return []
    present = set(fac["kind"].astype(str))
    known = [k for k in FACILITY_KINDS if k in present]
    return known + sorted(present - set(FACILITY_KINDS))


@dataclass
class LegendRow:
    """One row of a printed legend.

    ``kind`` is ``title``, ``fill``, ``line``, ``accent``, ``marker``, ``gap``,
    ``header`` or ``note``; ``symbol`` is a text mark printed on a fill's swatch
    (a category's mark, as on the map).
    """

    kind: str
    text: str = ""
    count: str = ""
    color: str = ""
    hatch: str | None = None
    marker: str = ""
    linewidth: float = 0.0
    symbol: str = ""


def legend_rows(classes: Classes, spec: MapFigureSpec, statuses: list[str],
                fac_kinds: list[str], has_group: bool, unit_periods: bool = False,
                national: bool = False, labelled: bool = True
                ) -> tuple[list[LegendRow], list[LegendRow]]:
    """Rows of the colour legend and of the symbol legend.

    ``labelled`` says whether hotspots carry labels (whose accent colour gives
    the status, explained under the outline row).
    """
    lang = spec.lang
    rows = [LegendRow("title", nfc(spec.legend_title) or tr("Giá trị", "Value", lang))]
    if classes.suppress_below is not None:
        rows.append(LegendRow("fill", f"< {classes.suppress_below}", f"({classes.suppressed})",
                              classes.suppressed_color))
    vocab = spec.categories
    marked = (set() if vocab is None or not spec.marks else
              set(vocab.ids if spec.marks is True else spec.marks))
    ids = classes.ids or [None] * len(classes.labels)
    for lab, col, n, cat in zip(classes.labels, classes.colors, classes.counts, ids):
        rows.append(LegendRow("fill", lab, f"({n})", col,
                              hatch="/////" if col == NO_DATA_COLOR else None,
                              symbol=vocab[cat].mark if cat in marked else ""))
    if vocab is None or classes.no_data:  # a categorical map lists no data only when there is
        rows.append(LegendRow("fill", no_data_label(lang), f"({classes.no_data})",
                              NO_DATA_COLOR, hatch="/////"))
    if vocab is not None:
        note = tr("(số đơn vị trong mỗi loại)", "(number of units in each category)", lang)
    elif unit_periods:
        note = tr("(số lượt đơn vị × kỳ trong mỗi lớp)", "(unit-periods per class)", lang)
    else:
        note = tr("(số đơn vị trong mỗi lớp)", "(number of units per class)", lang)
    rows.append(LegendRow("note", note))
    sym: list[LegendRow] = []
    if statuses:
        sym.append(LegendRow("line", tr("Địa bàn trọng điểm về ma túy", "Drug hotspot commune",
                                        lang), color=HOTSPOT_COLOR, linewidth=1.5))
        for st in statuses if labelled else []:
            sym.append(LegendRow("accent", nfc(HOTSPOT_STATUSES.short(st, lang)),
                                 color=HOTSPOT_STATUSES.color(st, MUTED)))
    sym.append(LegendRow("line", tr("Biên giới quốc gia", "National border", lang) if national
                         else tr("Ranh giới tỉnh", "Province boundary", lang),
                         color="#262626", linewidth=1.0))
    if has_group:
        sym.append(LegendRow("line", nfc(spec.group_label) or tr("Ranh giới huyện",
                                                                  "District boundary", lang),
                             color="#4d4d4d", linewidth=0.7))
    sym.append(LegendRow("line", tr("Ranh giới đơn vị", "Unit boundary", lang) if national
                         else tr("Ranh giới xã", "Commune boundary", lang),
                         color=EDGE, linewidth=0.3))
    if fac_kinds:
        sym.append(LegendRow("gap"))
        sym.append(LegendRow("header", tr("Cơ sở điều trị, hỗ trợ", "Facilities", lang)))
        for kind in fac_kinds:
            mk, col = facility_marker(kind)
            sym.append(LegendRow("marker", FACILITY_KINDS.label(kind, lang), color=col,
                                 marker=mk))
    if statuses or fac_kinds or has_group:
        sym.insert(0, LegendRow("title", tr("Ký hiệu", "Symbols", lang)))
    return rows, sym


def legend_size(page: Page, rows: list[LegendRow], max_w: float) -> tuple[float, float]:
    """Width and height in mm; wraps the title into ``max_w``."""
    fs = page.fs
    w = 0.0
    h = 0.0
    for r in rows:
        if r.kind == "title":
            lines = page.wrap(r.text, 8.5, max_w, "bold")
            w = max(w, max(page.width(s, 8.5, "bold") for s in lines))
            h += len(lines) * page.line_h(8.5) + 1.0
        elif r.kind == "header":
            w = max(w, page.width(r.text, 8, "bold"))
            h += page.line_h(8) + 0.5
        elif r.kind == "gap":
            h += 2.5 * fs
        elif r.kind == "note":
            w = max(w, page.width(r.text, 6.5, style="italic"))
            h += page.line_h(6.5)
        else:
            tw = page.width(f"{r.text}  {r.count}" if r.count else r.text, 7.5)
            w = max(w, (_SW_W + _SW_GAP) * fs + tw)
            h += max(_SW_H * fs + 1.3 * fs, page.line_h(7.5))
    return min(w, max_w), h


def draw_legend(page: Page, x: float, y: float, rows: list[LegendRow], max_w: float) -> None:
    """Draw legend rows with their top-left corner at (x, y) mm."""
    fs = page.fs
    sw_w, sw_h, gap = _SW_W * fs, _SW_H * fs, _SW_GAP * fs
    for r in rows:
        if r.kind == "title":
            for s in page.wrap(r.text, 8.5, max_w, "bold"):
                page.text(x, y, s, 8.5, weight="bold")
                y += page.line_h(8.5)
            y += 1.0
        elif r.kind == "header":
            page.text(x, y, r.text, 8, weight="bold")
            y += page.line_h(8) + 0.5
        elif r.kind == "gap":
            y += 2.5 * fs
        elif r.kind == "note":
            page.text(x, y, r.text, 6.5, style="italic", color=MUTED)
            y += page.line_h(6.5)
        else:
            row_h = max(sw_h + 1.3 * fs, page.line_h(7.5))
            cy = y + row_h / 2
            if r.kind == "fill":
                page.ax.add_patch(Rectangle((x, cy - sw_h / 2), sw_w, sw_h, facecolor=r.color,
                                            edgecolor=EDGE, linewidth=0.4 * fs,
                                            hatch=r.hatch, zorder=11))
                if r.symbol:
                    page.text(x + sw_w / 2, cy, r.symbol, 5.5, weight="bold", ha="center",
                              va="center_baseline")
            elif r.kind == "line":
                if r.color == HOTSPOT_COLOR:
                    page.ax.add_patch(Rectangle((x, cy - sw_h / 2), sw_w, sw_h,
                                                facecolor="#fdd49e", edgecolor="white",
                                                linewidth=3.2 * fs, zorder=11))
                    page.ax.add_patch(Rectangle((x, cy - sw_h / 2), sw_w, sw_h,
                                                facecolor="none", edgecolor=r.color,
                                                linewidth=r.linewidth * fs, zorder=11))
                else:
                    page.ax.add_line(Line2D([x, x + sw_w], [cy, cy], color=r.color,
                                            linewidth=r.linewidth * fs, zorder=11))
            elif r.kind == "accent":
                page.ax.add_patch(Rectangle((x + sw_w - 1.2 * fs, cy - sw_h / 2), 1.2 * fs, sw_h,
                                            facecolor=r.color, edgecolor="none", zorder=11))
            elif r.kind == "marker":
                page.ax.plot([x + sw_w / 2], [cy], marker=r.marker, markersize=marker_size(
                    r.marker) * fs, markerfacecolor=r.color, markeredgecolor="white",
                    markeredgewidth=0.7 * fs, linestyle="none", zorder=11)
            # label and count in one text run, so copied or extracted text keeps them together
            page.text(x + sw_w + gap, cy, f"{r.text}  {r.count}" if r.count else r.text, 7.5,
                      va="center_baseline")
            y += row_h
