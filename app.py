"""diaban — Streamlit entry: configuration, login, navigation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from geo.auth import allowed
from pages import _auth, _guard
from pages import _state as state
from pages._common import note_data_version
from pages._widgets import localize_streamlit

# Client messages that need no login do no harm; /_stcore/metrics tells nothing.
_guard.install()

HERE = Path(__file__).resolve().parent
# A local favicon: Material/emoji page icons make the browser fetch from a CDN.
st.set_page_config(page_title="diaban", page_icon=str(HERE / "static" / "favicon.png"),
                   layout="wide")

# A laptop screen (1366×768) shows a page's title, headline and most of its map at once:
# less empty space above the title than Streamlit's default.
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem}"
        "[data-testid='stSidebarUserContent']{padding-top:0.5rem}"
        "[data-testid='stMetricValue']{font-size:1.9rem}</style>")

if "lang" not in st.session_state:
    st.session_state["lang"] = "vi"

with st.sidebar:
    choice = st.radio(
        "Ngôn ngữ / Language", ["Tiếng Việt", "English"],
        index=0 if state.lang() == "vi" else 1, horizontal=True, key="lang_choice",
    )
    st.session_state["lang"] = "vi" if choice == "Tiếng Việt" else "en"

t = state.t
localize_streamlit()  # Streamlit's own English words (the uploader's) in the chosen language

_auth.login_gate()

note_data_version()

# (file, title, icon, action the user needs to see the page in the menu)
PAGES = [
    ("pages/map.py", t("Bản đồ", "Map"), ":material/map:", "view"),
    ("pages/progress.py", t("Tiến độ chuyển hóa", "Plan progress"), ":material/trending_up:",
     "view"),
    ("pages/profile.py", t("Hồ sơ địa bàn", "Commune profile"), ":material/assignment:", "view"),
    ("pages/data.py", t("Dữ liệu", "Data"), ":material/database:", "import"),
    ("pages/targeting.py", t("Chọn địa bàn", "Targeting"), ":material/target:", "analyze"),
    ("pages/classification.py", t("Phân loại QĐ 28", "QĐ 28 classification"),
     ":material/fact_check:", "view"),
    ("pages/export.py", t("Xuất bản đồ", "Export maps"), ":material/print:", "export"),
    ("pages/admin.py", t("Quản trị", "Administration"), ":material/admin_panel_settings:",
     "manage_users"),
]


def _no_access(title: str) -> Callable[[], None]:
    """A hidden page at a forbidden page's URL: says why instead of showing another page."""

    def show() -> None:
        st.title(t("Không có quyền truy cập", "No access"))
        st.warning(t(f"Tài khoản của bạn không được mở trang «{title}». Nếu công việc cần "
                     "quyền này, hãy đề nghị quản trị viên cấp.",
                     f"Your account may not open the page “{title}”. If your work needs "
                     "this right, ask the administrator."))
        # The map (every role may view) is the first page.
        st.page_link(pages[0], label=t("Về Bản đồ", "Back to the map"), icon=":material/map:")

    return show


# Pages a role may not use are left out of the menu and answer their URL (a bookmark,
# a shared link) with a notice; each page checks again (role and province) before it
# shows or changes anything.
user = st.session_state.get("user")
pages: list = []
for path, title, icon, action in PAGES:
    stem = Path(path).stem
    if allowed(user, action):
        pages.append(st.Page(str(HERE / path), title=title, icon=icon, url_path=stem))
    else:
        pages.append(st.Page(_no_access(title), title=title, url_path=stem,
                             visibility="hidden"))
nav = st.navigation(pages)
nav.run()
