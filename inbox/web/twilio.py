"""Twilio webhooks: check the signature, store the raw event, answer at once.

The filing runs in the job :func:`inbox.jobs.twilio.file_twilio_events`. The
signature is checked over the public URL Twilio called (``public_base_url``),
not the one a proxy hands us, and over every posted parameter; a request that
fails the check is answered 403 and nothing is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, request

from channels.twilio.signature import HEADER, public_url, verify
from channels.twilio.webhooks import WebhookError
from inbox.calls.events import record_event
from inbox.calls.outbound import record_delivery
from inbox.jobs.base import enqueue_after_commit
from inbox.jobs.twilio import file_twilio_events
from inbox.web import db_session, settings

bp = Blueprint("twilio", __name__, url_prefix="/webhooks/twilio")
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


@bp.post("/voice/status")
def voice_status() -> Response:
    return _receive("call_status")


@bp.post("/voice/recording")
def voice_recording() -> Response:
    return _receive("recording")


@bp.post("/voice/transcription")
def voice_transcription() -> Response:
    return _receive("transcription")


@bp.post("/sms")
def sms() -> Response:
    return _receive("sms")


@bp.post("/sms/status")
def sms_status() -> Response:
    """Delivery state of an SMS we sent: recorded directly on the message (one
    SELECT ... FOR UPDATE and one UPDATE), not via a stored event - it is a
    single field, the latest state wins by order, and a replay changes nothing."""
    _verified()
    try:
        record_delivery(db_session(), request.form.to_dict(flat=True), datetime.now(UTC))
    except ValueError as exc:
        abort(400, str(exc))
    return Response(EMPTY_TWIML, status=200, mimetype="text/xml")


def _verified() -> None:
    twilio = settings().twilio
    if twilio is None:
        abort(404)
    url = public_url(twilio, request.path, request.query_string)
    if not verify(twilio.auth_token(), url, request.form, request.headers.get(HEADER)):
        abort(403)


def _receive(kind: str) -> Response:
    _verified()
    session = db_session()
    try:
        event, new = record_event(session, kind, request.form.items(multi=True),
                                  datetime.now(UTC))
    except WebhookError as exc:
        abort(400, str(exc))
    if new or event.processed_at is None:
        enqueue_after_commit(session, file_twilio_events, [event.id])
    return Response(EMPTY_TWIML, status=200, mimetype="text/xml")
