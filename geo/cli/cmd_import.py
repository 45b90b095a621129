"""``diaban import …``."""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli.cmd_import_geo import superseded_note
from geo.cli.common import (
    ask_first,
    ctx_obj,
    db,
    echo_table,
    emit_json,
    options,
    progress_bar,
    t,
)
from geo.cli.groups import import_group
from geo.cli.identity import principal


def register(cli: click.Group) -> None:
    """Add the import commands (the data exports are in :mod:`geo.cli.cmd_export_data`)."""
    imp = import_group(cli)
    imp.add_command(import_indicators_cmd)
    imp.add_command(template_cmd)
    imp.add_command(history_cmd)
    imp.add_command(undo_cmd)


@click.command("indicators")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--province", "-p", default=None, help="Tỉnh (để khớp tên xã) / province.")
@click.option("--period", default=None, help="Kỳ nếu tệp không ghi / period if not in the file.")
@click.option("--mapping", "mapping", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp ánh xạ cột → chỉ tiêu, tên → mã xã của báo cáo tỉnh (JSON, trang Dữ "
                   "liệu lưu được) / report-sheet mapping file.")
@click.option("--write-mapping", "write_mapping", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Ghi cách diaban đọc báo cáo này ra tệp ánh xạ để sửa / write how the "
                   "sheet was read to a mapping file to edit.")
@click.option("--accept-matches", is_flag=True,
              help="Nhận các tên xã khớp gần đúng như đã liệt kê / accept approximate "
                   "commune-name matches as listed.")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không lưu / validate only.")
@options
def import_indicators_cmd(file: Path, province: str | None, period: str | None,
                          mapping: Path | None, write_mapping: Path | None,
                          accept_matches: bool, dry_run: bool) -> None:
    """Nhập số liệu xã (CSV/XLSX, cả báo cáo 6 tháng/năm của tỉnh). / Import commune
    figures (CSV/XLSX, the province's own report sheets too).
    """
    from geo.services.imports import IndicatorsRequest, import_file, preview

    o = ctx_obj()
    req = IndicatorsRequest(file, province=province, period=period, mapping=mapping,
                            accept_matches=accept_matches)
    if write_mapping is not None:
        with progress_bar(t("Đọc báo cáo", "Reading the sheet")) as cb:
            prep = preview(req, principal(), db(), progress=cb)
        if prep.sheet is None:
            raise click.UsageError(t(
                "Tệp có cột mã xã (mẫu của diaban hoặc bảng dài): không cần ánh xạ.",
                "The file has a commune-code column (diaban's template or a long table): "
                "no mapping is needed."))
        write_mapping.write_text(prep.sheet.mapping().to_json(), encoding="utf-8")
        if o["json"]:
            emit_json({"ok": True, "mapping": str(write_mapping),
                       **prep.sheet.mapping().to_dict()})
        else:
            unknown = [c.header for c in prep.sheet.columns if c.role == "unknown"]
            click.echo(t(f"Đã ghi ánh xạ vào {write_mapping}", f"Mapping written to "
                         f"{write_mapping}") + (t(
                             f"; {len(unknown)} cột chưa nhận ra (ghi \"?\"): thay bằng mã chỉ "
                             "tiêu (hoặc null để bỏ qua cột) rồi chạy lại với --mapping.",
                             f"; {len(unknown)} columns not recognised (written \"?\"): "
                             "replace with indicator ids (or null to ignore the column), then "
                             "run again with --mapping.")
                             if unknown else "."))
        return
    with progress_bar(t("Nhập số liệu", "Importing")) as cb:
        res = import_file(req, principal(), db(), progress=cb, dry_run=dry_run)
    if o["json"]:
        emit_json({"ok": True, **res.to_dict()})
        return
    for n in res.notes:
        click.echo("  - " + n.message(o["lang"]))
    if res.already_imported:
        click.echo(t(f"Tệp này đã được nhập (lần nhập số {res.batch_id}); không thay đổi gì.",
                     f"This file was already imported (batch {res.batch_id}); nothing changed."))
    elif res.dry_run:
        click.echo(t(f"Tệp hợp lệ: {res.rows} số liệu. (Chưa lưu — bỏ --dry-run để lưu.)",
                     f"File is valid: {res.rows} figures. (Not stored — drop --dry-run.)"))
    else:
        click.echo(t(f"Đã lưu {res.rows} số liệu (lần nhập số {res.batch_id}). Hoàn tác: "
                     f"diaban import undo {res.batch_id}",
                     f"Stored {res.rows} figures (batch {res.batch_id}). Undo: "
                     f"diaban import undo {res.batch_id}"))
    superseded_note(res)


@click.command("template")
@click.option("--province", "-p", required=True, help="Tỉnh / province.")
@click.option("--period", required=True, help="Kỳ báo cáo / period (vd. 2025-H2).")
@click.option("--edition", type=click.Choice(["legacy", "2025"]), default=None)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@options
def template_cmd(province: str, period: str, edition: str | None, out: Path) -> None:
    """Tạo mẫu nhập liệu XLSX. / Write an XLSX data-entry template."""
    from geo.services.imports import TemplateRequest, write_template

    o = ctx_obj()
    # A template holds only the public units registry: no login needed (as before).
    res = write_template(TemplateRequest(province, period, out, edition=edition,
                                         lang=o["lang"]))
    if o["json"]:
        emit_json({"ok": True, **res.to_dict()})
    else:
        click.echo(t(f"Đã tạo mẫu: {res.file}", f"Template written: {res.file}"))


@click.command("history")
@click.option("--province", "-p", default=None)
@click.option("--all", "everything", is_flag=True,
              help="Cả các thay đổi danh sách QĐ 28 (danh sách, phê duyệt, cài đặt, tuyến) / "
                   "the QĐ 28 list's changes too.")
@options
def history_cmd(province: str | None, everything: bool) -> None:
    """Lịch sử các lần nhập. / Import history."""
    from geo.services.history import HistoryRequest, history

    o = ctx_obj()
    res = history(HistoryRequest(province, data_only=not everything), principal(), db())
    if o["json"]:
        emit_json(res.records())
    else:
        echo_table(res.labelled(o["lang"]).to_dict("records"),
                   [("id", t("Số", "No.")), ("kind", t("Loại", "Kind")),
                    ("file", t("Tệp", "File")), ("user", t("Người nhập", "User")),
                    ("created_at", t("Thời gian (UTC)", "Time (UTC)")),
                    ("rows", t("Dòng", "Rows")), ("status", t("Tình trạng", "Status"))])
        if res.base:
            click.echo(t("Dữ liệu minh họa nạp ban đầu không hoàn tác như một lần nhập; dựng "
                         "lại bằng: diaban demo --reset",
                         "The demo's base load is not undone like an import; rebuild it "
                         "with: diaban demo --reset"))


@click.command("undo")
@click.argument("batch", type=int)
@click.option("--yes", is_flag=True, help="Không hỏi lại / do not ask for confirmation.")
@options
def undo_cmd(batch: int, yes: bool) -> None:
    """Hoàn tác một lần nhập, hỏi trước. / Undo an import batch, asking first."""
    from geo.services.history import UndoRequest, undo, undo_preview

    o = ctx_obj()
    who = principal()
    ask_first(undo_preview(UndoRequest(batch), who, db()).message(o["lang"]), yes)
    res = undo(UndoRequest(batch), who, db())
    if o["json"]:
        emit_json({"ok": True, **res.to_dict()})
    else:
        click.echo(t(f"Đã hoàn tác lần nhập số {batch} ({res.values} số liệu, "
                     f"{res.boundaries} ranh giới); số liệu trước đó được khôi phục.",
                     f"Undid batch {batch} ({res.values} figures, {res.boundaries} "
                     "boundaries); earlier values are current again."))
