"""Business-hours arithmetic (inbox.sla.calendar): weekends, holidays, split
days, time zones, daylight-saving changes and pauses. Every time is passed
in; nothing sleeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from inbox.sla.calendar import BusinessCalendar, CalendarError, CalendarTime, merge_pauses

H = timedelta(hours=1)
M = timedelta(minutes=1)
LONDON = ZoneInfo("Europe/London")
ATHENS = ZoneInfo("Europe/Athens")
WEEK = ("mon", "tue", "wed", "thu", "fri")


def office(zone: str = "Europe/London", hours: tuple[str, ...] = ("09:00-17:00",),
           holidays: tuple[str, ...] = ()) -> BusinessCalendar:
    return BusinessCalendar.build(zone, {d: list(hours) for d in WEEK}, holidays)


def at(zone: ZoneInfo, *parts: int) -> datetime:
    """A wall-clock time in ``zone`` as a UTC instant."""
    return datetime(*parts, tzinfo=zone).astimezone(UTC)  # type: ignore[misc]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# -- weekends, holidays, split days ----------------------------------------------


def test_friday_afternoon_plus_two_hours_is_monday_morning() -> None:
    cal = office()
    friday = at(LONDON, 2026, 3, 6, 16, 0)
    assert cal.add(friday, 2 * H) == at(LONDON, 2026, 3, 9, 10, 0)
    assert cal.elapsed(friday, at(LONDON, 2026, 3, 9, 10, 0)) == 2 * H


def test_a_weekend_start_counts_from_monday() -> None:
    cal = office()
    saturday = at(LONDON, 2026, 3, 7, 11, 0)
    assert cal.add(saturday, H) == at(LONDON, 2026, 3, 9, 10, 0)
    assert cal.elapsed(saturday, at(LONDON, 2026, 3, 8, 23, 0)) == timedelta(0)


def test_a_target_ending_with_the_day_ends_at_closing_time() -> None:
    cal = office()
    monday = at(LONDON, 2026, 3, 9, 9, 0)
    assert cal.add(monday, 8 * H) == at(LONDON, 2026, 3, 9, 17, 0)
    assert cal.add(monday, 8 * H + M) == at(LONDON, 2026, 3, 10, 9, 1)
    assert cal.add(monday, timedelta(0)) == monday


def test_holidays_are_skipped() -> None:
    cal = office(holidays=("2026-03-09", "2026-03-10"))
    friday = at(LONDON, 2026, 3, 6, 16, 0)
    assert cal.add(friday, 2 * H) == at(LONDON, 2026, 3, 11, 10, 0)
    assert cal.working_intervals(date(2026, 3, 9)) == ()
    # Christmas week: 25th (Fri) and 28th (Mon, the Boxing Day holiday).
    xmas = office(holidays=("2026-12-25", "2026-12-28"))
    assert xmas.add(at(LONDON, 2026, 12, 24, 16, 0), 2 * H) == at(LONDON, 2026, 12, 29, 10, 0)


def test_a_split_day_has_a_lunch_break() -> None:
    cal = office(hours=("09:00-12:30", "13:30-17:30"))
    noon = at(LONDON, 2026, 3, 9, 12, 0)
    assert cal.add(noon, H) == at(LONDON, 2026, 3, 9, 14, 0)
    assert cal.elapsed(at(LONDON, 2026, 3, 9, 9, 0), at(LONDON, 2026, 3, 10, 9, 0)) == 7.5 * H
    assert cal.elapsed(at(LONDON, 2026, 3, 9, 12, 45), at(LONDON, 2026, 3, 9, 13, 15)) == 0 * H


def test_days_with_their_own_hours() -> None:
    cal = BusinessCalendar.build("Europe/London", {
        "mon": ["09:00-17:00"], "fri": ["09:00-13:00"], "sat": ["10:00-12:00"]})
    friday = at(LONDON, 2026, 3, 6, 12, 0)
    # 1 h left on Friday, 2 h on Saturday, the last hour on Monday.
    assert cal.add(friday, 4 * H) == at(LONDON, 2026, 3, 9, 10, 0)


def test_add_and_elapsed_agree() -> None:
    cal = office("Europe/Athens", ("08:30-12:00", "12:30-16:45"), ("2026-10-28",))
    start = at(ATHENS, 2026, 10, 20, 15, 10)
    for minutes in (0, 1, 50, 95, 7 * 60 + 45, 3 * 24 * 60 + 7, 20 * 60 * 7):
        due = cal.add(start, minutes * M)
        assert due is not None
        assert cal.elapsed(start, due) == minutes * M, minutes


# -- time zones and daylight saving ------------------------------------------------


def test_the_same_instant_in_two_zones() -> None:
    monday_8_utc = utc(2026, 3, 9, 8, 0)  # 08:00 in London, 10:00 in Athens
    assert office("Europe/London").add(monday_8_utc, H) == utc(2026, 3, 9, 10, 0)
    assert office("Europe/Athens").add(monday_8_utc, H) == utc(2026, 3, 9, 9, 0)


@pytest.mark.parametrize(("zone", "zone_name"), [(LONDON, "Europe/London"),
                                                 (ATHENS, "Europe/Athens")])
def test_working_hours_stay_on_the_wall_clock_across_the_spring_change(
        zone: ZoneInfo, zone_name: str) -> None:
    # Clocks go forward on Sunday 29 March 2026 (01:00 UTC in both zones).
    cal = office(zone_name)
    friday = at(zone, 2026, 3, 27, 16, 0)
    monday = cal.add(friday, 2 * H)
    assert monday == at(zone, 2026, 3, 30, 10, 0)
    assert monday is not None
    assert monday.astimezone(zone).hour == 10
    # Naive UTC arithmetic would be an hour off: the offset grew by one hour.
    assert monday - friday == timedelta(days=2, hours=17)
    # A whole working week across the change is still 40 hours.
    assert cal.elapsed(at(zone, 2026, 3, 23, 9, 0), at(zone, 2026, 3, 30, 9, 0)) == 40 * H


@pytest.mark.parametrize(("zone", "zone_name"), [(LONDON, "Europe/London"),
                                                 (ATHENS, "Europe/Athens")])
def test_working_hours_stay_on_the_wall_clock_across_the_autumn_change(
        zone: ZoneInfo, zone_name: str) -> None:
    # Clocks go back on Sunday 25 October 2026 (01:00 UTC in both zones).
    cal = office(zone_name)
    friday = at(zone, 2026, 10, 23, 16, 0)
    assert cal.add(friday, 2 * H) == at(zone, 2026, 10, 26, 10, 0)
    assert cal.add(friday, 2 * H) - friday == timedelta(days=2, hours=19)  # type: ignore[operator]
    assert cal.elapsed(at(zone, 2026, 10, 19, 9, 0), at(zone, 2026, 10, 26, 9, 0)) == 40 * H


@pytest.mark.parametrize("zone_name", ["Europe/London", "Europe/Athens"])
def test_a_day_worked_round_the_clock_is_23_or_25_hours_when_the_clocks_change(
        zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    all_day = BusinessCalendar.build(zone_name, {d: ["00:00-24:00"] for d in (
        "mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    assert all_day.elapsed(at(zone, 2026, 3, 29, 0, 0), at(zone, 2026, 3, 30, 0, 0)) == 23 * H
    assert all_day.elapsed(at(zone, 2026, 10, 25, 0, 0), at(zone, 2026, 10, 26, 0, 0)) == 25 * H
    # Round the clock is calendar time, whatever the wall clock does.
    start = at(zone, 2026, 10, 24, 18, 0)
    assert all_day.add(start, 30 * H) == CalendarTime().add(start, 30 * H)


def test_hours_that_start_in_the_skipped_hour() -> None:
    # Athens skips 03:00-04:00 on 29 March 2026. A 03:30-05:00 shift starts
    # at the instant a clock would have shown 03:30 (04:30 summer time).
    night = BusinessCalendar.build("Europe/Athens", {"sun": ["03:30-05:00"]})
    [(begin, end)] = night.working_intervals(date(2026, 3, 29))
    assert begin == utc(2026, 3, 29, 1, 30)
    assert end == at(ATHENS, 2026, 3, 29, 5, 0) == utc(2026, 3, 29, 2, 0)
    assert end - begin == 30 * M
    # The week after, the same shift is an hour and a half.
    assert night.elapsed(utc(2026, 4, 4), utc(2026, 4, 6)) == 90 * M


def test_hours_in_the_repeated_hour_are_taken_once() -> None:
    # London repeats 01:00-02:00 on 25 October 2026; 01:00-03:00 lasts 3 hours.
    early = BusinessCalendar.build("Europe/London", {"sun": ["01:00-03:00"]})
    [(begin, end)] = early.working_intervals(date(2026, 10, 25))
    assert (begin, end) == (utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 3, 0))


# -- pauses --------------------------------------------------------------------------


def test_pauses_push_the_due_time_back_in_calendar_time() -> None:
    cal = CalendarTime()
    start = utc(2026, 3, 9, 9)
    assert cal.add(start, 10 * H, [(start + 2 * H, start + 5 * H)]) == start + 13 * H
    # Overlapping and repeated pauses count once; a pause before the start is clipped.
    pauses = [(start - 5 * H, start + H), (start + 2 * H, start + 4 * H),
              (start + 3 * H, start + 5 * H)]
    assert cal.add(start, 10 * H, pauses) == start + 14 * H
    assert cal.elapsed(start, start + 14 * H, pauses) == 10 * H
    # A pause after the due time changes nothing.
    assert cal.add(start, 10 * H, [(start + 11 * H, start + 20 * H)]) == start + 10 * H


def test_a_pause_that_has_not_ended_leaves_the_due_time_open() -> None:
    cal = CalendarTime()
    start = utc(2026, 3, 9, 9)
    assert cal.add(start, 10 * H, [(start + 2 * H, None)]) is None
    # ... unless the target fell due before the pause began.
    assert cal.add(start, 10 * H, [(start + 12 * H, None)]) == start + 10 * H
    # While paused, elapsed time stands still.
    assert cal.elapsed(start, start + 30 * H, [(start + 2 * H, None)]) == 2 * H


def test_pauses_in_business_hours_count_only_working_time() -> None:
    cal = office()
    monday = at(LONDON, 2026, 3, 9, 9, 0)
    # Paused overnight: nothing changes (the night is not counted anyway).
    night = (at(LONDON, 2026, 3, 9, 17, 0), at(LONDON, 2026, 3, 10, 9, 0))
    assert cal.add(monday, 10 * H, [night]) == at(LONDON, 2026, 3, 10, 11, 0)
    # Paused from Monday 15:00 to Wednesday 11:00: 2 + 8 + 2 working hours lost.
    pending = (at(LONDON, 2026, 3, 9, 15, 0), at(LONDON, 2026, 3, 11, 11, 0))
    assert cal.add(monday, 10 * H, [pending]) == at(LONDON, 2026, 3, 11, 15, 0)
    assert cal.elapsed(monday, at(LONDON, 2026, 3, 11, 15, 0), [pending]) == 10 * H
    # A pause that ends at a weekend resumes on Monday morning.
    friday_pause = (at(LONDON, 2026, 3, 13, 16, 0), at(LONDON, 2026, 3, 14, 12, 0))
    assert cal.add(at(LONDON, 2026, 3, 13, 15, 0), 2 * H, [friday_pause]) == at(
        LONDON, 2026, 3, 16, 10, 0)


def test_merge_pauses() -> None:
    t = utc(2026, 1, 1)
    assert merge_pauses([(t + 3 * H, t + 4 * H), (t, t + 2 * H), (t + H, None),
                         (t + 9 * H, t + 10 * H)], t) == [(t, None)]
    assert merge_pauses([(t - H, t), (t + 2 * H, t + H)], t) == []


# -- what is refused -------------------------------------------------------------------


def test_bad_calendars_are_refused_with_a_reason() -> None:
    with pytest.raises(CalendarError, match="unknown time zone"):
        office("Mars/Olympus")
    with pytest.raises(CalendarError, match="at least one day"):
        BusinessCalendar.build("Europe/London", {})
    with pytest.raises(CalendarError, match="not working hours"):
        BusinessCalendar.build("Europe/London", {"mon": ["9 to 5"]})
    with pytest.raises(CalendarError, match="overlap"):
        BusinessCalendar.build("Europe/London", {"mon": ["09:00-13:00", "12:00-17:00"]})
    with pytest.raises(CalendarError, match="weekday"):
        BusinessCalendar.build("Europe/London", {"monday": ["09:00-17:00"]})
    with pytest.raises(CalendarError, match="not a date"):
        office(holidays=("25/12/2026",))
    with pytest.raises(ValueError, match="naive"):
        office().add(datetime(2026, 3, 9, 9), H)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="negative"):
        office().add(utc(2026, 3, 9), -H)


def test_holidays_on_every_working_day_for_weeks() -> None:
    mondays = [date(2026, 3, 2) + timedelta(weeks=n) for n in range(3)]
    cal = BusinessCalendar.build("Europe/London", {"mon": ["09:00-17:00"]}, mondays)
    assert cal.add(utc(2026, 3, 1), H) == at(LONDON, 2026, 3, 23, 10, 0)
    assert cal.elapsed(utc(2026, 3, 1), utc(2026, 3, 22)) == timedelta(0)
    same = BusinessCalendar("Europe/London", (((540, 1020),),) + ((),) * 6, frozenset(mondays))
    assert same == cal
