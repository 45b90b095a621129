"""Carrying commune values across the 1 July 2025 reform: the arithmetic alone.

The reform merged about 10,040 communes into 3,321 and split some. A value
recorded on one edition's communes is shown on the other's through the
crosswalk (``old_code, new_code, weight``; the weights of one legacy commune
sum to 1):

- :func:`to_2025` — legacy → 2025: a new commune's count is the sum of its
  predecessors' counts times their weights. Exact for whole merges; a new
  commune gets a value only when *every* predecessor has one.
- :func:`to_legacy` — 2025 → legacy: a new commune's count is shared among its
  predecessors in proportion to ``weight × population`` (an estimate).

Only counts cross the reform. A ratio (a rate per resident, a share) is never
converted or averaged: it is recomputed after conversion from the converted
numerator and denominator (:func:`geo.indicators.rate`). Averaging would weigh a
commune of 500 people like one of 15,000.

Pure functions: frames in, frames out; no database, no file. The stored
crosswalk (:func:`geo.store.crosswalk`) is what callers pass, so every view of
the data uses the same weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["to_2025", "to_legacy"]

_VALUE_COLUMNS = ["unit_code", "period", "indicator", "value"]


def to_2025(values: pd.DataFrame, crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Convert long-form counts from legacy communes to 2025 communes.

    Parameters
    ----------
    values : pandas.DataFrame
        Columns ``unit_code, period, indicator, value`` on legacy communes.
    crosswalk : pandas.DataFrame
        Columns ``old_code, new_code, weight`` (the stored crosswalk,
        :func:`geo.store.crosswalk`).

    Returns
    -------
    pandas.DataFrame
        Same columns on 2025 communes: each value is the sum of its predecessors'
        values times their weights. A new commune gets a value only when every
        predecessor that maps into it has one (otherwise the sum would silently
        under-count); other new communes are left out (no data).

    Examples
    --------
    Two communes merged into one, and a third split in two (weights 0.25 and 0.75):

    >>> v = pd.DataFrame({"unit_code": ["a", "b", "c"], "period": "2024-H1",
    ...                   "indicator": "x", "value": [2.0, 3.0, 8.0]})
    >>> cw = pd.DataFrame({"old_code": ["a", "b", "c", "c"], "new_code": ["n", "n", "n", "m"],
    ...                    "weight": [1.0, 1.0, 0.25, 0.75]})
    >>> to_2025(v, cw).set_index("unit_code").value.to_dict()
    {'m': 6.0, 'n': 7.0}

    A new commune with a predecessor lacking a value gets none:

    >>> to_2025(v[v.unit_code != "b"], cw).unit_code.tolist()
    ['m']
    """
    if values.empty:
        return values.copy()
    cw = crosswalk[["old_code", "new_code", "weight"]]
    m = values.merge(cw, left_on="unit_code", right_on="old_code", how="inner")
    m["wv"] = m["value"] * m["weight"]
    out = m.groupby(["new_code", "period", "indicator"], as_index=False).agg(
        value=("wv", "sum"), n=("old_code", "nunique")
    )
    # Completeness: how many predecessors each new commune has (among the
    # crosswalk rows that touch the converted units' new communes).
    need = cw[cw.new_code.isin(out.new_code)].groupby("new_code").old_code.nunique()
    out = out[out.n.to_numpy() == need.reindex(out.new_code).to_numpy()]
    return out.rename(columns={"new_code": "unit_code"}).drop(columns="n").reset_index(drop=True)


def to_legacy(values: pd.DataFrame, crosswalk: pd.DataFrame,
              population: pd.DataFrame | None = None) -> pd.DataFrame:
    """Share long-form counts of 2025 communes among their legacy predecessors.

    A new commune's count goes to each predecessor in proportion to
    ``weight × population``, the population being the predecessor's latest
    (by period) in ``population``. When every predecessor of a new commune has
    no or zero population, the count is shared equally among them. Without any
    population at all, shares follow the crosswalk weights alone.

    Parameters
    ----------
    values : pandas.DataFrame
        Columns ``unit_code, period, indicator, value`` on 2025 communes.
    crosswalk : pandas.DataFrame
        Columns ``old_code, new_code, weight`` (the stored crosswalk).
    population : pandas.DataFrame, optional
        Columns ``unit_code, period, value``: population of the legacy
        predecessors (other columns are ignored).

    Returns
    -------
    pandas.DataFrame
        ``unit_code, period, indicator, value`` on legacy communes. The shares
        of a new commune sum to 1, so totals are kept.

    Examples
    --------
    >>> v = pd.DataFrame({"unit_code": ["n"], "period": "2025-H2", "indicator": "x",
    ...                   "value": [10.0]})
    >>> cw = pd.DataFrame({"old_code": ["a", "b"], "new_code": ["n", "n"], "weight": 1.0})
    >>> pop = pd.DataFrame({"unit_code": ["a", "b", "b"], "period": ["2024", "2023", "2024"],
    ...                     "value": [1000.0, 9000.0, 4000.0]})
    >>> to_legacy(v, cw, pop).set_index("unit_code").value.to_dict()
    {'a': 2.0, 'b': 8.0}
    >>> to_legacy(v, cw).set_index("unit_code").value.to_dict()
    {'a': 5.0, 'b': 5.0}
    """
    if values.empty:
        return pd.DataFrame(columns=_VALUE_COLUMNS)
    link = crosswalk.loc[crosswalk.new_code.isin(values.unit_code.unique()),
                         ["old_code", "new_code", "weight"]]
    if population is None or population.empty:
        link = link.assign(pop=1.0)
    else:
        latest = population.sort_values("period").groupby("unit_code").value.last()
        link = link.assign(pop=link.old_code.map(latest).fillna(0.0))
    link["share"] = link["pop"] * link["weight"]
    total = link.groupby("new_code").share.transform("sum")
    n = link.groupby("new_code").share.transform("size")
    link["share"] = np.where(total > 0, link["share"] / total.where(total > 0, 1), 1.0 / n)
    m = values.merge(link, left_on="unit_code", right_on="new_code")
    m["value"] = m["value"] * m["share"]
    out = m.groupby(["old_code", "period", "indicator"], as_index=False).value.sum()
    return out.rename(columns={"old_code": "unit_code"})
