"""``diaban backup FILE`` and ``diaban restore FILE``."""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli.common import acting_user, ctx_obj, emit_json, options, progress_bar, t


def register(cli: click.Group) -> None:
    """Add ``backup`` and ``restore``."""
    cli.add_command(backup_cmd)
    cli.add_command(restore_cmd)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@options
def backup_cmd(file: Path) -> None:
    """Sao lưu toàn bộ dữ liệu vào tệp .zip. / Back up all data to a .zip file.

    Định dạng dùng được cho cả SQLite và PostgreSQL. Tệp chứa dữ liệu nhạy cảm
    (kể cả mã băm mật khẩu): chỉ người quản trị được đọc. / Portable between SQLite
    and PostgreSQL. The file holds sensitive data (password hashes too): it is
    readable by its owner only.
    """
    from geo.backup import backup

    o = ctx_obj()
    user = acting_user("backup")
    with progress_bar(t("Sao lưu", "Backing up")) as cb:
        m = backup(o["db"], file, user=user, progress=cb)
    rows = {k: v["rows"] for k, v in m["tables"].items()}
    if o["json"]:
        emit_json({"ok": True, "file": str(file), "revision": m["revision"], "tables": rows})
    else:
        click.echo(t(f"Đã sao lưu {sum(rows.values())} dòng của {len(rows)} bảng vào {file} "
                     f"(lược đồ {m['revision']}).",
                     f"Backed up {sum(rows.values())} rows of {len(rows)} tables to {file} "
                     f"(schema {m['revision']})."))


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@options
def restore_cmd(file: Path) -> None:
    """Phục hồi bản sao lưu vào một CSDL mới, trống. / Restore a backup into a new, empty DB.

    Không bao giờ ghi đè hay xóa dữ liệu đang có: CSDL đích phải trống. / Never
    overwrites or deletes data: the target database must be empty.
    """
    from geo.backup import restore

    o = ctx_obj()
    # The target must be empty, so it has no accounts yet: the local administrator.
    user = acting_user("backup")
    with progress_bar(t("Phục hồi", "Restoring")) as cb:
        res = restore(file, o["db"], user=user, progress=cb)
    if o["json"]:
        emit_json({"ok": True, **res})
    else:
        click.echo(t(f"Đã phục hồi {sum(res['tables'].values())} dòng từ {file} "
                     f"(lược đồ hiện tại {res['schema']}).",
                     f"Restored {sum(res['tables'].values())} rows from {file} "
                     f"(schema now {res['schema']})."))
