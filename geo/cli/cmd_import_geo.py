"""``diaban import boundaries|incidents|facilities|hotspots|population``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from geo.cli.common import ctx_obj, db, echo_table, emit_json, options, progress_bar, t
from geo.cli.groups import import_group
from geo.cli.identity import principal
from geo.io.boundaries import ENCODING_CHOICES, GAP_COLUMN, OVERLAP_COLUMN

if TYPE_CHECKING:
    from geo.services.imports import ImportResult

_METHODS_VI = {"code": "theo mã", "exact": "đúng tên", "normalized": "tên chuẩn hóa",
               "ascii": "tên không dấu", "fuzzy": "gần đúng", "chosen": "người dùng chọn",
               "ambiguous": "nhiều khả năng", "duplicate": "trùng xã", "none": "không khớp"}


def register(cli: click.Group) -> None:
    """Add the geographic import commands to ``diaban import``."""
    imp = import_group(cli)
    for cmd in (boundaries_cmd, incidents_cmd, facilities_cmd, hotspots_cmd, population_cmd):
        imp.add_command(cmd)


@click.command("boundaries")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--province", "-p", required=True, help="Tỉnh / province.")
@click.option("--crs", default=None, help="Hệ tọa độ của tệp, vd. EPSG:9206 / file CRS.")
@click.option("--accept-guess", is_flag=True,
              help="Chấp nhận hệ tọa độ diaban đoán / accept the guessed CRS.")
@click.option("--edition", type=click.Choice(["legacy", "2025"]), default=None,
              help="Danh mục đối chiếu (mặc định: danh mục khớp nhiều hơn) / registry edition.")
@click.option("--skip-unmatched", is_flag=True,
              help="Bỏ qua đối tượng không khớp hoặc sai vị trí / skip unmatched or misplaced "
                   "features.")
@click.option("--encoding", type=click.Choice(list(ENCODING_CHOICES), case_sensitive=False),
              default=None, help="Bảng mã chữ của bảng thuộc tính khi diaban không tự nhận ra / "
                                 "text encoding of the attributes when detection cannot tell.")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không lưu / validate only.")
@options
def boundaries_cmd(file: Path, province: str, crs: str | None, accept_guess: bool,
                   edition: str | None, skip_unmatched: bool, encoding: str | None,
                   dry_run: bool) -> None:
    """Nhập ranh giới xã chính thức. / Import official commune boundaries."""
    from geo.services.imports import BoundariesRequest, import_file

    o = ctx_obj()
    if crs and accept_guess:
        raise click.UsageError(t("Dùng --crs hoặc --accept-guess, không dùng cả hai.",
                                 "Use --crs or --accept-guess, not both."))
    req = BoundariesRequest(file, province, crs=crs, accept_guess=accept_guess, edition=edition,
                            skip_unmatched=skip_unmatched, encoding=encoding)
    with progress_bar(t("Nhập ranh giới", "Importing boundaries")) as cb:
        res = import_file(req, principal(), db(), progress=cb, dry_run=dry_run)
    if o["json"]:
        emit_json({"ok": True, **res.to_dict()})
        return
    rd = res.read
    origin = {"file": t("ghi trong tệp", "declared in the file"),
              "given": t("do người dùng chỉ định", "given by the user"),
              "guess": t("đoán và được chấp nhận", "guessed and accepted")}[rd.crs_origin]
    click.echo(t(f"Hệ tọa độ: {rd.source_crs} ({origin}).", f"CRS: {rd.source_crs} ({origin})."))
    if rd.crs_origin == "guess" and rd.guesses:
        click.echo("  " + t(rd.guesses[0]["reason_vi"], rd.guesses[0]["reason_en"]))
    if rd.encodings:
        click.echo(t("Chuyển mã chữ: ", "Text converted: ") + ", ".join(
            f"{c} ({e})" for c, e in rd.encodings.items()))
    click.echo(t(f"Hình học đã sửa: {len(rd.repaired)}; chồng lấn > 0,1 ha: {len(rd.overlaps)}; "
                 f"khe hở > 0,1 ha: {len(rd.gaps)}.",
                 f"Geometries repaired: {len(rd.repaired)}; overlaps > 0.1 ha: "
                 f"{len(rd.overlaps)}; gaps > 0.1 ha: {len(rd.gaps)}."))
    for n in res.notes:  # what the file said wrongly, the edition chosen, repairs
        if n.column not in (OVERLAP_COLUMN, GAP_COLUMN):
            click.echo("  - " + n.message(o["lang"]))
    for p in res.skipped:
        click.echo("  - " + p.message(o["lang"]))
    rep = res.report.copy()
    rep["how"] = rep.method.map(lambda m: _METHODS_VI.get(m, m) if o["lang"] == "vi" else m)
    rep["score"] = rep.score.map(lambda s: f"{s:.0f}")
    rep["where"] = [_where(p, d, o["lang"]) for p, d in zip(rep.placement, rep.distance_km)]
    echo_table(rep.to_dict("records"),
               [("feature", "#"), ("name", t("Tên trong tệp", "Name in file")),
                ("district", t("Huyện", "District")), ("code", t("Mã", "Code")),
                ("matched_name", t("Khớp với", "Matched")), ("how", t("Cách khớp", "How")),
                ("score", t("Điểm", "Score")), ("where", t("Vị trí", "Position")),
                ("status", t("Kết quả", "Status"))])
    counts = rep.status.value_counts().to_dict()
    summary = t(f"Khớp {counts.get('matched', 0)}, bỏ qua {counts.get('skipped', 0)} "
                f"(danh mục {res.edition}).",
                f"Matched {counts.get('matched', 0)}, skipped {counts.get('skipped', 0)} "
                f"({res.edition} registry).")
    if res.already_imported:
        click.echo(summary + " " + t(
            f"Tệp này đã được nhập (lần nhập số {res.batch_id}); không thay đổi gì.",
            f"This file was already imported (batch {res.batch_id}); nothing changed."))
    elif res.dry_run:
        click.echo(summary + " " + t("Chưa lưu (--dry-run).", "Not stored (--dry-run)."))
    else:
        click.echo(summary + " " + t(
            f"Đã lưu {res.stored} ranh giới (lần nhập số {res.batch_id}). Hoàn tác: "
            f"diaban import undo {res.batch_id}",
            f"Stored {res.stored} boundaries (batch {res.batch_id}). Undo: "
            f"diaban import undo {res.batch_id}"))
    superseded_note(res)


def superseded_note(res: ImportResult) -> None:
    """Say which earlier imports of the same file this one replaced (or would replace)."""
    if not res.superseded or res.already_imported:
        return
    ids = ", ".join(str(b) for b in res.superseded)
    if res.dry_run:
        click.echo(t(f"Tệp này đã được nhập (lần nhập số {ids}) với tùy chọn khác cho kết quả "
                     "khác; lưu lần này sẽ thay thế lần đó.",
                     f"This file was imported before (batch {ids}) with other options giving "
                     "another result; storing it now will replace that import."))
    else:
        click.echo(t(f"Lần nhập này thay thế lần nhập số {ids} của cùng tệp (tùy chọn khác): "
                     f"lần {ids} đã được hoàn tác.",
                     f"This import replaces batch {ids} of the same file (other options): "
                     f"batch {ids} was undone."))


def _where(placement: object, km: object, lang: str) -> str:
    """The report's position column: ``đúng`` or why not, with the distance."""
    from geo.i18n import fmt_number

    if km is None or km != km:
        return ""
    d = fmt_number(round(float(km), 1), lang, 1) + " km"
    if placement is None or placement != placement:
        return ("đúng" if lang == "vi" else "ok") + f" ({d})"
    what = {"far": ("xa", "far"), "outside": ("ngoài tỉnh/huyện", "outside"),
            "area": ("diện tích sai", "area")}.get(str(placement), (str(placement),) * 2)
    return (what[0] if lang == "vi" else what[1]) + f" ({d})"


def _simple_result(res: ImportResult, what_vi: str, what_en: str) -> None:
    o = ctx_obj()
    if o["json"]:
        emit_json({"ok": True, **res.to_dict()})
        return
    if res.already_imported:
        click.echo(t(f"Tệp này đã được nhập (lần nhập số {res.batch_id}); không thay đổi gì.",
                     f"This file was already imported (batch {res.batch_id}); nothing changed."))
        return
    rows = len({p.row for p in res.skipped})
    if rows:
        click.echo(t(f"Bỏ qua {rows} dòng lỗi (--skip-invalid):",
                     f"Skipped {rows} bad rows (--skip-invalid):"))
    for p in res.skipped[:50]:
        click.echo("  - " + p.message(o["lang"]))
    if len(res.skipped) > 50:
        click.echo(t(f"  … và {len(res.skipped) - 50} lỗi khác",
                     f"  … and {len(res.skipped) - 50} more"))
    click.echo(t(f"Đã lưu {res.stored} {what_vi} (lần nhập số {res.batch_id}). Hoàn tác: "
                 f"diaban import undo {res.batch_id}",
                 f"Stored {res.stored} {what_en} (batch {res.batch_id}). Undo: "
                 f"diaban import undo {res.batch_id}"))
    superseded_note(res)


@click.command("incidents")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--province", "-p", required=True)
@click.option("--crs", default=None,
              help="Hệ tọa độ của cột x/y (mặc định VN-2000 TM-3 của tỉnh) / CRS of x/y.")
@click.option("--period-kind", type=click.Choice(["H", "Q", "Y"]), default="H",
              show_default=True, help="Kỳ: 6 tháng, quý, năm / half-year, quarter, year.")
@click.option("--skip-invalid", is_flag=True,
              help="Bỏ qua (và liệt kê) dòng lỗi / skip (and list) bad rows.")
@options
def incidents_cmd(file: Path, province: str, crs: str | None, period_kind: str,
                  skip_invalid: bool) -> None:
    """Đếm vụ việc theo xã và kỳ. / Count incidents per commune and period."""
    from geo.services.imports import IncidentsRequest, import_file

    req = IncidentsRequest(file, province, crs=crs, period_kind=period_kind,
                           skip_invalid=skip_invalid)
    with progress_bar(t("Nhập vụ việc", "Importing incidents")) as cb:
        res = import_file(req, principal(), db(), progress=cb)
    _simple_result(res, "số liệu vụ việc", "incident counts")


@click.command("facilities")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--province", "-p", required=True)
@options
def facilities_cmd(file: Path, province: str) -> None:
    """Nhập danh sách cơ sở. / Import facilities."""
    from geo.services.imports import FacilitiesRequest, import_file

    res = import_file(FacilitiesRequest(file, province), principal(), db())
    _simple_result(res, "cơ sở", "facilities")


@click.command("hotspots")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--province", "-p", required=True)
@options
def hotspots_cmd(file: Path, province: str) -> None:
    """Nhập danh sách địa bàn trọng điểm. / Import hotspot designations."""
    from geo.services.imports import HotspotsRequest, import_file

    res = import_file(HotspotsRequest(file, province), principal(), db())
    _simple_result(res, "địa bàn trọng điểm", "hotspot communes")


@click.command("population")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--province", "-p", required=True)
@click.option("--year", type=int, required=True)
@click.option("--edition", type=click.Choice(["legacy", "2025"]), default=None)
@options
def population_cmd(file: Path, province: str, year: int, edition: str | None) -> None:
    """Tổng dân số theo xã từ ảnh GeoTIFF. / Population per commune from a GeoTIFF."""
    from geo.services.imports import PopulationRequest, import_file

    req = PopulationRequest(file, province, year=year, edition=edition)
    with progress_bar(t("Tính dân số", "Summing population")) as cb:
        res = import_file(req, principal(), db(), progress=cb)
    _simple_result(res, "số liệu dân số", "population figures")


__all__ = ["register", "echo_table", "superseded_note"]
