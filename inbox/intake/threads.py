"""Which thread a message belongs to. Rules, in order:

1. ``In-Reply-To`` / ``References`` naming a message we know (any id in
   References, newest first, not only the last);
2. a claim number of this customer → the open thread for that claim;
3. the same customer and the same subject (reply/forward prefixes stripped)
   with activity within the thread window (30 days by default);
4. a message without a subject (SMS, call) → the customer's latest open thread
   active within the subject-less window (7 days by default);
5. else a new thread.

Every rule is limited to the identified customer: threading never joins two
different customers' messages.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from channels.base import Inbound
from inbox.intake.config import IngestConfig
from inbox.intake.identify import Identification
from inbox.intake.subjects import subject_key
from inbox.models import Message, Thread


@dataclass
class ThreadMatch:
    thread: Thread | None
    rule: str  # references | claim | subject | recent | new


def find_thread(
    session: Session, inbound: Inbound, who: Identification, cfg: IngestConfig
) -> ThreadMatch:
    customer_id = who.customer.id

    refs = inbound.reference_ids()
    if refs:
        rows = session.execute(
            sa.select(Message.external_id, Thread)
            .join(Thread, Message.thread_id == Thread.id)
            .where(Message.external_id.in_(refs), Thread.customer_id == customer_id)
        ).all()
        by_ref: dict[str, Thread] = {row[0]: row[1] for row in rows}
        for ref in refs:
            if ref in by_ref:
                return ThreadMatch(by_ref[ref], "references")

    claim_ids = [claim.id for claim in who.claims]
    if claim_ids:
        thread = session.scalars(
            sa.select(Thread)
            .where(
                Thread.customer_id == customer_id,
                Thread.claim_id.in_(claim_ids),
                Thread.status != "closed",
            )
            .order_by(Thread.last_message_at.desc().nulls_last(), Thread.id.desc())
            .limit(1)
        ).first()
        if thread is not None:
            return ThreadMatch(thread, "claim")

    key = subject_key(inbound.subject)
    if key:
        query = sa.select(Thread).where(
            Thread.customer_id == customer_id,
            Thread.subject_key == key,
            Thread.last_message_at >= inbound.received_at - cfg.thread_window,
        )
        if claim_ids:
            # A thread about another claim is not this one, whatever its subject.
            query = query.where(
                sa.or_(Thread.claim_id.is_(None), Thread.claim_id.in_(claim_ids))
            )
        thread = session.scalars(
            query.order_by(Thread.last_message_at.desc(), Thread.id.desc()).limit(1)
        ).first()
        if thread is not None:
            return ThreadMatch(thread, "subject")
    else:
        query = sa.select(Thread).where(
            Thread.customer_id == customer_id,
            Thread.status != "closed",
            Thread.last_message_at >= inbound.received_at - cfg.subjectless_window,
        )
        if claim_ids:
            query = query.where(
                sa.or_(Thread.claim_id.is_(None), Thread.claim_id.in_(claim_ids))
            )
        thread = session.scalars(
            query.order_by(Thread.last_message_at.desc(), Thread.id.desc()).limit(1)
        ).first()
        if thread is not None:
            return ThreadMatch(thread, "recent")

    return ThreadMatch(None, "new")
