"""Working a thread from its page: replies on any channel, internal notes,
and the claim's workflow beside the conversation. Thin handlers over
:mod:`inbox.outbound`'s channel functions and :mod:`inbox.casework`.

A reply is held back when the customer wrote again after the rep opened the
thread (the form carries what the rep had seen): the rep reads it first,
their draft kept.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from claims.account_issues import IllegalStep
from claims.info_requests import BadInfoRequest
from claims.models import Claim
from claims.workflow import IllegalTransition
from inbox.casework.actors import actor_for
from inbox.casework.claim_threads import NoThread
from inbox.casework.escalations import NoSupervisor
from inbox.models import Escalation, OutboundMessage, Thread
from inbox.notes import add_note
from inbox.outbound import ReplyError, queue_on_channel
from inbox.web import db_session, settings
from inbox.web.composer import local_time
from inbox.web.permissions import requires
from inbox.workspace.later import (
    BadTime,
    check_future,
    parse_local,
    schedule_reply,
    set_pending,
)

bp = Blueprint("threads", __name__)
T = TypeVar("T")
USER_ERRORS = (ReplyError, IllegalTransition, IllegalStep, BadInfoRequest, NoThread,
               NoSupervisor)


def _back(thread_id: int) -> Response:
    return redirect(url_for("views.thread", thread_id=thread_id), code=303)


def _found(model: type[T], row_id: int) -> T:
    row = db_session().get(model, row_id)
    if row is None:
        abort(404)
    return row


def _send(outbounds: list[OutboundMessage]) -> None:
    from inbox.jobs.replies import send_after_commit

    send_after_commit(db_session(), outbounds)


@bp.post("/threads/<int:thread_id>/reply")
@requires("thread.reply")
def reply(thread_id: int) -> Response:
    thread = _found(Thread, thread_id)
    channel = request.form.get("channel", "email")
    body = request.form.get("body", "")
    seen = request.form.get("seen_inbound", "")
    latest = thread.last_inbound_at.isoformat() if thread.last_inbound_at else ""
    if latest and seen != latest:
        flash("The customer wrote again while you were replying: read the new message, "
              "then send. Your draft is kept below.", "error")
        return redirect(url_for("views.thread", thread_id=thread_id, draft=body,
                                channel=channel), code=303)
    now = datetime.now(UTC)
    try:
        # Send later / set pending until (inbox.workspace.later), in the configured zone.
        send_at = parse_local(request.form.get("send_at"), settings().timezone, what="send at")
        until = parse_local(request.form.get("pending_until"), settings().timezone,
                            what="pending until")
        for when, what in ((send_at, "send at"), (until, "pending until")):
            if when is not None:
                check_future(when, now, what=what)
        row = queue_on_channel(db_session(), settings(), channel, thread_id, body,
                               now, author_id=current_user.id)
        if send_at is not None:
            schedule_reply(db_session(), row, send_at, now, actor_id=current_user.id)
        if until is not None:
            set_pending(db_session(), thread, until, now, actor_id=current_user.id)
    except (ReplyError, BadTime) as exc:
        db_session().rollback()
        flash(f"Not sent: {exc}", "error")
        return redirect(url_for("views.thread", thread_id=thread_id, draft=body,
                                channel=channel), code=303)
    _send([row])
    done = (f"Reply by {channel} scheduled for {local_time(send_at)}." if send_at
            else f"Reply queued by {channel}.")
    if until is not None:
        done += f" The thread is pending until {local_time(until)}."
    flash(done, "ok")
    return _back(thread_id)


@bp.post("/threads/<int:thread_id>/notes")
@requires("thread.note")
def note(thread_id: int) -> Response:
    thread = _found(Thread, thread_id)
    try:
        add_note(db_session(), thread, request.form.get("text", ""), datetime.now(UTC),
                 author_id=current_user.id)
    except ValueError as exc:
        flash(str(exc), "error")
    return _back(thread_id)


@bp.post("/claims/<int:claim_id>/act")
@requires("claim.act")
def claim_act(claim_id: int) -> Response:
    from inbox.casework.decisions import claim_action

    session = db_session()
    claim = _found(Claim, claim_id)
    thread_id = request.form.get("thread_id", type=int)
    action = request.form.get("action", "")
    try:
        actor = actor_for(session, settings(), current_user.id)
        if action == "request_info":
            from inbox.casework.info_requests import request_information

            _, sent = request_information(
                session, settings(), claim, actor, datetime.now(UTC),
                items=request.form.getlist("items"), note=request.form.get("note", ""),
                channel=request.form.get("channel") or None, thread_id=thread_id)
            _send([sent.outbound])
            flash(f"Asked the customer by {sent.channel}.", "ok")
        else:
            decision = claim_action(
                session, settings(), claim, action, actor, datetime.now(UTC),
                amount=_amount(request.form.get("amount")),
                reason=request.form.get("reason", ""),
                reason_code=request.form.get("reason_code", ""), thread_id=thread_id)
            _send([n.outbound for n in decision.notices])
            flash(f"{claim.number}: {decision.event.from_status} → {decision.event.to_status}"
                  + (f" ({decision.event.reason})" if decision.escalation else ""), "ok")
    except USER_ERRORS as exc:
        flash(str(exc), "error")
    return _back(thread_id) if thread_id else redirect(url_for("views.queue"), code=303)


@bp.post("/escalations/<int:escalation_id>/decide")
@requires("escalation.decide")
def decide(escalation_id: int) -> Response:
    from inbox.casework.decisions import decide_escalation

    session = db_session()
    escalation = _found(Escalation, escalation_id)
    try:
        result = decide_escalation(
            session, settings(), escalation, request.form.get("decision", ""),
            actor_for(session, settings(), current_user.id), datetime.now(UTC),
            note=request.form.get("note", ""), amount=_amount(request.form.get("amount")),
            reason_code=request.form.get("reason_code", ""))
        _send([n.outbound for n in result.notices])
        flash(f"Decided: {result.event.to_status}.", "ok")
    except USER_ERRORS as exc:
        flash(str(exc), "error")
    if escalation.thread_id:
        return _back(escalation.thread_id)
    return redirect(url_for("views.queue", view="escalated"), code=303)


@bp.post("/threads/<int:thread_id>/manage")
@requires("thread.assign")
def manage(thread_id: int) -> Response:
    """Assignee, priority, close or reopen, from the thread page's header."""
    from inbox.workspace.assignment import AssignmentError, assign, set_priority, set_status

    session = db_session()
    thread = _found(Thread, thread_id)
    now = datetime.now(UTC)
    assignee = request.form.get("assignee", "")
    try:
        if "assignee" in request.form:
            assign(session, thread, int(assignee) if assignee.isdigit() else None, now,
                   actor_id=current_user.id)
        if request.form.get("priority"):
            set_priority(session, thread, request.form["priority"], now,
                         actor_id=current_user.id)
        if request.form.get("status"):
            set_status(session, thread, request.form["status"], now, actor_id=current_user.id)
            flash("Thread closed." if thread.status == "closed" else "Thread reopened.", "ok")
    except AssignmentError as exc:
        flash(str(exc), "error")
    return _back(thread_id)


def _amount(text: str | None) -> Decimal | None:
    if not text or not text.strip():
        return None
    try:
        amount = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise IllegalTransition(f"amount: {text!r} is not an amount")
    return amount
