"""Classes from criteria: how many are needed, criterion đ, drug-free, missing data."""

import numpy as np
import pandas as pd

from geo.qd28 import classify, load_rules

from ._helpers import frame, one, rules

# Type I figures for 10,000 residents, one criterion each.
I_A, I_B, I_C, I_D = (dict(registered_addicts=60), dict(drug_harbouring_places=2),
                      dict(drug_offenders_arrested=10), dict(narcotic_plants_destroyed=3000))
II_A, II_B, II_C, II_D = (dict(registered_addicts=30), dict(drug_harbouring_places=1),
                          dict(drug_offenders_arrested=7), dict(narcotic_plant_area_m2=300))
# Consistent figures: users not in treatment, residents arrested, plants planted by a
# resident (otherwise the commune can be drug-free, see the drug-free tests).
III_A, III_B, III_C = (dict(registered_addicts=3, users_outside_treatment=3),
                       dict(drug_offenders_arrested=2, resident_drug_law_violators=2),
                       dict(narcotic_plants_destroyed=40, resident_drug_law_violators=1))


def test_type_1_needs_3_of_a_to_dd():
    assert one(**I_A, **I_B, **I_C).klass == "type_1"
    assert one(**I_A, **I_D, **I_C).klass == "type_1"
    r = one(**I_A, **I_B)
    assert r.klass != "type_1"
    # a and b in the type I band also count for type II, but 2 are not 3; type III through
    # a (reading bands_cumulative), shown with the band the figure is in.
    assert r.klass == "type_3" and "Loại II: 2/5 tiêu chí" in r.explain_vi
    assert "[0,6%, khoảng loại I]" in r.explain_vi


def test_type_2_needs_3_and_type_3_needs_1():
    assert one(**II_A, **II_B, **II_C).klass == "type_2"
    assert one(**II_A, **II_C, **II_D).klass == "type_2"
    assert one(**II_A, **II_B).klass == "type_3"
    for crit in (III_A, III_B, III_C):
        # a single type III criterion is enough (III_A's user is not in treatment)
        assert one(**crit).klass == "type_3", crit


def test_criterion_dd_with_and_without_a_route():
    # I.đ: 2 criteria of type II or higher (here a and b, type I band) AND on a route.
    r = one(**I_A, **I_B, on_key_drug_route=1)
    assert "type_1.route" in r.fired and r.klass == "type_1"
    r = one(**I_A, **I_B, on_key_drug_route=0)
    assert "type_1.route" not in r.fired and r.klass == "type_3"
    # The route figure missing: the class depends on it.
    r = one(**I_A, **I_B, on_key_drug_route=np.nan)
    assert r.klass == "undetermined" and r.candidates[0] == "type_1"
    assert r.needed_data == ["on_key_drug_route"] and "type_1.route" in r.missing
    # On a route but only 1 criterion of type II or higher: đ is not met.
    r = one(**I_A, on_key_drug_route=1)
    assert "type_1.route" not in r.fired and "type_1.route" not in r.missing
    # II.đ: 2 criteria of type III or higher (b and c in the type II band) AND a route.
    r = one(**II_B, **II_C, on_key_drug_route=1)
    assert "type_2.route" in r.fired and r.klass == "type_2"
    assert one(**II_B, **II_C, on_key_drug_route=0).klass == "type_3"
    # Two type III criteria on a route: II.đ holds, but it is one criterion of type II.
    r = one(**{**III_B, **III_C}, on_key_drug_route=1)
    assert "type_2.route" in r.fired and r.klass == "type_3"


def test_drug_free_needs_all_three():
    assert one().klass == "drug_free"
    assert one(users_outside_treatment=1).klass == "none"          # 6.1
    assert one(resident_drug_law_violators=1).klass == "none"      # 6.2
    assert one(drug_fugitives_hiding=1).klass == "none"            # 6.2
    assert one(drug_harbouring_places=1).klass == "none"           # 6.3 (and II.b alone)


def test_drug_free_exclusions_people_in_treatment_do_not_prevent_it():
    # Five registered addicts, all on substitution treatment, in community rehabilitation
    # or under post-rehabilitation management: none counts in 6.1, so the commune is
    # drug-free, although the five still count in type III a (reading
    # drug_free_over_type_3: otherwise the exception of 6.1 would never take effect).
    r = one(registered_addicts=5, methadone_patients=3, community_treatment=1,
            post_treatment_managed=1, users_outside_treatment=0)
    assert "type_3.addicts_ratio" in r.fired and "drug_free.no_users" in r.fired
    assert r.klass == "drug_free" and "drug_free_over_type_3" in r.readings
    # One of them using outside treatment: not drug-free, type III.
    assert one(registered_addicts=5, users_outside_treatment=1).klass == "type_3"
    # A non-resident arrested in the commune is not a resident violator (6.2); the result
    # carries a note to check the figures.
    r = one(drug_offenders_arrested=1, resident_drug_law_violators=0)
    assert r.klass == "drug_free" and "type_3.arrests_ratio" in r.fired
    assert "kiểm tra số người đang cư trú vi phạm" in r.explain_vi
    assert "check the number of residents" in r.explain_en
    assert "kiểm tra" not in one().explain_vi


def test_drug_free_never_beats_type_1_or_2():
    # Not realistic, but the order is the rule: types I and II come first.
    r = one(**II_A, **II_C, **II_D, users_outside_treatment=0)
    assert "drug_free.no_users" in r.fired and r.klass == "type_2"


def test_precedence_most_serious_first():
    both = dict(**I_A, **I_B, **II_C, **II_D, on_key_drug_route=1)
    r = one(**both)
    # Type I: a, b, đ. Type II: c, d, đ (and a, b counted from the type I band).
    assert r.klass == "type_1" and "precedence" in r.readings
    assert one(rules(readings__precedence=["type_2", "type_1", "type_3"]), **both).klass \
        == "type_2"


def test_missing_data_is_never_not_met():
    r = one(drug_offenders_arrested=np.nan, **I_A, **I_B)
    for k in ("type_1", "type_2", "type_3"):
        assert f"{k}.arrests_ratio" in r.missing
        assert f"{k}.arrests_ratio" not in r.fired
    # Type I has a, b and c unknown: it is not ruled out.
    assert r.klass == "undetermined" and not r.complete
    assert r.needed_data == ["drug_offenders_arrested"]
    assert "drug_offenders_arrested" in r.explain_vi and "Chưa đủ số liệu" in r.explain_vi


def test_a_commune_without_any_figure_is_undetermined_with_what_is_missing():
    df = pd.DataFrame(index=pd.Index(["04024"], name="unit_code"))
    r = classify(df, load_rules()).iloc[0]
    assert r.klass == "undetermined"
    assert set(r.candidates) == {"type_1", "type_2", "type_3", "drug_free", "none"}
    assert {"residents", "registered_addicts", "users_outside_treatment",
            "on_key_drug_route"} <= set(r.needed_data)


def test_missing_figures_that_cannot_change_the_class_leave_it_decided():
    # Type I for certain: drug-free figures, the route and the plants do not matter.
    r = classify(frame(dict(**I_A, **I_B, **I_C))[["residents", "registered_addicts",
                                                   "illegal_users", "drug_harbouring_places",
                                                   "drug_offenders_arrested"]]).iloc[0]
    assert r.klass == "type_1" and r.complete and r.needed_data == []
    assert "on_key_drug_route" in r.missing_data  # listed, but not needed


def test_residents_fall_back_to_population_with_a_note():
    r = one(residents=np.nan, population=10_000, **I_A, **I_B, **I_C)
    assert r.klass == "type_1" and r.denominator == "population"
    assert "population" in r.explain_vi and "nhân khẩu hiện đang cư trú" in r.explain_vi
    assert "residents" in r.explain_en
    r = one(residents=20_000, population=10_000, registered_addicts=60)
    assert r.denominator == "residents" and "type_2.addicts_ratio" in r.fired  # 0.3%
    # Both missing: the rates are missing, and residents is named.
    r = one(residents=np.nan, **I_A)
    assert "type_1.addicts_ratio" in r.missing and "residents" in r.missing_data
    # Zero residents cannot be a denominator.
    r = one(residents=0, **I_A)
    assert "residents = 0" in r.missing_data
