"""geo.auth.area: province limits across the 2025 merger, district limits, area checks."""

from __future__ import annotations

import pytest

from geo.auth import (
    check_area,
    district_in_province,
    district_province,
    province_code,
    same_province,
    units_outside_area,
)
from geo.errors import NotFoundError, ValidationError


def test_same_province_links_merged_provinces_both_ways_only() -> None:
    assert same_province("14", "14")
    assert same_province("02", "08") and same_province("08", "02")  # Hà Giang → Tuyên Quang
    assert not same_province("02", "01")
    assert not same_province("14", "99")


def test_province_code_reads_the_legacy_registry_first() -> None:
    assert province_code("Sơn La") == province_code("14") == "14"
    assert province_code("Hà Giang") == "02"  # legacy only
    # Lào Cai is 10 before the reform and 15 after it: the legacy code is kept.
    assert province_code("Lào Cai") == "10"
    with pytest.raises(NotFoundError):
        province_code("Tỉnh Không Có")


def test_districts_and_their_provinces() -> None:
    assert district_province("123") == "14"  # Mộc Châu
    assert district_province("99999") is None
    assert district_in_province("123", "14")
    assert not district_in_province("123", "01")
    assert district_in_province("99999", "01")  # unknown districts are checked elsewhere


def test_check_area_resolves_names_and_refuses_mismatches() -> None:
    assert check_area("Sơn La", None) == ("14", None)
    assert check_area(None, "123") == ("14", "123")
    assert check_area(None, None) == (None, None)
    with pytest.raises(ValidationError) as ei:
        check_area("Hà Nội", "123")
    assert ei.value.vi == "Huyện 123 không thuộc tỉnh 01."
    with pytest.raises(ValidationError) as ei:
        check_area(None, "99999")
    assert "Không có huyện mã '99999'" in ei.value.vi


def test_units_outside_a_province_limit() -> None:
    son_la = {"username": "sl", "role": "data_officer", "province_code": "14"}
    assert units_outside_area(son_la, "legacy", ["04024", "00004", "khong_co"]) == [
        "00004", "khong_co"]
    assert units_outside_area(None, "legacy", ["00004"]) == []
