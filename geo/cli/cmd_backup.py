"""``diaban backup FILE`` and ``diaban restore FILE``."""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli.common import ctx_obj, emit_json, options, progress_bar, t
from geo.cli.identity import principal


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
    from geo.services.backup import BackupRequest, backup

    o = ctx_obj()
    who = principal()
    with progress_bar(t("Sao lưu", "Backing up")) as cb:
        res = backup(BackupRequest(file), who, o["db"], progress=cb)
    if o["json"]:
        emit_json({"ok": True, "file": str(file), "revision": res.revision,
                   "tables": res.tables})
    else:
        click.echo(t(f"Đã sao lưu {res.rows} dòng của {len(res.tables)} bảng vào {file} "
                     f"(lược đồ {res.revision}).",
                     f"Backed up {res.rows} rows of {len(res.tables)} tables to {file} "
                     f"(schema {res.revision})."))


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@options
def restore_cmd(file: Path) -> None:
    """Phục hồi bản sao lưu vào một CSDL mới, trống. / Restore a backup into a new, empty DB.

    Không bao giờ ghi đè hay xóa dữ liệu đang có: CSDL đích phải trống. / Never
    overwrites or deletes data: the target database must be empty.
    """
    from geo.services.backup import RestoreRequest, restore

    o = ctx_obj()
    # The target must be empty, so it has no accounts yet: the local administrator.
    who = principal()
    with progress_bar(t("Phục hồi", "Restoring")) as cb:
        res = restore(RestoreRequest(file), who, o["db"], progress=cb)
    if o["json"]:
        emit_json({"ok": True, "tables": res.tables, "revision": res.revision,
                   "schema": res.schema})
    else:
        click.echo(t(f"Đã phục hồi {res.rows} dòng từ {file} "
                     f"(lược đồ hiện tại {res.schema}).",
                     f"Restored {res.rows} rows from {file} "
                     f"(schema now {res.schema})."))
