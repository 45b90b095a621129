"""Contiguity weights: queen/rook as libpysal builds them, islands reported and linked."""

import geopandas as gpd
import pytest
from libpysal.weights import lat2W
from shapely import box

from geo.errors import ValidationError
from geo.stats import contiguity_weights

from ._grids import grid


def _cardinalities(w):
    return sorted(len(v) for v in w.neighbors.values())


@pytest.mark.parametrize("kind,rook", [("queen", False), ("rook", True)])
def test_grid_neighbours_match_libpysal_lattice(kind, rook):
    r = contiguity_weights(grid(5), kind=kind)
    assert _cardinalities(r.w) == _cardinalities(lat2W(5, 5, rook=rook))
    assert r.islands == [] and r.patched == {}
    assert set(r.w.neighbors["c006"]) == (
        {"c001", "c005", "c007", "c011"} if rook else
        {"c000", "c001", "c002", "c005", "c007", "c010", "c011", "c012"})
    assert r.w.transform.upper() == "O"  # binary: standardisation is the caller's choice
    assert all(v == 1.0 for ws in r.w.weights.values() for v in ws)


def test_islands_are_reported_and_linked_both_ways():
    g = grid(3)
    g.loc[len(g)] = ["island", box(10, 10, 11, 11)]
    r = contiguity_weights(g)
    assert r.islands == ["island"]
    assert r.patched == {"island": "c008"}  # the nearest centroid (2.5, 2.5)
    assert r.w.neighbors["island"] == ["c008"]
    assert "island" in r.w.neighbors["c008"]
    assert r.w.islands == []


def test_two_islands_each_get_their_nearest_unit():
    g = grid(3)
    g.loc[len(g)] = ["east", box(8, 0, 9, 1)]
    g.loc[len(g)] = ["north", box(0, 8, 1, 9)]
    r = contiguity_weights(g)
    assert r.islands == ["east", "north"]
    assert r.patched == {"east": "c002", "north": "c006"}


def test_island_nearest_is_measured_in_metres_not_degrees():
    # At 21°N one degree of longitude is ~104 km and one of latitude ~111 km: "lon" is
    # 1.00° east (104 km), "lat" is 0.96° north (106 km). In degrees "lat" looks nearer.
    tiny = 0.01
    g = gpd.GeoDataFrame(
        {"code": ["island", "lon", "lat"]},
        geometry=[box(104, 21, 104 + tiny, 21 + tiny),
                  box(105, 21, 105 + tiny, 21 + tiny),
                  box(104, 21.96, 104 + tiny, 21.96 + tiny)], crs=4326)
    r = contiguity_weights(g)
    assert r.patched["island"] == "lon"


def test_codes_become_strings():
    g = grid(2).assign(code=[10, 11, 12, 13])
    r = contiguity_weights(g)
    assert list(r.w.id_order) == ["10", "11", "12", "13"]


@pytest.mark.parametrize("change", ["duplicate", "missing_column", "missing_code", "one_unit",
                                    "empty_geometry"])
def test_bad_input_is_refused(change):
    g = grid(2)
    if change == "duplicate":
        g.loc[1, "code"] = "c000"
    elif change == "missing_column":
        g = g.rename(columns={"code": "ma"})
    elif change == "missing_code":
        g.loc[1, "code"] = None
    elif change == "one_unit":
        g = g.iloc[:1]
    else:
        g.loc[1, "geometry"] = box(0, 0, 0, 0).buffer(-1)  # empty polygon
    with pytest.raises(ValidationError):
        contiguity_weights(g)


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        contiguity_weights(grid(2), kind="bishop")


def test_real_son_la_communes_have_no_islands(shared_data):
    gdf = gpd.read_file(shared_data / "son_la_communes_2009.gpkg", layer="communes")
    r = contiguity_weights(gdf, id_col="census_id")
    assert r.w.n == 204
    assert r.islands == []
    assert min(r.w.cardinalities.values()) >= 1
