"""@mentions in internal notes notify the colleague named (email address or
its unique local part), never the author, never twice; each user sees and
clears only their own notifications."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from inbox import ingest
from inbox.database import Database
from inbox.models import Notification, Thread
from inbox.notes import add_note, mentioned_users
from tests import factories
from tests.web import signed_in_as

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_mentions_resolve_by_address_or_unique_local_part(session: Session) -> None:
    anna = factories.user(session, email="anna@insurer.test")
    bo = factories.user(session, email="bo@insurer.test")
    factories.user(session, email="bo@partner.test")  # "@bo" is now ambiguous
    gone = factories.user(session, email="gone@insurer.test", active=False)
    assert mentioned_users(session, "@anna please check, cc @bo@insurer.test") == [anna.id, bo.id]
    assert mentioned_users(session, "@bo and @gone and @nobody") == []
    assert mentioned_users(session, "mail anna@insurer.test, not a mention") == []
    assert gone.id not in mentioned_users(session, "@gone@insurer.test")
    assert mentioned_users(session, "@ANNA and again @anna.") == [anna.id]
    assert mentioned_users(session, "@an_na% @%") == []


def test_a_note_notifies_the_mentioned_not_the_author(session: Session) -> None:
    author = factories.user(session, email="writer@insurer.test")
    anna = factories.user(session, email="anna@insurer.test")
    factories.customer(session, email="cust@example.com")
    result = ingest(session, factories.email(sender="cust@example.com", subject="Hail",
                                             text="Hail damage", received_at=NOW), NOW)
    thread = session.get(Thread, result.thread_id)
    assert thread is not None
    note = add_note(session, thread, "@anna can you call? @writer FYI", NOW,
                    author_id=author.id)
    assert note.extras["mentions"] == [anna.id, author.id]
    sent = session.scalars(sa.select(Notification)).all()
    assert [(n.user_id, n.kind, n.thread_id) for n in sent] == [(anna.id, "mention", thread.id)]
    assert sent[0].text == (f"{author.name} mentioned you on thread #{thread.id}: "
                            "@anna can you call? @writer FYI")
    # A caller's explicit mention is recorded but not notified again.
    add_note(session, thread, "decided", NOW, author_id=author.id, mentions=[anna.id])
    assert session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1


def test_each_user_sees_and_clears_only_their_own(app: Flask, committed_db: Database) -> None:
    mine, theirs = app.test_client(), app.test_client()
    me = signed_in_as(mine, committed_db, "rep")
    other = signed_in_as(theirs, committed_db, "rep")
    with committed_db.transaction() as s:
        for user_id, text in ((me, "for me"), (other, "for them")):
            s.add(Notification(user_id=user_id, kind="mention", text=text, created_at=NOW))
        s.flush()
        theirs_id = s.scalars(sa.select(Notification.id).where(
            Notification.user_id == other)).one()
    page = mine.get("/notifications").get_data(as_text=True)
    assert "for me" in page
    assert "for them" not in page
    assert 'aria-label="1 unread"' in page
    assert mine.post(f"/notifications/{theirs_id}/read").status_code == 404
    assert mine.post("/notifications/read-all").status_code == 303
    page = mine.get("/notifications").get_data(as_text=True)
    assert "Nothing new." in page
    assert "for me" in mine.get("/notifications?all=1").get_data(as_text=True)
    with committed_db.transaction() as s:
        assert s.get(Notification, theirs_id).read_at is None  # type: ignore[union-attr]
