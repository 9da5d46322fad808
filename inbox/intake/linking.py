"""Linking a thread to what it is about: the claim it names, else an account
issue recognised by the rules in :mod:`inbox.intake.classify`.

A complaint is recognised even in a thread about a claim ("I complain about
your decision on CLM-…"): complaints carry a regulatory acknowledgement
deadline, so they must never hide behind the claim they are about. Other
account-issue kinds in a claim thread (a late claim payment, say) are part of
the claim's own workflow.
"""

from __future__ import annotations

from channels.base import Inbound
from claims.account_issues import opening_deadline
from claims.models import AccountIssue
from inbox.intake.context import Filing
from inbox.intake.identify import Identification
from inbox.models import Thread


def link_thread(filing: Filing, thread: Thread, who: Identification, inbound: Inbound) -> None:
    # Foreign keys are set beside the relationships: threads made in this
    # batch have no ids yet, and threading compares claim_id before the flush.
    # (Reading a relationship whose key is None costs no query.)
    if thread.policy_id is None and thread.policy is None and (who.policies or who.claims):
        policy = who.policies[0] if who.policies else who.claims[0].policy
        thread.policy, thread.policy_id = policy, policy.id

    if who.claims and thread.claim_id is None:
        claim = who.claims[0]
        thread.claim, thread.claim_id = claim, claim.id
        if thread.issue_type is None:
            thread.issue_type = "claim"
        filing.audit(thread, "thread.linked", reason="message names the claim",
                     claim=claim.number)

    if (thread.account_issue_id is not None or thread.account_issue is not None
            or thread.status == "closed"):
        return
    found = filing.analysis(inbound).account_issue
    if found is None:
        return
    kind, rule_language = found
    if thread.claim_id is not None and kind != "complaint":
        return
    issue = AccountIssue(
        customer=who.customer,
        policy=thread.policy,
        kind=kind,
        status="open",
        summary=(thread.subject or inbound.text[:120])[:300],
        details={"claim_id": thread.claim_id} if thread.claim_id is not None else {},
        due_at=opening_deadline(kind, filing.now, filing.cfg.deadlines),
        created_at=filing.now,
    )
    filing.session.add(issue)
    filing.audit(issue, "account_issue.opened",
                 reason=f"classified from a {inbound.channel} message", rule_language=rule_language)
    thread.account_issue = issue
    thread.issue_type = kind
    filing.audit(thread, "thread.linked", reason=f"classified as {kind}", account_issue_id=issue)
