"""The JSON API against the real app and database: token auth (valid,
revoked, expired, inactive user), the same permission matrix as the pages,
CSRF for session writes, paging and validation errors, and each resource:
queue, take-next, threads, messages (with attachments and call details),
replies (held back on a stale view), notes, customers, claims and their
workflow. The OpenAPI document is generated and valid."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask
from openapi_spec_validator import validate

from channels.base import InboundAttachment
from claims.models import Claim
from inbox import ingest
from inbox.database import Database
from inbox.models import ApiToken, AuditEvent, OutboundMessage, Thread, User
from tests import factories
from tests.web import bearer, signed_in_as, token_for

pytestmark = pytest.mark.integration


@pytest.fixture
def story(committed_db: Database) -> dict[str, int]:
    """A customer with a claim: an email with an attachment, then a call."""
    now = datetime.now(UTC) - timedelta(hours=1)
    with committed_db.transaction() as s:
        owner = factories.customer(s, email="api@example.com", phone="+447700900123",
                                   name="Ada Api", address="1 Api Road, York")
        policy = factories.policy(s, owner)
        claim = factories.claim(s, policy, amount_claimed=Decimal("900"), cause="storm",
                                loss_date=date(2026, 2, 1))
        mail = ingest(s, factories.email(
            sender="api@example.com", subject=f"Roof {claim.number}", text="Tiles gone.",
            received_at=now, attachments=[InboundAttachment(
                "roof.jpg", "image/jpeg", data=b"\xff\xd8\xff fake jpeg")]), now)
        ingest(s, factories.call(caller="+447700900123", received_at=now + timedelta(minutes=5),
                                 text="Caller asked about the roof.", duration=125,
                                 direction="inbound",
                                 body_parts={"new": "Is my roof covered?"}), now)
        return {"thread": mail.thread_id, "claim": claim.id, "customer": owner.id}


def test_the_openapi_document_is_generated_valid_and_public(app: Flask) -> None:
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/queue", "/api/v1/queue/next", "/api/v1/threads/{thread_id}",
                 "/api/v1/threads/{thread_id}/messages", "/api/v1/threads/{thread_id}/replies",
                 "/api/v1/threads/{thread_id}/notes", "/api/v1/customers",
                 "/api/v1/customers/{customer_id}", "/api/v1/claims",
                 "/api/v1/claims/{claim_id}", "/api/v1/claims/{claim_id}/actions",
                 "/api/v1/search"):
        assert path in spec["paths"], path
    assert set(spec["components"]["securitySchemes"]) == {"token", "session"}
    assert "Error" in spec["components"]["schemas"]
    queue_params = {p["name"] for p in spec["paths"]["/api/v1/queue"]["get"]["parameters"]}
    assert {"view", "channel", "language", "page", "per_page"} <= queue_params


def test_tokens_revoked_expired_or_of_inactive_users_are_refused(
        app: Flask, committed_db: Database) -> None:
    client = app.test_client()
    user_id, token = token_for(committed_db)
    assert client.get("/api/v1/queue", headers=bearer(token)).status_code == 200
    for header in ({}, bearer("ibx_not-a-token"), bearer(token + "x"),
                   {"Authorization": f"Token {token}"}):
        refused = client.get("/api/v1/queue", headers=header)
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert refused.get_json()["code"] == 401
    # A token is for the API only: the pages still want a session.
    assert client.get("/", headers=bearer(token)).status_code == 302

    with committed_db.transaction() as s:
        row = s.scalars(sa.select(ApiToken).where(ApiToken.user_id == user_id)).one()
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert client.get("/api/v1/queue", headers=bearer(token)).status_code == 401

    _, other = token_for(committed_db)
    with committed_db.transaction() as s:
        from inbox.workspace.tokens import revoke_token, token_hash

        row = s.scalars(sa.select(ApiToken).where(ApiToken.token_hash == token_hash(other))).one()
        revoke_token(s, row.id, datetime.now(UTC))
    assert client.get("/api/v1/queue", headers=bearer(other)).status_code == 401

    leaver_id, leaver = token_for(committed_db)
    with committed_db.transaction() as s:
        s.get(User, leaver_id).active = False  # type: ignore[union-attr]
    assert client.get("/api/v1/queue", headers=bearer(leaver)).status_code == 401
    with committed_db.transaction() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(ApiToken).where(
            ApiToken.token_hash.like("ibx_%"))) == 0  # only hashes are stored


def test_the_api_obeys_the_permission_matrix(
        app: Flask, committed_db: Database, story: dict[str, int]) -> None:
    client = app.test_client()
    _, lead = token_for(committed_db, "lead")
    thread = story["thread"]
    assert client.get(f"/api/v1/threads/{thread}", headers=bearer(lead)).status_code == 200
    for method, url, body in (
            ("POST", f"/api/v1/threads/{thread}/replies", {"body": "hi", "channel": "letter"}),
            ("POST", "/api/v1/queue/next", None),
            ("PATCH", f"/api/v1/threads/{thread}", {"status": "closed"}),
            ("POST", f"/api/v1/claims/{story['claim']}/actions", {"action": "start_review"})):
        refused = client.open(url, method=method, json=body, headers=bearer(lead))
        assert refused.status_code == 403, (method, url)
        assert "lead" in refused.get_json()["message"]


def test_session_writes_need_the_csrf_token_token_writes_do_not(
        app: Flask, committed_db: Database, story: dict[str, int]) -> None:
    browser = app.test_client()
    signed_in_as(browser, committed_db, "rep")
    url = f"/api/v1/threads/{story['thread']}/notes"
    assert browser.post(url, json={"text": "with the token"}).status_code == 201
    del browser.environ_base["HTTP_X_CSRFTOKEN"]
    missing = browser.post(url, json={"text": "forged"})
    assert missing.status_code == 400
    assert missing.is_json
    assert browser.get(f"/api/v1/threads/{story['thread']}").status_code == 200
    _, token = token_for(committed_db)
    assert app.test_client().post(url, json={"text": "by token"},
                                  headers=bearer(token)).status_code == 201


def test_queue_paging_filters_and_clear_validation_errors(
        app: Flask, committed_db: Database, story: dict[str, int]) -> None:
    client = app.test_client()
    _, token = token_for(committed_db)
    page = client.get("/api/v1/queue?per_page=1", headers=bearer(token)).get_json()
    assert page["page"]["per_page"] == 1
    assert page["page"]["total"] >= 1
    assert page["page"]["pages"] == page["page"]["total"]
    ours = client.get("/api/v1/queue?channel=call&per_page=100",
                      headers=bearer(token)).get_json()["items"]
    found = [t for t in ours if t["id"] == story["thread"]]
    assert found
    assert found[0]["channels"] == ["email", "call"]
    assert found[0]["customer"]["name"] == "Ada Api"
    assert found[0]["claim"]["status"] == "received"
    for bad, field in (("per_page=1000", "per_page"), ("page=0", "page"),
                       ("view=everything", "view"), ("channel=fax", "channel")):
        error = client.get(f"/api/v1/queue?{bad}", headers=bearer(token))
        assert error.status_code == 422, bad
        body = error.get_json()
        assert body["code"] == 422
        assert field in body["errors"]["query"], bad
    # Unknown query parameters are ignored (cache busters); unknown body fields are not.
    assert client.get("/api/v1/queue?_=123", headers=bearer(token)).status_code == 200
    missing = client.get("/api/v1/threads/999999", headers=bearer(token))
    assert (missing.status_code, missing.get_json()["message"]) == (404, "no thread 999999")
    assert client.get("/api/v1/no-such-thing", headers=bearer(token)).get_json()["code"] == 404


def test_take_next_then_nothing_left(app: Flask, committed_db: Database,
                                     story: dict[str, int]) -> None:
    with committed_db.transaction() as s:
        s.execute(sa.update(Thread).where(Thread.id != story["thread"]).values(
            assignee_id=s.scalar(sa.select(sa.func.min(User.id)))))
    user_id, token = token_for(committed_db)
    client = app.test_client()
    taken = client.post("/api/v1/queue/next", headers=bearer(token))
    assert taken.status_code == 200
    assert taken.get_json()["id"] == story["thread"]
    assert taken.get_json()["assignee"]["id"] == user_id
    assert client.post("/api/v1/queue/next", headers=bearer(token)).status_code == 204


def test_a_thread_its_messages_attachments_and_call(
        app: Flask, committed_db: Database, story: dict[str, int]) -> None:
    client = app.test_client()
    _, token = token_for(committed_db)
    thread = client.get(f"/api/v1/threads/{story['thread']}", headers=bearer(token)).get_json()
    assert thread["needs_reply"] is True
    assert thread["pending_replies"] == []
    messages = client.get(f"/api/v1/threads/{story['thread']}/messages",
                          headers=bearer(token)).get_json()
    mail, call = messages["items"]
    assert mail["channel"] == "email"
    assert mail["call"] is None
    (attachment,) = mail["attachments"]
    assert attachment["filename"] == "roof.jpg"
    download = client.get(attachment["url"].removeprefix("http://localhost"),
                          headers=bearer(token))
    # Attachments are a page route: a token does not open it, a session does.
    assert download.status_code == 302
    browser = app.test_client()
    signed_in_as(browser, committed_db, "rep")
    with browser.get(attachment["url"].removeprefix("http://localhost")) as got:
        assert got.data.startswith(b"\xff\xd8\xff")
    assert call["channel"] == "call"
    assert call["call"]["duration"] == 125
    assert call["call"]["transcript"] == "Is my roof covered?"


def test_reply_note_assign_and_close(app: Flask, committed_db: Database,
                                     story: dict[str, int]) -> None:
    client = app.test_client()
    user_id, token = token_for(committed_db)
    url = f"/api/v1/threads/{story['thread']}"
    thread = client.get(url, headers=bearer(token)).get_json()
    stale = datetime.fromisoformat(thread["last_inbound_at"]) - timedelta(minutes=1)
    held = client.post(f"{url}/replies", headers=bearer(token), json={
        "channel": "letter", "body": "Dear Ada", "seen_inbound": stale.isoformat()})
    assert held.status_code == 409
    assert held.get_json()["errors"]["last_inbound_at"]
    assert client.post(f"{url}/replies", headers=bearer(token), json={
        "channel": "pigeon", "body": "x"}).status_code == 422
    assert client.post(f"{url}/replies", headers=bearer(token), json={
        "channel": "letter", "body": "   "}).status_code == 422
    queued = client.post(f"{url}/replies", headers=bearer(token), json={
        "channel": "letter", "body": "Dear Ada, we are on it.",
        "seen_inbound": thread["last_inbound_at"]})
    assert queued.status_code == 202
    assert queued.get_json()["channel"] == "letter"
    note = client.post(f"{url}/notes", headers=bearer(token), json={"text": "roofer booked"})
    assert note.status_code == 201
    changed = client.patch(url, headers=bearer(token), json={
        "assignee_id": user_id, "priority": "high", "status": "closed"})
    assert changed.status_code == 200
    body = changed.get_json()
    assert (body["assignee"]["id"], body["priority"], body["status"]) == (user_id, "high",
                                                                          "closed")
    assert client.patch(url, headers=bearer(token), json={
        "assignee_id": 999999}).get_json()["message"] == "no active user 999999"
    with committed_db.transaction() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(OutboundMessage).where(
            OutboundMessage.thread_id == story["thread"])) == 1
        actions = set(s.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.entity_type == "threads", AuditEvent.entity_id == story["thread"])))
        assert {"thread.assigned", "thread.priority", "thread.closed",
                "note.added"} <= actions


def test_customers_search_and_detail(app: Flask, committed_db: Database,
                                     story: dict[str, int]) -> None:
    client = app.test_client()
    _, token = token_for(committed_db)
    for q in ("API@example.com", "07700 900123", "ada a", "Ada%"):
        found = client.get("/api/v1/customers", query_string={"q": q},
                           headers=bearer(token)).get_json()
        ids = [c["id"] for c in found["items"]]
        assert (story["customer"] in ids) is (q != "Ada%"), q
    detail = client.get(f"/api/v1/customers/{story['customer']}",
                        headers=bearer(token)).get_json()
    assert {i["value"] for i in detail["identities"]} >= {"api@example.com", "+447700900123"}
    assert [c["id"] for c in detail["claims"]] == [story["claim"]]
    assert detail["threads"][0]["id"] == story["thread"]
    assert len(detail["policies"]) == 1


def test_claims_and_their_workflow(app: Flask, committed_db: Database,
                                   story: dict[str, int]) -> None:
    client = app.test_client()
    _, token = token_for(committed_db, authority_limit=Decimal("5000"))
    with committed_db.transaction() as s:
        number = s.get(Claim, story["claim"]).number  # type: ignore[union-attr]
    listed = client.get("/api/v1/claims", query_string={"number": number},
                        headers=bearer(token)).get_json()
    assert [c["id"] for c in listed["items"]] == [story["claim"]]
    url = f"/api/v1/claims/{story['claim']}/actions"
    refused = client.post(url, headers=bearer(token), json={"action": "pay"})
    assert refused.status_code == 422
    assert "received" in refused.get_json()["message"]
    assert client.post(url, headers=bearer(token), json={
        "action": "start_review", "thread_id": story["thread"]}).status_code == 200
    approved = client.post(url, headers=bearer(token), json={
        "action": "approve", "amount": "800", "reason": "roofer's invoice",
        "thread_id": story["thread"]})
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert (body["from_status"], body["to_status"], body["escalated"]) == (
        "in_review", "approved", False)
    assert body["notices"][0]["status"] in ("pending", "sent")
    detail = client.get(f"/api/v1/claims/{story['claim']}", headers=bearer(token)).get_json()
    assert [e["to_status"] for e in detail["events"]] == ["in_review", "approved"]
    assert detail["amount_approved"] == "800.00"
    assert detail["thread_ids"] == [story["thread"]]


def test_search_over_the_api(app: Flask, committed_db: Database,
                             story: dict[str, int]) -> None:
    client = app.test_client()
    _, token = token_for(committed_db)
    with committed_db.transaction() as s:
        number = s.get(Claim, story["claim"]).number  # type: ignore[union-attr]
    found = client.get("/api/v1/search", query_string={"q": number},
                       headers=bearer(token)).get_json()
    assert [c["id"] for c in found["claims"]] == [story["claim"]]
    assert found["threads"][0]["thread_id"] == story["thread"]
    assert found["threads"][0]["exact"] is True
    words = client.get("/api/v1/search", query_string={"q": "tiles", "kind": "threads"},
                       headers=bearer(token)).get_json()
    assert words["kinds"] == ["threads"]
    assert words["customers"] == []
    assert "<mark>" in words["threads"][0]["snippet_html"].lower()
    bad = client.get("/api/v1/search", query_string={"q": "x", "kind": "planets"},
                     headers=bearer(token))
    assert bad.status_code == 422
    assert "kind" in bad.get_json()["errors"]["query"]
    assert client.get("/api/v1/search", headers=bearer(token)).status_code == 422


def test_a_method_the_url_does_not_have_is_a_405_naming_the_allowed_ones(
        app: Flask, committed_db: Database) -> None:
    wrong = app.test_client().put("/api/v1/queue")
    assert wrong.status_code == 405
    assert set(wrong.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}
    assert wrong.get_json()["code"] == 405


def test_a_token_on_a_wrong_method_or_url_is_not_asked_for_a_csrf_token(
        app: Flask, committed_db: Database) -> None:
    client = app.test_client()
    _, token = token_for(committed_db)
    assert client.put("/api/v1/queue", headers=bearer(token)).status_code == 405
    assert client.post("/api/v1/no-such-thing", headers=bearer(token)).status_code == 404
