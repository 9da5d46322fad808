"""What a dashboard is asked for: a range of days in the office's time zone
and filters (channel, team, rep), parsed from query parameters the same way
for the page, its CSV export and the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from channels.base import CHANNELS

DEFAULT_DAYS = 30
MAX_DAYS = 732  # two years of days: the longest range one request may ask for
DAILY_UP_TO = 62  # days; a longer range is shown by ISO week instead of by day


class DashboardError(ValueError):
    """A dashboard request that cannot be answered as asked; says why."""


@dataclass(frozen=True)
class DashboardQuery:
    start: date  # first day, inclusive
    end: date  # last day, inclusive
    timezone: str
    channel: str | None = None
    team: str | None = None
    rep_id: int | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[from, to) in UTC: local midnight of ``start`` to local midnight after ``end``."""
        tz = self.tz
        return (datetime.combine(self.start, time(), tz).astimezone(UTC),
                datetime.combine(self.end + timedelta(days=1), time(), tz).astimezone(UTC))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def period(self) -> str:
        """"day" or "week": how times are broken down over the range."""
        return "day" if self.days <= DAILY_UP_TO else "week"

    def period_of(self, day: date) -> date:
        return day if self.period == "day" else week_of(day)

    def day_of(self, at: datetime) -> date:
        """The local day of a UTC time."""
        return at.astimezone(self.tz).date()

    def params(self) -> dict[str, str]:
        """As query parameters (for links: CSV export, the API)."""
        out = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.channel:
            out["channel"] = self.channel
        if self.team is not None:
            out["team"] = self.team
        if self.rep_id is not None:
            out["rep"] = str(self.rep_id)
        return out

    def without_filters(self) -> DashboardQuery:
        return replace(self, channel=None, team=None, rep_id=None)


def week_of(day: date) -> date:
    """The Monday starting ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def parse_query(args: Mapping[str, str | None], timezone: str, now: datetime) -> DashboardQuery:
    """From query parameters ``from``, ``to`` (yyyy-mm-dd, local days,
    inclusive; default the last 30 days to today), ``channel``, ``team``
    (``-`` for threads without a team) and ``rep`` (a user id). Empty values
    mean no filter; anything else wrong is a :class:`DashboardError`."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    end = _day(args.get("to"), "to") or today
    start = _day(args.get("from"), "from") or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise DashboardError(f"the range starts ({start}) after it ends ({end})")
    if (end - start).days + 1 > MAX_DAYS:
        raise DashboardError(f"the range is {(end - start).days + 1} days; at most {MAX_DAYS}")
    channel = (args.get("channel") or "").strip().lower() or None
    if channel is not None and channel not in CHANNELS:
        raise DashboardError(f"unknown channel {channel!r}; channels are {', '.join(CHANNELS)}")
    team_arg = (args.get("team") or "").strip()
    team = None if not team_arg else "" if team_arg == "-" else team_arg[:64]
    rep_arg = (args.get("rep") or "").strip()
    if rep_arg and not rep_arg.isdigit():
        raise DashboardError(f"rep must be a user id, not {rep_arg!r}")
    return DashboardQuery(start, end, timezone, channel, team,
                          int(rep_arg) if rep_arg else None)


def _day(value: str | None, name: str) -> date | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DashboardError(f"{name}: {text!r} is not a date (yyyy-mm-dd)") from None
