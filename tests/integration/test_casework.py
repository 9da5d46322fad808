"""Casework on real rows (both engines): asking for missing information on
the customer's channel and noticing their answer, following up, escalating to
a supervisor chosen by team and load, the supervisor's decision, account
issues, and importing users with authority limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.account_issues import IllegalStep
from claims.info_requests import BadInfoRequest
from claims.models import AccountIssue, AccountIssueEvent, ClaimEvent, InfoRequest
from claims.workflow import IllegalTransition
from config import Settings
from config.email import Mailbox
from inbox import ingest
from inbox.casework.account_issues import issue_step
from inbox.casework.actors import actor_of
from inbox.casework.decisions import claim_action, decide_escalation
from inbox.casework.escalations import NoSupervisor, choose_supervisor, escalation_queue
from inbox.casework.info_requests import follow_up_overdue, request_information
from inbox.models import (
    AuditEvent,
    Escalation,
    Message,
    Notification,
    OutboundMessage,
    Thread,
    User,
)
from inbox.outbound import ReplyError
from tests import factories
from tests.conftest import NOW, Invoke

pytestmark = pytest.mark.integration


@pytest.fixture
def mail_settings(settings: Settings) -> Settings:
    box = Mailbox(name="claims", address="claims@insurer.test", imap_host="127.0.0.1",
                  imap_port=1, imap_security="none", username="unused",
                  password_env="UNUSED", smtp_host="127.0.0.1", smtp_port=1,
                  smtp_security="none", smtp_username="", smtp_password_env="", ca_file="",
                  env={})
    return replace(settings, mailboxes=(box,))


def claim_in_thread(session: Session, *, language: str = "en", preferred: str | None = None,
                    address: str | None = "Long Lane 3, London", amount: str = "1200",
                    phone: str | None = None, text: str = "The storm took the roof."):  # type: ignore[no-untyped-def]
    owner = factories.customer(session, name="Jane Doe", email="jane@example.com",
                               language=language, address=address, phone=phone)
    owner.preferred_channel = preferred
    policy = factories.policy(session, owner)
    claim = factories.claim(session, policy, amount_claimed=Decimal(amount), cause="storm",
                            loss_date=date(2026, 2, 1))
    result = ingest(session, factories.email(sender="jane@example.com",
                                             subject=f"Roof damage {claim.number}",
                                             text=text,
                                             received_at=NOW), NOW)
    thread = session.get(Thread, result.thread_id)
    assert thread is not None
    assert thread.claim_id == claim.id
    return owner, claim, thread


def test_the_request_goes_by_the_channel_the_customer_wrote_on(
        session: Session, mail_settings: Settings) -> None:
    rep = actor_of(factories.user(session, name="Anna Berg"), mail_settings)
    _, claim, thread = claim_in_thread(
        session, language="de", text="Der Sturm hat das Dach unseres Hauses abgedeckt.")
    row, sent = request_information(session, mail_settings, claim, rep, NOW,
                                    items=["invoice", "photos"], note="Datum der Reparatur")
    assert (sent.channel, sent.language) == ("email", "de")
    assert claim.status == "info_requested"
    assert thread.status == "pending"
    outbound = session.get(OutboundMessage, row.outbound_id)
    assert outbound is not None
    assert outbound.recipient == "jane@example.com"
    assert outbound.in_reply_to is not None  # answers the customer's email
    assert "die Rechnung oder den Beleg" in outbound.text
    assert "Fotos des Schadens" in outbound.text
    assert "Datum der Reparatur" in outbound.text
    assert "16. März 2026" in outbound.text  # follow-up in 14 days, the customer's language
    assert row.due_at == NOW + timedelta(days=14)
    event = session.scalars(sa.select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)).one()
    assert (event.action, event.actor_id) == ("request_info", rep.id)
    assert "invoice, photos" in event.reason


def test_the_preferred_channel_wins_and_letters_need_an_address(
        session: Session, mail_settings: Settings) -> None:
    rep = actor_of(factories.user(session), mail_settings)
    _, claim, _ = claim_in_thread(session, preferred="letter", language="el",
                                  text="Η καταιγίδα κατέστρεψε τη στέγη του σπιτιού μας.")
    _, sent = request_information(session, mail_settings, claim, rep, NOW, items=["invoice"])
    assert (sent.channel, sent.language) == ("letter", "el")
    assert sent.outbound.extras["address_lines"] == ["Long Lane 3", "London"]
    assert "τιμολόγιο" in sent.outbound.text


def test_nothing_changes_when_the_customer_cannot_be_reached(
        session: Session, settings: Settings) -> None:
    rep = actor_of(factories.user(session), settings)
    _, claim, thread = claim_in_thread(session, address=None)
    with pytest.raises(ReplyError) as caught:
        request_information(session, settings, claim, rep, NOW, items=["invoice"])
    message = str(caught.value)
    assert "email: no mailbox is configured" in message
    assert "letter: this customer has no postal address" in message
    assert "sms: twilio is not configured" in message
    assert claim.status == "received"
    assert thread.status == "open"
    assert session.scalar(sa.select(sa.func.count()).select_from(InfoRequest)
                          .where(InfoRequest.claim_id == claim.id)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(OutboundMessage)
                          .where(OutboundMessage.thread_id == thread.id)) == 0
    with pytest.raises(BadInfoRequest):
        request_information(session, settings, claim, rep, NOW)


def test_an_answer_on_any_channel_sends_the_claim_back_to_review(
        session: Session, mail_settings: Settings) -> None:
    rep = actor_of(factories.user(session), mail_settings)
    _, claim, thread = claim_in_thread(session, phone="+447700900123")
    row, _ = request_information(session, mail_settings, claim, rep, NOW, items=["invoice"])
    thread.needs_reply, thread.due_at = False, None  # as once the request was sent
    # An automatic reply is no answer.
    auto = factories.email(sender="jane@example.com", subject=f"Out of office {claim.number}",
                           received_at=NOW + timedelta(hours=1))
    auto.extras["auto"] = True
    ingest(session, auto, NOW + timedelta(hours=1))
    assert claim.status == "info_requested"
    later = NOW + timedelta(days=2)
    answer = ingest(session, factories.sms(sender="+447700900123", received_at=later,
                                           text="Invoice is in the post"), later)
    assert answer.thread_id == thread.id
    assert claim.status == "in_review"
    session.refresh(row)
    assert (row.status, row.answer_message_id) == ("answered", answer.message_id)
    assert thread.status == "open"
    assert thread.needs_reply
    event = session.scalars(sa.select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)
                            .order_by(ClaimEvent.id.desc())).first()
    assert event is not None
    assert (event.action, event.actor_id) == ("info_received", None)
    assert "answered by sms" in event.reason


def test_unanswered_requests_come_back_once(session: Session, mail_settings: Settings) -> None:
    rep = actor_of(factories.user(session), mail_settings)
    _, claim, thread = claim_in_thread(session)
    row, _ = request_information(session, mail_settings, claim, rep, NOW, items=["photos"])
    thread.needs_reply, thread.due_at = False, None
    assert follow_up_overdue(session, NOW + timedelta(days=13)) == 0
    due = NOW + timedelta(days=14, minutes=1)
    assert follow_up_overdue(session, due) == 1
    assert (thread.status, thread.needs_reply, thread.due_at) == ("open", True, due)
    assert row.chased_at == due
    assert follow_up_overdue(session, due + timedelta(days=1)) == 0
    assert claim.status == "info_requested"  # still waiting; the rep decides what next


def test_the_supervisor_is_chosen_by_team_and_load(session: Session) -> None:
    busy = factories.user(session, role="supervisor", team="motor")
    free = factories.user(session, role="supervisor", team="motor")
    other = factories.user(session, role="supervisor", team="home")
    factories.user(session, role="supervisor", team="motor", active=False)
    session.add(Escalation(supervisor_id=busy.id, status="open", created_at=NOW, reason="x"))
    session.flush()
    assert choose_supervisor(session, "motor") == free
    assert choose_supervisor(session, "home") == other
    assert choose_supervisor(session, "travel") in (free, other)  # no such team: anyone
    assert choose_supervisor(session, "home", exclude=other.id) in (busy, free)


def test_without_supervisors_admins_take_escalations(session: Session) -> None:
    session.execute(sa.update(User).values(active=False))
    with pytest.raises(NoSupervisor):
        choose_supervisor(session, "motor")
    admin = factories.user(session, role="admin")
    assert choose_supervisor(session, "motor") == admin


def test_above_the_authority_limit_a_supervisor_decides_and_everyone_is_told(
        session: Session, mail_settings: Settings) -> None:
    session.execute(sa.update(User).values(active=False))
    rep_user = factories.user(session, name="Anna Berg", team="home",
                              authority_limit=Decimal("5000"))
    boss_user = factories.user(session, role="supervisor", name="Max Weber", team="home")
    rep, boss = actor_of(rep_user, mail_settings), actor_of(boss_user, mail_settings)
    _, claim, thread = claim_in_thread(session, amount="7600")
    claim_action(session, mail_settings, claim, "start_review", rep, NOW)
    asked = claim_action(session, mail_settings, claim, "approve", rep, NOW,
                         amount=Decimal("7500"), reason="roof replaced, invoice checked")
    assert asked.event.action == "escalate"
    assert claim.status == "escalated"
    assert asked.notices == []  # nothing to tell the customer yet
    escalation = asked.escalation
    assert escalation is not None
    assert (escalation.supervisor_id, escalation.source) == (boss_user.id, "authority")
    assert escalation_queue(session, boss_user.id) == [escalation]
    assert session.scalars(sa.select(Notification.kind).where(
        Notification.user_id == boss_user.id)).all() == ["escalation"]

    with pytest.raises(IllegalTransition, match="supervisor"):
        decide_escalation(session, mail_settings, escalation, "approve", rep, NOW,
                          note="fine", amount=Decimal("7500"))
    with pytest.raises(IllegalTransition, match="needs a note"):
        decide_escalation(session, mail_settings, escalation, "approve", boss, NOW, note=" ",
                          amount=Decimal("7500"))
    later = NOW + timedelta(hours=3)
    decided = decide_escalation(session, mail_settings, escalation, "approve", boss, later,
                                note="assessor report supports full replacement",
                                amount=Decimal("7500"))
    assert claim.status == "approved"
    assert claim.amount_approved == Decimal("7500")
    assert (escalation.status, escalation.decision, escalation.decided_by) == (
        "decided", "approve", boss_user.id)
    assert escalation_queue(session, boss_user.id) == []
    told = session.scalars(sa.select(Notification).where(
        Notification.user_id == rep_user.id)).one()
    assert told.kind == "escalation_decided"
    assert "Max Weber approved 7500" in told.text
    note = session.scalars(sa.select(Message).where(Message.thread_id == thread.id,
                                                    Message.direction == "note")).one()
    assert "assessor report" in note.text
    assert note.extras["mentions"] == [rep_user.id]
    (notice,) = decided.notices
    assert notice.channel == "email"
    assert "We have approved your claim" in notice.text
    assert "£7,500.00" in notice.text
    with pytest.raises(IllegalTransition, match="decided already"):
        decide_escalation(session, mail_settings, escalation, "deny", boss, later, note="x",
                          reason_code="x")


def test_a_denial_tells_the_customer_the_reason_in_their_language(
        session: Session, mail_settings: Settings) -> None:
    rep = actor_of(factories.user(session), mail_settings)
    _, claim, _ = claim_in_thread(session, language="sv",
                                  text="Stormen förstörde taket på vårt hus i går kväll.")
    claim_action(session, mail_settings, claim, "start_review", rep, NOW)
    with pytest.raises(IllegalTransition, match="cite the policy provision"):
        claim_action(session, mail_settings, claim, "deny", rep, NOW, reason="no")
    denied = claim_action(session, mail_settings, claim, "deny", rep, NOW,
                          reason_code="exclusion:wear_and_tear", reason="old roof")
    (notice,) = denied.notices
    assert notice.language == "sv"
    assert "försäkringen undantar skador orsakade av wear and tear" in notice.text
    assert denied.event.coverage is not None


def test_account_issue_steps_are_recorded(session: Session, settings: Settings) -> None:
    rep_user = factories.user(session, name="Anna Berg")
    rep = actor_of(rep_user, settings)
    owner = factories.customer(session, address="Old Street 1, London")
    issue = AccountIssue(customer=owner, kind="account_change", status="open",
                         summary="new address", created_at=NOW)
    session.add(issue)
    session.flush()
    issue_step(session, settings, issue, "record_change", rep, NOW, field="address",
               old="Old Street 1, London", new="New Road 2, Leeds")
    with pytest.raises(IllegalStep, match="verify the customer's identity"):
        issue_step(session, settings, issue, "apply_change", rep, NOW)
    assert owner.address == "Old Street 1, London"
    issue_step(session, settings, issue, "verify_identity", rep, NOW, method="security_questions",
               note="DOB and policy number matched")
    issue_step(session, settings, issue, "apply_change", rep, NOW)
    assert owner.address == "New Road 2, Leeds"
    issue_step(session, settings, issue, "resolve", rep, NOW)
    assert (issue.status, issue.resolved_at) == ("resolved", NOW)
    events = session.scalars(sa.select(AccountIssueEvent).where(
        AccountIssueEvent.issue_id == issue.id).order_by(AccountIssueEvent.id)).all()
    assert [(e.action, e.from_status, e.to_status, e.actor_id) for e in events] == [
        ("record_change", "open", "in_progress", rep_user.id),
        ("verify_identity", "in_progress", "in_progress", rep_user.id),
        ("apply_change", "in_progress", "in_progress", rep_user.id),
        ("resolve", "in_progress", "resolved", rep_user.id),
    ]
    assert events[1].changes["verification"]["by"] == "Anna Berg"
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action.like("account_issue.%"))) >= 4


def test_a_complaint_filed_by_ingest_carries_its_acknowledgement_deadline(
        session: Session) -> None:
    factories.customer(session, email="angry@example.com")
    result = ingest(session, factories.email(
        sender="angry@example.com", subject="Formal complaint about my claim handling",
        text="I want to make a formal complaint: nobody has answered me for weeks.",
        received_at=NOW), NOW)
    thread = session.get(Thread, result.thread_id)
    assert thread is not None
    assert thread.account_issue is not None
    assert thread.account_issue.kind == "complaint"
    assert thread.account_issue.due_at == NOW + timedelta(days=5)


def test_import_users_with_authority_limits(invoke: Invoke, tmp_path: Path,
                                            committed_db) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "users.csv"
    csv.write_text(
        "email,name,role,team,authority_limit\n"
        "Anna.Berg@Insurer.test,Anna Berg,rep,home,2500\n"
        "max@insurer.test,Max Weber,supervisor,home,\n"
        "bad,Nobody,rep,home,1\n"
        "eve@insurer.test,Eve,overlord,home,1\n"
        "joe@insurer.test,Joe,rep,home,-5\n", encoding="utf-8")
    result = invoke("import", "users", str(csv))
    assert result.exit_code == 1, result.output
    assert "2 created" in result.output
    assert "3 bad" in result.output
    assert "users.csv:4: email: 'bad' is not an email address" in result.output
    assert "users.csv:5: role" in result.output
    assert "users.csv:6: authority_limit" in result.output
    again = invoke("import", "users", str(csv))
    assert "2 unchanged" in again.output
    with committed_db.transaction() as s:
        anna = s.scalars(sa.select(User).where(User.email == "anna.berg@insurer.test")).one()
        assert (anna.role, anna.team, anna.authority_limit) == ("rep", "home",
                                                                 Decimal("2500.00"))
        assert anna.password_hash == ""
    listed = invoke("user", "list")
    assert "anna.berg@insurer.test" in listed.output
    assert "2500.00" in listed.output
