"""Progress of a province's transformation plan: its hotspot communes and its targets.

The plan-progress page and the briefing pack call these; the evaluation rules are
:mod:`geo.progress`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from geo.auth import Principal, authorize
from geo.errors import NotFoundError
from geo.periods import Period
from geo.registry import Province
from geo.services.base import Request, check_period, check_province, transaction

__all__ = ["PlanProgress", "PlanTargets", "ProgressRequest", "plan_progress", "plans",
           "target_status"]

#: Indicators compared between baseline and latest period for each hotspot commune.
KEY_INDICATORS = ("registered_addicts", "drug_cases_detected", "drug_use_points_existing",
                  "relapse")


def plans(province: str | Province, who: Principal, db: str | None = None) -> pd.DataFrame:
    """The province's plans (``id, number, title_vi, title_en, start_year, end_year, …``)."""
    from geo.store import plans as stored_plans

    prov = check_province(province)
    authorize(who, "view", prov)
    with transaction(db) as s:
        return stored_plans(s, prov.code)


@dataclass(frozen=True)
class ProgressRequest(Request):
    """One plan of a province, compared between a baseline and a latest period.

    Attributes
    ----------
    province : str or Province
    plan_id : int, optional
        The plan (default: the province's first plan).
    baseline, latest : str or Period, optional
        Periods compared for each hotspot commune (default: the first and last
        half-year recorded on legacy communes — the 2021–2025 plans' units).
    """

    province: str | Province
    plan_id: int | None = None
    baseline: str | Period | None = None
    latest: str | Period | None = None

    def check(self) -> ProgressRequest:
        """Resolve the province and the periods."""
        return replace(self, province=check_province(self.province),
                       plan_id=None if self.plan_id is None else int(self.plan_id),
                       baseline=None if self.baseline is None else check_period(self.baseline),
                       latest=None if self.latest is None else check_period(self.latest))


@dataclass
class PlanProgress:
    """A plan's hotspot communes and targets, evaluated.

    Attributes
    ----------
    plan : pandas.Series
        The plan (``number, title_vi, title_en, start_year, end_year, source``).
    hotspots : pandas.DataFrame
        Every status event of the province's hotspot communes (both editions).
    periods : list of str
        Half-years recorded on legacy communes (the baseline/latest choices).
    baseline, latest : str or None
        The periods compared.
    communes : pandas.DataFrame
        One row per legacy hotspot commune: ``unit_code, name, status`` and
        ``<indicator>_baseline|_latest|_change`` for :data:`KEY_INDICATORS`.
    timeline : pandas.DataFrame
        One row per status spell: the events of ``hotspots`` with ``until`` (the next
        event, the plan's end, or 30/6/2025 for a legacy commune, which ceased to exist
        on 1 July 2025); spells of no length are left out.
    targets : list of geo.progress.TargetStatus
        Each target's baseline, latest, projection and status.
    target_kinds : dict
        ``{target key: kind}`` (ratios are shown as percentages).
    """

    plan: pd.Series
    hotspots: pd.DataFrame
    periods: list[str]
    baseline: str | None
    latest: str | None
    communes: pd.DataFrame
    timeline: pd.DataFrame
    targets: list = field(default_factory=list)
    target_kinds: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Strict-JSON summary."""
        return {"plan": self.plan.to_dict(), "baseline": self.baseline, "latest": self.latest,
                "communes": self.communes, "targets": [t.to_dict() for t in self.targets]}


def plan_progress(req: ProgressRequest, who: Principal, db: str | None = None,
                  lang: str = "vi") -> PlanProgress:
    """Evaluate one plan of a province (see :class:`PlanProgress`).

    Raises
    ------
    NotFoundError
        The province has no plan, or not the one asked for.
    """
    from geo.periods import parse_period
    from geo.progress import evaluate_targets, hotspot_progress
    from geo.store import get_values, hotspot_table

    req = req.check()
    authorize(who, "view", req.province)
    with transaction(db) as s:
        pid, plan, targets = _plan(s, req)
        ht = hotspot_table(s, req.province)
        values = get_values(s, req.province, "legacy")
    legacy_periods = sorted({p for p in values.period if "-H" in p
                             and parse_period(p).edition == "legacy"}, key=parse_period)
    base = req.baseline.id if req.baseline else (legacy_periods[0] if legacy_periods else None)
    last = req.latest.id if req.latest else (legacy_periods[-1] if legacy_periods else None)
    communes = (hotspot_progress(ht[ht.edition == "legacy"], values, list(KEY_INDICATORS),
                                 base, last, lang)
                if base and last and not ht.empty else pd.DataFrame())
    res = evaluate_targets(targets, values, ht, int(plan.end_year), lang)
    return PlanProgress(plan, ht, legacy_periods, base, last, communes,
                        _timeline(ht, int(plan.end_year)), res,
                        dict(zip(targets.key, targets.kind)))


@dataclass
class PlanTargets:
    """A plan's targets, evaluated (what the map page's headline shows).

    Attributes
    ----------
    plan_id : int
        The plan.
    targets : list of geo.progress.TargetStatus
        Each target's baseline, latest, projection and status, as
        :func:`plan_progress` has them.
    indicators : tuple of str
        The indicators the targets are computed from (a cache of the result stays
        valid while their values do).
    """

    plan_id: int
    targets: list
    indicators: tuple[str, ...]

    def to_dict(self) -> dict:
        """Strict-JSON summary."""
        return {"plan_id": self.plan_id, "indicators": list(self.indicators),
                "targets": [t.to_dict() for t in self.targets]}


def target_status(req: ProgressRequest, who: Principal, db: str | None = None,
                  lang: str = "vi") -> PlanTargets:
    """Only the targets of a plan, evaluated: reads only the indicators they use.

    The same statuses as :func:`plan_progress` (``req.baseline``/``latest`` do not
    apply), for a page that shows how many targets are on track.

    Raises
    ------
    NotFoundError
        The province has no plan, or not the one asked for.
    """
    from geo.progress import evaluate_targets
    from geo.store import get_values, hotspot_table

    req = req.check()
    authorize(who, "view", req.province.code)
    with transaction(db) as s:
        pid, plan, targets = _plan(s, req)
        used = tuple(sorted({str(i) for col in ("indicator", "denominator")
                             for i in targets.get(col, pd.Series(dtype=object)).dropna()}))
        ht = hotspot_table(s, req.province)
        values = get_values(s, req.province, "legacy", list(used)) if used else None
    if values is None:
        values = pd.DataFrame(columns=["unit_code", "period", "indicator", "value"])
    res = evaluate_targets(targets, values, ht, int(plan.end_year), lang)
    return PlanTargets(pid, res, used)


def _plan(s: object, req: ProgressRequest) -> tuple[int, pd.Series, pd.DataFrame]:
    """The plan asked for (default the province's first), its row and its targets.

    Raises
    ------
    NotFoundError
        The province has no plan, or not the one asked for.
    """
    from geo.store import plan_targets
    from geo.store import plans as stored_plans

    pl = stored_plans(s, req.province.code)
    if pl.empty:
        raise NotFoundError("Tỉnh này chưa có kế hoạch nào được nhập.",
                            "No plan recorded for this province.")
    pid = req.plan_id if req.plan_id is not None else int(pl.id.iloc[0])
    if pid not in set(pl.id):
        raise NotFoundError(f"Tỉnh này không có kế hoạch số {pid}.",
                            f"This province has no plan {pid}.")
    plan = pl.set_index("id").loc[pid]
    targets = plan_targets(s, pid)
    return pid, plan, targets

def _timeline(ht: pd.DataFrame, end_year: int) -> pd.DataFrame:
    """Status spells of each hotspot commune (see :class:`PlanProgress`)."""
    from datetime import date, timedelta

    from geo.periods import REFORM_DATE

    if ht.empty:
        return ht.assign(until=pd.Series(dtype=object))
    ev = ht.sort_values(["hotspot_id", "event_date"]).copy()
    ev["until"] = ev.groupby("hotspot_id").event_date.shift(-1).fillna(date(end_year, 12, 31))
    legacy_end = REFORM_DATE - timedelta(days=1)
    legacy = ev.edition == "legacy"
    ev.loc[legacy, "until"] = ev.loc[legacy, "until"].map(lambda d: min(d, legacy_end))
    return ev[ev.until > ev.event_date].reset_index(drop=True)
