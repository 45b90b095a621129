"""The reform arithmetic (geo.reform): counts across the crosswalk, ratios recomputed."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import geo.reform
from geo.indicators import rate
from geo.reform import to_2025, to_legacy
from geo.registry import load_crosswalk


def _values(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit_code", "period", "indicator", "value"])


#: a + b merged into n; c split between n (1/4) and m (3/4); d alone became k.
CW = pd.DataFrame({"old_code": ["a", "b", "c", "c", "d"], "new_code": ["n", "n", "n", "m", "k"],
                   "weight": [1.0, 1.0, 0.25, 0.75, 1.0]})


def test_doctests() -> None:
    assert doctest.testmod(geo.reform).failed == 0


def test_to_2025_sums_weighted_counts_per_period_and_indicator() -> None:
    v = _values([("a", "2024-H1", "x", 2), ("b", "2024-H1", "x", 3), ("c", "2024-H1", "x", 8),
                 ("a", "2024-H2", "x", 1), ("b", "2024-H2", "x", 1), ("c", "2024-H2", "x", 4),
                 ("a", "2024-H1", "y", 10), ("b", "2024-H1", "y", 20),
                 ("c", "2024-H1", "y", 40)])
    out = to_2025(v, CW).set_index(["unit_code", "period", "indicator"]).value
    assert out[("n", "2024-H1", "x")] == 2 + 3 + 0.25 * 8
    assert out[("m", "2024-H1", "x")] == 0.75 * 8
    assert out[("n", "2024-H2", "x")] == 1 + 1 + 0.25 * 4
    assert out[("n", "2024-H1", "y")] == 10 + 20 + 10
    assert ("k", "2024-H1", "x") not in out.index  # d has no value: no data, not 0


def test_to_2025_leaves_out_a_commune_missing_a_predecessor_per_key() -> None:
    """n needs a, b and c; in 2024-H2 b is missing, so n has no value then (not an under-count)."""
    v = _values([("a", "2024-H1", "x", 2), ("b", "2024-H1", "x", 3), ("c", "2024-H1", "x", 8),
                 ("a", "2024-H2", "x", 2), ("c", "2024-H2", "x", 8)])
    out = to_2025(v, CW)
    got = set(zip(out.unit_code, out.period))
    assert ("n", "2024-H1") in got and ("n", "2024-H2") not in got
    assert ("m", "2024-H2") in got  # m's only predecessor c has a value


def test_to_legacy_shares_by_weight_times_latest_population() -> None:
    v = _values([("n", "2025-H2", "x", 100.0)])
    pop = pd.DataFrame({"unit_code": ["a", "b", "c", "a"],
                        "period": ["2024", "2024", "2024", "2023"],
                        "value": [1000.0, 3000.0, 8000.0, 9_999_999.0]})
    out = to_legacy(v, CW, pop).set_index("unit_code").value
    # shares ∝ weight × population: a 1000, b 3000, c 0.25 × 8000 = 2000 → 1/6, 1/2, 1/3
    assert out["a"] == pytest.approx(100 / 6)
    assert out["b"] == pytest.approx(50)
    assert out["c"] == pytest.approx(100 / 3)
    assert out.sum() == pytest.approx(100)  # the total is kept


def test_to_legacy_without_population_uses_weights_and_with_zero_population_equal_shares() -> None:
    v = _values([("n", "2025-H2", "x", 90.0), ("m", "2025-H2", "x", 30.0)])
    no_pop = to_legacy(v, CW).groupby("unit_code").value.sum()
    assert no_pop["a"] == pytest.approx(90 / 2.25) and no_pop["c"] == pytest.approx(
        90 * 0.25 / 2.25 + 30)
    zero = pd.DataFrame({"unit_code": ["a", "b", "c"], "period": "2024", "value": 0.0})
    eq = to_legacy(v, CW, zero).groupby("unit_code").value.sum()
    assert eq["a"] == pytest.approx(30) and eq["b"] == pytest.approx(30)
    assert eq["c"] == pytest.approx(30 + 30)  # all of m, a third of n


def test_round_trip_keeps_every_total_on_the_real_crosswalk() -> None:
    cw = load_crosswalk()  # every commune of the country, splits included
    olds = sorted(cw.old_code.unique())
    rng = np.random.default_rng(1)
    v = _values([(c, "2024", "x", float(rng.integers(0, 50))) for c in olds])
    new = to_2025(v, cw)
    back = to_legacy(new, cw)
    assert new.value.sum() == pytest.approx(v.value.sum())
    assert back.value.sum() == pytest.approx(v.value.sum())


def test_ratios_are_recomputed_from_converted_counts_never_averaged() -> None:
    """A rate on merged communes is Σ numerator / Σ denominator, not the mean of the rates."""
    v = _values([("a", "2024", "addicts", 10), ("a", "2024", "population", 1_000),
                 ("b", "2024", "addicts", 10), ("b", "2024", "population", 19_000)])
    cw = CW[CW.new_code == "n"].assign(weight=1.0)[lambda d: d.old_code != "c"]
    conv = to_2025(v, cw).set_index("indicator").value
    r = rate(np.array([conv["addicts"]]), np.array([conv["population"]]))[0]
    assert r == pytest.approx(10.0)  # 20 per 20,000 → 10 per 10,000
    averaged = np.mean(rate(np.array([10, 10]), np.array([1_000, 19_000])))
    assert averaged == pytest.approx(52.63, abs=0.01) and r != pytest.approx(averaged)


def test_empty_inputs() -> None:
    empty = _values([])
    assert to_2025(empty, CW).empty
    assert list(to_legacy(empty, CW).columns) == ["unit_code", "period", "indicator", "value"]
