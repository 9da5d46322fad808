"""What the ingest core needs from the settings, resolved once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

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
        )
