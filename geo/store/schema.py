"""The tables: SQLAlchemy models of everything diaban stores.

The schema uses nothing SQLite-only: geometries are WKB in SQLite and PostGIS
``geometry(4326)`` in PostgreSQL (:class:`GeometryType`). Migrations
(``geo/migrations``) are written against these models; they run with
:func:`geo.store.session.migrate`.

Nothing is hard-deleted: imports are batches that can be undone, values and
boundaries keep their history with an ``is_current`` flag.

This module imports SQLAlchemy and shapely only: no engine, no session, no query.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import shapely
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "ApiToken",
    "AssessmentEntry",
    "AssessmentList",
    "AssessmentSettings",
    "AuditEntry",
    "Base",
    "BatchArea",
    "Boundary",
    "CrosswalkRow",
    "DrugRoute",
    "DrugRouteCommune",
    "EditionRow",
    "Facility",
    "GeometryType",
    "Hotspot",
    "HotspotEvent",
    "ImportBatch",
    "IndicatorRow",
    "IndicatorValue",
    "LoginThrottle",
    "Plan",
    "PlanTarget",
    "Unit",
    "User",
    "utcnow",
]


def utcnow() -> datetime:
    """Current time in UTC (timezone-aware)."""
    return datetime.now(UTC)


class GeometryType(TypeDecorator):
    """Shapely geometry stored as WKB (SQLite) or PostGIS ``geometry(Geometry, 4326)``.

    Values are always in WGS84 (EPSG:4326); the CRS the data came in is kept
    in a separate column.
    """

    impl = LargeBinary
    cache_ok = True
    #: Read by GeoAlchemy2's DDL hooks: they manage no index for this column.
    spatial_index = False

    def load_dialect_impl(self, dialect: Any) -> Any:
        """Use PostGIS geometry on PostgreSQL, binary WKB elsewhere.

        GeoAlchemy2's DDL hooks ask without a dialect (``None``); they get the
        plain binary type, so the column is created inline with its PostGIS type.
        """
        if dialect is None:
            return LargeBinary()
        if dialect.name == "postgresql":
            from geoalchemy2 import Geometry

            return dialect.type_descriptor(Geometry("GEOMETRY", srid=4326, spatial_index=True))
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        """Shapely → WKB bytes or a PostGIS WKB element."""
        if value is None:
            return None
        if dialect.name == "postgresql":
            from geoalchemy2.shape import from_shape

            return from_shape(value, srid=4326)
        return shapely.to_wkb(value)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        """WKB bytes or a PostGIS element → shapely."""
        if value is None:
            return None
        if dialect.name == "postgresql":
            from geoalchemy2.shape import to_shape

            return to_shape(value)
        return shapely.from_wkb(bytes(value))


class Base(DeclarativeBase):
    """Declarative base of every diaban table."""


class EditionRow(Base):
    """A registry edition (``legacy``, ``2025``...)."""

    __tablename__ = "editions"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class Unit(Base):
    """A province, district or commune of one edition (codes unique per edition)."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("edition_id", "code", name="uq_units_edition_code"),
        Index("ix_units_edition_province", "edition_id", "province_code"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[str] = mapped_column(ForeignKey("editions.id"))
    code: Mapped[str] = mapped_column(String(12))
    level: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(200))
    unit_type: Mapped[str] = mapped_column(String(40))
    parent_code: Mapped[str | None] = mapped_column(String(12))
    province_code: Mapped[str] = mapped_column(String(4))
    district_code: Mapped[str | None] = mapped_column(String(12))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    area_km2: Mapped[float | None] = mapped_column(Float)
    bbox_minx: Mapped[float | None] = mapped_column(Float)
    bbox_miny: Mapped[float | None] = mapped_column(Float)
    bbox_maxx: Mapped[float | None] = mapped_column(Float)
    bbox_maxy: Mapped[float | None] = mapped_column(Float)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class CrosswalkRow(Base):
    """One old unit → new unit link with its weight (weights of one old unit sum to 1)."""

    __tablename__ = "crosswalk"
    __table_args__ = (
        UniqueConstraint("from_edition", "from_code", "to_edition", "to_code", name="uq_crosswalk"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_edition: Mapped[str] = mapped_column(ForeignKey("editions.id"))
    from_code: Mapped[str] = mapped_column(String(12), index=True)
    to_edition: Mapped[str] = mapped_column(ForeignKey("editions.id"))
    to_code: Mapped[str] = mapped_column(String(12), index=True)
    weight: Mapped[float] = mapped_column(Float)
    split: Mapped[bool] = mapped_column(Boolean, default=False)
    method: Mapped[str] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(String(200))


class ImportBatch(Base):
    """One import: who, when, what file; can be undone (never deleted)."""

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str | None] = mapped_column(String(500))
    file_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    province_code: Mapped[str | None] = mapped_column(String(4))
    username: Mapped[str] = mapped_column(String(80), default="system")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    n_rows: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="active")
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)


class BatchArea(Base):
    """A province an import batch touches, in the edition of its communes (migration 0004b).

    History, view and undo check a principal's area against these (codes such as 15
    name another province before and after 1 July 2025: the edition says which).
    """

    __tablename__ = "batch_areas"
    __table_args__ = (Index("ix_batch_areas_province", "edition_id", "province_code"),)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), primary_key=True)
    edition_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(4), primary_key=True)


class Boundary(Base):
    """A versioned unit boundary in WGS84; ``source`` is ``approximate`` or ``official``."""

    __tablename__ = "boundaries"
    __table_args__ = (
        Index("ix_boundaries_unit", "edition_id", "unit_code", "is_current"),
        Index("uq_boundaries_one_current", "edition_id", "unit_code", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[str] = mapped_column(ForeignKey("editions.id"))
    unit_code: Mapped[str] = mapped_column(String(12))
    version: Mapped[int] = mapped_column(Integer, default=1)
    geom: Mapped[Any] = mapped_column(GeometryType())
    #: ``EPSG:n``, or the whole WKT of a CRS that has no EPSG code (migration 0003).
    source_crs: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(12))
    source_file: Mapped[str | None] = mapped_column(String(500))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IndicatorRow(Base):
    """An indicator of the catalog (``data/indicators.json``)."""

    __tablename__ = "indicators"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    unit_vi: Mapped[str] = mapped_column(String(40))
    unit_en: Mapped[str] = mapped_column(String(40))
    higher_is_worse: Mapped[bool | None] = mapped_column(Boolean)
    aggregate: Mapped[str] = mapped_column(String(20))
    convert: Mapped[str] = mapped_column(String(20))


class IndicatorValue(Base):
    """A value of an indicator for a unit and period, from one import batch."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        Index("ix_values_key", "edition_id", "unit_code", "period", "indicator_id"),
        Index("ix_values_current", "is_current", "indicator_id", "period"),
        Index("uq_values_one_current", "edition_id", "unit_code", "period", "indicator_id",
              unique=True, sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[str] = mapped_column(ForeignKey("editions.id"))
    unit_code: Mapped[str] = mapped_column(String(12))
    period: Mapped[str] = mapped_column(String(10))
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicators.id"))
    value: Mapped[float] = mapped_column(Float)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Hotspot(Base):
    """A commune designated as a key complex area under a plan."""

    __tablename__ = "hotspots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[str] = mapped_column(ForeignKey("editions.id"))
    unit_code: Mapped[str] = mapped_column(String(12), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    note: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class HotspotEvent(Base):
    """A dated status change of a hotspot commune."""

    __tablename__ = "hotspot_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hotspot_id: Mapped[int] = mapped_column(ForeignKey("hotspots.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    event_date: Mapped[date] = mapped_column(Date)
    decision_no: Mapped[str | None] = mapped_column(String(100))
    decision_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Facility(Base):
    """A treatment facility, Methadone point, counselling point or club."""

    __tablename__ = "facilities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(300))
    province_code: Mapped[str] = mapped_column(String(4), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    capacity: Mapped[int | None] = mapped_column(Integer)
    operator: Mapped[str | None] = mapped_column(String(300))
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class Plan(Base):
    """A provincial transformation plan (e.g. KH 75/KH-SLĐTBXH, 2021–2025)."""

    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    province_code: Mapped[str] = mapped_column(String(4))
    number: Mapped[str] = mapped_column(String(100))
    title_vi: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    issued_on: Mapped[date | None] = mapped_column(Date)
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(Text)


class PlanTarget(Base):
    """A measurable target of a plan (e.g. ≥ 80% of registered addicts counselled)."""

    __tablename__ = "plan_targets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    label_vi: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    indicator_id: Mapped[str | None] = mapped_column(ForeignKey("indicators.id"))
    denominator_id: Mapped[str | None] = mapped_column(ForeignKey("indicators.id"))
    target: Mapped[float] = mapped_column(Float)
    year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(Text)


class User(Base):
    """A user with a password hash, role and optional area limit."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[str | None] = mapped_column(String(4))
    #: Edition ``province_code`` is read in (migration 0004b; ``legacy`` for older accounts).
    province_edition: Mapped[str | None] = mapped_column(String(16))
    district_code: Mapped[str | None] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginThrottle(Base):
    """Failed logins of one source or one account, and until when it must wait (0004b).

    ``key`` is ``src:<address>`` or ``acct:<username>`` (an unknown name as a short
    hash, never as typed: :mod:`geo.auth.throttle`).
    """

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    wait_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A token an admin created for a user's scripts (only its SHA-256 is stored)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Who did what, when, from which batch."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(80))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    detail: Mapped[str | None] = mapped_column(Text)


# ------------------------------------------------------------ QĐ 28/2025 assessment (0004a)


class AssessmentList(Base):
    """One version of a province's QĐ 28/2025 list for an assessment year.

    A list is ``draft`` (the planners' manual classes, the computed ones being
    recomputed from the figures) or ``approved`` (the People's Committee's decision
    number and date; every commune's class frozen with its criteria). Every change
    writes a new version in its own batch and the previous one stops being current;
    undoing the batch brings the previous version back (nothing is deleted).
    """

    __tablename__ = "assessment_lists"
    __table_args__ = (
        Index("ix_assessment_lists_key", "province_code", "province_edition", "edition_id",
              "year"),
        Index("uq_assessment_lists_one_current", "province_code", "province_edition",
              "edition_id", "year", unique=True, sqlite_where=text("is_current"),
              postgresql_where=text("is_current")),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    province_code: Mapped[str] = mapped_column(String(4))
    #: Edition the province code is read in.
    province_edition: Mapped[str] = mapped_column(ForeignKey("editions.id"))
    #: Edition of the list's communes (the units in force on the year's last day).
    edition_id: Mapped[str] = mapped_column(ForeignKey("editions.id"))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    decision_no: Mapped[str | None] = mapped_column(String(100))
    decision_date: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[str | None] = mapped_column(String(80))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Rule set id (``qd28_2025``).
    rule_set: Mapped[str] = mapped_column(String(60))
    #: JSON: the readings in force, the overrides and the cut-off used.
    rules: Mapped[str | None] = mapped_column(Text)
    #: Province class (Điều 5) at the time of the version.
    province_class: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class AssessmentEntry(Base):
    """One commune of a list version: its computed, manual, final and approved class."""

    __tablename__ = "assessment_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("assessment_lists.id"), index=True)
    #: Commune code in the list's edition.
    unit_code: Mapped[str] = mapped_column(String(12))
    computed_class: Mapped[str | None] = mapped_column(String(20))
    manual_class: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    final_class: Mapped[str] = mapped_column(String(20))
    approved_class: Mapped[str | None] = mapped_column(String(20))
    #: JSON: the criteria as computed (id, article, value, threshold, result …).
    criteria: Mapped[str | None] = mapped_column(Text)
    adjusted_by: Mapped[str | None] = mapped_column(String(80))
    adjusted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AssessmentSettings(Base):
    """A province's assessment settings (one current version; older ones kept)."""

    __tablename__ = "assessment_settings"
    __table_args__ = (
        Index("uq_assessment_settings_one_current", "province_code", "province_edition",
              unique=True, sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    province_code: Mapped[str] = mapped_column(String(4))
    province_edition: Mapped[str] = mapped_column(ForeignKey("editions.id"))
    #: First day of the reporting year, ``"15/12"`` (QĐ 28/2025 Điều 7.1).
    cutoff: Mapped[str | None] = mapped_column(String(5))
    #: Share of drug-free communes aimed at (0.5 = 50 %) by ``target_year``.
    target_share: Mapped[float | None] = mapped_column(Float)
    target_year: Mapped[int | None] = mapped_column(Integer)
    target_source: Mapped[str | None] = mapped_column(Text)
    #: JSON: the province's rule overrides (see :mod:`geo.qd28`).
    overrides: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)


class DrugRoute(Base):
    """A key drug route approved by decision (QĐ 28/2025 Điều 3), intra- or inter-provincial."""

    __tablename__ = "drug_routes"
    __table_args__ = (Index("ix_drug_routes_province", "province_code", "province_edition"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    province_code: Mapped[str] = mapped_column(String(4))
    province_edition: Mapped[str] = mapped_column(ForeignKey("editions.id"))
    name: Mapped[str] = mapped_column(String(300))
    #: ``intra`` (nội tỉnh, approved by the province) or ``inter`` (liên tỉnh, the Ministry).
    scope: Mapped[str] = mapped_column(String(10))
    decision_no: Mapped[str] = mapped_column(String(100))
    decision_date: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class DrugRouteCommune(Base):
    """A commune a key drug route runs through."""

    __tablename__ = "drug_route_communes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("drug_routes.id"), index=True)
    edition_id: Mapped[str] = mapped_column(ForeignKey("editions.id"))
    unit_code: Mapped[str] = mapped_column(String(12))
