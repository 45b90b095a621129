"""Indicator values: writing them as current, reading them on either edition's communes.

Values are stored on the edition they were recorded on and keep their history
(``is_current``). Reading a province's values on one edition brings in values
recorded on the other edition through the stored crosswalk, with the arithmetic
of :mod:`geo.reform`.

Imports :mod:`geo.store.schema`, :mod:`geo.store.units` and :mod:`geo.reform`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from geo.periods import parse_period
from geo.reform import to_2025, to_legacy
from geo.store.schema import ImportBatch, IndicatorValue, utcnow
from geo.store.units import crosswalk, province_units

__all__ = ["VALUE_KINDS", "available_periods", "base_version", "get_values", "recorded_values",
           "value_versions", "write_values"]

#: Import kinds that write indicator values only (each value keeps its batch id).
VALUE_KINDS = ("indicators", "incidents", "population")

_COLUMNS = ["unit_code", "period", "indicator", "value"]


def write_values(
    s: Session,
    values: pd.DataFrame,
    batch: ImportBatch | None,
    edition: str,
    is_demo: bool = False,
) -> int:
    """Store long-form values as current, superseding earlier values of the same keys.

    Parameters
    ----------
    s : Session
        Open session.
    values : pandas.DataFrame
        Columns ``unit_code, period, indicator, value`` (already validated).
    batch : ImportBatch or None
        The batch they come from.
    edition : str
        Registry edition of ``unit_code``.
    is_demo : bool
        Mark the values as synthetic demo data.

    Returns
    -------
    int
        Number of values written.
    """
    if values.empty:
        return 0
    v = values[_COLUMNS].copy()
    # Supersede: mark current rows of the same keys not current (chunked by indicator).
    for (ind, period), grp in v.groupby(["indicator", "period"]):
        codes = list(grp.unit_code.unique())
        for i in range(0, len(codes), 500):
            s.execute(
                update(IndicatorValue)
                .where(
                    IndicatorValue.edition_id == edition,
                    IndicatorValue.indicator_id == ind,
                    IndicatorValue.period == period,
                    IndicatorValue.unit_code.in_(codes[i : i + 500]),
                    IndicatorValue.is_current.is_(True),
                )
                .values(is_current=False)
            )
    now = utcnow()
    rows = [
        {
            "edition_id": edition, "unit_code": r.unit_code, "period": r.period,
            "indicator_id": r.indicator, "value": float(r.value),
            "batch_id": batch.id if batch else None, "is_current": True,
            "is_demo": is_demo, "created_at": now,
        }
        for r in v.itertuples()
    ]
    s.execute(insert(IndicatorValue), rows)
    if batch is not None:
        batch.n_rows = (batch.n_rows or 0) + len(rows)
    return len(rows)


def get_values(
    s: Session,
    province: str,
    edition: str,
    indicators: list[str] | None = None,
    periods: list[str] | None = None,
) -> pd.DataFrame:
    """Current values of a province on the communes of one edition.

    Values recorded on the other edition cross the reform through the stored
    crosswalk: legacy → 2025 by summing weighted counts (:func:`geo.reform.to_2025`,
    exact for whole merges); 2025 → legacy by sharing a new commune's count among
    its predecessors in proportion to their latest population
    (:func:`geo.reform.to_legacy`, an estimate, flagged ``converted="estimated"``).
    A value recorded on the edition asked for wins over a converted one.

    Parameters
    ----------
    s : Session
        Open session.
    province : str
        Province code or name, of either edition (see :func:`geo.store.province_units`).
    edition : {"legacy", "2025"}
        Edition of the communes returned.
    indicators, periods : list of str, optional
        Only these (default: all).

    Returns
    -------
    pandas.DataFrame
        ``unit_code, period, indicator, value, converted`` where ``converted`` is
        ``""`` (recorded on this edition), ``"crosswalk"`` or ``"estimated"``.
    """
    units = province_units(s, province, edition)
    other = "legacy" if edition == "2025" else "2025"
    own = recorded_values(s, edition, list(units.code), indicators, periods)
    own["converted"] = ""
    # The links of these communes, then every link of their counterparts (a split old
    # commune's weights, a new commune's predecessors): all the conversions read.
    if edition == "2025":
        src_codes = list(crosswalk(s, new_codes=list(units.code)).old_code.unique())
        cw = crosswalk(s, old_codes=src_codes)
    else:
        src_codes = list(crosswalk(s, old_codes=list(units.code)).new_code.unique())
        cw = crosswalk(s, new_codes=src_codes)
    foreign = recorded_values(s, other, src_codes, indicators, periods)
    if foreign.empty:
        out = own
    else:
        if edition == "2025":
            conv = to_2025(foreign, cw)
            conv["converted"] = "crosswalk"
        else:
            olds = list(cw.loc[cw.new_code.isin(src_codes), "old_code"].unique())
            population = recorded_values(s, "legacy", olds, ["population"])
            conv = to_legacy(foreign, cw, population)
            conv["converted"] = "estimated"
        conv = conv[conv.unit_code.isin(units.code)]
        key = ["unit_code", "period", "indicator"]
        conv = conv.merge(own[key], on=key, how="left", indicator=True)
        conv = conv[conv["_merge"] == "left_only"].drop(columns="_merge")
        out = pd.concat([own, conv], ignore_index=True)
    return out.sort_values(["indicator", "period", "unit_code"]).reset_index(drop=True)


def recorded_values(
    s: Session,
    edition: str,
    codes: list[str],
    indicators: list[str] | None = None,
    periods: list[str] | None = None,
) -> pd.DataFrame:
    """Current values recorded on some communes of one edition, without any conversion.

    Parameters
    ----------
    s : Session
        Open session.
    edition : {"legacy", "2025"}
        Edition the values were recorded on.
    codes : list of str
        Commune codes of that edition.
    indicators, periods : list of str, optional
        Only these (default: all).

    Returns
    -------
    pandas.DataFrame
        ``unit_code, period, indicator, value`` (unordered).
    """
    if not codes:
        return pd.DataFrame(columns=_COLUMNS)
    frames = []
    for i in range(0, len(codes), 900):
        q = select(
            IndicatorValue.unit_code, IndicatorValue.period,
            IndicatorValue.indicator_id, IndicatorValue.value,
        ).where(
            IndicatorValue.edition_id == edition,
            IndicatorValue.is_current.is_(True),
            IndicatorValue.unit_code.in_(codes[i : i + 900]),
        )
        if indicators:
            q = q.where(IndicatorValue.indicator_id.in_(indicators))
        if periods:
            q = q.where(IndicatorValue.period.in_(periods))
        frames.append(pd.DataFrame(s.execute(q).all(), columns=_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def available_periods(s: Session) -> list[str]:
    """Periods that have any current value, in time order.

    Parameters
    ----------
    s : Session
        Open session.

    Returns
    -------
    list of str
        Period ids (``"2023-H1"``...), sorted as :class:`geo.periods.Period`.
    """
    ps = s.scalars(
        select(IndicatorValue.period).where(IndicatorValue.is_current.is_(True)).distinct()
    ).all()
    return [p.id for p in sorted(parse_period(p) for p in ps)]


def value_versions(s: Session) -> dict:
    """What last changed each kind of stored data, for caches that must not go stale.

    Parameters
    ----------
    s : Session
        Open session.

    Returns
    -------
    dict
        ``values``: ``{(indicator id, period): newest import batch among its current
        values}``;
        ``other``: the newest batch of an import that is not only values (boundaries,
        hotspots, facilities, the demo …); ``undone``: the newest undo time (an undo
        changes what is current, so everything read before it is stale).

    Notes
    -----
    A result computed from some indicators' values, the boundaries, hotspots and
    facilities is still right while ``values`` of those indicators (and periods),
    ``other`` and ``undone`` are unchanged: an import of other figures leaves it valid.
    """
    per = s.execute(select(IndicatorValue.indicator_id, IndicatorValue.period,
                           func.max(IndicatorValue.batch_id))
                    .where(IndicatorValue.is_current.is_(True))
                    .group_by(IndicatorValue.indicator_id, IndicatorValue.period)).all()
    other, _, undone = base_version(s)
    return {"values": {(str(i), str(p)): b for i, p, b in per}, "other": other,
            "undone": undone}


def base_version(s: Session) -> tuple:
    """What last changed the stored data other than figures, in one aggregate.

    Parameters
    ----------
    s : Session
        Open session.

    Returns
    -------
    tuple
        ``(other, other_at, undone)``: as in :func:`value_versions`, the newest batch of
        an import that is not only values (boundaries, hotspots, facilities, QĐ 28
        lists …) and the newest undo time; with the time that batch was written, so
        that another database at the same URL (restored, or rebuilt by a test) with
        the same batch numbers does not pass for this one. Boundaries, hotspots and
        facilities read while it is unchanged are still what is stored.
    """
    not_values = ImportBatch.kind.notin_(VALUE_KINDS)
    other, other_at, undone = s.execute(
        select(func.max(ImportBatch.id).filter(not_values),
               func.max(ImportBatch.created_at).filter(not_values),
               func.max(ImportBatch.undone_at))).one()
    return other, other_at, undone
