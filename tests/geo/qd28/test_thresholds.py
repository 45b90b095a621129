"""Every criterion of Điều 4 at its threshold and on both sides (bands as written)."""

import numpy as np
import pytest

from geo.qd28 import load_rules

from ._helpers import one, rules

MILLION = 1_000_000.0


def met(r, qid):
    return qid in r.fired


@pytest.mark.parametrize("users,band", [
    (5_000, "type_1"),    # 0.5% exactly meets I.a ("từ 0,5% trở lên")
    (4_999, "type_2"),    # 0.4999% meets II.a ("từ 0,1% đến dưới 0,5%")
    (1_000, "type_2"),    # 0.1% exactly is II.a
    (999, "type_3"),      # 0.0999% is III.a ("dưới 0,1%")
    (1, "type_3"),
    (0, None),            # zero meets no band (reading type_3_above_zero)
])
def test_registered_users_rate_bands(users, band):
    r = one(residents=MILLION, registered_addicts=users * 0.6, illegal_users=users * 0.4)
    for k in ("type_1", "type_2", "type_3"):
        assert met(r, f"{k}.addicts_ratio") == (k == band), k


def test_addicts_and_users_are_summed_over_residents():
    r = one(registered_addicts=30, illegal_users=20)          # 50 of 10,000 = 0.5%
    assert met(r, "type_1.addicts_ratio")
    r = one(registered_addicts=30, illegal_users=19)
    assert not met(r, "type_1.addicts_ratio") and met(r, "type_2.addicts_ratio")


@pytest.mark.parametrize("places,band", [(0, None), (1, "type_2"), (2, "type_1"), (7, "type_1")])
def test_harbouring_places(places, band):
    # One place meets II.b; two meet I.b. There is no type III band for places.
    r = one(drug_harbouring_places=places)
    assert met(r, "type_1.harbouring_places") == (band == "type_1")
    assert met(r, "type_2.harbouring_places") == (band == "type_2")
    assert not any(q.startswith("type_3.harbouring") for q in r.fired + r.missing)


@pytest.mark.parametrize("arrested,band", [
    (1_000, "type_1"),  # 0.1%
    (999, "type_2"), (500, "type_2"),   # 0.0999%, 0.05%
    (499, "type_3"), (1, "type_3"),     # 0.0499%, 0.0001%
    (0, None),
])
def test_arrest_rate_bands(arrested, band):
    r = one(residents=MILLION, drug_offenders_arrested=arrested)
    for k in ("type_1", "type_2", "type_3"):
        assert met(r, f"{k}.arrests_ratio") == (k == band), k


@pytest.mark.parametrize("plants,area,bands", [
    (3_000, 0, {"type_1"}), (2_999, 0, {"type_2"}),
    (500, 0, {"type_2"}),           # 500 plants meet II.d
    (499, 0, {"type_3"}),           # 499 meet III.c
    (0, 750, {"type_1"}), (0, 749.99, {"type_2"}), (0, 125, {"type_2"}),
    (0, 124.99, {"type_3"}), (0, 0, set()),
    # "hoặc": either figure meets the criterion; a commune can meet two bands through
    # its two figures.
    (100, 800, {"type_1", "type_3"}), (3_500, 50, {"type_1", "type_3"}),
    (600, 200, {"type_2"}),
])
def test_plants_or_area(plants, area, bands):
    r = one(narcotic_plants_destroyed=plants, narcotic_plant_area_m2=area)
    got = {k for k in ("type_1", "type_2", "type_3") if met(r, f"{k}.plants")}
    assert got == bands


def test_or_decides_with_one_figure_missing():
    # 3,000 plants meet I.d whatever the area; a small count does not rule out the area.
    r = one(narcotic_plants_destroyed=3_000, narcotic_plant_area_m2=np.nan)
    assert met(r, "type_1.plants") and "type_1.plants" not in r.missing
    r = one(narcotic_plants_destroyed=0, narcotic_plant_area_m2=np.nan)
    assert "type_1.plants" in r.missing and "type_1.plants" not in r.fired


def test_zero_counts_and_type_3():
    # A commune with no users, no arrests and no plants meets no type III criterion
    # (reading type_3_above_zero) ...
    r = one()
    assert not any(q.startswith("type_3.") for q in r.fired) and r.klass == "drug_free"
    # ... read literally, "dưới 0,1%" includes zero and every criterion of 4.3 holds.
    r = one(rules(readings__type_3_above_zero=False))
    assert {q for q in r.fired if q.startswith("type_3.")} == {
        "type_3.addicts_ratio", "type_3.arrests_ratio", "type_3.plants"}


def test_every_criterion_cites_its_article_and_quotes_the_decision():
    r = load_rules()
    arts = {c.qid: c.article for c in r.criteria()}
    assert arts["type_1.addicts_ratio"] == "4.1.a" and arts["type_1.route"] == "4.1.đ"
    assert arts["type_2.plants"] == "4.2.d" and arts["type_3.plants"] == "4.3.c"
    assert arts["drug_free.no_users"] == "6.1" and arts["drug_free.no_offenders"] == "6.2"
    assert [c.article for c in r.province.criteria] == [f"5.{i}" for i in range(1, 7)]
    for c in [*r.criteria(), *r.province.criteria]:
        if c.origin == "decision":
            assert c.quote_vi and c.article, c.qid
    assert "từ 0,5% trở lên" in r.get("type_1").criteria[0].quote_vi
    assert "từ 500 đến dưới 3.000 cây" in r.get("type_2").criteria[3].quote_vi
    assert "trừ người đang tham gia điều trị nghiện ma túy bằng thuốc thay thế" in \
        r.get("drug_free").criteria[0].quote_vi
    # The thresholds as written.
    t = r.thresholds()
    assert (t["type_2.addicts_ratio.min"], t["type_2.addicts_ratio.max"]) == (0.001, 0.005)
    assert (t["type_2.arrests_ratio.min"], t["type_2.arrests_ratio.max"]) == (0.0005, 0.001)
    assert (t["type_2.plants.args.0.min"], t["type_2.plants.args.0.max"]) == (500, 3000)
    assert (t["type_2.plants.args.1.min"], t["type_2.plants.args.1.max"]) == (125, 750)
    assert t["type_3.addicts_ratio.right"] == 0.001 and t["type_3.arrests_ratio.right"] == 0.0005
    assert (t["type_3.plants.args.0.right"], t["type_3.plants.args.1.right"]) == (500, 125)
    assert t["type_1.route.args.0.min"] == 2 and t["type_1.route.args.1.right"] == 1
    assert (t["province.addicts_ratio.right"], t["province.harbouring_places.right"],
            t["province.arrests_ratio.right"], t["province.key_commune_share.right"]) == (
        0.002, 5, 0.0005, 0.03)
    assert (t["province.plants.args.0.right"], t["province.plants.args.1.right"]) == (8000, 2000)
    # Nothing the Decision does not contain is on.
    assert all(c.origin == "decision" or not c.enabled for c in r.criteria())
    ids = {i for c in [*r.criteria(), *r.province.criteria] for i in c.indicators()}
    assert "drug_cases_detected" not in ids
