"""Dated rule sets: the one in force for an assessment year is used."""

import shutil

import pytest

from geo.errors import ValidationError
from geo.periods import Cutoff
from geo.qd28 import RULES_FILE, classify, load_rules, rule_sets

from ._helpers import frame

OLD = __import__("pathlib").Path(__file__).parent / "data" / "classification_qd3122_2010.json"


@pytest.fixture
def both(tmp_path):
    shutil.copy(RULES_FILE, tmp_path)
    shutil.copy(OLD, tmp_path)
    return tmp_path


def test_the_embedded_rules_apply_from_the_decision_date():
    r = load_rules()
    assert r.id == "qd28_2025" and r.valid_from.isoformat() == "2025-08-24"
    assert r.valid_until is None and not r.notes
    assert [s.id for s in rule_sets()] == ["qd28_2025"]
    # The assessment year 2025 ends on 14/12/2025, after 24/8/2025.
    assert load_rules(year=2025).id == "qd28_2025" and not load_rules(year=2025).notes


def test_the_rule_set_in_force_on_the_years_last_day(both):
    assert [s.id for s in rule_sets(both)] == ["qd3122_2010_test", "qd28_2025"]
    assert load_rules(year=2024, directory=both).id == "qd3122_2010_test"
    assert load_rules(year=2025, directory=both).id == "qd28_2025"
    assert load_rules(year="2026-H1", directory=both).id == "qd28_2025"
    # With a 1 July cut-off the year 2025 ends on 30/6/2025: the older rules.
    assert load_rules(year=2025, cutoff=Cutoff(7, 1), directory=both).id == "qd3122_2010_test"
    # Count-based rules classify by counts.
    old = load_rules(year=2023, directory=both)
    df = frame(dict(registered_addicts=120, drug_use_points_existing=0),
               dict(registered_addicts=20, drug_use_points_existing=0),
               dict(registered_addicts=20))
    # (the third commune lacks the points figure: type I is not ruled out)
    assert classify(df, old).klass.tolist() == ["type_1", "none", "undetermined"]
    assert not old.readings and old.order == ("type_1", "type_2")


def test_a_year_before_any_rule_set_uses_the_next_one_with_a_note(both):
    r = load_rules(year=2009, directory=both)
    assert r.id == "qd3122_2010_test" and r.notes
    r = load_rules(year=2021)  # only QĐ 28 is embedded: applied for comparison, said so
    assert r.id == "qd28_2025"
    vi, en = r.notes[0]
    assert "2021" in vi and "để so sánh" in vi and "for comparison" in en


def test_an_unknown_threshold_cannot_be_switched_on(both):
    with pytest.raises(ValidationError) as e:
        load_rules(year=2024, directory=both, overrides={"type_2.addicts.enabled": True})
    assert "'type_2.addicts.min'" in e.value.message("vi") and "null" in e.value.message("vi")
    r = load_rules(year=2024, directory=both, overrides={"type_2.addicts.enabled": True,
                                                          "type_2.addicts.min": 50})
    df = frame(dict(registered_addicts=60, drug_use_points_existing=1))
    assert classify(df, r).klass.tolist() == ["type_2"]
