"""The exports service: one validation, authorisation, one read, files users can use."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.auth import Principal, local_admin
from geo.errors import NotFoundError, PermissionDenied, ValidationError
from geo.services.exports import (
    BoundariesExportRequest,
    BriefRequest,
    IndicatorsExportRequest,
    MapExportRequest,
    MultiplesRequest,
    export_boundaries,
    export_indicators,
    export_map,
    export_small_multiples,
)
from tests.conftest import run_cli

ADMIN = local_admin()
DPI_VI = "Độ phân giải 1500 dpi nằm ngoài khoảng cho phép 50–1200 dpi."
DPI_EN = "A resolution of 1500 dpi is outside the allowed 50–1200 dpi."


def _map(out: Path, **kw: object) -> MapExportRequest:
    return MapExportRequest("14", "registered_addicts", "2024-H2", out, **kw)


# ------------------------------------------------------------------ one validation


def test_dpi_over_the_limit_is_refused_by_service_and_cli(demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "m.png"
    with pytest.raises(ValidationError) as err:
        export_map(_map(out, dpi=1500), ADMIN, demo_url)
    assert err.value.message("vi") == DPI_VI and err.value.message("en") == DPI_EN
    code, stdout, stderr = run_cli(["export", "map", "-p", "14", "--period", "2024-H2",
                                    "--dpi", "1500", "--out", str(out), "--db", demo_url])
    assert code == ValidationError.exit_code
    assert DPI_VI in stderr and "Traceback" not in stdout + stderr
    code, stdout, _ = run_cli(["--lang", "en", "export", "multiples", "-p", "14", "--period",
                               "2024-H2", "--dpi", "1500", "--out", str(out), "--json",
                               "--db", demo_url])
    assert code == ValidationError.exit_code and json.loads(stdout)["en"] == DPI_EN
    assert not out.exists()


@pytest.mark.parametrize(("req", "vi"), [
    (dict(dpi=10), "Độ phân giải 10 dpi"),
    (dict(size="A5"), "Khổ giấy 'A5'"),
    (dict(orientation="diagonal"), "Hướng giấy 'diagonal'"),
    (dict(scheme="jenks"), "Cách phân lớp 'jenks'"),
    (dict(k=9), "Số lớp phải từ 1 đến 7"),
    (dict(suppress_below=0), "Ngưỡng ẩn số nhỏ"),
    (dict(layers=("roads",)), "Lớp 'roads' không có"),
    (dict(measure="per_km2"), "Cách tính 'per_km2'"),
    (dict(edition="1999"), "Phiên bản đơn vị hành chính '1999'"),
    (dict(lang="fr"), "Ngôn ngữ 'fr'"),
    (dict(out="m.jpg"), "Tệp xuất phải có đuôi .png, .pdf, .svg, .html"),
])
def test_every_option_is_checked_before_the_database_is_touched(tmp_path: Path, req: dict,
                                                                vi: str) -> None:
    never = tmp_path / "never.db"  # a service that reads or migrates would create it
    kw = {"out": tmp_path / "m.png"} | req
    with pytest.raises(ValidationError) as err:
        export_map(MapExportRequest("14", "registered_addicts", "2024-H2", **kw), ADMIN,
                   f"sqlite:///{never}")
    assert vi in err.value.message("vi")
    assert not never.exists()


def test_unknown_names_are_refused_up_front(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        MapExportRequest("Atlantis", "registered_addicts", "2024-H2", tmp_path / "m.png").check()
    with pytest.raises(NotFoundError):
        MapExportRequest("14", "no_such_figure", "2024-H2", tmp_path / "m.png").check()
    with pytest.raises(ValidationError):
        MapExportRequest("14", "registered_addicts", "2024-H9", tmp_path / "m.png").check()
    with pytest.raises(ValidationError, match="pdf"):
        BriefRequest("14", "2025-H1", tmp_path / "b.png").check()
    with pytest.raises(ValidationError, match="csv"):
        IndicatorsExportRequest("14", tmp_path / "x.xlsx").check()
    with pytest.raises(ValidationError, match="gpkg"):
        BoundariesExportRequest("14", tmp_path / "x.shp").check()
    with pytest.raises(ValidationError):
        MultiplesRequest("14", "registered_addicts", "2024-H2", tmp_path / "m.html").check()


@pytest.mark.parametrize(("province", "edition", "code", "name"), [
    ("24", "legacy", "24", "Tỉnh Bắc Giang"),
    ("24", "2025", "24", "Tỉnh Bắc Ninh"),
    ("Bắc Ninh", "legacy", "27", "Tỉnh Bắc Ninh"),
    ("bac ninh", "2025", "24", "Tỉnh Bắc Ninh"),
    ("Sơn La", "legacy", "14", "Tỉnh Sơn La"),
])
def test_the_province_is_read_in_the_requested_edition(tmp_path: Path, province: str,
                                                       edition: str, code: str, name: str) -> None:
    req = MapExportRequest(province, "registered_addicts", "2024-H2", tmp_path / "m.png",
                           edition=edition).check()
    assert (req.province.code, req.province.name) == (code, name)
    assert req.check() == req  # checking twice changes nothing


# ------------------------------------------------------------------ who may export


def test_exports_are_authorised(demo_url: str, tmp_path: Path) -> None:
    ha_noi = Principal("hn", "viewer", province_code="01")
    with pytest.raises(PermissionDenied):
        export_map(_map(tmp_path / "m.svg"), ha_noi, demo_url)
    with pytest.raises(PermissionDenied):
        export_indicators(IndicatorsExportRequest("Sơn La", tmp_path / "x.csv"), ha_noi,
                          demo_url)
    nobody = None
    with pytest.raises(PermissionDenied):
        export_map(_map(tmp_path / "m.svg"), nobody, demo_url)  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())


def test_a_district_user_may_export_the_map_but_not_the_whole_province_data(
        demo_url: str, tmp_path: Path) -> None:
    moc_chau = Principal("mc", "viewer", province_code="14", district_code="123")
    res = export_map(_map(tmp_path / "m.svg", dpi=60), moc_chau, demo_url)
    assert res.file.exists()
    with pytest.raises(PermissionDenied) as err:
        export_indicators(IndicatorsExportRequest("14", tmp_path / "x.csv"), moc_chau, demo_url)
    assert "cả tỉnh" in err.value.message("vi")
    with pytest.raises(PermissionDenied):
        export_boundaries(BoundariesExportRequest("14", tmp_path / "b.gpkg"), moc_chau, demo_url)


# ------------------------------------------------------------------ what is written


def test_map_result_and_progress(demo_url: str, tmp_path: Path) -> None:
    seen: list[tuple[float, str]] = []
    res = export_map(_map(tmp_path / "m.svg", lang="en"), ADMIN, demo_url,
                     progress=lambda f, m: seen.append((f, m)))
    d = res.to_dict()
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert d["ok"] is True and d["file"].endswith("m.svg") and d["format"] == "svg"
    assert d["bytes"] == res.file.stat().st_size > 0 and d["province"]["code"] == "14"
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert [m for _, m in seen] == ["Reading figures", "Drawing the map", "Done"]


def test_small_multiples_draw_the_periods_asked_for(demo_url: str, tmp_path: Path) -> None:
    res = export_small_multiples(MultiplesRequest(
        "14", "registered_addicts", "2024-H2", tmp_path / "sm.pdf",
        periods=("2023-H2", "2024-H1", "2024-H2")), ADMIN, demo_url)
    text = subprocess.run(["pdftotext", str(res.file), "-"], capture_output=True,
                          text=True).stdout
    for label in ("6 tháng cuối năm 2023", "6 tháng đầu năm 2024", "6 tháng cuối năm 2024"):
        assert label in text
    assert "6 tháng đầu năm 2023" not in text


def _recorded(url: str) -> pd.DataFrame:
    from geo.services.base import transaction
    from geo.store import get_values

    frames = []
    with transaction(url) as s:
        for ed in ("legacy", "2025"):
            v = get_values(s, "14", ed)
            frames.append(v[v.converted == ""].assign(phien_ban=ed))
    return pd.concat(frames)


def test_indicators_are_exported_as_recorded(demo_url: str, tmp_path: Path) -> None:
    res = export_indicators(IndicatorsExportRequest("Sơn La", tmp_path / "x.csv"), ADMIN,
                            demo_url)
    df = pd.read_csv(res.file, dtype={"ma_xa": str}, encoding="utf-8-sig")
    assert list(df.columns) == ["ma_xa", "ky", "chi_tieu", "gia_tri", "phien_ban"]
    want = _recorded(demo_url)
    assert res.rows == len(df) == len(want) > 0
    key = ["phien_ban", "ma_xa", "ky", "chi_tieu"]
    got = df.set_index(key).gia_tri.sort_index()
    exp = want.rename(columns={"unit_code": "ma_xa", "period": "ky", "indicator": "chi_tieu"}
                      ).set_index(key).value.sort_index()
    pd.testing.assert_series_equal(got, exp, check_names=False)
    only = export_indicators(IndicatorsExportRequest("14", tmp_path / "l.csv", "legacy"),
                             ADMIN, demo_url)
    assert set(pd.read_csv(only.file).phien_ban) == {"legacy"}
    assert only.rows == int((want.phien_ban == "legacy").sum())


@pytest.mark.parametrize(("suffix", "edition", "n"), [(".gpkg", "2025", 75),
                                                      (".geojson", "legacy", 200)])
def test_boundaries_are_exported_in_wgs84(demo_url: str, tmp_path: Path, suffix: str,
                                          edition: str, n: int) -> None:
    out = tmp_path / f"b{suffix}"
    out.write_text("an older export")
    res = export_boundaries(BoundariesExportRequest("14", out, edition), ADMIN, demo_url)
    g = gpd.read_file(res.file)
    assert res.features == len(g) == n and g.crs.to_epsg() == 4326
    assert {"ma_xa", "ten", "nguon"} <= set(g.columns) and g.ma_xa.is_unique
