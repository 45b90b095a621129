"""Tests for geo.crs: the zone table, the transformation PROJ runs, CRS guessing."""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from pyproj import CRS, Transformer
from pyproj.transformer import TransformerGroup
from shapely.geometry import LineString, Point, box

from geo import crs as gc
from geo.crs import guess as crs_guess
from geo.errors import NotFoundError, ValidationError

GEOD = pyproj.Geod(ellps="WGS84")
SON_LA_BBOX = (103.211996, 20.573004, 105.025308, 22.0284)  # registry, legacy edition
TRA_VINH_BBOX = (105.954726, 9.52957, 106.607011, 10.081762)

# EPSG:6960 parameters (Coordinate Frame rotation), QĐ 05/2007/QĐ-BTNMT.
CF = (-191.90441429, -39.30318279, -111.45032835, -0.00928836, 0.01975479, -0.00427372,
      0.252906278)


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def projected_bounds(wgs_box: tuple, crs) -> tuple:
    """Bounds in ``crs`` of a densified WGS84 box (a stand-in for a province layer)."""
    poly = shapely.segmentize(box(*wgs_box), 0.01)
    return tuple(gc.from_wgs84(poly, crs).bounds)


# ------------------------------------------------------------------ the zone table


def _params(epsg: int) -> dict:
    c = CRS.from_epsg(epsg)
    return {p.name: p.value for p in c.coordinate_operation.params}


def test_every_zone_epsg_has_the_central_meridian_of_the_json():
    zones = gc.load_zones()["zones"]
    assert {z["epsg"] for z in zones} == set(range(9205, 9219)) | {5896, 5897, 5898, 5899}
    for z in zones:
        c = CRS.from_epsg(z["epsg"])
        p = _params(z["epsg"])
        assert p["Longitude of natural origin"] == pytest.approx(z["central_meridian"]), z
        assert p["Scale factor at natural origin"] == pytest.approx(0.9999)
        assert p["False easting"] == 500000 and p["False northing"] == 0
        assert p["Latitude of natural origin"] == 0
        assert c.geodetic_crs.to_epsg() == 4756
        d, m = divmod(round(z["central_meridian"] * 60), 60)
        assert z["central_meridian_dms"] == f"{d}°{m:02d}′"


def test_utm_entries_match_epsg():
    for u in gc.load_zones()["utm"]:
        p = _params(u["epsg"])
        assert p["Longitude of natural origin"] == u["central_meridian"]
        assert p["Scale factor at natural origin"] == pytest.approx(0.9996)
        assert CRS.from_epsg(u["epsg"]).geodetic_crs.to_epsg() == 4756


@pytest.mark.parametrize("edition", ["legacy", "edition_2025"])
def test_every_province_zone_epsg_has_its_meridian(edition):
    table = gc.load_zones()[edition]
    assert len(table) == (63 if edition == "legacy" else 34)
    for code, e in table.items():
        assert re.fullmatch(r"\d\d", code)
        assert _params(e["epsg"])["Longitude of natural origin"] == pytest.approx(
            e["central_meridian"]), (code, e)


def test_province_codes_match_the_registry():
    from geo.registry import load_units

    z = gc.load_zones()
    for ed, key in (("legacy", "legacy"), ("2025", "edition_2025")):
        reg = load_units(ed, "province").set_index("code")
        assert set(reg.index) == set(z[key])
        for code, e in z[key].items():
            assert e["full_name"] == reg.loc[code, "name"]


def _epsg_area_names(text: str) -> set[str]:
    text = text.removeprefix("Vietnam - ")
    for word in (" provinces", " province", " cities", " municipality", "."):
        text = text.replace(word, "")
    return {p.strip() for p in re.split(r",|;| and ", text) if p.strip()}


def test_assignments_agree_with_the_provinces_epsg_names_in_each_zone():
    """EPSG's area of use (from the Department of Survey and Mapping) names each zone's
    provinces; the JSON must put exactly those provinces in that zone."""
    z = gc.load_zones()
    for zone in z["zones"]:
        area = CRS.from_epsg(zone["epsg"]).area_of_use.name
        named = {e["epsg_area_name"] for e in z["legacy"].values()
                 if e["epsg"] == zone["epsg"] and e["epsg_area_name"]}
        if "onshore" in area:  # 5896-5898: generic zones, no province named
            assert not named, zone
            continue
        assert named == _epsg_area_names(area), zone["epsg"]
    unnamed = {c for c, e in z["legacy"].items() if not e["epsg_area_name"]}
    # the rest are on the generic 105°00′ / 108°00′ zones
    assert {z["legacy"][c]["epsg"] for c in unnamed} == {5897, 5898}
    assert len(unnamed) == 10


def test_the_json_cites_its_sources_and_warns_about_2025():
    z = gc.load_zones()
    assert any("973/2001/TT-TCĐC" in s["citation"] for s in z["sources"])
    assert "quy định lại" in z["edition_2025_note_vi"]
    assert "may fix new central meridians" in z["edition_2025_note_en"]


def test_2025_provinces_take_the_zone_of_the_province_that_kept_the_name():
    z = gc.load_zones()
    seen: list[str] = []
    for e in z["edition_2025"].values():
        kept = z["legacy"][e["zone_from"]]
        assert e["zone_from"] in e["merged_from"]
        assert kept["name"] == e["name"]
        assert (kept["central_meridian"], kept["epsg"]) == (e["central_meridian"], e["epsg"])
        others = {c: z["legacy"][c]["central_meridian"] for c in e["merged_from"]
                  if z["legacy"][c]["central_meridian"] != e["central_meridian"]}
        assert e.get("other_meridians", {}) == others
        seen += e["merged_from"]
    assert sorted(seen) == sorted(z["legacy"])  # every old province in exactly one new one


@pytest.mark.parametrize("code,epsg", [("14", 9206), ("11", 9205), ("84", 9209), ("75", 5899),
                                       ("22", 5899), ("01", 5897), ("51", 5898), ("62", 9216)])
def test_known_zones(code, epsg):
    assert gc.province_crs(code).to_epsg() == epsg


def test_codes_reused_in_2025_give_that_editions_zone():
    assert gc.province_crs("24").to_epsg() == 9214  # Bắc Giang 107°00′
    z = gc.province_zone("24", "2025")
    assert (z.name, z.crs.to_epsg(), z.other_meridians) == ("Bắc Ninh", 9209, {"24": 107.0})
    assert gc.province_crs("91", "2025").to_epsg() == 9208  # An Giang, not Kiên Giang
    assert gc.province_crs(14).to_epsg() == 9206


def test_unknown_province_or_edition():
    with pytest.raises(NotFoundError):
        gc.province_crs("99")
    with pytest.raises(NotFoundError):
        gc.province_crs("14", "2030")


def test_meridian_without_epsg_is_built_on_vn2000():
    c = gc.zone_crs(109.0)
    assert c.to_epsg() is None
    assert c.geodetic_crs.to_epsg() == 4756
    p = {x.name: x.value for x in c.coordinate_operation.params}
    assert p["Longitude of natural origin"] == 109.0
    assert p["Scale factor at natural origin"] == 0.9999 and p["False easting"] == 500000
    tr = gc.transformer(c, gc.WGS84)
    assert gc.uses_operation(tr, gc.OFFICIAL_TRANSFORMATION) and not gc.is_ballpark(tr)
    x, y = tr.transform(500000, 1500000)
    assert x == pytest.approx(109.0, abs=0.01)


# ------------------------------------------------------------------ transformations


def test_network_is_off():
    assert not pyproj.network.is_network_enabled()


@pytest.mark.parametrize("src", ["EPSG:4756", "EPSG:9206", "EPSG:5899", "EPSG:9209", "EPSG:3405",
                                 "EPSG:3406"])
def test_vn2000_to_wgs84_runs_the_epsg_7_parameter_transformation(src):
    group = TransformerGroup(src, 4326, always_xy=True)
    assert group.best_available
    assert any(gc.uses_operation(t, 6960) for t in group.transformers)
    for tr in (gc.transformer(src, 4326), gc.transformer(4326, src)):
        assert gc.uses_operation(tr, 6960), tr.description
        assert not gc.is_ballpark(tr)
        assert "VN-2000 to WGS 84 (2)" in tr.description
        assert tr.accuracy == pytest.approx(1.0)  # EPSG's stated accuracy, metres
        assert not tr.is_network_enabled


def test_official_transformation_everywhere_even_where_proj_would_switch():
    """PROJ alone uses EPSG:5194 (Total, Mekong blocks) from 9.35°N to 11.04°N, 0.8 m from
    EPSG:6960: geo.crs keeps 6960 so a province is not split between two datum shifts."""
    ours = gc.transformer(4756, 4326)
    ops = {6960: None, 5194: None}
    for t in TransformerGroup(4756, 4326, always_xy=True).transformers:
        for code in ops:
            if gc.uses_operation(t, code):
                ops[code] = t
    assert ops[6960] is not None and ops[5194] is not None
    for lon, lat in [(105.0, 9.30), (105.0, 9.40), (106.3, 9.8), (104.0, 21.0)]:
        a, b = ours.transform(lon, lat), ops[6960].transform(lon, lat)
        assert metres(*a, *b) < 1e-6
    gap = metres(*ops[6960].transform(105.0, 9.4), *ops[5194].transform(105.0, 9.4))
    assert 0.5 < gap < 1.2


def test_known_point_matches_the_epsg_parameters_and_round_trips():
    lon, lat = 104.0, 21.0
    x, y = gc.transformer(4326, 9206).transform(lon, lat)
    # The same operation written out by hand: WGS84 → VN-2000 is the inverse Helmert.
    helmert = ("+proj=helmert +x={} +y={} +z={} +rx={} +ry={} +rz={} +s={} "
               "+convention=coordinate_frame").format(*CF)
    pipe = Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        "+step +proj=cart +ellps=WGS84 "
        f"+step +inv {helmert} "
        "+step +inv +proj=cart +ellps=WGS84 "
        "+step +proj=tmerc +lat_0=0 +lon_0=104 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84")
    ex, ey = pipe.transform(lon, lat)
    assert (x, y) == pytest.approx((ex, ey), abs=1e-3)
    assert (x, y) == pytest.approx((499804.0, 2322951.4), abs=0.5)
    back = gc.to_wgs84(Point(x, y), "EPSG:9206")
    assert metres(back.x, back.y, lon, lat) < 0.01  # the inverse Helmert is iterative


def test_handwritten_towgs84_with_the_epsg_signs_pasted_is_off_by_under_a_metre():
    """+towgs84 is Position Vector; EPSG:6960 is Coordinate Frame, so its rotations must
    change sign. Pasted as-is the result is ~0.8 m off; with no towgs84 it is ~220 m off."""
    base = "+proj=tmerc +lat_0=0 +lon_0=104 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m"
    pasted = base + " +towgs84=" + ",".join(str(v) for v in CF)
    pv = (*CF[:3], -CF[3], -CF[4], -CF[5], CF[6])
    flipped = base + " +towgs84=" + ",".join(str(v) for v in pv)
    x, y = 500000.0, 2350000.0
    ref = gc.transformer(9206, 4326).transform(x, y)
    off = metres(*ref, *gc.transformer(CRS(pasted), 4326).transform(x, y))
    assert 0.5 < off < 1.0
    assert metres(*ref, *gc.transformer(CRS(flipped), 4326).transform(x, y)) < 1e-3
    with pytest.warns(gc.BallparkWarning):
        none = gc.transformer(CRS(base), 4326)
    assert gc.is_ballpark(none)
    assert 150 < metres(*ref, *none.transform(x, y)) < 300


def test_reprojection_keeps_types_crs_index_and_z():
    s = gpd.GeoSeries([Point(104, 21), LineString([(104, 21), (104.1, 21.1)])],
                      index=[7, 9], crs=4326)
    df = gpd.GeoDataFrame({"code": ["a", "b"]}, geometry=s, index=s.index)
    p = gc.from_wgs84(df, gc.province_crs("14"))
    assert isinstance(p, gpd.GeoDataFrame) and p.crs.to_epsg() == 9206
    assert list(p.index) == [7, 9] and list(p.code) == ["a", "b"]
    assert df.crs.to_epsg() == 4326 and df.geometry.iloc[0].x == 104  # input untouched
    back = gc.to_wgs84(p)
    assert back.crs.to_epsg() == 4326
    assert back.geometry.iloc[1].coords[1] == pytest.approx((104.1, 21.1), abs=1e-8)
    gs = gc.from_wgs84(s, 9206)
    assert isinstance(gs, gpd.GeoSeries) and gs.crs.to_epsg() == 9206
    p3 = gc.from_wgs84(Point(104, 21, 350.0), 9206)
    assert p3.has_z and p3.z == 350.0


def test_reprojection_refuses_unknown_or_wrong_crs_and_impossible_coordinates():
    with pytest.raises(ValidationError):
        gc.to_wgs84(gpd.GeoSeries([Point(500000, 2300000)]))  # no CRS
    with pytest.raises(ValidationError):
        gc.to_wgs84(Point(500000, 2300000))
    with pytest.raises(ValidationError):
        gc.from_wgs84(gpd.GeoSeries([Point(500000, 2300000)], crs=9206), 9206)
    with pytest.raises(ValidationError):
        gc.to_wgs84(Point(1e12, 1e12), 9206)
    # an explicit src_crs overrides a wrong declared one
    wrong = gpd.GeoSeries([Point(499804.0, 2322951.4)], crs=3405)
    assert gc.to_wgs84(wrong, 9206).iloc[0].x == pytest.approx(104.0, abs=1e-5)


# ------------------------------------------------------------------ guessing


def test_lon_lat_detected_as_wgs84():
    g = gc.guess_crs((103.3, 20.6, 105.0, 22.0), "14")
    assert [x.crs for x in g] == ["EPSG:4326", "EPSG:4756"]
    assert g[0].kind == "geographic" and g[0].score > g[1].score
    assert "kinh độ, vĩ độ" in g[0].reason_vi and "longitude/latitude" in g[0].reason_en
    assert "200 m" in g[1].reason_en
    assert gc.guess_crs((3.3, 50.6, 5.0, 52.0)) == []  # degrees, but not in Vietnam


def test_tm3_reason_names_meridian_and_province():
    b = projected_bounds(SON_LA_BBOX, 9206)
    g = gc.guess_crs(b, "14", SON_LA_BBOX)
    assert g[0].crs == "EPSG:9206" and g[0].province_code == "14" and g[0].kind == "tm3"
    assert g[0].score > 0.9 and g[0].inside == pytest.approx(1.0)
    assert "m Đông" in g[0].reason_vi
    assert "phù hợp múi chiếu TM-3 kinh tuyến trục 104°00′ (EPSG:9206) của tỉnh Sơn La" in (
        g[0].reason_vi)
    assert "central meridian 104°00′ (EPSG:9206) of Sơn La province" in g[0].reason_en
    assert re.search(r"\d{3}\.\d{3}–\d{3}\.\d{3} m Đông", g[0].reason_vi)  # 1.234 in vi
    assert re.search(r"\d{3},\d{3}–\d{3},\d{3} m E", g[0].reason_en)
    assert all(x.province_code is None for x in g[1:])
    assert [x.score for x in g] == sorted((x.score for x in g), reverse=True)
    # without a box the province's zone still comes first (EPSG area of use of 9206)
    assert gc.guess_crs(b, "14")[0].crs == "EPSG:9206"
    # and without any province, 9206 is the reading that lands on Sơn La's zone area
    assert gc.guess_crs(b)[0].crs == "EPSG:9206"


@pytest.mark.parametrize("code,wbox,tm3", [("14", SON_LA_BBOX, "EPSG:9206"),
                                           ("84", TRA_VINH_BBOX, "EPSG:9209")])
def test_utm_and_tm3_told_apart_by_the_province_box(code, wbox, tm3):
    tm = projected_bounds(wbox, tm3)
    utm = projected_bounds(wbox, 3405)
    assert crs_guess._band(tm[0], tm[2], crs_guess._TM3_EASTING)
    assert crs_guess._band(utm[0], utm[2], crs_guess._UTM_EASTING)
    g_tm = gc.guess_crs(tm, code, wbox)
    g_utm = gc.guess_crs(utm, code, wbox)
    assert g_tm[0].crs == tm3
    assert g_utm[0].crs == "EPSG:3405"
    assert "UTM" in g_utm[0].reason_vi and "48N" in g_utm[0].reason_en
    own = next(x for x in g_utm if x.crs == tm3)
    assert own.inside < 0.8  # the province's own zone puts UTM data off the province


def test_2025_edition_province():
    b = projected_bounds((106.0, 21.0, 106.3, 21.3), 9209)  # Bắc Ninh area
    g = gc.guess_crs(b, "24", edition="2025")
    assert g[0].crs == "EPSG:9209" and g[0].province_code == "24"
    assert "tỉnh Bắc Ninh" in g[0].reason_vi


def test_city_label():
    b = projected_bounds((105.75, 20.95, 105.9, 21.1), 5897)
    g = gc.guess_crs(b, "01", (105.3, 20.5, 106.0, 21.4))
    assert g[0].crs == "EPSG:5897" and "của thành phố Hà Nội" in g[0].reason_vi
    assert "Hà Nội city" in g[0].reason_en


def test_bad_bounds():
    for bad in [(1, 2, 3), (5, 0, 1, 1), (0, 0, float("nan"), 1), "abcd"]:
        with pytest.raises(ValidationError):
            gc.guess_crs(bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        gc.guess_crs((0, 0, 1, 1), "14", (1, 1, 0, 0))


def test_check_declared_crs():
    tm = projected_bounds(SON_LA_BBOX, 9206)
    assert gc.check_declared_crs(tm, "EPSG:9206", SON_LA_BBOX) is None
    assert gc.check_declared_crs(tm, 9206) is None  # in Vietnam, no province to compare
    utm = projected_bounds(SON_LA_BBOX, 3405)
    f = gc.check_declared_crs(utm, "EPSG:9206", SON_LA_BBOX, province_code="14")
    assert f is not None and f.kind == "declared" and f.crs == "EPSG:9206"
    assert f.suggestions[0].crs == "EPSG:3405" and "EPSG:3405" in f.reason_vi
    assert "phạm vi tỉnh" in f.reason_vi and "inside the province" in f.reason_en
    # a neighbouring zone: still mostly inside the box, but another CRS fits clearly better
    f = gc.check_declared_crs(tm, "EPSG:9208", SON_LA_BBOX, province_code="14")
    assert f is not None and f.suggestions[0].crs == "EPSG:9206"
    # outside Vietnam altogether (UTM 49N read for data at 104°E)
    f = gc.check_declared_crs(tm, "EPSG:3406")
    assert f is not None and "ngoài Việt Nam" in f.reason_vi and "outside Vietnam" in f.reason_en
    # degrees declared for metres and the reverse
    f = gc.check_declared_crs(tm, "EPSG:4326", SON_LA_BBOX, province_code="14")
    assert f is not None and "mét" in f.reason_vi and f.suggestions[0].crs == "EPSG:9206"
    f = gc.check_declared_crs((103.3, 20.6, 105.0, 22.0), "EPSG:9206")
    assert f is not None and "degrees" not in f.reason_en and "longitude/latitude" in f.reason_en
    assert gc.check_declared_crs((103.3, 20.6, 105.0, 22.0), "EPSG:4326", SON_LA_BBOX) is None
    f = gc.check_declared_crs(tm, "not a crs")
    assert f is not None and "cannot be read" in f.reason_en


# ------------------------------------------------------------------ real Sơn La geometry


@pytest.fixture(scope="module")
def son_la(shared_data) -> gpd.GeoDataFrame:
    g = gpd.read_file(shared_data / "son_la_communes_2009.gpkg", layer="communes")
    assert g.crs.to_epsg() == 4326
    return g


def test_real_communes_round_trip_through_9206_within_1_m(son_la):
    p = gc.from_wgs84(son_la, gc.province_crs("14"))
    assert p.crs.to_epsg() == 9206
    b = p.total_bounds
    assert 380_000 < b[0] < b[2] < 620_000 and 2_250_000 < b[1] < b[3] < 2_450_000
    back = gc.to_wgs84(p)
    a = shapely.get_coordinates(son_la.geometry.to_numpy())
    c = shapely.get_coordinates(back.geometry.to_numpy())
    assert len(a) == len(c) > 1000
    assert metres(a[:, 0], a[:, 1], c[:, 0], c[:, 1]).max() < 1.0
    # outside the Mekong blocks geopandas' own choice is the same operation
    q = shapely.get_coordinates(son_la.to_crs(9206).geometry.to_numpy())
    assert np.abs(q - shapely.get_coordinates(p.geometry.to_numpy())).max() < 1e-3


def test_real_communes_guess_9206_for_son_la(son_la):
    p = gc.from_wgs84(son_la, 9206)
    box_ = tuple(son_la.total_bounds)
    for g in (gc.guess_crs(tuple(p.total_bounds), "14", box_),
              gc.guess_crs(tuple(p.total_bounds), "14", SON_LA_BBOX),
              gc.guess_crs(tuple(p.total_bounds), "14")):
        assert g[0].crs == "EPSG:9206" and g[0].province_code == "14"
    one = p[p.geometry.area == p.geometry.area.max()]  # a single commune's file
    g = gc.guess_crs(tuple(one.total_bounds), "14", box_)
    assert g[0].crs == "EPSG:9206"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ballpark anywhere on the way
        u = gc.from_wgs84(son_la, 3405)
        g = gc.guess_crs(tuple(u.total_bounds), "14", box_)
    assert g[0].crs == "EPSG:3405"
    f = gc.check_declared_crs(tuple(u.total_bounds), 9206, box_, province_code="14")
    assert f is not None and f.suggestions[0].crs == "EPSG:3405"
