"""The failed-intake pages for admins: what could not be filed, why, its raw
input, and retrying or discarding it.

* ``GET /admin/intake``: newest first, filtered by status (default failed)
  and channel, with counts per status and pages.
* ``GET /admin/intake/<id>``: the error and traceback, the stored message as
  JSON, the start of the raw input as text (escaped, never HTML) and
  ``GET /admin/intake/<id>/raw`` to download all of it.
* ``POST /admin/intake/<id>/retry`` and ``POST /admin/intake/retry`` (the
  ticked ones): filed again through ingest, as the job and the CLI do
  (:func:`inbox.intake.retry.retry_failed_intake`); a record is filed at most
  once however often it is clicked.
* ``POST /admin/intake/<id>/discard`` with a reason, kept in the audit log.

Thin handlers over :mod:`inbox.intake.failed`; ``intake.manage`` (admins).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from inbox.intake.core import CONFIG_KEY
from inbox.intake.failed import (
    CHANNELS,
    PAGE_SIZE,
    PREVIEW_BYTES,
    DiscardRefusedError,
    FailedFilter,
    discard,
    failed_page,
    history,
    landed_in,
    pretty_inbound,
    raw_preview,
    retry_by,
    status_counts,
)
from inbox.intake.retry import RetryOutcome
from inbox.models import FailedIntake
from inbox.models.intake import INTAKE_STATUSES
from inbox.web import db_session
from inbox.web.permissions import requires

bp = Blueprint("intake_admin", __name__, url_prefix="/admin/intake")
BULK_MAX = 200  # ids one bulk retry takes (a few pages' worth)
# File name endings for the download, by what the bytes are.
RAW_ENDINGS = {"email": ".eml", "pdf": ".pdf", "tiff": ".tif", "png": ".png", "jpeg": ".jpg"}


@bp.get("")
@requires("intake.manage")
def index() -> str:
    session = db_session()
    chosen = FailedFilter.parse(request.args.to_dict())
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows, total = failed_page(session, chosen, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "intake/list.html", rows=rows, total=total, filter=chosen, page=page,
        pages=max(1, -(-total // PAGE_SIZE)), counts=status_counts(session, chosen.channel),
        statuses=INTAKE_STATUSES, channels=CHANNELS, bulk_max=BULK_MAX,
        args={key: value for key, value in (("status", chosen.status),
                                            ("channel", chosen.channel)) if value})


@bp.get("/<int:failed_id>")
@requires("intake.manage")
def detail(failed_id: int) -> str:
    session = db_session()
    failed = _found(failed_id)
    inbound_json, inbound_cut = pretty_inbound(failed)
    return render_template(
        "intake/detail.html", failed=failed, history=history(session, failed_id),
        message=landed_in(session, failed), inbound_json=inbound_json,
        inbound_cut=inbound_cut, raw=raw_preview(session.info[CONFIG_KEY].blobs, failed.raw_ref),
        raw_limit=PREVIEW_BYTES, back=_list_args(request.args))


@bp.get("/<int:failed_id>/raw")
@requires("intake.manage")
def raw(failed_id: int) -> Response:
    failed = _found(failed_id)
    blobs = db_session().info[CONFIG_KEY].blobs
    if not failed.raw_ref or not blobs.exists(failed.raw_ref):
        abort(404)
    path = blobs.path(failed.raw_ref)
    response = send_file(
        path, mimetype="application/octet-stream", as_attachment=True,
        download_name=f"failed-intake-{failed.id}{_ending(failed.channel, path)}",
        conditional=True, etag=failed.raw_ref)
    response.cache_control.private = True
    response.cache_control.no_store = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/<int:failed_id>/retry")
@requires("intake.manage")
def retry(failed_id: int) -> Response:
    outcome = retry_by(db_session(), failed_id, datetime.now(UTC), current_user.id)
    if outcome.outcome == "not_found":
        abort(404)
    category, text = _said(outcome)
    flash(text, category)
    return redirect(url_for("intake_admin.detail", failed_id=failed_id), code=303)


@bp.post("/retry")
@requires("intake.manage")
def retry_many() -> Response:
    ids = list(dict.fromkeys(int(v) for v in request.form.getlist("ids") if v.isdigit()))
    back = url_for("intake_admin.index", **_list_args(request.form))
    if not ids:
        flash("Tick the records to retry first.", "error")
        return redirect(back, code=303)
    if len(ids) > BULK_MAX:
        flash(f"At most {BULK_MAX} records at a time.", "error")
        return redirect(back, code=303)
    now = datetime.now(UTC)
    tally: dict[str, int] = {}
    for failed_id in ids:
        outcome = retry_by(db_session(), failed_id, now, current_user.id)
        tally[outcome.outcome] = tally.get(outcome.outcome, 0) + 1
    words = {"filed": "filed", "already_filed": "filed before", "failed": "failed again",
             "not_retryable": "cannot be retried here", "skipped": "not failed any more",
             "not_found": "not found"}
    flash("Retried: " + ", ".join(f"{tally[key]} {word}" for key, word in words.items()
                                  if key in tally) + ".",
          "ok" if set(tally) <= {"filed", "already_filed", "skipped"} else "error")
    return redirect(back, code=303)


@bp.post("/<int:failed_id>/discard")
@requires("intake.manage")
def discard_one(failed_id: int) -> Response:
    try:
        found = discard(db_session(), failed_id, request.form.get("reason", ""),
                        datetime.now(UTC), current_user.id)
    except DiscardRefusedError as exc:
        flash(f"Not discarded: {exc}.", "error")
    else:
        if found is None:
            abort(404)
        flash("Discarded.", "ok")
    return redirect(url_for("intake_admin.detail", failed_id=failed_id), code=303)


def _found(failed_id: int) -> FailedIntake:
    failed = db_session().get(FailedIntake, failed_id)
    if failed is None:
        abort(404)
    return failed


def _said(outcome: RetryOutcome) -> tuple[str, str]:
    if outcome.outcome == "filed":
        return "ok", f"Filed as message {outcome.message_id}."
    if outcome.outcome == "already_filed":
        return "ok", f"It had been filed already (message {outcome.message_id}): nothing added."
    if outcome.outcome == "skipped":
        return "ok", f"Nothing done: {outcome.error} (retried or discarded meanwhile)."
    if outcome.outcome == "not_retryable":
        return "error", f"Cannot be retried here: {outcome.error}."
    return "error", f"Failed again: {outcome.error}"


def _list_args(source: Any) -> dict[str, Any]:
    """The list's filter and page, carried through a form or a link back."""
    kept = {key: str(source.get(key, "")) for key in ("status", "channel", "page")}
    return {key: value for key, value in kept.items() if value}


def _ending(channel: str, path: Any) -> str:
    if channel == "email":
        return RAW_ENDINGS["email"]
    if channel == "letter":
        from channels.letters.pages import ScanError, sniff

        try:
            return RAW_ENDINGS.get(sniff(path)[0], ".bin")
        except (ScanError, OSError):
            return ".bin"
    return ".bin"
