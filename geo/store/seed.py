"""Making a database ready: the schema migrated, the registry and catalog loaded once.

Imports :mod:`geo.store.schema`, :mod:`geo.store.session`, and the packaged
reference data (:mod:`geo.registry`, :mod:`geo.indicators`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, insert, select

from geo.indicators import load_catalog
from geo.registry import EDITIONS, load_crosswalk, load_units
from geo.store.schema import CrosswalkRow, EditionRow, IndicatorRow, Unit
from geo.store.session import lock_schema, migrate, session_scope

__all__ = ["init_db"]


def init_db(url: str | None = None, progress: Any = None) -> None:
    """Migrate the schema and load the registry, crosswalk and indicator catalog once.

    Safe to call again: seeds are loaded only when missing. On PostgreSQL the
    seeding runs under the schema lock, so processes finding the same new
    database at once do not load it twice.

    Parameters
    ----------
    url : str, optional
        Database URL (see :func:`geo.store.session.database_url`).
    progress : callable, optional
        ``progress(fraction, message)``.
    """
    migrate(url)
    with session_scope(url) as s:
        lock_schema(s)  # another process may be seeding the same new database
        if s.scalar(select(func.count()).select_from(EditionRow)) == 0:
            for ed in EDITIONS.values():
                s.add(
                    EditionRow(
                        id=ed.id, name_vi=ed.name_vi, name_en=ed.name_en,
                        valid_from=ed.valid_from, valid_to=ed.valid_to,
                    )
                )
            s.flush()
        if s.scalar(select(func.count()).select_from(Unit)) == 0:
            for i, ed in enumerate(EDITIONS):
                if progress:
                    progress(0.1 + 0.4 * i, f"Nạp danh mục đơn vị hành chính ({ed})")
                df = load_units(ed).rename(columns={"edition": "edition_id"})
                df = df.drop(columns=["key", "province_name", "district_name"])
                rows = _records(df)
                s.execute(insert(Unit), rows)
        if s.scalar(select(func.count()).select_from(CrosswalkRow)) == 0:
            cw = load_crosswalk()
            rows = [
                {
                    "from_edition": "legacy", "from_code": r.old_code, "to_edition": "2025",
                    "to_code": r.new_code, "weight": float(r.weight), "split": bool(r.split),
                    "method": r.method, "source": "vietnamadminunits",
                }
                for r in cw.itertuples()
            ]
            s.execute(insert(CrosswalkRow), rows)
            s.info.pop("diaban.crosswalk", None)  # geo.store.units.crosswalk's copy
        known = set(s.scalars(select(IndicatorRow.id)))
        for ind in load_catalog():
            if ind.id not in known:
                s.add(
                    IndicatorRow(
                        id=ind.id, name_vi=ind.name_vi, name_en=ind.name_en,
                        unit_vi=ind.unit_vi, unit_en=ind.unit_en,
                        higher_is_worse=ind.higher_is_worse,
                        aggregate=ind.aggregate, convert=ind.convert,
                    )
                )


def _records(df: pd.DataFrame) -> list[dict]:
    """DataFrame → list of dicts with NaN turned into None (for bulk inserts)."""
    out = df.astype(object).where(df.notna(), None)
    return out.to_dict("records")
