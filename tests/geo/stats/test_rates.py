"""Rates: raw per 10,000, Empirical Bayes as esda computes it, with Marshall's rule."""

import geopandas as gpd
import numpy as np
import pytest
from esda.smoothing import Empirical_Bayes, Spatial_Empirical_Bayes
from libpysal.weights import lat2W

from geo.errors import ValidationError
from geo.stats import contiguity_weights, empirical_bayes, rate_per_10k, spatial_empirical_bayes

COUNTS = np.array([2.0, 50, 60, 55, 45, 30, 12])
POP = np.array([200.0, 100_000, 110_000, 90_000, 95_000, 40_000, 30_000])


def test_raw_rate_is_nan_without_population():
    r = rate_per_10k([5, 1, 2, np.nan], [10_000, 0, np.nan, 5_000])
    assert r[0] == 5.0
    assert np.isnan(r[1:]).all()


def test_negative_counts_are_refused():
    with pytest.raises(ValidationError):
        rate_per_10k([-1, 2], [100, 100])


def test_empirical_bayes_equals_esda():
    ref = np.asarray(Empirical_Bayes(COUNTS.reshape(-1, 1), POP.reshape(-1, 1)).r).ravel()
    assert np.allclose(empirical_bayes(COUNTS, POP), ref * 1e4)


def test_empirical_bayes_shrinks_small_populations_toward_the_mean():
    raw = rate_per_10k(COUNTS, POP)
    eb = empirical_bayes(COUNTS, POP)
    overall = COUNTS.sum() / POP.sum() * 1e4
    assert abs(eb[0] - overall) < abs(raw[0] - overall) / 5  # 200 people: pulled in hard
    assert np.allclose(eb[1:5], raw[1:5], rtol=0.1)  # ~100,000 people: barely moved
    # the smaller the population, the larger the share of the gap that is closed
    closed = 1 - np.abs(eb - overall) / np.abs(raw - overall)
    assert closed[0] > closed[6] > closed[1]


def test_eb_negative_between_variance_gives_overall_rate_not_negative_rates():
    # Rates vary less than Poisson noise: Marshall's variance estimate is negative.
    counts = np.array([10.0, 11, 9, 10])
    pop = np.full(4, 1000.0)
    esda_r = np.asarray(Empirical_Bayes(counts.reshape(-1, 1), pop.reshape(-1, 1)).r).ravel()
    assert (esda_r < 0).any()  # what esda returns: a negative rate
    assert np.allclose(empirical_bayes(counts, pop), counts.sum() / pop.sum() * 1e4)


def test_empirical_bayes_leaves_out_units_without_population():
    counts = np.append(COUNTS, [3.0, np.nan])
    pop = np.append(POP, [0.0, 5000.0])
    eb = empirical_bayes(counts, pop)
    assert np.isnan(eb[-2:]).all()
    assert np.allclose(eb[:-2], empirical_bayes(COUNTS, POP))


def test_spatial_eb_equals_esda_and_leaves_weights_alone():
    w = lat2W(3, 3)
    counts = np.array([1.0, 30, 20, 5, 8, 0, 12, 3, 9])
    pop = np.array([100.0, 10_000, 9_000, 2_000, 4_000, 1_500, 5_000, 800, 3_000])
    ref_w = lat2W(3, 3)
    ref = np.asarray(Spatial_Empirical_Bayes(counts.reshape(-1, 1), pop.reshape(-1, 1),
                                             ref_w).r).ravel()
    w.transform = "r"
    assert np.allclose(spatial_empirical_bayes(counts, pop, w), ref * 1e4)
    assert w.transform == "R"


def test_spatial_eb_refuses_missing_population():
    w = lat2W(1, 3)
    with pytest.raises(ValidationError):
        spatial_empirical_bayes([1, 2, 3], [100, 0, 100], w)


def test_eb_on_real_son_la_populations(shared_data):
    gdf = gpd.read_file(shared_data / "son_la_communes_2009.gpkg", layer="communes")
    pop = gdf.population.to_numpy(float)
    rng = np.random.default_rng(11)
    counts = rng.poisson(pop * 20 / 10_000).astype(float)  # 20 per 10,000 everywhere
    raw = rate_per_10k(counts, pop)
    eb = empirical_bayes(counts, pop)
    spread = np.abs(eb - 20).mean(), np.abs(raw - 20).mean()
    assert spread[0] < spread[1]
    small, large = np.argsort(pop)[:20], np.argsort(pop)[-20:]
    moved = np.abs(eb - raw)
    assert moved[small].mean() > moved[large].mean()
    w = contiguity_weights(gdf, id_col="census_id").w
    assert np.isfinite(spatial_empirical_bayes(counts, pop, w)).all()
