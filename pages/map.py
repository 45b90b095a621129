"""Bản đồ — choropleth of one indicator and period, hotspots, facilities."""

from __future__ import annotations

import streamlit as st

from pages._state import boot

boot()

from pages import _common as data  # noqa: E402
from pages._auth import can  # noqa: E402
from pages._state import bound, lang, t  # noqa: E402

st.title(t("Bản đồ", "Map"))

ctl = data.map_controls(key="map")
gdf = data.cached_map_frame(ctl.province, ctl.edition, ctl.indicator, ctl.period, ctl.measure)
if gdf.empty:
    if can("import", ctl.province):
        st.warning(t("Chưa có ranh giới xã cho tỉnh này: hãy nạp ranh giới ở trang Dữ liệu.",
                     "No commune boundaries for this province yet: import them on the Data "
                     "page."))
    else:
        st.warning(t("Chưa có ranh giới xã cho tỉnh này. Cán bộ nhập liệu của tỉnh cần nạp "
                     "ranh giới trước khi bản đồ hiện.",
                     "No commune boundaries for this province yet. The province's data "
                     "officer must import them before the map can show."))
    st.stop()
if data.is_approximate(gdf):
    st.info(t("⚠ Ranh giới xã trên bản đồ là **gần đúng** (dựng từ tâm và diện tích trong danh "
              "mục), chỉ để minh họa. Số liệu minh họa là số liệu tổng hợp.",
              "⚠ Commune boundaries are **approximate** (derived from registry centroids and "
              "areas), for illustration only. Demo figures are synthetic."))
if (gdf.converted != "").any():
    st.caption(data.conversion_note(gdf, ctl.edition))

compare = st.toggle(t("So sánh hai kỳ", "Compare two periods"), key="map_compare")
if compare:
    other = st.selectbox(t("Kỳ so sánh", "Period to compare"), data.period_ids(),
                         index=0, format_func=bound(data.period_label), key="map_other")
    left, right = st.columns(2)
    with left:
        st.subheader(data.period_label(ctl.period))
        data.draw_map(ctl, gdf, key="map_left", height=520, shared_with=other)
    with right:
        st.subheader(data.period_label(other))
        gdf2 = data.cached_map_frame(ctl.province, ctl.edition, ctl.indicator, other,
                                     ctl.measure)
        data.draw_map(ctl._replace(period=other), gdf2, key="map_right", height=520,
                      shared_with=ctl.period)
else:
    out = data.draw_map(ctl, gdf, key="map_main", height=620)
    code = data.clicked_code(out)
    if code:
        name = gdf.loc[gdf.code == code, "name"]
        st.session_state["profile_code"] = code
        st.session_state["profile_edition"] = ctl.edition
        st.success(t(f"Đã chọn {name.iloc[0] if len(name) else code}.",
                     f"Selected {name.iloc[0] if len(name) else code}."))
        st.page_link("pages/profile.py", label=t("Mở hồ sơ địa bàn →", "Open commune profile →"))

with st.expander(t("Bảng số liệu", "Data table")):
    tbl = gdf[["code", "name", "district_name", "value"]].rename(columns={
        "code": t("Mã", "Code"), "name": t("Xã", "Commune"),
        "district_name": t("Huyện", "District"), "value": t("Giá trị", "Value")})
    st.dataframe(tbl, hide_index=True, width="stretch")
_ = lang
