"""Data behind a map: boundaries of one edition joined to one indicator's values.

Pages and figure exports call these; they never compute values themselves.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy.orm import Session

from geo.crs import nearest_zone, reproject, to_wgs84
from geo.indicators import get_indicator, rate
from geo.store import current_boundaries, get_values, hotspot_table

__all__ = ["MEASURES", "display_geometries", "map_frame", "series_frame"]

#: How a value is shown: the count itself or a rate per 10,000 residents.
MEASURES = {
    "count": ("Số lượng", "Count"),
    "rate": ("Tỷ lệ trên 10.000 dân", "Rate per 10,000 residents"),
}


def map_frame(
    s: Session,
    province: str,
    edition: str,
    indicator: str,
    period: str,
    measure: str = "count",
    suppress_below: int | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Communes of a province with one indicator's value for one period.

    Parameters
    ----------
    s : Session
        Open session.
    province : str
        Province code or name.
    edition : {"legacy", "2025"}
        Which communes to draw; values recorded on the other edition cross the
        reform through the crosswalk (see :func:`geo.store.get_values`).
    indicator : str
        Indicator id.
    period : str
        Period id (``2023-H1``).
    measure : {"count", "rate"}
        The count, or a rate per 10,000 residents recomputed from converted
        numerators and denominators (never averaged).
    suppress_below : int, optional
        Mark the communes whose *count* is below it (``suppressed``), whichever
        measure is shown: a rate computed from a small count hides as much as the
        count. Only for indicators whose small counts are hidden
        (:attr:`geo.indicators.Indicator.suppressible`); others are never marked.
    boundaries : geopandas.GeoDataFrame, optional
        The province's current boundaries in ``edition`` as
        :func:`geo.store.current_boundaries` reads them (e.g. display-simplified and
        shared); read when not given. Left unchanged.

    Returns
    -------
    geopandas.GeoDataFrame
        ``code, name, unit_type, district_name, source, value, converted, geometry``
        (WGS84), and ``suppressed`` (bool) with ``suppress_below``; ``value`` is NaN
        where there is no data.
    """
    ind = get_indicator(indicator)  # validates the id
    gdf = current_boundaries(s, province, edition) if boundaries is None else boundaries
    wanted = [indicator] + (["population"] if measure == "rate" else [])
    vals = get_values(s, province, edition, wanted, [period])
    wide = vals.pivot_table(index="unit_code", columns="indicator", values="value")
    conv = vals[vals.indicator == indicator].set_index("unit_code").converted
    count = wide.get(indicator, pd.Series(dtype=float)).reindex(gdf.code).to_numpy(dtype=float)
    v = count
    if measure == "rate":
        pop = wide.get("population", pd.Series(dtype=float)).reindex(gdf.code).to_numpy(float)
        v = rate(count, pop)
    gdf = gdf.assign(value=v, converted=conv.reindex(gdf.code).fillna("").to_numpy())
    if suppress_below is not None:
        with np.errstate(invalid="ignore"):
            small = np.isfinite(count) & (count < suppress_below)
        gdf["suppressed"] = small if ind.suppressible else np.zeros(len(gdf), dtype=bool)
    return gdf


def series_frame(
    s: Session, province: str, edition: str, indicators: list[str], measure: str = "count",
    periods: list[str] | None = None,
) -> pd.DataFrame:
    """Long values (all periods, or ``periods``) of some indicators.

    As counts, or rates per 10,000 (``measure="rate"``).
    """
    wanted = list(dict.fromkeys(indicators + (["population"] if measure == "rate" else [])))
    vals = get_values(s, province, edition, wanted, periods)
    if measure != "rate" or vals.empty:
        return vals[vals.indicator.isin(indicators)].reset_index(drop=True)
    pop = vals[vals.indicator == "population"].set_index(["unit_code", "period"]).value
    out = vals[vals.indicator.isin(indicators)].copy()
    idx = pd.MultiIndex.from_frame(out[["unit_code", "period"]])
    out["value"] = rate(out.value.to_numpy(), pop.reindex(idx).to_numpy())
    return out.reset_index(drop=True)


def display_geometries(gdf: gpd.GeoDataFrame, tolerance_m: float = 150.0) -> gpd.GeoDataFrame:
    """Simplify a commune coverage for screen display without opening gaps or overlaps.

    Uses ``shapely.coverage_simplify`` so neighbours keep one shared edge; falls
    back to the original geometries if the input is not a valid coverage.
    """
    if gdf.empty:
        return gdf
    # Metres in the VN-2000 TM-3 zone of the communes, through the pinned transformations.
    lon = float(np.nanmean(gdf.geometry.representative_point().x))
    local = reproject(gdf, nearest_zone(lon))
    geoms = local.geometry.values
    try:
        simple = shapely.coverage_simplify(np.asarray(geoms, dtype=object), tolerance_m)
    except shapely.errors.GEOSException:
        return gdf
    out = local.set_geometry(gpd.GeoSeries(simple, crs=local.crs, index=local.index))
    return to_wgs84(out)


def hotspot_status(s: Session, province: str, edition: str, on: object = None) -> pd.DataFrame:
    """Current status of each designated hotspot commune of an edition (``unit_code, status``)."""
    h = hotspot_table(s, province, on=on)
    h = h[h.edition == edition]
    return h.drop_duplicates("hotspot_id")[["unit_code", "name", "current_status"]].rename(
        columns={"current_status": "status"}).reset_index(drop=True)
