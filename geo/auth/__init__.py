"""Users, roles and permissions: who may do what, where.

Roles (codes and labels in :data:`geo.vocab.ROLES`):

========================  ============  ===========================================
role                      who           actions
========================  ============  ===========================================
``viewer``                leadership    view, export
``planner``               planners      view, export, analyze
``data_officer``          data entry    view, export, analyze, import, edit, undo
``admin``                 administrator every action, incl. manage_users, audit, backup
========================  ============  ===========================================

The package has four rooms:

- :mod:`geo.auth.policy` — the permission table, the :class:`Principal` who acts,
  :func:`authorize` / :func:`allowed` / :func:`may_undo`; reads nothing stored.
- :mod:`geo.auth.area` — the province or (legacy) district a user is limited to,
  across the 1 July 2025 merger; reads the packaged registry.
- :mod:`geo.auth.accounts` — accounts, argon2id password hashes, login, session expiry.
- :mod:`geo.auth.passwords` — the password and username policy.
- :mod:`geo.auth.throttle` — growing delays after failed logins, per source and per
  account; nothing locks an account.
- :mod:`geo.auth.tokens` — API tokens for scripts (``DIABAN_TOKEN``).

The functions of ``accounts`` and ``tokens`` take an open session; pages and the CLI
use them through :mod:`geo.services.users`, which authorises and runs each use case in
one transaction. How the CLI learns who runs it (``--user``, ``DIABAN_PASSWORD``,
``DIABAN_TOKEN``, the hidden prompt) is :mod:`geo.cli.identity`.

**Single-user local install.** While the ``users`` table is empty nobody is asked to
log in and everything is allowed as the local administrator (:func:`local_admin`, named
after the operating-system user). Creating the first account (which must be an
administrator) switches login on for the app and the CLI. This package never imports
Streamlit or click.
"""

from geo.auth.accounts import (
    LOCK_MINUTES,
    MAX_FAILED,
    MAX_PASSWORD,
    MIN_PASSWORD,
    SESSION_IDLE_MINUTES,
    SESSION_MAX_HOURS,
    USER_COLUMNS,
    add_user,
    authenticate,
    check_password,
    check_role,
    check_username,
    disable_user,
    get_user,
    has_users,
    list_users,
    local_admin,
    masked_name,
    refresh,
    session_expired,
    set_password,
)
from geo.auth.area import (
    account_within,
    check_area,
    check_limit,
    district_in_province,
    district_province,
    in_area,
    principal_area,
    province_area,
    province_code,
    same_province,
    units_outside_area,
)
from geo.auth.policy import (
    ACTIONS,
    PERMISSIONS,
    ROLES,
    Principal,
    allowed,
    as_principal,
    authorize,
    may_undo,
    roles_table,
)
from geo.auth.tokens import (
    TOKEN_COLUMNS,
    TOKEN_PREFIX,
    create_token,
    list_tokens,
    note_limit,
    revoke_token,
    token_user,
)

__all__ = [
    "ACTIONS",
    "LOCK_MINUTES",
    "MAX_FAILED",
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "PERMISSIONS",
    "ROLES",
    "SESSION_IDLE_MINUTES",
    "SESSION_MAX_HOURS",
    "TOKEN_COLUMNS",
    "TOKEN_PREFIX",
    "USER_COLUMNS",
    "Principal",
    "account_within",
    "add_user",
    "allowed",
    "as_principal",
    "authenticate",
    "authorize",
    "check_area",
    "check_limit",
    "check_password",
    "check_role",
    "check_username",
    "create_token",
    "disable_user",
    "district_in_province",
    "district_province",
    "get_user",
    "has_users",
    "in_area",
    "list_tokens",
    "list_users",
    "local_admin",
    "masked_name",
    "may_undo",
    "note_limit",
    "principal_area",
    "province_area",
    "province_code",
    "refresh",
    "revoke_token",
    "roles_table",
    "same_province",
    "session_expired",
    "set_password",
    "token_user",
    "units_outside_area",
]
