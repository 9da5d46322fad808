"""Internal notes: messages in a thread for colleagues, never for the customer."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from inbox import audit
from inbox.models import Message, Thread

MAX_NOTE = 20_000


def add_note(session: Session, thread: Thread, text: str, now: datetime, *,
             author_id: int | None, mentions: list[int] | None = None) -> Message:
    body = text.strip()
    if not body:
        raise ValueError("the note is empty")
    note = Message(
        thread_id=thread.id, customer_id=thread.customer_id, channel="note", direction="note",
        external_id=f"note-{uuid.uuid4().hex}", text=body[:MAX_NOTE], received_at=now,
        author_id=author_id, created_at=now,
        extras={"mentions": mentions} if mentions else {},
    )
    session.add(note)
    session.flush()
    audit.record(session, thread, "note.added", now, actor_id=author_id, message_id=note.id)
    return note
