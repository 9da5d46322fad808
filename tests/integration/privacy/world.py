"""Two customers with data on every channel, committed (the CLI runs its own
transactions): Wilhelmina, whose data the privacy tests export and erase, and
Bob, whose data must come through untouched. Each of Wilhelmina's personal
strings is unique (:data:`WILHELMINA`), so a search of every text column of
every table can tell whether any of it is left."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from channels.base import Inbound, InboundAttachment, SenderIdentity
from claims.models import AccountIssue, AccountIssueEvent, ClaimEvent, InfoRequest
from db import Base
from inbox import ingest
from inbox.database import Database
from inbox.intake.core import CONFIG_KEY
from inbox.models import (
    AuditEvent,
    ChannelEvent,
    FailedIntake,
    Message,
    OutboundMessage,
    PortalSession,
    PortalSignIn,
)
from inbox.models.events import dedupe_key
from inbox.notes import add_note
from tests import factories as f

NAME = "Wilhelmina Quarrington"
EMAIL = "wilhelmina.quarrington@example.org"
PHONE = "+447700900555"
ADDRESS = "12 Larkspur Lane, Harrogate HG1 2AB"
EMAIL_BODY = "The larkspur-flood soaked my Aubusson rug"
SMS_BODY = "Zanzibar-kettle texted reply about the loss adjuster"
CALL_TEXT = "Quixotic-marmalade call summary: the ceiling collapsed"
LETTER_TEXT = "Periwinkle-harpsichord letter: please find the receipts enclosed"
PORTAL_TEXT = "Obsidian-lantern portal note about the roofer's invoice"
NOTE_TEXT = "Staff note: Wilhelmina sounded upset, Xylophone-tangerine"
REPLY_TEXT = "Dear Wilhelmina Quarrington, Butterscotch-glacier reply"
CLAIM_TEXT = "Tangerine-cathedral water damage in the cellar"
DECISION_TEXT = "Approved after Marzipan-lighthouse inspection"
# Her personal strings: none may be left anywhere after the erasure.
WILHELMINA = (NAME, EMAIL, PHONE, "Larkspur Lane", EMAIL_BODY, SMS_BODY, CALL_TEXT,
              LETTER_TEXT, PORTAL_TEXT, "Xylophone-tangerine", REPLY_TEXT, CLAIM_TEXT,
              DECISION_TEXT, "Quarrington")
BOB_TEXT = "Bob's Gingerbread-volcano question about his car"
SHARED_FILE = b"%PDF-1.4 the insurer's claim form, sent to everyone\n"
HER_FILE = b"%PDF-1.4 Wilhelmina's own invoice Aubusson\n"
AUDIO = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 64


@dataclass
class World:
    customer: int
    bob: int
    claim_number: str
    claim_id: int
    threads: dict[str, int] = field(default_factory=dict)
    messages: dict[str, int] = field(default_factory=dict)
    shas: dict[str, str] = field(default_factory=dict)


def raw_mail(sender: str, subject: str, body: str, message_id: str) -> bytes:
    return (f"From: {sender}\r\nTo: claims@insurer.test\r\nSubject: {subject}\r\n"
            f"Message-ID: <{message_id}>\r\nX-Mailer: Aubusson-Mail 3.1\r\n\r\n{body}\r\n"
            ).encode()


def build(db: Database, now: datetime, *, claim_status: str = "paid",
          old: timedelta = timedelta(0)) -> World:
    """``old``: how long ago her email and call came in (the retention tests)."""
    start = now - timedelta(days=3)
    with db.transaction() as s:
        her = f.customer(s, name=NAME, email=EMAIL, phone=PHONE, address=ADDRESS)
        policy = f.policy(s, her, product="household")
        claim = f.claim(s, policy, status=claim_status, description=CLAIM_TEXT,
                        amount_approved=Decimal("900"))
        s.add(ClaimEvent(claim_id=claim.id, action="approve", requested="approve",
                         from_status="in_review", to_status="approved", reason=DECISION_TEXT,
                         reason_code="covered", amount=Decimal("900"), created_at=start))
        bob = f.customer(s, name="Bob Roe", email="bob.roe@example.net")
        world = World(her.id, bob.id, claim.number, claim.id)

        mail_at = now - old if old else start
        mail = ingest(s, f.email(
            sender=EMAIL, name=NAME, subject=f"Flooded cellar {claim.number}", text=EMAIL_BODY,
            received_at=mail_at, message_id="aubusson-1@example.org",
            raw=raw_mail(EMAIL, f"Flooded cellar {claim.number}", EMAIL_BODY,
                         "aubusson-1@example.org"),
            attachments=[InboundAttachment("claim-form.pdf", "application/pdf", SHARED_FILE),
                         InboundAttachment("invoice.pdf", "application/pdf", HER_FILE)]),
            mail_at)
        assert mail.thread_id is not None
        assert mail.message_id is not None
        world.threads["mail"], world.messages["mail"] = mail.thread_id, mail.message_id
        sms = ingest(s, f.sms(sender=PHONE, text=SMS_BODY, received_at=start + timedelta(hours=1),
                              sid="SM" + "5" * 32), start + timedelta(hours=1))
        call_at = now - old if old else start + timedelta(hours=2)
        call = ingest(s, f.call(
            caller=PHONE, received_at=call_at, text=CALL_TEXT, sid="CA" + "5" * 32,
            direction="inbound", status="completed", duration=65,
            **{"from": PHONE}, to="+441130000000"), call_at)
        letter = ingest(s, f.letter(received_at=start + timedelta(hours=3), text=LETTER_TEXT,
                                    name=NAME, address=ADDRESS), start + timedelta(hours=3))
        portal = ingest(s, Inbound(
            channel="portal", external_id="portal-wq-1", received_at=start + timedelta(hours=4),
            sender=[SenderIdentity("email", EMAIL)], text=PORTAL_TEXT,
            extras={"customer_id": her.id}), start + timedelta(hours=4))
        for key, result in (("sms", sms), ("call", call), ("letter", letter),
                            ("portal", portal)):
            assert result.message_id is not None, key
            assert result.customer_id == her.id, key
            world.messages[key] = result.message_id
        blobs = s.info[CONFIG_KEY].blobs
        world.shas["audio"] = blobs.put(AUDIO)
        s.add(_recording(call.message_id, world.shas["audio"]))

        thread = s.get(Message, mail.message_id).thread  # type: ignore[union-attr]
        rep = f.user(s, name="Rita Rep")
        world.messages["note"] = add_note(s, thread, NOTE_TEXT, start, author_id=rep.id).id
        reply = Message(thread_id=thread.id, customer_id=her.id, channel="email",
                        direction="outbound", external_id="reply-wq@insurer.test",
                        recipient=EMAIL, subject="Re: Flooded cellar", text=REPLY_TEXT,
                        received_at=start + timedelta(hours=5), author_id=rep.id,
                        created_at=start)
        s.add(reply)
        s.add(OutboundMessage(thread_id=thread.id, channel="email", external_id="later-wq",
                              recipient=EMAIL, subject="Your claim", text=REPLY_TEXT,
                              created_at=start, status="pending"))
        s.add(InfoRequest(claim_id=claim.id, thread_id=thread.id, items=["invoice"],
                          note=f"Ask {NAME} for the invoice", channel="email", language="en",
                          created_at=start, due_at=now, status="answered"))
        issue = AccountIssue(customer_id=her.id, kind="account_change", status="resolved",
                             summary=f"New address {ADDRESS}", details={"address": ADDRESS})
        s.add(issue)
        s.flush()
        s.add(AccountIssueEvent(issue_id=issue.id, action="resolve", from_status="open",
                                to_status="resolved", note=f"Moved: {ADDRESS}",
                                changes={"address": ADDRESS}, created_at=start))
        sign_in = PortalSignIn(public_id="wq-sign-in", customer_id=her.id, channel="email",
                               contact=EMAIL, contact_hash="c" * 64, client_hash="d" * 64,
                               salt="e" * 64, created_at=start, expires_at=start)
        s.add(sign_in)
        s.flush()
        s.add(PortalSession(token_hash="f" * 64, customer_id=her.id, sign_in_id=sign_in.id,
                            created_at=start, expires_at=now, last_seen_at=start))
        s.add(ChannelEvent(channel="twilio", kind="call_status", sid="CA" + "5" * 32,
                           params={"From": PHONE, "CallSid": "CA" + "5" * 32},
                           dedupe_key=dedupe_key("twilio", "call", [("From", PHONE)]),
                           received_at=start))
        s.add(FailedIntake(channel="email", external_id="broken-wq", error="unreadable",
                           inbound={"sender": [{"kind": "email", "value": EMAIL}]},
                           raw_ref=blobs.put(b"From: " + EMAIL.encode() + b"\r\n\r\nbroken"),
                           created_at=start, updated_at=start))
        s.add(AuditEvent(at=start, entity_type="customers", entity_id=her.id,
                         action="customer.note", reason=f"called {NAME}",
                         data={"phone": PHONE, "count": 2}))

        theirs = ingest(s, f.email(
            sender="bob.roe@example.net", subject="Car", text=BOB_TEXT, received_at=start,
            attachments=[InboundAttachment("claim-form.pdf", "application/pdf", SHARED_FILE)]),
            start)
        assert theirs.customer_id == bob.id
        assert theirs.thread_id is not None
        world.threads["bob"], world.messages["bob"] = theirs.thread_id, theirs.message_id or 0
        world.threads["call"] = call.thread_id or 0
        mail_row = s.get(Message, mail.message_id)
        assert mail_row is not None
        assert mail_row.raw_ref
        world.shas["raw"] = mail_row.raw_ref
        world.shas["shared"] = blobs.put(SHARED_FILE)
        world.shas["hers"] = blobs.put(HER_FILE)
    return world


def _recording(message_id: int | None, sha: str) -> object:
    from inbox.models import Attachment

    assert message_id is not None
    return Attachment(message_id=message_id, sha256=sha, filename="recording-CA5.mp3",
                      content_type="audio/mpeg", size=len(AUDIO))


def find_text(db: Database, needles: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text or JSON column of every table
    holding one of ``needles`` (case-insensitive)."""
    found = []
    with db.transaction() as s:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, sa.String | sa.Text | sa.JSON):
                    continue
                text = sa.func.lower(sa.cast(column, sa.Text))
                for needle in needles:
                    # JSON escapes non-ASCII and "+" stays: lower() on both sides.
                    hit = s.scalar(sa.select(sa.func.count()).select_from(table).where(
                        text.contains(needle.lower(), autoescape=True)))
                    if hit:
                        found.append((table.name, column.name, needle))
    return found
