"""Account issues: renewals, account changes, payment delays, complaints.

Each has the states open -> in_progress -> resolved -> closed (reopen with a
reason) and steps of its own kind that fill in its details:

* renewal: ``quote`` (amount, valid until, renewal date), ``decide`` (renew,
  lapse, cancel, changed_terms); resolved once decided.
* account_change: ``record_change`` (field, old, new value), ``verify_identity``
  (method; the verifier is the person acting), ``apply_change``. Bank details
  and address change only after the identity was verified; bank details are
  kept masked (the payment system holds them). Resolved once applied or
  rejected (``reject_change`` with a reason).
* payment_delay: ``set_payment`` (reference, expected date), ``chase`` (sets the
  next chase), ``payment_received`` (paid on); resolved once paid or with a
  resolution.
* complaint: ``classify`` (category, severity), ``acknowledge`` (due within the
  regulatory acknowledgement time from opening), ``record_root_cause``;
  resolved with a resolution once acknowledged and its root cause known.
  The deadline (``due_at``) is the acknowledgement first, then the final
  response.

:func:`plan` is pure: the state, details and deadline after a step, or
:class:`IllegalStep` saying why not. :func:`act` applies it to an
:class:`~claims.models.AccountIssue` and records an
:class:`~claims.models.AccountIssueEvent` (who, what, when, why, what changed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from claims.models import AccountIssue, AccountIssueEvent

STATES = ("open", "in_progress", "resolved", "closed")
CHANGE_FIELDS = ("bank_details", "address", "email", "phone", "name", "payment_method", "other")
SENSITIVE_FIELDS = frozenset({"bank_details", "address"})
VERIFICATION_METHODS = ("security_questions", "id_document", "one_time_code", "callback")
RENEWAL_DECISIONS = ("renew", "lapse", "cancel", "changed_terms")
COMPLAINT_CATEGORIES = ("claims_handling", "delay", "service", "pricing", "policy_terms",
                        "communication", "other")
SEVERITIES = ("low", "medium", "high")
ACTIVE = frozenset({"open", "in_progress"})
_KEEP = object()  # the deadline is left as it is


class IllegalStep(ValueError):  # noqa: N818 - reads as what happened
    """The step is not allowed for this issue now; the message says why."""


@dataclass(frozen=True)
class Deadlines:
    complaint_ack_days: int = 5
    complaint_final_response_days: int = 56
    payment_chase_days: int = 3


@dataclass(frozen=True)
class Outcome:
    action: str
    from_status: str
    to_status: str
    details: dict[str, Any]  # the issue's details afterwards
    changes: dict[str, Any]  # what this step set, as recorded
    due_at: object = _KEEP  # datetime, None (no deadline) or _KEEP


def opening_deadline(kind: str, opened_at: datetime, rules: Deadlines) -> datetime | None:
    """The deadline an issue starts with: a complaint's acknowledgement."""
    if kind == "complaint":
        return opened_at + timedelta(days=rules.complaint_ack_days)
    return None


def plan(
    kind: str, status: str, details: Mapping[str, Any], action: str, data: Mapping[str, Any],
    *, now: datetime, opened_at: datetime, rules: Deadlines, actor: str = "",
) -> Outcome:
    if status not in STATES:
        raise IllegalStep(f"unknown state {status!r}")
    steps = {**_GENERIC, **_KIND_STEPS.get(kind, {})}
    if action not in steps:
        raise IllegalStep(f"a {kind.replace('_', ' ')} has no step {action!r}; "
                          f"steps are {', '.join(steps)}")
    step = steps[action]
    if action not in _GENERIC and status not in ACTIVE:
        raise IllegalStep(f"cannot {action.replace('_', ' ')}: the issue is {status}; reopen it")
    current = dict(details)
    ctx = _Context(kind, status, current, data, now, opened_at, rules, actor)
    to_status, changes, due = step(ctx)
    if to_status is None:
        to_status = "in_progress" if status == "open" else status
    for key, value in changes.items():
        current[key] = value
    return Outcome(action, status, to_status, current, changes, due)


def act(
    session: Session, issue: AccountIssue, action: str, now: datetime, *,
    actor_id: int | None, actor: str = "", note: str = "", rules: Deadlines | None = None,
    **data: Any,
) -> AccountIssueEvent:
    """Apply one step and record it; :class:`IllegalStep` changes nothing.
    An applied address change is written to the customer's address too."""
    outcome = plan(issue.kind, issue.status, issue.details or {}, action,
                   {**data, "note": note}, now=now, opened_at=issue.created_at,
                   rules=rules or Deadlines(), actor=actor)
    issue.status = outcome.to_status
    issue.details = outcome.details
    if outcome.due_at is not _KEEP:
        issue.due_at = outcome.due_at  # type: ignore[assignment]
    if outcome.to_status == "resolved" and outcome.from_status != "resolved":
        issue.resolved_at = now
    elif outcome.to_status in ACTIVE:
        issue.resolved_at = None
    change = outcome.details.get("change") or {}
    if (action == "apply_change" and change.get("field") == "address"
            and issue.customer is not None):
        issue.customer.address = change["new"]
    event = AccountIssueEvent(
        issue_id=issue.id, action=action, from_status=outcome.from_status,
        to_status=outcome.to_status, actor_id=actor_id, note=note.strip()[:2000],
        changes=_jsonable(outcome.changes), created_at=now,
    )
    session.add(event)
    session.flush()
    return event


# The steps: each returns (new status or None for "in progress", changes, deadline).

@dataclass(frozen=True)
class _Context:
    kind: str
    status: str
    details: dict[str, Any]
    data: Mapping[str, Any]
    now: datetime
    opened_at: datetime
    rules: Deadlines
    actor: str

    def text(self, key: str, *, required: bool = True, limit: int = 2000) -> str:
        value = str(self.data.get(key) or "").strip()
        if required and not value:
            raise IllegalStep(f"{key.replace('_', ' ')} is required")
        return value[:limit]

    def choice(self, key: str, options: tuple[str, ...]) -> str:
        value = self.text(key).lower()
        if value not in options:
            raise IllegalStep(f"{key.replace('_', ' ')} must be one of {', '.join(options)}")
        return value


Result = tuple[str | None, dict[str, Any], Any]
Step = Callable[[_Context], Result]


def _start(c: _Context) -> Result:
    if c.status != "open":
        raise IllegalStep(f"cannot start: the issue is {c.status.replace('_', ' ')}")
    return "in_progress", {}, _KEEP


def _note(c: _Context) -> Result:
    if c.status == "closed":
        raise IllegalStep("the issue is closed; reopen it to add to it")
    c.text("note")
    return c.status, {}, _KEEP


def _resolve(c: _Context) -> Result:
    if c.status not in ACTIVE:
        raise IllegalStep(f"cannot resolve: the issue is {c.status}")
    missing = _REQUIRED_TO_RESOLVE.get(c.kind, lambda d: "")(c.details)
    resolution = c.text("resolution", required=False)
    if missing and not (resolution and c.kind == "payment_delay"):
        raise IllegalStep(f"cannot resolve yet: {missing}")
    if not resolution and c.kind in ("complaint", "other"):
        raise IllegalStep("say how it was resolved (resolution)")
    return "resolved", ({"resolution": resolution} if resolution else {}), None


def _close(c: _Context) -> Result:
    if c.status != "resolved":
        raise IllegalStep(f"only a resolved issue is closed; this one is "
                          f"{c.status.replace('_', ' ')}")
    return "closed", {}, None


def _reopen(c: _Context) -> Result:
    if c.status not in ("resolved", "closed"):
        raise IllegalStep(f"cannot reopen: the issue is {c.status.replace('_', ' ')}")
    reason = c.text("note")
    due = (c.now + timedelta(days=c.rules.complaint_final_response_days)
           if c.kind == "complaint" else None)
    return "in_progress", {"reopened": reason}, due


_GENERIC: dict[str, Step] = {
    "start": _start, "note": _note, "resolve": _resolve, "close": _close, "reopen": _reopen,
}


def _quote(c: _Context) -> Result:
    changes: dict[str, Any] = {"quote": {"amount": _money(c.data.get("amount")),
                                         "valid_until": _date(c.data.get("valid_until"),
                                                              "valid until")}}
    if c.data.get("renewal_date"):
        changes["renewal_date"] = _date(c.data["renewal_date"], "renewal date")
    return None, changes, _KEEP


def _decide(c: _Context) -> Result:
    return None, {"decision": c.choice("decision", RENEWAL_DECISIONS)}, _KEEP


def _record_change(c: _Context) -> Result:
    field = c.choice("field", CHANGE_FIELDS)
    if c.details.get("applied_at"):
        raise IllegalStep("the change was applied already; open a new issue for another")
    old, new = c.text("old", required=False, limit=500), c.text("new", limit=500)
    if field == "bank_details":
        old, new = _mask(old), _mask(new)
    return None, {"change": {"field": field, "old": old, "new": new}}, _KEEP


def _verify_identity(c: _Context) -> Result:
    method = c.choice("method", VERIFICATION_METHODS)
    if not c.actor:
        raise IllegalStep("identity verification needs the person who verified")
    return None, {"verification": {"method": method, "by": c.actor,
                                   "at": c.now.isoformat()}}, _KEEP


def _apply_change(c: _Context) -> Result:
    change = c.details.get("change")
    if not change:
        raise IllegalStep("record the change first (what changes, old and new value)")
    if c.details.get("applied_at"):
        raise IllegalStep("the change was applied already")
    if change["field"] in SENSITIVE_FIELDS and not c.details.get("verification"):
        raise IllegalStep(f"verify the customer's identity before changing "
                          f"{change['field'].replace('_', ' ')}")
    return None, {"applied_at": c.now.isoformat(), "applied_by": c.actor}, _KEEP


def _reject_change(c: _Context) -> Result:
    return None, {"rejected": c.text("reason")}, _KEEP


def _set_payment(c: _Context) -> Result:
    expected = _date(c.data.get("expected_date"), "expected date")
    return None, {"payment_reference": c.text("reference", limit=100),
                  "expected_date": expected}, _KEEP


def _chase(c: _Context) -> Result:
    chases = [*c.details.get("chases", []), c.now.isoformat()]
    return None, {"chases": chases}, c.now + timedelta(days=c.rules.payment_chase_days)


def _payment_received(c: _Context) -> Result:
    return None, {"paid_on": _date(c.data.get("paid_on"), "paid on")}, None


def _classify(c: _Context) -> Result:
    return None, {"category": c.choice("category", COMPLAINT_CATEGORIES),
                  "severity": c.choice("severity", SEVERITIES)}, _KEEP


def _acknowledge(c: _Context) -> Result:
    if c.details.get("acknowledged_at"):
        raise IllegalStep("the complaint was acknowledged already")
    final = c.opened_at + timedelta(days=c.rules.complaint_final_response_days)
    late = c.now > c.opened_at + timedelta(days=c.rules.complaint_ack_days)
    return None, {"acknowledged_at": c.now.isoformat(), "acknowledged_late": late}, final


def _record_root_cause(c: _Context) -> Result:
    return None, {"root_cause": c.text("root_cause")}, _KEEP


_KIND_STEPS: dict[str, dict[str, Step]] = {
    "renewal": {"quote": _quote, "decide": _decide},
    "account_change": {"record_change": _record_change, "verify_identity": _verify_identity,
                       "apply_change": _apply_change, "reject_change": _reject_change},
    "payment_delay": {"set_payment": _set_payment, "chase": _chase,
                      "payment_received": _payment_received},
    "complaint": {"classify": _classify, "acknowledge": _acknowledge,
                  "record_root_cause": _record_root_cause},
}


def _complaint_missing(d: Mapping[str, Any]) -> str:
    missing = [what for key, what in (("acknowledged_at", "acknowledge it"),
                                      ("category", "classify it"),
                                      ("root_cause", "record its root cause")) if not d.get(key)]
    return ", ".join(missing)


_REQUIRED_TO_RESOLVE: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "renewal": lambda d: "" if d.get("decision") else "decide the renewal",
    "account_change": lambda d: "" if d.get("applied_at") or d.get("rejected")
    else "apply or reject the change",
    "payment_delay": lambda d: "" if d.get("paid_on") else "record the payment (or a resolution)",
    "complaint": _complaint_missing,
}


def _money(value: Any) -> str:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise IllegalStep(f"amount: {value!r} is not an amount") from None
    if not amount.is_finite() or amount <= 0:
        raise IllegalStep("amount must be more than 0")
    return str(amount.quantize(Decimal("0.01")))


def _date(value: Any, what: str) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value or "").strip()).isoformat()
    except ValueError:
        raise IllegalStep(f"{what}: {value!r} is not a date (yyyy-mm-dd)") from None


def _mask(value: str) -> str:
    digits = re.sub(r"[^0-9A-Za-z]", "", value)
    return f"****{digits[-4:]}" if digits else ""


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in changes.items()}
