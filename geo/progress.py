"""Progress of a plan: hotspot communes' status and province indicators against targets.

The verdict rule (stated to users with every verdict):

- **on track** (đúng tiến độ): the latest value meets the target, or the
  straight line from the baseline to the latest value reaches the target by
  the plan's end;
- **at risk** (có nguy cơ chậm): that line reaches at least 80% of the
  target's gap by the plan's end;
- **off track** (chậm tiến độ): anything else, or the value is moving away
  from the target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo.periods import parse_period
from geo.vocab import HOTSPOT_STATUSES

__all__ = ["RULE_VI", "RULE_EN", "TargetStatus", "evaluate_targets", "hotspot_progress"]

RULE_VI = (
    "Đúng tiến độ: giá trị mới nhất đạt chỉ tiêu, hoặc xu hướng tuyến tính từ kỳ gốc đến kỳ "
    "mới nhất đạt chỉ tiêu vào cuối kế hoạch. Có nguy cơ chậm: xu hướng đó đạt ít nhất 80% "
    "khoảng cách đến chỉ tiêu. Chậm tiến độ: các trường hợp còn lại."
)
RULE_EN = (
    "On track: the latest value meets the target, or the linear trend from the baseline to "
    "the latest period reaches it by the plan's end. At risk: that trend closes at least 80% "
    "of the gap. Off track: otherwise."
)



@dataclass
class TargetStatus:
    """Evaluation of one plan target."""

    key: str
    label: str
    target: float
    baseline: float | None
    latest: float | None
    projected: float | None
    status: str
    baseline_period: str | None
    latest_period: str | None
    source: str | None

    def to_dict(self) -> dict:
        """JSON-serialisable dict."""
        return dict(self.__dict__)


def _measure(kind: str, row: pd.Series, wide: pd.DataFrame, periods: list[str]) -> pd.Series:
    """Province-level measure of a target per period (index = period)."""
    ind, den = row.get("indicator"), row.get("denominator")
    if kind == "ratio_min":
        num = wide.get(ind)
        d = wide.get(den)
        if num is None or d is None:
            return pd.Series(dtype=float)
        tot = pd.DataFrame({"n": num, "d": d}).groupby(level="period").sum(min_count=1)
        return (tot.n / tot.d.where(tot.d > 0)).reindex(periods)
    if kind == "share_units_min":
        v = wide.get(ind)
        if v is None:
            return pd.Series(dtype=float)
        return (v > 0).groupby(level="period").mean().reindex(periods)
    if kind == "pct_change_min":
        v = wide.get(ind)
        if v is None:
            return pd.Series(dtype=float)
        yearly = v.groupby(level="period").sum(min_count=1)
        yearly = yearly.groupby([parse_period(p).year for p in yearly.index]).sum(min_count=1)
        change = yearly.pct_change()
        # Report the change on the last period of each year.
        last = {}
        for p in periods:
            last[parse_period(p).year] = p
        return pd.Series({last[y]: c for y, c in change.items() if y in last}).reindex(periods)
    return pd.Series(dtype=float)


def evaluate_targets(
    targets: pd.DataFrame,
    values: pd.DataFrame,
    hotspots: pd.DataFrame | None = None,
    end_year: int = 2025,
    lang: str = "vi",
) -> list[TargetStatus]:
    """Evaluate a plan's targets on a province's values.

    Parameters
    ----------
    targets : pandas.DataFrame
        From :func:`geo.store.plan_targets` (``key, label_vi, label_en, kind, indicator,
        denominator, target, year, source``).
    values : pandas.DataFrame
        Long values of the province's communes (``unit_code, period, indicator, value``),
        all on one edition.
    hotspots : pandas.DataFrame, optional
        From :func:`geo.store.hotspot_table` (for ``hotspots_transformed_min``).
    end_year : int
        Last year of the plan.
    lang : {"vi", "en"}
        Language of the labels.

    Returns
    -------
    list of TargetStatus
    """
    out: list[TargetStatus] = []
    half = values[values.period.str.contains("-H")]
    periods = sorted(half.period.unique(), key=parse_period)
    wide = (
        half.pivot_table(index=["period", "unit_code"], columns="indicator", values="value")
        if not half.empty else pd.DataFrame()
    )
    plan_end = date(end_year, 12, 31)
    for _, row in targets.iterrows():
        label = row.label_en if lang == "en" else row.label_vi
        if row.kind == "hotspots_transformed_min":
            out.append(_hotspot_target(row, label, hotspots))
            continue
        series = _measure(row.kind, row, wide, periods).dropna()
        if series.empty:
            out.append(TargetStatus(row.key, label, float(row.target), None, None, None,
                                    "no_data", None, None, row.source))
            continue
        b_p, l_p = series.index[0], series.index[-1]
        b, latest = float(series.iloc[0]), float(series.iloc[-1])
        t_b, t_l = parse_period(b_p).end, parse_period(l_p).end
        if t_l > t_b:
            slope = (latest - b) / (t_l - t_b).days
            projected = latest + slope * max((plan_end - t_l).days, 0)
        else:
            projected = latest
        target = float(row.target)
        if latest >= target or projected >= target:
            status = "on_track"
        elif projected > latest and (projected - b) >= 0.8 * (target - b):
            status = "at_risk"
        else:
            status = "off_track"
        out.append(TargetStatus(row.key, label, target, b, latest, float(projected), status,
                                b_p, l_p, row.source))
    return out


def _hotspot_target(row: pd.Series, label: str, hotspots: pd.DataFrame | None) -> TargetStatus:
    if hotspots is None or hotspots.empty:
        return TargetStatus(row.key, label, float(row.target), None, None, None, "no_data",
                            None, None, row.source)
    legacy = hotspots[hotspots.edition == "legacy"]
    last = legacy.sort_values("event_date").groupby("hotspot_id").status.last()
    done = int((last == "transformed").sum())
    target = float(row.target)
    status = "on_track" if done >= target else ("at_risk" if done >= target - 1 else "off_track")
    return TargetStatus(row.key, label, target, 0.0, float(done), None, status,
                        None, None, row.source)


def hotspot_progress(
    hotspots: pd.DataFrame,
    values: pd.DataFrame,
    indicators: list[str],
    baseline_period: str,
    latest_period: str,
    lang: str = "vi",
) -> pd.DataFrame:
    """Baseline vs latest values of key indicators for each hotspot commune.

    Parameters
    ----------
    hotspots : pandas.DataFrame
        From :func:`geo.store.hotspot_table`.
    values : pandas.DataFrame
        Long values on the hotspots' edition (``unit_code, period, indicator, value``).
    indicators : list of str
        Indicator ids to compare.
    baseline_period, latest_period : str
        Periods to compare.
    lang : {"vi", "en"}
        Language of the status labels.

    Returns
    -------
    pandas.DataFrame
        One row per hotspot commune: ``unit_code, name, status`` and for each indicator
        ``<id>_baseline, <id>_latest, <id>_change`` (relative change; NaN if baseline is 0).
    """
    first = hotspots.drop_duplicates("hotspot_id")
    rows = []
    for h in first.itertuples():
        d = {"unit_code": h.unit_code, "name": h.name, "edition": h.edition,
             "status": HOTSPOT_STATUSES.label(h.current_status, lang)
             if isinstance(h.current_status, str) else ""}
        v = values[values.unit_code == h.unit_code]
        for ind in indicators:
            b = v[(v.indicator == ind) & (v.period == baseline_period)].value
            latest = v[(v.indicator == ind) & (v.period == latest_period)].value
            bv = float(b.iloc[0]) if len(b) else np.nan
            lv = float(latest.iloc[0]) if len(latest) else np.nan
            d[f"{ind}_baseline"] = bv
            d[f"{ind}_latest"] = lv
            d[f"{ind}_change"] = (lv - bv) / bv if bv and bv == bv else np.nan
        rows.append(d)
    return pd.DataFrame(rows)
