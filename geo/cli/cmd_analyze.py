"""``diaban analyze hotspots|emerging|classify|assess|rank|access``."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from geo.cli.common import ctx_obj, db, echo_table, emit_json, options, progress_bar, t
from geo.cli.identity import principal


def register(cli: click.Group) -> None:
    """Add the analysis commands."""
    cli.add_command(analyze)


def _common(f):  # noqa: ANN001, ANN202 - click decorator stack
    f = click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
                     default=None, help="Tệp kết quả .csv/.geojson/.xlsx / output file.")(f)
    f = click.option("--edition", type=click.Choice(["legacy", "2025"]), default="legacy",
                     show_default=True, help="Đơn vị hành chính / units edition.")(f)
    f = click.option("--period", default=None, help="Kỳ / period (vd. 2024-H2).")(f)
    f = click.option("--indicator", default="registered_addicts", show_default=True)(f)
    f = click.option("--province", "-p", required=True, help="Tỉnh / province.")(f)
    return f


@click.group()
def analyze() -> None:
    """Phân tích chọn địa bàn. / Analyses for choosing target communes."""


def _write(df: pd.DataFrame, out: Path | None) -> None:
    """Write a result table (GeoJSON keeps geometry), or print it (JSON or text)."""
    import geopandas as gpd

    o = ctx_obj()
    if out is not None:
        suffix = out.suffix.lower()
        if suffix == ".geojson":
            if not isinstance(df, gpd.GeoDataFrame):
                from geo.errors import ValidationError

                raise ValidationError("Kết quả này không có hình học; dùng .csv.",
                                      "This result has no geometry; use .csv.", file=out.name)
            df.to_file(out, driver="GeoJSON")
        elif suffix == ".xlsx":  # for people: headers in the command's language
            from geo.analysis import write_sheets
            from geo.vocab import COLUMNS

            sheet = pd.DataFrame(df.drop(columns="geometry", errors="ignore"))
            sheet.columns = [COLUMNS.label(c, o["lang"]) for c in sheet.columns]
            write_sheets({t("ket_qua", "result"): sheet}, out)
        elif suffix == ".csv":
            pd.DataFrame(df.drop(columns="geometry", errors="ignore")).to_csv(
                out, index=False, encoding="utf-8-sig")
        else:
            from geo.errors import ValidationError

            raise ValidationError("Tệp kết quả phải là .csv, .xlsx hoặc .geojson.",
                                  "Output must be .csv, .xlsx or .geojson.", file=out.name)
        msg = t(f"Đã ghi {len(df)} dòng vào {out}.", f"Wrote {len(df)} rows to {out}.")
        if o["json"]:
            emit_json({"ok": True, "file": str(out), "rows": len(df)})
        else:
            click.echo(msg)
        return
    plain = pd.DataFrame(df.drop(columns="geometry", errors="ignore"))
    if o["json"]:
        emit_json(plain.to_dict("records"))
    else:
        with pd.option_context("display.max_rows", 60, "display.width", 160):
            click.echo(plain.to_string(index=False))


@analyze.command("hotspots")
@_common
@click.option("--measure", type=click.Choice(["rate", "eb_rate", "count"]), default="rate",
              show_default=True, help="Tỷ lệ/10.000, tỷ lệ làm trơn EB, hoặc số lượng.")
@click.option("--permutations", type=int, default=999, show_default=True)
@click.option("--seed", type=int, default=12345, show_default=True)
@options
def hotspots_cmd(province: str, indicator: str, period: str | None, edition: str,
                 out: Path | None, measure: str, permutations: int, seed: int) -> None:
    """Điểm nóng Gi* và Moran cục bộ một kỳ. / Gi* and local Moran hot spots for a period."""
    from geo.services.analysis import AnalysisRequest, hotspots

    o = ctx_obj()
    req = AnalysisRequest(province, indicator, period, edition, measure, permutations, seed)
    with progress_bar("Gi*"):
        res = hotspots(req, principal(), db(), o["lang"])
    period = res.period
    df = res.gdf.rename(columns={"category": "category", "fdr_significant": "fdr_significant"})
    df = df[["code", "name", "district_name", "value", "z", "p_sim", "fdr_significant",
             "category", "category_label", "moran_label", "geometry"]]
    if res.islands:
        click.echo(t(f"Xã không có xã giáp ranh (đã nối với xã gần nhất): {', '.join(res.islands)}",
                     f"Communes with no contiguous neighbour (linked to the nearest): "
                     f"{', '.join(res.islands)}"), err=True)
    if res.missing:
        click.echo(t(f"{len(res.missing)} xã không có số liệu kỳ {period}, không đưa vào tính.",
                     f"{len(res.missing)} communes have no figure for {period}; left out."),
                   err=True)
    _write(df, out)


@analyze.command("emerging")
@_common
@click.option("--measure", type=click.Choice(["rate", "eb_rate", "count"]), default="rate",
              show_default=True)
@click.option("--permutations", type=int, default=999, show_default=True)
@click.option("--seed", type=int, default=12345, show_default=True)
@options
def emerging_cmd(province: str, indicator: str, period: str | None, edition: str,
                 out: Path | None, measure: str, permutations: int, seed: int) -> None:
    """Điểm nóng theo thời gian (Gi* + Mann-Kendall). / Emerging hot spots over all periods."""
    from geo.services.analysis import AnalysisRequest, emerging

    o = ctx_obj()
    req = AnalysisRequest(province, indicator, period, edition, measure, permutations, seed)
    with progress_bar(t("Điểm nóng theo thời gian", "Emerging")) as cb:
        res = emerging(req, principal(), db(), o["lang"], progress=cb)
    gdf, used = res.communes, res.periods
    click.echo(t(f"Các kỳ dùng: {', '.join(used)}", f"Periods used: {', '.join(used)}"), err=True)
    _write(gdf.drop(columns=[c for c in gdf.columns if c.startswith("z_")]), out)


@analyze.command("classify")
@click.option("--province", "-p", required=True, help="Tỉnh / province.")
@click.option("--year", default=None,
              help="Năm đánh giá QĐ 28 (15/12 năm trước – 14/12), vd. 2026 / assessment year.")
@click.option("--period", default=None,
              help="Kỳ bất kỳ (vd. 2024-H2; một năm như 2026 = --year) / any period.")
@click.option("--edition", type=click.Choice(["legacy", "2025"]), default=None,
              help="Đơn vị hành chính (mặc định: đơn vị của năm) / units edition.")
@click.option("--indicator", default="registered_addicts", hidden=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Tệp kết quả .csv/.xlsx / output file.")
@click.option("--rules", "rules", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Tệp JSON ngưỡng riêng của tỉnh / province overrides.")
@options
def classify_cmd(province: str, year: str | None, period: str | None, edition: str | None,
                 indicator: str, out: Path | None, rules: Path | None) -> None:
    """Phân loại địa bàn theo QĐ 28/2025/QĐ-TTg. / QĐ 28/2025 classification.

    Với --year (hoặc --period là một năm, hoặc không ghi kỳ: năm mới nhất có số liệu):
    mọi xã với loại, từng tiêu chí (giá trị, ngưỡng, kết quả, điều khoản) và danh sách đã
    lưu (dự thảo hoặc đã phê duyệt). --period là 6 tháng/quý: phân loại số liệu kỳ đó.
    """
    from geo.periods import parse_period
    from geo.services import classification as svc

    o = ctx_obj()
    overrides = tuple(sorted(svc.load_overrides(rules).items())) if rules else ()
    if period is not None and year is None and parse_period(period).kind != "Y":
        df = svc.classify(svc.ClassifyRequest(province, period, edition or "legacy", overrides),
                          principal(), db(), o["lang"])
        _write(df, out)
        return
    if year is None:
        year = period or _latest_year(province)
    view = svc.assessment(svc.AssessmentRequest(province, year, edition, overrides),
                          principal(), db())
    show_assessment(view, out)


def _latest_year(province: str) -> int:
    """The latest assessment year with figures (the year a user most likely means)."""
    from geo.errors import NotFoundError
    from geo.services import classification as svc

    ys = svc.years(svc.ProvinceOnlyRequest(province), principal(), db()).years
    have = ys[ys.has_figures.astype(bool)]
    if have.empty:
        raise NotFoundError("Cơ sở dữ liệu chưa có số liệu.", "The database has no figures yet.")
    return int(have.year.iloc[-1])


def show_assessment(view: object, out: Path | None) -> None:
    """Print or write an assessment (:class:`geo.assessment.YearView`)."""
    from geo.i18n import fmt_number
    from geo.vocab import QD28_CLASSES

    o = ctx_obj()
    lg = o["lang"]
    if out is not None:
        suffix = out.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            from geo.errors import ValidationError

            raise ValidationError("Tệp kết quả phải là .csv hoặc .xlsx.",
                                  "Output must be .csv or .xlsx.", file=out.name)
        frame = view.frame(lg)
        if suffix == ".xlsx":
            frame.to_excel(out, index=False, sheet_name=f"QD28_{view.year.year}")
        else:
            frame.to_csv(out, index=False, encoding="utf-8-sig")
        if o["json"]:
            emit_json({"ok": True, "file": str(out), "rows": len(frame),
                       "status": view.status})
        else:
            click.echo(t(f"Đã ghi {len(frame)} xã vào {out} ({view.status_label('vi')}).",
                         f"Wrote {len(frame)} communes to {out} ({view.status_label('en')})."))
        return
    if o["json"]:
        emit_json(view.records(lg))
        return
    click.echo(f"{view.province.name} — {view.year.label(lg)} ({view.year.dates_label()}): "
               f"{view.status_label(lg)}")
    rows = []
    for code, r in view.table.iterrows():
        mark = " ✎" if r.manual_class else ""
        met = [c["article"] for c in view.criteria(code, lg) if c["result"] == "met"]
        rows.append({"code": code, "name": r["name"],
                     "class": QD28_CLASSES.short(r.final_class, lg) + mark,
                     "met": ", ".join(a for a in met if a),
                     "missing": ", ".join(r.missing_data)})
    echo_table(rows, [("code", t("Mã", "Code")), ("name", t("Xã", "Commune")),
                      ("class", t("Loại", "Class")), ("met", t("Tiêu chí đạt", "Criteria met")),
                      ("missing", t("Thiếu số liệu", "Missing"))])
    counts = ", ".join(f"{QD28_CLASSES.short(k, lg)}: {fmt_number(n, lg)}"
                       for k, n in view.counts().items())
    click.echo(counts)
    for vi, en in view.notes:
        click.echo(t(vi, en), err=True)


@analyze.command("assess")
@_common
@click.option("--baseline", default="2021-H1", show_default=True, help="Kỳ gốc / baseline.")
@options
def assess_cmd(province: str, indicator: str, period: str | None, edition: str,
               out: Path | None, baseline: str) -> None:
    """Đánh giá chuyển hóa các địa bàn trọng điểm. / Transformation assessment."""
    from geo.services.analysis import AssessRequest, assess

    o = ctx_obj()
    df = assess(AssessRequest(province, baseline, period, edition), principal(), db(), o["lang"])
    _write(df, out)


@analyze.command("rank")
@_common
@click.option("--weights", default=None,
              help="Trọng số, dùng đúng như cho; tiêu chí không nêu = 0 / weights, used as "
                   "given; a criterion not named weighs 0. Mặc định / default: "
                   "rate=0.3,trend=0.2,hotspot=0.2,classification=0.1,distance=0.1,"
                   "designation=0.1")
@click.option("--permutations", type=int, default=999, show_default=True)
@options
def rank_cmd(province: str, indicator: str, period: str | None, edition: str,
             out: Path | None, weights: str | None, permutations: int) -> None:
    """Xếp hạng xã cần tập trung, có giải thích. / Ranked target communes with reasons."""
    from geo.errors import ValidationError
    from geo.services.analysis import RankRequest, rank, write_ranking

    o = ctx_obj()
    pairs: list[tuple[str, float]] = []
    for part in (weights.split(",") if weights else []):
        if not part.strip():
            continue
        k, eq, v = part.partition("=")
        if not eq:
            raise ValidationError(
                f"'{part.strip()}' thiếu dấu '=': ghi dạng tiêu_chí=trọng_số, vd. rate=0.4.",
                f"'{part.strip()}' has no '=': write criterion=weight, e.g. rate=0.4.",
                column="weights")
        try:
            pairs.append((k.strip(), float(v)))
        except ValueError:
            raise ValidationError(f"Trọng số '{v}' của {k} không phải là số.",
                                  f"Weight '{v}' of {k} is not a number.",
                                  column="weights") from None
    req = RankRequest(province, indicator, period, edition, "rate", permutations,
                      weights=tuple(pairs))
    with progress_bar(t("Xếp hạng", "Ranking")) as cb:
        res = rank(req, principal(), db(), lang=o["lang"], progress=cb)
    if not o["json"]:  # what was ranked, first (with --json it is in the output)
        click.echo(t("Xếp hạng: ", "Ranking: ") + res.about(o["lang"]), err=True)
    for n in res.notes:
        click.echo(n, err=True)
    if out is not None and out.suffix.lower() in (".csv", ".xlsx", ".geojson"):
        write_ranking(res, out, o["lang"])
        if o["json"]:
            emit_json({"ok": True, "file": str(out), "rows": len(res.table),
                       **{k: v for k, v in res.to_dict().items() if k != "communes"}})
        else:
            click.echo(t(f"Đã ghi {len(res.table)} xã vào {out}.",
                         f"Wrote {len(res.table)} communes to {out}."))
        return
    if o["json"]:
        emit_json(res.to_dict())
        return
    cols = ["rank", "code", "name", "score", "flag_label", "explanation"]
    _write(res.table[cols].assign(score=res.table.score.round(1)).head(25), out)


@analyze.command("access")
@_common
@click.option("--dem", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="DEM GeoTIFF cho chi phí đi lại theo địa hình / terrain DEM.")
@options
def access_cmd(province: str, indicator: str, period: str | None, edition: str,
               out: Path | None, dem: Path | None) -> None:
    """Khoảng cách đến cơ sở gần nhất theo loại. / Distance to the nearest facility by type."""
    from geo.services.analysis import AccessRequest, access

    with progress_bar(t("Khả năng tiếp cận", "Access")) as cb:
        gdf = access(AccessRequest(province, edition, str(dem) if dem else None), principal(),
                     db(), progress=cb)
    num = [c for c in gdf.columns if c.endswith("_km")]
    gdf[num] = gdf[num].round(2)
    _write(gdf, out)
