"""``diaban export map|multiples|brief``: briefing figures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from geo.cli.common import ctx_obj, db, emit_json, lang, options, progress_bar, t
from geo.cli.groups import export_group
from geo.cli.identity import principal
from geo.vocab import SCHEMES

if TYPE_CHECKING:
    from geo.services.exports import ExportResult


def register(cli: click.Group) -> None:
    """Add the figure exports to ``diaban export``."""
    grp = export_group(cli)
    grp.add_command(map_cmd)
    grp.add_command(multiples_cmd)
    grp.add_command(brief_cmd)


def _map_options(f):  # noqa: ANN001, ANN202 - click decorator stack
    for opt in reversed([
        click.option("--province", "-p", required=True, help="Tỉnh / province."),
        click.option("--indicator", "-i", default="registered_addicts", show_default=True),
        click.option("--period", required=True, help="Kỳ / period (vd. 2024-H2)."),
        click.option("--edition", type=click.Choice(["legacy", "2025"]), default="legacy",
                     show_default=True),
        click.option("--measure", type=click.Choice(["count", "rate"]), default="count",
                     show_default=True, help="Số lượng hoặc tỷ lệ/10.000 / count or rate."),
        click.option("--layers", default="hotspots,facilities", show_default=True,
                     help="hotspots,facilities,districts"),
        click.option("--size", type=click.Choice(["A4", "A3"]), default="A4", show_default=True),
        click.option("--orientation", type=click.Choice(["portrait", "landscape"]),
                     default="portrait", show_default=True),
        click.option("--dpi", type=int, default=300, show_default=True,
                     help="Độ phân giải PNG (50–1200) / PNG resolution (50–1200)."),
        click.option("--scheme", type=click.Choice(list(SCHEMES.ids)), default="quantiles",
                     show_default=True),
        click.option("--classes", "k", type=int, default=5, show_default=True),
        click.option("--suppress-below", type=int, default=None,
                     help="Ẩn giá trị nhỏ hơn N (hiện '< N') / hide small counts."),
        click.option("--out", "out", required=True,
                     type=click.Path(dir_okay=False, path_type=Path)),
    ]):
        f = opt(f)
    return f


def _request(cls: type, **kw: object) -> object:
    """The service request of the map commands' options."""
    return cls(kw["province"], kw["indicator"], kw["period"], kw["out"], kw["edition"],
               kw["measure"], kw["layers"], kw["size"], kw["orientation"], kw["dpi"], lang(),
               kw["scheme"], kw["k"], kw["suppress_below"])


def _done(res: ExportResult) -> None:
    if ctx_obj()["json"]:
        emit_json(res.to_dict())
    else:
        click.echo(t(f"Đã xuất {res.file}", f"Exported {res.file}"))


@click.command("map")
@_map_options
@options
def map_cmd(**kw: object) -> None:
    """Xuất bản đồ PNG/PDF/SVG/HTML. / Export a map figure (PNG/PDF/SVG/HTML)."""
    from geo.services.exports import MapExportRequest, export_map

    req = _request(MapExportRequest, **kw)
    who = principal()
    with progress_bar(t("Xuất bản đồ", "Exporting map")) as cb:
        res = export_map(req, who, db(), progress=cb)
    _done(res)


@click.command("multiples")
@_map_options
@options
def multiples_cmd(**kw: object) -> None:
    """Một chỉ tiêu qua mọi kỳ trên một trang. / One indicator across all periods, one page."""
    from geo.services.exports import MultiplesRequest, export_small_multiples

    req = _request(MultiplesRequest, **kw)
    who = principal()
    with progress_bar(t("Xuất bản đồ", "Exporting")) as cb:
        res = export_small_multiples(req, who, db(), progress=cb)
    _done(res)


@click.command("brief")
@click.option("--province", "-p", required=True)
@click.option("--period", required=True)
@click.option("--indicator", "-i", default="registered_addicts", show_default=True)
@click.option("--size", type=click.Choice(["A4", "A3"]), default="A4", show_default=True)
@click.option("--suppress-below", type=int, default=None)
@click.option("--measure", type=click.Choice(["rate", "count"]), default="rate",
              show_default=True, help="Bản đồ tỷ lệ hay số lượng / map rates or counts")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@options
def brief_cmd(province: str, period: str, indicator: str, size: str,
              suppress_below: int | None, measure: str, out: Path) -> None:
    """Báo cáo tóm tắt PDF: bản đồ, tiến độ, chỉ tiêu. / Briefing pack PDF."""
    from geo.services.exports import BriefRequest, export_brief

    req = BriefRequest(province, period, out, indicator, lang=lang(), size=size,
                       suppress_below=suppress_below, measure=measure)
    who = principal()
    with progress_bar(t("Xuất báo cáo", "Exporting brief")) as cb:
        res = export_brief(req, who, db(), progress=cb)
    _done(res)
