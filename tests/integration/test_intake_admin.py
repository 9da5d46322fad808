"""The failed-intake pages for admins, against the real app and database
(SQLite and PostgreSQL): the list and its filters, a hostile raw mail shown
as text, the raw download, retrying (fixed, failing again, twice, by two
admins at once, in bulk), discarding with a reason, and other roles refused.

Failures come from the real ingest: a bug is planted in the threading step
(``core.find_thread``) the way tests/integration/test_ingest.py does it, and
removed again when the bug is "fixed"."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from inbox import ingest
from inbox.database import Database
from inbox.intake import core
from inbox.intake.core import CONFIG_KEY, record_failure, record_raw_failure
from inbox.intake.failed import PAGE_SIZE, PREVIEW_BYTES
from inbox.models import AuditEvent, FailedIntake, Message
from tests import factories as f
from tests.conftest import NOW
from tests.integration.test_auth import routes
from tests.web import signed_in_as

pytestmark = pytest.mark.integration

HOSTILE = (
    b"From: Mallory <mallory@example.com>\r\n"
    b"To: claims@insurer.test\r\n"
    b"Subject: <script>alert('subject')</script>\r\n"
    b"Message-ID: <hostile@example.com>\r\n"
    b"Content-Type: text/html; charset=latin-1\r\n"
    b"\r\n"
    b"<html><body><script>alert(1)</script><img src=x onerror=alert(2)>"
    b"caf\xe9 \xff\xfe</body></html>\r\n"
)


def mail(message_id: str, subject: str = "Burst pipe") -> bytes:
    return (f"From: Jane <jane@example.com>\r\nTo: claims@insurer.test\r\n"
            f"Subject: {subject}\r\nMessage-ID: <{message_id}>\r\n"
            f"Date: Mon, 02 Mar 2026 09:00:00 +0000\r\n\r\n"
            f"Water everywhere since last night.\r\n").encode()


def broken(message: str) -> Callable[..., Any]:
    def find_thread(*_args: object, **_kw: object) -> None:
        raise RuntimeError(message)

    return find_thread


@pytest.fixture
def admin(app: Flask, committed_db: Database) -> FlaskClient:
    client = app.test_client()
    signed_in_as(client, committed_db, "admin")
    return client


def failed_by_bug(db: Database, monkeypatch: pytest.MonkeyPatch, message_id: str,
                  *, raw: bytes | None = None, subject: str = "Burst pipe") -> int:
    """An email whose filing failed in the real ingest (a planted bug), committed."""
    with monkeypatch.context() as patch:
        patch.setattr(core, "find_thread", broken("threading exploded"))
        with db.transaction() as s:
            result = ingest(s, f.email(sender="jane@example.com", subject=subject,
                                       text="Water everywhere since last night.",
                                       message_id=message_id, received_at=NOW,
                                       raw=raw or mail(message_id, subject)), NOW)
            assert result.failed is not None
            return result.failed.id


def add_failed(db: Database, *, channel: str = "email", status: str = "failed",
               error: str = "RuntimeError: boom", at: datetime = NOW, attempts: int = 1,
               raw: bytes | None = None, external_id: str = "") -> int:
    with db.transaction() as s:
        raw_ref = s.info[CONFIG_KEY].blobs.put(raw) if raw is not None else None
        row = FailedIntake(channel=channel, external_id=external_id or uuid.uuid4().hex,
                           raw_ref=raw_ref, inbound=None, error=error, detail="", status=status,
                           attempts=attempts, created_at=at, updated_at=at)
        s.add(row)
        s.flush()
        return row.id


def record(db: Database, failed_id: int) -> FailedIntake:
    with db.transaction() as s:
        found = s.get(FailedIntake, failed_id)
        assert found is not None
        return found


def messages(db: Database, external_id: str) -> list[Message]:
    with db.transaction() as s:
        return list(s.scalars(sa.select(Message).where(Message.external_id == external_id)))


def events(db: Database, failed_id: int) -> list[AuditEvent]:
    with db.transaction() as s:
        return list(s.scalars(sa.select(AuditEvent).where(
            AuditEvent.entity_type == "failed_intakes", AuditEvent.entity_id == failed_id)
            .order_by(AuditEvent.id)))


def follow(client: FlaskClient, response: Any) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="intake-(\d+)"', html)]


# -- the list -----------------------------------------------------------------


def test_list_newest_first_with_filters_and_counts(
        admin: FlaskClient, committed_db: Database) -> None:
    with committed_db.transaction() as s:
        before = dict(s.execute(sa.select(FailedIntake.status, sa.func.count())
                                .group_by(FailedIntake.status)).all())
    old = add_failed(committed_db, channel="email", at=NOW - timedelta(hours=3), attempts=3,
                     error="ValueError: no sender\nsecond line of the story")
    new = add_failed(committed_db, channel="sms", at=NOW - timedelta(hours=1))
    gone = add_failed(committed_db, channel="email", status="discarded")
    done = add_failed(committed_db, channel="letter", status="retried")

    page = admin.get("/admin/intake").get_data(as_text=True)
    shown = row_ids(page)
    assert shown.index(new) < shown.index(old)  # newest first
    assert gone not in shown
    assert done not in shown
    assert "ValueError: no sender" in page
    assert "second line of the story" not in page  # only the short error
    assert re.search(rf'<tr id="intake-{old}">.*?<td>3</td>', page, re.S)  # attempts
    for status, added in (("failed", 2), ("discarded", 1), ("retried", 1)):
        assert f'data-count="{status}">{before.get(status, 0) + added}<' in page

    by_channel = admin.get("/admin/intake?channel=sms").get_data(as_text=True)
    assert new in row_ids(by_channel)
    assert old not in row_ids(by_channel)
    discarded = row_ids(admin.get("/admin/intake?status=discarded").get_data(as_text=True))
    assert gone in discarded
    assert old not in discarded
    everything = row_ids(admin.get("/admin/intake?status=all&channel=email")
                         .get_data(as_text=True))
    assert {old, gone} <= set(everything)
    assert new not in everything
    # Nonsense in the query falls back to the default view, not an error.
    odd = admin.get("/admin/intake?status=<b>&channel=fax&page=-4")
    assert odd.status_code == 200
    assert old in row_ids(odd.get_data(as_text=True))


def test_list_pages(admin: FlaskClient, committed_db: Database) -> None:
    ids = [add_failed(committed_db, channel="portal", at=NOW + timedelta(minutes=n))
           for n in range(PAGE_SIZE + 3)]
    first = admin.get("/admin/intake?channel=portal").get_data(as_text=True)
    assert row_ids(first) == ids[::-1][:PAGE_SIZE]
    assert "page 1 of 2" in first
    assert 'rel="next"' in first
    assert 'id="tick-all"' in first
    with admin.get("/static/intake_admin.js") as script:  # ticks them all: a file, no inline
        assert script.status_code == 200
        assert b"tick-all" in script.data
    second = admin.get("/admin/intake?channel=portal&page=2").get_data(as_text=True)
    assert row_ids(second) == ids[::-1][PAGE_SIZE:]
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second


# -- one record: safe display and the download -------------------------------------


def test_detail_shows_a_hostile_mail_as_text_never_as_html(
        admin: FlaskClient, committed_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    failed_id = failed_by_bug(committed_db, monkeypatch, "hostile@example.com", raw=HOSTILE,
                              subject="<script>alert('subject')</script>")
    page = admin.get(f"/admin/intake/{failed_id}").get_data(as_text=True)
    # Nothing from the mail became markup: no script, no image, no handler.
    assert "<script>alert" not in page
    assert "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    # The normalized message, as JSON, escaped too.
    assert '&#34;subject&#34;: &#34;&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt;' in page
    # Undecodable bytes (latin-1 é, a stray 0xff 0xfe) become replacement characters.
    assert "caf\ufffd \ufffd\ufffd" in page
    # The error and the traceback of the planted bug.
    assert "RuntimeError: threading exploded" in page
    assert "Traceback (most recent call last)" in page
    assert f'href="/admin/intake/{failed_id}/raw"' in page


def test_a_big_raw_input_is_cut_for_display_and_binary_is_not_shown(
        admin: FlaskClient, committed_db: Database) -> None:
    big = b"Subject: big\r\n\r\n" + b"a" * (PREVIEW_BYTES + 5000) + b"THE-END"
    big_id = add_failed(committed_db, raw=big, error="UnparseableMail: too odd")
    page = admin.get(f"/admin/intake/{big_id}").get_data(as_text=True)
    assert 'id="raw-cut"' in page
    assert "Showing the first 64.0 KiB" in page
    assert "THE-END" not in page
    scan_id = add_failed(committed_db, channel="letter", raw=b"%PDF-1.7\n\x00\x01\x02 scan",
                         error="ScanError: unreadable")
    scan = admin.get(f"/admin/intake/{scan_id}").get_data(as_text=True)
    assert "Binary content" in scan
    assert 'id="raw"' not in scan
    nothing = add_failed(committed_db, channel="sms", raw=None)
    assert "No raw input was kept" in admin.get(f"/admin/intake/{nothing}").get_data(
        as_text=True)
    assert admin.get("/admin/intake/999999999").status_code == 404


def test_raw_download_is_an_attachment_never_sniffed(
        admin: FlaskClient, committed_db: Database) -> None:
    failed_id = add_failed(committed_db, raw=HOSTILE)
    with admin.get(f"/admin/intake/{failed_id}/raw") as response:
        assert response.status_code == 200
        assert response.data == HOSTILE
        assert response.mimetype == "application/octet-stream"
        assert response.headers["Content-Disposition"] == (
            f"attachment; filename=failed-intake-{failed_id}.eml")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"]
    scan_id = add_failed(committed_db, channel="letter", raw=b"%PDF-1.7\n%\xe2\xe3\n")
    with admin.get(f"/admin/intake/{scan_id}/raw") as response:
        assert response.headers["Content-Disposition"] == (
            f"attachment; filename=failed-intake-{scan_id}.pdf")
    without = add_failed(committed_db, raw=None)
    assert admin.get(f"/admin/intake/{without}/raw").status_code == 404


# -- retry ----------------------------------------------------------------------


def test_retry_after_the_fix_files_it_and_links_the_thread(
        admin: FlaskClient, committed_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    external_id = f"{uuid.uuid4().hex}@mail.test"
    failed_id = failed_by_bug(committed_db, monkeypatch, external_id)
    assert messages(committed_db, external_id) == []

    page = follow(admin, admin.post(f"/admin/intake/{failed_id}/retry"))  # the bug is gone

    filed = messages(committed_db, external_id)
    assert len(filed) == 1
    assert filed[0].subject == "Burst pipe"
    assert f"Filed as message {filed[0].id}." in page
    assert f'href="/threads/{filed[0].thread_id}"' in page
    after = record(committed_db, failed_id)
    assert (after.status, after.attempts) == ("retried", 1)
    [event] = events(committed_db, failed_id)
    assert event.action == "intake.retried"
    assert event.actor_id is not None
    assert event.data == {"outcome": "filed", "message_id": filed[0].id}
    assert failed_id not in row_ids(admin.get("/admin/intake").get_data(as_text=True))


def test_retry_failing_again_shows_the_new_error_and_counts_one_attempt(
        admin: FlaskClient, committed_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    external_id = f"{uuid.uuid4().hex}@mail.test"
    failed_id = failed_by_bug(committed_db, monkeypatch, external_id)
    monkeypatch.setattr(core, "find_thread", broken("still broken: thread index gone"))

    page = follow(admin, admin.post(f"/admin/intake/{failed_id}/retry"))

    assert "Failed again: RuntimeError: still broken: thread index gone" in page
    assert '<dd id="attempts">2</dd>' in page
    after = record(committed_db, failed_id)
    assert (after.status, after.attempts) == ("failed", 2)
    assert after.error == "RuntimeError: still broken: thread index gone"
    assert messages(committed_db, external_id) == []
    assert [e.action for e in events(committed_db, failed_id)] == ["intake.retry_failed"]
    with committed_db.transaction() as s:  # the same record, not a second one
        assert s.scalar(sa.select(sa.func.count()).select_from(FailedIntake)
                        .where(FailedIntake.external_id == external_id)) == 1


def test_retry_of_raw_mail_parses_again_and_counts_on_the_same_record(
        admin: FlaskClient, committed_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    # Not a mail at all: parsing fails again, one attempt more.
    junk = add_failed(committed_db, raw=b"\x00\x01\x02 not a mail", error="unparseable")
    page = follow(admin, admin.post(f"/admin/intake/{junk}/retry"))
    assert "Failed again: unparseable mail: binary data" in page
    assert record(committed_db, junk).attempts == 2
    # A scan is filed again through the letters intake, not from here.
    scan = add_failed(committed_db, channel="letter", raw=b"%PDF-1.7\n", error="OCR timed out")
    assert "Cannot be retried here: a scan is read again by filing its file again" in follow(
        admin, admin.post(f"/admin/intake/{scan}/retry"))
    assert record(committed_db, scan).attempts == 1

    # A mail the parser of the day refused (kept raw, no message): it parses
    # now, but filing fails; the attempt counts here, with what was parsed.
    message_id = f"{uuid.uuid4().hex}@mail.test"
    with committed_db.transaction() as s:
        raw_id = record_raw_failure(s, "email", mail(message_id), "UnparseableMail: old bug",
                                    NOW).id
    monkeypatch.setattr(core, "find_thread", broken("threading exploded"))
    follow(admin, admin.post(f"/admin/intake/{raw_id}/retry"))
    again = record(committed_db, raw_id)
    assert (again.status, again.attempts) == ("failed", 2)
    assert again.error == "RuntimeError: threading exploded"
    assert again.external_id == message_id
    assert again.inbound is not None
    with committed_db.transaction() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(FailedIntake)
                        .where(FailedIntake.external_id == message_id)) == 1
    monkeypatch.undo()
    follow(admin, admin.post(f"/admin/intake/{raw_id}/retry"))
    assert record(committed_db, raw_id).status == "retried"
    assert len(messages(committed_db, message_id)) == 1


def test_double_retry_files_once(
        admin: FlaskClient, committed_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    external_id = f"{uuid.uuid4().hex}@mail.test"
    failed_id = failed_by_bug(committed_db, monkeypatch, external_id)
    first = admin.post(f"/admin/intake/{failed_id}/retry")
    second = follow(admin, admin.post(f"/admin/intake/{failed_id}/retry"))  # a double click
    assert first.status_code == 303
    assert "Nothing done: status is retried" in second
    assert len(messages(committed_db, external_id)) == 1
    assert record(committed_db, failed_id).attempts == 1
    assert [e.action for e in events(committed_db, failed_id)] == ["intake.retried"]


def test_retry_of_a_message_filed_meanwhile_adds_nothing(
        admin: FlaskClient, committed_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ingest's exactly-once rule: the mailbox delivered the same mail
    again and it was filed before the admin clicked retry."""
    external_id = f"{uuid.uuid4().hex}@mail.test"
    failed_id = failed_by_bug(committed_db, monkeypatch, external_id)
    with committed_db.transaction() as s:
        redelivered = ingest(s, f.email(sender="jane@example.com", subject="Burst pipe",
                                        message_id=external_id, received_at=NOW), NOW)
        assert redelivered.created
    page = follow(admin, admin.post(f"/admin/intake/{failed_id}/retry"))
    assert f"filed already (message {redelivered.message_id})" in page
    assert [m.id for m in messages(committed_db, external_id)] == [redelivered.message_id]
    assert record(committed_db, failed_id).status == "retried"


def test_two_admins_retrying_at_the_same_moment_file_once(
        app: Flask, committed_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    assert committed_db.engine is not None
    if committed_db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL concern; SQLite serialises them")
    external_id = f"{uuid.uuid4().hex}@mail.test"
    failed_id = failed_by_bug(committed_db, monkeypatch, external_id)
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        signed_in_as(client, committed_db, "admin")
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []
    errors: list[BaseException] = []

    def click(client: FlaskClient) -> None:
        try:
            barrier.wait()
            codes.append(client.post(f"/admin/intake/{failed_id}/retry").status_code)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=click, args=(c,)) for c in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert not errors, errors
    assert codes == [303, 303]
    assert len(messages(committed_db, external_id)) == 1
    assert record(committed_db, failed_id).status == "retried"
    assert [e.action for e in events(committed_db, failed_id)] == ["intake.retried"]


def test_bulk_retry_of_the_ticked_records(
        admin: FlaskClient, committed_db: Database) -> None:
    ids, external_ids = [], []
    with committed_db.transaction() as s:
        for n in range(2):  # the database went away while filing: fixable by trying again
            external_ids.append(f"{uuid.uuid4().hex}@mail.test")
            inbound = f.email(sender=f"bulk{n}@example.com", subject="Hail",
                              message_id=external_ids[-1], received_at=NOW)
            ids.append(record_failure(s, inbound, RuntimeError("database went away"), NOW).id)
    ids.append(add_failed(committed_db, raw=b"\x00 no mail", error="unparseable"))

    response = admin.post("/admin/intake/retry", data={
        "ids": [str(i) for i in ids], "status": "failed", "channel": "email"})
    assert response.headers["Location"] == "/admin/intake?status=failed&channel=email"
    page = follow(admin, response)
    assert "Retried: 2 filed, 1 failed again." in page
    assert [record(committed_db, i).status for i in ids] == ["retried", "retried", "failed"]
    assert all(len(messages(committed_db, e)) == 1 for e in external_ids)
    assert "Tick the records to retry first." in follow(
        admin, admin.post("/admin/intake/retry", data={}))


# -- discard ----------------------------------------------------------------------


def test_discard_needs_a_reason_and_is_audited(
        admin: FlaskClient, committed_db: Database) -> None:
    failed_id = add_failed(committed_db, raw=b"Subject: spam\r\n\r\nBuy now")
    for reason in (None, "", "   \n "):
        data = {} if reason is None else {"reason": reason}
        page = follow(admin, admin.post(f"/admin/intake/{failed_id}/discard", data=data))
        assert "Not discarded: say why it is discarded: a reason is required." in page
    assert record(committed_db, failed_id).status == "failed"
    assert events(committed_db, failed_id) == []

    page = follow(admin, admin.post(f"/admin/intake/{failed_id}/discard",
                                    data={"reason": "Spam, <b>not</b> a customer"}))
    assert "Discarded." in page
    assert "Spam, &lt;b&gt;not&lt;/b&gt; a customer" in page  # the history, escaped
    after = record(committed_db, failed_id)
    assert after.status == "discarded"
    [event] = events(committed_db, failed_id)
    assert (event.action, event.reason) == ("intake.discarded", "Spam, <b>not</b> a customer")
    assert event.actor_id is not None
    assert failed_id in row_ids(admin.get("/admin/intake?status=discarded")
                                .get_data(as_text=True))
    assert failed_id not in row_ids(admin.get("/admin/intake").get_data(as_text=True))
    # Neither retried nor discarded again once discarded.
    assert "Nothing done: status is discarded" in follow(
        admin, admin.post(f"/admin/intake/{failed_id}/retry"))
    assert "only failed intake can be discarded; this is discarded" in follow(
        admin, admin.post(f"/admin/intake/{failed_id}/discard", data={"reason": "again"}))
    assert len(events(committed_db, failed_id)) == 1


# -- who may --------------------------------------------------------------------


@pytest.fixture
def one_failed(committed_db: Database) -> int:
    return add_failed(committed_db, raw=b"Subject: x\r\n\r\ny")


@pytest.mark.parametrize("role", ["rep", "supervisor", "lead"])
def test_other_roles_are_refused(
        app: Flask, committed_db: Database, one_failed: int, role: str) -> None:
    client = app.test_client()
    signed_in_as(client, committed_db, role)
    for method, url in (("GET", "/admin/intake"), ("GET", f"/admin/intake/{one_failed}"),
                        ("GET", f"/admin/intake/{one_failed}/raw"),
                        ("POST", f"/admin/intake/{one_failed}/retry"),
                        ("POST", f"/admin/intake/{one_failed}/discard"),
                        ("POST", "/admin/intake/retry")):
        response = client.open(url, method=method, data={"reason": "x", "ids": [one_failed]})
        assert response.status_code == 403, (role, method, url)
    assert "/admin/intake" not in client.get("/").get_data(as_text=True)  # no nav link
    assert record(committed_db, one_failed).status == "failed"


def test_admins_see_the_nav_link_and_every_route_is_in_the_matrix_check(
        app: Flask, admin: FlaskClient) -> None:
    assert 'href="/admin/intake">Failed intake</a>' in admin.get("/").get_data(as_text=True)
    checked = {(endpoint, method) for endpoint, method, _ in routes(app)}
    for endpoint, method in (("intake_admin.index", "GET"), ("intake_admin.detail", "GET"),
                             ("intake_admin.raw", "GET"), ("intake_admin.retry", "POST"),
                             ("intake_admin.retry_many", "POST"),
                             ("intake_admin.discard_one", "POST")):
        assert (endpoint, method) in checked
