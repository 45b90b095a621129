"""Hồ sơ địa bàn — one commune's story: series, hotspot history, lineage, nearby services."""

from __future__ import annotations

from pages._auth import require_action  # noqa: E402
from pages._state import boot

boot()

import altair as alt  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from geo.i18n import fmt_number  # noqa: E402
from geo.indicators import load_catalog  # noqa: E402
from geo.periods import parse_period  # noqa: E402
from geo.vocab import FACILITY_KINDS, HOTSPOT_STATUSES, MEASURES  # noqa: E402
from pages import _common as data  # noqa: E402
from pages._state import bound, lang, t  # noqa: E402
from pages._widgets import chart_locale, number_text, show_table  # noqa: E402

st.title(t("Hồ sơ địa bàn", "Commune profile"))

prov = st.session_state.get("province", "14")
require_action("view", prov)
edition = data.edition_radio(st, "profile_ed",
                             default=st.session_state.get("profile_edition", "legacy"))
units = data.cached_units(prov, edition)
codes = list(units.code)
if not codes:
    st.warning(t("Tỉnh này chưa có xã nào.", "This province has no communes."))
    st.stop()
names = units.set_index("code")


def label(c: str) -> str:
    """Commune name, with its district for legacy communes."""
    d = names.district_name[c]
    return f"{names.name[c]} — {d}" if edition == "legacy" and isinstance(d, str) else names.name[c]


default = st.session_state.get("profile_code")
code = st.selectbox(t("Xã, phường, thị trấn", "Commune"), codes,
                    index=codes.index(default) if default in codes else 0,
                    format_func=label, key="profile_pick")
st.session_state["profile_code"] = code
prof = data.cached_profile(prov, code, edition)
u = prof.unit
st.subheader(f"{u['name']}")
st.caption(" · ".join(x for x in [
    f"{t('Mã', 'Code')} {code}", u.district_name if isinstance(u.district_name, str) else "",
    u.province_name] if x))

# --- time series --------------------------------------------------------------
ids = [i.id for i in load_catalog()]
chosen = st.multiselect(t("Chỉ tiêu", "Indicators"), ids,
                        default=["registered_addicts", "drug_cases_detected"],
                        format_func=bound(data.indicator_label), key="profile_inds")
measure = st.radio(t("Cách tính", "Measure"), ["count", "rate"],
                   format_func=bound(MEASURES.label), horizontal=True,
                   key="profile_measure")
if chosen:
    ser = data.cached_series(prov, edition, tuple(chosen), measure)
    ser = ser[ser.unit_code == code].copy()
    ser = ser[ser.period.str.contains("-H")]
    if ser.empty:
        st.info(t("Chưa có số liệu cho xã này.", "No figures for this commune yet."))
    else:
        ser["date"] = [pd.Timestamp(parse_period(p).end) for p in ser.period]
        ser["ky"] = [data.period_label(p) for p in ser.period]
        ser["chi_tieu"] = [data.indicator_label(i) for i in ser.indicator]
        ser["nguon"] = ser.converted.map({"": t("Ghi nhận", "Recorded"),
                                          "crosswalk": t("Quy đổi (cộng dồn)", "Converted (sum)"),
                                          "estimated": t("Ước tính (chia theo dân số)",
                                                         "Estimated (by population)")})
        base = alt.Chart(ser).encode(
            x=alt.X("date:T", title=t("Kỳ báo cáo (cuối kỳ)", "Period (end)"),
                    axis=alt.Axis(format="%m/%Y", tickCount="year")),
            y=alt.Y("value:Q", title=MEASURES.label(measure, lang())),
            color=alt.Color("chi_tieu:N", title=t("Chỉ tiêu", "Indicator"),
                            legend=alt.Legend(orient="bottom", columns=1, labelLimit=500)),
            tooltip=[alt.Tooltip("ky:N", title=t("Kỳ", "Period")),
                     alt.Tooltip("chi_tieu:N", title=t("Chỉ tiêu", "Indicator")),
                     alt.Tooltip("value:Q", title=t("Giá trị", "Value"), format=",.1f"),
                     alt.Tooltip("nguon:N", title=t("Nguồn", "Source"))],
        )
        lines = base.mark_line(point=True)
        reform = pd.DataFrame({"date": [pd.Timestamp("2025-07-01")],
                               "txt": [t("Sắp xếp ĐVHC 01/7/2025", "1 Jul 2025 reform")]})
        rule = alt.Chart(reform).mark_rule(strokeDash=[6, 4], color="#b30000").encode(x="date:T")
        txt = alt.Chart(reform).mark_text(align="right", dx=-4, dy=-6, color="#b30000").encode(
            x="date:T", y=alt.value(8), text="txt:N")
        st.altair_chart((lines + rule + txt).properties(height=320).configure(
            locale=chart_locale()), width="stretch")
        if (ser.converted != "").any():
            st.caption(t("Các điểm sau/trước 01/7/2025 có thể là giá trị quy đổi qua bảng chuyển "
                         "đổi đơn vị hành chính (xem cột Nguồn khi rê chuột).",
                         "Points across 1 Jul 2025 may be converted through the units crosswalk "
                         "(hover for the source)."))

col1, col2 = st.columns(2)
# --- hotspot status history -----------------------------------------------------
with col1:
    st.markdown("#### " + t("Lịch sử địa bàn trọng điểm", "Hotspot history"))
    mine = prof.hotspot_events
    if mine.empty:
        st.write(t("Xã này không nằm trong danh sách địa bàn trọng điểm.",
                   "This commune is not a designated hotspot."))
    else:
        show = pd.DataFrame({
            t("Ngày", "Date"): pd.to_datetime(mine.event_date).dt.strftime("%d/%m/%Y"),
            t("Trạng thái", "Status"): [HOTSPOT_STATUSES.label(s, lang()) for s in mine.status],
            t("Văn bản", "Decision"): mine.decision_no.fillna(""),
            t("Ghi chú", "Note"): mine.note.fillna(""),
        })
        show_table(show, wrap=[t("Ghi chú", "Note")])

# --- lineage ------------------------------------------------------------------
with col2:
    st.markdown("#### " + t("Sắp xếp đơn vị hành chính 01/7/2025",
                            "1 July 2025 administrative reform"))
    if edition == "legacy":
        for r in prof.lineage.itertuples():
            extra = t(f" (một phần, tỷ trọng {fmt_number(r.weight, 'vi', 2)})",
                      f" (part, weight {fmt_number(r.weight, 'en', 2)})") if r.split else ""
            st.write("→ " + t("Nay thuộc ", "Now part of ") + f"**{r.name}** ({r.code}){extra}")
    else:
        st.write(t("Hình thành từ:", "Formed from:"))
        for r in prof.lineage.itertuples():
            extra = t(f" (một phần, tỷ trọng {fmt_number(r.weight, 'vi', 2)})",
                      f" (part, weight {fmt_number(r.weight, 'en', 2)})") if r.split else ""
            st.write(f"← **{r.name}** ({r.code}), {r.district_name}{extra}")
    st.caption(t("Tỷ trọng theo bảng chuyển đổi lưu trong cơ sở dữ liệu — bảng dùng để quy "
                 "đổi số liệu qua 01/7/2025.",
                 "Weights from the crosswalk stored in the database — the one figures are "
                 "converted with across 1 Jul 2025."))

# --- nearest facilities ----------------------------------------------------------
st.markdown("#### " + t("Cơ sở gần nhất", "Nearest facilities"))
near = prof.nearest
if near.empty:
    st.write(t("Chưa có cơ sở nào được nhập.", "No facilities recorded."))
else:
    dist = t("Khoảng cách (km, đường chim bay)", "Distance (km, straight line)")
    show_table(pd.DataFrame({
        t("Cơ sở", "Facility"): near["name"],
        t("Loại", "Type"): [FACILITY_KINDS.label(k, lang()) for k in near.kind],
        dist: number_text(near.distance_km, 1),
    }), right=[dist])
    st.caption(t("Tính theo đường chim bay từ tâm xã trong danh mục. Ở vùng núi đường đi thực tế "
                 "dài hơn nhiều. Ứng dụng chưa tính được quãng đường theo địa hình: việc này cần "
                 "tệp độ cao (DEM) và hiện chỉ làm được bằng lệnh diaban analyze access --dem "
                 "(cán bộ kỹ thuật chạy).",
                 "Straight-line distance from the registry centroid. In mountains real travel "
                 "is much longer. The app cannot yet measure travel over the terrain: that needs "
                 "an elevation file (DEM) and is only done by the command diaban analyze access "
                 "--dem (run by technical staff)."))
_ = lang
