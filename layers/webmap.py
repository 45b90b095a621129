"""The screen map: what the browser needs to draw a view, geometry apart from the rest.

The pages draw maps with diaban's own Streamlit component (``layers/static/webmap``:
Leaflet, the component page and its script, served by the app from
:func:`component_dir`). A view has two parts of very different weight and life:

- **geometry** — the communes' polygons of one province, edition and boundary
  version: :func:`publish_geometry` writes it once as a GeoJSON file named by its
  content (``geo/<sha256>.json``) in the component's folder, which the app serves
  (and a browser keeps: the name changes when the boundaries do). The browser fetches
  it once; it is never part of a page rerun.
- **the view** — :func:`view_payload`: each commune's fill colour and value text,
  the legend, hotspot outlines and labels, facility symbols (a few tens of KB for a
  province). A rerun sends only this, and only when it changed (identical messages
  are deduplicated by Streamlit); the component restyles the polygons it already
  has, so a click, another period or another language never redraws or moves the map.

Classes, colours, labels and symbols are the printed figure's (:mod:`layers.classes`,
:mod:`geo.vocab`, :func:`layers.maps.legend_html`). Texts from imported data are set
as text by the component, never as HTML; the legend HTML is built here with every
data text escaped.

No Streamlit here: the component is declared by :mod:`pages._common`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.i18n import fmt_number, tr
from geo.vocab import FACILITY_KINDS, HOTSPOT_STATUSES, NO_DATA_COLOR
from layers.classes import Classes, no_data_label
from layers.offline import STATIC_DIR, facility_svg

__all__ = [
    "GEOMETRY_DIR",
    "component_dir",
    "geometry_json",
    "publish_geometry",
    "texts",
    "view_payload",
]

#: Sub-folder of :func:`component_dir` holding the published geometry files.
GEOMETRY_DIR = "geo"
#: Files of the component (relative to ``layers/static``), copied into its folder.
_ASSETS = ("webmap/index.html", "webmap/webmap.js", "webmap/webmap.css",
           "leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/LICENSE",
           "leaflet/images/layers.png", "leaflet/images/layers-2x.png",
           "leaflet/images/marker-icon.png", "leaflet/images/marker-icon-2x.png",
           "leaflet/images/marker-shadow.png")
_LOCK = threading.Lock()


def _cache_root() -> Path:
    """Where the component's folder lives: ``DIABAN_WEBMAP_DIR``, else the user's cache."""
    if os.environ.get("DIABAN_WEBMAP_DIR"):
        return Path(os.environ["DIABAN_WEBMAP_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "diaban" / "webmap"


def _assets_version() -> str:
    h = hashlib.sha256()
    for rel in _ASSETS:
        h.update(rel.encode())
        h.update((STATIC_DIR / rel).read_bytes())
    return h.hexdigest()[:16]


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so no reader (another process) sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@lru_cache(maxsize=1)
def component_dir() -> Path:
    """The folder the app serves the map component from, ready to use.

    ``<cache>/diaban/webmap/<assets version>/``: the component's page, script and
    style and the vendored Leaflet (copied from ``layers/static``, so an installed
    package that cannot be written to works too), and the published geometry
    (``geo/``). Several app processes may prepare it at once: every file is written
    whole, then renamed into place. When the cache cannot be written (a read-only
    home), a folder under the system's temporary directory is used.

    Returns
    -------
    pathlib.Path
    """
    version = _assets_version()
    for root in (_cache_root(), Path(tempfile.gettempdir()) / f"diaban-webmap-{os.getuid()}"):
        folder = root / version
        try:
            with _LOCK:
                for rel in _ASSETS:
                    dest = folder / rel.removeprefix("webmap/")
                    if not dest.exists():
                        _write_atomic(dest, (STATIC_DIR / rel).read_bytes())
                (folder / GEOMETRY_DIR).mkdir(parents=True, exist_ok=True)
            return folder
        except OSError:
            continue
    raise OSError("no writable folder for the map component (set DIABAN_WEBMAP_DIR)")


def geometry_json(gdf: gpd.GeoDataFrame, precision: float = 1e-5) -> bytes:
    """The communes' polygons as compact GeoJSON (``code``, ``name``, ``district``).

    Coordinates are rounded to ``precision`` degrees (1e-5° ≈ 1 m); the same
    communes always give the same bytes (features ordered by code).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        WGS84 communes with ``code``, ``name`` and optionally ``district_name``.
    precision : float
        Coordinate grid in degrees.

    Returns
    -------
    bytes
        UTF-8 JSON.

    Examples
    --------
    >>> g = gpd.GeoDataFrame({"code": ["2", "1"], "name": ["B", "A"]},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs=4326)
    >>> fc = json.loads(geometry_json(g))
    >>> [f["properties"]["code"] for f in fc["features"]]
    ['1', '2']
    """
    g = gdf.sort_values("code", kind="stable")
    geoms = shapely.set_precision(np.asarray(g.geometry.values, dtype=object), precision)
    district = (g["district_name"] if "district_name" in g else pd.Series("", index=g.index))
    feats = []
    for code, name, dist, geom in zip(g["code"].astype(str), g["name"].astype(str),
                                      district.fillna("").astype(str), geoms):
        feats.append({"type": "Feature",
                      "properties": {"code": code, "name": name, "district": dist},
                      "geometry": shapely.geometry.mapping(geom)})
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def publish_geometry(gdf: gpd.GeoDataFrame, precision: float = 1e-5,
                     folder: Path | None = None) -> str:
    """Write the communes' GeoJSON where the app serves it; return its relative URL.

    The file is named by the SHA-256 of its bytes, so it is written once per
    province, edition and boundary version, shared by every user and process, and a
    browser may keep it for good (new boundaries get a new name).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        WGS84 communes (see :func:`geometry_json`).
    precision : float
        Coordinate grid in degrees.
    folder : pathlib.Path, optional
        The component's folder (default :func:`component_dir`).

    Returns
    -------
    str
        ``geo/<sha256>.json``, relative to the component's page.
    """
    data = geometry_json(gdf, precision)
    name = f"{GEOMETRY_DIR}/{hashlib.sha256(data).hexdigest()}.json"
    path = (folder or component_dir()) / name
    if not path.exists():
        _write_atomic(path, data)
    return name


def texts(lang: str = "vi") -> dict[str, str]:
    """The component's fixed texts in a language (tooltips, buttons, hints)."""
    return {
        "commune": tr("Xã", "Commune", lang),
        "district": tr("Huyện", "District", lang),
        "status": tr("Trạng thái", "Status", lang),
        "no_data": no_data_label(lang),
        "legend": tr("Chú giải", "Legend", lang),
        "fit": tr("Xem toàn tỉnh", "Show the whole province", lang),
        "wheel": tr("Bấm vào bản đồ để phóng to, thu nhỏ bằng con lăn chuột",
                    "Click the map to zoom with the mouse wheel", lang),
        "error": tr("Không tải được bản đồ:", "The map could not be loaded:", lang),
    }


def view_payload(
    gdf: gpd.GeoDataFrame,
    classes: Classes,
    *,
    geometry: str,
    legend: str | None,
    lang: str = "vi",
    value_label: str = "",
    digits: int = 1,
    hidden: Sequence[bool] | np.ndarray | None = None,
    hotspots: pd.DataFrame | None = None,
    facilities: gpd.GeoDataFrame | None = None,
    height: int = 600,
    legend_open: bool = True,
    clickable: bool = True,
    selected: str | None = None,
    tiles_url: str | None = None,
    value_texts: Sequence[str] | None = None,
) -> dict:
    """What the browser needs to draw one view over geometry it already has.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The communes drawn (``code``, ``name``, ``value``; geometry for the labels of
        hotspot communes).
    classes : Classes
        Their classes (:func:`layers.classes.classify`).
    geometry : str
        URL of the communes' GeoJSON (:func:`publish_geometry`).
    legend : str or None
        Legend HTML (:func:`layers.maps.legend_html`), or no legend on the map.
    lang : {"vi", "en"}
        Language of fixed texts and numbers.
    value_label : str
        Tooltip label of the value.
    digits : int
        Decimals of the values shown.
    hidden : array-like of bool, optional
        Values in the ``< N`` class because their counts are small (see
        :meth:`layers.classes.Classes.hidden_of`).
    hotspots : pandas.DataFrame, optional
        ``unit_code, status`` of designated communes (outlined and labelled).
    facilities : geopandas.GeoDataFrame, optional
        Points with ``kind, name`` and optionally ``capacity``.
    height : int
        Map height in pixels.
    legend_open : bool
        Whether the legend starts open (collapsed in narrow maps).
    clickable : bool
        Whether a click on a commune is sent back to the page.
    selected : str, optional
        Code of the commune to outline as selected.
    tiles_url : str, optional
        A tile basemap (none by default: the map works offline).
    value_texts : sequence of str, optional
        The text of each value (default: the number, ``< N`` when hidden).

    Returns
    -------
    dict
        JSON-ready; the same inputs always give the same dict.
    """
    codes = gdf["code"].astype(str).to_numpy()
    values = gdf["value"].to_numpy(dtype=float)
    mask = classes.hidden_of(values, hidden)
    fills = classes.colors_of(values, mask)
    if value_texts is None:
        value_texts = [f"< {classes.suppress_below}" if h else
                       (fmt_number(v, lang, digits) if np.isfinite(v) else None)
                       for v, h in zip(values, mask)]
    fill = {c: str(f) for c, f in zip(codes, fills) if f != NO_DATA_COLOR}
    vals = {c: t for c, t in zip(codes, value_texts) if t is not None}
    status: dict[str, str] = {}
    outlines, labels = [], []
    if hotspots is not None and len(hotspots):
        hot = gdf[["code", "name", "geometry"]].merge(
            hotspots[["unit_code", "status"]], left_on="code", right_on="unit_code")
        for r in hot.sort_values("code").itertuples():
            txt = HOTSPOT_STATUSES.label(r.status, lang)
            color = HOTSPOT_STATUSES.color(r.status, "#000000")
            status[str(r.code)] = txt
            outlines.append({"code": str(r.code), "color": color})
            p = r.geometry.representative_point()
            labels.append({"lat": round(p.y, 5), "lon": round(p.x, 5), "name": str(r.name),
                           "status": txt, "color": color})
    facs = []
    symbols: dict[str, str] = {}
    if facilities is not None and len(facilities):
        cap_word = tr("Công suất", "Capacity", lang)
        for f in facilities.itertuples():
            kind = str(f.kind)
            if kind not in FACILITY_KINDS:
                continue
            symbols.setdefault(kind, facility_svg(kind, lang, 20))
            cap = getattr(f, "capacity", None)
            facs.append({"lat": round(float(f.geometry.y), 6), "lon": round(float(f.geometry.x), 6),
                         "kind": kind, "name": str(f.name),
                         "kind_label": FACILITY_KINDS.label(kind, lang),
                         "capacity": "" if cap is None or pd.isna(cap)
                         else f"{cap_word}: {int(cap)}"})
    return {
        "geometry": geometry,
        "height": int(height),
        "fill": fill,
        "values": vals,
        "status": status,
        "no_data_color": NO_DATA_COLOR,
        "value_label": value_label or tr("Giá trị", "Value", lang),
        "legend": legend,
        "legend_open": bool(legend_open),
        "outlines": outlines,
        "labels": labels,
        "facilities": facs,
        "symbols": symbols,
        "clickable": bool(clickable),
        "selected": selected,
        "tiles": tiles_url,
        "texts": texts(lang),
    }
