from datetime import date

import pytest

from geo.errors import ValidationError
from geo.periods import (
    CALENDAR,
    QD28_CUTOFF,
    Cutoff,
    edition_on,
    parse_cutoff,
    parse_period,
    period_ids,
    period_of,
    period_range,
    plan_periods,
)


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
    # Calendar dates: the cut-off of 1 January (QĐ 28's 15 December is the default).
    p = parse_period(text, CALENDAR)
    assert (p.id, p.start, p.end) == (pid, start, end)
    assert parse_period(text).span(CALENDAR) == (start, end)


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


# ----------------------------------------------------------- QĐ 28 cut-off (Điều 7.1)


@pytest.mark.parametrize("pid,start,end", [
    ("2026", date(2025, 12, 15), date(2026, 12, 14)),
    ("2026-H1", date(2025, 12, 15), date(2026, 6, 14)),
    ("2026-H2", date(2026, 6, 15), date(2026, 12, 14)),
    ("2026-Q1", date(2025, 12, 15), date(2026, 3, 14)),
    ("2026-Q2", date(2026, 3, 15), date(2026, 6, 14)),
    ("2026-Q3", date(2026, 6, 15), date(2026, 9, 14)),
    ("2026-Q4", date(2026, 9, 15), date(2026, 12, 14)),
    ("2025", date(2024, 12, 15), date(2025, 12, 14)),
])
def test_the_assessment_year_runs_from_15_december_to_14_december(pid, start, end):
    p = parse_period(pid)
    assert p.cutoff == QD28_CUTOFF
    assert (p.start, p.end) == (start, end)
    assert p.span(QD28_CUTOFF) == (start, end)


def test_a_province_cutoff_moves_every_period():
    c = Cutoff(7, 1)  # a fiscal-style year 1/7 – 30/6, named after the year it ends in
    p = parse_period("2026", c)
    assert (p.start, p.end) == (date(2025, 7, 1), date(2026, 6, 30))
    assert parse_period("2026-H2", "1/7").span() == (date(2026, 1, 1), date(2026, 6, 30))
    assert parse_period("2026-Q1").span(c) == (date(2025, 7, 1), date(2025, 9, 30))
    # The cut-off is not part of the period's identity.
    assert parse_period("2026", c) == parse_period("2026") and p.id == "2026"
    assert parse_period("2026", c).to_dict()["cutoff"] == "01/07"


@pytest.mark.parametrize("bad", ["31/1", "0/5", "15/13", "mười lăm", "15"])
def test_bad_cutoffs_are_refused_with_a_message(bad):
    with pytest.raises(ValidationError) as e:
        parse_cutoff(bad)
    assert "ngày chốt" in e.value.vi.lower()


@pytest.mark.parametrize("cutoff,pid,edition", [
    (QD28_CUTOFF, "2025-H1", "legacy"), (QD28_CUTOFF, "2025-Q2", "legacy"),
    (QD28_CUTOFF, "2025-Q3", "2025"), (QD28_CUTOFF, "2025", "2025"),
    (CALENDAR, "2025-H1", "legacy"), (CALENDAR, "2025", "2025"),
    # 1 July cut-off: the year 2025 is 1/7/2024 – 30/6/2025, wholly before the reform.
    (Cutoff(7, 1), "2025", "legacy"), (Cutoff(7, 1), "2025-H2", "legacy"),
    (Cutoff(7, 1), "2026-H1", "2025"),
    # 1 August cut-off: the year 2025 is 1/8/2024 – 31/7/2025 (Q4: 1/5 – 31/7/2025).
    (Cutoff(8, 1), "2025", "2025"), (Cutoff(8, 1), "2025-Q4", "2025"),
    (Cutoff(8, 1), "2025-Q3", "legacy"),
])
def test_edition_is_the_units_of_the_last_day_under_any_cutoff(cutoff, pid, edition):
    p = parse_period(pid, cutoff)
    assert p.edition == edition == edition_on(p.end)


@pytest.mark.parametrize("day,kind,cutoff,pid", [
    (date(2025, 12, 14), "Y", QD28_CUTOFF, "2025"),
    (date(2025, 12, 15), "Y", QD28_CUTOFF, "2026"),
    (date(2026, 6, 14), "H", QD28_CUTOFF, "2026-H1"),
    (date(2026, 6, 15), "H", QD28_CUTOFF, "2026-H2"),
    (date(2026, 3, 14), "Q", QD28_CUTOFF, "2026-Q1"),
    (date(2026, 3, 15), "Q", QD28_CUTOFF, "2026-Q2"),
    (date(2025, 12, 31), "Q", CALENDAR, "2025-Q4"),
    (date(2026, 1, 1), "H", CALENDAR, "2026-H1"),
    (date(2025, 7, 1), "Y", Cutoff(7, 1), "2026"),
])
def test_the_period_of_a_day(day, kind, cutoff, pid):
    p = period_of(day, kind, cutoff)
    assert p.id == pid and p.start <= day <= p.end
    assert period_ids([day], kind, cutoff).tolist() == [pid]


def test_period_ids_agree_with_the_spans_every_day():
    from datetime import timedelta

    days = [date(2024, 1, 1) + timedelta(i) for i in range(800)]
    for c in (QD28_CUTOFF, CALENDAR, Cutoff(4, 10)):
        for kind in "YHQ":
            for day, pid in zip(days, period_ids(days, kind, c)):
                a, b = parse_period(pid, c).span()
                assert a <= day <= b, (c, kind, day, pid)
    assert period_ids(["không phải ngày", None], "H").tolist() == [None, None]


def test_periods_tile_the_year_without_gaps():
    for c in (QD28_CUTOFF, CALENDAR, Cutoff(2, 28)):
        year = parse_period("2026", c)
        for kind in "HQ":
            parts = year.parts(kind)
            assert parts[0].start == year.start and parts[-1].end == year.end
            assert all(x.end.toordinal() + 1 == y.start.toordinal()
                       for x, y in zip(parts, parts[1:]))
            assert all(year.contains(x) for x in parts)


def test_dates_label():
    assert parse_period("2026-H1").dates_label() == "15/12/2025 – 14/6/2026"
    assert parse_period("2026-H1", CALENDAR).dates_label() == "1/1/2026 – 30/6/2026"
