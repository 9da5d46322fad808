"""The template text of an email reply, in the customer's language: the
attribution line above the quoted message and the closing. The rep's own text
is never translated."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

ATTRIBUTION = {
    "en": "On {date}, {name} wrote:",
    "de": "Am {date} schrieb {name}:",
    "el": "Στις {date}, ο/η {name} έγραψε:",
    "cs": "Dne {date} napsal(a) {name}:",
    "sv": "Den {date} skrev {name}:",
    "id": "Pada {date}, {name} menulis:",
}
CLOSING = {
    "en": "Kind regards,\n{team}",
    "de": "Mit freundlichen Grüßen\n{team}",
    "el": "Με εκτίμηση,\n{team}",
    "cs": "S pozdravem\n{team}",
    "sv": "Med vänliga hälsningar\n{team}",
    "id": "Hormat kami,\n{team}",
}
DATE_FORMAT = {
    "en": "%d %b %Y %H:%M", "de": "%d.%m.%Y %H:%M", "el": "%d/%m/%Y %H:%M",
    "cs": "%d. %m. %Y %H:%M", "sv": "%Y-%m-%d %H:%M", "id": "%d/%m/%Y %H:%M",
}


def reply_text(
    body: str, *, language: str | None, team: str, quoted_name: str, quoted_at: datetime,
    quoted_text: str, timezone: str,
) -> str:
    lang = language if language in ATTRIBUTION else "en"
    when = quoted_at.astimezone(ZoneInfo(timezone)).strftime(DATE_FORMAT[lang])
    attribution = ATTRIBUTION[lang].format(date=when, name=quoted_name or "")
    quoted = "\n".join(f"> {line}" if line else ">" for line in quoted_text.splitlines())
    closing = closing_text(lang, team)
    return f"{body.rstrip()}\n\n{closing}\n\n{attribution}\n{quoted}\n"


def closing_text(language: str | None, team: str) -> str:
    return CLOSING[language if language in CLOSING else "en"].format(team=team)
