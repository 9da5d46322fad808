"""``inbox customers erase``: no trace of the customer's personal data in any
text column of any table, other customers and shared files untouched, the
records kept by law kept, audited without personal data, idempotent, and
refused while a claim is open."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from claims.models import Claim, ClaimEvent, Customer, CustomerIdentity
from inbox.database import Database
from inbox.intake.core import CONFIG_KEY
from inbox.models import AuditEvent, Message, Thread
from tests.conftest import Invoke
from tests.integration.privacy import world as w

pytestmark = pytest.mark.integration
REASON = "DSR-2026-0117"


def _erased_events(db: Database, customer_id: int) -> list[AuditEvent]:
    with db.transaction() as s:
        return list(s.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "customer.erased", AuditEvent.entity_id == customer_id)))


def test_erase_leaves_no_trace_and_keeps_the_rest(
        committed_db: Database, invoke: Invoke) -> None:
    world = w.build(committed_db, datetime.now(UTC))
    blobs = committed_db.info[CONFIG_KEY].blobs
    assert w.find_text(committed_db, w.WILHELMINA)  # the search finds what is there

    dry = invoke("customers", "erase", w.PHONE, "--reason", REASON, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would erase" in dry.output
    assert "dry run: nothing was changed" in dry.output
    assert {(t, n) for t, _, n in w.find_text(committed_db, (w.NAME,))} >= {
        ("customers", w.NAME)}
    assert blobs.exists(world.shas["hers"])

    done = invoke("customers", "erase", str(world.customer), "--reason", REASON)
    assert done.exit_code == 0, done.output
    assert f"customer {world.customer}: erased" in done.output
    assert w.find_text(committed_db, w.WILHELMINA) == []

    # Her files are gone; the form Bob sent too is kept, and so is his data.
    for key in ("hers", "raw", "audio"):
        assert not blobs.exists(world.shas[key]), key
    assert blobs.exists(world.shas["shared"])
    assert w.find_text(committed_db, ("Bob Roe", "bob.roe@example.net", w.BOB_TEXT))
    with committed_db.transaction() as s:
        customer = s.get(Customer, world.customer)
        assert customer is not None
        assert (customer.name, customer.address) == ("[erased]", "")
        assert customer.erased_at is not None
        assert customer.ref
        assert s.scalar(sa.select(sa.func.count()).select_from(CustomerIdentity).where(
            CustomerIdentity.customer_id == world.customer)) == 0
        # The claim as the law wants it kept: number, amounts, the decision.
        claim = s.get(Claim, world.claim_id)
        assert claim is not None
        assert (claim.number, claim.status, claim.amount_approved, claim.description) == (
            world.claim_number, "paid", Decimal("900.00"), "")
        step = s.scalars(sa.select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)).one()
        assert (step.action, step.reason_code, step.amount, step.reason) == (
            "approve", "covered", Decimal("900.00"), "")
        # Messages stay as rows (times, channels: the SLA history), emptied.
        mail = s.get(Message, world.messages["mail"])
        assert mail is not None
        assert mail.text == ""
        assert mail.raw_ref is None
        assert mail.external_id == f"erased:{mail.id}"
        assert mail.channel == "email"
        bob = s.get(Message, world.messages["bob"])
        assert bob is not None
        assert bob.text == w.BOB_TEXT
        assert s.get(Thread, world.threads["bob"]).subject == "Car"  # type: ignore[union-attr]

    events = _erased_events(committed_db, world.customer)
    assert len(events) == 1
    event = events[0]
    assert event.reason == REASON
    assert event.data["actor"].startswith("os:")
    assert event.data["messages"] >= 7
    assert event.data["identities"] == 3
    assert event.data["blobs"] == 4  # raw mail, her invoice, the recording, failed input
    assert event.data["portal_sign_ins"] == 1
    assert event.data["channel_events"] == 1
    assert not any(n.lower() in (event.reason + json.dumps(event.data)).lower()
                   for n in w.WILHELMINA)

    again = invoke("customers", "erase", world.claim_number, "--reason", REASON)
    assert again.exit_code == 0, again.output
    assert "nothing left to erase (erased before)" in again.output
    assert len(_erased_events(committed_db, world.customer)) == 1
    assert blobs.exists(world.shas["shared"])


def test_an_open_claim_refuses_unless_forced(committed_db: Database, invoke: Invoke) -> None:
    world = w.build(committed_db, datetime.now(UTC), claim_status="in_review")
    refused = invoke("customers", "erase", w.EMAIL, "--reason", REASON)
    assert refused.exit_code == 1
    assert f"has open matters (claim {world.claim_number})" in refused.output
    assert "--force" in refused.output
    assert w.find_text(committed_db, (w.NAME,))
    assert _erased_events(committed_db, world.customer) == []

    named = invoke("customers", "erase", w.EMAIL, "--reason", f"asked by {w.NAME}", "--force")
    assert named.exit_code == 1
    assert "the reason names the person" in named.output

    forced = invoke("customers", "erase", w.EMAIL, "--reason", REASON, "--force")
    assert forced.exit_code == 0, forced.output
    assert f"open matters erased with --force: claim {world.claim_number}" in forced.output
    assert w.find_text(committed_db, w.WILHELMINA) == []
    (event,) = _erased_events(committed_db, world.customer)
    assert event.data["forced_past"] == 1
    with committed_db.transaction() as s:
        claim = s.get(Claim, world.claim_id)
        assert claim is not None
        assert claim.status == "in_review"


def test_a_merged_customer_is_erased_with_everyone_merged_into_them(
        committed_db: Database, invoke: Invoke) -> None:
    from inbox.customers import merge_customers

    world = w.build(committed_db, datetime.now(UTC))
    with committed_db.transaction() as s:
        old = Customer(name="W. Quarrington", address="", verified=True)
        s.add(old)
        s.flush()
        s.add(CustomerIdentity(customer_id=old.id, kind="email", value="wq.old@example.org"))
        s.flush()
        merge_customers(s, old.id, world.customer, datetime.now(UTC), reason="same person")
        old_id = old.id
    done = invoke("customers", "erase", str(old_id), "--reason", REASON)  # the tombstone
    assert done.exit_code == 0, done.output
    assert f"customer {world.customer}: erased" in done.output
    assert w.find_text(committed_db, (*w.WILHELMINA, "wq.old@example.org")) == []
