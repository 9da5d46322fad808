"""The customer portal against real services: the app on a test Redis (jobs
run by an in-process RQ worker), a real SMTP server for sign-in links and
the local Twilio API (the real SDK) for SMS codes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue, SimpleWorker
from rq.job import JobStatus

from config import Settings
from config.email import Mailbox
from config.portal import PortalSettings
from inbox import create_app
from inbox.database import Database
from tests import factories
from tests.servers.dovecot import test_ca  # noqa: F401 - fixture
from tests.servers.smtp import SmtpServer, smtp_server, smtp_server_factory  # noqa: F401
from tests.servers.twilio import FakeTwilio, fake_twilio  # noqa: F401 - fixture
from tests.web import csrf_token

PUBLIC_URL = "https://portal.insurer.test"
LINK = re.compile(re.escape(PUBLIC_URL) + r"/portal/link/([A-Za-z0-9_-]+)")
CODE = re.compile(r"\b(\d{6})\b")


@dataclass
class Person:
    customer_id: int
    email: str
    phone: str
    policy: str
    claim: str
    claim_id: int


@pytest.fixture
def portal_settings(settings: Settings, smtp_server: SmtpServer,  # noqa: F811
                    fake_twilio: FakeTwilio) -> Settings:  # noqa: F811
    box = Mailbox(name="claims", address="claims@insurer.test", imap_host="127.0.0.1",
                  imap_port=1, imap_security="none", username="unused",
                  password_env="UNUSED", smtp_host=smtp_server.host, smtp_port=smtp_server.port,
                  smtp_security="none", smtp_username="", smtp_password_env="", ca_file="",
                  env={})
    return replace(settings, mailboxes=(box,), twilio=fake_twilio.settings(),
                   portal=PortalSettings(public_url=PUBLIC_URL))


@pytest.fixture
def portal_app(portal_settings: Settings, committed_db: Database,
               redis_url: str) -> Iterator[Flask]:
    app = create_app(replace(portal_settings, redis_url=redis_url))
    app.config["TESTING"] = True
    yield app
    app.extensions["inbox.db"].engine.dispose()


@pytest.fixture
def client(portal_app: Flask) -> FlaskClient:
    # Not ``with``: a client kept open keeps its app context (and ``g``, where
    # the CSRF token is cached) pushed under a second client's requests.
    return portal_app.test_client()


def person(db: Database, name: str = "Eleni Papadopoulou", *, email: str = "eleni@example.gr",
           phone: str = "+30 691 234 5678", language: str = "el", **claim: Any) -> Person:
    with db.transaction() as session:
        owner = factories.customer(session, name=name, email=email, phone=phone,
                                   language=language)
        pol = factories.policy(session, owner)
        found = factories.claim(session, pol, **claim)
        return Person(owner.id, email, phone, pol.number, found.number, found.id)


def run_jobs(app: Flask, conn: redis.Redis, *queues: str) -> list[Any]:
    """What ``inbox worker --burst`` does, here: drain ``queues`` in this process."""
    names = queues or ("outbound", "ocr")
    jobs = [job for name in names for job in Queue(name, connection=conn).get_jobs()]
    with app.app_context():
        SimpleWorker([Queue(n, connection=conn) for n in names], connection=conn).work(
            burst=True)
    for job in jobs:
        job.refresh()
        assert job.get_status() == JobStatus.FINISHED, job.exc_info
    return [job.return_value() for job in jobs]


def ask(client: FlaskClient, contact: str, reference: str, **extra: str) -> Any:
    token = csrf_token(client.get("/portal/sign-in").get_data(as_text=True))
    return client.post("/portal/sign-in", data={"contact": contact, "reference": reference,
                                                "csrf_token": token, **extra})


def post_form(client: FlaskClient, url: str, data: dict[str, Any], page: str | None = None,
              **kw: Any) -> Any:
    token = csrf_token(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, **kw)


def sign_in_by_link(client: FlaskClient, app: Flask, conn: redis.Redis, smtp: SmtpServer,
                    who: Person) -> str:
    """The whole email flow; returns the link's token."""
    before = len(smtp.messages)
    assert ask(client, who.email, who.policy).status_code == 302
    run_jobs(app, conn, "outbound")
    assert len(smtp.messages) == before + 1
    mail = smtp.messages[-1]
    found = LINK.search(mail.parsed().get_body(("plain",)).get_content())
    assert found is not None
    token = found.group(1)
    response = post_form(client, f"/portal/link/{token}", {})
    assert response.status_code == 302
    assert response.location.endswith("/portal/")
    return token


def signed_in(client: FlaskClient, app: Flask, db: Database, who: Person,
              language: str = "en") -> None:
    """A portal session for ``who`` on ``client`` (the sign-in itself is
    tested in test_signin.py)."""
    from datetime import UTC, datetime

    from inbox.portal import signin

    settings = app.config["SETTINGS"]
    secret = str(app.config["SECRET_KEY"]).encode()
    now = datetime.now(UTC)
    with db.transaction() as session:
        asked = signin.request_sign_in(session, settings, secret, contact=who.email,
                                       reference=who.policy, client=f"test-{who.customer_id}",
                                       language=language, link_base="", now=now)
        row = session.get(signin.PortalSignIn, asked.sign_in_id)
        assert row is not None
        done = signin.redeem_link(session, settings, secret,
                                  signin.link_token(secret, row.salt), now)
    with client.session_transaction() as cookie:
        cookie["portal_token"] = done.token
        cookie["portal_language"] = language
