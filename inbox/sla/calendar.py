"""Time as an SLA counts it: business hours of a calendar, or every hour (24/7).

A :class:`BusinessCalendar` is a time zone, the working hours of each weekday
(several intervals a day for a split day, local wall-clock times) and public
holidays (local dates). :class:`CalendarTime` counts every hour. Both answer
the same two questions, in UTC:

* ``add(start, duration, pauses)`` - when ``duration`` of counted time has
  passed since ``start`` (``None`` if a pause that has not ended comes first);
* ``elapsed(start, end, pauses)`` - how much counted time lies between them.

``pauses`` are intervals ``(begin, end)`` that do not count (``end`` None: not
ended yet). Arithmetic is done on UTC instants: each working interval is
built from the local date and wall-clock times, then converted, so a day on
which the clocks change is 23 or 25 hours long when it is worked through
midnight, and a working interval that starts in the skipped hour starts at
the instant the clock would have shown then (zoneinfo's ``fold=0``).
Subtracting two aware datetimes that share a ``ZoneInfo`` would compare wall
clocks, not instants; nothing here does that.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
ZERO = timedelta(0)

Pause = tuple[datetime, datetime | None]


class CalendarError(ValueError):
    """A calendar that cannot be used; the message says why."""


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when!r}: SLA times are timezone-aware")
    return when.astimezone(UTC)


def merge_pauses(pauses: Iterable[Pause], start: datetime) -> list[Pause]:
    """Pauses clipped to begin no earlier than ``start``, sorted, overlaps
    joined; one that has not ended swallows everything after it."""
    clipped: list[Pause] = []
    for given_begin, given_end in pauses:
        begin = max(_utc(given_begin), start)
        end = None if given_end is None else _utc(given_end)
        if end is not None and end <= begin:
            continue
        clipped.append((begin, end))
    clipped.sort(key=lambda p: p[0])
    merged: list[Pause] = []
    for begin, end in clipped:
        if merged:
            last_begin, last_end = merged[-1]
            if last_end is None:
                break
            if begin <= last_end:
                merged[-1] = (last_begin, None if end is None else max(last_end, end))
                continue
        merged.append((begin, end))
    return merged


class _Counting:
    """What both kinds of calendar share: pauses on top of plain arithmetic."""

    def _add(self, start: datetime, duration: timedelta) -> datetime:
        raise NotImplementedError

    def _elapsed(self, start: datetime, end: datetime) -> timedelta:
        raise NotImplementedError

    def add(self, start: datetime, duration: timedelta,
            pauses: Sequence[Pause] = ()) -> datetime | None:
        """The instant ``duration`` of counted time after ``start``, not
        counting ``pauses``; None when a pause that has not ended comes first."""
        if duration < ZERO:
            raise ValueError("duration must not be negative")
        at = _utc(start)
        remaining = duration
        for begin, end in merge_pauses(pauses, at):
            if end is not None and end <= at:
                continue
            if begin > at:
                candidate = self._add(at, remaining)
                if candidate <= begin:
                    return candidate
                remaining -= self._elapsed(at, begin)
            if end is None:
                return None
            at = max(at, end)
        return self._add(at, remaining)

    def elapsed(self, start: datetime, end: datetime,
                pauses: Sequence[Pause] = ()) -> timedelta:
        """Counted time from ``start`` to ``end`` (zero if ``end`` is earlier),
        pauses left out."""
        begin, finish = _utc(start), _utc(end)
        if finish <= begin:
            return ZERO
        total = self._elapsed(begin, finish)
        for p_begin, p_end in merge_pauses(pauses, begin):
            if p_begin >= finish:
                break
            stop = finish if p_end is None else min(p_end, finish)
            total -= self._elapsed(p_begin, stop)
        return max(total, ZERO)


@dataclass(frozen=True)
class CalendarTime(_Counting):
    """Every hour counts (24/7)."""

    kind: str = field(default="calendar", init=False)

    def _add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration

    def _elapsed(self, start: datetime, end: datetime) -> timedelta:
        return end - start

    def describe(self) -> str:
        return "calendar time (24/7)"


@dataclass(frozen=True)
class BusinessCalendar(_Counting):
    """Working hours in a time zone. ``hours[n]`` are weekday ``n``'s
    intervals (Monday 0) as minutes after local midnight, ``end`` up to 1440
    (midnight at the end of the day)."""

    timezone: str
    hours: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date] = frozenset()
    kind: str = field(default="business", init=False)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (KeyError, ValueError) as exc:
            raise CalendarError(f"unknown time zone {self.timezone!r}") from exc
        if len(self.hours) != 7:
            raise CalendarError("working hours are needed for each of the seven weekdays")
        for n, intervals in enumerate(self.hours):
            previous_end = -1
            for begin, end in intervals:
                if not 0 <= begin < end <= DAY_MINUTES:
                    raise CalendarError(f"{WEEKDAYS[n]}: {_hm(begin)}-{_hm(end)} is not an "
                                        "interval within one day")
                if begin < previous_end:
                    raise CalendarError(f"{WEEKDAYS[n]}: working hours overlap or are out "
                                        "of order")
                previous_end = end
        if not any(self.hours):
            raise CalendarError("a business calendar needs working hours on at least one day")

    @classmethod
    def build(cls, timezone: str, hours: Mapping[str, Sequence[str]],
              holidays: Iterable[date | str] = ()) -> BusinessCalendar:
        """From readable parts: ``{"mon": ["09:00-12:30", "13:30-17:30"], ...}``
        (days left out are not worked) and ISO dates."""
        per_day: list[tuple[tuple[int, int], ...]] = [() for _ in WEEKDAYS]
        for day, spans in hours.items():
            if day not in WEEKDAYS:
                raise CalendarError(f"{day!r} is not a weekday ({', '.join(WEEKDAYS)})")
            per_day[WEEKDAYS.index(day)] = tuple(parse_span(s) for s in spans)
        days = set()
        for h in holidays:
            try:
                days.add(h if isinstance(h, date) else date.fromisoformat(str(h).strip()))
            except ValueError:
                raise CalendarError(f"holiday {h!r} is not a date (yyyy-mm-dd)") from None
        return cls(timezone, tuple(per_day), frozenset(days))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def describe(self) -> str:
        parts = []
        for n, intervals in enumerate(self.hours):
            if intervals:
                parts.append(f"{WEEKDAYS[n]} " + ", ".join(f"{_hm(a)}-{_hm(b)}"
                                                            for a, b in intervals))
        return f"business hours in {self.timezone}: " + "; ".join(parts)

    def working_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The day's working time as UTC instants (none on a holiday)."""
        return _day_intervals(self, day)

    def _intervals_from(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = at.astimezone(self.zone).date()
        idle = 0
        # Holidays can only take so many working days away: past this, none is left.
        limit = 7 * (len(self.holidays) + 2)
        while True:
            found = False
            for begin, end in _day_intervals(self, day):
                if end <= at:
                    continue
                found = True
                yield max(begin, at), end
            idle = 0 if found else idle + 1
            if idle > limit:
                raise CalendarError("the calendar has no working time left")
            day += timedelta(days=1)

    def _add(self, start: datetime, duration: timedelta) -> datetime:
        if duration <= ZERO:
            return start
        remaining = duration
        for begin, end in self._intervals_from(start):
            span = end - begin
            if remaining <= span:
                return begin + remaining
            remaining -= span
        raise AssertionError("unreachable")  # pragma: no cover

    def _elapsed(self, start: datetime, end: datetime) -> timedelta:
        total = ZERO
        for begin, stop in self._intervals_from(start):
            if begin >= end:
                break
            total += min(stop, end) - begin
        return total


@functools.lru_cache(maxsize=4096)
def _day_intervals(calendar: BusinessCalendar, day: date) -> tuple[tuple[datetime, datetime], ...]:
    if day in calendar.holidays:
        return ()
    zone = calendar.zone
    out = []
    for begin, end in calendar.hours[day.weekday()]:
        out.append((_local(day, begin, zone), _local(day, end, zone)))
    return tuple(out)


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    if minutes >= DAY_MINUTES:
        day, minutes = day + timedelta(days=1), minutes - DAY_MINUTES
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return wall.astimezone(UTC)


def parse_span(text: str) -> tuple[int, int]:
    """``"09:00-17:30"`` as minutes after midnight; ``24:00`` ends a day."""
    try:
        begin_text, end_text = (part.strip() for part in str(text).split("-"))
        begin, end = _minutes(begin_text), _minutes(end_text)
    except ValueError:
        raise CalendarError(f"{text!r} is not working hours like 09:00-17:30") from None
    if not begin < end:
        raise CalendarError(f"{text!r}: the end must come after the start")
    return begin, end


def _minutes(text: str) -> int:
    hours, _, minutes = text.partition(":")
    h, m = int(hours), int(minutes or "0")
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise ValueError(text)
    return h * 60 + m


def _hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def span_text(span: tuple[int, int]) -> str:
    return f"{_hm(span[0])}-{_hm(span[1])}"


Calendar = BusinessCalendar | CalendarTime
