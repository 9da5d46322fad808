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
different customers' messages. The candidates come from the batch's
:class:`~inbox.intake.lookup.Lookup`, so this module runs no queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from channels.base import Inbound
from inbox.intake.context import Filing
from inbox.intake.identify import Identification
from inbox.models import Thread


@dataclass
class ThreadMatch:
    thread: Thread | None
    rule: str  # references | claim | subject | recent | new


def find_thread(filing: Filing, inbound: Inbound, who: Identification) -> ThreadMatch:
    customer = who.customer
    lookup, cfg = filing.lookup, filing.cfg

    for ref in inbound.reference_ids():
        found = lookup.by_ref.get(ref)
        if found is not None and found[1] is customer:
            return ThreadMatch(found[0], "references")

    candidates = lookup.threads_of(customer)
    claim_ids = {claim.id for claim in who.claims}
    if claim_ids:
        thread = _latest(t for t in candidates
                         if t.status != "closed" and t.claim_id in claim_ids)
        if thread is not None:
            return ThreadMatch(thread, "claim")

    def same_claim(t: Thread) -> bool:
        # A thread about another claim is not this one, whatever its subject.
        return not claim_ids or t.claim_id is None or t.claim_id in claim_ids

    key = filing.analysis(inbound).subject_key
    if key:
        since = inbound.received_at - cfg.thread_window
        thread = _latest(t for t in candidates
                         if t.subject_key == key and _active_since(t, since) and same_claim(t))
        if thread is not None:
            return ThreadMatch(thread, "subject")
    else:
        since = inbound.received_at - cfg.subjectless_window
        thread = _latest(t for t in candidates
                         if t.status != "closed" and _active_since(t, since) and same_claim(t))
        if thread is not None:
            return ThreadMatch(thread, "recent")

    return ThreadMatch(None, "new")


def _active_since(thread: Thread, since: datetime) -> bool:
    return thread.last_message_at is not None and thread.last_message_at >= since


def _latest(threads: Iterable[Thread]) -> Thread | None:
    best: Thread | None = None
    for thread in threads:
        if best is None or _order(thread) > _order(best):
            best = thread
    return best


def _order(thread: Thread) -> tuple[datetime, int]:
    # Newest activity first; among equals the later thread (new ones last).
    return (thread.last_message_at or datetime.min.replace(tzinfo=thread.created_at.tzinfo),
            thread.id if thread.id is not None else 1 << 62)
