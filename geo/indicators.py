"""The indicator catalog (``data/indicators.json``) and rates.

Each indicator says how it combines over time (``temporal``): a **stock** is a
figure at the period's end (registered addicts, residents, whether the commune
lies on a key drug route) and combines by taking the last period's figure; a
**flow** is what happened during the period (arrests, plants destroyed) and
combines by summing. :mod:`geo.aggregate` builds a year from its half-years that
way.

Counts convert across the 2025 reform in :mod:`geo.reform` (``convert_values``
here is :func:`geo.reform.to_2025`, kept for callers of this name); rates are
recomputed from converted numerators and denominators with :func:`rate`, never
averaged.

Examples
--------
>>> get_indicator("registered_addicts").temporal, get_indicator("drug_offenders_arrested").temporal
('stock', 'flow')
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from functools import lru_cache

import numpy as np
import pandas as pd

from geo import DATA_DIR
from geo.errors import NotFoundError
from geo.reform import to_2025 as convert_values

__all__ = ["DENOMINATORS", "TEMPORAL", "VALUE_TYPES", "Indicator", "convert_values",
           "get_indicator", "load_catalog", "rate"]

#: How an indicator combines over time: a figure at the period's end, or a sum over it.
TEMPORAL = ("stock", "flow")
#: What values an indicator takes: whole numbers, any non-negative number, or 1/0.
VALUE_TYPES = ("integer", "number", "flag")
#: Indicators that are the denominators of rates (never suppressed).
DENOMINATORS = ("population", "residents")


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalog.

    Attributes
    ----------
    id : str
        English snake_case id used in files and storage.
    name_vi, name_en, unit_vi, unit_en : str
        Names and units as people write them.
    higher_is_worse : bool or None
        Direction for maps and rankings (``None``: neutral, e.g. population).
    aggregate : {"sum", "max"}
        How communes combine into a larger area (``max`` for yes/no flags).
    convert : {"weighted_sum", "max"}
        How a legacy commune's figure crosses the 2025 reform.
    kind : {"count", "flag"}
    source : str
        Where the indicator comes from (plans, QĐ 28/2025 articles).
    temporal : {"stock", "flow"}
        ``stock``: the figure at the period's end (combine periods by taking the
        last one); ``flow``: what happened during the period (combine by summing).
    value_type : {"integer", "number", "flag"}
    definition_vi, definition_en : str
        What exactly to count.
    aliases : tuple of str
        Earlier names that headers of older files may carry.
    """

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
    temporal: str = "flow"
    value_type: str = "number"
    definition_vi: str = ""
    definition_en: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)

    def name(self, lang: str = "vi") -> str:
        """Name in the language."""
        return self.name_en if lang == "en" else self.name_vi

    def unit(self, lang: str = "vi") -> str:
        """Unit in the language."""
        return self.unit_en if lang == "en" else self.unit_vi

    def definition(self, lang: str = "vi") -> str:
        """What to count, in the language (empty when the name says it all)."""
        return self.definition_en if lang == "en" else self.definition_vi

    @property
    def is_stock(self) -> bool:
        """True for a figure at the period's end, False for a sum over the period."""
        return self.temporal == "stock"

    @property
    def is_flag(self) -> bool:
        """True for a yes/no indicator (1 = yes, 0 = no)."""
        return self.value_type == "flag"

    @property
    def suppressible(self) -> bool:
        """Whether small counts of it are hidden when figures leave the office.

        Every count is (people, and the cases, places and plants that point to
        them), except the denominators of rates (population, residents), which
        are never small and identify no one; yes/no flags are not counts.

        Examples
        --------
        >>> [get_indicator(i).suppressible for i in ("registered_addicts", "population")]
        [True, False]
        """
        return self.kind == "count" and self.id not in DENOMINATORS


_FIELDS = {f.name for f in fields(Indicator)}


@lru_cache(maxsize=1)
def _catalog() -> tuple[Indicator, ...]:
    raw = json.loads((DATA_DIR / "indicators.json").read_text("utf-8"))
    out = []
    for d in raw["indicators"]:
        d = {k: v for k, v in d.items() if k in _FIELDS}
        d["aliases"] = tuple(d.get("aliases", ()))
        out.append(Indicator(**d))
    return tuple(out)


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
