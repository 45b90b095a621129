"""Exports: map figures (PNG/PDF/SVG/HTML), small multiples, the briefing pack, stored data.

Every export follows one path: the request's :meth:`~geo.services.base.Request.check`
validates every option up front (one set of limits for the CLI, the page and any
other caller: paper, orientation, resolution and classes through
:func:`layers.print.check_options`); the service authorises the acting principal
for ``export`` in the province; it reads what it needs in one transaction; and
it hands plain frames to :mod:`layers.print` (or :mod:`layers.maps` for the
interactive HTML map) to draw, or writes the data file itself.

Examples
--------
>>> from geo.auth import local_admin
>>> res = export_map(MapExportRequest("Sơn La", "registered_addicts", "2024-H2",
...                                   out="son_la.pdf"), local_admin())  # doctest: +SKIP
>>> res.to_dict()["file"]  # doctest: +SKIP
'son_la.pdf'
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Self

import geopandas as gpd
import pandas as pd
from sqlalchemy.orm import Session

from geo.auth import Principal, authorize
from geo.errors import DiabanError, NotFoundError, ValidationError
from geo.i18n import fmt_number, tr
from geo.periods import Period
from geo.registry import Province
from geo.services.base import (
    Progress,
    Request,
    check_edition,
    check_indicator,
    check_period,
    check_province,
    plain,
    reporter,
    transaction,
)
from geo.vocab import MEASURES, Term, Vocabulary

__all__ = [
    "AssessmentListExportRequest",
    "BRIEF_INDICATORS",
    "BoundariesExportRequest",
    "BriefRequest",
    "ExportResult",
    "IndicatorsExportRequest",
    "LANGS",
    "MAP_FORMATS",
    "MAP_LAYERS",
    "MEASURE_CHOICES",
    "MapExportRequest",
    "MultiplesRequest",
    "export_assessment_list",
    "export_boundaries",
    "export_brief",
    "export_indicators",
    "export_map",
    "export_small_multiples",
]

#: What a map export can show besides the choropleth.
MAP_LAYERS = Vocabulary(
    ("lớp", "layer"),
    Term("hotspots", "Địa bàn trọng điểm", "Hotspots"),
    Term("facilities", "Cơ sở điều trị, hỗ trợ", "Facilities"),
    Term("districts", "Ranh giới huyện", "District boundaries"),
)
#: Formats of a map export (HTML is the interactive map, self-contained and offline).
MAP_FORMATS = ("png", "pdf", "svg", "html")
#: Measures a map export can show (the count, or a rate per 10,000 residents).
MEASURE_CHOICES = ("count", "rate")
#: Languages of exported text.
LANGS = ("vi", "en")
#: Indicators of the briefing pack's hotspot table (baseline → latest).
BRIEF_INDICATORS = ("registered_addicts", "drug_cases_detected", "drug_use_points_existing")

_FIGURE_FORMATS = ("png", "pdf", "svg")


# ------------------------------------------------------------------ checks


def _check_out(out: object, formats: tuple[str, ...]) -> Path:
    """The output path, its suffix one of ``formats``."""
    if out is None or not str(out).strip():
        raise ValidationError("Chưa chỉ định tệp xuất.", "No output file given.")
    path = Path(out)
    if path.suffix.lower().lstrip(".") not in formats:
        want = ", ".join(f".{f}" for f in formats)
        raise ValidationError(f"Tệp xuất phải có đuôi {want}.",
                              f"The output file must end in {want}.", file=path.name)
    return path


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValidationError(f"Ngôn ngữ '{lang}' không hợp lệ; dùng vi hoặc en.",
                              f"Unknown language '{lang}'; use vi or en.")
    return lang


def _check_layers(layers: object) -> tuple[str, ...]:
    if isinstance(layers, str):
        layers = [x.strip() for x in layers.split(",") if x.strip()]
    layers = tuple(dict.fromkeys(str(x) for x in (layers or ())))
    bad = [x for x in layers if x not in MAP_LAYERS]
    if bad:
        raise ValidationError(
            f"Lớp '{', '.join(bad)}' không có; dùng: {MAP_LAYERS.choices('vi')}.",
            f"Unknown layer '{', '.join(bad)}'; use: {MAP_LAYERS.choices('en')}.")
    return layers


def _check_measure(measure: str) -> str:
    if measure not in MEASURE_CHOICES:
        names_vi = ", ".join(f"{m} ({MEASURES.label(m, 'vi')})" for m in MEASURE_CHOICES)
        names_en = ", ".join(f"{m} ({MEASURES.label(m, 'en')})" for m in MEASURE_CHOICES)
        raise ValidationError(f"Cách tính '{measure}' không hợp lệ; dùng: {names_vi}.",
                              f"Invalid measure '{measure}'; use: {names_en}.")
    return measure


def _check_figure(size: str, orientation: str, dpi: int, scheme: str, k: int,
                  suppress_below: int | None) -> None:
    from layers.print import check_options

    check_options(size=size, orientation=orientation, dpi=dpi, scheme=scheme, k=k,
                  suppress_below=suppress_below)


# ------------------------------------------------------------------ requests


@dataclass(frozen=True)
class MapExportRequest(Request):
    """One map of one indicator and period: a printed figure or the interactive HTML map.

    Parameters
    ----------
    province : str or Province
        Code or name, read in ``edition`` (see :func:`geo.services.base.check_province`).
    indicator : str
        Indicator id of the catalog.
    period : str or Period
        Period id (``2024-H2``) or a Vietnamese spelling.
    out : str or pathlib.Path
        Output file; its suffix gives the format (:data:`MAP_FORMATS`).
    edition : {"legacy", "2025"}
        Which communes to draw.
    measure : {"count", "rate"}
        The count, or a rate per 10,000 residents.
    layers : tuple of str
        :data:`MAP_LAYERS` ids (a comma-separated text is accepted too).
    size, orientation, dpi, scheme, k, suppress_below
        Page and classes, within :func:`layers.print.check_options`' limits.
    lang : {"vi", "en"}
        Language of the figure's fixed text.
    """

    province: str | Province
    indicator: str
    period: str | Period
    out: str | Path = ""
    edition: str = "legacy"
    measure: str = "count"
    layers: tuple[str, ...] = ("hotspots", "facilities")
    size: str = "A4"
    orientation: str = "portrait"
    dpi: int = 300
    lang: str = "vi"
    scheme: str = "quantiles"
    k: int = 5
    suppress_below: int | None = None

    #: Output formats this request may write.
    formats = MAP_FORMATS

    def check(self) -> Self:
        """Validate every option; resolve the province (in the edition) and the period."""
        out = _check_out(self.out, self.formats)
        edition = check_edition(self.edition)
        _check_figure(self.size, self.orientation, self.dpi, self.scheme, self.k,
                      self.suppress_below)
        return replace(self, out=out, edition=edition, layers=_check_layers(self.layers),
                       measure=_check_measure(self.measure), lang=_check_lang(self.lang),
                       indicator=check_indicator(self.indicator),
                       period=check_period(self.period),
                       province=check_province(self.province, edition))

    @property
    def format(self) -> str:
        """Output format (the suffix of ``out``)."""
        return Path(self.out).suffix.lower().lstrip(".")


@dataclass(frozen=True)
class MultiplesRequest(MapExportRequest):
    """One indicator across periods on one page (PNG/PDF/SVG), one shared classification.

    ``period`` gives the hotspot statuses drawn (on its last day); ``periods``
    the maps, in order (by default every half-year with figures).
    """

    periods: tuple[str | Period, ...] | None = None

    formats = _FIGURE_FORMATS

    def check(self) -> Self:
        """Validate like :class:`MapExportRequest`, and each period."""
        req = super().check()
        periods = None if self.periods is None else tuple(
            dict.fromkeys(check_period(p) for p in self.periods))
        if periods is not None and not periods:
            raise ValidationError("Chưa chọn kỳ nào để vẽ.", "No periods given to draw.")
        return replace(req, periods=periods)


@dataclass(frozen=True)
class BriefRequest(Request):
    """The briefing pack (PDF): the map of an indicator, the hotspots' progress, the targets.

    Parameters
    ----------
    province : str or Province
    period : str or Period
        Period of the map and latest period of the progress table.
    out : str or pathlib.Path
        A ``.pdf`` file.
    indicator : str
        Indicator of the map.
    edition : {"legacy", "2025"}
        Communes of the map.
    lang : {"vi", "en"}
    size : {"A4", "A3"}
    suppress_below : int, optional
        Hide counts below it, and rates computed from them (map and tables show
        ``< N``).
    measure : {"rate", "count"}
        What the map shows: a rate per 10,000 residents or the count.
    """

    province: str | Province
    period: str | Period
    out: str | Path = ""
    indicator: str = "registered_addicts"
    edition: str = "legacy"
    lang: str = "vi"
    size: str = "A4"
    suppress_below: int | None = None
    measure: str = "rate"

    def check(self) -> Self:
        """Validate every option; resolve the province and the period."""
        out = _check_out(self.out, ("pdf",))
        edition = check_edition(self.edition)
        _check_figure(self.size, "portrait", 300, "quantiles", 5, self.suppress_below)
        return replace(self, out=out, edition=edition, lang=_check_lang(self.lang),
                       measure=_check_measure(self.measure),
                       indicator=check_indicator(self.indicator),
                       period=check_period(self.period),
                       province=check_province(self.province, edition))

    def map_request(self, out: Path) -> MapExportRequest:
        """The brief's map: the indicator in the chosen measure, hotspots and facilities."""
        return MapExportRequest(self.province, self.indicator, self.period, out, self.edition,
                                self.measure, ("hotspots", "facilities"), self.size, "portrait",
                                300, self.lang, suppress_below=self.suppress_below)


@dataclass(frozen=True)
class IndicatorsExportRequest(Request):
    """The province's current figures as recorded, in the long import format (CSV).

    Parameters
    ----------
    province : str or Province
    out : str or pathlib.Path
        A ``.csv`` file.
    edition : {"legacy", "2025"}, optional
        Only figures recorded on this edition's communes (default: both, the
        province read as :func:`geo.registry.find_province` reads it).
    lang : {"vi", "en"}
        Language of progress messages.
    """

    province: str | Province
    out: str | Path = ""
    edition: str | None = None
    lang: str = "vi"

    def check(self) -> Self:
        """Validate the file and the edition; resolve the province."""
        out = _check_out(self.out, ("csv",))
        edition = None if self.edition is None else check_edition(self.edition)
        province = check_province(self.province, edition)
        return replace(self, out=out, edition=edition, lang=_check_lang(self.lang),
                       province=province)


@dataclass(frozen=True)
class BoundariesExportRequest(Request):
    """The province's current commune boundaries, WGS84, as GeoJSON or GeoPackage.

    Parameters
    ----------
    province : str or Province
    out : str or pathlib.Path
        A ``.geojson``, ``.json`` or ``.gpkg`` file.
    edition : {"legacy", "2025"}
        Which communes.
    lang : {"vi", "en"}
        Language of progress messages.
    """

    province: str | Province
    out: str | Path = ""
    edition: str = "2025"
    lang: str = "vi"

    def check(self) -> Self:
        """Validate the file and the edition; resolve the province (in the edition)."""
        out = _check_out(self.out, ("geojson", "json", "gpkg"))
        edition = check_edition(self.edition)
        return replace(self, out=out, edition=edition, lang=_check_lang(self.lang),
                       province=check_province(self.province, edition))


@dataclass(frozen=True)
class ExportResult:
    """A written export.

    Attributes
    ----------
    file : pathlib.Path
        The file written.
    format : str
        ``png``, ``pdf``, ``svg``, ``html``, ``csv``, ``geojson``, ``gpkg``.
    bytes : int
        Its size.
    province : Province
        The province exported.
    rows : int, optional
        Figures written (indicators export).
    features : int, optional
        Communes written (boundaries export).
    """

    file: Path
    format: str
    bytes: int
    province: Province
    rows: int | None = None
    features: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Strict-JSON form (``ok``, ``file``, ``format``, ``bytes``, ``province``, …)."""
        d: dict[str, Any] = {"ok": True, "file": str(self.file), "format": self.format,
                             "bytes": self.bytes, "province": self.province.to_dict()}
        if self.rows is not None:
            d["rows"] = self.rows
        if self.features is not None:
            d["features"] = self.features
        return plain(d)


def _result(path: Path, province: Province, **kw: int) -> ExportResult:
    fmt = path.suffix.lower().lstrip(".")
    return ExportResult(path, "geojson" if fmt == "json" else fmt, path.stat().st_size,
                        province, **kw)


# ------------------------------------------------------------------ reading


@dataclass
class _MapData:
    """What a map export reads: units with values, hotspot statuses, facilities."""

    units: gpd.GeoDataFrame
    hotspots: pd.DataFrame | None
    facilities: gpd.GeoDataFrame | None


def _read_map(s: Session, req: MapExportRequest, period: Period | None = None,
              on: date | None = None, display: bool = False) -> _MapData:
    """Units of the province with the indicator's value for ``period``; statuses on ``on``."""
    from geo.mapdata import display_geometries, hotspot_status, map_frame
    from geo.store import facilities

    area = req.province
    period = period or req.period
    gdf = map_frame(s, area, req.edition, req.indicator, period.id, req.measure,
                    req.suppress_below)
    if gdf.empty:
        raise ValidationError("Tỉnh này chưa có ranh giới xã để vẽ.",
                              "This province has no commune boundaries to draw.")
    if display:
        gdf = display_geometries(gdf)
    hot = None
    if "hotspots" in req.layers:
        hot = hotspot_status(s, area, req.edition, on=on)
    fac = facilities(s, area) if "facilities" in req.layers else None
    return _MapData(gdf, hot, fac)


def _province_crs(province: Province, edition: str) -> object | None:
    from geo.crs import province_crs

    try:
        return province_crs(province.code, edition=province.edition)
    except DiabanError:  # a code without a zone: the figure falls back to the local UTM zone
        return None


def _figure_spec(req: MapExportRequest, data: _MapData) -> Any:
    """The printed figure of a map request, from the data read."""
    from geo.indicators import get_indicator
    from layers.print import MapFigureSpec

    lang, gdf = req.lang, data.units
    hot = None
    if data.hotspots is not None:
        hs = data.hotspots.dropna(subset=["status"])
        hot = gdf[["code", "geometry"]].merge(hs, left_on="code", right_on="unit_code")
        hot = gpd.GeoDataFrame(hot, crs=4326) if len(hot) else None
    ind = get_indicator(req.indicator)
    unit = MEASURES.label("rate", lang) if req.measure == "rate" else ind.unit(lang)
    source = tr("Số liệu: cơ sở dữ liệu diaban", "Data: diaban database", lang)
    if gdf.source.eq("approximate").all():
        source = tr("Số liệu minh họa (tổng hợp) của diaban — không phải số liệu thật",
                    "diaban demo data (synthetic) — not real figures", lang)
    if (gdf.converted != "").any():
        source += tr("; một số giá trị quy đổi qua bảng chuyển đổi ĐVHC 01/7/2025",
                     "; some values converted through the 1 Jul 2025 crosswalk", lang)
    edition_txt = (tr("xã trước 01/7/2025", "communes before 1 Jul 2025", lang)
                   if req.edition == "legacy" else
                   tr("xã từ 01/7/2025", "communes from 1 Jul 2025", lang))
    columns = ["code", "name", "value", "district_name", "geometry"]
    return MapFigureSpec(
        units=gdf[columns + (["suppressed"] if "suppressed" in gdf else [])],
        title=ind.name(lang),
        subtitle=f"{req.period.label(lang)} · {req.province.name} · {edition_txt}",
        legend_title=unit,
        scheme=req.scheme, k=req.k, hotspots=hot, facilities=data.facilities,
        projected_crs=_province_crs(req.province, req.edition), source=source,
        export_date=date.today(),
        approximate=bool(gdf.source.eq("approximate").any()), lang=lang, size=req.size,
        orientation=req.orientation, dpi=int(req.dpi),
        suppress_below=req.suppress_below if ind.suppressible else None,
        digits=1 if req.measure == "rate" else 0, province=req.province.name,
        group_column="district_name" if ("districts" in req.layers and req.edition == "legacy")
        else None,
    )


def _write_html(req: MapExportRequest, data: _MapData) -> None:
    """The interactive map as one self-contained HTML file that works offline."""
    from geo.indicators import get_indicator
    from layers.maps import choropleth_map, classify_values
    from layers.offline import standalone_html

    gdf = data.units
    ind = get_indicator(req.indicator)
    title = f"{ind.name(req.lang)} — {req.period.label(req.lang)}"
    digits = 1 if req.measure == "rate" else 0
    sup = req.suppress_below if ind.suppressible else None
    hidden = gdf["suppressed"].to_numpy(dtype=bool) if sup is not None else None
    classes = classify_values(gdf.value.to_numpy(), req.scheme, req.k, req.lang, digits,
                              suppress_below=sup, hidden=hidden)
    m = choropleth_map(gdf, title=title, classes=classes, lang=req.lang,
                       hotspots=data.hotspots, facilities=data.facilities,
                       approximate=bool((gdf.source == "approximate").any()), digits=digits,
                       hidden=hidden)
    Path(req.out).write_text(standalone_html(m), encoding="utf-8")


# ------------------------------------------------------------------ maps


def export_map(req: MapExportRequest, who: Principal, db: str | None = None,
               progress: Progress = None) -> ExportResult:
    """Write one map: PNG (at the dpi), PDF/SVG (vector, fonts embedded) or HTML.

    HTML is the interactive map of the page (statuses of today), as one
    self-contained file that works offline; the printed formats show hotspot
    statuses on the period's last day.

    Parameters
    ----------
    req : MapExportRequest
        What to draw and where to write it.
    who : Principal
        Who exports (needs ``export`` in the province).
    db : str, optional
        Database URL.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    ExportResult

    Raises
    ------
    ValidationError
        A bad option (format, layer, dpi, classes …), or no boundaries to draw.
    NotFoundError
        Unknown province, indicator or period.
    PermissionDenied
        ``who`` may not export this province.
    """
    req = req.check()
    authorize(who, "export", req.province)
    report = reporter(progress)
    lang = req.lang
    report(0.05, tr("Đọc số liệu", "Reading figures", lang))
    html = req.format == "html"
    with transaction(db) as s:
        data = _read_map(s, req, on=None if html else req.period.end, display=html)
    report(0.4, tr("Vẽ bản đồ", "Drawing the map", lang))
    if html:
        _write_html(req, data)
    else:
        from layers.print import render_map

        render_map(_figure_spec(req, data), req.out)
    report(1.0, tr("Xong", "Done", lang))
    return _result(Path(req.out), req.province)


def export_small_multiples(req: MultiplesRequest, who: Principal, db: str | None = None,
                           progress: Progress = None) -> ExportResult:
    """One indicator across periods on one page (PNG/PDF/SVG), classes shared by all maps.

    Parameters
    ----------
    req : MultiplesRequest
        Periods (every half-year with figures by default) and page.
    who : Principal
        Who exports (needs ``export`` in the province).
    db : str, optional
        Database URL.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    ExportResult
    """
    from geo.store import available_periods
    from layers.print import render_small_multiples

    req = req.check()
    authorize(who, "export", req.province)
    report = reporter(progress)
    lang = req.lang
    with transaction(db) as s:
        periods = req.periods or tuple(check_period(p) for p in available_periods(s)
                                       if "-H" in p)
        if not periods:
            raise ValidationError("Chưa có số liệu 6 tháng nào để vẽ.",
                                  "There are no half-year figures to draw.")
        data = _read_map(s, req, on=req.period.end)
        frames = {}
        for i, p in enumerate(periods):
            report(0.05 + 0.5 * i / len(periods),
                   tr(f"Đọc số liệu {p.label('vi')}", f"Reading {p.label('en')}", lang))
            g = data.units if p == req.period else _read_map(
                s, replace(req, layers=()), period=p).units
            frames[p.id] = g[["code", "name", "value", "geometry"]
                             + (["suppressed"] if "suppressed" in g else [])]
    spec = _figure_spec(req, data)
    spec.subtitle = spec.subtitle.split(" · ", 1)[-1]  # the period is each map's caption
    report(0.6, tr("Vẽ bản đồ", "Drawing the maps", lang))
    render_small_multiples(frames, spec, req.out)
    report(1.0, tr("Xong", "Done", lang))
    return _result(Path(req.out), req.province)


# ------------------------------------------------------------------ brief


def _brief_tables(req: BriefRequest, hs: pd.DataFrame, vals: pd.DataFrame,
                  targets: pd.DataFrame) -> dict[str, Any]:
    """Title, subtitle, tables and notes of the brief's second page (plain text)."""
    from geo.indicators import get_indicator
    from geo.periods import parse_period
    from geo.progress import RULE_EN, RULE_VI, evaluate_targets, hotspot_progress
    from geo.vocab import TARGET_STATUSES
    from layers.print import format_value

    lang, sup = req.lang, req.suppress_below
    legacy = sorted({parse_period(p) for p in vals.period
                     if "-H" in p and parse_period(p).edition == "legacy"})
    base = legacy[0] if legacy else req.period
    last = min(req.period, legacy[-1]) if legacy else req.period
    inds = list(BRIEF_INDICATORS)
    hp = hotspot_progress(hs[hs.edition == "legacy"], vals, inds, base.id, last.id, lang)

    def count(v: float) -> str:
        return format_value(v, sup, lang, 0)

    rows1 = []
    for r in hp.itertuples():
        row = [r.name, r.status]
        for ind in inds:
            b, la = getattr(r, f"{ind}_baseline"), getattr(r, f"{ind}_latest")
            row.append(f"{count(b)} → {count(la)}")
        rows1.append(row)
    head1 = [tr("Xã", "Commune", lang), tr("Trạng thái", "Status", lang)] + [
        get_indicator(i).name(lang) for i in inds]

    def goal(v: float | None, ratio: bool) -> str:
        if v is None:
            return "—"
        return f"{fmt_number(100 * v, lang, 0)}%" if ratio else fmt_number(v, lang, 0)

    rows2 = []
    for t in (evaluate_targets(targets, vals, hs, lang=lang) if len(targets) else []):
        ratio = t.key != "hotspots_transformed"
        rows2.append([t.label, goal(t.target, ratio), goal(t.latest, ratio),
                      TARGET_STATUSES.label(t.status, lang), t.source or ""])
    head2 = [tr("Chỉ tiêu", "Target", lang), tr("Mức", "Goal", lang),
             tr("Mới nhất", "Latest", lang), tr("Đánh giá", "Assessment", lang),
             tr("Nguồn", "Source", lang)]
    name = req.province.name
    return {
        "title": tr(f"Tiến độ chuyển hóa địa bàn — {name}", f"Transformation progress — {name}",
                    lang),
        "subtitle": tr(f"Kỳ gốc {base.label('vi')} so với {last.label('vi')}",
                       f"Baseline {base.label('en')} vs {last.label('en')}", lang),
        "tables": [(tr("Các địa bàn trọng điểm", "Hotspot communes", lang), head1, rows1),
                   (tr("Chỉ tiêu của tỉnh", "Province targets", lang), head2, rows2)],
        "notes": [tr("Quy tắc đánh giá: ", "Rule: ", lang) + (RULE_VI if lang == "vi"
                                                               else RULE_EN)],
    }


def export_brief(req: BriefRequest, who: Principal, db: str | None = None,
                 progress: Progress = None) -> ExportResult:
    """The briefing pack PDF: the map, the hotspots' progress and targets, the QĐ 28 section.

    Page 1 is the map of the indicator; page 2 the hotspots' progress and the
    targets, judged on track / at risk / off track with the rule printed under them
    (:mod:`geo.progress`). The classification section follows: the map of the QĐ
    28/2025 classes, the map of class changes against the year before, and a
    summary page (communes per class, transformed, became drug-free, relapsed, the
    drug-free share against the province's target, approved or draft) for the
    assessment year of the period, or the latest year with a stored list when the
    period's year has neither figures nor a list. When the province has no figures
    to classify, that section is one page saying so.

    Parameters
    ----------
    req : BriefRequest
        Province, period, indicator of the map, paper, suppression.
    who : Principal
        Who exports (needs ``export`` in the province).
    db : str, optional
        Database URL.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    ExportResult
    """
    from geo.store import get_values, hotspot_table, plan_targets, plans
    from layers.print import render_map, render_table_page

    req = req.check()
    authorize(who, "export", req.province)
    report = reporter(progress)
    lang = req.lang
    report(0.05, tr("Đọc số liệu", "Reading figures", lang))
    out = Path(req.out)
    with tempfile.TemporaryDirectory() as tmp:
        map_req = req.map_request(Path(tmp) / "map.pdf").check()
        area = req.province
        with transaction(db) as s:
            data = _read_map(s, map_req, on=req.period.end)
            hs = hotspot_table(s, area, on=req.period.end)
            vals = get_values(s, area, "legacy")
            pl = plans(s, area)
            targets = plan_targets(s, int(pl.id.iloc[0])) if len(pl) else pd.DataFrame()
        report(0.25, tr("Vẽ bản đồ", "Drawing the map", lang))
        map_pdf = render_map(_figure_spec(map_req, data), map_req.out)
        report(0.45, tr("Lập bảng tiến độ", "Writing the progress tables", lang))
        page = _brief_tables(req, hs, vals, targets)
        tables_pdf = render_table_page(Path(tmp) / "tables.pdf", size=req.size, lang=lang,
                                       first_page=2, **page)
        report(0.55, tr("Phân loại QĐ 28/2025", "QĐ 28/2025 classification", lang))
        qd28 = _brief_qd28(req, who, db, Path(tmp), 2 + _page_count(tables_pdf))
        _merge_pdfs([map_pdf, tables_pdf, *qd28], out, page["title"])
    report(1.0, tr("Xong", "Done", lang))
    return _result(out, req.province)


def _brief_year(req: BriefRequest, yv: pd.DataFrame) -> tuple[int | None, str]:
    """The pack's assessment year and why (the period's, else the latest with a list)."""
    lang = req.lang
    y = req.period.year
    row = yv[yv.year == y]
    if len(row) and (bool(row.has_figures.iloc[0]) or pd.notna(row.status.iloc[0])):
        return y, tr(f"Năm đánh giá {y}: năm của kỳ báo cáo ({req.period.label('vi')}).",
                     f"Assessment year {y}: the year of the period ({req.period.label('en')}).",
                     lang)
    listed = yv[yv.status.notna()]
    if len(listed):
        last = int(listed.year.iloc[-1])
        return last, tr(f"Năm {y} chưa có số liệu hay danh sách; dùng năm {last}, năm gần nhất "
                        "có danh sách.", f"{y} has no figures or list; showing {last}, the "
                        "latest year with a list.", lang)
    return None, ""


def _no_qd28_page(req: BriefRequest, tmp: Path, why: str, first_page: int) -> Path:
    """The section's one page when there is nothing to classify (or it cannot be read)."""
    from layers.print import render_table_page

    lang, name = req.lang, req.province.name
    return render_table_page(
        tmp / "qd28_none.pdf",
        tr(f"Phân loại địa bàn theo Quyết định 28/2025/QĐ-TTg — {name}",
           f"Classification under Decision 28/2025/QĐ-TTg — {name}", lang), "", [],
        [why, tr("Phần phân loại QĐ 28 sẽ có khi tỉnh nhập số liệu các tiêu chí (trang Dữ "
                 "liệu hoặc diaban import) hoặc lập danh sách (trang Phân loại QĐ 28).",
                 "The QĐ 28 section appears once the province imports the criteria's figures "
                 "(Data page or diaban import) or draws up a list (QĐ 28 page).", lang)],
        req.size, lang, first_page)


def _page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


def _brief_qd28(req: BriefRequest, who: Principal, db: str | None, tmp: Path,
                first_page: int) -> list[Path]:
    """The pack's QĐ 28 section: class map, change map, summary; or a page saying why not.

    ``first_page`` is the number of the section's first page in the pack.
    """
    from geo.assessment import check_year
    from geo.services.classification import ProvinceOnlyRequest, YearRequest, list_classes, years
    from layers.print import render_map, render_table_page

    lang, name = req.lang, req.province.name
    try:
        yv = years(ProvinceOnlyRequest(req.province), who, db).years
        year, why = _brief_year(req, yv)
        if year is None:
            return [_no_qd28_page(req, tmp, tr(
                f"{name} chưa có số liệu hay danh sách nào để phân loại theo QĐ 28/2025.",
                f"{name} has no figures and no list to classify under QĐ 28/2025.", lang),
                first_page)]
        q = _Qd28Request(req.province, check_year(year), lang, req.size)
        view = list_classes(YearRequest(req.province, q.year), who, db)
        if view.info is None and view.counts()["undetermined"] == len(view.table):
            return [_no_qd28_page(req, tmp, tr(
                f"{name} chưa có số liệu các tiêu chí QĐ 28/2025 cho năm {year}: chưa xã nào "
                "phân loại được.", f"{name} has no figures for the QĐ 28/2025 criteria in "
                f"{year}: no commune can be classified.", lang), first_page)]
        maps = _qd28_maps(q, who, db, view)
    except DiabanError as e:  # the rest of the pack stands; the section says what is wrong
        return [_no_qd28_page(req, tmp, e.message(lang), first_page)]
    p1 = render_map(maps.class_spec, tmp / "qd28_classes.pdf")
    p2 = render_map(maps.change_spec, tmp / "qd28_changes.pdf")
    page = _qd28_summary(maps, q, why)
    p3 = render_table_page(tmp / "qd28_summary.pdf", size=req.size, lang=lang,
                           first_page=first_page + 2, **page)
    return [p1, p2, p3]


def _qd28_summary(maps: _Qd28Maps, q: _Qd28Request, why: str) -> dict[str, Any]:
    """Title, subtitle, tables and notes of the pack's QĐ 28 summary page."""
    from geo.vocab import QD28_CLASSES, QD28_PROVINCE_CLASSES

    lang, name = q.lang, q.province.name
    trans, cmp = maps.trans, maps.trans.comparison
    year, base = cmp.year, cmp.base_year
    counts = trans.counts
    rows1 = []
    for k, r in counts.iterrows():
        d = int(r.after - r.before)
        rows1.append([QD28_CLASSES.label(k, lang), fmt_number(int(r.before), lang),
                      fmt_number(int(r.after), lang), f"{d:+d}" if d else "0"])
    rows1.append([tr("Tổng số xã", "All communes", lang), fmt_number(int(counts.before.sum()),
                                                                      lang),
                  fmt_number(int(counts.after.sum()), lang), ""])
    head1 = [tr("Loại", "Class", lang), tr(f"Năm {base}", base, lang),
             tr(f"Năm {year}", year, lang), tr("Thay đổi", "Change", lang)]

    c = cmp.communes
    s = trans.summary

    def names(mask: pd.Series) -> str:
        return ", ".join(c.loc[mask, "name"].astype(str)) or "—"

    rows2 = [
        [tr("Chuyển hóa: giảm ít nhất một loại hoặc thành không ma túy (Điều 2.2)",
            "Transformed: moved down at least one class or became drug-free (art. 2.2)",
            lang), fmt_number(s["transformed"], lang), names(c.transformed.astype(bool))],
        [tr("Trở thành không ma túy", "Became drug-free", lang),
         fmt_number(s["became_drug_free"], lang), names(c.change == "drug_free")],
        [tr("Tái phức tạp (tăng loại)", "Relapsed (moved up)", lang),
         fmt_number(s["relapsed"], lang), names(c.relapsed.astype(bool))],
        [tr("Mới đưa vào danh sách trọng điểm", "Added to the key-area list", lang),
         fmt_number(s["added"], lang), names(c.list_change == "added")],
        [tr("Đưa ra khỏi danh sách trọng điểm", "Removed from the key-area list", lang),
         fmt_number(s["removed"], lang), names(c.list_change == "removed")],
    ]
    head2 = [tr("Nội dung", "What", lang), tr("Số xã", "Communes", lang),
             tr("Xã, phường", "Communes", lang)]

    d = trans.drug_free
    share = "—" if d["share"] is None else fmt_number(100 * d["share"], lang, 1) + "%"
    rows3 = [[tr("Xã không ma túy", "Drug-free communes", lang),
              tr(f"{d['n']}/{d['total']} xã ({share})", f"{d['n']}/{d['total']} communes "
                 f"({share})", lang)]]
    if d["target_share"] is not None:
        tgt = fmt_number(100 * d["target_share"], lang, 0) + "%"
        rows3.append([tr("Mục tiêu của tỉnh", "The province's target", lang),
                      tr(f"{tgt} vào năm {d['target_year']}", f"{tgt} by {d['target_year']}",
                         lang) + (f" ({d['target_source']})" if d["target_source"] else "")])
        rows3.append([tr("Đánh giá", "Assessment", lang),
                      tr("Đã đạt mục tiêu", "Target reached", lang) if d["met"] else
                      tr(f"Chưa đạt: còn thiếu {d['needed']} xã",
                         f"Not reached: {d['needed']} more communes needed", lang)])
    else:
        rows3.append([tr("Mục tiêu của tỉnh", "The province's target", lang),
                      tr("Tỉnh chưa đặt mục tiêu (trang Phân loại QĐ 28, thẻ cài đặt).",
                         "No target set (QĐ 28 page, settings).", lang)])
    pc = trans.province_class
    rows3.append([tr("Cấp tỉnh (Điều 5)", "The province (art. 5)", lang),
                  QD28_PROVINCE_CLASSES.label(pc, lang) if pc else "—"])
    head3 = [tr("Chỉ tiêu", "Measure", lang), tr("Giá trị", "Value", lang)]

    notes = [why] if why else []
    if cmp.predecessor_rule:
        notes.append(tr(f"Cột năm {base}: loại năm {base} của các xã hiện nay. ",
                        f"Column {base}: the {base} class of today's communes. ", lang)
                     + tr(*cmp.predecessor_rule, lang))
    notes.append(tr("Danh sách đã phê duyệt được dùng khi có; nếu chưa, số liệu là dự thảo "
                    "(loại tính theo tiêu chí và loại điều chỉnh).",
                    "Approved lists are used where they exist; otherwise the figures are a "
                    "draft (computed and manual classes).", lang))
    return {
        "title": tr(f"Phân loại địa bàn theo QĐ 28/2025 năm {year} — {name}",
                    f"QĐ 28/2025 classification {year} — {name}", lang),
        "subtitle": tr(f"Năm {year}: ", f"{year}: ", lang) + _list_stamp(maps.view, lang)
        + tr(f" · năm {base}: ", f" · {base}: ", lang) + _list_stamp(maps.base, lang),
        "tables": [(tr("Số xã theo loại", "Communes per class", lang), head1, rows1),
                   (tr(f"Chuyển hóa so với năm {base}", f"Transformation since {base}", lang),
                    head2, rows2),
                   (tr("Xã không ma túy so với mục tiêu", "Drug-free communes against the "
                       "target", lang), head3, rows3)],
        "notes": notes,
    }


# ------------------------------------------------------------------ data


def export_indicators(req: IndicatorsExportRequest, who: Principal, db: str | None = None,
                      progress: Progress = None) -> ExportResult:
    """Write the province's current figures as recorded, in the long import format.

    Columns ``ma_xa, ky, chi_tieu, gia_tri, phien_ban`` (edition); values are
    those recorded on each edition's communes (none converted through the
    crosswalk), so the file can be imported again unchanged.

    Parameters
    ----------
    req : IndicatorsExportRequest
        Province, ``.csv`` file, edition (both by default).
    who : Principal
        Who exports (needs ``export`` for the whole province).
    db : str, optional
        Database URL.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    ExportResult
        With ``rows``.
    """
    from geo.store import get_values

    req = req.check()
    authorize(who, "export", req.province, whole_province=True)
    report = reporter(progress)
    editions = [req.edition] if req.edition else ["legacy", "2025"]
    frames = []
    with transaction(db) as s:
        for i, ed in enumerate(editions):
            report(0.1 + 0.6 * i / len(editions), tr("Đọc số liệu", "Reading figures", req.lang))
            v = get_values(s, req.province, ed)
            v = v[v.converted == ""]  # as recorded on this edition, not converted
            frames.append(v[["unit_code", "period", "indicator", "value"]].assign(phien_ban=ed))
    cols = ["unit_code", "period", "indicator", "value", "phien_ban"]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    df = df.sort_values(["phien_ban", "period", "indicator", "unit_code"])
    df = df.rename(columns={"unit_code": "ma_xa", "period": "ky", "indicator": "chi_tieu",
                            "value": "gia_tri"})
    out = Path(req.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False, encoding="utf-8-sig")
    report(1.0, tr("Xong", "Done", req.lang))
    return _result(out, req.province, rows=len(df))


def _no_boundaries(req: BoundariesExportRequest, other: str, there: int) -> NotFoundError:
    """Nothing stored in the asked edition: name the edition that has boundaries, if any."""
    ed_vi = {"legacy": "danh mục trước 01/7/2025 (legacy)", "2025": "danh mục từ 01/7/2025"}
    ed_en = {"legacy": "the pre-1 July 2025 registry (legacy)",
             "2025": "the registry from 1 July 2025"}
    name = req.province.name
    if there:
        return NotFoundError(
            f"Chưa lưu ranh giới xã nào của {name} theo {ed_vi[req.edition]}; đã lưu "
            f"{there} xã theo {ed_vi[other]}: xuất bằng --edition {other}. Chưa ghi tệp nào.",
            f"No commune boundaries of {name} are stored for {ed_en[req.edition]}; {there} "
            f"communes are stored for {ed_en[other]}: export with --edition {other}. No file "
            "was written.", column="edition")
    return NotFoundError(
        f"Chưa lưu ranh giới xã nào của {name} (cả hai danh mục): hãy nhập ranh giới trước "
        "(diaban import boundaries). Chưa ghi tệp nào.",
        f"No commune boundaries of {name} are stored (either registry): import boundaries "
        "first (diaban import boundaries). No file was written.")


def export_boundaries(req: BoundariesExportRequest, who: Principal, db: str | None = None,
                      progress: Progress = None) -> ExportResult:
    """Write the province's current commune boundaries (WGS84) with code and name.

    Columns ``ma_xa, ten, unit_type, district_name, nguon, version``; GeoJSON
    for ``.geojson``/``.json``, GeoPackage for ``.gpkg``. An existing file is
    replaced.

    Parameters
    ----------
    req : BoundariesExportRequest
        Province, file, edition.
    who : Principal
        Who exports (needs ``export`` for the whole province).
    db : str, optional
        Database URL.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    ExportResult
        With ``features``.

    Raises
    ------
    NotFoundError
        No boundary of the province is stored in the edition asked for (naming
        the edition that has some, if any); no file is written.
    """
    from geo.store import current_boundaries

    req = req.check()
    authorize(who, "export", req.province, whole_province=True)
    report = reporter(progress)
    report(0.1, tr("Đọc ranh giới", "Reading boundaries", req.lang))
    with transaction(db) as s:
        gdf = current_boundaries(s, req.province, req.edition)
        if gdf.empty:
            other = "legacy" if req.edition == "2025" else "2025"
            there = len(current_boundaries(s, req.province, other))
    if gdf.empty:
        raise _no_boundaries(req, other, there)
    gdf = gdf.rename(columns={"code": "ma_xa", "name": "ten", "source": "nguon"})
    gdf = gdf[["ma_xa", "ten", "unit_type", "district_name", "nguon", "version", "geometry"]]
    out = Path(req.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    gdf.to_file(out, driver="GPKG" if out.suffix.lower() == ".gpkg" else "GeoJSON")
    report(1.0, tr("Xong", "Done", req.lang))
    return _result(out, req.province, features=len(gdf))


# ------------------------------------------------------------------ the QĐ 28 list


#: Output formats of the QĐ 28 list: the People's Committee's annex (XLSX), or the list
#: with the map of classes and the map of class changes (PDF).
LIST_FORMATS = ("xlsx", "pdf")


@dataclass(frozen=True)
class AssessmentListExportRequest(Request):
    """A province's QĐ 28/2025 list for an assessment year, as the People's Committee signs it.

    Parameters
    ----------
    province : str or Province
    year : int, str or Period
        The assessment year (``2026`` = 15/12/2025 – 14/12/2026).
    out : str or pathlib.Path
        An ``.xlsx`` file (the annex) or a ``.pdf`` file (both maps, then the list).
    lang : {"vi", "en"}
        Language of the file.
    size : {"A4", "A3"}
        Paper of the PDF.
    """

    province: str | Province
    year: int | str | Period = ""
    out: str | Path = ""
    lang: str = "vi"
    size: str = "A4"

    def check(self) -> Self:
        """Validate the file, the year, the paper and the language; resolve the province."""
        from geo.assessment import check_year

        out = _check_out(self.out, LIST_FORMATS)
        year = check_year(self.year)
        _check_figure(self.size, "portrait", 300, "quantiles", 5, None)
        return replace(self, out=out, year=year, lang=_check_lang(self.lang),
                       province=check_province(self.province, year.edition))

    @property
    def format(self) -> str:
        """Output format (the suffix of ``out``)."""
        return Path(self.out).suffix.lower().lstrip(".")


#: Classes of the list, in the order a decision lists them (Điều 4, then Điều 6).
LIST_CLASSES = ("type_1", "type_2", "type_3", "drug_free")


def _day(d: date) -> str:
    return f"{d:%d/%m/%Y}"


def _list_stamp(view: Any, lang: str) -> str:
    """``ĐÃ PHÊ DUYỆT — Quyết định số …, ngày …`` or ``DỰ THẢO — …`` of a year's list."""
    if view.approved and view.info:
        no, d = view.info["decision_no"], view.info["decision_date"]
        return tr(f"ĐÃ PHÊ DUYỆT — Quyết định số {no}, ngày {_day(d)}",
                  f"APPROVED — Decision No. {no} of {_day(d)}", lang)
    return tr("DỰ THẢO — chưa được Ủy ban nhân dân tỉnh phê duyệt",
              "DRAFT — not yet approved by the provincial People's Committee", lang)


def _stamp_color(*views: Any) -> str:
    """The list status's colour: a draft's when any list shown is a draft."""
    from geo.vocab import LIST_STATUSES

    return LIST_STATUSES.color("approved" if all(v.approved for v in views) else "draft")


def _known_year(req: AssessmentListExportRequest | _Qd28Request, who: Principal,
                db: str | None) -> Any:
    """The province's years; refuse a year with neither figures nor a stored list."""
    from geo.services.classification import ProvinceOnlyRequest, years

    yv = years(ProvinceOnlyRequest(req.province), who, db).years
    have = [int(y) for y in yv.year]
    if req.year.year not in have:
        name = req.province.name
        listed = ", ".join(map(str, have))
        raise NotFoundError(
            f"Năm {req.year.year} chưa có số liệu hay danh sách QĐ 28 nào của {name}"
            + (f"; các năm có: {listed}." if have else "; hãy nhập số liệu trước.")
            + " Chưa ghi tệp nào.",
            f"{name} has no figures and no QĐ 28 list for {req.year.year}"
            + (f"; years with some: {listed}." if have else "; import figures first.")
            + " No file was written.", column="year")
    return yv


def _list_content(view: Any, year: Period, province: Province, lang: str
                  ) -> tuple[list[str], list[Any], list[str]]:
    """Title lines, sections (one per class) and notes of the list, for XLSX and PDF alike."""
    from geo.assessment import figure_names
    from geo.vocab import QD28_CLASSES
    from layers.sheets import ListSection

    t = view.table
    issuer = tr(f"ỦY BAN NHÂN DÂN {province.name.upper()}",
                f"PEOPLE'S COMMITTEE OF {province.name.upper()}", lang)
    heading = tr(f"DANH SÁCH ĐỊA BÀN TRỌNG ĐIỂM PHỨC TẠP VỀ MA TÚY VÀ ĐỊA BÀN KHÔNG MA TÚY "
                 f"NĂM {year.year}",
                 f"KEY COMPLEX DRUG AREAS AND DRUG-FREE AREAS, {year.year}", lang)
    span = year.dates_label(lang)
    title = [issuer, heading]
    if view.approved and view.info:
        d = view.info["decision_date"]
        title.append(tr(f"(Kèm theo Quyết định số {view.info['decision_no']} ngày "
                        f"{d:%d/%m/%Y} của Ủy ban nhân dân tỉnh)",
                        f"(Annex to decision {view.info['decision_no']} of {d:%d/%m/%Y})",
                        lang))
    else:
        title.append(tr("DỰ THẢO — chưa được Ủy ban nhân dân tỉnh phê duyệt",
                        "DRAFT — not yet approved by the provincial People's Committee", lang))
    title.append(tr(f"Kỳ đánh giá: {span} (Quyết định 28/2025/QĐ-TTg, Điều 7)",
                    f"Assessment period: {span} (Decision 28/2025/QĐ-TTg, art. 7)", lang))

    def criteria_text(code: str, klass: str) -> str:
        crit = [c for c in view.criteria(code, lang)
                if c.get("class") == klass and (c.get("counted") or c["result"]) == "met"]
        return "; ".join(f"{c['article']}: {c['value_text']}" for c in crit)

    sections = []
    roman = ["I", "II", "III", "IV", "V", "VI"]
    groups = [(k, True) for k in LIST_CLASSES] + [("none", False), ("undetermined", False)]
    for i, (klass, listed) in enumerate(groups):
        codes = [c for c in t.index if t.loc[c, "final_class"] == klass]
        if not codes and not listed:
            continue
        label = QD28_CLASSES.label(klass, lang)
        sec = ListSection(tr(f"{roman[i]}. {label} ({len(codes)} xã)",
                             f"{roman[i]}. {label} ({len(codes)} communes)", lang))
        if not listed:
            sec.note = tr("Không thuộc danh sách (để đối chiếu).",
                          "Not on the list (for reference).", lang)
        for j, code in enumerate(codes, start=1):
            r = t.loc[code]
            reason = ""
            if r.manual_class:
                reason = tr(f"Điều chỉnh từ {QD28_CLASSES.label(r.computed_class, lang)}: "
                            f"{r.reason}", f"Set by hand (computed "
                            f"{QD28_CLASSES.label(r.computed_class, 'en')}): {r.reason}", lang)
            elif klass == "undetermined":
                reason = tr("Thiếu số liệu: ", "Missing: ", lang) + figure_names(
                    list(r.missing_data), lang)
            sec.rows.append({"stt": j, "name": r["name"], "code": code,
                             "class_label": QD28_CLASSES.short(klass, lang),
                             "criteria": criteria_text(code, klass) if listed else "",
                             "reason": reason})
        sections.append(sec)
    notes = [view.status_label(lang)]
    notes += [str(x) for x in (view.rules.readings_text(lang) or [])]
    notes += [tr(vi, en, lang) for vi, en in view.notes]
    return title, sections, notes


def export_assessment_list(req: AssessmentListExportRequest, who: Principal,
                           db: str | None = None, progress: Progress = None) -> ExportResult:
    """Write the year's list (approved, or the draft saying so) as XLSX, or as PDF with maps.

    The XLSX workbook's first sheet is the list in the shape of a provincial People's
    Committee's decision annex: a title block naming the province, the year and the
    decision (or "DỰ THẢO"), then one section per class with each commune's criteria
    met and their values and the reason where a planner set the class by hand;
    communes of no class and those without enough figures follow, marked as not on
    the list. The second sheet has every commune's criteria, the third the readings of
    the Decision the classes rest on.

    The PDF opens on the map of the year's classes and the map of class changes
    against the year before (each with its legend and the approved/draft label of
    the lists it shows), then the same list as table pages.

    Parameters
    ----------
    req : AssessmentListExportRequest
        Province, year, file (``.xlsx`` or ``.pdf``), language, paper.
    who : Principal
        Who exports (needs ``export``; reading the list needs ``view``).
    db : str, optional
        Database URL.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    ExportResult
        ``rows`` is the number of communes written.

    Raises
    ------
    ValidationError
        Another file type, a year that is not an assessment year, a paper size, or
        (PDF) no commune boundaries to draw. Nothing is written.
    NotFoundError
        A year with neither figures nor a stored list. Nothing is written.
    PermissionDenied
        ``who`` may not export this province. Nothing is written.
    """
    from geo.services.classification import YearRequest, list_classes
    from layers.sheets import assessment_workbook

    req = req.check()
    authorize(who, "export", req.province.code)
    report = reporter(progress)
    lang = req.lang
    report(0.05, tr("Đọc danh sách", "Reading the list", lang))
    _known_year(req, who, db)
    view = list_classes(YearRequest(req.province, req.year), who, db)
    title, sections, notes = _list_content(view, req.year, req.province, lang)
    n = sum(len(s.rows) for s in sections)
    if req.format == "pdf":
        _list_pdf(req, who, db, view, title, sections, notes, report)
    else:
        report(0.6, tr("Ghi tệp", "Writing", lang))
        assessment_workbook(req.out, title, sections, view.frame(lang), notes, lang)
    report(1.0, tr("Xong", "Done", lang))
    return _result(Path(req.out), req.province, rows=n)


# ------------------------------------------------------------------ QĐ 28 maps


@dataclass(frozen=True)
class _Qd28Request:
    """What the QĐ 28 pages need (the list export's and the brief's)."""

    province: Province
    year: Period
    lang: str
    size: str


@dataclass
class _Qd28Maps:
    """The two QĐ 28 figures of a year and what the brief's summary needs."""

    view: Any
    base: Any
    trans: Any
    class_spec: Any
    change_spec: Any


def _source_text(gdf: pd.DataFrame, lang: str) -> str:
    """The source line of a printed figure (demo data said as such)."""
    if "source" in gdf and len(gdf) and gdf.source.eq("approximate").all():
        return tr("Số liệu minh họa (tổng hợp) của diaban — không phải số liệu thật",
                  "diaban demo data (synthetic) — not real figures", lang)
    return tr("Số liệu: cơ sở dữ liệu diaban", "Data: diaban database", lang)


def _qd28_maps(req: _Qd28Request, who: Principal, db: str | None, view: Any = None
               ) -> _Qd28Maps:
    """The map of the year's classes and the map of class changes against the year before.

    Raises
    ------
    ValidationError
        No commune boundaries of the year's edition to draw.
    """
    from geo.services.classification import YearRequest, list_classes, transformation
    from geo.store import current_boundaries
    from geo.vocab import CLASS_CHANGES, QD28_CLASSES
    from layers.print import MapFigureSpec

    lang, name = req.lang, req.province.name
    view = view or list_classes(YearRequest(req.province, req.year), who, db)
    trans = transformation(YearRequest(req.province, req.year), who, db)
    cmp = trans.comparison
    base = list_classes(YearRequest(req.province, int(cmp.base_year)), who, db)
    with transaction(db) as s:
        gdf = current_boundaries(s, view.province, view.edition)
    if gdf.empty:
        raise ValidationError(
            f"Chưa lưu ranh giới xã nào của {name} để vẽ bản đồ năm {req.year.year}; hãy "
            "nhập ranh giới (diaban import boundaries) hoặc xuất danh sách dạng .xlsx. Chưa "
            "ghi tệp nào.",
            f"No commune boundaries of {name} are stored to draw the {req.year.year} maps; "
            "import boundaries (diaban import boundaries) or export the list as .xlsx. No "
            "file was written.")
    gdf = gdf[["code", "name", "source", "geometry"]]
    edition_txt = (tr("xã trước 01/7/2025", "communes before 1 Jul 2025", lang)
                   if view.edition == "legacy" else
                   tr("xã, phường từ 01/7/2025", "communes from 1 Jul 2025", lang))
    span = req.year.dates_label(lang)
    common = dict(projected_crs=_province_crs(view.province, view.edition),
                  source=_source_text(gdf, lang), export_date=date.today(),
                  approximate=bool(gdf.source.eq("approximate").any()), lang=lang,
                  size=req.size, orientation="portrait", dpi=300, province=name)
    missing = len(set(view.table.index) - set(gdf.code))
    gap = ([tr(f"{missing} xã chưa có ranh giới nên không vẽ trên bản đồ (vẫn có trong danh "
               "sách).", f"{missing} communes have no stored boundary and are not drawn (they "
               "are in the list).", lang)] if missing else [])
    readings = [r.title(lang) for r in view.rules.readings.values()]
    reading_note = (tr("Cách đọc Quyết định ở những điểm văn bản để ngỏ (chi tiết kèm danh "
                       "sách): ", "Readings where the Decision is open (in full with the "
                       "list): ", lang) + "; ".join(readings) + ".") if readings else ""

    units = gdf.assign(value=gdf.code.map(view.table.final_class))
    class_spec = MapFigureSpec(
        units=units,
        title=tr(f"Phân loại địa bàn về ma túy năm {req.year.year} — {name}",
                 f"Drug area classes {req.year.year} — {name}", lang),
        subtitle=tr(f"Quyết định 28/2025/QĐ-TTg · kỳ đánh giá {span} · {edition_txt}",
                    f"Decision 28/2025/QĐ-TTg · assessment period {span} · {edition_txt}",
                    lang),
        legend_title=tr("Loại địa bàn (QĐ 28/2025)", "Class (QĐ 28/2025)", lang),
        categories=QD28_CLASSES, marks=True, stamp=_list_stamp(view, lang),
        stamp_color=_stamp_color(view),
        extra_notes=[*gap, *([reading_note] if reading_note else []),
                     *[tr(vi, en, lang) for vi, en in view.notes]],
        **common)

    c = cmp.communes.set_index("code")
    s = trans.summary
    changes = [k for k in CLASS_CHANGES.ids if k != "unknown" or s["changes"].get(k)]
    summary = tr(f"Chuyển hóa (Điều 2.2: giảm ít nhất một loại hoặc thành không ma túy): "
                 f"{s['transformed']} xã; trở thành không ma túy: {s['became_drug_free']}; "
                 f"tái phức tạp: {s['relapsed']}; mới đưa vào danh sách: {s['added']}; đưa ra "
                 f"khỏi danh sách: {s['removed']}.",
                 f"Transformed (Art. 2.2: moved down at least one class or became drug-free): "
                 f"{s['transformed']} communes; became drug-free: {s['became_drug_free']}; "
                 f"relapsed: {s['relapsed']}; added to the list: {s['added']}; removed from "
                 f"the list: {s['removed']}.", lang)
    notes = [summary]
    if cmp.predecessor_rule:
        notes.append(tr(*cmp.predecessor_rule, lang))
    if base.info is None and not base.table.final_class.isin(LIST_CLASSES).any():
        notes.append(tr(f"Năm {cmp.base_year} chưa có danh sách hay số liệu để so sánh.",
                        f"{cmp.base_year} has no list or figures to compare with.", lang))
    change_spec = MapFigureSpec(
        units=gdf.assign(value=gdf.code.map(c.change)),
        title=tr(f"Thay đổi loại địa bàn năm {cmp.year} so với năm {cmp.base_year} — {name}",
                 f"Class changes {cmp.base_year} → {cmp.year} — {name}", lang),
        subtitle=tr(f"Quyết định 28/2025/QĐ-TTg, Điều 2.2 · {edition_txt}",
                    f"Decision 28/2025/QĐ-TTg, art. 2.2 · {edition_txt}", lang),
        legend_title=tr(f"Thay đổi so với năm {cmp.base_year}",
                        f"Change since {cmp.base_year}", lang),
        categories=CLASS_CHANGES, category_ids=tuple(changes),
        marks=tuple(k for k in CLASS_CHANGES.ids if k != "same"),
        stamp=tr(f"Năm {cmp.year}: ", f"{cmp.year}: ", lang) + _list_stamp(view, lang)
        + tr(f"\nNăm {cmp.base_year}: ", f"\n{cmp.base_year}: ", lang)
        + _list_stamp(base, lang),
        stamp_color=_stamp_color(view, base), extra_notes=[*gap, *notes], **common)
    return _Qd28Maps(view, base, trans, class_spec, change_spec)


def _list_tables(sections: list[Any], lang: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """The list's sections as table-page tables (class, commune, criteria met)."""
    head = [tr("STT", "No.", lang), tr("Xã, phường", "Commune", lang),
            tr("Mã xã", "Code", lang), tr("Tiêu chí đạt (giá trị)", "Criteria met (values)",
                                          lang), tr("Ghi chú", "Notes", lang)]
    out = []
    for sec in sections:
        caption = sec.heading + (f" — {sec.note}" if sec.note else "")
        rows = [[str(r["stt"]), r["name"], r["code"], r["criteria"] or "—", r["reason"]]
                for r in sec.rows]
        out.append((caption, head, rows))
    return out


def _merge_pdfs(parts: list[Path], out: Path, title: str) -> None:
    """Concatenate PDFs into ``out`` (written only once every part exists)."""
    from pypdf import PdfWriter

    w = PdfWriter()
    for p in parts:
        w.append(str(p))
    w.add_metadata({"/Title": title, "/Creator": "diaban"})
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh:
        w.write(fh)


def _list_pdf(req: AssessmentListExportRequest, who: Principal, db: str | None, view: Any,
              title: list[str], sections: list[Any], notes: list[str],
              report: Any) -> None:
    """The list PDF: the class map, the change map, then the list as table pages."""
    from layers.print import render_map, render_table_page

    lang = req.lang
    q = _Qd28Request(req.province, req.year, lang, req.size)
    report(0.2, tr("Đọc ranh giới và so sánh với năm trước",
                   "Reading boundaries and last year's list", lang))
    maps = _qd28_maps(q, who, db, view)
    with tempfile.TemporaryDirectory() as tmp:
        report(0.35, tr("Vẽ bản đồ phân loại", "Drawing the map of classes", lang))
        p1 = render_map(maps.class_spec, Path(tmp) / "classes.pdf")
        report(0.6, tr("Vẽ bản đồ thay đổi", "Drawing the map of changes", lang))
        p2 = render_map(maps.change_spec, Path(tmp) / "changes.pdf")
        report(0.85, tr("Lập bảng danh sách", "Writing the list", lang))
        p3 = render_table_page(Path(tmp) / "list.pdf", title[1], " · ".join(
            [title[0], *title[2:]]), _list_tables(sections, lang), notes, req.size, lang,
            first_page=3)
        _merge_pdfs([p1, p2, p3], Path(req.out), title[1])
