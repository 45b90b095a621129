"""Cached calls into the services and shared widgets for the pages (no computation here).

Pages authorise first (``pages._auth.require_action``), then read through the cached
helpers below: a cached service result is keyed by its request and by the version of
the stored data it read (:func:`data_version`), so every user who may see a province
shares it, and an import (app or CLI) makes the next read fresh without dropping
anything else: an import of other indicators leaves a map's figures cached.

Maps are drawn by diaban's own component (:func:`draw_map`, :func:`category_map`;
:mod:`layers.webmap` builds what it is sent): the communes' polygons are fetched by the
browser once per province, edition and boundary version, each rerun sends only the
view (colours, values, legend) and only when it changed, and the component restyles the
map it has instead of drawing it again.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import threading
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, NoReturn

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from geo.i18n import tr
from geo.indicators import get_indicator, load_catalog
from geo.periods import parse_period
from geo.registry import Province, load_units
from geo.services import maps
from geo.vocab import MEASURES, SCHEMES, Vocabulary
from layers import webmap
from layers.classes import categorical
from layers.maps import Classes, classify_values, legend_html
from pages._state import (
    bound,
    db_url,
    index_of,
    lang,
    principal,
    recall,
    remember,
    t,
    wkey,
)

#: The map component: its page, Leaflet and the published geometry, served by the app.
_WEBMAP = components.declare_component("diaban_map", path=str(webmap.component_dir()))

_VERSIONS: dict[tuple, maps.DataVersion] = {}
_VERSIONS_LOCK = threading.Lock()


def note_data_version() -> None:
    """Read the stored data's version once per run (``app.py`` calls it first).

    One cheap query per run (:func:`geo.services.maps.data_version`); when it has
    changed since this process last looked, the finer version
    (:func:`geo.services.maps.data_versions`) is read once and shared by every
    session. Nothing cached is dropped: results are keyed on the version they read.
    """
    url = db_url()
    try:
        batches = tuple(maps.data_version(url))
    except Exception:  # noqa: BLE001 - no schema yet: nothing cached from it either
        st.session_state.pop("_data_version", None)
        return
    v = _VERSIONS.get((url, batches))
    if v is None:
        v = maps.data_versions(url)
        with _VERSIONS_LOCK:
            if len(_VERSIONS) > 16:
                _VERSIONS.clear()
            _VERSIONS[(url, v.batches)] = v
    st.session_state["_data_version"] = v


def data_version() -> maps.DataVersion:
    """The stored data's version as this run read it (:func:`note_data_version`)."""
    v = st.session_state.get("_data_version")
    if v is None:
        note_data_version()
        v = st.session_state.get("_data_version") or maps.DataVersion((), (), None, None)
    return v


def _version_key(depends: tuple[str, ...] | None, period: str | None = None,
                 periods: tuple[str, ...] | None = None) -> tuple:
    v = data_version()
    return v.batches if depends is None else v.of(*depends, period=period, periods=periods)


class MapControls(NamedTuple):
    """What the user chose for a map."""

    province: str
    edition: str
    indicator: str
    period: str
    measure: str
    scheme: str
    k: int
    show_hotspots: bool
    show_facilities: bool
    tiles_url: str | None
    suppress_below: int | None = None

    @property
    def depends(self) -> tuple[str, ...]:
        """The indicators whose values the map reads."""
        return (self.indicator, "population") if self.measure == "rate" else (self.indicator,)

    @property
    def hidden_below(self) -> int | None:
        """The suppression threshold that applies to this indicator (None for none)."""
        ok = self.suppress_below is not None and get_indicator(self.indicator).suppressible
        return self.suppress_below if ok else None

    def request(self, period: str | None = None) -> maps.MapRequest:
        """The map service's request for these choices (another period if given)."""
        return maps.MapRequest(province_ref(self.province), self.edition, self.indicator,
                               period or self.period, self.measure, self.suppress_below)


def cached(service: Callable[..., Any], req: object, *,
           depends: tuple[str, ...] | None = None, period: str | None = None,
           periods: tuple[str, ...] | None = None, shared: bool = False,
           **options: Any) -> Any:
    """Call a reading service through the shared cache.

    The cache is keyed by the database, the service, its (checked-on-call) request,
    options such as ``lang``, and the version of the stored data: every user the page
    has let see the province shares one result until the data it read change. On a
    miss the service runs as the logged-in user and authorises them itself.

    Parameters
    ----------
    service : callable
        A function of :mod:`geo.services` with the shape ``service(req, who, db, **options)``.
    req : Request
        Its request (a frozen dataclass, hashable).
    depends : tuple of str, optional
        The indicators whose values the result reads, when it reads only those (and
        boundaries, hotspots, facilities): an import of other indicators then keeps
        it (:meth:`geo.services.maps.DataVersion.of`). By default any import or undo
        makes it stale.
    period : str, optional
        With ``depends``: the one period whose values the result reads (or builds
        from others, a year from its halves).
    periods : tuple of str, optional
        With ``depends``: the stored periods whose values the result reads, when it
        reads only those (imports of other periods then keep it).
    shared : bool
        Hand every caller the one stored result (``st.cache_resource``) instead of a
        copy unpickled on each hit (``st.cache_data``): for the results the map page
        and the profile read on every rerun, whose callers only read them or derive
        new frames from them. Never change a shared result in place.
    **options
        Keyword options of the service (``lang``…), part of the cache key.
    """
    name = f"{service.__module__}:{service.__qualname__}"
    call = _shared_call if shared else _cached_call
    return call(db_url(), _version_key(depends, period, periods), name, req,
                tuple(sorted(options.items())))


@st.cache_data(show_spinner=False, ttl=3600, max_entries=256)
def _cached_call(url: str | None, version: tuple, name: str, req: object,
                 options: tuple) -> Any:
    module, _, fn = name.partition(":")
    service = getattr(importlib.import_module(module), fn)
    return service(req, principal(), url, **dict(options))


@st.cache_resource(show_spinner=False, ttl=3600, max_entries=256)
def _shared_call(url: str | None, version: tuple, name: str, req: object,
                 options: tuple) -> Any:
    return _cached_call.__wrapped__(url, version, name, req, options)


@st.cache_data(show_spinner=False, ttl=3600, max_entries=16)
def _periods(url: str | None, version: tuple) -> list[str]:
    return maps.periods(principal(), url)


def period_ids() -> list[str]:
    """Periods with data."""
    return _periods(db_url(), _version_key(None))


def period_label(pid: str, lg: str | None = None) -> str:
    """Human label of a period id."""
    return parse_period(pid).label(lg or lang())


@functools.cache
def _province_table() -> pd.DataFrame:
    new = load_units("2025", "province")[["code", "name"]].assign(edition="2025")
    old = load_units("legacy", "province")[["code", "name"]].assign(edition="legacy")
    return pd.concat([new, old[~old.code.isin(new.code)]]).reset_index(drop=True)


@functools.cache
def _province_refs() -> dict[str, Province]:
    return {str(r.code): Province(str(r.code), str(r.name), str(r.edition))
            for r in _province_table().itertuples(index=False)}


def provinces() -> pd.DataFrame:
    """The provinces users pick from: the 34 of 2025, then the legacy ones whose code
    the 2025 registry does not reuse (``code, name, edition``)."""
    return _province_table().copy()


def province_ref(code: str) -> Province:
    """The province a picked code stands for, as services take it.

    A code of the list is a 2025 province unless only the legacy registry has it:
    "15" picked here is (new) Lào Cai, also when pre-reform communes are drawn —
    never the legacy province that had code 15 (Yên Bái). The registry is read once
    per process: the sidebar and the access checks ask for every province on each run.

    Raises
    ------
    KeyError
        When ``code`` is not a province of the list.
    """
    return _province_refs()[str(code)]


def cached_units(province: str, edition: str) -> pd.DataFrame:
    """Communes of a province in an edition (kept while no boundaries, … are imported)."""
    return cached(maps.units, maps.ProvinceRequest(province_ref(province), edition),
                  depends=(), shared=True)


def cached_map_view(req: maps.MapRequest) -> maps.MapView:
    """The map of one indicator and period (display-simplified geometry, cached).

    Kept until the values of that indicator (and the population, for a rate), the
    boundaries, hotspots or facilities change.
    """
    depends = (req.indicator, "population") if req.measure == "rate" else (req.indicator,)
    period = None if req.period is None else str(req.period)
    return cached(maps.map_view, req, depends=depends, period=period, shared=True)


def cached_map_frame(province: str, edition: str, indicator: str, period: str,
                     measure: str, suppress_below: int | None = None) -> gpd.GeoDataFrame:
    """Communes with one indicator's value for one period (cached)."""
    return cached_map_view(maps.MapRequest(province_ref(province), edition, indicator, period,
                                           measure, suppress_below)).communes


def cached_series(province: str, edition: str, indicators: tuple[str, ...],
                  measure: str, periods: tuple[str, ...] = ()) -> pd.DataFrame:
    """All periods (or only ``periods``) of some indicators, kept until their values
    (of those periods) change."""
    depends = tuple(indicators) + (("population",) if measure == "rate" else ())
    return cached(maps.series, maps.SeriesRequest(province_ref(province), edition, indicators,
                                                  measure, tuple(periods)),
                  depends=depends, periods=tuple(periods) or None, shared=True)


def cached_profile(province: str, code: str, edition: str) -> maps.CommuneProfile:
    """A commune's registry entry, hotspot history, reform lineage and nearest services.

    It reads no figures: an import of figures keeps it.
    """
    return cached(maps.profile, maps.CommuneRequest(province_ref(province), code, edition),
                  depends=(), shared=True)


def cached_year_list(province: str, year: int) -> Any:
    """A year's QĐ 28/2025 list as maps and reports show it (approved, else the draft).

    Kept until the figures the year's rules read (of that year and its halves) change,
    or a list, a manual class, the settings or the routes: imports of other figures
    or other periods keep it (:func:`geo.assessment.year_inputs`).
    """
    from geo.assessment import year_inputs
    from geo.services import classification as cls_svc

    inds, pers = year_inputs(year)
    return cached(cls_svc.list_classes, cls_svc.YearRequest(province_ref(province), year),
                  depends=inds, periods=pers, shared=True)


_TARGET_INDICATORS: dict[tuple, tuple[str, ...]] = {}


def cached_targets(province: str) -> Any:
    """The province's first plan's targets, evaluated (:func:`geo.services.progress.target_status`).

    Kept until the values of the indicators the targets read change (or the plan,
    hotspots or anything else that is not values): the indicators are those the last
    evaluation reported, and a new plan changes the version they are keyed with.
    """
    from geo.services import progress

    req = progress.ProgressRequest(province_ref(province))
    where = (db_url(), province)
    used = _TARGET_INDICATORS.get(where)
    res = cached(progress.target_status, req, depends=used, shared=True, lang=lang())
    _TARGET_INDICATORS[where] = tuple(res.indicators)
    return res


def indicator_label(iid: str, lg: str | None = None) -> str:
    """Indicator name in the UI language."""
    return get_indicator(iid).name(lg or lang())


#: Map choices kept in the page's URL (a view can be shared and bookmarked).
URL_STATE = ("province", "edition", "indicator", "period", "measure")


def _state_from_url(valid: dict[str, list[str]]) -> None:
    """Take the map's choices from the URL once per session (a shared or bookmarked view).

    Values that are not among the choices offered (another province than the
    user's, a period without data) are ignored.
    """
    if st.session_state.get("_url_state_read"):
        return
    st.session_state["_url_state_read"] = True
    for name in URL_STATE:
        value = st.query_params.get(name)
        if value is not None and value in valid[name]:
            remember(name, value)


def _state_to_url(state: dict[str, str]) -> None:
    """Write the map's choices into the URL (only when they changed)."""
    if any(st.query_params.get(k) != v for k, v in state.items()):
        st.query_params.update(state)


def map_controls(key: str, url_state: bool = False) -> MapControls:
    """Sidebar controls shared by map pages.

    Parameters
    ----------
    key : str
        Prefix of the widgets' keys.
    url_state : bool
        Read the province, edition, indicator, period and measure from the page's
        URL when the session opens the page, and keep them in it.
    """
    periods = period_ids()
    if not periods:
        st.warning(t("Cơ sở dữ liệu chưa có số liệu. Chạy `diaban demo` để nạp dữ liệu minh họa.",
                     "The database has no figures yet. Run `diaban demo` to load the demo."))
        st.stop()
    provs = provinces()
    from pages._auth import visible_provinces

    codes = visible_provinces(list(provs.code))
    eds = ["legacy", "2025"]
    ids = [i.id for i in load_catalog()]
    ms = ["count", "rate"]
    if url_state:
        _state_from_url({"province": codes, "edition": eds, "indicator": ids,
                         "period": periods, "measure": ms})
    with st.sidebar:
        st.subheader(t("Bản đồ", "Map"))
        names = dict(zip(provs.code, provs.name))
        pcode = remember("province", st.selectbox(
            t("Tỉnh", "Province"), codes, index=index_of(codes, "province", "14"),
            format_func=names.__getitem__, key=wkey(f"{key}_prov")))
        st.session_state["province"] = pcode
        edition = remember("edition", st.radio(
            t("Đơn vị hành chính", "Administrative units"), eds,
            index=index_of(eds, "edition", "legacy"),
            format_func=bound(edition_label), horizontal=True, key=wkey(f"{key}_ed")))
        indicator = remember("indicator", st.selectbox(
            t("Chỉ tiêu", "Indicator"), ids, index=index_of(ids, "indicator",
                                                             "registered_addicts"),
            format_func=bound(indicator_label), key=wkey(f"{key}_ind")))
        measure = remember("measure", st.radio(
            t("Cách tính", "Measure"), ms, index=index_of(ms, "measure", "count"),
            format_func=bound(MEASURES.label), horizontal=True,
            key=wkey(f"{key}_measure")))
        default_p = periods[-2] if len(periods) > 1 else periods[0]
        p0 = recall("period", default_p)
        period = remember("period", st.select_slider(
            t("Kỳ báo cáo", "Period"), options=periods,
            value=p0 if p0 in periods else default_p,
            format_func=bound(period_short_label), key=wkey(f"{key}_period")))
        st.caption(f"**{period_label(period)}**  \n" + t(
            f"Có số liệu từ {period_label(periods[0])} đến {period_label(periods[-1])}",
            f"Figures from {period_label(periods[0])} to {period_label(periods[-1])}"))
        sch = list(SCHEMES)
        scheme = remember("scheme", st.selectbox(
            t("Phân lớp", "Classification"), sch, index=index_of(sch, "scheme", "quantiles"),
            format_func=bound(SCHEMES.label), key=wkey(f"{key}_scheme")))
        k = remember("k", st.slider(t("Số lớp", "Classes"), 3, 7, int(recall("k", 5)),
                                    key=wkey(f"{key}_k")))
        show_h = remember("show_h", st.checkbox(
            t("Địa bàn trọng điểm", "Hotspot communes"), bool(recall("show_h", True)),
            key=wkey(f"{key}_hot")))
        show_f = remember("show_f", st.checkbox(
            t("Cơ sở điều trị, tư vấn", "Facilities"), bool(recall("show_f", True)),
            key=wkey(f"{key}_fac")))
        hide = remember("hide_small", st.checkbox(
            t("Ẩn số nhỏ (bảo vệ thông tin cá nhân)", "Hide small counts (privacy)"),
            bool(recall("hide_small", False)), key=wkey(f"{key}_hide"),
            help=t("Số người dưới ngưỡng, và tỷ lệ tính từ các số đó, hiện là “< ngưỡng” trên "
                   "bản đồ, trong bảng và mọi tệp xuất.",
                   "Counts below the threshold, and rates computed from them, show as "
                   "“< threshold” on the map, in the table and in every export.")))
        threshold = None
        if hide:
            threshold = int(remember("hide_below", st.number_input(
                t("Ngưỡng: ẩn số nhỏ hơn", "Hide counts below"), 1, 100,
                int(recall("hide_below", 5)), key=wkey(f"{key}_hide_below"))))
            if k > 6:  # the '< N' class takes one of the seven colours
                k = 6
                st.caption(t("Khi ẩn số nhỏ, bản đồ có tối đa 6 lớp (lớp “< ngưỡng” dùng một "
                             "màu).", "With small counts hidden a map has at most 6 classes "
                             "(the “< threshold” class takes one colour)."))
        tiles = remember("tiles", st.text_input(
            t("Bản đồ nền (URL, tùy chọn)", "Basemap tile URL (optional)"),
            str(recall("tiles", "")), key=wkey(f"{key}_tiles"),
            help=t("Ví dụ máy chủ bản đồ nội bộ: http://may-chu/{z}/{x}/{y}.png. "
                   "Để trống: bản đồ chạy không cần Internet.",
                   "E.g. an internal tile server. Empty: works offline.")))
    if url_state:
        _state_to_url({"province": pcode, "edition": edition, "indicator": indicator,
                       "period": period, "measure": measure})
    return MapControls(pcode, edition, indicator, period, measure, scheme, k, show_h, show_f,
                       tiles.strip() or None, threshold)


def period_short_label(pid: str, lg: str | None = None) -> str:
    """A short label of a period for slider ends (``6T đầu 2025``, ``H1 2025``)."""
    p = parse_period(pid)
    lg = lg or lang()
    if "-H" in pid:
        half = pid.rsplit("-H", 1)[1]
        return (f"6T {'đầu' if half == '1' else 'cuối'} {p.year}" if lg == "vi"
                else f"H{half} {p.year}")
    if "-Q" in pid:
        return f"{'Q' if lg == 'en' else 'Quý '}{pid.rsplit('-Q', 1)[1]}/{p.year}"
    return str(p.year)


def edition_label(e: str, lg: str | None = None) -> str:
    """Label of a registry edition for radios and captions."""
    lg = lg or lang()
    return tr("Trước 01/7/2025", "Before 1 Jul 2025", lg) if e == "legacy" else tr(
        "Sau 01/7/2025", "After 1 Jul 2025", lg)


def edition_radio(where: object, key: str, label: str | None = None,
                  default: str = "legacy") -> str:
    """The before/after 1 July 2025 choice, drawn in ``where`` (``st`` or a column)."""
    eds = ["legacy", "2025"]
    return where.radio(label or t("Đơn vị hành chính", "Administrative units"), eds,
                       index=eds.index(default), format_func=bound(edition_label), horizontal=True,
                       key=f"{key}_{lang()}")


def is_approximate(gdf: gpd.GeoDataFrame) -> bool:
    """Whether any boundary shown is approximate."""
    return "source" in gdf and (gdf.source == "approximate").any()


def conversion_note(gdf: gpd.GeoDataFrame, edition: str) -> str:
    """Caption explaining values that crossed the 2025 reform."""
    if (gdf.converted == "estimated").any():
        return t("Một số giá trị được ước tính cho xã cũ bằng cách chia số liệu của xã mới theo "
                 "dân số (bảng chuyển đổi 01/7/2025).",
                 "Some values are estimated for old communes by sharing the new commune's "
                 "figure by population (1 July 2025 crosswalk).")
    return t("Một số giá trị được cộng dồn từ các xã cũ sang xã mới theo bảng chuyển đổi "
             "01/7/2025.",
             "Some values are summed from old communes into new ones via the 1 July 2025 "
             "crosswalk.")


def legend_title(ctl: MapControls, lg: str | None = None) -> str:
    """Title for a map's legend."""
    lg = lg or lang()
    ind = get_indicator(ctl.indicator)
    unit = MEASURES.label("rate", lg) if ctl.measure == "rate" else ind.unit(lg)
    return f"{ind.name(lg)} ({unit}) — {period_label(ctl.period, lg)}"


@st.cache_data(show_spinner=False, ttl=3600, max_entries=64)
def _published(url: str | None, version: tuple, province: str, edition: str,
               _communes: gpd.GeoDataFrame) -> str:
    """URL of the communes' GeoJSON of a province and edition (written once per version)."""
    return webmap.publish_geometry(_communes)


def map_classes(ctl: MapControls, shared_with: str | None = None) -> Classes:
    """The classes of a map: the same on screen and in print.

    With ``shared_with`` (another period), the breaks come from both periods' values
    so the two maps compare; the counts are this period's.
    """
    gdf = cached_map_view(ctl.request()).communes
    sup = ctl.hidden_below
    vals = gdf.value.to_numpy(dtype=float)
    hidden = gdf["suppressed"].to_numpy(dtype=bool) if sup is not None else None
    all_vals, all_hidden = vals, hidden
    if shared_with:
        other = cached_map_view(ctl.request(shared_with)).communes
        all_vals = np.concatenate([vals, other.value.to_numpy(dtype=float)])
        if sup is not None:
            all_hidden = np.concatenate([hidden, other["suppressed"].to_numpy(dtype=bool)])
    digits = 1 if ctl.measure == "rate" else 0
    classes = classify_values(all_vals, ctl.scheme, ctl.k, lang(), digits, suppress_below=sup,
                              hidden=all_hidden)
    return classes.recount(vals, hidden) if shared_with else classes


def map_legend(ctl: MapControls, shared_with: str | None = None, toggles: bool = True) -> str:
    """The legend of a map as HTML (also shown beside two compared maps)."""
    view = cached_map_view(ctl.request())
    return legend_html(map_classes(ctl, shared_with), legend_title(ctl), lang(),
                       facilities=ctl.show_facilities and len(view.facilities) > 0,
                       hotspots=ctl.show_hotspots and len(view.hotspots) > 0,
                       approximate=view.approximate, toggles=toggles)


def map_payload(ctl: MapControls, *, shared_with: str | None = None, height: int = 600,
                legend: bool = True, legend_open: bool = True,
                clickable: bool = True) -> dict:
    """What the map component is sent for these choices (cached per view and data version).

    The same choices and data always give the same payload, so a rerun that changes
    nothing on the map sends nothing new (Streamlit deduplicates the message).
    """
    version = data_version()
    key = version.of(*ctl.depends, period=ctl.period)
    if shared_with:
        key += version.of(*ctl.depends, period=shared_with)
    return _map_payload(db_url(), key, version.of(), ctl, lang(), shared_with, height, legend,
                        legend_open, clickable)


# Shared, not copied per hit: the payload is only serialised to the component.
@st.cache_resource(show_spinner=False, ttl=3600, max_entries=256)
def _map_payload(url: str | None, version: tuple, geo_version: tuple, ctl: MapControls,
                 lg: str, shared_with: str | None, height: int, legend: bool,
                 legend_open: bool, clickable: bool) -> dict:
    view = cached_map_view(ctl.request())
    gdf = view.communes
    sup = ctl.hidden_below
    classes = map_classes(ctl, shared_with)
    geometry = _published(url, geo_version, ctl.province, ctl.edition, gdf)
    return webmap.view_payload(
        gdf, classes, geometry=geometry,
        legend=map_legend(ctl, shared_with) if legend else None, lang=lg,
        value_label=tr("Giá trị", "Value", lg), digits=1 if ctl.measure == "rate" else 0,
        hidden=gdf["suppressed"].to_numpy(dtype=bool) if sup is not None else None,
        hotspots=view.hotspots if ctl.show_hotspots else None,
        facilities=view.facilities if ctl.show_facilities else None, height=height,
        legend_open=legend_open, clickable=clickable, tiles_url=ctl.tiles_url)


def draw_map(ctl: MapControls, key: str, height: int = 600, shared_with: str | None = None,
             legend: bool = True, legend_open: bool = True, clickable: bool = True) -> dict:
    """Draw a map; only clicks come back (nothing reruns on pan or zoom).

    The component keeps its map across reruns under the same ``key``: another period,
    indicator or language restyles it in place.

    Returns
    -------
    dict
        ``{"last_active_drawing": {"properties": {"code": …}}}`` after a click on a
        commune, else empty.
    """
    payload = map_payload(ctl, shared_with=shared_with, height=height, legend=legend,
                          legend_open=legend_open, clickable=clickable)
    return _WEBMAP(view=payload, key=key, default=None) or {}


def category_map(frame: pd.DataFrame, column: str, vocab: Vocabulary, title: str, key: str,
                 province: str, edition: str, period: str | None = None,
                 hotspots: pd.DataFrame | None = None, height: int = 520) -> None:
    """A map of categories (hot spots, classes, changes): one colour per category.

    Drawn over the province's display geometry (the map page's), so the browser
    fetches no other polygons.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``code`` and ``column`` (a category id of ``vocab``, or NaN) per commune.
    column : str
        The category column.
    vocab : Vocabulary
        Labels and colours of the categories.
    title : str
        Legend title.
    key : str
        The component's key.
    province, edition : str
        The communes drawn.
    period : str, optional
        The period shown (its map's geometry is reused; default the latest).
    hotspots : pandas.DataFrame, optional
        ``unit_code, status`` to outline.
    height : int
        Height in pixels.
    """
    lg = lang()
    view = cached_map_view(maps.MapRequest(province_ref(province), edition, period=period))
    g = view.communes[["code", "name", "district_name", "source", "geometry"]].merge(
        pd.DataFrame(frame)[["code", column]].drop_duplicates("code"), on="code", how="left")
    present = set(g[column].dropna())
    # The printed maps' classes (layers.classes.categorical); the legend lists the
    # categories present.
    classes, codes = categorical(g[column].tolist(), vocab, [c for c in vocab if c in present],
                                 lang=lg)
    g["value"] = codes
    geometry = _published(db_url(), data_version().of(), province, edition, view.communes)
    has_hot = hotspots is not None and len(hotspots) > 0
    payload = webmap.view_payload(
        g, classes, geometry=geometry, lang=lg,
        legend=legend_html(classes, title, lg, facilities=False, hotspots=has_hot,
                           approximate=view.approximate, toggles=True),
        value_label=tr("Loại", "Category", lg), hotspots=hotspots if has_hot else None,
        height=height, clickable=False,
        value_texts=[None if pd.isna(c) else vocab.label(c, lg) for c in g[column]])
    _WEBMAP(view=payload, key=key, default=None)


class _TabStopped(Exception):
    """Raised by :func:`stop_tab` to end one tab's content."""


@contextlib.contextmanager
def tab(container: Any) -> Iterator[None]:
    """Draw into a tab whose content may end early without blanking the other tabs."""
    with container:
        try:
            yield
        except _TabStopped:
            pass


def stop_tab() -> NoReturn:
    """End the current :func:`tab`'s content here (the page goes on with the next tab)."""
    raise _TabStopped


def clicked_code(out: dict) -> str | None:
    """Commune code of the last clicked polygon, if any."""
    feat = (out or {}).get("last_active_drawing") or {}
    props = feat.get("properties") or {}
    return props.get("code")
