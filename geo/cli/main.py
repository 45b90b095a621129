"""The ``diaban`` command line.

Every job the app does, for scripts and automation. Command groups live in
``geo/cli/cmd_*.py`` modules, each exposing ``register(cli)``; they are found
automatically, so adding a group touches no shared file.

Exit codes: 0 success, 1 general error, 2 usage error, 3 not found,
4 invalid input (nothing stored), 5 ambiguous, 6 permission denied,
7 login failed, 70 unexpected internal error.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

from geo.cli import common

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.option("--db", "db", envvar="DIABAN_DATABASE_URL", default=None,
              help="URL cơ sở dữ liệu / database URL (mặc định sqlite:///diaban.db).")
@click.option("--lang", type=click.Choice(["vi", "en"]), envvar="DIABAN_LANG", default="vi",
              help="Ngôn ngữ thông báo / message language.")
@click.option("--user", "user", envvar="DIABAN_USER", default=None,
              help="Tài khoản thực hiện (mật khẩu hỏi ẩn hoặc DIABAN_PASSWORD; hoặc "
                   "DIABAN_TOKEN) / acting user account.")
@click.version_option(package_name="diaban")
@click.pass_context
def cli(ctx: click.Context, db: str | None, lang: str, user: str | None) -> None:
    """diaban — theo dõi chuyển hóa địa bàn trọng điểm về ma túy.

    diaban — tracker for the transformation of drug-hotspot communes.
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    ctx.obj["lang"] = lang
    ctx.obj["user"] = user


def _register_all() -> None:
    import geo.cli as pkg

    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if mod.name.startswith("cmd_"):
            importlib.import_module(f"geo.cli.{mod.name}").register(cli)


_register_all()


def main() -> None:
    """Console-script entry point."""
    common.run(cli)


if __name__ == "__main__":  # pragma: no cover
    main()
