"""The reply composer's extras: a canned response filled in for the thread,
a scheduled reply cancelled, the thread set pending until a follow-up time.
Thin handlers over :mod:`inbox.workspace.canned` and :mod:`inbox.workspace.later`.

Times on the pages are the configured time zone's (``settings.timezone``);
the ``local_time`` filter shows a stored UTC time in it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from inbox.models import OutboundMessage, Thread
from inbox.web import db_session, settings
from inbox.web.permissions import requires
from inbox.workspace.canned import CannedNotFound, render_for_thread
from inbox.workspace.later import BadTime, NotCancellable, cancel_reply, parse_local, set_pending

bp = Blueprint("composer", __name__)


@bp.app_template_filter("local_time")
def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    """A stored (UTC) time in the configured zone, named (``2026-11-23 09:30 GMT``)."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(settings().timezone)).strftime(fmt)


@bp.app_template_global("local_input")
def local_input(value: datetime | None) -> str:
    """A stored time as a ``datetime-local`` value in the configured zone."""
    return local_time(value, "%Y-%m-%dT%H:%M") if value is not None else ""


def _thread(thread_id: int) -> Thread:
    thread = db_session().get(Thread, thread_id)
    if thread is None:
        abort(404)
    return thread


@bp.get("/threads/<int:thread_id>/canned/<key>")
@requires("thread.reply")
def canned(thread_id: int, key: str) -> Response:
    """The canned response ``key`` filled in for the thread, as JSON:
    ``{key, language, title, text, unknown, empty, wanted_language}``."""
    thread = _thread(thread_id)
    try:
        rendered = render_for_thread(db_session(), thread, key, agent_name=current_user.name)
    except CannedNotFound as exc:
        response = jsonify({"error": {"status": 404, "message": str(exc)}})
        response.status_code = 404
        return response
    return jsonify(rendered.as_json())


@bp.post("/threads/<int:thread_id>/pending")
@requires("thread.reply")
def pending(thread_id: int) -> Response:
    thread = _thread(thread_id)
    now = datetime.now(UTC)
    try:
        until = parse_local(request.form.get("until"), settings().timezone, what="pending until")
        if until is None:
            raise BadTime("pending until: choose the date and time to follow up")
        set_pending(db_session(), thread, until, now, actor_id=current_user.id)
    except BadTime as exc:
        flash(str(exc), "error")
    else:
        flash(f"Pending until {local_time(until)}: the thread comes back to the queue then, "
              f"or when the customer writes.", "ok")
    return redirect(url_for("views.thread", thread_id=thread_id), code=303)


@bp.post("/outbound/<int:outbound_id>/cancel")
@requires("thread.reply")
def cancel(outbound_id: int) -> Response:
    session = db_session()
    row = session.get(OutboundMessage, outbound_id)
    if row is None:
        abort(404)
    try:
        cancel_reply(session, outbound_id, datetime.now(UTC), actor_id=current_user.id)
    except NotCancellable as exc:
        flash(str(exc), "error")
    else:
        flash("The scheduled reply is cancelled: it will not be sent.", "ok")
    return redirect(url_for("views.thread", thread_id=row.thread_id), code=303)


# -- the thread page's composer --------------------------------------------------


def composer_context(thread: Thread, draft: str) -> dict[str, object]:
    """What the thread page's composer needs: the canned responses to pick
    from, and the draft, with ``?canned=KEY`` (the picker without JavaScript)
    filled in after what was already typed."""
    from inbox.workspace.canned import choices, thread_languages

    session = db_session()
    choices_ = choices(session, thread_languages(thread, thread.customer))
    key = request.args.get("canned", "").strip()
    if key:
        try:
            rendered = render_for_thread(session, thread, key, agent_name=current_user.name)
        except CannedNotFound as exc:
            flash(str(exc), "error")
        else:
            draft = f"{draft.rstrip()}\n\n{rendered.text}" if draft.strip() else rendered.text
            for warning in canned_warnings(rendered.unknown, rendered.empty):
                flash(warning, "error")
    return {"canned_choices": choices_, "draft": draft, "timezone": settings().timezone}


def canned_warnings(unknown: tuple[str, ...], empty: tuple[str, ...]) -> list[str]:
    out = []
    if unknown:
        out.append("Left as written (not a placeholder we know): " + ", ".join(unknown))
    if empty:
        out.append("Nothing to fill in for this thread: " + ", ".join(
            "{" + name + "}" for name in empty))
    return out
