"""Boundary files with the faults provinces' files really have, written at test time.

- :func:`registry_squares` — one square per commune, centred on the registry's centroid,
  with the registry's area: commune-shaped enough for every placement check, for any
  province and edition, without the shared real data;
- :func:`son_la_real` — the real Sơn La polygons of ``../shared/data`` (tests using it take
  the ``shared_data`` fixture and skip without it);
- :func:`write_shapefile` — a (zipped) shapefile with a chosen ``.prj`` (the wrong TM-3
  zone, WGS84 or UTM 48N declared for VN-2000 metres…), ``.cpg`` and DBF language byte,
  and text in UTF-8 or TCVN3.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS

from geo.textenc import encode_tcvn3


def registry_squares(province: str = "14", edition: str = "legacy", n: int | None = None,
                     crs: int | str = 9206, codes: bool = False) -> gpd.GeoDataFrame:
    """Squares of the registry's area around the registry's centroids (``ten_xa``, ``huyen``).

    Coordinates are in ``crs`` (VN-2000 / TM-3 104°00′ by default, Sơn La's zone).
    """
    from geo.crs import reproject
    from geo.io.placement import registry_places

    r = registry_places(edition)
    r = r[r.province_code == province]
    if n is not None:
        r = r.head(n)
    pts = reproject(gpd.GeoSeries(gpd.points_from_xy(r.lon, r.lat), crs=4326), 9206)
    side = np.sqrt(r.area_km2.astype(float).to_numpy() * 1e6)
    sq = [shapely.box(p.x - s / 2, p.y - s / 2, p.x + s / 2, p.y + s / 2)
          for p, s in zip(pts, side)]
    cols = {"ten_xa": r.name.to_numpy(), "huyen": r.district_name.fillna("").to_numpy()}
    if codes:
        cols = {"ma_xa": r.index.to_numpy(), **cols}
    g = gpd.GeoDataFrame(cols, geometry=sq, crs=9206)
    return g if CRS.from_user_input(crs).equals(CRS.from_epsg(9206)) else reproject(g, crs)


def son_la_real(shared_data: Path, crs: int | str = 9206) -> gpd.GeoDataFrame:
    """The real Sơn La commune polygons (2009), as ``ten_xa``, ``huyen``, in ``crs``."""
    from geo.crs import reproject

    g = gpd.read_file(shared_data / "son_la_communes_2009.gpkg", layer="communes")
    g = g.rename(columns={"commune": "ten_xa", "district": "huyen"})[
        ["ten_xa", "huyen", "geometry"]]
    return reproject(g, crs)


def write_shapefile(gdf: gpd.GeoDataFrame, folder: Path, stem: str, prj: str | int | None,
                    *, cpg: str | None = None, tcvn3: bool = False, ldid: int | None = None,
                    zipped: bool = True) -> Path:
    """Write ``gdf``'s coordinates as they are, declaring ``prj`` (ESRI WKT) whatever they are.

    Parameters
    ----------
    prj : str, int or None
        The CRS the ``.prj`` names (None: no ``.prj``).
    cpg : str, optional
        Text of the ``.cpg`` (e.g. ``"UTF-8"`` over TCVN3 text: a lying ``.cpg``).
    tcvn3 : bool
        Write the text columns in TCVN3 (the bytes of the ``.VnTime`` fonts).
    ldid : int, optional
        DBF language driver byte (0x57 = ANSI, cp1252).
    zipped : bool
        Return a ``.zip`` of the parts (what provinces send) instead of the ``.shp``.
    """
    import warnings

    d = folder / stem
    d.mkdir(parents=True, exist_ok=True)
    g = gdf.copy()
    shp = d / f"{stem}.shp"
    if tcvn3:
        for c in g.columns:
            if c != "geometry" and g[c].map(lambda v: isinstance(v, str)).any():
                g[c] = g[c].map(lambda v: encode_tcvn3(v) if isinstance(v, str) else v)
    with warnings.catch_warnings():  # no CRS on purpose: the .prj is written below
        warnings.simplefilter("ignore", UserWarning)
        pyogrio.write_dataframe(g.set_crs(None, allow_override=True), shp,
                                encoding="latin1" if tcvn3 else "utf-8")
    for side in (".prj", ".cpg"):
        shp.with_suffix(side).unlink(missing_ok=True)
    if prj is not None:
        shp.with_suffix(".prj").write_text(CRS.from_user_input(prj).to_wkt("WKT1_ESRI"))
    if cpg is not None:
        shp.with_suffix(".cpg").write_text(cpg)
    if ldid is not None:
        dbf = shp.with_suffix(".dbf")
        b = bytearray(dbf.read_bytes())
        b[29] = ldid
        dbf.write_bytes(bytes(b))
    if not zipped:
        return shp
    z = folder / f"{stem}.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in sorted(d.iterdir()):
            zf.write(f, f.name)
    return z
