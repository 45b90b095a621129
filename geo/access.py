"""Access to services: distances from communes to the nearest facilities."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod

__all__ = ["nearest_facilities"]

_GEOD = Geod(ellps="WGS84")


def nearest_facilities(lon: float, lat: float, facilities: gpd.GeoDataFrame,
                       k: int = 5) -> pd.DataFrame:
    """The ``k`` facilities nearest to a point, by geodesic (straight-line) distance.

    Parameters
    ----------
    lon, lat : float
        The point (WGS84), e.g. a commune's centroid or population-weighted point.
    facilities : geopandas.GeoDataFrame
        Points with ``kind, name`` (WGS84).
    k : int
        How many to return.

    Returns
    -------
    pandas.DataFrame
        ``name, kind, distance_km`` sorted by distance.

    Examples
    --------
    >>> f = gpd.GeoDataFrame({"name": ["a"], "kind": ["club"]},
    ...                      geometry=gpd.points_from_xy([105.0], [21.0]), crs=4326)
    >>> round(nearest_facilities(105.0, 21.1, f).distance_km.item(), 1)
    11.1
    """
    if facilities.empty:
        return pd.DataFrame(columns=["name", "kind", "distance_km"])
    fx = facilities.geometry.x.to_numpy()
    fy = facilities.geometry.y.to_numpy()
    _, _, dist = _GEOD.inv(np.full_like(fx, lon), np.full_like(fy, lat), fx, fy)
    out = facilities.drop(columns="geometry").assign(distance_km=np.asarray(dist) / 1000.0)
    return pd.DataFrame(out.sort_values("distance_km").head(k)).reset_index(drop=True)
