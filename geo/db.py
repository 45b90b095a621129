"""Deprecated: the models and session functions moved to :mod:`geo.store`.

A thin re-export kept while other branches still import ``geo.db``; new code imports
:mod:`geo.store.schema` (models) and :mod:`geo.store` / :mod:`geo.store.session`
(engines, transactions, migrations). It will be removed.
"""

from __future__ import annotations

from geo.store.schema import (  # noqa: F401
    ApiToken,
    AuditEntry,
    Base,
    Boundary,
    CrosswalkRow,
    EditionRow,
    Facility,
    GeometryType,
    Hotspot,
    HotspotEvent,
    ImportBatch,
    IndicatorRow,
    IndicatorValue,
    Plan,
    PlanTarget,
    Unit,
    User,
    utcnow,
)
from geo.store.session import (  # noqa: F401
    _ENGINES,
    DEFAULT_URL,
    MIGRATIONS_DIR,
    PG_LOCK_NAMESPACE,
    PG_SCHEMA_LOCK,
    current_revision,
    database_url,
    dispose_engine,
    dispose_engines,
    downgrade,
    get_engine,
    lock_schema,
    migrate,
    session_scope,
)
