"""Thread tools on the thread page: merge, split, move a message
(:mod:`inbox.workspace.thread_ops`), presence heartbeats
(:mod:`inbox.workspace.presence`) and a call's recording served from the
attachment store. Thin handlers: parse the form, call the domain function,
say what happened."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import redis
from flask import Blueprint, abort, flash, jsonify, redirect, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from inbox.intake.core import CONFIG_KEY
from inbox.models import Message, Thread
from inbox.queueing import QueueUnavailableError, connect
from inbox.web import db_session, settings
from inbox.web.permissions import requires
from inbox.workspace.calls import call_details, recording_removed, recording_sha256
from inbox.workspace.presence import Presence, PresenceError
from inbox.workspace.thread_ops import ThreadOpError, merge_threads, move_message, split_thread

bp = Blueprint("thread_tools", __name__)
log = logging.getLogger(__name__)
# Redis unreachable or the embedded one not starting: presence is not shown.
PRESENCE_DOWN = (redis.RedisError, QueueUnavailableError, OSError)

bp.add_app_template_filter(call_details, "call_details")


def _to_thread(thread_id: int) -> Response:
    return redirect(url_for("views.thread", thread_id=thread_id), code=303)


def _refused(thread_id: int, what: str, exc: ThreadOpError) -> Response:
    log.info("%s refused (thread %s, user %s): %s", what, thread_id, current_user.id, exc)
    flash(f"Not done: {exc}", "error")
    return _to_thread(thread_id)


@bp.post("/threads/<int:thread_id>/merge")
@requires("thread.organize")
def merge(thread_id: int) -> Response:
    into = request.form.get("into", type=int)
    if into is None:
        return _refused(thread_id, "merge", ThreadOpError("choose the thread to merge into"))
    try:
        target = merge_threads(db_session(), thread_id, into, datetime.now(UTC),
                               actor_id=current_user.id,
                               reason=request.form.get("reason", "")[:500])
    except ThreadOpError as exc:
        return _refused(thread_id, "merge", exc)
    flash(f"Thread #{thread_id} was merged into this thread.", "ok")
    return _to_thread(target.id)


@bp.post("/threads/<int:thread_id>/split")
@requires("thread.organize")
def split(thread_id: int) -> Response:
    ids = request.form.getlist("message_ids", type=int)
    try:
        new = split_thread(db_session(), thread_id, ids, request.form.get("subject", ""),
                           datetime.now(UTC), actor_id=current_user.id)
    except ThreadOpError as exc:
        return _refused(thread_id, "split", exc)
    flash(f"{len(set(ids))} message(s) split off from thread #{thread_id} into this thread.",
          "ok")
    return _to_thread(new.id)


@bp.post("/messages/<int:message_id>/move")
@requires("thread.organize")
def move(message_id: int) -> Response:
    message = db_session().get(Message, message_id)
    if message is None:
        abort(404)
    source_id = message.thread_id
    into = request.form.get("into", type=int)
    if into is None:
        return _refused(source_id, "move", ThreadOpError("choose the thread to move it to"))
    try:
        target = move_message(db_session(), message_id, into, datetime.now(UTC),
                              actor_id=current_user.id)
    except ThreadOpError as exc:
        return _refused(source_id, "move", exc)
    flash(f"The message was moved to thread #{target.id} ({target.subject or 'no subject'}).",
          "ok")
    return _to_thread(source_id)


# -- presence -------------------------------------------------------------------


def _presence() -> Presence:
    cfg = settings()
    return Presence(connect(cfg), cfg.presence_ttl_seconds)


def _known(thread_id: int) -> None:
    if db_session().get(Thread, thread_id) is None:
        abort(404)


def _unavailable(exc: BaseException) -> Response:
    log.warning("presence unavailable: %s", type(exc).__name__)
    response = jsonify({"available": False, "others": [],
                        "error": "presence is unavailable (Redis cannot be reached)"})
    response.status_code = 503
    return response


def _others(thread_id: int) -> Response:
    others = _presence().present(thread_id, besides=current_user.id)
    return jsonify({
        "available": True,
        "ttl_seconds": settings().presence_ttl_seconds,
        "others": [{"user_id": p.user_id, "name": p.name, "state": p.state} for p in others],
    })


@bp.get("/threads/<int:thread_id>/presence")
@requires("thread.view")
def presence(thread_id: int) -> Response:
    """The other users who have the thread open, and whether they are replying."""
    _known(thread_id)
    try:
        return _others(thread_id)
    except PRESENCE_DOWN as exc:
        return _unavailable(exc)


@bp.post("/threads/<int:thread_id>/presence")
@requires("thread.view")
def heartbeat(thread_id: int) -> Response:
    """The signed-in user's page is open on the thread (form field ``state``:
    viewing, replying, or left); answers like the GET."""
    _known(thread_id)
    state = request.form.get("state", "viewing")
    try:
        _presence().heartbeat(thread_id, current_user.id, current_user.name, state)
        return _others(thread_id)
    except PresenceError as exc:
        response = jsonify({"error": str(exc)})
        response.status_code = 400
        return response
    except PRESENCE_DOWN as exc:
        return _unavailable(exc)


# -- call recordings --------------------------------------------------------------


@bp.get("/messages/<int:message_id>/recording")
@requires("thread.view")
def recording(message_id: int) -> Response:
    """A call's recording from the attachment store (never Twilio's URL)."""
    session = db_session()
    message = session.get(Message, message_id, options=[selectinload(Message.attachments)])
    if message is None or message.channel != "call":
        abort(404)
    sha = recording_sha256(message)
    if sha is None or recording_removed(message, sha):
        abort(404)
    path = session.info[CONFIG_KEY].blobs.path(sha)
    if not path.exists():
        abort(404)
    row = next((a for a in message.attachments if a.sha256 == sha), None)
    content_type = ((row.content_type if row else "") or "audio/mpeg").split(";")[0].lower()
    if not content_type.startswith("audio/"):
        content_type = "application/octet-stream"
    response = send_file(path, mimetype=content_type, conditional=True, etag=sha,
                         download_name=(row.filename if row else "") or f"recording-{sha[:12]}",
                         as_attachment=False, max_age=3600)
    response.cache_control.private = True
    response.cache_control.public = False
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
