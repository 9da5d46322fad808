"""Email jobs: the periodic IMAP sync, and sending replies."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from flask import current_app
from rq import Retry

from inbox import queueing
from inbox.database import Database
from inbox.jobs.base import job
from inbox.jobs.locks import renewed_lock

log = logging.getLogger(__name__)
AUTH_RETRY = timedelta(hours=1)


@job("scheduled", timeout=30 * 60, retry=Retry(max=2, interval=[10, 60]), transaction=False)
def sync_all_mailboxes(db: Database) -> dict[str, int]:
    """Periodic: one pass over every configured mailbox. A mailbox whose last
    sync is still running (a renewed lock in Redis, free again within a minute
    of a worker's death) is skipped; one with a wrong
    password is left alone until its config changes (status auth_failed)."""
    from channels.email.imap import AuthenticationFailed, ImapUnavailable
    from inbox.blobs import BlobStoreFull
    from inbox.mail.sync import sync_mailbox

    settings = current_app.config["SETTINGS"]
    redis = queueing.app_connection(current_app)
    filed: dict[str, int] = {}
    for box in settings.mailboxes:
        if _auth_failed_recently(db, box.name):
            continue
        with renewed_lock(redis, f"inbox:imap-sync:{box.name}") as taken:
            if not taken:
                log.info("mailbox %s: a sync is still running, skipped", box.name)
                continue
            try:
                report = sync_mailbox(db, box, now=lambda: datetime.now(UTC))
                filed[box.name] = report.filed
            except AuthenticationFailed:
                filed[box.name] = -1
            except (ImapUnavailable, BlobStoreFull) as exc:
                log.warning("mailbox %s: %s (next periodic run retries)", box.name, exc)
                filed[box.name] = -1
    return filed


def _auth_failed_recently(db: Database, name: str) -> bool:
    """A mailbox whose password was refused is tried again hourly, not every
    minute: no hammering the server (the error stays visible meanwhile)."""
    import sqlalchemy as sa

    from inbox.models import MailboxState

    with db.transaction() as session:
        last = session.scalar(
            sa.select(sa.func.max(MailboxState.last_attempt_at)).where(
                MailboxState.mailbox == name, MailboxState.status == "auth_failed")
        )
    return last is not None and datetime.now(UTC) - last < AUTH_RETRY


@job("outbound", timeout=300, retry=Retry(max=5, interval=[30, 120, 600, 1800, 3600]),
     transaction=False)
def send_email_reply(db: Database, outbound_id: int) -> str:
    """Send one queued reply (see :func:`inbox.mail.outbound.send_queued`). A
    temporary failure raises, so RQ retries it; a permanent one is recorded on
    the reply, visible on the thread, and not retried."""
    from inbox.mail.outbound import send_queued

    return send_queued(db, current_app.config["SETTINGS"], outbound_id)
