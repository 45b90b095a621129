"""Each reading of an open point: stated in both languages, and switchable by a province."""

import numpy as np
import pytest

from geo.qd28 import load_rules

from ._helpers import one, rules

READINGS = ["precedence", "bands_cumulative", "type_3_above_zero", "route_counts_higher_bands",
            "drug_free_over_type_3", "residents_fallback_population"]


def test_every_reading_is_stated_in_both_languages():
    r = load_rules()
    assert list(r.readings) == READINGS
    for rid, rd in r.readings.items():
        assert rd.vi and rd.en and rd.articles and rd.title_vi and rd.title_en, rid
        assert f"readings.{rid}" in rd.switch_vi and f"readings.{rid}" in rd.switch_en
        if isinstance(rd.value, bool):
            assert rd.off_vi and rd.off_en, rid
        assert not rd.changed
    texts = r.readings_text("vi")
    assert len(texts) == len(READINGS) and all(t for t in r.readings_text("en"))
    assert r.order == ("type_1", "type_2", "drug_free", "type_3")


def test_a_switched_reading_says_so():
    r = rules(readings__type_3_above_zero=False)
    rd = r.readings["type_3_above_zero"]
    assert rd.changed and rd.value is False and rd.default is True
    assert rd.text("vi") == rd.off_vi and rd.title("en").startswith("not applied")
    assert r.overrides == {"readings.type_3_above_zero": False}
    assert load_rules().readings["type_3_above_zero"].value is True  # not mutated


def test_type_3_above_zero():
    assert one().klass == "drug_free"
    lit = rules(readings__type_3_above_zero=False)
    # Read literally, zero is "dưới 0,1%": every commune meets type III; with drug-free
    # tried first, a commune meeting Điều 6 stays drug-free ...
    assert one(lit).klass == "drug_free"
    # ... and one that does not is type III, not "none".
    assert one(users_outside_treatment=1).klass == "none"
    assert one(lit, users_outside_treatment=1).klass == "type_3"
    assert "type_3_above_zero" in one(users_outside_treatment=1).readings


def test_bands_cumulative():
    # 0.6% users, 0.07% arrests, 1,000 plants: one criterion in each of bands I, II, II.
    fig = dict(registered_addicts=60, drug_offenders_arrested=7, narcotic_plants_destroyed=1000,
               users_outside_treatment=60)
    r = one(**fig)
    assert r.klass == "type_2" and "type_2.addicts_ratio" in r.counted
    assert "type_2.addicts_ratio" not in r.fired  # as written, 0.6% is the type I band
    assert "bands_cumulative" in r.readings
    assert one(rules(readings__bands_cumulative=False), **fig).klass == "none"


def test_route_counts_higher_bands():
    # 0.6% users (type I band), 0.07% arrests (type II band), 40 plants (type III band), on
    # a route. "2 criteria of type II or higher" (I.đ): a and c, so I.đ holds and counts
    # for type II too: type II = a, c, đ.
    fig = dict(registered_addicts=60, users_outside_treatment=60, drug_offenders_arrested=7,
               resident_drug_law_violators=7, narcotic_plants_destroyed=40, on_key_drug_route=1)
    r = one(**fig)
    assert "type_1.route" in r.fired and r.klass == "type_2"
    assert "route_counts_higher_bands" in r.readings
    # Counting only criteria exactly in the band: I.đ has c alone, II.đ has the plants
    # alone; neither holds, and type II has a and c: type III.
    r = one(rules(readings__route_counts_higher_bands=False), **fig)
    assert "type_1.route" not in r.fired and "type_2.route" not in r.fired
    assert r.klass == "type_3"


def test_drug_free_over_type_3():
    fig = dict(registered_addicts=4, methadone_patients=4)   # all in treatment
    assert one(**fig).klass == "drug_free"
    r = one(rules(readings__drug_free_over_type_3=False), **fig)
    assert r.klass == "type_3"
    assert rules(readings__drug_free_over_type_3=False).order == (
        "type_1", "type_2", "type_3", "drug_free")


def test_residents_fallback_population():
    fig = dict(residents=np.nan, population=10_000, registered_addicts=60,
               drug_harbouring_places=2, drug_offenders_arrested=10)
    assert one(**fig).klass == "type_1"
    r = one(rules(readings__residents_fallback_population=False), **fig)
    # Without the fallback the rates are missing: a, c unknown, b met, đ not met (0 route).
    assert r.klass == "undetermined" and "residents" in r.needed_data


def test_precedence():
    both = dict(registered_addicts=60, drug_harbouring_places=2, drug_offenders_arrested=7,
                narcotic_plant_area_m2=300, on_key_drug_route=1)
    assert one(**both).klass == "type_1"
    assert one(rules(readings__precedence=["type_3", "type_2", "type_1"]), **both).klass \
        == "type_3"


@pytest.mark.parametrize("key,value", [
    ("readings.precedence", ["type_1", "type_2"]),
    ("readings.precedence", ["type_1", "type_2", "drug_free"]),
    ("readings.bands_cumulative", 1),
    ("readings.drug_free_over_type_3", "false"),
])
def test_bad_reading_values_are_refused(key, value):
    from geo.errors import ValidationError

    with pytest.raises(ValidationError) as e:
        load_rules(overrides={key: value})
    assert key in e.value.message("vi")
