"""Bản đồ — the briefing picture: headline numbers, the map of one indicator and period.

Above the map, what a provincial leader asks first: the province's total and its change
since the last period, how many communes went up or down, the hotspot communes by
status and the plan's targets on track. Beside the map, the commune clicked and a link
to its profile. The view (province, units, indicator, period, measure) is kept in the
page's URL, so it can be bookmarked and shared.
"""

from __future__ import annotations

import streamlit as st

from pages._state import boot

boot()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from geo.errors import DiabanError  # noqa: E402
from geo.i18n import fmt_number  # noqa: E402
from geo.indicators import get_indicator  # noqa: E402
from geo.periods import parse_period  # noqa: E402
from geo.vocab import HOTSPOT_STATUSES, QD28_CLASSES, TARGET_STATUSES  # noqa: E402
from pages import _common as data  # noqa: E402
from pages._auth import can  # noqa: E402
from pages._state import bound, lang, t  # noqa: E402

MAP_HEIGHT = 500
COMPARE_HEIGHT = 390


def _previous(period: str, periods: list[str]) -> str | None:
    """The period of the same length just before ``period`` that has figures."""
    def kind(p: str) -> str:
        return "H" if "-H" in p else "Q" if "-Q" in p else "Y"

    same = sorted((p for p in periods if kind(p) == kind(period)), key=parse_period)
    i = same.index(period) if period in same else -1
    return same[i - 1] if i > 0 else None


def _signed(v: float, digits: int = 0) -> str:
    return ("+" if v > 0 else "") + fmt_number(v, lang(), digits)


def headline(ctl: data.MapControls) -> None:
    """The headline numbers above the map (every figure from the services, cached)."""
    ind = get_indicator(ctl.indicator)
    prev = _previous(ctl.period, data.period_ids())
    # This period and the last one of the indicator (cached until their figures
    # change): the totals and each commune's change.
    ser = data.cached_series(ctl.province, ctl.edition, (ctl.indicator,), "count",
                             (ctl.period, prev) if prev else (ctl.period,))
    ser = ser[ser.indicator == ctl.indicator]
    now = ser[ser.period == ctl.period].set_index("unit_code").value
    c1, c2, c3, c4 = st.columns(4)
    total = float(now.sum()) if len(now) else np.nan
    delta = None
    moved = "—"
    if prev:
        before = ser[ser.period == prev].set_index("unit_code").value
        if len(before) and np.isfinite(total):
            delta = _signed(total - float(before.sum()))
        a, b = now.align(before, join="inner")
        moved = f"▲ {int((a > b).sum())} · ▼ {int((a < b).sum())}"
    c1.metric(t("Toàn tỉnh", "Whole province") + f" — {ind.unit(lang())}",
              "—" if not np.isfinite(total) else fmt_number(total, lang(), 0), delta,
              delta_color="inverse" if ind.higher_is_worse else "normal",
              help=(t(f"{ind.name('vi')}, tổng các xã, so với {data.period_label(prev, 'vi')}",
                      f"{ind.name('en')}, sum over communes, against "
                      f"{data.period_label(prev, 'en')}") if prev else None))
    c2.metric(t("Xã tăng · giảm", "Communes up · down"), moved,
              help=(t(f"Số xã có giá trị tăng, giảm so với {data.period_label(prev, 'vi')}",
                      f"Communes whose value rose, fell since {data.period_label(prev, 'en')}")
                    if prev else None))
    view = data.cached_map_view(ctl.request())
    hot = view.hotspots
    c3.metric(t("Địa bàn trọng điểm", "Hotspot communes"), str(len(hot)),
              help=t("Trạng thái vào ngày cuối kỳ.", "Status on the period's last day."))
    if len(hot):
        counts = hot.status.value_counts()
        c3.caption(" · ".join(f"{HOTSPOT_STATUSES[s].mark} {n} {HOTSPOT_STATUSES.label(s, lang())}"
                              for s, n in counts.items() if s in HOTSPOT_STATUSES))
    try:
        targets = data.cached_targets(ctl.province).targets
    except DiabanError:
        targets = []
    on = sum(1 for r in targets if r.status == "on_track")
    c4.metric(t("Chỉ tiêu đúng tiến độ", "Targets on track"),
              f"{on} / {len(targets)}" if targets else "—")
    if targets:
        by = pd.Series([r.status for r in targets]).value_counts()
        c4.caption(" · ".join(f"{TARGET_STATUSES[s].mark} {n} {TARGET_STATUSES.label(s, lang())}"
                              for s, n in by.items() if s in TARGET_STATUSES))

def classes_line(ctl: data.MapControls) -> None:
    """The communes by class in the QĐ 28/2025 list of the period's assessment year.

    The approved list where the People's Committee has approved one, else the draft,
    and the line says which.
    """
    year = int(str(ctl.period)[:4])
    try:
        yv = data.cached_year_list(ctl.province, year)
    except DiabanError:
        return
    counts = yv.table.final_class.fillna("undetermined").value_counts()
    if set(counts.index) <= {"undetermined"} and not yv.approved:
        return  # no QĐ 28 figures for that year: nothing to say on the map
    st.caption(t(f"Danh sách QĐ 28/2025 năm {year} ", f"QĐ 28/2025 list {year} ")
               + f"({yv.status_label(lang())}): "
               + " · ".join(f"{QD28_CLASSES.label(k, lang())} {counts[k]}"
                            for k in QD28_CLASSES if k in counts))


def selection(ctl: data.MapControls, gdf: object, out: dict) -> None:
    """Beside the map: the commune clicked, its value and status, and its profile."""
    code = data.clicked_code(out)
    if code:
        row = gdf.loc[gdf.code == code]
        name = row["name"].iloc[0] if len(row) else code
        st.session_state["profile_code"] = code
        st.session_state["profile_edition"] = ctl.edition
        st.success(t(f"Đã chọn {name}.", f"Selected {name}."))
        if len(row):
            r = row.iloc[0]
            hidden = bool(r.get("suppressed", False)) and ctl.hidden_below is not None
            value = (f"< {ctl.hidden_below}" if hidden else
                     "—" if pd.isna(r.value) else
                     fmt_number(r.value, lang(), 1 if ctl.measure == "rate" else 0))
            st.markdown(f"**{data.indicator_label(ctl.indicator)}**: {value}")
            if isinstance(r.get("district_name"), str) and r.district_name:
                st.caption(t("Huyện: ", "District: ") + r.district_name)
        st.page_link("pages/profile.py", label=t("Mở hồ sơ địa bàn →", "Open commune profile →"),
                     icon=":material/assignment:")
    else:
        st.caption(t("Bấm vào một xã trên bản đồ để xem số liệu và mở hồ sơ của xã.",
                     "Click a commune on the map to see its figures and open its profile."))


st.title(t("Bản đồ", "Map"))

ctl = data.map_controls(key="map", url_state=True)
gdf = data.cached_map_frame(ctl.province, ctl.edition, ctl.indicator, ctl.period, ctl.measure,
                            ctl.suppress_below)
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

headline(ctl)

c_toggle, c_other, c_classes = st.columns([1, 1, 2], vertical_alignment="center")
compare = c_toggle.toggle(t("So sánh hai kỳ", "Compare two periods"), key="map_compare")
with c_classes:
    classes_line(ctl)
if compare:
    periods = data.period_ids()
    prev = _previous(ctl.period, periods)
    other = c_other.selectbox(t("Kỳ so sánh", "Period to compare"), periods,
                              index=periods.index(prev) if prev in periods else 0,
                              format_func=bound(data.period_label), key="map_other",
                              label_visibility="collapsed")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{data.period_label(ctl.period)}**")
        data.draw_map(ctl, key="map_left", height=COMPARE_HEIGHT, shared_with=other,
                      legend_open=False, clickable=False)
    with right:
        st.markdown(f"**{data.period_label(other)}**")
        data.draw_map(ctl._replace(period=other), key="map_right", height=COMPARE_HEIGHT,
                      shared_with=ctl.period, legend_open=False, clickable=False)
    st.html("<div style='font:13px/1.4 sans-serif'>"
            + data.map_legend(ctl, shared_with=other, toggles=False) + "</div>")
else:
    main, side = st.columns([4, 1])
    with main:
        out = data.draw_map(ctl, key="map_main", height=MAP_HEIGHT)
    with side:
        selection(ctl, gdf, out)
        if data.is_approximate(gdf):
            st.caption(t("⚠ Ranh giới xã trên bản đồ là **gần đúng** (dựng từ tâm và diện tích "
                         "trong danh mục), chỉ để minh họa. Số liệu minh họa là số liệu tổng hợp.",
                         "⚠ Commune boundaries are **approximate** (derived from registry "
                         "centroids and areas), for illustration only. Demo figures are "
                         "synthetic."))
        if (gdf.converted != "").any():
            st.caption(data.conversion_note(gdf, ctl.edition))

with st.expander(t("Bảng số liệu", "Data table")):
    tbl = gdf[["code", "name", "district_name", "value"]].copy()
    if ctl.hidden_below is not None:
        digits = 1 if ctl.measure == "rate" else 0
        tbl["value"] = [f"< {ctl.hidden_below}" if h else
                        ("" if pd.isna(v) else fmt_number(v, lang(), digits))
                        for v, h in zip(gdf.value, gdf["suppressed"])]
    tbl = tbl.rename(columns={
        "code": t("Mã", "Code"), "name": t("Xã", "Commune"),
        "district_name": t("Huyện", "District"), "value": t("Giá trị", "Value")})
    st.dataframe(tbl, hide_index=True, width="stretch")
