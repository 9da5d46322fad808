"""A claim from the first email to payment, as people run it, on PostgreSQL
with the real services: the customer's email comes in over IMAP (Dovecot),
the rep asks for the invoice (sent over SMTP by a real RQ worker), the
customer answers by letter (scanned, read by tesseract), the rep's approval is
above their authority limit and escalates, the supervisor decides, the
customer is told, the claim is paid and closed, and ``inbox claims show``
tells the whole story in order."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from claims.models import Claim, InfoRequest
from inbox.database import Database
from inbox.models import Escalation, Message, Notification, OutboundMessage, Thread
from tests import factories
from tests.conftest import Invoke
from tests.letters import scans
from tests.letters.scans import LETTERS_BY_KEY
from tests.servers.dovecot import (  # noqa: F401 - fixtures
    PASSWORD_ENV,
    DovecotServer,
    MailUser,
    dovecot,
    mail_user,
    test_ca,
)
from tests.servers.smtp import SmtpServer, smtp_server, smtp_server_factory  # noqa: F401

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
CLAIM, POLICY = "CLM-2026-004518", "POL-381204"


def first_email(to: str) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = "Margaret Ellison <margaret@example.co.uk>"
    msg["To"] = to
    msg["Subject"] = f"Storm damage to our roof, claim {CLAIM}"
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = f"<storm-{time.monotonic_ns()}@example.co.uk>"
    msg.set_content("Dear claims team,\n\nthe storm on 3 March tore tiles from our roof and "
                    "rain has damaged the bedroom ceiling. The roofer will replace the whole "
                    "roof.\n\nMargaret Ellison")
    return msg.as_bytes()


def answer_letter(tmp_path: Path) -> Path:
    spec = replace(
        LETTERS_BY_KEY["en-claim"],
        subject=f"Subject: Invoice for claim {CLAIM}",
        body=["Dear Sir or Madam,",
              "As you asked, I enclose the roofer's invoice for replacing the roof of our "
              f"house after the storm of 3 March. My claim number is {CLAIM} and my "
              f"policy number is {POLICY}.",
              "Please let me know if you need anything else."],
    )
    path = tmp_path / "scan-answer.png"
    scans.save_png(scans.render_pages(spec, seed=7)[0], path)
    return path


def worker_burst(env: dict[str, str]) -> None:
    """A real ``inbox worker --burst`` drains the outbound queue."""
    done = subprocess.run(
        [sys.executable, "-c", "from inbox.cli import main; main()", "worker", "--burst",
         "--queues", "outbound"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("INBOX_")}, **env},
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr


def ok(result):  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return result.output


def test_first_email_to_payment(
    database_url: str, invoke: Invoke, committed_db: Database, dovecot: DovecotServer,  # noqa: F811
    mail_user: MailUser, smtp_server: SmtpServer, redis_url: str, tmp_path: Path,  # noqa: F811
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the end-to-end claim runs on PostgreSQL (the SQLite run covers the parts)")
    address = f"{mail_user.name}@inbox.test"
    config = tmp_path / "inbox.toml"
    config.write_text(
        "[[email]]\n"
        f'name = "claims"\naddress = "{address}"\n'
        f'imap_host = "{dovecot.host}"\nimap_port = {dovecot.imap_port}\n'
        f'imap_security = "starttls"\nusername = "{mail_user.name}"\n'
        f'password_env = "{PASSWORD_ENV}"\nca_file = "{dovecot.ca_file}"\n'
        f'smtp_host = "{smtp_server.host}"\nsmtp_port = {smtp_server.port}\n'
        'smtp_security = "none"\n\n'
        "[letters]\nsettle_seconds = 0\n\n"
        '[claims]\nteam = "Home claims"\n', encoding="utf-8")
    env = {"INBOX_CONFIG": str(config), PASSWORD_ENV: mail_user.password,
           "INBOX_REDIS_URL": redis_url, "INBOX_DATABASE_URL": database_url,
           "INBOX_INSTANCE_DIR": str(tmp_path / "instance"),
           "INBOX_BLOB_DIR": str(tmp_path / "blobs"), "INBOX_LOG_LEVEL": "WARNING"}

    def run(*args: str) -> str:
        return ok(invoke(*args, extra_env=env))

    # The book and the team: a rep who approves up to 5,000, her supervisor.
    with committed_db.transaction() as s:
        owner = factories.customer(s, name="Margaret Ellison", email="margaret@example.co.uk",
                                   address="14 Alder Grove, Leeds LS6 2QT, United Kingdom")
        policy = factories.policy(s, owner, POLICY, start_date=date(2026, 1, 1),
                                  end_date=date(2026, 12, 31), deductible=100,
                                  coverage_limit=50000, exclusions=["flood"])
        factories.claim(s, policy, CLAIM, amount_claimed=7600, cause="storm",
                        loss_date=date(2026, 3, 3))
    users = tmp_path / "users.csv"
    users.write_text("email,name,role,team,authority_limit\n"
                     "anna@insurer.test,Anna Berg,rep,home,5000\n"
                     "max@insurer.test,Max Weber,supervisor,home,\n", encoding="utf-8")
    assert "2 created" in run("import", "users", str(users))

    # 1. The first email arrives over IMAP and is filed in the claim's thread.
    dovecot.deliver(mail_user.name, first_email(address))
    assert "1 filed" in run("sync", "email", "--once", "--parse-workers", "0")
    with committed_db.transaction() as s:
        claim = s.scalars(sa.select(Claim).where(Claim.number == CLAIM)).one()
        thread = s.scalars(sa.select(Thread).where(Thread.claim_id == claim.id)).one()
        thread_id = thread.id

    # 2. The rep reviews it and asks for the invoice; a worker sends it by email.
    run("claims", "act", CLAIM, "start_review", "--as", "anna@insurer.test")
    out = run("claims", "request-info", CLAIM, "--as", "anna@insurer.test", "--item", "invoice",
              "--note", "the roofer's invoice with the VAT number")
    assert "asked by email (en)" in out
    worker_burst(env)
    (request,) = smtp_server.messages
    body = request.parsed().get_body(("plain",)).get_content()
    assert "the invoice or receipt for the claimed cost" in body
    assert request.parsed()["To"] == "margaret@example.co.uk"
    with committed_db.transaction() as s:
        assert s.scalars(sa.select(Claim.status).where(Claim.number == CLAIM)).one() == \
            "info_requested"

    # 3. She answers by letter: scanned, read, filed in the same thread.
    out = run("letters", "ingest", "--workers", "1", str(answer_letter(tmp_path)))
    with committed_db.transaction() as s:
        letter = s.scalars(sa.select(Message).where(Message.channel == "letter",
                                                    Message.thread_id == thread_id)).one()
        assert letter.customer_id == owner.id
        claim = s.scalars(sa.select(Claim).where(Claim.number == CLAIM)).one()
        assert claim.status == "in_review"
        asked = s.scalars(sa.select(InfoRequest).where(InfoRequest.claim_id == claim.id)).one()
        assert (asked.status, asked.answer_message_id) == ("answered", letter.id)

    # 4. 7,500 is above Anna's limit: the approval escalates to Max.
    out = run("claims", "act", CLAIM, "approve", "--as", "anna@insurer.test", "--amount", "7500",
              "--reason", "invoice matches the assessor's estimate")
    assert "in_review -> escalated" in out
    assert "to Max Weber" in out
    assert CLAIM in run("claims", "escalations", "--supervisor", "max@insurer.test")
    refused = invoke("claims", "decide", CLAIM, "approve", "--as", "anna@insurer.test",
                     "--amount", "7500", "--note", "ok", extra_env=env)
    assert refused.exit_code == 1
    assert "decided by a supervisor" in refused.output

    # 5. Max decides; Anna is notified. Margaret last wrote by letter, so she
    # is told by letter: a worker renders it for the print room.
    out = run("claims", "decide", CLAIM, "approve", "--as", "max@insurer.test", "--amount",
              "7500", "--note", "full roof replacement justified by the storm report")
    assert "escalated -> approved" in out
    worker_burst(env)
    assert len(smtp_server.messages) == 1
    with committed_db.transaction() as s:
        told = s.scalars(sa.select(OutboundMessage).where(
            OutboundMessage.thread_id == thread_id, OutboundMessage.channel == "letter")).one()
        assert told.status == "sent"
        printed = s.get(Message, told.message_id)
        assert printed is not None
        assert printed.extras["print"]["status"] == "ready"
        (pdf,) = printed.attachments
        assert pdf.content_type == "application/pdf"
        assert pdf.size > 1000
        assert "We have approved your claim CLM-2026-004518" in told.text
        assert "£7,500.00" in told.text
    with committed_db.transaction() as s:
        escalation = s.scalars(sa.select(Escalation).where(Escalation.claim_id == claim.id)).one()
        assert escalation.status == "decided"
        anna_told = s.scalars(sa.select(Notification.text).where(
            Notification.kind == "escalation_decided")).all()
        assert any("Max Weber approved 7500" in t for t in anna_told)

    # 6. Paid and closed.
    run("claims", "act", CLAIM, "pay", "--as", "anna@insurer.test", "--amount", "7500")
    run("claims", "act", CLAIM, "close", "--as", "anna@insurer.test")

    # The story, in order: who, what, when, why.
    story = run("claims", "show", CLAIM)
    assert f"{CLAIM}  closed  policy {POLICY}" in story
    lines = [line for line in story.splitlines() if line.startswith("  20")]
    expected = [
        ("message", "email from customer: Storm damage to our roof"),
        ("step", "Anna Berg", "received -> in_review"),
        ("step", "Anna Berg", "in_review -> info_requested"),
        ("request", "Anna Berg", "asked for invoice, note by email (en)"),
        ("message", "email to customer"),
        ("message", "letter from customer"),
        ("step", "system", "info_requested -> in_review"),
        ("step", "Anna Berg", "in_review -> escalated (asked: approve), amount 7500"),
        ("escalate", "Anna Berg", "escalated to Max Weber (authority)"),
        ("step", "Max Weber", "escalated -> approved, amount 7500"),
        ("escalate", "Max Weber", "decided: approve"),
        ("note", "Max Weber", "internal note"),
        ("message", "letter to customer"),
        ("step", "Anna Berg", "approved -> paid, amount 7500"),
        ("step", "Anna Berg", "paid -> closed"),
    ]
    position = 0
    for wanted in expected:
        while position < len(lines) and not all(part in lines[position] for part in wanted):
            position += 1
        assert position < len(lines), f"{wanted} not found in order in:\n{story}"
        position += 1
    assert "why: full roof replacement justified by the storm report" in story
    assert "\"Dear Margaret Ellison, We have approved your claim" in story
    assert "why: the customer answered by letter" in story
    assert "above the approver's authority limit of 5000" in story
