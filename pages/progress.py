"""Tiến độ chuyển hóa — the plan's hotspot communes and targets."""

from __future__ import annotations

from pages._auth import require_action  # noqa: E402
from pages._state import boot

boot()

from datetime import date  # noqa: E402

import altair as alt  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from geo.db import session_scope  # noqa: E402
from geo.periods import parse_period  # noqa: E402
from geo.progress import (  # noqa: E402
    RULE_EN,
    RULE_VI,
    evaluate_targets,
    hotspot_progress,
    status_label,  # noqa: E402
)
from geo.store import HOTSPOT_STATUSES, get_values, plan_targets, plans  # noqa: E402
from geo.vocab import HOTSPOT_STATUSES as STATUS_TERMS  # noqa: E402
from pages import _common as data  # noqa: E402
from pages._state import db_url, lang, t  # noqa: E402

st.title(t("Tiến độ chuyển hóa", "Plan progress"))
prov = st.session_state.get("province", "14")
require_action("view", prov)


@st.cache_data(ttl=600, show_spinner=False)
def _plans(province: str) -> pd.DataFrame:
    with session_scope(db_url()) as s:
        return plans(s, province)


@st.cache_data(ttl=600, show_spinner=False)
def _targets(plan_id: int) -> pd.DataFrame:
    with session_scope(db_url()) as s:
        return plan_targets(s, plan_id)


@st.cache_data(ttl=600, show_spinner=False)
def _values(province: str, edition: str) -> pd.DataFrame:
    with session_scope(db_url()) as s:
        return get_values(s, province, edition)


pl = _plans(prov)
if pl.empty:
    st.info(t("Tỉnh này chưa có kế hoạch nào được nhập.", "No plan recorded for this province."))
    st.stop()
pid = st.selectbox(t("Kế hoạch", "Plan"), list(pl.id),
                   format_func=lambda i: f"{pl.set_index('id').number[i]} — "
                   f"{pl.set_index('id')['title_' + lang()][i]}", key="progress_plan")
plan = pl.set_index("id").loc[pid]
st.caption(f"{plan.source or ''} · {plan.start_year}–{plan.end_year}")

# --- hotspot timeline ------------------------------------------------------------
st.subheader(t("Các địa bàn trọng điểm của kế hoạch", "The plan's hotspot communes"))
ht = data.cached_hotspot_table(prov)
if ht.empty:
    st.write(t("Chưa có địa bàn trọng điểm.", "No hotspot communes."))
else:
    end = date(int(plan.end_year), 12, 31)
    ev = ht.sort_values(["hotspot_id", "event_date"]).copy()
    ev["until"] = ev.groupby("hotspot_id").event_date.shift(-1).fillna(end)
    # Legacy communes ceased to exist on 30/6/2025.
    legacy_end = date(2025, 6, 30)
    ev.loc[ev.edition == "legacy", "until"] = ev.loc[ev.edition == "legacy", "until"].map(
        lambda d: min(d, legacy_end))
    ev = ev[ev.until > ev.event_date]
    ev["xa"] = ev.name + ev.edition.map({"legacy": "", "2025": t(" (sau 01/7/2025)",
                                                                  " (after 1 Jul 2025)")})
    ev["trang_thai"] = [t(*HOTSPOT_STATUSES[s]) for s in ev.status]
    ev["start"] = pd.to_datetime(ev.event_date)
    ev["stop"] = pd.to_datetime(ev.until)
    STATUS_COLORS = STATUS_TERMS.colors()
    domain = [t(*HOTSPOT_STATUSES[s]) for s in STATUS_COLORS]
    chart = alt.Chart(ev).mark_bar(height=16).encode(
        x=alt.X("start:T", title=None, axis=alt.Axis(format="%m/%Y")),
        x2="stop:T",
        y=alt.Y("xa:N", title=None, sort=list(dict.fromkeys(ev.xa)),
                axis=alt.Axis(labelLimit=300)),
        color=alt.Color("trang_thai:N", title=t("Trạng thái", "Status"),
                        scale=alt.Scale(domain=domain, range=list(STATUS_COLORS.values())),
                        legend=alt.Legend(orient="bottom", labelLimit=400)),
        tooltip=[alt.Tooltip("xa:N", title=t("Xã", "Commune")),
                 alt.Tooltip("trang_thai:N", title=t("Trạng thái", "Status")),
                 alt.Tooltip("event_date:T", title=t("Từ", "From"), format="%d/%m/%Y"),
                 alt.Tooltip("decision_no:N", title=t("Văn bản", "Decision"))],
    )
    reform = alt.Chart(pd.DataFrame({"d": [pd.Timestamp("2025-07-01")]})).mark_rule(
        strokeDash=[6, 4], color="#555").encode(x="d:T")
    st.altair_chart((chart + reform).properties(height=40 * ev.xa.nunique() + 60),
                    width="stretch")
    st.caption(t("Đường đứt nét: sắp xếp đơn vị hành chính 01/7/2025; các xã còn đang chuyển hóa "
                 "được theo dõi tiếp trên xã mới.",
                 "Dashed line: 1 July 2025 reform; communes still in transformation continue "
                 "on their successor."))

    # --- baseline vs latest --------------------------------------------------------
    periods = data.period_ids()
    legacy_periods = [p for p in periods if parse_period(p).edition == "legacy"]
    c1, c2 = st.columns(2)
    base_p = c1.selectbox(t("Kỳ gốc", "Baseline period"), legacy_periods, index=0,
                          format_func=data.period_label, key="progress_base")
    last_p = c2.selectbox(t("Kỳ mới nhất", "Latest period"), legacy_periods,
                          index=len(legacy_periods) - 1, format_func=data.period_label,
                          key="progress_last")
    key_inds = ["registered_addicts", "drug_cases_detected", "drug_use_points_existing",
                "relapse"]
    hp = hotspot_progress(ht[ht.edition == "legacy"], _values(prov, "legacy"), key_inds,
                          base_p, last_p, lang())
    rows = []
    for r in hp.itertuples():
        d = {t("Xã", "Commune"): r.name, t("Trạng thái", "Status"): r.status}
        for ind in key_inds:
            b, la, ch = (getattr(r, f"{ind}_baseline"), getattr(r, f"{ind}_latest"),
                         getattr(r, f"{ind}_change"))
            d[data.indicator_label(ind)] = (
                f"{b:.0f} → {la:.0f}" + (f" ({ch:+.0%})" if pd.notna(ch) else ""))
        rows.append(d)
    st.markdown("##### " + t("Kỳ gốc so với kỳ mới nhất", "Baseline vs latest"))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

# --- targets ----------------------------------------------------------------------
st.subheader(t("Chỉ tiêu của tỉnh", "Province targets"))
res = evaluate_targets(_targets(int(pid)), _values(prov, "legacy"), ht, int(plan.end_year),
                       lang())
icons = {"on_track": "🟢", "at_risk": "🟠", "off_track": "🔴", "no_data": "⚪"}


def _fmt(v: float | None, kind_ratio: bool) -> str:
    if v is None or pd.isna(v):
        return "—"
    return f"{v:.0%}" if kind_ratio else f"{v:.0f}"


tg = _targets(int(pid)).set_index("key")
table = []
for r in res:
    ratio = tg.kind[r.key] in ("ratio_min", "share_units_min", "pct_change_min")
    table.append({
        t("Chỉ tiêu", "Target"): r.label,
        t("Mức", "Goal"): _fmt(r.target, ratio),
        t("Kỳ gốc", "Baseline"): _fmt(r.baseline, ratio),
        t("Mới nhất", "Latest"): _fmt(r.latest, ratio),
        t("Dự báo cuối kế hoạch", "Projected at plan end"): _fmt(r.projected, ratio),
        t("Đánh giá", "Assessment"): f"{icons[r.status]} {status_label(r.status, lang())}",
        t("Nguồn", "Source"): r.source or "",
    })
st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
st.caption(t("Quy tắc đánh giá: ", "Rule: ") + (RULE_VI if lang() == "vi" else RULE_EN))
