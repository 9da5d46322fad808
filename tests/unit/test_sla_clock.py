"""SLA policies and clocks (inbox.sla.policies, inbox.sla.clock): which
policy a thread gets, its due and warning times from its facts, pauses,
reminders, claim targets. Pure; ``now`` is passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from config import ConfigError, load_settings
from config.sla import SlaSettings
from inbox.intake.config import sla_policies_of
from inbox.sla.calendar import BusinessCalendar, CalendarTime
from inbox.sla.clock import ClaimFacts, ThreadFacts, claim_clock, next_check, thread_clock
from inbox.sla.policies import (
    Conditions,
    Match,
    Policy,
    PolicyError,
    PolicySet,
    config_policies,
    format_duration,
    parse_duration,
    parse_policy,
    policy_to_json,
)

H = timedelta(hours=1)
DAY = timedelta(days=1)
LONDON = ZoneInfo("Europe/London")
OFFICE = BusinessCalendar.build("Europe/London", {d: ["09:00-17:00"] for d in (
    "mon", "tue", "wed", "thu", "fri")})


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


def policy(**kw: object) -> Policy:
    base: dict[str, object] = {
        "key": "office", "name": "Office", "calendar": OFFICE,
        "targets": {"first_response": 4 * H, "next_response": 8 * H, "resolution": 40 * H}}
    return Policy(**{**base, **kw}).check()  # type: ignore[arg-type]


MONDAY_9 = at(2026, 3, 9, 9, 0)


# -- policies ---------------------------------------------------------------------


def test_the_first_matching_policy_wins_and_the_default_catches_the_rest() -> None:
    vip = policy(key="vip", conditions=Conditions(segment=frozenset({"vip"})))
    urgent_sms = policy(key="urgent-sms", conditions=Conditions(
        channel=frozenset({"sms"}), priority=frozenset({"urgent", "high"})))
    default = policy(key="default")
    rules = PolicySet((vip, urgent_sms, default))
    assert rules.for_thread(Match("sms", None, "urgent", "vip")).key == "vip"
    assert rules.for_thread(Match("sms", None, "high", None)).key == "urgent-sms"
    assert rules.for_thread(Match("email", None, "urgent", None)).key == "default"
    assert rules.for_thread(Match()).key == "default"
    with pytest.raises(PolicyError, match="default"):
        PolicySet((vip,))


def test_claims_take_the_first_policy_with_claim_targets() -> None:
    service = parse_policy({"key": "claims-service", "issue_type": ["claim"],
                            "first_response": "2h"}, where="p")
    regulation = parse_policy({"preset": "claims_regulation"}, where="p")
    rules = PolicySet((service, regulation, policy(key="default")))
    assert rules.for_thread(Match(issue_type="claim")).key == "claims-service"
    found = rules.for_claim(Match(segment=None))
    assert found is not None
    assert found.key == "claims_regulation"
    assert PolicySet((policy(key="default"),)).for_claim(Match()) is None


def test_durations() -> None:
    assert parse_duration("4h", where="x") == 4 * H
    assert parse_duration("1h30m", where="x") == 90 * timedelta(minutes=1)
    assert parse_duration("2w", where="x") == 14 * DAY
    assert parse_duration(3600, where="x") == H
    assert format_duration(parse_duration("1d2h5m", where="x")) == "1d2h5m"
    for bad in ("", "soon", "4 hours", "0h", -5, True):
        with pytest.raises(PolicyError, match="x"):
            parse_duration(bad, where="x")
    with pytest.raises(PolicyError, match="not days"):
        parse_duration("2d", where="x", business=True)


def test_a_preset_is_loaded_by_name_and_can_be_overridden() -> None:
    regulation = parse_policy({"preset": "claims_regulation"}, where="sla.policies[0]")
    assert regulation.targets["claim_acknowledgement"] == 15 * DAY
    assert regulation.targets["claim_decision"] == 40 * DAY
    assert regulation.targets["claim_status"] == 30 * DAY
    assert isinstance(regulation.calendar, CalendarTime)
    stricter = parse_policy({"preset": "claims_regulation", "claim_acknowledgement": "10d",
                             "first_response": "", "on_breach": "reassign"}, where="p")
    assert stricter.targets["claim_acknowledgement"] == 10 * DAY
    assert "first_response" not in stricter.targets
    assert stricter.on_breach == "reassign"
    with pytest.raises(PolicyError, match="unknown preset"):
        parse_policy({"preset": "nope"}, where="p")
    with pytest.raises(PolicyError, match="give every target in hours"):
        parse_policy({"preset": "claims_regulation", "calendar": {
            "timezone": "Europe/London", "hours": {"mon": ["09:00-17:00"]}}}, where="p")


def test_policy_errors_name_the_key() -> None:
    with pytest.raises(PolicyError, match=r"p\(vip\)\.first_response"):
        parse_policy({"key": "vip", "first_response": "soon"}, where="p")
    with pytest.raises(PolicyError, match=r"p\.colour: unknown setting"):
        parse_policy({"key": "vip", "colour": "red"}, where="p")
    with pytest.raises(PolicyError, match="warn_at"):
        parse_policy({"key": "vip", "warn_at": 1.5}, where="p")
    with pytest.raises(PolicyError, match="on_breach"):
        parse_policy({"key": "vip", "on_breach": "panic"}, where="p")
    with pytest.raises(PolicyError, match=r"calendar: unknown calendar 'office'"):
        parse_policy({"key": "vip", "calendar": "office"}, where="p")


def test_the_config_section_builds_the_policies_with_the_default_last() -> None:
    settings = load_settings(env={}, overrides={"sla": {
        "warn_at": 0.75,
        "default": {"resolution": "10d"},
        "calendars": {"office": {"timezone": "Europe/Athens",
                                 "hours": {"mon": ["09:00-13:00", "14:00-18:00"]},
                                 "holidays": ["2026-04-13"]}},
        "policies": [{"key": "vip", "segment": ["vip"], "first_response": "2h",
                      "calendar": "office"}, {"preset": "claims_regulation"}],
    }})
    rules = sla_policies_of(settings)
    assert [p.key for p in rules.policies] == ["vip", "claims_regulation", "default"]
    vip = rules.policies[0]
    assert isinstance(vip.calendar, BusinessCalendar)
    assert vip.calendar.timezone == "Europe/Athens"
    assert vip.warn_at == 0.75
    assert rules.default.targets == {"first_response": 24 * H, "next_response": 24 * H,
                                     "resolution": 10 * DAY}
    assert policy_to_json(vip)["first_response"] == 7200


def test_bad_config_fails_at_start_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"sla\.policies\[0\]\(vip\)\.first_response"):
        sla_policies_of(load_settings(env={}, overrides={"sla": {"policies": [
            {"key": "vip", "first_response": "fast"}]}}))
    with pytest.raises(ConfigError, match=r"sla\.calendars\.office: unknown time zone"):
        sla_policies_of(load_settings(env={}, overrides={"sla": {"calendars": {
            "office": {"timezone": "Mars/Base", "hours": {"mon": ["09:00-17:00"]}}}}}))
    with pytest.raises(ConfigError, match=r"sla\.colour: unknown setting"):
        load_settings(env={}, overrides={"sla": {"colour": "red"}})
    with pytest.raises(ConfigError, match=r"sla\.policies\[1\]\.key: 'vip' is used twice"):
        load_settings(env={}, overrides={"sla": {"policies": [{"key": "vip"},
                                                               {"key": "vip"}]}})
    with pytest.raises(ConfigError, match=r"sla\.default\.segment"):
        load_settings(env={}, overrides={"sla": {"default": {"segment": ["vip"]}}})
    assert config_policies(SlaSettings(), 24 * H).default.key == "default"


# -- thread clocks ------------------------------------------------------------------


def test_first_response_counts_business_hours_from_the_waiting_message() -> None:
    friday_4pm = at(2026, 3, 13, 16, 0)
    clock = thread_clock(ThreadFacts("open", friday_4pm, friday_4pm, None), policy())
    first = clock.targets["first_response"]
    # 1 h on Friday, 3 h on Monday; warned at 80% (3h12m: Monday 11:12).
    assert first.due_at == at(2026, 3, 16, 12, 0)
    assert first.warn_at == at(2026, 3, 16, 11, 12)
    assert clock.targets["resolution"].due_at == at(2026, 3, 20, 16, 0)
    assert clock.due_at == first.due_at
    assert first.state(at(2026, 3, 16, 11, 0)) == "ok"
    assert first.state(at(2026, 3, 16, 11, 12)) == "warning"
    assert first.state(at(2026, 3, 16, 12, 0)) == "breached"
    assert clock.state(at(2026, 3, 16, 12, 30)) == "breached"


def test_after_the_first_answer_the_next_response_target_applies() -> None:
    answered = MONDAY_9 + H
    clock = thread_clock(ThreadFacts("open", MONDAY_9, None, answered), policy())
    assert set(clock.targets) == {"resolution"}
    again = thread_clock(ThreadFacts("open", MONDAY_9, MONDAY_9 + 3 * H, answered), policy())
    assert again.targets["next_response"].due_at == at(2026, 3, 10, 12, 0)
    assert "first_response" not in again.targets


def test_pending_pauses_the_resolution_clock_but_not_an_unanswered_message() -> None:
    tuesday_9 = at(2026, 3, 10, 9, 0)
    paused = thread_clock(ThreadFacts("pending", MONDAY_9, None, MONDAY_9 + H,
                                      paused_at=tuesday_9), policy())
    assert paused.targets["resolution"].due_at is None
    assert paused.state(tuesday_9 + DAY) == "paused"
    assert next_check(paused, tuesday_9) is None
    # Pending Tuesday 9:00 to Thursday 9:00: two working days later than planned.
    resumed = thread_clock(ThreadFacts("open", MONDAY_9, None, MONDAY_9 + H,
                                       pauses=((tuesday_9, at(2026, 3, 12, 9, 0)),)), policy())
    assert resumed.targets["resolution"].due_at == at(2026, 3, 17, 17, 0)
    # Set pending with the customer's message unanswered: still owed an answer.
    owed = thread_clock(ThreadFacts("pending", MONDAY_9, MONDAY_9, None,
                                    paused_at=MONDAY_9 + H), policy())
    assert owed.targets["first_response"].due_at == MONDAY_9 + 4 * H
    assert owed.targets["resolution"].due_at is None


def test_a_target_breached_before_the_pause_stays_breached() -> None:
    late = at(2026, 3, 20, 9, 0)
    clock = thread_clock(ThreadFacts("pending", MONDAY_9, None, MONDAY_9 + H,
                                     paused_at=late), policy())
    assert clock.targets["resolution"].due_at == at(2026, 3, 13, 17, 0)
    assert clock.state(late) == "breached"


def test_closed_threads_have_no_targets_and_reminders_come_first() -> None:
    assert thread_clock(ThreadFacts("closed", MONDAY_9, MONDAY_9, None), policy()).targets == {}
    reminded = thread_clock(ThreadFacts("open", MONDAY_9, MONDAY_9, None,
                                        remind_at=MONDAY_9 + H), policy())
    assert reminded.due_at == MONDAY_9 + H
    quiet = thread_clock(ThreadFacts("open", None, None, None, remind_at=MONDAY_9), policy())
    assert (quiet.due_at, quiet.state(MONDAY_9)) == (MONDAY_9, "none")


def test_a_policy_without_targets_times_nothing() -> None:
    clock = thread_clock(ThreadFacts("open", MONDAY_9, MONDAY_9, None),
                         policy(targets={}))
    assert (clock.targets, clock.due_at, clock.state(MONDAY_9)) == ({}, None, "none")


def test_next_check_is_the_next_warning_or_due_time() -> None:
    clock = thread_clock(ThreadFacts("open", MONDAY_9, MONDAY_9, None), policy())
    first = clock.targets["first_response"]
    assert next_check(clock, MONDAY_9) == first.warn_at
    assert next_check(clock, first.warn_at) == first.due_at  # type: ignore[arg-type]
    assert next_check(clock, first.due_at) == clock.targets[  # type: ignore[arg-type]
        "resolution"].warn_at
    # Targets the sweep has not seen yet count even when their time has passed.
    later = MONDAY_9 + 10 * DAY
    assert next_check(clock, later) is None
    assert next_check(clock, later, unseen=["first_response"]) == first.warn_at
    assert next_check(clock, later, after=first.due_at) == first.due_at


# -- claim clocks -------------------------------------------------------------------


REGULATION = parse_policy({"preset": "claims_regulation"}, where="p")
NOTICE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_new_claim_must_be_acknowledged_within_15_days() -> None:
    clock = claim_clock(ClaimFacts("received", NOTICE), REGULATION)
    assert clock.targets["claim_acknowledgement"].due_at == NOTICE + 15 * DAY
    assert clock.targets["claim_acknowledgement"].warn_at == NOTICE + 12 * DAY
    assert clock.targets["claim_status"].due_at == NOTICE + 30 * DAY
    assert "claim_decision" not in clock.targets  # no proof of claim yet
    assert clock.due_at == NOTICE + 15 * DAY


def test_decided_within_40_days_of_proof_and_a_status_every_30_days() -> None:
    proof = NOTICE + 20 * DAY
    facts = ClaimFacts("in_review", NOTICE, acknowledged_at=NOTICE + DAY, proof_at=proof,
                       last_written_at=NOTICE + 25 * DAY)
    clock = claim_clock(facts, REGULATION)
    assert set(clock.targets) == {"claim_decision", "claim_status"}
    assert clock.targets["claim_decision"].due_at == proof + 40 * DAY
    assert clock.targets["claim_status"].due_at == NOTICE + 55 * DAY
    # Waiting for the customer's documents: no decision is due meanwhile.
    waiting = claim_clock(ClaimFacts("info_requested", NOTICE, NOTICE + DAY, proof), REGULATION)
    assert "claim_decision" not in waiting.targets
    decided = claim_clock(ClaimFacts("approved", NOTICE, NOTICE + DAY, proof,
                                     decided_at=proof + 10 * DAY), REGULATION)
    assert set(decided.targets) == {"claim_status"}  # still open until paid
    assert claim_clock(ClaimFacts("closed", NOTICE), REGULATION).targets == {}
    assert claim_clock(ClaimFacts("received", NOTICE), None).due_at is None
