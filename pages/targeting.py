"""Chọn địa bàn — hot spots, emerging hot spots, classification and an explained ranking."""

from __future__ import annotations

from pages._state import boot

boot()

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
    RANK_CRITERIA,
    Vocabulary,
)
from pages import _common as data  # noqa: E402
from pages._auth import require_action  # noqa: E402
from pages._state import bound, lang, t  # noqa: E402
from pages._widgets import number_text, show_table  # noqa: E402

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
def _district(df: pd.DataFrame) -> dict:
    """The district column, for communes before 1 July 2025 only (none exist after)."""
    return {t("Huyện", "District"): df["district_name"].fillna("")} if edition == "legacy" \
        else {}


with tab1:
    st.caption(t("Mỗi xã được chấm theo các tiêu chí dưới đây, nhân trọng số (%). Trọng số "
                 "dùng đúng như nhập: tiêu chí để 0 không tính. Điểm 0–100; mỗi dòng giải "
                 "thích điểm của mình.",
                 "Each commune is scored on the criteria below, times their weights (%). The "
                 "weights are used as entered: a criterion at 0 does not count. Scores 0–100; "
                 "each row explains its score."))
    d = RankWeights()
    with st.form("tg_weights", border=False):  # one ranking per change of weights, not per key
        cols = st.columns(len(RANK_CRITERIA))
        weights = {k: col.number_input(RANK_CRITERIA.short(k, lang()), 0, 100,
                                       int(round(getattr(d, k) * 100)), 5, key=f"tg_w_{k}",
                                       help=RANK_CRITERIA.label(k, lang()))
                   for col, k in zip(cols, RANK_CRITERIA)}
        st.form_submit_button(t("Xếp hạng theo các trọng số này", "Rank with these weights"))
    total = sum(weights.values())
    if total == 0:
        st.warning(t("Mọi trọng số đều bằng 0 nên không có gì để xếp hạng: hãy cho ít nhất một "
                     "tiêu chí trọng số lớn hơn 0.",
                     "Every weight is 0, so there is nothing to rank by: give at least one "
                     "criterion a weight above 0."))
    else:
        if total != 100:
            st.caption(t(f"Tổng trọng số là {total}%, không phải 100%: điểm được chia cho tổng "
                         "này để nằm trong 0–100; thứ hạng không đổi.",
                         f"The weights sum to {total}%, not 100%: scores are divided by this "
                         "sum to stay within 0–100; the order is the same."))
        try:
            with st.spinner(t("Đang tính (Gi* 999 hoán vị mỗi kỳ)…",
                              "Computing (Gi* 999 permutations per period)…")):
                res = data.cached(svc.rank, svc.RankRequest(
                    data.province_ref(prov), indicator, period, edition, "rate",
                    weights=tuple((k, v / 100) for k, v in weights.items())), lang=lang())
        except DiabanError as e:
            st.error(e.message(lang()))
        else:
            st.markdown(t("**Xếp hạng:** ", "**Ranking:** ") + res.about(lang()))
            for n in res.notes:
                st.info(n)
            show_table(pd.DataFrame({
                t("Hạng", "Rank"): res.table["rank"], t("Xã", "Commune"): res.table["name"],
                **_district(res.table),
                t("Điểm", "Score"): number_text(res.table["score"], 1),
                t("Đề xuất", "Suggestion"): res.table["flag_label"],
                t("Giải thích", "Explanation"): res.table["explanation"]}),
                max_rows=8, right=[t("Điểm", "Score")], wrap=[t("Giải thích", "Explanation")],
                key="tg_rank_tbl")
            n_add = int((res.table.flag == "add").sum())
            n_rm = int((res.table.flag == "remove").sum())
            st.write(t(f"**{n_add}** xã đề xuất đưa vào danh sách (điểm nóng mới/liên tiếp/gia "
                       f"tăng/dai dẳng chưa được xác định); **{n_rm}** xã đang là trọng điểm nhưng "
                       "không còn là điểm nóng và dưới trung vị — xem xét đưa ra.",
                       f"**{n_add}** candidates to add (undesignated new/consecutive/"
                       f"intensifying/persistent hot spots); **{n_rm}** designated communes no "
                       "longer hot and below the median — candidates to remove."))
            csv = pd.DataFrame(res.table.drop(columns="geometry")).to_csv(
                index=False).encode("utf-8-sig")
            name = f"xep_hang_{res.province_code}_{res.period}"
            b1, b2 = st.columns(2)
            b1.download_button(t("Tải Excel", "Download Excel"),
                               svc.ranking_workbook(res, lang()), f"{name}.xlsx",
                               "application/vnd.openxmlformats-officedocument.spreadsheetml."
                               "sheet", key="tg_xlsx", icon=":material/download:")
            b2.download_button(t("Tải CSV (mã, cho phần mềm khác)",
                                 "Download CSV (codes, for other software)"), csv,
                               f"{name}.csv", "text/csv", key="tg_csv")

def _hotspots_tab() -> None:
    try:
        hr = data.cached(svc.hotspots, areq, lang=lang())
    except DiabanError as e:
        st.error(e.message(lang()))
        return
    if hr.islands:
        st.info(t(f"Xã không giáp ranh xã nào (đã nối với xã gần nhất): {', '.join(hr.islands)}",
                  f"Communes with no contiguous neighbour (linked to nearest): "
                  f"{', '.join(hr.islands)}"))
    if hr.missing:
        st.warning(t(f"{len(hr.missing)} xã không có số liệu kỳ này, không đưa vào tính.",
                     f"{len(hr.missing)} communes have no figure this period; left out."))
    left, right = st.columns(2)
    with left:
        st.markdown("**" + t("Điểm nóng Getis-Ord Gi\\*", "Getis-Ord Gi\\* hot spots") + "**")
        _category_map(hr.gdf, "category", GISTAR_CATEGORIES,
                      f"Gi* — {data.period_label(period)}", "tg_gi")
    with right:
        st.markdown("**" + t("Cụm Moran cục bộ", "Local Moran's I clusters") + "**")
        _category_map(hr.gdf, "moran_label", MORAN_CATEGORIES,
                      t("Cụm Moran cục bộ", "Local Moran clusters")
                      + f" — {data.period_label(period)}", "tg_lisa")
    st.caption(t(f"{hr.permutations} hoán vị, hạt giống {hr.seed}; điều chỉnh FDR "
                 "(Benjamini–Hochberg). Trọng số kề cận kiểu Queen.",
                 f"{hr.permutations} permutations, seed {hr.seed}; FDR (Benjamini–Hochberg) "
                 "correction. Queen contiguity weights."))


def _emerging_tab() -> None:
    try:
        er = data.cached(svc.emerging, areq, lang=lang())
        em, used = er.communes, er.periods
    except DiabanError as e:
        st.error(e.message(lang()))
        return
    first, last = data.period_label(used[0]), data.period_label(used[-1])
    st.caption(t(f"Gi* từng kỳ ({len(used)} kỳ: {first} – {last}) và kiểm định "
                 "Mann-Kendall trên điểm z; điểm nóng dai dẳng/gia tăng/suy giảm/trước đây cần "
                 "≥ 90% số kỳ là điểm nóng.",
                 f"Gi* per period ({len(used)} periods: {first} – {last}) and a "
                 "Mann-Kendall test on the z-scores; persistent/intensifying/diminishing/"
                 "historical need ≥ 90% of periods hot."))
    _category_map(em, "category", EMERGING_CATEGORIES, t("Điểm nóng theo thời gian",
                                                         "Emerging hot spots"), "tg_em")
    counts = em.category_label.value_counts().rename_axis(t("Loại", "Category")).reset_index(
        name=t("Số xã", "Communes"))
    show_table(counts)


def _classification_tab() -> None:
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
    try:
        cl = data.cached(cls_svc.classify, creq, lang=lang())
        tr_ = data.cached(cls_svc.transitions, creq)
    except DiabanError as e:
        st.error(e.message(lang()))
        return
    expl = "explain_vi" if lang() == "vi" else "explain_en"
    show_table(pd.DataFrame({
        t("Xã", "Commune"): cl["name"], **_district(cl),
        t("Phân loại", "Class"): [QD28_CLASSES.label(k, lang()) for k in
                                  cl["klass"].fillna("none")],
        t("Giải thích", "Explanation"): cl.get(expl, "")}), max_rows=6,
        wrap=[t("Giải thích", "Explanation")])
    st.markdown("##### " + t("Ma trận chuyển lớp giữa các kỳ (số lượt)",
                             "Class transitions between periods (counts)"))
    st.caption(t("Mỗi dòng: lớp ở một kỳ; mỗi cột: lớp ở kỳ liền sau.",
                 "Each row: the class in one period; each column: the class in the next."))
    counts = tr_["counts"].astype(int)
    labels = [QD28_CLASSES.label(k, lang()) for k in counts.index]
    matrix = pd.DataFrame({t("Từ lớp ↓ / sang lớp →", "From class ↓ / to class →"): labels})
    for k, col in zip(counts.columns, labels):
        matrix[col] = number_text(counts[k])
    show_table(matrix, right=labels)
    moves = tr_["changes"].assign(
        change=tr_["changes"].change.map({"better": "down", "worse": "up", "same": "same"}))
    _category_map(moves, "change", CLASS_CHANGES,
                  t("Thay đổi phân loại (kỳ đầu → kỳ cuối)",
                    "Class change (first → last period)"), "tg_cls")


with tab2:
    _hotspots_tab()
with tab3:
    _emerging_tab()
with tab4:
    _classification_tab()
