"""Serve every map asset from diaban: no CDN, maps draw with the network cut.

folium elements list the CDN files they need in ``default_js``/``default_css``;
streamlit-folium loads exactly those URLs into its component iframe, and a saved
folium HTML file links them. :func:`make_offline` rewrites those lists to the
copies vendored in ``static/vendor/`` (served by Streamlit at ``/app/static/``
with ``server.enableStaticServing``) and drops assets diaban's maps do not use
(Bootstrap, Font Awesome, awesome-markers: our symbols are SVG).
:func:`standalone_html` inlines the files instead, for a self-contained HTML
export that works opened from disk.
"""

from __future__ import annotations

import re
from pathlib import Path

import folium
from branca.element import Element

__all__ = ["STATIC_DIR", "assert_no_external_urls", "make_offline", "standalone_html"]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
#: Vendored copies of the assets diaban's maps need, by folium's asset names.
VENDORED = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    # folium's popups build their content with jQuery.
    "jquery": "vendor/jquery/jquery.min.js",
}
DEFAULT_BASE_URL = "/app/static/"


def _walk(el: object):  # noqa: ANN202 - generator of branca elements
    yield el
    for child in getattr(el, "_children", {}).values():
        yield from _walk(child)


def make_offline(m: folium.Map, base_url: str = DEFAULT_BASE_URL) -> folium.Map:
    """Point every asset of the map and its children at diaban's own copies.

    Parameters
    ----------
    m : folium.Map
        The map (changed in place and returned).
    base_url : str
        URL prefix under which ``static/`` is served (Streamlit: ``/app/static/``).

    Returns
    -------
    folium.Map
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    for el in _walk(m):
        for attr in ("default_js", "default_css"):
            assets = getattr(el, attr, None)
            if assets:
                setattr(el, attr, [(name, base + VENDORED[name]) for name, _ in assets
                                   if name in VENDORED])
    return m


def standalone_html(m: folium.Map) -> str:
    """Render the map as one self-contained HTML page (assets inlined, works offline)."""
    make_offline(m, "/unused/")
    for el in _walk(m):
        for attr in ("default_js", "default_css"):
            if getattr(el, attr, None):
                setattr(el, attr, [])
    css = (STATIC_DIR / VENDORED["leaflet_css"]).read_text("utf-8")
    # Leaflet's CSS refers to marker/layer images; inline them as data URLs.
    import base64

    def _img(match: re.Match) -> str:
        data = (STATIC_DIR / "vendor/leaflet" / match.group(1)).read_bytes()
        return "url(data:image/png;base64," + base64.b64encode(data).decode() + ")"

    css = re.sub(r"url\((images/[^)]+\.png)\)", _img, css)
    root = m.get_root()
    root.header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css_inline", index=0)
    for i, name in enumerate(("leaflet", "jquery")):
        js = (STATIC_DIR / VENDORED[name]).read_text("utf-8")
        root.header.add_child(Element(f"<script>{js}</script>"), name=f"{name}_inline",
                              index=1 + i)
    return root.render()


_URL = re.compile(
    r"""<(?:script|link|img|iframe|source)\b[^>]*?(?:src|href)\s*=\s*["'](https?:)?//([^/"':]+)""",
    re.IGNORECASE,
)


def assert_no_external_urls(html: str) -> list[str]:
    """Hosts other than localhost that script, link or img tags of the page would fetch."""
    hosts = {m.group(2) for m in _URL.finditer(html)}
    return sorted(h for h in hosts if h not in {"localhost", "127.0.0.1"})
