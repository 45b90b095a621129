"""The Data page's reading of a province's report sheet: what each column and name was taken for.

Shown under a previewed report sheet (:attr:`geo.services.imports.Prepared.sheet`): a form
with one choice per figure column (an indicator of the catalog, or ignore) and per name
matched only approximately (the commune it is), and a download of the mapping file the
CLI reads (``diaban import indicators … --mapping``). Applying the form previews the sheet
again with that mapping; the mapping is remembered for the sheet's layout when the import
is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from geo.indicators import load_catalog
from geo.io.report_sheets import UNDECIDED, Mapping
from pages._state import lang, t

_IGNORE = ""


def _indicator_label(lg: str) -> Callable[[str], str]:
    names = {i.id: (i.name_en if lg == "en" else i.name_vi) for i in load_catalog()}

    def label(v: str) -> str:
        if v == _IGNORE:
            return "(bỏ qua cột)" if lg == "vi" else "(ignore the column)"
        if v == UNDECIDED:
            return "(chưa chọn)" if lg == "vi" else "(not chosen)"
        return f"{names.get(v, v)} [{v}]"

    return label


def mapping_form(sheet: Any, key: str) -> dict | None:
    """Draw the reading of a report sheet; return a new mapping when the person applies one.

    Parameters
    ----------
    sheet : ReportSheet
        :attr:`Prepared.sheet` of a previewed report sheet.
    key : str
        Widget key prefix (one per upload).

    Returns
    -------
    dict or None
        The mapping (:meth:`geo.io.report_sheets.Mapping.to_dict`) to preview the
        sheet with, when the form was submitted.
    """
    lg = lang()
    current = sheet.mapping()
    cols = [c for c in sheet.columns if c.role in ("indicator", "ignored", "unknown")]
    unknown = sum(c.role == "unknown" for c in cols)
    st.subheader(t("Cách đọc báo cáo của tỉnh", "How the province's report sheet is read"))
    first, last = sheet.header_rows
    rows = f"{first}–{last}" if last != first else f"{first}"
    st.caption(t(
        f"Tiêu đề cột ở dòng {rows}; kỳ {sheet.period}. Chọn chỉ tiêu cho từng cột có số liệu "
        "(hoặc bỏ qua cột), xác nhận các tên xã khớp gần đúng, rồi bấm Áp dụng.",
        f"Column headings on rows {rows}; period {sheet.period}. Pick the indicator of each "
        "figure column (or ignore it), confirm the names matched approximately, then Apply."))
    if unknown:
        st.warning(t(f"{unknown} cột chưa nhận ra: hãy chọn chỉ tiêu hoặc bỏ qua.",
                     f"{unknown} columns not recognised: pick an indicator or ignore them."))
    options = [UNDECIDED, _IGNORE] + [i.id for i in load_catalog() if i.id != "incidents"]
    label = _indicator_label(lg)
    with st.form(f"{key}_form"):
        picks: dict[str, str] = {}
        for c in cols:
            value = current.columns.get(c.header)
            value = _IGNORE if value is None else value
            note = f" — {c.note_vi if lg == 'vi' else c.note_en}" if c.note_vi else ""
            picks[c.header] = st.selectbox(
                f"{c.letter}: {c.header}{note}", options, index=options.index(value)
                if value in options else 0, format_func=label, key=f"{key}_col_{c.letter}")
        names: dict[str, str] = {}
        if sheet.uncertain:
            st.markdown(t("**Tên xã khớp gần đúng — xác nhận:**",
                          "**Names matched approximately — confirm:**"))
        for u in sheet.uncertain:
            choices = [u["code"]] + [a[0] for a in u.get("alternatives", [])
                                      if a[0] != u["code"]] + [_IGNORE]
            titles = {u["code"]: f"{u['code']} {u['matched_name']}"}
            titles.update({a[0]: f"{a[0]} {a[1]}" for a in u.get("alternatives", [])})
            where = f" ({u['district']})" if u.get("district") else ""
            names[_name_key(u)] = st.selectbox(
                t(f"Dòng {u['row']}: '{u['name']}'{where}",
                  f"Row {u['row']}: '{u['name']}'{where}"), choices,
                format_func=lambda c, titles=titles: titles.get(c) or (
                    "(chưa xác nhận)" if lg == "vi" else "(not confirmed)"),
                key=f"{key}_name_{u['row']}")
        applied = st.form_submit_button(t("Áp dụng cách đọc này", "Apply this reading"))
    columns = {h: (None if v == _IGNORE else v) for h, v in picks.items()}
    communes = {**current.communes, **{k: v for k, v in names.items() if v}}
    # The file keeps "?" for the columns still to decide (the CLI refuses them until then);
    # the preview leaves them out, so the sheet lists them as not recognised.
    as_file = Mapping(columns, communes, sheet.layout)
    st.download_button(t("Tải tệp ánh xạ (cho dòng lệnh --mapping)",
                         "Download the mapping file (for the CLI's --mapping)"),
                       as_file.to_json(), file_name=f"anh_xa_{sheet.layout}.json",
                       mime="application/json", key=f"{key}_download")
    if not applied:
        return None
    return Mapping({h: v for h, v in columns.items() if v != UNDECIDED}, communes,
                   sheet.layout).to_dict()


#: How the preview names each kind of row of a report sheet.
ROW_KINDS = {"commune": ("xã", "commune"), "district": ("huyện (đối chiếu)", "district (checked)"),
             "subtotal": ("cộng (đối chiếu)", "subtotal (checked)"),
             "total": ("tổng (đối chiếu)", "total (checked)"),
             "footnote": ("chú thích (bỏ qua)", "note (ignored)"), "empty": ("", ""),
             "nameless": ("thiếu tên", "no name")}


def row_kinds(sheet: Any) -> list[str]:
    """What each data row of a report sheet was taken for, in the page's language."""
    lg = 1 if lang() == "en" else 0
    return [ROW_KINDS.get(sheet.rows.get(i, ""), ("", ""))[lg]
            for i in range(len(sheet.table.df))]


def _name_key(u: dict) -> str:
    return f"{u['name']} | {u['district']}" if u.get("district") else str(u["name"])
