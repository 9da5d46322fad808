"""Letters on the web, against the real app (Flask test client), the real
database and a real Redis queue: the mail room's upload form queues a job that
files the scan (run here in-process by an RQ SimpleWorker), the "needs a
human" list resolves a letter to the customer a rep picks, and a letter's
page images, original scan and thread view.

Redis: ``INBOX_TEST_REDIS_URL`` (default the local server); a database 1-15 is
claimed as tests/integration/test_jobs.py does, and emptied before each test.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import EnvironBuilder, FlaskClient
from PIL import Image
from rq import Queue, SimpleWorker
from rq.job import JobStatus

from claims.identifiers import normalize_identity
from claims.models import CustomerIdentity
from config import Settings
from inbox import create_app, ingest
from inbox.blobs import BlobStore
from inbox.database import Database
from inbox.jobs.base import spec_of
from inbox.jobs.letters_upload import ingest_uploaded_letter
from inbox.models import LetterReview, Message, Thread
from inbox.web.letters import uploads_dir
from tests import factories
from tests.web import signed_in_as

from .conftest import Scans

pytestmark = pytest.mark.integration

QUEUE = spec_of(ingest_uploaded_letter).queue


MakeApp = Callable[..., Flask]


@pytest.fixture
def make_app(settings: Settings, committed_db: Database, redis_url: str,
             conn: redis.Redis) -> Iterator[MakeApp]:
    """An app on the test database and Redis, OCR in-process (``ocr_workers
    = 1``); ``letters`` settings can be changed. Rows it adds are deleted
    afterwards (committed_db)."""
    apps: list[Flask] = []

    def build(**letters: Any) -> Flask:
        app = create_app(dataclasses.replace(
            settings, redis_url=redis_url,
            letters=dataclasses.replace(settings.letters, ocr_workers=1, **letters)))
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["inbox.db"].engine.dispose()


@pytest.fixture
def app(make_app: MakeApp) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask, committed_db: Database) -> FlaskClient:
    """A rep signed in."""
    client = app.test_client()
    signed_in_as(client, committed_db, "rep")
    return client


def upload(client: FlaskClient, *files: tuple[bytes, str]) -> Any:
    # The test client spools a big body to a temporary file it never closes
    # (a ResourceWarning, an error here): build the request and close it.
    environ = EnvironBuilder(
        client.application, "/letters/upload", method="POST",
        content_type="multipart/form-data",
        data={"files": [(io.BytesIO(data), name) for data, name in files]},
    ).get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()


def run_queued_jobs(app: Flask, conn: redis.Redis) -> list[Any]:
    """What ``inbox worker --burst`` does, in this process: an RQ SimpleWorker
    (no fork) drains the queue inside the app's context; returns the results."""
    queue = Queue(QUEUE, connection=conn)
    jobs = queue.get_jobs()
    with app.app_context():
        SimpleWorker([queue], connection=conn).work(burst=True)
    for job in jobs:
        job.refresh()
        assert job.get_status() == JobStatus.FINISHED, job.exc_info
    return [job.return_value() for job in jobs]


@pytest.fixture
def filed(app: Flask, client: FlaskClient, conn: redis.Redis,
          letter_scans: Scans) -> dict[str, Any]:
    """The English claim letter (a PNG scan) uploaded and filed by the job:
    its sender is not in the book, so it is on the "needs a human" list."""
    data = letter_scans.letters["en-claim"].read_bytes()
    response = upload(client, (data, "Ellison roof.png"))
    assert response.status_code == 200, response.get_data(as_text=True)
    [result] = run_queued_jobs(app, conn)
    assert result["outcome"] == "filed", result
    return result


def load_message(db: Database, message_id: int) -> Message:
    with db.transaction() as session:
        message = session.get(Message, message_id)
        assert message is not None
        _ = message.attachments, message.thread
        session.expunge_all()
        return message


# -- upload --------------------------------------------------------------------


def test_upload_form_takes_scans(client: FlaskClient) -> None:
    page = client.get("/letters/upload")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'type="file" name="files" multiple' in html
    assert 'accept=".pdf,.tif,.tiff,.png,.jpg,.jpeg"' in html
    assert 'enctype="multipart/form-data"' in html


def test_uploaded_letter_is_queued_and_filed(
    app: Flask, client: FlaskClient, conn: redis.Redis, committed_db: Database,
    settings: Settings, letter_scans: Scans,
) -> None:
    data = letter_scans.letters["en-claim"].read_bytes()
    response = upload(client, (data, "../../Ellison roof.png"))
    assert response.status_code == 200
    assert "queued for filing" in response.get_data(as_text=True)
    queue = Queue(QUEUE, connection=conn)
    [job] = queue.get_jobs()
    path = Path(job.args[0])
    # Saved whole under its sha256, with the original name made safe.
    assert path.parent.parent == uploads_dir(settings)
    assert path.name == "Ellison_roof.png"
    assert path.read_bytes() == data
    assert job.args[1] == "../../Ellison roof.png"
    assert not [p for p in path.parent.parent.iterdir() if p.name.startswith(".")]

    [result] = run_queued_jobs(app, conn)
    assert result["outcome"] == "filed"
    assert len(result["message_ids"]) == 1
    assert len(result["review_ids"]) == 1  # nobody in the book wrote it
    message = load_message(committed_db, result["message_ids"][0])
    assert message.channel == "letter"
    assert message.extras["letter"]["file"] == "Ellison_roof.png"
    assert message.extras["letter"]["sender_name"] == "Margaret Ellison"
    assert message.attachments[0].filename == "Ellison_roof.png"
    assert message.attachments[0].sha256 == result["sha256"] == path.parent.name
    assert not path.exists()
    assert not path.parent.exists()
    # The job again (RQ may run it twice): nothing more is filed.
    with app.app_context():
        assert ingest_uploaded_letter(str(path), "Ellison roof.png")["outcome"] == "gone"
    # The same scan uploaded again is a duplicate of the letter filed.
    assert upload(client, (data, "again.png")).status_code == 200
    [again] = run_queued_jobs(app, conn)
    assert (again["outcome"], again["message_ids"]) == ("duplicate", result["message_ids"])


def test_files_that_are_not_scans_are_refused(
    client: FlaskClient, conn: redis.Redis, settings: Settings,
) -> None:
    response = upload(client, (b"Dear Sir, this is plain text.", "letter.pdf"),
                      (b"", "empty.png"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "letter.pdf" in html
    assert "not a scan" in html
    assert "empty.png" in html
    assert "the file is empty" in html
    assert Queue(QUEUE, connection=conn).count == 0
    folder = uploads_dir(settings)
    assert not folder.exists() or not any(folder.iterdir())  # no file left behind

    nothing = client.post("/letters/upload", content_type="multipart/form-data", data={})
    assert nothing.status_code == 400
    assert "No file was chosen" in nothing.get_data(as_text=True)


def test_a_file_over_the_limit_is_refused(make_app: MakeApp, conn: redis.Redis,
                                          committed_db: Database) -> None:
    client = make_app(max_file_mb=0.001).test_client()  # 1048 bytes
    signed_in_as(client, committed_db, "rep")
    png = b"\x89PNG\r\n\x1a\n" + bytes(2000)
    response = upload(client, (png, "big.png"), (png[:500], "small.png"))
    assert response.status_code == 200  # the small one was taken
    html = response.get_data(as_text=True)
    assert "big.png" in html
    assert "too big: the limit is 0.001 MB" in html
    assert Queue(QUEUE, connection=conn).count == 1


# -- the "needs a human" list --------------------------------------------------


def test_review_lists_the_letter_and_the_reps_choice_is_remembered(
    client: FlaskClient, committed_db: Database, filed: dict[str, Any], settings: Settings,
) -> None:
    with committed_db.transaction() as session:
        chosen = factories.customer(session, name="Margaret Ellison-Price", ref="C-ELL-77",
                                    email="m.ellison@example.net").id
    [review_id] = filed["review_ids"]
    message = load_message(committed_db, filed["message_ids"][0])
    filed_under = message.customer_id
    assert filed_under != chosen

    page = client.get("/letters/review")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-review-id="{review_id}"' in html
    assert "Ellison_roof.png" in html
    assert "Margaret Ellison" in html
    assert "14 Alder Grove" in html
    assert "no customer in the book matches the sender" in html
    assert f"/threads/{message.thread_id}" in html
    assert f"/messages/{message.id}/pages/1.png" in html
    assert f'value="{chosen}"' in html  # suggested: named like the sender
    for query in ("c-ell-77", "ellison-price", "m.ellison@"):
        found = client.get("/letters/review", query_string={"q": query}).get_data(as_text=True)
        assert f'value="{chosen}"' in found, query
    assert f'value="{chosen}"' not in client.get(
        "/letters/review", query_string={"q": "nobody like this"}).get_data(as_text=True)

    done = client.post(f"/letters/review/{review_id}", data={"customer_id": str(chosen)})
    assert done.status_code == 303
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "filed under customer #" in after
    assert f'data-review-id="{review_id}"' not in after

    with committed_db.transaction() as session:
        review = session.get(LetterReview, review_id)
        assert review is not None
        assert (review.status, review.chosen_customer_id) == ("resolved", chosen)
        thread = session.get(Thread, message.thread_id)
        assert thread is not None
        assert thread.customer_id == chosen
        address = normalize_identity(
            "address", ", ".join(message.extras["letter"]["address"]), "GB")
        identity = session.scalars(sa.select(CustomerIdentity).where(
            CustomerIdentity.kind == "address", CustomerIdentity.value == address)).one()
        assert (identity.customer_id, identity.verified) == (chosen, True)

    # Resolving it again is refused, with the reason shown.
    again = client.post(f"/letters/review/{review_id}", data={"customer_id": str(chosen)})
    assert again.status_code == 400
    assert "already resolved" in again.get_data(as_text=True)


def test_review_errors_are_shown(client: FlaskClient) -> None:
    missing = client.post("/letters/review/999999999", data={"customer_id": "1"})
    assert missing.status_code == 400
    assert "no letter review 999999999" in missing.get_data(as_text=True)
    unpicked = client.post("/letters/review/999999999", data={})
    assert unpicked.status_code == 400
    assert "Pick a customer" in unpicked.get_data(as_text=True)


# -- pages, original, thread ---------------------------------------------------


def test_letter_pages_and_original(
    client: FlaskClient, committed_db: Database, filed: dict[str, Any], settings: Settings,
    now: datetime,
) -> None:
    message_id = filed["message_ids"][0]
    page = client.get(f"/messages/{message_id}/pages/1.png")
    assert page.status_code == 200
    assert page.mimetype == "image/png"
    assert page.cache_control.private
    assert page.cache_control.max_age == 86400
    with Image.open(io.BytesIO(page.data)) as image:
        assert image.width == 1200
    for missing in (2, 0):
        assert client.get(f"/messages/{message_id}/pages/{missing}.png").status_code == 404
    with committed_db.transaction() as session:
        mail = ingest(session, factories.email(
            sender="someone@example.net", text="Hello there", received_at=now), now)
    assert client.get(f"/messages/{mail.message_id}/pages/1.png").status_code == 404
    # Other messages' threads render as before (no letter block).
    email_thread = client.get(f"/threads/{mail.thread_id}").get_data(as_text=True)
    assert "Hello there" in email_thread
    assert "data-letter" not in email_thread
    assert client.get("/messages/999999999/pages/1.png").status_code == 404

    with client.get(f"/attachments/{filed['sha256']}") as original:  # closes the file
        assert original.status_code == 200
        assert original.mimetype == "image/png"
        assert original.headers["Content-Disposition"].startswith("inline")
        assert original.headers["X-Content-Type-Options"] == "nosniff"
        assert original.data == BlobStore(settings.blob_dir).get(filed["sha256"])
    # A blob that no attachment row names is not served, nor a malformed sha.
    stray = BlobStore(settings.blob_dir).put(b"raw input, not an attachment")
    assert client.get(f"/attachments/{stray}").status_code == 404
    assert client.get("/attachments/..%2Fsecret_key").status_code == 404


def test_thread_shows_the_letter_beside_its_pages(
    client: FlaskClient, committed_db: Database, filed: dict[str, Any],
) -> None:
    message = load_message(committed_db, filed["message_ids"][0])
    html = client.get(f"/threads/{message.thread_id}").get_data(as_text=True)
    ocr = message.extras["ocr"]
    assert f"{ocr['confidence']:g}%" in html
    assert f"(mean {ocr['mean_confidence']:g}%)" in html
    assert "language en" in html
    assert "dated 2026-03-09" in html
    assert "14 Alder Grove" in html
    assert f'<img loading="lazy" src="/messages/{message.id}/pages/1.png"' in html
    assert f'href="/attachments/{message.attachments[0].sha256}"' in html
    assert 'class="ocr-text"' in html
    assert "Storm damage" in html


def test_low_confidence_is_flagged_on_the_thread(
    client: FlaskClient, committed_db: Database, filed: dict[str, Any],
) -> None:
    message = load_message(committed_db, filed["message_ids"][0])
    with committed_db.transaction() as session:
        row = session.get(Message, message.id)
        assert row is not None
        row.extras = {**row.extras, "ocr": {**row.extras["ocr"], "confidence": 41.5}}
    html = client.get(f"/threads/{message.thread_id}").get_data(as_text=True)
    assert "ocr-confidence low-confidence" in html
    assert "41.5%" in html
    assert "poor scan" in html


def test_job_is_declared_for_the_worker() -> None:
    spec = spec_of(ingest_uploaded_letter)
    assert spec.timeout == 30 * 60
    assert spec.name == "inbox.jobs.letters_upload.ingest_uploaded_letter"


def test_the_print_room_lists_rendered_letters_until_printed(
    app: Flask, client: FlaskClient, committed_db: Database,
) -> None:
    from inbox.letters.replies import print_queued_letter, queue_letter_reply
    from inbox.models import OutboundMessage

    now = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
    with committed_db.transaction() as session:
        customer = factories.customer(session, name="Ana Novak",
                                      address="Dlouhá 5, 110 00 Praha 1")
        thread = Thread(customer_id=customer.id, subject="Pojistná událost", created_at=now,
                        language="cs")
        session.add(thread)
        session.flush()
        outbound_id = queue_letter_reply(session, thread.id, "Vážená paní Novaková,", now).id
    assert print_queued_letter(committed_db, app.config["SETTINGS"], outbound_id,
                               lambda: now) == "sent"
    with committed_db.transaction() as session:
        message_id = session.get(OutboundMessage, outbound_id).message_id
    page = client.get("/letters/print").get_data(as_text=True)
    assert f'data-message="{message_id}"' in page
    assert "Ana Novak" in page
    response = client.post(f"/letters/print/{message_id}")
    assert response.status_code == 303
    assert f"Letter {message_id} marked printed." in client.get("/letters/print").get_data(
        as_text=True)
    assert f'data-message="{message_id}"' not in client.get("/letters/print").get_data(
        as_text=True)
    assert client.post("/letters/print/999999").status_code == 400
