"""Spatial weights for communes (libpysal), with islands handled and reported."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from libpysal import weights

__all__ = ["WeightsResult", "contiguity_weights"]


@dataclass
class WeightsResult:
    """Contiguity weights and the units that had no contiguous neighbour.

    Attributes
    ----------
    w : libpysal.weights.W
        Queen contiguity, ids = unit codes, islands linked to their nearest unit.
    islands : list of str
        Units with no contiguous neighbour (e.g. an island commune); each was
        given its single nearest neighbour (by centroid) so local statistics
        can be computed, and callers should report them.
    """

    w: weights.W
    islands: list[str]


def contiguity_weights(gdf: gpd.GeoDataFrame, id_col: str = "code") -> WeightsResult:
    """Queen contiguity weights between polygons.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons with a unique id column.
    id_col : str
        Column with the unit codes (weights ids).

    Returns
    -------
    WeightsResult

    Examples
    --------
    >>> from shapely import box
    >>> g = gpd.GeoDataFrame({"code": list("abc")},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)], crs=3857)
    >>> r = contiguity_weights(g)
    >>> r.islands, sorted(r.w.neighbors["c"])
    (['c'], ['b'])
    """
    ids = list(gdf[id_col])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = weights.Queen.from_dataframe(gdf.reset_index(drop=True), ids=ids,
                                         use_index=False)
    islands = [str(i) for i in w.islands]
    if islands:
        pts = gdf.geometry.representative_point()
        if gdf.crs is not None and gdf.crs.is_geographic:
            pts = pts.to_crs(gdf.estimate_utm_crs())
        xy = np.c_[pts.x.to_numpy(), pts.y.to_numpy()]
        neigh = {k: list(v) for k, v in w.neighbors.items()}
        for isl in islands:
            i = ids.index(isl)
            d = np.hypot(*(xy - xy[i]).T)
            d[i] = np.inf
            j = ids[int(np.argmin(d))]
            neigh[isl] = [j]
            if isl not in neigh[j]:
                neigh[j] = neigh[j] + [isl]
        w = weights.W(neigh, id_order=ids, silence_warnings=True)
    return WeightsResult(w, islands)
