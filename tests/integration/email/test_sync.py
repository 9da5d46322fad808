"""IMAP sync against a real Dovecot, into the real database (both engines):
incremental, exactly once across crashes and UIDVALIDITY changes, IDLE,
reconnects, TLS, the size limit, and replies that thread back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

import pytest
import sqlalchemy as sa

from channels.email.imap import AuthenticationFailed, connect
from config import Settings
from config.email import Mailbox
from inbox.database import Database
from inbox.mail import sync as sync_module
from inbox.mail.outbound import queue_email_reply, send_queued
from inbox.mail.runner import run_all, run_mailbox
from inbox.mail.sync import sync_mailbox
from inbox.models import Attachment, FailedIntake, MailboxState, Message, Thread
from tests.servers.dovecot import PASSWORD_ENV, DovecotServer, MailUser
from tests.web import signed_in_as


def now() -> datetime:
    return datetime.now(UTC)


def mail(
    n: int,
    *,
    sender: str = "jane@example.com",
    subject: str | None = None,
    body: str = "Hello, the kitchen is flooded.",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    attachment: bytes | None = None,
) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"Jane Doe <{sender}>"
    msg["To"] = "claims@inbox.test"
    msg["Subject"] = subject if subject is not None else f"Question {n}"
    msg["Date"] = format_datetime(now())
    msg["Message-ID"] = f"<{message_id or f'm{n}-{time.monotonic_ns()}@example.com'}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg["References"] = f"<{in_reply_to}>"
    msg.set_content(body)
    if attachment is not None:
        msg.add_attachment(
            attachment, maintype="application", subtype="pdf", filename="invoice.pdf"
        )
    return msg.as_bytes()


def count(db: Database, model: type, *where: sa.ColumnElement[bool]) -> int:
    with db.transaction() as s:
        return int(s.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0)


def state(db: Database, box: Mailbox, folder: str = "INBOX") -> MailboxState:
    with db.transaction() as s:
        row = s.scalars(
            sa.select(MailboxState).where(
                MailboxState.mailbox == box.name, MailboxState.folder == folder
            )
        ).one()
        s.expunge(row)
        return row


def mine(box: Mailbox) -> sa.ColumnElement[bool]:
    return Message.recipient == box.address


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


@pytest.fixture
def box(dovecot: DovecotServer, mail_user: MailUser) -> Mailbox:
    return dovecot.mailbox(mail_user, name=f"box-{mail_user.name}"[:60])


@pytest.fixture
def sending(box: Mailbox, smtp_server, settings: Settings) -> tuple[Mailbox, Settings]:  # type: ignore[no-untyped-def]
    """The test mailbox, sending through the test SMTP server, and settings with it."""
    box = replace(box, smtp_host=smtp_server.host, smtp_port=smtp_server.port,
                  smtp_security="none")
    return box, replace(settings, mailboxes=(box,))


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_incremental_sync_over_tls(
    committed_db: Database, dovecot: DovecotServer, mail_user: MailUser, security: str
) -> None:
    box = dovecot.mailbox(mail_user, security, name=f"tls-{mail_user.name}"[:60])
    for n in range(3):
        dovecot.deliver(mail_user.name, mail(n))
    report = sync_mailbox(committed_db, box, now=now)
    assert (report.folders[0].fetched, report.filed) == (3, 3)
    for n in range(3, 5):
        dovecot.deliver(mail_user.name, mail(n))
    report = sync_mailbox(committed_db, box, now=now)
    assert (report.folders[0].fetched, report.filed) == (2, 2)
    report = sync_mailbox(committed_db, box, now=now)
    assert report.folders[0].fetched == 0
    assert count(committed_db, Message, mine(box)) == 5
    assert state(committed_db, box).status == "ok"
    # BODY.PEEK[]: the customer's mail is still unread in the mailbox.
    with connect(box) as conn:
        conn.select("INBOX")
        flags = conn.flags(conn.uids_after(0))
    assert all(b"\\Seen" not in f for f in flags.values())


def test_crash_before_commit_refetches_without_duplicates(
    committed_db: Database,
    dovecot: DovecotServer,
    mail_user: MailUser,
    box: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sync_module, "BATCH", 2)
    for n in range(5):
        dovecot.deliver(mail_user.name, mail(n))
    real = sync_module._store_batch
    calls = {"n": 0}

    def crash_on_second(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(sync_module, "_store_batch", crash_on_second)
    with pytest.raises(RuntimeError, match="worker killed"):
        sync_mailbox(committed_db, box, now=now)
    assert count(committed_db, Message, mine(box)) == 2
    assert state(committed_db, box).last_uid == 2  # the cursor stopped at what is stored
    monkeypatch.setattr(sync_module, "_store_batch", real)
    report = sync_mailbox(committed_db, box, now=now)
    assert report.filed == 3
    assert count(committed_db, Message, mine(box)) == 5


def test_uidvalidity_change_rescans_without_duplicates(
    committed_db: Database,
    dovecot: DovecotServer,
    mail_user: MailUser,
    box: Mailbox,
) -> None:
    raws = [mail(n) for n in range(3)]
    for raw in raws:
        dovecot.deliver(mail_user.name, raw)
    sync_mailbox(committed_db, box, now=now)
    before = state(committed_db, box).uidvalidity
    dovecot.recreate_folder(mail_user.name, "INBOX")
    for raw in [*raws, mail(9)]:
        dovecot.deliver(mail_user.name, raw)
    report = sync_mailbox(committed_db, box, now=now)
    folder = report.folders[0]
    assert folder.uidvalidity_reset
    assert state(committed_db, box).uidvalidity != before
    assert (folder.fetched, folder.filed, folder.duplicates) == (4, 1, 3)
    assert count(committed_db, Message, mine(box)) == 4


def test_idle_wakes_the_loop_and_kick_reconnects(
    committed_db: Database,
    dovecot: DovecotServer,
    mail_user: MailUser,
    box: Mailbox,
) -> None:
    stop = threading.Event()
    runner = threading.Thread(
        target=run_mailbox,
        args=(committed_db, box, stop),
        kwargs={"now": now, "poll_seconds": 60.0},
        daemon=True,
    )
    runner.start()
    try:
        wait_for(lambda: count(committed_db, MailboxState, MailboxState.mailbox == box.name) > 0)
        started = time.monotonic()
        dovecot.deliver(mail_user.name, mail(1))
        # Polling would take 60 s; IDLE brings it in about a second.
        wait_for(lambda: count(committed_db, Message, mine(box)) == 1, timeout=8)
        assert time.monotonic() - started < 8
        dovecot.kick(mail_user.name)
        time.sleep(0.5)
        dovecot.deliver(mail_user.name, mail(2))
        wait_for(lambda: count(committed_db, Message, mine(box)) == 2, timeout=15)
    finally:
        stop.set()
        # IDLE ends at its timeout or the next notice; a delivery ends it now.
        dovecot.deliver(mail_user.name, mail(3))
        runner.join(15)
    assert not runner.is_alive()


def test_wrong_password_stops_the_mailbox(
    committed_db: Database,
    dovecot: DovecotServer,
    mail_user: MailUser,
) -> None:
    box = dovecot.mailbox(mail_user, name=f"bad-{mail_user.name}"[:60], env={PASSWORD_ENV: "wrong"})
    stop = threading.Event()
    started = time.monotonic()
    assert run_mailbox(committed_db, box, stop, now=now, poll_seconds=1) == "auth_failed"
    assert time.monotonic() - started < 10
    row = state(committed_db, box)
    assert row.status == "auth_failed"
    assert row.error
    with pytest.raises(AuthenticationFailed):
        sync_mailbox(committed_db, box, now=now)
    # A password variable that is not set at all is the same kind of stop.
    unset = replace(box, env={})
    assert run_mailbox(committed_db, unset, stop, now=now, poll_seconds=1) == "auth_failed"
    assert "not set" in state(committed_db, box).error


def test_a_loop_that_raises_ends_the_run_as_failed(
    committed_db: Database, box: Mailbox, caplog: pytest.LogCaptureFixture,
) -> None:
    """`inbox sync email` must not run on without a mailbox whose loop died
    and then exit 0 (seen under bench/load.py): the run ends, marked failed."""
    def broken_clock() -> datetime:
        raise RuntimeError("a bug in the loop")

    stop = threading.Event()
    ended = run_all(committed_db, [box], stop, now=broken_clock, poll_seconds=1)
    assert ended == {box.name: "failed"}
    assert stop.is_set()
    assert "the sync loop failed" in caplog.text


def test_large_mail_is_filed_with_text_and_attachments_held_back(
    committed_db: Database,
    dovecot: DovecotServer,
    mail_user: MailUser,
    box: Mailbox,
    ingest_config,  # type: ignore[no-untyped-def]
) -> None:
    small_box = replace(box, max_message_bytes=64 * 1024)
    big = mail(1, body="Invoice attached.", attachment=b"%PDF-1.4\n" + b"0" * 200_000)
    dovecot.deliver(mail_user.name, big)
    sync_mailbox(committed_db, small_box, now=now)
    with committed_db.transaction() as s:
        message = s.scalars(sa.select(Message).where(mine(box))).one()
        assert "Invoice attached." in message.text
        assert message.extras["attachments_held_back"][0]["filename"] == "invoice.pdf"
        assert (
            s.scalar(
                sa.select(sa.func.count())
                .select_from(Attachment)
                .where(Attachment.message_id == message.id)
            )
            == 0
        )
        # Nothing dropped: the whole mail is in the blob store.
        assert len(ingest_config.blobs.get(message.raw_ref)) >= len(big) - 100


def test_unparseable_mail_becomes_failed_intake_and_cursor_moves_on(
    committed_db: Database,
    dovecot: DovecotServer,
    mail_user: MailUser,
    box: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from channels.email.parse import UnparseableMail
    from inbox.mail import parsing

    real = parsing.parse_email

    def picky(raw: bytes, **kw):  # type: ignore[no-untyped-def]
        if b"poison" in raw:
            raise UnparseableMail("test: poisoned")
        return real(raw, **kw)

    monkeypatch.setattr(parsing, "parse_email", picky)
    dovecot.deliver(mail_user.name, mail(1, body="poison"))
    dovecot.deliver(mail_user.name, mail(2))
    report = sync_mailbox(committed_db, box, now=now)
    assert (report.filed, report.folders[0].failed) == (1, 1)
    assert count(committed_db, FailedIntake, FailedIntake.error.like("%poisoned%")) == 1
    assert state(committed_db, box).last_uid == 2


def test_reply_goes_out_over_smtp_and_the_answer_threads_back(
    committed_db: Database,
    dovecot: DovecotServer,
    mail_user: MailUser,
    sending: tuple[Mailbox, Settings],
    smtp_server,  # type: ignore[no-untyped-def]
) -> None:
    box, settings = sending
    dovecot.deliver(
        mail_user.name,
        mail(
            1,
            subject="Stormschaden",
            message_id="first@example.com",
            body="Guten Tag, der Sturm hat das Dach beschädigt.",
        ),
    )
    sync_mailbox(committed_db, box, now=now)
    with committed_db.transaction() as s:
        first = s.scalars(
            sa.select(Message).where(Message.external_id == "first@example.com")
        ).one()
        thread_id = first.thread_id
        outbound = queue_email_reply(s, settings, thread_id, "Wir schicken einen Gutachter.", now())
        outbound_id, our_id = outbound.id, outbound.external_id

    assert send_queued(committed_db, settings, outbound_id) == "sent"
    assert send_queued(committed_db, settings, outbound_id) == "sent"  # not sent twice
    (sent,) = smtp_server.messages
    headers = sent.parsed()
    assert headers["Message-ID"] == f"<{our_id}>"
    assert headers["In-Reply-To"] == "<first@example.com>"
    assert "first@example.com" in headers["References"]
    assert headers["From"] == box.address
    body = headers.get_body(("plain",)).get_content()
    assert "Mit freundlichen Grüßen" in body  # the customer's language for template text
    with committed_db.transaction() as s:
        thread = s.get(Thread, thread_id)
        assert thread is not None
        assert thread.first_response_at is not None
        assert not thread.needs_reply

    # The customer answers from a client that keeps only In-Reply-To.
    dovecot.deliver(
        mail_user.name,
        mail(2, subject="Antwort", in_reply_to=our_id, body="Danke, Dienstag passt."),
    )
    sync_mailbox(committed_db, box, now=now)
    with committed_db.transaction() as s:
        answer = s.scalars(sa.select(Message).where(Message.in_reply_to == our_id)).one()
        assert answer.thread_id == thread_id
        thread = s.get(Thread, thread_id)
        assert thread is not None
        assert thread.needs_reply


def test_smtp_rejection_is_recorded_on_the_reply(
    committed_db: Database,
    dovecot: DovecotServer,
    mail_user: MailUser,
    sending: tuple[Mailbox, Settings],
    smtp_server,  # type: ignore[no-untyped-def]
) -> None:
    from inbox.models import OutboundMessage

    box, settings = sending
    dovecot.deliver(mail_user.name, mail(1, message_id="q@example.com"))
    sync_mailbox(committed_db, box, now=now)
    smtp_server.reply_to_data("550 5.7.1 rejected by policy")
    with committed_db.transaction() as s:
        first = s.scalars(sa.select(Message).where(Message.external_id == "q@example.com")).one()
        outbound_id = queue_email_reply(s, settings, first.thread_id, "Answer", now()).id
    assert send_queued(committed_db, settings, outbound_id) == "failed"
    with committed_db.transaction() as s:
        row = s.get(OutboundMessage, outbound_id)
        assert row is not None
        assert (row.status, row.message_id) == ("failed", None)
        assert "550" in row.last_error


def test_undelivered_reply_is_shown_on_the_thread_page(
    committed_db: Database, dovecot: DovecotServer, mail_user: MailUser,
    sending: tuple[Mailbox, Settings], smtp_server,  # type: ignore[no-untyped-def]
) -> None:
    from inbox import create_app

    box, settings = sending
    dovecot.deliver(mail_user.name, mail(1, message_id="page@example.com"))
    sync_mailbox(committed_db, box, now=now)
    smtp_server.reply_to_data("550 5.1.1 mailbox unavailable")
    with committed_db.transaction() as s:
        first = s.scalars(sa.select(Message).where(Message.external_id == "page@example.com")).one()
        thread_id = first.thread_id
        outbound_id = queue_email_reply(s, settings, thread_id, "Our answer", now()).id
    send_queued(committed_db, settings, outbound_id)
    app = create_app(settings)
    client = app.test_client()
    signed_in_as(client, committed_db, "rep")
    page = client.get(f"/threads/{thread_id}")
    app.extensions["inbox.db"].engine.dispose()
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-outbound-status="failed"' in html
    assert "not delivered" in html
    assert "550 5.1.1 mailbox unavailable" in html


def test_periodic_job_syncs_every_mailbox_once_at_a_time(
    committed_db: Database, dovecot: DovecotServer, mail_user: MailUser, box: Mailbox,
    settings: Settings,
) -> None:
    import redis

    from inbox import create_app
    from inbox.jobs.mail import sync_all_mailboxes

    settings = replace(settings, mailboxes=(box,), redis_url="redis://127.0.0.1:6379/13")
    app = create_app(settings)
    conn = redis.Redis.from_url(settings.redis_url)
    for n in range(2):
        dovecot.deliver(mail_user.name, mail(n))
    with app.app_context():
        assert sync_all_mailboxes() == {box.name: 2}
        # A pass still running elsewhere holds the lock: this one skips the mailbox.
        lock = conn.lock(f"inbox:imap-sync:{box.name}", timeout=30)
        assert lock.acquire(blocking=False)
        try:
            dovecot.deliver(mail_user.name, mail(3))
            assert sync_all_mailboxes() == {}
        finally:
            lock.release()
        assert sync_all_mailboxes() == {box.name: 1}
    assert count(committed_db, Message, mine(box)) == 3
    app.extensions["inbox.db"].engine.dispose()
    conn.close()
