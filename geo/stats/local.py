"""Local hot spots: Getis-Ord Gi* and local Moran's I (esda), with FDR control."""

from __future__ import annotations

import numpy as np
import pandas as pd
from esda import G_Local, Moran_Local, fdr

__all__ = ["DEFAULT_PERMUTATIONS", "DEFAULT_SEED", "fdr_mask", "local_gistar", "local_moran"]

DEFAULT_PERMUTATIONS = 999
DEFAULT_SEED = 12345
LEVELS = ((0.01, "99"), (0.05, "95"), (0.10, "90"))


def fdr_mask(p: np.ndarray, alpha: float) -> np.ndarray:
    """Which p-values stay significant at ``alpha`` after Benjamini–Hochberg FDR (``esda.fdr``).

    With permutation p-values the smallest attainable p is 1/(permutations+1), so
    FDR over a few hundred units needs the full 999 permutations to find anything.

    Examples
    --------
    >>> fdr_mask(np.array([0.001, 0.04, 0.5]), 0.05).tolist()
    [True, False, False]
    """
    p = np.asarray(p, dtype=float)
    cut = fdr(p, alpha)
    return p <= cut


def _check(values: np.ndarray, w: object) -> np.ndarray:
    from geo.errors import ValidationError

    y = np.asarray(values, dtype=float)
    if y.shape[0] != w.n:
        raise ValueError("values and weights differ in length")
    if not np.isfinite(y).all():
        raise ValidationError(
            f"{int((~np.isfinite(y)).sum())} xã thiếu số liệu; thống kê điểm nóng cần số liệu "
            "của mọi xã (điền số liệu hoặc chọn kỳ khác).",
            f"{int((~np.isfinite(y)).sum())} communes lack data; hot-spot statistics need every "
            "commune (fill them in or choose another period).")
    return y


def local_gistar(
    values: np.ndarray,
    w: object,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    fdr_correct: bool = True,
) -> pd.DataFrame:
    """Getis-Ord Gi* per unit with a hot/cold category at 90/95/99% confidence.

    Uses ``esda.G_Local(star=True)`` on binary weights (``transform="B"``) with
    conditional permutation inference and a fixed seed. A unit is a hot (cold)
    spot at confidence level L when its pseudo p-value is below 1 − L and, with
    ``fdr_correct``, it also passes the Benjamini–Hochberg false-discovery-rate
    cut at that level across all units.

    Returns
    -------
    pandas.DataFrame
        Index = weights ids; ``z, p_sim, p_norm, fdr_significant`` (at 95%),
        ``category`` in ``hot99, hot95, hot90, cold99, cold95, cold90, none``.
    """
    y = _check(values, w)
    g = G_Local(y, w, transform="B", permutations=permutations, star=True, seed=seed,
                n_jobs=1, keep_simulations=False)
    z = np.asarray(g.Zs, dtype=float)
    p = np.asarray(g.p_sim, dtype=float)
    cat = np.array(["none"] * len(y), dtype=object)
    for alpha, tag in reversed(LEVELS):  # 90 first, overwritten by stronger levels
        sig = fdr_mask(p, alpha) if fdr_correct else (p <= alpha)
        sig &= p <= alpha
        cat[sig & (z > 0)] = "hot" + tag
        cat[sig & (z < 0)] = "cold" + tag
    return pd.DataFrame(
        {"z": z, "p_sim": p, "p_norm": np.asarray(g.p_norm, dtype=float),
         "fdr_significant": fdr_mask(p, 0.05) if fdr_correct else p <= 0.05,
         "category": cat},
        index=pd.Index(w.id_order, name="code"),
    )


def local_moran(
    values: np.ndarray,
    w: object,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    alpha: float = 0.05,
    fdr_correct: bool = True,
) -> pd.DataFrame:
    """Local Moran's I (``esda.Moran_Local``, row-standardised) with cluster labels.

    Returns
    -------
    pandas.DataFrame
        Index = weights ids; ``Is, z_sim, p_sim, quadrant`` (HH, LH, LL, HL),
        ``significant`` and ``label`` (the quadrant where significant, else ``ns``).
    """
    y = _check(values, w)
    m = Moran_Local(y, w, transformation="r", permutations=permutations, seed=seed, n_jobs=1,
                    keep_simulations=True)
    quad = np.array(["", "HH", "LH", "LL", "HL"], dtype=object)[np.asarray(m.q)]
    p = np.asarray(m.p_sim, dtype=float)
    sig = (fdr_mask(p, alpha) if fdr_correct else np.ones(len(p), bool)) & (p <= alpha)
    return pd.DataFrame(
        {"Is": np.asarray(m.Is, dtype=float), "z_sim": np.asarray(m.z_sim, dtype=float),
         "p_sim": p, "quadrant": quad, "significant": sig,
         "label": np.where(sig, quad, "ns")},
        index=pd.Index(w.id_order, name="code"),
    )
