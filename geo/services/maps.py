"""Looking at a province: the map of one indicator and period, and what surrounds it.

The map page, the commune profile and the CLI's reading commands call these. Each
function checks its request, authorises ``view`` for the province and reads in one
transaction; the drawing is ``layers``' job.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import geopandas as gpd
import pandas as pd

from geo.auth import Principal, authorize
from geo.errors import ValidationError
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
    "MapRequest",
    "MapView",
    "ProvinceRequest",
    "SeriesRequest",
    "data_version",
    "facilities",
    "hotspot_history",
    "map_view",
    "periods",
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
        return replace(self, province=check_province(self.province),
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
    """

    province: str | Province
    edition: str = "legacy"
    indicator: str = "registered_addicts"
    period: str | Period | None = None
    measure: str = "count"

    def check(self) -> MapRequest:
        """Validate every field; resolve the province and the period."""
        if self.measure not in ("count", "rate"):
            raise ValidationError(
                f"Cách tính '{self.measure}' không hợp lệ; dùng: {MEASURES.choices('vi')}.",
                f"Invalid measure '{self.measure}'; use: {MEASURES.choices('en')}.",
                column="measure")
        return replace(
            self, province=check_province(self.province), edition=check_edition(self.edition),
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
        figure; ``converted`` is ``""``, ``"crosswalk"`` or ``"estimated"``.
    hotspots : pandas.DataFrame
        Designated communes of the edition with their status on the period's end
        (``unit_code, name, status``).
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
    from geo.store import facilities as stored_facilities

    req = req.check()
    authorize(who, "view", req.province.code)
    with transaction(db) as s:
        if req.period is None:
            req = replace(req, period=latest_period(s))
        gdf = map_frame(s, req.province.code, req.edition, req.indicator, req.period.id,
                        req.measure)
        hot = hotspot_status(s, req.province.code, req.edition, on=req.period.end)
        fac = stored_facilities(s, req.province.code)
    return MapView(req, display_geometries(gdf), hot, fac)


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
    authorize(who, "view", req.province.code)
    with transaction(db) as s:
        return province_units(s, req.province.code, req.edition)


def hotspot_history(req: ProvinceRequest, who: Principal, db: str | None = None
                    ) -> pd.DataFrame:
    """Every status event of the province's designated communes (both editions)."""
    from geo.store import hotspot_table

    req = req.check()
    authorize(who, "view", req.province.code)
    with transaction(db) as s:
        return hotspot_table(s, req.province.code)


def facilities(req: ProvinceRequest, who: Principal, db: str | None = None
               ) -> gpd.GeoDataFrame:
    """Active facilities of the province (WGS84 points)."""
    from geo.store import facilities as stored_facilities

    req = req.check()
    authorize(who, "view", req.province.code)
    with transaction(db) as s:
        return stored_facilities(s, req.province.code)


@dataclass(frozen=True)
class SeriesRequest(Request):
    """Every period of some indicators on a province's communes."""

    province: str | Province
    edition: str = "legacy"
    indicators: tuple[str, ...] = ()
    measure: str = "count"

    def check(self) -> SeriesRequest:
        """Validate the indicators and the measure; resolve the province."""
        if self.measure not in ("count", "rate"):
            raise ValidationError(f"Cách tính '{self.measure}' không hợp lệ.",
                                  f"Invalid measure '{self.measure}'.", column="measure")
        return replace(self, province=check_province(self.province),
                       edition=check_edition(self.edition),
                       indicators=tuple(check_indicator(i) for i in self.indicators))


def series(req: SeriesRequest, who: Principal, db: str | None = None) -> pd.DataFrame:
    """Long values ``unit_code, period, indicator, value, converted`` (counts or rates)."""
    from geo.mapdata import series_frame

    req = req.check()
    authorize(who, "view", req.province.code)
    with transaction(db) as s:
        return series_frame(s, req.province.code, req.edition, list(req.indicators),
                            req.measure)


def data_version(db: str | None = None) -> tuple:
    """Something that changes whenever any import is stored or undone (app or CLI).

    Caches of figures are keyed on it; reading it is two aggregates.
    """
    from geo.store import data_version as stored_version

    with transaction(db) as s:
        return stored_version(s)
