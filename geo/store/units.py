"""The stored units and crosswalk: a province's communes, and the weights across the reform.

The crosswalk is seeded from the packaged one (:func:`geo.registry.load_crosswalk`)
and may then be re-weighted (split communes get area shares when boundaries are
known, :func:`set_split_weights`). The stored crosswalk is the one every
conversion and every view uses: :func:`crosswalk` for the whole table,
:func:`crosswalk_links` for one commune.

Imports :mod:`geo.store.schema`, :mod:`geo.store.audit_log` and :mod:`geo.registry`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from geo.registry import Province, find_province, load_units
from geo.store.audit_log import audit
from geo.store.schema import CrosswalkRow

__all__ = ["crosswalk", "crosswalk_links", "province_units", "set_split_weights"]

_CW_COLUMNS = ["old_code", "new_code", "weight", "split", "method"]
#: Where a transaction keeps the crosswalk it read (``Session.info``).
_CW_KEY = "diaban.crosswalk"


def province_units(s: Session, province: str | Province, edition: str) -> pd.DataFrame:
    """Commune-level units of one province in one edition.

    Parameters
    ----------
    s : Session
        Open session.
    province : str or Province
        A resolved :class:`~geo.registry.Province` (its code read in its own edition),
        or a code or name: read in ``edition`` first, else in the other edition. A
        province of the other edition gives the communes of ``edition`` that its
        communes merged into (or were formed from), through the stored crosswalk —
        2025 Lào Cai (15) on legacy communes is former Lào Cai and Yên Bái, never the
        legacy province that had code 15.
    edition : {"legacy", "2025"}
        Registry edition of the communes returned.

    Returns
    -------
    pandas.DataFrame
        ``code, name, unit_type, district_code, district_name, province_code,
        province_name, lat, lon, area_km2`` for each commune.

    Raises
    ------
    NotFoundError
        When no province of either edition has this code or name.
    """
    prov = find_province(province, edition)
    units = load_units(edition, "commune")
    if prov.edition == edition:
        mask = units.province_code == prov.code
    else:
        own = load_units(prov.edition, "commune")
        codes = list(own.code[own.province_code == prov.code])
        cw = (crosswalk(s, old_codes=codes) if edition == "2025"
              else crosswalk(s, new_codes=codes))
        if edition == "2025":
            mapped = set(cw.loc[cw.old_code.isin(codes), "new_code"])
        else:
            mapped = set(cw.loc[cw.new_code.isin(codes), "old_code"])
        mask = units.code.isin(mapped)
    cols = ["code", "name", "unit_type", "district_code", "district_name", "province_code",
            "province_name", "lat", "lon", "area_km2"]
    return units.loc[mask, cols].reset_index(drop=True)


def crosswalk(s: Session, *, old_codes: list[str] | None = None,
              new_codes: list[str] | None = None) -> pd.DataFrame:
    """The stored legacy → 2025 crosswalk, or the links of some communes.

    Parameters
    ----------
    s : Session
        Open session.
    old_codes, new_codes : list of str, optional
        Only the links of these legacy communes (all their successors) or of these
        2025 communes (all their predecessors); default: every link.

    Returns
    -------
    pandas.DataFrame
        ``old_code, new_code, weight, split, method``; the weights of one old
        commune sum to 1.

    Notes
    -----
    The whole crosswalk is read once per transaction (the whole country's links);
    :func:`set_split_weights` drops the copy it changes. The links of a province's
    communes are a small query of their own.
    """
    if old_codes is not None or new_codes is not None:
        return _links(s, old_codes, new_codes)
    kept = s.info.get(_CW_KEY)
    if kept is None:
        kept = s.info[_CW_KEY] = _links(s, None, None)
    return kept.copy()


def _links(s: Session, old_codes: list[str] | None, new_codes: list[str] | None
           ) -> pd.DataFrame:
    q = select(
        CrosswalkRow.from_code, CrosswalkRow.to_code, CrosswalkRow.weight,
        CrosswalkRow.split, CrosswalkRow.method,
    ).where(CrosswalkRow.from_edition == "legacy", CrosswalkRow.to_edition == "2025")
    rows: list = []
    if old_codes is None and new_codes is None:
        rows = s.execute(q).all()
    else:
        column = CrosswalkRow.from_code if old_codes is not None else CrosswalkRow.to_code
        codes = sorted({str(c) for c in (old_codes if old_codes is not None else new_codes)})
        for i in range(0, len(codes), 900):
            rows += s.execute(q.where(column.in_(codes[i:i + 900]))).all()
    cols = list(zip(*rows)) if rows else [[] for _ in _CW_COLUMNS]
    return pd.DataFrame(dict(zip(_CW_COLUMNS, cols))).astype(
        {"old_code": str, "new_code": str, "weight": float, "split": bool, "method": str})


def crosswalk_links(s: Session, *, old_code: str | None = None,
                    new_code: str | None = None) -> pd.DataFrame:
    """The stored crosswalk links of one commune, with the names of the other side.

    The weights are the ones conversions use (:func:`crosswalk`), which may
    differ from the packaged crosswalk's (split communes re-weighted by area).

    Parameters
    ----------
    s : Session
        Open session.
    old_code : str, optional
        A legacy commune: its successors (``name`` = the 2025 commune's name).
    new_code : str, optional
        A 2025 commune: its predecessors (``name``, ``district_name`` = the legacy
        commune's). Give exactly one of ``old_code`` and ``new_code``.

    Returns
    -------
    pandas.DataFrame
        ``old_code, new_code, weight, split, method, name`` (and ``district_name``
        for predecessors), sorted by the other side's code; empty when the code
        has no link.

    Raises
    ------
    TypeError
        When neither or both codes are given.
    """
    if (old_code is None) == (new_code is None):
        raise TypeError("give exactly one of old_code and new_code")
    if old_code is not None:
        rows = s.execute(
            select(CrosswalkRow.from_code, CrosswalkRow.to_code, CrosswalkRow.weight,
                   CrosswalkRow.split, CrosswalkRow.method)
            .where(CrosswalkRow.from_edition == "legacy", CrosswalkRow.to_edition == "2025",
                   CrosswalkRow.from_code == str(old_code))
            .order_by(CrosswalkRow.to_code)).all()
        names = load_units("2025", "commune")[["code", "name"]]
        key = "new_code"
    else:
        rows = s.execute(
            select(CrosswalkRow.from_code, CrosswalkRow.to_code, CrosswalkRow.weight,
                   CrosswalkRow.split, CrosswalkRow.method)
            .where(CrosswalkRow.from_edition == "legacy", CrosswalkRow.to_edition == "2025",
                   CrosswalkRow.to_code == str(new_code))
            .order_by(CrosswalkRow.from_code)).all()
        names = load_units("legacy", "commune")[["code", "name", "district_name"]]
        key = "old_code"
    links = pd.DataFrame(rows, columns=_CW_COLUMNS)
    out = links.merge(names, left_on=key, right_on="code", how="left").drop(columns="code")
    return out.reset_index(drop=True)


def set_split_weights(s: Session, weights: pd.DataFrame, method: str, user: str = "system") -> int:
    """Replace split-commune weights with area shares.

    Parameters
    ----------
    s : Session
        Open session.
    weights : pandas.DataFrame
        ``old_code, new_code, weight`` of split communes (the weights of one old
        commune should sum to 1).
    method : str
        Recorded as the links' ``method`` (e.g. ``"split_area_approx"``).
    user : str
        Who (audited).

    Returns
    -------
    int
        Links updated (links that are not splits are left alone).
    """
    s.info.pop(_CW_KEY, None)  # this transaction reads the new weights from now on
    n = 0
    for r in weights.itertuples():
        res = s.execute(
            update(CrosswalkRow)
            .where(
                CrosswalkRow.from_code == r.old_code,
                CrosswalkRow.to_code == r.new_code,
                CrosswalkRow.split.is_(True),
            )
            .values(weight=float(r.weight), method=method)
        )
        n += res.rowcount or 0
    audit(s, user, "update", "crosswalk", None, rows=n, method=method)
    return n
