"""diaban — Streamlit entry: configuration, login, navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from pages import _state as state

HERE = Path(__file__).resolve().parent
# A local favicon: Material/emoji page icons make the browser fetch from a CDN.
st.set_page_config(page_title="diaban", page_icon=str(HERE / "static" / "favicon.png"),
                   layout="wide")

if "lang" not in st.session_state:
    st.session_state["lang"] = "vi"

with st.sidebar:
    choice = st.radio(
        "Ngôn ngữ / Language", ["Tiếng Việt", "English"],
        index=0 if state.lang() == "vi" else 1, horizontal=True, key="lang_choice",
    )
    st.session_state["lang"] = "vi" if choice == "Tiếng Việt" else "en"

t = state.t

try:
    from pages import _auth

    _auth.login_gate()
except ImportError:  # login arrives with the roles module; until then, open access
    st.session_state.setdefault("user", {"username": "local", "role": "admin",
                                         "province_code": None})

PAGES = [
    ("pages/map.py", t("Bản đồ", "Map"), ":material/map:"),
    ("pages/progress.py", t("Tiến độ chuyển hóa", "Plan progress"), ":material/trending_up:"),
    ("pages/profile.py", t("Hồ sơ địa bàn", "Commune profile"), ":material/assignment:"),
    ("pages/data.py", t("Dữ liệu", "Data"), ":material/database:"),
    ("pages/targeting.py", t("Chọn địa bàn", "Targeting"), ":material/target:"),
    ("pages/export.py", t("Xuất bản đồ", "Export maps"), ":material/print:"),
    ("pages/admin.py", t("Quản trị", "Administration"), ":material/admin_panel_settings:"),
]

here = HERE
pages = [
    st.Page(str(here / path), title=title, icon=icon, url_path=Path(path).stem)
    for path, title, icon in PAGES
    if (here / path).exists()
]
nav = st.navigation(pages)
nav.run()
