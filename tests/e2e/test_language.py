"""Every page in the chosen language: the text a user sees on each page and tab, in
Vietnamese, holds no English word or code of a known list; in English, no Vietnamese word of
the interface.

The text is what is visible in the page (hidden elements, Material icon names and
``code`` spans — commands and file column names users type — left out) plus the cells
of every table (the grid draws on a canvas; its accessible copy holds the cells). The
maps' iframes are the map pages' own tests.
"""

from __future__ import annotations

import re
import time

import pytest

pytestmark = pytest.mark.e2e
T = 300_000  # ms: the targeting page computes its statistics on first view

#: Page paths and titles, as the menu lists them.
PAGES = {"vi": ["Bản đồ", "Tiến độ chuyển hóa", "Hồ sơ địa bàn", "Dữ liệu", "Chọn địa bàn",
                "Xuất bản đồ", "Quản trị"],
         "en": ["Map", "Plan progress", "Commune profile", "Data", "Targeting", "Export maps",
                "Administration"]}

#: English words and codes that must not appear in the Vietnamese interface (whole words).
ENGLISH = [
    # Streamlit's own words
    "Upload", "Drag and drop", "per file", "Choose an option", "Browse files",
    # values shown raw
    "None", "NaN", "null", "true", "false", "True", "False",
    # history, audit and tables of issue 15
    "id", "kind", "created_at", "active", "undone", "undone_at", "province_code", "status",
    "from", "All", "entity", "detail", "facility", "indicators",
    "api_token", "geo/auth", "policy.py",
    # interface words a page could forget to translate
    "Rank", "Score", "Commune", "District", "Explanation", "Period", "Indicator", "Value",
    "Download", "Preview", "File", "Row", "Column", "Problem", "Status", "Time", "Batch",
    "Action", "Details", "Kind", "Name", "Date", "Type", "Note", "Source", "Target",
    "Facilities", "Hotspots", "History", "Working", "Loading", "Undo", "Confirm", "Cancel",
    "Local Moran", "LISA", "Hot spot", "Cold spot", "Not significant", "Candidate",
]
#: A code: lower-case words joined by underscores (``registered_addicts``), unless it
#: follows a name in brackets as the template column to fill ("dân số [population]").
CODE = re.compile(r"(?<!\[)\b[a-z]+(?:_[a-z0-9]+)+\b(?!\])")
#: A number written the English way inside a table cell (``73.6``, ``1,234``).
EN_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$|^-?\d+\.\d{1,2}$")
VI_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$|^-?\d+,\d{1,2}$")

#: Vietnamese interface words that must not appear in the English interface.
VIETNAMESE = ["Bản đồ", "Dữ liệu", "Chỉ tiêu", "Xếp hạng", "Giải thích", "Tải ", "Kỳ báo cáo",
              "Chọn tệp", "kéo thả", "Đang dùng", "Tất cả", "Lịch sử", "Hoàn tác", "Người nhập",
              "Trạng thái", "Xã ", "Huyện", "Số dòng", "Thời gian", "Loại", "Ghi chú", "Điểm",
              "Trọng số", "Phân loại", "tháng đầu", "tháng cuối", "Không có", "Chưa có"]

_VISIBLE_TEXT = """() => {
  const texts = [], cells = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el) continue;
    if (el.closest("[data-testid='stIconMaterial'], code, script, style, noscript")) continue;
    const grid = el.closest("[data-testid='stDataFrame']");
    const box = (grid || el).getBoundingClientRect();
    const style = getComputedStyle(grid || el);
    if (box.width <= 1 || box.height <= 1 || style.visibility === "hidden") continue;
    if (grid && !el.closest("[role='gridcell'], [role='columnheader']")) continue;
    (grid ? cells : texts).push(text);
  }
  return [texts, cells];
}"""


def _idle(p) -> None:
    time.sleep(1.0)
    p.wait_for_selector(".stApp[data-test-script-state='notRunning']", timeout=T)
    time.sleep(1.0)
    p.wait_for_selector(".stApp[data-test-script-state='notRunning']", timeout=T)


def _collect(page, app_url: str, lang: str) -> dict[str, tuple[set[str], set[str]]]:
    """Every page (and each of its tabs) reached through the menu: visible text, cells."""
    p = page.page
    p.set_viewport_size({"width": 1366, "height": 768})
    p.goto(app_url)
    page.idle(T)
    if lang == "en":
        p.get_by_text("English", exact=True).click()
        _idle(p)
    seen: dict[str, tuple[set[str], set[str]]] = {}
    for title in PAGES[lang]:
        p.get_by_role("link", name=title, exact=True).click()
        _idle(p)
        texts, cells = set(), set()
        tabs = p.get_by_role("tab")
        for k in range(max(tabs.count(), 1)):
            if tabs.count():
                tabs.nth(k).click()
                _idle(p)
            got = p.evaluate(_VISIBLE_TEXT)
            texts |= set(got[0])
            cells |= set(got[1])
        assert "Traceback" not in " ".join(texts), title
        seen[title] = (texts, cells)
    return seen


def _english_in(text: str) -> list[str]:
    found = [w for w in ENGLISH if re.search(rf"(?<![\w/.-]){re.escape(w)}(?![\w/-])", text)]
    return found + CODE.findall(text)


def test_vietnamese_pages_hold_no_english(app_url, page):
    # The language switch itself is bilingual on purpose.
    allowed = {"Ngôn ngữ / Language", "English"}
    problems = []
    for title, (texts, cells) in _collect(page, app_url, "vi").items():
        for text in (texts | cells) - allowed:
            if bad := _english_in(text):
                problems.append((title, bad, text[:120]))
        problems += [(title, "số kiểu Anh", c) for c in cells if EN_NUMBER.match(c)]
    assert not problems, "\n".join(map(str, problems))
    assert not page.external


def test_english_pages_hold_no_vietnamese_interface_words(app_url, page):
    problems = []
    for title, (texts, cells) in _collect(page, app_url, "en").items():
        for text in texts - {"Ngôn ngữ / Language", "Tiếng Việt"}:
            problems += [(title, w, text[:120]) for w in VIETNAMESE if w in text
                         and not _is_data(text)]
        problems += [(title, "Vietnamese number", c) for c in cells if VI_NUMBER.match(c)
                     and not re.match(r"^\d{1,3}\.\d{3}$", c)]
    assert not problems, "\n".join(map(str, problems))


def _is_data(text: str) -> bool:
    """Names and records kept as entered (communes, plans, facilities, their sources)."""
    return bool(re.match(r"^(Xã|Phường|Thị trấn|Huyện|Thành phố|Tỉnh|Cơ sở|Điểm tư vấn|Câu lạc "
                         r"bộ|KH |Mức tham chiếu|Sở |Chuyển hóa 04|Trên |100% xã|Số tụ điểm|"
                         r"Code \d)", text)) or "Tỉnh Sơn La ·" in text


def test_audit_filter_follows_the_language_back_and_forth(app_url, page):
    """Issue 15: the audit filter kept "All" after switching back to Vietnamese."""
    p = page.page
    p.goto(app_url)
    page.idle(T)
    p.get_by_role("link", name="Quản trị", exact=True).click()
    _idle(p)
    p.get_by_role("tab", name="Nhật ký thay đổi").click()
    _idle(p)

    def shown(name: str) -> str:
        return p.get_by_role("combobox", name=name).input_value()

    assert shown("Thao tác") == "Tất cả"
    p.get_by_text("English", exact=True).click()
    _idle(p)
    p.get_by_role("tab", name="Audit log").click()
    assert shown("Action") == "All"
    p.get_by_text("Tiếng Việt", exact=True).click()
    _idle(p)
    p.get_by_role("tab", name="Nhật ký thay đổi").click()
    assert shown("Thao tác") == "Tất cả"
