"""``diaban analyze hotspots|emerging|classify|assess|rank|access``."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from geo.cli.common import ctx_obj, db, emit_json, options, progress_bar, t
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
@_common
@click.option("--rules", "rules", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Tệp JSON ngưỡng riêng của tỉnh / province overrides.")
@options
def classify_cmd(province: str, indicator: str, period: str | None, edition: str,
                 out: Path | None, rules: Path | None) -> None:
    """Phân loại địa bàn theo QĐ 28/2025/QĐ-TTg. / QĐ 28/2025 classification."""
    from geo.services.classification import ClassifyRequest, classify, load_overrides

    o = ctx_obj()
    overrides = tuple(sorted(load_overrides(rules).items())) if rules else ()
    df = classify(ClassifyRequest(province, period, edition, overrides), principal(), db(),
                  o["lang"])
    _write(df, out)


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
