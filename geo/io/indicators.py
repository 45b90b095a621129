"""Commune figures from data officers' tables: read, validate, write the template.

:func:`read_indicators` reads a CSV or XLSX file once (long form ``ma_xa, ky,
chi_tieu, gia_tri`` or diaban's wide template) and validates every cell: the
period, the indicator, the number, the commune (by code, or by name within the
province) and whether the commune existed in the period, duplicates within the
file and figures that contradict each other (:data:`CONSISTENCY_RULES`). It
returns the valid values and every problem with its file, row and column; it
stores nothing (storing is :mod:`geo.services.imports`).
:func:`write_template_xlsx` writes the XLSX data-entry template.

Nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from geo.errors import Problem, ValidationError
from geo.indicators import load_catalog
from geo.io.tables import MAX_VALUE, Table, column_key, parse_number, problem
from geo.periods import Period, parse_period
from geo.registry import load_units, successors

__all__ = [
    "CONSISTENCY_RULES",
    "IndicatorTable",
    "catalog_lookup",
    "consistency_indicators",
    "consistency_problems",
    "consistency_with_stored",
    "indicators_from_grid",
    "is_diaban_table",
    "parse_indicator_table",
    "period_from_preamble",
    "read_indicators",
    "validate_records",
    "write_template_xlsx",
]

LONG_ALIASES = {
    "unit_code": ["ma_xa", "mã xã", "ma xa", "unit_code", "code", "ma"],
    "period": ["ky", "kỳ", "ky bao cao", "kỳ báo cáo", "period"],
    "indicator": ["chi_tieu", "chỉ tiêu", "chi tieu", "indicator"],
    "value": ["gia_tri", "giá trị", "gia tri", "value", "so lieu", "số liệu"],
}
NAME_ALIASES = {
    "commune": ["xa", "xã", "ten_xa", "tên xã", "commune", "xa/phuong/thi tran"],
    "district": ["huyen", "huyện", "ten_huyen", "district"],
    "province": ["tinh", "tỉnh", "province"],
}

#: Figures that cannot exceed another of the same commune and period.
CONSISTENCY_RULES: list[tuple[list[str], str, str, str]] = [
    (["voluntary_treatment", "community_treatment", "compulsory_treatment"],
     "registered_addicts",
     "tổng số người cai nghiện (tự nguyện, cộng đồng, bắt buộc) lớn hơn số người nghiện có hồ sơ",
     "people in treatment (voluntary + community + compulsory) exceed registered addicts"),
    (["counselled"], "registered_addicts",
     "số người được tư vấn lớn hơn số người nghiện có hồ sơ",
     "people counselled exceed registered addicts"),
    (["drug_cases_resolved"], "drug_cases_detected",
     "số vụ giải quyết lớn hơn số vụ phát hiện", "cases resolved exceed cases detected"),
    (["registered_addicts"], "population",
     "số người nghiện lớn hơn dân số", "registered addicts exceed the population"),
]


@dataclass
class IndicatorTable:
    """A table of commune figures, read and validated once.

    Attributes
    ----------
    table : Table
        The cells as read (for locating problems).
    values : pandas.DataFrame
        ``unit_code, period, indicator, value, edition, row, value_col`` of every
        valid cell (``row`` is the 0-based row of ``table.df``).
    problems : list of Problem
        Everything wrong, each with file, row and column; nothing may be stored
        while this is not empty.
    period : str or None
        Period used for rows without one (given, or written above the table).
    sheet : ReportSheet or None
        How a provincial report sheet was read (:mod:`geo.io.report_sheets`), when
        the file is one.
    notes : list of Problem
        What was ignored or read in a particular way (report sheets).
    """

    table: Table
    values: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    period: str | None = None
    sheet: Any = None
    notes: list[Problem] = field(default_factory=list)


def read_indicators(path: str | Path, display_name: str | None = None,
                    period: str | Period | None = None,
                    province: Any = None, mapping: Any = None,
                    accept_matches: bool = False) -> IndicatorTable:
    """Read a CSV/XLSX file of commune figures and validate every cell.

    A table with a commune-code column, or a long table, is read as diaban's own
    (template or long form); any other table is read as a provincial report sheet
    (:func:`geo.io.report_sheets.read_report_sheet`: title block, merged headers,
    names without codes, subtotal rows). The file is read once.

    Parameters
    ----------
    path : str or Path
        CSV or XLSX file.
    display_name : str, optional
        File name shown in messages (uploads are saved under temporary names).
    period : str or Period, optional
        Period of a wide table that does not write one above its header.
    province : str or Province, optional
        Province: commune names are matched within it (needed by report sheets).
    mapping : Mapping, optional
        A person's reading of a report sheet's columns and names.
    accept_matches : bool
        Take a report sheet's approximate name matches as they are.

    Returns
    -------
    IndicatorTable

    Raises
    ------
    ValidationError
        When the file cannot be read as a table or lacks the columns it needs
        (problems of single cells are returned, not raised).
    """
    from geo.io.tables import read_grid

    name = display_name or Path(path).name
    return indicators_from_grid(read_grid(path, name), period, province, mapping,
                                accept_matches)


def indicators_from_grid(grid: Any, period: str | Period | None = None, province: Any = None,
                         mapping: Any = None, accept_matches: bool = False) -> IndicatorTable:
    """:func:`read_indicators` on cells already read (:func:`geo.io.tables.read_grid`).

    Lets a caller read a file once and interpret it again (e.g. with a remembered
    mapping of a report sheet's layout).
    """
    from geo.io.tables import table_from_grid

    tab = table_from_grid(grid)
    hint = period.id if isinstance(period, Period) else period
    pcode = getattr(province, "code", province)
    if not is_diaban_table(tab):
        return _read_sheet(grid, hint, province, mapping, accept_matches)
    hint = hint or period_from_preamble(tab)
    vals, problems = parse_indicator_table(tab, hint, pcode)
    return IndicatorTable(tab, vals, problems, hint)


def is_diaban_table(tab: Table) -> bool:
    """A table in diaban's own forms: a commune-code column, or a long table."""
    keys = {column_key(c) for c in tab.df.columns}

    def has(aliases: list[str]) -> bool:
        return any(column_key(a) in keys for a in aliases)

    return has(LONG_ALIASES["unit_code"]) or (has(LONG_ALIASES["indicator"])
                                              and has(LONG_ALIASES["value"]))


def _read_sheet(grid: Any, period: str | None, province: Any, mapping: Any,
                accept: bool) -> IndicatorTable:
    from geo.io.report_sheets import read_report_sheet
    from geo.registry import Province, find_province

    if province is None or str(getattr(province, "code", province)).strip() == "":
        raise ValidationError(
            "Bảng không có cột mã xã: diaban đọc nó như báo cáo của tỉnh và khớp tên xã, nên "
            "cần biết tỉnh — chỉ định bằng --province (trên trang Dữ liệu: chọn tỉnh ở thanh "
            "bên).", "The table has no commune-code column: diaban reads it as a provincial "
            "report and matches commune names, so it needs the province — give --province "
            "(on the Data page: pick the province in the sidebar).", file=grid.file)
    prov = province if isinstance(province, Province) else find_province(str(province))
    sheet = read_report_sheet(grid, prov, period, mapping, accept)
    vals, more = validate_records(sheet.table, sheet.records, prov.code)
    return IndicatorTable(sheet.table, vals, sheet.problems + more, sheet.period, sheet,
                          list(sheet.notes))


def _catalog_lookup() -> dict[str, str]:
    """Indicator id, Vietnamese and English name and aliases (normalised) → id."""
    ascii_key = column_key

    out: dict[str, str] = {}
    for ind in load_catalog():
        for key in (ind.id, ind.name_vi, ind.name_en, *ind.aliases):
            out.setdefault(ascii_key(key), ind.id)
    return out


def catalog_lookup() -> dict[str, str]:
    """Every way the catalog names an indicator (id, names, aliases), as header keys → id.

    Keys are :func:`geo.io.tables.column_key` of the names; report sheets
    (:mod:`geo.io.report_sheets`) look their column headings up here.

    Examples
    --------
    >>> catalog_lookup()["nguoinghiencohosoquanly"]
    'registered_addicts'
    """
    return dict(_catalog_lookup())


def _units_index() -> dict[str, pd.DataFrame]:
    return {e: load_units(e, "commune").set_index("code") for e in ("legacy", "2025")}


def _header_indicator(col: str, lookup: dict[str, str]) -> str | None:
    """Indicator id of a wide-table header: ``"Tên chỉ tiêu [id]"``, the id or the name."""
    ascii_key = column_key

    if "[" in col and col.rstrip().endswith("]"):
        inner = col[col.rfind("[") + 1:-1].strip()
        if ascii_key(inner) in lookup:
            return lookup[ascii_key(inner)]
    return lookup.get(ascii_key(col.split("/")[-1])) or lookup.get(ascii_key(col))


def parse_indicator_table(tab: Table, period_hint: str | None = None,
                          province: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn a table (long or wide template form) into validated long values.

    Returns
    -------
    values : pandas.DataFrame
        ``unit_code, period, indicator, value, edition, row`` for every valid cell.
    problems : list of Problem
        Everything wrong, each with file, row and column. Callers store nothing
        when this is not empty.
    """
    ascii_key = column_key
    problems: list[Problem] = []
    lookup = _catalog_lookup()
    cols = {ascii_key(c): c for c in tab.df.columns}

    def col_for(aliases: list[str]) -> str | None:
        for a in aliases:
            if ascii_key(a) in cols:
                return cols[ascii_key(a)]
        return None

    c_code = col_for(LONG_ALIASES["unit_code"])
    c_period = col_for(LONG_ALIASES["period"])
    c_ind = col_for(LONG_ALIASES["indicator"])
    c_val = col_for(LONG_ALIASES["value"])
    c_name = col_for(NAME_ALIASES["commune"])
    c_dist = col_for(NAME_ALIASES["district"])
    records: list[dict] = []  # unit spec, period text, indicator text, value text, row idx, cols
    if c_ind and c_val:
        if not c_period and not period_hint:
            raise ValidationError(
                "Thiếu cột kỳ báo cáo (ky / period).", "Missing the period column (ky / period).",
                file=tab.file)
        for i, r in enumerate(tab.df.itertuples(index=False)):
            rec = dict(zip(tab.df.columns, r))
            records.append({"i": i, "code": rec.get(c_code) if c_code else None,
                            "name": rec.get(c_name) if c_name else None,
                            "district": rec.get(c_dist) if c_dist else None,
                            "period": rec.get(c_period) if c_period else period_hint,
                            "period_col": c_period or "ky",
                            "indicator": rec.get(c_ind), "indicator_col": c_ind,
                            "value": rec.get(c_val), "value_col": c_val})
    else:
        ind_cols = {c: _header_indicator(c, lookup) for c in tab.df.columns
                    if c not in (c_code, c_name, c_dist, c_period)}
        ind_cols = {c: i for c, i in ind_cols.items() if i}
        if not ind_cols:
            raise ValidationError(
                "Không nhận ra cột chỉ tiêu nào. Dùng mẫu của diaban (diaban import template) "
                "hoặc bảng dài với các cột ma_xa, ky, chi_tieu, gia_tri.",
                "No indicator column recognised. Use diaban's template (diaban import "
                "template) or a long table with columns ma_xa, ky, chi_tieu, gia_tri.",
                file=tab.file)
        unknown = [c for c in tab.df.columns if c not in ind_cols and c not in
                   (c_code, c_name, c_dist, c_period) and not c.startswith("cot_")
                   and ascii_key(c) not in {"stt", "ghichu", "note", "tinh", "province"}]
        for c in unknown:
            problems.append(Problem(
                f"Cột '{c}' không phải chỉ tiêu nào trong danh mục (diaban indicators).",
                f"Column '{c}' is not an indicator of the catalog (diaban indicators).",
                file=tab.file, row=tab.rows[0] - 1 if tab.rows else 1, column=c))
        if not c_period and not period_hint:
            raise ValidationError(
                "Không thấy kỳ báo cáo: ghi 'Kỳ báo cáo: 2023-H1' ở đầu bảng hoặc thêm cột ky.",
                "No period found: write 'Kỳ báo cáo: 2023-H1' above the table or add a ky column.",
                file=tab.file)
        for i, r in enumerate(tab.df.itertuples(index=False)):
            rec = dict(zip(tab.df.columns, r))
            for c, ind in ind_cols.items():
                if rec.get(c) is None:
                    continue  # an empty cell is "not reported", not 0
                records.append({"i": i, "code": rec.get(c_code) if c_code else None,
                                "name": rec.get(c_name) if c_name else None,
                                "district": rec.get(c_dist) if c_dist else None,
                                "period": rec.get(c_period) if c_period else period_hint,
                                "period_col": c_period or "ky", "indicator": ind,
                                "indicator_col": c, "value": rec.get(c), "value_col": c})
    if not c_code and not c_name:
        raise ValidationError(
            "Thiếu cột mã xã (ma_xa) hoặc tên xã (xa).",
            "Missing the commune code (ma_xa) or name (xa) column.", file=tab.file)
    for rec in records:
        rec["code_col"], rec["name_col"] = c_code, c_name
    vals, more = validate_records(tab, records, province)
    return vals, problems + more


def validate_records(tab: Table, records: list[dict], province: str | None = None
                     ) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate figures cell by cell: period, indicator, number, commune; duplicates, consistency.

    Parameters
    ----------
    tab : Table
        Where the figures come from (problems point at its cells).
    records : list of dict
        One per figure: ``i`` (row of ``tab.df``), ``code`` or ``name`` and
        ``district`` of the commune, ``period``, ``indicator``, ``value`` and the
        columns they come from (``period_col``, ``indicator_col``, ``value_col``,
        ``code_col``, ``name_col``).
    province : str, optional
        Province whose communes names are looked up in.

    Returns
    -------
    values : pandas.DataFrame
        ``unit_code, period, indicator, value, edition, row, value_col`` of the
        valid figures.
    problems : list of Problem
        One per bad cell, duplicates within the file and contradictions.
    """
    from geo.names import normalize_name

    ascii_key = column_key
    lookup = _catalog_lookup()
    problems: list[Problem] = []
    units = _units_index()
    by_name: dict[tuple[str, str], list[str]] = {}
    for ed, u in units.items():
        if province:
            from geo.registry import province_mask

            u = u[province_mask(u.reset_index(), province).to_numpy()]
        for code, nm, dist in zip(u.index, u.name, u.district_name):
            by_name.setdefault((ed, normalize_name(nm)), []).append(code)
            if isinstance(dist, str):
                by_name.setdefault((ed, normalize_name(nm) + "|" + normalize_name(dist)),
                                   []).append(code)
    out: list[dict] = []
    period_cache: dict[str, object] = {}
    for rec in records:
        i = rec["i"]
        # period
        ptxt = rec["period"]
        if ptxt is None or str(ptxt).strip() == "":
            problems.append(problem(tab, i, rec["period_col"], "thiếu kỳ báo cáo",
                                    "missing period"))
            continue
        key = str(ptxt)
        if key not in period_cache:
            try:
                period_cache[key] = parse_period(key)
            except ValidationError as e:
                period_cache[key] = e
        per = period_cache[key]
        if isinstance(per, ValidationError):
            problems.append(problem(tab, i, rec["period_col"], per.vi, per.en))
            continue
        if per.start > date.today():
            problems.append(problem(tab, i, rec["period_col"],
                                    f"kỳ {per.id} chưa bắt đầu (ở tương lai)",
                                    f"period {per.id} has not started yet (future)"))
            continue
        edition = per.edition
        # indicator
        ind = rec["indicator"]
        ind_id = lookup.get(ascii_key(str(ind))) if ind is not None else None
        if ind_id is None:
            problems.append(problem(tab, i, rec["indicator_col"],
                                    f"chỉ tiêu '{ind}' không có trong danh mục",
                                    f"unknown indicator '{ind}'"))
            continue
        # value
        raw = rec["value"]
        v = parse_number(raw)
        if v is None:
            problems.append(problem(tab, i, rec["value_col"],
                                    f"giá trị '{raw}' không phải là số",
                                    f"value '{raw}' is not a number"))
            continue
        if v < 0:
            problems.append(problem(tab, i, rec["value_col"], f"giá trị âm ({raw})",
                                    f"negative value ({raw})"))
            continue
        if v != v or v > MAX_VALUE:
            problems.append(problem(tab, i, rec["value_col"],
                                    f"giá trị quá lớn, không hợp lý ({raw})",
                                    f"implausibly large value ({raw})"))
            continue
        # unit
        code = rec["code"]
        eds = [edition]
        unit = None
        if code is not None and str(code).strip():
            c = str(code).strip()
            c = c.split(".")[0] if c.replace(".", "").isdigit() else c
            c = c.zfill(5) if c.isdigit() else c
            if c in units[edition].index:
                unit, edition_used = c, edition
            if unit is None:
                other = [e for e in ("legacy", "2025") if c in units[e].index]
                if other == ["legacy"]:
                    succ = successors(c)
                    into = ", ".join(f"{k} {n}" for k, n in zip(succ.new_code, succ.name))
                    end = per.end.strftime("%d/%m/%Y")
                    msg_vi = (f"xã mã {c} không tồn tại trong kỳ {per.id} (kỳ kết thúc {end}): "
                              f"từ 01/7/2025 đã sắp xếp vào {into}; ghi số liệu kỳ này cho xã mới")
                    msg_en = (f"commune {c} did not exist in period {per.id} (which ends {end}): "
                              f"since 1 Jul 2025 it is part of {into}; record this period's "
                              "figures on the new commune")
                elif other:
                    msg_vi = (f"xã mã {c} không tồn tại trong kỳ {per.id} (chỉ có từ "
                              "01/7/2025)")
                    msg_en = f"commune {c} did not exist in period {per.id} (only from 1 Jul 2025)"
                else:
                    msg_vi, msg_en = (f"không có xã mã '{c}' trong danh mục",
                                      f"no commune with code '{c}'")
                problems.append(problem(tab, i, rec["code_col"], msg_vi, msg_en))
                continue
        else:
            nm = rec["name"]
            if nm is None:
                problems.append(problem(tab, i, rec["name_col"] or "xa", "thiếu mã xã và tên xã",
                                        "missing commune code and name"))
                continue
            key_nm = normalize_name(str(nm))
            hits: list[tuple[str, str]] = []
            for ed in eds:
                k = key_nm + ("|" + normalize_name(str(rec["district"])) if rec["district"]
                              and ed == "legacy" else "")
                hits += [(ed, c) for c in by_name.get((ed, k), [])]
            if len(hits) == 1:
                edition_used, unit = hits[0]
            elif not hits:
                problems.append(problem(tab, i, rec["name_col"], f"không tìm thấy xã '{nm}'"
                                        + (" trong tỉnh đã chọn" if province else ""),
                                        f"commune '{nm}' not found"))
                continue
            else:
                problems.append(problem(
                    tab, i, rec["name_col"],
                    f"tên xã '{nm}' trùng với {len(hits)} xã; hãy ghi mã xã hoặc cột huyện",
                    f"commune name '{nm}' matches {len(hits)} communes; give the code or district"))
                continue
        out.append({"unit_code": unit, "period": per.id, "indicator": ind_id, "value": v,
                    "edition": edition_used, "row": i, "value_col": rec["value_col"]})
    vals = pd.DataFrame(out, columns=["unit_code", "period", "indicator", "value", "edition",
                                      "row", "value_col"])
    # duplicates within the file
    # (the row each key first appears on, in one pass: linear in the rows)
    key = ["edition", "unit_code", "period", "indicator"]
    dup = vals.duplicated(key, keep="first")
    first_row = vals.groupby(key, sort=False).row.transform("first")
    for r, first in zip(vals[dup].itertuples(), first_row[dup]):
        problems.append(problem(
            tab, int(r.row), r.value_col,
            f"trùng lặp: xã {r.unit_code}, kỳ {r.period}, chỉ tiêu {r.indicator} đã có ở dòng "
            f"{tab.rows[int(first)]}",
            f"duplicate: commune {r.unit_code}, period {r.period}, indicator {r.indicator} "
            f"already on row {tab.rows[int(first)]}"))
    vals = vals[~dup]
    problems += consistency_problems(vals, tab)
    return vals.reset_index(drop=True), problems


def consistency_problems(vals: pd.DataFrame, tab: Table) -> list[Problem]:
    """Figures that contradict each other (e.g. treated > registered), at the file's cell.

    Parameters
    ----------
    vals : pandas.DataFrame
        ``edition, unit_code, period, indicator, value, row, value_col``; rows with
        ``row`` -1 are stored figures (checked against, never pointed at).
    tab : Table
        The file the values come from (for the problems' locations).
    """
    out: list[Problem] = []
    if vals.empty:
        return out
    wide = vals.pivot_table(index=["edition", "unit_code", "period"], columns="indicator",
                            values="value", aggfunc="first")
    loc = vals.set_index(["edition", "unit_code", "period", "indicator"])[["row", "value_col"]]
    for parts, whole, vi, en in CONSISTENCY_RULES:
        if whole not in wide or not any(p in wide for p in parts):
            continue
        total = sum(wide[p].fillna(0) for p in parts if p in wide)
        bad = wide.index[(total > wide[whole]) & wide[whole].notna()]
        for key in bad:
            # Point at a cell of the file (stored figures carry row -1).
            cands = [(*key, ind) for ind in [whole, *parts] if (*key, ind) in loc.index]
            cells = [loc.loc[c] for c in cands if int(loc.loc[c, "row"]) >= 0]
            if not cells:
                continue
            i, col = int(cells[0]["row"]), cells[0]["value_col"]
            out.append(problem(tab, i, col,
                               f"mâu thuẫn ở xã {key[1]}, kỳ {key[2]}: {vi} "
                               f"({total[key]:g} > {wide.loc[key, whole]:g})",
                               f"inconsistent for commune {key[1]}, period {key[2]}: {en} "
                               f"({total[key]:g} > {wide.loc[key, whole]:g})"))
    return out


def consistency_with_stored(vals: pd.DataFrame, stored: pd.DataFrame,
                            tab: Table) -> list[Problem]:
    """Figures of the file that contradict stored figures of the same commune and period.

    Parameters
    ----------
    vals : pandas.DataFrame
        The file's valid values (:attr:`IndicatorTable.values`).
    stored : pandas.DataFrame
        Stored current values ``edition, unit_code, period, indicator, value`` of
        the communes and periods of the file (the file's own figures replace them).
    tab : Table
        The file (problems point at its cells, never at stored figures).
    """
    if stored.empty or vals.empty:
        return []
    merged = pd.concat([stored.assign(row=-1, value_col=""), vals]).drop_duplicates(
        ["edition", "unit_code", "period", "indicator"], keep="last")
    return consistency_problems(merged, tab)


def consistency_indicators() -> set[str]:
    """Indicators that :data:`CONSISTENCY_RULES` compare."""
    return {w for _, w, _, _ in CONSISTENCY_RULES} | {
        p for ps, _, _, _ in CONSISTENCY_RULES for p in ps}


def period_from_preamble(tab: Table) -> str | None:
    """Period written above the table, e.g. ``Kỳ báo cáo: 2023-H1``."""
    for line in tab.preamble:
        m = re.search(r"(?:kỳ báo cáo|ky bao cao|kỳ|period)\s*[:：]\s*(.+)$", line, re.I)
        if m:
            txt = m.group(1).strip()
            code = re.search(r"\b(\d{4}(?:-[HQ]\d)?)\b", txt)
            return code.group(1) if code else txt
    return None


def write_template_xlsx(units: pd.DataFrame, period: Period, out: str | Path,
                        indicators: list | None = None, lang: str = "vi") -> Path:
    """Write an XLSX data-entry template: one row per commune, one column per indicator.

    Parameters
    ----------
    units : pandas.DataFrame
        The communes to list (``code, name, district_name, province_code,
        province_name``), in display order
        (:func:`geo.registry.province_communes`).
    period : Period
        Reporting period, written above the table (:func:`read_indicators` reads it).
    out : str or Path
        Output ``.xlsx`` path.
    indicators : list of geo.indicators.Indicator, optional
        Columns (default: the whole catalog except ``incidents``).
    lang : {"vi", "en"}
        Header language.

    Returns
    -------
    Path
        ``out``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    cat = indicators if indicators is not None else [
        i for i in load_catalog() if i.id != "incidents"]
    wb = Workbook()
    ws = wb.active
    ws.title = "so_lieu"
    pname = units.province_name.iloc[0] if len(units) else ""
    ws["A1"] = f"Tỉnh: {pname} ({units.province_code.iloc[0] if len(units) else ''})"
    ws["A2"] = f"Kỳ báo cáo: {period.id} ({period.label('vi')})"
    ws["A3"] = ("Ghi số liệu vào các ô trống; để trống nếu không có số liệu (không ghi 0 thay cho "
                "'không có'). Không sửa cột mã xã.")
    ws["A1"].font = Font(bold=True, size=12)
    ws["A2"].font = Font(bold=True)
    ws["A3"].font = Font(italic=True, color="666666")
    head = ["ma_xa", "xa", "huyen"] + [
        f"{(i.name_en if lang == 'en' else i.name_vi)} ({i.unit(lang)}) [{i.id}]" for i in cat]
    ws.append([])
    ws.append(head)
    hr = ws.max_row
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c in ws[hr]:
        c.font = Font(bold=True)
        c.fill = fill
        c.alignment = Alignment(wrap_text=True, vertical="top")
    for r in units.itertuples():
        ws.append([r.code, r.name, r.district_name or ""])
    ws.column_dimensions["A"].width = 9
    ws.column_dimensions["B"].width = 26
    ws.column_dimensions["C"].width = 22
    for j in range(4, len(head) + 1):
        ws.column_dimensions[get_column_letter(j)].width = 16
    ws.row_dimensions[hr].height = 75
    ws.freeze_panes = ws.cell(row=hr + 1, column=4)
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                        showErrorMessage=True, error="Số liệu phải là số không âm.")
    ws.add_data_validation(dv)
    if len(units):
        dv.add(f"D{hr + 1}:{get_column_letter(len(head))}{hr + len(units)}")
    out = Path(out)
    wb.save(out)
    return out
