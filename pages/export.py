"""Xuất bản đồ — briefing figures with a preview and downloads (the exports service draws them)."""

from __future__ import annotations

from pages._state import boot

boot()

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402

from geo.auth import Principal  # noqa: E402
from geo.errors import DiabanError  # noqa: E402
from geo.services import exports  # noqa: E402
from pages import _common as data  # noqa: E402
from pages._auth import require_action  # noqa: E402
from pages._state import db_url, lang, t  # noqa: E402

_MIME = {"png": "image/png", "pdf": "application/pdf", "svg": "image/svg+xml",
         "html": "text/html"}


@st.cache_data(show_spinner=False, ttl=300, max_entries=16)
def _render(kind: str, fmt: str, who: Principal, url: str | None, version: tuple,
            **opts: object) -> bytes:
    """Bytes of one export (cached per user, database, data version and options)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"ban_do.{fmt}"
        if kind == "map":
            exports.export_map(exports.MapExportRequest(out=out, **opts), who, url)
        elif kind == "multiples":
            exports.export_small_multiples(exports.MultiplesRequest(out=out, **opts), who, url)
        else:
            exports.export_brief(exports.BriefRequest(
                opts["province"], opts["period"], out, opts["indicator"], opts["edition"],
                opts["lang"], opts["size"], opts["suppress_below"], opts["measure"]), who, url)
        return out.read_bytes()


st.title(t("Xuất bản đồ", "Export maps"))
ctl = data.map_controls("ex")
who = require_action("export", ctl.province)

c1, c2, c3 = st.columns(3)
size = c1.radio(t("Khổ giấy", "Paper"), ["A4", "A3"], key="ex_size", horizontal=True)
orientation = c2.radio(t("Hướng", "Orientation"), ["portrait", "landscape"],
                       format_func=lambda o: t("Dọc", "Portrait") if o == "portrait"
                       else t("Ngang", "Landscape"), key=f"ex_or_{lang()}", horizontal=True)
dpi = c3.select_slider("DPI", [150, 200, 300, 600], value=300, key="ex_dpi",
                       help=t("Độ phân giải của tệp PNG.", "Resolution of the PNG file."))
districts = st.checkbox(exports.MAP_LAYERS.label("districts", lang()),
                        help=t("Chỉ có với xã trước 01/7/2025.",
                               "Only for communes before 1 Jul 2025."), key="ex_districts")
if ctl.suppress_below is None:
    st.caption(t("Số nhỏ không bị ẩn. Bản đồ gửi ra ngoài cơ quan: chọn “Ẩn số nhỏ” ở thanh "
                 "bên.", "Small counts are not hidden. For figures leaving the office, tick "
                 "“Hide small counts” in the sidebar."))
elif ctl.hidden_below is None:
    st.caption(t("Chỉ tiêu này không đếm người: không có số nào cần ẩn.",
                 "This indicator does not count people: nothing needs hiding."))
else:
    st.caption(t(f"Số nhỏ hơn {ctl.suppress_below} và tỷ lệ tính từ các số đó hiện là "
                 f"“< {ctl.suppress_below}” trên bản đồ, trong bảng và báo cáo tóm tắt.",
                 f"Counts below {ctl.suppress_below}, and rates computed from them, show as "
                 f"“< {ctl.suppress_below}” on the map, in tables and in the briefing pack."))
layers = tuple(x for x, on in (("hotspots", ctl.show_hotspots),
                               ("facilities", ctl.show_facilities),
                               ("districts", districts)) if on)
opts = dict(province=data.province_ref(ctl.province), indicator=ctl.indicator,
            period=ctl.period,
            edition=ctl.edition, measure=ctl.measure, layers=layers, size=size,
            orientation=orientation, dpi=int(dpi), lang=lang(), scheme=ctl.scheme, k=int(ctl.k),
            suppress_below=ctl.suppress_below)
version = data.data_version().batches

try:
    with st.spinner(t("Đang vẽ bản xem trước…", "Drawing the preview…")):
        png = _render("map", "png", who, db_url(), version, **{**opts, "dpi": 90})
    st.image(png, caption=t("Xem trước (độ phân giải thấp)", "Preview (low resolution)"),
             width=620)
    name = f"{ctl.indicator}_{ctl.period}_{ctl.province}"
    for col, fmt in zip(st.columns(4), exports.MAP_FORMATS):
        col.download_button(fmt.upper(), _render("map", fmt, who, db_url(), version, **opts),
                            f"{name}.{fmt}", _MIME[fmt], key=f"dl_{fmt}")
    st.divider()
    d1, d2 = st.columns(2)
    if d1.button(t("Tạo bản đồ nhiều kỳ (PDF)", "Make the small-multiples PDF"), key="mk_sm"):
        st.session_state["ex_sm"] = _render("multiples", "pdf", who, db_url(), version, **opts)
    if "ex_sm" in st.session_state:
        d1.download_button(t("Tải bản đồ nhiều kỳ", "Download small multiples"),
                           st.session_state["ex_sm"], f"{ctl.indicator}_cac_ky.pdf",
                           "application/pdf", key="dl_sm")
    if d2.button(t("Tạo báo cáo tóm tắt (PDF)", "Make the briefing pack (PDF)"), key="mk_br",
                 help=t("Bản đồ, tiến độ các địa bàn và chỉ tiêu, rồi phần phân loại QĐ 28/2025: "
                        "bản đồ loại, bản đồ thay đổi và tóm tắt của năm đánh giá.",
                        "The map, the hotspots' progress and targets, then the QĐ 28/2025 "
                        "section: the class map, the change map and the year's summary.")):
        st.session_state["ex_brief"] = _render("brief", "pdf", who, db_url(), version, **opts)
    if "ex_brief" in st.session_state:
        d2.download_button(t("Tải báo cáo tóm tắt", "Download briefing pack"),
                           st.session_state["ex_brief"], f"bao_cao_{ctl.period}.pdf",
                           "application/pdf", key="dl_brief")
except DiabanError as e:
    st.error(e.message(lang()))
