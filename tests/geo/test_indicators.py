import pytest

from geo.indicators import TEMPORAL, VALUE_TYPES, get_indicator, load_catalog


def test_every_indicator_says_stock_or_flow_and_its_value_type():
    cat = load_catalog()
    assert len({i.id for i in cat}) == len(cat)
    for i in cat:
        assert i.temporal in TEMPORAL and i.value_type in VALUE_TYPES, i.id
        assert i.aggregate in ("sum", "max") and i.convert in ("weighted_sum", "max"), i.id
        assert i.name_vi and i.name_en and i.unit_vi and i.unit_en, i.id
        # Flags combine as "any" across units and across the reform, never as a sum.
        assert (i.value_type == "flag") == (i.aggregate == "max" == i.convert), i.id


@pytest.mark.parametrize("iid,temporal,value_type", [
    # QĐ 28/2025 figures
    ("residents", "stock", "integer"),
    ("registered_addicts", "stock", "integer"),
    ("illegal_users", "stock", "integer"),
    ("drug_harbouring_places", "flow", "integer"),
    ("drug_offenders_arrested", "flow", "integer"),
    ("narcotic_plants_destroyed", "flow", "integer"),
    ("narcotic_plant_area_m2", "flow", "number"),
    ("on_key_drug_route", "stock", "flag"),
    ("on_interprovincial_drug_route", "stock", "flag"),
    ("users_outside_treatment", "stock", "integer"),
    ("resident_drug_law_violators", "flow", "integer"),
    ("drug_fugitives_hiding", "stock", "integer"),
    # figures at a date vs. during the period, elsewhere in the catalog
    ("population", "stock", "integer"),
    ("methadone_patients", "stock", "integer"),
    ("drug_cases_detected", "flow", "integer"),
])
def test_qd28_figures_are_in_the_catalog(iid, temporal, value_type):
    i = get_indicator(iid)
    assert (i.temporal, i.value_type) == (temporal, value_type)
    assert i.is_stock == (temporal == "stock")


def test_renamed_indicators_keep_their_old_names_as_aliases():
    u = get_indicator("illegal_users")
    assert "có hồ sơ quản lý" in u.name_vi
    assert "Người sử dụng trái phép chất ma túy" in u.aliases
    assert "Số đối tượng phạm tội về ma túy bị bắt" in get_indicator(
        "drug_offenders_arrested").aliases
    assert "6.1" in get_indicator("users_outside_treatment").source
    assert "thuốc thay thế" in get_indicator("users_outside_treatment").definition("vi")
