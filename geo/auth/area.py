"""The area a user is limited to: a province (either registry edition) or a legacy district.

A province limit follows the 1 July 2025 merger both ways: a user of a legacy
province may act on the 2025 province it merged into, and a user of a 2025 province
on the legacy provinces merged into it. A district limit (legacy districts; there
are none after the reform) covers the 2025 communes formed from its communes.
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
    "check_area",
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
    out = []
    for c in codes:
        prov = units.province_code.get(c)
        if not isinstance(prov, str) or not same_province(p.province_code, prov):
            out.append(c)
    return out
