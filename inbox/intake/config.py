"""What the ingest core needs from the settings, resolved once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from claims.account_issues import Deadlines
from config import ConfigError, Settings
from inbox.blobs import BlobStore
from inbox.sla.policies import PolicyError, PolicySet, config_policies


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
    # The SLA policies of [sla] (inbox.sla): used until policies are kept in
    # the database (the sweep and `inbox sla sync` write them there).
    sla: PolicySet | None = None

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
            blobs=BlobStore(settings.blob_dir, max_bytes=int(settings.blob_max_mb * 1048576),
                            min_free_bytes=int(settings.blob_min_free_mb * 1048576)),
            deadlines=deadlines_of(settings),
            sla=sla_policies_of(settings),
        )


def deadlines_of(settings: Settings) -> Deadlines:
    c = settings.claims
    return Deadlines(complaint_ack_days=c.complaint_ack_days,
                     complaint_final_response_days=c.complaint_final_response_days,
                     payment_chase_days=c.payment_chase_days)


def sla_policies_of(settings: Settings) -> PolicySet:
    """``[sla]``'s policies; a bad value stops the start naming its key."""
    try:
        return config_policies(settings.sla, timedelta(hours=settings.first_response_hours))
    except PolicyError as exc:
        raise ConfigError(str(exc)) from exc
