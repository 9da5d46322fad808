"""Internal notes: messages in a thread for colleagues, never for the customer.

``@someone`` in a note mentions a colleague: their full email address, or the
part before the ``@`` when only one active user has it. Each mentioned user
(not the author) gets a notification linking to the thread; unknown names are
left as text. ``mentions`` passed in by a caller (a decision naming the rep
who escalated) are recorded on the note but not notified again: the caller
sent its own, more specific notification.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inbox import audit
from inbox.models import Message, Notification, Thread, User

MAX_NOTE = 20_000
# "@anna", "@anna.berg", "@anna@insurer.test"; not inside a word (a mail address).
MENTION = re.compile(r"(?<![\w@.])@([\w][\w.+-]*(?:@[\w-]+(?:\.[\w-]+)+)?)")


def add_note(session: Session, thread: Thread, text: str, now: datetime, *,
             author_id: int | None, mentions: list[int] | None = None) -> Message:
    body = text.strip()[:MAX_NOTE]
    if not body:
        raise ValueError("the note is empty")
    typed = mentioned_users(session, body)
    mentioned = list(dict.fromkeys([*(mentions or []), *typed]))
    note = Message(
        thread_id=thread.id, customer_id=thread.customer_id, channel="note", direction="note",
        external_id=f"note-{uuid.uuid4().hex}", text=body, received_at=now,
        author_id=author_id, created_at=now,
        extras={"mentions": mentioned} if mentioned else {},
    )
    session.add(note)
    session.flush()
    author = session.get(User, author_id) if author_id else None
    who = (author.name or author.email) if author else "The system"
    for user_id in typed:
        if user_id != author_id and user_id not in (mentions or []):
            session.add(Notification(
                user_id=user_id, kind="mention", thread_id=thread.id, claim_id=thread.claim_id,
                text=f"{who} mentioned you on thread #{thread.id}: {_excerpt(body)}",
                created_at=now))
    audit.record(session, thread, "note.added", now, actor_id=author_id, message_id=note.id,
                 mentions=mentioned)
    return note


def mentioned_users(session: Session, text: str) -> list[int]:
    """Ids of the active users ``text`` mentions, in order of first mention."""
    names = [m.lower() for m in MENTION.findall(text)]
    if not names:
        return []
    users = session.execute(sa.select(User.id, User.email).where(User.active.is_(True))
                            .where(sa.or_(*_candidates(names)))).all()
    by_email = {email.lower(): uid for uid, email in users}
    by_local: dict[str, list[int]] = {}
    for uid, email in users:
        by_local.setdefault(email.lower().partition("@")[0], []).append(uid)
    found: list[int] = []
    for name in names:
        chosen = by_email.get(name)
        if chosen is None and len(by_local.get(name, [])) == 1:
            chosen = by_local[name][0]
        if chosen is not None and chosen not in found:
            found.append(chosen)
    return found


def _candidates(names: Iterable[str]) -> list[sa.ColumnElement[bool]]:
    out: list[sa.ColumnElement[bool]] = []
    for name in names:
        if "@" in name:
            out.append(sa.func.lower(User.email) == name)
        else:
            escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            out.append(sa.func.lower(User.email).like(f"{escaped}@%", escape="\\"))
    return out


def _excerpt(text: str, limit: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
