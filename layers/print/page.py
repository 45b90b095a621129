"""The printed page: paper sizes, output formats, fonts, text measured in millimetres.

A :class:`Page` is one matplotlib figure of the paper's size, with a full-page
axes in millimetres (origin top-left, y downwards) on which every other room of
:mod:`layers.print` places its text and blocks. Fonts are DejaVu Sans (shipped
with matplotlib; it has every Vietnamese glyph), embedded as TrueType in PDF and
kept as ``<text>`` in SVG (:data:`RC`).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from geo.errors import ValidationError

__all__ = [
    "FONT",
    "FORMATS",
    "ORIENTATIONS",
    "PAGE_SIZES",
    "RC",
    "Page",
    "format_of",
    "nfc",
    "save",
]

#: Paper sizes in millimetres (portrait).
PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
#: Page orientations.
ORIENTATIONS = ("portrait", "landscape")
#: Output formats by file suffix.
FORMATS = ("png", "pdf", "svg")
#: The font of every printed text.
FONT = "DejaVu Sans"
#: matplotlib settings of every printed page: embedded TrueType, SVG text as text.
RC = {
    "font.family": FONT,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "none",
    "svg.hashsalt": "diaban",
    "hatch.linewidth": 0.4,
    "hatch.color": "#8c8c8c",
    "axes.unicode_minus": True,
    "path.simplify": True,
}

#: Ink colours of the page (text, muted text, commune edges).
INK = "#222222"
MUTED = "#555555"
EDGE = "#8a8a8a"
#: Colours of the base map (sea, Vietnam, other countries, the highlighted area).
SEA = "#e8f1f8"
LAND_VN = "#f3e3c3"
LAND_OTHER = "#f4f4f1"
HIGHLIGHT = "#c62828"
#: Outline of hotspot communes.
HOTSPOT_COLOR = "#111111"
#: Millimetres per typographic point.
PT_MM = 25.4 / 72.0


def nfc(s: object) -> str:
    """Text in Unicode NFC (one code point per Vietnamese letter); ``""`` for None/NaN."""
    return unicodedata.normalize("NFC", "" if s is None or s != s else str(s))


def format_of(out_path: Path, fmt: str | None) -> str:
    """The output format: ``fmt`` or the file's suffix, one of :data:`FORMATS`.

    Raises
    ------
    ValidationError
        For any other format.
    """
    f = (fmt or out_path.suffix.lstrip(".")).lower()
    if f not in FORMATS:
        raise ValidationError(f"Định dạng '{f}' không hỗ trợ; dùng PNG, PDF hoặc SVG.",
                              f"Format '{f}' is not supported; use PNG, PDF or SVG.",
                              file=out_path.name)
    return f


class Page:
    """A page laid out in millimetres, origin top-left, y downwards.

    Parameters
    ----------
    size : {"A4", "A3"}
    orientation : {"portrait", "landscape"}
    dpi : int
        Resolution of PNG output: the image is exactly paper size × dpi.
    fmt : {"png", "pdf", "svg"}
        Output format (vector formats are laid out at 72 dpi).

    Attributes
    ----------
    w, h : float
        Paper width and height in mm.
    fs : float
        Font and line scale (1 on A4, 1.25 on A3).
    ax : matplotlib.axes.Axes
        The full-page axes in mm that text and blocks are drawn on.
    """

    def __init__(self, size: str, orientation: str, dpi: int, fmt: str) -> None:
        w, h = PAGE_SIZES[size]
        if orientation == "landscape":
            w, h = h, w
        self.w, self.h = w, h
        self.fs = 1.0 if size == "A4" else 1.25
        if fmt == "png":
            px = (round(w / 25.4 * dpi), round(h / 25.4 * dpi))
            figsize = ((px[0] + 0.25) / dpi, (px[1] + 0.25) / dpi)
            self.dpi = dpi
        else:
            figsize = (w / 25.4, h / 25.4)
            self.dpi = 72
        self.fig = Figure(figsize=figsize, dpi=self.dpi)
        FigureCanvasAgg(self.fig)
        self.renderer = self.fig.canvas.get_renderer()
        # Text is measured where it is set: at the PNG's resolution, and for vector output
        # finely enough that hinting at 72 dpi (small text set ~5% narrower) does not let
        # wrapped lines run past the margins.
        self._measure_dpi = self.dpi if fmt == "png" else 600
        if fmt == "png":
            self._measurer = self.renderer
        else:
            self._measurer = FigureCanvasAgg(Figure(dpi=self._measure_dpi)).get_renderer()
        ax = self.fig.add_axes((0, 0, 1, 1), zorder=10)
        ax.set_xlim(0, w)
        ax.set_ylim(h, 0)
        ax.set_axis_off()
        ax.patch.set_visible(False)
        self.ax = ax
        self._fonts: dict[tuple[float, str, str], FontProperties] = {}

    def font(self, size: float, weight: str = "normal", style: str = "normal") -> FontProperties:
        """The font at ``size`` points (already scaled by the caller)."""
        key = (size, weight, style)
        if key not in self._fonts:
            # the generic fallback only reaches SVG viewers that lack DejaVu Sans
            self._fonts[key] = FontProperties(family=[FONT, "sans-serif"], size=size,
                                              weight=weight, style=style)
        return self._fonts[key]

    def width(self, s: str, size: float, weight: str = "normal", style: str = "normal") -> float:
        """Width of one line of text in mm."""
        w, _, _ = self._measurer.get_text_width_height_descent(
            s, self.font(size * self.fs, weight, style), ismath=False)
        return w / self._measure_dpi * 25.4

    def line_h(self, size: float) -> float:
        """Line height in mm of text of ``size`` points."""
        return size * self.fs * 1.3 * PT_MM

    def wrap(self, s: str, size: float, width_mm: float, weight: str = "normal",
             style: str = "normal") -> list[str]:
        """Greedy word wrap to ``width_mm``."""
        lines: list[str] = []
        for para in s.split("\n"):
            cur = ""
            for word in para.split(" "):
                cand = f"{cur} {word}" if cur else word
                if cur and self.width(cand, size, weight, style) > width_mm:
                    lines.append(cur)
                    cur = word
                else:
                    cur = cand
            lines.append(cur)
        return lines

    def text(self, x: float, y: float, s: str, size: float, *, weight: str = "normal",
             style: str = "normal", color: str = INK, ha: str = "left", va: str = "top",
             rotation: float = 0.0) -> None:
        """Write ``s`` at (x, y) mm."""
        self.ax.text(x, y, s, fontproperties=self.font(size * self.fs, weight, style),
                     color=color, ha=ha, va=va, rotation=rotation, zorder=12)

    def axes(self, x: float, y: float, w: float, h: float, zorder: float = 1) -> Axes:
        """Axes at a rectangle in mm (top-left origin)."""
        ax = self.fig.add_axes((x / self.w, 1 - (y + h) / self.h, w / self.w, h / self.h),
                               zorder=zorder)
        ax.set_axis_off()
        return ax


def save(page: Page, out_path: Path, fmt: str, title: str) -> Path:
    """Write the page; metadata carries the title and no creation date (reproducible)."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    meta: dict[str, object]
    if fmt == "pdf":
        meta = {"Title": title, "Creator": "diaban", "Producer": "diaban (matplotlib)",
                "CreationDate": None}
    elif fmt == "svg":
        meta = {"Title": title, "Creator": "diaban", "Date": None}
    else:
        meta = {"Title": title, "Software": "diaban"}
    page.fig.savefig(out_path, format=fmt, dpi=page.dpi, metadata=meta)
    return out_path
