"""Widgets the pages share that are not maps: Streamlit's own words in the user's
language, tables that show numbers the user's way and never "None", long text that
wraps instead of being cut off.

Streamlit 1.67 writes some words of its own in English and offers no option to
change them: the file uploader's "Upload" button and its "200MB per file • CSV"
line. :func:`localize_streamlit` (called by ``app.py`` on every run) hides those
words with CSS and writes ours in their place; each upload states what it expects
with :func:`upload_format`. The dataframe grid formats numbers with the browser's
locale or a printf pattern, never the app's language, so :func:`show_table` turns
numeric columns into text formatted by :func:`geo.i18n.fmt_number` (right-aligned).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
import streamlit as st

from geo.i18n import fmt_number
from pages._state import lang, t

__all__ = ["UPLOAD_LIMIT_MB", "chart_locale", "localize_streamlit", "number_text",
           "show_table", "upload_format"]


def _upload_limit_mb() -> int:
    from geo.security import MAX_UPLOAD_BYTES

    return max(1, round(MAX_UPLOAD_BYTES / 1024 / 1024))


#: The largest upload accepted (``DIABAN_MAX_UPLOAD_MB``), in MB.
UPLOAD_LIMIT_MB = _upload_limit_mb()


def localize_streamlit() -> None:
    """Replace Streamlit's English words in the file uploader with the user's language.

    Streamlit 1.67's uploader has no option for its button label ("Upload"), its
    limit line ("200MB per file • CSV, XLSX") or the drop hint, nor the table
    editor for the "Select..." of an empty list cell; the CSS below hides them and
    writes ours. What each upload expects (types, layout, limit) is said next to it
    by :func:`upload_format`. Left in English: the grid toolbar's tooltips (hover only).

    A slider's end labels (shown on hover) stay on one line, cut short when long, so
    a period slider's "6 tháng đầu năm 2021" no longer wraps over the next control.
    """
    button = t("Chọn tệp", "Choose a file")
    hint = t("hoặc kéo thả tệp vào đây", "or drag and drop a file here")
    drop = t("Thả tệp vào đây", "Drop the file here")
    pick = t("Chọn…", "Select…")  # a list cell of a table being edited
    # The hint shown while a file is dragged over: a bare <div><span> (no test id).
    overlay = ('[data-testid="stFileUploaderDropzone"] > div:not([data-testid])'
               ':not(:has([data-testid])) > span')
    st.html(f"""<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] {{
  display: none; }}
[data-testid="stFileUploaderDropzone"] button span[data-has-shortcut]::after {{
  content: "{button}"; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{
  content: "{hint}"; font-size: 0.875rem; opacity: 0.7; }}
{overlay} {{ visibility: hidden; }}
{overlay}::after {{ content: "{drop}"; visibility: visible; }}
[data-testid="stFileChipName"] + div {{ display: none; }}
.glide-select [id$="-placeholder"] {{ visibility: hidden; }}
.glide-select [id$="-placeholder"]::after {{ content: "{pick}"; visibility: visible; }}
[data-testid="stSliderTickBar"] > div {{ max-width: 48%; }}
[data-testid="stSliderTickBar"] p {{ white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }}
</style>""")


_LAYOUTS = {
    "indicators": (
        "mẫu của diaban (một dòng mỗi xã, một cột mỗi chỉ tiêu, kỳ báo cáo ghi phía trên) "
        "hoặc bảng dài 4 cột `ma_xa`, `ky`, `chi_tieu`, `gia_tri` (mã xã, kỳ, chỉ tiêu, giá "
        "trị). Số viết kiểu Việt Nam (1.234,5) hoặc kiểu Anh đều được.",
        "diaban's template (one row per commune, one column per indicator, the period "
        "written above) or a long table of 4 columns `ma_xa`, `ky`, `chi_tieu`, `gia_tri` "
        "(commune code, period, indicator, value). Numbers in Vietnamese (1.234,5) or "
        "English style."),
    "boundaries": (
        "mỗi đối tượng là một xã, có tên hoặc mã xã; Shapefile phải nén .zip kèm .shp, "
        ".shx, .dbf (và .prj nếu có).",
        "one feature per commune, with its name or code; a shapefile zipped with its .shp, "
        ".shx, .dbf (and .prj if any)."),
    "incidents": (
        "một dòng mỗi vụ việc, các cột `vi_do` và `kinh_do` (hoặc `x` và `y` theo VN-2000), "
        "`ngay` (ngày), `loai` (loại vụ việc).",
        "one row per incident, columns `vi_do` and `kinh_do` (latitude, longitude; or `x` "
        "and `y` in VN-2000), `ngay` (date), `loai` (type)."),
}


def upload_format(kind: str, types: Iterable[str]) -> None:
    """Say under an uploader what it takes: file types, layout and size limit."""
    vi, en = _LAYOUTS[kind]
    kinds = ", ".join(str(x).upper().lstrip(".") for x in types)
    n = fmt_number(UPLOAD_LIMIT_MB, lang())
    st.caption(t(f"Nhận tệp {kinds}, tối đa {n} MB. Bố cục: {vi}",
                 f"Takes {kinds} files, at most {n} MB. Layout: {en}"))


def number_text(values: Iterable[object], digits: int = 0, language: str | None = None
                ) -> list[str]:
    """Numbers as text the user's way (``1.234,5`` in Vietnamese); empty for missing."""
    lg = language or lang()
    out = []
    for v in values:
        try:
            x = float(v)
        except (TypeError, ValueError):
            out.append("" if v is None else str(v))
            continue
        out.append("" if x != x else fmt_number(x, lg, digits))
    return out


def show_table(df: pd.DataFrame, numbers: Mapping[str, int] | None = None,
               wrap: Iterable[str] = (), max_rows: int | None = None, key: str | None = None,
               right: Iterable[str] = (), **options: object) -> object:
    """Show a table the user can read: numbers in their language, nothing as "None",
    long text wrapped.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns already named in the user's language.
    numbers : mapping, optional
        Column → decimal digits: shown as right-aligned text formatted by
        :func:`geo.i18n.fmt_number`.
    wrap : iterable of str
        Columns of long text: shown wide, rows tall enough for two or three lines.
    right : iterable of str
        Text columns holding numbers already formatted: aligned right.
    max_rows : int, optional
        Rows shown before the grid scrolls (default: Streamlit's, about ten).
    key : str, optional
        Widget key.
    **options
        Passed to :func:`streamlit.dataframe` (``on_select``, ``selection_mode``…).
    """
    view = df.copy()
    config: dict[str, object] = {}
    for col, digits in (numbers or {}).items():
        if col in view:
            view[col] = number_text(view[col], digits)
            config[col] = st.column_config.TextColumn(col, alignment="right")
    for col in right:
        if col in view:
            config[col] = st.column_config.TextColumn(col, alignment="right")
    wrap = [c for c in wrap if c in view]
    for col in wrap:
        config[col] = st.column_config.TextColumn(col, width="large")
    longest = max((view[c].astype(str).str.len().max() for c in wrap if len(view)),
                  default=0)
    row_height = None if not wrap or longest <= 45 else (70 if longest <= 150 else 90)
    height: int | str = "auto"
    if max_rows:
        height = 38 + (row_height or 35) * max(1, min(len(view), max_rows)) + 3
    return st.dataframe(view, hide_index=True, width="stretch", height=height,
                        column_config=config, placeholder="", row_height=row_height, key=key,
                        **options)


_VI_TIME = {
    "dateTime": "%A, %d/%m/%Y %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
    "periods": ["SA", "CH"],
    "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
    "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
    "months": [f"tháng {i}" for i in range(1, 13)],
    "shortMonths": [f"Th{i}" for i in range(1, 13)],
}


def chart_locale() -> dict:
    """Number and date formats of an Altair/Vega-Lite chart in the user's language
    (``chart.configure(locale=chart_locale())``): ``1.234,5`` in Vietnamese."""
    if lang() == "vi":
        return {"number": {"decimal": ",", "thousands": ".", "grouping": [3],
                           "currency": ["", " ₫"]}, "time": _VI_TIME}
    return {"number": {"decimal": ".", "thousands": ",", "grouping": [3],
                       "currency": ["$", ""]}}
