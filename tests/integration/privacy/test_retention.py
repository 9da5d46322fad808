"""Retention ([retention]): old raw mail and recordings removed, recent ones
and files still used elsewhere kept, rows marked so the thread page says so
(and still renders), old failed intake deleted, audited, safe to run twice;
by ``inbox retention run`` and by the periodic job."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from channels.base import InboundAttachment
from config import Settings
from config.retention import RetentionSettings
from inbox import ingest
from inbox.database import Database
from inbox.intake.core import CONFIG_KEY
from inbox.models import Attachment, AuditEvent, FailedIntake, Message
from tests import factories as f
from tests.conftest import Invoke
from tests.integration.conftest import app_on_redis
from tests.integration.privacy import world as w
from tests.web import signed_in_as

pytestmark = pytest.mark.integration
OTHER_AUDIO = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x01" * 64
LIMITS = RetentionSettings(raw_mail_days=30, recording_days=30, failed_intake_days=1)


def _config(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "retention.toml"
    path.write_text("[retention]\nraw_mail_days = 30\nrecording_days = 30\n"
                    "failed_intake_days = 1\n", encoding="utf-8")
    return {"INBOX_CONFIG": str(path)}


def _add_recording(db: Database, message_id: int, data: bytes) -> str:
    with db.transaction() as s:
        sha = s.info[CONFIG_KEY].blobs.put(data)
        s.add(Attachment(message_id=message_id, sha256=sha, filename="recording.mp3",
                         content_type="audio/mpeg", size=len(data)))
    return sha


def test_old_raw_mail_and_recordings_go_recent_and_shared_stay(
        committed_db: Database, invoke: Invoke, settings: Settings, redis_url: str,
        tmp_path: Path) -> None:
    now = datetime.now(UTC)
    world = w.build(committed_db, now, old=timedelta(days=100))  # her mail and call: old
    recent_at = now - timedelta(days=2)
    with committed_db.transaction() as s:
        # Recent: raw mail and a recording, both kept. Bob's recent mail carries
        # the same bytes as her old recording: that file stays.
        recent = ingest(s, f.email(
            sender="bob.roe@example.net", subject="Car again", text="Any news?",
            received_at=recent_at, raw=w.raw_mail("bob.roe@example.net", "Car again",
                                                  "Any news?", "bob-2@example.net"),
            message_id="bob-2@example.net",
            attachments=[InboundAttachment("voicemail.mp3", "audio/mpeg", w.AUDIO)]), recent_at)
        recent_call = ingest(s, f.call(caller="+447700900999", received_at=recent_at,
                                       text="A recent call"), recent_at)
        old_call = ingest(s, f.call(caller="+447700900998", received_at=now - timedelta(days=40),
                                    text="An old call"), now - timedelta(days=40))
    assert recent.message_id
    assert recent_call.message_id
    assert old_call.message_id
    kept_audio = _add_recording(committed_db, recent_call.message_id, b"recent" + OTHER_AUDIO)
    gone_audio = _add_recording(committed_db, old_call.message_id, OTHER_AUDIO)
    blobs = committed_db.info[CONFIG_KEY].blobs
    with committed_db.transaction() as s:
        recent_raw = s.get(Message, recent.message_id).raw_ref  # type: ignore[union-attr]
        failed_raw = s.scalars(sa.select(FailedIntake.raw_ref).where(
            FailedIntake.external_id == "broken-wq")).one()
    assert recent_raw
    assert failed_raw

    dry = invoke("retention", "run", "--dry-run", extra_env=_config(tmp_path))
    assert dry.exit_code == 0, dry.output
    assert ("would remove: raw mail of 1 messages, 2 recordings, 1 failed intakes; "
            "3 files no longer used by anything") in dry.output
    assert blobs.exists(world.shas["raw"])
    assert blobs.exists(gone_audio)

    with app_on_redis(replace(settings, retention=LIMITS), redis_url) as app:
        from inbox.jobs.retention import apply_retention_policy

        with app.app_context():
            assert apply_retention_policy() == {
                "raw_mail": 1, "recordings": 2, "failed_intakes": 1, "blobs": 3}

        again = invoke("retention", "run", extra_env=_config(tmp_path))
        assert again.exit_code == 0, again.output
        assert "removed: raw mail of 0 messages, 0 recordings, 0 failed intakes" in again.output

        for sha in (world.shas["raw"], gone_audio, failed_raw):
            assert not blobs.exists(sha), sha
        for sha in (recent_raw, kept_audio, world.shas["audio"], world.shas["hers"]):
            assert blobs.exists(sha), sha
        with committed_db.transaction() as s:
            mail = s.get(Message, world.messages["mail"])
            assert mail is not None
            assert mail.raw_ref is None
            assert mail.raw_removed_at is not None
            assert mail.text == w.EMAIL_BODY  # the parsed message stays
            assert s.get(Message, recent.message_id).raw_ref == recent_raw  # type: ignore[union-attr]
            removed = {a.message_id: a.removed_at is not None for a in s.scalars(
                sa.select(Attachment).where(Attachment.content_type == "audio/mpeg"))}
            assert removed[world.messages["call"]] is True
            assert removed[old_call.message_id] is True
            assert removed[recent_call.message_id] is False
            assert removed[recent.message_id] is False  # an email's audio: not a recording
            assert s.scalar(sa.select(sa.func.count()).select_from(FailedIntake).where(
                FailedIntake.external_id == "broken-wq")) == 0
            events = s.scalars(sa.select(AuditEvent.data).where(
                AuditEvent.action == "retention.applied")).all()
        assert events == [{"raw_mail": 1, "recordings": 2, "failed_intakes": 1, "blobs": 3,
                           "raw_mail_days": 30, "recording_days": 30,
                           "failed_intake_days": 1}]

        rep = app.test_client()
        signed_in_as(rep, committed_db, "rep")
        call_page = rep.get(f"/threads/{world.threads['call']}")
        assert call_page.status_code == 200
        assert "removed by retention policy" in call_page.get_data(as_text=True)
        assert "<audio" not in call_page.get_data(as_text=True)
        mail_page = rep.get(f"/threads/{world.threads['mail']}")
        assert mail_page.status_code == 200
        assert "Original mail removed by retention policy" in mail_page.get_data(as_text=True)
        assert rep.get(f"/messages/{world.messages['call']}/recording").status_code == 404
        assert rep.get(f"/messages/{old_call.message_id}/recording").status_code == 404
        assert rep.get(f"/attachments/{gone_audio}").status_code == 404


def test_nothing_happens_without_limits(committed_db: Database, invoke: Invoke) -> None:
    world = w.build(committed_db, datetime.now(UTC), old=timedelta(days=3000))
    result = invoke("retention", "run")
    assert result.exit_code == 0, result.output
    assert "no limits in [retention]: everything is kept" in result.output
    assert committed_db.info[CONFIG_KEY].blobs.exists(world.shas["raw"])
