"""Spreadsheets for people: the QĐ 28/2025 list in the shape a People's Committee signs.

Drawing only what it is given (plain rows from :mod:`geo.services.exports`); no
database. The workbook opens on the list a provincial People's Committee attaches to
its decision — a title block, then one section per class (type I, II, III,
drug-free) with each commune's criteria met and their values, the reason where a
class was set by hand, the decision reference — followed by every commune's criteria
and the readings of the Decision the classes rest on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.i18n import tr

__all__ = ["ListSection", "assessment_workbook"]


@dataclass
class ListSection:
    """One class of the list: its heading and its communes.

    Attributes
    ----------
    heading : str
        ``"I. Địa bàn trọng điểm phức tạp về ma túy loại I (3 xã)"``.
    rows : list of dict
        ``stt, name, code, class_label, criteria, reason`` per commune.
    note : str
        A line under the heading (e.g. that these communes are not on the list).
    """

    heading: str
    rows: list[dict] = field(default_factory=list)
    note: str = ""


def assessment_workbook(out: str | Path, title: Sequence[str], sections: Sequence[ListSection],
                        criteria: pd.DataFrame, notes: Sequence[str], lang: str = "vi"
                        ) -> Path:
    """Write the list workbook (sheets ``Danh sach``, ``Tieu chi``, ``Cach doc``).

    Parameters
    ----------
    out : str or Path
        ``.xlsx`` file to write (replaced if it exists).
    title : sequence of str
        Title block lines, top to bottom (issuer, title, decision reference, status).
    sections : sequence of ListSection
        The classes of the list, in order.
    criteria : pandas.DataFrame
        One row per commune with each criterion's result and value (second sheet).
    notes : sequence of str
        Readings, rule set, figures built from half-years … (third sheet).
    lang : {"vi", "en"}
        Language of the column headings.

    Returns
    -------
    Path
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    heads = [tr("TT", "No.", lang), tr("Tên xã, phường, đặc khu", "Commune", lang),
             tr("Mã", "Code", lang), tr("Phân loại", "Class", lang),
             tr("Tiêu chí đạt (giá trị)", "Criteria met (value)", lang),
             tr("Ghi chú", "Note", lang)]
    widths = [6, 28, 9, 20, 60, 40]

    wb = Workbook()
    ws = wb.active
    ws.title = tr("Danh sach", "List", lang)
    for i, line in enumerate(title, start=1):
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=len(heads))
        c = ws.cell(row=i, column=1, value=line)
        c.font = Font(bold=i <= 2, italic=i > 2, size=13 if i == 2 else 11)
        c.alignment = Alignment(horizontal="center", wrap_text=True)
    r = len(title) + 2
    for j, h in enumerate(heads, start=1):
        c = ws.cell(row=r, column=j, value=h)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDEBF7")
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = box
    ws.freeze_panes = ws.cell(row=r + 1, column=1)
    for sec in sections:
        r += 1
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(heads))
        c = ws.cell(row=r, column=1, value=sec.heading)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="F2F2F2")
        if sec.note:
            r += 1
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(heads))
            ws.cell(row=r, column=1, value=sec.note).font = Font(italic=True, color="555555")
        for row in sec.rows:
            r += 1
            vals = [row.get("stt"), row.get("name"), row.get("code"), row.get("class_label"),
                    row.get("criteria"), row.get("reason")]
            for j, v in enumerate(vals, start=1):
                c = ws.cell(row=r, column=j, value=v)
                c.alignment = wrap
                c.border = box
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w

    crit = wb.create_sheet(tr("Tieu chi", "Criteria", lang))
    crit.append(list(criteria.columns))
    for cell in crit[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for rec in criteria.itertuples(index=False):
        crit.append(["" if v is None or v != v else v for v in rec])
    for j, col in enumerate(criteria.columns, start=1):
        crit.column_dimensions[get_column_letter(j)].width = max(10, min(40, len(str(col)) + 4))
    crit.freeze_panes = "C2"

    how = wb.create_sheet(tr("Cach doc", "Readings", lang))
    how.column_dimensions["A"].width = 120
    for line in notes:
        how.append([line])
        how.cell(row=how.max_row, column=1).alignment = Alignment(wrap_text=True)

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
