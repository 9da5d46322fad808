"""The search page (``GET /search``) and the search box in the header, against
the real app and database (SQLite and PostgreSQL): groups and links, escaped
snippets, pages, bad input, and who may search."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask

from inbox.database import Database
from inbox.models import Message, Thread
from inbox.web.permissions import PERMISSIONS
from tests import factories
from tests.conftest import NOW
from tests.web import signed_in_as

pytestmark = pytest.mark.integration


def seed(db: Database, word: str, threads: int = 1) -> dict[str, int]:
    """A customer with a claim and ``threads`` threads mentioning ``word``,
    the first linked to the claim and carrying a hostile message."""
    made: dict[str, int] = {}
    with db.transaction() as s:
        owner = factories.customer(s, name=f"Page {word}", email=f"{word}@example.com")
        # Numbers are upper-case in the book (claims.book_import.book_number).
        claim = factories.claim(s, factories.policy(s, owner, number=f"POL-{word.upper()}"),
                                number=f"CLM-{word.upper()}")
        for n in range(threads):
            thread = Thread(customer_id=owner.id, subject=f"About {word} {n}",
                            subject_key=f"about {word} {n}", language="en",
                            claim_id=claim.id if n == 0 else None, last_message_at=NOW)
            s.add(thread)
            s.flush()
            text = (f"<script>alert('x')</script><b>bold</b> the {word} report"
                    if n == 0 else f"Another {word} report")
            s.add(Message(thread_id=thread.id, customer_id=owner.id, channel="email",
                          external_id=f"{uuid.uuid4()}@page.test", subject=f"About {word}",
                          text=text, language="en", received_at=NOW))
            made.setdefault("thread", thread.id)
        s.flush()
        made.update(customer=owner.id, claim=claim.id)
    return made


def test_the_page_groups_results_with_links_and_escapes_text(
        app: Flask, committed_db: Database) -> None:
    word = f"kiwi{uuid.uuid4().hex[:6]}"
    made = seed(committed_db, word)
    client = app.test_client()
    signed_in_as(client, committed_db, "rep")

    page = client.get(f"/search?q={word}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="/threads/{made["thread"]}"' in html
    assert re.search(r"<mark>[^<]*" + word, html, re.IGNORECASE)
    assert "<script>alert" not in html
    assert "<b>bold" not in html
    assert f'Page {word}' in html  # the customer, by name

    by_claim = client.get(f"/search?q=clm-{word}").get_data(as_text=True)
    assert 'id="claims-h"' in by_claim
    assert (f'<a href="/threads/{made["thread"]}"><strong>CLM-{word.upper()}</strong></a>'
            in by_claim)
    assert 'class="exact"' in by_claim

    by_email = client.get(f"/search?q={word}@EXAMPLE.com").get_data(as_text=True)
    assert 'id="customers-h"' in by_email
    assert f"email {word}@example.com" in by_email

    hostile = client.get("/search", query_string={"q": "<script>alert(1)</script>' & :*"})
    assert hostile.status_code == 200
    assert "<script>alert(1)" not in hostile.get_data(as_text=True)


def test_pages_per_group_and_bad_input(app: Flask, committed_db: Database) -> None:
    word = f"emu{uuid.uuid4().hex[:6]}"
    seed(committed_db, word, threads=23)
    client = app.test_client()
    signed_in_as(client, committed_db, "lead")
    first = client.get(f"/search?q={word}").get_data(as_text=True)
    assert first.count('class="chan"') == 20
    assert f'href="/search?q={word}&amp;kind=threads&amp;page=2"' in first
    second = client.get(f"/search?q={word}&kind=threads&page=2").get_data(as_text=True)
    assert second.count('class="chan"') == 3
    assert 'rel="next"' not in second
    assert 'id="customers-h"' not in second  # only the group asked for

    bad = client.get(f"/search?q={word}&kind=invoices")
    assert bad.status_code == 400
    assert "unknown kind" in bad.get_data(as_text=True)
    assert client.get("/search").status_code == 200
    assert client.get("/search?q=x&page=-3").status_code == 200


def test_every_role_may_search_and_the_header_has_the_box(
        app: Flask, committed_db: Database) -> None:
    assert PERMISSIONS["search"] == frozenset({"rep", "supervisor", "lead", "admin"})
    assert app.test_client().get("/search?q=x").status_code == 302  # signed out
    for role in ("rep", "supervisor", "lead", "admin"):
        client = app.test_client()
        signed_in_as(client, committed_db, role)
        assert client.get("/search?q=anything").status_code == 200, role
        queue = client.get("/").get_data(as_text=True)
        assert 'role="search"' in queue
        assert 'action="/search"' in queue
