"""SLA policies: which targets a thread (and a claim) is held to.

A policy has a key, a name, conditions (channel, issue type, priority,
customer segment: each a set of allowed values, empty meaning any), targets
(first response, next response, resolution; each optional), claim-level
targets (acknowledgement, decision, written status), a calendar (business
hours or calendar time), the fraction of a target at which the assignee is
warned, and what a breach does (``reassign`` to the team's supervisor, or
``watch``: the supervisor is told and the thread stays with its assignee).

Policies are tried in order; the first whose conditions all match wins, and a
default policy (no conditions) always comes last. A claim's targets come from
the first matching policy that has claim targets (a "claims service" policy
placed first can set tight response times while the regulation preset after
it times the claim itself).

Pure: no database. :mod:`inbox.sla.store` keeps policies in ``sla_policies``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from config.sla import SlaSettings
from inbox.sla.calendar import (
    WEEKDAYS,
    BusinessCalendar,
    Calendar,
    CalendarError,
    CalendarTime,
    span_text,
)

THREAD_TARGETS = ("first_response", "next_response", "resolution")
CLAIM_TARGETS = ("claim_acknowledgement", "claim_decision", "claim_status")
TARGETS = THREAD_TARGETS + CLAIM_TARGETS
BREACH_ACTIONS = ("reassign", "watch")
CONDITION_KEYS = ("channel", "issue_type", "priority", "segment")
DEFAULT_KEY = "default"
DEFAULT_WARN_AT = 0.8
_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhm])")
_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60}


class PolicyError(ValueError):
    """A policy that cannot be used; the message names the field."""


@dataclass(frozen=True)
class Match:
    """What a policy's conditions look at."""

    channel: str | None = None
    issue_type: str | None = None
    priority: str | None = None
    segment: str | None = None


@dataclass(frozen=True)
class Conditions:
    channel: frozenset[str] = frozenset()
    issue_type: frozenset[str] = frozenset()
    priority: frozenset[str] = frozenset()
    segment: frozenset[str] = frozenset()
    # (key, allowed values) of the keys set: matches() runs for every policy
    # on every message filed.
    _checks: tuple[tuple[str, frozenset[str]], ...] = field(
        init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "_checks", tuple(
            (key, getattr(self, key)) for key in CONDITION_KEYS if getattr(self, key)))

    def matches(self, facts: Match) -> bool:
        return all(getattr(facts, key) in allowed for key, allowed in self._checks)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, key) for key in CONDITION_KEYS)

    def to_json(self) -> dict[str, list[str]]:
        return {key: sorted(getattr(self, key)) for key in CONDITION_KEYS if getattr(self, key)}

    def describe(self) -> str:
        parts = [f"{key.replace('_', ' ')} {' or '.join(sorted(getattr(self, key)))}"
                 for key in CONDITION_KEYS if getattr(self, key)]
        return ", ".join(parts) or "always"


@dataclass(frozen=True)
class Policy:
    key: str
    name: str
    conditions: Conditions = field(default_factory=Conditions)
    # Thread targets and claim targets, by name (TARGETS); absent: not timed.
    targets: Mapping[str, timedelta] = field(default_factory=dict)
    calendar: Calendar = field(default_factory=CalendarTime)
    warn_at: float = DEFAULT_WARN_AT
    on_breach: str = "reassign"

    def __hash__(self) -> int:
        return hash(self.key)

    def target(self, name: str) -> timedelta | None:
        return self.targets.get(name)

    @property
    def has_claim_targets(self) -> bool:
        return any(name in self.targets for name in CLAIM_TARGETS)

    def check(self) -> Policy:
        if not _KEY_RE.match(self.key):
            raise PolicyError(f"key: {self.key!r} must be lower-case letters, digits, - or _")
        if not self.name.strip():
            raise PolicyError(f"{self.key}.name: must not be empty")
        for name, value in self.targets.items():
            if name not in TARGETS:
                raise PolicyError(f"{self.key}.{name}: not a target ({', '.join(TARGETS)})")
            if value <= timedelta(0):
                raise PolicyError(f"{self.key}.{name}: must be longer than zero")
        if not 0 < self.warn_at < 1:
            raise PolicyError(f"{self.key}.warn_at: must be a fraction between 0 and 1 "
                              f"(0.8 warns at 80% of the target)")
        if self.on_breach not in BREACH_ACTIONS:
            raise PolicyError(f"{self.key}.on_breach: must be one of {', '.join(BREACH_ACTIONS)}")
        return self


@dataclass(frozen=True)
class PolicySet:
    """Policies in the order they are tried; the default one last."""

    policies: tuple[Policy, ...]

    def __post_init__(self) -> None:
        if not self.policies or not self.policies[-1].conditions.empty:
            raise PolicyError("the last policy must be the default (no conditions)")

    @property
    def default(self) -> Policy:
        return self.policies[-1]

    def by_key(self, key: str | None) -> Policy | None:
        return next((p for p in self.policies if p.key == key), None)

    def for_thread(self, facts: Match) -> Policy:
        return next(p for p in self.policies if p.conditions.matches(facts))

    def for_claim(self, facts: Match) -> Policy | None:
        facts = replace(facts, issue_type="claim")
        return next((p for p in self.policies
                     if p.has_claim_targets and p.conditions.matches(facts)), None)


def with_default(policies: Iterable[Policy], default: Policy) -> PolicySet:
    """``policies`` in order, then ``default`` unless one of them has its key."""
    listed = [p for p in policies if p.key != default.key]
    given = next((p for p in policies if p.key == default.key), None)
    return PolicySet((*listed, replace(given or default, conditions=Conditions())))


# -- presets ---------------------------------------------------------------------

DAY = timedelta(days=1)

PRESETS: dict[str, Policy] = {
    # What claims regulation asks of an insurer, in calendar days (as the
    # NAIC's Unfair Claims Settlement Practices model regulation and the US
    # states that adopt it word it: acknowledge within 15 days, accept or deny
    # within 40 days of proof of claim, a written status every 30 days while
    # the claim stays open). Threads about a claim answer within 15 days too.
    "claims_regulation": Policy(
        key="claims_regulation", name="Claims regulation (15 / 40 / 30 days)",
        conditions=Conditions(issue_type=frozenset({"claim"})),
        targets={"first_response": 15 * DAY, "claim_acknowledgement": 15 * DAY,
                 "claim_decision": 40 * DAY, "claim_status": 30 * DAY},
        calendar=CalendarTime(), warn_at=0.8, on_breach="watch",
    ),
    # A complaint's regulatory clock (the FCA's DISP 1.6: a final response
    # within eight weeks), with a prompt first answer in working hours.
    "complaints": Policy(
        key="complaints", name="Complaints (8 weeks to a final response)",
        conditions=Conditions(issue_type=frozenset({"complaint"})),
        targets={"first_response": timedelta(hours=8), "resolution": 56 * DAY},
        calendar=CalendarTime(), warn_at=0.8, on_breach="reassign",
    ),
}


def preset(name: str) -> Policy:
    try:
        return PRESETS[name]
    except KeyError:
        raise PolicyError(f"preset: unknown preset {name!r} (have {', '.join(PRESETS)})") from None


# -- reading policies from plain data (TOML, the admin form, the table) -------------


def parse_duration(value: Any, *, where: str, business: bool = False) -> timedelta:
    """``"4h"``, ``"1h30m"``, ``"15d"``, ``"2w"`` or a number of seconds.
    Days and weeks only in calendar time: a working day's length varies."""
    if isinstance(value, bool):
        raise PolicyError(f"{where}: {value!r} is not a duration")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip().lower().replace(" ", "")
        parts = _DURATION_RE.findall(text)
        if not parts or "".join(n + u for n, u in parts) != text:
            raise PolicyError(f"{where}: {value!r} is not a duration like 4h, 1h30m, 15d")
        if business and any(u in "wd" for _, u in parts):
            raise PolicyError(f"{where}: in business hours give hours and minutes (40h), "
                              "not days: a working day's length varies")
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    else:
        raise PolicyError(f"{where}: {value!r} is not a duration like 4h, 1h30m, 15d")
    if seconds <= 0:
        raise PolicyError(f"{where}: must be longer than zero")
    return timedelta(seconds=round(seconds))


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    out = []
    for unit in ("d", "h", "m"):
        size = _UNITS[unit]
        if seconds >= size:
            out.append(f"{seconds // size}{unit}")
            seconds %= size
    if seconds:
        out.append(f"{seconds}s")
    return "".join(out) or "0m"


def parse_calendar(raw: Any, *, where: str, calendars: Mapping[str, Calendar] | None = None,
                   ) -> Calendar:
    """``"24/7"`` (or ``"calendar"``), the name of a calendar defined in
    ``calendars``, or a table ``{timezone, hours, holidays}``."""
    if raw is None or raw in ("24/7", "calendar"):
        return CalendarTime()
    if isinstance(raw, str):
        if calendars and raw in calendars:
            return calendars[raw]
        raise PolicyError(f"{where}: unknown calendar {raw!r} (\"24/7\" or one of "
                          f"{', '.join(calendars or {}) or 'none defined'})")
    if isinstance(raw, Mapping):
        if raw.get("kind") == "calendar":
            return CalendarTime()
        unknown = set(raw) - {"timezone", "hours", "holidays", "kind"}
        if unknown:
            raise PolicyError(f"{where}.{sorted(unknown)[0]}: unknown setting")
        hours = raw.get("hours")
        if not isinstance(hours, Mapping):
            raise PolicyError(f"{where}.hours: must be a table of weekday = [\"09:00-17:00\"]")
        spans: dict[str, Sequence[str]] = {}
        for day, value in hours.items():
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(isinstance(s, str) for s in items):
                raise PolicyError(f"{where}.hours.{day}: must be a list like "
                                  "[\"09:00-12:30\", \"13:30-17:30\"]")
            spans[str(day)] = items
        holidays = raw.get("holidays", [])
        if not isinstance(holidays, list):
            raise PolicyError(f"{where}.holidays: must be a list of dates")
        try:
            return BusinessCalendar.build(str(raw.get("timezone") or ""), spans,
                                          [str(h) for h in holidays])
        except CalendarError as exc:
            raise PolicyError(f"{where}: {exc}") from None
    raise PolicyError(f"{where}: must be \"24/7\", a calendar's name or a table")


def calendar_to_json(calendar: Calendar) -> dict[str, Any]:
    if isinstance(calendar, CalendarTime):
        return {"kind": "calendar"}
    return {
        "timezone": calendar.timezone,
        "hours": {WEEKDAYS[n]: [span_text(s) for s in spans]
                  for n, spans in enumerate(calendar.hours) if spans},
        "holidays": sorted(d.isoformat() for d in calendar.holidays),
    }


def parse_policy(raw: Mapping[str, Any], *, where: str,
                 calendars: Mapping[str, Calendar] | None = None,
                 default_warn_at: float = DEFAULT_WARN_AT,
                 default_on_breach: str = "reassign") -> Policy:
    """One policy from a TOML table / form: see config/sla.py for the keys.
    ``preset = "name"`` starts from a preset; the other keys override it."""
    known = {"key", "name", "preset", "calendar", "warn_at", "on_breach", *CONDITION_KEYS,
             *TARGETS}
    for name in raw:
        if name not in known:
            raise PolicyError(f"{where}.{name}: unknown setting")
    base = preset(str(raw["preset"])) if raw.get("preset") else None
    key = str(raw.get("key") or (base.key if base else "")).strip()
    if not key:
        raise PolicyError(f"{where}.key: required")
    where = f"{where}({key})"
    name = str(raw.get("name") or (base.name if base else key)).strip()
    calendar = (parse_calendar(raw["calendar"], where=f"{where}.calendar", calendars=calendars)
                if "calendar" in raw else (base.calendar if base else CalendarTime()))
    business = isinstance(calendar, BusinessCalendar)
    allowed = {cond: (_values(raw[cond], f"{where}.{cond}") if cond in raw
                      else getattr(base.conditions, cond) if base else frozenset[str]())
               for cond in CONDITION_KEYS}
    conditions = Conditions(**allowed)
    targets = dict(base.targets) if base else {}
    for target in TARGETS:
        if target in raw:
            value = raw[target]
            if value in (None, "", 0, "none"):
                targets.pop(target, None)
            else:
                targets[target] = parse_duration(value, where=f"{where}.{target}",
                                                 business=business)
    if business and base and not isinstance(base.calendar, BusinessCalendar):
        inherited = [t for t in targets if t not in raw]
        if inherited:
            raise PolicyError(f"{where}.{inherited[0]}: the preset counts days of calendar "
                              "time; in business hours give every target in hours")
    warn_at = raw.get("warn_at", base.warn_at if base else default_warn_at)
    if isinstance(warn_at, bool) or not isinstance(warn_at, int | float):
        raise PolicyError(f"{where}.warn_at: must be a fraction like 0.8")
    on_breach = str(raw.get("on_breach", base.on_breach if base else default_on_breach))
    return Policy(key=key, name=name, conditions=conditions, targets=targets,
                  calendar=calendar, warn_at=float(warn_at), on_breach=on_breach).check()


def _values(raw: Any, where: str) -> frozenset[str]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple | set | frozenset) or not all(
            isinstance(v, str) for v in items):
        raise PolicyError(f"{where}: must be a list of values")
    return frozenset(v.strip() for v in items if v.strip())


def policy_to_json(policy: Policy) -> dict[str, Any]:
    """The plain form (stored, shown, compared)."""
    return {
        "key": policy.key, "name": policy.name, **policy.conditions.to_json(),
        **{name: int(value.total_seconds()) for name, value in policy.targets.items()},
        "calendar": calendar_to_json(policy.calendar), "warn_at": policy.warn_at,
        "on_breach": policy.on_breach,
    }


def first_listed(policies: Sequence[Policy]) -> dict[str, Policy]:
    """Policies by key; a repeated key is an error."""
    seen: dict[str, Policy] = {}
    for policy in policies:
        if policy.key in seen:
            raise PolicyError(f"{policy.key}: two policies have this key")
        seen[policy.key] = policy
    return seen


def config_policies(sla: SlaSettings, first_response: timedelta) -> PolicySet:
    """The policies ``[sla]`` describes, checked, the default last (its
    response targets ``first_response`` unless it says otherwise).
    :class:`PolicyError` names the key."""
    calendars: dict[str, Calendar] = {}
    for name, raw in sla.calendars.items():
        if name in ("24/7", "calendar"):
            raise PolicyError(f"sla.calendars.{name}: this name means calendar time")
        calendars[name] = parse_calendar(dict(raw), where=f"sla.calendars.{name}")
    common = {"calendars": calendars, "default_warn_at": sla.warn_at,
              "default_on_breach": sla.on_breach}
    policies = [parse_policy(raw, where=f"sla.policies[{n}]", **common)  # type: ignore[arg-type]
                for n, raw in enumerate(sla.policies)]
    seconds = int(first_response.total_seconds())
    default = parse_policy({"key": DEFAULT_KEY, "name": "Default", "first_response": seconds,
                            "next_response": seconds, **sla.default},
                           where="sla.default", **common)  # type: ignore[arg-type]
    first_listed([*policies, default])
    return PolicySet((*policies, default))
