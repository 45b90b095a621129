"""Reading the tables data officers bring: CSV and Excel, as they really are.

Handles: UTF-8 with or without BOM, cp1258 / TCVN3 / VNI text, comma, semicolon
or tab separators, Excel merged header cells and multi-row headers, formulas
(their cached values), dates typed as text, Vietnamese numbers (``1.234``,
``1.234,5``), old-Mac CR line endings, and empty trailing rows. Every cell keeps its
spreadsheet position so problems can be reported as file, row and column.

Any file is read within bounds, checked **before** memory grows (issue 17: a 1.6 MB
XLSX whose one cell held 1.5 GB of shared string took the server past 5.9 GB):

- a table file is at most :data:`MAX_TABLE_BYTES` (``DIABAN_MAX_TABLE_MB``, 50 MB) and
  :data:`MAX_ROWS` rows, in the app and the CLI alike;
- an XLSX is inspected as the zip it is: at most :data:`MAX_XLSX_BYTES` unpacked
  (every member's declared size; Python's zip reader never returns more than a member
  declares), shared strings at most :data:`MAX_SHARED_BYTES` and
  :data:`MAX_SHARED_STRINGS`, no cell longer than :data:`MAX_CELL_CHARS` (Excel's own
  limit), at most :data:`MAX_CELLS` cells — counted while the XML streams through,
  without keeping it — then read by openpyxl in read-only mode;
- a CSV cell longer than :data:`MAX_CELL_CHARS` is refused the same way.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.errors import Problem, ValidationError

__all__ = ["MAX_CELLS", "MAX_CELL_CHARS", "MAX_ROWS", "MAX_SHARED_BYTES", "MAX_SHARED_STRINGS",
           "MAX_TABLE_BYTES", "MAX_XLSX_BYTES", "Grid", "Table", "parse_number", "read_grid",
           "read_table"]

#: Most data rows of a table.
MAX_ROWS = 200_000
MAX_VALUE = 1e9  # no commune figure is anywhere near this
#: Largest table file, in bytes (``DIABAN_MAX_TABLE_MB``, default 50).
MAX_TABLE_BYTES = int(float(os.environ.get("DIABAN_MAX_TABLE_MB", "50")) * 1024 * 1024)
#: Most bytes an XLSX may unpack to (all members, as declared).
MAX_XLSX_BYTES = 256 * 1024 * 1024
#: Largest shared-strings part of an XLSX, unpacked.
MAX_SHARED_BYTES = 32 * 1024 * 1024
#: Most shared strings of an XLSX.
MAX_SHARED_STRINGS = 1_000_000
#: Longest cell text (Excel's own limit).
MAX_CELL_CHARS = 32_767
#: Most cells of a sheet (rows × columns as read, empty ones included).
MAX_CELLS = 4_000_000
_XML_CHUNK = 1 << 20


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
    size = path.stat().st_size
    if size == 0:
        raise ValidationError("Tệp rỗng (0 byte).", "The file is empty (0 bytes).", file=name)
    if size > MAX_TABLE_BYTES:
        raise _too_big(name, f"{size / 2**20:.0f} MB (tối đa {MAX_TABLE_BYTES // 2**20} MB)",
                       f"{size / 2**20:.0f} MB (at most {MAX_TABLE_BYTES // 2**20} MB)")
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


def _too_big(name: str, what_vi: str, what_en: str) -> ValidationError:
    return ValidationError(
        f"Tệp vượt giới hạn: {what_vi}. Hãy chia tệp thành nhiều tệp nhỏ hơn (hoặc xóa các ô, "
        "trang tính thừa) rồi nhập lại.",
        f"The file is over a limit: {what_en}. Split it into smaller files (or remove "
        "stray cells and sheets) and import again.", file=name)


def _read_csv(path: Path, name: str) -> Grid:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise ValidationError(
            "Tệp không phải bảng văn bản CSV (có ký tự nhị phân). Nếu là Excel, hãy dùng đuôi "
            ".xlsx.", "Not a text CSV file (binary content). If it is Excel, use .xlsx.",
            file=name)
    text, enc = _decode(raw, name)
    del raw
    if not text.strip():
        raise ValidationError("Tệp không có dữ liệu.", "The file has no data.", file=name)
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delim = dialect.delimiter
    except csv.Error:
        first = sample.splitlines()[0]
        delim = max([",", ";", "\t"], key=first.count)
    # newline="": lines may end in \n, \r\n or a lone \r (old Mac files); quoted cells
    # keep their line breaks.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows: list[list[str]] = []
    most = MAX_ROWS + 31  # the header may sit below up to 30 title rows
    try:
        for r in reader:
            rows.append(r)
            if len(rows) > most:
                raise _too_big(name, f"hơn {MAX_ROWS:,} dòng".replace(",", "."),
                               f"more than {MAX_ROWS:,} rows")
            for j, c in enumerate(r):
                if len(c) > MAX_CELL_CHARS:
                    raise ValidationError(
                        f"Ô dài quá {MAX_CELL_CHARS} ký tự.",
                        f"A cell is longer than {MAX_CELL_CHARS} characters.", file=name,
                        row=len(rows), column=str(j + 1))
    except csv.Error as e:
        raise ValidationError(
            f"Không đọc được tệp CSV ở dòng {reader.line_num}: dấu ngoặc kép không đóng hoặc "
            "ô quá dài. Hãy mở tệp trong Excel và lưu lại dạng CSV UTF-8.",
            f"Cannot read the CSV at line {reader.line_num} ({e}). Open it in Excel and "
            "save it again as CSV UTF-8.", file=name, row=reader.line_num) from None
    return Grid(rows, [i + 1 for i in range(len(rows))], [], name, enc, letters=False)


def _damaged(name: str, e: BaseException) -> ValidationError:
    return ValidationError(
        "Tệp Excel bị hỏng hoặc không phải .xlsx thật (không mở được).",
        f"The Excel file is damaged or not a real .xlsx ({type(e).__name__}).", file=name)


@dataclass
class _SheetFacts:
    """What the streaming pass over the first sheet found."""

    merged: list[str] = field(default_factory=list)
    uncached: list[str] = field(default_factory=list)


def _parse_stream(stream: io.BufferedIOBase, start: object, end: object = None,
                  text: object = None) -> None:
    """Feed an XML member to expat in chunks; nothing of it is kept but what handlers keep."""
    from xml.parsers import expat

    p = expat.ParserCreate(namespace_separator=" ")
    p.buffer_text = False
    p.StartElementHandler = start
    if end is not None:
        p.EndElementHandler = end
    if text is not None:
        p.CharacterDataHandler = text
    while chunk := stream.read(_XML_CHUNK):
        p.Parse(chunk, False)
    p.Parse(b"", True)


def _local(tag: str) -> str:
    return tag.rsplit(" ", 1)[-1]


def _first_sheet(zf: zipfile.ZipFile) -> str:
    """Path in the zip of the workbook's first sheet (as openpyxl's ``worksheets[0]``)."""
    import posixpath

    first: dict[str, str] = {}
    targets: dict[str, str] = {}

    def on_sheet(tag: str, attrs: dict) -> None:
        if _local(tag) == "sheet" and "rid" not in first:
            rid = [v for k, v in attrs.items() if _local(k) == "id"]
            if rid:
                first["rid"] = rid[0]

    def on_rel(tag: str, attrs: dict) -> None:
        if _local(tag) == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    with zf.open("xl/workbook.xml") as f:
        _parse_stream(f, on_sheet)
    with zf.open("xl/_rels/workbook.xml.rels") as f:
        _parse_stream(f, on_rel)
    target = targets.get(first.get("rid", ""), "worksheets/sheet1.xml")
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join("xl", target))


def _check_xlsx(path: Path, name: str) -> _SheetFacts:
    """Inspect an XLSX as a zip before openpyxl loads anything (see the module docs).

    Returns the first sheet's merged ranges and formulas without a cached value,
    found in the same streaming pass that counts its cells.

    Raises
    ------
    ValidationError
        Damaged file, or over one of the limits.
    """
    from xml.parsers.expat import ExpatError

    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise _damaged(name, e) from None
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if len(infos) > 10_000 or total > MAX_XLSX_BYTES:
            raise _too_big(name, f"giải nén ra {total / 2**20:.0f} MB (tối đa "
                                 f"{MAX_XLSX_BYTES // 2**20} MB)",
                           f"unpacks to {total / 2**20:.0f} MB (at most "
                           f"{MAX_XLSX_BYTES // 2**20} MB)")
        members = {i.filename: i for i in infos}
        try:
            sheet = _first_sheet(zf)
            shared = members.get("xl/sharedStrings.xml")
            if shared is not None:
                _check_shared(zf, shared, name)
            if sheet not in members:
                raise _damaged(name, KeyError(sheet))
            return _check_sheet(zf, sheet, name)
        except (KeyError, ExpatError, zipfile.BadZipFile, EOFError, OSError) as e:
            raise _damaged(name, e) from None


def _check_shared(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    if info.file_size > MAX_SHARED_BYTES:
        raise _too_big(name, f"bảng chuỗi dùng chung {info.file_size / 2**20:.0f} MB (tối đa "
                             f"{MAX_SHARED_BYTES // 2**20} MB)",
                       f"{info.file_size / 2**20:.0f} MB of shared strings (at most "
                       f"{MAX_SHARED_BYTES // 2**20} MB)")
    state = {"n": 0, "len": 0}

    def start(tag: str, attrs: dict) -> None:
        if _local(tag) == "si":
            state["n"] += 1
            state["len"] = 0
            if state["n"] > MAX_SHARED_STRINGS:
                raise _too_big(name, f"hơn {MAX_SHARED_STRINGS:,} chuỗi".replace(",", "."),
                               f"more than {MAX_SHARED_STRINGS:,} shared strings")

    def text(data: str) -> None:
        state["len"] += len(data)
        if state["len"] > MAX_CELL_CHARS:
            raise _too_big(name, f"một ô dài hơn {MAX_CELL_CHARS} ký tự",
                           f"a cell longer than {MAX_CELL_CHARS} characters")

    with zf.open(info) as f:
        _parse_stream(f, start, text=text)


def _check_sheet(zf: zipfile.ZipFile, sheet: str, name: str) -> _SheetFacts:
    facts = _SheetFacts()
    state = {"cells": 0, "ref": "", "f": False, "v": False, "in_t": False, "len": 0}

    def start(tag: str, attrs: dict) -> None:
        t = _local(tag)
        if t == "c":
            state["cells"] += 1
            if state["cells"] > MAX_CELLS:
                raise _too_big(name, f"hơn {MAX_CELLS:,} ô".replace(",", "."),
                               f"more than {MAX_CELLS:,} cells")
            state.update(ref=attrs.get("r", ""), f=False, v=False, len=0)
        elif t == "f":
            state["f"] = True
        elif t in ("v", "t"):
            state["in_t"] = True
        elif t == "mergeCell" and attrs.get("ref"):
            facts.merged.append(attrs["ref"])

    def end(tag: str) -> None:
        t = _local(tag)
        if t in ("v", "t"):
            state["in_t"] = False
        elif t == "c" and state["f"] and not state["v"] and state["ref"]:
            facts.uncached.append(state["ref"])

    def text(data: str) -> None:
        if state["in_t"]:
            state["len"] += len(data)
            if data.strip():
                state["v"] = True
            if state["len"] > MAX_CELL_CHARS:
                raise _too_big(name, f"một ô dài hơn {MAX_CELL_CHARS} ký tự",
                               f"a cell longer than {MAX_CELL_CHARS} characters")

    with zf.open(sheet) as f:
        _parse_stream(f, start, end, text)
    return facts


def _read_xlsx(path: Path, name: str) -> Grid:
    from openpyxl import load_workbook
    from openpyxl.utils.cell import range_boundaries

    facts = _check_xlsx(path, name)  # bounded: nothing big is loaded before this
    if facts.uncached:
        cells = ", ".join(facts.uncached[:5])
        raise ValidationError(
            f"Tệp có công thức chưa được tính (ô {cells}). Hãy mở tệp trong Excel, lưu lại "
            "rồi nhập lại, hoặc dán giá trị thay cho công thức.",
            f"The file has formulas without computed values (cells {cells}). Open and save "
            "it in Excel, or paste values instead of formulas.", file=name)
    try:
        wb = load_workbook(path, data_only=True, read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise _damaged(name, e) from None
    values: list[list] = []
    cells = 0
    try:
        ws = wb.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            cells += len(row)
            if cells > MAX_CELLS or len(values) > MAX_ROWS + 31:
                raise _too_big(name, f"hơn {MAX_CELLS:,} ô hoặc {MAX_ROWS:,} dòng"
                               .replace(",", "."),
                               f"more than {MAX_CELLS:,} cells or {MAX_ROWS:,} rows")
            values.append(list(row))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as e:
        raise _damaged(name, e) from None
    finally:
        wb.close()
    # Fill merged cells with their top-left value (merged header cells).
    spans: list[tuple[int, int, int, int]] = []
    for ref in facts.merged:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        spans.append((min_row - 1, min_col - 1, max_row - 1, max_col - 1))
        if min_row - 1 >= len(values):
            continue
        first = values[min_row - 1]
        v = first[min_col - 1] if min_col - 1 < len(first) else None
        for r in range(min_row - 1, min(max_row, len(values))):
            for c in range(min_col - 1, max_col):
                if c < len(values[r]):
                    values[r][c] = v
    rows = [["" if v is None else v for v in r] for r in values]
    return Grid(rows, list(range(1, len(rows) + 1)), spans, name, None, letters=True)


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
