"""Looking at a province: the map of one indicator and period, and what surrounds it.

The map page, the commune profile and the CLI's reading commands call these. Each
function checks its request, authorises ``view`` for the province and reads in one
transaction; the drawing is ``layers``' job.

What does not depend on figures (the display-simplified boundaries, the hotspot
statuses, the facilities, the communes) is read once per process and shared
(:func:`_shared`) until an import that is not only figures, or an undo: a map of
another indicator or period, or a commune's profile, then reads only figures.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd

from geo.auth import Principal, authorize
from geo.errors import NotFoundError, ValidationError
from geo.periods import Period
from geo.registry import Province
from geo.services.base import (
    Request,
    check_edition,
    check_indicator,
    check_period,
    check_province,
    latest_period,
    transaction,
)
from geo.vocab import MEASURES

__all__ = [
    "CommuneProfile",
    "CommuneRequest",
    "DataVersion",
    "MapRequest",
    "MapView",
    "ProvinceRequest",
    "SeriesRequest",
    "data_version",
    "data_versions",
    "facilities",
    "hotspot_history",
    "lineage",
    "map_view",
    "periods",
    "profile",
    "series",
    "units",
]


@dataclass(frozen=True)
class ProvinceRequest(Request):
    """A province (code or name, either edition) and a units edition."""

    province: str | Province
    edition: str = "legacy"

    def check(self) -> ProvinceRequest:
        """Resolve the province once and check the edition."""
        return replace(self, province=check_province(self.province, check_edition(self.edition)),
                       edition=check_edition(self.edition))


@dataclass(frozen=True)
class MapRequest(Request):
    """One indicator of one period on a province's communes.

    Attributes
    ----------
    province : str or Province
        Code or name (either edition).
    edition : {"legacy", "2025"}
        Which communes to draw; figures recorded on the other edition cross the
        reform through the stored crosswalk.
    indicator : str
        Indicator id of the catalog.
    period : str or Period, optional
        Period id; ``None`` takes the latest period with figures.
    measure : {"count", "rate"}
        The count, or a rate per 10,000 residents recomputed from converted
        numerator and denominator.
    suppress_below : int, optional
        Mark the communes whose count is below it (``suppressed``; see
        :func:`geo.mapdata.map_frame`): shown as ``< N`` whatever the measure.
    """

    province: str | Province
    edition: str = "legacy"
    indicator: str = "registered_addicts"
    period: str | Period | None = None
    measure: str = "count"
    suppress_below: int | None = None

    def check(self) -> MapRequest:
        """Validate every field; resolve the province and the period."""
        if self.measure not in ("count", "rate"):
            raise ValidationError(
                f"Cách tính '{self.measure}' không hợp lệ; dùng: {MEASURES.choices('vi')}.",
                f"Invalid measure '{self.measure}'; use: {MEASURES.choices('en')}.",
                column="measure")
        sup = self.suppress_below
        if sup is not None and (isinstance(sup, bool) or not isinstance(sup, int) or sup < 1):
            raise ValidationError(
                f"Ngưỡng ẩn số nhỏ phải là số nguyên ≥ 1 (nhận được: {sup}).",
                f"The suppression threshold must be a whole number ≥ 1 (got {sup}).")
        return replace(
            self, province=check_province(self.province, check_edition(self.edition)),
            edition=check_edition(self.edition),
            indicator=check_indicator(self.indicator),
            period=None if self.period is None else check_period(self.period))


@dataclass
class MapView:
    """What a map of one indicator and period shows.

    Attributes
    ----------
    request : MapRequest
        The checked request (province resolved, period set).
    communes : geopandas.GeoDataFrame
        ``code, name, unit_type, district_name, source, version, value, converted,
        geometry`` in WGS84, display-simplified; ``value`` NaN where there is no
        figure; ``converted`` is ``""``, ``"crosswalk"`` or ``"estimated"``; with
        ``suppress_below``, ``suppressed`` (the count is below it).
    hotspots : pandas.DataFrame
        Communes of the edition designated by the period's end, with their status
        on that day (``unit_code, name, status``).
    facilities : geopandas.GeoDataFrame
        Active facilities of the province.
    """

    request: MapRequest
    communes: gpd.GeoDataFrame
    hotspots: pd.DataFrame
    facilities: gpd.GeoDataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def approximate(self) -> bool:
        """Whether any boundary shown is approximate (derived from the registry)."""
        return "source" in self.communes and bool(
            (self.communes.source == "approximate").any())

    @property
    def conversion(self) -> str:
        """``""``, ``"crosswalk"`` (summed into new communes) or ``"estimated"`` (shared out)."""
        conv = self.communes.get("converted", pd.Series(dtype=str))
        if (conv == "estimated").any():
            return "estimated"
        return "crosswalk" if (conv == "crosswalk").any() else ""

    def to_dict(self) -> dict:
        """Summary for ``--json``: the request and one row per commune."""
        r = self.request
        return {"province": r.province.to_dict(), "edition": r.edition,
                "indicator": r.indicator, "period": str(r.period), "measure": r.measure,
                "approximate": self.approximate, "conversion": self.conversion,
                "communes": self.communes[["code", "name", "value", "converted"]]}



_T = TypeVar("_T")
#: Reads shared by every caller in this process (see the module's docstring).
_SHARED: OrderedDict[tuple, Any] = OrderedDict()
_SHARED_LOCK = threading.Lock()
_SHARED_MAX = 64


def _shared(version: tuple, db: str | None, what: str, key: tuple,
            make: Callable[[], _T]) -> _T:
    """``make()``, a read that depends on no figure, shared until the base data change.

    Keyed on the database, ``what``, ``key`` and ``version``, the
    :func:`geo.store.base_version` the caller read once in its transaction:
    boundaries, hotspots, facilities and communes change only through an import that
    is not only figures, or an undo. The result is shared: the
    callers here only read it or derive new frames from it, never change it.
    """
    k = (db, what, key, version)
    with _SHARED_LOCK:
        if k in _SHARED:
            _SHARED.move_to_end(k)
            return _SHARED[k]
    value = make()
    with _SHARED_LOCK:
        _SHARED[k] = value
        while len(_SHARED) > _SHARED_MAX:
            _SHARED.popitem(last=False)
    return value


def map_view(req: MapRequest, who: Principal, db: str | None = None) -> MapView:
    """The communes of a province with one indicator's value for one period.

    Parameters
    ----------
    req : MapRequest
        What to show.
    who : Principal
        Who asks (needs ``view`` on the province).
    db : str, optional
        Database URL.

    Returns
    -------
    MapView
    """
    from geo.mapdata import display_geometries, hotspot_status, map_frame
    from geo.store import base_version, current_boundaries
    from geo.store import facilities as stored_facilities

    req = req.check()
    authorize(who, "view", req.province)
    p, ed = req.province, req.edition
    with transaction(db) as s:
        if req.period is None:
            req = replace(req, period=latest_period(s))
        base = base_version(s)
        shapes = _shared(base, db, "display_boundaries", (p, ed),
                         lambda: display_geometries(current_boundaries(s, p, ed)))
        gdf = map_frame(s, p, ed, req.indicator, req.period.id, req.measure,
                        req.suppress_below, boundaries=shapes)
        on = req.period.end
        hot = _shared(base, db, "hotspot_status", (p, ed, on),
                      lambda: hotspot_status(s, p, ed, on=on))
        hot = hot[hot.status.notna()].reset_index(drop=True)  # not yet designated then
        fac = _shared(base, db, "facilities", (p,), lambda: stored_facilities(s, p))
    return MapView(req, gdf, hot, fac.copy())


def periods(who: Principal, db: str | None = None) -> list[str]:
    """Periods that have any figure, oldest first."""
    from geo.store import available_periods

    authorize(who, "view")
    with transaction(db) as s:
        return available_periods(s)


def units(req: ProvinceRequest, who: Principal, db: str | None = None) -> pd.DataFrame:
    """Communes of a province in an edition (``code, name, unit_type, district_code, …``)."""
    from geo.store import province_units

    req = req.check()
    authorize(who, "view", req.province)
    with transaction(db) as s:
        return province_units(s, req.province, req.edition)


def hotspot_history(req: ProvinceRequest, who: Principal, db: str | None = None
                    ) -> pd.DataFrame:
    """Every status event of the province's designated communes (both editions)."""
    from geo.store import hotspot_table

    req = req.check()
    authorize(who, "view", req.province)
    with transaction(db) as s:
        return hotspot_table(s, req.province)


def facilities(req: ProvinceRequest, who: Principal, db: str | None = None
               ) -> gpd.GeoDataFrame:
    """Active facilities of the province (WGS84 points)."""
    from geo.store import facilities as stored_facilities

    req = req.check()
    authorize(who, "view", req.province)
    with transaction(db) as s:
        return stored_facilities(s, req.province)


@dataclass(frozen=True)
class SeriesRequest(Request):
    """Every period of some indicators on a province's communes."""

    province: str | Province
    edition: str = "legacy"
    indicators: tuple[str, ...] = ()
    measure: str = "count"
    periods: tuple[str, ...] = ()

    def check(self) -> SeriesRequest:
        """Validate the indicators, the measure and the periods; resolve the province."""
        if self.measure not in ("count", "rate"):
            raise ValidationError(f"Cách tính '{self.measure}' không hợp lệ.",
                                  f"Invalid measure '{self.measure}'.", column="measure")
        return replace(self, province=check_province(self.province, check_edition(self.edition)),
                       edition=check_edition(self.edition),
                       indicators=tuple(check_indicator(i) for i in self.indicators),
                       periods=tuple(check_period(p).id for p in self.periods))


def series(req: SeriesRequest, who: Principal, db: str | None = None) -> pd.DataFrame:
    """Long values ``unit_code, period, indicator, value, converted`` (counts or rates).

    Every stored period, or only ``req.periods`` when the request names some.
    """
    from geo.mapdata import series_frame

    req = req.check()
    authorize(who, "view", req.province)
    with transaction(db) as s:
        return series_frame(s, req.province, req.edition, list(req.indicators),
                            req.measure, list(req.periods) or None)


def data_version(db: str | None = None) -> tuple:
    """Something that changes whenever any import is stored or undone (app or CLI).

    Caches of figures are keyed on it; reading it is two aggregates.
    """
    from geo.store import data_version as stored_version

    with transaction(db) as s:
        return stored_version(s)


@dataclass(frozen=True)
class DataVersion:
    """What last changed the stored data, finer than :func:`data_version`.

    Attributes
    ----------
    batches : tuple
        :func:`data_version`: changes with any import or undo.
    values : tuple of ((str, str), int or None)
        Each (indicator, period) and the newest import batch among its current values.
    other : int or None
        The newest import that is not only values (boundaries, hotspots,
        facilities, the demo …).
    undone : object
        The newest undo time.
    """

    batches: tuple
    values: tuple[tuple[tuple[str, str], int | None], ...]
    other: int | None
    undone: object

    def of(self, *indicators: str, period: str | None = None,
           periods: tuple[str, ...] | None = None) -> tuple:
        """A cache key for a result read from these indicators' values (and the rest).

        It changes when a value of one of ``indicators`` is imported (of ``period``
        only, when given; of one of ``periods`` only, when those are given), when
        boundaries, hotspots, facilities or any other non-value data are imported, and
        on every undo; an import of other figures or other periods leaves it as it
        was. No indicators: only boundaries, hotspots, facilities …

        ``period`` is for a result that may build that period from others (a year from
        its halves): when it has no values of its own, the key follows every period.
        ``periods`` is for a result that reads exactly those stored periods: a period
        without values keys as such until values arrive.

        Examples
        --------
        >>> a = DataVersion((9, None), ((("relapse", "2024-H1"), 9), (("relapse", "2024-H2"), 3)),
        ...                 1, None)
        >>> b = DataVersion((10, None), ((("relapse", "2024-H1"), 10), (("relapse", "2024-H2"), 3)),
        ...                 1, None)
        >>> a.of("relapse", period="2024-H2") == b.of("relapse", period="2024-H2")
        True
        >>> a.of("relapse") == b.of("relapse")
        False
        >>> a.of("relapse", periods=("2024-H2",)) == b.of("relapse", periods=("2024-H2",))
        True
        """
        if periods is not None:
            wanted = set(periods)
            per_batch = {k: b for k, b in self.values if k[0] in indicators and k[1] in wanted}
            return (self.other, str(self.undone), tuple(periods),
                    *(per_batch.get((i, p)) for i in indicators for p in periods))
        newest: dict[str, int] = {}
        exact = {}
        for (ind, per), batch in self.values:
            if ind in indicators:
                newest[ind] = max(newest.get(ind, -1), -1 if batch is None else batch)
                if per == period:
                    exact[ind] = batch
        # A period with no values of its own (a year built from its halves) keys on
        # the newest import of any period.
        keys = ((exact[i] if i in exact else ("any", newest.get(i))) for i in indicators) \
            if period is not None else (newest.get(i) for i in indicators)
        return (self.other, str(self.undone), period, *keys)


def data_versions(db: str | None = None) -> DataVersion:
    """The finer version of the stored data (:class:`DataVersion`): three aggregates.

    Caches of results that read a few indicators key them on
    :meth:`DataVersion.of`, so an import of other figures leaves them valid.
    """
    from geo.store import data_version as stored_version
    from geo.store import value_versions

    with transaction(db) as s:
        batches = stored_version(s)
        v = value_versions(s)
    return DataVersion(tuple(batches), tuple(sorted(v["values"].items())), v["other"],
                       v["undone"])


@dataclass(frozen=True)
class CommuneRequest(Request):
    """One commune of a province's edition."""

    province: str | Province
    code: str
    edition: str = "legacy"

    def check(self) -> CommuneRequest:
        """Resolve the province; the commune must belong to it in that edition."""
        return replace(self, province=check_province(self.province, check_edition(self.edition)),
                       edition=check_edition(self.edition), code=str(self.code).strip())


@dataclass
class CommuneProfile:
    """What the commune profile shows besides the figures.

    Attributes
    ----------
    unit : pandas.Series
        The registry row (``code, name, district_name, province_name, lat, lon …``).
    hotspot_events : pandas.DataFrame
        Its status events as a designated commune (``event_date, status,
        decision_no, note``), oldest first.
    lineage : pandas.DataFrame
        The 1 July 2025 reform as stored in the database's crosswalk (the weights
        conversions use): for a legacy commune its successors, for a 2025 commune its
        predecessors; ``code, name, district_name, weight, split``.
    nearest : pandas.DataFrame
        The nearest facilities (``name, kind, distance_km``), straight line.
    """

    unit: pd.Series
    hotspot_events: pd.DataFrame
    lineage: pd.DataFrame
    nearest: pd.DataFrame


def lineage(code: str, edition: str, who: Principal, db: str | None = None) -> pd.DataFrame:
    """A commune's links across the 1 July 2025 reform, as the stored crosswalk has them.

    The weights are the ones conversions use (split communes may have been
    re-weighted by area), not the packaged registry's.

    Parameters
    ----------
    code : str
        Commune code in ``edition``.
    edition : {"legacy", "2025"}
        ``legacy``: its successors; ``2025``: its predecessors.
    who : Principal
        Who asks (needs ``view``).
    db : str, optional
        Database URL.

    Returns
    -------
    pandas.DataFrame
        ``code, name, district_name, weight, split`` of the communes on the other side.
    """
    from geo.store import crosswalk_links

    edition = check_edition(edition)
    authorize(who, "view")
    with transaction(db) as s:
        if edition == "legacy":
            links = crosswalk_links(s, old_code=code).rename(columns={"new_code": "code"})
        else:
            links = crosswalk_links(s, new_code=code).rename(columns={"old_code": "code"})
    return links.reindex(columns=["code", "name", "district_name", "weight", "split"]
                         ).reset_index(drop=True)


def profile(req: CommuneRequest, who: Principal, db: str | None = None,
            nearest: int = 6) -> CommuneProfile:
    """A commune's registry entry, hotspot history, reform lineage and nearby services.

    Raises
    ------
    NotFoundError
        The commune is not one of the province's in that edition.
    """
    from geo.access import nearest_facilities
    from geo.store import base_version, hotspot_table, province_units
    from geo.store import facilities as stored_facilities

    req = req.check()
    authorize(who, "view", req.province)
    p, ed = req.province, req.edition
    with transaction(db) as s:
        base = base_version(s)
        units_ = _shared(base, db, "units_by_code", (p, ed),
                         lambda: province_units(s, p, ed).set_index("code"))
        if req.code not in units_.index:
            raise NotFoundError(
                f"Xã mã {req.code} không thuộc {req.province.name} ({req.edition}).",
                f"Commune {req.code} is not in {req.province.name} ({req.edition}).")
        unit = units_.loc[req.code].copy()
        ht = _shared(base, db, "hotspot_table", (p,), lambda: hotspot_table(s, p))
        fac = _shared(base, db, "facilities", (p,), lambda: stored_facilities(s, p))
    links = lineage(req.code, req.edition, who, db)
    mine = ht[(ht.edition == req.edition) & (ht.unit_code == req.code)]
    near = nearest_facilities(float(unit.lon), float(unit.lat), fac, k=nearest)
    return CommuneProfile(unit.rename(req.code), mine.reset_index(drop=True),
                          links.reset_index(drop=True), near)
