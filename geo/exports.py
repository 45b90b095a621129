"""Writing stored data back out: indicators (long CSV) and boundaries (GeoJSON, WGS84)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.db import session_scope
from geo.errors import ValidationError
from geo.store import _read_values, current_boundaries, init_db, province_units

__all__ = ["export_boundaries", "export_indicators"]


def export_indicators(url: str | None, province: str, out: str | Path,
                      edition: str | None = None) -> int:
    """Write the province's current figures as recorded, in the long import format.

    Columns ``ma_xa, ky, chi_tieu, gia_tri, phien_ban`` (edition). The file
    can be imported again unchanged.

    Returns
    -------
    int
        Rows written.
    """
    out = Path(out)
    if out.suffix.lower() != ".csv":
        raise ValidationError("Tệp xuất phải có đuôi .csv.", "The output must be a .csv file.",
                              file=out.name)
    init_db(url)
    frames = []
    with session_scope(url) as s:
        for ed in ([edition] if edition else ["legacy", "2025"]):
            codes = list(province_units(s, province, ed).code)
            v = _read_values(s, ed, codes, None, None)
            frames.append(v.assign(phien_ban=ed))
    df = pd.concat(frames, ignore_index=True).sort_values(
        ["phien_ban", "period", "indicator", "unit_code"])
    df = df.rename(columns={"unit_code": "ma_xa", "period": "ky", "indicator": "chi_tieu",
                            "value": "gia_tri"})
    df.to_csv(out, index=False, encoding="utf-8-sig")
    return len(df)


def export_boundaries(url: str | None, province: str, out: str | Path,
                      edition: str = "2025") -> int:
    """Write the province's current boundaries as GeoJSON (WGS84) with code and name.

    Returns
    -------
    int
        Features written.
    """
    out = Path(out)
    if out.suffix.lower() not in (".geojson", ".json", ".gpkg"):
        raise ValidationError("Tệp xuất phải có đuôi .geojson hoặc .gpkg.",
                              "The output must be .geojson or .gpkg.", file=out.name)
    init_db(url)
    with session_scope(url) as s:
        gdf = current_boundaries(s, province, edition)
    gdf = gdf.rename(columns={"code": "ma_xa", "name": "ten", "source": "nguon"})
    gdf = gdf[["ma_xa", "ten", "unit_type", "district_name", "nguon", "version", "geometry"]]
    if out.exists():
        out.unlink()
    gdf.to_file(out, driver="GeoJSON" if out.suffix.lower() != ".gpkg" else "GPKG")
    return len(gdf)
