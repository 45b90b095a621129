from datetime import date

import pytest

from geo.errors import ValidationError
from geo.periods import edition_on, parse_period, period_range, plan_periods


@pytest.mark.parametrize(
    "text,pid,start,end",
    [
        ("2023-H1", "2023-H1", date(2023, 1, 1), date(2023, 6, 30)),
        ("2023-h2", "2023-H2", date(2023, 7, 1), date(2023, 12, 31)),
        ("2024", "2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024-Q1", "2024-Q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("2024-Q2", "2024-Q2", date(2024, 4, 1), date(2024, 6, 30)),
        ("6 tháng đầu năm 2023", "2023-H1", date(2023, 1, 1), date(2023, 6, 30)),
        ("6 tháng cuối năm 2022", "2022-H2", date(2022, 7, 1), date(2022, 12, 31)),
        ("Năm 2021", "2021", date(2021, 1, 1), date(2021, 12, 31)),
        ("Quý III/2022", "2022-Q3", date(2022, 7, 1), date(2022, 9, 30)),
    ],
)
def test_parse(text, pid, start, end):
    p = parse_period(text)
    assert (p.id, p.start, p.end) == (pid, start, end)


@pytest.mark.parametrize("bad", ["2023-H3", "2023-Q5", "H1", "1899", "abc", ""])
def test_invalid_periods_are_rejected_with_a_message(bad):
    with pytest.raises(ValidationError) as e:
        parse_period(bad)
    assert "kỳ" in e.value.vi.lower() or "năm" in e.value.vi.lower()


def test_labels():
    assert parse_period("2023-H1").label("vi") == "6 tháng đầu năm 2023"
    assert parse_period("2023-H2").label("en") == "Second half of 2023"


def test_plan_has_ten_half_years():
    ps = [p.id for p in plan_periods(2021, 2025)]
    assert ps[0] == "2021-H1" and ps[-1] == "2025-H2" and len(ps) == 10
    assert [p.id for p in period_range("2024-Q3", "2025-Q2")] == [
        "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]


def test_contains():
    assert parse_period("2023").contains(parse_period("2023-H2"))
    assert not parse_period("2023-H1").contains(parse_period("2023-Q3"))


def test_edition_on_the_reform_day():
    assert edition_on(date(2025, 6, 30)) == "legacy"
    assert edition_on(date(2025, 7, 1)) == "2025"


@pytest.mark.parametrize("pid,edition", [
    ("2024", "legacy"), ("2025-Q1", "legacy"), ("2025-Q2", "legacy"), ("2025-H1", "legacy"),
    ("2025-Q3", "2025"), ("2025-H2", "2025"), ("2025", "2025"), ("2026-H1", "2025")])
def test_a_period_belongs_to_the_units_of_its_last_day(pid, edition):
    # String comparison against "2025-H2" put 2025-Q1/Q2 on 2025 communes and the
    # year 2025 on legacy ones; the rule is the units in force on the last day.
    assert parse_period(pid).edition == edition
