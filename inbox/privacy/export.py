"""A subject-access export: everything held about one customer, as a stream of
plain dicts for JSON Lines (``inbox export customer``).

Each dict has a ``record`` key naming what it is; the first is the
``export`` header, then, in this order: ``customer`` (the customer, then each
customer merged into them), ``identity``, ``policy``, ``claim`` (with its
``events``, the decisions among them, ``info_requests`` and ``escalations``),
``account_issue`` (with ``events``), ``thread``, ``message`` (every message of
their threads on every channel, staff replies and notes included and marked
with ``"by_staff"``/``"note"``; with the mail's headers read from the kept raw
mail, call details, and attachment metadata), ``outbound`` (replies not sent
yet), ``letter_review``, ``portal_sign_in``, ``portal_session``,
``channel_event`` (Twilio's webhook data of their calls and texts),
``failed_intake`` (input naming their addresses or numbers that could not be
filed), ``audit`` (entries about their rows), and last a ``summary`` with
the count of each.

Messages and audit entries are read ``CHUNK`` at a time in id order, so
memory stays flat for a customer with many thousands of messages. Blob files
(raw mail, attachments, recordings, scans) are named by their sha256; a
``copy`` callback given by the caller copies them out and the record says
where (``"file"``), or that the file is no longer kept (``"file": null``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from email.parser import BytesHeaderParser
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from claims.models import (
    AccountIssue,
    AccountIssueEvent,
    Claim,
    ClaimEvent,
    Customer,
    CustomerIdentity,
    InfoRequest,
    Policy,
)
from inbox.export import iso_utc
from inbox.intake.core import CONFIG_KEY
from inbox.models import (
    AuditEvent,
    ChannelEvent,
    Escalation,
    LetterReview,
    Message,
    OutboundMessage,
    PortalSession,
    PortalSignIn,
    Thread,
    User,
)
from inbox.privacy.scope import (
    CHUNK,
    Scope,
    call_and_sms_sids,
    channel_events_where,
    failed_intakes_naming,
    identity_values,
    scope_of,
)
from inbox.workspace.calls import call_details

FORMAT = 1
HEADER_BYTES = 64 * 1024  # the head of a raw mail read for its headers
DECISIONS = ("approve", "deny")  # claim steps that decide it (claims.workflow)
# Copies a blob out; returns where it went (relative), or None when it is gone.
Copy = Callable[[str], str | None]


def customer_export(session: Session, customer_id: int, now: datetime, *,
                    copy: Copy | None = None) -> Iterator[dict[str, Any]]:
    """Every record about customer ``customer_id`` (see the module docstring)."""
    scope = scope_of(session, customer_id)
    counts: Counter[str] = Counter()
    files = _Files(session, copy)
    for item in _records(session, scope, now, files):
        counts[item["record"]] += 1
        yield item
    yield {"record": "summary", "counts": dict(counts), "files": files.copied,
           "files_missing": files.missing}


def _records(session: Session, scope: Scope, now: datetime,
             files: _Files) -> Iterator[dict[str, Any]]:
    yield {"record": "export", "format": FORMAT, "customer_id": scope.customer_id,
           "merged_customer_ids": list(scope.customer_ids[1:]),
           "generated_at": iso_utc(now), "files_copied": files.enabled}
    for customer in session.scalars(sa.select(Customer).where(
            Customer.id.in_(scope.customer_ids)).order_by(Customer.id)):
        yield {"record": "customer", **_columns(customer)}
    for identity in session.scalars(sa.select(CustomerIdentity).where(
            CustomerIdentity.customer_id.in_(scope.customer_ids)).order_by(CustomerIdentity.id)):
        yield {"record": "identity", **_columns(identity)}
    for policy in session.scalars(sa.select(Policy).where(
            Policy.id.in_(scope.policies())).order_by(Policy.id)):
        yield {"record": "policy", **_columns(policy)}
    yield from _claims(session, scope)
    for issue in session.scalars(sa.select(AccountIssue).where(
            AccountIssue.id.in_(scope.account_issues())).order_by(AccountIssue.id)):
        events = session.scalars(sa.select(AccountIssueEvent).where(
            AccountIssueEvent.issue_id == issue.id).order_by(AccountIssueEvent.id))
        yield {"record": "account_issue", **_columns(issue),
               "events": [_columns(e) for e in events]}
    for thread in session.scalars(sa.select(Thread).where(
            Thread.id.in_(scope.threads())).order_by(Thread.id)):
        yield {"record": "thread", **_columns(thread, skip=_THREAD_INTERNALS)}
    yield from _messages(session, scope, files)
    for row in session.scalars(sa.select(OutboundMessage).where(
            scope.outbound_where(), OutboundMessage.message_id.is_(None))
            .order_by(OutboundMessage.id)):
        yield {"record": "outbound", **_columns(row)}
    for review in session.scalars(sa.select(LetterReview).where(
            scope.letter_reviews_where()).order_by(LetterReview.id)):
        yield {"record": "letter_review", **_columns(review)}
    for sign_in in session.scalars(sa.select(PortalSignIn).where(
            PortalSignIn.customer_id.in_(scope.customer_ids)).order_by(PortalSignIn.id)):
        yield {"record": "portal_sign_in", **_columns(
            sign_in, skip=("contact_hash", "client_hash", "salt", "token_hash"))}
    for portal_session in session.scalars(sa.select(PortalSession).where(
            PortalSession.customer_id.in_(scope.customer_ids)).order_by(PortalSession.id)):
        yield {"record": "portal_session", **_columns(portal_session, skip=("token_hash",))}
    sids = call_and_sms_sids(session, scope)
    if sids:
        for event in session.scalars(sa.select(ChannelEvent).where(
                channel_events_where(sids)).order_by(ChannelEvent.id)):
            yield {"record": "channel_event", **_columns(event, skip=("dedupe_key",))}
    for failed in failed_intakes_naming(session, identity_values(session, scope)):
        yield {"record": "failed_intake", **_columns(failed),
               "raw_file": files.out(failed.raw_ref)}
    yield from _audit(session, scope)


_THREAD_INTERNALS = ("subject_key", "sla_pauses", "sla_next_at", "sla_remind_at")


def _claims(session: Session, scope: Scope) -> Iterator[dict[str, Any]]:
    for claim in session.scalars(sa.select(Claim).where(Claim.id.in_(scope.claims()))
                                 .order_by(Claim.id).options(selectinload(Claim.policy))):
        events = [_columns(e) for e in session.scalars(sa.select(ClaimEvent).where(
            ClaimEvent.claim_id == claim.id).order_by(ClaimEvent.id))]
        requests = session.scalars(sa.select(InfoRequest).where(
            InfoRequest.claim_id == claim.id).order_by(InfoRequest.id))
        escalations = session.scalars(sa.select(Escalation).where(
            Escalation.claim_id == claim.id).order_by(Escalation.id))
        yield {"record": "claim", **_columns(claim), "policy": claim.policy.number,
               "events": events,
               "decisions": [e for e in events if e["action"] in DECISIONS],
               "info_requests": [_columns(r) for r in requests],
               "escalations": [_columns(e) for e in escalations]}


def _messages(session: Session, scope: Scope, files: _Files) -> Iterator[dict[str, Any]]:
    staff: dict[int, str] = dict(session.execute(sa.select(User.id, User.name)).all())
    query = (sa.select(Message).where(scope.messages_where()).order_by(Message.id)
             .limit(CHUNK).options(selectinload(Message.attachments)))
    last = 0
    while True:
        chunk = session.scalars(query.where(Message.id > last)).all()
        for message in chunk:
            yield _message(message, staff, files)
        if len(chunk) < CHUNK:
            return
        last = chunk[-1].id


def _message(message: Message, staff: dict[int, str], files: _Files) -> dict[str, Any]:
    row = {"record": "message", **_columns(message, skip=("raw_ref",))}
    row["note"] = message.direction == "note"
    row["by_staff"] = message.direction != "inbound"
    row["author"] = staff.get(message.author_id) if message.author_id else None
    row["raw_file"] = files.out(message.raw_ref)
    row["headers"] = files.headers(message.raw_ref) if message.channel == "email" else None
    details = call_details(message)
    row["call"] = _plain(vars(details)) if details is not None else None
    row["attachments"] = [{**_columns(a, skip=("message_id",)),
                           "file": None if a.removed_at else files.out(a.sha256)}
                          for a in message.attachments]
    return row


def _audit(session: Session, scope: Scope) -> Iterator[dict[str, Any]]:
    query = (sa.select(AuditEvent).where(scope.audit_where())
             .order_by(AuditEvent.id).limit(CHUNK))
    last = 0
    while True:
        chunk = session.scalars(query.where(AuditEvent.id > last)).all()
        for event in chunk:
            yield {"record": "audit", **_columns(event)}
        if len(chunk) < CHUNK:
            return
        last = chunk[-1].id


class _Files:
    """Copies blobs out once each and reads mail headers from kept raw mail."""

    def __init__(self, session: Session, copy: Copy | None) -> None:
        self.blobs = session.info[CONFIG_KEY].blobs
        self.copy = copy
        self.enabled = copy is not None
        self.copied = 0
        self.missing = 0
        self._done: dict[str, str | None] = {}

    def out(self, sha: str | None) -> str | None:
        if not sha or self.copy is None:
            return None
        if sha not in self._done:
            where = self.copy(sha) if self.blobs.exists(sha) else None
            self._done[sha] = where
            if where is None:
                self.missing += 1
            else:
                self.copied += 1
        return self._done[sha]

    def headers(self, sha: str | None) -> list[list[str]] | None:
        """The raw mail's top-level headers as [name, value] pairs (None: no raw
        mail kept). Only the head of the file is read."""
        if not sha or not self.blobs.exists(sha):
            return None
        with self.blobs.path(sha).open("rb") as fh:
            head = fh.read(HEADER_BYTES)
        end = head.find(b"\r\n\r\n")
        end = head.find(b"\n\n") if end < 0 else end
        parsed = BytesHeaderParser().parsebytes(
            head[:end] if end >= 0 else head)
        return [[name, str(value)] for name, value in parsed.items()]


def _columns(row: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A mapped row's columns as JSON-ready values, the id first."""
    keys = [c.key for c in sa.inspect(type(row)).column_attrs if c.key not in skip]
    keys.sort(key=lambda k: k != "id")
    return {k: _plain(getattr(row, k)) for k in keys}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
