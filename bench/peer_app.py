"""The naive peer of the concurrency benchmark: the same Sơn La map, drawn the plain way.

What a leafmap/streamlit-folium app does: on every rerun build a ``folium.Map`` with a
``folium.Choropleth`` of the communes, a ``folium.GeoJson`` layer for tooltips and
clicks, markers for hotspots and facilities, and hand it to ``st_folium``; the data
are read with ``st.cache_data`` (as the streamlit-folium examples advise), from the
same database through the same service diaban's map page uses
(:func:`geo.services.maps.map_view`), so only the way the map is drawn differs.

It has what ``bench_concurrent.py``'s simulated users touch, under the same widget
keys as diaban: a login form (``login_user``, ``login_pw``, checked with
:func:`geo.services.users.login`, as diaban's), the units edition (``map_ed``), the indicator
(``map_ind``), the period slider (``map_period``), a click on a commune, and a
``profile`` page (:func:`geo.services.maps.profile`).

Run: ``streamlit run bench/peer_app.py`` with ``DIABAN_DATABASE_URL`` set (the
benchmark starts it itself with ``--peer``). Not part of diaban.
"""

from __future__ import annotations

import os

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.auth import Principal
from geo.errors import DiabanError
from geo.indicators import load_catalog
from geo.services import maps
from geo.services.users import LoginRequest, login

URL = os.environ.get("DIABAN_DATABASE_URL")
PROVINCE = "14"  # Sơn La

st.set_page_config(page_title="peer", layout="wide")


@st.cache_data(ttl=600)
def _periods(url: str | None) -> list[str]:
    return maps.periods(Principal("peer", "admin"), url)


@st.cache_data(ttl=600)
def _view(url: str | None, edition: str, indicator: str, period: str) -> maps.MapView:
    return maps.map_view(maps.MapRequest(PROVINCE, edition, indicator, period),
                         Principal("peer", "admin"), url)


@st.cache_data(ttl=600)
def _profile(url: str | None, code: str, edition: str) -> maps.CommuneProfile:
    return maps.profile(maps.CommuneRequest(PROVINCE, code, edition), Principal("peer", "admin"),
                        url)


def _login() -> None:
    st.title("Đăng nhập / Log in")
    with st.form("login"):
        user = st.text_input("Tài khoản / User", key="login_user")
        pw = st.text_input("Mật khẩu / Password", type="password", key="login_pw")
        if st.form_submit_button("Đăng nhập / Log in"):
            try:
                st.session_state["user"] = login(LoginRequest(user, pw), URL).username
            except DiabanError as e:
                st.error(e.message("vi"))
                return
            st.rerun()


def _map_page() -> None:
    periods = _periods(URL)
    with st.sidebar:
        edition = st.radio("Đơn vị hành chính", ["legacy", "2025"], horizontal=True,
                           key="map_ed")
        ids = [i.id for i in load_catalog()]
        indicator = st.selectbox("Chỉ tiêu", ids, index=ids.index("registered_addicts"),
                                 key="map_ind")
        period = st.select_slider("Kỳ báo cáo", options=periods, value=periods[-2],
                                  key="map_period")
    view = _view(URL, edition, indicator, period)
    gdf = view.communes[["code", "name", "value", "geometry"]].copy()
    st.title(f"{indicator}, {period}")

    # Built from scratch on every rerun, the way the streamlit-folium examples do it.
    b = gdf.total_bounds
    m = folium.Map(location=[(b[1] + b[3]) / 2, (b[0] + b[2]) / 2], zoom_start=8, tiles=None)
    folium.Choropleth(geo_data=gdf.to_json(), data=gdf, columns=["code", "value"],
                      key_on="feature.properties.code", fill_color="YlOrRd",
                      fill_opacity=0.7, line_opacity=0.3, nan_fill_color="#cccccc",
                      legend_name=indicator).add_to(m)
    folium.GeoJson(gdf.to_json(), style_function=lambda f: {"fillOpacity": 0, "weight": 0},
                   tooltip=folium.GeoJsonTooltip(["name", "value"])).add_to(m)
    hot = gdf[gdf.code.isin(view.hotspots.unit_code)]
    for _, r in hot.iterrows():
        c = r.geometry.representative_point()
        folium.Marker([c.y, c.x], tooltip=r["name"], icon=folium.Icon(color="red")).add_to(m)
    for _, f in view.facilities.iterrows():
        folium.CircleMarker([f.geometry.y, f.geometry.x], radius=5, tooltip=f.get("name"),
                            color="#1f77b4", fill=True).add_to(m)
    out = st_folium(m, height=620, use_container_width=True, key="map_main",
                    returned_objects=["last_active_drawing"]) or {}
    feat = out.get("last_active_drawing") or {}
    code = (feat.get("properties") or {}).get("code")
    if code:
        st.session_state["commune"] = code
        st.session_state["commune_edition"] = edition
    st.dataframe(gdf.drop(columns="geometry").sort_values("value", ascending=False).head(20),
                 hide_index=True)


def _profile_page() -> None:
    code = st.session_state.get("commune")
    if not code:
        st.info("Chọn một xã trên bản đồ / Pick a commune on the map.")
        return
    p = _profile(URL, code, st.session_state.get("commune_edition", "legacy"))
    st.title(str(p.unit.get("name", code)))
    st.dataframe(pd.DataFrame([p.unit]).astype(str), hide_index=True)
    st.dataframe(p.hotspot_events, hide_index=True)
    st.dataframe(p.lineage, hide_index=True)
    st.dataframe(p.nearest, hide_index=True)


if "user" not in st.session_state:
    st.navigation([st.Page(_login, title="Đăng nhập", url_path="login")],
                  position="hidden").run()
else:
    st.navigation([st.Page(_map_page, title="Bản đồ", url_path="map", default=True),
                   st.Page(_profile_page, title="Hồ sơ", url_path="profile")]).run()
