"""What an import of commune figures will change, and which changes look implausible.

Before a data officer confirms an import, they see each figure of the file beside
what is stored: the value it replaces for the same commune, period and indicator
(``old → new``), or — for a period not stored yet — the commune's latest earlier
figure of the same kind of period. A figure far from that reference is flagged, so
a typing slip (Vân Hồ 221 → 999) is seen before it is stored. Flags never stop an
import: the person decides.

The rule (:data:`PLAUSIBLE_FACTOR`, :data:`PLAUSIBLE_MIN_CHANGE`): a figure is
flagged when it is more than ``factor`` times the reference or less than the
reference divided by ``factor``, and differs from it by at least the minimum change
(so 2 → 5 people in a small commune is not flagged); a reference of 0 flags a new
figure of at least the minimum change. Population, which moves slowly, has its own
factor.

Pure functions of frames: the imports service reads the stored figures and calls
:func:`compare_with_stored`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.i18n import fmt_number
from geo.periods import parse_period

__all__ = ["CHANGE_COLUMNS", "PLAUSIBLE_FACTOR", "PLAUSIBLE_MIN_CHANGE", "compare_with_stored",
           "plausible_factor"]

#: A figure beyond ``reference × factor`` or below ``reference / factor`` is flagged …
PLAUSIBLE_FACTOR = 2.0
#: … when it differs from the reference by at least this much.
PLAUSIBLE_MIN_CHANGE = 10.0
#: Indicators that move slowly get a tighter factor.
_FACTORS = {"population": 1.2, "residents": 1.2}

#: Columns of :func:`compare_with_stored`.
CHANGE_COLUMNS = ["edition", "unit_code", "name", "period", "indicator", "old", "new",
                  "status", "ref_period", "ref_value", "flag", "reason_vi", "reason_en"]


def plausible_factor(indicator: str) -> float:
    """The factor beyond which a change of ``indicator`` is flagged.

    Examples
    --------
    >>> plausible_factor("registered_addicts"), plausible_factor("population")
    (2.0, 1.2)
    """
    return _FACTORS.get(indicator, PLAUSIBLE_FACTOR)


def _reference(stored: dict[tuple, list[tuple[str, float]]], key: tuple, period: str
               ) -> tuple[str | None, float]:
    """The latest stored figure of an earlier period of the same kind (half, year…)."""
    per = parse_period(period)
    rows = stored.get(key)
    if rows is None:
        return None, np.nan
    best: tuple[object, str, float] | None = None
    for p, v in rows:
        q = parse_period(p)
        if q.kind == per.kind and q < per and (best is None or q > best[0]):
            best = (q, p, v)
    return (best[1], best[2]) if best else (None, np.nan)


def _reason(new: float, ref: float, ref_period: str, lang: str) -> str:
    """Why a figure is flagged, with its reference."""
    ref_s, new_s = fmt_number(ref, lang, 0 if float(ref).is_integer() else 1), fmt_number(
        new, lang, 0 if float(new).is_integer() else 1)
    when = parse_period(ref_period).label(lang)
    if ref == 0:
        return (f"từ 0 ({when}) lên {new_s}" if lang == "vi" else f"from 0 ({when}) to {new_s}")
    ratio = new / ref
    if ratio >= 1:
        times = fmt_number(ratio, lang, 1)
        return (f"gấp {times} lần {ref_s} ({when})" if lang == "vi"
                else f"{times} times {ref_s} ({when})")
    share = fmt_number(ratio * 100, lang)
    return (f"chỉ còn {share}% của {ref_s} ({when})" if lang == "vi"
            else f"only {share}% of {ref_s} ({when})")


def compare_with_stored(new: pd.DataFrame, stored: pd.DataFrame,
                        names: pd.Series | None = None) -> pd.DataFrame:
    """Each figure of a file beside the stored one it replaces, flagged when implausible.

    Parameters
    ----------
    new : pandas.DataFrame
        The file's figures: ``edition, unit_code, period, indicator, value``.
    stored : pandas.DataFrame
        Current stored figures of the same communes and indicators, every period:
        ``edition, unit_code, period, indicator, value``.
    names : pandas.Series, optional
        Commune names indexed by ``(edition, code)``.

    Returns
    -------
    pandas.DataFrame
        :data:`CHANGE_COLUMNS`, one row per figure of the file, flagged rows first:
        ``old`` the stored figure it replaces (NaN: none), ``status`` ``new``,
        ``changed`` or ``same``, ``ref_period``/``ref_value`` what the figure was
        compared with (``old`` itself, else the latest earlier figure of the same
        kind of period), ``flag`` whether it is beyond the plausible range and
        ``reason_vi``/``reason_en`` why.

    Examples
    --------
    >>> new = pd.DataFrame({"edition": ["2025"], "unit_code": ["04048"],
    ...                     "period": ["2025-H2"], "indicator": ["registered_addicts"],
    ...                     "value": [999.0]})
    >>> old = new.assign(value=221.0)
    >>> r = compare_with_stored(new, old).iloc[0]
    >>> r.status, bool(r.flag), r.reason_vi
    ('changed', True, 'gấp 4,5 lần 221 (6 tháng cuối năm 2025)')
    """
    if new.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    index: dict[tuple, list[tuple[str, float]]] = {}
    same_period: dict[tuple, float] = {}
    for r in stored.itertuples(index=False):
        key = (str(r.edition), str(r.unit_code), str(r.indicator))
        index.setdefault(key, []).append((str(r.period), float(r.value)))
        same_period[(*key, str(r.period))] = float(r.value)
    rows = []
    for r in new.itertuples(index=False):
        key = (str(r.edition), str(r.unit_code), str(r.indicator))
        value = float(r.value)
        old = same_period.get((*key, str(r.period)), np.nan)
        if old == old:
            ref_period, ref = str(r.period), old
            status = "same" if old == value else "changed"
        else:
            ref_period, ref = _reference(index, key, str(r.period))
            status = "new"
        flag = False
        if ref == ref and value == value and abs(value - ref) >= PLAUSIBLE_MIN_CHANGE:
            f = plausible_factor(str(r.indicator))
            flag = ref == 0 or value > ref * f or value < ref / f
        name = ""
        if names is not None:
            name = names.get((str(r.edition), str(r.unit_code)), "")
        rows.append({
            "edition": r.edition, "unit_code": r.unit_code, "name": name, "period": r.period,
            "indicator": r.indicator, "old": old, "new": value, "status": status,
            "ref_period": ref_period, "ref_value": ref, "flag": bool(flag),
            "reason_vi": _reason(value, ref, ref_period, "vi") if flag else "",
            "reason_en": _reason(value, ref, ref_period, "en") if flag else "",
        })
    out = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    order = out.status.map({"changed": 1, "new": 2, "same": 3})
    return out.assign(_o=order).sort_values(["flag", "_o"], ascending=[False, True],
                                            kind="stable").drop(columns="_o").reset_index(
        drop=True)
