"""Choosing target communes: hot spots, emerging hot spots, classification, assessment,
a ranking that explains itself, and access to services.

Pages and ``diaban analyze`` call these functions; the statistics themselves are
in :mod:`geo.stats` (PySAL underneath).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from geo import DATA_DIR
from geo.errors import DiabanError, ValidationError
from geo.i18n import fmt_number, tr
from geo.periods import parse_period
from geo.stats import (
    contiguity_weights,
    emerging_hotspots,
    empirical_bayes,
    local_gistar,
    local_moran,
    mann_kendall,
    rate_per_10k,
)
from geo.store import current_boundaries, facilities, get_values, hotspot_table
from geo.vocab import EMERGING_CATEGORIES, GISTAR_CATEGORIES, HOTSPOT_STATUSES, QD28_CLASSES

__all__ = [
    "RankResult",
    "RankWeights",
    "access",
    "assess",
    "emerging",
    "hotspots",
    "measure_values",
    "rank",
    "rank_sheets",
    "rank_to_file",
    "trend_words",
    "write_sheets",
]

Progress = Callable[[float, str], None] | None

MEASURE_CHOICES = ("rate", "eb_rate", "count")


def _units_with_geometry(s: Session, province: str, edition: str) -> gpd.GeoDataFrame:
    gdf = current_boundaries(s, province, edition)
    if gdf.empty:
        raise ValidationError(
            "Tỉnh này chưa có ranh giới xã; hãy nạp ranh giới hoặc chạy diaban demo.",
            "This province has no commune boundaries; import them or run diaban demo.")
    return gdf.sort_values("code").reset_index(drop=True)


def measure_values(s: Session, province: str, edition: str, indicator: str,
                   measure: str = "rate", periods: list[str] | None = None) -> pd.DataFrame:
    """Units × periods table of an indicator as a count, rate or EB-smoothed rate per 10,000.

    Only half-year periods are used (the reporting cycle). Returns a wide frame
    (index = unit code, columns = periods in time order); missing = NaN.
    """
    if measure not in MEASURE_CHOICES:
        raise ValidationError(f"Cách tính '{measure}' không hợp lệ ({', '.join(MEASURE_CHOICES)}).",
                              f"Invalid measure '{measure}' ({', '.join(MEASURE_CHOICES)}).")
    inds = [indicator] + ([] if measure == "count" else ["population"])
    v = get_values(s, province, edition, inds, periods)
    v = v[v.period.str.contains("-H")]
    if v.empty:
        return pd.DataFrame()
    wide = v.pivot_table(index=["unit_code", "period"], columns="indicator", values="value")
    num = wide.get(indicator)
    if num is None:
        return pd.DataFrame()
    if measure == "count":
        out = num
    else:
        pop = wide.get("population", pd.Series(np.nan, index=wide.index))
        if measure == "rate":
            out = pd.Series(rate_per_10k(num.to_numpy(), pop.to_numpy()), index=wide.index)
        else:
            out = pd.Series(np.nan, index=wide.index)
            for _per, idx in wide.groupby(level="period").groups.items():
                out.loc[idx] = empirical_bayes(num.loc[idx].to_numpy(), pop.loc[idx].to_numpy())
    table = out.unstack("period")
    cols = sorted(table.columns, key=parse_period)
    return table[cols]


@dataclass
class HotspotResult:
    """Local statistics of one period."""

    gdf: gpd.GeoDataFrame
    islands: list[str]
    missing: list[str]
    permutations: int
    seed: int
    period: str = ""


def hotspots(s: Session, province: str, indicator: str, period: str, edition: str = "legacy",
             measure: str = "rate", permutations: int = 999, seed: int = 12345,
             lang: str = "vi") -> HotspotResult:
    """Gi* and local Moran's I of one indicator and period on a province's communes.

    Communes without a value are left out of the statistics and listed in
    ``missing`` (never treated as 0); islands get their nearest neighbour and are
    listed in ``islands``.
    """
    gdf = _units_with_geometry(s, province, edition)
    table = measure_values(s, province, edition, indicator, measure, [period])
    vals = table[period] if period in table else pd.Series(dtype=float)
    gdf["value"] = gdf.code.map(vals).astype(float)
    missing = list(gdf.code[gdf.value.isna()])
    use = gdf[gdf.value.notna()].reset_index(drop=True)
    if len(use) < 5:
        raise ValidationError(
            f"Không đủ số liệu kỳ {period} để tính điểm nóng (cần ít nhất 5 xã có số liệu).",
            f"Not enough data for {period} to compute hot spots (need at least 5 communes).")
    wr = contiguity_weights(use)
    g = local_gistar(use.value.to_numpy(), wr.w, permutations, seed)
    m = local_moran(use.value.to_numpy(), wr.w, permutations, seed)
    use = use.join(g, on="code").join(m[["Is", "quadrant", "label"]].rename(
        columns={"label": "moran_label"}), on="code")
    use["category_label"] = [GISTAR_CATEGORIES.label(c, lang) for c in use.category]
    out = gdf[["code"]].merge(use.drop(columns="geometry"), on="code", how="left")
    out = gpd.GeoDataFrame(out.merge(gdf[["code", "geometry"]], on="code"), crs=4326)
    return HotspotResult(out, wr.islands, missing, permutations, seed, period)


def emerging(s: Session, province: str, indicator: str, edition: str = "legacy",
             measure: str = "rate", permutations: int = 999, seed: int = 12345,
             lang: str = "vi", progress: Progress = None, upto: str | None = None
             ) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Emerging hot-spot categories across all half-year periods with data for every commune.

    ``upto`` leaves out the periods after it (a ranking of a period never rests on
    what came later).

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``code, name, category, category_label, n_hot, n_cold, tau, trend_p, geometry``.
    periods : list of str
        The periods used (periods where some commune lacks data are skipped).
    """
    gdf = _units_with_geometry(s, province, edition)
    table = measure_values(s, province, edition, indicator, measure).reindex(gdf.code)
    complete = [p for p in table.columns if table[p].notna().all()
                and (upto is None or parse_period(p) <= parse_period(upto))]
    if len(complete) < 3:
        raise ValidationError(
            "Cần ít nhất 3 kỳ có số liệu đầy đủ cho mọi xã để phân tích điểm nóng theo thời gian.",
            "Emerging hot-spot analysis needs at least 3 periods with data for every commune.")
    wr = contiguity_weights(gdf)
    res = emerging_hotspots(table[complete], wr.w, permutations, seed, progress=progress)
    out = gdf[["code", "name", "district_name", "geometry"]].join(res, on="code")
    out["category_label"] = [EMERGING_CATEGORIES.label(c, lang) for c in out.category]
    return gpd.GeoDataFrame(out, crs=4326), complete


# ----------------------------------------------------------------- access


def access(s: Session, province: str, edition: str = "legacy",
           kinds: tuple[str, ...] = ("treatment_facility", "methadone", "counselling", "club"),
           dem: str | Path | None = None, progress: Progress = None) -> gpd.GeoDataFrame:
    """Distance from each commune to the nearest facility of each type.

    Straight-line (geodesic) km from the commune's representative point by
    default. With a DEM GeoTIFF, a slope-weighted travel cost over the terrain
    (``km_equivalent``: walking-time-equivalent km, Tobler's hiking function) is
    computed instead, because in mountain provinces straight lines lie most.

    Returns
    -------
    geopandas.GeoDataFrame
        ``code, name, <kind>_km`` (and ``<kind>_cost_km`` with a DEM), geometry.
    """
    from pyproj import Geod

    gdf = _units_with_geometry(s, province, edition)
    fac = facilities(s, province)
    pts = gdf.geometry.representative_point()
    out = gdf[["code", "name", "district_name", "geometry"]].copy()
    geod = Geod(ellps="WGS84")
    for kind in kinds:
        f = fac[fac.kind == kind]
        if f.empty:
            out[f"{kind}_km"] = np.nan
            continue
        d = np.full(len(pts), np.inf)
        for fx, fy in zip(f.geometry.x, f.geometry.y):
            _, _, dist = geod.inv(pts.x.to_numpy(), pts.y.to_numpy(),
                                  np.full(len(pts), fx), np.full(len(pts), fy))
            d = np.minimum(d, np.asarray(dist) / 1000)
        out[f"{kind}_km"] = d
    if dem is not None:
        from geo.crs import province_crs
        from geo.registry import find_province
        from geo.terrain import travel_costs_km

        if progress:
            progress(0.1, tr("Chi phí đi lại theo địa hình", "Travel cost over terrain", "vi"))
        prov = find_province(province, edition)
        try:  # measured in the province's own TM-3 zone
            crs = province_crs(prov.code, edition=prov.edition)
        except DiabanError:
            crs = None  # a province without a zone: the zone nearest its communes
        costs = travel_costs_km(dem, {k: fac[fac.kind == k] for k in kinds}, pts, crs)
        for kind in kinds:
            out[f"{kind}_cost_km"] = costs[kind]
        if progress:
            progress(1.0, "OK")
    return gpd.GeoDataFrame(out, crs=4326)


# ----------------------------------------------------------------- classification


def classify(s: Session, province: str, period: str, edition: str = "legacy",
             overrides: dict | None = None, lang: str = "vi") -> pd.DataFrame:
    """QĐ 28/2025/QĐ-TTg class of every commune in a period (rules in ``data/``).

    The rule set is the one in force on the period's last day. For a year without
    annual figures, the year is built from its half-years (flows summed, stocks
    from the second half; :func:`geo.aggregate.year_from_halves`). What was built,
    and the rules' own notes, are in ``result.attrs["notes"]``.
    """
    from geo.aggregate import year_from_halves
    from geo.qd28 import classify as _classify
    from geo.qd28 import load_rules

    per = parse_period(period)
    rules = load_rules(overrides=overrides, year=per)
    parts = [p.id for p in per.parts("H")] if per.kind == "Y" else []
    v = get_values(s, province, edition, None, [per.id, *parts])
    notes = [tr(vi, en, lang) for vi, en in rules.notes]
    if parts:
        built = year_from_halves(v, per)
        v = built.values
        notes += built.notes(lang)
    wide = v.pivot_table(index="unit_code", columns="indicator", values="value")
    units = _units_with_geometry(s, province, edition)
    wide = wide.reindex(units.code)
    res = _classify(wide, rules)
    res = res.reset_index().rename(columns={"index": "code", "unit_code": "code"})
    out = units[["code", "name", "district_name"]].merge(res, on="code", how="left")
    out.attrs["notes"] = notes
    return out


# ----------------------------------------------------------------- assessment


def _assessment_rules() -> dict:
    return json.loads((DATA_DIR / "assessment_rules.json").read_text("utf-8"))


def assess(s: Session, province: str, baseline: str, latest: str, edition: str = "legacy",
           lang: str = "vi") -> pd.DataFrame:
    """Suggested verdict for each designated commune: transformed or not yet, with reasons.

    The conditions are data (``data/assessment_rules.json``), each stated in the
    reasons; the verdict is a suggestion for the steering committee. A commune the
    register already records as transformed is said to be so (with the date), and
    the conditions then tell whether it still holds; a commune taken off the list
    is said to be so.

    Returns
    -------
    pandas.DataFrame
        ``code, name, status, status_label, since, verdict, meets, reasons``:
        ``status`` the register's current status code, ``since`` the date it took
        effect, ``meets`` whether every condition holds now.
    """
    rules = _assessment_rules()
    events = hotspot_table(s, province)
    events = events[events.edition == edition]
    cols = ["code", "name", "status", "status_label", "since", "verdict", "meets", "reasons"]
    if events.empty:
        return pd.DataFrame(columns=cols)
    since = {hid: grp[grp.status == grp.current_status.iloc[0]].event_date.max()
             for hid, grp in events.groupby("hotspot_id")}
    hs = events.drop_duplicates("hotspot_id")
    rate = measure_values(s, province, edition, "registered_addicts", "rate",
                          [baseline, latest])
    pts = get_values(s, province, edition, ["drug_use_points_existing",
                                           "drug_harbouring_places"], [latest])
    pts = pts.pivot_table(index="unit_code", columns="indicator", values="value")
    hot = hotspots(s, province, "registered_addicts", latest, edition, "rate").gdf.set_index(
        "code")
    rows = []
    for h in hs.itertuples():
        reasons, ok_all = [], True
        b = rate.loc[h.unit_code, baseline] if h.unit_code in rate.index else np.nan
        la = rate.loc[h.unit_code, latest] if h.unit_code in rate.index else np.nan
        drop = rules["addicts_rate_drop_min"]
        change = (la - b) / b if b and b == b and la == la else np.nan
        ok = change == change and change <= -drop
        ok_all &= bool(ok)

        def pct(x: float, lg: str) -> str:
            return "—" if x != x else ("+" if x >= 0 else "−") + fmt_number(abs(x) * 100, lg) \
                + "%"

        reasons.append(("✓ " if ok else "✗ ") + tr(
            f"Tỷ lệ người nghiện/10.000 dân {fmt_number(b, 'vi', 1)} → {fmt_number(la, 'vi', 1)}"
            f" ({pct(change, 'vi')}; yêu cầu giảm ≥ {fmt_number(drop * 100, 'vi')}%)",
            f"Addicts per 10,000 {fmt_number(b, 'en', 1)} → {fmt_number(la, 'en', 1)}"
            f" ({pct(change, 'en')}; needs a fall ≥ {fmt_number(drop * 100, 'en')}%)",
            lang))
        for ind, vi, en in (("drug_use_points_existing", "Tụ điểm, điểm phức tạp còn tồn tại",
                             "Drug-use points still existing"),
                            ("drug_harbouring_places", "Địa điểm tổ chức, chứa chấp",
                             "Places harbouring drug use")):
            v = pts.loc[h.unit_code, ind] if (h.unit_code in pts.index and ind in pts) else np.nan
            ok = v == v and v <= rules["max_" + ind]
            ok_all &= bool(ok)
            reasons.append(("✓ " if ok else "✗ ") + tr(
                f"{vi}: {fmt_number(v, 'vi')} (yêu cầu ≤ {rules['max_' + ind]})",
                f"{en}: {fmt_number(v, 'en')} (needs ≤ {rules['max_' + ind]})", lang))
        cat = hot.category.get(h.unit_code, "none")
        ok = not str(cat).startswith("hot")
        ok_all &= ok
        reasons.append(("✓ " if ok else "✗ ") + tr(
            f"Không là điểm nóng Gi* kỳ {latest}" if ok else f"Vẫn là điểm nóng Gi* kỳ {latest}",
            f"Not a Gi* hot spot in {latest}" if ok else f"Still a Gi* hot spot in {latest}",
            lang))
        status = h.current_status
        when = since.get(h.hotspot_id)
        on = when.strftime("%d/%m/%Y") if when is not None and when == when else "—"
        if status == "transformed":
            verdict = tr(f"Đã được công nhận hoàn thành chuyển hóa ({on}); các điều kiện vẫn "
                         "giữ được", f"Recorded as transformed ({on}); the conditions still "
                         "hold", lang) if ok_all else tr(
                f"Đã được công nhận hoàn thành chuyển hóa ({on}) nhưng nay không còn đạt mọi "
                "điều kiện: theo dõi nguy cơ tái phức tạp",
                f"Recorded as transformed ({on}) but no longer meets every condition: watch "
                "for a relapse", lang)
        elif status == "removed":
            verdict = tr(f"Đã đưa ra khỏi danh sách ({on})", f"Removed from the list ({on})",
                         lang)
        else:
            verdict = tr("Đủ điều kiện đề nghị công nhận hoàn thành chuyển hóa",
                         "Meets the conditions to be recognised as transformed", lang) \
                if ok_all else tr("Chưa đủ điều kiện", "Not yet", lang)
        rows.append({
            "code": h.unit_code, "name": h.name, "status": status,
            "status_label": HOTSPOT_STATUSES.label(status, lang) if isinstance(status, str)
            else "", "since": when, "verdict": verdict, "meets": ok_all,
            "reasons": "; ".join(reasons),
        })
    return pd.DataFrame(rows, columns=cols)


# ----------------------------------------------------------------- ranking


@dataclass
class RankWeights:
    """Weights of the ranking criteria.

    The defaults are diaban's suggestion. Weights a person gives are used exactly
    (:meth:`given`: a criterion left out weighs 0); a score is the weighted sum
    divided by the sum of the weights, so it stays on 0–100 and weights that already
    sum to 1 are used as they are.
    """

    rate: float = 0.30
    trend: float = 0.20
    hotspot: float = 0.20
    classification: float = 0.10
    distance: float = 0.10
    designation: float = 0.10

    @classmethod
    def given(cls, weights: dict[str, float]) -> RankWeights:
        """The weights as given: every criterion not named weighs 0.

        Examples
        --------
        >>> RankWeights.given({"rate": 0.5, "distance": 0.5}).classification
        0.0
        """
        return cls(**{**{k: 0.0 for k in cls().__dict__}, **dict(weights)})

    def normalised(self) -> dict[str, float]:
        """Each criterion's share of the score (the weights divided by their sum).

        Raises
        ------
        ValidationError
            When every weight is 0 (nothing to rank by).
        """
        d = dict(self.__dict__)
        tot = sum(max(v, 0) for v in d.values())
        if tot <= 0:
            raise ValidationError(
                "Mọi trọng số đều bằng 0 nên không có gì để xếp hạng; hãy cho ít nhất một tiêu "
                "chí trọng số lớn hơn 0 (vd. tỷ lệ = 1).",
                "Every weight is 0, so there is nothing to rank by; give at least one "
                "criterion a weight above 0 (e.g. rate = 1).", column="weights")
        return {k: max(v, 0) / tot for k, v in d.items()}


EMERGING_SCORE = {
    "intensifying_hot": 1.0, "persistent_hot": 0.9, "new_hot": 0.85, "consecutive_hot": 0.85,
    "sporadic_hot": 0.6, "oscillating_hot": 0.55, "diminishing_hot": 0.45,
    "historical_hot": 0.3,
}
DESIGNATION_SCORE = {"designated": 1.0, "in_transformation": 1.0, "relapsed": 1.0,
                     "transformed": 0.2, "removed": 0.0}
CLASS_SCORE = {"type_1": 1.0, "type_2": 0.66, "type_3": 0.33}


@dataclass
class RankResult:
    """The ranked candidates and what the ranking rests on.

    Attributes
    ----------
    table : geopandas.GeoDataFrame
        One row per commune, best first (``rank, code, name, district_name, score,
        rate, trend_tau, emerging, klass, distance_km, designation, flag,
        flag_label, explanation, pts_<criterion>``, geometry).
    weights : dict
        Each criterion's share of the score (sums to 1).
    period : str
        The period ranked (its rate, its status on its last day).
    periods : list of str
        The half-years the emerging hot spots rest on.
    notes : list of str
        What the reader must know (criteria left out, weights rescaled).
    weights_given : dict
        The weights as the person gave them (0 for a criterion not named).
    indicator, edition, province_code, province_name : str
        What was ranked: indicator id, units edition, province.
    """

    table: gpd.GeoDataFrame
    weights: dict[str, float]
    period: str
    periods: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    weights_given: dict[str, float] = field(default_factory=dict)
    indicator: str = ""
    edition: str = ""
    province_code: str = ""
    province_name: str = ""

    def about(self, lang: str = "vi") -> str:
        """One line stating what was ranked and by which weights."""
        from geo.indicators import get_indicator
        from geo.vocab import RANK_CRITERIA

        ed = tr("xã trước 01/7/2025", "communes before 1 Jul 2025", lang) \
            if self.edition == "legacy" else tr("xã sau 01/7/2025", "communes after 1 Jul 2025",
                                                lang)
        ws = ", ".join(f"{RANK_CRITERIA.short(k, lang)} {fmt_number(v * 100, lang)}%"
                       for k, v in self.weights.items() if v > 0)
        return tr(f"{self.province_name} · {get_indicator(self.indicator).name('vi')} · "
                  f"{parse_period(self.period).label('vi')} · {ed} · trọng số: {ws}",
                  f"{self.province_name} · {get_indicator(self.indicator).name('en')} · "
                  f"{parse_period(self.period).label('en')} · {ed} · weights: {ws}", lang)

    def to_dict(self) -> dict:
        """Strict-JSON form: what was ranked, the weights and every commune."""
        from geo.services.base import plain

        cols = ["rank", "code", "name", "district_name", "score", "rate", "trend_tau",
                "emerging", "klass", "distance_km", "designation", "flag", "explanation"]
        return plain({"province": {"code": self.province_code, "name": self.province_name},
                      "indicator": self.indicator, "period": self.period,
                      "edition": self.edition, "periods": list(self.periods),
                      "weights_given": self.weights_given, "weights": self.weights,
                      "notes": list(self.notes),
                      "communes": pd.DataFrame(self.table[cols])})


def _pct(x: pd.Series) -> pd.Series:
    return x.rank(pct=True, method="average").fillna(0.0)


def rank(s: Session, province: str, period: str | None = None, edition: str = "legacy",
         indicator: str = "registered_addicts", weights: RankWeights | None = None,
         permutations: int = 999, seed: int = 12345, lang: str = "vi",
         progress: Progress = None) -> RankResult:
    """Rank communes as candidates for targeting, each row explaining its score.

    Criteria (each scaled 0–1, then weighted): the latest rate per 10,000
    (percentile), its Mann-Kendall trend over the plan (rising = 1), the
    emerging hot-spot category, the QĐ 28/2025 class where rules are enabled,
    the distance to the nearest treatment or Methadone facility (farther =
    higher need, percentile) and the current designation. Flags: designated
    communes that are cold or without pattern and below the median rate are
    candidates to remove; undesignated new, consecutive, intensifying or
    persistent hot spots are candidates to add.
    """
    weights = weights or RankWeights()
    w = weights.normalised()
    notes: list[str] = []
    total = sum(max(v, 0) for v in weights.__dict__.values())
    if abs(total - 1) > 1e-9:
        notes.append(tr(
            f"Tổng các trọng số là {fmt_number(total, 'vi', 2)}, không phải 1: điểm được chia "
            "cho tổng này để nằm trong 0–100; thứ hạng không đổi.",
            f"The weights sum to {fmt_number(total, 'en', 2)}, not 1: scores are divided by "
            "this sum to stay within 0–100; the order is the same.", lang))

    def step(f: float, m: str) -> None:
        if progress:
            progress(f, m)

    step(0.05, tr("Tính tỷ lệ", "Rates", lang))
    gdf = _units_with_geometry(s, province, edition)
    table = measure_values(s, province, edition, indicator, "rate").reindex(gdf.code)
    periods = list(table.columns)
    if not periods:
        raise ValidationError("Chưa có số liệu để xếp hạng.", "No figures to rank.")
    period = period or periods[-1]
    if period not in table:
        raise ValidationError(f"Kỳ {period} chưa có số liệu.", f"No figures for {period}.")
    latest = table[period]
    upto = [p for p in periods if parse_period(p) <= parse_period(period)]
    trend = table[upto].apply(lambda r: mann_kendall(r.dropna().to_numpy())[0]
                              if r.notna().sum() >= 3 else 0.0, axis=1)
    step(0.2, tr("Điểm nóng theo thời gian", "Emerging hot spots", lang))
    try:
        em, used = emerging(s, province, indicator, edition, "rate", permutations, seed, lang,
                            progress=lambda f, m: step(0.2 + 0.6 * f, m), upto=period)
        em = em.set_index("code")
    except ValidationError as e:
        em, used = None, []
        notes.append(e.vi if lang == "vi" else e.en)
    cls = None
    try:
        cls = classify(s, province, period, edition, lang=lang).set_index("code")
    except (ImportError, FileNotFoundError):
        notes.append(tr("Chưa có quy tắc phân loại QĐ 28/2025; tiêu chí này không tính.",
                        "QĐ 28/2025 rules not available; criterion not used.", lang))
    acc = access(s, province, edition, kinds=("treatment_facility", "methadone")).set_index(
        "code")
    dist = acc[["treatment_facility_km", "methadone_km"]].min(axis=1)
    hs = hotspot_table(s, province, on=parse_period(period).end)
    hs = hs[hs.edition == edition].drop_duplicates("hotspot_id").set_index("unit_code")
    t = gdf[["code", "name", "district_name", "geometry"]].copy().set_index("code")
    t["rate"] = latest
    t["trend_tau"] = trend
    t["emerging"] = em.category if em is not None else "no_pattern"
    t["klass"] = cls["klass"].reindex(t.index) if cls is not None and "klass" in cls else "none"
    t["distance_km"] = dist
    t["designation"] = hs.current_status.reindex(t.index)
    sc = pd.DataFrame(index=t.index)
    sc["rate"] = _pct(t.rate)
    sc["trend"] = ((t.trend_tau.fillna(0) + 1) / 2).clip(0, 1)
    sc["hotspot"] = t.emerging.map(EMERGING_SCORE).fillna(0.0)
    sc["classification"] = t["klass"].map(CLASS_SCORE).fillna(0.0)
    sc["distance"] = _pct(t.distance_km)
    sc["designation"] = t.designation.map(DESIGNATION_SCORE).fillna(0.0)
    t["score"] = sum(sc[k] * w[k] for k in w) * 100
    for k in w:
        t[f"pts_{k}"] = sc[k] * w[k] * 100
    med = t.rate.median()
    hot_now = t.emerging.isin(["new_hot", "consecutive_hot", "intensifying_hot",
                               "persistent_hot"])
    active = t.designation.isin(["designated", "in_transformation", "relapsed"])
    t["flag"] = ""
    t.loc[active & ~t.emerging.str.endswith("_hot") & (t.rate < med), "flag"] = "remove"
    t.loc[~active & hot_now, "flag"] = "add"
    t = t.sort_values("score", ascending=False)
    t["rank"] = np.arange(1, len(t) + 1)
    t["explanation"] = [_explain(r, len(t), w, lang) for r in t.itertuples()]
    t["flag_label"] = t.flag.map({
        "add": tr("Đề xuất đưa vào danh sách", "Candidate to add", lang),
        "remove": tr("Xem xét đưa ra khỏi danh sách", "Candidate to remove", lang)}).fillna("")
    step(1.0, tr("Xong", "Done", lang))
    out = gpd.GeoDataFrame(t.reset_index(), geometry="geometry", crs=4326)
    from geo.registry import find_province

    prov = find_province(province, edition)
    return RankResult(out, w, period, used, notes, dict(weights.__dict__), indicator, edition,
                      prov.code, prov.name)


def trend_words(tau: float, lang: str = "vi") -> str:
    """A Mann-Kendall trend coefficient in words, its value formatted for ``lang``.

    Examples
    --------
    >>> trend_words(0.94), trend_words(-0.061, "en")
    ('xu hướng tăng (hệ số +0,94)', 'steady (coefficient −0.06)')
    """
    if tau != tau:
        return tr("chưa đủ kỳ để tính xu hướng", "too few periods for a trend", lang)
    value = ("+" if tau >= 0 else "−") + fmt_number(abs(tau), lang, 2)
    if tau >= 0.3:
        return tr(f"xu hướng tăng (hệ số {value})", f"rising (coefficient {value})", lang)
    if tau <= -0.3:
        return tr(f"xu hướng giảm (hệ số {value})", f"falling (coefficient {value})", lang)
    return tr(f"xu hướng ổn định (hệ số {value})", f"steady (coefficient {value})", lang)


def _explain(r: object, n: int, w: dict[str, float], lang: str) -> str:
    """Why a commune scored what it scored: each criterion with its points (those weighed)."""
    def pts(x: float) -> str:
        return f"(+{fmt_number(x, lang)})"

    parts = []
    if w.get("rate"):
        parts.append(tr(f"Tỷ lệ {fmt_number(r.rate, 'vi', 1)}/10.000 dân {pts(r.pts_rate)}",
                        f"Rate {fmt_number(r.rate, 'en', 1)}/10,000 {pts(r.pts_rate)}", lang))
    if w.get("trend"):
        tau = r.trend_tau if r.trend_tau == r.trend_tau else 0.0
        parts.append(f"{trend_words(tau, lang)} {pts(r.pts_trend)}")
    if w.get("hotspot"):
        parts.append(f"{EMERGING_CATEGORIES.label(r.emerging, lang)} {pts(r.pts_hotspot)}")
    if w.get("classification") and isinstance(r.klass, str) and r.klass != "none":
        parts.append(f"{QD28_CLASSES.label(r.klass, lang)} {pts(r.pts_classification)}")
    if w.get("distance") and r.distance_km == r.distance_km:
        parts.append(tr(f"cách cơ sở điều trị/Methadone {fmt_number(r.distance_km, 'vi')} km "
                        f"{pts(r.pts_distance)}",
                        f"{fmt_number(r.distance_km, 'en')} km to treatment/Methadone "
                        f"{pts(r.pts_distance)}", lang))
    if w.get("designation") and isinstance(r.designation, str):
        parts.append(f"{HOTSPOT_STATUSES.label(r.designation, lang)} "
                     f"{pts(r.pts_designation)}")
    return " · ".join(parts)


def rank_sheets(res: RankResult, lang: str = "vi") -> dict[str, pd.DataFrame]:
    """The ranking as people read it in a workbook: ``xep_hang`` (one row per commune,
    headers and categories in ``lang``) and ``trong_so`` (what was ranked — province,
    indicator, period, units — and each weight as given and as a share of the score).
    """
    from geo.indicators import get_indicator
    from geo.vocab import COLUMNS, RANK_CRITERIA

    t = res.table
    table = pd.DataFrame({
        "rank": t["rank"], "code": t.code, "name": t["name"],
        **({"district_name": t.district_name} if res.edition == "legacy" else {}),
        "score": t.score.round(1), "rate": t.rate.round(1), "trend_tau": t.trend_tau.round(2),
        "emerging": [EMERGING_CATEGORIES.label(c, lang) for c in t.emerging],
        "klass": [QD28_CLASSES.label(k, lang) if isinstance(k, str) else "" for k in t.klass],
        "distance_km": t.distance_km.round(1),
        "designation": [HOTSPOT_STATUSES.label(d, lang) if isinstance(d, str) else ""
                        for d in t.designation],
        "flag_label": t.flag_label, "explanation": t.explanation,
    })
    table.columns = [COLUMNS.label(c, lang) for c in table.columns]
    ed = tr("Trước 01/7/2025", "Before 1 Jul 2025", lang) if res.edition == "legacy" else tr(
        "Sau 01/7/2025", "After 1 Jul 2025", lang)
    rows = [
        (tr("Tỉnh", "Province", lang), res.province_name, ""),
        (tr("Chỉ tiêu", "Indicator", lang), get_indicator(res.indicator).name(lang),
         res.indicator),
        (tr("Kỳ xếp hạng", "Period ranked", lang), parse_period(res.period).label(lang),
         res.period),
        (tr("Đơn vị hành chính", "Administrative units", lang), ed, res.edition),
        (tr("Các kỳ dùng cho điểm nóng theo thời gian", "Periods of the emerging hot spots",
            lang), ", ".join(res.periods), ""),
    ]
    rows += [(tr(f"Trọng số: {RANK_CRITERIA.label(k, 'vi')}",
                 f"Weight: {RANK_CRITERIA.label(k, 'en')}", lang),
              res.weights_given.get(k, v), tr(f"tỷ trọng trong điểm: {v:.0%}",
                                              f"share of the score: {v:.0%}", lang))
             for k, v in res.weights.items()]
    rows += [(tr("Ghi chú", "Note", lang), n, "") for n in res.notes]
    meta = pd.DataFrame(rows, columns=[tr("Mục", "Item", lang), tr("Giá trị", "Value", lang),
                                       tr("Ghi chú", "Note", lang)])
    return {"xep_hang": table, "trong_so": meta}


def rank_to_file(res: RankResult, out: str | Path, lang: str = "vi") -> Path:
    """Write a ranking as CSV (codes, for scripts), XLSX (:func:`rank_sheets`, for people)
    or GeoJSON.
    """
    out = Path(out)
    cols = ["rank", "code", "name", "district_name", "score", "rate", "trend_tau", "emerging",
            "klass", "distance_km", "designation", "flag_label", "explanation"]
    df = pd.DataFrame(res.table[cols])
    if out.suffix.lower() == ".csv":
        df.to_csv(out, index=False, encoding="utf-8-sig")
    elif out.suffix.lower() == ".xlsx":
        write_sheets(rank_sheets(res, lang), out)
    elif out.suffix.lower() == ".geojson":
        res.table[cols + ["geometry"]].to_file(out, driver="GeoJSON")
    else:
        raise ValidationError("Tệp xuất phải là .csv, .xlsx hoặc .geojson.",
                              "Output must be .csv, .xlsx or .geojson.", file=out.name)
    return out


def write_sheets(sheets: dict[str, pd.DataFrame], out: object) -> object:
    """Write frames as sheets of an XLSX workbook (a path or a binary buffer), columns
    wide enough to read and the header row frozen.
    """
    from openpyxl.utils import get_column_letter

    with pd.ExcelWriter(out, engine="openpyxl") as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)
            ws = xw.sheets[name]
            ws.freeze_panes = "A2"
            for i, c in enumerate(df.columns, start=1):
                longest = max([len(str(c))] + [len(str(v)) for v in df[c].head(500)])
                ws.column_dimensions[get_column_letter(i)].width = min(max(8, longest + 2), 80)
    return out


def classification_transitions(s: Session, province: str, edition: str = "legacy",
                               periods: list[str] | None = None,
                               overrides: dict | None = None) -> dict:
    """QĐ 28/2025 classes of every commune per period, their transition matrix and changes.

    Returns
    -------
    dict
        ``labels`` (units × periods of classes), ``counts`` and ``probabilities``
        (from → to, ``giddy.markov.Markov``), and ``changes``: a GeoDataFrame of
        each commune's first and last class with ``change`` in ``better``,
        ``worse``, ``same`` or ``unknown`` (a class was ``undetermined``).
    """
    from geo.stats import transition_matrix
    from geo.store import available_periods

    order = ["drug_free", "none", "type_3", "type_2", "type_1", "undetermined"]
    periods = periods or [p for p in available_periods(s) if "-H" in p and (
        edition == "2025" or parse_period(p).edition == "legacy")]
    cols = {}
    for p in periods:
        c = classify(s, province, p, edition, overrides).set_index("code")
        cols[p] = c["klass"].fillna("none")
    labels = pd.DataFrame(cols)
    tm = transition_matrix(labels, order)
    counts, probs = tm.counts, tm.probabilities
    gdf = _units_with_geometry(s, province, edition).set_index("code")
    first, last = labels.iloc[:, 0], labels.iloc[:, -1]
    rank_of = {k: i for i, k in enumerate(order[:-1])}  # "undetermined" has no rank
    delta = last.map(rank_of) - first.map(rank_of)
    changes = gdf[["name", "geometry"]].assign(
        first=first, last=last,
        change=np.select([delta.isna(), delta < 0, delta > 0], ["unknown", "better", "worse"],
                         "same"))
    return {"labels": labels, "counts": counts, "probabilities": probs,
            "changes": gpd.GeoDataFrame(changes.reset_index(), crs=4326)}
