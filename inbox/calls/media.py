"""Fetching a call's recording or an MMS's media into the attachment store
(called by the job :func:`inbox.jobs.twilio.fetch_twilio_media`).

What to fetch is read in one transaction, fetched with no transaction open,
and written in another. A URL fetched is recorded in the message's
``extras["media_fetched"]`` (url -> sha256) and one Twilio refused (404, too
large, not Twilio's host) in ``extras["media_errors"]`` (url -> error), so a
second run fetches nothing again; an attachment with the same bytes is not
added twice either.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass

import sqlalchemy as sa

from channels.twilio.media import fetch, recording_url
from channels.twilio.rest import TwilioRejected, TwilioUnavailable
from config.twilio import TwilioSettings
from inbox.database import Database
from inbox.intake.core import CONFIG_KEY
from inbox.models import Message
from inbox.models.messages import Attachment

log = logging.getLogger(__name__)
FETCHED_KEY = "media_fetched"
ERRORS_KEY = "media_errors"


@dataclass(frozen=True)
class MediaItem:
    url: str  # as Twilio gave it (the key in extras)
    fetch_url: str
    filename: str  # without extension for MMS (from the content type)
    content_type: str  # declared; the answer's wins


def pending_media(message: Message) -> list[MediaItem]:
    """The recording or media items of ``message`` not fetched nor refused yet."""
    extras = message.extras or {}
    done = set(extras.get(FETCHED_KEY) or {}) | set(extras.get(ERRORS_KEY) or {})
    items: list[MediaItem] = []
    if message.channel == "call":
        url = extras.get("recording_url")
        if url:
            sid = extras.get("call_sid") or message.external_id
            items.append(MediaItem(url, recording_url(url), f"recording-{sid}.mp3",
                                   "audio/mpeg"))
    elif message.channel == "sms":
        for n, media in enumerate(extras.get("media") or [], start=1):
            url = media.get("url") if isinstance(media, dict) else None
            if url:
                items.append(MediaItem(url, url, f"mms-{n}", media.get("content_type") or ""))
    return [item for item in items if item.url not in done]


def fetch_message_media(db: Database, settings: TwilioSettings, message_id: int) -> int:
    """Store the message's not yet stored recording / media; returns how many
    attachments were added. Twilio unavailable: what was fetched is stored, then
    :class:`TwilioUnavailable` is raised (the job is retried)."""
    with db.transaction() as session:
        message = session.get(Message, message_id)
        if message is None:
            return 0
        items = pending_media(message)
    if not items:
        return 0
    blobs = db.info[CONFIG_KEY].blobs
    fetched: list[tuple[MediaItem, str, str, int]] = []  # item, sha256, content type, size
    refused: dict[str, str] = {}
    unavailable: TwilioUnavailable | None = None
    for item in items:
        try:
            data, content_type = fetch(settings, item.fetch_url)
        except TwilioRejected as exc:
            log.warning("twilio media of message %s refused: %s", message_id, exc)
            refused[item.url] = str(exc)[:500]
            continue
        except TwilioUnavailable as exc:
            unavailable = exc
            break
        content_type = _content_type(content_type, item.content_type)
        fetched.append((item, blobs.put(data), content_type, len(data)))
    added = 0
    with db.transaction() as session:
        message = session.get(Message, message_id, with_for_update=True)
        if message is None:
            return 0
        have = set(session.scalars(sa.select(Attachment.sha256).where(
            Attachment.message_id == message_id)))
        extras = dict(message.extras or {})
        done = dict(extras.get(FETCHED_KEY) or {})
        errors = dict(extras.get(ERRORS_KEY) or {})
        for item, sha, content_type, size in fetched:
            if item.url in done:
                continue  # another run stored it meanwhile
            done[item.url] = sha
            if sha in have:
                continue
            have.add(sha)
            session.add(Attachment(
                message_id=message_id, sha256=sha, filename=_filename(item, content_type),
                content_type=content_type, size=size,
            ))
            added += 1
        errors.update({url: error for url, error in refused.items() if url not in done})
        extras[FETCHED_KEY] = done
        if errors:
            extras[ERRORS_KEY] = errors
        message.extras = extras
    if unavailable is not None:
        raise unavailable
    return added


def _content_type(answered: str, declared: str) -> str:
    if answered and answered != "application/octet-stream":
        return answered
    return declared or answered or "application/octet-stream"


def _filename(item: MediaItem, content_type: str) -> str:
    if "." in item.filename:
        return item.filename
    ext = mimetypes.guess_extension(content_type) or ".bin"
    return item.filename + ext
