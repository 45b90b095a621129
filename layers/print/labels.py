"""Labels of hotspot communes: name, status and value in a box, placed without overlaps.

Each label is a white box with the status's colour as an accent bar
(:data:`geo.vocab.HOTSPOT_STATUSES`), joined to its commune by a leader line when
it had to move away from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
import shapely.ops
from matplotlib.axes import Axes
from matplotlib.patches import FancyBboxPatch, Rectangle
from shapely.geometry import box

from geo.vocab import HOTSPOT_STATUSES
from layers.classes import Classes, format_value
from layers.print.page import INK, MUTED, Page, nfc
from layers.print.spec import MapFigureSpec

__all__ = ["Label", "draw_label", "hotspot_labels", "label_size", "place_labels"]


@dataclass
class Label:
    """A label box: its anchor (map units), lines, accent colour, size and placement.

    Attributes
    ----------
    anchor : tuple of float
        Point labelled, in map units.
    lines : list of (text, size in pt, weight)
    accent : str
        Colour of the accent bar.
    w, h : float
        Size in mm (see :func:`label_size`).
    pos : tuple of float or None
        Box centre in map units, set by :func:`place_labels`.
    leader : shapely.LineString or None
        Line from the anchor to the box, set by :func:`place_labels`.
    """

    anchor: tuple[float, float]
    lines: list[tuple[str, float, str]]
    accent: str
    w: float = 0.0
    h: float = 0.0
    pos: tuple[float, float] | None = None
    leader: shapely.LineString | None = None


def place_labels(labels: list[Label], m_per_mm: float, frame: tuple[float, float, float, float],
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
    labels : list of Label
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

    def candidates(lab: Label) -> list[tuple[float, float, shapely.Polygon,
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


def label_size(page: Page, lab: Label) -> None:
    """Set ``lab.w`` and ``lab.h`` (mm) from its lines."""
    pad = 1.0 * page.fs
    lab.w = max(page.width(s, size, wt) for s, size, wt in lab.lines) + 2 * pad + 1.0 * page.fs
    lab.h = sum(page.line_h(size) for _, size, _ in lab.lines) + 2 * pad - 0.6


def draw_label(page: Page, ax: Axes, lab: Label, m_per_mm: float) -> None:
    """Draw a placed label (box, accent bar, lines, leader) on the map axes."""
    cx, cy = lab.pos
    w, h = lab.w * m_per_mm, lab.h * m_per_mm
    fs = page.fs
    if lab.leader is not None and lab.leader.length > 0.5 * m_per_mm:
        xs, ys = lab.leader.xy
        ax.plot(xs, ys, color="white", linewidth=1.6 * fs, zorder=20, solid_capstyle="round")
        ax.plot(xs, ys, color=INK, linewidth=0.6 * fs, zorder=20, solid_capstyle="round")
        ax.plot([lab.anchor[0]], [lab.anchor[1]], marker="o", markersize=2.2 * fs,
                color=INK, markeredgecolor="white", markeredgewidth=0.4 * fs, zorder=21)
    ax.add_patch(FancyBboxPatch((cx - w / 2, cy - h / 2), w, h,
                                boxstyle=f"round,pad=0,rounding_size={0.8 * m_per_mm}",
                                facecolor="white", edgecolor=INK, linewidth=0.5 * fs,
                                alpha=0.95, zorder=22))
    ax.add_patch(Rectangle((cx - w / 2, cy - h / 2), 1.0 * fs * m_per_mm, h,
                           facecolor=lab.accent, edgecolor="none", zorder=23))
    y = cy + h / 2 - 1.0 * fs * m_per_mm + 0.3 * m_per_mm
    x = cx - w / 2 + (2.0 * fs) * m_per_mm
    for s, size, wt in lab.lines:
        ax.text(x, y, s, fontproperties=page.font(size * fs, wt), color=INK, ha="left",
                va="top", zorder=24)
        y -= page.line_h(size) * m_per_mm


def hotspot_labels(page: Page, spec: MapFigureSpec, hot: gpd.GeoDataFrame,
                   units: gpd.GeoDataFrame, classes: Classes) -> list[Label]:
    """One sized label per hotspot commune: name; status (· value, hidden below the threshold)."""
    lang = spec.lang
    values = dict(zip(units["code"].astype(str), units["value"])) if "code" in units else {}
    hidden = (dict(zip(units["code"].astype(str), units["suppressed"].astype(bool)))
              if "code" in units and "suppressed" in units else {})
    labels = []
    for _, r in hot.iterrows():
        p = r.geometry.representative_point()
        status = str(r["status"])
        second = nfc(HOTSPOT_STATUSES.short(status, lang))
        if spec.label_values and spec.categories is None:  # codes are no values
            v = r["value"] if "value" in hot.columns else values.get(str(r.get("code")), None)
            if v is not None and np.isfinite(v):
                second += " · " + format_value(v, spec.suppress_below, lang, classes.digits,
                                               hidden.get(str(r.get("code"))))
        lab = Label((p.x, p.y), [(nfc(r["name"]), 7.5, "bold"), (second, 6.5, "normal")],
                    HOTSPOT_STATUSES.color(status, MUTED))
        label_size(page, lab)
        labels.append(lab)
    return labels
