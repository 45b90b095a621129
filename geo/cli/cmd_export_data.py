"""``diaban export indicators|boundaries|assessment``: stored data written back out."""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli.common import ctx_obj, db, emit_json, lang, options, progress_bar, t
from geo.cli.groups import export_group
from geo.cli.identity import principal


def register(cli: click.Group) -> None:
    """Add the data exports to ``diaban export``."""
    grp = export_group(cli)
    grp.add_command(export_indicators_cmd)
    grp.add_command(export_boundaries_cmd)
    grp.add_command(export_assessment_cmd)


@click.command("indicators")
@click.option("--province", "-p", required=True)
@click.option("--edition", type=click.Choice(["legacy", "2025"]), default=None,
              help="Mặc định: số liệu ghi nhận trên cả hai / default: as recorded.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@options
def export_indicators_cmd(province: str, edition: str | None, out: Path) -> None:
    """Xuất số liệu đã lưu (bảng dài CSV). / Export stored figures (long CSV)."""
    from geo.services.exports import IndicatorsExportRequest, export_indicators

    req = IndicatorsExportRequest(province, out, edition, lang())
    who = principal()
    with progress_bar(t("Xuất số liệu", "Exporting figures")) as cb:
        res = export_indicators(req, who, db(), progress=cb)
    if ctx_obj()["json"]:
        emit_json(res.to_dict())
    else:
        click.echo(t(f"Đã ghi {res.rows} dòng vào {res.file}.",
                     f"Wrote {res.rows} rows to {res.file}."))


@click.command("boundaries")
@click.option("--province", "-p", required=True)
@click.option("--edition", type=click.Choice(["legacy", "2025"]), default="2025",
              show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@options
def export_boundaries_cmd(province: str, edition: str, out: Path) -> None:
    """Xuất ranh giới đã lưu (WGS84). / Export stored boundaries (WGS84)."""
    from geo.services.exports import BoundariesExportRequest, export_boundaries

    req = BoundariesExportRequest(province, out, edition, lang())
    who = principal()
    with progress_bar(t("Xuất ranh giới", "Exporting boundaries")) as cb:
        res = export_boundaries(req, who, db(), progress=cb)
    if ctx_obj()["json"]:
        emit_json(res.to_dict())
    else:
        click.echo(t(f"Đã ghi {res.features} xã vào {res.file}.",
                     f"Wrote {res.features} communes to {res.file}."))


@click.command("assessment")
@click.option("--province", "-p", required=True)
@click.option("--year", required=True, help="Năm đánh giá / assessment year (vd. 2026).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp .xlsx (mẫu trình UBND tỉnh) hoặc .pdf (hai bản đồ và danh sách) / "
                   ".xlsx (the annex) or .pdf (both maps and the list).")
@click.option("--size", type=click.Choice(["A4", "A3"]), default="A4", show_default=True,
              help="Khổ giấy của PDF / paper of the PDF.")
@options
def export_assessment_cmd(province: str, year: str, out: Path, size: str) -> None:
    """Danh sách QĐ 28/2025 của năm (XLSX, hoặc PDF kèm bản đồ). / The QĐ 28 list (XLSX/PDF)."""
    from geo.services.exports import AssessmentListExportRequest, export_assessment_list

    req = AssessmentListExportRequest(province, year, out, lang(), size)
    who = principal()
    with progress_bar(t("Xuất danh sách", "Exporting the list")) as cb:
        res = export_assessment_list(req, who, db(), progress=cb)
    if ctx_obj()["json"]:
        emit_json(res.to_dict())
    else:
        click.echo(t(f"Đã ghi danh sách {res.rows} xã vào {res.file}.",
                     f"Wrote the list of {res.rows} communes to {res.file}."))
