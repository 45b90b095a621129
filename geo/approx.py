"""Approximate commune polygons derived from the registry.

Official commune boundaries are rarely public, so the demo and the whole-country
views use polygons *derived* from the registry: each commune's centroid, its
bounding box (legacy edition) and its area (2025 edition). They are labelled
"approximate" wherever shown and are replaced by official boundaries on import.

Method
------
1. The province region is the union of its legacy communes' bounding boxes,
   grown or shrunk (buffer) until its area equals the registry area of the
   communes, and always covering every centroid.
2. The region is rasterised (default 300 m cells in a projected CRS) and cells
   are given to communes by a power diagram (squared distance to the centroid
   minus a weight); the weights are iterated until each commune's area is
   close to its target (2025 area shared among its predecessors in proportion
   to their bounding boxes).
3. Each commune keeps the connected piece of its cells that holds its
   centroid; stray pieces go to the neighbour they touch most.
4. Cells are labelled by (legacy commune, 2025 commune) "atoms" — a split
   legacy commune's cells go to the nearest of its new communes — and the atom
   raster is polygonised with rasterio and simplified as a coverage (shapely),
   so both editions are dissolves of the same atoms: no gaps, no overlaps, and
   the 2025 polygons are exactly unions of legacy ones (or their parts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy import ndimage
from scipy.spatial import cKDTree

from geo.crs import from_wgs84, province_crs, to_wgs84
from geo.errors import NotFoundError
from geo.registry import load_crosswalk, load_units

__all__ = ["ApproxResult", "approximate_country", "approximate_coverage"]

Progress = Callable[[float, str], None] | None


@dataclass
class ApproxResult:
    """Approximate coverages of one legacy province.

    Attributes
    ----------
    legacy : geopandas.GeoDataFrame
        ``code, geometry`` per legacy commune (WGS84).
    current : geopandas.GeoDataFrame
        ``code, geometry`` per 2025 commune reached from this province (WGS84),
        clipped to the province region.
    split_weights : pandas.DataFrame
        ``old_code, new_code, weight``: area shares of split legacy communes.
    """

    legacy: gpd.GeoDataFrame
    current: gpd.GeoDataFrame
    split_weights: pd.DataFrame


def _targets(units: pd.DataFrame, cw: pd.DataFrame, new: pd.DataFrame,
             bbox_area: pd.Series) -> pd.Series:
    """Target area (m²) of each legacy commune of the province."""
    all_old = load_units("legacy", "commune").set_index("code")
    new_area = new.set_index("code").area_km2 * 1e6
    whole = cw[~cw.split]
    # bbox areas of every predecessor of the involved new communes (any province)
    preds = whole[whole.new_code.isin(whole[whole.old_code.isin(units.code)].new_code)]
    pb = all_old.loc[preds.old_code]
    pb_area = ((pb.bbox_maxx - pb.bbox_minx) * (pb.bbox_maxy - pb.bbox_miny)).to_numpy()
    preds = preds.assign(bb=np.where(np.isfinite(pb_area) & (pb_area > 0), pb_area, np.nan))
    preds["bb"] = preds.bb.fillna(preds.bb.median())
    preds["share"] = preds.bb / preds.groupby("new_code").bb.transform("sum")
    preds["target"] = preds.share * preds.new_code.map(new_area)
    t = preds.set_index("old_code").target.reindex(units.code)
    # Split communes and missing areas: bbox area × the province's typical ratio.
    ratio = (t / bbox_area.reindex(units.code)).replace([np.inf, -np.inf], np.nan)
    r = float(np.nanmedian(ratio)) if np.isfinite(ratio).any() else 0.6
    t = t.fillna(bbox_area.reindex(units.code) * r)
    return t.fillna(t.median()).clip(lower=t.median() * 0.02)


def approximate_coverage(
    province_code: str,
    *,
    crs: str | CRS | None = None,
    resolution_m: float | None = None,
    iterations: int = 40,
    progress: Progress = None,
) -> ApproxResult:
    """Build approximate legacy and 2025 commune polygons for one legacy province.

    Parameters
    ----------
    province_code : str
        GSO code of a legacy province (``"14"`` = Sơn La).
    crs : str or pyproj.CRS, optional
        Projected CRS for the computation; by default the province's VN-2000 TM-3
        zone (:func:`geo.crs.province_crs`, ``"EPSG:9206"`` for Sơn La), where
        lengths and areas are within 0.1% of true.
    resolution_m : float, optional
        Raster cell size; by default chosen from the province's size.
    iterations : int
        Power-diagram weight iterations.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    ApproxResult

    Examples
    --------
    >>> r = approximate_coverage("14")  # doctest: +SKIP
    >>> len(r.legacy), len(r.current)  # doctest: +SKIP
    (200, 75)
    """
    units = load_units("legacy", "commune")
    units = units[units.province_code == province_code].reset_index(drop=True)
    if units.empty:
        raise NotFoundError(f"Không có tỉnh mã '{province_code}' (danh mục trước 2025).",
                            f"No legacy province with code '{province_code}'.")
    cw = load_crosswalk()
    new = load_units("2025", "commune")
    crs = CRS.from_user_input(province_crs(province_code) if crs is None else crs)
    if progress:
        progress(0.05, "region")
    pts = from_wgs84(gpd.GeoSeries(gpd.points_from_xy(units.lon, units.lat), crs=4326), crs)
    cx, cy = _spread_duplicates(pts.x.to_numpy(), pts.y.to_numpy(), 1500.0)
    bb = units[["bbox_minx", "bbox_miny", "bbox_maxx", "bbox_maxy"]].copy()
    ok = bb.notna().all(axis=1)
    boxes = from_wgs84(gpd.GeoSeries(
        [shapely.box(*r) if k else None for r, k in zip(bb.to_numpy(), ok)], crs=4326), crs)
    bbox_area = pd.Series(boxes.area.to_numpy(), index=units.code)
    targets = _targets(units, cw, new, bbox_area)
    spacing = float(np.sqrt(targets.median()))
    discs = shapely.buffer(shapely.points(cx, cy), spacing * 0.3)
    base = shapely.union_all(list(boxes.dropna()) + list(discs))
    goal = float(targets.sum())
    lo, hi = -spacing, spacing
    region = base
    for _ in range(30):  # bisection on the buffer distance
        d = (lo + hi) / 2
        region = shapely.union(shapely.buffer(base, d, quad_segs=4), shapely.union_all(discs))
        if region.area > goal:
            hi = d
        else:
            lo = d
    region = shapely.buffer(shapely.buffer(region, spacing * 0.2), -spacing * 0.2)
    region = _fill_holes(shapely.union(region, shapely.union_all(discs)))
    res = resolution_m or max(100.0, round(np.sqrt(region.area / 150_000) / 50) * 50)
    minx, miny, maxx, maxy = region.bounds
    nx, ny = int(np.ceil((maxx - minx) / res)), int(np.ceil((maxy - miny) / res))
    from rasterio import features
    from rasterio.transform import from_origin

    transform = from_origin(minx, maxy, res, res)
    inside = features.geometry_mask([region], (ny, nx), transform, invert=True)
    iy, ix = np.nonzero(inside)
    px = minx + (ix + 0.5) * res
    py = maxy - (iy + 0.5) * res
    n = len(units)
    k = min(16, n)
    tree = cKDTree(np.c_[cx, cy])
    _, cand = tree.query(np.c_[px, py], k=k)
    cand = cand.reshape(len(px), k)
    d2 = (px[:, None] - cx[cand]) ** 2 + (py[:, None] - cy[cand]) ** 2
    w = np.zeros(n)
    tgt = targets.to_numpy()
    cell_area = res * res
    # Scale targets to the rasterised region so they can be met exactly.
    tgt = tgt * (len(px) * cell_area / tgt.sum())
    for it in range(iterations):
        lab = cand[np.arange(len(px)), np.argmin(d2 - w[cand], axis=1)]
        area = np.bincount(lab, minlength=n) * cell_area
        w += 0.6 * (tgt - area) / np.pi
        if progress and it % 10 == 0:
            progress(0.1 + 0.6 * it / iterations, "power diagram")
    lab = cand[np.arange(len(px)), np.argmin(d2 - w[cand], axis=1)]
    grid = np.full((ny, nx), -1, dtype=np.int32)
    grid[iy, ix] = lab
    _force_centroids(grid, cx, cy, minx, maxy, res)
    grid = _keep_main_pieces(grid, cx, cy, minx, maxy, res)
    if progress:
        progress(0.75, "atoms")
    # Atoms: (legacy commune, 2025 commune)
    links = cw[cw.old_code.isin(units.code)]
    code_idx = {c: i for i, c in enumerate(units.code)}
    new_codes = sorted(links.new_code.unique())
    new_idx = {c: i for i, c in enumerate(new_codes)}
    new_xy = new.set_index("code").loc[new_codes, ["lon", "lat"]]
    npts = from_wgs84(gpd.GeoSeries(gpd.points_from_xy(new_xy.lon, new_xy.lat), crs=4326), crs)
    nxy = np.c_[npts.x.to_numpy(), npts.y.to_numpy()]
    atom_new = np.full(grid.shape, -1, dtype=np.int32)
    for old, grp in links.groupby("old_code"):
        i = code_idx[old]
        cells = grid == i
        targets_new = [new_idx[c] for c in grp.new_code]
        if len(targets_new) == 1:
            atom_new[cells] = targets_new[0]
            continue
        yy, xx = np.nonzero(cells)
        qx, qy = minx + (xx + 0.5) * res, maxy - (yy + 0.5) * res
        tx = nxy[targets_new]
        dd = (qx[:, None] - tx[:, 0]) ** 2 + (qy[:, None] - tx[:, 1]) ** 2
        atom_new[yy, xx] = np.asarray(targets_new)[np.argmin(dd, axis=1)]
    atom_id = np.where(grid >= 0, grid.astype(np.int64) * len(new_codes) + atom_new, -1)
    uniq, inv = np.unique(atom_id, return_inverse=True)
    atom_grid = inv.reshape(atom_id.shape).astype(np.int32)
    valid = atom_id >= 0
    shapes = features.shapes(atom_grid, mask=valid, transform=transform, connectivity=4)
    polys: dict[int, list] = {}
    for geom, val in shapes:
        polys.setdefault(int(val), []).append(shapely.geometry.shape(geom))
    keys = sorted(polys)
    atoms = [shapely.union_all(polys[k]) for k in keys]
    if progress:
        progress(0.85, "simplify")
    # Give neighbours identical vertices (every grid point on every edge) so the
    # atoms form a proper coverage, then simplify the shared edges together.
    atoms = shapely.segmentize(np.array(atoms, dtype=object), res)
    atoms = list(shapely.coverage_simplify(atoms, res * 1.2))
    atoms = [shapely.make_valid(a) for a in atoms]
    adf = pd.DataFrame({
        "old": [units.code[int(uniq[k]) // len(new_codes)] for k in keys],
        "new": [new_codes[int(uniq[k]) % len(new_codes)] for k in keys],
    })
    agdf = gpd.GeoDataFrame(adf, geometry=atoms, crs=crs)
    legacy = agdf.dissolve("old").reset_index().rename(columns={"old": "code"})[
        ["code", "geometry"]]
    current = agdf.dissolve("new").reset_index().rename(columns={"new": "code"})[
        ["code", "geometry"]]
    agdf["a"] = agdf.area
    split_olds = set(links[links.split].old_code)
    sw = agdf[agdf.old.isin(split_olds)].groupby(["old", "new"], as_index=False).a.sum()
    sw["weight"] = sw.a / sw.groupby("old").a.transform("sum")
    sw = sw.rename(columns={"old": "old_code", "new": "new_code"})[
        ["old_code", "new_code", "weight"]]
    if progress:
        progress(1.0, "done")
    return ApproxResult(to_wgs84(legacy), to_wgs84(current), sw)


def _spread_duplicates(x: np.ndarray, y: np.ndarray, radius: float) -> tuple[np.ndarray,
                                                                             np.ndarray]:
    """Move units that share a centroid onto a small circle around it.

    The registry gives some wards their district's centroid; a power diagram
    needs distinct sites. Deterministic: order of appearance sets the angle.
    """
    x, y = x.copy(), y.copy()
    key = pd.Series(list(zip(np.round(x, 1), np.round(y, 1))))
    for _, idx in key.groupby(key).groups.items():
        if len(idx) < 2:
            continue
        ang = 2 * np.pi * np.arange(len(idx)) / len(idx)
        x[idx] += radius * np.cos(ang)
        y[idx] += radius * np.sin(ang)
    return x, y


def _fill_holes(geom: shapely.Geometry) -> shapely.Geometry:
    """Drop interior rings: a province region has no holes."""
    parts = getattr(geom, "geoms", [geom])
    return shapely.union_all([shapely.Polygon(p.exterior) for p in parts])


def _force_centroids(grid: np.ndarray, cx: np.ndarray, cy: np.ndarray, minx: float,
                     maxy: float, res: float) -> None:
    """Give each commune the cell under its centroid (and its 4 neighbours if free)."""
    ny, nx = grid.shape
    for i, (x, y) in enumerate(zip(cx, cy)):
        c, r = int((x - minx) // res), int((maxy - y) // res)
        if 0 <= r < ny and 0 <= c < nx:
            grid[r, c] = i


def _keep_main_pieces(grid: np.ndarray, cx: np.ndarray, cy: np.ndarray, minx: float,
                      maxy: float, res: float) -> np.ndarray:
    """Keep each commune's piece holding its centroid; give stray pieces to neighbours."""
    ny, nx = grid.shape
    out = grid.copy()
    for _ in range(3):
        changed = False
        for i in np.unique(out[out >= 0]):
            mask = out == i
            lab, nlab = ndimage.label(mask)
            if nlab <= 1:
                continue
            c, r = int((cx[i] - minx) // res), int((maxy - cy[i]) // res)
            keep = lab[r, c] if (0 <= r < ny and 0 <= c < nx and lab[r, c] > 0) else (
                np.argmax(np.bincount(lab[lab > 0])))
            for piece in range(1, nlab + 1):
                if piece == keep:
                    continue
                pm = lab == piece
                ring = ndimage.binary_dilation(pm) & ~pm & (out >= 0) & (out != i)
                if ring.any():
                    out[pm] = np.bincount(out[ring]).argmax()
                    changed = True
        if not changed:
            break
    return out


def approximate_country(progress: Progress = None) -> gpd.GeoDataFrame:
    """Approximate legacy commune polygons of every province (WGS84).

    Returns
    -------
    geopandas.GeoDataFrame
        ``code, province_code, geometry`` for the ~10,040 legacy communes.
    """
    provinces = sorted(load_units("legacy", "commune").province_code.unique())
    frames = []
    for i, p in enumerate(provinces):
        if progress:
            progress(i / len(provinces), f"province {p}")
        r = approximate_coverage(p, iterations=25)
        frames.append(r.legacy.assign(province_code=p))
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)
