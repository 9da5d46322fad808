"""The state of one filing run: session, settings, the batch's look-ups, and
audit events waiting for their entities' ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from inbox.bulk import insert_rows, table_of
from inbox.intake.analysis import Analysis
from inbox.intake.config import IngestConfig
from inbox.intake.lookup import Lookup
from inbox.models import AuditEvent


@dataclass
class Filing:
    session: Session
    cfg: IngestConfig
    lookup: Lookup
    now: datetime
    analyses: dict[int, Analysis] = field(default_factory=dict)
    _audit: list[tuple[Any, str, str, dict[str, Any]]] = field(default_factory=list)

    def analysis(self, inbound: Any) -> Analysis:
        return self.analyses[id(inbound)]

    def audit(self, entity: Any, action: str, *, reason: str = "", **data: Any) -> None:
        """Record an audit event once ``entity`` has an id (after the flush).
        Values in ``data`` that are mapped objects are replaced by their ids."""
        self._audit.append((entity, action, reason, data))

    def flush(self) -> None:
        """Write everything, then the audit events that needed ids."""
        self.session.flush()
        if not self._audit:
            return
        rows = [
            {"at": self.now, "actor_id": None, "entity_type": entity.__tablename__,
             "entity_id": entity.id, "action": action, "reason": reason,
             "data": {k: (v.id if hasattr(v, "__tablename__") else v) for k, v in data.items()}}
            for entity, action, reason, data in self._audit
        ]
        self._audit.clear()
        insert_rows(self.session, table_of(AuditEvent), rows)
