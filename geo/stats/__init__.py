"""Spatial statistics for targeting: rates, local hot spots, emerging hot spots, transitions.

One statistic per module; PySAL (esda, libpysal, giddy) does the statistics.
"""

from geo.stats.emerging import (
    CATEGORIES,
    CATEGORY_LABELS,
    classify_emerging,
    classify_series,
    emerging_hotspots,
    mann_kendall,
    min_periods_90,
)
from geo.stats.local import GISTAR_CATEGORIES, fdr_mask, local_gistar, local_moran
from geo.stats.rates import empirical_bayes, rate_per_10k, spatial_empirical_bayes
from geo.stats.transitions import TransitionResult, transition_matrix
from geo.stats.weights import WeightsResult, contiguity_weights

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "GISTAR_CATEGORIES",
    "TransitionResult",
    "WeightsResult",
    "classify_emerging",
    "classify_series",
    "contiguity_weights",
    "emerging_hotspots",
    "empirical_bayes",
    "fdr_mask",
    "local_gistar",
    "local_moran",
    "mann_kendall",
    "min_periods_90",
    "rate_per_10k",
    "spatial_empirical_bayes",
    "transition_matrix",
]

import os as _os


def _cache_esda_kernels() -> None:
    """Let numba cache esda's compiled permutation kernels on disk.

    esda compiles them on first use in every process (~30 s here) because its
    decorators do not ask numba to cache; with caching the CLI and a fresh app
    process load them instead. The cache lives in ``NUMBA_CACHE_DIR`` (default
    ``~/.cache/diaban/numba``).
    """
    _os.environ.setdefault("NUMBA_CACHE_DIR",
                           _os.path.join(_os.path.expanduser("~"), ".cache", "diaban", "numba"))
    try:
        import esda.crand as crand
        from numba.core.registry import CPUDispatcher
    except ImportError:  # numba absent: esda runs its pure-Python fallback
        return
    for name in dir(crand):
        fn = getattr(crand, name)
        if isinstance(fn, CPUDispatcher):
            try:
                fn.enable_caching()
            except Exception:  # noqa: BLE001 - caching is an optimisation only
                pass


_cache_esda_kernels()
