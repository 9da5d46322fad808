"""A user's notifications in the app: mentions in notes, escalations routed
to them, decisions on what they escalated. Each user sees only their own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from inbox.models import Notification
from inbox.web import db_session
from inbox.web.permissions import requires

bp = Blueprint("notifications", __name__)
PAGE = 50


@bp.app_context_processor
def _unread() -> dict[str, Any]:
    """The count in the header, one indexed query per page."""
    def unread() -> int:
        if not current_user.is_authenticated:
            return 0
        return db_session().scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == current_user.id, Notification.read_at.is_(None))) or 0
    return {"unread_notifications": unread}


@bp.get("/notifications")
@requires("notifications.view")
def index() -> str:
    show_all = request.args.get("all") == "1"
    query = sa.select(Notification).where(Notification.user_id == current_user.id)
    if not show_all:
        query = query.where(Notification.read_at.is_(None))
    rows = db_session().scalars(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(PAGE)).all()
    return render_template("notifications.html", notifications=rows, show_all=show_all)


@bp.post("/notifications/<int:notification_id>/read")
@requires("notifications.view")
def read(notification_id: int) -> Response:
    row = db_session().get(Notification, notification_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    if row.read_at is None:
        row.read_at = datetime.now(UTC)
    if request.form.get("open") and row.thread_id:
        return redirect(url_for("views.thread", thread_id=row.thread_id), code=303)
    return redirect(url_for("notifications.index"), code=303)


@bp.post("/notifications/read-all")
@requires("notifications.view")
def read_all() -> Response:
    db_session().execute(sa.update(Notification).where(
        Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=datetime.now(UTC)))
    return redirect(url_for("notifications.index"), code=303)
