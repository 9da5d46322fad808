"""A first look at the inbox: the queue ordered by due time and the thread view.
(The full workspace, with sign-in and actions, is its own feature.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse

from claims.info_requests import DOCUMENTS
from inbox.answer_cache import QUEUE, AnswerCache, shared
from inbox.database import after_commit
from inbox.models import Escalation, Message, OutboundMessage, Thread
from inbox.web import db_session, settings
from inbox.web.composer import composer_context
from inbox.web.permissions import requires
from inbox.workspace.assignment import assignees_for
from inbox.workspace.card import customer_card
from inbox.workspace.queue import (
    CHANNELS,
    COUNT_LIMIT,
    PAGE_SIZE,
    VIEWS,
    QueueFilter,
    queue_page,
    take_next,
    total_is_capped,
)
from inbox.workspace.thread_ops import resolve

bp = Blueprint("views", __name__)


@bp.get("/")
@requires("queue.view")
def queue() -> str:
    context = _queue_context()
    # Our own rendered (autoescaped) rows; they pass through Redis, which is
    # trusted as much as the jobs it holds.
    rows_html = Markup(context.pop("rows_html"))  # noqa: S704
    return render_template("queue.html", rows_html=rows_html, **context)


@bp.get("/queue/rows")
@requires("queue.view")
def queue_rows() -> str:
    """The queue's rows alone: the page polls this to update without a reload."""
    return str(_queue_context()["rows_html"])


@bp.post("/queue/next")
@requires("thread.assign")
def take_next_thread() -> BaseResponse:
    thread = take_next(db_session(), current_user.id, datetime.now(UTC))
    if thread is None:
        flash("Nothing is waiting: the queue is empty.")
        return redirect(url_for("views.queue"), code=303)
    return redirect(url_for("views.thread", thread_id=thread.id), code=303)


def queue_cache() -> AnswerCache:
    return shared(settings(), settings().queue_cache_seconds, QUEUE)


def personal(chosen: QueueFilter) -> bool:
    """Whether the queue's answer depends on who asks."""
    return chosen.view in ("mine", "escalated")


def _queue_context() -> dict[str, Any]:
    chosen = QueueFilter.parse(request.args.to_dict())
    page = max(1, request.args.get("page", 1, type=int) or 1)
    offset = (page - 1) * PAGE_SIZE
    question = ["page", chosen.__dict__, page, current_user.id if personal(chosen) else None]

    def build() -> bytes:
        now = datetime.now(UTC)
        rows, total = queue_page(db_session(), chosen, current_user.id, now, offset=offset,
                                 count_limit=COUNT_LIMIT)
        html = render_template("queue_rows.html", rows=rows, now=now)
        return json.dumps({"rows_html": html, "total": total}).encode()

    answer = json.loads(queue_cache().answer(question, current_user.id, build))
    total = answer["total"]
    # Past COUNT_LIMIT the count stops: "1,000+".
    shown = f"{total - 1:,}+" if total_is_capped(total, offset, COUNT_LIMIT) else f"{total:,}"
    return {"rows_html": answer["rows_html"], "total": total, "total_shown": shown,
            "filter": chosen, "page": page, "page_size": PAGE_SIZE, "views": VIEWS,
            "channels": CHANNELS, "languages": settings().languages,
            "args": {k: v for k, v in request.args.items() if k != "page"}}


def init_queue_cache(app: Flask) -> None:
    """A signed-in user's successful write (committed) is theirs to see in the
    queue at once, whatever the cache holds (inbox.answer_cache)."""

    @app.before_request
    def _note_writes() -> None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if settings().queue_cache_seconds <= 0 or not current_user.is_authenticated:
            return
        user_id = current_user.id
        after_commit(db_session(), lambda: queue_cache().wrote(user_id))


@bp.get("/threads/<int:thread_id>")
@requires("thread.view")
def thread(thread_id: int) -> str | BaseResponse:
    session = db_session()
    found = session.get(
        Thread, thread_id,
        options=[selectinload(Thread.messages).selectinload(Message.attachments)],
    )
    if found is None:
        abort(404)
    if found.merged_into_id is not None and not found.messages:
        # A merged thread's old links lead to the thread holding its messages.
        target = resolve(session, found)
        flash(f"Thread #{found.id} was merged into this thread (#{target.id}).", "ok")
        return redirect(url_for("views.thread", thread_id=target.id), code=303)
    # Replies the channel has not accepted yet, or refused: shown with their state.
    undelivered = session.scalars(
        sa.select(OutboundMessage)
        .where(OutboundMessage.thread_id == thread_id, OutboundMessage.status != "sent")
        .order_by(OutboundMessage.created_at)
    ).all()
    escalation = None
    if found.claim_id is not None:
        escalation = session.scalars(sa.select(Escalation).where(
            Escalation.claim_id == found.claim_id, Escalation.status == "open")).first()
    return render_template(
        "thread.html", thread=found, undelivered=undelivered, escalation=escalation,
        draft_channel=request.args.get("channel", ""),
        **composer_context(found, request.args.get("draft", "")),
        documents=DOCUMENTS,
        assignees=assignees_for(session, current_user.id, current_user.team, found.assignee_id),
        card=customer_card(session, found.customer_id, exclude_thread_id=found.id))

