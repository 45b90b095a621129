"""Command groups shared by several command modules (e.g. ``export``)."""

from __future__ import annotations

import click


def shared_group(cli: click.Group, name: str, help_text: str,
                 callback: object = None) -> click.Group:
    """Return the group ``name`` of the CLI, creating it on first use."""
    grp = cli.commands.get(name)
    if grp is None:
        grp = click.Group(name, help=help_text, callback=callback)
        cli.add_command(grp)
    return grp  # type: ignore[return-value]


def export_group(cli: click.Group) -> click.Group:
    """The ``diaban export`` group (maps, briefs, data)."""
    return shared_group(cli, "export",
                        "Xuất bản đồ, báo cáo, dữ liệu. / Export maps, briefs, data.")


def import_nice() -> int:
    """The CPU priority imports run at (:func:`geo.ceiling.import_nice`).

    Raises
    ------
    click.UsageError
        When ``DIABAN_IMPORT_NICE`` is not a whole number from 0 to 19.
    """
    from geo.ceiling import import_nice as nice_from_env

    try:
        return nice_from_env()
    except ValueError as e:
        raise click.UsageError(str(e)) from None


def _yield_cpu() -> None:
    """Run this import below normal CPU priority (:func:`geo.ceiling.yield_cpu`).

    A bad ``DIABAN_IMPORT_NICE`` is refused here as a usage error first.
    """
    from geo.ceiling import yield_cpu

    import_nice()
    yield_cpu()


def import_group(cli: click.Group) -> click.Group:
    """The ``diaban import`` group (its commands run at :func:`import_nice` priority)."""
    return shared_group(cli, "import", "Nhập dữ liệu (mọi lần nhập đều hoàn tác được). / "
                                       "Import data (every import can be undone).",
                        callback=_yield_cpu)
