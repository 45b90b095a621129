"""geo.changes: old → new beside each figure, implausible changes flagged."""

from __future__ import annotations

import pandas as pd

from geo.changes import compare_with_stored


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["edition", "unit_code", "period", "indicator", "value"])


def test_flags_follow_the_rule_and_say_why() -> None:
    stored = _frame([("legacy", "a", "2024-H1", "relapse", 40.0),
                     ("legacy", "a", "2024-H2", "relapse", 20.0),
                     ("legacy", "b", "2024-H2", "relapse", 2.0),
                     ("legacy", "c", "2024-H2", "relapse", 0.0),
                     ("legacy", "d", "2024", "relapse", 10.0),
                     ("legacy", "p", "2024-H2", "population", 1000.0)])
    new = _frame([("legacy", "a", "2025-H1", "relapse", 9.0),  # < 20 / 2, 11 less
                  ("legacy", "b", "2025-H1", "relapse", 5.0),  # ×2.5 but only 3 more
                  ("legacy", "c", "2025-H1", "relapse", 12.0),  # from 0
                  ("legacy", "d", "2025-H1", "relapse", 50.0),  # no earlier half-year
                  ("legacy", "p", "2024-H2", "population", 1300.0),  # +30% of a population
                  ("legacy", "a", "2024-H2", "relapse", 20.0)])  # the same figure again
    out = compare_with_stored(new, stored).set_index(["unit_code", "period"])
    assert out.flag.to_dict() == {("a", "2025-H1"): True, ("c", "2025-H1"): True,
                                  ("p", "2024-H2"): True, ("b", "2025-H1"): False,
                                  ("d", "2025-H1"): False, ("a", "2024-H2"): False}
    assert out.loc[("a", "2025-H1"), "ref_period"] == "2024-H2"  # the latest earlier half
    assert out.loc[("a", "2025-H1"), "reason_vi"] == "chỉ còn 45% của 20 (6 tháng cuối năm 2024)"
    assert out.loc[("c", "2025-H1"), "reason_en"] == "from 0 (Second half of 2024) to 12"
    assert out.loc[("p", "2024-H2"), "status"] == "changed"
    assert out.loc[("a", "2024-H2"), "status"] == "same"
    assert pd.isna(out.loc[("d", "2025-H1"), "ref_value"])  # a year is not a half-year
    assert list(out.flag.iloc[:3]) == [True, True, True]


def test_nothing_stored_means_every_figure_is_new_and_unflagged() -> None:
    new = _frame([("2025", "x", "2025-H2", "relapse", 500.0)])
    out = compare_with_stored(new, _frame([]))
    assert out.status.tolist() == ["new"] and not out.flag.any()
