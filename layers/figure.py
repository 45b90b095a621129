"""Static, print-quality choropleth maps (PNG, PDF, SVG) with matplotlib.

This is the briefing figure: one indicator, one period (or all periods as
small multiples), on an A4 or A3 page with title, legend, scale bar, north
arrow, a locator inset of Vietnam (with the Hoàng Sa and Trường Sa
archipelagos), source and export date. It is kept apart from the interactive
folium maps of :mod:`layers.maps`.

The map is drawn in the province's projected CRS (VN-2000 TM-3 zone), so the
scale bar and the printed scale ``1:N`` are true at the page size. Fonts are
DejaVu Sans (bundled with matplotlib, it has every Vietnamese glyph), embedded
as TrueType in PDF and kept as ``<text>`` in SVG, so names stay searchable
text. Values below ``suppress_below`` are never printed nor used to classify:
they form a class of their own shown as ``< N``.

Examples
--------
>>> spec = MapFigureSpec(units=gdf, title="Người nghiện có hồ sơ quản lý",
...                      subtitle="6 tháng đầu năm 2024 · tỉnh Sơn La",
...                      legend_title="Số người", projected_crs="EPSG:9206",
...                      source="Công an tỉnh Sơn La", suppress_below=5)  # doctest: +SKIP
>>> render_map(spec, "son_la.pdf")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import geopandas as gpd
import mapclassify
import matplotlib
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath
from pyproj import CRS, Transformer
from shapely.geometry import box

from geo.errors import ValidationError
from geo.i18n import fmt_number, tr
from layers.basemap import neighbour_countries, vietnam_layers

__all__ = [
    "FACILITY_MARKERS",
    "FORMATS",
    "PAGE_SIZES",
    "FigureClasses",
    "MapFigureSpec",
    "classify_figure",
    "format_value",
    "inset_geometries",
    "render_map",
    "render_small_multiples",
]

#: Paper sizes in millimetres (portrait).
PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
#: Output formats by file suffix.
FORMATS = ("png", "pdf", "svg")
SCHEMES = ("quantiles", "natural_breaks", "equal_interval")
FONT = "DejaVu Sans"

#: Facility kinds: (marker, fill colour, Vietnamese label, English label).
FACILITY_MARKERS: dict[str, tuple[str, str, str, str]] = {
    "treatment_facility": ("s", "#1f4e9c", "Cơ sở cai nghiện ma túy", "Drug treatment facility"),
    "methadone": ("D", "#7b2fa0", "Cơ sở điều trị Methadone", "Methadone point"),
    "counselling": ("^", "#138a36", "Điểm tư vấn, hỗ trợ cai nghiện", "Counselling point"),
    "club": ("o", "#c77700", "Câu lạc bộ sau cai", "Post-treatment club"),
}
#: Short status labels for map labels (the full ones are in ``geo.store``).
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "designated": ("Trọng điểm (đã xác định)", "Designated hotspot"),
    "in_transformation": ("Đang chuyển hóa", "In transformation"),
    "transformed": ("Đã chuyển hóa", "Transformed"),
    "relapsed": ("Tái phức tạp", "Relapsed"),
    "removed": ("Đã đưa ra khỏi danh sách", "Removed from the list"),
}
STATUS_COLORS: dict[str, str] = {
    "designated": "#b30000",
    "in_transformation": "#d95f0e",
    "transformed": "#2c7fb8",
    "relapsed": "#67000d",
    "removed": "#636363",
}
NO_DATA_COLOR = "#d9d9d9"
HOTSPOT_COLOR = "#111111"
_EDGE = "#8a8a8a"
_INK = "#222222"
_MUTED = "#555555"
_SEA = "#e8f1f8"
_LAND_VN = "#f3e3c3"
_LAND_OTHER = "#f4f4f1"
_HIGHLIGHT = "#c62828"
_INSET_CRS = "EPSG:32648"  # WGS 84 / UTM 48N: the whole country and both archipelagos
_PT_MM = 25.4 / 72.0


# --------------------------------------------------------------------- spec


@dataclass
class MapFigureSpec:
    """What a static map shows and how it is printed.

    Parameters
    ----------
    units : geopandas.GeoDataFrame
        Units to colour, WGS84, with columns ``code``, ``name``, ``value``
        (NaN = no data). Other columns are kept (see ``group_column``).
    title : str
        Main title (the indicator, in words).
    subtitle : str
        Second line: period, province, unit of measure.
    legend_title : str
        Title of the colour legend (what the values are).
    scheme : {"quantiles", "natural_breaks", "equal_interval"}
        Classification (mapclassify).
    k : int
        Number of classes (fewer when there are fewer distinct values).
    hotspots : geopandas.GeoDataFrame, optional
        Hotspot communes to outline and label: ``name``, ``status`` (a key of
        ``geo.store.HOTSPOT_STATUSES`` or free text), ``geometry``; optional
        ``code`` (to show the unit's value in the label) or ``value``.
    facilities : geopandas.GeoDataFrame, optional
        Points with ``kind`` in ``treatment_facility``, ``methadone``,
        ``counselling``, ``club``.
    projected_crs : str, int or pyproj.CRS, optional
        The province's VN-2000 TM-3 zone, e.g. ``"EPSG:9206"`` for Sơn La. The
        map is drawn in it. By default the UTM zone of the units' centre.
    source : str
        Data source, printed as ``Nguồn: …``.
    export_date : datetime.date, optional
        Date printed as ``Ngày xuất: dd/mm/yyyy`` (today by default).
    approximate : bool
        Whether boundaries are approximate (adds a printed warning).
    lang : {"vi", "en"}
        Language of the fixed labels (not of ``title`` and data names).
    size : {"A4", "A3"}
    orientation : {"portrait", "landscape"}
    dpi : int
        Resolution of PNG output; the image is exactly paper size × dpi.
    suppress_below : int, optional
        Values below this are printed as ``< N`` and not used to classify.
    digits : int, optional
        Decimals of printed values (0 for whole numbers, 1 otherwise by default).
    province : str
        Province name, for the locator caption.
    group_column : str, optional
        Column of ``units`` whose groups (e.g. districts) get a heavier outline.
    group_label : str
        Legend label of those outlines (``Ranh giới huyện`` by default).
    label_values : bool
        Whether hotspot labels also show the unit's value.
    inset : bool
        Whether to draw the locator inset (always drawn for partial maps by
        default; a map of the whole country shows the archipelagos itself).
    """

    units: gpd.GeoDataFrame
    title: str
    subtitle: str = ""
    legend_title: str = ""
    scheme: str = "quantiles"
    k: int = 5
    hotspots: gpd.GeoDataFrame | None = None
    facilities: gpd.GeoDataFrame | None = None
    projected_crs: str | int | CRS | None = None
    source: str = ""
    export_date: date | None = None
    approximate: bool = False
    lang: str = "vi"
    size: str = "A4"
    orientation: str = "portrait"
    dpi: int = 300
    suppress_below: int | None = None
    digits: int | None = None
    province: str = ""
    group_column: str | None = None
    group_label: str = ""
    label_values: bool = True
    inset: bool = True
    extra_notes: list[str] = field(default_factory=list)


def _check_spec(spec: MapFigureSpec, units_required: bool = True) -> None:
    problems = []
    if spec.scheme not in SCHEMES:
        problems.append((f"Cách phân lớp '{spec.scheme}' không hợp lệ; dùng: {', '.join(SCHEMES)}.",
                         f"Unknown scheme '{spec.scheme}'; use: {', '.join(SCHEMES)}."))
    if spec.size not in PAGE_SIZES:
        problems.append((f"Khổ giấy '{spec.size}' không hợp lệ; dùng A4 hoặc A3.",
                         f"Unknown paper size '{spec.size}'; use A4 or A3."))
    if spec.orientation not in ("portrait", "landscape"):
        problems.append(("Hướng giấy phải là portrait hoặc landscape.",
                         "Orientation must be portrait or landscape."))
    if not isinstance(spec.k, int) or not 1 <= spec.k <= 9:
        problems.append(("Số lớp phải từ 1 đến 9.", "The number of classes must be 1 to 9."))
    if not isinstance(spec.dpi, int) or not 30 <= spec.dpi <= 1200:
        problems.append(("Độ phân giải (dpi) phải từ 30 đến 1200.", "dpi must be 30 to 1200."))
    if spec.suppress_below is not None and spec.suppress_below < 1:
        problems.append(("Ngưỡng ẩn số nhỏ phải ≥ 1.", "suppress_below must be ≥ 1."))
    if units_required:
        _check_units(spec.units, problems)
    if spec.facilities is not None and len(spec.facilities) and "kind" not in spec.facilities:
        problems.append(("Bảng cơ sở thiếu cột 'kind'.", "Facilities lack a 'kind' column."))
    if spec.hotspots is not None and len(spec.hotspots):
        missing = {"name", "status"} - set(spec.hotspots.columns)
        if missing:
            problems.append((f"Bảng địa bàn trọng điểm thiếu cột: {', '.join(sorted(missing))}.",
                             f"Hotspots lack columns: {', '.join(sorted(missing))}."))
    if problems:
        vi, en = problems[0]
        raise ValidationError(vi, en)


def _check_units(units: gpd.GeoDataFrame, problems: list[tuple[str, str]]) -> None:
    if not isinstance(units, gpd.GeoDataFrame):
        problems.append(("Đơn vị phải là GeoDataFrame.", "units must be a GeoDataFrame."))
        return
    missing = {"code", "name", "value"} - set(units.columns)
    if missing:
        problems.append((f"Bảng đơn vị thiếu cột: {', '.join(sorted(missing))}.",
                         f"Units lack columns: {', '.join(sorted(missing))}."))
    if len(units) == 0:
        problems.append(("Không có đơn vị nào để vẽ.", "There are no units to draw."))


# ----------------------------------------------------------- classification


@dataclass
class FigureClasses:
    """Classes of a printed choropleth.

    Attributes
    ----------
    bins : list of float
        Upper bound of each visible class.
    colors, labels : list of str
        Fill colour and legend label of each visible class.
    counts : list of int
        Number of units in each visible class.
    suppress_below : int or None
        Threshold of the ``< N`` class.
    suppressed : int
        Number of units in the ``< N`` class.
    suppressed_color : str
    no_data : int
        Number of units without a value.
    integral : bool
        Whether the visible values are whole numbers.
    digits : int
        Decimals of printed values.
    """

    bins: list[float]
    colors: list[str]
    labels: list[str]
    counts: list[int]
    suppress_below: int | None
    suppressed: int
    suppressed_color: str
    no_data: int
    integral: bool
    digits: int

    def colors_of(self, values: np.ndarray) -> np.ndarray:
        """Fill colour of each value (no-data colour for NaN)."""
        v = np.asarray(values, dtype=float)
        out = np.full(v.shape, NO_DATA_COLOR, dtype=object)
        fin = np.isfinite(v)
        if self.suppress_below is not None:
            sup = fin & (v < self.suppress_below)
            out[sup] = self.suppressed_color
            fin &= ~sup
        if self.bins and fin.any():
            idx = np.searchsorted(np.asarray(self.bins), v[fin], side="left")
            out[fin] = np.asarray(self.colors, dtype=object)[np.minimum(idx, len(self.bins) - 1)]
        return out


def _ramp(n: int, with_suppressed: bool) -> tuple[list[str], str]:
    cmap = matplotlib.colormaps["OrRd"]
    lo = 0.2 if with_suppressed else 0.1
    pos = np.linspace(lo, 0.95, n) if n > 1 else np.array([0.55])
    return [to_hex(cmap(p)) for p in pos], to_hex(cmap(0.04))


def format_value(value: float | None, suppress_below: int | None = None, lang: str = "vi",
                 digits: int = 0) -> str:
    """Format a value for printing, hiding it as ``< N`` below the threshold.

    Examples
    --------
    >>> format_value(3, 5), format_value(1234, 5, "vi"), format_value(float("nan"))
    ('< 5', '1.234', '—')
    """
    if value is None or not np.isfinite(value):
        return "—"
    if suppress_below is not None and value < suppress_below:
        return f"< {suppress_below}"
    return fmt_number(float(value), lang, digits)


def classify_figure(values: np.ndarray, scheme: str = "quantiles", k: int = 5,
                    suppress_below: int | None = None, lang: str = "vi",
                    digits: int | None = None) -> FigureClasses:
    """Classify values for a printed map.

    NaN goes to a no-data class; values below ``suppress_below`` go to their
    own ``< N`` class and take no part in the breaks, so neither the breaks
    nor the labels reveal them.

    Parameters
    ----------
    values : array-like of float
        Values of the units (NaN = no data).
    scheme : {"quantiles", "natural_breaks", "equal_interval"}
        Classification method.
    k : int
        Wanted number of classes.
    suppress_below : int, optional
        Values below it form the ``< N`` class.
    lang : {"vi", "en"}
        Language of number formatting.
    digits : int, optional
        Decimals in labels (by default 0 for whole numbers, otherwise the
        fewest from 1 to 3 that keep the class edges distinct).

    Returns
    -------
    FigureClasses

    Examples
    --------
    >>> c = classify_figure(np.array([1, 2, 10, 20, 30, 40, np.nan]), "equal_interval", 3,
    ...                     suppress_below=5)
    >>> c.labels, c.suppressed, c.no_data
    (['10 – 20', '21 – 30', '31 – 40'], 2, 1)
    """
    if scheme not in SCHEMES:
        raise ValidationError(f"Cách phân lớp '{scheme}' không hợp lệ.",
                              f"Unknown scheme '{scheme}'.")
    v = np.asarray(values, dtype=float)
    fin = np.isfinite(v)
    sup = fin & (v < suppress_below) if suppress_below is not None else np.zeros_like(fin)
    vis = np.sort(v[fin & ~sup])
    integral = bool(vis.size) and bool(np.all(np.abs(vis - np.round(vis)) < 1e-9))
    auto_digits = digits is None
    if digits is None:
        digits = 0 if integral or not vis.size else 1
    n_unique = len(np.unique(vis))
    k_eff = max(0, min(k, n_unique))
    bins: list[float] = []
    if k_eff == 1:
        bins = [float(vis[-1])]
    elif k_eff > 1:
        if scheme == "natural_breaks":
            # Fisher-Jenks is quadratic: large inputs use 1000 evenly spaced order statistics
            sample = (vis if vis.size <= 1000
                      else vis[np.linspace(0, vis.size - 1, 1000).astype(int)])
            bins = list(mapclassify.FisherJenks(sample, k=k_eff).bins)
        elif scheme == "equal_interval":
            bins = list(mapclassify.EqualInterval(vis, k=k_eff).bins)
        else:
            bins = list(mapclassify.Quantiles(vis, k=k_eff).bins)
        if integral:
            bins = [float(math.floor(b + 1e-9)) for b in bins]
        bins[-1] = float(vis[-1])
        bins = sorted(set(bins))
    if auto_digits and not integral and bins:
        # the fewest decimals (1 to 3) that keep every printed class edge distinct
        edges = [float(vis[0]), *bins]
        for d in (1, 2, 3):
            digits = d
            txt = [fmt_number(e, lang, d) for e in edges]
            zero = fmt_number(0.0, lang, d)
            if len(set(txt)) == len(edges) and all(t != zero for t, e in zip(txt, edges) if e):
                break
    colors, sup_color = _ramp(len(bins), suppress_below is not None)
    labels, counts = [], []
    step = 1.0 if integral else 0.0
    for i, hi in enumerate(bins):
        lo = float(vis[0]) if i == 0 else bins[i - 1] + step
        lo_txt, hi_txt = fmt_number(lo, lang, digits), fmt_number(hi, lang, digits)
        labels.append(lo_txt if lo_txt == hi_txt else f"{lo_txt} – {hi_txt}")
        low_ok = vis >= lo if i == 0 else vis > bins[i - 1]
        counts.append(int((low_ok & (vis <= hi)).sum()))
    return FigureClasses(bins, colors, labels, counts, suppress_below, int(sup.sum()), sup_color,
                         int((~fin).sum()), integral, digits)


# ------------------------------------------------------------------- page


class _Page:
    """A page laid out in millimetres, origin top-left, y downwards."""

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
        ax = self.fig.add_axes((0, 0, 1, 1), zorder=10)
        ax.set_xlim(0, w)
        ax.set_ylim(h, 0)
        ax.set_axis_off()
        ax.patch.set_visible(False)
        self.ax = ax
        self._fonts: dict[tuple[float, str, str], FontProperties] = {}

    def font(self, size: float, weight: str = "normal", style: str = "normal") -> FontProperties:
        key = (size, weight, style)
        if key not in self._fonts:
            # the generic fallback only reaches SVG viewers that lack DejaVu Sans
            self._fonts[key] = FontProperties(family=[FONT, "sans-serif"], size=size,
                                              weight=weight, style=style)
        return self._fonts[key]

    def width(self, s: str, size: float, weight: str = "normal", style: str = "normal") -> float:
        """Width of one line of text in mm."""
        w, _, _ = self.renderer.get_text_width_height_descent(
            s, self.font(size * self.fs, weight, style), ismath=False)
        return w / self.dpi * 25.4

    def line_h(self, size: float) -> float:
        """Line height in mm of text of ``size`` points."""
        return size * self.fs * 1.3 * _PT_MM

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
             style: str = "normal", color: str = _INK, ha: str = "left", va: str = "top",
             rotation: float = 0.0) -> None:
        self.ax.text(x, y, s, fontproperties=self.font(size * self.fs, weight, style),
                     color=color, ha=ha, va=va, rotation=rotation, zorder=12)

    def axes(self, x: float, y: float, w: float, h: float, zorder: float = 1) -> Axes:
        """Axes at a rectangle in mm (top-left origin)."""
        ax = self.fig.add_axes((x / self.w, 1 - (y + h) / self.h, w / self.w, h / self.h),
                               zorder=zorder)
        ax.set_axis_off()
        return ax


# -------------------------------------------------------------- geometry


def _nfc(s: object) -> str:
    return unicodedata.normalize("NFC", "" if s is None or s != s else str(s))


def _wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ValidationError(
                "Đơn vị không có hệ tọa độ và không phải kinh độ/vĩ độ.",
                "Units have no CRS and are not longitude/latitude.")
        return gdf.set_crs("EPSG:4326")
    return gdf if gdf.crs.equals(CRS.from_epsg(4326)) else gdf.to_crs("EPSG:4326")


def _projected_crs(spec_crs: object, units: gpd.GeoDataFrame) -> CRS:
    if spec_crs is None:
        return units.estimate_utm_crs()
    crs = CRS.from_user_input(spec_crs)
    if not crs.is_projected:
        raise ValidationError("Hệ tọa độ vẽ bản đồ phải là hệ phẳng (mét), ví dụ EPSG:9206.",
                              "The map CRS must be projected (metres), e.g. EPSG:9206.")
    return crs


def _nice_scale(s: float) -> float:
    """Round a scale denominator up to two significant digits.

    Examples
    --------
    >>> _nice_scale(1_052_689), _nice_scale(432_000), _nice_scale(98_100)
    (1100000.0, 440000.0, 99000.0)
    """
    step = 10.0 ** (math.floor(math.log10(s)) - 1)
    return float(math.ceil(s / step - 1e-9) * step)


def _nice_length(max_m: float) -> float:
    """Largest 1, 2 or 5 × 10^n metres not above ``max_m``."""
    exp = math.floor(math.log10(max_m))
    for step in (5, 2, 1):
        if step * 10**exp <= max_m:
            return step * 10**exp
    return 10.0**exp  # pragma: no cover


def _draw_polys(ax: Axes, geoms: np.ndarray, facecolor: object, edgecolor: object,
                linewidth: float, zorder: float, hatch: str | None = None,
                joinstyle: str = "round") -> None:
    """Draw polygons as one PathCollection-like PatchCollection (fast, vector)."""
    patches = []
    for g in geoms:
        if g is None or g.is_empty:
            continue
        polys = g.geoms if g.geom_type == "MultiPolygon" else [g]
        verts, codes = [], []
        for p in polys:
            if p.geom_type != "Polygon":
                continue
            for ring in [p.exterior, *p.interiors]:
                c = np.asarray(ring.coords)[:, :2]
                verts.append(c)
                cc = np.full(len(c), MplPath.LINETO, dtype=np.uint8)
                cc[0] = MplPath.MOVETO
                cc[-1] = MplPath.CLOSEPOLY
                codes.append(cc)
        if verts:
            patches.append(PathPatch(MplPath(np.concatenate(verts), np.concatenate(codes))))
    coll = PatchCollection(patches, facecolor=facecolor, edgecolor=edgecolor,
                           linewidth=linewidth, zorder=zorder, joinstyle=joinstyle,
                           match_original=False)
    if hatch:
        coll.set_hatch(hatch)
    ax.add_collection(coll)


def _dissolve(geoms: np.ndarray, eps: float) -> shapely.Geometry:
    """Union of polygons that closes slivers and pin-holes narrower than ``2 * eps``.

    Boundary files are rarely perfect coverages: a plain union keeps hairline
    gaps between neighbours as holes, which an outline then draws as dashes
    along every inner boundary.
    """
    u = shapely.union_all(shapely.buffer(geoms, eps, quad_segs=2, join_style="mitre"))
    u = shapely.buffer(u, -eps, quad_segs=2, join_style="mitre")
    min_hole = (20 * eps) ** 2
    polys = [shapely.Polygon(p.exterior, [r for r in p.interiors
                                          if shapely.Polygon(r).area > min_hole])
             for p in getattr(u, "geoms", [u]) if p.geom_type == "Polygon" and not p.is_empty]
    return shapely.MultiPolygon(polys) if len(polys) != 1 else polys[0]


def _shows_whole_country(bounds_wgs84: np.ndarray) -> bool:
    minx, miny, maxx, maxy = bounds_wgs84
    return (maxy - miny) >= 10.0


# ------------------------------------------------------------------ inset


def _inset_frame() -> shapely.Polygon:
    t = Transformer.from_crs("EPSG:4326", _INSET_CRS, always_xy=True)
    xs, ys = t.transform([101.7, 114.4, 114.4, 101.7], [6.2, 6.2, 23.6, 23.6])
    return box(min(xs), min(ys), max(xs), max(ys))


_INSET_CACHE: dict[str, gpd.GeoDataFrame] = {}


def _inset_base() -> gpd.GeoDataFrame:
    if "base" not in _INSET_CACHE:
        frame = _inset_frame()
        t = Transformer.from_crs(_INSET_CRS, "EPSG:4326", always_xy=True)
        fx, fy = t.transform(*frame.exterior.xy)
        clip_ll = box(min(fx) - 1, min(fy) - 1, max(fx) + 1, max(fy) + 1)
        nb = neighbour_countries()
        nb = nb[nb.intersects(clip_ll)].copy()
        nb["geometry"] = nb.geometry.intersection(clip_ll)
        nb = nb.to_crs(_INSET_CRS)
        nb = gpd.GeoDataFrame({"role": "neighbour", "key": nb["iso_a3"].str.lower(),
                               "territory": nb["iso_a3"], "label_vi": "", "label_en": ""},
                              geometry=nb.geometry.values, crs=_INSET_CRS)
        vn = vietnam_layers(_INSET_CRS)
        fr = gpd.GeoDataFrame({"role": ["frame"], "key": ["frame"], "territory": [""],
                               "label_vi": [""], "label_en": [""]}, geometry=[frame],
                              crs=_INSET_CRS)
        base = pd.concat([fr, nb, vn], ignore_index=True)
        base["geometry"] = shapely.simplify(base.geometry.values, 400.0, preserve_topology=True)
        _INSET_CACHE["base"] = gpd.GeoDataFrame(base, geometry="geometry", crs=_INSET_CRS)
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
        area = shapely.union_all(_wgs84(spec.units).geometry.values)
    prov = gpd.GeoSeries([area], crs="EPSG:4326").to_crs(_INSET_CRS)
    row = gpd.GeoDataFrame({"role": ["province"], "key": ["province"], "territory": ["VNM"],
                            "label_vi": [spec.province], "label_en": [spec.province]},
                           geometry=list(prov.values), crs=_INSET_CRS)
    return gpd.GeoDataFrame(pd.concat([base, row], ignore_index=True), geometry="geometry",
                            crs=_INSET_CRS)


def _archipelago_labels(page: _Page, ax: Axes, geoms: gpd.GeoDataFrame, lang: str,
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


def _inset_size(width_mm: float) -> tuple[float, float]:
    minx, miny, maxx, maxy = _inset_frame().bounds
    return width_mm, width_mm * (maxy - miny) / (maxx - minx)


def _draw_inset(page: _Page, x: float, y: float, w: float, geoms: gpd.GeoDataFrame,
                lang: str, caption: str) -> float:
    """Draw the inset at (x, y) mm, width w; return its total height in mm."""
    fs = page.fs
    cap_lines = page.wrap(caption, 7.5, w, "bold")
    cy = y
    for line in cap_lines:
        page.text(x, cy, line, 7.5, weight="bold")
        cy += page.line_h(7.5)
    cy += 1.0
    _, h = _inset_size(w)
    ax = page.axes(x, cy, w, h, zorder=5)
    frame = geoms[geoms.role == "frame"].geometry.iloc[0]
    minx, miny, maxx, maxy = frame.bounds
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.add_patch(Rectangle((minx, miny), maxx - minx, maxy - miny, facecolor=_SEA,
                           edgecolor="none", zorder=0))
    nb = geoms[geoms.role == "neighbour"]
    _draw_polys(ax, nb.geometry.values, _LAND_OTHER, "#b9b9b9", 0.3 * fs, 1)
    vn = geoms[geoms.role.isin(["mainland", "archipelago"])]
    _draw_polys(ax, vn.geometry.values, _LAND_VN, "#7d6a49", 0.35 * fs, 2)
    prov = geoms[geoms.role == "province"].geometry.iloc[0]
    _draw_polys(ax, np.array([prov]), _HIGHLIGHT, _HIGHLIGHT, 0.4 * fs, 3)
    pminx, pminy, pmaxx, pmaxy = prov.bounds
    m_per_mm = (maxx - minx) / w
    if max(pmaxx - pminx, pmaxy - pminy) < 4 * m_per_mm:  # tiny area: ring it
        c = prov.centroid
        ax.add_patch(matplotlib.patches.Circle((c.x, c.y), 3 * m_per_mm, fill=False,
                                               edgecolor=_HIGHLIGHT, linewidth=0.8 * fs,
                                               zorder=4))
    _archipelago_labels(page, ax, geoms, lang, m_per_mm, 5.5, miny, maxx)
    t = Transformer.from_crs("EPSG:4326", _INSET_CRS, always_xy=True)
    sx, sy = t.transform(111.5, 12.6)  # open sea between the coast and the archipelagos
    ax.text(sx, sy, tr("Biển Đông", "East Sea", lang), ha="center", va="center",
            fontproperties=page.font(5.5 * fs, style="italic"), color="#4a7aa8", zorder=5)
    ax.add_patch(Rectangle((minx, miny), maxx - minx, maxy - miny, fill=False,
                           edgecolor="#666666", linewidth=0.5 * fs, zorder=6, clip_on=False))
    return cy - y + h


# --------------------------------------------------------------- furniture


def _draw_scalebar(page: _Page, x: float, y: float, length_mm: float, length_m: float,
                   scale: float, lang: str) -> None:
    """Scale bar (alternating segments, km) with its top-left at (x, y) mm."""
    lead = round(length_m / 10 ** math.floor(math.log10(length_m)))
    n = {1: 5, 2: 4, 5: 5}.get(lead, 4)
    seg = length_mm / n
    bar_h = 1.4 * page.fs
    ty = y + page.line_h(6.5)
    for i in range(n):
        page.ax.add_patch(Rectangle((x + i * seg, ty), seg, bar_h,
                                    facecolor=_INK if i % 2 == 0 else "white",
                                    edgecolor=_INK, linewidth=0.5 * page.fs, zorder=12))
    km = length_m / 1000
    digits = 0 if float(km / n).is_integer() else (1 if float(km / n * 10).is_integer() else 2)
    widest = page.width(fmt_number(km, lang, digits), 6.5)
    ticks = range(n + 1) if seg > widest + 1.5 else ((0, n // 2, n) if n % 2 == 0 else (0, n))
    for i in ticks:
        s = fmt_number(km * i / n, lang, digits if i not in (0, n) or digits else 0)
        page.text(x + i * seg, ty - 0.6, s, 6.5, ha="center", va="bottom")
    page.text(x + length_mm + 1.5, ty + bar_h / 2, "km", 6.5, va="center")
    page.text(x, ty + bar_h + 1.0, tr("Tỷ lệ", "Scale", lang) + " 1:"
              + fmt_number(scale, lang, 0), 6.5, color=_MUTED)


def _scalebar_size(page: _Page, length_mm: float, scale: float, lang: str) -> tuple[float, float]:
    w = max(length_mm + 2 + page.width("km", 6.5),
            page.width(tr("Tỷ lệ", "Scale", lang) + " 1:" + fmt_number(scale, lang, 0), 6.5))
    h = page.line_h(6.5) + 1.4 * page.fs + 1.0 + page.line_h(6.5)
    return w + 2, h


def _grid_convergence(crs: CRS, x: float, y: float) -> float:
    """Angle in degrees from grid north to true north at (x, y), clockwise positive."""
    to_ll = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    to_xy = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lon, lat = to_ll.transform(x, y)
    x2, y2 = to_xy.transform(lon, lat + 0.05)
    return math.degrees(math.atan2(x2 - x, y2 - y))


def _draw_north(page: _Page, cx: float, top: float, angle: float, lang: str) -> None:
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
                              facecolor=_INK, edgecolor=_INK, linewidth=0.5 * fs, zorder=12))
    page.ax.add_patch(Polygon([rot(*tip), rot(*notch), rot(*base_r)], closed=True,
                              facecolor="white", edgecolor=_INK, linewidth=0.5 * fs,
                              zorder=12))
    lx, ly = rot(0, h / 2 + 0.8)
    page.text(lx, ly, tr("B", "N", lang), 8, weight="bold", ha="center", va="bottom")


def _north_size(page: _Page) -> tuple[float, float]:
    return 8.0 * page.fs, page.line_h(8) + 9.0 * page.fs + 1


# ------------------------------------------------------------------ legend


@dataclass
class _LegendRow:
    kind: str  # "title", "fill", "line", "marker", "gap", "header", "note"
    text: str = ""
    count: str = ""
    color: str = ""
    hatch: str | None = None
    marker: str = ""
    linewidth: float = 0.0


def _legend_rows(classes: FigureClasses, spec: MapFigureSpec, statuses: list[str],
                 fac_kinds: list[str], has_group: bool, unit_periods: bool = False,
                 national: bool = False, labelled: bool = True
                 ) -> tuple[list[_LegendRow], list[_LegendRow]]:
    """Rows of the colour legend and of the symbol legend.

    ``labelled`` says whether hotspots carry labels (whose accent colour gives
    the status, explained under the outline row).
    """
    lang = spec.lang
    rows = [_LegendRow("title", _nfc(spec.legend_title) or tr("Giá trị", "Value", lang))]
    if classes.suppress_below is not None:
        rows.append(_LegendRow("fill", f"< {classes.suppress_below}", f"({classes.suppressed})",
                               classes.suppressed_color))
    for lab, col, n in zip(classes.labels, classes.colors, classes.counts):
        rows.append(_LegendRow("fill", lab, f"({n})", col))
    rows.append(_LegendRow("fill", tr("Không có số liệu", "No data", lang),
                           f"({classes.no_data})", NO_DATA_COLOR, hatch="/////"))
    note = (tr("(số lượt đơn vị × kỳ trong mỗi lớp)", "(unit-periods per class)", lang)
            if unit_periods else
            tr("(số đơn vị trong mỗi lớp)", "(number of units per class)", lang))
    rows.append(_LegendRow("note", note))
    sym: list[_LegendRow] = []
    if statuses:
        sym.append(_LegendRow("line", tr("Địa bàn trọng điểm về ma túy", "Drug hotspot commune",
                                         lang), color=HOTSPOT_COLOR, linewidth=1.5))
        for st in statuses if labelled else []:
            sym.append(_LegendRow("accent", tr(*STATUS_LABELS[st], lang) if st in STATUS_LABELS
                                  else _nfc(st), color=STATUS_COLORS.get(st, _MUTED)))
    sym.append(_LegendRow("line", tr("Biên giới quốc gia", "National border", lang) if national
                          else tr("Ranh giới tỉnh", "Province boundary", lang),
                          color="#262626", linewidth=1.0))
    if has_group:
        sym.append(_LegendRow("line", _nfc(spec.group_label) or tr("Ranh giới huyện",
                                                                    "District boundary", lang),
                              color="#4d4d4d", linewidth=0.7))
    sym.append(_LegendRow("line", tr("Ranh giới đơn vị", "Unit boundary", lang) if national
                          else tr("Ranh giới xã", "Commune boundary", lang),
                          color=_EDGE, linewidth=0.3))
    if fac_kinds:
        sym.append(_LegendRow("gap"))
        sym.append(_LegendRow("header", tr("Cơ sở điều trị, hỗ trợ", "Facilities", lang)))
        for kind in fac_kinds:
            mk, col, vi, en = FACILITY_MARKERS.get(kind, ("o", "#333333", kind, kind))
            sym.append(_LegendRow("marker", tr(vi, en, lang), color=col, marker=mk))
    if statuses or fac_kinds or has_group:
        sym.insert(0, _LegendRow("title", tr("Ký hiệu", "Symbols", lang)))
    return rows, sym


_SW_W, _SW_H, _SW_GAP = 7.0, 4.0, 2.0


def _legend_size(page: _Page, rows: list[_LegendRow], max_w: float) -> tuple[float, float]:
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


def _draw_legend(page: _Page, x: float, y: float, rows: list[_LegendRow], max_w: float) -> None:
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
            page.text(x, y, r.text, 6.5, style="italic", color=_MUTED)
            y += page.line_h(6.5)
        else:
            row_h = max(sw_h + 1.3 * fs, page.line_h(7.5))
            cy = y + row_h / 2
            if r.kind == "fill":
                page.ax.add_patch(Rectangle((x, cy - sw_h / 2), sw_w, sw_h, facecolor=r.color,
                                            edgecolor=_EDGE, linewidth=0.4 * fs,
                                            hatch=r.hatch, zorder=11))
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
                page.ax.plot([x + sw_w / 2], [cy], marker=r.marker, markersize=_marker_size(
                    r.marker) * fs, markerfacecolor=r.color, markeredgecolor="white",
                    markeredgewidth=0.7 * fs, linestyle="none", zorder=11)
            # label and count in one text run, so copied or extracted text keeps them together
            page.text(x + sw_w + gap, cy, f"{r.text}  {r.count}" if r.count else r.text, 7.5,
                      va="center_baseline")
            y += row_h


def _marker_size(marker: str) -> float:
    return {"s": 6.0, "D": 5.2, "^": 6.6, "o": 6.0}.get(marker, 6.0)


# ------------------------------------------------------------ hotspot labels


@dataclass
class _Label:
    anchor: tuple[float, float]
    lines: list[tuple[str, float, str]]  # text, size (pt), weight
    accent: str
    w: float = 0.0  # mm
    h: float = 0.0  # mm
    pos: tuple[float, float] | None = None  # box centre in data units
    leader: shapely.LineString | None = None


def _place_labels(labels: list[_Label], m_per_mm: float, frame: tuple[float, float, float, float],
                  obstacles: list[shapely.Geometry], areas: list[shapely.Geometry]) -> None:
    """Greedy label placement with leader lines; labels never overlap each other.

    Each label is tried on rings of growing distance around its anchor, in
    16 directions (right, left, up, down first). A box must stay inside
    ``frame`` and cover no obstacle (scale bar, north arrow, facility
    symbols), no placed label and no other label's anchor. Three passes relax
    the rest in turn: first the box also keeps off every hotspot area (so
    outlines stay visible) and leader lines cross no label, leader or other
    area; then areas may be covered; then leaders may cross. If still nothing
    fits, the free position nearest the anchor with the least overlap wins.

    Parameters
    ----------
    labels : list of _Label
        Labels with ``anchor``, ``w`` and ``h`` (mm); ``pos`` and ``leader``
        are set here.
    m_per_mm : float
        Map units per paper millimetre.
    frame : tuple of float
        ``minx, miny, maxx, maxy`` the boxes must stay in (map units).
    obstacles : list of shapely geometries
        Areas no label may cover.
    areas : list of shapely geometries
        The labelled areas, one per label.
    """
    minx, miny, maxx, maxy = frame
    boxes: list[shapely.Geometry] = []
    leaders: list[shapely.Geometry] = []
    hard = list(obstacles)
    for g in hard + list(areas):
        shapely.prepare(g)
    dots = [shapely.Point(lb.anchor).buffer(1.2 * m_per_mm) for lb in labels]
    angles = [0, 180, 90, 270, 45, 135, 315, 225, 22.5, 157.5, 67.5, 112.5, 337.5, 202.5,
              292.5, 247.5]
    dirs = [(math.cos(math.radians(a)), math.sin(math.radians(a))) for a in angles]
    order = sorted(range(len(labels)), key=lambda i: -labels[i].anchor[1])

    def candidates(lab: _Label) -> list[tuple[float, float, shapely.Polygon,
                                              shapely.LineString]]:
        w, h = lab.w * m_per_mm, lab.h * m_per_mm
        ax_, ay_ = lab.anchor
        anchor = shapely.Point(ax_, ay_)
        out = []
        for ring in range(20):
            gap = (2.0 + ring * 3.0) * m_per_mm
            for dx, dy in dirs:
                # the box side nearest the anchor lies ``gap`` away from it
                cx, cy = ax_ + dx * (gap + w / 2), ay_ + dy * (gap + h / 2)
                if not (cx - w / 2 >= minx and cx + w / 2 <= maxx
                        and cy - h / 2 >= miny and cy + h / 2 <= maxy):
                    continue
                rect = box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                p1, _ = shapely.ops.nearest_points(rect, anchor)
                out.append((cx, cy, rect, shapely.LineString([(ax_, ay_), (p1.x, p1.y)])))
        return out

    for i in order:
        lab = labels[i]
        cands = candidates(lab)
        others = [d for j, d in enumerate(dots) if j != i]
        free = [c for c in cands
                if not any(o.intersects(c[2]) for o in hard)
                and not any(b.intersects(c[2]) for b in boxes)
                and not any(d.intersects(c[2]) for d in others)]
        anchor = shapely.Point(lab.anchor)
        best = None
        for level in range(3):
            for c in free:
                rect, leader = c[2], c[3]
                if level == 0 and any(a.intersects(rect) for a in areas):
                    continue
                if level < 2:
                    if any(b.intersects(leader) for b in boxes + leaders):
                        continue
                    if any(a.intersects(leader) for j, a in enumerate(areas)
                           if j != i and not a.contains(anchor)):
                        continue
                best = c
                break
            if best:
                break
        if best is None:
            pool = cands or [(lab.anchor[0], lab.anchor[1], box(*lab.anchor, *lab.anchor),
                              shapely.LineString([lab.anchor, lab.anchor]))]
            best = min(pool, key=lambda c: sum(b.intersection(c[2]).area for b in boxes))
        lab.pos = (best[0], best[1])
        lab.leader = best[3]
        boxes.append(best[2])
        leaders.append(best[3].buffer(0.3 * m_per_mm))


def _label_size(page: _Page, lab: _Label) -> None:
    pad = 1.0 * page.fs
    lab.w = max(page.width(s, size, wt) for s, size, wt in lab.lines) + 2 * pad + 1.0 * page.fs
    lab.h = sum(page.line_h(size) for _, size, _ in lab.lines) + 2 * pad - 0.6


def _draw_label(page: _Page, ax: Axes, lab: _Label, m_per_mm: float) -> None:
    cx, cy = lab.pos
    w, h = lab.w * m_per_mm, lab.h * m_per_mm
    fs = page.fs
    if lab.leader is not None and lab.leader.length > 0.5 * m_per_mm:
        xs, ys = lab.leader.xy
        ax.plot(xs, ys, color="white", linewidth=1.6 * fs, zorder=20, solid_capstyle="round")
        ax.plot(xs, ys, color=_INK, linewidth=0.6 * fs, zorder=20, solid_capstyle="round")
        ax.plot([lab.anchor[0]], [lab.anchor[1]], marker="o", markersize=2.2 * fs,
                color=_INK, markeredgecolor="white", markeredgewidth=0.4 * fs, zorder=21)
    ax.add_patch(FancyBboxPatch((cx - w / 2, cy - h / 2), w, h,
                                boxstyle=f"round,pad=0,rounding_size={0.8 * m_per_mm}",
                                facecolor="white", edgecolor=_INK, linewidth=0.5 * fs,
                                alpha=0.95, zorder=22))
    ax.add_patch(Rectangle((cx - w / 2, cy - h / 2), 1.0 * fs * m_per_mm, h,
                           facecolor=lab.accent, edgecolor="none", zorder=23))
    y = cy + h / 2 - 1.0 * fs * m_per_mm + 0.3 * m_per_mm
    x = cx - w / 2 + (2.0 * fs) * m_per_mm
    for s, size, wt in lab.lines:
        ax.text(x, y, s, fontproperties=page.font(size * fs, wt), color=_INK, ha="left",
                va="top", zorder=24)
        y -= page.line_h(size) * m_per_mm


# ------------------------------------------------------------------ render


def _fmt_of(out_path: Path, fmt: str | None) -> str:
    f = (fmt or out_path.suffix.lstrip(".")).lower()
    if f not in FORMATS:
        raise ValidationError(f"Định dạng '{f}' không hỗ trợ; dùng PNG, PDF hoặc SVG.",
                              f"Format '{f}' is not supported; use PNG, PDF or SVG.")
    return f


_RC = {
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


def _save(page: _Page, out_path: Path, fmt: str, title: str) -> Path:
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


def _footer_lines(page: _Page, spec: MapFigureSpec, crs: CRS, width: float
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
        notes.append((tr(f"Giá trị nhỏ hơn {spec.suppress_below} được ẩn (hiện “< "
                         f"{spec.suppress_below}”) để bảo vệ thông tin cá nhân.",
                         f"Values below {spec.suppress_below} are hidden (shown as “< "
                         f"{spec.suppress_below}”) to protect individuals.", lang),
                      "normal", _MUTED))
    for n in spec.extra_notes:
        notes.append((_nfc(n), "normal", _MUTED))
    crs_txt = tr("Hệ quy chiếu", "Coordinate system", lang) + f": {crs.name}"
    epsg = crs.to_epsg()
    if epsg:
        crs_txt += f" (EPSG:{epsg})"
    notes.append((crs_txt, "normal", _MUTED))
    src = tr("Nguồn", "Source", lang) + ": " + (_nfc(spec.source) or "—")
    return notes, page.wrap(src, 7.5, width)


def _draw_header_footer(page: _Page, spec: MapFigureSpec, crs: CRS
                        ) -> tuple[float, float, float, float]:
    """Draw title block and footer; return the body (x, y, w, h) in mm."""
    fs = page.fs
    m = 10.0 * fs
    x0, width = m, page.w - 2 * m
    y = m
    for s in page.wrap(_nfc(spec.title), 15, width, "bold"):
        page.text(x0, y, s, 15, weight="bold")
        y += page.line_h(15)
    if spec.subtitle:
        y += 0.5
        for s in page.wrap(_nfc(spec.subtitle), 10.5, width):
            page.text(x0, y, s, 10.5, color="#333333")
            y += page.line_h(10.5)
    y += 1.5
    page.ax.add_line(Line2D([x0, x0 + width], [y, y], color="#444444", linewidth=0.8 * fs))
    body_top = y + 3.0 * fs

    # footer, from the bottom up
    date_txt = tr("Ngày xuất", "Exported", spec.lang) + ": " + (
        spec.export_date or date.today()).strftime("%d/%m/%Y")
    date_w = page.width(date_txt, 7.5) + 4
    notes, src_lines = _footer_lines(page, spec, crs, width - date_w)
    yb = page.h - m
    for i, s in enumerate(reversed(src_lines)):
        page.text(x0, yb, s, 7.5, va="bottom")
        if i == len(src_lines) - 1:
            pass
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


def _prepare_units(units: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoDataFrame:
    u = _wgs84(units).to_crs(crs)
    u = u[~(u.geometry.isna() | u.geometry.is_empty)].copy()
    u["value"] = pd.to_numeric(u["value"], errors="coerce").astype(float)
    u["name"] = [_nfc(s) for s in u["name"]]
    return u


def _facility_kinds(fac: gpd.GeoDataFrame | None) -> list[str]:
    if fac is None or not len(fac):
        return []
    present = set(fac["kind"].astype(str))
    known = [k for k in FACILITY_MARKERS if k in present]
    return known + sorted(present - set(FACILITY_MARKERS))


def _hotspot_labels(page: _Page, spec: MapFigureSpec, hot: gpd.GeoDataFrame,
                    units: gpd.GeoDataFrame, classes: FigureClasses) -> list[_Label]:
    lang = spec.lang
    values = dict(zip(units["code"].astype(str), units["value"])) if "code" in units else {}
    labels = []
    for _, r in hot.iterrows():
        p = r.geometry.representative_point()
        status = str(r["status"])
        st_txt = tr(*STATUS_LABELS[status], lang) if status in STATUS_LABELS else _nfc(status)
        second = st_txt
        if spec.label_values:
            v = r["value"] if "value" in hot.columns else values.get(str(r.get("code")), None)
            if v is not None and np.isfinite(v):
                second += " · " + format_value(v, spec.suppress_below, lang, classes.digits)
        lab = _Label((p.x, p.y), [(_nfc(r["name"]), 7.5, "bold"), (second, 6.5, "normal")],
                     STATUS_COLORS.get(status, _MUTED))
        _label_size(page, lab)
        labels.append(lab)
    return labels


def _prepare_hotspots(spec: MapFigureSpec, units: gpd.GeoDataFrame, crs: CRS
                      ) -> gpd.GeoDataFrame | None:
    hot = spec.hotspots
    if hot is None or not len(hot):
        return None
    hot = hot.copy()
    if "code" in hot and "code" in units and (hot.geometry.isna().any() or hot.crs is None):
        geo = dict(zip(units["code"].astype(str), _wgs84(units).geometry))
        hot["geometry"] = [g if g is not None else geo.get(str(c))
                           for g, c in zip(hot.geometry, hot["code"])]
        hot = gpd.GeoDataFrame(hot, geometry="geometry", crs=hot.crs or "EPSG:4326")
    hot = _wgs84(hot).to_crs(crs)
    return hot[~(hot.geometry.isna() | hot.geometry.is_empty)]


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


def render_map(spec: MapFigureSpec, out_path: str | Path, fmt: str | None = None) -> Path:
    """Render one choropleth map to a PNG, PDF or SVG page.

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
    f = _fmt_of(out_path, fmt)
    _check_spec(spec)
    with matplotlib.rc_context(_RC):
        page = _Page(spec.size, spec.orientation, spec.dpi, f)
        _compose_single(page, spec)
        return _save(page, out_path, f, _nfc(spec.title))


def _compose_single(page: _Page, spec: MapFigureSpec) -> None:
    lang, fs = spec.lang, page.fs
    units_ll = _wgs84(spec.units)
    crs = _projected_crs(spec.projected_crs, units_ll)
    units = _prepare_units(units_ll, crs)
    classes = classify_figure(units["value"].to_numpy(), spec.scheme, spec.k,
                              spec.suppress_below, lang, spec.digits)
    whole_country = _shows_whole_country(units_ll.total_bounds)
    union_ll = shapely.union_all(units_ll.geometry.values)
    country = vietnam_layers(crs) if whole_country else None
    hot = _prepare_hotspots(spec, units, crs)
    fac = spec.facilities
    if fac is not None and len(fac):
        fac = _wgs84(fac).to_crs(crs)
    fac_kinds = _facility_kinds(fac)
    has_group = bool(spec.group_column and spec.group_column in units)

    body = _draw_header_footer(page, spec, crs)
    statuses = [] if hot is None else list(dict.fromkeys(hot["status"].astype(str)))
    rows, sym = _legend_rows(classes, spec, statuses, fac_kinds, has_group,
                             national=whole_country)
    max_w = 62 * fs
    blocks = []
    for rr in (rows, sym):
        w, h = _legend_size(page, rr, max_w)
        blocks.append(_Block(w, h, lambda x, y, rr=rr: _draw_legend(page, x, y, rr, max_w)))
    show_inset = spec.inset and not whole_country
    if show_inset:
        inset_w = 44.0 * fs
        cap = (tr("Vị trí ", "Location of ", lang) + _nfc(spec.province) if spec.province
               else tr("Vị trí khu vực bản đồ", "Location of the map area", lang))
        cap_h = len(page.wrap(cap, 7.5, inset_w, "bold")) * page.line_h(7.5) + 1.0
        blocks.append(_Block(inset_w, _inset_size(inset_w)[1] + cap_h, lambda x, y: _draw_inset(
            page, x, y, inset_w, inset_geometries(spec, union_ll), lang, cap), bottom=True))
    gap = 6.0 * fs

    b = units.total_bounds
    if country is not None:
        b = np.r_[np.minimum(b[:2], country.total_bounds[:2]),
                  np.maximum(b[2:], country.total_bounds[2:])]
    dw, dh = (b[2] - b[0]) * 1.06, (b[3] - b[1]) * 1.06
    options = _layouts(body, blocks, gap)
    _, (fx, fy, fw, fh), placements = min(
        options, key=lambda o: (round(max(dw / o[1][2], dh / o[1][3]), 1), len(o[2])))
    scale = _nice_scale(max(dw / fw, dh / fh) * 1000)
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
    bar_m = _nice_length(fw * 0.28 * m_per_mm)
    bar_mm = bar_m / m_per_mm
    sb_w, sb_h = _scalebar_size(page, bar_mm, scale, lang)
    na_w, na_h = _north_size(page)
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
    _draw_scalebar(page, sb[1], sb[2], bar_mm, bar_m, scale, lang)
    angle = _grid_convergence(crs, cx, cy)
    _draw_north(page, na[1] + na_w / 2, na[2], angle, lang)
    obstacles = [to_data(sb[1], sb[2], sb_w, sb_h), to_data(na[1], na[2], na_w, na_h)]

    if hot is not None:
        labels = _hotspot_labels(page, spec, hot, units, classes)
        if fac is not None and len(fac):
            r = 2.0 * fs * m_per_mm
            obstacles += [box(p.x - r, p.y - r, p.x + r, p.y + r) for p in fac.geometry]
        pad = 1.5 * m_per_mm
        _place_labels(labels, m_per_mm, (xlim[0] + pad, ylim[0] + pad, xlim[1] - pad,
                                         ylim[1] - pad), obstacles, list(hot.geometry.values))
        for lab in labels:
            _draw_label(page, ax, lab, m_per_mm)

    # neat line
    page.ax.add_patch(Rectangle((fx, fy), fw, fh, fill=False, edgecolor="#444444",
                                linewidth=0.6 * fs, zorder=11))
    for blk, x, y in placements:
        blk.draw(x, y)


def _draw_map_body(page: _Page, ax: Axes, units: gpd.GeoDataFrame, classes: FigureClasses,
                   spec: MapFigureSpec, hot: gpd.GeoDataFrame | None,
                   fac: gpd.GeoDataFrame | None, country: gpd.GeoDataFrame | None,
                   has_group: bool, m_per_mm: float, small: bool = False) -> None:
    fs = page.fs * (0.8 if small else 1.0)
    if country is not None:
        land = country[country.role.isin(["mainland", "archipelago"])]
        _draw_polys(ax, land.geometry.values, _LAND_VN, "#7d6a49", 0.4 * fs, 0.5)
        x0, x1 = ax.get_xlim()
        y0, _ = ax.get_ylim()
        _archipelago_labels(page, ax, country, spec.lang, m_per_mm, 6.5 * fs / page.fs, y0, x1)
    colors = classes.colors_of(units["value"].to_numpy())
    nodata = colors == NO_DATA_COLOR
    geoms = units.geometry.values
    _draw_polys(ax, geoms[~nodata], list(colors[~nodata]), _EDGE, 0.25 * fs, 2)
    if nodata.any():
        _draw_polys(ax, geoms[nodata], NO_DATA_COLOR, _EDGE, 0.25 * fs, 2, hatch="/////")
    eps = 0.15 * m_per_mm
    if has_group:
        groups = [_dissolve(g.geometry.values, eps)
                  for _, g in units.groupby(spec.group_column, sort=False)]
        _draw_polys(ax, np.array(groups, dtype=object), "none", "#4d4d4d", 0.7 * fs, 3)
    outline = _dissolve(geoms, eps)
    _draw_polys(ax, np.array([outline], dtype=object), "none", "#262626", 1.0 * fs, 4)
    if hot is not None:
        _draw_polys(ax, hot.geometry.values, "none", "white", 3.0 * fs, 5)
        _draw_polys(ax, hot.geometry.values, "none", HOTSPOT_COLOR, 1.5 * fs, 6)
    if fac is not None and len(fac):
        for kind in _facility_kinds(fac):
            pts = fac[fac["kind"].astype(str) == kind].geometry
            mk, col, _, _ = FACILITY_MARKERS.get(kind, ("o", "#333333", kind, kind))
            ax.plot(pts.x, pts.y, marker=mk, markersize=_marker_size(mk) * fs, linestyle="none",
                    markerfacecolor=col, markeredgecolor="white", markeredgewidth=0.7 * fs,
                    zorder=8)


# ---------------------------------------------------------- small multiples


def _period_label(key: str, lang: str) -> str:
    try:
        from geo.periods import parse_period

        return parse_period(key).label(lang)
    except Exception:  # noqa: BLE001 - any key that is not a period is printed as is
        return _nfc(key)


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
    f = _fmt_of(out_path, fmt)
    if not units_by_period:
        raise ValidationError("Không có kỳ nào để vẽ.", "There are no periods to draw.")
    first = next(iter(units_by_period.values()))
    _check_spec(replace(spec, units=first))
    for key, u in units_by_period.items():
        problems: list[tuple[str, str]] = []
        _check_units(u, problems)
        if problems:
            vi, en = problems[0]
            raise ValidationError(f"Kỳ {key}: {vi}", f"Period {key}: {en}")
    with matplotlib.rc_context(_RC):
        page = _Page(spec.size, spec.orientation, spec.dpi, f)
        _compose_multiples(page, units_by_period, spec)
        return _save(page, out_path, f, _nfc(spec.title))


def _compose_multiples(page: _Page, units_by_period: Mapping[str, gpd.GeoDataFrame],
                       spec: MapFigureSpec) -> None:
    lang, fs = spec.lang, page.fs
    lls = {k: _wgs84(u) for k, u in units_by_period.items()}
    all_ll = gpd.GeoDataFrame(pd.concat(list(lls.values()), ignore_index=True),
                              geometry="geometry", crs="EPSG:4326")
    crs = _projected_crs(spec.projected_crs, all_ll)
    units = {k: _prepare_units(u, crs) for k, u in lls.items()}
    pooled = np.concatenate([u["value"].to_numpy() for u in units.values()])
    classes = classify_figure(pooled, spec.scheme, spec.k, spec.suppress_below, lang,
                              spec.digits)
    last = list(units.values())[-1]
    hot = _prepare_hotspots(spec, last, crs)
    statuses = [] if hot is None else list(dict.fromkeys(hot["status"].astype(str)))
    has_group = bool(spec.group_column and all(spec.group_column in u for u in units.values()))
    union_ll = shapely.union_all(all_ll.geometry.values)

    body = _draw_header_footer(page, spec, crs)
    rows, sym = _legend_rows(classes, spec, statuses, [], has_group, unit_periods=True,
                             labelled=False)
    max_w = 62 * fs
    blocks = []
    for rr in (rows, sym):
        w, h = _legend_size(page, rr, max_w)
        blocks.append(_Block(w, h, lambda x, y, rr=rr: _draw_legend(page, x, y, rr, max_w)))
    na_w, na_h = _north_size(page)
    sb_w = 48.0 * fs
    sb_h = max(na_h, _scalebar_size(page, 30 * fs, 1e6, lang)[1])
    furniture = _Block(sb_w, sb_h, lambda x, y: None)
    blocks.append(furniture)
    if spec.inset:
        inset_w = 40.0 * fs
        cap = (tr("Vị trí ", "Location of ", lang) + _nfc(spec.province) if spec.province
               else tr("Vị trí khu vực bản đồ", "Location of the map area", lang))
        cap_h = len(page.wrap(cap, 7.5, inset_w, "bold")) * page.line_h(7.5) + 1.0
        blocks.append(_Block(inset_w, _inset_size(inset_w)[1] + cap_h, lambda x, y: _draw_inset(
            page, x, y, inset_w, inset_geometries(spec, union_ll), lang, cap), bottom=True))
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
            key = (_nice_scale(sc * 1000), len({p[1] for p in placements}))
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
            bar_m = _nice_length((sb_w - na_w - 10 * fs) * m_per_mm)
            _draw_north(page, x + na_w / 2, y, _grid_convergence(crs, cx, cy), lang)
            _draw_scalebar(page, x + na_w + 3 * fs, y + 2, bar_m / m_per_mm, bar_m, scale, lang)
        else:
            blk.draw(x, y)
