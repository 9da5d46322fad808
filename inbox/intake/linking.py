"""Linking a thread to what it is about: the claim it names, else an account
issue recognised by the rules in :mod:`inbox.intake.classify`.

A complaint is recognised even in a thread about a claim ("I complain about
your decision on CLM-…"): complaints carry a regulatory acknowledgement
deadline, so they must never hide behind the claim they are about. Other
account-issue kinds in a claim thread (a late claim payment, say) are part of
the claim's own workflow.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from channels.base import Inbound
from claims.models import AccountIssue
from inbox import audit
from inbox.intake.classify import classify_account_issue
from inbox.intake.identify import Identification
from inbox.models import Thread


def link_thread(
    session: Session, thread: Thread, who: Identification, inbound: Inbound, now: datetime
) -> None:
    if thread.policy_id is None and (who.policies or who.claims):
        thread.policy_id = who.policies[0].id if who.policies else who.claims[0].policy_id

    if who.claims and thread.claim_id is None:
        claim = who.claims[0]
        thread.claim_id = claim.id
        if thread.issue_type is None:
            thread.issue_type = "claim"
        audit.record(session, thread, "thread.linked", now,
                     reason="message names the claim", claim=claim.number)

    if thread.account_issue_id is not None or thread.status == "closed":
        return
    found = classify_account_issue(inbound.subject, inbound.text)
    if found is None:
        return
    kind, rule_language = found
    if thread.claim_id is not None and kind != "complaint":
        return
    issue = AccountIssue(
        customer_id=who.customer.id,
        policy_id=thread.policy_id,
        kind=kind,
        status="open",
        summary=(thread.subject or inbound.text[:120])[:300],
        details={"claim_id": thread.claim_id} if thread.claim_id else {},
        created_at=now,
    )
    session.add(issue)
    session.flush()
    audit.record(session, issue, "account_issue.opened", now,
                 reason=f"classified from a {inbound.channel} message", rule_language=rule_language)
    thread.account_issue_id = issue.id
    thread.issue_type = kind
    audit.record(session, thread, "thread.linked", now,
                 reason=f"classified as {kind}", account_issue_id=issue.id)
