"""One crosswalk everywhere: the stored one, as re-weighted, is what links and conversions use."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.reform import to_legacy
from geo.registry import successors
from geo.store import (
    crosswalk,
    crosswalk_links,
    get_values,
    new_batch,
    recorded_values,
    session_scope,
    set_split_weights,
    write_values,
)

SPLIT_OLD = "31268"  # Xã Tân Thạnh (Thới Lai, Cần Thơ), split between 31288 and 31666
NEW = "31288"  # Xã Trường Thành (2025): 31288, 31291, part of 31268, part of 31666
AREA_WEIGHTS = pd.DataFrame({"old_code": [SPLIT_OLD, SPLIT_OLD], "new_code": [NEW, "31666"],
                             "weight": [0.8, 0.2]})


@pytest.fixture()
def reweighted(empty_url: str) -> str:
    with session_scope(empty_url) as s:
        assert set_split_weights(s, AREA_WEIGHTS, "split_area") == 2
    return empty_url


def test_links_of_a_legacy_commune_are_the_stored_weights(reweighted: str) -> None:
    assert set(successors(SPLIT_OLD).weight) == {0.5}  # the package's equal shares
    with session_scope(reweighted) as s:
        links = crosswalk_links(s, old_code=SPLIT_OLD)
    assert list(links.new_code) == [NEW, "31666"]
    assert dict(zip(links.new_code, links.weight)) == {NEW: 0.8, "31666": 0.2}
    assert set(links.method) == {"split_area"} and links.split.all()
    assert links.set_index("new_code").name[NEW] == "Xã Trường Thành"


def test_links_of_a_2025_commune_name_its_predecessors(reweighted: str) -> None:
    with session_scope(reweighted) as s:
        links = crosswalk_links(s, new_code=NEW).set_index("old_code")
    assert sorted(links.index) == ["31268", "31288", "31291", "31666"]
    assert links.weight["31268"] == 0.8 and links.weight["31291"] == 1.0
    assert links.name["31268"] == "Xã Tân Thạnh"
    assert links.district_name["31268"] == "Huyện Thới Lai"


def test_links_need_exactly_one_code(empty_url: str) -> None:
    with session_scope(empty_url) as s:
        with pytest.raises(TypeError):
            crosswalk_links(s)
        with pytest.raises(TypeError):
            crosswalk_links(s, old_code="1", new_code="2")
        assert crosswalk_links(s, old_code="99999").empty


def test_legacy_values_convert_with_the_stored_weights(reweighted: str) -> None:
    olds = {"31288": 10.0, "31291": 20.0, "31268": 100.0, "31666": 40.0}
    v = pd.DataFrame({"unit_code": list(olds), "period": "2024",
                      "indicator": "registered_addicts", "value": list(olds.values())})
    with session_scope(reweighted) as s:
        b = new_batch(s, "indicators", province_code="92")
        write_values(s, v, b, "legacy")
    with session_scope(reweighted) as s:
        got = get_values(s, "92", "2025", ["registered_addicts"], ["2024"])
    row = got[got.unit_code == NEW]
    assert row.converted.item() == "crosswalk"
    # 0.8 (stored) for the split commune, not the package's 0.5
    assert row.value.item() == pytest.approx(10 + 20 + 0.8 * 100 + 0.5 * 40)


def test_2025_values_are_shared_back_by_stored_weight_and_population(reweighted: str) -> None:
    pop = {"31288": 5000.0, "31291": 3000.0, "31268": 4000.0, "31666": 6000.0}
    with session_scope(reweighted) as s:
        b = new_batch(s, "indicators", province_code="92")
        write_values(s, pd.DataFrame({"unit_code": list(pop), "period": "2024",
                                      "indicator": "population", "value": list(pop.values())}),
                     b, "legacy")
        write_values(s, pd.DataFrame({"unit_code": [NEW], "period": "2025-H2",
                                      "indicator": "registered_addicts", "value": [90.0]}),
                     b, "2025")
    with session_scope(reweighted) as s:
        got = get_values(s, "92", "legacy", ["registered_addicts"], ["2025-H2"])
        cw = crosswalk(s)
        population = recorded_values(s, "legacy", list(pop), ["population"])
    got = got.set_index("unit_code")
    assert set(got.converted) == {"estimated"}
    expect = to_legacy(pd.DataFrame({"unit_code": [NEW], "period": "2025-H2",
                                     "indicator": "registered_addicts", "value": [90.0]}),
                       cw, population).set_index("unit_code").value
    shares = {"31288": 5000, "31291": 3000, "31268": 0.8 * 4000, "31666": 0.5 * 6000}
    total = sum(shares.values())
    for code, share in shares.items():
        if code in got.index:  # 31666 lies in another legacy province (Sóc Trăng)
            assert got.value[code] == pytest.approx(90 * share / total)
            assert got.value[code] == pytest.approx(expect[code])
    assert "31268" in got.index and "31288" in got.index


def test_a_province_whose_code_changed_meaning_maps_through_the_crosswalk(empty_url):
    # Code 15 is Yên Bái before 1 July 2025 and (new) Lào Cai after it: 2025 Lào Cai
    # on legacy communes is former Lào Cai and former Yên Bái, never "legacy code 15".
    from geo.registry import find_province, load_units
    from geo.store import province_units, session_scope

    lao_cai_2025 = find_province("15", "2025")
    yen_bai = find_province("15", "legacy")
    with session_scope(empty_url) as s:
        old = province_units(s, lao_cai_2025, "legacy")
        just_yen_bai = province_units(s, yen_bai, "legacy")
    legacy = load_units("legacy", "commune")
    assert set(old.province_code) == {"10", "15"}  # legacy Lào Cai and Yên Bái
    assert set(just_yen_bai.code) == set(legacy.code[legacy.province_code == "15"])
    assert len(old) > len(just_yen_bai)
