"""A province's overrides: applied when right, refused with the file and key when wrong."""

import json

import pytest

from geo.errors import ValidationError
from geo.qd28 import RULES_FILE, load_rules

from ._helpers import one


def _refused(overrides, **kw):
    with pytest.raises(ValidationError) as e:
        load_rules(overrides=overrides, **kw)
    return e.value


@pytest.mark.parametrize("key,value,says", [
    ("type_1.addicts_ratio.right", 5, "0,5% viết là 0.005"),        # a percent, not a ratio
    ("type_1.addicts_ratio.right", "0.5%", "phải là một số"),
    ("type_1.addicts_ratio.right", -0.1, "không âm"),
    ("type_1.harbouring_places.right", 2.5, "số nguyên"),
    ("type_2.plants.args.0.min", 499.5, "số nguyên"),
    ("type_1.route.args.1.right", 2, "1 (có) hoặc 0 (không)"),
    ("type_2.route.args.0.min", 0, "từ 1 đến 4"),
    ("type_1.harbouring_places.enabled", "yes", "true hoặc false"),
    ("type_1.min_criteria", 6, "từ 1 đến 5"),
    ("province.min_criteria", 0, "từ 1 đến 6"),
    ("type_1.addicts_ratio.op", "<", "không phải ngưỡng"),
    ("type_1.plants.right", 1, "không phải ngưỡng"),
    ("type_4.plants.enabled", True, "không có lớp 'type_4'"),
    ("type_1.plant.enabled", True, "không có tiêu chí 'plant'"),
])
def test_wrong_kind_or_unknown_key(key, value, says):
    e = _refused({key: value})
    msg = e.message("vi")
    assert f"'{key}'" in msg and says in msg
    assert e.message("en") != msg


def test_a_band_whose_lower_end_exceeds_its_upper_end():
    e = _refused({"type_2.arrests_ratio.min": 0.002})
    msg = e.message("vi")
    assert "'type_2.arrests_ratio.min'" in msg and "khoảng rỗng" in msg
    e = _refused({"type_2.plants.args.1.max": 100})
    assert "'type_2.plants.args.1.min' / 'type_2.plants.args.1.max'" in e.message("vi")
    assert "empty band" in e.message("en")


def test_every_problem_listed_nothing_applied_and_a_suggestion(tmp_path):
    bad = {"type_1.addicts_ratio.rigth": 0.1, "type_1.harbouring_places.right": 1.5,
           "readings.type_3_above_zro": False, "_note": "ignored"}
    e = _refused(bad)
    assert len(e.problems) == 3
    msg = e.message("vi")
    assert "Có phải 'type_1.addicts_ratio.right'?" in msg
    assert "Có phải 'readings.type_3_above_zero'?" in msg
    assert "chưa áp dụng ghi đè nào" in msg
    # The file and the key are named.
    p = tmp_path / "son_la_2026.json"
    p.write_text(json.dumps(bad), "utf-8")
    e = _refused(p)
    assert all(pr.file == "son_la_2026.json" for pr in e.problems)
    assert "son_la_2026.json: Khóa 'type_1.addicts_ratio.rigth'" in e.message("vi")
    e = _refused(bad, source="Cấu hình tỉnh Sơn La")
    assert e.problems[0].file == "Cấu hình tỉnh Sơn La"


def test_good_overrides_apply():
    r = load_rules(overrides={"type_1.addicts_ratio.right": 0.006, "type_1.min_criteria": 2,
                              "drug_free.no_plants_found.enabled": True,
                              "province.key_commune_share.right": 0.05, "_source": "QĐ tỉnh"})
    t = r.thresholds()
    assert t["type_1.addicts_ratio.right"] == 0.006 and t["type_1.min_criteria"] == 2
    assert t["province.key_commune_share.right"] == 0.05
    assert "_source" not in r.overrides and len(r.overrides) == 4
    assert one(r, narcotic_plants_destroyed=10).klass != "drug_free"
    assert load_rules().thresholds()["type_1.addicts_ratio.right"] == 0.005


def test_a_bad_rules_file_names_the_problem(tmp_path):
    raw = json.loads(RULES_FILE.read_text("utf-8"))
    raw["classes"]["type_2"]["criteria"][2]["expr"]["left"] = {"ratio": ["arrests", "residents"]}
    raw["classes"]["type_1"]["criteria"][4]["expr"]["args"][0]["band"] = "type_4"
    raw["readings"]["type_3_above_zero"]["value"] = "maybe"
    raw["valid_from"] = "24/8/2025"
    p = tmp_path / "classification_bad.json"
    p.write_text(json.dumps(raw), "utf-8")
    with pytest.raises(ValidationError) as e:
        load_rules(p)
    msg = e.value.message("vi")
    assert len(e.value.problems) == 4 and "classification_bad.json" in msg
    assert "chỉ tiêu 'arrests' không có trong danh mục" in msg
    assert "'band'" in msg and "readings.type_3_above_zero" in msg and "valid_from" in msg
