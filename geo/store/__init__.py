"""Storage: every table, query and write of diaban, one room per concern.

Every function takes a SQLAlchemy ``Session`` (:func:`session_scope`); functions
that change data record an audit entry (:func:`audit`) and, for imports, belong
to an import batch that can be undone. Nothing is hard-deleted.

Rooms
-----
- :mod:`geo.store.schema` — the tables (SQLAlchemy models, :class:`~geo.store.schema.GeometryType`).
- :mod:`geo.store.session` — engines, transactions, migrations, the writers' locks.
- :mod:`geo.store.seed` — :func:`init_db`: schema and reference data loaded once.
- :mod:`geo.store.audit_log` — :func:`audit`, the audit writer.
- :mod:`geo.store.units` — a province's communes; the stored crosswalk.
- :mod:`geo.store.batches` — import batches: hash, find, list, undo.
- :mod:`geo.store.values` — indicator values, read on either edition's communes.
- :mod:`geo.store.boundaries` — versioned commune polygons.
- :mod:`geo.store.registers` — hotspot communes and their status history; facilities.
- :mod:`geo.store.planning` — plans and their targets.
- :mod:`geo.store.assessments` — QĐ 28/2025 lists (draft/approved versions), a
  province's assessment settings, key drug routes.

The arithmetic of the 2025 reform is :mod:`geo.reform` (no database).
"""

from __future__ import annotations

from geo.store.assessments import (
    add_route,
    assessment_settings,
    current_list,
    list_entries,
    list_versions,
    routes,
    save_settings,
    stored_lists,
    undo_assessment_batch,
    write_list,
)
from geo.store.audit_log import audit
from geo.store.batches import (
    batch_areas,
    data_version,
    file_batches,
    file_sha256,
    find_active_batch,
    last_detail,
    list_batches,
    new_batch,
    record_batch_areas,
    undo_batch,
)
from geo.store.boundaries import current_boundaries, save_boundaries
from geo.store.planning import plan_targets, plans
from geo.store.registers import add_facility, add_hotspot, facilities, hotspot_table
from geo.store.seed import init_db
from geo.store.session import (
    PG_LOCK_NAMESPACE,
    current_revision,
    database_url,
    dispose_engine,
    dispose_engines,
    downgrade,
    get_engine,
    lock_province,
    lock_schema,
    lock_units,
    lock_writes,
    migrate,
    session_scope,
)
from geo.store.units import crosswalk, crosswalk_links, province_units, set_split_weights
from geo.store.values import (
    VALUE_KINDS,
    available_periods,
    base_version,
    get_values,
    recorded_values,
    value_versions,
    write_values,
)

__all__ = [
    "PG_LOCK_NAMESPACE",
    "VALUE_KINDS",
    "add_facility",
    "add_hotspot",
    "add_route",
    "assessment_settings",
    "audit",
    "available_periods",
    "crosswalk",
    "crosswalk_links",
    "current_boundaries",
    "current_list",
    "current_revision",
    "data_version",
    "database_url",
    "dispose_engine",
    "dispose_engines",
    "downgrade",
    "facilities",
    "file_batches",
    "file_sha256",
    "find_active_batch",
    "last_detail",
    "get_engine",
    "get_values",
    "hotspot_table",
    "init_db",
    "batch_areas",
    "list_batches",
    "list_entries",
    "list_versions",
    "lock_province",
    "lock_schema",
    "lock_units",
    "lock_writes",
    "migrate",
    "new_batch",
    "record_batch_areas",
    "plan_targets",
    "plans",
    "province_units",
    "recorded_values",
    "routes",
    "save_boundaries",
    "save_settings",
    "session_scope",
    "set_split_weights",
    "stored_lists",
    "undo_assessment_batch",
    "undo_batch",
    "base_version",
    "value_versions",
    "write_list",
    "write_values",
]
