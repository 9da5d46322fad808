"""Managing the team's canned responses (leads, supervisors, admins): the
list by key with the languages each has, create, edit, delete. The rules
(what a valid response is, audit) are :mod:`inbox.workspace.canned`'s."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from config import SUPPORTED_LANGUAGES
from inbox.models import CannedResponse
from inbox.web import db_session
from inbox.web.permissions import requires
from inbox.workspace.canned import PLACEHOLDERS, BadCanned, check_entry, delete, save

bp = Blueprint("canned", __name__)


def _row(canned_id: int) -> CannedResponse:
    row = db_session().get(CannedResponse, canned_id)
    if row is None:
        abort(404)
    return row


@bp.get("/canned")
@requires("canned.manage")
def index() -> str:
    rows = db_session().scalars(sa.select(CannedResponse)
                                .order_by(CannedResponse.key, CannedResponse.language)).all()
    by_key: dict[str, list[CannedResponse]] = defaultdict(list)
    for row in rows:
        by_key[row.key].append(row)
    return render_template("canned/list.html", by_key=dict(by_key),
                           languages=SUPPORTED_LANGUAGES)


@bp.route("/canned/new", methods=["GET", "POST"])
@requires("canned.manage")
def create() -> str | Response | tuple[str, int]:
    return _form(None)


@bp.route("/canned/<int:canned_id>/edit", methods=["GET", "POST"])
@requires("canned.manage")
def edit(canned_id: int) -> str | Response | tuple[str, int]:
    return _form(_row(canned_id))


@bp.post("/canned/<int:canned_id>/delete")
@requires("canned.manage")
def remove(canned_id: int) -> Response:
    row = _row(canned_id)
    what = f"{row.key} ({row.language})"
    delete(db_session(), row, datetime.now(UTC), actor_id=current_user.id)
    flash(f"Deleted {what}.", "ok")
    return redirect(url_for("canned.index"), code=303)


def _form(row: CannedResponse | None) -> str | Response | tuple[str, int]:
    values = {
        "key": request.args.get("key", ""), "language": request.args.get("language", "en"),
        "title": "", "body": "",
    } if row is None else {"key": row.key, "language": row.language, "title": row.title,
                           "body": row.body}
    error = ""
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in values}
        session = db_session()
        try:
            entry = check_entry(values["key"], values["language"], values["title"],
                                values["body"])
            with session.begin_nested():
                saved, outcome = save(session, entry, datetime.now(UTC),
                                      actor_id=current_user.id, row=row)
                if row is None and outcome != "created":
                    raise BadCanned(f"{entry.key} ({entry.language}) exists already: "
                                    f"edit that one")
        except BadCanned as exc:
            error = str(exc)
        else:
            flash(f"Saved {saved.key} ({saved.language}).", "ok")
            return redirect(url_for("canned.index"), code=303)
    response = render_template("canned/edit.html", row=row, values=values, error=error,
                               languages=SUPPORTED_LANGUAGES, placeholders=PLACEHOLDERS)
    return (response, 422) if error else response
