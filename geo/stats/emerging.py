"""Emerging hot spots: Gi* per period plus a Mann-Kendall trend on each unit's z-scores.

Categories follow the definitions of space-time "Emerging Hot Spot Analysis"
(ESRI ArcGIS Pro documentation, *How Emerging Hot Spot Analysis works*), with
``n`` periods and a unit "hot" (``cold``) in a period when its Gi* is a
significant hot (cold) spot there:

new
    hot in the final period, never hot before.
consecutive
    one uninterrupted run of ≥ 2 hot periods ending with the final one, never
    hot before that run, and hot in < 90% of periods.
intensifying
    hot in ≥ 90% of periods including the final one, and the z-scores rise
    with a significant Mann-Kendall trend.
persistent
    hot in ≥ 90% of periods including the final one, no significant trend.
diminishing
    hot in ≥ 90% of periods including the final one, significant falling trend.
sporadic
    hot in the final period, on-and-off before, < 90% hot, never cold.
oscillating
    hot in the final period, cold in some earlier period, < 90% hot.
historical
    not hot in the final period, hot in ≥ 90% of periods.

Cold categories mirror these (``new_cold`` ... ``historical_cold``);
``no_pattern`` otherwise. With ten 6-month periods (2021–2025), "≥ 90%" means
at least 9 hot periods.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pymannkendall as mk

from geo.stats.local import DEFAULT_PERMUTATIONS, DEFAULT_SEED, local_gistar

__all__ = ["CATEGORY_LABELS", "classify_series", "emerging_hotspots", "mann_kendall"]

CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "new_hot": ("Điểm nóng mới", "New hot spot"),
    "consecutive_hot": ("Điểm nóng liên tiếp", "Consecutive hot spot"),
    "intensifying_hot": ("Điểm nóng gia tăng", "Intensifying hot spot"),
    "persistent_hot": ("Điểm nóng dai dẳng", "Persistent hot spot"),
    "diminishing_hot": ("Điểm nóng suy giảm", "Diminishing hot spot"),
    "sporadic_hot": ("Điểm nóng rải rác", "Sporadic hot spot"),
    "oscillating_hot": ("Điểm nóng dao động", "Oscillating hot spot"),
    "historical_hot": ("Điểm nóng trước đây", "Historical hot spot"),
    "new_cold": ("Điểm lạnh mới", "New cold spot"),
    "consecutive_cold": ("Điểm lạnh liên tiếp", "Consecutive cold spot"),
    "intensifying_cold": ("Điểm lạnh gia tăng", "Intensifying cold spot"),
    "persistent_cold": ("Điểm lạnh dai dẳng", "Persistent cold spot"),
    "diminishing_cold": ("Điểm lạnh suy giảm", "Diminishing cold spot"),
    "sporadic_cold": ("Điểm lạnh rải rác", "Sporadic cold spot"),
    "oscillating_cold": ("Điểm lạnh dao động", "Oscillating cold spot"),
    "historical_cold": ("Điểm lạnh trước đây", "Historical cold spot"),
    "no_pattern": ("Không có xu hướng", "No pattern"),
}


def mann_kendall(series: np.ndarray, alpha: float = 0.05) -> tuple[float, float, int]:
    """Mann-Kendall trend test (``pymannkendall.original_test``).

    Returns
    -------
    tau, p, direction
        ``direction`` is +1 (significant increase), -1 (significant decrease) or 0.
    """
    s = np.asarray(series, dtype=float)
    if len(s) < 3 or np.allclose(s, s[0]):
        return 0.0, 1.0, 0
    r = mk.original_test(s, alpha=alpha)
    direction = 0 if not r.h else (1 if r.trend == "increasing" else -1)
    return float(r.Tau), float(r.p), direction


def _one_side(hot: np.ndarray, cold: np.ndarray, z: np.ndarray, trend: int,
              suffix: str) -> str | None:
    """Category of one side (hot, or cold with arrays swapped and trend negated)."""
    n = len(hot)
    need = math.ceil(0.9 * n)
    n_hot = int(hot.sum())
    if n_hot == 0:
        return None
    final = bool(hot[-1])
    if not final:
        return f"historical_{suffix}" if n_hot >= need else None
    if n_hot >= need:
        if trend > 0:
            return f"intensifying_{suffix}"
        if trend < 0:
            return f"diminishing_{suffix}"
        return f"persistent_{suffix}"
    if n_hot == 1:
        return f"new_{suffix}"
    # length of the final run of hot periods
    run = 0
    for v in hot[::-1]:
        if not v:
            break
        run += 1
    if run >= 2 and run == n_hot:
        return f"consecutive_{suffix}"
    if cold[:-1].any():
        return f"oscillating_{suffix}"
    return f"sporadic_{suffix}"


def classify_series(hot: np.ndarray, cold: np.ndarray, z: np.ndarray,
                    alpha: float = 0.05) -> tuple[str, float, float]:
    """Emerging category of one unit from its per-period hot/cold flags and Gi* z-scores.

    Examples
    --------
    >>> h = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], bool)
    >>> classify_series(h, ~h & False, np.arange(10.0))[0]
    'new_hot'
    """
    hot = np.asarray(hot, dtype=bool)
    cold = np.asarray(cold, dtype=bool)
    tau, p, trend = mann_kendall(z, alpha)
    cat = _one_side(hot, cold, z, trend, "hot")
    if cat is None:
        cat = _one_side(cold, hot, -np.asarray(z), -trend, "cold")
    return cat or "no_pattern", tau, p


def emerging_hotspots(
    values: pd.DataFrame,
    w: object,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    alpha: float = 0.10,
    fdr_correct: bool = True,
    trend_alpha: float = 0.05,
    progress: object = None,
) -> pd.DataFrame:
    """Emerging hot-spot categories for every unit across all periods.

    Parameters
    ----------
    values : pandas.DataFrame
        Units × periods (index = unit codes in ``w.id_order``; columns = periods in
        time order), no missing values.
    w : libpysal.weights.W
        Spatial weights.
    permutations, seed : int
        Gi* permutation inference (fixed seed: reproducible).
    alpha : float
        A unit is hot/cold in a period when Gi* is significant at this level
        (FDR-corrected across units when ``fdr_correct``); 0.10 = 90% confidence.
    fdr_correct : bool
        Apply the Benjamini–Hochberg false-discovery-rate correction per period.
    trend_alpha : float
        Significance of the Mann-Kendall trend.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    pandas.DataFrame
        Index = unit codes; ``category, n_hot, n_cold, tau, trend_p`` and the z-score
        of each period (``z_<period>``).
    """
    vals = values.loc[list(w.id_order)]
    periods = list(vals.columns)
    zs, hots, colds = [], [], []
    for i, per in enumerate(periods):
        g = local_gistar(vals[per].to_numpy(float), w, permutations, seed + i,
                         fdr_correct=False)
        p = g.p_sim.to_numpy()
        from geo.stats.local import fdr_mask

        sig = (fdr_mask(p, alpha) if fdr_correct else np.ones(len(p), bool)) & (p <= alpha)
        zs.append(g.z.to_numpy())
        hots.append(sig & (g.z.to_numpy() > 0))
        colds.append(sig & (g.z.to_numpy() < 0))
        if progress:
            progress((i + 1) / (len(periods) + 1), f"Gi* {per}")
    Z = np.column_stack(zs)
    H = np.column_stack(hots)
    C = np.column_stack(colds)
    rows = []
    for k in range(len(vals)):
        cat, tau, p = classify_series(H[k], C[k], Z[k], trend_alpha)
        rows.append((cat, int(H[k].sum()), int(C[k].sum()), tau, p))
    out = pd.DataFrame(rows, columns=["category", "n_hot", "n_cold", "tau", "trend_p"],
                       index=vals.index)
    for j, per in enumerate(periods):
        out[f"z_{per}"] = Z[:, j]
    if progress:
        progress(1.0, "Mann-Kendall")
    return out
