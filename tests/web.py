"""Signing a test client in, as a browser would: the CSRF token from the
sign-in page, then the form; later POSTs carry the token in the
``X-CSRFToken`` header (accepted by Flask-WTF like the form field). And the
API's way in: a user's personal token, sent as ``Authorization: Bearer``."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from inbox.database import Database
from inbox.models import User
from inbox.workspace.tokens import issue_token

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"'
                    r'|name="csrf_token" value="([^"]+)"')


@cache
def password_hash(password: str = PASSWORD) -> str:
    return generate_password_hash(password)


def add_user(db: Database, role: str = "rep", *, email: str | None = None, team: str = "",
             name: str = "") -> int:
    email = email or f"{role}-{id(db)}-{_next()}@insurer.test"
    with db.transaction() as session:
        user = User(email=email, name=name or email.split("@")[0], role=role, team=team,
                    password_hash=password_hash())
        session.add(user)
        session.flush()
        return user.id


def csrf_token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1) or found.group(2)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": password,
                                            "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.environ_base["HTTP_X_CSRFTOKEN"] = token


def signed_in_as(client: FlaskClient, db: Database, role: str = "rep") -> int:
    """A new user of ``role``, signed in on ``client``; returns their id."""
    with db.transaction() as session:
        count = session.query(User).count()
    email = f"{role}{count + 1}-{_next()}@insurer.test"
    user_id = add_user(db, role, email=email)
    sign_in(client, email)
    return user_id


_counter = iter(range(1, 10**9))


def _next() -> int:
    return next(_counter)


def token_for(db: Database, role: str = "rep", **fields: Any) -> tuple[int, str]:
    """A new user of ``role`` (``fields`` set on it) and a token of theirs."""
    user_id = add_user(db, role)
    with db.transaction() as s:
        user = s.get(User, user_id)
        assert user is not None
        for key, value in fields.items():
            setattr(user, key, value)
        _, token = issue_token(s, user, "test", datetime.now(UTC))
    return user_id, token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
