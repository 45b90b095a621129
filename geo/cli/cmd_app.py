"""``diaban app``: start the web app (Streamlit) of this diaban, checkout or installed wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import click

from geo.cli.common import ctx_obj, options, t


def register(cli: click.Group) -> None:
    """Add the ``app`` command."""
    cli.add_command(app_cmd)


def app_script() -> Path:
    """The app's entry script: ``diaban_app/app.py`` of an installed wheel, else the
    checkout's ``app.py`` beside ``geo/``.

    Both sit in the folder that holds the ``geo`` package being run, so a checkout on
    ``PYTHONPATH`` runs its own app even when another copy of diaban is installed.
    """
    import geo

    root = Path(geo.__file__).resolve().parent.parent
    for script in (root / "diaban_app" / "app.py", root / "app.py"):
        if script.is_file() and (script.parent / "pages").is_dir():
            return script
    raise click.ClickException(t(
        f"Không tìm thấy ứng dụng web (app.py) bên cạnh {root / 'geo'}; hãy cài lại diaban.",
        f"The web app (app.py) was not found beside {root / 'geo'}; reinstall diaban."))


def config_flags(script: Path) -> list[str]:
    """The app's ``.streamlit/config.toml`` as ``streamlit run`` flags.

    Streamlit reads ``.streamlit/config.toml`` from the working folder only; the app's
    own settings (headless server, no error details or usage statistics, upload size,
    light theme) must hold wherever ``diaban app`` is started, so they are passed as
    flags. Flags given after ``--`` come later and win.
    """
    path = script.parent / ".streamlit" / "config.toml"
    if not path.is_file():
        return []
    flags = []
    for section, opts in tomllib.loads(path.read_text("utf-8")).items():
        for key, value in opts.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            flags.append(f"--{section}.{key}={text}")
    return flags


@click.command("app", context_settings={"ignore_unknown_options": True})
@click.option("--port", type=int, default=None, help="Cổng / port (mặc định 8501).")
@click.option("--address", default=None,
              help="Địa chỉ lắng nghe / address to listen on (vd. 127.0.0.1).")
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED)
@options
def app_cmd(port: int | None, address: str | None, streamlit_args: tuple[str, ...]) -> None:
    """Chạy ứng dụng web trên CSDL này. / Run the web app on this database.

    Các tùy chọn sau `--` chuyển cho `streamlit run`. / Options after `--` go to
    `streamlit run` (e.g. `diaban app -- --server.maxUploadSize 500`).
    """
    o = ctx_obj()
    script = app_script()
    argv = [sys.executable, "-m", "streamlit", "run", str(script), *config_flags(script)]
    if port is not None:
        argv.append(f"--server.port={port}")
    if address is not None:
        argv.append(f"--server.address={address}")
    argv += list(streamlit_args)
    env = dict(os.environ)
    if o.get("db"):
        env["DIABAN_DATABASE_URL"] = o["db"]
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":  # the server replaces this process: signals reach it directly
        os.execve(sys.executable, argv, env)
    sys.exit(subprocess.call(argv, env=env))  # pragma: no cover - Windows
