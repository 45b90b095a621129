"""The area a user is limited to: a province *in an edition*, or a legacy district.

Seven province codes name a different province before and after 1 July 2025 (15 was
Yên Bái and is Lào Cai; also 24, 44, 52, 80, 82, 91), so a limit is a province code
**and** the registry edition it is read in. An area is the set of ``(edition, code)``
provinces the limit covers (:func:`province_area`):

- a legacy province covers itself and the 2025 province it merged into (Hà Giang:
  legacy 02 and 2025 Tuyên Quang 08, never legacy Tuyên Quang 08);
- a 2025 province covers itself and every legacy province merged into it (2025
  Tuyên Quang: 2025 08, legacy 02 and legacy 08).

A district limit (legacy districts; there are none after the reform) lies in its
legacy province's area and covers the 2025 communes formed from its communes.

Accounts created before the edition was stored (migration 0004b) hold the code
:func:`province_code` gave them, which reads the legacy registry first: they are
read as legacy provinces. A bare code (``"24"``) given where a
:class:`~geo.registry.Province` is expected is inside an area only if every
province that code names is (:func:`in_area`).

Everything here reads the packaged registry, never the database.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING

from geo.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from geo.auth.policy import Principal

__all__ = [
    "account_within",
    "check_area",
    "check_limit",
    "in_area",
    "principal_area",
    "province_area",
    "province_label",
    "district_in_province",
    "district_province",
    "province_code",
    "same_province",
    "units_outside_area",
]


@functools.lru_cache(maxsize=1)
def _province_links() -> frozenset[tuple[str, str]]:
    """(legacy province, 2025 province) pairs that share at least one commune."""
    from geo.registry import load_crosswalk, load_units

    old = load_units("legacy", "commune").set_index("code").province_code
    new = load_units("2025", "commune").set_index("code").province_code
    cw = load_crosswalk()
    pairs = zip(cw.old_code.map(old), cw.new_code.map(new))
    return frozenset((a, b) for a, b in pairs if isinstance(a, str) and isinstance(b, str))


def same_province(limit: str, code: str) -> bool:
    """Whether province ``code`` lies within the province limit ``limit``.

    Either code may be of either edition: the same code, or a legacy province and
    the 2025 province that share a commune.

    Examples
    --------
    >>> same_province("02", "08")  # Hà Giang merged into Tuyên Quang
    True
    >>> same_province("14", "01")
    False
    """
    if limit == code:
        return True
    links = _province_links()
    return (limit, code) in links or (code, limit) in links


def province_area(code: str, edition: str) -> frozenset[tuple[str, str]]:
    """The ``(edition, code)`` provinces a limit to province ``code`` of ``edition`` covers.

    Examples
    --------
    >>> sorted(province_area("02", "legacy"))  # Hà Giang
    [('2025', '08'), ('legacy', '02')]
    >>> sorted(province_area("08", "2025"))  # Tuyên Quang after the merger
    [('2025', '08'), ('legacy', '02'), ('legacy', '08')]
    """
    links = _province_links()
    if edition == "legacy":
        return frozenset({("legacy", code)} | {("2025", n) for o, n in links if o == code})
    return frozenset({("2025", code)} | {("legacy", o) for o, n in links if n == code})


def _limit_edition(p: Principal) -> str:
    """Edition of a principal's province limit (accounts of before 0004b: legacy)."""
    return p.province_edition or "legacy"


def principal_area(user: Principal | Mapping | None) -> frozenset[tuple[str, str]] | None:
    """The ``(edition, code)`` provinces ``user`` may work in; ``None``: no limit.

    A district-limited user's area is its legacy province's (the district itself is
    checked separately: :func:`geo.auth.authorize`, :func:`units_outside_area`).
    """
    from geo.auth.policy import as_principal

    p = as_principal(user)
    if p is None:
        return frozenset()
    if p.district_code:
        dprov = district_province(p.district_code)
        return frozenset() if dprov is None else province_area(dprov, "legacy")
    if p.province_code:
        return province_area(p.province_code, _limit_edition(p))
    return None


def _readings(province: object) -> list[tuple[str, str]]:
    """The ``(edition, code)`` provinces ``province`` may name.

    A :class:`~geo.registry.Province` or an ``(edition, code)`` pair names one; a bare
    code names the province of that code in every edition that has one.
    """
    from geo.registry import EDITIONS, Province, load_units

    if isinstance(province, Province):
        return [(province.edition, str(province.code))]
    if isinstance(province, tuple):
        return [(str(province[0]), str(province[1]))]
    code = str(province)
    out = [(ed, code) for ed in EDITIONS if code in set(load_units(ed, "province").code)]
    return out or [("legacy", code), ("2025", code)]


def in_area(user: Principal | Mapping | None, province: object) -> bool:
    """Whether ``province`` lies in the area ``user`` is limited to (no limit: always).

    Parameters
    ----------
    user : Principal or dict
        Who acts.
    province : Province, (edition, code) or str
        The province acted on. A bare code is inside only if every province it
        names (before and after 1 July 2025) is.

    Examples
    --------
    >>> from geo.registry import Province
    >>> bg = {"username": "a", "role": "admin", "province_code": "24",
    ...       "province_edition": "legacy"}  # Bắc Giang
    >>> in_area(bg, Province("27", "Tỉnh Bắc Ninh", "legacy"))
    False
    >>> in_area(bg, Province("24", "Tỉnh Bắc Ninh", "2025"))  # what Bắc Giang merged into
    True
    """
    area = principal_area(user)
    if area is None:
        return True
    return all(r in area for r in _readings(province))


def account_within(user: Principal | Mapping | None, account: Principal | Mapping) -> bool:
    """Whether ``account``'s area lies within ``user``'s (who may manage whom).

    An unlimited user manages every account; a limited one only accounts limited
    to a part of its own area (never an unlimited account): a province-limited
    administrator the accounts of its area's provinces and their districts, a
    district-limited one only accounts of its district.
    """
    from geo.auth.policy import as_principal

    me, acc = as_principal(user), as_principal(account)
    mine = principal_area(me)
    if mine is None:
        return True
    if me.district_code:
        return acc.district_code == me.district_code
    theirs = principal_area(acc)
    return theirs is not None and bool(theirs) and theirs <= mine


def province_label(code: str | None, edition: str | None) -> str:
    """``"Tỉnh Sơn La (14)"``: a province limit as people read it (the code if unknown)."""
    if not isinstance(code, str) or not code:
        return ""
    return _province_label(code, edition)


@functools.lru_cache(maxsize=256)
def _province_label(code: str, edition: str | None) -> str:
    from geo.registry import load_units

    provs = load_units(edition if edition in ("legacy", "2025") else "legacy", "province")
    hit = provs[provs.code == code]
    return f"{hit.iloc[0]['name']} ({code})" if len(hit) else str(code)


def district_province(district: str) -> str | None:
    """Province code of a legacy district (``None`` when the registry lacks it).

    Examples
    --------
    >>> district_province("123")  # Mộc Châu
    '14'
    """
    from geo.registry import load_units

    d = load_units("legacy", "district")
    row = d[d.code == district]
    return None if row.empty else str(row.province_code.iloc[0])


def district_in_province(district: str, province: str) -> bool:
    """Whether a legacy district lies in ``province`` (any edition; unknown districts do)."""
    dprov = district_province(district)
    return dprov is None or same_province(dprov, province)


def province_code(province: str) -> str:
    """The code of a province given by code or name (the legacy registry first).

    Raises
    ------
    NotFoundError
        No province of either edition has this code or name.

    Examples
    --------
    >>> province_code("Sơn La")
    '14'
    """
    from geo.registry import resolve_province

    try:
        return str(resolve_province(province).code)
    except NotFoundError:  # a 2025-only name
        return str(resolve_province(province, "2025").code)


def check_area(province: str | None, district: str | None) -> tuple[str | None, str | None]:
    """The (province code, district code) limit of an account, checked against the registry.

    Parameters
    ----------
    province : str, optional
        Province code or name, either edition.
    district : str, optional
        Legacy district code; the province defaults to the district's.

    Raises
    ------
    NotFoundError
        Unknown province.
    ValidationError
        Unknown district, or a district outside the province.
    """
    if province:
        province = province_code(province)
    if district:
        dprov = district_province(district)
        if dprov is None:
            raise ValidationError(f"Không có huyện mã '{district}'.",
                                  f"No district with code '{district}'.")
        if province and not same_province(province, dprov):
            raise ValidationError(f"Huyện {district} không thuộc tỉnh {province}.",
                                  f"District {district} is not in province {province}.")
        province = province or dprov
    return province, district


def check_limit(province: object, district: str | None, edition: str | None = None
                ) -> tuple[str | None, str | None, str | None]:
    """The ``(province code, district code, edition)`` limit of a new account.

    Parameters
    ----------
    province : str or Province, optional
        Province code or name; a :class:`~geo.registry.Province` keeps its edition.
    district : str, optional
        Legacy district code (its province is a legacy one).
    edition : {"legacy", "2025"}, optional
        Edition to read ``province`` in; by default the legacy registry first, as
        accounts have always been read (:func:`province_code`).

    Raises
    ------
    NotFoundError
        Unknown province (in ``edition``).
    ValidationError
        Unknown district, a district outside the province, an unknown edition.
    """
    from geo.registry import Province, find_province

    if edition not in (None, "legacy", "2025"):
        raise ValidationError(f"Phiên bản danh mục '{edition}' không hợp lệ; dùng legacy "
                              "hoặc 2025.", f"Invalid edition '{edition}'; use legacy or 2025.")
    if isinstance(province, Province):
        code, ed = str(province.code), province.edition
    elif province:
        if edition:
            p = find_province(str(province), edition)
            if p.edition != edition:
                raise NotFoundError(f"Không có tỉnh '{province}' trong danh mục {edition}.",
                                    f"No province '{province}' in the {edition} registry.")
            code, ed = p.code, edition
        else:
            code, ed = province_code(str(province)), None
            ed = "legacy" if code in set(_legacy_codes()) else "2025"
    else:
        code, ed = None, None
    if district:
        dprov = district_province(district)
        if dprov is None:
            raise ValidationError(f"Không có huyện mã '{district}'.",
                                  f"No district with code '{district}'.")
        if code and ("legacy", dprov) not in province_area(code, ed or "legacy"):
            raise ValidationError(f"Huyện {district} không thuộc tỉnh {code}.",
                                  f"District {district} is not in province {code}.")
        code, ed = dprov, "legacy"
    return code, district, ed


@functools.lru_cache(maxsize=1)
def _legacy_codes() -> tuple[str, ...]:
    from geo.registry import load_units

    return tuple(load_units("legacy", "province").code)


def units_outside_area(user: Principal | Mapping | None, edition: str,
                       codes: list[str]) -> list[str]:
    """Commune codes of ``edition`` outside the area ``user`` is limited to.

    A 2025 commune is inside a (legacy) district limit when one of the communes
    it was formed from lay in that district.

    Examples
    --------
    >>> units_outside_area({"username": "a", "role": "admin"}, "legacy", ["04024"])
    []
    """
    from geo.auth.policy import as_principal
    from geo.registry import load_crosswalk, load_units

    p = as_principal(user)
    if p is None or (not p.province_code and not p.district_code):
        return []
    units = load_units(edition, "commune").set_index("code")
    if p.district_code:
        if edition == "legacy":
            ok = set(units.index[units.district_code == p.district_code])
        else:
            old = load_units("legacy", "commune").set_index("code").district_code
            cw = load_crosswalk()
            ok = set(cw.new_code[cw.old_code.map(old) == p.district_code])
        return [c for c in codes if c not in ok]
    area = principal_area(p) or frozenset()
    out = []
    for c in codes:
        prov = units.province_code.get(c)
        if not isinstance(prov, str) or (edition, prov) not in area:
            out.append(c)
    return out
