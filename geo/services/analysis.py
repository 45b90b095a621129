"""Choosing target communes: hot spots, emerging hot spots, ranking, assessment, access.

The targeting page and ``diaban analyze`` call these. Each checks its request,
authorises ``analyze`` for the province and computes in one read transaction; the
statistics are :mod:`geo.analysis` / :mod:`geo.stats` (PySAL underneath).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.auth import Principal, authorize
from geo.errors import NotFoundError, ValidationError
from geo.periods import Period
from geo.registry import Province
from geo.services.base import (
    Progress,
    Request,
    check_edition,
    check_indicator,
    check_period,
    check_province,
    latest_period,
    transaction,
)
from geo.vocab import MEASURES

__all__ = [
    "AccessRequest",
    "AnalysisRequest",
    "AssessRequest",
    "EmergingResult",
    "RankRequest",
    "access",
    "assess",
    "emerging",
    "hotspots",
    "rank",
    "ranking_workbook",
    "write_ranking",
]

MAX_PERMUTATIONS = 99_999


@dataclass(frozen=True)
class AnalysisRequest(Request):
    """One indicator of a province's communes, for the statistics of one or all periods.

    Attributes
    ----------
    province : str or Province
        Code or name (either edition).
    indicator : str
        Indicator id.
    period : str or Period, optional
        Period of a one-period statistic (default: the latest one of the edition).
    edition : {"legacy", "2025"}
    measure : {"rate", "eb_rate", "count"}
        Rate per 10,000, Empirical-Bayes smoothed rate, or count.
    permutations : int
        Conditional permutations of the pseudo p-values (99 … 99,999).
    seed : int
        Random seed (results are reproducible).
    """

    province: str | Province
    indicator: str = "registered_addicts"
    period: str | Period | None = None
    edition: str = "legacy"
    measure: str = "rate"
    permutations: int = 999
    seed: int = 12345

    def check(self) -> AnalysisRequest:
        """Validate every field; resolve the province and the period."""
        if self.measure not in ("rate", "eb_rate", "count"):
            raise ValidationError(
                f"Cách tính '{self.measure}' không hợp lệ; dùng: {MEASURES.choices('vi')}.",
                f"Invalid measure '{self.measure}'; use: {MEASURES.choices('en')}.",
                column="measure")
        if not 99 <= int(self.permutations) <= MAX_PERMUTATIONS:
            raise ValidationError(
                f"Số hoán vị phải từ 99 đến {MAX_PERMUTATIONS:,}".replace(",", ".")
                + f" (đã cho {self.permutations}).",
                f"Permutations must be between 99 and {MAX_PERMUTATIONS:,} "
                f"(got {self.permutations}).", column="permutations")
        return replace(
            self, province=check_province(self.province, check_edition(self.edition)),
            edition=check_edition(self.edition),
            indicator=check_indicator(self.indicator),
            period=None if self.period is None else check_period(self.period),
            permutations=int(self.permutations), seed=int(self.seed))



def hotspots(req: AnalysisRequest, who: Principal, db: str | None = None,
             lang: str = "vi") -> object:
    """Getis-Ord Gi* and local Moran's I of one period (:class:`geo.analysis.HotspotResult`)."""
    from geo import analysis

    req = req.check()
    authorize(who, "analyze", req.province)
    with transaction(db) as s:
        period = req.period or latest_period(s, req.edition)
        return analysis.hotspots(s, req.province, req.indicator, period.id, req.edition,
                                 req.measure, req.permutations, req.seed, lang)


@dataclass
class EmergingResult:
    """Emerging hot-spot categories and the periods they rest on."""

    communes: gpd.GeoDataFrame
    periods: list[str]

    def to_dict(self) -> dict:
        """Strict-JSON summary."""
        cols = [c for c in self.communes.columns if not c.startswith("z_")]
        return {"periods": self.periods, "communes": self.communes[cols]}


def emerging(req: AnalysisRequest, who: Principal, db: str | None = None, lang: str = "vi",
             progress: Progress = None) -> EmergingResult:
    """Emerging hot spots over every half-year period (Gi* per period + Mann-Kendall)."""
    from geo import analysis

    req = req.check()
    authorize(who, "analyze", req.province)
    with transaction(db) as s:
        gdf, used = analysis.emerging(s, req.province, req.indicator, req.edition,
                                      req.measure, req.permutations, req.seed, lang,
                                      progress=progress)
    return EmergingResult(gdf, list(used))


@dataclass(frozen=True)
class RankRequest(AnalysisRequest):
    """A ranking: the analysis fields plus the weight of each criterion.

    Attributes
    ----------
    weights : tuple of (str, float)
        ``(criterion, weight)`` pairs (:data:`geo.vocab.RANK_CRITERIA`), used exactly
        as given: a criterion not named weighs 0. Empty: diaban's suggested weights
        (:class:`geo.analysis.RankWeights`).
    """

    weights: tuple[tuple[str, float], ...] = ()

    def check(self) -> RankRequest:
        """Validate the analysis fields and the weights (known, once each, not all 0)."""
        from geo.analysis import RankWeights

        base = AnalysisRequest.check(self)
        names = list(RankWeights().__dict__)
        seen: set[str] = set()
        for k, v in self.weights:
            if k not in names:
                raise ValidationError(f"Tiêu chí '{k}' không có; dùng: {', '.join(names)}.",
                                      f"Unknown criterion '{k}'; use: {', '.join(names)}.",
                                      column="weights")
            if k in seen:
                raise ValidationError(f"Tiêu chí '{k}' được cho trọng số hai lần.",
                                      f"Criterion '{k}' is weighted twice.", column="weights")
            seen.add(k)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or v < 0 \
                    or v == float("inf"):
                raise ValidationError(f"Trọng số của {k} phải là số không âm (đã cho {v}).",
                                      f"The weight of {k} must be a non-negative number "
                                      f"(got {v}).", column="weights")
        if self.weights:
            RankWeights.given(dict(self.weights)).normalised()  # all 0: said before any work
        return replace(self, weights=tuple((k, float(v)) for k, v in self.weights),
                       **{f: getattr(base, f) for f in (
                           "province", "edition", "indicator", "period", "permutations",
                           "seed")})


def rank(req: RankRequest, who: Principal, db: str | None = None, lang: str = "vi",
         progress: Progress = None) -> object:
    """Ranked target communes, each row explaining its score (:class:`geo.analysis.RankResult`).

    The result states what was ranked (province, indicator, period, units edition)
    and the weights as given and as shares of the score; ``to_dict()`` is the CLI's
    ``--json``.
    """
    from geo import analysis

    req = req.check()
    authorize(who, "analyze", req.province)
    w = analysis.RankWeights.given(dict(req.weights)) if req.weights \
        else analysis.RankWeights()
    with transaction(db) as s:
        return analysis.rank(s, req.province, req.period.id if req.period else None,
                             req.edition, req.indicator, w, req.permutations, req.seed,
                             lang=lang, progress=progress)


def write_ranking(res: object, out: str | Path, lang: str = "vi") -> Path:
    """Write a ranking as CSV (codes), XLSX (headers, categories and what was ranked in
    ``lang``) or GeoJSON.
    """
    from geo.analysis import rank_to_file

    return rank_to_file(res, out, lang)


def ranking_workbook(res: object, lang: str = "vi") -> bytes:
    """The XLSX a page offers for download: the same sheets as :func:`write_ranking`."""
    import io

    from geo.analysis import rank_sheets, write_sheets

    buf = io.BytesIO()
    write_sheets(rank_sheets(res, lang), buf)
    return buf.getvalue()


@dataclass(frozen=True)
class AssessRequest(Request):
    """Which designated communes meet the conditions to be recognised as transformed."""

    province: str | Province
    baseline: str | Period = "2021-H1"
    latest: str | Period | None = None
    edition: str = "legacy"

    def check(self) -> AssessRequest:
        """Validate the periods; resolve the province."""
        return replace(self, province=check_province(self.province, check_edition(self.edition)),
                       edition=check_edition(self.edition),
                       baseline=check_period(self.baseline),
                       latest=None if self.latest is None else check_period(self.latest))


def assess(req: AssessRequest, who: Principal, db: str | None = None,
           lang: str = "vi") -> pd.DataFrame:
    """Suggested verdict for each designated commune, with the reason for each condition."""
    from geo import analysis

    req = req.check()
    authorize(who, "analyze", req.province)
    with transaction(db) as s:
        latest = req.latest or latest_period(s, req.edition)
        return analysis.assess(s, req.province, req.baseline.id, latest.id, req.edition,
                               lang)


@dataclass(frozen=True)
class AccessRequest(Request):
    """Distance from every commune to the nearest facility of each kind."""

    province: str | Province
    edition: str = "legacy"
    dem: str | None = None

    def check(self) -> AccessRequest:
        """Resolve the province; the DEM file must exist."""
        if self.dem is not None and not Path(self.dem).is_file():
            raise NotFoundError(f"Không có tệp DEM '{self.dem}'.", f"No DEM file '{self.dem}'.",
                                file=str(self.dem))
        return replace(self, province=check_province(self.province, check_edition(self.edition)),
                       edition=check_edition(self.edition))


def access(req: AccessRequest, who: Principal, db: str | None = None,
           progress: Progress = None) -> gpd.GeoDataFrame:
    """Straight-line (and, with a DEM, terrain) distance to the nearest facility by kind."""
    from geo import analysis

    req = req.check()
    authorize(who, "analyze", req.province)
    with transaction(db) as s:
        return analysis.access(s, req.province, req.edition,
                               dem=Path(req.dem) if req.dem else None, progress=progress)
