"""Where things are by the registry: features against their communes, points against provinces."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import affinity

from geo.crs import rank_by_anchors, reproject
from geo.io.placement import (
    AREA_FACTOR,
    NEAR_KM,
    check_features,
    check_points,
    locate,
    registry_places,
    territory_codes,
    tolerance_km,
)
from geo.registry import find_province
from tests.geo.io.boundary_corpus import registry_squares

SON_LA = find_province("Sơn La", "legacy")


def _features(g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = reproject(g, 4326).reset_index(drop=True)
    out.insert(0, "feature", np.arange(1, len(out) + 1))
    return out


def _codes(g: gpd.GeoDataFrame, edition: str = "legacy") -> list[str]:
    return list(g.ma_xa)


def test_tolerances_are_stated_and_grow_with_large_communes() -> None:
    assert NEAR_KM == 3.0 and AREA_FACTOR == {"2025": 2.0, "legacy": 3.0}
    assert tolerance_km([10.0, 100.0, 400.0]).tolist() == [3.0, 3.0, 6.0]


def test_every_registry_square_is_placed() -> None:
    g = _features(registry_squares("14", "legacy", codes=True))
    checks, problems = check_features(g, _codes(g), SON_LA, "legacy")
    assert problems == [] and checks.placed.all()
    assert (checks.distance_km == 0).all() and checks.in_province.all()


def test_a_commune_moved_by_a_zone_is_far_and_says_how_far_and_where() -> None:
    g = registry_squares("14", "legacy", n=3, codes=True)
    g.loc[1, "geometry"] = affinity.translate(g.geometry[1], 52_000, 0)  # 0.5° east
    f = _features(g)
    checks, problems = check_features(f, _codes(g), SON_LA, "legacy", "x.zip")
    assert checks.placed.tolist() == [True, False, True]
    assert checks.reason.tolist()[1] == "far"
    (p,) = problems
    assert p.row == 2 and p.file == "x.zip"
    km = int(p.vi.split("nằm cách xã này ")[1].split(" km")[0])
    assert 40 <= km <= 60, p.vi
    assert "tỉnh Sơn La" in p.vi or "tỉnh" in p.vi


def test_area_far_from_the_registry_is_a_problem_in_both_directions() -> None:
    g = registry_squares("14", "2025", n=2, codes=True)
    g.loc[0, "geometry"] = affinity.scale(g.geometry[0], 1.6, 1.6)  # 2.56 × the area
    g.loc[1, "geometry"] = affinity.scale(g.geometry[1], 0.6, 0.6)  # 0.36 ×
    f = _features(g)
    checks, problems = check_features(f, _codes(g, "2025"), find_province("Sơn La"), "2025")
    assert checks.reason.tolist() == ["area", "area"]
    assert "lớn hơn 2,6 lần" in problems[0].vi and "nhỏ hơn 2,8 lần" in problems[1].vi
    # Within the factor: placed.
    one = registry_squares("14", "2025", n=1, codes=True)
    g.loc[0, "geometry"] = affinity.scale(one.geometry[0], 1.3, 1.3)
    checks, _ = check_features(_features(g.head(1)), _codes(g.head(1), "2025"),
                               find_province("Sơn La"), "2025")
    assert checks.placed.all()


def test_locate_names_the_province_a_point_falls_in() -> None:
    ha_noi, ho_chi_minh, bangkok = locate([105.85, 106.70, 100.5], [21.03, 10.78, 13.7])
    assert ha_noi.province_name == "Thành phố Hà Nội" and ha_noi.in_vietnam
    assert ho_chi_minh.province_2025_name == "Thành phố Hồ Chí Minh"
    assert not bangkok.in_vietnam
    assert ha_noi.label("legacy") == "thành phố Hà Nội"
    assert ha_noi.label("legacy", "en") == "Hà Nội city"


def test_a_2025_province_covers_the_legacy_communes_merged_into_it() -> None:
    lao_cai_2025 = find_province("15", "2025")
    legacy = territory_codes(lao_cai_2025)
    from geo.registry import load_units

    u = load_units("legacy", "commune").set_index("code").loc[sorted(legacy)]
    assert set(u.province_name) == {"Tỉnh Lào Cai", "Tỉnh Yên Bái"}


@pytest.mark.parametrize(("lat", "lon", "verdict"), [
    (21.33, 103.91, "ok"),
    (103.91, 21.33, "swapped"),
    (95.0, 103.9, "impossible"),
    (21.0, 190.0, "impossible"),
    (13.7, 100.5, "outside_vietnam"),
    (21.03, 105.85, "outside_province"),
    (float("nan"), 103.9, "missing"),
])
def test_check_points(lat: float, lon: float, verdict: str) -> None:
    v, places = check_points([lat], [lon], find_province("Sơn La"))
    assert v.tolist() == [verdict]
    if verdict == "outside_province":
        assert places[0].province_name == "Thành phố Hà Nội"


def test_ranking_by_anchors_finds_the_zone_and_nothing_else_places_the_communes() -> None:
    g = registry_squares("14", "legacy", codes=True)
    reg = registry_places("legacy").loc[_codes(g)]
    ranked = rank_by_anchors(g.geometry.to_numpy(), (reg.lon.to_numpy(), reg.lat.to_numpy()),
                             1000 * tolerance_km(reg.area_km2), "14")
    assert ranked[0].crs == "EPSG:9206" and ranked[0].placed == ranked[0].total == 200
    assert ranked[0].province_code == "14"
    assert all(r.placed < 20 for r in ranked[1:])
    # The same squares in UTM 48N metres: UTM is found, the TM-3 zones are not.
    utm = reproject(g, "EPSG:3405")
    ranked = rank_by_anchors(utm.geometry.to_numpy(), (reg.lon.to_numpy(), reg.lat.to_numpy()),
                             1000 * tolerance_km(reg.area_km2), "14")
    assert ranked[0].crs in ("EPSG:3405", "EPSG:32648") and ranked[0].placed == 200
    assert ranked[0].crs == "EPSG:3405"  # VN-2000 before its WGS 84 twin, ~200 m apart
    assert shapely.is_valid(utm.geometry.to_numpy()).all()
