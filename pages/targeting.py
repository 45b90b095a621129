"""Chọn địa bàn — hot spots, emerging hot spots, classification and an explained ranking."""

from __future__ import annotations

from pages._state import boot

boot()

import io  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from geo.analysis import RankWeights  # noqa: E402
from geo.errors import DiabanError  # noqa: E402
from geo.indicators import load_catalog  # noqa: E402
from geo.periods import parse_period  # noqa: E402
from geo.services import analysis as svc  # noqa: E402
from geo.services import classification as cls_svc  # noqa: E402
from geo.vocab import (  # noqa: E402
    CLASS_CHANGES,
    EMERGING_CATEGORIES,
    GISTAR_CATEGORIES,
    MEASURES,
    MORAN_CATEGORIES,
    QD28_CLASSES,
    Vocabulary,
)
from pages import _common as data  # noqa: E402
from pages._auth import require_action  # noqa: E402
from pages._state import bound, lang, t  # noqa: E402

st.title(t("Chọn địa bàn", "Choosing target communes"))
prov = st.session_state.get("province", "14")
require_action("analyze", prov)
periods = data.period_ids()
if not periods:
    st.warning(t("Chưa có số liệu.", "No figures yet."))
    st.stop()

c1, c2, c3, c4 = st.columns(4)
ids = [i.id for i in load_catalog() if i.id != "population"]
indicator = c1.selectbox(t("Chỉ tiêu", "Indicator"), ids, index=ids.index("registered_addicts"),
                         format_func=bound(data.indicator_label), key=f"tg_ind_{lang()}")
edition = data.edition_radio(c2, "tg_ed")
usable = [p for p in periods
          if edition == "2025" or parse_period(p).edition == "legacy"] or periods
period = c3.selectbox(t("Kỳ", "Period"), usable, index=len(usable) - 1,
                      format_func=bound(data.period_label), key=f"tg_per_{lang()}")
measure = c4.radio(t("Đại lượng", "Measure"), ["rate", "eb_rate", "count"],
                   format_func=bound(MEASURES.label),
                   key=f"tg_meas_{lang()}",
                   help=t("Làm trơn Empirical Bayes kéo tỷ lệ của xã ít dân về mức chung, để một "
                          "xã nhỏ không đứng đầu chỉ do ngẫu nhiên.",
                          "Empirical Bayes pulls small communes' rates towards the overall "
                          "rate so a tiny commune does not top the list by chance."))


def _category_map(gdf, col: str, vocab: Vocabulary, title: str, key: str) -> None:  # noqa: ANN001
    """Categorical map over the province's polygons, fitted to them on open."""
    hot = data.cached_map_view(data.maps.MapRequest(data.province_ref(prov), edition, indicator,
                                                    period)).hotspots
    data.category_map(gdf, col, vocab, title, key, prov, edition, period, hotspots=hot)


areq = svc.AnalysisRequest(data.province_ref(prov), indicator, period, edition, measure)

tab1, tab2, tab3, tab4 = st.tabs([
    t("Xếp hạng", "Ranking"), t("Điểm nóng một kỳ", "Hot spots"),
    t("Điểm nóng theo thời gian", "Emerging hot spots"),
    t("Phân loại QĐ 28/2025", "QĐ 28/2025 classification")])
with data.tab(tab1):
    st.caption(t("Mỗi xã được chấm theo các tiêu chí dưới đây (0–100), nhân trọng số. Mỗi dòng "
                 "giải thích điểm của mình.",
                 "Each commune is scored on the criteria below (0–100), weighted. Each row "
                 "explains its score."))
    d = RankWeights()
    cols = st.columns(6)
    names = [("rate", t("Tỷ lệ", "Rate")), ("trend", t("Xu hướng", "Trend")),
             ("hotspot", t("Điểm nóng", "Hot spot")),
             ("classification", t("Phân loại QĐ 28", "QĐ 28 class")),
             ("distance", t("Xa cơ sở", "Distance")),
             ("designation", t("Đang là trọng điểm", "Designated"))]
    weights = tuple(col.number_input(lab, 0.0, 1.0, float(getattr(d, k)), 0.05,
                                     key=f"tg_w_{k}") for col, (k, lab) in zip(cols, names))
    try:
        with st.spinner(t("Đang tính (Gi* 999 hoán vị mỗi kỳ)…",
                          "Computing (Gi* 999 permutations per period)…")):
            res = data.cached(svc.rank, svc.RankRequest(
                data.province_ref(prov), indicator, period, edition, "rate",
                weights=tuple(zip([k for k, _ in names], weights))), lang=lang())
    except DiabanError as e:
        st.error(e.message(lang()))
        data.stop_tab()
    for n in res.notes:
        st.info(n)
    tbl = pd.DataFrame({
        t("Hạng", "Rank"): res.table["rank"], t("Xã", "Commune"): res.table["name"],
        t("Huyện", "District"): res.table["district_name"],
        t("Điểm", "Score"): res.table["score"].round(1),
        t("Đề xuất", "Flag"): res.table["flag_label"],
        t("Giải thích", "Explanation"): res.table["explanation"]})
    st.dataframe(tbl, hide_index=True, width="stretch", height=420)
    n_add = int((res.table.flag == "add").sum())
    n_rm = int((res.table.flag == "remove").sum())
    st.write(t(f"**{n_add}** xã đề xuất đưa vào danh sách (điểm nóng mới/liên tiếp/gia tăng/dai "
               f"dẳng chưa được xác định); **{n_rm}** xã đang là trọng điểm nhưng không còn là "
               "điểm nóng và dưới trung vị — xem xét đưa ra.",
               f"**{n_add}** candidates to add (undesignated new/consecutive/intensifying/"
               f"persistent hot spots); **{n_rm}** designated communes no longer hot and below "
               "the median — candidates to remove."))
    csv = pd.DataFrame(res.table.drop(columns="geometry")).to_csv(index=False).encode("utf-8-sig")
    b1, b2 = st.columns(2)
    b1.download_button(t("Tải CSV", "Download CSV"), csv, "xep_hang_dia_ban.csv", "text/csv")
    buf = io.BytesIO()
    with pd.ExcelWriter(buf) as xw:
        tbl.to_excel(xw, index=False, sheet_name="xep_hang")
        pd.DataFrame({"tieu_chi": list(res.weights), "trong_so": list(res.weights.values())}
                     ).to_excel(xw, index=False, sheet_name="trong_so")
    b2.download_button(t("Tải Excel", "Download Excel"), buf.getvalue(), "xep_hang_dia_ban.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

with data.tab(tab2):
    try:
        hr = data.cached(svc.hotspots, areq, lang=lang())
    except DiabanError as e:
        st.error(e.message(lang()))
        data.stop_tab()
    if hr.islands:
        st.info(t(f"Xã không giáp ranh xã nào (đã nối với xã gần nhất): {', '.join(hr.islands)}",
                  f"Communes with no contiguous neighbour (linked to nearest): "
                  f"{', '.join(hr.islands)}"))
    if hr.missing:
        st.warning(t(f"{len(hr.missing)} xã không có số liệu kỳ này, không đưa vào tính.",
                     f"{len(hr.missing)} communes have no figure this period; left out."))
    left, right = st.columns(2)
    with left:
        st.markdown("**Getis-Ord Gi\\***")
        _category_map(hr.gdf, "category", GISTAR_CATEGORIES,
                      f"Gi* — {data.period_label(period)}", "tg_gi")
    with right:
        st.markdown("**Moran cục bộ / Local Moran's I**")
        _category_map(hr.gdf, "moran_label", MORAN_CATEGORIES,
                      f"LISA — {data.period_label(period)}", "tg_lisa")
    st.caption(t(f"{hr.permutations} hoán vị, hạt giống {hr.seed}; điều chỉnh FDR "
                 "(Benjamini–Hochberg). Trọng số kề cận kiểu Queen.",
                 f"{hr.permutations} permutations, seed {hr.seed}; FDR (Benjamini–Hochberg) "
                 "correction. Queen contiguity weights."))

with data.tab(tab3):
    try:
        er = data.cached(svc.emerging, areq, lang=lang())
        em, used = er.communes, er.periods
    except DiabanError as e:
        st.error(e.message(lang()))
        data.stop_tab()
    st.caption(t(f"Gi* từng kỳ ({len(used)} kỳ: {used[0]} – {used[-1]}) và kiểm định "
                 "Mann-Kendall trên điểm z; điểm nóng dai dẳng/gia tăng/suy giảm/trước đây cần "
                 "≥ 90% số kỳ là điểm nóng.",
                 f"Gi* per period ({len(used)} periods: {used[0]} – {used[-1]}) and a "
                 "Mann-Kendall test on the z-scores; persistent/intensifying/diminishing/"
                 "historical need ≥ 90% of periods hot."))
    _category_map(em, "category", EMERGING_CATEGORIES, t("Điểm nóng theo thời gian",
                                                         "Emerging hot spots"), "tg_em")
    counts = em.category_label.value_counts().rename_axis(t("Loại", "Category")).reset_index(
        name=t("Số xã", "Communes"))
    st.dataframe(counts, hide_index=True)

with data.tab(tab4):
    st.caption(t("Phân loại theo kỳ để chọn địa bàn. Danh sách phân loại hằng năm (năm đánh giá "
                 "15/12 – 14/12), phê duyệt và so sánh với năm trước: trang «Phân loại QĐ 28».",
                 "Classes per period, for targeting. The annual list (assessment year 15/12 – "
                 "14/12), its approval and the comparison with last year: the page “QĐ 28 "
                 "classification”."))
    rules = cls_svc.rules()
    disabled = rules.disabled_criteria()
    if disabled:
        st.warning(t("Một số tiêu chí chưa xác nhận được ngưỡng từ văn bản và đang tắt: ",
                     "Some criteria could not be confirmed from the decision and are off: ")
                   + ", ".join(disabled))

    creq = cls_svc.ClassifyRequest(data.province_ref(prov), period, edition)
    cl = data.cached(cls_svc.classify, creq, lang=lang())
    expl = "explain_vi" if lang() == "vi" else "explain_en"
    st.dataframe(pd.DataFrame({
        t("Xã", "Commune"): cl["name"], t("Huyện", "District"): cl["district_name"],
        t("Phân loại", "Class"): [QD28_CLASSES.label(k, lang()) for k in
                                  cl["klass"].fillna("none")],
        t("Giải thích", "Explanation"): cl.get(expl, "")}), hide_index=True,
        width="stretch", height=360)
    tr_ = data.cached(cls_svc.transitions, creq)
    st.markdown("##### " + t("Ma trận chuyển lớp giữa các kỳ (số lượt)",
                             "Class transitions between periods (counts)"))
    names = {k: QD28_CLASSES.label(k, lang()) for k in tr_["counts"].index}
    st.dataframe(tr_["counts"].rename(index=names, columns=names).astype(int))
    moves = tr_["changes"].assign(
        change=tr_["changes"].change.map({"better": "down", "worse": "up", "same": "same"}))
    _category_map(moves, "change", CLASS_CHANGES,
                  t("Thay đổi phân loại (kỳ đầu → kỳ cuối)",
                    "Class change (first → last period)"), "tg_cls")
