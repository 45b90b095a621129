"""Reading boundary files as provinces really send them.

Shapefile (also zipped), GeoPackage, GeoJSON, KML and File Geodatabase are read
with pyogrio. The reader:

- names what is missing (``.shx``, ``.dbf``, ``.prj``) in a clear message;
- decodes DBF text itself (the bytes, read as latin-1): with ``encoding=`` when
  given, else with what the ``.cpg`` or the DBF language byte says unless that
  does not decode or gives TCVN3/VNI mojibake — then with detection
  (:mod:`geo.textenc`), saying so in a note; text that no encoding makes
  Vietnamese is reported (``text_doubts``) for the matcher to refuse;
- takes the CRS from the file, or from ``crs=``; when the file has none it
  guesses from the coordinate ranges and the province (:mod:`geo.crs`) and only
  goes on with ``accept_guess=True``, saying what was guessed and why; the
  file's own coordinates are kept (``raw``) so the import can rank CRSs by
  where the communes land (:func:`geo.io.boundary_match.check_crs`);
- reprojects to WGS84 with the pinned EPSG transformations of :mod:`geo.crs`;
- repairs invalid geometries with :func:`shapely.make_valid` and reports them;
- reports overlaps and gaps between the polygons.

Nothing here touches the database.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import (
    WGS84,
    BallparkWarning,
    crs_id,
    from_wgs84,
    guess_crs,
    is_ballpark,
    province_crs,
    share_inside,
    to_wgs84,
    transformer,
)
from geo.errors import Problem, ValidationError
from geo.security import safe_extract_zip

__all__ = [
    "BoundaryRead",
    "BOUNDARY_SUFFIXES",
    "ENCODING_CHOICES",
    "GAP_COLUMN",
    "OVERLAP_COLUMN",
    "off_province_error",
    "province_bbox",
    "read_boundaries",
]

Progress = Callable[[float, str], None] | None

#: File types the reader accepts (a ``.gdb`` is a folder, or a zip holding one).
BOUNDARY_SUFFIXES = (".zip", ".shp", ".gpkg", ".geojson", ".json", ".kml", ".gdb")

_MIN_REPORT_M2 = 1000.0  # overlaps/gaps under 0.1 ha are digitising noise
#: ``column`` of the notes on overlaps and gaps (counted, not listed, by the CLI).
OVERLAP_COLUMN, GAP_COLUMN = "chồng lấn / overlap", "khe hở / gap"

@dataclass
class BoundaryRead:
    """A boundary file read and reprojected to WGS84.

    Attributes
    ----------
    gdf : geopandas.GeoDataFrame
        One row per feature, attributes decoded to Unicode, geometry in EPSG:4326.
        Column ``feature`` is the 1-based feature number used in every message.
    file : str
        Name shown in messages.
    layer : str or None
        Layer read (GeoPackage, KML, File Geodatabase).
    source_crs : str
        CRS of the coordinates in the file (``"EPSG:9206"``).
    crs_origin : {"file", "given", "guess"}
        Where the CRS came from.
    guesses : list of dict
        Ranked guesses (``crs, name, score, reason_vi, reason_en``) when the file had none.
    encodings : dict
        Text column → encoding recognised (``"tcvn3"``...), for columns that were not UTF-8.
    repaired : list of int
        Feature numbers whose geometry was invalid and was repaired.
    overlaps : list of dict
        ``a, b, area_m2`` for pairs of features overlapping by more than 1,000 m².
    gaps : list of dict
        ``area_m2, lon, lat`` for holes between features larger than 1,000 m².
    notes : list of Problem
        Warnings that do not stop the import (a ``.cpg`` that was wrong, repairs…).
    raw : geopandas.GeoSeries or None
        The geometries in the file's own coordinates (no CRS): the import ranks
        CRSs on them when the communes do not land where they belong.
    raw_bounds : tuple or None
        Their extent ``(minx, miny, maxx, maxy)``.
    off_province : bool
        The CRS puts the whole file off the province (read with ``keep_misplaced``):
        ``gdf``'s geometries are then not usable.
    text_doubts : dict
        Text column → sample, for columns that no encoding turns into Vietnamese.
    province : Province or None
        The province the file was read for.
    """

    gdf: gpd.GeoDataFrame
    file: str
    layer: str | None
    source_crs: str
    crs_origin: str
    guesses: list[dict] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)
    repaired: list[int] = field(default_factory=list)
    overlaps: list[dict] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    raw: Any = field(default=None, repr=False)
    raw_bounds: tuple[float, float, float, float] | None = None
    off_province: bool = False
    text_doubts: dict[str, str] = field(default_factory=dict)
    province: Any = None

    def summary(self) -> dict:
        """JSON-serialisable summary (without geometries)."""
        return {
            "file": self.file, "layer": self.layer, "features": len(self.gdf),
            "source_crs": self.source_crs, "crs_origin": self.crs_origin,
            "guesses": self.guesses, "encodings": self.encodings,
            "repaired": self.repaired, "overlaps": self.overlaps, "gaps": self.gaps,
            "notes": [n.to_dict() for n in self.notes], "text_doubts": self.text_doubts,
        }


def _find_dataset(folder: Path, name: str) -> Path:
    """The one boundary dataset inside an extracted zip."""
    gdbs = [p for p in folder.rglob("*.gdb") if p.is_dir()]
    if gdbs:
        return gdbs[0]
    for suf in (".shp", ".gpkg", ".geojson", ".json", ".kml"):
        hits = sorted(p for p in folder.rglob(f"*{suf}") if "__MACOSX" not in p.parts)
        if hits:
            if suf == ".shp" and len(hits) > 1:
                raise ValidationError(
                    f"Tệp nén có {len(hits)} Shapefile ({', '.join(h.name for h in hits)}); "
                    "hãy nén riêng lớp ranh giới xã.",
                    f"The archive holds {len(hits)} shapefiles; zip only the commune layer.",
                    file=name)
            return hits[0]
    shx = list(folder.rglob("*.shx")) + list(folder.rglob("*.dbf"))
    if shx:
        raise ValidationError(
            f"Tệp nén có '{shx[0].name}' nhưng thiếu tệp .shp (phần hình học của Shapefile).",
            f"The archive has '{shx[0].name}' but no .shp (the shapefile's geometry).",
            file=name)
    raise ValidationError(
        "Tệp nén không chứa lớp ranh giới nào (.shp, .gpkg, .geojson, .kml, .gdb).",
        "The archive holds no boundary layer (.shp, .gpkg, .geojson, .kml, .gdb).", file=name)


# ------------------------------------------------------------------ CRS


def province_bbox(province: Any) -> tuple[str, tuple[float, float, float, float], str]:
    """Code, WGS84 bounding box ``(minx, miny, maxx, maxy)`` and name of a province.

    A :class:`geo.registry.Province` is read in its own edition (code 15 is Yên Bái
    before 1 July 2025 and Lào Cai after); a code or name is tried in the legacy
    edition, then the 2025 one. A province without a registry box gets the box of
    its communes (for a 2025 province: of the legacy communes it covers).
    """
    from geo.errors import NotFoundError
    from geo.registry import Province, load_units, resolve_province

    if isinstance(province, Province):
        tries: tuple[tuple[str, str], ...] = ((province.code, province.edition),)
    else:
        tries = ((str(province), "legacy"), (str(province), "2025"))
    last: Exception | None = None
    for text, ed in tries:
        try:
            p = resolve_province(text, ed)
        except NotFoundError as e:
            last = e
            continue
        box = tuple(float("nan") if v is None else float(v)
                    for v in (p.bbox_minx, p.bbox_miny, p.bbox_maxx, p.bbox_maxy))
        if any(v != v for v in box):  # province bbox missing: use its communes
            from geo.io.placement import territory_codes
            from geo.registry import Province as P

            u = load_units("legacy", "commune")
            u = u[u.code.isin(territory_codes(P(str(p.code), str(p["name"]), ed)))]
            box = (float(u.bbox_minx.min()), float(u.bbox_miny.min()),
                   float(u.bbox_maxx.max()), float(u.bbox_maxy.max()))
        return str(p.code), box, str(p["name"])
    assert last is not None
    raise last


# ------------------------------------------------------------------ reading


def _layers(path: Path) -> list[str]:
    import pyogrio

    try:
        return [str(x[0]) for x in pyogrio.list_layers(path)]
    except Exception:  # noqa: BLE001 - reported by the reader
        return []


def _shapefile_checks(shp: Path, name: str) -> tuple[bool, str | None, str | None]:
    """Check the sidecar files; return (has .prj, ``.cpg`` text, DBF language-byte codec)."""
    def side(ext: str) -> Path | None:
        for e in (ext, ext.upper()):
            p = shp.with_suffix(e)
            if p.exists():
                return p
        return None

    if shp.stat().st_size < 100:
        raise ValidationError(
            "Tệp .shp bị cắt cụt hoặc rỗng (ngắn hơn phần đầu 100 byte của Shapefile).",
            "The .shp file is truncated or empty (shorter than the 100-byte header).", file=name)
    if shp.read_bytes()[:4] != b"\x00\x00\x27\x0a":
        raise ValidationError(
            "Tệp không phải Shapefile (.shp) hợp lệ: phần đầu tệp sai. Có thể tệp đã bị đổi "
            "đuôi hoặc bị hỏng.",
            "Not a valid shapefile (.shp): wrong header. The file may be renamed or damaged.",
            file=name)
    missing = [e for e in (".shx", ".dbf") if side(e) is None]
    if missing:
        what = {".shx": ("tệp chỉ mục .shx", "the .shx index"),
                ".dbf": ("bảng thuộc tính .dbf (chứa tên, mã xã)",
                         "the .dbf attribute table (commune names and codes)")}
        raise ValidationError(
            f"Shapefile thiếu {' và '.join(what[m][0] for m in missing)}. Một Shapefile gồm "
            "nhiều tệp cùng tên (.shp, .shx, .dbf, .prj): hãy gửi đủ, tốt nhất nén chung vào "
            "một tệp .zip.",
            f"The shapefile lacks {' and '.join(what[m][1] for m in missing)}. A shapefile is "
            "several files with one name (.shp, .shx, .dbf, .prj): send all of them, best "
            "zipped together.", file=name)
    cpg = side(".cpg")
    label = None
    if cpg is not None:
        label = cpg.read_bytes()[:64].decode("latin-1").strip() or None
    ldid = None
    dbf = side(".dbf")
    if dbf is not None:
        with open(dbf, "rb") as f:
            head = f.read(32)
        if len(head) >= 30:
            ldid = _LDID.get(head[29])
    return side(".prj") is not None, label, ldid


#: DBF language driver ids (header byte 29) → codec; 0 means "not said".
_LDID = {0x01: "cp437", 0x02: "cp850", 0x03: "cp1252", 0x57: "cp1252", 0x58: "cp1252",
         0x59: "cp1252", 0x64: "cp852", 0x65: "cp866", 0x4D: "cp936", 0x4E: "cp949",
         0x4F: "cp950", 0x50: "cp874", 0x7A: "cp936", 0xC8: "cp1250", 0xC9: "cp1251",
         0xCA: "cp1254", 0xCB: "cp1253", 0xCC: "cp1257"}
#: Encodings a user may name (``--encoding``).
ENCODING_CHOICES = ("utf-8", "cp1258", "tcvn3", "vni", "cp1252")
_ENC_LABEL = {"utf-8": "UTF-8", "cp1258": "Windows-1258", "tcvn3": "TCVN3 (ABC)",
              "vni": "VNI-Windows", "cp1252": "Windows-1252", "latin-1": "Latin-1"}
#: Below this share of Vietnamese syllables (textenc.vietnamese_score) a column is in doubt.
_DOUBT_SCORE = 0.5
#: A declared encoding loses to detection when detection's text is this much more Vietnamese.
_MOJIBAKE_GAIN = 0.15


def _enc_label(enc: str | None) -> str:
    return _ENC_LABEL.get(str(enc), str(enc))


@dataclass
class _Declared:
    """The encoding a file says its text is in (``.cpg`` or DBF language byte)."""

    label: str  # as written in the file
    codec: str | None  # as diaban names it; None when no encoding has this name
    where_vi: str
    where_en: str


def _first_bad(blobs: list[bytes], enc: str) -> int | None:
    from geo.textenc import decode_as

    for k, b in enumerate(blobs):
        try:
            decode_as(b, enc)
        except (UnicodeDecodeError, LookupError):
            return k
    return None


def _decode_column(blobs: list[bytes], declared: _Declared | None, forced: str | None,
                   col: str, feats: list[int], name: str) -> tuple[list[str], str, Problem | None]:
    """Decode one column's values (their bytes); return texts, encoding, note."""
    from geo.textenc import decode_as, detect_and_decode, vietnamese_score

    def all_as(enc: str) -> list[str]:
        return [decode_as(b, enc) for b in blobs]

    def detected() -> tuple[list[str], str]:
        text, enc = detect_and_decode(b"\n".join(blobs))
        parts = text.split("\n")
        if len(parts) == len(blobs):
            return parts, enc
        return [detect_and_decode(b)[0] for b in blobs], enc

    if forced:
        k = _first_bad(blobs, forced)
        if k is not None:
            raise ValidationError(
                f"Cột '{col}' không đọc được theo bảng mã {_enc_label(forced)} đã chỉ định "
                f"(--encoding {forced}), ở đối tượng {feats[k]}. Hãy thử bảng mã khác: "
                f"{', '.join(e for e in ENCODING_CHOICES if e != forced)}.",
                f"Column '{col}' cannot be decoded as the given {_enc_label(forced)} "
                f"(--encoding {forced}), at feature {feats[k]}. Try another encoding: "
                f"{', '.join(e for e in ENCODING_CHOICES if e != forced)}.",
                file=name, row=feats[k], column=col)
        return all_as(forced), forced, None
    if declared is None:
        texts, enc = detected()
        return texts, enc, None
    if declared.codec is None:
        texts, enc = detected()
        return texts, enc, Problem(
            f"{declared.where_vi} ghi bảng mã '{declared.label}', không phải bảng mã nào đã "
            f"biết; diaban tự nhận dạng cột '{col}' là {_enc_label(enc)}",
            f"{declared.where_en} names the encoding '{declared.label}', which is unknown; "
            f"diaban recognised column '{col}' as {_enc_label(enc)}", file=name, column=col)
    k = _first_bad(blobs, declared.codec)
    texts, enc = detected()
    if k is not None:
        return texts, enc, Problem(
            f"{declared.where_vi} ghi bảng mã {_enc_label(declared.codec)} nhưng cột '{col}' "
            f"không đọc được theo bảng mã đó (đối tượng {feats[k]}); diaban tự nhận dạng là "
            f"{_enc_label(enc)}. Nếu tên xã vẫn sai, chỉ định bảng mã bằng --encoding.",
            f"{declared.where_en} says {_enc_label(declared.codec)} but column '{col}' does "
            f"not decode as it (feature {feats[k]}); diaban recognised "
            f"{_enc_label(enc)}. If names are still wrong, give the encoding with --encoding.",
            file=name, column=col)
    said = all_as(declared.codec)
    j_said = " ".join(said)
    j_det = " ".join(texts)
    if enc != declared.codec and (vietnamese_score(j_det) - vietnamese_score(j_said)
                                  >= _MOJIBAKE_GAIN):
        bad = next((s for s in said if not s.isascii()), said[0])[:40]
        return texts, enc, Problem(
            f"{declared.where_vi} ghi bảng mã {_enc_label(declared.codec)} nhưng đọc theo đó "
            f"cột '{col}' ra chữ lỗi ('{bad}'); diaban tự nhận dạng là {_enc_label(enc)}. "
            "Nếu tên xã vẫn sai, chỉ định bảng mã bằng --encoding.",
            f"{declared.where_en} says {_enc_label(declared.codec)} but read so, column "
            f"'{col}' is garbled ('{bad}'); diaban recognised {_enc_label(enc)}. If names "
            "are still wrong, give the encoding with --encoding.", file=name, column=col)
    return said, declared.codec, None


def _decode_columns(df: pd.DataFrame, raw: bool, declared: _Declared | None,
                    forced: str | None, name: str
                    ) -> tuple[dict[str, str], list[Problem], dict[str, str]]:
    """Decode the text columns in place.

    ``raw``: the values are the file's bytes read as latin-1 (shapefiles), decoded
    here by the given encoding, else the declared one unless it fails or gives
    TCVN3/VNI mojibake, else detection (:mod:`geo.textenc`). Otherwise the format
    decoded them (UTF-8) and they are only repaired when they are mojibake.

    Returns
    -------
    encodings : dict
        Column → encoding, for columns that were not plain UTF-8.
    notes : list of Problem
        A declared encoding that was wrong, and what was used instead.
    doubts : dict
        Column → a sample, for columns that no encoding turns into Vietnamese
        (the caller refuses when it needs one of them).
    """
    from geo.textenc import fix_texts, vietnamese_score

    encs: dict[str, str] = {}
    notes: list[Problem] = []
    doubts: dict[str, str] = {}
    feats_all = df["feature"].tolist() if "feature" in df else list(range(1, len(df) + 1))
    for col in df.columns:
        if col in ("geometry", "feature") or not (
                df[col].dtype == object or pd.api.types.is_string_dtype(df[col])):
            continue
        vals = df[col].tolist()
        idx = [i for i, v in enumerate(vals) if isinstance(v, str)]
        texts = [vals[i] for i in idx]
        if not texts or all(t.isascii() for t in texts):
            continue
        feats = [int(feats_all[i]) for i in idx]
        note = None
        if raw:
            blobs = [t.encode("latin-1", errors="replace") for t in texts]
            out, enc, note = _decode_column(blobs, declared, forced, str(col), feats, name)
        elif forced and forced != "utf-8":
            blobs = []
            for t in texts:
                try:
                    blobs.append(t.encode("cp1252"))
                except UnicodeEncodeError:
                    blobs.append(t.encode("latin-1", errors="replace"))
            out, enc, note = _decode_column(blobs, None, forced, str(col), feats, name)
        else:
            fixed, got = fix_texts(texts)
            out, enc = [str(x) for x in fixed], got or "utf-8"
        if note is not None:
            notes.append(note)
        for i, t in zip(idx, out):
            vals[i] = t
        df[col] = vals
        if enc and enc != "utf-8":
            encs[str(col)] = enc
        joined = " ".join(t for t in out if not t.isascii())
        if joined and not forced and vietnamese_score(joined) < _DOUBT_SCORE:
            doubts[str(col)] = next(t for t in out if not t.isascii())[:40]
    return encs, notes, doubts


def _read_any(path: Path, name: str, layer: str | None
              ) -> tuple[gpd.GeoDataFrame, str | None, bool, bool, _Declared | None]:
    """Read the dataset; return (gdf, layer, CRS declared, text as raw bytes, encoding said)."""
    import pyogrio

    suffix = path.suffix.lower()
    has_prj = True
    declared: _Declared | None = None
    if suffix == ".shp":
        has_prj, cpg, ldid = _shapefile_checks(path, name)
        from geo.textenc import codec_name

        if cpg is not None:
            declared = _Declared(cpg, codec_name(cpg), "Tệp .cpg", "The .cpg file")
        elif ldid is not None:
            declared = _Declared(ldid, codec_name(ldid), "Byte ngôn ngữ của tệp .dbf",
                                 "The .dbf language byte")
    elif path.is_file() and path.stat().st_size == 0:
        raise ValidationError("Tệp rỗng (0 byte).", "The file is empty (0 bytes).", file=name)
    if suffix in (".geojson", ".json"):
        import json

        from geo.security import check_json_depth

        raw = path.read_bytes()
        check_json_depth(raw, name)  # issue 17: deep nesting was a RecursionError
        try:
            json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise ValidationError(
                f"Tệp GeoJSON không phải JSON hợp lệ ({type(e).__name__}: "
                f"{str(e)[:80]}).",
                f"The GeoJSON file is not valid JSON ({str(e)[:80]}).", file=name) from e
    if suffix == ".gpkg" and path.read_bytes()[:16] != b"SQLite format 3\x00":
        raise ValidationError(
            "Tệp .gpkg không phải GeoPackage (SQLite) hợp lệ.",
            "The .gpkg file is not a valid GeoPackage (SQLite).", file=name)
    layers = _layers(path)
    if not layers and suffix in (".kml", ".gpkg", ".gdb"):
        raise ValidationError(
            "Tệp không có đối tượng nào (không có lớp dữ liệu; KML không có Placemark).",
            "The file has no features (no layer; a KML without placemarks).", file=name)
    if layer is None and len(layers) > 1:
        # Prefer a polygon layer, else the first.
        try:
            info = pyogrio.list_layers(path)
            polys = [str(n) for n, g in info if g and "polygon" in str(g).lower()]
        except Exception:  # noqa: BLE001
            polys = []
        layer = polys[0] if polys else layers[0]
    kwargs: dict[str, Any] = {}
    if suffix == ".shp":  # the DBF's bytes as they are: the encoding is decided here
        kwargs["encoding"] = "latin1"
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer, **kwargs)
    except Exception as e:  # noqa: BLE001 - GDAL's errors vary by driver
        msg = str(e).splitlines()[0][:160] if str(e) else type(e).__name__
        raise ValidationError(
            f"Không đọc được tệp ranh giới: {msg}. Tệp có thể bị hỏng, bị cắt cụt hoặc "
            "không đúng định dạng theo đuôi tệp.",
            f"Cannot read the boundary file: {msg}. It may be damaged, truncated or not "
            "the format its extension says.", file=name) from e
    declared_crs = gdf.crs is not None
    if suffix == ".shp" and not has_prj:
        declared_crs = False
    return gdf, layer, declared_crs, bool(kwargs), declared


def read_boundaries(
    path: str | Path,
    province: Any,
    crs: str | None = None,
    accept_guess: bool = False,
    layer: str | None = None,
    display_name: str | None = None,
    progress: Progress = None,
    *,
    encoding: str | None = None,
    keep_misplaced: bool = False,
) -> BoundaryRead:
    """Read a boundary file, decode its text and bring it to WGS84.

    Parameters
    ----------
    path : str or Path
        ``.zip``, ``.shp``, ``.gpkg``, ``.geojson``/``.json``, ``.kml`` or a ``.gdb`` folder.
    province : str or Province
        Province the file covers (code or name, or a :class:`geo.registry.Province`,
        read in its edition); used to guess a missing CRS and to check that the
        features fall on it.
    crs : str, optional
        CRS of the coordinates (``"EPSG:9206"``); overrides the file's.
    accept_guess : bool
        Go on with the best guess when the file declares no CRS.
    layer : str, optional
        Layer to read in multi-layer files.
    display_name : str, optional
        Name to show in messages (uploads are saved under temporary names).
    progress : callable, optional
        ``progress(fraction, message)``.
    encoding : {"utf-8", "cp1258", "tcvn3", "vni", "cp1252"}, optional
        Encoding of the attribute text, overriding the ``.cpg`` and detection.
    keep_misplaced : bool
        When the CRS puts the features off the province, return the read with
        :attr:`BoundaryRead.off_province` set (the import service then ranks the
        CRSs by where the communes land) instead of refusing here.

    Returns
    -------
    BoundaryRead

    Raises
    ------
    ValidationError
        For unreadable files, missing parts, no CRS without ``crs``/``accept_guess``
        (listing the guesses and why), no polygons, features off the province, or
        text that the given encoding cannot decode.
    """
    path = Path(path)
    name = display_name or path.name

    def step(f: float, m: str) -> None:
        if progress:
            progress(f, m)

    if not path.exists():
        raise ValidationError(f"Không tìm thấy tệp '{name}'.", f"File '{name}' not found.",
                              file=name)
    suffix = path.suffix.lower()
    if suffix not in BOUNDARY_SUFFIXES:
        raise ValidationError(
            f"Loại tệp '{suffix or '(không có đuôi)'}' không phải tệp ranh giới; dùng Shapefile "
            "(.zip hoặc .shp), GeoPackage (.gpkg), GeoJSON, KML hoặc File Geodatabase (.gdb).",
            f"'{suffix or '(no extension)'}' is not a boundary file; use a shapefile (.zip or "
            ".shp), GeoPackage (.gpkg), GeoJSON, KML or File Geodatabase (.gdb).", file=name)
    forced = None
    if encoding:
        from geo.textenc import codec_name

        forced = codec_name(encoding)
        if forced is None:
            raise ValidationError(
                f"Bảng mã '{encoding}' không hợp lệ; dùng một trong: "
                f"{', '.join(ENCODING_CHOICES)}.",
                f"Unknown encoding '{encoding}'; use one of: {', '.join(ENCODING_CHOICES)}.",
                file=name)
    prov = _as_province(province)
    code, bbox, pname = province_bbox(prov)
    step(0.05, "Đọc tệp")
    tmp: str | None = None
    try:
        if suffix == ".zip":
            if path.stat().st_size == 0:
                raise ValidationError("Tệp rỗng (0 byte).", "The file is empty (0 bytes).",
                                      file=name)
            tmp = tempfile.mkdtemp(prefix="diaban_zip_")
            safe_extract_zip(path, tmp, display_name=name)
            path = _find_dataset(Path(tmp), name)
        gdf, layer, declared, raw_text, said = _read_any(path, name, layer)
        return _finish(gdf, name, layer, declared, raw_text, said, forced, crs, accept_guess,
                       prov, bbox, pname, step, keep_misplaced)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def _as_province(province: Any) -> Any:
    """A :class:`geo.registry.Province` (text is read as before: legacy, then 2025)."""
    from geo.registry import Province, find_province

    if isinstance(province, Province):
        return province
    code, _, _ = province_bbox(province)
    try:
        return find_province(str(province), "legacy")
    except Exception:  # noqa: BLE001 - province_bbox found it: keep its answer
        return find_province(code)


def _finish(gdf: gpd.GeoDataFrame, name: str, layer: str | None, declared: bool,
            raw_text: bool, said: _Declared | None, forced: str | None, crs: str | None,
            accept_guess: bool, prov: Any, bbox: tuple[float, float, float, float], pname: str,
            step: Callable[[float, str], None], keep_misplaced: bool) -> BoundaryRead:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    code = prov.code
    if len(gdf) == 0:
        raise ValidationError(
            "Tệp không có đối tượng nào (không có vùng ranh giới, KML không có Placemark).",
            "The file has no features (no boundary polygons; a KML without placemarks).",
            file=name)
    geoms = gdf.geometry.values
    gtypes = set(shapely.get_type_id(geoms[~shapely.is_missing(geoms)]).tolist())
    if not gtypes or not gtypes <= {3, 6, 7}:
        kinds = ", ".join(sorted({str(t) for t in gdf.geom_type.dropna().unique()})) or "—"
        raise ValidationError(
            f"Tệp không chứa vùng (Polygon) mà chứa: {kinds}. Ranh giới xã phải là vùng.",
            f"The file holds no polygons but: {kinds}. Commune boundaries must be polygons.",
            file=name)
    gdf = gdf.reset_index(drop=True)
    gdf.insert(0, "feature", np.arange(1, len(gdf) + 1))
    step(0.2, "Chuyển mã chữ")
    encs, notes, doubts = _decode_columns(gdf, raw_text, said, forced, name)
    empty = [int(f) for f, g in zip(gdf.feature, gdf.geometry) if g is None or g.is_empty]
    for f in empty:
        notes.append(Problem("đối tượng không có hình học", "feature has no geometry",
                             file=name, row=f))
    step(0.3, "Hệ tọa độ")
    raw = gpd.GeoSeries(gdf.geometry.to_numpy(), index=gdf.index)
    valid = gdf.geometry[~gdf.geometry.is_empty & gdf.geometry.notna()]
    raw_bounds = tuple(float(v) for v in valid.total_bounds)
    guesses: list[dict] = []
    if crs:
        try:
            src = CRS.from_user_input(crs.strip())
        except CRSError as e:
            raise ValidationError(
                f"Hệ tọa độ '{crs}' không hợp lệ; ghi dạng EPSG:9206.",
                f"Invalid CRS '{crs}'; write it as EPSG:9206.", file=name) from e
        origin = "given"
    elif declared:
        src = gdf.crs
        origin = "file"
    else:
        bounds = raw_bounds
        try:
            found = guess_crs(bounds, code, bbox, edition=prov.edition)
        except ValidationError:  # no finite extent (every geometry empty): no guess
            found = []
        guesses = [{"crs": g.crs, "name": g.name, "score": g.score, "reason_vi": g.reason_vi,
                    "reason_en": g.reason_en} for g in found]
        if not guesses:
            raise ValidationError(
                f"Tệp không ghi hệ tọa độ (thiếu .prj) và khoảng tọa độ X {bounds[0]:,.0f}–"
                f"{bounds[2]:,.0f}, Y {bounds[1]:,.0f}–{bounds[3]:,.0f} không khớp hệ tọa độ "
                f"quen thuộc nào cho {pname}. Hãy ghi rõ bằng --crs EPSG:N.",
                f"The file declares no CRS (no .prj) and coordinates X {bounds[0]:,.0f}–"
                f"{bounds[2]:,.0f}, Y {bounds[1]:,.0f}–{bounds[3]:,.0f} fit no usual CRS for "
                f"{pname}. Give it with --crs EPSG:N.", file=name)
        best = guesses[0]
        if not accept_guess:
            raise ValidationError(
                f"Tệp không ghi hệ tọa độ (thiếu .prj). diaban đoán là {best['crs']} "
                f"({best['name']}) vì {best['reason_vi']}. Chạy lại với --accept-guess để "
                f"chấp nhận, hoặc --crs EPSG:N để chỉ định.",
                f"The file declares no CRS (no .prj). diaban guesses {best['crs']} "
                f"({best['name']}) because {best['reason_en']}. Run again with --accept-guess "
                "to accept it, or --crs EPSG:N to set it.",
                problems=[Problem(f"khả năng {i + 1}: {g['crs']} ({g['name']}) — "
                                  f"{g['reason_vi']}",
                                  f"option {i + 1}: {g['crs']} ({g['name']}) — "
                                  f"{g['reason_en']}", file=name)
                          for i, g in enumerate(guesses[:4])],
                file=name)
        src = CRS.from_user_input(best["crs"])
        origin = "guess"
    epsg = src.to_epsg()
    src_txt = f"EPSG:{epsg}" if epsg else src.to_string()
    gdf = gdf.set_crs(src, allow_override=True)
    step(0.4, "Chuyển về WGS84")
    off = False
    if epsg != 4326:
        try:
            with warnings.catch_warnings():  # said below as a note, in the user's words
                warnings.simplefilter("ignore", BallparkWarning)
                ballpark = is_ballpark(transformer(src, WGS84))
            gdf = to_wgs84(gdf)
        except Exception as e:  # noqa: BLE001 - PROJ failures
            if not keep_misplaced:
                raise off_province_error(raw_bounds, src, src_txt, bbox, prov, pname, name) from e
            off, ballpark = True, False
        if ballpark:  # datum shift unknown: say so, the positions may be ~200 m off
            zone = crs_id(province_crs(code, prov.edition))
            named = f" ({src.name})" if src.name and src.name.lower() != "unknown" else ""
            notes.append(Problem(
                f"hệ tọa độ của tệp{named} không có phép chuyển datum sang WGS84 (tệp .prj hay "
                "mất tham số TOWGS84): đã chuyển gần đúng, vị trí có thể lệch hàng trăm mét. "
                f"Nếu tệp dùng VN-2000, hãy nhập lại với hệ tọa độ {zone}",
                f"the file's CRS{named} has no datum transformation to WGS84 (.prj files often "
                "lose their TOWGS84 parameters): it was converted approximately and positions "
                f"may be off by hundreds of metres. If the file uses VN-2000, import it again "
                f"with the CRS {zone}", file=name))
    if not off:
        b = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty].total_bounds
        off = (not np.all(np.isfinite(b)) or not (-180 <= b[0] <= b[2] <= 180)
               or not (-90 <= b[1] <= b[3] <= 90) or share_inside(tuple(b), bbox) == 0.0)
        if off and not keep_misplaced:
            raise off_province_error(raw_bounds, src, src_txt, bbox, prov, pname, name)
    rd = BoundaryRead(gdf=gdf, file=name, layer=layer, source_crs=src_txt, crs_origin=origin,
                      guesses=guesses, encodings=encs, notes=notes, raw=raw,
                      raw_bounds=raw_bounds, off_province=off, text_doubts=doubts,
                      province=prov)
    if off:  # nothing more can be measured: the import refuses it with the CRS that fits
        step(0.8, "Đã đọc")
        return rd
    step(0.55, "Sửa hình học")
    geoms = gdf.geometry.values.copy()
    ok = shapely.is_valid(geoms) | shapely.is_missing(geoms)
    for i in np.flatnonzero(~ok):
        reason = shapely.is_valid_reason(geoms[i])
        fixed = shapely.make_valid(geoms[i])
        polys = [g for g in getattr(fixed, "geoms", [fixed])
                 if g.geom_type in ("Polygon", "MultiPolygon")]
        geoms[i] = shapely.union_all(polys) if polys else fixed
        f = int(gdf.feature.iloc[i])
        rd.repaired.append(f)
        notes.append(Problem(f"hình học không hợp lệ ({reason}) đã được sửa",
                             f"invalid geometry ({reason}) was repaired", file=name, row=f))
    rd.gdf = gdf.set_geometry(gpd.GeoSeries(geoms, crs=4326, index=gdf.index))
    step(0.7, "Kiểm tra chồng lấn và khe hở")
    rd.overlaps, rd.gaps = _overlaps_gaps(rd.gdf, prov)
    for o in rd.overlaps[:50]:
        notes.append(Problem(f"chồng lấn với đối tượng {o['b']}: {o['area_m2']:,.0f} m²",
                             f"overlaps feature {o['b']}: {o['area_m2']:,.0f} m²",
                             file=name, row=o["a"], column=OVERLAP_COLUMN))
    for g in rd.gaps[:50]:
        notes.append(Problem(
            f"khe hở giữa các xã {g['area_m2']:,.0f} m² gần ({g['lon']:.4f}, {g['lat']:.4f})",
            f"gap between communes of {g['area_m2']:,.0f} m² near ({g['lon']:.4f}, "
            f"{g['lat']:.4f})", file=name, column=GAP_COLUMN))
    step(0.8, "Đã đọc")
    return rd


def off_province_error(bounds: tuple[float, float, float, float], src: Any, src_txt: str,
                       bbox: tuple[float, float, float, float], prov: Any, pname: str,
                       name: str) -> ValidationError:
    """The refusal of a CRS that puts a whole boundary file off the province.

    Parameters
    ----------
    bounds : tuple of float
        Extent of the file's own coordinates.
    src : pyproj.CRS
        The CRS the file was read in; ``src_txt`` its id.
    src_txt : str
        Its id (``EPSG:4326``).
    bbox : tuple of float
        The province's WGS84 box.
    prov : Province
        The province.
    pname : str
        Its name as shown.
    name : str
        File name.

    Returns
    -------
    ValidationError
        Saying why the declared CRS cannot be right (:func:`geo.crs.check_declared_crs`)
        and the CRS that fits better, with ``--crs``.
    """
    from geo.crs import check_declared_crs

    try:
        flag = check_declared_crs(bounds, src, bbox, province_code=prov.code,
                                  edition=prov.edition)
    except ValidationError:
        flag = None
    why_vi = f" {flag.reason_vi}" if flag is not None else ""
    why_en = f" {flag.reason_en}" if flag is not None else ""
    best = flag.suggestions[0].crs if flag is not None and flag.suggestions else None
    do_vi = (f" Nếu tệp dùng {best}, chạy lại với --crs {best}." if best else
             " Hãy chỉ định hệ tọa độ đúng bằng --crs EPSG:N, hoặc kiểm tra tệp có phải của "
             f"{pname} không.")
    do_en = (f" If the file uses {best}, run again with --crs {best}." if best else
             " Give the right CRS with --crs EPSG:N, or check that the file is of "
             f"{pname}.")
    return ValidationError(
        f"Theo hệ tọa độ {src_txt}, ranh giới nằm ngoài {pname}: hệ tọa độ của tệp có thể sai, "
        f"hoặc tệp là của tỉnh khác.{why_vi}{do_vi}",
        f"Read as {src_txt}, the boundaries lie outside {pname}: the file's CRS may be wrong, "
        f"or the file is of another province.{why_en}{do_en}", file=name)


def _overlaps_gaps(gdf: gpd.GeoDataFrame, prov: Any) -> tuple[list[dict], list[dict]]:
    """Overlapping pairs and interior gaps larger than 1,000 m², measured in the TM-3 zone."""
    metric = from_wgs84(gdf, province_crs(prov.code, prov.edition))
    geoms = metric.geometry.values
    feats = gdf.feature.to_numpy()
    good = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    idx = np.flatnonzero(good)
    tree = shapely.STRtree(geoms[idx])
    left, right = tree.query(geoms[idx], predicate="intersects")
    keep = left < right
    overlaps = []
    for a, b in zip(idx[left[keep]], idx[right[keep]]):
        area = shapely.area(shapely.intersection(geoms[a], geoms[b]))
        if area > _MIN_REPORT_M2:
            overlaps.append({"a": int(feats[a]), "b": int(feats[b]), "area_m2": float(area)})
    gaps = []
    union = shapely.union_all(geoms[idx], grid_size=0.01)
    back = None
    for part in getattr(union, "geoms", [union]):
        for ring in getattr(part, "interiors", []):
            hole = shapely.Polygon(ring)
            if hole.area > _MIN_REPORT_M2:
                if back is None:
                    back = transformer(metric.crs, WGS84)
                p = hole.representative_point()
                lon, lat = back.transform(p.x, p.y)
                gaps.append({"area_m2": float(hole.area), "lon": float(lon), "lat": float(lat)})
    gaps.sort(key=lambda g: -g["area_m2"])
    return overlaps, gaps
