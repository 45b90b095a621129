"""Writing the audit log: who did what, when, from which import batch.

Every change to stored data records one entry here, in the same transaction as
the change. Reading the log (filters, CSV) is :mod:`geo.audit`.

Imports only :mod:`geo.store.schema`.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from geo.store.schema import AuditEntry

__all__ = ["audit"]


def audit(
    s: Session,
    user: str,
    action: str,
    entity: str,
    entity_id: Any = None,
    batch_id: int | None = None,
    **detail: Any,
) -> None:
    """Record who did what, when, from which batch.

    Parameters
    ----------
    s : Session
        The session of the change (the entry commits or rolls back with it).
    user : str
        Who did it.
    action : str
        An action of :data:`geo.vocab.ACTIONS` (``"import"``, ``"undo"``...).
    entity : str
        What kind of thing changed (``"indicators"``, ``"hotspot"``, ``"user"``...).
    entity_id : any, optional
        Which one (stored as text).
    batch_id : int, optional
        The import batch it belongs to.
    **detail
        Stored as JSON text.
    """
    s.add(
        AuditEntry(
            username=user, action=action, entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            batch_id=batch_id,
            detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
        )
    )
