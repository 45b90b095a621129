"""The indicator catalog (``data/indicators.json``) and rates.

Counts convert across the 2025 reform in :mod:`geo.reform` (``convert_values``
here is :func:`geo.reform.to_2025`, kept for callers of this name); rates are
recomputed from converted numerators and denominators with :func:`rate`, never
averaged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from geo import DATA_DIR
from geo.errors import NotFoundError
from geo.reform import to_2025 as convert_values

__all__ = ["Indicator", "convert_values", "get_indicator", "load_catalog", "rate"]


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalog."""

    id: str
    name_vi: str
    name_en: str
    unit_vi: str
    unit_en: str
    higher_is_worse: bool | None
    aggregate: str
    convert: str
    kind: str
    source: str

    def name(self, lang: str = "vi") -> str:
        """Name in the language."""
        return self.name_en if lang == "en" else self.name_vi

    def unit(self, lang: str = "vi") -> str:
        """Unit in the language."""
        return self.unit_en if lang == "en" else self.unit_vi


@lru_cache(maxsize=1)
def _catalog() -> tuple[Indicator, ...]:
    raw = json.loads((DATA_DIR / "indicators.json").read_text("utf-8"))
    return tuple(Indicator(**d) for d in raw["indicators"])


def load_catalog() -> list[Indicator]:
    """Return every indicator of the catalog, in catalog order.

    Examples
    --------
    >>> load_catalog()[0].id
    'population'
    """
    return list(_catalog())


def get_indicator(indicator_id: str) -> Indicator:
    """Return one indicator by id.

    Raises
    ------
    NotFoundError
        When the id is not in the catalog.
    """
    for ind in _catalog():
        if ind.id == indicator_id:
            return ind
    ids = ", ".join(i.id for i in _catalog())
    raise NotFoundError(
        f"Không có chỉ tiêu '{indicator_id}'. Các chỉ tiêu: {ids}.",
        f"No indicator '{indicator_id}'. Indicators: {ids}.",
    )


def rate(numerator: pd.Series | np.ndarray, denominator: pd.Series | np.ndarray,
         per: float = 10_000.0) -> np.ndarray:
    """Rate per ``per`` residents; NaN where the denominator is missing or zero.

    Examples
    --------
    >>> rate(np.array([5.0]), np.array([10_000.0])).tolist()
    [5.0]
    """
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den * per
    out[~(den > 0)] = np.nan
    return out
