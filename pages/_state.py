"""Shared page state: language, database, province, and cached calls into the core.

Pages stay thin: they read state here, call the core (``geo``/``layers``) through
the cached helpers, and draw. No statistics or data handling in pages.
"""

from __future__ import annotations

import os

import streamlit as st

from geo.i18n import tr

DEFAULT_PROVINCE = "14"  # Sơn La (the embedded demo)


def boot() -> None:
    """Make sure ``app.py`` (login, language, navigation) runs before any page.

    Streamlit treats a ``pages/`` folder beside the entry script as the legacy
    multipage layout until ``st.navigation`` is first called, so the very first
    request for ``/map`` after a server start would run the page alone. Pages
    call this first: it switches the legacy mode off and reruns through app.py.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def lang() -> str:
    """Current UI language (``vi`` by default)."""
    return st.session_state.get("lang", "vi")


def t(vi: str, en: str) -> str:
    """Translate by the current UI language."""
    return tr(vi, en, lang())


def bound(label: object) -> object:
    """``label`` with today's language fixed, for a widget's ``format_func``.

    Streamlit may call ``format_func`` outside the script run (the testing harness
    does), where the session's language cannot be read; ``label(value, language)``
    gets it from here instead.
    """
    lg = lang()
    return lambda value: label(value, lg)


def wkey(name: str) -> str:
    """Widget key that changes with the language.

    A widget's identity includes its label, so translated labels would reset a
    widget; keying per language and keeping the value with :func:`remember`
    carries the user's choice across a language switch.
    """
    return f"{name}__{lang()}"


def recall(name: str, default: object) -> object:
    """The value last chosen for ``name`` (any language)."""
    return st.session_state.get(f"_v_{name}", default)


def remember(name: str, value: object) -> object:
    """Keep the value chosen for ``name`` and return it."""
    st.session_state[f"_v_{name}"] = value
    return value


def index_of(options: list, name: str, default: object) -> int:
    """Index of the remembered value in ``options`` (0 if absent)."""
    v = recall(name, default)
    return options.index(v) if v in options else 0


def db_url() -> str | None:
    """Database URL (``DIABAN_DATABASE_URL`` or the default SQLite file)."""
    return os.environ.get("DIABAN_DATABASE_URL")


def province() -> str:
    """Province chosen in the sidebar (code)."""
    return st.session_state.get("province", DEFAULT_PROVINCE)


def current_user() -> dict | None:
    """The logged-in user (``username``, ``role``, ``province_code``) or ``None``."""
    return st.session_state.get("user")


def principal() -> object:
    """The logged-in user as a :class:`geo.auth.Principal` (``None`` before login).

    Cached reads in ``pages._common`` pass it to the services, which authorise it when
    they compute; a cached result is keyed by its request only and shared by every
    user the page itself has let see that province (``require_action``).
    """
    from geo.auth import Principal

    user = current_user()
    return Principal(**user) if user else None
