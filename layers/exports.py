"""Briefing figures from stored data: one map (PNG/PDF/SVG/HTML), small multiples, a brief.

Builds :class:`layers.figure.MapFigureSpec` from the database and hands it to
the renderer; the HTML export is the interactive map, self-contained and
offline. The CLI (``diaban export map|brief``) and the Xuất bản đồ page call
these functions.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.db import session_scope
from geo.errors import ValidationError
from geo.i18n import tr
from geo.indicators import get_indicator
from geo.mapdata import MEASURES, display_geometries, hotspot_status, map_frame
from geo.periods import parse_period
from geo.registry import resolve_province
from geo.store import facilities, init_db

__all__ = ["MapRequest", "export_brief", "export_map", "map_spec"]

LAYERS = ("hotspots", "facilities", "districts")


@dataclass
class MapRequest:
    """What the user asked for (CLI options or page widgets)."""

    province: str
    indicator: str
    period: str
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

    def check(self) -> None:
        """Validate up front, with messages users understand."""
        bad = [x for x in self.layers if x not in LAYERS]
        if bad:
            raise ValidationError(
                f"Lớp '{', '.join(bad)}' không có; dùng: {', '.join(LAYERS)}.",
                f"Unknown layer '{', '.join(bad)}'; use: {', '.join(LAYERS)}.")
        if self.measure not in MEASURES:
            raise ValidationError(f"Cách tính '{self.measure}' không hợp lệ.",
                                  f"Invalid measure '{self.measure}'.")
        if not 50 <= int(self.dpi) <= 1200:
            raise ValidationError("Độ phân giải (dpi) phải trong khoảng 50–1200.",
                                  "dpi must be between 50 and 1200.")
        if self.suppress_below is not None and self.suppress_below < 1:
            raise ValidationError("Ngưỡng ẩn số nhỏ phải ≥ 1.", "The suppression threshold "
                                  "must be ≥ 1.")
        parse_period(self.period)
        get_indicator(self.indicator)


def _projected_crs(province_code: str, edition: str) -> object | None:
    try:
        from geo.crs import province_crs

        # Some codes name different provinces in each edition (e.g. 24, 44, 52).
        return province_crs(province_code, edition=edition)
    except Exception:  # noqa: BLE001 - renderer falls back to the local UTM zone
        return None


def map_spec(url: str | None, req: MapRequest) -> object:
    """The figure spec for a request, with data read from the database."""
    from layers.figure import MapFigureSpec

    req.check()
    lang = req.lang
    init_db(url)
    with session_scope(url) as s:
        gdf = map_frame(s, req.province, req.edition, req.indicator, req.period, req.measure)
        if gdf.empty:
            raise ValidationError("Tỉnh này chưa có ranh giới xã để vẽ.",
                                  "This province has no commune boundaries to draw.")
        hot = None
        if "hotspots" in req.layers:
            hs = hotspot_status(s, req.province, req.edition, on=parse_period(req.period).end)
            hs = hs.dropna(subset=["status"])
            hot = gdf[["code", "geometry"]].merge(hs, left_on="code", right_on="unit_code")
            hot = gpd.GeoDataFrame(hot, crs=4326) if len(hot) else None
        fac = facilities(s, req.province) if "facilities" in req.layers else None
    prov = resolve_province(req.province, "2025" if req.edition == "2025" else "legacy")
    ind = get_indicator(req.indicator)
    per = parse_period(req.period)
    unit = tr(*MEASURES["rate"], lang) if req.measure == "rate" else ind.unit(lang)
    demo = "demo" if gdf.source.eq("approximate").all() else ""
    source = tr("Số liệu: cơ sở dữ liệu diaban", "Data: diaban database", lang)
    if demo:
        source = tr("Số liệu minh họa (tổng hợp) của diaban — không phải số liệu thật",
                    "diaban demo data (synthetic) — not real figures", lang)
    if (gdf.converted != "").any():
        source += tr("; một số giá trị quy đổi qua bảng chuyển đổi ĐVHC 01/7/2025",
                     "; some values converted through the 1 Jul 2025 crosswalk", lang)
    edition_txt = (tr("xã trước 01/7/2025", "communes before 1 Jul 2025", lang)
                   if req.edition == "legacy" else
                   tr("xã từ 01/7/2025", "communes from 1 Jul 2025", lang))
    return MapFigureSpec(
        units=gdf[["code", "name", "value", "district_name", "geometry"]],
        title=ind.name(lang),
        subtitle=f"{per.label(lang)} · {prov['name']} · {edition_txt}",
        legend_title=unit,
        scheme=req.scheme, k=req.k, hotspots=hot, facilities=fac,
        projected_crs=_projected_crs(prov.code, req.edition), source=source,
        export_date=date.today(),
        approximate=bool(gdf.source.eq("approximate").any()), lang=lang, size=req.size,
        orientation=req.orientation, dpi=int(req.dpi), suppress_below=req.suppress_below,
        digits=1 if req.measure == "rate" else 0, province=prov["name"],
        group_column="district_name" if ("districts" in req.layers and req.edition == "legacy")
        else None,
    )


def export_map(url: str | None, req: MapRequest, out: str | Path) -> Path:
    """Write one map figure: PNG (at the dpi), PDF/SVG (vector, fonts embedded) or HTML.

    HTML is the interactive map as one self-contained file that works offline.
    """
    from layers.figure import render_map

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".png", ".pdf", ".svg", ".html"):
        raise ValidationError("Tệp xuất phải là .png, .pdf, .svg hoặc .html.",
                              "Output must be .png, .pdf, .svg or .html.", file=out.name)
    if suffix == ".html":
        return _export_html(url, req, out)
    return render_map(map_spec(url, req), out)


def _export_html(url: str | None, req: MapRequest, out: Path) -> Path:
    from layers.maps import choropleth_map, classify_values
    from layers.offline import standalone_html

    req.check()
    with session_scope(url) as s:
        gdf = display_geometries(map_frame(s, req.province, req.edition, req.indicator,
                                           req.period, req.measure))
        hot = hotspot_status(s, req.province, req.edition) if "hotspots" in req.layers else None
        fac = facilities(s, req.province) if "facilities" in req.layers else None
    if req.suppress_below:
        small = gdf.value < req.suppress_below
        gdf.loc[small, "value"] = np.nan
    ind = get_indicator(req.indicator)
    title = f"{ind.name(req.lang)} — {parse_period(req.period).label(req.lang)}"
    digits = 1 if req.measure == "rate" else 0
    m = choropleth_map(gdf, title=title, classes=classify_values(
        gdf.value.to_numpy(), req.scheme, req.k, req.lang, digits), lang=req.lang,
        hotspots=hot, facilities=fac, approximate=bool((gdf.source == "approximate").any()),
        digits=digits)
    out.write_text(standalone_html(m), encoding="utf-8")
    return out


def export_small_multiples(url: str | None, req: MapRequest, out: str | Path,
                           periods: list[str] | None = None) -> Path:
    """One indicator across all periods of the plan on one page."""
    from geo.store import available_periods
    from layers.figure import render_small_multiples

    req.check()
    spec = map_spec(url, req)
    with session_scope(url) as s:
        periods = periods or [p for p in available_periods(s) if "-H" in p]
        frames = {}
        for p in periods:
            ed = req.edition
            g = map_frame(s, req.province, ed, req.indicator, p, req.measure)
            frames[parse_period(p).label(req.lang)] = g[["code", "name", "value", "geometry"]]
    spec.subtitle = spec.subtitle.split(" · ", 1)[-1]
    return render_small_multiples(frames, spec, out)


def export_brief(url: str | None, province: str, period: str, out: str | Path,
                 indicator: str = "registered_addicts", edition: str = "legacy",
                 lang: str = "vi", size: str = "A4", suppress_below: int | None = None) -> Path:
    """A briefing pack PDF: the map, the hotspot communes' progress and the targets.

    Page 1 is the map; page 2 holds the hotspot progress table and the
    province targets (on track / at risk / off track, with the rule stated).
    """
    from pypdf import PdfWriter

    from geo.progress import RULE_EN, RULE_VI, evaluate_targets, hotspot_progress, status_label
    from geo.store import get_values, hotspot_table, plan_targets, plans
    from layers.tables import render_table_page

    out = Path(out)
    if out.suffix.lower() != ".pdf":
        raise ValidationError("Báo cáo tóm tắt xuất ra tệp .pdf.", "The brief is a .pdf file.",
                              file=out.name)
    req = MapRequest(province, indicator, period, edition, "rate", ("hotspots", "facilities"),
                     size, "portrait", 300, lang, suppress_below=suppress_below)
    with tempfile.TemporaryDirectory() as tmp:
        map_pdf = export_map(url, req, Path(tmp) / "map.pdf")
        with session_scope(url) as s:
            hs = hotspot_table(s, province, on=parse_period(period).end)
            vals = get_values(s, province, "legacy")
            pl = plans(s, province)
            tg = plan_targets(s, int(pl.id.iloc[0])) if len(pl) else pd.DataFrame()
        legacy_periods = sorted({p for p in vals.period if "-H" in p
                                 and parse_period(p).edition == "legacy"}, key=parse_period)
        base = legacy_periods[0] if legacy_periods else period
        last = min(period, legacy_periods[-1]) if legacy_periods else period
        inds = ["registered_addicts", "drug_cases_detected", "drug_use_points_existing"]
        hp = hotspot_progress(hs[hs.edition == "legacy"], vals, inds, base, last, lang)

        def fmt(v: float) -> str:
            if v != v:
                return "—"
            if suppress_below and v < suppress_below:
                return f"< {suppress_below}"
            return f"{v:.0f}"

        rows1 = []
        for r in hp.itertuples():
            row = [r.name, r.status]
            for ind in inds:
                b, la = getattr(r, f"{ind}_baseline"), getattr(r, f"{ind}_latest")
                row.append(f"{fmt(b)} → {fmt(la)}")
            rows1.append(row)
        head1 = [tr("Xã", "Commune", lang), tr("Trạng thái", "Status", lang)] + [
            get_indicator(i).name(lang) for i in inds]
        res = evaluate_targets(tg, vals, hs, lang=lang) if len(tg) else []
        def f2(v: float | None, ratio: bool) -> str:
            if v is None:
                return "—"
            return f"{v:.0%}" if ratio else f"{v:.0f}"

        rows2 = []
        for t in res:
            ratio = t.key != "hotspots_transformed"
            rows2.append([t.label, f2(t.target, ratio), f2(t.latest, ratio),
                          status_label(t.status, lang), t.source or ""])
        head2 = [tr("Chỉ tiêu", "Target", lang), tr("Mức", "Goal", lang),
                 tr("Mới nhất", "Latest", lang), tr("Đánh giá", "Assessment", lang),
                 tr("Nguồn", "Source", lang)]
        prov = resolve_province(province)
        title = tr(f"Tiến độ chuyển hóa địa bàn — {prov['name']}",
                   f"Transformation progress — {prov['name']}", lang)
        sub = tr(f"Kỳ gốc {parse_period(base).label('vi')} so với "
                 f"{parse_period(last).label('vi')}",
                 f"Baseline {parse_period(base).label('en')} vs {parse_period(last).label('en')}",
                 lang)
        tables_pdf = render_table_page(
            Path(tmp) / "tables.pdf", title=title, subtitle=sub,
            tables=[(tr("Các địa bàn trọng điểm", "Hotspot communes", lang), head1, rows1),
                    (tr("Chỉ tiêu của tỉnh", "Province targets", lang), head2, rows2)],
            notes=[tr("Quy tắc đánh giá: ", "Rule: ", lang) + (RULE_VI if lang == "vi"
                                                                  else RULE_EN)],
            size=size, lang=lang)
        w = PdfWriter()
        for p in (map_pdf, tables_pdf):
            w.append(str(p))
        w.add_metadata({"/Title": title})
        with open(out, "wb") as fh:
            w.write(fh)
    return out
