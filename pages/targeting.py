"""Chọn địa bàn — hot spots, emerging hot spots, classification and an explained ranking."""

from __future__ import annotations

from pages._state import boot

boot()

import io  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from geo import analysis as A  # noqa: E402
from geo.db import session_scope  # noqa: E402
from geo.errors import DiabanError  # noqa: E402
from geo.indicators import load_catalog  # noqa: E402
from geo.periods import parse_period  # noqa: E402
from geo.stats import CATEGORY_LABELS  # noqa: E402
from layers.maps import Classes, choropleth_map  # noqa: E402
from layers.offline import make_offline  # noqa: E402
from pages import _common as data  # noqa: E402
from pages._auth import require_action  # noqa: E402
from pages._state import db_url, lang, t  # noqa: E402

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
                         format_func=data.indicator_label, key=f"tg_ind_{lang()}")
edition = data.edition_radio(c2, "tg_ed")
usable = [p for p in periods
          if edition == "2025" or parse_period(p).edition == "legacy"] or periods
period = c3.selectbox(t("Kỳ", "Period"), usable, index=len(usable) - 1,
                      format_func=data.period_label, key=f"tg_per_{lang()}")
measure = c4.radio(t("Đại lượng", "Measure"), ["rate", "eb_rate", "count"],
                   format_func=lambda m: {"rate": t("Tỷ lệ/10.000", "Rate/10,000"),
                                          "eb_rate": t("Tỷ lệ làm trơn EB", "EB-smoothed rate"),
                                          "count": t("Số lượng", "Count")}[m],
                   key=f"tg_meas_{lang()}",
                   help=t("Làm trơn Empirical Bayes kéo tỷ lệ của xã ít dân về mức chung, để một "
                          "xã nhỏ không đứng đầu chỉ do ngẫu nhiên.",
                          "Empirical Bayes pulls small communes' rates towards the overall "
                          "rate so a tiny commune does not top the list by chance."))


@st.cache_data(ttl=600, show_spinner=False)
def _hot(province: str, indicator: str, period: str, edition: str, measure: str,
         lg: str) -> A.HotspotResult:
    with session_scope(db_url()) as s:
        return A.hotspots(s, province, indicator, period, edition, measure, lang=lg)


@st.cache_data(ttl=600, show_spinner=False)
def _emerging(province: str, indicator: str, edition: str, measure: str, lg: str):  # noqa: ANN202
    with session_scope(db_url()) as s:
        return A.emerging(s, province, indicator, edition, measure, lang=lg)


@st.cache_data(ttl=600, show_spinner=False)
def _rank(province: str, indicator: str, period: str, edition: str, weights: tuple,
          lg: str) -> A.RankResult:
    with session_scope(db_url()) as s:
        return A.rank(s, province, period, edition, indicator, A.RankWeights(*weights), lang=lg)


CAT_COLORS = {"hot99": "#b2182b", "hot95": "#ef8a62", "hot90": "#fddbc7", "none": "#f7f7f7",
              "cold90": "#d1e5f0", "cold95": "#67a9cf", "cold99": "#2166ac"}
EM_COLORS = {"new_hot": "#fdae61", "consecutive_hot": "#f46d43", "intensifying_hot": "#a50026",
             "persistent_hot": "#d73027", "diminishing_hot": "#fee090",
             "sporadic_hot": "#fdd49e", "oscillating_hot": "#f4a582", "historical_hot": "#bababa",
             "no_pattern": "#f7f7f7"}


def _category_map(gdf, col: str, colors: dict, labels: dict, title: str, key: str) -> None:  # noqa: ANN001
    """Categorical map: one colour per category, with a legend."""
    g = gdf.copy()
    cats = [c for c in colors if (g[col] == c).any()] + sorted(
        c for c in g[col].dropna().unique() if c not in colors)
    palette = {c: colors.get(c, "#8fb3d9" if str(c).endswith("cold") else "#cccccc")
               for c in cats}
    g["value"] = g[col].map({c: i for i, c in enumerate(cats)}).astype(float)
    classes = Classes(bins=[float(i) for i in range(len(cats))],
                      colors=[palette[c] for c in cats],
                      labels=[t(*labels.get(c, (c, c))) for c in cats],
                      counts=[int((g[col] == c).sum()) for c in cats], no_data=int(
                          g[col].isna().sum()), scheme="categories")
    hot = data.cached_hotspots(prov, edition)
    m = choropleth_map(g, title=title, classes=classes, lang=lang(), hotspots=hot,
                       value_label=t("Mã lớp", "Class"), approximate=data.is_approximate(g),
                       digits=0)
    st_folium(make_offline(m), height=520, use_container_width=True, key=key,
              returned_objects=[])


tab1, tab2, tab3, tab4 = st.tabs([
    t("Xếp hạng", "Ranking"), t("Điểm nóng một kỳ", "Hot spots"),
    t("Điểm nóng theo thời gian", "Emerging hot spots"),
    t("Phân loại QĐ 28/2025", "QĐ 28/2025 classification")])
with tab1:
    st.caption(t("Mỗi xã được chấm theo các tiêu chí dưới đây (0–100), nhân trọng số. Mỗi dòng "
                 "giải thích điểm của mình.",
                 "Each commune is scored on the criteria below (0–100), weighted. Each row "
                 "explains its score."))
    d = A.RankWeights()
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
            res = _rank(prov, indicator, period, edition, weights, lang())
    except DiabanError as e:
        st.error(e.vi if lang() == "vi" else e.en)
        st.stop()
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

with tab2:
    try:
        hr = _hot(prov, indicator, period, edition, measure, lang())
    except DiabanError as e:
        st.error(e.vi if lang() == "vi" else e.en)
        st.stop()
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
        _category_map(hr.gdf, "category", CAT_COLORS, A.GISTAR_LABELS,
                      f"Gi* — {data.period_label(period)}", "tg_gi")
    with right:
        st.markdown("**Moran cục bộ / Local Moran's I**")
        lab = {"HH": (t("Cao–Cao", "High–High"),) * 2, "LL": (t("Thấp–Thấp", "Low–Low"),) * 2,
               "HL": (t("Cao–Thấp", "High–Low"),) * 2, "LH": (t("Thấp–Cao", "Low–High"),) * 2,
               "ns": (t("Không ý nghĩa", "Not significant"),) * 2}
        _category_map(hr.gdf, "moran_label", {"HH": "#d7191c", "HL": "#fdae61",
                                              "LH": "#abd9e9", "LL": "#2c7bb6", "ns": "#f7f7f7"},
                      lab, f"LISA — {data.period_label(period)}", "tg_lisa")
    st.caption(t(f"{hr.permutations} hoán vị, hạt giống {hr.seed}; điều chỉnh FDR "
                 "(Benjamini–Hochberg). Trọng số kề cận kiểu Queen.",
                 f"{hr.permutations} permutations, seed {hr.seed}; FDR (Benjamini–Hochberg) "
                 "correction. Queen contiguity weights."))

with tab3:
    try:
        em, used = _emerging(prov, indicator, edition, measure, lang())
    except DiabanError as e:
        st.error(e.vi if lang() == "vi" else e.en)
        st.stop()
    st.caption(t(f"Gi* từng kỳ ({len(used)} kỳ: {used[0]} – {used[-1]}) và kiểm định "
                 "Mann-Kendall trên điểm z; điểm nóng dai dẳng/gia tăng/suy giảm/trước đây cần "
                 "≥ 90% số kỳ là điểm nóng.",
                 f"Gi* per period ({len(used)} periods: {used[0]} – {used[-1]}) and a "
                 "Mann-Kendall test on the z-scores; persistent/intensifying/diminishing/"
                 "historical need ≥ 90% of periods hot."))
    _category_map(em, "category", EM_COLORS, CATEGORY_LABELS, t("Điểm nóng theo thời gian",
                                                                "Emerging hot spots"), "tg_em")
    counts = em.category_label.value_counts().rename_axis(t("Loại", "Category")).reset_index(
        name=t("Số xã", "Communes"))
    st.dataframe(counts, hide_index=True)

with tab4:
    from geo.qd28 import CLASS_LABELS, load_rules

    rules = load_rules()
    disabled = rules.disabled_criteria()
    if disabled:
        st.warning(t("Một số tiêu chí chưa xác nhận được ngưỡng từ văn bản và đang tắt: ",
                     "Some criteria could not be confirmed from the decision and are off: ")
                   + ", ".join(disabled))

    @st.cache_data(ttl=600, show_spinner=False)
    def _classes(province: str, period: str, edition: str, lg: str) -> pd.DataFrame:
        with session_scope(db_url()) as s:
            return A.classify(s, province, period, edition, lang=lg)

    @st.cache_data(ttl=600, show_spinner=False)
    def _transitions(province: str, edition: str) -> dict:
        with session_scope(db_url()) as s:
            return A.classification_transitions(s, province, edition)

    cl = _classes(prov, period, edition, lang())
    expl = "explain_vi" if lang() == "vi" else "explain_en"
    st.dataframe(pd.DataFrame({
        t("Xã", "Commune"): cl["name"], t("Huyện", "District"): cl["district_name"],
        t("Phân loại", "Class"): [t(*CLASS_LABELS.get(k, (k, k))) for k in
                                  cl["klass"].fillna("none")],
        t("Giải thích", "Explanation"): cl.get(expl, "")}), hide_index=True,
        width="stretch", height=360)
    tr_ = _transitions(prov, edition)
    st.markdown("##### " + t("Ma trận chuyển lớp giữa các kỳ (số lượt)",
                             "Class transitions between periods (counts)"))
    names = {k: t(*CLASS_LABELS.get(k, (k, k))) for k in tr_["counts"].index}
    st.dataframe(tr_["counts"].rename(index=names, columns=names).astype(int))
    _category_map(tr_["changes"], "change",
                  {"worse": "#d73027", "same": "#f7f7f7", "better": "#1a9850"},
                  {"worse": ("Xấu đi", "Worse"), "same": ("Không đổi", "Unchanged"),
                   "better": ("Tốt lên", "Better")},
                  t("Thay đổi phân loại (kỳ đầu → kỳ cuối)",
                    "Class change (first → last period)"), "tg_cls")
