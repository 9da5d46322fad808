"""``/api/v1``: the queue, threads, their messages, replies and notes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app
from flask_login import current_user
from sqlalchemy.orm import Session, selectinload

from inbox.api import ApiBlueprint, fail, out
from inbox.api.schemas import (
    ROW_ID,
    MessagePage,
    NoteIn,
    NoteOut,
    OutboundOut,
    PageArgs,
    QueueArgs,
    QueuePage,
    ReplyIn,
    ThreadOut,
    ThreadSummary,
    ThreadUpdate,
    paged,
)
from inbox.models import Message, OutboundMessage, Thread, User
from inbox.notes import add_note
from inbox.web import db_session, settings
from inbox.web.permissions import requires
from inbox.web.views import personal, queue_cache
from inbox.workspace.assignment import AssignmentError, assign, set_priority, set_status
from inbox.workspace.queue import QueueFilter, channels_of, queue_page, take_next

blp = ApiBlueprint("api_threads", __name__, description="The queue and its threads.")
THREAD_LOADS = (selectinload(Thread.customer), selectinload(Thread.claim),
                selectinload(Thread.assignee), selectinload(Thread.account_issue))


@blp.route("/queue")
@requires("queue.view")
@blp.arguments(QueueArgs, location="query")
@blp.response(200, QueuePage)
def queue(args: dict[str, Any]) -> Response:
    """The queue: threads needing action, due first (the same filters and
    saved views as the page). Shared between callers for a few seconds
    (``queue_cache_seconds``), never hiding the caller's own changes."""
    chosen = QueueFilter.parse({k: str(v) for k, v in args.items()})
    question = ["api", args, current_user.id if personal(chosen) else None]

    def build() -> bytes:
        rows, total = queue_page(db_session(), chosen, current_user.id, datetime.now(UTC),
                                 limit=args["per_page"],
                                 offset=(args["page"] - 1) * args["per_page"])
        body = paged([out.thread_summary(r.thread, r.channels, r.overdue) for r in rows],
                     total, args)
        return current_app.json.dumps(QueuePage().dump(body)).encode()

    return Response(queue_cache().answer(question, current_user.id, build),
                    mimetype="application/json")


@blp.route("/queue/next", methods=["POST"])
@requires("thread.assign")
@blp.response(200, ThreadSummary)
@blp.alt_response(204, description="Nothing is waiting.")
def next_thread() -> Any:
    """Take the most urgent unassigned thread (atomic: no two callers get the
    same one)."""
    session = db_session()
    now = datetime.now(UTC)
    taken = take_next(session, current_user.id, now)
    if taken is None:
        return "", 204
    return _summary(session, _thread(taken.id), now)


@blp.route(f"/threads/<{ROW_ID}:thread_id>")
@requires("thread.view")
@blp.response(200, ThreadOut)
def get_thread(thread_id: int) -> dict[str, Any]:
    """A thread, with the replies still on their way out."""
    session = db_session()
    thread = _thread(thread_id)
    pending = session.scalars(sa.select(OutboundMessage).where(
        OutboundMessage.thread_id == thread_id, OutboundMessage.status != "sent")
        .order_by(OutboundMessage.created_at)).all()
    return {**_summary(session, thread, datetime.now(UTC)),
            "pending_replies": [out.outbound(r) for r in pending]}


@blp.route(f"/threads/<{ROW_ID}:thread_id>", methods=["PATCH"])
@requires("thread.assign")
@blp.arguments(ThreadUpdate)
@blp.response(200, ThreadSummary)
def update_thread(change: dict[str, Any], thread_id: int) -> dict[str, Any]:
    """Assign (or unassign with null), change status or priority."""
    session = db_session()
    thread = _thread(thread_id)
    now = datetime.now(UTC)
    try:
        if "assignee_id" in change:
            assign(session, thread, change["assignee_id"], now, actor_id=current_user.id)
        if "status" in change:
            set_status(session, thread, change["status"], now, actor_id=current_user.id)
        if "priority" in change:
            set_priority(session, thread, change["priority"], now, actor_id=current_user.id)
    except AssignmentError as exc:
        fail(422, str(exc))
    session.flush()
    return _summary(session, thread, now)


@blp.route(f"/threads/<{ROW_ID}:thread_id>/messages")
@requires("thread.view")
@blp.arguments(PageArgs, location="query")
@blp.response(200, MessagePage)
def messages(args: dict[str, Any], thread_id: int) -> dict[str, Any]:
    """The thread's messages on every channel and its internal notes, oldest
    first."""
    session = db_session()
    _thread(thread_id)
    where = Message.thread_id == thread_id
    total = session.scalar(sa.select(sa.func.count()).where(where)) or 0
    rows = session.scalars(
        sa.select(Message).where(where).options(selectinload(Message.attachments))
        .order_by(Message.received_at, Message.id)
        .limit(args["per_page"]).offset((args["page"] - 1) * args["per_page"])).all()
    author_ids = {r.author_id for r in rows if r.author_id}
    authors = {u.id: u for u in session.scalars(
        sa.select(User).where(User.id.in_(author_ids)))} if author_ids else {}
    return paged([out.message(r, authors) for r in rows], total, args)


@blp.route(f"/threads/<{ROW_ID}:thread_id>/replies", methods=["POST"])
@requires("thread.reply")
@blp.arguments(ReplyIn)
@blp.response(202, OutboundOut)
@blp.alt_response(409, description="The customer wrote since `seen_inbound`.")
def reply(body: dict[str, Any], thread_id: int) -> dict[str, Any]:
    """Reply by email, SMS or printable letter. Accepted (202) means queued: the
    reply becomes a message of the thread once the channel took it; follow
    it in the thread's ``pending_replies``."""
    from inbox.jobs.replies import send_after_commit
    from inbox.outbound import ReplyError, queue_on_channel

    session = db_session()
    thread = _thread(thread_id)
    if "seen_inbound" in body:
        seen, latest = body["seen_inbound"], thread.last_inbound_at
        if latest is not None and (seen is None or seen < latest):
            fail(409, "the customer wrote again since: read the new message first",
                  errors={"last_inbound_at": [latest.isoformat()]})
    try:
        row = queue_on_channel(session, settings(), body["channel"], thread_id, body["body"],
                               datetime.now(UTC), author_id=current_user.id)
    except ReplyError as exc:
        fail(422, str(exc))
    send_after_commit(session, [row])
    return out.outbound(row)


@blp.route(f"/threads/<{ROW_ID}:thread_id>/notes", methods=["POST"])
@requires("thread.note")
@blp.arguments(NoteIn)
@blp.response(201, NoteOut)
def note(body: dict[str, Any], thread_id: int) -> dict[str, Any]:
    """An internal note (never sent to the customer); @mentions notify."""
    session = db_session()
    thread = _thread(thread_id)
    try:
        row = add_note(session, thread, body["text"], datetime.now(UTC),
                       author_id=current_user.id)
    except ValueError as exc:
        fail(422, str(exc))
    return {"id": row.id, "thread_id": row.thread_id, "text": row.text,
            "received_at": row.received_at}


def _thread(thread_id: int) -> Thread:
    thread = db_session().get(Thread, thread_id, options=THREAD_LOADS)
    if thread is None:
        fail(404, f"no thread {thread_id}")
    return thread


def _summary(session: Session, thread: Thread, now: datetime) -> dict[str, Any]:
    return out.thread_summary(thread, channels_of(session, [thread.id])[thread.id],
                              thread.due_at is not None and thread.due_at < now)
