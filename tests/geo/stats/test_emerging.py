"""Emerging hot spots: every category (hot and cold) on constructed series, the rules'
edges, the vectorised Mann-Kendall against pymannkendall, and Gi* per period."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pymannkendall as mk
import pytest

from geo.errors import ValidationError
from geo.stats import (
    CATEGORIES,
    classify_emerging,
    classify_series,
    contiguity_weights,
    emerging_hotspots,
    local_gistar,
    mann_kendall,
    min_periods_90,
)
from geo.stats.emerging import _mann_kendall_rows
from geo.vocab import EMERGING_CATEGORIES

from ._grids import block, grid, noise

T = 10
WIGGLE = np.array([0.1, -0.1, 0.05, -0.05, 0.0, 0.1, -0.1, 0.05, -0.05, 0.0])  # no trend


def series(hot=(), cold=(), shape="flat"):
    """Gi* z-scores and p-values of one unit over T periods.

    Significant periods get |z| ≈ 3 (p = 0.01), the others z ≈ 0.5 (p = 0.5); ``shape``
    rising/falling makes the z-scores of the significant periods trend.
    """
    z = 0.5 + WIGGLE
    p = np.full(T, 0.5)
    hot, cold = list(hot), list(cold)
    level = {"flat": 3 + WIGGLE, "rising": np.linspace(2.5, 6, T),
             "falling": np.linspace(6, 2.5, T)}[shape]
    z[hot] = level[hot]
    z[cold] = -3 + WIGGLE[cold]
    p[hot + cold] = 0.01
    return z, p


ALL = range(T)
CASES = {
    # category: (hot periods, cold periods, shape of the hot z-scores)
    "new_hot": ([9], [], "flat"),
    "consecutive_hot": ([7, 8, 9], [], "flat"),
    "intensifying_hot": (ALL, [], "rising"),
    "persistent_hot": (ALL, [], "flat"),
    "diminishing_hot": (ALL, [], "falling"),
    "sporadic_hot": ([1, 4, 9], [], "flat"),
    "oscillating_hot": ([1, 4, 9], [6], "flat"),
    "historical_hot": (range(9), [], "flat"),
}


def classify(z, p):
    return classify_emerging(z[None, :], p[None, :]).category.iloc[0]


@pytest.mark.parametrize("name", list(CASES))
def test_hot_category(name):
    hot, cold, shape = CASES[name]
    assert classify(*series(hot, cold, shape)) == name


@pytest.mark.parametrize("name", [c.replace("_hot", "_cold") for c in CASES])
def test_cold_category(name):
    # The mirror image: hot and cold swapped, z-scores negated (so trends reverse).
    hot, cold, shape = CASES[name.replace("_cold", "_hot")]
    z, p = series(hot, cold, shape)
    assert classify(-z, p) == name


def test_no_pattern():
    assert classify(*series()) == "no_pattern"
    assert classify(*series(hot=[3, 4], cold=[])) == "no_pattern"  # hot once, not lately


def test_every_category_has_labels_and_is_covered():
    assert set(CATEGORIES) == set(EMERGING_CATEGORIES)  # every category has its label
    covered = set(CASES) | {c.replace("_hot", "_cold") for c in CASES} | {"no_pattern"}
    assert covered == set(CATEGORIES)


def test_ninety_percent_rule_is_nine_of_ten():
    assert [min_periods_90(n) for n in (10, 9, 20, 100, 3)] == [9, 9, 18, 90, 3]
    # 9 of 10 hot including the final one, not in a run: intensifying with a rising trend
    z, p = series([0, 1, 2, 3, 5, 6, 7, 8, 9], [], "rising")
    assert classify(z, p) == "intensifying_hot"
    # 8 of 10: not enough; the final run of 8 makes it consecutive
    z, p = series(range(2, 10), [], "rising")
    assert classify(z, p) == "consecutive_hot"


def test_hot_in_90_percent_but_not_last_is_historical_not_persistent():
    z, p = series(range(9), [], "flat")
    assert classify(z, p) == "historical_hot"
    z, p = series(range(8), [], "flat")  # 8 of 10 and not hot lately: nothing
    assert classify(z, p) == "no_pattern"


def test_consecutive_needs_no_earlier_hot_period():
    assert classify(*series([2, 8, 9])) == "sporadic_hot"
    assert classify(*series([8, 9], cold=[1])) == "consecutive_hot"  # earlier cold is fine


def test_a_former_cold_spot_turning_hot_is_new():
    assert classify(*series([9], cold=[2, 3])) == "new_hot"


def test_hot_patterns_are_checked_before_cold_ones():
    assert classify(*series(range(9), cold=[9])) == "historical_hot"


def test_p_values_and_booleans_give_the_same_categories():
    cases = [series(*CASES[k]) for k in CASES]
    z = np.array([c[0] for c in cases])
    p = np.array([c[1] for c in cases])
    a = classify_emerging(z, p)
    b = classify_emerging(z, p <= 0.05)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.category) == list(CASES)
    assert list(a.n_hot) == [1, 3, 10, 10, 10, 3, 3, 9]
    assert list(a.n_cold) == [0, 0, 0, 0, 0, 0, 1, 0]
    assert list(a.trend[2:5]) == ["increasing", "no trend", "decreasing"]


def test_classify_series_agrees_with_classify_emerging():
    for name, (hot, cold, shape) in CASES.items():
        z, p = series(hot, cold, shape)
        got = classify_series(z > 1, z < -1, z)
        assert got[0] == name
        assert got[1:] == pytest.approx(mann_kendall(z)[:2])


def test_vectorised_mann_kendall_equals_pymannkendall():
    rng = np.random.default_rng(0)
    rows = [rng.normal(size=T) for _ in range(200)]
    rows += [np.cumsum(rng.normal(0.5, 1, T)) for _ in range(50)]  # trending
    rows += [rng.integers(0, 3, T).astype(float) for _ in range(50)]  # many ties
    rows += [np.zeros(T), np.arange(T, dtype=float)]
    z = np.array(rows)
    tau, p, direction = _mann_kendall_rows(z, 0.05)
    for k, row in enumerate(z):
        r = mk.original_test(row, alpha=0.05)
        assert tau[k] == pytest.approx(r.Tau, abs=1e-12)
        assert p[k] == pytest.approx(r.p, rel=1e-9, abs=1e-12)
        assert direction[k] == {"increasing": 1, "decreasing": -1, "no trend": 0}[r.trend]


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError):
        classify_emerging(np.zeros((3, T)), np.zeros((3, T - 1)))


# ------------------------------------------------------------ Gi* per period

N = 10


@pytest.fixture(scope="module")
def w10():
    return contiguity_weights(grid(N)).w


def growing_cluster(start=7):
    codes = [f"c{k:03d}" for k in range(N * N)]
    cols = {}
    for t in range(T):
        y = noise(N * N, seed=t)
        if t >= start:  # a cluster appears in the last periods
            y[block(N, 6, 6)] += 30
        cols[f"2021-H{t}"] = y
    return pd.DataFrame(cols, index=codes)


def test_emerging_finds_a_growing_cluster_and_uses_gistar_per_period(w10):
    vals = growing_cluster()
    seen = []
    res = emerging_hotspots(vals.sample(frac=1, random_state=1), w10, permutations=999,
                            seed=4, progress=lambda f, m: seen.append(f))
    assert list(res.index) == list(w10.id_order)  # back in the weights' order
    assert res.loc["c077", "category"] == "consecutive_hot"
    assert (res.category == "consecutive_hot").sum() >= 5
    assert not res.category.str.endswith("_hot").loc[["c000", "c009", "c090"]].any()
    for i, per in enumerate(vals.columns):
        g = local_gistar(vals[per], w10, permutations=999, seed=4 + i)
        assert np.allclose(res[f"z_{per}"], g.z)
        assert (res.loc[g.index[g.fdr_significant & (g.z > 0)]].n_hot >= 1).all()
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_a_period_without_variation_is_not_an_error(w10):
    vals = growing_cluster()
    vals["2021-H3"] = 0.0
    res = emerging_hotspots(vals, w10, permutations=999, seed=1)
    assert (res["z_2021-H3"] == 0).all()
    assert res.loc["c077", "category"] == "consecutive_hot"


def test_missing_value_in_a_period_is_refused(w10):
    vals = growing_cluster()
    vals.iloc[4, 2] = np.nan
    with pytest.raises(ValidationError):
        emerging_hotspots(vals, w10, permutations=9)


def test_emerging_on_real_son_la_polygons(shared_data):
    gdf = gpd.read_file(shared_data / "son_la_communes_2009.gpkg", layer="communes")
    gdf["code"] = gdf.census_id.astype(str)
    w = contiguity_weights(gdf).w

    def around(name):
        c = gdf.code[gdf.commune.str.contains(name)].iloc[0]
        ring = set(w.neighbors[c])
        return c, {c} | ring | {n for r in ring for n in w.neighbors[r]}

    new, new_cluster = around("Chiềng Khừa")  # Mộc Châu: hot from 2024-H1 on
    old, old_cluster = around("Nà Ngựu")  # Sông Mã: hot throughout
    assert not (new_cluster & old_cluster)
    rng = np.random.default_rng(8)
    periods = [f"{y}-H{h}" for y in range(2021, 2026) for h in (1, 2)]
    cols = {}
    for t, per in enumerate(periods):
        y = rng.poisson(10, len(gdf)).astype(float)
        y[gdf.code.isin(old_cluster).to_numpy()] += 60
        if t >= 6:
            y[gdf.code.isin(new_cluster).to_numpy()] += 60
        cols[per] = y
    res = emerging_hotspots(pd.DataFrame(cols, index=gdf.code), w, seed=3)
    assert res.loc[new, "category"] == "consecutive_hot"
    assert res.loc[old, "category"] in {"persistent_hot", "intensifying_hot",
                                        "diminishing_hot"}
    assert res.loc[old, "n_hot"] >= 9
