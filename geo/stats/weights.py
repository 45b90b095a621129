"""Contiguity weights between communes (libpysal), with islands handled and reported."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
from libpysal import weights

from geo.errors import ValidationError

__all__ = ["KINDS", "WeightsResult", "contiguity_weights"]

KINDS = ("queen", "rook")


@dataclass
class WeightsResult:
    """Contiguity weights and the units that had no contiguous neighbour.

    Attributes
    ----------
    w : libpysal.weights.W
        Binary contiguity weights (``transform`` ``"O"``, every weight 1), ids = the unit
        codes as strings, in the order of the input rows. Islands are linked to their
        nearest unit. Row-standardisation is left to the statistic (``esda.Moran_Local``
        standardises, Gi* uses binary weights).
    islands : list of str
        Units with no contiguous neighbour (e.g. an island commune), in input order.
        Callers should show them to the user.
    patched : dict of str to str
        For each island, the unit it was linked to: its nearest unit by centroid distance
        in a projected CRS. The link goes both ways (the neighbour also gets the island),
        as contiguity does.
    """

    w: weights.W
    islands: list[str]
    patched: dict[str, str] = field(default_factory=dict)


def _projected_centroids(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Centroid coordinates in a projected CRS (the local UTM zone for lon/lat data).

    Without a CRS the coordinates are taken as planar.
    """
    geom = gdf.geometry
    if gdf.crs is not None and gdf.crs.is_geographic:
        geom = geom.to_crs(gdf.estimate_utm_crs())
    c = geom.centroid
    return np.c_[c.x.to_numpy(), c.y.to_numpy()]


def _validate(gdf: gpd.GeoDataFrame, id_col: str, kind: str) -> list[str]:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if id_col not in gdf.columns:
        raise ValidationError(f"Thiếu cột mã đơn vị '{id_col}'.",
                              f"The unit code column '{id_col}' is missing.", column=id_col)
    if len(gdf) < 2:
        raise ValidationError("Cần ít nhất 2 đơn vị để xác định láng giềng.",
                              "At least 2 units are needed to find neighbours.")
    if gdf[id_col].isna().any():
        raise ValidationError("Có đơn vị không có mã.", "Some units have no code.",
                              column=id_col)
    ids = gdf[id_col].astype(str).tolist()
    dup = sorted({i for i in ids if ids.count(i) > 1}) if len(set(ids)) != len(ids) else []
    if dup:
        raise ValidationError(f"Mã đơn vị bị trùng: {', '.join(dup[:10])}.",
                              f"Duplicate unit codes: {', '.join(dup[:10])}.", column=id_col)
    empty = [i for i, g in zip(ids, gdf.geometry) if g is None or g.is_empty]
    if empty:
        raise ValidationError(f"Đơn vị không có ranh giới: {', '.join(empty[:10])}.",
                              f"Units without a boundary: {', '.join(empty[:10])}.")
    return ids


def contiguity_weights(gdf: gpd.GeoDataFrame, id_col: str = "code",
                       kind: str = "queen") -> WeightsResult:
    """Queen (shared point) or rook (shared edge) contiguity between polygons.

    Units with no contiguous neighbour ("islands") would have an empty neighbourhood,
    which Gi* and local Moran's I cannot use. Each island is reported and linked to its
    single nearest unit (k = 1, by centroid distance in a projected CRS: the local UTM
    zone when ``gdf`` is in longitude/latitude). The link is added both ways.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons, one row per unit.
    id_col : str
        Column with the unit codes; they become the weights ids, as strings.
    kind : {"queen", "rook"}
        Contiguity rule.

    Returns
    -------
    WeightsResult
        ``w`` (binary, not row-standardised), ``islands`` and ``patched``.

    Raises
    ------
    geo.errors.ValidationError
        Missing id column, missing or duplicate codes, empty geometries, fewer than
        two units.

    Examples
    --------
    >>> from shapely import box
    >>> g = gpd.GeoDataFrame({"code": list("abc")},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)], crs=3857)
    >>> r = contiguity_weights(g)
    >>> r.islands, r.patched, sorted(r.w.neighbors["b"])
    (['c'], {'c': 'b'}, ['a', 'c'])
    """
    ids = _validate(gdf, id_col, kind)
    build = weights.Queen if kind == "queen" else weights.Rook
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands; we report them
        w = build.from_dataframe(gdf.reset_index(drop=True), ids=ids, use_index=False,
                                 silence_warnings=True)
    neigh = {i: [str(j) for j in w.neighbors[i]] for i in ids}
    islands = [i for i in ids if not neigh[i]]
    patched: dict[str, str] = {}
    if islands:
        xy = _projected_centroids(gdf)
        pos = {c: k for k, c in enumerate(ids)}
        for isl in islands:
            d = np.hypot(*(xy - xy[pos[isl]]).T)
            d[pos[isl]] = np.inf
            near = ids[int(np.argmin(d))]
            patched[isl] = near
            neigh[isl] = sorted(set(neigh[isl]) | {near})
            if isl not in neigh[near]:
                neigh[near] = neigh[near] + [isl]
    w = weights.W(neigh, id_order=ids, silence_warnings=True)
    return WeightsResult(w, islands, patched)
