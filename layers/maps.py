"""Interactive folium maps: choropleth, hotspot outlines, facilities, legend.

Everything drawn here works offline: no tile layer unless a URL is given, no
icon fonts (facility symbols are SVG circles), and the page's Leaflet assets
are served by diaban (see :mod:`layers.offline`). Every name or attribute that
comes from imported data is HTML-escaped before it reaches the page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement, Template

from geo.i18n import fmt_number, tr
from geo.store import FACILITY_KINDS, HOTSPOT_STATUSES

__all__ = [
    "FACILITY_COLORS",
    "NO_DATA_COLOR",
    "SCHEMES",
    "Classes",
    "choropleth_map",
    "classify_values",
]

#: Classification schemes offered to users.
SCHEMES = {
    "quantiles": ("Phân vị (số xã đều nhau)", "Quantiles"),
    "natural_breaks": ("Ngắt tự nhiên (Jenks)", "Natural breaks (Jenks)"),
    "equal_interval": ("Khoảng đều", "Equal interval"),
}
NO_DATA_COLOR = "#d9d9d9"
PALETTE = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704", "#4a1402", "#2b0a01"]
FACILITY_COLORS = {
    "treatment_facility": "#1f4e9c",
    "methadone": "#7b2fa0",
    "counselling": "#138a36",
    "club": "#c77700",
}
STATUS_COLORS = {
    "designated": "#b30000",
    "in_transformation": "#e6550d",
    "transformed": "#2c7fb8",
    "relapsed": "#67000d",
    "removed": "#636363",
}


@dataclass
class Classes:
    """Class breaks and colours of a choropleth."""

    bins: list[float]
    colors: list[str]
    labels: list[str]
    counts: list[int]
    no_data: int
    scheme: str

    def recount(self, values: np.ndarray) -> Classes:
        """Same breaks, with counts (and no-data count) of other values."""
        v = np.asarray(values, dtype=float)
        fin = v[np.isfinite(v)]
        idx = np.searchsorted(np.asarray(self.bins), fin, side="left")
        counts = np.bincount(np.minimum(idx, len(self.bins) - 1), minlength=len(self.bins))
        return Classes(self.bins, self.colors, self.labels, [int(c) for c in counts],
                       int((~np.isfinite(v)).sum()), self.scheme)

    def color_of(self, v: float) -> str:
        """Fill colour of a value (grey for no data)."""
        if v is None or not np.isfinite(v):
            return NO_DATA_COLOR
        for b, c in zip(self.bins, self.colors):
            if v <= b:
                return c
        return self.colors[-1]


def _palette(k: int) -> list[str]:
    idx = np.linspace(0, len(PALETTE) - 2, k).round().astype(int)
    return [PALETTE[i] for i in idx]


def classify_values(values: np.ndarray, scheme: str = "quantiles", k: int = 5,
                    lang: str = "vi", digits: int = 1) -> Classes:
    """Classify finite values with mapclassify; NaN goes to a separate no-data class.

    Examples
    --------
    >>> c = classify_values(np.array([1.0, 2, 3, 4, np.nan]), "equal_interval", 2)
    >>> c.no_data, len(c.bins)
    (1, 2)
    """
    v = np.asarray(values, dtype=float)
    fin = v[np.isfinite(v)]
    nd = int((~np.isfinite(v)).sum())
    if fin.size == 0:
        return Classes([], [], [], [], nd, scheme)
    k = max(1, min(k, len(np.unique(fin))))
    if k == 1:
        bins = [float(fin.max())]
    elif scheme == "natural_breaks":
        bins = list(mapclassify.FisherJenks(fin, k=k).bins)
    elif scheme == "equal_interval":
        bins = list(mapclassify.EqualInterval(fin, k=k).bins)
    else:
        bins = list(mapclassify.Quantiles(fin, k=k).bins)
    bins = sorted(set(float(b) for b in bins))
    colors = _palette(len(bins))
    labels, counts, lo = [], [], float(fin.min())
    for b in bins:
        labels.append(f"{fmt_number(lo, lang, digits)} – {fmt_number(b, lang, digits)}")
        counts.append(int(((fin >= lo) & (fin <= b)).sum()) if not counts else
                      int(((fin > lo) & (fin <= b)).sum()))
        lo = b
    return Classes(bins, colors, labels, counts, nd, scheme)


_LEGEND = """
{% macro html(this, kwargs) %}
<div class="diaban-legend" style="position:absolute; z-index:9999; bottom:24px; left:12px;
 background:rgba(255,255,255,.93); padding:8px 10px; border:1px solid #999; border-radius:4px;
 font:12px/1.35 sans-serif; max-width:260px">
 {{ this.body }}
</div>
{% endmacro %}
"""


class _Legend(MacroElement):
    def __init__(self, body: str) -> None:
        super().__init__()
        self._template = Template(_LEGEND)
        self.body = body


class _MetricScale(MacroElement):
    """A metric-only scale bar (Leaflet's default also shows miles)."""

    _template = Template("""
{% macro script(this, kwargs) %}
L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")


def _legend_html(classes: Classes, title: str, lang: str, facilities: bool,
                 hotspots: bool, approximate: bool) -> str:
    sw = ('<span style="display:inline-block;width:14px;height:12px;margin-right:6px;'
          'border:1px solid #777;background:{c}"></span>')
    rows = [f"<b>{html.escape(title)}</b>"]
    for c, lab, n in zip(classes.colors, classes.labels, classes.counts):
        rows.append(f"<div>{sw.format(c=c)}{html.escape(lab)} <span style='color:#666'>({n})</span>"
                    "</div>")
    rows.append(f"<div>{sw.format(c=NO_DATA_COLOR)}{tr('Không có số liệu', 'No data', lang)}"
                f" <span style='color:#666'>({classes.no_data})</span></div>")
    if hotspots:
        rows.append("<div style='margin-top:4px'><b>" + tr("Địa bàn trọng điểm", "Hotspot communes",
                                                            lang) + "</b></div>")
        for st, col in STATUS_COLORS.items():
            if st == "removed":
                continue
            rows.append(f"<div><span style='display:inline-block;width:14px;height:0;"
                        f"border-top:3px solid {col};margin-right:6px;vertical-align:middle'>"
                        f"</span>{tr(*HOTSPOT_STATUSES[st], lang)}</div>")
    if facilities:
        rows.append("<div style='margin-top:4px'><b>" + tr("Cơ sở", "Facilities", lang)
                    + "</b></div>")
        for kind, col in FACILITY_COLORS.items():
            rows.append(f"<div><span style='display:inline-block;width:10px;height:10px;"
                        f"border-radius:50%;background:{col};border:2px solid #fff;"
                        f"box-shadow:0 0 0 1px {col};margin-right:6px'></span>"
                        f"{tr(*FACILITY_KINDS[kind], lang)}</div>")
    if approximate:
        rows.append("<div style='margin-top:6px;color:#a33'>⚠ " + tr(
            "Ranh giới xã gần đúng (minh họa)", "Approximate commune boundaries", lang)
            + "</div>")
    return "\n".join(rows)


def _feature_collection(gdf: gpd.GeoDataFrame, props: list[str], precision: float) -> dict:
    """GeoJSON with rounded coordinates and escaped string properties."""
    geoms = shapely.set_precision(np.asarray(gdf.geometry.values, dtype=object), precision)
    feats = []
    records = gdf[props].to_dict("records")
    for geom, rec in zip(geoms, records):
        for key, val in rec.items():
            if isinstance(val, str):
                rec[key] = html.escape(val)
            elif isinstance(val, float) and not np.isfinite(val):
                rec[key] = None
        feats.append({"type": "Feature", "properties": rec,
                      "geometry": shapely.geometry.mapping(geom)})
    return {"type": "FeatureCollection", "features": feats}


def choropleth_map(
    gdf: gpd.GeoDataFrame,
    *,
    title: str,
    classes: Classes,
    lang: str = "vi",
    value_label: str = "",
    hotspots: pd.DataFrame | None = None,
    facilities: gpd.GeoDataFrame | None = None,
    approximate: bool = False,
    tiles_url: str | None = None,
    tiles_attribution: str | None = None,
    digits: int = 1,
    precision: float = 1e-5,
    height: int | None = None,
    prefer_canvas: bool = False,
) -> folium.Map:
    """Build the choropleth map of one indicator and period.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        From :func:`geo.mapdata.map_frame` (``code, name, district_name, value``).
    title : str
        Legend title (indicator, unit, period).
    classes : Classes
        From :func:`classify_values`.
    lang : {"vi", "en"}
        Language of fixed labels.
    value_label : str
        Label of the value in the tooltip.
    hotspots : pandas.DataFrame, optional
        ``unit_code, status`` of designated communes to outline and label.
    facilities : geopandas.GeoDataFrame, optional
        Points with ``kind, name, capacity``.
    approximate : bool
        Whether boundaries are approximate (noted in the legend).
    tiles_url, tiles_attribution : str, optional
        An optional tile basemap (none by default: the map works offline).
    digits : int
        Decimals of values shown.
    precision : float
        Coordinate grid in degrees for the page payload.
    height : int, optional
        Map height in pixels (full height of the page by default).
    prefer_canvas : bool
        Draw polygons on a canvas instead of SVG (much faster for thousands of
        polygons, e.g. the whole country).

    Returns
    -------
    folium.Map
    """
    b = gdf.total_bounds if len(gdf) else np.array([102, 8, 110, 23.5])
    m = folium.Map(tiles=None, control_scale=False, prefer_canvas=prefer_canvas, zoom_snap=0.25,
                   **({"height": height} if height else {}))
    _MetricScale().add_to(m)
    m.fit_bounds([[b[1], b[0]], [b[3], b[2]]])
    if tiles_url:
        folium.TileLayer(tiles_url, attr=tiles_attribution or "tiles", name=tr(
            "Bản đồ nền", "Basemap", lang), overlay=False).add_to(m)
    df = gdf.copy()
    df["fill"] = [classes.color_of(v) for v in df["value"]]
    df["value_txt"] = [fmt_number(v, lang, digits) for v in df["value"]]
    if "district_name" not in df:
        df["district_name"] = ""
    df["district_name"] = df["district_name"].fillna("")
    fc = _feature_collection(df, ["code", "name", "district_name", "value_txt", "fill"],
                             precision)
    layer = folium.GeoJson(
        fc,
        name=title,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#555",
                                  "weight": 0.6, "fillOpacity": 0.85},
        highlight_function=lambda f: {"weight": 2.5, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "district_name", "value_txt"],
            aliases=[tr("Xã", "Commune", lang), tr("Huyện", "District", lang),
                     value_label or tr("Giá trị", "Value", lang)],
            localize=False, sticky=True,
        ),
        zoom_on_click=False,
    )
    layer.add_to(m)
    has_hot = hotspots is not None and len(hotspots) > 0
    if has_hot:
        hot = df.merge(hotspots[["unit_code", "status"]], left_on="code", right_on="unit_code")
        hot["status_txt"] = [tr(*HOTSPOT_STATUSES.get(s, (s, s)), lang) for s in hot.status]
        hot["stroke"] = [STATUS_COLORS.get(s, "#000") for s in hot.status]
        group = folium.FeatureGroup(name=tr("Địa bàn trọng điểm", "Hotspot communes", lang))
        hfc = _feature_collection(hot, ["code", "name", "status_txt", "stroke"], precision)
        folium.GeoJson(
            hfc,
            style_function=lambda f: {"fill": False, "color": f["properties"]["stroke"],
                                      "weight": 3.5, "dashArray": None},
            tooltip=folium.GeoJsonTooltip(fields=["name", "status_txt"],
                                          aliases=[tr("Xã", "Commune", lang),
                                                   tr("Trạng thái", "Status", lang)]),
        ).add_to(group)
        for _, r in hot.iterrows():
            p = r.geometry.representative_point()
            label = (f"<div style='font:bold 11px sans-serif;color:{r.stroke};"
                     "text-shadow:0 0 3px #fff,0 0 3px #fff;white-space:nowrap;"
                     "transform:translate(-50%,-50%)'>"
                     f"{html.escape(str(r['name']))}<br><span style='font-weight:normal'>"
                     f"{html.escape(r.status_txt)}</span></div>")
            folium.Marker([p.y, p.x], icon=folium.DivIcon(html=label, icon_size=(0, 0))
                          ).add_to(group)
        group.add_to(m)
    has_fac = facilities is not None and len(facilities) > 0
    if has_fac:
        group = folium.FeatureGroup(name=tr("Cơ sở điều trị, tư vấn", "Facilities", lang))
        for _, f in facilities.iterrows():
            kind = tr(*FACILITY_KINDS.get(f.kind, (f.kind, f.kind)), lang)
            cap = ("" if pd.isna(f.get("capacity")) else
                   f"<br>{tr('Công suất', 'Capacity', lang)}: {int(f.capacity)}")
            popup = (f"<b>{html.escape(str(f['name']))}</b><br>{html.escape(kind)}{cap}")
            folium.CircleMarker(
                [f.geometry.y, f.geometry.x], radius=7, color="#ffffff", weight=2,
                fill=True, fill_color=FACILITY_COLORS.get(f.kind, "#333"), fill_opacity=1,
                popup=folium.Popup(popup, max_width=260),
                tooltip=html.escape(str(f["name"])),
            ).add_to(group)
        group.add_to(m)
    _Legend(_legend_html(classes, title, lang, has_fac, has_hot, approximate)).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m
