"""Spatial statistics for targeting: rates, local hot spots, emerging hot spots, transitions.

One statistic per module; PySAL (esda, libpysal, giddy) does the statistics.
"""

from geo.stats.emerging import CATEGORY_LABELS, classify_series, emerging_hotspots, mann_kendall
from geo.stats.local import fdr_mask, local_gistar, local_moran
from geo.stats.rates import empirical_bayes, rate_per_10k, spatial_empirical_bayes
from geo.stats.transitions import transition_matrix
from geo.stats.weights import WeightsResult, contiguity_weights

__all__ = [
    "CATEGORY_LABELS",
    "WeightsResult",
    "classify_series",
    "contiguity_weights",
    "emerging_hotspots",
    "empirical_bayes",
    "fdr_mask",
    "local_gistar",
    "local_moran",
    "mann_kendall",
    "rate_per_10k",
    "spatial_empirical_bayes",
    "transition_matrix",
]
