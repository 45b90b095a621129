"""Client messages and server endpoints that need no login must do no harm.

Streamlit acts on some messages from any WebSocket client before the app's login
form has run: ``clear_cache`` empties every user's caches (an anonymous client could
make the server recompute every figure, again and again), ``file_urls_request``
hands out upload URLs (up to ``server.maxUploadSize`` held in memory per file), and
``/_stcore/metrics`` lists session counts and which cached functions ran.

:func:`install` (called by ``app.py`` on every run; it acts once per process):

- wraps ``AppSession.handle_backmsg`` so that ``clear_cache`` is honoured only from a
  session whose user is an administrator, ``set_run_on_save`` and
  ``load_git_info`` (developer features) never, and ``file_urls_request`` and
  ``backend_operation_request`` only from a logged-in session (the login gate sets
  ``st.session_state["user"]``; nobody is logged in while the login form is up);
- empties the statistics behind ``/_stcore/metrics``, so the endpoint answers with
  nothing even when the app is served without ``diaban serve``'s proxy (which
  refuses the path: :data:`geo.serve.DENIED_PATHS`).

Refused messages are logged (``diaban.guard``) and otherwise ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

__all__ = ["ALWAYS_REFUSED", "LOGIN_NEEDED", "install", "refused"]

_LOG = logging.getLogger("diaban.guard")
#: Developer messages no diaban user needs.
ALWAYS_REFUSED = frozenset({"set_run_on_save", "load_git_info"})
#: Messages honoured only from a logged-in session.
LOGIN_NEEDED = frozenset({"file_urls_request", "backend_operation_request"})
_MARK = "_diaban_guarded"


def refused(msg_type: str | None, user: Mapping | None) -> bool:
    """Whether a client message of ``msg_type`` from a session of ``user`` is dropped.

    Parameters
    ----------
    msg_type : str
        The ``BackMsg`` field set (``rerun_script``, ``clear_cache``, …).
    user : dict or None
        The session's ``st.session_state["user"]`` (``None``: nobody logged in).

    Examples
    --------
    >>> refused("clear_cache", None), refused("clear_cache", {"role": "admin"})
    (True, False)
    >>> refused("rerun_script", None)
    False
    """
    if msg_type in ALWAYS_REFUSED:
        return True
    logged_in = isinstance(user, Mapping) and bool(user.get("username"))
    if msg_type == "clear_cache":
        return not (logged_in and user.get("role") == "admin")
    return msg_type in LOGIN_NEEDED and not logged_in


def _session_user(session: Any) -> Mapping | None:
    try:
        state = session._session_state
        return state["user"] if "user" in state else None
    except Exception:  # noqa: BLE001 - unknown state: treat as nobody
        return None


def install() -> None:
    """Guard client messages and empty the metrics (once per process; see module docs)."""
    from streamlit.runtime.app_session import AppSession

    if not getattr(AppSession.handle_backmsg, _MARK, False):
        original = AppSession.handle_backmsg

        def handle_backmsg(self: AppSession, msg: Any) -> None:
            try:
                kind = msg.WhichOneof("type")
            except Exception:  # noqa: BLE001 - let Streamlit report what it cannot read
                kind = None
            if kind is not None and refused(kind, _session_user(self)):
                _LOG.warning("refused client message %s from session %s", kind,
                             getattr(self, "id", "?"))
                return None
            return original(self, msg)

        setattr(handle_backmsg, _MARK, True)
        AppSession.handle_backmsg = handle_backmsg
    _empty_metrics()


def _empty_metrics() -> None:
    try:
        from streamlit.runtime import exists, get_instance

        if exists():
            get_instance().stats_mgr._providers_by_family.clear()
    except Exception:  # noqa: BLE001 - a Streamlit without these internals: proxy only
        _LOG.warning("could not empty /_stcore/metrics; serve behind diaban serve's proxy")
