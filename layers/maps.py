"""Interactive folium maps: choropleth, hotspot outlines, facilities, legend.

Everything drawn here works offline: no tile layer unless a URL is given, no
icon fonts (facility symbols are inline SVG), and the page's Leaflet assets
are served by diaban (see :mod:`layers.offline`). Every name or attribute that
comes from imported data is HTML-escaped before it reaches the page.

Classes, colours, labels and symbols are the printed figure's
(:mod:`layers.classes`, :mod:`geo.vocab`): a map looks the same on screen and on
paper.
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement, Template

from geo.i18n import fmt_number, tr
from geo.vocab import FACILITY_KINDS, HOTSPOT_STATUSES, NO_DATA_COLOR
from layers.classes import Classes, classify, no_data_label
from layers.offline import facility_icon, facility_svg

__all__ = [
    "Classes",
    "choropleth_map",
    "classify_values",
    "legend_html",
]


def classify_values(values: np.ndarray, scheme: str = "quantiles", k: int = 5,
                    lang: str = "vi", digits: int = 1, suppress_below: int | None = None,
                    hidden: np.ndarray | None = None) -> Classes:
    """Classes of the screen map: :func:`layers.classes.classify`, as in print.

    NaN goes to a separate no-data class. ``digits`` is the fewest decimals of
    the labels (more only where printed bounds would coincide; whole numbers
    get none). ``suppress_below`` and ``hidden`` make the ``< N`` class as in print.

    Examples
    --------
    >>> c = classify_values(np.array([1.0, 2, 3, 4, np.nan]), "equal_interval", 2, digits=0)
    >>> c.no_data, len(c.bins), c.labels
    (1, 2, ['1 – 2', '3 – 4'])
    """
    return classify(values, scheme, k, lang=lang, digits=digits, suppress_below=suppress_below,
                    hidden=hidden)


_LEGEND = """
{% macro html(this, kwargs) %}
<details open class="diaban-legend" style="position:absolute; z-index:9999; top:10px;
 right:10px; background:rgba(255,255,255,.95); padding:4px 10px 6px; border:1px solid #999;
 border-radius:4px; font:12px/1.35 sans-serif; max-width:240px; max-height:80vh;
 overflow-y:auto">
 <summary style="cursor:pointer; font-weight:bold">{{ this.summary }}</summary>
 {{ this.body }}
</details>
{% endmacro %}
"""


class _Legend(MacroElement):
    """The legend of the saved HTML map: top right, folding away with one click."""

    def __init__(self, body: str, summary: str) -> None:
        super().__init__()
        self._template = Template(_LEGEND)
        self.body = body
        self.summary = html.escape(summary)


class _FitLegend(MacroElement):
    """Fit the communes' bounds once the page is laid out, keeping the legend's strip free."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var b = L.latLngBounds({{ this.bounds|tojson }});
  function fit() {
    var leg = map.getContainer().parentNode.querySelector(".diaban-legend");
    var size = map.getSize(), right = 10;
    if (leg && leg.open && leg.offsetWidth + 20 < size.x * 0.45) { right = leg.offsetWidth + 20; }
    map.fitBounds(b, {paddingTopLeft: [10, 10], paddingBottomRight: [right, 10],
                      animate: false});
  }
  fit();
  window.addEventListener("load", fit);
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self.bounds = bounds


class _MetricScale(MacroElement):
    """A metric-only scale bar (Leaflet's default also shows miles)."""

    _template = Template("""
{% macro script(this, kwargs) %}
L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")


def legend_html(classes: Classes, title: str, lang: str, facilities: bool,
                hotspots: bool, approximate: bool, toggles: bool = False) -> str:
    """The map's legend as HTML: classes, ``< N``, no data, hotspot statuses, facilities.

    The same rows as the printed legend (:mod:`layers.print.legend`): class labels and
    counts from ``classes``, the ``< N`` class when values are suppressed, statuses
    and facility symbols from :mod:`geo.vocab`. Every text is escaped.

    Parameters
    ----------
    classes : Classes
        The choropleth's classes.
    title : str
        Legend title (indicator, unit, period).
    lang : {"vi", "en"}
        Language of fixed labels.
    facilities, hotspots : bool
        Whether to list facility symbols and hotspot statuses.
    approximate : bool
        Whether to warn that boundaries are approximate.
    toggles : bool
        Head the hotspot and facility rows with checkboxes that show or hide those
        layers (``data-layer="hotspots"``/``"facilities"``; the screen map wires them).

    Returns
    -------
    str
    """
    sw = ('<span style="display:inline-block;width:14px;height:12px;margin-right:6px;'
          'border:1px solid #777;vertical-align:middle;background:{c}"></span>')
    rows = [f"<b>{html.escape(title)}</b>"]
    if classes.suppress_below is not None:
        rows.append(f"<div>{sw.format(c=classes.suppressed_color)}&lt; "
                    f"{classes.suppress_below} <span style='color:#666'>"
                    f"({classes.suppressed})</span></div>")
    for c, lab, n in zip(classes.colors, classes.labels, classes.counts):
        rows.append(f"<div>{sw.format(c=c)}{html.escape(lab)} <span style='color:#666'>({n})</span>"
                    "</div>")
    rows.append(f"<div>{sw.format(c=NO_DATA_COLOR)}{no_data_label(lang)}"
                f" <span style='color:#666'>({classes.no_data})</span></div>")

    def head(layer: str, text: str) -> str:
        text = html.escape(text)
        if toggles:
            return (f"<div style='margin-top:4px'><label><input type='checkbox' "
                    f"data-layer='{layer}' checked><b>{text}</b></label></div>")
        return f"<div style='margin-top:4px'><b>{text}</b></div>"

    if hotspots:
        rows.append(head("hotspots", tr("Địa bàn trọng điểm", "Hotspot communes", lang)))
        for st in HOTSPOT_STATUSES.values():
            if st.id == "removed":
                continue
            rows.append(f"<div><span style='display:inline-block;width:14px;height:0;"
                        f"border-top:3px solid {st.color};margin-right:6px;"
                        f"vertical-align:middle'></span>{html.escape(st.label(lang))}</div>")
    if facilities:
        rows.append(head("facilities", tr("Cơ sở", "Facilities", lang)))
        for kind in FACILITY_KINDS.values():
            rows.append("<div><span style='display:inline-block;vertical-align:middle;"
                        f"margin-right:6px'>{facility_svg(kind.id, lang, 14)}</span>"
                        f"{html.escape(kind.label(lang))}</div>")
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
    hidden: np.ndarray | None = None,
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
    hidden : numpy.ndarray of bool, optional
        Values shown as ``< N`` because their counts are small (with
        ``classes.suppress_below``; by default the values below it).

    Returns
    -------
    folium.Map
    """
    b = gdf.total_bounds if len(gdf) else np.array([102, 8, 110, 23.5])
    m = folium.Map(tiles=None, control_scale=False, prefer_canvas=prefer_canvas, zoom_snap=0.25,
                   **({"height": height} if height else {}))
    _MetricScale().add_to(m)
    _FitLegend([[float(b[1]), float(b[0])], [float(b[3]), float(b[2])]]).add_to(m)
    if tiles_url:
        folium.TileLayer(tiles_url, attr=tiles_attribution or "tiles", name=tr(
            "Bản đồ nền", "Basemap", lang), overlay=False).add_to(m)
    df = gdf.copy()
    mask = classes.hidden_of(df["value"].to_numpy(dtype=float), hidden)
    df["fill"] = classes.colors_of(df["value"].to_numpy(dtype=float), mask)
    df["value_txt"] = [f"< {classes.suppress_below}" if h else fmt_number(v, lang, digits)
                       for v, h in zip(df["value"], mask)]
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
        hot["status_txt"] = [HOTSPOT_STATUSES.label(s, lang) for s in hot.status]
        hot["stroke"] = [HOTSPOT_STATUSES.color(s, "#000000") for s in hot.status]
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
            kind = FACILITY_KINDS.label(f.kind, lang)
            cap = ("" if pd.isna(f.get("capacity")) else
                   f"<br>{tr('Công suất', 'Capacity', lang)}: {int(f.capacity)}")
            popup = (f"<b>{html.escape(str(f['name']))}</b><br>{html.escape(kind)}{cap}")
            folium.Marker(
                [f.geometry.y, f.geometry.x], icon=facility_icon(f.kind, lang, 20),
                popup=folium.Popup(popup, max_width=260),
                tooltip=html.escape(str(f["name"])),
            ).add_to(group)
        group.add_to(m)
    _Legend(legend_html(classes, title, lang, has_fac, has_hot, approximate),
            tr("Chú giải", "Legend", lang)).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m
