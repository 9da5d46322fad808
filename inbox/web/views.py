"""A first look at the inbox: the queue ordered by due time and the thread view.
(The full workspace, with sign-in and actions, is its own feature.)"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from sqlalchemy.orm import selectinload

from inbox.models import Message, OutboundMessage, Thread
from inbox.web import db_session

bp = Blueprint("views", __name__)
PAGE_SIZE = 50


@bp.get("/")
def queue() -> str:
    session = db_session()
    threads = session.scalars(
        sa.select(Thread)
        .where(Thread.status == "open")
        .options(selectinload(Thread.customer), selectinload(Thread.claim))
        .order_by(Thread.due_at.asc().nulls_last(), Thread.id)
        .limit(PAGE_SIZE)
    ).all()
    open_count = session.scalar(sa.select(sa.func.count()).where(Thread.status == "open"))
    return render_template("queue.html", threads=threads, open_count=open_count)


@bp.get("/threads/<int:thread_id>")
def thread(thread_id: int) -> str:
    session = db_session()
    found = session.get(
        Thread, thread_id,
        options=[selectinload(Thread.messages).selectinload(Message.attachments)],
    )
    if found is None:
        abort(404)
    # Replies the channel has not accepted yet, or refused: shown with their state.
    undelivered = session.scalars(
        sa.select(OutboundMessage)
        .where(OutboundMessage.thread_id == thread_id, OutboundMessage.status != "sent")
        .order_by(OutboundMessage.created_at)
    ).all()
    return render_template("thread.html", thread=found, undelivered=undelivered)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    db_session().execute(sa.text("SELECT 1"))
    return {"status": "ok"}
