"""Spatial statistics for targeting: weights, rates, local and emerging hot spots, transitions.

One statistic per module; PySAL (esda, libpysal) computes the statistics:

- :mod:`geo.stats.weights` — :func:`contiguity_weights` (islands reported and linked)
- :mod:`geo.stats.rates` — :func:`rate_per_10k`, :func:`empirical_bayes`,
  :func:`spatial_empirical_bayes`
- :mod:`geo.stats.local` — :func:`local_gistar`, :func:`local_moran`, :func:`fdr_mask`
- :mod:`geo.stats.emerging` — :func:`emerging_hotspots`, :func:`classify_emerging`,
  :func:`classify_series`, :func:`mann_kendall`
- :mod:`geo.stats.transitions` — :func:`transition_matrix`
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

#: esda kernels numba cannot reuse from disk: ``compute_chunk`` takes the statistic as a
#: function argument, whose type differs in every process, so each process missed the
#: cache and wrote another ~650 KB entry next to esda.
_NOT_CACHEABLE = frozenset({"compute_chunk"})


def _cache_esda_kernels() -> None:
    """Let numba cache esda's small compiled helpers on disk.

    esda's decorators do not ask numba to cache, so every process compiles them again.
    ``compute_chunk`` (the permutation loop, most of the ~8 s first-call cost) still
    compiles once per process: see ``_NOT_CACHEABLE``. The cache lives in
    ``NUMBA_CACHE_DIR`` (default: a folder per numba and Python version under
    ``~/.cache/diaban/numba``, set by ``geo/__init__.py``).
    """
    try:
        import esda.crand as crand
        from numba.core.registry import CPUDispatcher
    except ImportError:  # numba absent: esda runs its pure-Python fallback
        return
    for name in dir(crand):
        fn = getattr(crand, name)
        if isinstance(fn, CPUDispatcher) and name not in _NOT_CACHEABLE:
            try:
                fn.enable_caching()
            except Exception:  # noqa: BLE001 - caching is an optimisation only
                pass


_cache_esda_kernels()
