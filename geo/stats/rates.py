"""Rates per 10,000 residents, raw and Empirical-Bayes smoothed (esda)."""

from __future__ import annotations

import numpy as np
from esda.smoothing import Empirical_Bayes, Spatial_Empirical_Bayes

__all__ = ["empirical_bayes", "rate_per_10k", "spatial_empirical_bayes"]

PER = 10_000.0


def rate_per_10k(counts: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Raw rate per 10,000; NaN where the population is missing or zero.

    Examples
    --------
    >>> rate_per_10k(np.array([5.0, 1.0]), np.array([10_000.0, 0.0])).tolist()
    [5.0, nan]
    """
    c = np.asarray(counts, dtype=float)
    p = np.asarray(population, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = c / p * PER
    r[~(p > 0)] = np.nan
    return r


def _valid(counts: np.ndarray, population: np.ndarray) -> np.ndarray:
    return np.isfinite(counts) & np.isfinite(population) & (population > 0)


def empirical_bayes(counts: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Global Empirical Bayes rate per 10,000 (Marshall 1991, via ``esda``).

    Small populations' rates shrink towards the overall rate, so a commune of
    300 people with 2 cases does not top the map by chance. Units without a
    population get NaN.
    """
    c = np.asarray(counts, dtype=float)
    p = np.asarray(population, dtype=float)
    out = np.full(c.shape, np.nan)
    ok = _valid(c, p)
    if ok.sum() >= 2:
        eb = Empirical_Bayes(c[ok].reshape(-1, 1), p[ok].reshape(-1, 1))
        out[ok] = np.asarray(eb.r).ravel() * PER
    return out


def spatial_empirical_bayes(counts: np.ndarray, population: np.ndarray, w: object) -> np.ndarray:
    """Spatial Empirical Bayes rate per 10,000 (shrinks towards the neighbourhood's rate)."""
    c = np.asarray(counts, dtype=float).reshape(-1, 1)
    p = np.asarray(population, dtype=float).reshape(-1, 1)
    sb = Spatial_Empirical_Bayes(c, p, w)
    return np.asarray(sb.r).ravel() * PER
