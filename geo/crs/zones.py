"""VN-2000 TM-3 zones: which 3-degree Transverse Mercator zone a province uses.

Official Vietnamese GIS files are usually VN-2000 (EPSG:4756), projected in the
province's 3-degree Transverse Mercator zone (TM-3, k = 0.9999, false easting
500 000 m). The central meridian of every province (Thông tư 973/2001/TT-TCĐC)
and its EPSG code are in ``data/vn2000_zones.json``.

- :func:`province_zone` / :func:`province_crs` — a province's zone (either edition's codes);
- :func:`zone_crs` — the zone of a central meridian, built from EPSG:4756 when EPSG has none;
- :func:`nearest_zone` — the zone nearest a longitude, for data of no known province.

Distances and areas of a province's data are measured in its zone. This module
reads only the packaged zones file; it imports nothing else of diaban but
:mod:`geo.errors`.

Examples
--------
>>> province_crs("14").to_epsg()
9206
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pyproj import CRS
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import TransverseMercatorConversion

from geo import DATA_DIR
from geo.errors import NotFoundError

__all__ = [
    "EDITIONS",
    "VN2000",
    "ZONES_FILE",
    "ZonedProvince",
    "crs_id",
    "load_zones",
    "meridian_dms",
    "nearest_zone",
    "province_crs",
    "province_zone",
    "zone_crs",
]

ZONES_FILE = DATA_DIR / "vn2000_zones.json"
#: VN-2000 geographic CRS, base of every VN-2000 projected CRS.
VN2000 = "EPSG:4756"
#: Editions of the administrative units (see :mod:`geo.registry`).
EDITIONS = ("legacy", "2025")


@lru_cache(maxsize=1)
def load_zones() -> dict[str, Any]:
    """The parsed ``data/vn2000_zones.json``.

    Returns
    -------
    dict
        Keys ``sources``, ``projection``, ``zones`` (one per central meridian, with
        ``epsg``), ``utm``, ``legacy`` and ``edition_2025`` (province code → entry
        with ``name``, ``central_meridian``, ``epsg``...). Do not modify it.
    """
    return json.loads(ZONES_FILE.read_text("utf-8"))


@dataclass(frozen=True)
class ZonedProvince:
    """A province and its VN-2000 TM-3 zone.

    Attributes
    ----------
    code : str
        GSO province code (``"14"``).
    edition : {"legacy", "2025"}
        Edition the code belongs to.
    name, full_name : str
        ``"Sơn La"``, ``"Tỉnh Sơn La"``.
    central_meridian : float
        Degrees east (104.0).
    dms : str
        The meridian as written in Vietnamese documents (``"104°00′"``).
    epsg : int or None
        EPSG code of the zone, None when EPSG has none (then :func:`zone_crs` builds it).
    merged_from : tuple of str
        Legacy codes merged into a 2025 province (empty for legacy entries).
    other_meridians : dict
        Legacy code → meridian of merged members whose zone differed.
    """

    code: str
    edition: str
    name: str
    full_name: str
    central_meridian: float
    dms: str
    epsg: int | None
    merged_from: tuple[str, ...] = ()
    other_meridians: dict[str, float] = field(default_factory=dict)

    @property
    def crs(self) -> CRS:
        """The zone as a :class:`pyproj.CRS`."""
        return zone_crs(self.central_meridian)

    def label(self, lang: str = "vi") -> str:
        """``"tỉnh Sơn La"`` / ``"Sơn La province"`` (``"thành phố"`` / ``"city"`` for cities)."""
        city = self.full_name.lower().startswith("thành phố")
        if lang == "en":
            return f"{self.name} {'city' if city else 'province'}"
        return f"{'thành phố' if city else 'tỉnh'} {self.name}"


def _norm_code(province_code: str | int) -> str:
    code = str(province_code).strip()
    if code.isdigit() and len(code) < 2:
        code = code.zfill(2)
    return code


def province_zone(province_code: str | int, edition: str = "legacy") -> ZonedProvince:
    """The VN-2000 TM-3 zone of a province.

    Parameters
    ----------
    province_code : str
        Two-digit GSO code (``"14"``).
    edition : {"legacy", "2025"}
        Which registry the code is from. Codes 24, 44, 52, 80, 82 and 91 name a
        different province in each edition (2025 merged provinces took a
        member's code), and their zones differ.

    Returns
    -------
    ZonedProvince

    Raises
    ------
    NotFoundError
        Unknown code or edition.

    Examples
    --------
    >>> province_zone("24").name, province_zone("24", "2025").name
    ('Bắc Giang', 'Bắc Ninh')
    """
    if edition not in EDITIONS:
        raise NotFoundError(f"Không có phiên bản đơn vị hành chính '{edition}' (legacy, 2025).",
                            f"Unknown edition '{edition}' (legacy, 2025).")
    code = _norm_code(province_code)
    table = load_zones()["legacy" if edition == "legacy" else "edition_2025"]
    if code not in table:
        raise NotFoundError(f"Không có tỉnh mã '{code}' (phiên bản {edition}).",
                            f"No province with code '{code}' ({edition} edition).")
    e = table[code]
    return ZonedProvince(code=code, edition=edition, name=e["name"], full_name=e["full_name"],
                         central_meridian=float(e["central_meridian"]),
                         dms=e["central_meridian_dms"], epsg=e["epsg"],
                         merged_from=tuple(e.get("merged_from", ())),
                         other_meridians={k: float(v) for k, v in
                                          e.get("other_meridians", {}).items()})


def province_crs(province_code: str | int, edition: str = "legacy") -> CRS:
    """The VN-2000 TM-3 zone of a province as a :class:`pyproj.CRS`.

    Parameters
    ----------
    province_code : str
        Two-digit GSO code (``"14"`` = Sơn La).
    edition : {"legacy", "2025"}
        Registry of the code (see :func:`province_zone`).

    Returns
    -------
    pyproj.CRS
        ``EPSG:92xx`` / ``EPSG:589x`` (built from EPSG:4756 if the meridian had no code).

    Examples
    --------
    >>> province_crs("11").to_epsg(), province_crs("84").to_epsg(), province_crs("01").to_epsg()
    (9205, 9209, 5897)
    """
    return province_zone(province_code, edition).crs


def meridian_dms(meridian: float) -> str:
    """A meridian as Vietnamese documents write it.

    Examples
    --------
    >>> meridian_dms(104.75)
    '104°45′'
    """
    deg = int(meridian)
    return f"{deg}°{round((meridian - deg) * 60):02d}′"


@lru_cache(maxsize=64)
def zone_crs(central_meridian: float) -> CRS:
    """The VN-2000 TM-3 CRS with the given central meridian.

    The EPSG CRS when ``data/vn2000_zones.json`` gives one; otherwise built from
    the VN-2000 geographic CRS EPSG:4756 with a Transverse Mercator (k = 0.9999,
    false easting 500 000 m), so PROJ still finds the EPSG datum transformation.

    Parameters
    ----------
    central_meridian : float
        Degrees east, e.g. 104.75 for 104°45′.

    Returns
    -------
    pyproj.CRS
    """
    for z in load_zones()["zones"]:
        if math.isclose(z["central_meridian"], central_meridian, abs_tol=1e-9) and z["epsg"]:
            return CRS.from_epsg(int(z["epsg"]))
    p = load_zones()["projection"]
    conv = TransverseMercatorConversion(
        latitude_natural_origin=p["latitude_of_origin"],
        longitude_natural_origin=central_meridian,
        false_easting=p["false_easting"], false_northing=p["false_northing"],
        scale_factor_natural_origin=p["scale_factor"])
    label = meridian_dms(central_meridian).replace("°", "-")[:-1]
    return ProjectedCRS(conversion=conv, geodetic_crs=CRS.from_user_input(p["geographic_crs"]),
                        name=f"VN-2000 / TM-3 {label}")


def crs_id(crs: CRS) -> str:
    """``"EPSG:9206"`` when the CRS has an EPSG code, else its WKT.

    Examples
    --------
    >>> crs_id(province_crs("14"))
    'EPSG:9206'
    """
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()



def nearest_zone(lon: float) -> CRS:
    """The VN-2000 TM-3 zone whose central meridian is nearest a longitude.

    For measuring data whose province is not known; a province's own zone
    (:func:`province_crs`) is not always the nearest one.

    Parameters
    ----------
    lon : float
        Degrees east.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    ValueError
        ``lon`` is not a finite number.

    Examples
    --------
    >>> nearest_zone(103.9).to_epsg(), nearest_zone(107.8).to_epsg()
    (9206, 5899)
    """
    if not math.isfinite(float(lon)):
        raise ValueError(f"longitude must be finite, not {lon!r}")
    meridians = [float(z["central_meridian"]) for z in load_zones()["zones"]]
    return zone_crs(min(meridians, key=lambda m: (abs(m - float(lon)), m)))
