"""Provincial report sheets: the 6-month and annual reports data officers receive.

A province's report sheet is not a table with a header in row 1. It has:

- a title block (``UBND TỈNH SƠN LA``, ``BÁO CÁO … 6 THÁNG ĐẦU NĂM 2024``) above the header;
- a header of several rows with merged cells (``Số người nghiện có hồ sơ quản lý`` over
  ``Tổng số`` and ``Trong đó: nữ``), often followed by a row numbering the columns;
- commune names without codes, grouped by district under a district row (``I. Huyện Mộc
  Châu``) or closed by a subtotal row (``Cộng huyện Mộc Châu``), and a province total row
  (``Tổng cộng``, ``Toàn tỉnh``);
- numbers typed as text with ``.`` thousands separators, ``-`` for none;
- footnotes and signatures below the table.

:func:`read_report_sheet` interprets the raw cells (:class:`geo.io.tables.Grid`, read by
:func:`geo.io.tables.read_grid`) into figure records that
:func:`geo.io.indicators.validate_records` validates like every other table:

1. the header is the first row with three distinct headings below the title block,
   extended over the rows its merged cells span; its cells are flattened column by column
   (``Số người nghiện có hồ sơ quản lý / Tổng số``);
2. columns are recognised by role — order number, commune name, district, code — and
   indicators by their Vietnamese wording: the catalog's names and ``aliases``
   (``data/indicators.json``) and common variants (a leading ``Số``/``Tổng số``, a
   ``Tổng số`` sub-column meaning its group); a breakdown (``Trong đó: nữ``), a comparison
   (``So với cùng kỳ``, ``Tỷ lệ``) or a note column is ignored with a note; any other column
   holding numbers needs a *mapping* (:class:`Mapping`: a file the Data page saves, or the
   page's form) — until then the sheet is refused naming it;
3. rows are communes, district rows, subtotals, totals or footnotes; subtotal and total rows
   are checked against the sum of their communes (a disagreement is a problem of the
   subtotal's cell) and never imported as communes;
4. commune names are matched like boundary names (:func:`geo.names.match_names`, within the
   district when known); uncertain (fuzzy) matches are listed for a person to confirm
   (the mapping's ``communes``, or ``accept_matches``);
5. ``1.234`` is one thousand two hundred thirty-four, ``-`` is 0 (noted), an empty cell is
   "not reported".

Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from geo.errors import Problem, ValidationError
from geo.io.tables import MAX_ROWS, Grid, Table, col_letter, column_key, parse_number

__all__ = [
    "MAPPING_KIND",
    "UNDECIDED",
    "Mapping",
    "ReportSheet",
    "SheetColumn",
    "layout_key",
    "read_report_sheet",
]

#: ``"kind"`` of a mapping file.
MAPPING_KIND = "diaban-report-mapping"
#: A column a person has still to decide on (written for columns not recognised).
UNDECIDED = "?"

_STT = {"stt", "tt", "sott", "sothutu", "no"}
_CODE = {"maxa", "ma", "madvhc", "madonvi", "code", "unitcode", "maxaphuong"}
_NAME = {"xa", "tenxa", "tendonvi", "donvi", "diaban", "diaphuong", "xaphuongthitran",
         "tenxaphuongthitran", "xaphuong", "tendiaban", "donvihanhchinh", "tendiaphuong",
         "tendonvihanhchinh", "commune", "ten", "name", "xaphuongdackhu", "unit"}
_DISTRICT = {"huyen", "tenhuyen", "quanhuyen", "huyenthixathanhpho", "huyenthanhpho",
             "district", "huyenthixa"}
_TOTAL_PARTS = {"tongso", "tong", "cong", "soluong", "tongcong", "sl", "songuoi", "sovu",
                "tc", "so", "ts"}
_BREAKDOWN = ("trongdo", "trongso")  # "Trong đó: nữ", "Trong số…"
_BREAKDOWN_WORDS = {"nu", "nam", "dantocthieuso", "duoi18tuoi", "tre", "treem", "nunguoi",
                    "nguoichuathanhnien", "chuathanhnien", "nguoidantocthieuso"}
_COMPARE = ("sovoi", "cungky", "tanggiam", "sosanh", "tyle", "phantram", "kehoach")
_NOTE = ("ghichu", "note", "nguon")
_FOOT = ("ghichu", "nguon", "nguoilap", "thutruong", "xacnhan", "noinhan", "luu", "kt",
         "tm", "chutich", "giamdoc", "truongphong")
_ROMAN = re.compile(r"^(?=[ivxlc]+$)c{0,3}(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$", re.I)
_ORDINAL = re.compile(r"^\s*(?P<ord>(?:[IVXLC]+|[A-Z])[.)]|\d+[.)]?)\s*(?P<rest>\D.*)$")
_NUMBERING = re.compile(r"^\(?\s*(\d{1,2}|[A-Za-z])\s*\)?(\s*=.*)?$")
_DASHES = {"-", "–", "—", "--", "_"}
_FUZZY_COLUMN = 90.0  # rapidfuzz ratio needed to read a heading as a catalog name
#: Words a heading may add after a catalog name without changing what it counts.
_FILLER = ("hienco", "hiencotrendiaban", "trendiaban", "tinhdencuoiky", "cuoiky", "dangquanly",
           "quanly", "cohoso", "cohosoquanly", "dangcutru", "trongky", "phathien")


@dataclass
class SheetColumn:
    """A column of a report sheet and what it was taken for.

    Attributes
    ----------
    index : int
        0-based position in the sheet.
    letter : str
        Spreadsheet letter (CSV: position).
    header : str
        Its heading, flattened over the header rows (``"A / B"``).
    role : str
        ``stt``, ``name``, ``district``, ``code``, ``indicator``, ``ignored`` or
        ``unknown`` (holds numbers but is not recognised: needs a mapping).
    indicator : str or None
        The indicator id of an ``indicator`` column.
    how : str or None
        How it was recognised: ``marker`` (``[id]``), ``catalog`` (a name or alias),
        ``variant``, ``similar`` (a close spelling), ``mapping`` (a person's mapping).
    note_vi, note_en : str or None
        Why it was ignored or how it was read, to show.
    """

    index: int
    letter: str
    header: str
    role: str
    indicator: str | None = None
    how: str | None = None
    note_vi: str | None = None
    note_en: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"letter": self.letter, "header": self.header, "role": self.role,
                "indicator": self.indicator, "how": self.how, "note_vi": self.note_vi,
                "note_en": self.note_en}


@dataclass
class Mapping:
    """How a person reads a report sheet's layout: column → indicator, name → commune.

    Saved as a JSON file (the Data page offers it for download; the CLI reads it
    with ``--mapping``)::

        {"kind": "diaban-report-mapping", "version": 1, "layout": "3f2a9c1b7d0e",
         "columns": {"Số người nghiện có hồ sơ quản lý / Tổng số": "registered_addicts",
                     "Trong đó: nữ": null, "F": "methadone_patients"},
         "communes": {"Chiềng Khưa | Huyện Mộc Châu": "04024"}}

    Attributes
    ----------
    columns : dict
        Column heading (as diaban shows it, flattened) or letter → indicator id, or
        ``None`` to ignore the column; :data:`UNDECIDED` (``"?"``) marks a column
        not recognised that a person has still to decide on (refused until then).
    communes : dict
        Commune name as written (``"name"`` or ``"name | district"``) → commune code.
    layout : str or None
        :func:`layout_key` of the sheet the mapping was made for (informative: the
        headings are what is matched).
    """

    columns: dict[str, str | None] = field(default_factory=dict)
    communes: dict[str, str] = field(default_factory=dict)
    layout: str | None = None

    def to_dict(self) -> dict:
        """The mapping file's content."""
        return {"kind": MAPPING_KIND, "version": 1, "layout": self.layout,
                "columns": dict(self.columns), "communes": dict(self.communes)}

    def to_json(self) -> str:
        """The mapping file's text (UTF-8 JSON)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_dict(cls, d: Any, file: str | None = None) -> Mapping:
        """Check a mapping read from a file or a form.

        Raises
        ------
        ValidationError
            Not a mapping, or an indicator id that is not in the catalog.
        """
        from geo.indicators import load_catalog

        name = file or "ánh xạ / mapping"
        if not isinstance(d, dict) or not isinstance(d.get("columns", {}), dict) or \
                not isinstance(d.get("communes", {}), dict):
            raise ValidationError(
                "Tệp ánh xạ không đúng dạng: cần một đối tượng JSON có \"columns\" (tiêu đề "
                "cột → mã chỉ tiêu hoặc null) và \"communes\" (tên xã → mã xã).",
                "The mapping file is malformed: it needs a JSON object with \"columns\" "
                "(heading → indicator id or null) and \"communes\" (name → commune code).",
                file=name)
        ids = {i.id for i in load_catalog()}
        cols: dict[str, str | None] = {}
        problems = []
        for k, v in d.get("columns", {}).items():
            v = None if v is None or str(v).strip() in ("", "-") else str(v).strip()
            if v == UNDECIDED:
                problems.append(Problem(
                    f"cột '{k}': chưa chọn chỉ tiêu (ghi mã chỉ tiêu, hoặc null để bỏ qua cột)",
                    f"column '{k}': no indicator chosen yet (write an indicator id, or null to "
                    "ignore the column)", file=name, column=str(k)))
                continue
            if v is not None and v not in ids:
                problems.append(Problem(f"cột '{k}': không có chỉ tiêu '{v}' trong danh mục",
                                        f"column '{k}': no indicator '{v}' in the catalog",
                                        file=name, column=str(k)))
            cols[str(k)] = v
        if problems:
            raise ValidationError(
                f"Tệp ánh xạ có {len(problems)} cột chưa chọn hoặc chọn chỉ tiêu không có trong "
                "danh mục (xem: diaban indicators).", f"The mapping has {len(problems)} columns "
                "not chosen or naming indicators that are not in the catalog (see: diaban "
                "indicators).", problems=problems, file=name)
        communes = {str(k): str(v).strip() for k, v in d.get("communes", {}).items()
                    if v is not None and str(v).strip()}
        layout = d.get("layout")
        return cls(cols, communes, str(layout) if layout else None)

    @classmethod
    def read(cls, path: str | Path, display_name: str | None = None) -> Mapping:
        """Read a mapping file.

        Raises
        ------
        ValidationError
            Not found, not JSON, or malformed.
        """
        p = Path(path)
        name = display_name or p.name
        try:
            d = json.loads(p.read_bytes().decode("utf-8-sig"))
        except FileNotFoundError:
            raise ValidationError(f"Không tìm thấy tệp ánh xạ '{name}'.",
                                  f"Mapping file '{name}' not found.", file=name) from None
        except (UnicodeDecodeError, ValueError) as e:
            raise ValidationError(f"Tệp ánh xạ '{name}' không phải JSON hợp lệ ({e}).",
                                  f"Mapping file '{name}' is not valid JSON ({e}).",
                                  file=name) from None
        return cls.from_dict(d, name)


@dataclass
class ReportSheet:
    """A report sheet read: its columns, its commune figures and everything it says.

    Attributes
    ----------
    table : Table
        The data rows under the header (problems point at its cells).
    columns : list of SheetColumn
        Every column and what it was taken for.
    layout : str
        :func:`layout_key` of the header.
    records : list of dict
        Figures of commune rows, for :func:`geo.io.indicators.validate_records`.
    problems : list of Problem
        Unknown columns, subtotals that disagree with their communes, names not
        found or uncertain (not confirmed), bad cells found here.
    notes : list of Problem
        What was ignored or read in a particular way (columns, ``-`` as 0,
        subtotal and footnote rows, confirmed matches).
    uncertain : list of dict
        ``row, name, district, code, matched_name, score, alternatives`` of names
        matched only approximately (need a person's confirmation).
    checks : list of dict
        Every subtotal/total cell checked: ``row, label, column, stated, communes``.
    rows : dict
        Kind of each data row (``commune``, ``district``, ``subtotal``, ``total``,
        ``footnote``, ``empty``), by 0-based row of ``table.df``.
    period : str or None
        The period (given, or read in the title).
    edition : str or None
        Units edition of the period (the communes names are matched in).
    header_rows : tuple of int
        First and last spreadsheet row of the header.
    """

    table: Table
    columns: list[SheetColumn]
    layout: str
    records: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    uncertain: list[dict] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    rows: dict[int, str] = field(default_factory=dict)
    period: str | None = None
    edition: str | None = None
    header_rows: tuple[int, int] = (0, 0)

    def mapping(self) -> Mapping:
        """The mapping that reads this sheet as it was read (to save and edit)."""
        cols: dict[str, str | None] = {}
        for c in self.columns:
            if c.role == "indicator":
                cols[c.header] = c.indicator
            elif c.role == "ignored":
                cols[c.header] = None
            elif c.role == "unknown":
                cols[c.header] = UNDECIDED
        communes = {_commune_key(u["name"], u.get("district")): u["code"]
                    for u in self.uncertain if u.get("code")}
        return Mapping(cols, communes, self.layout)

    def summary(self) -> dict:
        """JSON-ready facts (columns, rows by kind, checks, uncertain matches)."""
        kinds = pd.Series(list(self.rows.values()), dtype=object).value_counts().to_dict()
        return {"layout": self.layout, "period": self.period, "edition": self.edition,
                "header_rows": list(self.header_rows),
                "columns": [c.to_dict() for c in self.columns], "rows": kinds,
                "checks": self.checks, "uncertain": [
                    {k: v for k, v in u.items() if k != "alternatives"} |
                    {"alternatives": [list(a) for a in u.get("alternatives", [])]}
                    for u in self.uncertain]}


def layout_key(headers: list[str]) -> str:
    """A short key of a sheet's layout: its headings, normalised (12 hex digits).

    Examples
    --------
    >>> layout_key(["STT", "Tên đơn vị"]) == layout_key(["stt", "Ten don vi"])
    True
    """
    text = "|".join(column_key(h) for h in headers)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _text(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v).strip()


def _is_number(v: object) -> bool:
    if isinstance(v, bool):
        return False
    return parse_number(v) is not None


def _distinct(row: list) -> list[str]:
    return list(dict.fromkeys(t for t in (_text(c) for c in row) if t))


def _commune_key(name: object, district: object = None) -> str:
    n = _text(name)
    d = _text(district)
    return f"{n} | {d}" if d else n


def _is_numbering(row: list) -> bool:
    """A row numbering the columns: ``(1) (2) (3)`` or ``A B 1 2 3``."""
    cells = [_text(c) for c in row if _text(c)]
    return len(cells) >= 3 and all(_NUMBERING.match(c) for c in cells)


def _starts_data(row: list) -> bool:
    cells = [_text(c) for c in row if _text(c)]
    if not cells:
        return False
    first = cells[0].rstrip(".)")
    key = column_key(" ".join(cells[:2]))
    return bool(_ROMAN.match(first)) or key.startswith(("tongcong", "toantinh", "cong"))


def _header_block(grid: Grid) -> tuple[int, int]:
    """First and last row of the header (indices into ``grid.rows``)."""
    rows = grid.rows
    start = None
    for i, r in enumerate(rows[:60]):
        d = _distinct(r)
        if len(d) >= 3 and sum(_is_number(c) for c in d) <= 1:
            start = i
            break
    if start is None:
        for i, r in enumerate(rows[:60]):
            d = _distinct(r)
            if len(d) >= 2 and not any(_is_number(c) for c in d):
                start = i
                break
    if start is None:
        raise ValidationError(
            "Không tìm thấy dòng tiêu đề cột của bảng (một dòng có từ hai tiêu đề trở lên như "
            "'Tên đơn vị', 'Số người nghiện…').",
            "No column header row found (a row with two or more headings such as 'Tên đơn "
            "vị', 'Số người nghiện…').", file=grid.file)
    end = start
    changed = True
    while changed:
        changed = False
        for r0, _c0, r1, _c1 in grid.merged:
            if start <= r0 <= end and r1 > end and r1 - start < 6:
                end, changed = r1, True
    while end + 1 < len(rows) and end - start < 3:
        nxt = rows[end + 1]
        d = _distinct(nxt)
        if not d or _is_numbering(nxt) or _starts_data(nxt) or any(_is_number(c) for c in d):
            break
        end += 1
    return start, end


def _flatten(grid: Grid, start: int, end: int) -> list[str]:
    width = max((len(r) for r in grid.rows[start:end + 1]), default=0)
    cells = [[_text(r[j]) if j < len(r) else "" for j in range(width)]
             for r in grid.rows[start:end + 1]]
    if not grid.merged:  # a CSV keeps a merged group heading in its first cell only
        for r in range(len(cells) - 1):
            for j in range(1, width):
                if (not cells[r][j] and cells[r + 1][j] and cells[r][j - 1]
                        and cells[r + 1][j - 1]):
                    cells[r][j] = cells[r][j - 1]
    out, seen = [], {}
    for j in range(width):
        parts: list[str] = []
        for r in range(len(cells)):
            t = cells[r][j]
            t = re.sub(r"\s+", " ", t)
            if t and (not parts or parts[-1] != t):
                parts.append(t)
        h = " / ".join(parts) or f"cot_{j + 1}"
        if h in seen:
            seen[h] += 1
            h = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
        out.append(h)
    return out


def _variants(text: str) -> list[str]:
    """Header keys a heading may be written as: without units, leading ``Số``/``Tổng số``."""
    t = re.sub(r"\([^)]*\)", " ", text)
    t = re.sub(r"\[[^\]]*\]", " ", t)
    key = column_key(t)
    out = [key]
    for pre in ("tongsonguoi", "tongso", "soluong", "songuoi", "so", "tong"):
        if key.startswith(pre) and len(key) > len(pre) + 3:
            rest = key[len(pre):]
            out.append(rest)
            if pre in ("songuoi", "tongsonguoi"):
                out.append("nguoi" + rest)
    return list(dict.fromkeys(out))


def _recognise(header: str, lookup: dict[str, str], fuzzy_keys: list[str]
               ) -> tuple[str, str | None, str | None, tuple[str, str] | None]:
    """(role, indicator, how, note) of an indicator-like heading."""
    parts = [p.strip() for p in header.split(" / ") if p.strip()]
    m = re.search(r"\[([A-Za-z0-9_]+)\]\s*$", header)
    if m and column_key(m.group(1)) in lookup:
        return "indicator", lookup[column_key(m.group(1))], "marker", None
    last = column_key(parts[-1]) if parts else ""
    if last.startswith(_NOTE):
        return "ignored", None, None, ("cột ghi chú", "a notes column")
    if last.startswith(_BREAKDOWN) or (len(parts) > 1 and last in _BREAKDOWN_WORDS) or any(
            column_key(p).startswith(_BREAKDOWN) for p in parts[1:]):
        return "ignored", None, None, ("số chi tiết ('trong đó'), không phải chỉ tiêu",
                                       "a breakdown ('of which'), not an indicator")
    if any(column_key(p).startswith(_COMPARE) for p in parts):
        return "ignored", None, None, ("cột so sánh hoặc tỷ lệ, không phải số liệu của kỳ",
                                       "a comparison or rate column, not the period's figure")
    cands: list[str] = []
    if len(parts) >= 2 and last in _TOTAL_PARTS:
        cands.append(parts[-2])
        cands.append(" ".join(parts[:-1]))
    cands += [parts[-1] if parts else header, " ".join(parts[-2:]), " ".join(parts), header]
    for c in cands:
        for k in _variants(c):
            if k in lookup:
                how = "catalog" if k == column_key(c) else "variant"
                return "indicator", lookup[k], how, None
    for c in cands[:2]:
        for k in _variants(c):
            for name, ind in lookup.items():
                if len(name) >= 10 and k.startswith(name) and k[len(name):] in _FILLER:
                    return "indicator", ind, "variant", None
    from rapidfuzz import fuzz, process

    best = None
    for c in cands[:3]:
        for k in _variants(c):
            if len(k) < 8:
                continue
            hits = process.extract(k, fuzzy_keys, scorer=fuzz.ratio, limit=2)
            if hits and hits[0][1] >= _FUZZY_COLUMN and (
                    len(hits) < 2 or hits[0][1] - hits[1][1] >= 3
                    or lookup[hits[0][0]] == lookup[hits[1][0]]):
                if best is None or hits[0][1] > best[1]:
                    best = (hits[0][0], hits[0][1])
    if best is not None:
        return "indicator", lookup[best[0]], "similar", None
    return "unknown", None, None, None


def _role(header: str) -> str | None:
    parts = [column_key(p) for p in header.split(" / ") if p.strip()]
    keys = parts + [column_key(header)]
    if any(k in _STT for k in keys):
        return "stt"
    if any(k in _CODE for k in keys):
        return "code"
    if any(k in _DISTRICT for k in keys):
        return "district"
    if any(k in _NAME or k.startswith(("tenxa", "xaphuong", "tendonvi", "tendiaban"))
           for k in keys):
        return "name"
    return None


def period_from_title(lines: list[str]) -> str | None:
    """The period a report title names (``6 THÁNG ĐẦU NĂM 2024`` → ``2024-H1``).

    Date lines (``Sơn La, ngày 10 tháng 6 năm 2024``) are not titles and are skipped.

    Examples
    --------
    >>> period_from_title(["Sơn La, ngày 20 tháng 6 năm 2024",
    ...                    "BÁO CÁO KẾT QUẢ 6 THÁNG ĐẦU NĂM 2024"])
    '2024-H1'
    >>> period_from_title(["Báo cáo năm 2023"]), period_from_title(["Quý III năm 2024"])
    ('2023', '2024-Q3')
    >>> period_from_title(["Kỳ báo cáo: 2024-H2"])
    '2024-H2'
    >>> period_from_title(["Sơn La, ngày 20 tháng 6 năm 2024"]) is None
    True
    """
    years: list[str] = []
    for line in lines:
        m = re.search(r"\b(\d{4}-(?:H[12]|Q[1-4]))\b", line, re.I)
        if m:
            return m.group(1).upper()
        k = " " + re.sub(r"[^0-9a-z]+", " ", _fold(line)) + " "
        if re.search(r" ngay \d+ thang ", k):
            continue
        y = re.search(r" nam (\d{4}) ", k)
        if not y:
            continue
        year = y.group(1)
        if re.search(r" (6|sau) thang dau ", k):
            return f"{year}-H1"
        if re.search(r" (6|sau) thang cuoi ", k):
            return f"{year}-H2"
        q = re.search(r" quy (iv|iii|ii|i|[1-4]) ", k)
        if q:
            n = {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(q.group(1)) or int(q.group(1))
            return f"{year}-Q{n}"
        years.append(year)
    return years[0] if years else None


def _fold(s: str) -> str:
    """Lower case without diacritics, spaces kept (``"Năm"`` → ``"nam"``)."""
    import unicodedata

    t = unicodedata.normalize("NFD", str(s).lower().replace("đ", "d"))
    return "".join(c for c in t if unicodedata.category(c) != "Mn")


def read_report_sheet(grid: Grid, province: Any, period: str | None = None,
                      mapping: Mapping | None = None, accept_matches: bool = False
                      ) -> ReportSheet:
    """Interpret a provincial report sheet into commune figures.

    Parameters
    ----------
    grid : Grid
        The cells as read (:func:`geo.io.tables.read_grid`).
    province : Province
        The province the sheet reports on (names are matched among its communes).
    period : str, optional
        The period; read from the title (``6 tháng đầu năm 2024``) when not given.
    mapping : Mapping, optional
        A person's reading of columns (heading or letter → indicator, or ignore) and of
        names (→ commune code).
    accept_matches : bool
        Take approximate name matches as they are (they are then notes, not problems).

    Returns
    -------
    ReportSheet

    Raises
    ------
    ValidationError
        No header, no commune-name column, no period, or too many rows.
    """
    from geo.indicators import load_catalog
    from geo.io.indicators import catalog_lookup
    from geo.periods import parse_period

    name = grid.file
    if len(grid.rows) > MAX_ROWS:
        raise ValidationError(f"Tệp có quá nhiều dòng ({len(grid.rows)} > {MAX_ROWS}).",
                              f"Too many rows ({len(grid.rows)} > {MAX_ROWS}).", file=name)
    while grid.rows and not _distinct(grid.rows[-1]):
        grid = Grid(grid.rows[:-1], grid.numbers[:-1], grid.merged, grid.file,
                    grid.encoding, grid.letters)
    if not grid.rows:
        raise ValidationError("Tệp không có dữ liệu.", "The file has no data.", file=name)
    start, end = _header_block(grid)
    headers = _flatten(grid, start, end)
    width = len(headers)
    body = grid.rows[end + 1:]
    numbers = grid.numbers[end + 1:]
    notes: list[Problem] = []
    problems: list[Problem] = []
    skip_first = bool(body) and _is_numbering(body[0])
    if skip_first:
        body, numbers = body[1:], numbers[1:]
    data = [[(r[j] if j < len(r) else "") for j in range(width)] for r in body]
    data = [[None if _text(c) == "" else c for c in r] for r in data]
    letters = {h: (col_letter(j + 1) if grid.letters else str(j + 1))
               for j, h in enumerate(headers)}
    tab = Table(pd.DataFrame(data, columns=headers, dtype=object), list(numbers), letters,
                name, grid.encoding,
                [" ".join(_distinct(r)) for r in grid.rows[:start] if _distinct(r)])
    layout = layout_key(headers)
    header_row = grid.numbers[end]
    by_letter = {letters[h]: h for h in headers}
    chosen: dict[str, str | None] = {}
    for k, v in (mapping.columns if mapping else {}).items():
        h = by_letter.get(str(k).strip().upper()) or next(
            (x for x in headers if column_key(x) == column_key(k)), None)
        if h is None:
            notes.append(Problem(f"ánh xạ nêu cột '{k}' nhưng bảng không có cột này",
                                 f"the mapping names column '{k}', which the sheet lacks",
                                 file=name))
            continue
        chosen[h] = v
    lookup = catalog_lookup()
    fuzzy_keys = list(lookup)
    labels = {i.id: i.name_vi for i in load_catalog()}
    labels_en = {i.id: i.name_en for i in load_catalog()}
    columns: list[SheetColumn] = []
    for j, h in enumerate(headers):
        col = SheetColumn(j, letters[h], h, "unknown")
        role = _role(h)
        if h in chosen:
            v = chosen[h]
            col.role, col.indicator, col.how = ("indicator", v, "mapping") if v else (
                "ignored", None, "mapping")
            if not v:
                auto = _recognise(h, lookup, fuzzy_keys)
                col.note_vi, col.note_en = auto[3] if auto[0] == "ignored" and auto[3] else (
                    "bỏ qua theo ánh xạ", "ignored by the mapping")
        elif role is not None:
            col.role = role
        else:
            r, ind, how, note = _recognise(h, lookup, fuzzy_keys)
            col.role, col.indicator, col.how = r, ind, how
            if note:
                col.note_vi, col.note_en = note
        vals = tab.df[h]
        has_numbers = any(_is_number(v) for v in vals if v is not None)
        if col.role == "unknown" and not has_numbers:
            col.role = "ignored"
            col.note_vi, col.note_en = ("không nhận ra và không có số liệu",
                                        "not recognised and holds no figures")
        if col.role == "indicator" and col.how == "similar":
            col.note_vi = f"hiểu là chỉ tiêu '{labels[col.indicator]}' (tên gần giống)"
            col.note_en = f"read as '{labels_en[col.indicator]}' (a close spelling)"
        columns.append(col)
    name_cols = [c for c in columns if c.role == "name"]
    if not name_cols:
        texty = [c for c in columns if c.role in ("unknown", "ignored") and sum(
            isinstance(v, str) and not _is_number(v) for v in tab.df[c.header]) >= 0.5 * max(
            1, tab.df[c.header].notna().sum()) and tab.df[c.header].notna().any()]
        if texty:
            texty[0].role, texty[0].how = "name", "guess"
            texty[0].note_vi = "cột tên đơn vị (đoán theo nội dung)"
            texty[0].note_en = "the unit-name column (guessed from its content)"
            name_cols = [texty[0]]
    if not name_cols:
        raise ValidationError(
            "Không thấy cột tên xã (Tên đơn vị, Xã/phường/thị trấn…) hay mã xã trong bảng. "
            f"Các cột có: {', '.join(headers)}.",
            "No commune name column (Tên đơn vị, Xã/phường/thị trấn…) or code column in the "
            f"sheet. Columns: {', '.join(headers)}.", file=name, row=header_row)
    seen_ind: dict[str, SheetColumn] = {}
    for c in columns:
        if c.role == "unknown":
            problems.append(Problem(
                f"cột '{c.header}' có số liệu nhưng không nhận ra là chỉ tiêu nào: chọn chỉ "
                "tiêu cho cột này (trang Dữ liệu) hoặc ghi trong tệp ánh xạ (--mapping); ghi "
                "null để bỏ qua cột",
                f"column '{c.header}' holds figures but is not recognised as an indicator: "
                "pick its indicator (Data page) or write it in a mapping file (--mapping); "
                "null ignores the column", file=name, row=header_row,
                column=f"{c.header} ({c.letter})"))
        elif c.role == "indicator":
            if c.indicator in seen_ind:
                problems.append(Problem(
                    f"hai cột cùng được hiểu là chỉ tiêu '{labels[c.indicator]}': "
                    f"'{seen_ind[c.indicator].header}' và '{c.header}'; chọn lại trong ánh xạ",
                    f"two columns are both read as '{labels_en[c.indicator]}': "
                    f"'{seen_ind[c.indicator].header}' and '{c.header}'; fix the mapping",
                    file=name, row=header_row, column=f"{c.header} ({c.letter})"))
            seen_ind.setdefault(c.indicator, c)
        elif c.role == "ignored" and c.note_vi:
            notes.append(Problem(f"bỏ qua cột '{c.header}': {c.note_vi}",
                                 f"column '{c.header}' ignored: {c.note_en}", file=name,
                                 column=f"{c.header} ({c.letter})"))
        if c.role == "indicator" and c.how == "similar":
            notes.append(Problem(f"cột '{c.header}': {c.note_vi}", f"column '{c.header}': "
                                 f"{c.note_en}", file=name, column=f"{c.header} ({c.letter})"))
    inds = [c for c in columns if c.role == "indicator"]
    if not inds and not problems:
        raise ValidationError(
            "Không nhận ra cột chỉ tiêu nào trong bảng. Dùng mẫu của diaban (diaban import "
            "template), bảng dài với các cột ma_xa, ky, chi_tieu, gia_tri, hoặc chọn chỉ tiêu "
            f"cho từng cột (tệp ánh xạ --mapping). Các cột có: {', '.join(headers)}.",
            "No indicator column recognised. Use diaban's template (diaban import template), "
            "a long table with columns ma_xa, ky, chi_tieu, gia_tri, or pick the indicator of "
            f"each column (mapping file --mapping). Columns: {', '.join(headers)}.",
            file=name, row=header_row)
    per = period or period_from_title(tab.preamble)
    if per is None:
        raise ValidationError(
            "Không thấy kỳ báo cáo trong tiêu đề (ví dụ '6 tháng đầu năm 2024'): chỉ định bằng "
            "--period (ví dụ 2024-H1).", "No reporting period in the title (e.g. '6 tháng "
            "đầu năm 2024'): give it with --period (e.g. 2024-H1).", file=name)
    try:
        edition = parse_period(per).edition
    except ValidationError as e:
        raise ValidationError(e.vi, e.en, file=name) from None
    if period is None:
        notes.append(Problem(f"kỳ báo cáo đọc từ tiêu đề: {per}",
                             f"period read from the title: {per}", file=name))
    sheet = ReportSheet(tab, columns, layout, problems=problems, notes=notes, period=per,
                        edition=edition, header_rows=(grid.numbers[start], header_row))
    _read_rows(sheet, province, name_cols[0],
               next((c for c in columns if c.role == "district"), None),
               next((c for c in columns if c.role == "stt"), None), inds,
               mapping, accept_matches)
    return sheet


def _classify(label: str, stt: str, province_key: str, districts: dict[str, str],
              edition: str) -> tuple[str, str | None]:
    """(kind, district name) of a row from its label and order cell."""
    from geo.names import ascii_key, strip_prefix

    m = _ORDINAL.match(label)
    ordinal = m.group("ord").rstrip(".)") if m else stt.rstrip(".)")
    text = m.group("rest").strip() if m else label
    key = column_key(text)
    if not key:
        return "empty", None
    if key.startswith(("tongcong", "toantinh", "toanthanhpho", "tongso", "congtoantinh")) \
            or key in ("tong", "cong", "tongsotoantinh") or key == province_key \
            or key in (f"tinh{province_key}", f"thanhpho{province_key}"):
        return "total", None
    if key.startswith(_FOOT) or text.startswith(("*", "(*)")) or re.match(
            r".*ngay\d*thang", key):
        return "footnote", None
    if key.startswith("cong"):
        rest = re.sub(r"^(cộng|cong)\s*[:.-]?\s*", "", text, flags=re.I)
        return "subtotal", districts.get(ascii_key(rest)) or districts.get(
            ascii_key(strip_prefix(rest)[1]))
    kind, rest = strip_prefix(text)
    if re.match(r"^(h|tx|tp|q)\.\s*", text, re.I):
        kind, rest = "huyện", re.sub(r"^(h|tx|tp|q)\.\s*", "", text, flags=re.I)
    roman = bool(_ROMAN.match(ordinal or ""))
    if kind in ("huyện", "thị xã", "thành phố", "quận") or roman:
        d = districts.get(ascii_key(rest)) or districts.get(ascii_key(text))
        if d is not None or kind in ("huyện", "quận") or roman:
            return "district", d  # a group row (I, II…): its communes follow
    return "commune", None


def _read_rows(sheet: ReportSheet, province: Any, name_col: SheetColumn,
               dist_col: SheetColumn | None, stt_col: SheetColumn | None,
               inds: list[SheetColumn], mapping: Mapping | None, accept: bool) -> None:
    """Classify the rows, match the communes, check subtotals, make the records."""
    from geo.io.boundary_match import province_units
    from geo.names import ascii_key, match_names

    tab = sheet.table
    df = tab.df
    name = tab.file
    edition = sheet.edition or "legacy"
    units = province_units(province, edition)
    districts: dict[str, str] = {}
    if edition == "legacy":
        for d in units.district_name.dropna().unique():
            from geo.names import strip_prefix

            districts[ascii_key(d)] = d
            districts[ascii_key(strip_prefix(d)[1])] = d
    pkey = column_key(re.sub(r"^(tỉnh|thành phố)\s+", "", str(province.name), flags=re.I))
    kinds: dict[int, str] = {}
    group_of: dict[int, str | None] = {}
    current: str | None = None
    seen_commune = False
    for i in range(len(df)):
        label = _text(df.iat[i, name_col.index])
        stt = _text(df.iat[i, stt_col.index]) if stt_col is not None else ""
        has_val = any(df.iat[i, c.index] is not None for c in inds)
        if not label:
            row_text = " ".join(_text(v) for v in df.iloc[i] if _text(v))
            kinds[i] = "footnote" if row_text and not has_val else "empty"
            if has_val:
                kinds[i] = "nameless"
            continue
        kind, dname = _classify(label, stt, pkey, districts, edition)
        if kind == "commune" and seen_commune and not has_val and not any(
                _is_number(v) for v in df.iloc[i] if v is not None) and len(label) > 40:
            kind = "footnote"
        kinds[i] = kind
        if kind == "district":
            current = dname
        if kind == "commune":
            seen_commune = True
            group_of[i] = _text(df.iat[i, dist_col.index]) if dist_col is not None else current
    sheet.rows = kinds
    communes = [i for i, k in kinds.items() if k == "commune"]
    for i, k in kinds.items():
        if k == "nameless":
            sheet.problems.append(Problem(
                "dòng có số liệu nhưng không có tên xã", "a row with figures but no commune "
                "name", file=name, row=tab.rows[i], column=f"{name_col.header} "
                f"({name_col.letter})"))
    foot = [i for i, k in kinds.items() if k == "footnote"]
    if foot:
        sheet.notes.append(Problem(
            f"bỏ qua {len(foot)} dòng chú thích/chữ ký (dòng {tab.rows[foot[0]]}…)",
            f"{len(foot)} note/signature rows ignored (row {tab.rows[foot[0]]}…)", file=name))
    # names → codes
    qnames = [_text(df.iat[i, name_col.index]) for i in communes]
    qnames = [(_ORDINAL.match(n).group("rest").strip() if _ORDINAL.match(n) else n)
              for n in qnames]
    groups = [group_of.get(i) for i in communes]
    has_groups = edition == "legacy" and any(g for g in groups)
    m = match_names(qnames, units, group_col="district_name" if has_groups else None,
                    query_groups=groups if has_groups else None) if communes else None
    chosen = {}
    for k, v in (mapping.communes if mapping else {}).items():
        chosen[ascii_key(k.split("|")[0]) + "|" + ascii_key(k.split("|")[1] if "|" in k
                                                             else "")] = v
    valid = set(units.code)
    code_of: dict[int, str] = {}
    udist = units.set_index("code").district_name
    for k, i in enumerate(communes):
        r = m.iloc[k]
        nm, grp = qnames[k], groups[k]
        where = f"{name_col.header} ({name_col.letter})"
        key = ascii_key(nm) + "|" + ascii_key(grp or "")
        pick = chosen.get(key) or chosen.get(ascii_key(nm) + "|")
        if pick is not None:
            if pick in valid:
                code_of[i] = pick
                continue
            sheet.problems.append(Problem(
                f"ánh xạ chọn mã xã '{pick}' cho '{nm}' nhưng mã này không thuộc tỉnh",
                f"the mapping picks commune code '{pick}' for '{nm}', which is not in the "
                "province", file=name, row=tab.rows[i], column=where))
            continue
        alts = "; ".join(f"{c} {n} ({s:.0f})" for c, n, s in list(r.alternatives)[:3]) or "—"
        if r.method in ("exact", "normalized", "code") or (r.method == "ascii"
                                                           and r.score >= 100):
            code_of[i] = r.code
        elif r.method in ("ascii", "fuzzy"):
            d = udist.get(r.code)
            u = {"row": tab.rows[i], "name": nm, "district": grp, "code": r.code,
                 "matched_name": r.matched_name, "district_name": d,
                 "score": round(float(r.score), 1), "alternatives": list(r.alternatives)[:3]}
            sheet.uncertain.append(u)
            desc = f"{r.matched_name} ({r.code}{', ' + d if isinstance(d, str) else ''})"
            if accept:
                code_of[i] = r.code
                sheet.notes.append(Problem(
                    f"tên '{nm}' được nhận là {desc}, khớp gần đúng (điểm {r.score:.0f})",
                    f"name '{nm}' taken as {desc}, an approximate match (score "
                    f"{r.score:.0f})", file=name, row=tab.rows[i], column=where))
            else:
                sheet.problems.append(Problem(
                    f"tên '{nm}' chỉ khớp gần đúng với {desc} (điểm {r.score:.0f}): cần người "
                    "xác nhận — chọn trên trang Dữ liệu, ghi mã trong tệp ánh xạ, hoặc dùng "
                    "--accept-matches",
                    f"name '{nm}' only approximately matches {desc} (score {r.score:.0f}): "
                    "a person must confirm — pick it on the Data page, write the code in the "
                    "mapping file, or use --accept-matches", file=name, row=tab.rows[i],
                    column=where))
        else:
            why_vi = "khớp với nhiều xã" if r.method == "ambiguous" else "không khớp xã nào"
            why_en = "matches several communes" if r.method == "ambiguous" else \
                "matches no commune"
            sheet.problems.append(Problem(
                f"tên '{nm}'{' (' + grp + ')' if grp else ''} {why_vi} của "
                f"{province.name}; gần nhất: {alts}",
                f"name '{nm}'{' (' + grp + ')' if grp else ''} {why_en} of "
                f"{province.name}; closest: {alts}", file=name, row=tab.rows[i],
                column=where))
    _check_totals(sheet, kinds, inds, communes)
    dash = 0
    for i in communes:
        if i not in code_of:
            continue
        for c in inds:
            raw = df.iat[i, c.index]
            if raw is None:
                continue
            if _text(raw) in _DASHES:
                raw, dash = 0, dash + 1
            sheet.records.append({
                "i": i, "code": code_of[i], "name": None, "district": None,
                "period": sheet.period, "period_col": "ky", "indicator": c.indicator,
                "indicator_col": c.header, "value": raw, "value_col": c.header,
                "code_col": name_col.header, "name_col": name_col.header})
    if dash:
        sheet.notes.append(Problem(f"{dash} ô ghi '-' được hiểu là 0",
                                   f"{dash} cells written '-' were read as 0", file=name))
    n_sub = sum(1 for k in kinds.values() if k in ("subtotal", "district", "total"))
    if n_sub:
        sheet.notes.append(Problem(
            f"{n_sub} dòng cộng huyện/tổng cộng được đối chiếu với tổng các xã và không nhập "
            "như xã", f"{n_sub} subtotal/total rows were checked against the sum of their "
            "communes and not imported as communes", file=name))


def _number(v: object) -> float | None:
    if v is None:
        return None
    if _text(v) in _DASHES:
        return 0.0
    return parse_number(v)


def _check_totals(sheet: ReportSheet, kinds: dict[int, str], inds: list[SheetColumn],
                  communes: list[int]) -> None:
    """Compare every subtotal/district/total row with the sum of its communes."""
    tab = sheet.table
    df = tab.df
    order = sorted(kinds)
    groups: list[tuple[int, list[int]]] = []
    head: int | None = None
    members: list[int] = []
    since: list[int] = []
    for i in order:
        k = kinds[i]
        if k == "district":
            if head is not None:
                groups.append((head, members))
            head, members, since = i, [], []
        elif k == "commune":
            members.append(i)
            since.append(i)
        elif k == "subtotal":
            groups.append((i, list(since)))
            since = []
        elif k == "total":
            if head is not None:
                groups.append((head, members))
            head, members, since = None, [], []
            groups.append((i, list(communes)))
    if head is not None:
        groups.append((head, members))
    for row, mem in groups:
        label = _text(df.iat[row, next(c for c in sheet.columns if c.role == "name").index])
        for c in inds:
            stated = _number(df.iat[row, c.index])
            if stated is None:
                continue
            if not mem:
                continue
            total = sum(v for v in (_number(df.iat[i, c.index]) for i in mem) if v is not None)
            sheet.checks.append({"row": tab.rows[row], "label": label, "column": c.header,
                                 "stated": stated, "communes": total,
                                 "from_row": tab.rows[mem[0]], "to_row": tab.rows[mem[-1]]})
            if abs(stated - total) > 0.5 + 1e-9 * abs(total):
                from geo.i18n import fmt_number

                d = stated - total
                sheet.problems.append(Problem(
                    f"dòng '{label}' ghi {fmt_number(stated, 'vi')} nhưng tổng {len(mem)} xã "
                    f"của nó (dòng {tab.rows[mem[0]]}–{tab.rows[mem[-1]]}) là "
                    f"{fmt_number(total, 'vi')} (chênh {fmt_number(d, 'vi')}): sửa số của "
                    "dòng cộng hoặc của các xã",
                    f"row '{label}' states {fmt_number(stated, 'en')} but its {len(mem)} "
                    f"communes (rows {tab.rows[mem[0]]}–{tab.rows[mem[-1]]}) add up to "
                    f"{fmt_number(total, 'en')} (off by {fmt_number(d, 'en')}): fix the "
                    "subtotal or the communes", file=tab.file, row=tab.rows[row],
                    column=f"{c.header} ({c.letter})"))
