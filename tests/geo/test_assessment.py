"""geo.assessment on a database holding only what each test writes (SQLite and PostgreSQL).

The year's figures across the reform (counts summed, ratios recomputed, yes/no flags kept
yes/no), key drug routes deciding ``on_key_drug_route`` on the year's last day, and the
most-serious-predecessor rule.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo.assessment import _most_serious, evaluate_year, list_province, year_figures
from geo.qd28 import load_rules
from geo.registry import find_province
from geo.store import add_route, new_batch, session_scope, write_values

SON_LA = find_province("14", "2025")
# 2025 Lóng Sập (04045) = legacy Chiềng Khừa (04024) + Lóng Sập (04045)


def _write(url: str, rows: list[tuple], edition: str) -> None:
    df = pd.DataFrame(rows, columns=["unit_code", "period", "indicator", "value"])
    with session_scope(url) as s:
        b = new_batch(s, "indicators", user="test")
        write_values(s, df, b, edition)


def _type3_2026(code: str) -> list[tuple]:
    """2026 figures of a commune meeting type I's 4.1.a and 4.1.c but no place or plant."""
    return [(code, "2026", k, v) for k, v in {
        "residents": 10_000, "registered_addicts": 45, "illegal_users": 15,
        "drug_harbouring_places": 0, "drug_offenders_arrested": 12,
        "narcotic_plants_destroyed": 0, "narcotic_plant_area_m2": 0,
        "users_outside_treatment": 20, "resident_drug_law_violators": 5,
        "drug_fugitives_hiding": 0, "on_key_drug_route": 0}.items()]


def test_2025_year_across_the_reform_sums_counts_and_recomputes_ratios(empty_url: str) -> None:
    _write(empty_url, [("04024", "2025-H1", "drug_offenders_arrested", 3.0),
                       ("04045", "2025-H1", "drug_offenders_arrested", 2.0),
                       # a yes/no flag recorded on both predecessors: 1 + 1 is still "yes"
                       ("04024", "2025-H2", "on_key_drug_route", 1.0),
                       ("04045", "2025-H2", "on_key_drug_route", 1.0)], "legacy")
    _write(empty_url, [("04045", "2025-H2", "drug_offenders_arrested", 4.0),
                       ("04045", "2025-H2", "residents", 10_000.0),
                       ("04045", "2025-H2", "registered_addicts", 30.0),
                       ("04045", "2025-H2", "illegal_users", 10.0)], "2025")
    with session_scope(empty_url) as s:
        per = __import__("geo.periods", fromlist=["parse_period"]).parse_period(2025)
        fig = year_figures(s, SON_LA, per, "2025", load_rules(year=per))
        row = fig.wide.loc["04045"]
        assert row.drug_offenders_arrested == 9.0  # 3 + 2 (legacy, H1) + 4 (H2)
        assert row.on_key_drug_route == 1.0
        assert row.registered_addicts == 30.0 and row.residents == 10_000.0
        notes = " ".join(vi for vi, _ in fig.notes)
        assert "2025-H1" in notes and "không lấy trung bình" in notes
        v = evaluate_year(s, SON_LA, 2025)
        arrests = [c for c in v.criteria("04045") if c["article"] == "4.2.c"][0]
        assert arrests["value"] == pytest.approx(9 / 10_000) and arrests["result"] == "met"


def test_routes_decide_on_key_drug_route_on_the_years_last_day(empty_url: str) -> None:
    _write(empty_url, _type3_2026("04048") + _type3_2026("04045"), "2025")
    with session_scope(empty_url) as s:
        v = evaluate_year(s, SON_LA, 2026)
        assert v.table.computed_class["04048"] == "type_3"  # imported flag: not on a route
        assert v.route_source == "indicator"
    with session_scope(empty_url) as s:
        # recorded on legacy communes (Lóng Luông → 2025 Vân Hồ), in force all year
        add_route(s, "14", "2025", name="QL6", scope="inter", decision_no="1/QĐ-BCA",
                  decision_date=date(2023, 1, 1), valid_from=date(2023, 1, 1), valid_to=None,
                  communes=[("legacy", "04051")], user="test")
        # ended before 14/12/2026: not on it at the assessment
        add_route(s, "14", "2025", name="QL43", scope="intra", decision_no="2/QĐ-UBND",
                  decision_date=date(2023, 1, 1), valid_from=date(2023, 1, 1),
                  valid_to=date(2026, 6, 30), communes=[("2025", "04045")], user="test")
    with session_scope(empty_url) as s:
        v = evaluate_year(s, SON_LA, 2026)
        assert v.route_source == "routes"
        assert v.table.computed_class["04048"] == "type_1"
        d = {c["article"]: c["result"] for c in v.criteria("04048")}
        assert d["4.1.đ"] == "met" and d["4.1.b"] == "not_met"
        assert v.table.computed_class["04045"] == "type_3"
        notes = " ".join(vi for vi, _ in v.notes)
        assert "QL6" in notes and "QL43" not in notes
        assert "khác với các tuyến" in notes  # the imported 0 for Vân Hồ disagrees
        assert v.assessment.province.figures["on_interprovincial_drug_route"] == 1.0


def test_most_serious_predecessor() -> None:
    assert _most_serious(["type_3", "drug_free", "type_2"]) == "type_2"
    assert _most_serious(["drug_free", "drug_free"]) == "drug_free"
    assert _most_serious(["none", "drug_free"]) == "none"
    assert _most_serious(["type_3", None]) is None  # unknown: a missing one could be worse
    assert _most_serious(["type_1", None]) == "type_1"  # nothing is worse than type I
    assert _most_serious([]) is None


def test_a_province_is_one_list_before_and_after_the_reform(empty_url: str) -> None:
    with session_scope(empty_url) as s:
        assert list_province(s, SON_LA, "legacy") == find_province("14", "legacy")
        lao_cai = find_province("15", "2025")  # former Lào Cai + Yên Bái
        assert list_province(s, lao_cai, "legacy") == lao_cai
        yen_bai = find_province("15", "legacy")
        assert list_province(s, yen_bai, "2025") == yen_bai
