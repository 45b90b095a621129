"""Phân loại QĐ 28 — the annual QĐ 28/2025 list: classes, criteria, approval, transformation.

Leadership's summary on top (communes per class, moved down, became drug-free,
relapsed, the drug-free share against the target, the province's class), then the
list of communes with each criterion, a planner's class with a reason, the comparison
with last year, the approval (decision number and date) and the readings and settings.
Every read goes through :mod:`geo.services.classification`; writes call it directly and
rerun (the caches drop because every change is a batch).
"""

from __future__ import annotations

from pages._auth import can, require_action  # noqa: E402
from pages._state import boot

boot()

from collections.abc import Callable  # noqa: E402
from datetime import date  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from geo.assessment import figure_names  # noqa: E402
from geo.errors import DiabanError  # noqa: E402
from geo.i18n import fmt_number, tr  # noqa: E402
from geo.periods import parse_period  # noqa: E402
from geo.services import classification as svc  # noqa: E402
from geo.vocab import (  # noqa: E402
    CLASS_CHANGES,
    HOTSPOT_STATUSES,
    LIST_CHANGES,
    QD28_CLASSES,
    QD28_PROVINCE_CLASSES,
    QD28_RESULTS,
    ROUTE_SCOPES,
)
from pages import _common as data  # noqa: E402
from pages._state import bound, lang, principal, t  # noqa: E402

st.title(t("Phân loại QĐ 28", "QĐ 28 classification"))
prov = st.session_state.get("province", "14")
require_action("view", prov)
pref = data.province_ref(prov)
MAY_ANALYZE = can("analyze", prov)
MAY_APPROVE = can("approve", prov)
LG = lang()
_GROUPS = ("type_1", "type_2", "type_3", "drug_free")


def _flash() -> None:
    """The message of the change made before the last rerun.

    Drawn in a container that is always there, so the elements below (the tabs, the
    chosen commune) keep their place and state whether or not there is a message.
    """
    box = st.container()
    msg = st.session_state.pop("qd28_flash", None)
    if msg:
        (box.success if msg[0] == "ok" else box.error)(msg[1])


def _run(action: object, req: object) -> None:
    """Call a service that changes the list; keep its message and rerun the page."""
    try:
        res = action(req, principal(), data.db_url())
    except DiabanError as e:
        st.session_state["qd28_flash"] = ("error", e.message(LG))
    else:
        st.session_state["qd28_flash"] = ("ok", res.message(LG) if hasattr(res, "message")
                                          else t("Đã lưu.", "Saved."))
    st.rerun()


def _cls(k: str | None) -> str:
    return QD28_CLASSES.label(k, LG) if k else ""


def _day(d: object) -> str:
    """``18/12/2025`` from a date or an ISO date string."""
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return f"{d.day}/{d.month}/{d.year}" if d is not None and d == d else "—"


# ------------------------------------------------------------------------- the year

_flash()
try:
    yv = data.cached(svc.years, svc.ProvinceOnlyRequest(pref))
except DiabanError as e:
    st.error(e.message(LG))
    st.stop()
years = [int(y) for y in yv.years.year]
if not years:
    st.warning(t("Chưa có số liệu nào cho tỉnh này. Nhập số liệu ở trang Dữ liệu.",
                 "No figures for this province yet. Import them on the Data page."))
    st.stop()


def _year_label(y: int, lg: str) -> str:
    # Only what never changes: a widget whose option labels change loses its choice.
    return f"{y} ({parse_period(y).dates_label()})"


c1, c2 = st.columns([2, 3])
year = c1.selectbox(t("Năm đánh giá", "Assessment year"), years, index=len(years) - 1,
                    format_func=bound(_year_label), key=f"qd28_year_{LG}")
c2.caption(t("Kỳ đánh giá từ 15/12 năm trước đến 14/12 (QĐ 28/2025, Điều 7.1). Tỉnh: ",
             "Assessment period 15/12 of the previous year to 14/12 (QĐ 28/2025, Art. 7.1). "
             "Province: ") + pref.name)

try:
    with st.spinner(t("Đang phân loại các xã…", "Classifying the communes…")):
        if MAY_ANALYZE:
            view = data.cached(svc.assessment, svc.AssessmentRequest(pref, year))
        else:
            view = data.cached(svc.list_classes, svc.YearRequest(pref, year))
        trans = data.cached(svc.transformation, svc.YearRequest(pref, year))
except DiabanError as e:
    st.error(e.message(LG))
    st.stop()

if view.approved:
    info = view.info
    st.success(f"✓ **{view.status_label(LG)}** · " + t(
        f"ghi nhận bởi {info['approved_by']}; danh sách đã khóa.",
        f"recorded by {info['approved_by']}; the list is frozen."))
else:
    st.warning("✎ **" + t("DỰ THẢO — chưa phê duyệt", "DRAFT — not approved") + "** · " + t(
        "loại tính từ số liệu hiện có và các loại điều chỉnh; có thể còn thay đổi.",
        "classes computed from today's figures and the manual ones; they may still change."))


for vi, en in view.rules.notes:  # e.g. a year before QĐ 28/2025 took effect
    st.info(tr(vi, en, LG))

# ------------------------------------------------------------------------- summary


def _submission_xlsx(y: int) -> object:
    """The year's list as the People's Committee's annex (service-built, cached per data)."""
    import os
    import tempfile
    from pathlib import Path

    from geo.services.exports import AssessmentListExportRequest, export_assessment_list

    folder = Path(tempfile.gettempdir()) / f"diaban_exports_{os.getpid()}"  # one per process
    out = folder / f"danh_sach_qd28_{pref.code}_{y}_{LG}.xlsx"
    return data.cached(export_assessment_list, AssessmentListExportRequest(pref, y, out, LG))


def _submission_pdf(y: int) -> Callable[[], bytes]:
    """The year's list with both maps as PDF, drawn only when the button is clicked.

    The download runs in another thread (no Streamlit there): the principal, the
    database and the language are read now.
    """
    import tempfile
    from pathlib import Path

    from geo.services.exports import AssessmentListExportRequest, export_assessment_list

    who, url, lg = principal(), data.db_url(), LG

    def make() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "ds.pdf"
            export_assessment_list(AssessmentListExportRequest(pref, y, out, lg), who, url)
            return out.read_bytes()

    return make


def leadership_summary() -> None:
    """Communes per class, transformation, drug-free share against the target, province."""
    cmp = trans.comparison
    st.subheader(t(f"Tóm tắt năm {year}", f"Summary {year}"))
    counts = trans.counts
    cols = st.columns(len(counts))
    for col, (k, r) in zip(cols, counts.iterrows()):
        delta = int(r.after - r.before)
        # fewer key communes and more drug-free ones are good news; the rest is neither
        color = ("normal" if k == "drug_free" else "inverse" if k in _GROUPS else "off")
        col.metric(QD28_CLASSES.short(k, LG), fmt_number(int(r.after), LG),
                   delta=(f"{delta:+d}" if delta else None), delta_color=color,
                   help=QD28_CLASSES.label(k, LG))
    s = trans.summary
    d = trans.drug_free
    m = st.columns([1, 1, 1.1, 1.2, 1.7])
    m[0].metric(t("Chuyển hóa", "Transformed"), s["transformed"],
                help=t("Giảm ít nhất một loại hoặc thành không ma túy (Điều 2.2).",
                       "Moved down at least one class or became drug-free (Art. 2.2)."))
    m[1].metric(t("Thành không ma túy", "Became drug-free"), s["became_drug_free"])
    m[2].metric(t("Tái phức tạp (tăng loại)", "Relapsed (moved up)"), s["relapsed"])
    share = "—" if d["share"] is None else fmt_number(100 * d["share"], LG, 1) + "%"
    if d["target_share"] is not None:
        tgt = fmt_number(100 * d["target_share"], LG, 0) + "%"
        m[3].metric(t("Xã không ma túy", "Drug-free communes"), share,
                    help=t(f"{d['n']}/{d['total']} xã. Mục tiêu {tgt} vào năm {d['target_year']}"
                           f" ({d['target_source'] or ''}).",
                           f"{d['n']}/{d['total']} communes. Target {tgt} by "
                           f"{d['target_year']} ({d['target_source'] or ''})."))
        m[3].caption(t(f"Mục tiêu {tgt} vào năm {d['target_year']}: "
                       + ("đã đạt" if d["met"] else f"còn thiếu {d['needed']} xã"),
                       f"Target {tgt} by {d['target_year']}: "
                       + ("reached" if d["met"] else f"{d['needed']} more needed")))
    else:
        m[3].metric(t("Xã không ma túy", "Drug-free communes"), share)
        m[3].caption(t("Tỉnh chưa đặt mục tiêu.", "No target set."))
    pc = trans.province_class
    m[4].metric(t("Cấp tỉnh (Điều 5)", "Province (Art. 5)"),
                QD28_PROVINCE_CLASSES.short(pc, LG) if pc else "—",
                help=QD28_PROVINCE_CLASSES.label(pc, LG) if pc else None)
    st.caption(t(f"So với năm {cmp.base_year} ({tr(*cmp.base_status_label, 'vi')}).",
                 f"Against {cmp.base_year} ({tr(*cmp.base_status_label, 'en')}).")
               + (" " + tr(*cmp.predecessor_rule, LG) if cmp.predecessor_rule else ""))


leadership_summary()


def class_maps_section() -> None:
    """The map of the year's classes and the map of class changes against last year.

    The classes are the list's (``final_class``: the approved one, else the draft),
    labelled as such above the maps; the changes are :func:`svc.transformation`'s.
    """
    edition = parse_period(str(year)).edition
    status = view.status_label(LG)
    cmp = trans.comparison
    left, right = st.columns(2)
    with left:
        st.markdown("**" + t(f"Loại địa bàn năm {year}", f"Classes {year}") + f"** · {status}")
        classes = view.table.reset_index()[["code", "final_class"]]
        data.category_map(classes, "final_class", QD28_CLASSES,
                          t(f"Phân loại QĐ 28 năm {year}", f"QĐ 28 classes {year}")
                          + f" ({status})", "qd28_map_classes", prov, edition, height=460)
    with right:
        st.markdown("**" + t(f"Thay đổi so với năm {cmp.base_year}",
                             f"Change against {cmp.base_year}") + f"** · {status}")
        changes = cmp.communes[["code", "change"]]
        data.category_map(changes, "change", CLASS_CHANGES,
                          t(f"Thay đổi loại {cmp.base_year} → {year}",
                            f"Class change {cmp.base_year} → {year}"),
                          "qd28_map_changes", prov, edition, height=460)
    st.caption(t(f"Năm {cmp.base_year}: {tr(*cmp.base_status_label, 'vi')}. Nhấn vào bản đồ "
                 "để cuộn/thu phóng bằng con lăn chuột.",
                 f"{cmp.base_year}: {tr(*cmp.base_status_label, 'en')}. Click a map to zoom "
                 "with the mouse wheel."))


class_maps_section()

with st.expander(t("Cách đọc Quyết định và ghi chú về số liệu",
                   "Readings and notes on the figures"), expanded=False):
    st.markdown("**" + view.rules.name(LG) + "** — " + view.rules.citation(LG))
    st.markdown("\n".join(f"- {x}" for x in view.rules.readings_text(LG)))
    if view.notes:
        st.markdown("**" + t("Ghi chú về số liệu", "Notes on the figures") + "**")
        st.markdown("\n".join(f"- {tr(vi, en, LG)}" for vi, en in view.notes))

tab_list, tab_cmp, tab_ok, tab_set = st.tabs([
    t("Danh sách xã", "Communes"), t("So với năm trước", "Against last year"),
    t("Phê duyệt", "Approval"), t("Tiêu chí, cài đặt, tuyến", "Rules, settings, routes")])

# ------------------------------------------------------------------------- the list

with tab_list:
    tbl = view.table
    which = st.selectbox(t("Lọc theo loại", "Filter by class"), ["all", *QD28_CLASSES.ids],
                         format_func=lambda k: t("Tất cả", "All") if k == "all" else _cls(k),
                         key=f"qd28_filter_{LG}")
    shown = tbl if which == "all" else tbl[tbl.final_class == which]
    rows = []
    for code, r in shown.iterrows():
        met = [c["article"] for c in view.criteria(code, LG)
               if c["result"] == "met" and c["article"]]
        rows.append({
            t("Mã", "Code"): code, t("Xã, phường", "Commune"): r["name"],
            t("Loại", "Class"): ("✎ " if r.manual_class else "") + _cls(r.final_class),
            t("Tính theo tiêu chí", "Computed"): _cls(r.computed_class),
            t("Tiêu chí đạt", "Criteria met"): ", ".join(met),
            t("Thiếu số liệu", "Missing figures"): figure_names(list(r.missing_data), LG),
            t("Lý do điều chỉnh", "Reason for the manual class"): r.reason or ""})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=360)
    st.caption(t(f"{len(shown)} xã · {view.status_label('vi')} · ✎ = loại điều chỉnh thủ công "
                 "(loại tính theo tiêu chí vẫn giữ bên cạnh).",
                 f"{len(shown)} communes · {view.status_label('en')} · ✎ = class set by hand "
                 "(the computed class is kept beside it)."))
    b1, b2, b3 = st.columns(3)
    frame = view.frame(LG)
    b1.download_button(t("Tải CSV", "Download CSV"),
                       frame.to_csv(index=False).encode("utf-8-sig"),
                       f"phan_loai_qd28_{year}.csv", "text/csv", key="qd28_csv")
    if can("export", prov):
        xlsx = _submission_xlsx(year)
        b2.download_button(
            t("Tải danh sách (Excel, mẫu trình UBND tỉnh)",
              "Download the list (Excel, as the People's Committee signs it)"),
            xlsx.file.read_bytes(), xlsx.file.name,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="qd28_xlsx",
            help=t("Mỗi loại một mục, tiêu chí đạt kèm giá trị, lý do điều chỉnh, số quyết định "
                   "(hoặc DỰ THẢO).",
                   "One section per class, criteria met with their values, reasons for "
                   "manual classes, the decision (or DRAFT)."))
        b3.download_button(
            t("Tải PDF (danh sách và bản đồ)", "Download PDF (list and maps)"),
            _submission_pdf(year), f"danh_sach_qd28_{pref.code}_{year}.pdf", "application/pdf",
            key="qd28_pdf",
            help=t("Bản đồ phân loại, bản đồ thay đổi so với năm trước (có nhãn đã phê duyệt "
                   "hoặc dự thảo), rồi danh sách các xã với tiêu chí đạt.",
                   "The map of classes, the map of changes since last year (labelled approved "
                   "or draft), then the list of communes with the criteria met."))

    st.markdown("#### " + t("Chi tiết một xã", "One commune in detail"))
    codes = list(tbl.index)
    pick = st.selectbox(t("Xã, phường", "Commune"), codes,
                        format_func=lambda c: f"{tbl.name[c]} ({c})", key="qd28_pick")
    r = tbl.loc[pick]
    head = f"**{r['name']}** — {_cls(r.final_class)}"
    if r.manual_class:
        head += t(f" (điều chỉnh; tính theo tiêu chí: {_cls(r.computed_class)})",
                  f" (set by hand; computed: {_cls(r.computed_class)})")
    st.markdown(head)
    if r.manual_class:
        st.info(t("Lý do: ", "Reason: ") + str(r.reason) + t(f" — {r.adjusted_by}",
                                                             f" — {r.adjusted_by}"))
    if r.final_class == "undetermined":
        st.warning(t("Chưa đủ số liệu: ", "Not enough data: ")
                   + figure_names(list(r.missing_data), LG))
    if bool(r.differs):
        st.warning(t(f"Số liệu đã thay đổi sau khi phê duyệt: tính lại là {_cls(r.live_class)}.",
                     f"Figures changed after the approval: it now computes to "
                     f"{_cls(r.live_class)}."))
    st.caption(view.explanation(pick, LG))
    rd = view.readings(pick, LG)
    if rd:
        st.caption(t("Cách đọc quyết định loại này: ", "Readings that decide this class: ")
                   + " ".join(x["text"] for x in rd))
    crit = view.criteria(pick, LG)
    for g in _GROUPS:
        part = [c for c in crit if c["class"] == g]
        if not part:
            continue
        met = sum(c["result"] == "met" for c in part)
        with st.expander(f"{QD28_CLASSES.short(g, LG)} — {met}/{len(part)} "
                         + t("tiêu chí đạt", "criteria met"),
                         expanded=g in (r.final_class, r.computed_class)):
            st.dataframe(pd.DataFrame([{
                t("Điều khoản", "Article"): c["article"] or "—",
                t("Kết quả", "Result"): f"{QD28_RESULTS[c['result']].mark} "
                                         f"{QD28_RESULTS.label(c['result'], LG)}",
                t("Giá trị", "Value"): c["value_text"],
                t("Ngưỡng", "Threshold"): c["threshold_text"],
                t("Tiêu chí", "Criterion"): c["name"]}
                for c in part]), hide_index=True, width="stretch")

    with st.expander(t("Lịch sử xã: trọng điểm theo kế hoạch và loại từng năm",
                       "The commune's history: plan designations and yearly classes")):
        try:
            tl = data.cached(svc.commune_timeline, svc.TimelineRequest(pref, pick))
        except DiabanError as e:
            st.error(e.message(LG))
        else:
            recs = tl.records(LG)
            if recs:
                st.dataframe(pd.DataFrame([{
                    t("Ngày", "Date"): _day(x["date"]),
                    t("Năm", "Year"): "" if x["year"] is None else str(int(x["year"])),
                    t("Xã", "Commune"): x["unit_name"] + (
                        "" if x["relation"] == "self" else
                        t(" (xã cũ)", " (predecessor)") if x["relation"] == "predecessor"
                        else t(" (xã mới)", " (successor)")),
                    t("Nội dung", "What"): (HOTSPOT_STATUSES.label(x["value"], LG)
                                           if x["kind"] == "designation" else
                                           t("QĐ 28: ", "QĐ 28: ") + _cls(x["value"])),
                    t("Văn bản", "Decision"): x["decision_no"] or "",
                    t("Danh sách", "List"): x["list_status_label"] or ""} for x in recs]),
                    hide_index=True, width="stretch")
                st.caption(tr(*tl.predecessor_rule, LG))
            else:
                st.write(t("Chưa có gì.", "Nothing yet."))

    if MAY_APPROVE and not view.approved:
        st.markdown("#### " + t("Điều chỉnh loại của xã này", "Set this commune's class"))
        choices = ["type_1", "type_2", "type_3", "drug_free", "none"]
        default = r.manual_class or r.computed_class
        k = st.selectbox(t("Loại", "Class"), choices,
                         index=choices.index(default) if default in choices else 0,
                         format_func=bound(QD28_CLASSES.label), key=f"qd28_set_{pick}_{LG}")
        reason = st.text_area(t("Lý do (bắt buộc), ví dụ kết quả tự đánh giá của xã",
                                "Reason (required), e.g. the commune's own assessment"),
                              key=f"qd28_reason_{pick}")
        a1, a2 = st.columns(2)
        if a1.button(t("Lưu loại điều chỉnh", "Save the class"), key="qd28_set_btn"):
            _run(svc.set_class, svc.SetClassRequest(pref, year, pick, k, reason))
        if r.manual_class and a2.button(t("Bỏ điều chỉnh (dùng loại tính theo tiêu chí)",
                                          "Take back (use the computed class)"),
                                        key="qd28_clear_btn"):
            _run(svc.set_class, svc.SetClassRequest(pref, year, pick, None))
    elif view.approved:
        st.caption(t("Danh sách đã phê duyệt không sửa được; muốn sửa, hãy hoàn tác phê duyệt ở "
                     "thẻ «Phê duyệt».",
                     "An approved list cannot be changed; to change it, undo the approval in "
                     "the “Approval” tab."))

# ------------------------------------------------------------------------- comparison

with tab_cmp:
    cmp = trans.comparison
    st.markdown(t(f"**{cmp.base_year}** ({tr(*cmp.base_status_label, 'vi')}) → **{cmp.year}** "
                  f"({tr(*cmp.status_label, 'vi')})",
                  f"**{cmp.base_year}** ({tr(*cmp.base_status_label, 'en')}) → **{cmp.year}** "
                  f"({tr(*cmp.status_label, 'en')})"))
    s = cmp.summary
    cols = st.columns(5)
    for col, k in zip(cols, ("added", "removed", "down", "up", "same")):
        col.metric(f"{LIST_CHANGES[k].mark} {LIST_CHANGES.label(k, LG)}", s[k])
    if cmp.predecessor_rule:
        st.info(tr(*cmp.predecessor_rule, LG))
    show_all = st.checkbox(t("Hiện cả xã giữ nguyên", "Show unchanged communes too"),
                           key="qd28_cmp_all")
    recs = [x for x in cmp.records(LG)
            if show_all or x["list_change"] not in ("same", "outside") or x["change"] != "same"]
    if recs:
        st.dataframe(pd.DataFrame([{
            t("Mã", "Code"): x["code"], t("Xã, phường", "Commune"): x["name"],
            str(cmp.base_year): x["before_label"], str(cmp.year): x["after_label"],
            t("Danh sách trọng điểm", "Key-area list"):
                f"{LIST_CHANGES[x['list_change']].mark} {x['list_change_label']}",
            t("Thay đổi loại", "Class change"):
                f"{CLASS_CHANGES[x['change']].mark} {x['change_label']}",
            t("Xã cũ hợp thành", "Predecessors"): x["before_from_text"]} for x in recs]),
            hide_index=True, width="stretch")
    else:
        st.write(t("Không xã nào thay đổi.", "No commune changed."))
    st.markdown("##### " + t("Ma trận chuyển loại (số xã)", "Transitions (communes)"))
    names = {k: QD28_CLASSES.short(k, LG) for k in trans.matrix.index}
    st.dataframe(trans.matrix.rename(index=names, columns=names)
                 .rename_axis(index=str(cmp.base_year), columns=str(cmp.year)))

# ------------------------------------------------------------------------- approval

with tab_ok:
    if view.approved:
        info = view.info
        st.markdown(t(f"Danh sách năm {year} đã được UBND tỉnh phê duyệt theo **Quyết định số "
                      f"{info['decision_no']}** ngày **{_day(info['decision_date'])}** "
                      f"(ghi nhận bởi {info['approved_by']}).",
                      f"The {year} list was approved by the provincial People's Committee, "
                      f"**decision {info['decision_no']}** of "
                      f"**{info['decision_date'].isoformat()}** (recorded by "
                      f"{info['approved_by']})."))
        if info.get("is_demo"):
            st.caption(t("Quyết định minh họa của dữ liệu mẫu, không phải văn bản thật.",
                         "A demo decision, not a real document."))
        if MAY_APPROVE:
            sure = st.checkbox(t(
                f"Tôi hiểu: hoàn tác sẽ bỏ ghi nhận phê duyệt theo Quyết định số "
                f"{info['decision_no']}; danh sách năm {year} trở lại dự thảo và sửa được.",
                f"I understand: undoing removes the recorded approval (decision "
                f"{info['decision_no']}); the {year} list becomes a draft that can be changed."),
                key="qd28_undo_sure")
            if st.button(t("Hoàn tác ghi nhận phê duyệt", "Undo the recorded approval"),
                         disabled=not sure, key="qd28_undo_btn"):
                _run(svc.undo_change, svc.YearRequest(pref, year))
    elif not MAY_APPROVE:
        st.info(t("Chỉ cán bộ kế hoạch và quản trị hệ thống được ghi nhận phê duyệt.",
                  "Only planners and administrators may record the approval."))
    else:
        open_ = view.table[view.table.final_class == "undetermined"]
        if len(open_):
            st.warning(t(f"{len(open_)} xã chưa đủ số liệu ({', '.join(open_.name)}): hãy nhập "
                         "đủ số liệu hoặc xếp loại thủ công có lý do trước khi phê duyệt.",
                         f"{len(open_)} communes lack figures ({', '.join(open_.name)}): enter "
                         "them or set their class by hand with a reason before approving."))
        a, b = st.columns(2)
        no = a.text_input(t("Số quyết định của UBND tỉnh", "Decision number"),
                          placeholder="2958/QĐ-UBND", key="qd28_no")
        day = b.date_input(t("Ngày quyết định", "Decision date"), value=date.today(),
                           max_value=date.today(), format="DD/MM/YYYY", key="qd28_date")
        cnt = view.counts()
        what = ", ".join(f"{QD28_CLASSES.short(k, LG)}: {n}" for k, n in cnt.items() if n)
        sure = st.checkbox(t(
            f"Ghi nhận UBND tỉnh phê duyệt danh sách năm {year} của {pref.name} ({len(view.table)} "
            f"xã — {what}) theo Quyết định số {no or '…'} ngày {_day(day)}. Sau đó danh sách bị "
            "khóa; muốn sửa phải hoàn tác.",
            f"Record that the People's Committee approved the {year} list of {pref.name} "
            f"({len(view.table)} communes — {what}) by decision {no or '…'} of {_day(day)}. "
            "The list is then frozen; to change it, undo the approval."), key="qd28_ok_sure")
        if st.button(t("Ghi nhận phê duyệt", "Record the approval"), type="primary",
                     disabled=not sure, key="qd28_ok_btn"):
            _run(svc.approve, svc.ApproveRequest(pref, year, no, day))
        if view.info:  # a stored draft: its latest change can be undone
            st.divider()
            sure2 = st.checkbox(t("Hoàn tác thay đổi mới nhất của dự thảo (loại điều chỉnh gần "
                                  "nhất trở lại như trước).",
                                  "Undo the draft's latest change (the last class set by hand "
                                  "goes back)."), key="qd28_undo_draft_sure")
            if st.button(t("Hoàn tác thay đổi mới nhất", "Undo the latest change"),
                         disabled=not sure2, key="qd28_undo_draft_btn"):
                _run(svc.undo_change, svc.YearRequest(pref, year))

# ------------------------------------------------------------------------- rules, settings

with tab_set:
    st.markdown(f"**{view.rules.name(LG)}** · " + t("hiệu lực từ ", "in force from ")
                + _day(view.rules.valid_from))
    st.markdown("\n".join(f"- {x}" for x in view.rules.readings_text(LG)))
    off = view.rules.disabled_criteria(LG)
    if off:
        st.caption(t("Tiêu chí đang tắt: ", "Criteria switched off: ") + "; ".join(off))
    sv = data.cached(svc.settings, svc.ProvinceOnlyRequest(pref))
    st.markdown("##### " + t("Cài đặt của tỉnh", "Province settings"))
    share = "—" if sv.target_share is None else fmt_number(100 * sv.target_share, LG, 0) + "%"
    st.write(t(f"Ngày chốt số liệu: {sv.cutoff}; mục tiêu xã không ma túy: {share} vào năm "
               f"{sv.target_year or '—'}; ngưỡng riêng: {len(sv.overrides)} khóa.",
               f"Cut-off day: {sv.cutoff}; drug-free target: {share} by "
               f"{sv.target_year or '—'}; overrides: {len(sv.overrides)} keys."))
    if MAY_APPROVE:
        with st.form("qd28_settings"):
            f1, f2, f3 = st.columns(3)
            cut = f1.text_input(t("Ngày chốt (ngày/tháng)", "Cut-off (day/month)"), sv.cutoff)
            pct = f2.number_input(t("Mục tiêu xã không ma túy (%)", "Drug-free target (%)"),
                                  1, 100, int(round(100 * (sv.target_share or 0.5))))
            ty = f3.number_input(t("Năm đạt mục tiêu", "Target year"), 2025, 2100,
                                 int(sv.target_year or 2030))
            src = st.text_input(t("Căn cứ mục tiêu", "Where the target comes from"),
                                sv.target_source or "")
            if st.form_submit_button(t("Lưu cài đặt", "Save the settings")):
                _run(svc.set_settings, svc.SettingsRequest(pref, cut, pct / 100, int(ty), src))
    rv = data.cached(svc.routes, svc.ProvinceOnlyRequest(pref))
    st.markdown("##### " + t("Tuyến trọng điểm phức tạp về ma túy (Điều 3)",
                             "Key drug routes (Art. 3)"))
    if rv.routes.empty:
        st.write(t("Chưa ghi nhận tuyến nào: chỉ tiêu 'nằm trên tuyến' lấy theo số liệu đã nhập.",
                   "No route recorded: 'on a key route' comes from the imported figures."))
    else:
        g = rv.routes.groupby(["route_id", "name", "scope", "decision_no", "valid_from"],
                              dropna=False).unit_code.size().reset_index(name="n")
        st.dataframe(pd.DataFrame({
            t("Tuyến", "Route"): g.name, t("Phạm vi", "Scope"):
                [ROUTE_SCOPES.short(x, LG) for x in g.scope],
            t("Quyết định", "Decision"): g.decision_no,
            t("Hiệu lực từ", "In force from"): [_day(x) for x in g.valid_from],
            t("Số xã", "Communes"): g.n}), hide_index=True, width="stretch")
