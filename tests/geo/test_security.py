"""Hostile input: upload checks, safe zip extraction, unescaped markup (geo.security)."""

from __future__ import annotations

import html
import json
import stat
import tempfile
import uuid
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely

from geo.errors import ValidationError
from geo.security import (
    HOSTILE_NAMES,
    UPLOAD_TYPES,
    check_upload,
    check_upload_file,
    find_unescaped,
    safe_extract_zip,
    safe_filename,
)
from tests.conftest import db_fingerprint

# ------------------------------------------------------------------ uploads


def test_check_upload_type_size_and_empty() -> None:
    assert check_upload("so_lieu.XLSX", 10, UPLOAD_TYPES["table"]) == "xlsx"
    assert check_upload("ranh_gioi.gdb.zip", 10, UPLOAD_TYPES["boundaries"]) == "gdb.zip"
    assert check_upload("x.csv", 10, [".csv"]) == "csv"
    with pytest.raises(ValidationError) as ei:
        check_upload("so_lieu.csv", 0, ["csv"])
    assert "rỗng" in ei.value.vi and ei.value.problem.file == "so_lieu.csv"
    with pytest.raises(ValidationError) as ei:
        check_upload("so_lieu.csv", 3 * 1024 * 1024, ["csv"], max_bytes=2 * 1024 * 1024)
    assert "quá lớn" in ei.value.vi and "2 MB" in ei.value.vi
    assert check_upload("so_lieu.csv", 2 * 1024 * 1024, ["csv"], max_bytes=2 * 1024 * 1024)
    for bad in ("virus.exe", "so_lieu.csv.exe", "trang.html", "so_lieu"):
        with pytest.raises(ValidationError) as ei:
            check_upload(bad, 10, UPLOAD_TYPES["table"])
        assert "không được nhận" in ei.value.vi and "csv, xlsx" in ei.value.vi
    # Only the last component of a path-like name is shown.
    with pytest.raises(ValidationError) as ei:
        check_upload("../../etc/passwd", 10, ["csv"])
    assert ei.value.problem.file == "passwd" and "../" not in ei.value.vi


def test_safe_filename() -> None:
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\a\\xã.csv") == "xã.csv"
    assert safe_filename("a\x00b\r\n.csv") == "ab.csv"
    assert safe_filename("..") == "upload" and safe_filename("") == "upload"


def test_check_upload_file_looks_at_the_bytes(tmp_path: Path) -> None:
    fake = tmp_path / "so_lieu.xlsx"
    fake.write_text("<html><body><script>alert(1)</script></body></html>", encoding="utf-8")
    with pytest.raises(ValidationError) as ei:
        check_upload_file(fake, UPLOAD_TYPES["table"])
    assert "không phải định dạng XLSX" in ei.value.vi
    binary = tmp_path / "so_lieu.csv"
    binary.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00ma_xa,ky\n")
    with pytest.raises(ValidationError) as ei:
        check_upload_file(binary, UPLOAD_TYPES["table"])
    assert "không phải định dạng CSV" in ei.value.vi
    # The name shown is the browser's, not the temporary file's.
    with pytest.raises(ValidationError) as ei:
        check_upload_file(fake, UPLOAD_TYPES["table"], name="bao_cao_quy.xlsx")
    assert "bao_cao_quy.xlsx" in ei.value.vi and "so_lieu" not in ei.value.vi

    good = tmp_path / "that.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["ma_xa", "ky", "chi_tieu", "gia_tri"])
    wb.save(good)
    assert check_upload_file(good, UPLOAD_TYPES["table"]) == "xlsx"
    csv = tmp_path / "that.csv"
    csv.write_bytes("\ufeffma_xa,ky\n04024,2023-H1\n".encode())
    assert check_upload_file(csv, UPLOAD_TYPES["table"]) == "csv"
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("ma_xa,ky\n04024,2023-H1\n".encode("utf-16"))
    assert check_upload_file(utf16, UPLOAD_TYPES["table"]) == "csv"
    empty = tmp_path / "rong.csv"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError, match="rỗng"):
        check_upload_file(empty, UPLOAD_TYPES["table"])


# ------------------------------------------------------------------ zip extraction


def _zip(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]],
         compression: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in entries:
            z.writestr(name, data)
    return path


def _set_encrypted_flag(path: Path) -> None:
    """Set the 'encrypted' bit in every local and central header (zipfile clears it)."""
    data = bytearray(path.read_bytes())
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = data.find(sig)
        while i >= 0:
            data[i + off] |= 0x1
            i = data.find(sig, i + 4)
    path.write_bytes(bytes(data))


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*")) if folder.exists() else []


def _symlink() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("lien_ket.shp")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize(("member", "why"), [
    ("../evil.shp", "nguy hiểm"),
    ("thu_muc/../../evil.shp", "nguy hiểm"),
    ("/etc/x", "nguy hiểm"),
    ("C:\\x.shp", "nguy hiểm"),
    ("C:/x.shp", "nguy hiểm"),
    ("..\\x.shp", "nguy hiểm"),
    ("thu_muc\\..\\..\\x.shp", "nguy hiểm"),
])
def test_zip_slip_is_refused(tmp_path: Path, member: str, why: str) -> None:
    p = _zip(tmp_path / "evil.zip", [("ok.txt", b"ok"), (member, b"x")])
    with zipfile.ZipFile(p) as z:
        assert member in z.namelist()  # the archive really holds the hostile name
    dest = tmp_path / "a" / "b" / "out"
    with pytest.raises(ValidationError) as ei:
        safe_extract_zip(p, dest)
    assert why in ei.value.vi and "evil.zip" in ei.value.vi
    assert _entries(dest) == []
    assert not (tmp_path / "a" / "b" / "evil.shp").exists()
    assert not (tmp_path / "a" / "evil.shp").exists()


def test_symlink_and_encrypted_entries_are_refused(tmp_path: Path) -> None:
    p = _zip(tmp_path / "link.zip", [("ok.txt", b"ok"), (_symlink(), b"/etc/passwd")])
    dest = tmp_path / "out1"
    with pytest.raises(ValidationError) as ei:
        safe_extract_zip(p, dest)
    assert "liên kết" in ei.value.vi
    assert _entries(dest) == []

    p = _zip(tmp_path / "enc.zip", [("a.shp", b"secret")])
    _set_encrypted_flag(p)
    with zipfile.ZipFile(p) as z:
        assert z.infolist()[0].flag_bits & 0x1
    dest = tmp_path / "out2"
    with pytest.raises(ValidationError) as ei:
        safe_extract_zip(p, dest)
    assert "mã hóa" in ei.value.vi
    assert _entries(dest) == []


def test_zip_bomb_and_too_many_files_are_refused(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "bom.zip", [("a.shp", b"\0" * (20 * 1024 * 1024))],
                zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 200_000
    dest = tmp_path / "out1"
    with pytest.raises(ValidationError) as ei:
        safe_extract_zip(bomb, dest)
    assert "bom nén" in ei.value.vi
    assert _entries(dest) == []

    many = _zip(tmp_path / "nhieu.zip", [(f"f{i}.txt", b"x") for i in range(11)])
    dest = tmp_path / "out2"
    with pytest.raises(ValidationError) as ei:
        safe_extract_zip(many, dest, max_files=10)
    assert "11 mục" in ei.value.vi and "giới hạn 10" in ei.value.vi
    assert _entries(dest) == []
    assert len(safe_extract_zip(many, dest, max_files=11)) == 11

    big = _zip(tmp_path / "lon.zip", [("a.bin", b"x" * 5000), ("b.bin", b"y" * 5000)])
    dest = tmp_path / "out3"
    with pytest.raises(ValidationError) as ei:
        safe_extract_zip(big, dest, max_total_bytes=8000)
    assert "quá giới hạn" in ei.value.vi
    assert _entries(dest) == []


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_refused_during_extraction_leaves_nothing(tmp_path: Path) -> None:
    # Two entries with the same name: the second would overwrite the first.
    p = _zip(tmp_path / "trung.zip", [("thu_muc/con/a.shp", b"1"), ("thu_muc/con/a.shp", b"2")])
    dest = tmp_path / "out"
    with pytest.raises(ValidationError) as ei:
        safe_extract_zip(p, dest)
    assert "trùng tên" in ei.value.vi
    assert _entries(dest) == []
    # A folder that existed before is kept, with what it held.
    dest.mkdir()
    (dest / "cu.txt").write_text("cũ", encoding="utf-8")
    with pytest.raises(ValidationError):
        safe_extract_zip(p, dest)
    assert _entries(dest) == [dest / "cu.txt"]


def test_not_a_zip(tmp_path: Path) -> None:
    p = tmp_path / "gia.zip"
    p.write_bytes(b"<html>not a zip</html>")
    with pytest.raises(ValidationError) as ei:
        safe_extract_zip(p, tmp_path / "out")
    assert "không phải tệp nén .zip hợp lệ" in ei.value.vi


def _shapefile_zip(tmp_path: Path) -> Path:
    from geo.registry import load_units

    u = load_units("legacy", "commune")
    u = u[u.province_code == "14"].head(3)
    g = gpd.GeoDataFrame(
        {"ma_xa": u.code.to_numpy(), "ten_xa": u.name.to_numpy()},
        geometry=[shapely.box(x - .01, y - .01, x + .01, y + .01) for x, y in zip(u.lon, u.lat)],
        crs=4326)
    src = tmp_path / "shp"
    src.mkdir()
    g.to_file(src / "xa.shp", engine="pyogrio")
    p = tmp_path / "ranh_gioi.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("thu_muc/", b"")
        for f in sorted(src.iterdir()):
            z.write(f, f"thu_muc/{f.name}")
    return p


def test_good_shapefile_zip_extracts(tmp_path: Path) -> None:
    p = _shapefile_zip(tmp_path)
    dest = tmp_path / "out"
    written = safe_extract_zip(p, dest)
    names = {w.name for w in written}
    assert {"xa.shp", "xa.shx", "xa.dbf", "xa.prj"} <= names
    assert all(w.is_relative_to(dest.resolve()) for w in written)
    for w in written:
        assert w.read_bytes() == (tmp_path / "shp" / w.name).read_bytes()
    assert len(gpd.read_file(dest / "thu_muc" / "xa.shp")) == 3


def test_boundary_import_refuses_zip_slip_and_changes_nothing(tmp_path: Path,
                                                             demo_copy_url: str) -> None:
    from geo.auth import Principal
    from geo.services.imports import BoundariesRequest, import_file

    good = _shapefile_zip(tmp_path)
    evil_name = f"zipslip_{uuid.uuid4().hex}.shp"
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(evil, "w") as z:
        for info in src.infolist():
            z.writestr(info.filename, src.read(info))
        z.writestr(f"../{evil_name}", b"x")
        z.writestr(f"../../{evil_name}", b"x")
    before = db_fingerprint(demo_copy_url)
    with pytest.raises(ValidationError) as ei:
        import_file(BoundariesRequest(evil, "Sơn La"), Principal("system", "admin"), demo_copy_url)
    assert "nguy hiểm" in ei.value.vi
    assert db_fingerprint(demo_copy_url) == before
    tmp = Path(tempfile.gettempdir())
    assert not (tmp / evil_name).exists() and not (tmp.parent / evil_name).exists()


# ------------------------------------------------------------------ markup


def test_find_unescaped() -> None:
    evil = "<img src=x onerror=alert(1)>"
    assert find_unescaped(f"<p>{html.escape(evil)}</p>", [evil]) == []
    assert find_unescaped(f"<p>{evil}</p>", [evil]) == [evil]
    # JSON inside a page: \u003c escaping is safe, a raw tag is not.
    assert find_unescaped(f"<script>var d = {json.dumps(evil)};</script>"
                          .replace("<img", "\\u003cimg"), [evil]) == []
    svg = "\"><svg onload=alert(1)>"
    assert find_unescaped(f"<script>var d = {json.dumps(svg)};</script>", [svg]) == [svg]
    # Plain-text payloads are ignored even when raw.
    assert find_unescaped("javascript:alert(1) {{7*7}} ${7*7}") == []
    escaped = "".join(f"<td>{html.escape(n)}</td>" for n in HOSTILE_NAMES)
    assert find_unescaped(escaped) == []
    raw = "".join(f"<td>{n}</td>" for n in HOSTILE_NAMES)
    flagged = find_unescaped(raw)
    assert set(flagged) == {n for n in HOSTILE_NAMES if any(c in n for c in "<>\"")}
    assert len(flagged) == 5
