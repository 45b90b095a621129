"""Hostile XLSX files, made the way the attack of issue 17 made them.

A small zip whose parts unpack to far more than any table needs: a shared string of
1.5 GB in one cell, 30 million shared strings, millions of empty cells, a cell at the
sheet's far corner. Each is a complete workbook (content types, relationships) that
Excel's readers accept as such; parts are written in chunks, so making a 1.5 GB part
needs no 1.5 GB of memory.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CT = (b'<?xml version="1.0" encoding="UTF-8"?>'
       b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
       b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
       b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
       b'officedocument.spreadsheetml.sheet.main+xml"/>'
       b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
       b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
       b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
         b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
         b'//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         b'Target="xl/workbook.xml"/></Relationships>')
_WB = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS}" xmlns:r="http://'
       'schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
       'name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>').encode()
_WB_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            b'http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            b'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            b'Target="sharedStrings.xml"/></Relationships>')
_HEADER = ["ma_xa", "ky", "chi_tieu", "gia_tri"]


def _sheet(rows: Iterable[bytes]) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}"><sheetData>'.encode()
    yield from rows
    yield b"</sheetData></worksheet>"


def _header_row() -> bytes:
    cells = "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABCD"))
    return f'<row r="1">{cells}</row>'.encode()


def workbook(path: Path, sheet: Iterable[bytes], shared: Iterable[bytes]) -> Path:
    """Write a workbook whose sheet and shared strings parts are streamed from chunks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        for name, chunks in (("xl/worksheets/sheet1.xml", sheet),
                             ("xl/sharedStrings.xml", shared)):
            with z.open(name, "w", force_zip64=True) as f:
                for c in chunks:
                    f.write(c)
    return path


def _shared(strings: Iterable[bytes]) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_NS}">'.encode()
    for h in _HEADER:
        yield f"<si><t>{h}</t></si>".encode()
    yield from strings
    yield b"</sst>"


def huge_shared_string(path: Path, gigabytes: float = 1.5) -> Path:
    """One cell whose shared string is ``gigabytes`` of text (the 1.6 MB file of issue 17)."""
    def text() -> Iterator[bytes]:
        yield b"<si><t>"
        left = int(gigabytes * 2**30)
        chunk = b"A" * (1 << 24)
        while left > 0:
            yield chunk[:left]
            left -= len(chunk)
        yield b"</t></si>"

    row = b'<row r="2"><c r="A2" t="s"><v>4</v></c></row>'
    return workbook(path, _sheet([_header_row(), row]), _shared(text()))


def many_shared_strings(path: Path, n: int = 30_000_000) -> Path:
    """``n`` shared strings (30 million: the 1.3 MB file of issue 17)."""
    def strings() -> Iterator[bytes]:
        block = b"<si><t>a</t></si>" * 10_000
        for _ in range(n // 10_000):
            yield block

    return workbook(path, _sheet([_header_row()]), _shared(strings()))


def many_cells(path: Path, n: int = 4_200_000) -> Path:
    """A sheet of ``n`` empty cells in rows of 20 (rows and cells without references, as
    the format allows)."""
    def rows() -> Iterator[bytes]:
        yield _header_row()
        block = (b"<row>" + b"<c/>" * 20 + b"</row>") * 10_000
        for _ in range(max(1, n // 200_000)):
            yield block

    return workbook(path, _sheet(rows()), _shared([]))


def far_corner(path: Path) -> Path:
    """A small sheet with one value in the last cell Excel has (XFD1048576)."""
    row = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return workbook(path, _sheet([_header_row(), row]), _shared([]))
