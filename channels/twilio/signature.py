"""Webhook signatures (``X-Twilio-Signature``), checked with the SDK's validator.

Twilio signs the URL it called - scheme, host, path and query as configured on
the number - followed by every posted parameter. Behind a proxy the URL we see
is not that one, so :func:`public_url` rebuilds it from ``public_base_url``.
Parameters are a flat mapping with blank values kept (Flask's ``request.form``,
or ``dict(parse_qsl(body, keep_blank_values=True))``), never ``parse_qs``,
which drops blanks and makes every value a list. A multi-dict (Flask's form)
is passed through as is, so a repeated parameter is signed with all its values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from twilio.request_validator import RequestValidator

if TYPE_CHECKING:
    from config.twilio import TwilioSettings

HEADER = "X-Twilio-Signature"


def public_url(settings: TwilioSettings, path: str, query_string: str | bytes = "") -> str:
    """The URL Twilio signed for a request to ``path`` with ``query_string``
    (as received, undecoded; Flask's ``request.query_string``)."""
    if isinstance(query_string, bytes):
        query_string = query_string.decode("latin-1")
    url = settings.public_base_url.rstrip("/") + "/" + path.lstrip("/")
    return f"{url}?{query_string}" if query_string else url


def verify(auth_token: str, url: str, params: Mapping[str, str], signature: str | None) -> bool:
    """True when ``signature`` is Twilio's for ``url`` and exactly these ``params``."""
    if not signature or not auth_token:
        return False
    return bool(RequestValidator(auth_token).validate(url, params, signature))


def sign(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """The signature Twilio would send (tests and benches)."""
    return str(RequestValidator(auth_token).compute_signature(url, params))
