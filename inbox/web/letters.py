"""Letters on the web: the mail room's upload form, the "needs a human" list,
and a filed letter's pages and original scan.

* ``GET/POST /letters/upload``: files are checked by content and size, saved
  under ``<instance_dir>/letters/uploads/<sha256>/<name>`` (written to a
  temporary name, then renamed: a half-written file is never seen) and filed
  by the job :func:`inbox.jobs.letters_upload.ingest_uploaded_letter`.
* ``GET /letters/review``: open letter reviews; ``POST /letters/review/<id>``
  with ``customer_id`` applies the rep's choice (:func:`resolve_review`).
* ``GET /messages/<id>/pages/<n>.png``: page ``n`` (1-based) of a letter,
  rendered from the stored scan (nothing is written).
* ``GET /attachments/<sha256>``: a stored attachment, only when an attachment
  row names that sha256.

Sign-in, permissions and CSRF tokens: :mod:`inbox.web.auth`; choices are
recorded with the signed-in user as actor.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import redis
import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as BaseResponse

from channels.letters.pages import ScanError, load_page, page_png, sniff
from claims.models import Customer, CustomerIdentity
from config import Settings
from inbox.intake.core import CONFIG_KEY
from inbox.letters.review import ReviewError, open_reviews, resolve_review
from inbox.models import Attachment, LetterReview, Message
from inbox.queueing import QueueUnavailableError
from inbox.web import db_session, settings
from inbox.web.permissions import requires

log = logging.getLogger(__name__)
bp = Blueprint("letters", __name__)

ACCEPT = ".pdf,.tif,.tiff,.png,.jpg,.jpeg"
# File name endings that fit each kind; another ending gets the kind's own.
EXTENSIONS = {"pdf": (".pdf",), "png": (".png",), "jpeg": (".jpg", ".jpeg"),
              "tiff": (".tif", ".tiff")}
PAGE_WIDTH = 1200
PAGE_MAX_AGE = 24 * 3600
CHUNK = 1024 * 1024
HEAD = 1024
# Shown in the browser; anything else is downloaded.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


# -- upload -----------------------------------------------------------------


class UploadRefusedError(ValueError):
    """The file is not taken; the message says why, for the mail room."""


@dataclass
class UploadResult:
    name: str
    queued: bool
    reason: str = ""
    sha256: str = ""
    job_id: str = ""


def uploads_dir(config: Settings) -> Path:
    return config.instance_dir / "letters" / "uploads"


def safe_name(original: str, kind: str) -> str:
    """A file name to keep: the last path part, word characters, dots and
    dashes only, ending in an extension of ``kind``."""
    base = original.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w.-]+", "_", base).strip("._")[:120] or "letter"
    if not name.lower().endswith(EXTENSIONS[kind]):
        name = f"{name}{EXTENSIONS[kind][0]}"
    return name


def save_upload(stream: IO[bytes], original: str, directory: Path, limit_mb: float) -> Path:
    """Write ``stream`` to ``directory/<sha256>/<safe name>``; raises
    :class:`UploadRefusedError` for an empty, too big or not-a-scan file."""
    limit = int(limit_mb * 1024 * 1024)
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".incoming-")
    try:
        digest, size, head = hashlib.sha256(), 0, b""
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise UploadRefusedError(f"too big: the limit is {limit_mb:g} MB")
                if len(head) < HEAD:
                    head += chunk[:HEAD - len(head)]
                    if len(head) >= HEAD:
                        _kind(head)  # refuse a non-scan before writing it all
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise UploadRefusedError("the file is empty")
        target = directory / digest.hexdigest() / safe_name(original, _kind(head))
        target.parent.mkdir(exist_ok=True)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _kind(head: bytes) -> str:
    try:
        return sniff(head)[0]
    except ScanError as exc:
        raise UploadRefusedError(f"not a scan: {exc}") from exc


def take_upload(upload: FileStorage, config: Settings) -> UploadResult:
    """Save one uploaded file and queue its filing."""
    from inbox.jobs.base import enqueue
    from inbox.jobs.letters_upload import ingest_uploaded_letter

    name = upload.filename or "(no name)"
    try:
        path = save_upload(upload.stream, name, uploads_dir(config), config.letters.max_file_mb)
    except UploadRefusedError as exc:
        return UploadResult(name, False, str(exc))
    try:
        queued = enqueue(ingest_uploaded_letter, str(path), name)
    except (QueueUnavailableError, redis.RedisError) as exc:
        log.error("uploaded letter %s saved as %s but not queued: %s", name, path, exc)
        return UploadResult(name, False, "saved, but the job queue is unavailable: "
                            "try again later", sha256=path.parent.name)
    return UploadResult(name, True, sha256=path.parent.name, job_id=queued.id)


@bp.get("/letters/upload")
@requires("letters.upload")
def upload_form() -> str:
    return render_template("letters/upload.html", accept=ACCEPT, results=[],
                           max_file_mb=settings().letters.max_file_mb)


@bp.post("/letters/upload")
@requires("letters.upload")
def upload() -> tuple[str, int]:
    files = [f for f in request.files.getlist("files") if f.filename or f.content_length]
    results = [take_upload(f, settings()) for f in files]
    status = 200 if any(r.queued for r in results) else 400
    return render_template("letters/upload.html", accept=ACCEPT, results=results,
                           max_file_mb=settings().letters.max_file_mb,
                           nothing=not files), status


# -- the "needs a human" list ----------------------------------------------


@dataclass
class ReviewRow:
    review: LetterReview
    message: Message
    letter: dict[str, Any]
    ocr: dict[str, Any]
    filed: Customer | None
    candidates: list[Customer] = field(default_factory=list)


def find_customers(session: Session, query: str, limit: int = 20) -> list[Customer]:
    """Customers whose name, reference or email address contains ``query``."""
    query = query.strip()
    if not query:
        return []
    by_email = sa.select(CustomerIdentity.customer_id).where(
        CustomerIdentity.kind == "email",
        CustomerIdentity.value.icontains(query, autoescape=True))
    return list(session.scalars(
        sa.select(Customer).where(
            Customer.merged_into_id.is_(None),
            sa.or_(Customer.name.icontains(query, autoescape=True),
                   Customer.ref.icontains(query, autoescape=True),
                   Customer.id.in_(by_email)),
        ).order_by(Customer.name, Customer.id).limit(limit)
    ))


def review_rows(session: Session, query: str) -> list[ReviewRow]:
    """Open reviews with what the list shows; candidates are the customers
    matching ``query``, or without one those named like the sender read (all
    looked up in one query)."""
    reviews = open_reviews(session)
    filed_ids = {r.filed_customer_id for r in reviews if r.filed_customer_id}
    filed = {c.id: c for c in session.scalars(
        sa.select(Customer).where(Customer.id.in_(filed_ids)))} if filed_ids else {}
    searched = find_customers(session, query) if query.strip() else None
    names = {r.id: ((r.message.extras or {}).get("letter", {}).get("sender_name")
                    or r.message.sender_name or "").strip() for r in reviews}
    named = _named_like(session, {n for n in names.values() if n}) if searched is None else []
    rows = []
    for review in reviews:
        message = review.message
        extras = message.extras or {}
        name = names[review.id].casefold()
        candidates = searched if searched is not None else [
            c for c in named if name and name in (c.name or "").casefold()][:10]
        rows.append(ReviewRow(review, message, extras.get("letter") or {},
                              extras.get("ocr") or {},
                              filed.get(review.filed_customer_id or 0), candidates))
    return rows


def _named_like(session: Session, names: set[str]) -> list[Customer]:
    if not names:
        return []
    return list(session.scalars(
        sa.select(Customer).where(
            Customer.merged_into_id.is_(None),
            sa.or_(*(Customer.name.icontains(n, autoescape=True) for n in names)),
        ).order_by(Customer.name, Customer.id).limit(20 * len(names))
    ))


def _render_reviews(status: int = 200) -> tuple[str, int]:
    query = request.values.get("q", "")
    return render_template("letters/review.html", rows=review_rows(db_session(), query),
                           q=query, min_confidence=settings().letters.review_min_confidence,
                           ), status


@bp.get("/letters/review")
@requires("letters.review")
def review() -> tuple[str, int]:
    return _render_reviews()


@bp.post("/letters/review/<int:review_id>")
@requires("letters.review")
def resolve(review_id: int) -> BaseResponse | tuple[str, int]:
    # A number typed in wins over a suggestion ticked.
    chosen = (request.form.get("other_customer_id") or "").strip() or (
        request.form.get("customer_id") or "")
    try:
        customer_id = int(chosen.strip().lstrip("#"))
    except ValueError:
        flash("Pick a customer (or enter a customer number).", "error")
        return _render_reviews(400)
    try:
        done = resolve_review(db_session(), review_id, customer_id, datetime.now(UTC),
                              actor_id=current_user.id)
    except ReviewError as exc:
        flash(str(exc), "error")
        return _render_reviews(400)
    flash(f"Letter {done.message.extras.get('letter', {}).get('file', '')} filed under "
          f"customer #{done.chosen_customer_id}; letters from this address will be too.",
          "ok")
    return redirect(url_for("letters.review", q=request.form.get("q") or None), code=303)


# -- the print room ----------------------------------------------------------


@bp.get("/letters/print")
@requires("letters.print")
def print_room() -> str:
    from inbox.letters.replies import print_queue

    return render_template("letters/print.html", letters=print_queue(db_session()))


@bp.post("/letters/print/<int:message_id>")
@requires("letters.print")
def printed(message_id: int) -> BaseResponse | tuple[str, int]:
    from inbox.letters.replies import mark_printed
    from inbox.outbound import ReplyError

    try:
        mark_printed(db_session(), message_id, datetime.now(UTC), actor_id=current_user.id)
    except ReplyError as exc:
        flash(str(exc), "error")
        return render_template("letters/print.html", letters=[]), 400
    flash(f"Letter {message_id} marked printed.", "ok")
    return redirect(url_for("letters.print_room"), code=303)


# -- a letter's pages and original -----------------------------------------


def letter_page_png(session: Session, message_id: int, number: int) -> bytes | None:
    """Page ``number`` (1-based) of a letter message as PNG, or None when the
    message is not a letter or has no such page."""
    message = session.get(Message, message_id,
                          options=[selectinload(Message.attachments)])
    if message is None or message.channel != "letter" or not message.attachments:
        return None
    letter = (message.extras or {}).get("letter") or {}
    if not 1 <= number <= len(letter.get("pages") or [1]):
        return None
    path = session.info[CONFIG_KEY].blobs.path(message.attachments[0].sha256)
    if not path.exists():
        return None
    try:
        # The letter's own file may be a TIFF of a PNG scan's pages: ask the bytes.
        kind = sniff(path)[0]
        # Render even a PDF page that has a text layer: this is for the eye.
        page = load_page(path, kind, number - 1, min_text_chars=1 << 30)
    except ScanError:
        return None
    return None if page.image is None else page_png(page.image, PAGE_WIDTH)


@bp.get("/messages/<int:message_id>/pages/<int:number>.png")
@requires("thread.view")
def page_image(message_id: int, number: int) -> Response:
    data = letter_page_png(db_session(), message_id, number)
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/png")
    response.cache_control.private = True
    response.cache_control.max_age = PAGE_MAX_AGE
    return response


@bp.get("/attachments/<sha256>")
@requires("thread.view")
def attachment(sha256: str) -> Response:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        abort(404)
    row = db_session().scalars(
        sa.select(Attachment).where(Attachment.sha256 == sha256).order_by(Attachment.id)
    ).first()
    if row is None:
        abort(404)
    path = db_session().info[CONFIG_KEY].blobs.path(sha256)
    if not path.exists():
        abort(404)
    content_type = (row.content_type or "application/octet-stream").split(";")[0].lower()
    response = send_file(path, mimetype=content_type, download_name=row.filename or sha256,
                         as_attachment=content_type not in INLINE_TYPES, conditional=True,
                         etag=sha256, max_age=PAGE_MAX_AGE)
    response.cache_control.private = True
    response.cache_control.public = False
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
