import numpy as np
import pandas as pd
import pytest

from geo.classify import classify, load_rules
from geo.errors import ValidationError

BASE = dict(population=10_000.0, registered_addicts=0.0, illegal_users=0.0,
            drug_harbouring_places=0.0, drug_offenders_arrested=0.0,
            narcotic_plants_destroyed=0.0, narcotic_plant_area_m2=0.0)


def one(**kw):
    return pd.DataFrame([{**BASE, **kw}], index=["x"])


def test_type_1_needs_three_of_four():
    rules = load_rules()
    r = classify(one(registered_addicts=30, illegal_users=20, drug_harbouring_places=2,
                     drug_offenders_arrested=10), rules).iloc[0]
    assert r.klass == "type_1"
    assert set(r.fired) == {"users_ratio", "harbouring_places", "arrests_ratio"}
    # Two criteria are not enough for type I.
    r2 = classify(one(registered_addicts=50, drug_harbouring_places=2), rules).iloc[0]
    assert r2.klass != "type_1"


@pytest.mark.parametrize("field,below,at", [
    ("registered_addicts", 49, 50),           # 0.5% of 10,000
    ("drug_harbouring_places", 1, 2),
    ("drug_offenders_arrested", 9, 10),       # 0.1%
    ("narcotic_plants_destroyed", 2999, 3000),
    ("narcotic_plant_area_m2", 749, 750),
])
def test_each_type_1_criterion_at_its_threshold(field, below, at):
    rules = load_rules()
    others = dict(drug_harbouring_places=2, drug_offenders_arrested=10,
                  narcotic_plants_destroyed=3000)
    if field in others:
        others.pop(field)
    else:
        others.pop("narcotic_plants_destroyed")
    # Exactly two other criteria hold; the third decides.
    assert classify(one(**others, **{field: below}), rules).iloc[0].klass != "type_1"
    assert classify(one(**others, **{field: at}), rules).iloc[0].klass == "type_1"


def test_type_2_arrest_band_and_disabled_rules_do_not_fire():
    rules = load_rules()
    r = classify(one(drug_harbouring_places=1, drug_offenders_arrested=6,
                     registered_addicts=40, narcotic_plants_destroyed=2000), rules).iloc[0]
    # Only 2 enabled type II criteria hold; the unconfirmed ones are off.
    assert r.klass == "none"
    on = load_rules(overrides={"type_2.users_ratio.enabled": True})
    assert classify(one(drug_harbouring_places=1, drug_offenders_arrested=6,
                        registered_addicts=40), on).iloc[0].klass == "type_2"
    # 0.1% or more is not in the type II arrest band: only two criteria hold.
    assert classify(one(drug_harbouring_places=1, drug_offenders_arrested=12,
                        registered_addicts=40), on).iloc[0].klass == "none"


def test_precedence_type_1_over_type_2():
    on = load_rules(overrides={"type_2.users_ratio.enabled": True})
    r = classify(one(registered_addicts=60, drug_harbouring_places=2,
                     drug_offenders_arrested=10), on).iloc[0]
    assert r.klass == "type_1"


def test_missing_data_is_reported_not_zero():
    df = one()
    df.loc["x", "drug_offenders_arrested"] = np.nan
    r = classify(df, load_rules()).iloc[0]
    assert "type_1.arrests_ratio" in r.missing


def test_overrides_change_thresholds_and_bad_ones_are_refused():
    strict = load_rules(overrides={"type_1.users_ratio.value": 0.006})
    df = one(registered_addicts=55, drug_harbouring_places=2, drug_offenders_arrested=10)
    assert classify(df, load_rules()).iloc[0].klass == "type_1"
    assert classify(df, strict).iloc[0].klass != "type_1"
    for bad in ({"type_9.x.value": 1}, {"type_1.nope.value": 1},
                {"type_1.users_ratio.value": -1}, {"type_1.users_ratio.op": "<"},
                {"type_1.users_ratio.enabled": "yes"}):
        with pytest.raises(ValidationError):
            load_rules(overrides=bad)


def test_disabled_criteria_are_listed_for_the_ui():
    assert any("không ma túy" in n.lower() or "Không có" in n
               for n in load_rules().disabled_criteria("vi"))
