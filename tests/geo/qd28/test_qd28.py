import json

import numpy as np
import pandas as pd
import pytest

from geo.errors import ValidationError
from geo.qd28 import RULES_FILE, classify, load_rules
from geo.vocab import QD28_CLASSES

# 10,000 residents: 0.5% = 50 people, 0.1% = 10, 0.05% = 5. Only population is given
# here: the rates fall back to it (the Decision's denominator, residents, is absent).
# The QĐ 28/2025 figures the old rules did not read (route, drug-free counts) are 0,
# so that each test looks at the figures it names.
BASE = dict(population=10_000.0, registered_addicts=0.0, illegal_users=0.0,
            drug_harbouring_places=0.0, drug_offenders_arrested=0.0,
            narcotic_plants_destroyed=0.0, narcotic_plant_area_m2=0.0,
            drug_cases_detected=0.0, on_key_drug_route=0.0, users_outside_treatment=0.0,
            resident_drug_law_violators=0.0, drug_fugitives_hiding=0.0)

# (The old FILLED test thresholds are gone: the Decision's text gives every threshold.)


def one(**kw):
    return pd.DataFrame([{**BASE, **kw}], index=pd.Index(["04024"], name="unit_code"))


def run(rules=None, **kw):
    return classify(one(**kw), rules or load_rules()).iloc[0]


# ----------------------------------------------------------- each rule at its boundary

BOUNDARIES = [
    # (criterion, overrides, {field: value that does not hold}, {field: value that holds})
    ("type_1.addicts_ratio", {}, dict(registered_addicts=30, illegal_users=19),
     dict(registered_addicts=30, illegal_users=20)),
    ("type_1.harbouring_places", {}, dict(drug_harbouring_places=1),
     dict(drug_harbouring_places=2)),
    ("type_1.arrests_ratio", {}, dict(drug_offenders_arrested=9),
     dict(drug_offenders_arrested=10)),
    ("type_1.plants", {}, dict(narcotic_plants_destroyed=2999),
     dict(narcotic_plants_destroyed=3000)),
    ("type_1.plants", {}, dict(narcotic_plant_area_m2=749.9),
     dict(narcotic_plant_area_m2=750)),
    ("type_2.harbouring_places", {}, dict(drug_harbouring_places=0),
     dict(drug_harbouring_places=1)),
    ("type_2.harbouring_places", {}, dict(drug_harbouring_places=2),  # band: 2 is type I
     dict(drug_harbouring_places=1)),
    ("type_2.arrests_ratio", {}, dict(drug_offenders_arrested=4),
     dict(drug_offenders_arrested=5)),
    ("type_2.arrests_ratio", {}, dict(drug_offenders_arrested=10),  # 0.1% is type I
     dict(drug_offenders_arrested=9)),
    # 4.2.a is "từ 0,1% đến dưới 0,5%" (the old test filled in 0.3% for an unknown bound).
    ("type_2.addicts_ratio", {}, dict(registered_addicts=9),
     dict(registered_addicts=10)),
    ("type_2.addicts_ratio", {}, dict(registered_addicts=50),
     dict(registered_addicts=49)),
    ("type_2.plants", {}, dict(narcotic_plants_destroyed=499),
     dict(narcotic_plants_destroyed=500)),
    ("type_2.plants", {}, dict(narcotic_plants_destroyed=3000),
     dict(narcotic_plants_destroyed=2999)),
    ("type_2.plants", {}, dict(narcotic_plant_area_m2=124),
     dict(narcotic_plant_area_m2=125)),
    ("type_2.plants", {}, dict(narcotic_plant_area_m2=750),
     dict(narcotic_plant_area_m2=749)),
    # 4.3 as written ("dưới …"), counted above zero (reading type_3_above_zero). The old
    # invented count criteria (addicts_present, arrests_present, plants_present ≥ 1) are
    # gone; a type III criterion is now the band under the type II one.
    ("type_3.addicts_ratio", {}, dict(illegal_users=0), dict(illegal_users=1)),
    ("type_3.addicts_ratio", {}, dict(registered_addicts=10), dict(registered_addicts=9)),
    ("type_3.arrests_ratio", {}, dict(drug_offenders_arrested=0),
     dict(drug_offenders_arrested=1)),
    ("type_3.arrests_ratio", {}, dict(drug_offenders_arrested=5),
     dict(drug_offenders_arrested=4)),
    ("type_3.plants", {}, dict(narcotic_plant_area_m2=0), dict(narcotic_plant_area_m2=0.5)),
    ("type_3.plants", {}, dict(narcotic_plant_area_m2=125),
     dict(narcotic_plant_area_m2=124.9)),
    ("type_3.plants", {}, dict(narcotic_plants_destroyed=500),
     dict(narcotic_plants_destroyed=499)),
    # Điều 6 (the old no_addicts / no_drug_crime criteria were not the Decision's).
    ("drug_free.no_users", {}, dict(users_outside_treatment=1),
     dict(users_outside_treatment=0)),
    ("drug_free.no_harbouring_places", {}, dict(drug_harbouring_places=1),
     dict(drug_harbouring_places=0)),
    ("drug_free.no_offenders", {}, dict(resident_drug_law_violators=1),
     dict(resident_drug_law_violators=0)),
    ("drug_free.no_offenders", {}, dict(drug_fugitives_hiding=1),
     dict(drug_fugitives_hiding=0)),
    # Not in the Decision: a province-added rule, off unless switched on.
    ("drug_free.no_plants_found", {"drug_free.no_plants_found.enabled": True},
     dict(narcotic_plants_destroyed=1), dict(narcotic_plants_destroyed=0)),
]


@pytest.mark.parametrize("qid,overrides,off,on", BOUNDARIES,
                         ids=[f"{b[0]}-{sorted(b[2].items())}" for b in BOUNDARIES])
def test_each_criterion_at_its_threshold(qid, overrides, off, on):
    rules = load_rules(overrides=overrides)
    assert qid not in run(rules, **off).fired
    assert qid in run(rules, **on).fired


def test_type_1_criteria_have_the_decision_thresholds():
    t = load_rules().thresholds()
    assert t["type_1.addicts_ratio.right"] == 0.005
    assert t["type_1.harbouring_places.right"] == 2
    assert t["type_1.arrests_ratio.right"] == 0.001
    assert (t["type_1.plants.args.0.right"], t["type_1.plants.args.1.right"]) == (3000, 750)
    assert t["type_1.min_criteria"] == 3 and t["type_2.min_criteria"] == 3
    assert t["type_3.min_criteria"] == 1
    assert t["drug_free.min_criteria"] == "all" and t["province.min_criteria"] == 4


# ----------------------------------------------------------- counting and precedence


def test_type_1_needs_three_criteria():
    two = dict(drug_harbouring_places=2, drug_offenders_arrested=10)
    assert run(**two).klass != "type_1"
    r = run(**two, narcotic_plants_destroyed=3000)
    assert r.klass == "type_1"
    # Five criteria now (criterion đ, the route, is in the Decision and on).
    assert r.explain_vi.startswith("Loại I: 3/5 tiêu chí (cần 3")
    assert r.explain_en.startswith("Type I: 3/5 criteria (needs 3")


def test_min_criteria_override_and_all():
    two = dict(drug_harbouring_places=2, drug_offenders_arrested=10)
    assert run(load_rules(overrides={"type_1.min_criteria": 2}), **two).klass == "type_1"
    every = load_rules(overrides={"type_1.min_criteria": "all"})
    assert run(every, **two, narcotic_plants_destroyed=3000).klass != "type_1"
    # "all" includes criterion đ: the commune must also lie on a key drug route.
    assert run(every, **two, narcotic_plants_destroyed=3000, registered_addicts=50,
               on_key_drug_route=1).klass == "type_1"


def test_type_2_counts_three_of_its_criteria():
    rules = load_rules()
    r = run(rules, drug_harbouring_places=1, drug_offenders_arrested=5)
    # Two type II criteria and not on a route: not type II; type III holds because
    # arrests in the type II band also count for type III (reading bands_cumulative).
    assert r.klass == "type_3"
    assert "type_3.arrests_ratio" in r.counted and "type_3.arrests_ratio" not in r.fired
    # Read band by band, 0.05% is not "dưới 0,05%" and the commune has no class.
    literal = load_rules(overrides={"readings.bands_cumulative": False})
    assert run(literal, drug_harbouring_places=1, drug_offenders_arrested=5).klass == "none"
    r = run(rules, drug_harbouring_places=1, drug_offenders_arrested=5, registered_addicts=30)
    assert r.klass == "type_2"


def test_precedence_type_1_over_2_over_3_over_drug_free():
    rules = load_rules()
    # Meets type I (addicts, arrests, plants) and type III; type I wins.
    assert run(rules, registered_addicts=60, drug_offenders_arrested=10,
               narcotic_plants_destroyed=3000).klass == "type_1"
    assert run(rules, registered_addicts=30, drug_harbouring_places=1,
               drug_offenders_arrested=5).klass == "type_2"
    # One user who is not in treatment: type III, and 6.1 rules out drug-free.
    assert run(rules, illegal_users=1, users_outside_treatment=1).klass == "type_3"
    assert run(rules).klass == "drug_free"


def test_drug_free_is_not_assigned_when_a_key_area_class_is_not_ruled_out():
    # With type III tried before drug-free (the reading drug_free_over_type_3 off): every
    # drug-free criterion holds, but arrests are unknown, so it could be type III. The
    # class depends on the missing figure: "undetermined" (was "none", incomplete).
    rules = load_rules(overrides={"readings.drug_free_over_type_3": False})
    r = run(rules, drug_offenders_arrested=np.nan)
    assert r.klass == "undetermined" and not r.complete
    assert r.candidates == ["type_3", "drug_free"]
    assert "chưa loại trừ được Loại III" in r.explain_vi
    assert r.needed_data == ["drug_offenders_arrested"]
    # By default drug-free is tried before type III, and Điều 6 does not read arrests.
    assert run(drug_offenders_arrested=np.nan).klass == "drug_free"


# ----------------------------------------------------------- disabled rules


def test_disabled_rules_do_not_fire():
    # Every criterion of the Decision is on (the old rules had type II a/d, type III and
    # drug-free off for want of the text). A criterion a province switches off stops
    # counting, and the rule a province may add stays off until switched on.
    assert not load_rules().disabled_criteria()
    rules = load_rules(overrides={"type_2.addicts_ratio.enabled": False})
    r = run(rules, registered_addicts=30, narcotic_plants_destroyed=600,
            drug_harbouring_places=1, drug_offenders_arrested=5)
    assert not any(q.startswith("type_2.addicts") for q in r.fired)
    assert r.klass == "type_2"  # b, c, d: still three
    r = run(load_rules(), narcotic_plants_destroyed=10)
    assert "drug_free.no_plants_found" not in r.fired + r.missing
    assert r.klass == "drug_free"


def test_disabled_and_unreachable_are_listed_for_the_ui():
    rules = load_rules(overrides={"type_2.addicts_ratio.enabled": False,
                                  "type_2.plants.enabled": False,
                                  "type_2.route.enabled": False})
    off = rules.disabled_criteria("vi")
    assert len(off) == 3 and all(s.startswith("Loại II") for s in off)
    assert all(s for s in rules.disabled_criteria("en"))
    assert any("Type II" in s for s in rules.unreachable_classes("en"))
    assert not load_rules().unreachable_classes()


# ----------------------------------------------------------- missing data


def test_missing_is_reported_not_read_as_zero():
    df = one(drug_harbouring_places=2, narcotic_plants_destroyed=3000)
    df.loc["04024", "drug_offenders_arrested"] = np.nan
    r = classify(df, load_rules()).iloc[0]
    assert "type_1.arrests_ratio" in r.missing and "type_1.arrests_ratio" not in r.fired
    assert r.missing_data == ["drug_offenders_arrested"]
    # Two criteria hold and the third is unknown: type I is not ruled out, so the class
    # depends on the missing figure ("undetermined"; the old engine said "none").
    assert r.klass == "undetermined" and not r.complete
    assert "drug_offenders_arrested" in r.explain_en


def test_absent_columns_and_zero_population_are_missing():
    df = one().drop(columns=["illegal_users"])
    r = classify(df, load_rules()).iloc[0]
    assert "type_1.addicts_ratio" in r.missing and "illegal_users" in r.missing_data
    r = run(population=0)
    assert "type_1.arrests_ratio" in r.missing and "population = 0" in r.missing_data


def test_missing_that_cannot_change_the_result_keeps_it_complete():
    r = run(registered_addicts=60, drug_harbouring_places=2, drug_offenders_arrested=10,
            narcotic_plant_area_m2=np.nan, narcotic_plants_destroyed=np.nan)
    assert r.klass == "type_1" and r.complete
    # any(): a count that holds decides even when the area is unknown.
    r = run(narcotic_plants_destroyed=3000, narcotic_plant_area_m2=np.nan)
    assert "type_1.plants" in r.fired and "type_1.plants" not in r.missing


# ----------------------------------------------------------- overrides


def test_overrides_change_thresholds():
    df = dict(registered_addicts=55, drug_harbouring_places=2, drug_offenders_arrested=10)
    assert run(**df).klass == "type_1"
    strict = load_rules(overrides={"type_1.addicts_ratio.right": 0.006, "_source": "QĐ tỉnh"})
    assert run(strict, **df).klass != "type_1"
    assert strict.overrides == {"type_1.addicts_ratio.right": 0.006}
    assert load_rules().thresholds()["type_1.addicts_ratio.right"] == 0.005  # not mutated


def test_overrides_from_a_json_file(tmp_path):
    p = tmp_path / "son_la.json"
    p.write_text(json.dumps({"type_1.plants.args.1.right": 500}), "utf-8")
    assert "type_1.plants" in run(load_rules(overrides=p), narcotic_plant_area_m2=500).fired


@pytest.mark.parametrize("bad", [
    {"type_9.x.right": 1},                          # unknown class
    {"type_1.nope.right": 1},                       # unknown criterion
    {"type_1.addicts_ratio.op": "<"},               # not a threshold
    {"type_1.plants.right": 1},                     # plants is any(): use args.<i>.right
    {"type_1.addicts_ratio.right": -1},
    {"type_1.addicts_ratio.right": 5},              # a ratio above 1 (meant 5%?)
    {"type_1.addicts_ratio.right": "0.5%"},
    {"type_1.harbouring_places.right": True},
    {"type_1.addicts_ratio.enabled": "yes"},
    {"type_1.min_criteria": 0},
    {"type_1.min_criteria": 9},
    {"type_2.addicts_ratio.min": None},             # on, with an unknown lower bound
    {"type_1.route.args.1.right": 2},               # a yes/no figure is 1 or 0
    {"type_1.route.args.0.min": 5},                 # 4.1.đ counts 4 criteria (a–d)
    {"type_1.harbouring_places.right": 1.5},        # a count of places is whole
    {"readings.type_3_above_zero": "yes"},
    {"readings.precedence": ["type_1", "type_3"]},
    {"readings.nope": True},
    {"type_2.arrests_ratio.min": 0.002},            # min above max
])
def test_bad_overrides_are_refused(bad):
    with pytest.raises(ValidationError) as e:
        load_rules(overrides=bad)
    assert e.value.vi and e.value.en


def test_every_bad_override_is_listed():
    with pytest.raises(ValidationError) as e:
        load_rules(overrides={"type_1.nope.right": 1, "type_1.addicts_ratio.right": -1,
                              "type_1.addicts_ratio.rigth": 0.1})
    assert len(e.value.problems) == 3
    assert "type_1.addicts_ratio.right" in e.value.message("en")  # suggestion for the typo


def test_a_bad_rules_file_is_refused(tmp_path):
    raw = json.loads(RULES_FILE.read_text("utf-8"))
    raw["classes"]["type_1"]["criteria"][0]["expr"]["left"] = {"ratio": ["addicts", "population"]}
    raw["classes"]["type_1"]["criteria"][1]["expr"]["op"] = "eval"
    p = tmp_path / "rules.json"
    p.write_text(json.dumps(raw), "utf-8")
    with pytest.raises(ValidationError) as e:
        load_rules(p)
    assert len(e.value.problems) == 2


# ----------------------------------------------------------- output shape


def test_output_keeps_index_and_period():
    df = pd.concat([one(), one(drug_harbouring_places=2, drug_offenders_arrested=10,
                              narcotic_plants_destroyed=3000)])
    df["period"] = ["2024-H1", "2024-H2"]
    r = classify(df, load_rules())
    assert r.index.equals(df.index) and r.period.tolist() == ["2024-H1", "2024-H2"]
    # A commune with nothing at all meets Điều 6: drug-free (the old rules had no
    # drug-free criteria on and said "none").
    assert r.klass.tolist() == ["drug_free", "type_1"]
    mi = df.set_index("period", append=True)
    assert classify(mi, load_rules()).index.equals(mi.index)
    assert set(r.klass) <= set(QD28_CLASSES)
