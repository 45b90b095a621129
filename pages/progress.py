"""Tiến độ chuyển hóa — the plan's hotspot communes and targets."""

from __future__ import annotations

from pages._auth import require_action  # noqa: E402
from pages._state import boot

boot()

import altair as alt  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from geo.errors import DiabanError  # noqa: E402
from geo.i18n import fmt_number  # noqa: E402
from geo.progress import RULE_EN, RULE_VI  # noqa: E402
from geo.services import classification as cls_svc  # noqa: E402
from geo.services import progress as svc  # noqa: E402
from geo.vocab import HOTSPOT_STATUSES, QD28_CLASSES, TARGET_STATUSES  # noqa: E402
from pages import _common as data  # noqa: E402
from pages._state import bound, lang, t  # noqa: E402
from pages._widgets import chart_locale, show_table  # noqa: E402

st.title(t("Tiến độ chuyển hóa", "Plan progress"))
prov = st.session_state.get("province", "14")
require_action("view", prov)


pl = data.cached(svc.plans, data.province_ref(prov))
if pl.empty:
    st.info(t("Tỉnh này chưa có kế hoạch nào được nhập.", "No plan recorded for this province."))
    st.stop()
pid = st.selectbox(t("Kế hoạch", "Plan"), list(pl.id),
                   format_func=dict(zip(pl.id, pl.number + " — " + pl["title_" + lang()])).get,
                   key="progress_plan")
plan = pl.set_index("id").loc[pid]
st.caption(f"{plan.source or ''} · {plan.start_year}–{plan.end_year}")
try:
    pp = data.cached(svc.plan_progress, svc.ProgressRequest(
        data.province_ref(prov), int(pid), st.session_state.get("progress_base"),
        st.session_state.get("progress_last")), lang=lang())
except DiabanError as e:
    st.error(e.message(lang()))
    st.stop()

def _pct(x: float, signed: bool = False) -> str:
    """A share as a whole percentage, the sign written out when ``signed`` (``+5%``)."""
    sign = ("+" if x >= 0 else "−") if signed else ("" if x >= 0 else "−")
    return f"{sign}{fmt_number(abs(x) * 100, lang())}%"


# --- hotspot timeline ------------------------------------------------------------
st.subheader(t("Các địa bàn trọng điểm của kế hoạch", "The plan's hotspot communes"))
ht = pp.hotspots
if ht.empty:
    st.write(t("Chưa có địa bàn trọng điểm.", "No hotspot communes."))
else:
    ev = pp.timeline.copy()
    ev["xa"] = ev.name + ev.edition.map({"legacy": "", "2025": t(" (sau 01/7/2025)",
                                                                  " (after 1 Jul 2025)")})
    ev["trang_thai"] = [HOTSPOT_STATUSES.label(s, lang()) for s in ev.status]
    ev["start"] = pd.to_datetime(ev.event_date)
    ev["stop"] = pd.to_datetime(ev.until)
    domain = [HOTSPOT_STATUSES.label(s, lang()) for s in HOTSPOT_STATUSES]
    chart = alt.Chart(ev).mark_bar(height=16).encode(
        x=alt.X("start:T", title=None, axis=alt.Axis(format="%m/%Y")),
        x2="stop:T",
        y=alt.Y("xa:N", title=None, sort=list(dict.fromkeys(ev.xa)),
                axis=alt.Axis(labelLimit=300)),
        color=alt.Color("trang_thai:N", title=t("Trạng thái", "Status"),
                        scale=alt.Scale(domain=domain,
                                        range=list(HOTSPOT_STATUSES.colors().values())),
                        legend=alt.Legend(orient="bottom", labelLimit=400)),
        tooltip=[alt.Tooltip("xa:N", title=t("Xã", "Commune")),
                 alt.Tooltip("trang_thai:N", title=t("Trạng thái", "Status")),
                 alt.Tooltip("event_date:T", title=t("Từ", "From"), format="%d/%m/%Y"),
                 alt.Tooltip("decision_no:N", title=t("Văn bản", "Decision"))],
    )
    reform = alt.Chart(pd.DataFrame({"d": [pd.Timestamp("2025-07-01")]})).mark_rule(
        strokeDash=[6, 4], color="#555").encode(x="d:T")
    st.altair_chart((chart + reform).properties(height=40 * ev.xa.nunique() + 60).configure(
        locale=chart_locale()), width="stretch")
    st.caption(t("Đường đứt nét: sắp xếp đơn vị hành chính 01/7/2025; các xã còn đang chuyển hóa "
                 "được theo dõi tiếp trên xã mới.",
                 "Dashed line: 1 July 2025 reform; communes still in transformation continue "
                 "on their successor."))

    # --- baseline vs latest --------------------------------------------------------
    legacy_periods = pp.periods
    c1, c2 = st.columns(2)
    c1.selectbox(t("Kỳ gốc", "Baseline period"), legacy_periods,
                 index=legacy_periods.index(pp.baseline) if pp.baseline in legacy_periods else 0,
                 format_func=bound(data.period_label), key="progress_base")
    c2.selectbox(t("Kỳ mới nhất", "Latest period"), legacy_periods,
                 index=legacy_periods.index(pp.latest) if pp.latest in legacy_periods
                 else len(legacy_periods) - 1, format_func=bound(data.period_label),
                 key="progress_last")
    key_inds = list(svc.KEY_INDICATORS)
    hp = pp.communes
    rows = []
    for r in hp.itertuples():
        d = {t("Xã", "Commune"): r.name,
             t("Trạng thái", "Status"): HOTSPOT_STATUSES.label(r.status, lang())
             if isinstance(r.status, str) else ""}
        for ind in key_inds:
            b, la, ch = (getattr(r, f"{ind}_baseline"), getattr(r, f"{ind}_latest"),
                         getattr(r, f"{ind}_change"))
            d[data.indicator_label(ind)] = (
                f"{fmt_number(b, lang())} → {fmt_number(la, lang())}"
                + (f" ({_pct(ch, signed=True)})" if pd.notna(ch) else ""))
        rows.append(d)
    st.markdown("##### " + t("Kỳ gốc so với kỳ mới nhất", "Baseline vs latest"))
    show_table(pd.DataFrame(rows))

# --- targets ----------------------------------------------------------------------
st.subheader(t("Chỉ tiêu của tỉnh", "Province targets"))
res = pp.targets
def _fmt(v: float | None, kind_ratio: bool) -> str:
    if v is None or pd.isna(v):
        return "—"
    return _pct(v) if kind_ratio else fmt_number(v, lang())


table = []
for r in res:
    ratio = pp.target_kinds.get(r.key) in ("ratio_min", "share_units_min", "pct_change_min")
    table.append({
        t("Chỉ tiêu", "Target"): r.label,
        t("Mức", "Goal"): _fmt(r.target, ratio),
        t("Kỳ gốc", "Baseline"): _fmt(r.baseline, ratio),
        t("Mới nhất", "Latest"): _fmt(r.latest, ratio),
        t("Dự báo cuối kế hoạch", "Projected at plan end"): _fmt(r.projected, ratio),
        t("Đánh giá", "Assessment"):
            f"{TARGET_STATUSES[r.status].mark} {TARGET_STATUSES.label(r.status, lang())}",
        t("Nguồn", "Source"): r.source or "",
    })
show_table(pd.DataFrame(table), wrap=[t("Chỉ tiêu", "Target"), t("Nguồn", "Source")])
st.caption(t("Quy tắc đánh giá: ", "Rule: ") + (RULE_VI if lang() == "vi" else RULE_EN))


# --- QĐ 28/2025: the yearly lists -----------------------------------------------
def qd28_years() -> None:
    """Transformation as QĐ 28/2025 defines it, year by year, from the stored lists.

    Each year's row reads the approved list where the People's Committee approved one,
    else the draft, and says which (Điều 2.2: a commune moving down the classes).
    """
    st.subheader(t("Chuyển hóa theo QĐ 28/2025 (danh sách hằng năm)",
                   "Transformation under QĐ 28/2025 (yearly lists)"))
    pref = data.province_ref(prov)
    try:
        yv = data.cached(cls_svc.years, cls_svc.ProvinceOnlyRequest(pref))
    except DiabanError as e:
        st.error(e.message(lang()))
        return
    listed = [int(y) for y, s in zip(yv.years.year, yv.years.status) if isinstance(s, str)]
    if not listed:
        st.info(t("Tỉnh chưa có danh sách phân loại QĐ 28 nào (trang «Phân loại QĐ 28»).",
                  "No QĐ 28 list for this province yet (page “QĐ 28 classification”)."))
        return
    rows = []
    last = None
    for y in listed:
        try:
            tv = data.cached(cls_svc.transformation, cls_svc.YearRequest(pref, y))
        except DiabanError:
            continue
        last = tv
        c, sm, d = tv.counts, tv.summary, tv.drug_free
        row = {t("Năm", "Year"): str(y),
               t("Danh sách", "List"): tv.comparison.status_label[0 if lang() == "vi" else 1]}
        for k in ("type_1", "type_2", "type_3", "drug_free"):
            row[QD28_CLASSES.short(k, lang())] = fmt_number(int(c.loc[k, "after"]), lang())
        row[t("Chuyển hóa", "Transformed")] = fmt_number(sm["transformed"], lang())
        row[t("Thành không ma túy", "Became drug-free")] = fmt_number(sm["became_drug_free"],
                                                                     lang())
        row[t("Tái phức tạp", "Relapsed")] = fmt_number(sm["relapsed"], lang())
        row[t("Tỷ lệ xã không ma túy", "Drug-free share")] = (
            "—" if d["share"] is None else _pct(d["share"]))
        rows.append(row)
    show_table(pd.DataFrame(rows), wrap=[t("Danh sách", "List")])
    if last is not None and last.drug_free["target_share"] is not None:
        d = last.drug_free
        st.caption(t(f"Mục tiêu: {_pct(d['target_share'])} xã không ma túy vào năm "
                     f"{d['target_year']} ({d['target_source'] or ''}); năm "
                     f"{last.comparison.year}: "
                     + ("đã đạt." if d["met"] else f"còn thiếu {d['needed']} xã."),
                     f"Target: {_pct(d['target_share'])} drug-free communes by "
                     f"{d['target_year']} ({d['target_source'] or ''}); "
                     f"{last.comparison.year}: "
                     + ("reached." if d["met"] else f"{d['needed']} more needed.")))
    st.caption(t("Chuyển hóa: giảm ít nhất một loại hoặc thành không ma túy so với năm trước "
                 "(Điều 2.2). Mỗi năm dùng danh sách đã phê duyệt nếu có, nếu không là dự thảo.",
                 "Transformed: moved down at least one class or became drug-free against the "
                 "year before (Art. 2.2). Each year uses the approved list where there is "
                 "one, else the draft."))


qd28_years()
