"""Cached calls into the services and shared widgets for the pages (no computation here).

Pages authorise first (``pages._auth.require_action``), then read through the cached
helpers below: a cached service result is keyed by its request only, so every user
who may see a province shares it, and every cache is dropped when anyone stores or
undoes an import (:func:`refresh_if_data_changed`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, NamedTuple

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.i18n import tr
from geo.indicators import get_indicator, load_catalog
from geo.periods import parse_period
from geo.registry import Province, load_units
from geo.services import maps
from geo.vocab import MEASURES, SCHEMES
from layers.maps import choropleth_map, classify_values
from layers.offline import make_offline
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

_SEEN_VERSION: dict[str | None, tuple] = {}


def refresh_if_data_changed() -> None:
    """Drop cached figures once anyone stored or undid an import (app or CLI).

    Called on every run (a two-aggregate query): a new or undone import batch of any
    process changes the version, and every session then reads fresh data instead of
    waiting for the caches to expire.
    """
    url = db_url()
    try:
        version = maps.data_version(url)
    except Exception:  # noqa: BLE001 - no schema yet: nothing cached from it either
        return
    seen = _SEEN_VERSION.get(url)
    if seen is not None and seen != version:
        st.cache_data.clear()
    _SEEN_VERSION[url] = version


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


def cached(service: Callable[..., Any], req: object, **options: Any) -> Any:
    """Call a reading service through the shared cache.

    The cache is keyed by the database, the service, its (checked-on-call) request
    and options such as ``lang``: every user the page has let see the province shares
    one result, and :func:`refresh_if_data_changed` drops them all when data change.
    On a miss the service runs as the logged-in user and authorises them itself.

    Parameters
    ----------
    service : callable
        A function of :mod:`geo.services` with the shape ``service(req, who, db, **options)``.
    req : Request
        Its request (a frozen dataclass, hashable).
    **options
        Keyword options of the service (``lang``…), part of the cache key.
    """
    name = f"{service.__module__}:{service.__qualname__}"
    return _cached_call(db_url(), name, req, tuple(sorted(options.items())))


@st.cache_data(show_spinner=False, ttl=600, max_entries=256)
def _cached_call(url: str | None, name: str, req: object, options: tuple) -> Any:
    module, _, fn = name.partition(":")
    service = getattr(importlib.import_module(module), fn)
    return service(req, principal(), url, **dict(options))


@st.cache_data(show_spinner=False, ttl=600)
def _periods(url: str | None) -> list[str]:
    return maps.periods(principal(), url)


def period_ids() -> list[str]:
    """Periods with data."""
    return _periods(db_url())


def period_label(pid: str, lg: str | None = None) -> str:
    """Human label of a period id."""
    return parse_period(pid).label(lg or lang())


@st.cache_data(show_spinner=False)
def provinces() -> pd.DataFrame:
    """The provinces users pick from: the 34 of 2025, then the legacy ones whose code
    the 2025 registry does not reuse (``code, name, edition``)."""
    new = load_units("2025", "province")[["code", "name"]].assign(edition="2025")
    old = load_units("legacy", "province")[["code", "name"]].assign(edition="legacy")
    return pd.concat([new, old[~old.code.isin(new.code)]]).reset_index(drop=True)


def province_ref(code: str) -> Province:
    """The province a picked code stands for, as services take it.

    A code of the list is a 2025 province unless only the legacy registry has it:
    "15" picked here is (new) Lào Cai, also when pre-reform communes are drawn —
    never the legacy province that had code 15 (Yên Bái).
    """
    row = provinces().set_index("code").loc[str(code)]
    return Province(str(code), str(row["name"]), str(row["edition"]))


def cached_units(province: str, edition: str) -> pd.DataFrame:
    """Communes of a province in an edition."""
    return cached(maps.units, maps.ProvinceRequest(province_ref(province), edition))


def cached_map_view(req: maps.MapRequest) -> maps.MapView:
    """The map of one indicator and period (display-simplified geometry, cached)."""
    return cached(maps.map_view, req)


def cached_map_frame(province: str, edition: str, indicator: str, period: str,
                     measure: str) -> gpd.GeoDataFrame:
    """Communes with one indicator's value for one period (cached)."""
    return cached_map_view(maps.MapRequest(province_ref(province), edition, indicator, period,
                                           measure)).communes


def cached_series(province: str, edition: str, indicators: tuple[str, ...],
                  measure: str) -> pd.DataFrame:
    """All periods of some indicators."""
    return cached(maps.series, maps.SeriesRequest(province_ref(province), edition, indicators,
                                                  measure))


def cached_profile(province: str, code: str, edition: str) -> maps.CommuneProfile:
    """A commune's registry entry, hotspot history, reform lineage and nearest services."""
    return cached(maps.profile, maps.CommuneRequest(province_ref(province), code, edition))


def indicator_label(iid: str, lg: str | None = None) -> str:
    """Indicator name in the UI language."""
    return get_indicator(iid).name(lg or lang())


def map_controls(key: str) -> MapControls:
    """Sidebar controls shared by map pages."""
    periods = period_ids()
    if not periods:
        st.warning(t("Cơ sở dữ liệu chưa có số liệu. Chạy `diaban demo` để nạp dữ liệu minh họa.",
                     "The database has no figures yet. Run `diaban demo` to load the demo."))
        st.stop()
    provs = provinces()
    with st.sidebar:
        st.subheader(t("Bản đồ", "Map"))
        from pages._auth import visible_provinces

        codes = visible_provinces(list(provs.code))
        names = dict(zip(provs.code, provs.name))
        pcode = remember("province", st.selectbox(
            t("Tỉnh", "Province"), codes, index=index_of(codes, "province", "14"),
            format_func=names.__getitem__, key=wkey(f"{key}_prov")))
        st.session_state["province"] = pcode
        eds = ["legacy", "2025"]
        edition = remember("edition", st.radio(
            t("Đơn vị hành chính", "Administrative units"), eds,
            index=index_of(eds, "edition", "legacy"),
            format_func=bound(edition_label), horizontal=True, key=wkey(f"{key}_ed")))
        ids = [i.id for i in load_catalog()]
        indicator = remember("indicator", st.selectbox(
            t("Chỉ tiêu", "Indicator"), ids, index=index_of(ids, "indicator",
                                                             "registered_addicts"),
            format_func=bound(indicator_label), key=wkey(f"{key}_ind")))
        ms = ["count", "rate"]
        measure = remember("measure", st.radio(
            t("Cách tính", "Measure"), ms, index=index_of(ms, "measure", "count"),
            format_func=bound(MEASURES.label), horizontal=True,
            key=wkey(f"{key}_measure")))
        default_p = periods[-2] if len(periods) > 1 else periods[0]
        p0 = recall("period", default_p)
        period = remember("period", st.select_slider(
            t("Kỳ báo cáo", "Period"), options=periods,
            value=p0 if p0 in periods else default_p,
            format_func=bound(period_label), key=wkey(f"{key}_period")))
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
        tiles = remember("tiles", st.text_input(
            t("Bản đồ nền (URL, tùy chọn)", "Basemap tile URL (optional)"),
            str(recall("tiles", "")), key=wkey(f"{key}_tiles"),
            help=t("Ví dụ máy chủ bản đồ nội bộ: http://may-chu/{z}/{x}/{y}.png. "
                   "Để trống: bản đồ chạy không cần Internet.",
                   "E.g. an internal tile server. Empty: works offline.")))
    return MapControls(pcode, edition, indicator, period, measure, scheme, k, show_h, show_f,
                       tiles.strip() or None)


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


def legend_title(ctl: MapControls) -> str:
    """Title for a map's legend."""
    ind = get_indicator(ctl.indicator)
    unit = MEASURES.label("rate", lang()) if ctl.measure == "rate" else ind.unit(lang())
    return f"{ind.name(lang())} ({unit}) — {period_label(ctl.period)}"


def build_map(ctl: MapControls, gdf: gpd.GeoDataFrame, shared_with: str | None = None,
              height: int = 600) -> Any:
    """Folium map for the controls (classes shared across two periods when comparing)."""
    vals = gdf.value.to_numpy()
    if shared_with:
        other = cached_map_frame(ctl.province, ctl.edition, ctl.indicator, shared_with,
                                 ctl.measure)
        vals = pd.concat([gdf.value, other.value]).to_numpy()
    digits = 1 if ctl.measure == "rate" else 0
    classes = classify_values(vals, ctl.scheme, ctl.k, lang(), digits)
    if shared_with:
        classes = classes.recount(gdf.value.to_numpy())
    view = cached_map_view(maps.MapRequest(province_ref(ctl.province), ctl.edition,
                                           ctl.indicator, ctl.period, ctl.measure))
    hot = view.hotspots if ctl.show_hotspots else None
    fac = view.facilities if ctl.show_facilities else None
    m = choropleth_map(
        gdf, title=legend_title(ctl), classes=classes, lang=lang(),
        value_label=t("Giá trị", "Value"), hotspots=hot, facilities=fac,
        approximate=is_approximate(gdf), tiles_url=ctl.tiles_url, digits=digits, height=height,
    )
    return make_offline(m)


def draw_map(ctl: MapControls, gdf: gpd.GeoDataFrame, key: str, height: int = 600,
             shared_with: str | None = None) -> dict:
    """Draw a map; only clicks come back (no rerun on pan or zoom)."""
    m = build_map(ctl, gdf, shared_with=shared_with, height=height)
    return st_folium(m, height=height, use_container_width=True, key=key,
                     returned_objects=["last_active_drawing"]) or {}


def clicked_code(out: dict) -> str | None:
    """Commune code of the last clicked polygon, if any."""
    feat = (out or {}).get("last_active_drawing") or {}
    props = feat.get("properties") or {}
    return props.get("code")
