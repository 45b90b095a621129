"""The province's own class (Điều 5): at least 4 of 6 criteria."""

import numpy as np
import pandas as pd

from geo.qd28 import classify_province

# 1,000,000 residents: 0.2% = 2,000 users, 0.05% = 500 arrests.
MEETS = dict(residents=1_000_000, registered_addicts=1_500, illegal_users=500,   # 5.1: 0.2%
             drug_harbouring_places=5,                                          # 5.2
             drug_offenders_arrested=500,                                       # 5.3: 0.05%
             narcotic_plants_destroyed=8_000, narcotic_plant_area_m2=0,         # 5.5
             on_interprovincial_drug_route=1)                                   # 5.6


def communes(n=100, key=3, undetermined=0, cands=("type_2", "none")):
    k = ["type_1"] * key + ["undetermined"] * undetermined + ["none"] * (n - key - undetermined)
    c = [[]] * key + [list(cands)] * undetermined + [[]] * (n - key - undetermined)
    return pd.DataFrame({"klass": k, "candidates": c}, index=[f"{i:05d}" for i in range(n)])


def prov(cls, **figures):
    return classify_province(cls, pd.DataFrame(index=cls.index),
                             province_values={**MEETS, **figures}, code="14", name="Sơn La")


def test_all_six_and_each_at_its_threshold():
    r = prov(communes())                       # 3 of 100 type I/II = 3%
    assert r.klass == "key_area" and r.held == 6
    assert [c.article for c in r.criteria] == ["5.1", "5.2", "5.3", "5.4", "5.5", "5.6"]
    assert all(c.result == "met" for c in r.criteria)
    below = dict(registered_addicts=1_499, drug_harbouring_places=4,
                 drug_offenders_arrested=499, narcotic_plants_destroyed=7_999,
                 on_interprovincial_drug_route=0)
    for k, v in below.items():
        one = prov(communes(), **{k: v})
        assert one.held == 5, k
    assert prov(communes(key=2)).held == 5                    # 2% of communes
    assert prov(communes(), narcotic_plants_destroyed=0, narcotic_plant_area_m2=2_000).held == 6


def test_four_of_six():
    four = dict(drug_offenders_arrested=0, on_interprovincial_drug_route=0)
    r = prov(communes(), **four)
    assert r.klass == "key_area" and (r.held, r.needed) == (4, 4)
    r = prov(communes(), **four, narcotic_plants_destroyed=0)
    assert r.klass == "not_key_area" and r.held == 3
    # 3 met and one missing: it depends on the missing figure.
    r = prov(communes(), **four, narcotic_plants_destroyed=np.nan)
    assert r.klass == "undetermined" and r.unknown == 1
    assert r.criteria[4].result == "missing"
    assert r.to_dict("vi")["class_label"] == "Chưa đủ số liệu"


def test_the_share_of_type_1_and_2_communes_counts_undetermined_ones_as_possible():
    r = prov(communes(key=2, undetermined=1))              # 2% certain, 3% possible
    assert r.criteria[3].result == "missing"
    assert r.criteria[3].value_text_vi == "2% – 3%"
    r = prov(communes(key=2, undetermined=1, cands=("type_3", "none")))
    assert r.criteria[3].result == "not_met"               # could not be type I or II
    r = prov(communes(key=3, undetermined=5))
    assert r.criteria[3].result == "met"                   # 3% whatever the others are


def test_figures_come_from_the_communes_when_the_province_has_none():
    cls = communes(n=4, key=0)
    vals = pd.DataFrame({"residents": [250_000] * 4, "registered_addicts": [600, 500, 400, 0],
                         "illegal_users": [0, 0, 0, 500], "drug_harbouring_places": [1, 1, 2, 1],
                         "drug_offenders_arrested": [100] * 4,
                         "narcotic_plants_destroyed": [0, 0, 0, 0],
                         "narcotic_plant_area_m2": [0, 0, 0, 0],
                         "on_interprovincial_drug_route": [0, 1, 0, 0]}, index=cls.index)
    r = classify_province(cls, vals)
    assert r.figures["registered_addicts"] == 1_500 and r.figures["residents"] == 1_000_000
    assert r.figures["on_interprovincial_drug_route"] == 1     # any commune on it
    assert [c.result for c in r.criteria] == ["met", "met", "not_met", "not_met", "not_met",
                                              "met"]
    assert r.klass == "not_key_area"
    assert any("registered_addicts" in n for n in r.notes_vi)
    # The province's own figure wins over the communes' total.
    r = classify_province(cls, vals, province_values={"drug_offenders_arrested": 600})
    assert r.figures["drug_offenders_arrested"] == 600 and r.criteria[2].result == "met"
    # One commune without a figure: the total is missing, not a smaller sum.
    vals.loc[vals.index[0], "drug_harbouring_places"] = np.nan
    r = classify_province(cls, vals)
    assert r.figures["drug_harbouring_places"] is None and r.criteria[1].result == "missing"
    assert any("drug_harbouring_places" in n for n in r.notes_en)
