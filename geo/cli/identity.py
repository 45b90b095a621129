"""Who runs a CLI job: ``--user``/``DIABAN_USER`` with a password, or ``DIABAN_TOKEN``.

CLI commands ask :func:`principal` for the acting :class:`geo.auth.Principal` and pass
it to the service they call; the service authorises it. Reading the environment,
prompting for a password and remembering the answer for the rest of the command
live here, not in the core.
"""

from __future__ import annotations

from geo.auth import Principal, cli_principal
from geo.cli.common import ctx_obj

__all__ = ["principal"]


def principal() -> Principal:
    """The acting user of the running command (asked once per command).

    Raises
    ------
    geo.errors.AuthError
        Missing or wrong credentials, locked account.
    """
    return cli_principal(ctx_obj().get("db"))
