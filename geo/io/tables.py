"""Reading the tables data officers bring: CSV and Excel, as they really are.

Handles: UTF-8 with or without BOM, cp1258 / TCVN3 / VNI text, comma, semicolon
or tab separators, Excel merged header cells and multi-row headers, formulas
(their cached values), dates typed as text, Vietnamese numbers (``1.234``,
``1.234,5``), and empty trailing rows. Every cell keeps its spreadsheet
position so problems can be reported as file, row and column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.errors import Problem, ValidationError

__all__ = ["Grid", "Table", "parse_number", "read_grid", "read_table"]

MAX_ROWS = 200_000
MAX_VALUE = 1e9  # no commune figure is anywhere near this


@dataclass
class Table:
    """A table read from a user's file.

    Attributes
    ----------
    df : pandas.DataFrame
        Cells as strings (``None`` for empty), columns as written (header text).
    rows : list of int
        Spreadsheet row number of each ``df`` row (1-based, as Excel shows it).
    letters : dict
        Column name → spreadsheet column letter (``"C"``) or 1-based position.
    file : str
        File name for messages.
    encoding : str or None
        Detected text encoding (CSV).
    preamble : list of str
        Title lines above the header (e.g. ``Kỳ báo cáo: 2023-H1``).
    """

    df: pd.DataFrame
    rows: list[int]
    letters: dict[str, str]
    file: str
    encoding: str | None = None
    preamble: list[str] = field(default_factory=list)

    def where(self, i: int, col: str) -> dict:
        """Location of cell ``(i, col)`` for a :class:`~geo.errors.Problem`."""
        letter = self.letters.get(col)
        column = f"{col} ({letter})" if letter else col
        return {"file": self.file, "row": self.rows[i], "column": column}


@dataclass
class Grid:
    """The cells of a file as they are, before any header is looked for.

    What :mod:`geo.io.report_sheets` interprets (title blocks, multi-row headers,
    subtotal rows); :func:`read_table` turns it into a :class:`Table`.

    Attributes
    ----------
    rows : list of list
        Cell values, ``""`` for empty; a merged range's cells all hold its
        top-left value.
    numbers : list of int
        Spreadsheet row number of each row (1-based).
    merged : list of tuple
        Merged ranges ``(first_row, first_col, last_row, last_col)``, 0-based
        indices into ``rows`` and their cells.
    file : str
        File name for messages.
    encoding : str or None
        Detected text encoding (CSV).
    letters : bool
        Columns are named by spreadsheet letters (XLSX), else by position (CSV).
    """

    rows: list[list]
    numbers: list[int]
    merged: list[tuple[int, int, int, int]]
    file: str
    encoding: str | None = None
    letters: bool = False


def col_letter(n: int) -> str:
    """Spreadsheet letter of a 1-based column number (``28`` → ``"AB"``)."""
    return _col_letter(n)


def _col_letter(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


_NUM_VI = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234 / 1.234,5
_NUM_EN = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234 / 1,234.5
_NUM_PLAIN = re.compile(r"^[+-]?\d+([.,]\d+)?$")


def parse_number(text: object) -> float | None:
    """Parse a number as Vietnamese offices write it; ``None`` if it is not one.

    ``1.234`` is one thousand two hundred thirty-four (Vietnamese thousands
    separator), ``1.234,5`` and ``1,234.5`` both mean 1234.5, ``12,5`` is 12.5.

    Examples
    --------
    >>> parse_number("1.234"), parse_number("1.234,5"), parse_number("12,5")
    (1234.0, 1234.5, 12.5)
    >>> parse_number("abc") is None
    True
    """
    if text is None:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    s = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if not s:
        return None
    if _NUM_VI.match(s):
        return float(s.replace(".", "").replace(",", "."))
    if _NUM_EN.match(s):
        return float(s.replace(",", ""))
    if _NUM_PLAIN.match(s):
        return float(s.replace(",", "."))
    return None


def read_table(path: str | Path, display_name: str | None = None) -> Table:
    """Read a CSV or XLSX file into a :class:`Table`.

    Raises
    ------
    ValidationError
        With the file (and, where known, row) when the file cannot be read:
        empty, not a table, an unknown encoding, too many rows...
    """
    return table_from_grid(read_grid(path, display_name))


def table_from_grid(grid: Grid) -> Table:
    """The :class:`Table` of a grid: header row found, data rows below it."""
    return _to_table([list(r) for r in grid.rows], list(grid.numbers), grid.file,
                     grid.encoding, letters=grid.letters)


def read_grid(path: str | Path, display_name: str | None = None) -> Grid:
    """Read a CSV or XLSX file's cells, as they are, into a :class:`Grid`.

    Raises
    ------
    ValidationError
        As :func:`read_table`.
    """
    path = Path(path)
    name = display_name or path.name
    if not path.exists():
        raise ValidationError(f"Không tìm thấy tệp '{name}'.", f"File '{name}' not found.",
                              file=name)
    if path.stat().st_size == 0:
        raise ValidationError("Tệp rỗng (0 byte).", "The file is empty (0 bytes).", file=name)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, name)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, name)
    if suffix == ".xls":
        raise ValidationError(
            "Định dạng Excel 97-2003 (.xls) chưa được hỗ trợ; hãy lưu lại thành .xlsx hoặc .csv.",
            "Excel 97-2003 (.xls) is not supported; save it as .xlsx or .csv.", file=name)
    raise ValidationError(
        f"Không đọc được loại tệp '{suffix or '(không có đuôi)'}'; dùng .csv hoặc .xlsx.",
        f"Unsupported file type '{suffix or '(none)'}'; use .csv or .xlsx.", file=name)


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    from geo.textenc import detect_and_decode

    return detect_and_decode(raw)


def _read_csv(path: Path, name: str) -> Grid:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise ValidationError(
            "Tệp không phải bảng văn bản CSV (có ký tự nhị phân). Nếu là Excel, hãy dùng đuôi "
            ".xlsx.", "Not a text CSV file (binary content). If it is Excel, use .xlsx.",
            file=name)
    text, enc = _decode(raw, name)
    if not text.strip():
        raise ValidationError("Tệp không có dữ liệu.", "The file has no data.", file=name)
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delim = dialect.delimiter
    except csv.Error:
        first = sample.splitlines()[0]
        delim = max([",", ";", "\t"], key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    rows = [r for r in reader]
    return Grid(rows, [i + 1 for i in range(len(rows))], [], name, enc, letters=False)


def _read_xlsx(path: Path, name: str) -> Grid:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=True, read_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise ValidationError(
            "Tệp Excel bị hỏng hoặc không phải .xlsx thật (không mở được).",
            f"The Excel file is damaged or not a real .xlsx ({type(e).__name__}).",
            file=name) from None
    ws = wb.worksheets[0]
    # Fill merged cells with their top-left value (merged header cells).
    merged = list(ws.merged_cells.ranges)
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    for rng in merged:
        v = values[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(values) else None
        for r in range(rng.min_row - 1, min(rng.max_row, len(values))):
            for c in range(rng.min_col - 1, rng.max_col):
                if c < len(values[r]):
                    values[r][c] = v
    # A formula without a cached value (file never opened in Excel) reads as None;
    # detect it to say so rather than report "empty".
    formulas = _uncached_formulas(path, ws)
    rows = [["" if v is None else v for v in r] for r in values]
    spans = [(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in merged]
    if formulas:
        cells = ", ".join(formulas[:5])
        raise ValidationError(
            f"Tệp có công thức chưa được tính (ô {cells}). Hãy mở tệp trong Excel, lưu lại "
            "rồi nhập lại, hoặc dán giá trị thay cho công thức.",
            f"The file has formulas without computed values (cells {cells}). Open and save "
            "it in Excel, or paste values instead of formulas.", file=name)
    return Grid(rows, list(range(1, len(rows) + 1)), spans, name, None, letters=True)


def _uncached_formulas(path: Path, values: object) -> list[str]:
    """Cells of the first sheet holding a formula without a computed value.

    ``values`` is that sheet already loaded with ``data_only=True``; only the
    formulas are loaded again (openpyxl gives either formulas or values per load).
    """
    from openpyxl import load_workbook

    wb_f = load_workbook(path, data_only=False, read_only=True)
    out = []
    try:
        for row in wb_f.worksheets[0].iter_rows():
            for cf in row:
                if (isinstance(cf.value, str) and cf.value.startswith("=")
                        and values[cf.coordinate].value is None):
                    out.append(cf.coordinate)
    finally:
        wb_f.close()
    return out


def _header_row(rows: list[list]) -> int:
    """Index of the header row: the first with at least two non-empty cells.

    Single-cell title rows above the table (province, period) are skipped.
    """
    for i, r in enumerate(rows[:30]):
        filled = [c for c in r if str(c).strip() != ""]
        if len(filled) >= 2:
            return i
    return 0


def _to_table(rows: list[list], numbers: list[int], name: str, enc: str | None,
              letters: bool) -> Table:
    rows = [r for r in rows]
    # Drop fully empty rows at the end.
    while rows and all(str(c).strip() == "" for c in rows[-1]):
        rows.pop()
        numbers.pop()
    if not rows:
        raise ValidationError("Tệp không có dữ liệu.", "The file has no data.", file=name)
    h = _header_row(rows)
    header = [str(c).strip() for c in rows[h]]
    # Two-row headers (merged group cell above): join "group / sub" when the next row
    # looks like a header too (all text, no numbers).
    nxt = rows[h + 1] if h + 1 < len(rows) else []
    if nxt and all(parse_number(c) is None for c in nxt if str(c).strip()) and any(
            str(c).strip() for c in nxt) and len(set(header)) < len([x for x in header if x]):
        header = [f"{a} / {str(b).strip()}" if str(b).strip() and str(b).strip() != a else a
                  for a, b in zip(header, list(nxt) + [""] * (len(header) - len(nxt)))]
        h += 1
    width = len(header)
    seen: dict[str, int] = {}
    cols = []
    for j, c in enumerate(header):
        c = c or f"cot_{j + 1}"
        if c in seen:
            seen[c] += 1
            c = f"{c}.{seen[c]}"
        else:
            seen[c] = 0
        cols.append(c)
    body = rows[h + 1:]
    body_numbers = numbers[h + 1:]
    if len(body) > MAX_ROWS:
        raise ValidationError(f"Tệp có quá nhiều dòng ({len(body)} > {MAX_ROWS}).",
                              f"Too many rows ({len(body)} > {MAX_ROWS}).", file=name)
    keep = [i for i, r in enumerate(body) if any(str(c).strip() != "" for c in r)]
    data = []
    for i in keep:
        r = list(body[i])[:width] + [""] * max(0, width - len(body[i]))
        data.append([None if (isinstance(c, str) and c.strip() == "") else c for c in r])
    df = pd.DataFrame(data, columns=cols, dtype=object)
    letter_map = {c: (_col_letter(j + 1) if letters else str(j + 1)) for j, c in enumerate(cols)}
    pre = [" ".join(str(c).strip() for c in r if str(c).strip()) for r in rows[:h]]
    return Table(df, [body_numbers[i] for i in keep], letter_map, name, enc,
                 [p for p in pre if p])


def column_key(name: object) -> str:
    """Header key: lower case, no diacritics, letters and digits only (``"Mã xã"`` → ``"maxa"``).

    Unlike :func:`geo.names.ascii_key` it keeps words such as ``xa`` or ``huyen``
    that are prefixes in unit names but whole names in headers.
    """
    import unicodedata

    s = unicodedata.normalize("NFD", str(name).lower().replace("đ", "d"))
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return re.sub(r"[^0-9a-z]", "", s)


def require_columns(tab: Table, aliases: dict[str, list[str]]) -> dict[str, str]:
    """Map canonical column names to the table's columns by alias (case/diacritics-insensitive).

    Raises
    ------
    ValidationError
        Listing the missing columns and the columns found.
    """
    ascii_key = column_key
    found = {ascii_key(c): c for c in tab.df.columns}
    out: dict[str, str] = {}
    missing = []
    for canon, names in aliases.items():
        for n in names:
            if ascii_key(n) in found:
                out[canon] = found[ascii_key(n)]
                break
        else:
            missing.append(canon)
    if missing:
        raise ValidationError(
            f"Thiếu cột: {', '.join(missing)}. Các cột trong tệp: {', '.join(tab.df.columns)}.",
            f"Missing columns: {', '.join(missing)}. Columns found: {', '.join(tab.df.columns)}.",
            file=tab.file, row=tab.rows[0] - 1 if tab.rows else 1)
    return out


def problem(tab: Table, i: int, col: str, vi: str, en: str) -> Problem:
    """A :class:`~geo.errors.Problem` located at row ``i`` (0-based in ``df``), column ``col``."""
    return Problem(vi, en, **tab.where(i, col))
