"""Boundary imports you can trust (issue 14): no commune stored in the wrong place or province.

Every file here is one a province could send: the right polygons under a wrong ``.prj``
(another TM-3 zone, WGS84 or UTM 48N declared for VN-2000 metres), a feature of the
neighbouring province named like a local commune, a ``.cpg`` that lies about TCVN3 text,
pre-reform communes imported without ``--edition``. Each is refused with a message naming
the file, the feature and what to do, and the database is left byte for byte as it was —
or, where diaban can tell, read correctly and said so.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import affinity

from geo.auth import Principal
from geo.errors import NotFoundError, ValidationError
from geo.services import imports as imp
from geo.store import current_boundaries, session_scope
from tests.conftest import db_fingerprint
from tests.geo.io.boundary_corpus import registry_squares, son_la_real, write_shapefile

ADMIN = Principal("quan_tri", "admin")
WRONG_PRJ = {"wrong TM-3 zone (104°30′)": "EPSG:9207", "WGS84 for metres": "EPSG:4326",
             "VN-2000 UTM 48N": "EPSG:3405", "WGS 84 UTM 48N": "EPSG:32648",
             "Điện Biên's zone (103°00′)": "EPSG:9205"}


def _import(path: Path, url: str, province: str = "Sơn La", dry_run: bool = False,
            **kw: object) -> imp.ImportResult:
    return imp.import_file(imp.BoundariesRequest(path, province, **kw), ADMIN, url,
                           dry_run=dry_run)


@pytest.fixture(scope="module")
def squares(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    return registry_squares("14", "legacy")  # 200 Sơn La communes, TM-3 104°00′ metres


@pytest.mark.parametrize("what", sorted(WRONG_PRJ))
def test_a_wrong_prj_is_refused_naming_the_crs_that_places_the_communes(
        what: str, squares: gpd.GeoDataFrame, tmp_path: Path, empty_url: str) -> None:
    path = write_shapefile(squares, tmp_path, "ranh_gioi_xa", WRONG_PRJ[what])
    before = db_fingerprint(empty_url)
    with pytest.raises(ValidationError) as ei:
        _import(path, empty_url)
    vi, en = ei.value.message("vi"), ei.value.message("en")
    assert "ranh_gioi_xa.zip" in vi and WRONG_PRJ[what] in vi
    assert "--crs EPSG:9206" in vi and "--crs EPSG:9206" in en
    placed = re.search(r"Đọc theo EPSG:9206 \(.*?\) thì (\d+)/(\d+) xã nằm đúng vị trí", vi)
    assert placed and int(placed.group(1)) == int(placed.group(2)) == 200, vi
    assert ei.value.problems[0].vi.startswith("khả năng 1: EPSG:9206")
    assert "200/200" in ei.value.problems[0].vi
    assert db_fingerprint(empty_url) == before


def test_the_same_file_with_the_right_crs_lands_every_commune_on_its_place(
        squares: gpd.GeoDataFrame, tmp_path: Path, empty_url: str) -> None:
    path = write_shapefile(squares, tmp_path, "xa", "EPSG:9207")
    res = _import(path, empty_url, crs="EPSG:9206")
    assert res.stored == 200 and res.edition == "legacy"
    assert res.read.source_crs == "EPSG:9206" and res.read.crs_origin == "given"
    with session_scope(empty_url) as s:
        got = current_boundaries(s, "14", "legacy").set_index("code")
    from geo.io.placement import registry_places

    reg = registry_places("legacy").loc[got.index]
    pts = gpd.points_from_xy(reg.lon, reg.lat)
    assert shapely.contains(got.geometry.to_numpy(), np.asarray(pts)).all()


def test_real_son_la_polygons_under_a_utm_prj_are_refused_then_stored_with_the_zone(
        shared_data: Path, tmp_path: Path, empty_url: str) -> None:
    real = son_la_real(shared_data)
    path = write_shapefile(real, tmp_path, "son_la_2009", "EPSG:3405")
    before = db_fingerprint(empty_url)
    with pytest.raises(ValidationError) as ei:
        _import(path, empty_url, skip_unmatched=True)
    vi = ei.value.message("vi")
    assert "EPSG:3405" in vi and "--crs EPSG:9206" in vi
    m = re.search(r"chỉ (\d+)/(\d+) xã khớp tên", vi)
    assert m and int(m.group(1)) == 0 and int(m.group(2)) > 180
    assert db_fingerprint(empty_url) == before
    res = _import(path, empty_url, skip_unmatched=True, crs="EPSG:9206")
    assert res.stored > 180
    rep = res.report.set_index("feature")
    # Chiềng Hặc (2009) lies 12 km from today's Chiềng Hặc: skipped, never stored there.
    far = rep[rep.placement == "far"]
    assert "Xã Chiềng Hặc" in far.name.tolist()
    assert any("Chiềng Hặc" in p.vi and "km" in p.vi for p in res.skipped)


def _moved_onto(g: gpd.GeoDataFrame, name: str, lon: float, lat: float) -> gpd.GeoDataFrame:
    """``g`` with the feature named ``name`` moved so that it covers (lon, lat)."""
    from geo.crs import transformer

    g = g.copy()
    i = g.index[g.ten_xa == name][0]
    x, y = transformer("EPSG:4326", "EPSG:9206").transform(lon, lat)
    c = g.geometry[i].representative_point()
    g.loc[i, "geometry"] = affinity.translate(g.geometry[i], x - c.x, y - c.y)
    return g


def test_a_neighbouring_provinces_feature_named_like_a_local_commune_is_its_own_problem(
        squares: gpd.GeoDataFrame, tmp_path: Path, empty_url: str) -> None:
    from geo.registry import load_units

    u = load_units("legacy", "commune")
    target = u[(u.province_code == "15") & (u.name == "Xã Suối Giàng")].iloc[0]  # Yên Bái
    g = _moved_onto(squares, "Xã Huy Tân", float(target.lon), float(target.lat))
    path = write_shapefile(g, tmp_path, "xa_lan", "EPSG:9206")
    before = db_fingerprint(empty_url)
    with pytest.raises(ValidationError) as ei:
        _import(path, empty_url)
    (p,) = ei.value.problems
    feature = int(g.index[g.ten_xa == "Xã Huy Tân"][0]) + 1
    assert p.row == feature and p.file == "xa_lan.zip"
    assert re.fullmatch(r"tên khớp với Xã Huy Tân \(03931\) nhưng nằm cách xã này \d+ km, "
                        r"trong huyện Văn Chấn, tỉnh Yên Bái", p.vi), p.vi
    assert "Yên Bái" in p.en and "km from it" in p.en
    assert "1 đối tượng khớp tên nhưng không nằm ở xã đó" in ei.value.vi
    assert db_fingerprint(empty_url) == before
    res = _import(path, empty_url, skip_unmatched=True)
    assert res.stored == 199
    with session_scope(empty_url) as s:
        assert "03931" not in set(current_boundaries(s, "14", "legacy").code)
    assert any("Huy Tân" in s.vi and "Yên Bái" in s.vi for s in res.skipped)


def test_a_feature_of_the_wrong_size_is_not_stored_as_that_commune(
        tmp_path: Path, empty_url: str) -> None:
    # A pre-reform polygon under the name of the 2025 commune it merged into.
    g = registry_squares("14", "2025")
    i = g.index[g.ten_xa == "Xã Vân Hồ"][0]
    g.loc[i, "geometry"] = affinity.scale(g.geometry[i], 0.4, 0.4)  # 16 % of the area
    path = write_shapefile(g, tmp_path, "xa_2025", "EPSG:9206")
    with pytest.raises(ValidationError) as ei:
        _import(path, empty_url, edition="2025")
    (p,) = ei.value.problems
    assert "Xã Vân Hồ" in p.vi and "diện tích" in p.vi and "nhỏ hơn 6,3 lần" in p.vi
    assert "times smaller" in p.en


def test_a_lying_cpg_over_tcvn3_text_is_detected_and_said(
        squares: gpd.GeoDataFrame, tmp_path: Path, empty_url: str) -> None:
    path = write_shapefile(squares, tmp_path, "tcvn3", "EPSG:9206", cpg="UTF-8", tcvn3=True)
    res = _import(path, empty_url, dry_run=True)
    assert res.read.encodings == {"ten_xa": "tcvn3", "huyen": "tcvn3"}
    # TCVN3 has no capital toned letters: compare case-folded ("Xã Mường é" in the registry)
    assert res.report.name.str.casefold().tolist() == squares.ten_xa.str.casefold().tolist()
    notes = [n.vi for n in res.notes if n.column == "ten_xa"]
    assert notes and "Tệp .cpg ghi bảng mã UTF-8" in notes[0] and "TCVN3" in notes[0]
    assert "--encoding" in notes[0]
    assert res.rows == 200


def test_a_dbf_language_byte_saying_cp1252_over_tcvn3_falls_back_to_detection(
        squares: gpd.GeoDataFrame, tmp_path: Path, empty_url: str) -> None:
    path = write_shapefile(squares, tmp_path, "ldid", "EPSG:9206", tcvn3=True, ldid=0x57)
    res = _import(path, empty_url, dry_run=True)
    assert res.read.encodings["ten_xa"] == "tcvn3"
    (note,) = [n for n in res.notes if n.column == "ten_xa"]
    assert "Byte ngôn ngữ của tệp .dbf" in note.vi and "chữ lỗi" in note.vi
    assert res.rows == 200


def test_an_encoding_given_that_cannot_decode_names_the_column_and_feature(
        squares: gpd.GeoDataFrame, tmp_path: Path, empty_url: str) -> None:
    path = write_shapefile(squares, tmp_path, "sai_ma", "EPSG:9206", tcvn3=True)
    before = db_fingerprint(empty_url)
    with pytest.raises(ValidationError) as ei:
        _import(path, empty_url, encoding="utf-8")
    e = ei.value
    assert e.problem.column in ("ten_xa", "huyen") and e.problem.row >= 1
    assert "--encoding utf-8" in e.vi and "tcvn3" in e.vi and "hỏng" not in e.vi
    assert db_fingerprint(empty_url) == before
    res = _import(path, empty_url, encoding="tcvn3", dry_run=True)
    assert res.report.name.str.casefold().tolist() == squares.ten_xa.str.casefold().tolist()


def test_text_no_encoding_makes_vietnamese_is_refused_with_the_option(
        squares: gpd.GeoDataFrame, tmp_path: Path, empty_url: str) -> None:
    g = squares.copy()
    # Names in a Chinese code page: no Vietnamese encoding reads them.
    g["ten_xa"] = [f"村{i}镇" for i in range(len(g))]
    path = write_shapefile(g.assign(ten_xa=[s.encode("gbk").decode("latin1")
                                            for s in g.ten_xa]), tmp_path, "gbk", "EPSG:9206",
                           tcvn3=False)
    with pytest.raises(ValidationError) as ei:
        _import(path, empty_url)
    vi = ei.value.message("vi")
    assert "bảng mã chữ của cột 'ten_xa'" in vi and "--encoding" in vi
    assert "hỏng" not in vi and "damaged" not in ei.value.message("en")


def test_pre_reform_communes_of_a_merged_province_are_recognised_and_said(
        tmp_path: Path, empty_url: str) -> None:
    # Legacy Yên Bái communes, imported for 2025 Lào Cai (code 15 in both registries).
    g = registry_squares("15", "legacy", n=8, crs=4326)
    path = tmp_path / "yen_bai_cu.geojson"
    g.to_file(path)
    res = _import(path, empty_url, province="15", dry_run=True)
    assert res.edition == "legacy" and res.rows == 8
    (note,) = [n for n in res.notes if "nhận ra tệp theo" in n.vi]
    assert "trước 01/7/2025 (legacy)" in note.vi and "Yên Bái" in note.vi
    assert "8/8" in note.vi and "--edition" in note.vi
    before = db_fingerprint(empty_url)
    with pytest.raises(ValidationError) as ei:
        _import(path, empty_url, province="15", edition="2025")
    vi = ei.value.vi
    assert "--edition legacy" in vi and "8/8" in vi and "yen_bai_cu.geojson" in vi
    assert db_fingerprint(empty_url) == before


def test_exporting_an_edition_without_boundaries_names_the_edition_that_has_them(
        tmp_path: Path, empty_url: str) -> None:
    from geo.services.exports import BoundariesExportRequest, export_boundaries

    g = registry_squares("14", "legacy", n=5, crs=4326)
    src = tmp_path / "xa.geojson"
    g.to_file(src)
    _import(src, empty_url, edition="legacy")
    out = tmp_path / "ra.geojson"
    with pytest.raises(NotFoundError) as ei:
        export_boundaries(BoundariesExportRequest("Sơn La", out, "2025"), ADMIN, empty_url)
    assert "--edition legacy" in ei.value.vi and "5 xã" in ei.value.vi
    assert not out.exists()
    res = export_boundaries(BoundariesExportRequest("Sơn La", out, "legacy"), ADMIN,
                            empty_url)
    assert res.features == 5


def test_the_same_file_read_with_another_crs_supersedes_the_first_import(
        tmp_path: Path, empty_url: str) -> None:
    from geo.services.history import HistoryRequest, UndoRequest, history, undo

    g = registry_squares("14", "legacy", n=6, crs=4326)
    path = tmp_path / "do.geojson"
    g.to_file(path)
    first = _import(path, empty_url)
    assert not _import(path, empty_url).stored  # same file, same reading: nothing new
    again = _import(path, empty_url, crs="EPSG:4756")  # VN-2000 degrees: ~200 m apart
    assert not again.already_imported and again.superseded == [first.batch_id]
    hist = history(HistoryRequest(), ADMIN, empty_url).batches.set_index("id").status
    assert hist[first.batch_id] == "undone" and hist[again.batch_id] == "active"
    with session_scope(empty_url) as s:
        b = current_boundaries(s, "14", "legacy")
    assert set(b.version) == {2}
    undo(UndoRequest(again.batch_id), ADMIN, empty_url)
    with session_scope(empty_url) as s:
        assert current_boundaries(s, "14", "legacy").empty  # the wrong reading stays undone
    third = _import(path, empty_url)
    assert third.stored == 6 and not third.superseded


def test_skipping_other_features_is_another_import(tmp_path: Path, empty_url: str) -> None:
    g = registry_squares("14", "legacy", n=4, crs=4326)
    path = tmp_path / "bon.geojson"
    g.to_file(path)
    first = _import(path, empty_url, choices={1: None})
    second = _import(path, empty_url)
    assert first.stored == 3 and second.stored == 4
    assert second.superseded == [first.batch_id]
