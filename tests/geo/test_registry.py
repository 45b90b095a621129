import pandas as pd
import pytest

from geo.errors import NotFoundError
from geo.registry import (
    load_crosswalk,
    load_units,
    predecessors,
    resolve_province,
    successors,
)


def test_edition_counts_match_the_reform():
    legacy = load_units("legacy")
    new = load_units("2025")
    assert (legacy.level == "province").sum() == 63
    assert (new.level == "province").sum() == 34
    assert (legacy.level == "commune").sum() == 10_040
    assert (new.level == "commune").sum() == 3_321
    assert (new.level == "district").sum() == 0
    # Sơn La: 200 → 75 (Resolution 1681/NQ-UBTVQH15)
    assert ((legacy.level == "commune") & (legacy.province_code == "14")).sum() == 200
    assert ((new.level == "commune") & (new.province_code == "14")).sum() == 75


def test_codes_unique_per_edition_and_fields_present():
    for ed in ("legacy", "2025"):
        u = load_units(ed)
        assert u.code.is_unique
        c = u[u.level == "commune"]
        assert c.lat.between(8, 24).all() and c.lon.between(102, 118).all()
        assert set(c.unit_type) <= {"xã", "phường", "thị trấn", "đặc khu", "huyện"}
    new = load_units("2025", "commune")
    # The package lacks the area of 4 communes (e.g. Phường Kỳ Lừa): missing, never 0.
    assert (new.area_km2.isna() | (new.area_km2 > 0)).all()
    assert new.area_km2.notna().sum() >= 3_317
    assert "đặc khu" in set(new.unit_type)
    leg = load_units("legacy", "commune")
    assert leg.bbox_minx.notna().mean() > 0.99
    assert (leg.bbox_minx <= leg.lon).mean() > 0.99


def test_chieng_khua_successor_is_long_sap():
    u = load_units("legacy", "commune").set_index("code")
    assert u.loc["04024", "name"] == "Xã Chiềng Khừa"
    assert u.loc["04024", "district_name"] == "Thị xã Mộc Châu"
    s = successors("04024")
    assert list(s.new_code) == ["04045"] and s.name.item() == "Xã Lóng Sập"


@pytest.mark.parametrize(
    "new_code,names",
    [
        ("04045", {"Xã Chiềng Khừa", "Xã Lóng Sập"}),
        ("04048", {"Xã Lóng Luông", "Xã Chiềng Yên", "Xã Mường Men", "Xã Vân Hồ"}),
        ("04057", {"Xã Tân Xuân", "Xã Xuân Nha"}),
    ],
)
def test_son_la_merges(new_code, names):
    p = predecessors(new_code)
    assert set(p.name) == names
    assert (p.weight == 1.0).all() and not p.split.any()


def test_crosswalk_weights_sum_to_one_and_cover_both_editions():
    cw = load_crosswalk()
    sums = cw.groupby("old_code").weight.sum()
    assert sums.round(9).eq(1.0).all()
    assert set(cw.old_code) == set(load_units("legacy", "commune").code)
    assert set(cw.new_code) == set(load_units("2025", "commune").code)
    split_olds = cw[cw.split].old_code.unique()
    # 471 old communes were split between several new ones nationally.
    assert len(split_olds) == 471
    assert (cw[cw.split].groupby("old_code").size() >= 2).all()


def test_province_totals_are_equal_in_both_editions():
    """A province's sum of a count is the same before and after conversion."""
    from geo.indicators import convert_values

    cw = load_crosswalk()
    old = load_units("legacy", "commune")
    rng = pd.Series(range(len(old)), index=old.code) % 97 + 1.0
    vals = pd.DataFrame({"unit_code": old.code, "period": "2024-H2", "indicator": "x",
                         "value": rng.reindex(old.code).to_numpy()})
    conv = convert_values(vals, cw)
    assert conv.value.sum() == pytest.approx(vals.value.sum())
    # Per 2025 province too: legacy provinces merged into it sum to its total.
    new = load_units("2025", "commune").set_index("code")
    conv["new_prov"] = conv.unit_code.map(new.province_code)
    son_la_new = conv[conv.new_prov == "14"].value.sum()
    son_la_old = vals[vals.unit_code.isin(old[old.province_code == "14"].code)].value.sum()
    assert son_la_new == pytest.approx(son_la_old)


def test_find_province_by_code_name_or_merged_province():
    from geo.registry import find_province

    son_la = find_province("son la")
    assert (son_la.code, son_la.edition) == ("14", "2025")
    assert find_province("014") == son_la
    # Seven codes name another province after the reform: read in the request's edition.
    assert find_province("24", "legacy").name == "Tỉnh Bắc Giang"
    assert find_province("24", "2025").name == "Tỉnh Bắc Ninh"
    # Hà Giang merged into Tuyên Quang on 1 July 2025: it exists only before the reform.
    assert find_province("Hà Giang").edition == "legacy"
    assert son_la.editions == ("legacy", "2025")
    assert find_province("15", "2025").editions == ("2025",)  # legacy 15 was Yên Bái
    with pytest.raises(NotFoundError):
        find_province("Atlantis")


def test_resolve_province_by_name_or_code():
    assert resolve_province("Sơn La").code == "14"
    assert resolve_province("14")["name"] == "Tỉnh Sơn La"
    with pytest.raises(NotFoundError):
        resolve_province("Atlantis")
