"""What the email sync's parse workers run: raw bytes in, an Inbound with its
text analysis out, the bytes put into the blob store on the way.

No database here: a worker process imports this (its fork server preloads
it) and nothing of SQLAlchemy or the models, so it starts, and ends, in a
fraction of the time (inbox.mail.pool).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from channels.base import Inbound
from channels.email.parse import UnparseableMail, parse_email
from inbox.blobs import BlobStore, BlobStoreFull
from inbox.intake.analysis import KEY as ANALYSIS_KEY
from inbox.intake.analysis import analyze
from inbox.intake.raw import store_raw

if TYPE_CHECKING:
    from inbox.intake.config import IngestConfig  # not at run time: it imports the models

# A fetched mail: UID, raw bytes, INTERNALDATE, and the raw bytes' key in
# the blob store when the fetching thread stored them already (then the bytes
# may be left out: parse_batch reads them from the store).
Fetched = tuple[int, bytes | None, datetime, str | None]


@dataclass(frozen=True)
class ParseSettings:
    """The part of the ingest config (inbox.intake.config) a worker needs;
    sent with every batch."""

    languages: tuple[str, ...]
    claim_re: re.Pattern[str]
    policy_re: re.Pattern[str]
    blobs: BlobStore

    @classmethod
    def of(cls, cfg: IngestConfig) -> ParseSettings:
        return cls(cfg.languages, cfg.claim_re, cfg.policy_re, cfg.blobs)


@dataclass
class Parsed:
    uid: int
    inbound: Inbound | None
    # The raw mail when it could not be parsed (kept as a failed intake);
    # parsed mail travels as Inbound.raw_ref, already in the blob store.
    raw: bytes | None
    error: str = ""


def parse_batch(
    mails: list[Fetched], address: str, max_bytes: int, settings: ParseSettings | None = None,
) -> list[Parsed]:
    """Raw bytes in, Inbound (or the reason) out. With ``settings`` the text
    analysis (language, numbers, account-issue class) is done here too: it is
    pure CPU work, like parsing, and leaves the main process free for IMAP
    and the database."""
    out = []
    for uid, given, internaldate, raw_ref in mails:
        if given is not None:
            raw = given
        elif settings is not None and raw_ref is not None:
            raw = settings.blobs.get(raw_ref)
        else:
            raise ValueError(f"mail {uid}: neither its bytes nor a blob store to read them from")
        try:
            inbound = parse_email(raw, received_at=internaldate, mailbox=address,
                                  max_bytes=max_bytes)
            if settings is not None:
                inbound.extras[ANALYSIS_KEY] = analyze(inbound, settings).to_json()
                # The attachments (and the raw bytes, unless the fetching
                # thread stored them) go to the blob store here, so they need
                # not travel back to the main process; synced below.
                inbound.raw, inbound.raw_ref = (raw, None) if raw_ref is None else (None, raw_ref)
                store_raw(inbound, settings.blobs, durable=False)
                out.append(Parsed(uid, inbound, None))
                continue
            out.append(Parsed(uid, inbound, raw))
        except UnparseableMail as exc:
            out.append(Parsed(uid, None, raw, f"unparseable mail: {exc}"))
        except BlobStoreFull:
            raise  # not the mail's fault: the batch waits, the cursor stays
        except Exception as exc:  # a parser bug must not stop the mailbox
            out.append(Parsed(uid, None, raw, f"parser error: {type(exc).__name__}: {exc}"))
    if settings is not None:
        settings.blobs.sync()
    return out
