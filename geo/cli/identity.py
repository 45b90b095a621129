"""Who runs a CLI job: ``--user``/``DIABAN_USER`` with a password, or ``DIABAN_TOKEN``.

CLI commands ask :func:`principal` for the acting :class:`geo.auth.Principal` and pass
it to the service they call; the service authorises it. Reading the environment,
prompting for a password and remembering the answer for the rest of the command live
here, not in the core:

- while the database has no account, everybody is the local administrator (named
  after the operating-system user) and nobody is asked anything;
- otherwise the API token in ``DIABAN_TOKEN`` is used when set; else ``--user`` (or
  ``DIABAN_USER``) with the password in ``DIABAN_PASSWORD`` or typed at a hidden
  prompt on a terminal. Failed passwords are throttled (source ``local``,
  :mod:`geo.auth.throttle`);
- within one command the answer is remembered, so the password is asked once.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable

import click

from geo.auth import Principal
from geo.errors import AuthError
from geo.i18n import tr

__all__ = ["principal"]

_MEMO = "_principal"


def _objs() -> tuple[dict, dict]:
    """Options of the running command (``db``, ``user``, ``lang``) and the root
    command's dict, where the answer is remembered for the rest of the command.
    """
    ctx = click.get_current_context()
    root = ctx.find_root()
    if root.obj is None:
        root.obj = {}
    return (ctx.obj if isinstance(ctx.obj, dict) else root.obj), root.obj


def principal(prompt: Callable[[str], str] | None = None) -> Principal:
    """The acting user of the running command (asked once per command).

    Parameters
    ----------
    prompt : callable, optional
        Asks for the password (default: a hidden prompt when stdin is a terminal).

    Returns
    -------
    Principal
        The logged-in user, the token's user, or the local administrator.

    Raises
    ------
    geo.errors.AuthError
        Missing or wrong credentials, locked account, invalid or revoked token.
    """
    from geo.services import users

    obj, memo = _objs()
    url = obj.get("db")
    cached = memo.get(_MEMO)
    if cached is not None and cached[0] == url:
        return cached[1]
    if not users.login_required(url):
        p = users.local_admin()
    elif token := os.environ.get("DIABAN_TOKEN"):
        p = users.token_login(users.TokenLoginRequest(token), url)
    elif username := (obj.get("user") or os.environ.get("DIABAN_USER")):
        password = os.environ.get("DIABAN_PASSWORD")
        if password is None:
            password = _ask(username, obj.get("lang", "vi"), prompt)
        p = users.login(users.LoginRequest(username, password), url)
    else:
        raise AuthError(
            "Cơ sở dữ liệu này có tài khoản người dùng: cho biết bạn là ai bằng --user TÊN "
            "(hoặc DIABAN_USER), hoặc dùng mã truy cập DIABAN_TOKEN.",
            "This database has user accounts: say who you are with --user NAME "
            "(or DIABAN_USER), or use an API token in DIABAN_TOKEN.",
        )
    memo[_MEMO] = (url, p)  # remembered for this command only
    return p


def _ask(username: str, lang: str, prompt: Callable[[str], str] | None) -> str:
    """The password typed at a hidden prompt (only on a terminal)."""
    if prompt is None and sys.stdin is not None and sys.stdin.isatty():
        prompt = getpass.getpass
    if prompt is None:
        raise AuthError(
            "Cần mật khẩu: chạy trong cửa sổ lệnh để nhập, hoặc đặt DIABAN_PASSWORD,"
            " hoặc dùng mã truy cập DIABAN_TOKEN.",
            "A password is needed: run in a terminal to type it, or set "
            "DIABAN_PASSWORD, or use an API token in DIABAN_TOKEN.",
        )
    return prompt(tr(f"Mật khẩu của {username}: ", f"Password for {username}: ", lang))
