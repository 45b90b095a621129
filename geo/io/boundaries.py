"""Reading boundary files as provinces really send them.

Shapefile (also zipped), GeoPackage, GeoJSON, KML and File Geodatabase are read
with pyogrio. The reader:

- names what is missing (``.shx``, ``.dbf``, ``.prj``) in a clear message;
- decodes DBF text that is UTF-8, CP1258, TCVN3 or VNI with :mod:`geo.textenc`;
- takes the CRS from the file, or from ``crs=``; when the file has none it
  guesses from the coordinate ranges and the province (:mod:`geo.crs`) and only
  goes on with ``accept_guess=True``, saying what was guessed and why;
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
    "province_bbox",
    "read_boundaries",
]

Progress = Callable[[float, str], None] | None

#: File types the reader accepts (a ``.gdb`` is a folder, or a zip holding one).
BOUNDARY_SUFFIXES = (".zip", ".shp", ".gpkg", ".geojson", ".json", ".kml", ".gdb")

_MIN_REPORT_M2 = 1000.0  # overlaps/gaps under 0.1 ha are digitising noise

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
        Warnings that do not stop the import.
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

    def summary(self) -> dict:
        """JSON-serialisable summary (without geometries)."""
        return {
            "file": self.file, "layer": self.layer, "features": len(self.gdf),
            "source_crs": self.source_crs, "crs_origin": self.crs_origin,
            "guesses": self.guesses, "encodings": self.encodings,
            "repaired": self.repaired, "overlaps": self.overlaps, "gaps": self.gaps,
            "notes": [n.to_dict() for n in self.notes],
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


def province_bbox(province: str) -> tuple[str, tuple[float, float, float, float], str]:
    """Code, WGS84 bounding box ``(minx, miny, maxx, maxy)`` and name of a province.

    Either edition's name or code is accepted.
    """
    from geo.errors import NotFoundError
    from geo.registry import resolve_province

    last: Exception | None = None
    for ed in ("legacy", "2025"):
        try:
            p = resolve_province(province, ed)
        except NotFoundError as e:
            last = e
            continue
        box = (float(p.bbox_minx), float(p.bbox_miny), float(p.bbox_maxx), float(p.bbox_maxy))
        if any(v != v for v in box):  # province bbox missing: use its communes
            from geo.registry import load_units

            u = load_units(ed, "commune")
            u = u[u.province_code == p.code]
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


def _shapefile_checks(shp: Path, name: str) -> tuple[bool, str | None]:
    """Check the sidecar files; return (has .prj, encoding from .cpg)."""
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
    enc = None
    if cpg is not None:
        txt = cpg.read_text(errors="replace").strip().lower()
        if txt in ("utf-8", "utf8", "65001"):
            enc = "utf-8"
    return side(".prj") is not None, enc


def _decode_columns(df: pd.DataFrame, latin1: bool) -> dict[str, str]:
    """Decode text columns in place; return column → encoding when not plain UTF-8."""
    from geo.textenc import detect_and_decode, fix_texts

    encs: dict[str, str] = {}
    for col in df.columns:
        if col == "geometry" or not (df[col].dtype == object or pd.api.types.is_string_dtype(
                df[col])):
            continue
        vals = df[col].tolist()
        texts = [v for v in vals if isinstance(v, str)]
        if not texts:
            continue
        if latin1:
            try:
                raw = "\x00".join(texts).encode("latin1")
            except UnicodeEncodeError:
                raw = None
            if raw is not None:
                text, enc = detect_and_decode(raw)
                parts = text.split("\x00")
                if len(parts) == len(texts):
                    it = iter(parts)
                    df[col] = [next(it) if isinstance(v, str) else v for v in vals]
                    if enc != "utf-8":
                        encs[str(col)] = enc
                    continue
        fixed, enc = fix_texts(vals)
        if enc:
            df[col] = fixed
            encs[str(col)] = enc
    return encs


def _read_any(path: Path, name: str, layer: str | None) -> tuple[gpd.GeoDataFrame, str | None,
                                                                  bool, str | None]:
    """Read the dataset; return (gdf, layer, declared CRS present, encoding hint)."""
    import pyogrio

    suffix = path.suffix.lower()
    has_prj = True
    enc: str | None = None
    if suffix == ".shp":
        has_prj, enc = _shapefile_checks(path, name)
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
    if suffix == ".shp" and enc != "utf-8":
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
    declared = gdf.crs is not None
    if suffix == ".shp" and not has_prj:
        declared = False
    return gdf, layer, declared, ("latin1" if kwargs else None)


def read_boundaries(
    path: str | Path,
    province: str,
    crs: str | None = None,
    accept_guess: bool = False,
    layer: str | None = None,
    display_name: str | None = None,
    progress: Progress = None,
) -> BoundaryRead:
    """Read a boundary file, decode its text and bring it to WGS84.

    Parameters
    ----------
    path : str or Path
        ``.zip``, ``.shp``, ``.gpkg``, ``.geojson``/``.json``, ``.kml`` or a ``.gdb`` folder.
    province : str
        Province the file covers (code or name); used to guess a missing CRS and to
        check that the features fall on it.
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

    Returns
    -------
    BoundaryRead

    Raises
    ------
    ValidationError
        For unreadable files, missing parts, no CRS without ``crs``/``accept_guess``
        (listing the guesses and why), no polygons, or features off the province.
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
    code, bbox, pname = province_bbox(province)
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
        gdf, layer, declared, enc_hint = _read_any(path, name, layer)
        return _finish(gdf, name, layer, declared, enc_hint, crs, accept_guess, code, bbox,
                       pname, step)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def _finish(gdf: gpd.GeoDataFrame, name: str, layer: str | None, declared: bool,
            enc_hint: str | None, crs: str | None, accept_guess: bool, code: str,
            bbox: tuple[float, float, float, float], pname: str,
            step: Callable[[float, str], None]) -> BoundaryRead:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

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
    encs = _decode_columns(gdf, latin1=enc_hint == "latin1")
    notes: list[Problem] = []
    empty = [int(f) for f, g in zip(gdf.feature, gdf.geometry) if g is None or g.is_empty]
    for f in empty:
        notes.append(Problem("đối tượng không có hình học", "feature has no geometry",
                             file=name, row=f))
    step(0.3, "Hệ tọa độ")
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
        valid = gdf.geometry[~gdf.geometry.is_empty & gdf.geometry.notna()]
        bounds = tuple(float(v) for v in valid.total_bounds)
        try:
            found = guess_crs(bounds, code, bbox)
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
    if epsg != 4326:
        try:
            with warnings.catch_warnings():  # said below as a note, in the user's words
                warnings.simplefilter("ignore", BallparkWarning)
                ballpark = is_ballpark(transformer(src, WGS84))
            gdf = to_wgs84(gdf)
        except Exception as e:  # noqa: BLE001 - PROJ failures
            raise ValidationError(
                f"Không chuyển được tọa độ từ {src_txt} về WGS84.",
                f"Cannot transform coordinates from {src_txt} to WGS84.", file=name) from e
        if ballpark:  # datum shift unknown: say so, the positions may be ~200 m off
            zone = crs_id(province_crs(code))
            named = f" ({src.name})" if src.name and src.name.lower() != "unknown" else ""
            notes.append(Problem(
                f"hệ tọa độ của tệp{named} không có phép chuyển datum sang WGS84 (tệp .prj hay "
                "mất tham số TOWGS84): đã chuyển gần đúng, vị trí có thể lệch hàng trăm mét. "
                f"Nếu tệp dùng VN-2000, hãy nhập lại với hệ tọa độ {zone}",
                f"the file's CRS{named} has no datum transformation to WGS84 (.prj files often "
                "lose their TOWGS84 parameters): it was converted approximately and positions "
                f"may be off by hundreds of metres. If the file uses VN-2000, import it again "
                f"with the CRS {zone}", file=name))
    b = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty].total_bounds
    if not np.all(np.isfinite(b)) or share_inside(tuple(b), bbox) == 0.0:
        raise ValidationError(
            f"Sau khi chuyển từ {src_txt}, ranh giới nằm ngoài {pname} (kinh độ "
            f"{b[0]:.3f}–{b[2]:.3f}, vĩ độ {b[1]:.3f}–{b[3]:.3f}). Hệ tọa độ của tệp có "
            "thể sai, hoặc tệp là của tỉnh khác.",
            f"After transforming from {src_txt}, the boundaries lie outside {pname} "
            f"(lon {b[0]:.3f}–{b[2]:.3f}, lat {b[1]:.3f}–{b[3]:.3f}). The file's CRS may be "
            "wrong, or the file is of another province.", file=name)
    step(0.55, "Sửa hình học")
    repaired: list[int] = []
    geoms = gdf.geometry.values.copy()
    ok = shapely.is_valid(geoms) | shapely.is_missing(geoms)
    for i in np.flatnonzero(~ok):
        reason = shapely.is_valid_reason(geoms[i])
        fixed = shapely.make_valid(geoms[i])
        polys = [g for g in getattr(fixed, "geoms", [fixed])
                 if g.geom_type in ("Polygon", "MultiPolygon")]
        geoms[i] = shapely.union_all(polys) if polys else fixed
        f = int(gdf.feature.iloc[i])
        repaired.append(f)
        notes.append(Problem(f"hình học không hợp lệ ({reason}) đã được sửa",
                             f"invalid geometry ({reason}) was repaired", file=name, row=f))
    gdf = gdf.set_geometry(gpd.GeoSeries(geoms, crs=4326, index=gdf.index))
    step(0.7, "Kiểm tra chồng lấn và khe hở")
    overlaps, gaps = _overlaps_gaps(gdf, code, bbox)
    for o in overlaps[:50]:
        notes.append(Problem(f"chồng lấn với đối tượng {o['b']}: {o['area_m2']:,.0f} m²",
                             f"overlaps feature {o['b']}: {o['area_m2']:,.0f} m²",
                             file=name, row=o["a"]))
    for g in gaps[:50]:
        notes.append(Problem(
            f"khe hở giữa các xã {g['area_m2']:,.0f} m² gần ({g['lon']:.4f}, {g['lat']:.4f})",
            f"gap between communes of {g['area_m2']:,.0f} m² near ({g['lon']:.4f}, "
            f"{g['lat']:.4f})", file=name))
    step(0.8, "Đã đọc")
    return BoundaryRead(gdf=gdf, file=name, layer=layer, source_crs=src_txt, crs_origin=origin,
                        guesses=guesses, encodings=encs, repaired=repaired, overlaps=overlaps,
                        gaps=gaps, notes=notes)


def _overlaps_gaps(gdf: gpd.GeoDataFrame, code: str, bbox: tuple[float, float, float, float]
                   ) -> tuple[list[dict], list[dict]]:
    """Overlapping pairs and interior gaps larger than 1,000 m², measured in the TM-3 zone."""
    metric = from_wgs84(gdf, province_crs(code))
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
