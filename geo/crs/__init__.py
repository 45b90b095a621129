"""VN-2000 coordinate reference systems: provincial zones, pinned transforms, CRS guessing.

Official Vietnamese GIS files are usually VN-2000 (EPSG:4756), projected in the
province's 3-degree Transverse Mercator zone (TM-3) or in UTM 48N/49N.

- :mod:`geo.crs.zones` — which TM-3 zone a province uses (:func:`province_crs`,
  :func:`province_zone`, :func:`zone_crs`, :func:`nearest_zone`);
- :mod:`geo.crs.transform` — reprojection through the pinned EPSG transformations
  (:func:`to_wgs84`, :func:`from_wgs84`, :func:`reproject`, :func:`transformer`);
  every reprojection of user data goes through it, never plain ``to_crs``;
- :mod:`geo.crs.guess` — the CRS of coordinates without a ``.prj``
  (:func:`guess_crs`) and a check of a declared one (:func:`check_declared_crs`).

Distances, areas and travel cost of a province's data are measured in the
province's TM-3 zone: ``reproject(data, province_crs(code))``.

PROJ works offline: PROJ's network access (remote grids) is switched off when
this package is imported.

Examples
--------
>>> province_crs("14").to_epsg()
9206
>>> x, y = transformer("EPSG:4326", "EPSG:9206").transform(104.0, 21.0)
>>> round(x), round(y)
(499804, 2322951)
"""

from __future__ import annotations

from geo.crs.guess import (
    VIETNAM_BBOX,
    VIETNAM_REGIONS,
    CrsGuess,
    check_declared_crs,
    guess_crs,
    rank_by_anchors,
    share_inside,
)
from geo.crs.transform import (
    OFFICIAL_TRANSFORMATION,
    WGS84,
    BallparkWarning,
    coordinate_operation,
    from_wgs84,
    is_ballpark,
    reproject,
    to_wgs84,
    transformer,
    uses_operation,
)
from geo.crs.zones import (
    EDITIONS,
    VN2000,
    ZONES_FILE,
    ZonedProvince,
    crs_id,
    load_zones,
    meridian_dms,
    nearest_zone,
    province_crs,
    province_zone,
    zone_crs,
)

__all__ = [
    "BallparkWarning",
    "CrsGuess",
    "EDITIONS",
    "OFFICIAL_TRANSFORMATION",
    "VIETNAM_BBOX",
    "VIETNAM_REGIONS",
    "VN2000",
    "WGS84",
    "ZONES_FILE",
    "ZonedProvince",
    "check_declared_crs",
    "coordinate_operation",
    "crs_id",
    "from_wgs84",
    "guess_crs",
    "is_ballpark",
    "load_zones",
    "meridian_dms",
    "nearest_zone",
    "province_crs",
    "province_zone",
    "rank_by_anchors",
    "reproject",
    "share_inside",
    "to_wgs84",
    "transformer",
    "uses_operation",
    "zone_crs",
]
