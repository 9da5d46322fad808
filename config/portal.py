"""``[portal]`` table: the customers' own pages (inbox.portal).

```toml
[portal]
public_url = "https://portal.insurer.example"  # links in sign-in mails start here
link_minutes = 15            # a sign-in link works this long, once
code_minutes = 10            # an SMS code works this long
code_attempts = 5            # wrong codes before the code is void
session_hours = 8            # a signed-in customer stays signed in this long
requests_per_contact = 5     # sign-in requests per address or number ...
requests_per_address = 30    # ... and per client IP address ...
request_window_minutes = 15  # ... in this window
max_file_mb = 10             # per uploaded file
max_files = 5                # per message
max_message_chars = 10000
```

``public_url`` matters in production: without it the link in a sign-in mail
is built from the request's ``Host`` header, which a client chooses.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


class PortalConfigError(ValueError):
    """A ``[portal]`` setting is wrong; the message starts with the key."""


@dataclass(frozen=True)
class PortalSettings:
    public_url: str = ""
    link_minutes: int = 15
    code_minutes: int = 10
    code_attempts: int = 5
    session_hours: int = 8
    requests_per_contact: int = 5
    requests_per_address: int = 30
    request_window_minutes: int = 15
    max_file_mb: float = 10.0
    max_files: int = 5
    max_message_chars: int = 10_000

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


def parse_portal(raw: Any) -> PortalSettings:
    if raw is None:
        return PortalSettings()
    if not isinstance(raw, dict):
        raise PortalConfigError("portal: must be a table ([portal])")
    defaults = PortalSettings()
    known = {f.name for f in fields(PortalSettings)}
    values: dict[str, Any] = {}
    for key, given in raw.items():
        value = given
        if key not in known:
            raise PortalConfigError(f"portal.{key}: unknown setting")
        default = getattr(defaults, key)
        if isinstance(default, str):
            if not isinstance(value, str):
                raise PortalConfigError(f"portal.{key}: must be a string")
            value = value.strip().rstrip("/")
            if value and not value.startswith(("https://", "http://")):
                raise PortalConfigError(f"portal.{key}: must start with https:// or http://")
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise PortalConfigError(f"portal.{key}: must be a whole number of at least 1")
        else:
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise PortalConfigError(f"portal.{key}: must be a number above 0")
            value = float(value)
        values[key] = value
    return PortalSettings(**values)
