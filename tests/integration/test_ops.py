"""The endpoints machines call (/healthz, /readyz, /metrics), request ids,
and a job's log lines, against real PostgreSQL/SQLite and Redis."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from rq import Queue

from config import Mailbox, Settings
from inbox.database import Database
from inbox.models import ChannelEvent, FailedIntake, MailboxState
from tests.integration.conftest import app_on_redis
from tests.integration.test_jobs import make_settings, run_inbox

pytestmark = pytest.mark.integration

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


def log_and_fail(address: str) -> None:
    """A job whose log line names a customer (imported by the worker from here)."""
    import logging

    logging.getLogger("tests.ops").error("no customer for %s", address)
    raise RuntimeError("deliberately failed")


def _mailboxes() -> tuple[Mailbox, ...]:
    return tuple(
        Mailbox(name=name, address=f"{name}@insurer.test", imap_host="127.0.0.1", imap_port=1,
                imap_security="none", username=name, folders=("INBOX",))
        for name in ("claims", "complaints"))


def _metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    prefix = f"{name}{{{wanted}}} " if labels else f"{name} "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line[len(prefix):])
    raise AssertionError(f"{prefix!r} not in metrics:\n{text}")


def test_healthz_is_liveness_without_dependencies(settings: Settings) -> None:
    with app_on_redis(settings, CLOSED_PORT_REDIS) as app:
        response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_mailboxes_queues_and_what_needs_attention(
    settings: Settings, committed_db: Database, redis_url: str, conn: redis.Redis,
) -> None:
    now = datetime.now(UTC)
    with committed_db.transaction() as session:
        session.add(MailboxState(mailbox="claims", folder="INBOX", last_uid=10, status="idle",
                                 last_attempt_at=now, last_success_at=now - timedelta(minutes=2)))
        session.add(MailboxState(mailbox="complaints", folder="INBOX", last_uid=3,
                                 status="error", error="authentication failed",
                                 last_attempt_at=now,
                                 last_success_at=now - timedelta(hours=3)))
    Queue("intake", connection=conn).enqueue(log_and_fail, "x")
    Queue("intake", connection=conn).enqueue(log_and_fail, "y")

    with app_on_redis(settings, redis_url, mailboxes=_mailboxes()) as app:
        response = app.test_client().get("/readyz")
    assert response.status_code == 200
    report = response.json
    assert report["status"] == "degraded"
    assert report["database"]["ok"] is True
    assert report["redis"]["ok"] is True
    by_name = {m["mailbox"]: m for m in report["mailboxes"]}
    assert by_name["claims"]["stale"] is False
    assert 100 < by_name["claims"]["age_seconds"] < 200
    assert by_name["complaints"]["stale"] is True
    assert by_name["complaints"]["status"] == "error"
    assert by_name["complaints"]["error"] == "authentication failed"
    assert report["queues"]["intake"]["depth"] == 2
    assert report["queues"]["intake"]["oldest_job_age_seconds"] >= 0
    assert report["queues"]["ocr"]["depth"] == 0
    assert report["workers"] == 0
    assert "no worker running" in report["problems"]
    assert "mailbox complaints/INBOX stale or failing" in report["problems"]
    assert not any("claims/INBOX" in problem for problem in report["problems"])


def test_readyz_is_503_when_redis_or_the_database_is_down(
    settings: Settings, committed_db: Database, tmp_path: Path, redis_url: str,
) -> None:
    with app_on_redis(settings, CLOSED_PORT_REDIS) as app:
        response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["redis"] == {"ok": False, "error": "ConnectionError"}
    assert response.json["database"]["ok"] is True

    gone = replace(settings, database_url="postgresql://nobody@127.0.0.1:1/nowhere")
    with app_on_redis(gone, redis_url) as app:
        response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["database"] == {"ok": False, "error": "OperationalError"}
    assert response.json["redis"]["ok"] is True
    assert "127.0.0.1:1" not in response.get_data(as_text=True)  # no hosts to strangers


def test_metrics_count_requests_by_rule_and_show_the_system_state(
    settings: Settings, committed_db: Database, redis_url: str, conn: redis.Redis,
) -> None:
    with committed_db.transaction() as session:
        session.add(FailedIntake(channel="email", external_id=f"<{uuid.uuid4()}@x>",
                                 error="unparseable", created_at=datetime.now(UTC),
                                 updated_at=datetime.now(UTC)))
        session.add(ChannelEvent(channel="twilio", kind="sms", sid=f"SM{uuid.uuid4().hex}",
                                 params={}, dedupe_key=uuid.uuid4().hex,
                                 received_at=datetime.now(UTC) - timedelta(minutes=10)))
    Queue("outbound", connection=conn).enqueue(log_and_fail, "z")
    with app_on_redis(settings, redis_url, mailboxes=_mailboxes()) as app:
        client = app.test_client()
        before = client.get("/metrics").get_data(as_text=True)
        for thread_id in (101, 102, 103):
            client.get(f"/threads/{thread_id}")  # not signed in: a redirect
        client.get("/no/such/page")
        text = client.get("/metrics").get_data(as_text=True)
    rule = "/threads/<int:thread_id>"
    counted = _metric(text, "inbox_http_requests_total", endpoint=rule, method="GET",
                      status="302")
    try:
        earlier = _metric(before, "inbox_http_requests_total", endpoint=rule, method="GET",
                          status="302")
    except AssertionError:
        earlier = 0.0
    assert counted - earlier == 3
    assert _metric(text, "inbox_http_requests_total", endpoint="unmatched", method="GET",
                   status="404") >= 1
    assert "/threads/101" not in text  # the rule, never the path
    assert _metric(text, "inbox_dependency_up", service="database") == 1
    assert _metric(text, "inbox_dependency_up", service="redis") == 1
    assert _metric(text, "inbox_queue_depth", queue="outbound") == 1
    assert _metric(text, "inbox_queue_depth", queue="intake") == 0
    assert _metric(text, "inbox_failed_intakes") >= 1
    assert _metric(text, "inbox_pending_channel_events") >= 1
    assert _metric(text, "inbox_oldest_pending_channel_event_age_seconds") >= 590
    assert _metric(text, "inbox_mailbox_last_success_age_seconds", mailbox="claims",
                   folder="INBOX") == float("inf")
    assert _metric(text, "inbox_workers") == 0


def test_metrics_show_a_dead_redis_instead_of_failing(
    settings: Settings, committed_db: Database,
) -> None:
    with app_on_redis(settings, CLOSED_PORT_REDIS) as app:
        response = app.test_client().get("/metrics")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert _metric(text, "inbox_dependency_up", service="redis") == 0
    assert _metric(text, "inbox_dependency_up", service="database") == 1


def test_metrics_ask_for_the_token_when_one_is_set(
    settings: Settings, committed_db: Database, redis_url: str,
) -> None:
    with app_on_redis(settings, redis_url, metrics_token="s3cret-metrics") as app:
        client = app.test_client()
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}
                          ).status_code == 401
        ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"})
    assert ok.status_code == 200
    assert "inbox_queue_depth" in ok.get_data(as_text=True)


def test_request_ids_are_kept_when_sane_and_logged(
    settings: Settings, committed_db: Database, capsys: pytest.CaptureFixture[str],
) -> None:
    with app_on_redis(settings, CLOSED_PORT_REDIS, log_format="json") as app:
        client = app.test_client()
        kept = client.get("/readyz", headers={"X-Request-ID": "lb-7f3a9c21"})
        replaced = client.get("/healthz", headers={"X-Request-ID": "<script>x</script> not an id"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a9c21"
    assert replaced.headers["X-Request-ID"] != "<script>x</script> not an id"
    assert len(replaced.headers["X-Request-ID"]) == 32
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()
             if line.startswith("{")]
    mine = [line for line in lines if line["request_id"] == "lb-7f3a9c21"]
    assert {line["logger"] for line in mine} >= {"inbox.observability.health", "inbox.access"}
    assert any(line["message"] == "GET /readyz 503" or
               line["message"].startswith("GET /readyz 503 ") for line in mine)


def test_a_jobs_log_lines_carry_its_id_and_no_address(
    tmp_path: Path, redis_url: str, conn: redis.Redis,
) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'w.sqlite3'}", redis_url)
    job = Queue("default", connection=conn).enqueue(log_and_fail, "maria.papadopoulou@example.gr")
    worked = run_inbox(settings, "worker", "--burst", "--queues", "default",
                       env_extra={"INBOX_LOG_FORMAT": "json", "INBOX_LOG_LEVEL": "INFO"})
    assert worked.returncode == 0, worked.stderr
    output = worked.stdout + worked.stderr
    assert "maria.papadopoulou@example.gr" not in output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    ours = [line for line in lines if line["logger"] == "tests.ops"]
    assert len(ours) == 1, output
    assert ours[0]["message"] == "no customer for m…@example.gr"
    assert ours[0]["job_id"] == job.id
    assert ours[0]["job"] == "tests.integration.test_ops.log_and_fail"


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(
    settings: Settings, committed_db: Database,
) -> None:
    from flask import request

    seen: list[str | None] = []
    for hops in (0, 1):
        with app_on_redis(settings, CLOSED_PORT_REDIS, proxy_hops=hops) as app:
            app.before_request(lambda: seen.append(request.remote_addr))
            app.test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"},
                                  environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert seen == ["10.0.0.2", "203.0.113.9"]
