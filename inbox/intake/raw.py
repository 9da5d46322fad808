"""Input bytes into the blob store, before any row points at them.

Apart from :mod:`inbox.intake.core` so that processes which only parse (the
email sync's parse workers) need neither SQLAlchemy nor the models.
"""

from __future__ import annotations

from channels.base import Inbound
from inbox.blobs import BlobStore


def store_raw(inbound: Inbound, blobs: BlobStore, *, durable: bool = True) -> None:
    """Move raw bytes and attachment bytes into the blob store (idempotent).
    With ``durable=False`` the caller calls ``blobs.sync()`` afterwards."""
    if inbound.raw is not None and inbound.raw_ref is None:
        inbound.raw_ref = blobs.put(inbound.raw, durable=durable)
    if inbound.raw_ref is not None:
        inbound.raw = None
    for att in inbound.attachments:
        if att.data is not None:
            att.size = len(att.data)
            att.sha256 = blobs.put(att.data, durable=durable)
            att.data = None
