"""Every emerging hot-spot category on constructed series (10 half-years)."""

import numpy as np
import pytest

from geo.stats.emerging import classify_series

N = 10


def flags(*idx):
    a = np.zeros(N, bool)
    a[list(idx)] = True
    return a


NONE = flags()
RISING = np.linspace(1, 5, N)
FLAT = np.array([3.0, 2.8, 3.1, 2.9, 3.0, 3.2, 2.9, 3.0, 3.1, 3.0])
FALLING = RISING[::-1].copy()

CASES = [
    # name, hot flags, cold flags, z-scores
    ("new_hot", flags(9), NONE, FLAT),
    ("consecutive_hot", flags(7, 8, 9), NONE, FLAT),
    ("intensifying_hot", flags(*range(10)), NONE, RISING),
    ("intensifying_hot", flags(*range(1, 10)), NONE, RISING),  # 9 of 10 = 90%
    ("persistent_hot", flags(*range(10)), NONE, FLAT),
    ("diminishing_hot", flags(*range(10)), NONE, FALLING),
    ("sporadic_hot", flags(1, 4, 9), NONE, FLAT),
    ("oscillating_hot", flags(1, 9), flags(4), FLAT),
    ("historical_hot", flags(*range(9)), NONE, FLAT),
    ("no_pattern", NONE, NONE, FLAT),
]


@pytest.mark.parametrize("name,hot,cold,z", CASES)
def test_hot_categories(name, hot, cold, z):
    assert classify_series(hot, cold, z)[0] == name


@pytest.mark.parametrize("name,hot,cold,z", [c for c in CASES if c[0] != "no_pattern"])
def test_cold_mirrors(name, hot, cold, z):
    # Swap hot and cold, negate z: the mirror category.
    assert classify_series(cold, hot, -z)[0] == name.replace("_hot", "_cold")


def test_ninety_percent_rule_needs_nine_of_ten():
    # 8 of 10 hot incl. final with a rising trend: not intensifying (needs 9).
    cat = classify_series(flags(*range(2, 10)), NONE, RISING)[0]
    assert cat == "consecutive_hot"
    cat = classify_series(flags(0, 1, 2, 3, 5, 6, 7, 8, 9), NONE, RISING)[0]
    assert cat == "intensifying_hot"


def test_consecutive_needs_no_earlier_hot():
    # A hot run at the end but an earlier hot period too: sporadic, not consecutive.
    assert classify_series(flags(2, 8, 9), NONE, FLAT)[0] == "sporadic_hot"
