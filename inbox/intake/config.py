"""What the ingest core needs from the settings, resolved once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from claims.account_issues import Deadlines
from config import Settings
from inbox.blobs import BlobStore


@dataclass(frozen=True)
class IngestConfig:
    policy_re: re.Pattern[str]
    claim_re: re.Pattern[str]
    default_region: str
    languages: tuple[str, ...]
    thread_window: timedelta
    subjectless_window: timedelta
    first_response: timedelta
    blobs: BlobStore
    # Deadlines account issues start with (a complaint's acknowledgement).
    deadlines: Deadlines = field(default_factory=Deadlines)

    @classmethod
    def from_settings(cls, settings: Settings) -> IngestConfig:
        return cls(
            policy_re=settings.policy_re,
            claim_re=settings.claim_re,
            default_region=settings.default_region,
            languages=settings.languages,
            thread_window=timedelta(days=settings.thread_window_days),
            subjectless_window=timedelta(days=settings.subjectless_window_days),
            first_response=timedelta(hours=settings.first_response_hours),
            blobs=BlobStore(settings.blob_dir),
            deadlines=deadlines_of(settings),
        )


def deadlines_of(settings: Settings) -> Deadlines:
    c = settings.claims
    return Deadlines(complaint_ack_days=c.complaint_ack_days,
                     complaint_final_response_days=c.complaint_final_response_days,
                     payment_chase_days=c.payment_chase_days)
