"""Rates per 10,000 residents: raw, global and spatial Empirical Bayes (``esda.smoothing``)."""

from __future__ import annotations

import numpy as np
from esda.smoothing import Empirical_Bayes, Spatial_Empirical_Bayes
from numpy.typing import ArrayLike

from geo.errors import ValidationError

__all__ = ["PER", "empirical_bayes", "rate_per_10k", "spatial_empirical_bayes"]

PER = 10_000.0


def _pair(counts: ArrayLike, population: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(counts, dtype=float).ravel()
    p = np.asarray(population, dtype=float).ravel()
    if c.shape != p.shape:
        raise ValueError(f"counts ({c.size}) and population ({p.size}) differ in length")
    if (c < 0).any():
        raise ValidationError("Số đếm không được âm.", "Counts cannot be negative.")
    return c, p


def _usable(c: np.ndarray, p: np.ndarray) -> np.ndarray:
    return np.isfinite(c) & np.isfinite(p) & (p > 0)


def rate_per_10k(counts: ArrayLike, population: ArrayLike) -> np.ndarray:
    """Raw rate per 10,000 residents; NaN where the population is missing or zero.

    Parameters
    ----------
    counts, population : array_like
        One value per unit, same length.

    Returns
    -------
    numpy.ndarray
        ``counts / population * 10_000`` (NaN where the count is missing too).

    Examples
    --------
    >>> rate_per_10k([5, 1, 2], [10_000, 0, np.nan]).tolist()
    [5.0, nan, nan]
    """
    from geo.indicators import rate

    c, p = _pair(counts, population)
    return rate(c, p, per=PER)


def empirical_bayes(counts: ArrayLike, population: ArrayLike) -> np.ndarray:
    """Global Empirical Bayes rate per 10,000 (Marshall 1991; ``esda.smoothing.Empirical_Bayes``).

    Each unit's rate is shrunk towards the overall rate ``sum(counts) / sum(population)``,
    the more so the smaller its population, so a commune of 300 people with 2 cases does
    not top the map by chance. Units without a usable population (missing or zero) or
    count get NaN and are left out of the overall rate.

    When the rates vary less than Poisson noise alone would make them, Marshall's
    between-unit variance estimate is negative; Marshall sets it to 0, so every unit gets
    the overall rate. ``esda`` keeps the negative value, which gives shrinkage weights
    outside [0, 1] and can even give negative rates, so this function applies Marshall's
    rule.

    Parameters
    ----------
    counts, population : array_like
        One value per unit, same length.

    Returns
    -------
    numpy.ndarray
        Smoothed rate per 10,000 residents.

    Examples
    --------
    >>> eb = empirical_bayes([2, 50, 60, 40], [200, 100_000, 120_000, 80_000])
    >>> raw = rate_per_10k([2, 50, 60, 40], [200, 100_000, 120_000, 80_000])
    >>> round(float(raw[0]), 1), round(float(eb[0]), 1)  # overall rate: 5.1
    (100.0, 7.0)
    """
    c, p = _pair(counts, population)
    out = np.full(c.shape, np.nan)
    ok = _usable(c, p)
    if ok.sum() < 2:
        return out
    c, p = c[ok], p[ok]
    if _marshall_variance(c, p) <= 0:
        out[ok] = c.sum() / p.sum() * PER
        return out
    eb = Empirical_Bayes(c.reshape(-1, 1), p.reshape(-1, 1))
    out[ok] = np.asarray(eb.r, dtype=float).ravel() * PER
    return out


def _marshall_variance(c: np.ndarray, p: np.ndarray) -> float:
    """Marshall's (1991) moment estimate of the between-unit rate variance (as in esda)."""
    m = c.sum() / p.sum()
    r = c / p
    return float((p * (r - m) ** 2).sum() / p.sum() - m / p.mean())


def spatial_empirical_bayes(counts: ArrayLike, population: ArrayLike, w: object) -> np.ndarray:
    """Spatial Empirical Bayes rate per 10,000 (``esda.smoothing.Spatial_Empirical_Bayes``).

    Like :func:`empirical_bayes`, but each unit shrinks towards the rate of its
    neighbourhood (itself and its neighbours in ``w``) rather than the overall rate.

    Parameters
    ----------
    counts, population : array_like
        One value per unit, in the order of ``w.id_order``. Every unit needs a count and
        a positive population (the neighbourhoods are fixed by ``w``).
    w : libpysal.weights.W
        Contiguity weights (e.g. :func:`geo.stats.contiguity_weights`); left unchanged.

    Returns
    -------
    numpy.ndarray
        Smoothed rate per 10,000 residents.

    Raises
    ------
    geo.errors.ValidationError
        A unit lacks its count or population, or has population 0.

    Examples
    --------
    >>> from libpysal.weights import lat2W
    >>> w = lat2W(1, 3)  # a - b - c in a row
    >>> r = spatial_empirical_bayes([1, 30, 20], [100, 10_000, 10_000], w)
    >>> bool(abs(r[0] - 30) < abs(100 - 30))  # a (100 per 10k) moves towards b
    True
    """
    c, p = _pair(counts, population)
    if c.size != w.n:
        raise ValueError(f"{c.size} values for {w.n} units in the weights")
    bad = ~_usable(c, p)
    if bad.any():
        codes = [str(w.id_order[i]) for i in np.flatnonzero(bad)[:10]]
        raise ValidationError(
            f"{int(bad.sum())} đơn vị thiếu số liệu hoặc dân số: {', '.join(codes)}.",
            f"{int(bad.sum())} units lack a count or a population: {', '.join(codes)}.")
    before = w.transform
    try:
        sb = Spatial_Empirical_Bayes(c.reshape(-1, 1), p.reshape(-1, 1), w)
    finally:
        w.transform = before  # esda switches the weights to "b" and then "o"
    return np.asarray(sb.r, dtype=float).ravel() * PER
