"""Maps that draw with the network cut: every asset inlined from ``layers/static/``.

How folium and streamlit-folium fetch assets
--------------------------------------------
Each folium element lists the files it needs as ``(name, url)`` pairs in
``default_js``/``default_css``; the URLs point at CDNs (jsdelivr, cdnjs, unpkg,
code.jquery.com, bootstrapcdn). A ``folium.Map`` alone asks for Leaflet, jQuery,
Bootstrap, Leaflet.awesome-markers, Font Awesome and glyphicons; plugins add their own.

* A saved folium HTML file links each pair as ``<script src>``/``<link href>`` in its
  header.
* streamlit-folium (0.27) does not bundle Leaflet. ``st_folium`` strips the
  ``<script src>``/``<link>`` tags from the header it sends and instead collects the
  ``default_js``/``default_css`` URLs of every element (``js_links``/``css_links``);
  its iframe appends one ``<script src=...>`` per link *in order* and waits for each
  ``onload``; one failed script rejects the chain and the map is never drawn. It also
  adds two d3 CDN scripts whenever a branca ``ColorMap`` (e.g. a ``folium.Choropleth``
  legend) is in the tree. Inline ``<script>`` text in the header is inserted with
  ``innerHTML`` and never runs.

The mechanism
-------------
:func:`make_offline` rewrites those ``(name, url)`` pairs, on the elements themselves
(instance attributes; folium's class lists are left alone), to ``data:`` URLs holding
the vendored files (CSS images inlined too). The same rewritten map then works
everywhere without any server configuration: in a file opened from disk, in
``st_folium`` (the iframe loads ``data:`` scripts like any other ``src``) and in
``streamlit.components.v1.html``. Assets diaban's maps do not use (Bootstrap, icon
fonts, awesome-markers) are dropped; a map that needs one (``folium.Icon``) or an
asset that is not vendored is refused with a clear error instead of drawing nothing.
``ColorMap`` legends are replaced by a static SVG legend so no d3 is needed. Tile
layers are left alone: they are an optional layer the user configures by URL (the
maps of :mod:`layers.maps` create none unless given one).

Where the site serves ``layers/static/`` itself, ``make_offline(m, base_url=...)``
links the files under that URL instead (smaller pages, browser-cached).
"""

from __future__ import annotations

import base64
import functools
import html as _html
import math
import re
from collections.abc import Iterator
from pathlib import Path

import folium
import folium.plugins
from branca.colormap import ColorMap, LinearColormap, StepColormap
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.template import Template

from geo.vocab import FACILITY_KINDS

__all__ = [
    "STATIC_DIR",
    "assert_no_external_urls",
    "facility_icon",
    "facility_svg",
    "make_offline",
    "standalone_html",
]

STATIC_DIR = Path(__file__).resolve().parent / "static"

#: folium's JS asset names -> vendored file (relative to ``STATIC_DIR``).
_JS: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "jquery": "jquery/jquery.min.js",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "markerclusterjs": "leaflet.markercluster/leaflet.markercluster.js",
    "Leaflet.Sync": "leaflet.sync/L.Map.Sync.js",
    "leaflet.sidebyside": "leaflet-side-by-side/leaflet-side-by-side.js",
}
#: folium's CSS asset names -> vendored file.
_CSS: dict[str, str] = {
    "leaflet_css": "leaflet/leaflet.css",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "markerclustercss": "leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/MarkerCluster.Default.css",
}
#: CSS that folium's CDN build bundled inside a script, shipped separately here.
_CSS_OF_JS: dict[str, tuple[str, str]] = {
    "leaflet.sidebyside": ("leaflet.sidebyside_css",
                           "leaflet-side-by-side/leaflet-side-by-side.css"),
}
#: folium.Map's defaults that diaban's maps do not use (symbols are inline SVG).
_UNUSED = frozenset({
    "bootstrap", "bootstrap_css", "glyphicons_css", "awesome_markers",
    "awesome_markers_css", "awesome_markers_font_css", "awesome_rotate_css",
})
_ICON_JS = "leaflet_default_icon"
_MIME = {".js": "text/javascript", ".css": "text/css", ".png": "image/png",
         ".svg": "image/svg+xml"}
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


# ---------------------------------------------------------------- asset files


def _data_url(data: bytes, mime: str) -> str:
    charset = ";charset=utf-8" if mime.startswith("text/") else ""
    return f"data:{mime}{charset};base64,{base64.b64encode(data).decode('ascii')}"


@functools.cache
def _inline(rel: str) -> str:
    """A vendored file as a ``data:`` URL; a CSS file's images are inlined first."""
    path = STATIC_DIR / rel
    data = path.read_bytes()
    if path.suffix == ".css":
        def _img(m: re.Match) -> str:
            target = m.group(2)
            if re.match(r"^(?:[a-z]+:|#|/)", target):  # data:, absolute, VML behaviour
                return m.group(0)
            img = path.parent / target
            return f'url("{_data_url(img.read_bytes(), _MIME[img.suffix])}")'

        text = re.sub(r"""url\((["']?)([^)"']+)\1\)""", _img, data.decode("utf-8"))
        data = text.encode("utf-8")
    return _data_url(data, _MIME[path.suffix])


@functools.cache
def _default_icon_js() -> str:
    """Script pointing ``L.Icon.Default`` at inlined images.

    Leaflet finds its marker images from the CSS URL of ``marker-icon.png``; once the
    CSS is inlined that lookup finds nothing, so the plain ``folium.Marker`` would ask
    for a relative ``marker-icon.png``.
    """
    img = STATIC_DIR / "leaflet" / "images"
    urls = {k: _data_url((img / f).read_bytes(), "image/png") for k, f in (
        ("iconUrl", "marker-icon.png"), ("iconRetinaUrl", "marker-icon-2x.png"),
        ("shadowUrl", "marker-shadow.png"))}
    opts = ",".join(f'{k}:"{v}"' for k, v in urls.items())
    js = f"L.Icon.Default.imagePath='';L.Icon.Default.mergeOptions({{{opts}}});"
    return _data_url(js.encode("ascii"), "text/javascript")


def _is_external(url: str) -> bool:
    m = re.match(r"^\s*(?:(https?):)?//\[?([^/\\\"'?#:\]]+)", url, re.IGNORECASE)
    return bool(m) and m.group(2).lower() not in _LOCAL_HOSTS


# ---------------------------------------------------------------- the tree


def _walk(el: object, seen: set[int] | None = None) -> Iterator[object]:
    """Every element reachable from ``el``: children, and a DualMap's two maps."""
    seen = set() if seen is None else seen
    if id(el) in seen:
        return
    seen.add(id(el))
    yield el
    kids = list(getattr(el, "_children", {}).values())
    if isinstance(el, folium.plugins.DualMap):
        kids += [el.m1, el.m2] + [c for c, _, _ in el.children_for_m2]
    for child in kids:
        yield from _walk(child, seen)


def _walk_parts(el: object, seen: set[int] | None = None) -> Iterator[object]:
    """Like :func:`_walk`, also into the ``header``/``html``/``script`` parts of figures
    and popups (where a popup keeps its ``Html``).
    """
    seen = set() if seen is None else seen
    if id(el) in seen:
        return
    seen.add(id(el))
    yield el
    kids = [getattr(el, part) for part in ("header", "html", "script")
            if isinstance(getattr(el, part, None), Element)]
    kids += list(getattr(el, "_children", {}).values())
    if isinstance(el, folium.plugins.DualMap):
        kids += [el.m1, el.m2] + [c for c, _, _ in el.children_for_m2]
    for child in kids:
        yield from _walk_parts(child, seen)


def _stable_ids(root: object) -> None:
    """Number every element in tree order instead of its random ``uuid4`` id.

    The same map then renders to the same text every time (folium names each element
    ``<kind>_<id>`` in the page's script): a saved map is reproducible, and a page that
    sends the same map again sends the same bytes.
    """
    elements = list(_walk_parts(root))
    # Children added without a name are keyed by their name, which a template may use
    # as a variable (a popup's content): rename those keys with their elements.
    named = {id(el): [key == getattr(child, "get_name", lambda: None)()
                      for key, child in el._children.items()]
             for el in elements if isinstance(getattr(el, "_children", None), dict)}
    for i, el in enumerate(elements):
        if isinstance(getattr(el, "_id", None), str):
            el._id = f"{i:04x}"
    for el in elements:
        if id(el) in named:
            el._children = type(el._children)(
                (child.get_name() if by_name else key, child)
                for (key, child), by_name in zip(el._children.items(), named[id(el)]))


def _localise(el: object, base_url: str | None) -> None:
    """Rewrite one element's ``default_js``/``default_css`` to vendored copies."""
    def src(rel: str) -> str:
        return _inline(rel) if base_url is None else base_url + rel

    js: list[tuple[str, str]] = []
    css: list[tuple[str, str]] = []
    for name, url in getattr(el, "default_js", None) or []:
        if name in _JS:
            js.append((name, src(_JS[name])))
            if name == "leaflet" and base_url is None:
                js.append((_ICON_JS, _default_icon_js()))
            if name in _CSS_OF_JS:
                css.append((_CSS_OF_JS[name][0], src(_CSS_OF_JS[name][1])))
        elif name in _UNUSED:
            continue
        elif _is_external(url):
            raise ValueError(
                f"{type(el).__name__} needs {url} ({name!r}), which diaban does not vendor; "
                "add the file to layers/static/ and to layers.offline._JS")
        else:
            js.append((name, url))
    for name, url in getattr(el, "default_css", None) or []:
        if name in _CSS:
            css.append((name, src(_CSS[name])))
        elif name in _UNUSED:
            continue
        elif _is_external(url):
            raise ValueError(
                f"{type(el).__name__} needs {url} ({name!r}), which diaban does not vendor; "
                "add the file to layers/static/ and to layers.offline._CSS")
        else:
            css.append((name, url))
    if hasattr(el, "default_js"):
        el.default_js = list(dict.fromkeys(js))  # instance attributes: folium's lists stay
    if hasattr(el, "default_css"):
        el.default_css = list(dict.fromkeys(css))


class _ColormapLegend(MacroElement):
    """A branca ``ColorMap`` drawn as a static SVG Leaflet control (no d3)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: "topright"});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create("div", "diaban-colormap");
            div.style.cssText = "background:rgba(255,255,255,.85);padding:4px 6px;"
                + "border-radius:4px;line-height:0";
            div.innerHTML = {{ this.svg|tojson }};
            // Shrink on narrow maps (e.g. one half of a DualMap), never below 120 px.
            var w = Math.min(300, Math.max(120, map.getSize().x - 110));
            div.firstChild.setAttribute("width", w);
            div.firstChild.setAttribute("height", Math.round(44 * w / 300));
            return div;
        };
        {{ this.get_name() }}.addTo({{ this.map_element().get_name() }});
        {% endmacro %}
    """)

    def __init__(self, colormap: ColorMap) -> None:
        super().__init__()
        self._name = "ColormapLegend"
        self.svg = _colormap_svg(colormap)

    def map_element(self) -> folium.Map:
        """The map the legend is drawn on (its nearest ``folium.Map`` ancestor)."""
        el = self._parent
        while el is not None and not isinstance(el, folium.Map):
            el = el._parent
        if el is None:
            raise ValueError("a colour legend must be added to a folium.Map")
        return el


def _colormap_svg(cm: ColorMap) -> str:
    """Compact SVG of a colour scale: steps as rectangles, linear as a gradient."""
    width = 300  # user units of the viewBox; the control scales it to the map
    lo, hi = float(cm.vmin), float(cm.vmax)
    span = (hi - lo) or 1.0

    def x(v: float) -> float:
        return round((float(v) - lo) / span * width, 2)

    def color(v: float) -> tuple[str, float]:
        r, g, b, a = cm.rgba_floats_tuple(v)
        return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}", round(a, 3)

    index = [float(v) for v in cm.index]
    parts: list[str] = []
    if isinstance(cm, LinearColormap):
        stops = "".join(
            f'<stop offset="{x(v) / width:.4f}" stop-color="{c}" stop-opacity="{a}"/>'
            for v in index for c, a in [color(v)])
        parts.append(f'<defs><linearGradient id="g">{stops}</linearGradient></defs>'
                     f'<rect x="0" y="16" width="{width}" height="10" fill="url(#g)"/>')
    else:
        for left, right in zip(index[:-1], index[1:]):
            c, a = color((left + right) / 2)
            parts.append(f'<rect x="{x(left)}" y="16" width="{max(x(right) - x(left), 0.5)}" '
                         f'height="10" fill="{c}" fill-opacity="{a}"/>')
    ticks = index if isinstance(cm, StepColormap) or len(index) <= 6 else [
        lo + span * i / 5 for i in range(6)]
    if len(ticks) > (getattr(cm, "max_labels", 10) or 10):
        step = -(-len(ticks) // cm.max_labels)
        ticks = ticks[::step]
    digits = max(0, 2 - math.floor(math.log10(span))) if span > 0 else 0
    for i, v in enumerate(ticks):
        anchor = "start" if i == 0 else "end" if i == len(ticks) - 1 else "middle"
        label = f"{v:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{v:,.0f}"
        parts.append(f'<text x="{x(v)}" y="38" text-anchor="{anchor}">{label}</text>')
    caption = _html.escape(str(cm.caption or ""))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="44" '
            f'viewBox="-2 0 {width + 4} 44" style="font:11px sans-serif;fill:#222">'
            f'<text x="0" y="11">{caption}</text>{"".join(parts)}</svg>')


def _replace_colormaps(root: object) -> None:
    """Swap every ``ColorMap`` for a :class:`_ColormapLegend` at the same place."""
    for el in list(_walk(root)):
        kids = getattr(el, "_children", None)
        if kids:
            for key, child in list(kids.items()):
                if isinstance(child, ColorMap):
                    legend = _ColormapLegend(child)
                    legend._parent = el
                    kids[key] = legend
                    if getattr(el, "color_scale", None) is child:
                        el.color_scale = None  # folium.Choropleth re-parents it at render
        if isinstance(el, folium.plugins.DualMap):
            el.children_for_m2 = [
                (_ColormapLegend(c) if isinstance(c, ColorMap) else c, n, i)
                for c, n, i in el.children_for_m2]


def _purge_header(figure: Figure) -> None:
    """Drop links to external files a previous render left in the page header."""
    kids = figure.header._children
    for key, child in list(kids.items()):
        if isinstance(child, (JavascriptLink, CssLink)) and _is_external(child.url):
            del kids[key]


# ---------------------------------------------------------------- public API


def make_offline(m: folium.Map | folium.plugins.DualMap,
                 base_url: str | None = None) -> folium.Map | folium.plugins.DualMap:
    """Make a map draw without the internet: every asset from ``layers/static/``.

    Every element's ``default_js``/``default_css`` (what a saved page links and what
    ``st_folium`` loads into its iframe) is replaced by the vendored copy, inlined as
    a ``data:`` URL, so the same map works in a file opened from disk, in
    ``st_folium`` and in ``streamlit.components.v1.html``. Bootstrap, Font Awesome,
    glyphicons and awesome-markers are dropped; branca colour scales become static
    SVG legends. Every element is numbered in tree order (no random ids), so the
    same map always renders to the same page. Call it after the last layer has been
    added; calling it again is harmless.

    Parameters
    ----------
    m : folium.Map or folium.plugins.DualMap
        The map (changed in place and returned). Its whole page (root ``Figure``) is
        processed.
    base_url : str, optional
        Link the files under this URL instead of inlining them, for a server that
        serves ``layers/static/`` there (e.g. ``"/assets/"``).

    Returns
    -------
    folium.Map or folium.plugins.DualMap
        ``m``.

    Raises
    ------
    ValueError
        If the map uses ``folium.Icon`` (icon fonts from a CDN; use
        :func:`facility_icon` or ``folium.DivIcon``) or a plugin whose files are not
        vendored.

    Examples
    --------
    >>> m = make_offline(folium.Map(location=[21.3, 103.9], zoom_start=8, tiles=None))
    >>> assert_no_external_urls(m.get_root().render())
    []
    """
    if base_url is not None and not base_url.endswith("/"):
        base_url += "/"
    root = m.get_root()
    for el in _walk(root):
        if isinstance(el, folium.Icon) and not isinstance(el, folium.CustomIcon):
            raise ValueError(
                "folium.Icon needs Font Awesome / glyphicon fonts from a CDN; use "
                "layers.offline.facility_icon() or folium.DivIcon instead")
    _replace_colormaps(root)
    for el in _walk(root):
        _localise(el, base_url)
    _stable_ids(root)
    if isinstance(root, Figure):
        _purge_header(root)
    return m


def standalone_html(m: folium.Map | folium.plugins.DualMap) -> str:
    """The map as one self-contained HTML page that works opened from disk.

    Parameters
    ----------
    m : folium.Map or folium.plugins.DualMap
        The map (made offline in place).

    Returns
    -------
    str
        The page; every script and stylesheet is a ``data:`` URL.

    Raises
    ------
    ValueError
        If the page would still fetch anything from another machine
        (:func:`assert_no_external_urls`): such a page draws nothing offline.
    """
    make_offline(m)
    page = m.get_root().render()
    bad = assert_no_external_urls(page)
    if bad:
        raise ValueError(f"the page would fetch {', '.join(bad[:3])} from the network")
    return page


# ---------------------------------------------------------------- facility symbols

_SHAPES = {
    # 24 x 24 box, white outline so the symbol reads on any fill colour.
    "square": '<rect x="3" y="3" width="18" height="18" rx="3"/>'
              '<path d="M12 7v10M7 12h10" stroke="#fff" stroke-width="2.5" fill="none"/>',
    "diamond": '<path d="M12 1.5 22.5 12 12 22.5 1.5 12Z"/>'
               '<circle cx="12" cy="12" r="3" fill="#fff" stroke="none"/>',
    "circle": '<circle cx="12" cy="12" r="9.5"/>'
              '<circle cx="12" cy="12" r="3.5" fill="#fff" stroke="none"/>',
    "triangle": '<path d="M12 2 22.5 21H1.5Z"/>'
                '<path d="M12 9v6" stroke="#fff" stroke-width="2.5" fill="none"/>',
}


def facility_svg(kind: str, lang: str = "vi", size: int = 24) -> str:
    """The SVG symbol of a facility kind: its :data:`geo.vocab.FACILITY_KINDS` shape and colour.

    Parameters
    ----------
    kind : {"treatment_facility", "methadone", "counselling", "club"}
        Cơ sở cai nghiện (blue square with a cross), điểm Methadone (purple
        diamond), điểm tư vấn (green circle), câu lạc bộ (orange triangle).
    lang : {"vi", "en"}
        Language of the symbol's title (shown on hover, read by screen readers).
    size : int
        Width and height in pixels.

    Returns
    -------
    str
        An ``<svg>`` element with a ``<title>``.

    Raises
    ------
    ValueError
        If ``kind`` is not a facility kind of the vocabulary.
    """
    if kind not in FACILITY_KINDS:
        raise ValueError(f"unknown facility kind {kind!r}; expected one of "
                         f"{', '.join(FACILITY_KINDS)}")
    term = FACILITY_KINDS[kind]
    title = _html.escape(term.short(lang))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 24 24" role="img" aria-label="{title}" '
            f'fill="{term.color}" stroke="#fff" stroke-width="1.5">'
            f'<title>{title}</title>{_SHAPES[term.shape]}</svg>')


def facility_icon(kind: str, lang: str = "vi", size: int = 24) -> folium.DivIcon:
    """A map marker for a facility kind: :func:`facility_svg` anchored at its centre.

    The screen map draws facilities with it (no icon font, nothing fetched).

    Parameters
    ----------
    kind : {"treatment_facility", "methadone", "counselling", "club"}
        A :data:`geo.vocab.FACILITY_KINDS` id.
    lang : {"vi", "en"}
        Language of the symbol's title.
    size : int
        Width and height in pixels.

    Returns
    -------
    folium.DivIcon

    Raises
    ------
    ValueError
        If ``kind`` is not one of the four kinds.

    Examples
    --------
    >>> icon = facility_icon("methadone")
    >>> "#7b2fa0" in icon.options["html"]
    True
    """
    return folium.DivIcon(html=facility_svg(kind, lang, size), icon_size=(size, size),
                          icon_anchor=(size // 2, size // 2), popup_anchor=(0, -size // 2),
                          class_name=f"diaban-facility diaban-facility-{kind}")


# ---------------------------------------------------------------- checking pages

_TAG = re.compile(
    r"<\s*(?:script|link|img|image|iframe|frame|source|audio|video|track|embed|object|"
    r"input|use)\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(
    r"""\b(?:src|href|xlink:href|srcset|data|poster)\s*=\s*(\\?["'])(.*?)\1""",
    re.IGNORECASE | re.DOTALL)
_ATTR_BARE = re.compile(r"""\b(?:src|href|data|poster)\s*=\s*([^\s"'\\>]+)""",
                        re.IGNORECASE)
_CSS_URL = re.compile(
    r"""(?:url\(\s*(\\?["']?)|@import\s+(\\?["']))((?:https?:)?//[^)"'\s\\]+)""",
    re.IGNORECASE)


def assert_no_external_urls(html: str) -> list[str]:
    """URLs outside this machine that a page's tags or styles would fetch.

    Looks at ``src``/``href``/``srcset``/``data``/``poster`` of script, link, img,
    iframe, source, media, embed, object, input and SVG image/use tags, and at CSS
    ``url(...)`` and ``@import``, anywhere in the text (also inside JavaScript
    strings, e.g. popup HTML, quotes escaped or not). ``data:`` and relative URLs and
    localhost / 127.0.0.1 are fine; ``<a href>`` links are not fetched and are ignored.

    Parameters
    ----------
    html : str
        The page.

    Returns
    -------
    list of str
        The offending URLs, sorted and unique; empty when the page is self-sufficient.

    Examples
    --------
    >>> assert_no_external_urls('<script src="https://unpkg.com/x.js"></script>'
    ...                         '<img src="http://127.0.0.1:8501/a.png">')
    ['https://unpkg.com/x.js']
    """
    found: set[str] = set()
    for tag in _TAG.finditer(html):
        text = tag.group(0)
        values = [m.group(2) for m in _ATTR.finditer(text)]
        values += [m.group(1) for m in _ATTR_BARE.finditer(text)]
        for value in values:
            for url in value.split(","):  # srcset: "url 1x, url 2x"
                url = url.strip().split(" ")[0]
                if _is_external(url):
                    found.add(url)
    for m in _CSS_URL.finditer(html):
        if _is_external(m.group(3)):
            found.add(m.group(3))
    return sorted(found)
