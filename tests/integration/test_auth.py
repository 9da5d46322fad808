"""Sign-in and the permission matrix, against the real app: every route for
every role (deny by default), CSRF on every form, the login rate limit, no
open redirect, no user enumeration."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config import Settings
from inbox import create_app
from inbox.database import Database
from inbox.web.permissions import (
    CUSTOMER_BLUEPRINTS,
    PERMISSIONS,
    PUBLIC,
    PUBLIC_BLUEPRINTS,
    permission_of,
)
from tests.web import PASSWORD, add_user, csrf_token, sign_in

pytestmark = pytest.mark.integration
ROLES = ("rep", "supervisor", "lead", "admin")


def routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, a URL for it) of every route but the public ones and
    the customers' portal (its own sessions: tests/integration/test_portal_*.py)."""
    out = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.partition(".")[0]
        if rule.endpoint in PUBLIC or blueprint in PUBLIC_BLUEPRINTS \
                or blueprint in CUSTOMER_BLUEPRINTS:
            continue
        # <int:id>, <int(min=1, max=...):id> (the API's ids) -> 1; others -> x
        url = re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>",
                     lambda m: "1" if m.group(1) == "int" else "x", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url))
    return out


def test_every_route_declares_a_permission(app: Flask) -> None:
    for endpoint, _, _ in routes(app):
        permission = permission_of(app.view_functions[endpoint])
        assert permission in PERMISSIONS, f"{endpoint} declares no permission"


def test_thread_tools_are_in_the_every_route_check(app: Flask) -> None:
    """Merge, split, move change who sees what: workers only; presence and
    recordings go with reading the thread."""
    checked = {endpoint: permission_of(app.view_functions[endpoint])
               for endpoint, _, _ in routes(app) if endpoint.startswith("thread_tools.")}
    assert checked == {
        "thread_tools.merge": "thread.organize", "thread_tools.split": "thread.organize",
        "thread_tools.move": "thread.organize", "thread_tools.presence": "thread.view",
        "thread_tools.heartbeat": "thread.view", "thread_tools.recording": "thread.view",
    }
    assert PERMISSIONS["thread.organize"] == {"rep", "supervisor", "admin"}


def test_canned_responses_and_the_composer_are_in_the_every_route_check(app: Flask) -> None:
    """Canned responses are the team's texts (leads, supervisors, admins keep
    them); using one, sending later, cancelling and pending go with replying."""
    checked = {endpoint: permission_of(app.view_functions[endpoint])
               for endpoint, _, _ in routes(app)
               if endpoint.partition(".")[0] in {"canned", "composer"}}
    assert checked == {
        "canned.index": "canned.manage", "canned.create": "canned.manage",
        "canned.edit": "canned.manage", "canned.remove": "canned.manage",
        "composer.canned": "thread.reply", "composer.pending": "thread.reply",
        "composer.cancel": "thread.reply",
    }
    assert PERMISSIONS["canned.manage"] == {"lead", "supervisor", "admin"}


def test_the_dashboard_is_in_the_every_route_check(app: Flask) -> None:
    """The page, its CSV export and the API's figures: leads, supervisors, admins."""
    checked = {endpoint: permission_of(app.view_functions[endpoint])
               for endpoint, _, _ in routes(app)
               if endpoint in {"dashboard.page", "dashboard.csv_export", "api_dashboard.figures"}}
    assert checked == dict.fromkeys(
        ("dashboard.page", "dashboard.csv_export", "api_dashboard.figures"), "dashboard.view")
    assert PERMISSIONS["dashboard.view"] == {"lead", "supervisor", "admin"}


def test_sla_policies_are_in_the_every_route_check(app: Flask) -> None:
    """Editing SLA policies (targets, conditions, calendars) is for admins."""
    checked = {endpoint: permission_of(app.view_functions[endpoint])
               for endpoint, _, _ in routes(app) if endpoint.startswith("sla_admin.")}
    assert checked == dict.fromkeys(
        ("sla_admin.index", "sla_admin.sync", "sla_admin.create", "sla_admin.edit",
         "sla_admin.active"), "sla.manage")
    assert PERMISSIONS["sla.manage"] == {"admin"}


def test_signed_out_everything_but_sign_in_is_closed(app: Flask) -> None:
    client = app.test_client()
    for endpoint, method, url in routes(app):
        response = client.open(url, method=method)
        # A form post without a token is refused before anything else (400).
        assert response.status_code in (302, 400, 401), (endpoint, response.status_code)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_the_matrix_allows(
        app: Flask, committed_db: Database, role: str) -> None:
    client = app.test_client()
    email = f"matrix-{role}@insurer.test"
    add_user(committed_db, role, email=email)
    sign_in(client, email)
    for endpoint, method, url in routes(app):
        response = client.open(url, method=method)
        allowed = role in PERMISSIONS[permission_of(app.view_functions[endpoint]) or ""]
        if allowed:
            assert response.status_code != 403, (role, endpoint, method)
        else:
            assert response.status_code == 403, (role, endpoint, method, response.status_code)


def test_wrong_password_and_unknown_address_look_the_same(
        app: Flask, committed_db: Database) -> None:
    add_user(committed_db, "rep", email="anna@insurer.test")
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    wrong = client.post("/login", data={"email": "anna@insurer.test", "password": "nope",
                                        "csrf_token": token})
    unknown = client.post("/login", data={"email": "nobody@insurer.test",
                                          "password": "nope", "csrf_token": token})
    assert wrong.status_code == unknown.status_code == 200
    assert "Wrong email address or password." in wrong.get_data(as_text=True)
    def page(response, who: str) -> str:  # type: ignore[no-untyped-def]
        # The same page apart from the address typed and the CSRF token (signed
        # with a timestamp, so it differs from one second to the next).
        html = response.get_data(as_text=True).replace(who, "")
        return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)

    assert page(wrong, "anna@") == page(unknown, "nobody@")
    assert client.get("/").status_code == 302  # still signed out


def test_a_form_without_its_csrf_token_is_refused(app: Flask, committed_db: Database) -> None:
    add_user(committed_db, "rep", email="csrf@insurer.test")
    client = app.test_client()
    missing = client.post("/login", data={"email": "csrf@insurer.test", "password": PASSWORD})
    assert missing.status_code == 400
    sign_in(client, "csrf@insurer.test")
    del client.environ_base["HTTP_X_CSRFTOKEN"]
    assert client.post("/letters/review/1", data={"customer_id": "1"}).status_code == 400


def test_sign_in_goes_back_to_the_page_but_never_off_site(
        app: Flask, committed_db: Database) -> None:
    add_user(committed_db, "rep", email="next@insurer.test")
    for target, expected in (("/letters/review", "/letters/review"),
                             ("https://evil.example/x", "/"), ("//evil.example", "/")):
        client = app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        response = client.post(f"/login?next={target}", data={
            "email": "next@insurer.test", "password": PASSWORD, "csrf_token": token})
        assert response.headers["Location"] == expected


def test_sign_out_and_inactive_users(app: Flask, committed_db: Database) -> None:
    from inbox.models import User

    user_id = add_user(committed_db, "rep", email="leaver@insurer.test")
    client = app.test_client()
    sign_in(client, "leaver@insurer.test")
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302
    sign_in(client, "leaver@insurer.test")
    with committed_db.transaction() as s:
        s.get(User, user_id).active = False  # type: ignore[union-attr]
    assert client.get("/").status_code == 302  # the session no longer signs them in


def test_sign_in_attempts_are_rate_limited(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    codes = [client.post("/login", data={"email": "x@insurer.test", "password": "guess",
                                         "csrf_token": token}).status_code
             for _ in range(12)]
    assert codes[:10] == [200] * 10
    assert codes[10:] == [429, 429]


def test_session_cookie_flags(settings: Settings, committed_db: Database) -> None:
    from dataclasses import replace

    add_user(committed_db, "rep", email="cookie@insurer.test")
    app = create_app(replace(settings, secure_cookies=True))
    try:
        client: FlaskClient = app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"email": "cookie@insurer.test",
                                                "password": PASSWORD, "csrf_token": token})
        cookie = response.headers["Set-Cookie"]
        for flag in ("HttpOnly", "Secure", "SameSite=Lax"):
            assert flag in cookie
    finally:
        app.extensions["inbox.db"].engine.dispose()
