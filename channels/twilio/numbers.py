"""Phone numbers as E.164, the one form the core matches customers by."""

from __future__ import annotations

import phonenumbers


def to_e164(raw: str | None, region: str = "GB") -> str | None:
    """``raw`` in any local or international format as E.164, or ``None`` when it is
    not a possible phone number (``client:alice``, ``sip:...``, ``Anonymous``, a
    short code, an alphanumeric sender).

    The same rule as ``claims.identifiers.normalize_phone`` (which channels may
    not import), so a caller matches the number stored in the book."""
    text = (raw or "").strip()
    if not text or ":" in text or "@" in text:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
