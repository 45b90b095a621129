"""Who may do what: roles, actions, the permission table and the principal who acts.

Roles and actions (their codes and labels) are :data:`geo.vocab.ROLES` and
:data:`geo.vocab.ACTIONS`; this module says which role may do which action
(:data:`PERMISSIONS`) and checks it (:func:`authorize`, :func:`allowed`),
including the province or district a user is limited to (:mod:`geo.auth.area`).
Nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from geo.errors import PermissionDenied
from geo.i18n import tr
from geo.vocab import ACTIONS, ROLES

__all__ = [
    "ACTIONS",
    "PERMISSIONS",
    "ROLES",
    "WHOLE_INSTALL",
    "Principal",
    "allowed",
    "as_principal",
    "authorize",
    "may_undo",
    "roles_table",
]

_READ = frozenset({"view", "export"})
#: Actions on the whole install (every province, every account's hash): refused to a
#: principal limited to an area, whatever its role.
WHOLE_INSTALL = frozenset({"backup", "setup"})
#: Which role may do which action.
PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": _READ,
    # Planners prepare the QĐ 28 list and record the People's Committee's approval
    # (and undo that record); data officers enter figures, they do not approve.
    "planner": _READ | {"analyze", "approve"},
    "data_officer": _READ | {"analyze", "import", "edit", "undo"},
    "admin": frozenset(ACTIONS),
}


@dataclass(frozen=True)
class Principal:
    """Who is acting: a logged-in user, a token's user, or the local administrator.

    Attributes
    ----------
    username : str
        Name recorded in the audit log.
    role : str
        A key of :data:`ROLES`.
    province_code, district_code : str or None
        Area the user is limited to (``None``: everywhere).
    local : bool
        ``True`` for the implicit administrator of an install without users.
    province_edition : {"legacy", "2025"} or None
        The registry edition ``province_code`` is read in (``None`` with a province:
        an account of before migration 0004b, read as ``legacy``;
        see :mod:`geo.auth.area`).
    """

    username: str
    role: str
    province_code: str | None = None
    district_code: str | None = None
    local: bool = False
    province_edition: str | None = None

    @classmethod
    def from_user(cls, u: Any) -> Principal:
        """Build from a stored account (an object with ``username``, ``role``, …)."""
        return cls(u.username, u.role, u.province_code, u.district_code,
                   province_edition=getattr(u, "province_edition", None)
                   if u.province_code else None)

    @property
    def limited(self) -> bool:
        """Whether the principal is limited to a province or a district."""
        return bool(self.province_code or self.district_code)

    def to_dict(self) -> dict:
        """Plain dict (for the Streamlit session state and JSON output)."""
        return asdict(self)


def as_principal(user: Principal | Mapping | Any | None) -> Principal | None:
    """The :class:`Principal` of ``user``: a principal, its :meth:`~Principal.to_dict`
    form (as pages keep it in the session state), a stored account row, or ``None``.

    Examples
    --------
    >>> as_principal({"username": "a", "role": "viewer"}).role
    'viewer'
    """
    if user is None or isinstance(user, Principal):
        return user
    if isinstance(user, Mapping):
        return Principal(
            username=user.get("username", ""), role=user.get("role", ""),
            province_code=user.get("province_code"), district_code=user.get("district_code"),
            local=bool(user.get("local", False)),
            province_edition=user.get("province_edition"),
        )
    return Principal.from_user(user)


def allowed(user: Principal | Mapping | None, action: str,
            province_code: Any = None, district_code: str | None = None) -> bool:
    """Whether ``user`` may do ``action`` (in ``province_code``); never raises.

    Examples
    --------
    >>> allowed({"username": "a", "role": "viewer"}, "import")
    False
    >>> allowed({"username": "b", "role": "data_officer", "province_code": "14"}, "import", "14")
    True
    """
    try:
        authorize(user, action, province_code, district_code)
    except PermissionDenied:
        return False
    return True


def authorize(user: Principal | Mapping | None, action: str,
              province_code: Any = None, district_code: str | None = None,
              whole_province: bool = False) -> None:
    """Raise :class:`~geo.errors.PermissionDenied` unless ``user`` may do ``action``.

    Parameters
    ----------
    user : Principal, dict or None
        Who acts (``None``: nobody is logged in).
    action : str
        A key of :data:`ACTIONS`.
    province_code : Province, (edition, code) or str, optional
        Province the action touches. A user limited to a province may act in its
        area (:func:`geo.auth.area.province_area`): the province, the 2025 province
        a legacy one merged into, the legacy provinces merged into a 2025 one. Pass
        the :class:`~geo.registry.Province` of the request: a bare code is allowed
        only if every province it names (before and after 1 July 2025) is in the area.
    district_code : str, optional
        Legacy district the action touches (checked for district-limited users).
    whole_province : bool
        The action touches the whole province at once (boundaries, population, a
        province-wide export): refused to users limited to one district.

    Raises
    ------
    PermissionDenied
        With a Vietnamese and an English message naming the role and the action.
    ValueError
        For an action not in :data:`ACTIONS` (a programming error).
    """
    from geo.auth.area import district_province, in_area

    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    p = as_principal(user)
    act_vi, act_en = ACTIONS[action].vi, ACTIONS[action].en
    if p is None:
        raise PermissionDenied(f"Cần đăng nhập để {act_vi}.", f"Log in to {act_en}.")
    if action not in PERMISSIONS.get(p.role, frozenset()):
        role_vi, role_en = ROLES.label(p.role, "vi"), ROLES.label(p.role, "en")
        raise PermissionDenied(
            f"Tài khoản '{p.username}' ({role_vi}) không có quyền {act_vi}.",
            f"Account '{p.username}' ({role_en}) may not {act_en}.",
        )
    if action in WHOLE_INSTALL and p.limited:
        raise PermissionDenied(
            f"Tài khoản '{p.username}' chỉ được làm việc với một địa bàn nên không được "
            f"{act_vi} (thao tác trên toàn bộ dữ liệu và mọi tài khoản).",
            f"Account '{p.username}' is limited to an area and may not {act_en} (it "
            "covers all data and every account).",
        )
    target = getattr(province_code, "code", province_code)
    if isinstance(target, tuple):
        target = target[1]
    if p.province_code and province_code is not None and province_code != "" \
            and not in_area(p, province_code):
        raise PermissionDenied(
            f"Tài khoản '{p.username}' chỉ được làm việc với tỉnh mã {p.province_code}, "
            f"không được {act_vi} của tỉnh mã {target}.",
            f"Account '{p.username}' is limited to province {p.province_code} and may not "
            f"{act_en} of province {target}.",
        )
    if p.district_code:
        if whole_province:
            raise PermissionDenied(
                f"Tài khoản '{p.username}' chỉ được làm việc với huyện mã {p.district_code}, "
                f"không được {act_vi} cho cả tỉnh.",
                f"Account '{p.username}' is limited to district {p.district_code} and may not "
                f"{act_en} for a whole province.",
            )
        dprov = district_province(p.district_code)
        if province_code is not None and province_code != "" and dprov is not None \
                and not in_area(Principal(p.username, p.role, dprov,
                                          province_edition="legacy"), province_code):
            raise PermissionDenied(
                f"Tài khoản '{p.username}' chỉ được làm việc với huyện mã {p.district_code}.",
                f"Account '{p.username}' is limited to district {p.district_code}.",
            )
        if district_code and district_code != p.district_code:
            raise PermissionDenied(
                f"Tài khoản '{p.username}' chỉ được làm việc với huyện mã {p.district_code}, "
                f"không được {act_vi} của huyện mã {district_code}.",
                f"Account '{p.username}' is limited to district {p.district_code} and may "
                f"not {act_en} of district {district_code}.",
            )


def may_undo(user: Principal | Mapping | None, province_code: Any,
             batch_user: str | None, areas: Any = None) -> None:
    """Raise :class:`~geo.errors.PermissionDenied` unless ``user`` may undo a batch.

    A batch needs the ``undo`` right in every province it touches (``areas``:
    ``(edition, code)`` pairs; else ``province_code``); a user limited to an area
    may not undo a batch whose provinces are not recorded; a user limited to one
    district may undo only the batches they imported themselves.
    """
    from geo.auth.area import principal_area

    p = as_principal(user)
    authorize(p, "undo", province_code if areas is None else None)
    if areas is not None:
        area = principal_area(p)
        outside = sorted(set(areas) - area) if area is not None else []
        if area is not None and (outside or not areas):
            where = ", ".join(f"{c} ({ed})" for ed, c in outside) or "?"
            raise PermissionDenied(
                f"Tài khoản '{p.username}' chỉ được làm việc với tỉnh mã {p.province_code}, "
                f"không được hoàn tác lần nhập này: nó thay đổi dữ liệu của tỉnh {where}.",
                f"Account '{p.username}' is limited to province {p.province_code} and may not "
                f"undo this import: it changed data of province {where}.")
    if p is not None and p.district_code and batch_user != p.username:
        raise PermissionDenied(
            f"Tài khoản '{p.username}' chỉ được hoàn tác lần nhập do chính mình thực hiện.",
            f"Account '{p.username}' may undo only its own imports.",
        )


def roles_table(lang: str = "vi") -> list[dict]:
    """The permission table as rows: ``role``, ``label``, then one bool per action.

    Examples
    --------
    >>> roles_table("en")[0]["label"], roles_table()[0]["import"]
    ('Leadership (view only)', False)
    """
    return [
        {"role": r, "label": tr(ROLES[r].vi, ROLES[r].en, lang),
         **{a: a in PERMISSIONS[r] for a in ACTIONS}}
        for r in ROLES
    ]
