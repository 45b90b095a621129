"""Xuất bản đồ — briefing figures with a preview and downloads."""

from __future__ import annotations

from pages._state import boot

boot()

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402

from geo.errors import DiabanError  # noqa: E402
from geo.indicators import load_catalog  # noqa: E402
from layers.exports import (  # noqa: E402
    MapRequest,
    export_brief,
    export_map,
    export_small_multiples,  # noqa: E402
)
from pages import _common as data  # noqa: E402
from pages._auth import require_action  # noqa: E402
from pages._state import db_url, lang, t  # noqa: E402

st.title(t("Xuất bản đồ", "Export maps"))
prov = st.session_state.get("province", "14")
require_action("export", prov)
periods = data.period_ids()
if not periods:
    st.warning(t("Chưa có số liệu.", "No figures yet."))
    st.stop()

c1, c2, c3 = st.columns(3)
ids = [i.id for i in load_catalog()]
indicator = c1.selectbox(t("Chỉ tiêu", "Indicator"), ids, index=ids.index("registered_addicts"),
                         format_func=data.indicator_label, key=f"ex_ind_{lang()}")
period = c2.selectbox(t("Kỳ", "Period"), periods, index=len(periods) - 2 if len(periods) > 1
                      else 0, format_func=data.period_label, key=f"ex_per_{lang()}")
edition = data.edition_radio(c3, "ex_ed")
c4, c5, c6, c7 = st.columns(4)
measure = c4.radio(t("Cách tính", "Measure"), ["count", "rate"],
                   format_func=lambda m: t("Số lượng", "Count") if m == "count"
                   else t("Tỷ lệ/10.000", "Rate/10,000"), key=f"ex_m_{lang()}")
size = c5.radio(t("Khổ giấy", "Paper"), ["A4", "A3"], key="ex_size", horizontal=True)
orientation = c6.radio(t("Hướng", "Orientation"), ["portrait", "landscape"],
                       format_func=lambda o: t("Dọc", "Portrait") if o == "portrait"
                       else t("Ngang", "Landscape"), key=f"ex_or_{lang()}")
dpi = c7.select_slider("DPI", [150, 200, 300, 600], value=300, key="ex_dpi")
layers = st.multiselect(t("Lớp hiển thị", "Layers"), ["hotspots", "facilities", "districts"],
                        default=["hotspots", "facilities"],
                        format_func=lambda x: {"hotspots": t("Địa bàn trọng điểm", "Hotspots"),
                                               "facilities": t("Cơ sở", "Facilities"),
                                               "districts": t("Ranh giới huyện", "Districts")}[x],
                        key=f"ex_layers_{lang()}")
suppress = st.checkbox(t("Ẩn số nhỏ (bản đồ gửi ra ngoài cơ quan)",
                         "Suppress small counts (figures leaving the office)"), key="ex_sup")
threshold = st.number_input(t("Ngưỡng: ẩn giá trị nhỏ hơn", "Hide values below"), 1, 100, 5,
                            key="ex_thr", disabled=not suppress)
req = MapRequest(prov, indicator, period, edition, measure, tuple(layers), size, orientation,
                 int(dpi), lang(), suppress_below=int(threshold) if suppress else None)


@st.cache_data(show_spinner=False, ttl=300, max_entries=16)
def _render(req: MapRequest, fmt: str, kind: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"ban_do.{fmt}"
        if kind == "map":
            export_map(db_url(), req, out)
        elif kind == "multiples":
            export_small_multiples(db_url(), req, out)
        else:
            export_brief(db_url(), req.province, req.period, out, req.indicator, lang=req.lang,
                         size=req.size, suppress_below=req.suppress_below)
        return out.read_bytes()


try:
    preview = MapRequest(**{**req.__dict__, "dpi": 90})
    with st.spinner(t("Đang vẽ bản xem trước…", "Drawing the preview…")):
        png = _render(preview, "png", "map")
    st.image(png, caption=t("Xem trước (độ phân giải thấp)", "Preview (low resolution)"),
             width=620)
    name = f"{indicator}_{period}_{prov}"
    cols = st.columns(4)
    for col, fmt, mime in zip(cols, ["png", "pdf", "svg", "html"],
                              ["image/png", "application/pdf", "image/svg+xml", "text/html"]):
        col.download_button(f"{fmt.upper()}", _render(req, fmt, "map"), f"{name}.{fmt}", mime,
                            key=f"dl_{fmt}")
    st.divider()
    d1, d2 = st.columns(2)
    if d1.button(t("Tạo bản đồ nhiều kỳ (PDF)", "Make the small-multiples PDF"), key="mk_sm"):
        st.session_state["ex_sm"] = _render(req, "pdf", "multiples")
    if "ex_sm" in st.session_state:
        d1.download_button(t("Tải bản đồ nhiều kỳ", "Download small multiples"),
                           st.session_state["ex_sm"], f"{indicator}_cac_ky.pdf",
                           "application/pdf", key="dl_sm")
    if d2.button(t("Tạo báo cáo tóm tắt (PDF)", "Make the briefing pack (PDF)"), key="mk_br"):
        st.session_state["ex_brief"] = _render(req, "pdf", "brief")
    if "ex_brief" in st.session_state:
        d2.download_button(t("Tải báo cáo tóm tắt", "Download briefing pack"),
                           st.session_state["ex_brief"], f"bao_cao_{period}.pdf",
                           "application/pdf", key="dl_brief")
except DiabanError as e:
    st.error(e.message(lang()))
