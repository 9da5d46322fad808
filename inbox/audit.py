"""Recording audit events. Every change of state goes through :func:`record`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from inbox.models.audit import AuditEvent


def record(
    session: Session,
    entity: Any,
    action: str,
    now: datetime,
    *,
    actor_id: int | None = None,
    reason: str = "",
    entity_type: str | None = None,
    **data: Any,
) -> AuditEvent:
    """Add an audit event for ``entity`` (a mapped object with an id).

    Flushes first when the entity has no id yet, so the event names it.
    """
    if getattr(entity, "id", None) is None:
        session.flush()
    return record_event(
        session, entity_type or entity.__tablename__, entity.id, action, now,
        actor_id=actor_id, reason=reason, **data,
    )


def record_event(
    session: Session,
    entity_type: str,
    entity_id: int,
    action: str,
    now: datetime,
    *,
    actor_id: int | None = None,
    reason: str = "",
    **data: Any,
) -> AuditEvent:
    """An audit event for something that is no table row (an import run: id 0)."""
    event = AuditEvent(
        at=now, actor_id=actor_id, entity_type=entity_type, entity_id=entity_id,
        action=action, reason=reason, data=data,
    )
    session.add(event)
    return event
