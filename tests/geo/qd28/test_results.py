"""The shapes later emitted by ``diaban analyze classify --json`` and the exports."""

import json

import numpy as np

from geo.qd28 import RESULTS, assess, load_rules
from geo.vocab import QD28_CLASSES

from ._helpers import frame


def _assessment():
    df = frame(dict(registered_addicts=60, drug_harbouring_places=2, drug_offenders_arrested=10),
               dict(narcotic_plants_destroyed=3_500, narcotic_plant_area_m2=np.nan,
                    resident_drug_law_violators=2),
               dict(),
               dict(drug_offenders_arrested=np.nan, registered_addicts=30,
                    drug_harbouring_places=1),
               codes=["04024", "04027", "04030", "04058"])
    names = {"04024": "Chiềng Khừa", "04027": "Lóng Sập", "04030": "Tân Lập",
             "04058": "Tân Xuân"}
    return assess(df, names=names, period="2026", province=("14", "Sơn La"),
                  province_values={"on_interprovincial_drug_route": 1})


def test_records_are_strict_json_with_code_name_class_and_criteria():
    a = _assessment()
    recs = a.records("vi")
    json.dumps(recs, allow_nan=False)
    assert [r["code"] for r in recs] == ["04024", "04027", "04030", "04058"]
    assert [r["class"] for r in recs] == ["type_1", "type_3", "drug_free", "undetermined"]
    assert recs[0]["name"] == "Chiềng Khừa" and recs[0]["class_label"] == "Trọng điểm loại I"
    for r in recs:
        assert r["class"] in QD28_CLASSES
        for c in r["criteria"]:
            assert {"id", "article", "value", "threshold", "result"} <= set(c)
            assert c["result"] in RESULTS
    c = {x["id"]: x for x in recs[0]["criteria"]}
    assert c["type_1.addicts_ratio"]["article"] == "4.1.a"
    assert c["type_1.addicts_ratio"]["value"] == 0.006
    assert c["type_1.addicts_ratio"]["threshold"] == {"op": ">=", "right": 0.005}
    assert c["type_1.addicts_ratio"]["value_text"] == "0,6%"
    assert c["type_1.addicts_ratio"]["threshold_text"] == "từ 0,5% trở lên"
    assert c["type_2.addicts_ratio"]["result"] == "not_met"
    assert c["type_2.addicts_ratio"]["counted"] == "met" and c["type_2.addicts_ratio"]["band"] \
        == "type_1"
    assert c["type_3.addicts_ratio"]["threshold"] == {"op": "<", "right": 0.001,
                                                     "above_zero": True}
    # "hoặc": both figures, the missing one as null.
    p = {x["id"]: x for x in recs[1]["criteria"]}["type_1.plants"]
    assert p["value"] == {"narcotic_plants_destroyed": 3500.0, "narcotic_plant_area_m2": None}
    assert p["result"] == "met" and p["threshold_text"] == \
        "từ 3.000 cây trở lên hoặc từ 750 m² trở lên"
    assert set(p["threshold"]["any"]) == {"narcotic_plants_destroyed", "narcotic_plant_area_m2"}
    # Criterion đ: the count and the route.
    d = {x["id"]: x for x in recs[0]["criteria"]}["type_1.route"]
    assert d["value"] == {"criteria_count": 3.0, "on_key_drug_route": 0.0}
    assert d["threshold"]["all"]["criteria_count"] == {"op": "criteria_count", "band": "type_2",
                                                      "min": 2, "or_higher": True}
    # Undetermined: what is missing, and the criteria missing — never "not_met".
    u = recs[3]
    assert u["missing_data"] == ["drug_offenders_arrested"] and not u["complete"]
    assert {x["id"]: x["result"] for x in u["criteria"]}["type_2.arrests_ratio"] == "missing"
    assert {x["id"]: x["missing"] for x in u["criteria"]}["type_2.arrests_ratio"] == [
        "drug_offenders_arrested"]


def test_the_assessment_as_a_whole():
    a = _assessment()
    d = a.to_dict("en")
    json.dumps(d, allow_nan=False)
    assert d["period"] == "2026" and d["counts"]["type_1"] == 1 and d["counts"]["none"] == 0
    assert set(d["counts"]) == set(QD28_CLASSES)
    assert d["rules"]["id"] == "qd28_2025" and len(d["rules"]["readings"]) == 6
    assert d["province"]["code"] == "14" and d["province"]["class"] in (
        "key_area", "not_key_area", "undetermined")
    assert len(d["province"]["criteria"]) == 6
    # The long table: one row per commune and enabled criterion.
    n = sum(len(k.enabled) for k in load_rules().classes)
    assert len(a.criteria) == 4 * n
    assert set(a.criteria.result) <= set(RESULTS)
    assert a.commune("04058").klass == "undetermined"
    assert a.commune("04024").to_dict("en")["explanation"].startswith("Type I: 3/5 criteria")
