"""What one language brings to the demo: product names, loss descriptions and
message templates, and how it writes dates and money.

Templates are ``str.format`` strings. Two small markers pick words by gender,
for languages whose verbs and adjectives agree with the speaker:

* ``[[male|female]]`` follows the writer (``chtěl[[|a]] bych``);
* ``<<male|female>>`` follows the customer a partner writes about
  (``<<my husband|my wife>>``).

Placeholders: ``first last name policy claim product Product loss loss_date
amount approved_date renewal_date move_date new_address account phone
deductible return_date``, and for a partner writing on the customer's behalf
``cust_name cust_first``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

_WRITER_RE = re.compile(r"\[\[([^|\]]*)\|([^\]]*)\]\]")
_PARTNER_RE = re.compile(r"<<([^|>]*)\|([^>]*)>>")

# Which account-issue kind each template must be recognised as by the intake
# rules (None: it must not look like an account issue at all). Templates whose
# kind is not listed here are not checked (they name a claim, so the thread is
# linked to the claim whatever their words say).
EMAIL_KINDS: Mapping[str, str | None] = {
    "claim_new": None,
    "claim_new_reply": None,
    "claim_docs": None,
    "renewal": "renewal",
    "renewal_reply": "renewal",
    "address_change": "account_change",
    "bank_change": "account_change",
    "complaint": "complaint",
    "complaint_claim": "complaint",
    "payment_delay": "payment_delay",
    "question": None,
    "spouse": None,
    "stranger": None,
}
SHORT_KINDS: Mapping[str, str | None] = {
    "claim_status_sms": None,
    "claim_status_call": None,
    "claim_status_sms_2": None,
    "payment_delay_sms": "payment_delay",
    "voicemail": None,
    "missed_call_sms": None,
    "question_call": None,
    "complaint_call": "complaint",
    "stranger_sms": None,
}
LETTER_KINDS: Mapping[str, str | None] = {
    "renewal": "renewal",
    "address_change": "account_change",
    "complaint": "complaint",
}


@dataclass(frozen=True)
class LanguagePack:
    code: str
    products: Mapping[str, str]
    # Product key → sentences describing a loss, as the customer tells it.
    losses: Mapping[str, Sequence[str]]
    # Kind → (subject, body) templates.
    email: Mapping[str, Sequence[tuple[str, str]]]
    # Kind → text templates for SMS, call transcripts and voicemail.
    short: Mapping[str, Sequence[str]]
    # Kind → (subject line, body) of a letter, wrapped in ``letter_frame``.
    letter: Mapping[str, Sequence[tuple[str, str]]]
    # ``{name} {address} {city} {date} {re} {body}``.
    letter_frame: str
    # (subject prefix, body) of out-of-office replies.
    auto_reply: Sequence[tuple[str, str]]
    # What this language's mail clients put before a reply's subject.
    reply_prefixes: Sequence[str]
    date_format: str  # {d} {dd} {m} {mm} {y} {month}
    months: Sequence[str]
    # Money: prefix, suffix, thousands separator, decimal mark, decimals shown.
    money: tuple[str, str, str, str, int]

    def format_date(self, day: date) -> str:
        return self.date_format.format(
            d=day.day, dd=f"{day.day:02d}", m=day.month, mm=f"{day.month:02d}", y=day.year,
            month=self.months[day.month - 1] if self.months else "",
        )

    def format_money(self, amount: Decimal) -> str:
        prefix, suffix, thousands, mark, decimals = self.money
        quantum = Decimal(1).scaleb(-decimals)
        text = f"{amount.quantize(quantum, rounding=ROUND_HALF_UP):,.{decimals}f}"
        text = text.replace(",", "\0").replace(".", mark).replace("\0", thousands)
        return f"{prefix}{text}{suffix}"


def render(template: str, values: Mapping[str, Any], *, gender: str, partner: str = "m") -> str:
    """Fill ``template``: gender markers first, then the placeholders."""
    text = _WRITER_RE.sub(lambda m: m.group(1 if gender == "m" else 2), template)
    text = _PARTNER_RE.sub(lambda m: m.group(1 if partner == "m" else 2), text)
    return text.format_map(values)
