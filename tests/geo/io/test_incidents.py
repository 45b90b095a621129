"""Incident points counted per commune and period."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.auth import Principal
from geo.errors import ValidationError
from geo.io.incidents import count_incidents
from geo.periods import CALENDAR, period_ids
from geo.services.imports import IncidentsRequest, import_file


def import_incidents(path: Path, province: str, url: str, dry_run: bool = False,
                     **kw: object) -> object:
    """Count and store incidents through the import service."""
    return import_file(IncidentsRequest(path, province, **kw), Principal("system", "admin"), url,
                       dry_run=dry_run)


def test_count_incidents_against_plain_sjoin() -> None:
    polys = gpd.GeoDataFrame({"code": ["a", "b"]},
                             geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
                             crs=4326)
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(-0.5, 2.5, 2000), rng.uniform(-0.2, 1.2, 2000)
    per = np.where(rng.random(2000) < 0.5, "2023-H1", "2023-H2")
    counts, unit = count_incidents(lon, lat, per, polys)
    pts = gpd.GeoDataFrame({"period": per}, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    j = gpd.sjoin(pts, polys, predicate="within")
    ref = j.groupby(["code", "period"]).size()
    got = counts.set_index(["unit_code", "period"]).value
    assert got.to_dict() == ref.to_dict()
    assert (unit == -1).sum() == len(pts) - len(j)


def test_period_ids() -> None:
    d = pd.Series(pd.to_datetime(["2023-01-05", "2023-07-01", "2024-12-31"]))
    assert list(period_ids(d, cutoff=CALENDAR)) == ["2023-H1", "2023-H2", "2024-H2"]
    assert list(period_ids(d, "Q", CALENDAR)) == ["2023-Q1", "2023-Q3", "2024-Q4"]
    # Provinces report by the QĐ 28 assessment year (15/12 – 14/12): 31/12/2024 is 2025.
    assert list(period_ids(d)) == ["2023-H1", "2023-H2", "2025-H1"]


@pytest.fixture()
def centroids(demo_url: str) -> pd.DataFrame:
    from geo.store import current_boundaries, session_scope

    with session_scope(demo_url) as s:
        b = current_boundaries(s, "Sơn La", "legacy")
    pts = b.geometry.representative_point()
    return pd.DataFrame({"code": b.code, "lon": pts.x, "lat": pts.y})


def test_import_counts_and_zero_fills(demo_copy_url: str, centroids: pd.DataFrame,
                                      tmp_path: Path) -> None:
    from geo.store import get_values, session_scope

    c = centroids.head(3)
    rows = [("ma tuy", f"{lat:.6f}", f"{lon:.6f}", d) for lon, lat in zip(c.lon, c.lat)
            for d in ("05/02/2023", "2023-03-01", "15/08/2023")]
    p = tmp_path / "vu_viec.csv"
    pd.DataFrame(rows, columns=["loai", "vi_do", "kinh_do", "ngay"]).to_csv(
        p, index=False, sep=";", encoding="utf-8-sig")
    res = import_incidents(p, "Sơn La", demo_copy_url)
    assert res.details["points"] == 9 and res.stored > 3
    with session_scope(demo_copy_url) as s:
        v = get_values(s, "Sơn La", "legacy", ["incidents"], ["2023-H1", "2023-H2"])
    v = v[v.converted == ""].set_index(["unit_code", "period"]).value
    code = c.code.iloc[0]
    assert v[(code, "2023-H1")] == 2 and v[(code, "2023-H2")] == 1
    other = centroids.code.iloc[10]
    assert v[(other, "2023-H1")] == 0
    again = import_incidents(p, "Sơn La", demo_copy_url)
    assert again.already_imported


def test_outside_and_missing_rows_are_reported(demo_copy_url: str, centroids: pd.DataFrame,
                                               tmp_path: Path) -> None:
    c = centroids.iloc[0]
    df = pd.DataFrame({"lat": [c.lat, None, 10.77, c.lat], "lon": [c.lon, 104.0, 106.7, c.lon],
                       "ngay": ["2023-01-02", "2023-01-02", "2023-01-02", "ngày mai"],
                       "loai": ["a"] * 4})
    p = tmp_path / "sai.csv"
    df.to_csv(p, index=False)
    with pytest.raises(ValidationError) as ei:
        import_incidents(p, "Sơn La", demo_copy_url)
    rows = sorted(pr.row for pr in ei.value.problems)
    assert rows == [3, 4, 5]
    msgs = " ".join(pr.message("vi") for pr in ei.value.problems)
    assert "thiếu tọa độ" in msgs and "nằm ngoài" in msgs and "sai.csv" in msgs
    res = import_incidents(p, "Sơn La", demo_copy_url, skip_invalid=True, dry_run=True)
    assert res.details["points"] == 1 and len(res.skipped) == 3


def test_vn2000_xy(demo_copy_url: str, centroids: pd.DataFrame, tmp_path: Path) -> None:
    from pyproj import Transformer

    c = centroids.head(2)
    x, y = Transformer.from_crs(4326, 9206, always_xy=True).transform(c.lon, c.lat)
    p = tmp_path / "xy.csv"
    pd.DataFrame({"x": x, "y": y, "ngay": "2022-02-02", "loai": "b"}).to_csv(p, index=False)
    res = import_incidents(p, "Sơn La", demo_copy_url, dry_run=True)
    got = res.values[res.values.value > 0].set_index("unit_code").value
    assert got.to_dict() == {k: 1 for k in c.code}
