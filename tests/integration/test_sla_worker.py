"""The SLA sweep through real RQ workers on PostgreSQL: threads aged through a
fake clock (each job is given its ``now``), every sweep enqueued twice and
run by two ``inbox worker --burst`` processes at once. Warnings, breaches
and escalations happen exactly once each; the assignee and the supervisor
get their notifications and an email through a real SMTP server; the
policies come from ``[sla]`` in the config file and are written to the table
by the sweep."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from rq.job import JobStatus

from config import Settings, load_settings
from inbox import create_app, ingest
from inbox.jobs.base import enqueue
from inbox.jobs.sla import sla_sweep
from inbox.migrations import upgrade
from inbox.models import Escalation, Message, Notification, Thread
from inbox.models.sla import SlaEvent, SlaPolicy
from inbox.outbound import mark_answered
from inbox.workspace.assignment import assign
from tests import factories as f
from tests.conftest import NOW, POSTGRES_ADMIN_URL
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
H = timedelta(hours=1)
M = timedelta(minutes=1)
CONFIG = """
[[email]]
name = "claims"
address = "claims@insurer.test"
imap_host = "127.0.0.1"
imap_port = 1
imap_security = "none"
username = "unused"
password_env = "UNUSED_IMAP_PASSWORD"
smtp_host = "127.0.0.1"
smtp_port = {port}
smtp_security = "none"

[sla]
warn_at = 0.8

[[sla.policies]]
key = "fast"
name = "Fast lane"
first_response = "4h"
resolution = "40h"
on_breach = "reassign"
"""


@pytest.fixture
def postgres_db() -> Iterator[str]:
    """A migrated PostgreSQL database of its own, committed to by the test and
    by the workers."""
    name = f"inbox_sla_{uuid.uuid4().hex[:8]}"
    admin_url = POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(
        hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def worker_env(settings: Settings, config: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("INBOX_")}
    return env | {
        "INBOX_CONFIG": str(config), "INBOX_DATABASE_URL": settings.database_url,
        "INBOX_REDIS_URL": settings.redis_url, "INBOX_INSTANCE_DIR": str(settings.instance_dir),
        "INBOX_BLOB_DIR": str(settings.blob_dir), "INBOX_LOG_LEVEL": "WARNING",
    }


def two_workers(env: dict[str, str]) -> None:
    """Two `inbox worker --burst` processes at once, as two servers would run."""
    command = [sys.executable, "-c", "from inbox.cli import main; main()", "worker", "--burst",
               "--queues", "scheduled"]
    workers = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for worker in workers:
        _out, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err


def test_workers_age_threads_through_a_fake_clock_and_act_once_each(
        tmp_path: Path, postgres_db: str, redis_url: str, conn: redis.Redis,
        smtp: SmtpServer) -> None:
    config = tmp_path / "inbox.toml"
    config.write_text(CONFIG.format(port=smtp.port))
    settings = load_settings(env={"INBOX_CONFIG": str(config)}, overrides={
        "database_url": postgres_db, "redis_url": redis_url,
        "instance_dir": str(tmp_path / "instance"), "blob_dir": str(tmp_path / "blobs")})
    app = create_app(settings)
    db = app.extensions["inbox.db"]
    t0 = NOW
    try:
        with db.transaction() as session:
            supervisor = f.user(session, role="supervisor", team="motor",
                                email="sue@insurer.test")
            rep = f.user(session, role="rep", team="motor", email="rob@insurer.test")
            f.customer(session, email="ann@example.com")
            f.customer(session, email="ben@example.com")
            f.customer(session, email="cat@example.com")

            def filed(sender: str, subject: str, at: datetime) -> Thread:
                result = ingest(session, f.email(sender=sender, subject=subject,
                                                 text=subject, received_at=at), at)
                assert result.thread is not None
                return result.thread

            one = filed("ann@example.com", "Car accident", t0)  # due t0+4h, warned t0+3h12
            assign(session, one, rep.id, t0)
            two = filed("ben@example.com", "Hail", t0 + H)  # unassigned: due t0+5h
            three = filed("cat@example.com", "Roof", t0)
            assign(session, three, rep.id, t0)
            session.add(Message(thread_id=three.id, customer_id=three.customer_id,
                                channel="email", direction="outbound",
                                external_id="answer-3@insurer.test", received_at=t0 + H,
                                text="We are on it.", created_at=t0 + H))
            session.flush()
            mark_answered(three, t0 + H)  # in time: met
            ids = {"one": one.id, "two": two.id, "three": three.id}
            assert one.sla_policy_key == "fast"
        people = {"sue": supervisor.id, "rob": rep.id}

        expected = {
            # now: (warnings, breaches, escalations) summed over the two runs
            t0 + 3 * H + 30 * M: (1, 0, 0),
            t0 + 4 * H + 30 * M: (1, 1, 1),
            t0 + 5 * H + 30 * M: (0, 1, 1),
            t0 + 41 * H: (0, 3, 1),
        }
        env = worker_env(settings, config)
        for now, (warnings, breaches, escalations) in expected.items():
            jobs = [enqueue(sla_sweep, now=now.isoformat(), connection=conn) for _ in range(2)]
            two_workers(env)
            results = []
            for job in jobs:
                job.refresh()
                assert job.get_status() == JobStatus.FINISHED, job.latest_result().exc_string  # type: ignore[union-attr]
                results.append(job.return_value())
            assert sum(r["warnings"] for r in results) == warnings, (now, results)
            assert sum(r["breaches"] for r in results) == breaches, (now, results)
            assert sum(r["escalations"] for r in results) == escalations, (now, results)

        with db.transaction() as session:
            happened = Counter(
                (thread_id, target, kind) for thread_id, target, kind in session.execute(
                    sa.select(SlaEvent.thread_id, SlaEvent.target, SlaEvent.kind)))
            assert happened == Counter({
                (ids["one"], "first_response", "warning"): 1,
                (ids["one"], "first_response", "breach"): 1,
                (ids["one"], "resolution", "breach"): 1,  # its warning and breach in one go
                (ids["two"], "first_response", "warning"): 1,
                (ids["two"], "first_response", "breach"): 1,
                (ids["two"], "resolution", "breach"): 1,
                (ids["three"], "first_response", "met"): 1,
                (ids["three"], "resolution", "breach"): 1,
            })
            escalated = Counter(session.scalars(sa.select(Escalation.thread_id).where(
                Escalation.source == "sla")))
            assert escalated == Counter({ids["one"]: 1, ids["two"]: 1, ids["three"]: 1})
            assert set(session.scalars(sa.select(Escalation.supervisor_id))) == {people["sue"]}
            # reassigned to the supervisor, per the policy
            assert set(session.scalars(sa.select(Thread.assignee_id).where(
                Thread.id.in_(ids.values())))) == {people["sue"]}
            notes = Counter(session.execute(sa.select(Notification.user_id, Notification.kind)))
            assert notes == Counter({(people["rob"], "sla_warning"): 1,
                                     (people["sue"], "escalation"): 3})
            # The sweep wrote [sla]'s policy to the table, once.
            assert sorted(session.scalars(sa.select(SlaPolicy.key))) == ["default", "fast"]
            events = session.scalars(sa.select(SlaEvent).where(
                SlaEvent.thread_id == ids["one"], SlaEvent.kind == "warning")).one()
            assert (events.assignee_id, events.team, events.policy_key) == (
                people["rob"], "motor", "fast")
        # One email per person and sweep: Rob's warning, then Sue's escalations.
        mail = Counter(tuple(m.rcpt_tos) for m in smtp.messages)
        assert mail == Counter({("rob@insurer.test",): 1, ("sue@insurer.test",): 3})
        assert "first response of thread" in smtp.messages[0].parsed().get_content()
    finally:
        db.engine.dispose()
