"""The queue's few seconds of caching (inbox.answer_cache), on a
real Redis: reps asking the same question share one answer until it
expires, a rep's own committed change is never hidden from that rep, views
that depend on the rep are not shared, and Redis trouble costs nothing but
the cache."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import redis
import sqlalchemy as sa
from flask import Flask

from config import Settings
from inbox import create_app, ingest
from inbox.answer_cache import QUEUE as PREFIX
from inbox.answer_cache import STALE_FACTOR, AnswerCache
from inbox.database import Database
from inbox.models import Thread
from tests import factories
from tests.integration.conftest import app_on_redis
from tests.integration.test_api import bearer, token_for
from tests.web import signed_in_as

pytestmark = pytest.mark.integration
TTL = 60.0  # long enough that nothing expires during a test unless it is meant to


@pytest.fixture
def cached_app(settings: Settings, committed_db: Database, redis_url: str) -> Iterator[Flask]:
    with app_on_redis(settings, redis_url, queue_cache_seconds=TTL) as app:
        yield app


def mail(db: Database, subject: str, minutes: int = 0) -> int:
    now = datetime.now(UTC) - timedelta(hours=1) + timedelta(minutes=minutes)
    with db.transaction() as s:
        sender = f"cache-{subject.lower().replace(' ', '-')}@example.com"
        factories.customer(s, email=sender)
        return ingest(s, factories.email(sender=sender, subject=subject, received_at=now),
                      now).thread_id


@pytest.fixture
def quiet_queue(committed_db: Database) -> None:
    with committed_db.transaction() as s:
        s.execute(sa.update(Thread).where(Thread.status == "open").values(status="closed"))


def test_reps_share_an_answer_until_it_expires(
        cached_app: Flask, committed_db: Database, conn: redis.Redis, quiet_queue: None) -> None:
    mail(committed_db, "Burst pipe")
    ann, bob = cached_app.test_client(), cached_app.test_client()
    signed_in_as(ann, committed_db, "rep")
    signed_in_as(bob, committed_db, "rep")
    assert "Burst pipe" in ann.get("/").get_data(as_text=True)
    # Filed by the intake, not by a rep: others see it when the answer expires.
    mail(committed_db, "Hail on the car", minutes=5)
    assert "Hail on the car" not in bob.get("/queue/rows").get_data(as_text=True)
    assert "Hail on the car" not in bob.get("/").get_data(as_text=True)
    fresh = list(conn.scan_iter(f"{PREFIX}:f:*"))
    assert len(fresh) == 1  # the page and the rows it polls ask the same question
    assert 0 < conn.pttl(fresh[0]) <= TTL * 1000
    conn.delete(fresh[0])  # what expiry does: the answer is stale
    assert "Hail on the car" in bob.get("/queue/rows").get_data(as_text=True)
    # Another question (a filter) is answered afresh.
    assert "Hail on the car" in ann.get("/?channel=email").get_data(as_text=True)


def test_a_reps_own_change_shows_at_once(
        cached_app: Flask, committed_db: Database, quiet_queue: None) -> None:
    thread_id = mail(committed_db, "Stolen bike")
    ann, bob = cached_app.test_client(), cached_app.test_client()
    ann_id = signed_in_as(ann, committed_db, "rep")
    signed_in_as(bob, committed_db, "rep")
    for client in (ann, bob):
        assert "Stolen bike" in client.get("/?view=unassigned").get_data(as_text=True)
    taken = ann.post("/queue/next")
    assert taken.headers["Location"].endswith(f"/threads/{thread_id}")
    assert "Stolen bike" not in ann.get("/?view=unassigned").get_data(as_text=True)
    assert "Stolen bike" in ann.get("/?view=mine").get_data(as_text=True)
    # Ann's fresh answer replaced the shared one: Bob gets it too.
    assert "Stolen bike" not in bob.get("/?view=unassigned").get_data(as_text=True)
    # "My work" is not shared between reps.
    assert "Stolen bike" not in bob.get("/?view=mine").get_data(as_text=True)
    with committed_db.transaction() as s:
        assert s.get(Thread, thread_id).assignee_id == ann_id  # type: ignore[union-attr]


def test_the_api_is_cached_the_same_way(
        cached_app: Flask, committed_db: Database, quiet_queue: None) -> None:
    first = mail(committed_db, "Flooded cellar")
    _, ann = token_for(committed_db)
    _, bob = token_for(committed_db)
    client = cached_app.test_client()
    listed = client.get("/api/v1/queue?view=unassigned", headers=bearer(ann))
    assert listed.status_code == 200
    assert listed.mimetype == "application/json"
    body = listed.get_json()
    assert [t["id"] for t in body["items"]] == [first]
    assert body["page"]["total"] == 1
    second = mail(committed_db, "Cracked window", minutes=5)
    shared = client.get("/api/v1/queue?view=unassigned", headers=bearer(bob)).get_json()
    assert shared == body
    assert client.patch(f"/api/v1/threads/{first}", json={"status": "closed"},
                        headers=bearer(ann)).status_code == 200
    own = client.get("/api/v1/queue?view=unassigned", headers=bearer(ann)).get_json()
    assert [t["id"] for t in own["items"]] == [second]
    assert client.get("/api/v1/queue?view=unassigned&per_page=5",
                      headers=bearer(bob)).get_json()["page"]["total"] == 1


def test_redis_down_or_cache_off_answers_without_it(
        settings: Settings, committed_db: Database, quiet_queue: None) -> None:
    mail(committed_db, "Dented door")
    down = create_app(replace(settings, redis_url="redis://127.0.0.1:1/0",
                              queue_cache_seconds=TTL))
    client = down.test_client()
    signed_in_as(client, committed_db, "rep")
    assert "Dented door" in client.get("/").get_data(as_text=True)
    assert client.post("/queue/next").status_code == 303  # the write's stamp fails quietly
    down.extensions["inbox.db"].engine.dispose()
    calls = []
    off = AnswerCache(None, TTL)
    assert off.answer("q", 1, lambda: calls.append(1) or b"x") == b"x"
    assert off.answer("q", 1, lambda: calls.append(1) or b"x") == b"x"
    assert len(calls) == 2


def test_a_stale_answer_is_computed_by_one_request_while_others_get_it(
        conn: redis.Redis) -> None:
    cache = AnswerCache(conn, TTL)
    assert cache.answer(["q"], 1, lambda: b"old") == b"old"
    conn.delete(*conn.scan_iter(f"{PREFIX}:f:*"))  # no longer fresh
    conn.set(next(iter(conn.scan_iter(f"{PREFIX}:a:*"))).replace(b":a:", b":l:"), 1)
    # Another request holds the lock: this one is given the stale answer.
    assert cache.answer(["q"], 2, lambda: b"new") == b"old"
    conn.delete(*conn.scan_iter(f"{PREFIX}:l:*"))
    assert cache.answer(["q"], 2, lambda: b"new") == b"new"  # took the lock, computed
    assert not list(conn.scan_iter(f"{PREFIX}:l:*"))  # and let it go
    assert cache.answer(["q"], 3, lambda: b"newer") == b"new"  # fresh again
    entry = next(iter(conn.scan_iter(f"{PREFIX}:a:*")))
    assert TTL * 1000 < conn.pttl(entry) <= TTL * 1000 * STALE_FACTOR


def test_an_answer_older_than_the_users_write_is_not_served(conn: redis.Redis) -> None:
    cache = AnswerCache(conn, TTL)
    built: list[int] = []

    def build() -> bytes:
        built.append(1)
        return b"answer %d" % len(built)

    assert cache.answer(["q"], 7, build) == b"answer 1"
    assert cache.answer(["q"], 8, build) == b"answer 1"
    cache.wrote(7)
    assert cache.answer(["q"], 8, build) == b"answer 1"  # 8 did not write
    assert cache.answer(["q"], 7, build) == b"answer 2"  # 7 did: built afresh, stored
    assert cache.answer(["q"], 8, build) == b"answer 2"
    assert cache.answer(["q"], 7, build) == b"answer 2"  # built after 7's write
    assert conn.pttl(f"{PREFIX}:wrote:7") >= 59_000
