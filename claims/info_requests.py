"""Asking the customer for what a claim is missing.

The rep picks items from :data:`DOCUMENTS` and/or writes what else is needed;
:func:`check_request` says whether that is a request that can be sent, and
:func:`follow_up_due` when to chase it. Sending it (template, channel) is the
conversation side's job (``inbox.casework.info_requests``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# Code -> what it is, in English (templates name them in each language).
DOCUMENTS: dict[str, str] = {
    "invoice": "the invoice or receipt for the claimed cost",
    "photos": "photos of the damage",
    "police_report": "the police report or crime reference number",
    "bank_details": "bank details for the payment",
    "medical_report": "the medical report",
    "repair_estimate": "a repair estimate",
    "proof_of_ownership": "proof of ownership",
    "id_document": "a copy of an identity document",
}
MAX_NOTE = 2000


class BadInfoRequest(ValueError):  # noqa: N818 - reads as what happened
    """The request cannot be sent as asked; the message says why."""


@dataclass(frozen=True)
class Request:
    items: tuple[str, ...]  # document codes, in the order asked, no repeats
    note: str  # free text: what else is needed


def check_request(items: Sequence[str], note: str = "") -> Request:
    """The cleaned request; :class:`BadInfoRequest` for unknown items or an
    empty request."""
    cleaned: list[str] = []
    for item in items:
        code = item.strip().lower()
        if not code:
            continue
        if code not in DOCUMENTS:
            raise BadInfoRequest(
                f"unknown item {item!r}; items are {', '.join(DOCUMENTS)} (or a note)")
        if code not in cleaned:
            cleaned.append(code)
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise BadInfoRequest(f"the note holds at most {MAX_NOTE} characters")
    if not cleaned and not text:
        raise BadInfoRequest("say what is missing: pick an item or write a note")
    return Request(tuple(cleaned), text)


def follow_up_due(sent_at: datetime, days: int) -> datetime:
    """When an unanswered request comes back to the rep."""
    if days < 1:
        raise ValueError("follow-up needs at least one day")
    return sent_at + timedelta(days=days)
