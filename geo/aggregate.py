"""Combining periods: a year from its half-years (or quarters), stocks and flows apart.

A province often has only 6-month figures when the annual QĐ 28/2025 assessment
is due. The year is then built from its parts, indicator by indicator, as the
catalog says (:attr:`geo.indicators.Indicator.temporal`):

- a **flow** (arrests, plants destroyed, violations) is the **sum** of the parts,
  and needs every part;
- a **stock** (registered addicts, residents, on a key route) is the figure of the
  **last** part, the one that ends on the year's last day, and needs that part.

A figure reported for the year itself is always kept as it is. Nothing is
guessed: a flow with a missing part or a stock without its last part is left
missing and listed in :attr:`Combined.incomplete`. The functions are pure (no
database): values on another units edition must be converted first (e.g. 2025-H1
figures of legacy communes through the crosswalk for the year 2025).

Examples
--------
>>> v = pd.DataFrame({"unit_code": "04024", "period": ["2026-H1", "2026-H2"] * 2,
...                   "indicator": ["drug_offenders_arrested"] * 2 + ["registered_addicts"] * 2,
...                   "value": [3.0, 4.0, 50.0, 41.0]})
>>> c = year_from_halves(v, 2026)
>>> c.values.set_index("indicator").value.to_dict()
{'drug_offenders_arrested': 7.0, 'registered_addicts': 41.0}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from geo.errors import ValidationError
from geo.i18n import fmt_number, tr
from geo.periods import Period, parse_period

__all__ = ["Combined", "combine_periods", "temporal_kinds", "year_from_halves"]

_KEY = ["unit_code", "indicator"]
_COLS = ["unit_code", "period", "indicator", "value"]


def temporal_kinds() -> dict[str, str]:
    """``{indicator id: "stock" | "flow"}`` from the catalog.

    Examples
    --------
    >>> temporal_kinds()["residents"]
    'stock'
    """
    from geo.indicators import load_catalog

    return {i.id: i.temporal for i in load_catalog()}


@dataclass(frozen=True)
class Combined:
    """Figures of a period, some built from its parts.

    Attributes
    ----------
    period : str
        The period built (``"2026"``).
    values : pandas.DataFrame
        ``unit_code, period, indicator, value, built, parts``: every figure of the
        period, reported (``built`` False, ``parts`` empty) or built (``parts``
        the periods used, e.g. ``"2026-H1+2026-H2"`` for a sum or ``"2026-H2"``
        for a stock).
    built : pandas.DataFrame
        ``unit_code, indicator, temporal, parts`` of the built figures.
    incomplete : pandas.DataFrame
        ``unit_code, indicator, temporal, missing`` of the figures that could not
        be built (``missing``: the parts that lack a figure).
    """

    period: str
    values: pd.DataFrame
    built: pd.DataFrame
    incomplete: pd.DataFrame

    def notes(self, lang: str = "vi") -> list[str]:
        """Sentences saying which figures were built and which could not be.

        Examples
        --------
        >>> v = pd.DataFrame({"unit_code": ["a", "a"], "period": ["2026-H1", "2026-H2"],
        ...                   "indicator": "drug_offenders_arrested", "value": [1.0, 2.0]})
        >>> print(year_from_halves(v, 2026).notes("en")[0])
        Year 2026: 1 figure of 1 unit built from its parts: summed (flows): drug_offenders_arrested.
        """
        out: list[str] = []
        label = parse_period(self.period).label(lang)
        b = self.built
        if len(b):
            flows = sorted(b.loc[b.temporal == "flow", "indicator"].unique())
            stocks = sorted(b.loc[b.temporal == "stock", "indicator"].unique())
            last = [parse_period(x).label(lang)
                    for x in sorted(b.loc[b.temporal == "stock", "parts"].unique())]
            how = []
            if flows:
                how.append(tr("cộng dồn (chỉ tiêu phát sinh trong kỳ): ",
                              "summed (flows): ", lang) + ", ".join(flows))
            if stocks:
                how.append(tr(f"lấy số của {', '.join(last)} (chỉ tiêu thời điểm, số cuối "
                              "kỳ): ",
                              f"taken from the {', '.join(last).lower()} (stocks, figure at the "
                              "end): ",
                              lang) + ", ".join(stocks))
            n, u = len(b), b.unit_code.nunique()
            out.append(tr(f"{label}: {fmt_number(n, 'vi')} số liệu của {fmt_number(u, 'vi')} "
                          "địa bàn được ghép từ các kỳ nhỏ hơn: ",
                          f"{label}: {fmt_number(n, 'en')} figure{'s' if n > 1 else ''} of "
                          f"{fmt_number(u, 'en')} "
                          f"unit{'s' if u > 1 else ''} built from its parts: ", lang)
                       + "; ".join(how) + ".")
        inc = self.incomplete
        if len(inc):
            parts = "; ".join(
                f"{ind} ({g.unit_code.nunique()} "
                + tr("địa bàn, thiếu ", "unit(s), missing ", lang)
                + ", ".join(sorted(set(", ".join(g.missing).split(", ")))) + ")"
                for ind, g in inc.groupby("indicator"))
            out.append(tr(f"{label}: không ghép được (thiếu kỳ) — ",
                          f"{label}: could not be built (parts missing) — ", lang) + parts + ".")
        return out

    def to_dict(self) -> dict:
        """JSON-serialisable summary (notes in both languages, counts)."""
        return {"period": self.period, "values": len(self.values),
                "built": len(self.built), "incomplete": len(self.incomplete),
                "notes_vi": self.notes("vi"), "notes_en": self.notes("en")}


def combine_periods(values: pd.DataFrame, target: str | int | Period, parts: str = "H",
                    kinds: Mapping[str, str] | None = None) -> Combined:
    """Figures of ``target``: the reported ones, and the missing ones built from its parts.

    Parameters
    ----------
    values : pandas.DataFrame
        Long form ``unit_code, period, indicator, value`` (other columns are
        ignored) holding the target's figures and/or its parts'. NaN values are
        missing.
    target : str, int or Period
        The period to build (a year, or a half-year from quarters).
    parts : {"H", "Q"}
        What it is built from.
    kinds : mapping, optional
        ``{indicator: "stock" | "flow"}``; default the catalog's.

    Returns
    -------
    Combined

    Raises
    ------
    ValidationError
        Columns missing, an indicator of unknown kind, or one figure given twice
        for the same unit, period and indicator.

    Examples
    --------
    >>> v = pd.DataFrame({"unit_code": "a", "period": ["2026-Q1", "2026-Q2"],
    ...                   "indicator": "residents", "value": [900.0, 910.0]})
    >>> combine_periods(v, "2026-H1", "Q").values.value.tolist()
    [910.0]
    """
    tgt = parse_period(target)
    sub = tgt.parts(parts)
    ids = [p.id for p in sub]
    missing_cols = [c for c in _COLS if c not in values.columns]
    if missing_cols:
        raise ValidationError(f"Bảng số liệu thiếu cột: {', '.join(missing_cols)}.",
                              f"The figures lack columns: {', '.join(missing_cols)}.")
    v = values.loc[values.period.astype(str).isin([tgt.id, *ids]), _COLS].copy()
    v["period"] = v.period.astype(str)
    v = v[v.value.notna()]
    dup = v[v.duplicated(["unit_code", "period", "indicator"], keep=False)]
    if len(dup):
        r = dup.iloc[0]
        raise ValidationError(
            f"Số liệu {r.indicator} của {r.unit_code} kỳ {r.period} có nhiều hơn một giá trị.",
            f"{r.indicator} of {r.unit_code} for {r.period} has more than one value.")
    kinds = dict(kinds) if kinds is not None else temporal_kinds()
    unknown = sorted(set(v.indicator) - set(kinds))
    if unknown:
        raise ValidationError(
            f"Không biết chỉ tiêu {', '.join(unknown)} là số thời điểm hay số phát sinh.",
            f"Unknown whether {', '.join(unknown)} is a stock or a flow.")
    reported = v[v.period == tgt.id].assign(built=False, parts="")
    have = pd.MultiIndex.from_frame(reported[_KEY])
    p = v[v.period.isin(ids)]
    p = p[~pd.MultiIndex.from_frame(p[_KEY]).isin(have)]
    wide = p.pivot(index=_KEY, columns="period", values="value").reindex(columns=ids)
    temporal = wide.index.get_level_values("indicator").map(kinds)
    is_flow = (temporal == "flow")
    complete_flow = is_flow & wide.notna().all(axis=1).to_numpy()
    has_last = ~is_flow & wide[ids[-1]].notna().to_numpy()
    built = pd.DataFrame({
        "value": wide.sum(axis=1).where(complete_flow, wide[ids[-1]]),
        "temporal": temporal, "parts": "+".join(ids)}, index=wide.index)
    built.loc[~is_flow, "parts"] = ids[-1]
    ok = complete_flow | has_last
    inc = wide[~ok]
    incomplete = pd.DataFrame({
        "temporal": temporal[~ok],
        "missing": [", ".join(c for c in (ids if t == "flow" else ids[-1:]) if pd.isna(r[c]))
                    for t, (_, r) in zip(temporal[~ok], inc.iterrows())]},
        index=inc.index).reset_index()
    built = built[ok].reset_index()
    out = pd.concat([reported, built.assign(period=tgt.id, built=True)[
        _COLS + ["built", "parts"]]], ignore_index=True)
    out["built"] = out.built.astype(bool)
    out = out.sort_values(["unit_code", "indicator"], kind="stable").reset_index(drop=True)
    return Combined(tgt.id, out,
                    built[["unit_code", "indicator", "temporal", "parts"]].reset_index(drop=True),
                    incomplete[["unit_code", "indicator", "temporal", "missing"]])


def year_from_halves(values: pd.DataFrame, year: int | str | Period,
                     kinds: Mapping[str, str] | None = None) -> Combined:
    """The year's figures, built from ``YEAR-H1`` and ``YEAR-H2`` where none was reported.

    Flows are summed (both halves needed); stocks are taken from the second half.
    See :func:`combine_periods`.

    Parameters
    ----------
    values : pandas.DataFrame
        Long form ``unit_code, period, indicator, value``.
    year : int, str or Period
        The assessment year.
    kinds : mapping, optional
        ``{indicator: "stock" | "flow"}``; default the catalog's.

    Returns
    -------
    Combined
    """
    p = parse_period(year)
    if p.kind != "Y":
        raise ValidationError(f"Kỳ {p.id} không phải một năm.", f"Period {p.id} is not a year.")
    return combine_periods(values, p, "H", kinds)
