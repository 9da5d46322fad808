"""The thread tools in the browser's forms (Flask test client, real database,
real Redis): merge, split and move from the page, a merged thread's old URL,
the customer card, a call's details and recording, and presence."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from config import Settings
from inbox import create_app, ingest
from inbox.database import Database
from inbox.intake.core import CONFIG_KEY
from inbox.models import AuditEvent, Message, Thread
from inbox.models.messages import Attachment
from inbox.web.permissions import PERMISSIONS
from tests import factories
from tests.integration.conftest import app_on_redis
from tests.web import signed_in_as

pytestmark = pytest.mark.integration
TTL = 0.3
RECORDING_URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE0123456789"
AUDIO = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 64


@pytest.fixture
def app(settings: Settings, committed_db: Database, redis_url: str) -> Iterator[Flask]:
    with app_on_redis(settings, redis_url, presence_ttl_seconds=TTL) as app:
        yield app


@pytest.fixture
def threads(committed_db: Database) -> dict[str, int]:
    """Two threads of Polly (one linked to her claim, one with a call), one of
    someone else."""
    start = datetime.now(UTC) - timedelta(hours=3)
    with committed_db.transaction() as s:
        owner = factories.customer(s, email="polly@example.com", phone="+447700900777",
                                   name="Polly Plum", address="3 Plum Road, Bath")
        policy = factories.policy(s, owner, product="household")
        claim = factories.claim(s, policy, status="in_review")
        window = ingest(s, factories.email(sender="polly@example.com",
                                           subject=f"Window {claim.number}",
                                           text="The window broke.", received_at=start), start)
        roof = ingest(s, factories.email(sender="polly@example.com", subject="Roof tiles",
                                         text="Tiles fell off.",
                                         received_at=start + timedelta(hours=1)), start)
        call_at = start + timedelta(hours=2)
        call = ingest(s, factories.call(
            caller="+447700900777", received_at=call_at,
            text="Call from +447700900777 (2:05).\n\nMy window is still broken.",
            direction="inbound", status="completed", duration=125,
            **{"from": "+447700900777"}, to="+441130000000", recording_url=RECORDING_URL,
            body_parts={"new": "My window is still broken.", "quoted": "", "signature": ""},
        ), call_at)
        other = factories.customer(s, email="otto@example.com", name="Otto Other")
        theirs = ingest(s, factories.email(sender="otto@example.com", subject="Not Polly's",
                                           received_at=start), start)
        assert call.thread_id == roof.thread_id  # a call joins the latest open thread
        return {"window": window.thread_id, "roof": roof.thread_id, "call": call.message_id,
                "theirs": theirs.thread_id, "claim": claim.id, "customer": owner.id,
                "other": other.id, "roof_message": roof.message_id}  # type: ignore[dict-item]


def _store_recording(db: Database, message_id: int) -> str:
    with db.transaction() as s:
        sha = s.info[CONFIG_KEY].blobs.put(AUDIO)
        message = s.get(Message, message_id)
        assert message is not None
        s.add(Attachment(message_id=message_id, sha256=sha, filename="recording-CA1.mp3",
                         content_type="audio/mpeg", size=len(AUDIO)))
        message.extras = {**message.extras, "media_fetched": {RECORDING_URL: sha}}
    return sha


def test_the_page_shows_the_card_and_the_call(app: Flask, committed_db: Database,
                                              threads: dict[str, int]) -> None:
    rep = app.test_client()
    signed_in_as(rep, committed_db, "rep")
    page = rep.get(f"/threads/{threads['roof']}").get_data(as_text=True)
    # The card: identities, policy, claim, the other thread with a link.
    assert 'aria-label="Customer"' in page
    for text in ("Polly Plum", "polly@example.com", "+447700900777", "household",
                 "in_review", f'href="/threads/{threads["window"]}"', "Window CLM-"):
        assert text in page, text
    assert "Otto" not in page
    # The call: direction, numbers, mm:ss, transcript; the recording is being fetched.
    assert '<dd class="call-duration">2:05</dd>' in page
    assert '<div class="meta call-details">completed · 2:05 · recorded</div>' in page
    assert "+441130000000" in page
    assert "My window is still broken." in page
    assert "being fetched from Twilio" in page
    assert "api.twilio.com" not in page

    sha = _store_recording(committed_db, threads["call"])
    page = rep.get(f"/threads/{threads['roof']}").get_data(as_text=True)
    src = f'/messages/{threads["call"]}/recording'
    assert f'<audio controls preload="none" src="{src}">' in page
    assert "api.twilio.com" not in page
    assert sha not in page.split("<audio")[1][:200]
    with rep.get(src) as audio:
        assert (audio.status_code, audio.mimetype, audio.data) == (200, "audio/mpeg", AUDIO)
        assert audio.headers["X-Content-Type-Options"] == "nosniff"
        assert "inline" in audio.headers["Content-Disposition"]
    with rep.get(src, headers={"Range": "bytes=0-9"}) as ranged:
        assert (ranged.status_code, ranged.data) == (206, AUDIO[:10])
    # Not a call, or nobody signed in: nothing.
    assert rep.get(f"/messages/{threads['roof_message']}/recording").status_code == 404
    assert app.test_client().get(src).status_code == 302


def test_merge_from_the_page_and_the_old_url(app: Flask, committed_db: Database,
                                             threads: dict[str, int]) -> None:
    rep = app.test_client()
    signed_in_as(rep, committed_db, "rep")
    window, roof = threads["window"], threads["roof"]
    page = rep.get(f"/threads/{window}").get_data(as_text=True)
    assert f'action="/threads/{window}/merge"' in page
    assert f'<option value="{roof}">#{roof} Roof tiles' in page

    done = rep.post(f"/threads/{window}/merge", data={"into": str(roof), "reason": "one matter"})
    assert (done.status_code, done.headers["Location"]) == (303, f"/threads/{roof}")
    shown = rep.get(f"/threads/{roof}").get_data(as_text=True)
    assert f"Thread #{window} was merged into this thread." in shown
    assert "The window broke." in shown
    assert "Tiles fell off." in shown

    old = rep.get(f"/threads/{window}")
    assert (old.status_code, old.headers["Location"]) == (303, f"/threads/{roof}")
    followed = rep.get(f"/threads/{window}", follow_redirects=True).get_data(as_text=True)
    assert f"Thread #{window} was merged into this thread (#{roof})." in followed
    with committed_db.transaction() as s:
        merged, target = s.get(Thread, window), s.get(Thread, roof)
        assert merged is not None
        assert target is not None
        assert (merged.status, merged.merged_into_id) == ("closed", roof)
        assert target.claim_id == threads["claim"]
        assert s.scalar(sa.select(AuditEvent.reason).where(
            AuditEvent.action == "thread.merged", AuditEvent.entity_id == window)) == "one matter"

    # A message filed into the old thread while the merge committed: the old
    # page shows it with a button that sweeps it over.
    with committed_db.transaction() as s:
        s.add(Message(thread_id=window, customer_id=threads["customer"], channel="sms",
                      direction="inbound", external_id="SM-late", text="One more thing",
                      received_at=datetime.now(UTC), created_at=datetime.now(UTC)))
    straggler = rep.get(f"/threads/{window}").get_data(as_text=True)
    assert "1 message(s) reached it since" in straggler
    assert f"Merge again into thread #{roof}" in straggler
    again = rep.post(f"/threads/{window}/merge", data={"into": str(roof)})
    assert again.headers["Location"] == f"/threads/{roof}"
    assert "One more thing" in rep.get(f"/threads/{roof}").get_data(as_text=True)
    assert rep.get(f"/threads/{window}").status_code == 303

    refused = rep.post(f"/threads/{roof}/merge", data={"into": str(threads["theirs"])},
                       follow_redirects=True).get_data(as_text=True)
    assert "Not done:" in refused
    assert "different customers" in refused
    missing = rep.post(f"/threads/{roof}/merge", data={"into": "x"}, follow_redirects=True)
    assert "choose the thread to merge into" in missing.get_data(as_text=True)
    with committed_db.transaction() as s:
        theirs = s.get(Thread, threads["theirs"])
        assert theirs is not None
        assert theirs.merged_into_id is None


def test_split_and_move_from_the_page(app: Flask, committed_db: Database,
                                      threads: dict[str, int]) -> None:
    rep = app.test_client()
    signed_in_as(rep, committed_db, "rep")
    roof, window, call = threads["roof"], threads["window"], threads["call"]
    page = rep.get(f"/threads/{roof}").get_data(as_text=True)
    assert f'name="message_ids" value="{call}" form="split-form"' in page
    assert f'formaction="/messages/{call}/move"' in page

    moved = rep.post(f"/messages/{call}/move", data={"into": str(window)},
                     follow_redirects=True).get_data(as_text=True)
    assert f"The message was moved to thread #{window}" in moved
    with committed_db.transaction() as s:
        assert s.get(Message, call).thread_id == window  # type: ignore[union-attr]

    lonely = rep.post(f"/messages/{threads['roof_message']}/move", data={"into": str(window)},
                      follow_redirects=True).get_data(as_text=True)
    assert "merge the thread instead" in lonely

    split = rep.post(f"/threads/{window}/split",
                     data={"message_ids": [str(call)], "subject": "Phone call"})
    assert split.status_code == 303
    new_id = int(split.headers["Location"].rsplit("/", 1)[1])
    with committed_db.transaction() as s:
        new = s.get(Thread, new_id)
        assert new is not None
        assert (new.subject, [m.id for m in new.messages]) == ("Phone call", [call])
        assert new.needs_reply is True
    no_subject = rep.post(f"/threads/{new_id}/split", data={"message_ids": [str(call)]},
                          follow_redirects=True).get_data(as_text=True)
    assert "needs a subject" in no_subject


def test_only_workers_organise_threads(app: Flask, committed_db: Database,
                                       threads: dict[str, int]) -> None:
    assert PERMISSIONS["thread.organize"] == {"rep", "supervisor", "admin"}
    lead = app.test_client()
    signed_in_as(lead, committed_db, "lead")
    page = lead.get(f"/threads/{threads['roof']}").get_data(as_text=True)
    assert "/merge" not in page
    assert "split-form" not in page
    assert 'aria-label="Customer"' in page  # the card is for everyone who may read
    assert lead.post(f"/threads/{threads['window']}/merge",
                     data={"into": str(threads["roof"])}).status_code == 403
    assert lead.post(f"/messages/{threads['call']}/move",
                     data={"into": str(threads["window"])}).status_code == 403
    assert lead.post(f"/threads/{threads['roof']}/split",
                     data={"message_ids": [str(threads["call"])], "subject": "x"}
                     ).status_code == 403
    with committed_db.transaction() as s:
        assert s.get(Thread, threads["window"]).merged_into_id is None  # type: ignore[union-attr]


def test_presence_shows_the_other_user_and_expires(app: Flask, committed_db: Database,
                                                   threads: dict[str, int]) -> None:
    roof = threads["roof"]
    anna, bert = app.test_client(), app.test_client()
    anna_id = signed_in_as(anna, committed_db, "rep")
    signed_in_as(bert, committed_db, "supervisor")
    page = anna.get(f"/threads/{roof}").get_data(as_text=True)
    assert f'data-url="/threads/{roof}/presence"' in page
    assert '<script src="/static/presence.js" defer></script>' in page
    assert 'data-interval-ms="100"' in page  # a third of the time to live
    with anna.get("/static/presence.js") as script:
        assert script.status_code == 200
        assert b"X-CSRFToken" in script.data

    mine = anna.post(f"/threads/{roof}/presence", data={"state": "viewing"}).get_json()
    assert mine == {"available": True, "ttl_seconds": TTL, "others": []}
    seen = bert.get(f"/threads/{roof}/presence").get_json()
    assert [(o["user_id"], o["state"]) for o in seen["others"]] == [(anna_id, "viewing")]
    assert seen["others"][0]["name"].startswith("rep")
    anna.post(f"/threads/{roof}/presence", data={"state": "replying"})
    # Bert's own heartbeat answers with the others too.
    answer = bert.post(f"/threads/{roof}/presence", data={"state": "viewing"}).get_json()
    assert [(o["user_id"], o["state"]) for o in answer["others"]] == [(anna_id, "replying")]
    assert anna.get(f"/threads/{roof}/presence").get_json()["others"][0]["state"] == "viewing"
    # Other threads see nobody; a bad state is refused; an unknown thread is 404.
    assert bert.get(f"/threads/{threads['window']}/presence").get_json()["others"] == []
    bad = anna.post(f"/threads/{roof}/presence", data={"state": "dancing"})
    assert bad.status_code == 400
    assert "state" in bad.get_json()["error"]
    assert anna.get("/threads/999999999/presence").status_code == 404

    time.sleep(TTL * 1.5)  # Anna's page stopped beating
    assert bert.get(f"/threads/{roof}/presence").get_json()["others"] == []
    anna.post(f"/threads/{roof}/presence", data={"state": "viewing"})
    anna.post(f"/threads/{roof}/presence", data={"state": "left"})  # the page closed
    assert bert.get(f"/threads/{roof}/presence").get_json()["others"] == []


def test_without_redis_the_page_works_and_presence_says_so(
        settings: Settings, committed_db: Database, threads: dict[str, int]) -> None:
    app = create_app(replace(settings, redis_url="redis://127.0.0.1:1/0"))
    app.config["TESTING"] = True
    try:
        rep = app.test_client()
        signed_in_as(rep, committed_db, "rep")
        page = rep.get(f"/threads/{threads['roof']}")
        assert page.status_code == 200
        assert 'id="presence"' in page.get_data(as_text=True)
        for response in (rep.get(f"/threads/{threads['roof']}/presence"),
                         rep.post(f"/threads/{threads['roof']}/presence",
                                  data={"state": "viewing"})):
            assert response.status_code == 503
            assert response.get_json()["available"] is False
    finally:
        app.extensions["inbox.db"].engine.dispose()
