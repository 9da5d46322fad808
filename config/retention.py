"""``[retention]`` table: how long raw input and recordings are kept
(inbox.privacy.retention, run by a periodic job and ``inbox retention run``).

```toml
[retention]
raw_mail_days = 90        # the original .eml of a filed mail; the parsed message stays
recording_days = 365      # call recordings (audio); the call's row and transcript stay
failed_intake_days = 30   # failed-intake records and their raw input
```

0 (the default for each) keeps forever. Ages count from when the message was
received (a failed intake: from its last retry).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


class RetentionConfigError(ValueError):
    """A ``[retention]`` setting is wrong; the message starts with the key."""


@dataclass(frozen=True)
class RetentionSettings:
    raw_mail_days: int = 0
    recording_days: int = 0
    failed_intake_days: int = 0

    @property
    def active(self) -> bool:
        """Whether any kind of data has a limit (else the job does nothing)."""
        return any(getattr(self, f.name) for f in fields(self))


def parse_retention(raw: Any) -> RetentionSettings:
    if raw is None:
        return RetentionSettings()
    if not isinstance(raw, dict):
        raise RetentionConfigError("retention: must be a table ([retention])")
    known = {f.name for f in fields(RetentionSettings)}
    values: dict[str, int] = {}
    for key, value in raw.items():
        if key not in known:
            raise RetentionConfigError(f"retention.{key}: unknown setting")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RetentionConfigError(
                f"retention.{key}: must be a whole number of days (0 keeps forever), "
                f"got {value!r}")
        values[key] = value
    return RetentionSettings(**values)
