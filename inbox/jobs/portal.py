"""The customer portal's jobs: sending a sign-in link or code, and reading
uploaded scans (see :mod:`inbox.portal.delivery`, :mod:`inbox.portal.scans`)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from rq import Retry

from inbox.database import Database
from inbox.jobs.base import job

log = logging.getLogger(__name__)


# A link lives minutes: retried soon, then given up (the customer asks again).
@job("outbound", timeout=120, retry=Retry(max=3, interval=[10, 30, 90]), result_ttl=3600,
     transaction=False)
def send_portal_sign_in(db: Database, sign_in_id: int) -> str:
    from channels.email.smtp import SmtpRejected
    from channels.twilio.rest import TwilioRejected
    from inbox.portal.delivery import CannotSend, send_sign_in

    secret = current_app.config["SECRET_KEY"].encode()
    try:
        return send_sign_in(db, current_app.config["SETTINGS"], secret, sign_in_id,
                            datetime.now(UTC))
    except (CannotSend, SmtpRejected, TwilioRejected) as exc:
        # Not retried: it will not go better. No address in the log.
        log.warning("portal sign-in %s not sent: %s: %s", sign_in_id, type(exc).__name__,
                    exc if isinstance(exc, CannotSend) else getattr(exc, "code", ""))
        return f"not sent: {type(exc).__name__}"


@job("ocr", timeout=30 * 60, retry=Retry(max=2, interval=[60, 600]), transaction=False)
def read_portal_scans(db: Database, message_id: int) -> dict[str, Any]:
    from inbox.portal.scans import read_scans

    return read_scans(db, current_app.config["SETTINGS"], message_id)
