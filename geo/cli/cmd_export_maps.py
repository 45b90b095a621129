"""``diaban export map|multiples|brief``: briefing figures."""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli.common import acting_user, ctx_obj, emit_json, options, progress_bar, t
from geo.cli.groups import export_group


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
        click.option("--dpi", type=int, default=300, show_default=True),
        click.option("--scheme", type=click.Choice(["quantiles", "natural_breaks",
                                                    "equal_interval"]), default="quantiles",
                     show_default=True),
        click.option("--classes", "k", type=int, default=5, show_default=True),
        click.option("--suppress-below", type=int, default=None,
                     help="Ẩn giá trị nhỏ hơn N (hiện '< N') / hide small counts."),
        click.option("--out", "out", required=True,
                     type=click.Path(dir_okay=False, path_type=Path)),
    ]):
        f = opt(f)
    return f


def _request(**kw):  # noqa: ANN003, ANN202
    from layers.exports import MapRequest

    o = ctx_obj()
    acting_user("export", kw["province"])
    layers = tuple(x.strip() for x in kw["layers"].split(",") if x.strip())
    return MapRequest(kw["province"], kw["indicator"], kw["period"], kw["edition"],
                      kw["measure"], layers, kw["size"], kw["orientation"], kw["dpi"], o["lang"],
                      kw["scheme"], kw["k"], kw["suppress_below"])


def _done(out: Path) -> None:
    o = ctx_obj()
    if o["json"]:
        emit_json({"ok": True, "file": str(out), "bytes": out.stat().st_size})
    else:
        click.echo(t(f"Đã xuất {out}", f"Exported {out}"))


@click.command("map")
@_map_options
@options
def map_cmd(**kw: object) -> None:
    """Xuất bản đồ PNG/PDF/SVG/HTML. / Export a map figure (PNG/PDF/SVG/HTML)."""
    from layers.exports import export_map

    out = kw["out"]
    req = _request(**kw)
    with progress_bar(t("Xuất bản đồ", "Exporting map")):
        export_map(ctx_obj()["db"], req, out)
    _done(out)


@click.command("multiples")
@_map_options
@options
def multiples_cmd(**kw: object) -> None:
    """Một chỉ tiêu qua mọi kỳ trên một trang. / One indicator across all periods, one page."""
    from layers.exports import export_small_multiples

    out = kw["out"]
    req = _request(**kw)
    with progress_bar(t("Xuất bản đồ", "Exporting")):
        export_small_multiples(ctx_obj()["db"], req, out)
    _done(out)


@click.command("brief")
@click.option("--province", "-p", required=True)
@click.option("--period", required=True)
@click.option("--indicator", "-i", default="registered_addicts", show_default=True)
@click.option("--size", type=click.Choice(["A4", "A3"]), default="A4", show_default=True)
@click.option("--suppress-below", type=int, default=None)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@options
def brief_cmd(province: str, period: str, indicator: str, size: str,
              suppress_below: int | None, out: Path) -> None:
    """Báo cáo tóm tắt PDF: bản đồ, tiến độ, chỉ tiêu. / Briefing pack PDF."""
    from layers.exports import export_brief

    o = ctx_obj()
    acting_user("export", province)
    with progress_bar(t("Xuất báo cáo", "Exporting brief")):
        export_brief(o["db"], province, period, out, indicator, lang=o["lang"], size=size,
                     suppress_below=suppress_below)
    _done(out)
