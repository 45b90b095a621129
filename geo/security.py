"""Hostile input: upload limits, file-type checks, safe archive extraction, markup checks.

Everything a user uploads goes through :func:`check_upload` (name, size, allowed
types) and, once saved, :func:`check_upload_file` (the bytes look like the type
the name claims). Archives are unpacked only with :func:`safe_extract_zip`, which
refuses entries that would land outside the destination (zip slip: ``../``,
absolute paths, drive letters, backslashes), links, encrypted entries, too many
files, too many bytes and implausible compression ratios (zip bombs), checking
the bytes actually written, not the sizes the archive declares.

:data:`HOSTILE_NAMES` and :func:`find_unescaped` are for tests: imported names
are markup-free text wherever they are shown (pages, map popups, tooltips).

Examples
--------
>>> check_upload("so_lieu.xlsx", 10_000, ["csv", "xlsx"])
'xlsx'
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from geo.errors import ValidationError

__all__ = [
    "HOSTILE_NAMES",
    "MAX_ARCHIVE_FILES",
    "MAX_ARCHIVE_RATIO",
    "MAX_EXTRACTED_BYTES",
    "MAX_UPLOAD_BYTES",
    "UPLOAD_TYPES",
    "MAX_JSON_DEPTH",
    "check_json_depth",
    "check_upload",
    "check_upload_file",
    "find_unescaped",
    "safe_extract_zip",
    "safe_filename",
]

#: Largest upload accepted, in bytes (``DIABAN_MAX_UPLOAD_MB``, default 200 MB; keep it
#: equal to ``server.maxUploadSize`` in ``.streamlit/config.toml``).
MAX_UPLOAD_BYTES = int(float(os.environ.get("DIABAN_MAX_UPLOAD_MB", "200")) * 1024 * 1024)
#: Most bytes an archive may unpack to.
MAX_EXTRACTED_BYTES = 2 * 1024 * 1024 * 1024
#: Most entries an archive may hold.
MAX_ARCHIVE_FILES = 10_000
#: Highest uncompressed/compressed ratio for one entry larger than 1 MiB.
MAX_ARCHIVE_RATIO = 200

#: Deepest nesting of arrays and objects accepted in a JSON/GeoJSON file (a GeoJSON
#: multipolygon needs 6 levels inside its feature collection).
MAX_JSON_DEPTH = 64

#: Allowed extensions per kind of upload.
UPLOAD_TYPES: dict[str, tuple[str, ...]] = {
    "table": ("csv", "xlsx"),
    "boundaries": ("zip", "gpkg", "geojson", "json", "kml", "kmz", "shp", "gdb.zip"),
    "raster": ("tif", "tiff"),
    "backup": ("zip",),
}

# Leading bytes of binary formats; text formats are checked for not being binary.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "xlsx": (b"PK\x03\x04",),
    "kmz": (b"PK\x03\x04",),
    "gdb.zip": (b"PK\x03\x04",),
    "gpkg": (b"SQLite format 3\x00",),
    "tif": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
    "tiff": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
}
_TEXT = {"csv", "geojson", "json", "kml"}
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")

#: Strings that would run script or break out of markup if shown unescaped.
HOSTILE_NAMES: tuple[str, ...] = (
    "<img src=x onerror=alert(1)>",
    "<script>alert('xã')</script>",
    "\"><svg onload=alert(1)>",
    "Xã <b onmouseover=alert(1)>Lóng Sập</b>",
    "javascript:alert(1)",
    "</textarea><iframe src=javascript:alert(1)>",
    "{{7*7}} ${7*7}",
)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def _ext(name: str, allowed: Iterable[str]) -> str | None:
    low = name.lower()
    best = None
    for e in allowed:
        e = e.lower().lstrip(".")
        if low.endswith("." + e) and (best is None or len(e) > len(best)):
            best = e
    return best


def safe_filename(name: str) -> str:
    r"""The last component of an uploaded file name, without control characters.

    Examples
    --------
    >>> safe_filename("../../etc/passwd")
    'passwd'
    >>> safe_filename("C:\\Users\\a\\xa.csv")
    'xa.csv'
    """
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/")
    name = name.rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name if name not in ("", ".", "..") else "upload"


def check_upload(name: str, size: int, allowed_exts: Iterable[str],
                 max_bytes: int | None = None) -> str:
    """Check an upload's name and size before reading it.

    Parameters
    ----------
    name : str
        File name as sent by the browser (only its last component is used).
    size : int
        Size in bytes.
    allowed_exts : iterable of str
        Allowed extensions, with or without the dot (``"csv"``, ``".xlsx"``,
        ``"gdb.zip"``); see :data:`UPLOAD_TYPES`.
    max_bytes : int, optional
        Size limit (default :data:`MAX_UPLOAD_BYTES`).

    Returns
    -------
    str
        The matched extension, lower case, without the dot.

    Raises
    ------
    ValidationError
        Empty or too large file, or a type not allowed (Vietnamese and English).
    """
    allowed = [e.lower().lstrip(".") for e in allowed_exts]
    limit = MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    shown = safe_filename(name)
    if size <= 0:
        raise ValidationError(f"Tệp '{shown}' rỗng.", f"File '{shown}' is empty.", file=shown)
    if size > limit:
        raise ValidationError(
            f"Tệp '{shown}' quá lớn ({_mb(size)}); giới hạn {_mb(limit)}.",
            f"File '{shown}' is too large ({_mb(size)}); the limit is {_mb(limit)}.",
            file=shown,
        )
    ext = _ext(shown, allowed)
    if ext is None:
        raise ValidationError(
            f"Loại tệp '{shown}' không được nhận; chỉ nhận: {', '.join(allowed)}.",
            f"File type of '{shown}' is not accepted; accepted: {', '.join(allowed)}.",
            file=shown,
        )
    return ext


def check_upload_file(path: str | Path, allowed_exts: Iterable[str],
                      name: str | None = None, max_bytes: int | None = None) -> str:
    """Check a saved upload: name, size on disk, and that its bytes match its type.

    A spreadsheet must be a zip container, a GeoPackage an SQLite file, a GeoTIFF
    a TIFF; text formats must not contain NUL bytes. Renaming an executable or an
    HTML page to ``.xlsx`` does not get it through.

    Returns
    -------
    str
        The matched extension.

    Raises
    ------
    ValidationError
        As :func:`check_upload`, or when the content does not match the extension.
    """
    path = Path(path)
    shown = safe_filename(name or path.name)
    ext = check_upload(shown, path.stat().st_size, allowed_exts, max_bytes)
    with open(path, "rb") as f:
        head = f.read(4096)
    magic = _MAGIC.get(ext)
    bad = (magic is not None and not head.startswith(magic)) or (
        ext in _TEXT and b"\x00" in head.lstrip(b"\xff\xfe\xef\xbb\xbf")
        and not head.startswith((b"\xff\xfe", b"\xfe\xff")))
    if bad:
        raise ValidationError(
            f"Nội dung tệp '{shown}' không phải định dạng {ext.upper()} như tên tệp ghi.",
            f"The content of '{shown}' is not {ext.upper()} as its name says.",
            file=shown,
        )
    return ext


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def check_json_depth(raw: bytes, name: str, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Refuse JSON nested deeper than ``max_depth`` before a parser recurses into it.

    Python's ``json`` raises ``RecursionError`` (and GDAL may crash) on a few hundred
    thousand nested brackets, which fit in a few hundred kilobytes. The scan is
    linear and ignores brackets inside strings.

    Raises
    ------
    ValidationError
        Nested deeper than ``max_depth``.

    Examples
    --------
    >>> check_json_depth(b'{"a": [[1, "]]]"]]}', "a.json")
    >>> check_json_depth(b"[" * 100 + b"]" * 100, "b.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    geo.errors.ValidationError: b.json: Tệp JSON lồng nhau quá sâu (hơn 64 tầng)...
    """
    import numpy as np

    brackets = _JSON_STRING.sub(b'""', raw).translate(None, _NOT_BRACKETS)
    if not brackets:
        return
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1).astype(np.int32)
    if int(np.cumsum(steps).max()) > max_depth:
        raise ValidationError(
            f"Tệp JSON lồng nhau quá sâu (hơn {max_depth} tầng); tệp bất thường, chưa đọc.",
            f"The JSON file is nested too deeply (over {max_depth} levels); an abnormal "
            "file, not read.", file=name)


def _bad_member(name: str) -> str | None:
    """Why an archive member name is unsafe, or ``None``."""
    if "\x00" in name:
        return "NUL"
    norm = name.replace("\\", "/")
    if norm.startswith("/") or _WINDOWS_DRIVE.match(norm):
        return "absolute"
    if ".." in PurePosixPath(norm).parts:
        return "parent"
    return None


def safe_extract_zip(path: str | Path, dest: str | Path,
                     max_total_bytes: int = MAX_EXTRACTED_BYTES,
                     max_files: int = MAX_ARCHIVE_FILES,
                     display_name: str | None = None) -> list[Path]:
    """Unpack a zip archive into ``dest`` without letting any entry escape it.

    Parameters
    ----------
    path : str or Path
        The archive.
    dest : str or Path
        Destination folder (created if needed).
    max_total_bytes : int
        Most bytes all entries may unpack to; checked while writing, so an archive
        that lies about its sizes is stopped too.
    max_files : int
        Most entries.
    display_name : str, optional
        File name to show in messages (uploads are saved under temporary names).

    Returns
    -------
    list of Path
        Files written, in archive order.

    Raises
    ------
    ValidationError
        Not a zip; an entry with an absolute path, a drive letter or ``..``; a
        symbolic link; an encrypted entry; too many entries or bytes; a compression
        ratio above :data:`MAX_ARCHIVE_RATIO`. Nothing is left in ``dest`` from a
        refused archive.
    """
    path = Path(path)
    dest = Path(dest)
    shown = safe_filename(display_name or path.name)
    root = dest.resolve()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise ValidationError(f"Tệp '{shown}' không phải tệp nén .zip hợp lệ.",
                              f"'{shown}' is not a valid .zip archive.", file=shown) from e

    def refuse(vi: str, en: str) -> ValidationError:
        return ValidationError(f"Tệp nén '{shown}' bị từ chối: {vi}.",
                               f"Archive '{shown}' refused: {en}.", file=shown)

    written: list[Path] = []
    made: list[Path] = []  # folders this call created, removed again on refusal

    def mkdirs(folder: Path) -> None:
        missing = [folder, *folder.parents]
        missing = [d for d in missing if not d.exists()]
        for d in reversed(missing):
            d.mkdir()
            made.append(d)

    try:
        with zf:
            infos = zf.infolist()
            if len(infos) > max_files:
                raise refuse(f"có {len(infos)} mục, quá giới hạn {max_files}",
                             f"{len(infos)} entries, over the limit of {max_files}")
            declared = 0
            targets: list[Path] = []
            for info in infos:
                # The name is checked before it is resolved (a NUL byte cannot be).
                target = None if _bad_member(info.filename) else (
                    root / info.filename.replace("\\", "/")).resolve()
                if target is None or (target != root and not target.is_relative_to(root)):
                    raise refuse(f"đường dẫn nguy hiểm '{info.filename}' (ra ngoài thư mục "
                                 "giải nén)", f"dangerous path '{info.filename}' (outside the "
                                 "extraction folder)")
                targets.append(target)
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    raise refuse(f"'{info.filename}' là liên kết tượng trưng (nguy hiểm)",
                                 f"'{info.filename}' is a symbolic link (dangerous)")
                if info.flag_bits & 0x1:
                    raise refuse(f"'{info.filename}' được mã hóa", f"'{info.filename}' is "
                                 "encrypted")
                if (info.file_size > 1024 * 1024 and info.compress_size > 0
                        and info.file_size / info.compress_size > MAX_ARCHIVE_RATIO):
                    raise refuse(f"'{info.filename}' có tỉ lệ nén bất thường (bom nén)",
                                 f"'{info.filename}' has an implausible compression ratio "
                                 "(zip bomb)")
                declared += info.file_size
            if declared > max_total_bytes:
                raise refuse(f"giải nén ra {_mb(declared)}, quá giới hạn {_mb(max_total_bytes)}",
                             f"unpacks to {_mb(declared)}, over the limit of "
                             f"{_mb(max_total_bytes)}")
            mkdirs(root)
            total = 0
            for info, target in zip(infos, targets):
                if info.is_dir() or info.filename.endswith(("/", "\\")):
                    mkdirs(target)
                    continue
                mkdirs(target.parent)
                with zf.open(info) as src, open(target, "xb") as out:
                    written.append(target)
                    while chunk := src.read(1 << 20):
                        total += len(chunk)
                        if total > max_total_bytes:
                            raise refuse(
                                f"giải nén ra hơn {_mb(max_total_bytes)}",
                                f"unpacks to more than {_mb(max_total_bytes)}")
                        out.write(chunk)
    except (ValidationError, zipfile.BadZipFile, FileExistsError, OSError) as e:
        for p in written:
            p.unlink(missing_ok=True)
        for d in reversed(made):
            try:
                d.rmdir()
            except OSError:
                pass
        if isinstance(e, ValidationError):
            raise
        raise refuse("không đọc được hoặc có mục trùng tên", "unreadable or duplicate "
                     "entries") from e
    return written


def find_unescaped(markup: str, payloads: Iterable[str] = HOSTILE_NAMES) -> list[str]:
    r"""Payloads whose markup appears raw in ``markup`` (HTML, or JSON/JS inside HTML).

    A payload is raw when it appears verbatim, or when one of its tags with
    attributes does, or a bare tag together with the next characters of the payload
    (``<script>alert``; a bare ``<script>`` alone is in every page's own markup):
    inside a JS string a quote is escaped but the tag would still be parsed. A safely shown
    name appears as ``&lt;img …`` or ``\\u003cimg …``. Payloads without ``<``,
    ``>`` or ``"`` are plain text and ignored.

    Examples
    --------
    >>> evil = "<img src=x onerror=alert(1)>"
    >>> find_unescaped("<p>&lt;img src=x onerror=alert(1)&gt;</p>", [evil])
    []
    >>> find_unescaped("<p><img src=x onerror=alert(1)></p>", [evil])
    ['<img src=x onerror=alert(1)>']
    """
    raw = []
    for p in payloads:
        if not any(c in p for c in "<>\""):
            continue
        tags = re.findall(r"<[A-Za-z][^<>]*>", p)
        # A bare tag such as <script> is in every page's own markup: only a tag with
        # attributes, or the payload's tag together with what follows it, marks it.
        markers = [p] + [t for t in tags if " " in t]
        markers += [p[p.index(t):p.index(t) + len(t) + 6] for t in tags
                    if " " not in t and len(p) >= p.index(t) + len(t) + 6]
        if any(m in markup for m in markers):
            raw.append(p)
    return raw
