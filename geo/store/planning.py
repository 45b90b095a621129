"""Provincial transformation plans and their measurable targets.

Imports :mod:`geo.store.schema` and :mod:`geo.registry`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.registry import Province, resolve_province
from geo.store.schema import Plan, PlanTarget

__all__ = ["plan_targets", "plans"]


def plans(s: Session, province: str | None = None) -> pd.DataFrame:
    """Stored plans.

    Parameters
    ----------
    s : Session
        Open session.
    province : str, optional
        Only the plans of this province (code or name).

    Returns
    -------
    pandas.DataFrame
        ``id, number, title_vi, title_en, start_year, end_year, province_code,
        issued_on, source``.
    """
    q = select(Plan).order_by(Plan.id)
    rows = [
        {"id": p.id, "number": p.number, "title_vi": p.title_vi, "title_en": p.title_en,
         "start_year": p.start_year, "end_year": p.end_year, "province_code": p.province_code,
         "issued_on": p.issued_on, "source": p.source}
        for p in s.scalars(q)
    ]
    df = pd.DataFrame(rows, columns=["id", "number", "title_vi", "title_en", "start_year",
                                     "end_year", "province_code", "issued_on", "source"])
    if province and not df.empty:
        code = province.code if isinstance(province, Province) else resolve_province(
            province).code
        df = df[df.province_code == code]
    return df.reset_index(drop=True)


def plan_targets(s: Session, plan_id: int) -> pd.DataFrame:
    """Targets of a plan.

    Parameters
    ----------
    s : Session
        Open session.
    plan_id : int
        The plan.

    Returns
    -------
    pandas.DataFrame
        ``id, key, label_vi, label_en, kind, indicator, denominator, target, year,
        source``.
    """
    rows = [
        {"id": t.id, "key": t.key, "label_vi": t.label_vi, "label_en": t.label_en,
         "kind": t.kind, "indicator": t.indicator_id, "denominator": t.denominator_id,
         "target": t.target, "year": t.year, "source": t.source}
        for t in s.scalars(
            select(PlanTarget).where(PlanTarget.plan_id == plan_id).order_by(PlanTarget.id))
    ]
    return pd.DataFrame(rows, columns=["id", "key", "label_vi", "label_en", "kind", "indicator",
                                       "denominator", "target", "year", "source"])
