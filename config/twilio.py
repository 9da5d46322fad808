"""``[twilio]`` table: the account we use for calls and SMS.

```toml
[twilio]
account_sid = "AC0123456789abcdef0123456789abcdef"
auth_token_env = "TWILIO_AUTH_TOKEN"      # the token itself is never in the file
numbers = ["+44 20 7946 0000", "020 7946 0001"]   # ours; stored as E.164
public_base_url = "https://inbox.insurer.example"  # what Twilio calls (signatures)
api_base_url = "https://api.twilio.com"   # optional; tests point it at a local server
default_region = "GB"                     # optional; for numbers without +country
```

``public_base_url`` must be https (plain http is accepted for loopback hosts
only, for tests); it is the scheme and host Twilio signs, whatever a proxy in
front of us rewrites. ``parse_twilio`` returns ``None`` when the table is absent.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

DEFAULT_API_BASE_URL = "https://api.twilio.com"
DEFAULT_REGION = "GB"
_KEYS = {"account_sid", "auth_token_env", "numbers", "public_base_url", "api_base_url",
         "default_region"}
_SID_RE = re.compile(r"^AC[0-9a-f]{32}$")
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class TwilioConfigError(ValueError):
    """A ``[twilio]`` setting is wrong; the message starts with the key (``twilio.numbers``)."""


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token_env: str
    numbers: tuple[str, ...]  # E.164
    public_base_url: str  # no trailing slash
    api_base_url: str = DEFAULT_API_BASE_URL  # no trailing slash
    default_region: str = DEFAULT_REGION
    # The environment the token is read from (tests pass their own).
    env: Mapping[str, str] = field(default_factory=lambda: os.environ, repr=False, compare=False)

    def auth_token(self) -> str:
        """The auth token from ``auth_token_env``; raises when the variable is unset."""
        value = self.env.get(self.auth_token_env)
        if not value:
            raise TwilioConfigError(
                f"twilio.auth_token_env: environment variable {self.auth_token_env} is not set"
            )
        return value

    def is_ours(self, e164: str | None) -> bool:
        return bool(e164) and e164 in self.numbers


def parse_twilio(raw: Any, env: Mapping[str, str] | None = None) -> TwilioSettings | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise TwilioConfigError("twilio: must be a table ([twilio])")
    for key in raw:
        if key == "auth_token":
            raise TwilioConfigError("twilio.auth_token: never in the file; name the "
                                    "environment variable in auth_token_env")
        if key not in _KEYS:
            raise TwilioConfigError(f"twilio.{key}: unknown setting")

    def text(key: str, default: str | None = None) -> str:
        value = raw.get(key, default)
        if value is None:
            raise TwilioConfigError(f"twilio.{key}: is required")
        if not isinstance(value, str):
            raise TwilioConfigError(f"twilio.{key}: must be a string")
        if not value.strip():
            raise TwilioConfigError(f"twilio.{key}: is required")
        return value.strip()

    account_sid = text("account_sid")
    if not _SID_RE.match(account_sid):
        raise TwilioConfigError("twilio.account_sid: must be AC followed by 32 hex digits")
    token_env = text("auth_token_env")
    if not _ENV_NAME_RE.match(token_env):
        raise TwilioConfigError("twilio.auth_token_env: must name an environment variable "
                                "(letters, digits, _), not hold the token")
    region = text("default_region", DEFAULT_REGION).upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise TwilioConfigError(f"twilio.default_region: {region!r} is not a known region code")
    return TwilioSettings(
        account_sid=account_sid,
        auth_token_env=token_env,
        numbers=_numbers(raw.get("numbers"), region),
        public_base_url=_url("public_base_url", text("public_base_url"), https_only=True),
        api_base_url=_url("api_base_url", text("api_base_url", DEFAULT_API_BASE_URL),
                          https_only=False),
        default_region=region,
        env=os.environ if env is None else env,
    )


def _numbers(value: Any, region: str) -> tuple[str, ...]:
    if (not isinstance(value, list) or not value
            or not all(isinstance(item, str) for item in value)):
        raise TwilioConfigError("twilio.numbers: must be a non-empty list of phone numbers")
    result: list[str] = []
    for item in value:
        try:
            number = phonenumbers.parse(item, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise TwilioConfigError(f"twilio.numbers: {item!r} is not a valid phone number "
                                    f"(region {region})")
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if e164 in result:
            raise TwilioConfigError(f"twilio.numbers: {item!r} is listed twice (as {e164})")
        result.append(e164)
    return tuple(result)


def _url(key: str, value: str, *, https_only: bool) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TwilioConfigError(f"twilio.{key}: must be an http(s) URL with a host")
    if https_only and parts.scheme != "https" and parts.hostname not in _LOOPBACK:
        raise TwilioConfigError(f"twilio.{key}: must be https (Twilio signs the https URL)")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise TwilioConfigError(f"twilio.{key}: no query, fragment or credentials")
    if key == "api_base_url" and parts.path.strip("/"):
        raise TwilioConfigError(f"twilio.{key}: scheme and host only, no path")
    return value.rstrip("/")
