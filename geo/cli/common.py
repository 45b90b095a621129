"""Shared CLI plumbing: options, output, progress bars and error handling."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from geo.errors import DiabanError
from geo.i18n import tr

INTERNAL_ERROR_EXIT = 70


def options(func: Callable) -> Callable:
    """Add ``--db``, ``--lang`` and ``--json`` to a command (they also work before it)."""

    @click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON / JSON output.")
    @click.option("--lang", type=click.Choice(["vi", "en"]), default=None,
                  help="Ngôn ngữ / language (vi, en).")
    @click.option("--db", default=None, help="URL cơ sở dữ liệu / database URL.")
    @click.pass_context
    @functools.wraps(func)
    def wrapper(ctx: click.Context, *args: Any, db: str | None, lang: str | None,
                as_json: bool, **kwargs: Any) -> Any:
        root = ctx.find_root().obj or {}
        ctx.obj = dict(root)
        ctx.obj["db"] = db or root.get("db")
        ctx.obj["lang"] = lang or root.get("lang") or "vi"
        ctx.obj["json"] = as_json
        return ctx.invoke(func, *args, **kwargs)

    return wrapper


def ctx_obj() -> dict:
    """Options of the running command (``db``, ``lang``, ``json``)."""
    return click.get_current_context().obj


def lang() -> str:
    """Language of the running command."""
    return ctx_obj().get("lang", "vi")


def t(vi: str, en: str) -> str:
    """Translate by the running command's language."""
    return tr(vi, en, lang())


def emit_json(obj: Any) -> None:
    """Print strict JSON (UTF-8, not ASCII-escaped; NaN and infinities as null) to stdout."""
    from geo.services.base import plain

    click.echo(json.dumps(plain(obj), ensure_ascii=False, indent=2, allow_nan=False))


def echo_table(rows: list[dict], columns: list[tuple[str, str]]) -> None:
    """Print rows as an aligned text table; ``columns`` are ``(key, header)``."""
    if not rows:
        click.echo(t("(không có dữ liệu)", "(no data)"))
        return
    cells = [[("" if r.get(k) is None else str(r.get(k))) for k, _ in columns] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, (_, h) in enumerate(columns)]
    click.echo("  ".join(h.ljust(w) for (_, h), w in zip(columns, widths)))
    click.echo("  ".join("-" * w for w in widths))
    for c in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(c, widths)))


@contextmanager
def progress_bar(desc: str) -> Iterator[Callable[[float, str], None]]:
    """A tqdm progress bar on stderr, driven by ``progress(fraction, message)`` callbacks.

    Silent when stderr is not a terminal and ``DIABAN_PROGRESS`` is not set, so
    scripts and ``--json`` output stay clean.
    """
    show = sys.stderr.isatty() or os.environ.get("DIABAN_PROGRESS") == "1"
    if not show:
        yield lambda f, m: None
        return
    from tqdm import tqdm

    bar = tqdm(total=100, desc=desc, file=sys.stderr, leave=False,
               bar_format="{desc} {percentage:3.0f}%|{bar}| {postfix}")

    def cb(frac: float, msg: str) -> None:
        bar.n = int(max(0.0, min(1.0, frac)) * 100)
        bar.set_postfix_str(msg[:60])
        bar.refresh()

    try:
        yield cb
    finally:
        bar.close()


def ask_first(message: str, yes: bool) -> None:
    """Say what a command that replaces data is about to do, and ask before doing it.

    ``message`` goes to stderr (``--json`` output stays clean). With ``yes`` the
    command goes on; otherwise it asks on the terminal, and an answer other than
    yes — or no answer, as in a script without ``--yes`` — stops it with "Aborted"
    (exit 1) and nothing changed.
    """
    click.echo(message, err=True)
    if yes:
        return
    if not click.confirm(t("Tiếp tục? (thêm --yes để không hỏi)", "Go on? (--yes skips this "
                           "question)"), default=False, err=True):
        raise click.exceptions.Abort


def run(cli: click.Group) -> None:
    """Run the CLI: user errors print a clear message, never a stack trace."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo(tr("Đã hủy.", "Aborted.", _argv_lang()), err=True)
        sys.exit(1)
    except click.exceptions.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except DiabanError as e:
        report_error(e)
        sys.exit(e.exit_code)
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 - last line of defence for users
        known = user_facing(e)
        if known is not None and os.environ.get("DIABAN_DEBUG") != "1":
            report_error(known)
            sys.exit(known.exit_code)
        if os.environ.get("DIABAN_DEBUG") == "1":
            raise
        lg = _argv_lang()
        click.echo(
            tr(
                f"Lỗi ngoài dự kiến ({type(e).__name__}). Không có dữ liệu nào bị thay đổi "
                "bởi thao tác lỗi. Đặt DIABAN_DEBUG=1 để xem chi tiết kỹ thuật.",
                f"Unexpected error ({type(e).__name__}). The failed operation changed no data. "
                "Set DIABAN_DEBUG=1 for technical details.",
                lg,
            ),
            err=True,
        )
        sys.exit(INTERNAL_ERROR_EXIT)


def user_facing(e: BaseException) -> DiabanError | None:
    """The message for a failure a user can meet that is not diaban's own error.

    The database cannot be reached or is busy, the disk is full, a file cannot be
    written, a value the database refuses (:class:`~geo.errors.ResourceError`, exit 3,
    or :class:`~geo.errors.ValidationError`, exit 4); ``None`` for a real bug.
    """
    import errno

    from sqlalchemy import exc as sa

    from geo.errors import ResourceError, ValidationError

    text = str(e).lower()
    full = (isinstance(e, OSError) and e.errno == errno.ENOSPC) or "disk is full" in text \
        or "no space left" in text or "could not extend file" in text
    if full:
        return ResourceError(
            "Ổ đĩa đã đầy: không ghi được. Không có dữ liệu nào bị thay đổi; hãy giải phóng "
            "dung lượng (hoặc báo quản trị hệ thống) rồi chạy lại.",
            "The disk is full: nothing could be written. No data was changed; free some "
            "space (or ask the system administrator) and run it again.")
    if isinstance(e, sa.DataError):
        return ValidationError(
            "Cơ sở dữ liệu từ chối một giá trị (quá dài hoặc sai kiểu); chưa lưu gì.",
            "The database refused a value (too long or of the wrong type); nothing stored.")
    if isinstance(e, (sa.OperationalError, sa.InterfaceError)) or (
            isinstance(e, sa.DBAPIError) and e.connection_invalidated):
        return ResourceError(
            "Không kết nối được cơ sở dữ liệu (máy chủ CSDL không chạy, sai địa chỉ --db / "
            "DIABAN_DATABASE_URL, hoặc CSDL đang bận). Không có dữ liệu nào bị thay đổi; "
            "kiểm tra rồi chạy lại.",
            "Cannot reach the database (its server is down, --db / DIABAN_DATABASE_URL is "
            "wrong, or it is busy). No data was changed; check and run it again.")
    if isinstance(e, (PermissionError, IsADirectoryError, NotADirectoryError,
                      FileNotFoundError)):
        where = getattr(e, "filename", None) or ""
        return ResourceError(
            f"Không đọc/ghi được tệp hoặc thư mục {where} ({type(e).__name__}). Không có dữ "
            "liệu nào bị thay đổi.",
            f"Cannot read or write {where} ({type(e).__name__}). No data was changed.")
    return None


def _argv_lang() -> str:
    argv = sys.argv
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--lang="):
            return a.split("=", 1)[1]
    return os.environ.get("DIABAN_LANG", "vi")


def report_error(e: DiabanError) -> None:
    """Print a user error in the command's language (JSON on stdout with ``--json``)."""
    ctx = click.get_current_context(silent=True)
    obj = (ctx.obj if ctx else None) or {}
    lg = obj.get("lang") or _argv_lang()
    if obj.get("json") or "--json" in sys.argv:
        emit_json({"ok": False, **e.to_dict()})
    click.echo(e.message(lg), err=True)


def acting_user(action: str, province: str | None = None, *,
                whole_province: bool = False) -> str:
    """The user running this command, after checking they may do ``action``.

    Kept for the commands that do not call a service yet: a command that calls a
    service passes :func:`geo.cli.identity.principal` to it instead, and the service
    authorises.

    Parameters
    ----------
    action : str
        A key of :data:`geo.vocab.ACTIONS` (``view``, ``export``, ``analyze``,
        ``import``, ``edit``, ``undo``, ``setup`` …).
    province : str, optional
        Province the command touches (code or name, either registry edition).
    whole_province : bool
        The command touches the whole province (refused to district-limited users).

    Returns
    -------
    str
        The username to record in the audit log (the operating-system user while
        the database has no accounts).

    Raises
    ------
    geo.errors.AuthError, geo.errors.PermissionDenied
        Missing or wrong credentials, or the role/area does not allow ``action``.
    """
    from geo.auth import authorize, province_code
    from geo.cli.identity import principal

    p = principal()
    authorize(p, action, whole_province=whole_province)  # the role first: no registry needed
    if province and (p.province_code or p.district_code):
        try:
            code = province_code(province)
        except DiabanError:
            code = None  # an unknown province is reported by the command itself
        authorize(p, action, code, whole_province=whole_province)
    return p.username


def db() -> str | None:
    """Database URL of the running command (``--db`` or ``DIABAN_DATABASE_URL``)."""
    return ctx_obj().get("db")
