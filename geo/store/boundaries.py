"""Commune boundaries: versioned polygons in WGS84.

Saving a unit's boundary makes it the current version; earlier versions stay
stored and come back when the batch that replaced them is undone.

Imports :mod:`geo.store.schema`, :mod:`geo.store.units` and :mod:`geo.crs`
(the pinned reprojection to WGS84).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from geo.crs import to_wgs84
from geo.store.schema import Boundary, ImportBatch
from geo.store.units import province_units

__all__ = ["current_boundaries", "save_boundaries"]


def save_boundaries(
    s: Session,
    gdf: gpd.GeoDataFrame,
    edition: str,
    source: str,
    batch: ImportBatch | None = None,
    source_crs: str | None = None,
    source_file: str | None = None,
) -> int:
    """Store boundaries as the new current version of their units.

    Earlier versions of the same units stay stored and stop being current;
    undoing the batch brings them back.

    Parameters
    ----------
    s : Session
        The importing transaction (hold the provinces' locks first).
    gdf : geopandas.GeoDataFrame
        ``code, geometry``. Geometries not in WGS84 are reprojected with the
        pinned transformations of :func:`geo.crs.to_wgs84`.
    edition : {"legacy", "2025"}
        Edition of the codes.
    source : {"official", "approximate"}
        Where the polygons come from.
    batch : ImportBatch, optional
        The batch they belong to (its row count grows by the units stored).
    source_crs : str, optional
        CRS of the file they were read from (``"EPSG:9206"`` or a WKT).
    source_file : str, optional
        Name of that file.

    Returns
    -------
    int
        Units stored.
    """
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = to_wgs84(gdf)
    codes = list(gdf["code"])
    latest = dict(
        s.execute(
            select(Boundary.unit_code, func.max(Boundary.version))
            .where(Boundary.edition_id == edition, Boundary.unit_code.in_(codes))
            .group_by(Boundary.unit_code)
        ).all()
    )
    for i in range(0, len(codes), 500):
        s.execute(
            update(Boundary)
            .where(
                Boundary.edition_id == edition,
                Boundary.unit_code.in_(codes[i : i + 500]),
                Boundary.is_current.is_(True),
            )
            .values(is_current=False)
        )
    for code, geom in zip(gdf["code"], gdf.geometry):
        s.add(
            Boundary(
                edition_id=edition, unit_code=code, version=latest.get(code, 0) + 1,
                geom=geom, source=source, source_crs=source_crs, source_file=source_file,
                batch_id=batch.id if batch else None, is_current=True,
            )
        )
    if batch is not None:
        batch.n_rows = (batch.n_rows or 0) + len(codes)
    return len(codes)


def current_boundaries(s: Session, province: str, edition: str) -> gpd.GeoDataFrame:
    """Current boundaries of a province's communes with their names, in WGS84.

    Parameters
    ----------
    s : Session
        Open session.
    province : str
        Province code or name, of either edition (see :func:`geo.store.province_units`).
    edition : {"legacy", "2025"}
        Edition of the communes.

    Returns
    -------
    geopandas.GeoDataFrame
        ``code, name, unit_type, district_name, source, version, geometry``; units
        without a stored boundary are left out.
    """
    units = province_units(s, province, edition)
    rows = []
    codes = list(units.code)
    for i in range(0, len(codes), 900):
        rows += s.execute(
            select(Boundary.unit_code, Boundary.source, Boundary.version, Boundary.geom).where(
                Boundary.edition_id == edition,
                Boundary.is_current.is_(True),
                Boundary.unit_code.in_(codes[i : i + 900]),
            )
        ).all()
    b = pd.DataFrame(rows, columns=["code", "source", "version", "geometry"])
    out = units[["code", "name", "unit_type", "district_name"]].merge(b, on="code")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=4326)
