"""Command groups shared by several command modules (e.g. ``export``)."""

from __future__ import annotations

import click


def shared_group(cli: click.Group, name: str, help_text: str) -> click.Group:
    """Return the group ``name`` of the CLI, creating it on first use."""
    grp = cli.commands.get(name)
    if grp is None:
        grp = click.Group(name, help=help_text)
        cli.add_command(grp)
    return grp  # type: ignore[return-value]


def export_group(cli: click.Group) -> click.Group:
    """The ``diaban export`` group (maps, briefs, data)."""
    return shared_group(cli, "export",
                        "Xuất bản đồ, báo cáo, dữ liệu. / Export maps, briefs, data.")


def import_group(cli: click.Group) -> click.Group:
    """The ``diaban import`` group."""
    return shared_group(cli, "import", "Nhập dữ liệu (mọi lần nhập đều hoàn tác được). / "
                                       "Import data (every import can be undone).")
