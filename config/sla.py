"""``[sla]`` table: SLA policies, their calendars, and the default policy.

```toml
[sla]
warn_at = 0.8              # warn the assignee at 80% of a target (policies may differ)
on_breach = "reassign"     # reassign | watch: what a breach does unless a policy says

[sla.default]              # always matches, tried last
first_response = "24h"     # else first_response_hours
next_response = "24h"      # else first_response_hours
resolution = "10d"         # "" or left out: not timed
calendar = "24/7"          # "24/7" or the name of a calendar below

[sla.calendars.office]
timezone = "Europe/London"
hours = { mon = ["09:00-17:30"], tue = ["09:00-17:30"], wed = ["09:00-17:30"],
          thu = ["09:00-17:30"], fri = ["09:00-12:30", "13:30-16:00"] }
holidays = ["2026-12-25", "2026-12-28"]

[[sla.policies]]           # tried in this order; the first that matches wins
key = "vip"
name = "VIP customers"
segment = ["vip"]          # conditions: channel, issue_type, priority, segment
first_response = "2h"      # durations: 90m, 4h, 1h30m; days (15d, 2w) in calendar time only
next_response = "4h"
resolution = "40h"
calendar = "office"
on_breach = "watch"

[[sla.policies]]
preset = "claims_regulation"   # or "complaints"; other keys override the preset
```

This module checks the shape (tables, lists, known keys); the values
(durations, time zones, working hours, presets) are checked by
:func:`inbox.sla.policies.config_policies` when the app starts, with the
same key in the message. The policies are written to ``sla_policies`` (where
admins edit them at ``/admin/sla``) by the SLA sweep and ``inbox sla sync``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_TOP = {"warn_at", "on_breach", "default", "calendars", "policies"}


class SlaConfigError(ValueError):
    """An ``[sla]`` setting is wrong; the message starts with the key."""


@dataclass(frozen=True)
class SlaSettings:
    warn_at: float = 0.8
    on_breach: str = "reassign"
    default: Mapping[str, Any] = field(default_factory=dict)
    calendars: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    policies: tuple[Mapping[str, Any], ...] = ()


def parse_sla(raw: Any) -> SlaSettings:
    if raw is None:
        return SlaSettings()
    if not isinstance(raw, dict):
        raise SlaConfigError("sla: must be a table ([sla])")
    for key in raw:
        if key not in _TOP:
            raise SlaConfigError(f"sla.{key}: unknown setting")
    warn_at = raw.get("warn_at", 0.8)
    if isinstance(warn_at, bool) or not isinstance(warn_at, int | float) or not 0 < warn_at < 1:
        raise SlaConfigError("sla.warn_at: must be a fraction between 0 and 1, like 0.8")
    on_breach = raw.get("on_breach", "reassign")
    if on_breach not in ("reassign", "watch"):
        raise SlaConfigError("sla.on_breach: must be reassign or watch")
    return SlaSettings(warn_at=float(warn_at), on_breach=on_breach,
                       default=_default(raw.get("default", {})),
                       calendars=_calendars(raw.get("calendars", {})),
                       policies=_policies(raw.get("policies", [])))


def _default(default: Any) -> dict[str, Any]:
    if not isinstance(default, dict):
        raise SlaConfigError("sla.default: must be a table ([sla.default])")
    for key in ("key", "preset", "channel", "issue_type", "priority", "segment"):
        if key in default:
            raise SlaConfigError(f"sla.default.{key}: the default policy has no {key}")
    return dict(default)


def _calendars(calendars: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(calendars, dict) or not all(isinstance(v, dict)
                                                   for v in calendars.values()):
        raise SlaConfigError("sla.calendars: must be tables ([sla.calendars.NAME])")
    return {str(k): dict(v) for k, v in calendars.items()}


def _policies(policies: Any) -> tuple[dict[str, Any], ...]:
    if not isinstance(policies, list) or not all(isinstance(p, dict) for p in policies):
        raise SlaConfigError("sla.policies: must be a list of tables ([[sla.policies]])")
    keys: set[str] = set()
    for n, policy in enumerate(policies):
        key = policy.get("key") or policy.get("preset")
        if not isinstance(key, str) or not key.strip():
            raise SlaConfigError(f"sla.policies[{n}].key: required (or a preset)")
        if key in keys or key == "default":
            raise SlaConfigError(f"sla.policies[{n}].key: {key!r} is used twice")
        keys.add(key)
    return tuple(dict(p) for p in policies)
