"""Printed pages of tables (the briefing pack's tables, the QĐ 28 list), in the maps' font.

Text is measured in the font it is printed in: columns get the width their text
needs (the widest shrunk first when the table is wider than the page), cells wrap
inside their column and each row is as tall as its wrapped lines. Tables longer
than a page go on to the next page, their caption marked as continued and their
header repeated; notes follow the last table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from geo.i18n import tr
from layers.print.page import FONT, PAGE_SIZES, PT_MM, RC

__all__ = ["render_table_page"]

#: Left and right margins, lowest point of any text above the footer (mm).
_MARGIN, _BOTTOM = 12.6, 15.0
#: Font size of table text (points), line spacing, cell padding across and down (mm).
_SIZE, _SPACING, _PAD_X, _PAD_Y = 7.5, 1.25, 1.6, 1.2
#: No column gets more than this share of the table's width before shrinking.
_MAX_SHARE = 0.6


class _Measure:
    """Text widths in mm, measured in the printed font."""

    def __init__(self) -> None:
        fig = Figure(figsize=(1, 1), dpi=72)
        self.renderer = FigureCanvasAgg(fig).get_renderer()
        self._fonts: dict[tuple[float, str], FontProperties] = {}

    def width(self, s: str, size: float, weight: str = "normal") -> float:
        """Width of one line of text in mm."""
        key = (size, weight)
        if key not in self._fonts:
            self._fonts[key] = FontProperties(family=[FONT, "sans-serif"], size=size,
                                              weight=weight)
        w, _, _ = self.renderer.get_text_width_height_descent(s, self._fonts[key], ismath=False)
        return w / 72 * 25.4

    def wrap(self, s: str, size: float, width: float, weight: str = "normal") -> str:
        """Greedy word wrap of ``s`` to ``width`` mm (a longer word keeps its own line)."""
        lines: list[str] = []
        for para in str(s).split("\n"):
            cur = ""
            for word in para.split(" "):
                cand = f"{cur} {word}" if cur else word
                if cur and self.width(cand, size, weight) > width:
                    lines.append(cur)
                    cur = word
                else:
                    cur = cand
            lines.append(cur)
        return "\n".join(lines)


def _lines(s: str) -> int:
    return str(s).count("\n") + 1


def _line_h(size: float) -> float:
    """Height in mm of a line of text of ``size`` points."""
    return size * _SPACING * PT_MM


def _fit(natural: list[float], floor: list[float], total: float) -> list[float]:
    """Column widths summing to ``total``: natural widths, the widest shrunk first."""
    w = [min(n, _MAX_SHARE * total) for n in natural]
    w = [max(a, b) for a, b in zip(w, floor)]
    excess = sum(w) - total
    while excess > 1e-6:
        top = max(w)
        widest = [i for i, x in enumerate(w) if x >= top - 1e-9 and x > floor[i]]
        if not widest:
            break
        rest = [x for x in w if x < top - 1e-9]
        step = min(excess / len(widest), top - (max(rest) if rest else 0.0),
                   min(w[i] - floor[i] for i in widest))
        for i in widest:
            w[i] -= step
        excess -= step * len(widest)
    spare = total - sum(w)
    if spare > 0:  # a narrow table fills the width, in proportion
        w = [x + spare * x / sum(w) for x in w]
    return w


@dataclass
class _Table:
    """A table laid out for the page: column widths (mm) and wrapped cells."""

    caption: str
    header: list[str]
    cells: list[list[str]]
    widths: list[float]

    @classmethod
    def of(cls, m: _Measure, caption: str, header: list[str], rows: list[list[str]],
           total: float) -> _Table:
        ncol = len(header)
        rows = [[str(c) for c in r] for r in rows] or [["—"] * ncol]
        natural = [max([m.width(h, _SIZE, "bold")]
                       + [max(m.width(s, _SIZE) for s in r[j].split("\n")) for r in rows])
                   * 1.03 + 2 * _PAD_X for j, h in enumerate(header)]
        floor = [max(m.width(w, _SIZE, "bold") for w in h.split()) + 2 * _PAD_X
                 if h.split() else 2 * _PAD_X for h in header]
        widths = _fit(natural, floor, total)
        # wrapped a little short of the column: vector output sets text slightly wider
        room = [(w - 2 * _PAD_X) / 1.03 for w in widths]
        head = [m.wrap(h, _SIZE, room[j], "bold") for j, h in enumerate(header)]
        cells = [[m.wrap(c, _SIZE, room[j]) for j, c in enumerate(r)] for r in rows]
        return cls(caption, head, cells, widths)

    def row_heights(self, cells: list[list[str]]) -> list[float]:
        """Height in mm of the header and of each row."""
        return [_line_h(_SIZE) * n + 2 * _PAD_Y for n in
                [max(_lines(h) for h in self.header),
                 *(max(_lines(c) for c in r) for r in cells)]]


class _Pages:
    """Pages of one PDF, filled from the top; a new page when the next block does not fit.

    Positions are in mm from the top of the page.
    """

    def __init__(self, pdf: PdfPages, size: str, title: str, subtitle: str, lang: str,
                 m: _Measure, first_page: int | None = None) -> None:
        self.pdf, self.title, self.subtitle, self.lang, self.m = pdf, title, subtitle, lang, m
        self.w, self.h = PAGE_SIZES[size]
        self.first = first_page
        self.n = 0
        self.fig: Figure | None = None
        self.y = self.top = 0.0
        self.new()

    @property
    def width(self) -> float:
        """Width of the tables in mm."""
        return self.w - 2 * _MARGIN

    def text(self, y: float, s: str, size: float, **kw: object) -> None:
        """Text with its top at ``y`` mm, at the left margin."""
        self.fig.text(_MARGIN / self.w, 1 - y / self.h, s, fontsize=size, va="top",
                      linespacing=_SPACING, **kw)

    def new(self) -> None:
        """Close the current page and start the next (the title in full on the first)."""
        self.flush()
        fig = Figure(figsize=(self.w / 25.4, self.h / 25.4))
        FigureCanvasAgg(fig)
        self.fig = fig
        self.n += 1
        y = 10.0
        if self.n == 1:
            title = self.m.wrap(self.title, 15, self.width, "bold")
            self.text(y, title, 15, fontweight="bold")
            y += _line_h(15) * _lines(title) + 1.0
            if self.subtitle:
                sub = self.m.wrap(self.subtitle, 10, self.width)
                self.text(y, sub, 10, color="#444")
                y += _line_h(10) * _lines(sub)
            y += 5.0
        else:
            cont = self.m.wrap(self.title + tr(" (tiếp)", " (continued)", self.lang), 10,
                               self.width)
            self.text(y, cont, 10, color="#444")
            y += _line_h(10) * _lines(cont) + 4.0
        self.y = self.top = y
        foot = tr(f"diaban · Ngày xuất: {date.today():%d/%m/%Y}",
                  f"diaban · Exported: {date.today():%d/%m/%Y}", self.lang)
        if self.first is not None:
            n = self.first + self.n - 1
            foot += tr(f" · trang {n}", f" · page {n}", self.lang)
        fig.text(_MARGIN / self.w, 6 / self.h, foot, fontsize=7, color="#666")

    @property
    def fresh(self) -> bool:
        """Whether nothing has been drawn below the page's heading yet."""
        return self.y <= self.top

    def flush(self) -> None:
        """Write the current page, if any."""
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.fig = None

    def table(self, t: _Table) -> None:
        """Draw a table, over as many pages as it needs."""
        rest = t.cells
        cont = False
        while rest:
            cap_h = _line_h(12) + 1.5
            room = self.h - _BOTTOM - self.y - cap_h
            take = 0
            while take < len(rest) and sum(t.row_heights(rest[:take + 1])) <= room:
                take += 1
            if take == 0 and not self.fresh:
                self.new()
                continue
            take = max(take, 1)  # a row taller than a page still goes somewhere
            caption = t.caption + (tr(" (tiếp)", " (continued)", self.lang) if cont else "")
            self._draw(t, caption, rest[:take])
            rest, cont = rest[take:], True
            if rest:
                self.new()

    def _draw(self, t: _Table, caption: str, cells: list[list[str]]) -> None:
        cap = self.m.wrap(caption, 12, self.width, "bold")
        self.text(self.y, cap, 12, fontweight="bold")
        self.y += _line_h(12) * _lines(cap) + 1.5
        rows_h = t.row_heights(cells)
        height = sum(rows_h)
        ax = self.fig.add_axes((_MARGIN / self.w, 1 - (self.y + height) / self.h,
                                self.width / self.w, height / self.h))
        ax.axis("off")
        tb = ax.table(cellText=cells, colLabels=t.header, loc="upper left", cellLoc="left",
                      colLoc="left", colWidths=[w / self.width for w in t.widths])
        tb.AXESPAD = 0.0  # flush with the caption and the margin
        tb.auto_set_font_size(False)
        tb.set_fontsize(_SIZE)
        for (r, _c), c in tb.get_celld().items():
            c.set_height(rows_h[r] / height)  # each row as tall as its wrapped lines
            c.PAD = _PAD_X / t.widths[_c]  # padding as a share of the cell's width
            c.get_text().set_linespacing(_SPACING)
            c.set_edgecolor("#999")
            c.set_linewidth(0.4)
            if r == 0:
                c.set_facecolor("#e8eef6")
                c.set_text_props(fontweight="bold")
        self.y += height + 8.0

    def note(self, text: str) -> None:
        """A wrapped paragraph of notes under the tables."""
        s = self.m.wrap(text, 7.5, self.width)
        h = _line_h(7.5) * _lines(s) + 1.5
        if self.y + h > self.h - _BOTTOM and not self.fresh:
            self.new()
        self.text(self.y, s, 7.5, color="#333")
        self.y += h


def render_table_page(out: str | Path, title: str, subtitle: str,
                      tables: list[tuple[str, list[str], list[list[str]]]],
                      notes: list[str] | None = None, size: str = "A4",
                      lang: str = "vi", first_page: int | None = None) -> Path:
    """Write portrait PDF pages of titled tables (text stays text, font embedded).

    One page when everything fits; a table longer than the room left goes on to
    the next page with its caption marked as continued and its header repeated.
    Every page's footer carries the export date (and the page number, when given).

    Parameters
    ----------
    out : str or Path
        Output ``.pdf``.
    title, subtitle : str
        Heading of the first page (the title is repeated, continued, on the next).
    tables : list of (caption, header, rows)
        Each table's caption, column headers and rows of strings.
    notes : list of str, optional
        Paragraphs printed under the tables (rules, sources).
    size : {"A4", "A3"}
        Paper size.
    lang : {"vi", "en"}
        Language of the fixed text (footer, "continued").
    first_page : int, optional
        Number printed on the first page (the next ones count on from it), for
        pages that go into a longer document; no numbers by default.

    Returns
    -------
    Path
    """
    out = Path(out)
    m = _Measure()
    with matplotlib.rc_context(RC), PdfPages(out, metadata={"Title": title,
                                                           "Creator": "diaban"}) as pdf:
        pages = _Pages(pdf, size, title, subtitle, lang, m, first_page)
        for caption, header, rows in tables:
            pages.table(_Table.of(m, caption, header, rows, pages.width))
        for n in notes or []:
            pages.note(n)
        pages.flush()
    return out
