"""A printed page of tables (the briefing pack's second page), in the maps' font and paper."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from geo.i18n import tr
from layers.print.page import PAGE_SIZES, RC

__all__ = ["render_table_page"]


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or ""


def render_table_page(out: str | Path, title: str, subtitle: str,
                      tables: list[tuple[str, list[str], list[list[str]]]],
                      notes: list[str] | None = None, size: str = "A4",
                      lang: str = "vi") -> Path:
    """Write a portrait PDF page with titled tables (text stays text, font embedded).

    Parameters
    ----------
    out : str or Path
        Output ``.pdf``.
    title, subtitle : str
        Page heading.
    tables : list of (caption, header, rows)
        Each table's caption, column headers and rows of strings.
    notes : list of str, optional
        Lines printed under the tables (rules, sources).
    size : {"A4", "A3"}
        Paper size.
    lang : {"vi", "en"}
        Language of the fixed footer text.

    Returns
    -------
    Path
    """
    w_mm, h_mm = PAGE_SIZES[size]
    out = Path(out)
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(w_mm / 25.4, h_mm / 25.4))
        FigureCanvasAgg(fig)
        fig.text(0.06, 0.965, title, fontsize=15, fontweight="bold", va="top")
        fig.text(0.06, 0.94, subtitle, fontsize=10, color="#444", va="top")
        y = 0.91
        for caption, header, rows in tables:
            fig.text(0.06, y, caption, fontsize=12, fontweight="bold", va="top")
            y -= 0.02
            ncol = len(header)
            # Column widths (characters) in proportion to their longest text, within 110.
            longest = [max([len(str(h))] + [len(str(r[j])) for r in rows]) for j, h in
                       enumerate(header)]
            longest = [min(max(n, 12), 60) for n in longest]
            widths = [max(11, int(110 * n / sum(longest))) for n in longest]
            cell = [[_wrap(c, widths[j]) for j, c in enumerate(r)] for r in rows] or [
                ["—"] * ncol]
            lines = [max(str(c).count("\n") + 1 for c in r) for r in cell]
            head_lines = max(_wrap(h, widths[j]).count("\n") + 1 for j, h in enumerate(header))
            height = 0.016 * (sum(lines) + head_lines) + 0.01
            ax = fig.add_axes([0.06, y - height, 0.88, height])
            ax.axis("off")
            tb = ax.table(cellText=cell, colLabels=[_wrap(h, widths[j]) for j, h in
                                                    enumerate(header)],
                          loc="upper left", cellLoc="left", colLoc="left", bbox=[0, 0, 1, 1],
                          colWidths=[w / sum(widths) for w in widths])
            tb.auto_set_font_size(False)
            tb.set_fontsize(7.5)
            for (r, _c), c in tb.get_celld().items():
                c.set_edgecolor("#999")
                c.set_linewidth(0.4)
                if r == 0:
                    c.set_facecolor("#e8eef6")
                    c.set_text_props(fontweight="bold")
            y -= height + 0.04
        for n in notes or []:
            fig.text(0.06, y, _wrap(n, 130), fontsize=7.5, color="#333", va="top")
            y -= 0.012 * (_wrap(n, 130).count("\n") + 1) + 0.01
        fig.text(0.06, 0.02, tr(f"diaban · Ngày xuất: {date.today():%d/%m/%Y}",
                                f"diaban · Exported: {date.today():%d/%m/%Y}", lang),
                 fontsize=7, color="#666")
        fig.savefig(out, format="pdf", metadata={"Title": title, "Creator": "diaban"})
    return out
