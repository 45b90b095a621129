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

from pages._common import refresh_if_data_changed  # noqa: E402

refresh_if_data_changed()

# (file, title, icon, action the user needs to see the page in the menu)
PAGES = [
    ("pages/map.py", t("Bản đồ", "Map"), ":material/map:", "view"),
    ("pages/progress.py", t("Tiến độ chuyển hóa", "Plan progress"), ":material/trending_up:",
     "view"),
    ("pages/profile.py", t("Hồ sơ địa bàn", "Commune profile"), ":material/assignment:", "view"),
    ("pages/data.py", t("Dữ liệu", "Data"), ":material/database:", "import"),
    ("pages/targeting.py", t("Chọn địa bàn", "Targeting"), ":material/target:", "analyze"),
    ("pages/export.py", t("Xuất bản đồ", "Export maps"), ":material/print:", "export"),
    ("pages/admin.py", t("Quản trị", "Administration"), ":material/admin_panel_settings:",
     "manage_users"),
]


def _may(action: str) -> bool:
    try:
        from geo.auth import allowed
    except ImportError:
        return True
    return allowed(st.session_state.get("user"), action)


# Pages a role may not use are left out of the menu; each page checks again
# (role and province) before it shows or changes anything.
pages = [
    st.Page(str(HERE / path), title=title, icon=icon, url_path=Path(path).stem)
    for path, title, icon, action in PAGES
    if (HERE / path).exists() and _may(action)
]
nav = st.navigation(pages)
nav.run()
