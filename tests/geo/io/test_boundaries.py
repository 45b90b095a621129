"""Boundary import: reading, CRS guessing, text decoding, matching, storing, round trip."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from geo.auth import Principal
from geo.errors import ValidationError
from geo.io.boundaries import read_boundaries, safe_extract_zip
from geo.services.imports import BoundariesRequest, import_file
from geo.textenc import encode_tcvn3


def import_boundaries(path: Path, province: str, url: str, dry_run: bool = False,
                      **kw: object) -> object:
    """Read, match and store a boundary file through the import service."""
    return import_file(BoundariesRequest(path, province, **kw), Principal("system", "admin"),
                       url, dry_run=dry_run)


def _son_la(shared_data: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(shared_data / "son_la_communes_2009.gpkg", layer="communes")


def _tcvn3_shapefile(g: gpd.GeoDataFrame, folder: Path) -> Path:
    """Write ``g`` as a VN-2000 TM-3 (EPSG:9206) shapefile with TCVN3 text and no .prj."""
    g = g.to_crs(9206)
    for c in ("district", "commune"):
        g[c] = g[c].map(encode_tcvn3)
    shp = folder / "ranhgioi_xa.shp"
    pyogrio.write_dataframe(g, shp, encoding="latin1")
    for side in (".prj", ".cpg"):
        if shp.with_suffix(side).exists():
            os.remove(shp.with_suffix(side))
    return shp


@pytest.fixture(scope="module")
def real_shp(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tcvn3_shapefile(_son_la(shared_data), tmp_path_factory.mktemp("shp"))


def test_missing_prj_requires_a_decision_and_explains_the_guess(real_shp: Path) -> None:
    with pytest.raises(ValidationError) as ei:
        read_boundaries(real_shp, "Sơn La")
    msg = ei.value.message("vi")
    assert "EPSG:9206" in msg and "--accept-guess" in msg and "ranhgioi_xa.shp" in msg
    assert "TM-3" in msg and "vì" in msg  # the guessed zone, with its reason
    assert "Run again with --accept-guess" in ei.value.message("en")


def test_tcvn3_text_is_decoded(real_shp: Path, shared_data: Path) -> None:
    r = read_boundaries(real_shp, "Sơn La", accept_guess=True)
    assert r.encodings == {"district": "tcvn3", "commune": "tcvn3"}
    orig = _son_la(shared_data)
    assert (r.gdf.commune.to_numpy() == orig.commune.to_numpy()).mean() > 0.97
    assert r.source_crs == "EPSG:9206" and r.crs_origin == "guess"


def test_whole_path_round_trip_within_one_metre(real_shp: Path, shared_data: Path,
                                                empty_url: str) -> None:
    from geo.services.history import UndoRequest, undo
    from geo.store import current_boundaries, session_scope

    # Unmatched features stop the import: nothing stored.
    with pytest.raises(ValidationError) as ei:
        import_boundaries(real_shp, "Sơn La", empty_url, accept_guess=True)
    assert ei.value.problems and all(p.row for p in ei.value.problems)
    with session_scope(empty_url) as s:
        assert current_boundaries(s, "Sơn La", "legacy").empty

    res = import_boundaries(real_shp, "Sơn La", empty_url, accept_guess=True,
                            skip_unmatched=True)
    rep = res.report
    assert len(rep) == 204 and res.edition == "legacy"
    counts = rep.method.value_counts()
    assert counts.get("exact", 0) > 150
    assert counts.get("fuzzy", 0) >= 1  # e.g. Phỏng Lái (2009) → Phổng Lái
    assert (rep.status == "skipped").sum() >= 5  # communes merged or renamed since 2009
    orig = _son_la(shared_data).reset_index(drop=True)
    with session_scope(empty_url) as s:
        back = current_boundaries(s, "Sơn La", "legacy").set_index("code")
    assert len(back) == res.stored == (rep.status == "matched").sum()
    assert set(back.source) == {"official"}
    metric = 9206
    for r in rep[rep.status == "matched"].itertuples():
        a = gpd.GeoSeries([orig.geometry[r.feature - 1]], crs=4326).to_crs(metric).iloc[0]
        b = gpd.GeoSeries([back.geometry[r.code]], crs=4326).to_crs(metric).iloc[0]
        assert shapely.hausdorff_distance(a, b) < 1.0, r
    # Same file again: nothing changes. Undo: boundaries gone again.
    again = import_boundaries(real_shp, "Sơn La", empty_url, accept_guess=True,
                              skip_unmatched=True)
    assert again.already_imported and again.batch_id == res.batch_id
    undo(UndoRequest(res.batch_id), Principal("system", "admin"), empty_url)
    with session_scope(empty_url) as s:
        assert current_boundaries(s, "Sơn La", "legacy").empty


def test_choices_pick_and_skip(real_shp: Path, empty_url: str) -> None:

    res = import_boundaries(real_shp, "Sơn La", empty_url, accept_guess=True, dry_run=True,
                            skip_unmatched=True)
    unmatched = res.report[res.report.status == "skipped"]
    nm = unmatched[unmatched.name.str.contains("Xốp Cộp")].feature.iloc[0]
    choices = {int(f): None for f in unmatched.feature}
    choices[int(nm)] = "04231"  # Sốp Cộp
    res2 = import_boundaries(real_shp, "Sơn La", empty_url, accept_guess=True,
                             choices=choices, dry_run=True)
    row = res2.report.set_index("feature").loc[nm]
    assert row.method == "chosen" and row.code == "04231"


def test_cli_boundaries_json_and_explicit_crs(real_shp: Path, empty_url: str) -> None:
    from geo.cli.main import cli

    runner = CliRunner()
    out = runner.invoke(cli, ["--db", empty_url, "import", "boundaries", str(real_shp),
                              "-p", "Sơn La", "--crs", "EPSG:9206", "--skip-unmatched",
                              "--dry-run", "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    assert d["read"]["crs_origin"] == "given" and len(d["features"]) == 204
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "geo.cli.main", "--db", empty_url, "import",
                          "boundaries", str(real_shp), "-p", "Sơn La"],
                         capture_output=True, text=True)
    assert out.returncode == 4 and "--accept-guess" in out.stderr
    assert "Traceback" not in out.stderr


def _square_gdf(crs: int = 4326) -> gpd.GeoDataFrame:
    from geo.registry import load_units

    u = load_units("legacy", "commune")
    u = u[u.province_code == "14"].head(3)
    geoms = [shapely.box(x - 0.01, y - 0.01, x + 0.01, y + 0.01) for x, y in zip(u.lon, u.lat)]
    # A bow-tie (self-intersecting) polygon for the first one.
    x, y = float(u.lon.iloc[0]), float(u.lat.iloc[0])
    geoms[0] = shapely.Polygon([(x - .01, y - .01), (x + .01, y + .01), (x + .01, y - .01),
                                (x - .01, y + .01)])
    return gpd.GeoDataFrame({"ma_xa": u.code.to_numpy(), "ten_xa": u.name.to_numpy()},
                            geometry=geoms, crs=crs)


def _kml(g: gpd.GeoDataFrame) -> str:
    marks = []
    for code, name, geom in zip(g.ma_xa, g.ten_xa, g.geometry):
        coords = " ".join(f"{x},{y}" for x, y in geom.exterior.coords)
        marks.append(f"<Placemark><name>{name}</name><ExtendedData><Data name=\"ma_xa\">"
                     f"<value>{code}</value></Data></ExtendedData><Polygon><outerBoundaryIs>"
                     f"<LinearRing><coordinates>{coords}</coordinates></LinearRing>"
                     "</outerBoundaryIs></Polygon></Placemark>")
    return ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
            f"<Document>{''.join(marks)}</Document></kml>")


@pytest.mark.parametrize("fmt", ["GeoJSON", "GPKG", "KML", "zip"])
def test_formats_read_and_repair(tmp_path: Path, fmt: str) -> None:
    g = _square_gdf()
    if fmt == "zip":
        g.to_crs(9206).to_file(tmp_path / "x.shp", engine="pyogrio")
        p = tmp_path / "x.zip"
        with zipfile.ZipFile(p, "w") as z:
            for f in tmp_path.glob("x.*"):
                if f.suffix != ".zip":
                    z.write(f, f"thu_muc/{f.name}")
    elif fmt == "KML":
        p = tmp_path / "x.kml"
        p.write_text(_kml(g), encoding="utf-8")
    else:
        ext = {"GeoJSON": "geojson", "GPKG": "gpkg"}[fmt]
        p = tmp_path / f"x.{ext}"
        pyogrio.write_dataframe(g, p, driver=fmt)
    r = read_boundaries(p, "14")
    assert len(r.gdf) == 3 and r.crs_origin == "file"
    assert r.repaired == [1] and r.gdf.geometry.is_valid.all()
    assert np.allclose(r.gdf.geometry.iloc[1].bounds, g.geometry.iloc[1].bounds, atol=1e-6)


def test_code_column_matches_by_code(tmp_path: Path, empty_url: str) -> None:

    g = _square_gdf()
    g["ten_xa"] = ["?", "??", "???"]
    p = tmp_path / "codes.geojson"
    g.to_file(p)
    res = import_boundaries(p, "Sơn La", empty_url, edition="legacy")
    assert list(res.report.method) == ["code"] * 3 and res.stored == 3


def test_zip_slip_refused(tmp_path: Path) -> None:
    p = tmp_path / "evil.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("../../evil.shp", b"x")
    with pytest.raises(ValidationError) as ei:
        safe_extract_zip(p, tmp_path / "out")
    assert "nguy hiểm" in ei.value.vi
    assert not (tmp_path.parent / "evil.shp").exists()


def test_wrong_crs_puts_features_off_the_province(tmp_path: Path) -> None:
    g = _square_gdf().to_crs(9206)
    p = tmp_path / "x.gpkg"
    g.set_crs(5899, allow_override=True).to_file(p)  # declared Đồng Nai's zone
    with pytest.raises(ValidationError) as ei:
        read_boundaries(p, "Sơn La")
    assert "ngoài" in ei.value.vi and "EPSG:5899" in ei.value.vi
