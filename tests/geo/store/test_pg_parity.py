"""Inputs that PostgreSQL refuses and SQLite lets through, on both backends.

SQLite ignores ``VARCHAR(n)`` lengths; PostgreSQL raises ``value too long`` from the
middle of a transaction. Whatever a user's file can put in a column must either fit
or be reported as a problem of that file, row and column, on either backend.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.auth import Principal
from geo.errors import ValidationError
from geo.store import session_scope
from geo.store.schema import Boundary, Facility, HotspotEvent

#: A hand-written VN-2000 TM-3 (104°) with a +towgs84, as .prj files often carry: PROJ
#: finds no EPSG code for it, so the CRS is kept as its whole WKT (hundreds of characters).
CUSTOM_TM3 = ("+proj=tmerc +lat_0=0 +lon_0=104 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
              "+towgs84=-191.90441,-39.30318,-111.45033,0.00928836,-0.01975479,0.00427372,"
              "0.252906278 +units=m +no_defs")


def test_boundaries_with_a_crs_that_has_no_epsg_code_are_stored(tmp_path: Path,
                                                                 empty_url: str) -> None:
    from sqlalchemy import select

    from geo.registry import load_units
    from geo.services.imports import BoundariesRequest, import_file
    from tests.geo.io.boundary_corpus import registry_squares

    u = load_units("legacy", "commune")
    u = u[u.province_code == "14"].head(5)
    # Commune-sized squares (a feature must have about its commune's area to be stored).
    g = registry_squares("14", "legacy", n=5, codes=True, crs=4326)[["ma_xa", "ten_xa",
                                                                      "geometry"]]
    assert list(g.ma_xa) == list(u.code)
    shp = tmp_path / "ranh_gioi.shp"
    g.to_crs(CUSTOM_TM3).to_file(shp)
    res = import_file(BoundariesRequest(shp, "Sơn La", edition="legacy"),
                      Principal("system", "admin"), empty_url)
    assert res.stored == 5 and res.read.crs_origin == "file"
    assert len(res.read.source_crs) > 200  # the WKT, no EPSG code
    with session_scope(empty_url) as s:
        stored = set(s.scalars(select(Boundary.source_crs).where(
            Boundary.batch_id == res.batch_id)))
    assert stored == {res.read.source_crs}


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_facility_text_longer_than_its_column_is_a_problem_of_that_cell(
        tmp_path: Path, empty_url: str) -> None:
    from geo.services.imports import FacilitiesRequest, import_file

    name = "Cơ sở cai nghiện " + "rất dài " * 50
    p = _csv(tmp_path / "co_so.csv", "loai,ten,lat,lon,don_vi\n"
             f"methadone,{name},21.33,103.91,Sở Y tế\n"
             f"club,CLB sau cai,21.34,103.92,{'Đơn vị ' * 60}\n")
    with pytest.raises(ValidationError) as e:
        import_file(FacilitiesRequest(p, "Sơn La"), Principal("system", "admin"), empty_url)
    probs = sorted((p.row, p.column.split(" (")[0]) for p in e.value.problems)
    assert probs == [(2, "ten"), (3, "don_vi")]  # columns are shown as "ten (2)"
    assert all("300" in p.vi and "300" in p.en for p in e.value.problems)
    with session_scope(empty_url) as s:
        assert s.query(Facility).count() == 0


def test_hotspot_decision_number_longer_than_its_column_is_a_problem(
        tmp_path: Path, empty_url: str) -> None:
    from geo.services.imports import HotspotsRequest, import_file

    p = _csv(tmp_path / "trong_diem.csv", "ma_xa,trang_thai,ngay,so_quyet_dinh\n"
             f"04024,designated,2021-03-01,{'75/QĐ-UBND ' * 20}\n")
    with pytest.raises(ValidationError) as e:
        import_file(HotspotsRequest(p, "Sơn La"), Principal("system", "admin"), empty_url)
    ((row, col),) = [(p.row, p.column.split(" (")[0]) for p in e.value.problems]
    assert (row, col) == (2, "so_quyet_dinh")
    with session_scope(empty_url) as s:
        assert s.query(HotspotEvent).count() == 0


def test_api_token_note_longer_than_its_column_is_refused(empty_url: str) -> None:
    from tests.accounts import add_user, create_token, list_tokens

    add_user(empty_url, "quantri", "mat-khau-du-dai-1", "admin")
    with pytest.raises(ValidationError) as e:
        create_token(empty_url, "quantri", note="x" * 201)
    assert "200" in e.value.message("vi") and "200" in e.value.message("en")
    assert list_tokens(empty_url) == []
    assert create_token(empty_url, "quantri", note="x" * 200).startswith("dbn_")
