"""Local hot spots: Getis-Ord Gi* and local Moran's I (``esda``), with FDR control.

Both statistics use esda's conditional permutation inference with a fixed seed, so a
result can be reproduced exactly. ``p_sim`` is esda's one-sided pseudo p-value in the
observed direction, ``(min(#sims ≥ obs, #sims ≤ obs) + 1) / (permutations + 1)``,
recomputed here from esda's simulations so that ties count on both sides. It equals
esda's ``p_sim`` whenever no simulated value ties the observed one. esda counts ties as
"larger" and then folds, so a unit at the bottom of a tied distribution (zeros among
zeros, common in commune counts) gets the smallest possible p-value: on 400 cells of
random Poisson(0.3) counts, esda 2.8 reports 53 cold spots that all survive FDR; the
tie-aware p-value reports none. Multiple testing across units is controlled with the
Benjamini–Hochberg false discovery rate (``esda.fdr``).

Missing values are refused, not dropped: the weights fix each unit's neighbourhood, and
dropping a unit silently changes its neighbours' statistics. Callers drop units without
data *before* building the weights and report them (see ``geo.analysis.hotspots``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from esda import G_Local, Moran_Local, fdr
from libpysal.weights import W, fill_diagonal
from numpy.typing import ArrayLike

from geo.errors import ValidationError

__all__ = [
    "as_vector",
    "check_gistar_values",
    "gistar_frame",
    "star_weights",
    "unit_index",
    "DEFAULT_PERMUTATIONS",
    "DEFAULT_SEED",
    "GISTAR_CATEGORIES",
    "LEVELS",
    "MORAN_LABELS",
    "fdr_mask",
    "local_gistar",
    "local_moran",
]

DEFAULT_PERMUTATIONS = 999
DEFAULT_SEED = 12345
#: Confidence levels of the Gi* categories: (p-value cut, suffix), weakest first.
LEVELS: tuple[tuple[float, str], ...] = ((0.10, "90"), (0.05, "95"), (0.01, "99"))
GISTAR_CATEGORIES = ("hot99", "hot95", "hot90", "cold99", "cold95", "cold90", "none")
MORAN_LABELS = ("HH", "LH", "LL", "HL", "ns")


def fdr_mask(p: ArrayLike, alpha: float) -> np.ndarray:
    """Which p-values stay significant at ``alpha`` after Benjamini–Hochberg FDR.

    The cut-off is ``esda.fdr(p, alpha)``; a p-value is significant when it is at or
    below it. (``esda.fdr`` compares the sorted p-values strictly, ``p(k) < k·alpha/n``,
    so a p-value exactly on that line, possible with permutation p-values on a
    ``1/(permutations+1)`` grid, is not significant, where textbook BH would keep it.)

    Parameters
    ----------
    p : array_like
        One p-value per test.
    alpha : float
        False discovery rate.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> p = np.array([0.001, 0.02, 0.03, 0.04, 0.2, 0.5, 0.6, 0.7, 0.8, 0.9])
    >>> int((p <= 0.05).sum()), fdr_mask(p, 0.05).tolist()[:4]
    (4, [True, False, False, False])
    """
    p = np.asarray(p, dtype=float)
    if p.size == 0:
        return np.zeros(0, dtype=bool)
    return p <= fdr(p, alpha)


def as_vector(values: ArrayLike | pd.Series, w: W, name: str = "values") -> np.ndarray:
    """Values as a float vector in ``w.id_order``; refuse missing values.

    A ``pandas.Series`` is aligned on its index (unit codes); anything else is taken to
    be in ``w.id_order`` already.
    """
    ids = list(w.id_order)
    if isinstance(values, pd.Series):
        want = pd.Index([str(i) for i in ids])
        have = values.index.map(str)
        if not have.is_unique or not have.sort_values().equals(want.sort_values()):
            raise ValueError(f"{name} must be indexed by exactly the weights ids "
                             f"(missing e.g. {list(want.difference(have)[:5])}, "
                             f"extra e.g. {list(have.difference(want)[:5])})")
        y = pd.Series(values.to_numpy(), index=have).reindex(want).to_numpy(float)
    else:
        y = np.asarray(values, dtype=float).ravel()
    if y.size != w.n:
        raise ValueError(f"{y.size} {name} for {w.n} units in the weights")
    bad = ~np.isfinite(y)
    if bad.any():
        codes = [str(ids[i]) for i in np.flatnonzero(bad)[:10]]
        more = "…" if bad.sum() > 10 else ""
        raise ValidationError(
            f"{int(bad.sum())} xã thiếu số liệu ({', '.join(codes)}{more}); thống kê điểm "
            "nóng cần số liệu của mọi xã trong bộ láng giềng (bỏ các xã đó ra trước khi "
            "lập láng giềng, hoặc chọn kỳ khác).",
            f"{int(bad.sum())} communes lack data ({', '.join(codes)}{more}); hot-spot "
            "statistics need a value for every commune in the weights (leave those "
            "communes out before building the weights, or choose another period).")
    return y


def _tie_aware_p(observed: np.ndarray, sims: np.ndarray) -> np.ndarray:
    """One-sided pseudo p-value in the observed direction, ties counted on both sides.

    ``sims`` is units × permutations. Values within 1e-10 (relative) of the observed one
    are ties: esda's kernels add in a different order than its observed statistic.
    """
    obs = np.asarray(observed, dtype=float)[:, None]
    tol = 1e-10 * np.maximum(np.abs(obs), np.finfo(float).tiny)
    n_ge = (sims >= obs - tol).sum(axis=1)
    n_le = (sims <= obs + tol).sum(axis=1)
    return (np.minimum(n_ge, n_le) + 1.0) / (sims.shape[1] + 1.0)


def star_weights(w: W) -> W:
    """A binary copy of ``w`` with self-weights 1: what ``G_Local(star=True)`` builds.

    Building it once lets :func:`geo.stats.emerging_hotspots` reuse it every period.
    """
    b = W(w.neighbors, id_order=list(w.id_order), silence_warnings=True)  # weights 1
    return fill_diagonal(b, 1.0)


def unit_index(w: W) -> pd.Index:
    """The units of ``w`` in its order, as an index named ``code``."""
    return pd.Index(list(w.id_order), name="code")


def _no_variation(w: W, columns: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame({k: [v] * w.n for k, v in columns.items()}, index=unit_index(w))


def gistar_frame(y: np.ndarray, w_star: W, permutations: int, seed: int, alpha: float,
                  fdr_correct: bool, n_jobs: int, index: pd.Index) -> pd.DataFrame:
    """Gi* on prepared star weights (see :func:`local_gistar`)."""
    if np.ptp(y) == 0:
        return pd.DataFrame({"z": 0.0, "p_sim": 1.0, "p_norm": 1.0,
                             "fdr_significant": False, "category": "none"}, index=index)
    g = G_Local(y, w_star, transform="B", permutations=permutations, star=True, seed=seed,
                n_jobs=n_jobs, keep_simulations=True)
    z = np.asarray(g.Zs, dtype=float)
    p = _tie_aware_p(g.Gs, np.asarray(g.rGs))

    def significant(level: float) -> np.ndarray:
        return fdr_mask(p, level) if fdr_correct else p <= level

    cat = np.full(len(y), "none", dtype=object)
    for level, tag in LEVELS:  # weakest first; stronger levels overwrite
        sig = significant(level) & (p <= level)
        cat[sig & (z > 0)] = "hot" + tag
        cat[sig & (z < 0)] = "cold" + tag
    return pd.DataFrame({"z": z, "p_sim": p, "p_norm": np.asarray(g.p_norm, dtype=float),
                         "fdr_significant": significant(alpha) & (p <= alpha),
                         "category": cat}, index=index)


def check_gistar_values(y: np.ndarray) -> None:
    """Refuse values Gi* cannot take (negative), with a clear message."""
    if (y < 0).any():
        raise ValidationError(
            "Gi* cần giá trị không âm (số đếm, tỷ lệ).",
            "Gi* needs non-negative values (counts, rates).")


def local_gistar(
    values: ArrayLike | pd.Series,
    w: W,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    alpha: float = 0.05,
    *,
    fdr_correct: bool = True,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Getis-Ord Gi* per unit, with hot/cold categories at 90/95/99% confidence.

    Runs ``esda.G_Local(values, w, transform="B", star=True, permutations=..., seed=...)``:
    binary weights with each unit in its own neighbourhood (self-weight 1). With binary
    weights ``Zs`` is the Ord & Getis (1995) standardised Gi*, the z-score ArcGIS's Hot
    Spot Analysis reports; esda's default ``transform="R"`` would give a different
    ``Zs`` (its variance formula assumes binary rows), so it is not used here.

    Category rule: a unit is a hot (cold) spot at confidence level L ∈ {90, 95, 99}%
    when ``z > 0`` (``z < 0``), ``p_sim ≤ 1 − L`` **and**, with ``fdr_correct``, its
    ``p_sim`` also passes the Benjamini–Hochberg FDR cut at ``1 − L`` across all units;
    its category is the strongest level it reaches (``hot99`` before ``hot95``...),
    otherwise ``none``. ``p_sim`` is the one-sided, tie-aware pseudo p-value described in
    the module docstring, used directly as in PySAL practice (ArcGIS's confidence bins
    use two-sided p-values of ``z``).

    Values without variation (e.g. no cases anywhere in the period) have no hot spots:
    every unit gets ``z = 0``, ``p_sim = p_norm = 1`` and ``none``.

    Parameters
    ----------
    values : array_like or pandas.Series
        One non-negative value per unit (a count or rate); a Series is aligned on its
        index (unit codes), anything else must be in ``w.id_order``. No missing values.
    w : libpysal.weights.W
        Contiguity weights without self-neighbours, e.g. from
        :func:`geo.stats.contiguity_weights`; left unchanged.
    permutations : int
        Conditional permutations for ``p_sim``. With ``n`` units, FDR can only confirm
        anything when ``1 / (permutations + 1)`` is well below ``alpha / n``'s scale, so
        keep 999 for a province.
    seed : int
        Permutation seed: the same seed gives the same p-values (also with ``n_jobs``).
    alpha : float
        Level of the ``fdr_significant`` column.
    fdr_correct : bool
        Apply FDR (default). Without it, significance is ``p_sim ≤ level``.
    n_jobs : int
        Processes for esda's permutation kernel (``-1`` = all cores).

    Returns
    -------
    pandas.DataFrame
        Index ``code`` = ``w.id_order``; columns ``z`` (``Zs``), ``p_sim``, ``p_norm``
        (one-sided, from ``z``), ``fdr_significant`` (at ``alpha``) and ``category``
        in ``hot99, hot95, hot90, cold99, cold95, cold90, none``.

    Raises
    ------
    geo.errors.ValidationError
        Missing or negative values.

    Examples
    --------
    >>> from libpysal.weights import lat2W
    >>> w = lat2W(6, 6, rook=False)
    >>> y = np.ones(36); y[[0, 1, 6, 7]] = 50  # a high corner
    >>> res = local_gistar(y, w, permutations=99, seed=1, fdr_correct=False)
    >>> res.loc[0, "category"], res.loc[35, "category"]
    ('hot99', 'none')
    """
    y = as_vector(values, w)
    check_gistar_values(y)
    return gistar_frame(y, star_weights(w), permutations, seed, alpha, fdr_correct,
                         n_jobs, unit_index(w))


def local_moran(
    values: ArrayLike | pd.Series,
    w: W,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    alpha: float = 0.05,
    *,
    fdr_correct: bool = True,
    transformation: str = "r",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Local Moran's I per unit (``esda.Moran_Local``) with cluster/outlier labels.

    ``label`` is the quadrant (``HH`` high among high, ``LH`` low among high, ``LL``,
    ``HL``) where the unit is significant, else ``ns``. Significant means
    ``p_sim ≤ alpha`` and, with ``fdr_correct``, passing the Benjamini–Hochberg FDR cut
    at ``alpha`` across all units. Values without variation give ``Is = z = 0``,
    ``p_sim = 1``, quadrant ``none`` and ``ns`` everywhere.

    Parameters
    ----------
    values : array_like or pandas.Series
        One value per unit (see :func:`local_gistar`); no missing values.
    w : libpysal.weights.W
        Spatial weights; left unchanged (esda would switch them to ``transformation``).
    permutations, seed, n_jobs :
        As in :func:`local_gistar`.
    alpha : float
        Significance level (and FDR rate).
    fdr_correct : bool
        Apply FDR (default).
    transformation : str
        Weights transformation, esda's default ``"r"`` (row-standardised).

    Returns
    -------
    pandas.DataFrame
        Index ``code`` = ``w.id_order``; ``Is``, ``z`` (``z_sim``: ``Is`` standardised by
        its permutation distribution), ``p_sim``, ``quadrant``, ``fdr_significant``,
        ``label``.

    Examples
    --------
    >>> from libpysal.weights import lat2W
    >>> w = lat2W(6, 6, rook=False)
    >>> y = np.ones(36); y[[0, 1, 6, 7]] = 50
    >>> res = local_moran(y, w, permutations=99, seed=1, fdr_correct=False)
    >>> res.loc[0, "label"], res.loc[35, "label"]
    ('HH', 'ns')
    """
    y = as_vector(values, w)
    if np.ptp(y) == 0:
        return _no_variation(w, {"Is": 0.0, "z": 0.0, "p_sim": 1.0, "quadrant": "none",
                                 "fdr_significant": False, "label": "ns"})
    before = w.transform
    try:
        m = Moran_Local(y, w, transformation=transformation, permutations=permutations,
                        seed=seed, n_jobs=n_jobs, keep_simulations=True)
    finally:
        w.transform = before
    quad = np.array(["", "HH", "LH", "LL", "HL"], dtype=object)[np.asarray(m.q)]
    p = _tie_aware_p(m.Is, np.asarray(m.rlisas))
    sig = (fdr_mask(p, alpha) if fdr_correct else np.ones(len(p), bool)) & (p <= alpha)
    return pd.DataFrame(
        {"Is": np.asarray(m.Is, dtype=float), "z": np.asarray(m.z_sim, dtype=float),
         "p_sim": p, "quadrant": quad, "fdr_significant": sig,
         "label": np.where(sig, quad, "ns")},
        index=unit_index(w),
    )
