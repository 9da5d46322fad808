"""Signing in to the portal: a one-time link by email, a code by SMS;
expired, reused and forged links refused; nothing tells whether an address
is known; requests rate-limited; sessions end."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from inbox.database import Database
from inbox.models import PortalSession, PortalSignIn
from inbox.portal import signin
from tests.integration.portal.conftest import (
    CODE,
    ask,
    person,
    post_form,
    run_jobs,
    sign_in_by_link,
)
from tests.servers.smtp import SmtpServer
from tests.servers.twilio import FakeTwilio

pytestmark = pytest.mark.integration


def test_a_link_signs_the_customer_in_once(portal_app: Flask, client: FlaskClient,
                                           committed_db: Database, conn: redis.Redis,
                                           smtp_server: SmtpServer) -> None:
    who = person(committed_db)
    response = ask(client, who.email.upper(), f" {who.policy.lower()} ")
    assert response.status_code == 302
    assert response.location.endswith("/portal/sign-in/sent")
    assert run_jobs(portal_app, conn, "outbound") == ["sent"]
    (mail,) = smtp_server.messages
    assert mail.rcpt_tos == [who.email]
    assert mail.parsed()["Auto-Submitted"] == "auto-generated"
    # Written in the language the customer used on the sign-in page (English here).
    assert "sign in" in mail.parsed().get_body(("plain",)).get_content()
    token = mail.parsed().get_body(("plain",)).get_content().split("/portal/link/")[1].split()[0]

    # Opening the link (a mail scanner would) only shows a button.
    page = client.get(f"/portal/link/{token}")
    assert page.status_code == 200
    assert 'method="post"' in page.get_data(as_text=True)
    response = post_form(client, f"/portal/link/{token}", {})
    assert response.status_code == 302
    assert response.location.endswith("/portal/")
    home = client.get("/portal/").get_data(as_text=True)
    assert who.claim in home
    assert "Eleni Papadopoulou" in home

    # The same link again, from another browser: refused.
    if other := portal_app.test_client():
        again = post_form(other, f"/portal/link/{token}", {})
        assert again.status_code == 400
        assert "work once" in again.get_data(as_text=True)
        assert other.get("/portal/").status_code == 302  # not signed in
    # Nothing secret is stored: no token, and the address is cleared once sent.
    with committed_db.transaction() as session:
        row = session.scalars(sa.select(PortalSignIn)).one()
        assert row.contact is None
        assert row.used_at is not None
        assert token not in (row.token_hash, row.salt, row.public_id)


def test_expired_reused_and_forged_links_are_refused(
        portal_app: Flask, client: FlaskClient, committed_db: Database, conn: redis.Redis,
        smtp_server: SmtpServer) -> None:
    who = person(committed_db)
    ask(client, who.email, who.claim)
    run_jobs(portal_app, conn, "outbound")
    text = smtp_server.messages[-1].parsed().get_body(("plain",)).get_content()
    token = text.split("/portal/link/")[1].split()[0]
    with committed_db.transaction() as session:
        row = session.scalars(sa.select(PortalSignIn)).one()
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert post_form(client, f"/portal/link/{token}", {}).status_code == 400  # expired

    forged = [secrets.token_hex(32), token[:-1] + ("0" if token[-1] != "0" else "1"), "x", "",
              "a" * 200]
    for bad in filter(None, forged):
        response = post_form(client, f"/portal/link/{bad}", {}, page="/portal/sign-in")
        assert response.status_code == 400, bad
    assert client.get("/portal/").status_code == 302

    # A fresh link works once; the second use is refused.
    sign_in_by_link(client, portal_app, conn, smtp_server, who)
    second = smtp_server.messages[-1].parsed().get_body(("plain",)).get_content()
    token2 = second.split("/portal/link/")[1].split()[0]
    if other := portal_app.test_client():
        assert post_form(other, f"/portal/link/{token2}", {}).status_code == 400


def test_a_link_for_a_request_that_matched_nobody_cannot_exist(
        portal_app: Flask, committed_db: Database) -> None:
    """Even knowing the app's secret and the row, a request without a
    customer does not sign anybody in."""
    settings = portal_app.config["SETTINGS"]
    secret = str(portal_app.config["SECRET_KEY"]).encode()
    now = datetime.now(UTC)
    with committed_db.transaction() as session:
        asked = signin.request_sign_in(session, settings, secret, contact="nobody@example.com",
                                       reference="POL-999999", client="1.2.3.4",
                                       language="en", link_base="", now=now)
        row = session.get(PortalSignIn, asked.sign_in_id)
        assert row is not None
        assert row.customer_id is None
        assert row.contact is None
        with pytest.raises(signin.LinkRefused):
            signin.redeem_link(session, settings, secret, signin.link_token(secret, row.salt),
                               now)


def test_nothing_tells_whether_an_address_is_known(
        portal_app: Flask, client: FlaskClient, committed_db: Database, conn: redis.Redis,
        smtp_server: SmtpServer) -> None:
    who = person(committed_db)
    other = person(committed_db, "Someone Else", email="else@example.com",
                   phone="+44 7700 900999")
    attempts = [
        (who.email, who.policy),  # right
        (who.email, other.policy),  # another customer's policy
        (who.email, "POL-000000"),  # no such policy
        ("stranger@example.com", who.policy),  # unknown address
    ]
    answers = []
    for contact, reference in attempts:
        response = ask(client, contact, reference)
        answers.append((response.status_code, response.location))
        page = client.get(response.location).get_data(as_text=True)
        # The CSRF token is signed with the time in seconds: it differs when
        # the clock ticks between two requests, whatever the address.
        answers.append(re.sub(r'name="csrf_token" value="[^"]*"', "csrf", page))
    assert answers[0::2] == [answers[0]] * 4
    assert len(set(answers[1::2])) == 1
    # Each request was recorded and went through the sender; one mail left.
    assert run_jobs(portal_app, conn, "outbound") == ["sent"] + ["nothing to send"] * 3
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].rcpt_tos == [who.email]

    # By phone: every request gets its own code page, known or not.
    pages = []
    for contact in (who.phone, "+44 7700 900111"):
        response = ask(client, contact, who.policy)
        assert response.status_code == 302
        assert "/portal/code/" in response.location
        pages.append(client.get(response.location).get_data(as_text=True)
                     .replace(response.location, "URL"))
    assert pages[0] == pages[1]


def test_sign_in_requests_are_rate_limited_per_address_known_or_not(
        portal_app: Flask, client: FlaskClient, committed_db: Database) -> None:
    who = person(committed_db)
    limit = portal_app.config["SETTINGS"].portal.requests_per_contact
    for contact in (who.email, "stranger@example.com"):
        for _ in range(limit):
            assert ask(client, contact, who.policy).status_code == 302
        refused = ask(client, contact, who.policy)
        assert refused.status_code == 429
        assert "Too many attempts" in refused.get_data(as_text=True)


def test_bad_forms_say_what_to_fix(client: FlaskClient) -> None:
    for contact, reference, says in (("", "POL-1", "email address or mobile number"),
                                     ("not an address", "POL-1", "email address or mobile"),
                                     ("a@example.com", "", "policy or claim number")):
        response = ask(client, contact, reference)
        assert response.status_code == 400
        assert says in response.get_data(as_text=True)


def test_an_sms_code_signs_in_once_and_wrong_codes_void_it(
        portal_app: Flask, client: FlaskClient, committed_db: Database, conn: redis.Redis,
        fake_twilio: FakeTwilio) -> None:
    who = person(committed_db, language="el")
    response = ask(client, "0030 691 234 5678", who.claim)
    code_url = response.location
    run_jobs(portal_app, conn, "outbound")
    (sms,) = fake_twilio.sent()
    assert sms["to"] == "+306912345678"
    code = CODE.search(sms["body"])
    assert code is not None
    wrong = "000000" if code.group(1) != "000000" else "111111"
    attempts = portal_app.config["SETTINGS"].portal.code_attempts
    for _ in range(attempts):
        refused = post_form(client, code_url, {"code": wrong})
        assert refused.status_code == 400
        assert "not valid" in refused.get_data(as_text=True)
    # Voided by the wrong guesses: the right code no longer works.
    assert post_form(client, code_url, {"code": code.group(1)}).status_code == 400

    ask(client, who.phone, who.claim)
    with committed_db.transaction() as session:
        latest = session.scalars(sa.select(PortalSignIn).order_by(PortalSignIn.id.desc())).first()
        assert latest is not None
        public_id = latest.public_id
    run_jobs(portal_app, conn, "outbound")
    fresh = CODE.search(fake_twilio.sent()[-1]["body"])
    assert fresh is not None
    ok = post_form(client, f"/portal/code/{public_id}", {"code": fresh.group(1)[:3] + " "
                                                         + fresh.group(1)[3:]})
    assert ok.status_code == 302
    assert ok.location.endswith("/portal/")
    assert who.claim in client.get("/portal/").get_data(as_text=True)
    if other := portal_app.test_client():
        assert post_form(other, f"/portal/code/{public_id}",
                         {"code": fresh.group(1)}).status_code == 400


def test_signing_out_and_expiry_end_the_session(
        portal_app: Flask, client: FlaskClient, committed_db: Database, conn: redis.Redis,
        smtp_server: SmtpServer) -> None:
    who = person(committed_db)
    sign_in_by_link(client, portal_app, conn, smtp_server, who)
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert post_form(client, "/portal/sign-out", {}, page="/portal/").status_code == 302
    assert client.get("/portal/").status_code == 302
    # The old cookie, replayed, does not bring the session back.
    with portal_app.test_client() as replay:
        replay.set_cookie("session", cookie.value)
        assert replay.get("/portal/").status_code == 302

    sign_in_by_link(client, portal_app, conn, smtp_server, who)
    assert client.get("/portal/").status_code == 200
    with committed_db.transaction() as session:
        session.execute(sa.update(PortalSession).values(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert client.get("/portal/").status_code == 302


def test_support_staff_can_hand_a_customer_a_link(
        portal_app: Flask, client: FlaskClient, committed_db: Database,
        invoke: Any) -> None:
    who = person(committed_db)
    done = invoke("portal", "link", who.phone, who.claim, "--base-url", "http://x.test")
    assert done.exit_code == 0, done.output
    url = done.stdout.strip().splitlines()[-1]
    # The [portal] public_url of the app wins over --base-url only when set;
    # the CLI here has none.
    assert url.startswith("http://x.test/portal/link/")
    token = url.rsplit("/", 1)[1]
    response = post_form(client, f"/portal/link/{token}", {})
    assert response.status_code == 302
    assert who.claim in client.get("/portal/").get_data(as_text=True)
    refused = invoke("portal", "link", who.email, "POL-000000")
    assert refused.exit_code == 1
    assert "no customer" in refused.output
