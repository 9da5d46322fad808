"""Is the claimed cost covered? ``assess(claim, policy, on=date)``.

A pure function of the claim, the policy (with its other claims) and the day
of the assessment: no database, no clock. It returns the verdict, every
reason that led to it, and the amount payable:

* ``not_covered`` when a rule rules it out: the policy was not in force on the
  loss date, the cause is excluded, the amount is within the deductible, or
  the coverage limit is used up;
* ``needs_review`` when a person must look: facts missing (loss date, amount,
  cause where the policy has exclusions), a loss date after the assessment, a
  possible duplicate (another claim on the policy for the same loss), a
  payable amount capped by the remaining limit, a policy not yet in force;
* ``covered`` otherwise, with the deductible applied.

Each reason carries a code (what a denial letter cites), a sentence, and the
policy provision it rests on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

ZERO = Decimal("0.00")
# Claims whose money counts against the limit.
SETTLED_STATUSES = frozenset({"approved", "paid", "closed"})
# Claims that are no claim any more (never a duplicate).
VOID_STATUSES = frozenset({"denied", "withdrawn"})
INACTIVE_POLICY_STATUSES = frozenset({"cancelled", "lapsed", "expired"})


class Verdict(StrEnum):
    COVERED = "covered"
    NOT_COVERED = "not_covered"
    NEEDS_REVIEW = "needs_review"


class Severity(StrEnum):
    BLOCKING = "blocking"  # rules the claim out
    REVIEW = "review"      # a person must decide
    INFO = "info"          # explains the amount


@dataclass(frozen=True)
class Reason:
    code: str
    severity: Severity
    message: str
    provision: str = ""


@dataclass(frozen=True)
class CoverageResult:
    verdict: Verdict
    reasons: tuple[Reason, ...]
    claimed: Decimal | None
    deductible: Decimal
    remaining_limit: Decimal | None  # before this claim; None: no limit
    payable: Decimal
    assessed_on: date

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    def to_json(self) -> dict[str, Any]:
        """For the audit record of a decision that relied on it."""
        data = asdict(self)
        data["verdict"] = self.verdict.value
        data["reasons"] = [{**asdict(r), "severity": r.severity.value} for r in self.reasons]
        for key in ("claimed", "deductible", "remaining_limit", "payable"):
            data[key] = None if data[key] is None else str(data[key])
        data["assessed_on"] = self.assessed_on.isoformat()
        return data


class ClaimLike(Protocol):
    number: str
    status: str
    loss_date: date | None
    amount_claimed: Decimal | None
    cause: str | None
    amount_approved: Decimal | None


class PolicyLike(Protocol):
    number: str
    status: str
    start_date: date | None
    end_date: date | None
    coverage_limit: Decimal | None
    deductible: Decimal | None
    exclusions: list[str]

    @property
    def claims(self) -> Iterable[ClaimLike]: ...


def assess(claim: ClaimLike, policy: PolicyLike, on: date) -> CoverageResult:
    reasons: list[Reason] = []
    others = [c for c in policy.claims if c.number != claim.number]
    _period(claim, policy, on, reasons)
    _cause(claim, policy, reasons)
    _duplicates(claim, others, reasons)

    claimed = claim.amount_claimed
    deductible = _money(policy.deductible)
    remaining = _remaining_limit(policy, others)
    payable = ZERO
    if claimed is None or claimed <= ZERO:
        reasons.append(Reason("amount_missing", Severity.REVIEW,
                              "the claimed amount is not known yet"))
    else:
        payable = max(ZERO, _money(claimed) - deductible)
        if deductible > ZERO:
            if payable == ZERO:
                reasons.append(Reason(
                    "within_deductible", Severity.BLOCKING,
                    f"the claimed {claimed} is within the deductible of {deductible}",
                    "deductible"))
            else:
                reasons.append(Reason("deductible_applied", Severity.INFO,
                                      f"deductible of {deductible} applied", "deductible"))
        if remaining is not None and payable > ZERO:
            if remaining <= ZERO:
                reasons.append(Reason("limit_exhausted", Severity.BLOCKING,
                                      "the coverage limit is used up", "coverage_limit"))
                payable = ZERO
            elif payable > remaining:
                reasons.append(Reason(
                    "above_remaining_limit", Severity.REVIEW,
                    f"{payable} is above the remaining limit of {remaining}; "
                    f"at most {remaining} is payable", "coverage_limit"))
                payable = remaining

    verdict = Verdict.COVERED
    if any(r.severity is Severity.REVIEW for r in reasons):
        verdict = Verdict.NEEDS_REVIEW
    if any(r.severity is Severity.BLOCKING for r in reasons):
        verdict = Verdict.NOT_COVERED
        payable = ZERO
    return CoverageResult(verdict, tuple(reasons), claimed, deductible, remaining, payable, on)


def _money(value: Decimal | None) -> Decimal:
    return ZERO if value is None else Decimal(value).quantize(ZERO)


def _period(claim: ClaimLike, policy: PolicyLike, on: date, reasons: list[Reason]) -> None:
    loss = claim.loss_date
    if loss is None:
        reasons.append(Reason("loss_date_missing", Severity.REVIEW,
                              "the date of the loss is not known yet"))
        return
    if loss > on:
        reasons.append(Reason("loss_in_future", Severity.REVIEW,
                              f"the loss date {loss} is after today ({on})"))
    if policy.start_date is not None and loss < policy.start_date:
        reasons.append(Reason("policy_not_active", Severity.BLOCKING,
                              f"the policy started on {policy.start_date}, after the loss "
                              f"on {loss}", "period"))
    elif policy.end_date is not None and loss > policy.end_date:
        reasons.append(Reason("policy_not_active", Severity.BLOCKING,
                              f"the policy ended on {policy.end_date}, before the loss "
                              f"on {loss}", "period"))
    elif policy.status in INACTIVE_POLICY_STATUSES and policy.end_date is None:
        reasons.append(Reason("policy_not_active", Severity.BLOCKING,
                              f"the policy is {policy.status}", "status"))
    elif policy.status == "pending":
        reasons.append(Reason("policy_pending", Severity.REVIEW,
                              "the policy is not yet in force (pending)", "status"))


def _cause(claim: ClaimLike, policy: PolicyLike, reasons: list[Reason]) -> None:
    exclusions = {e.strip().lower() for e in policy.exclusions or [] if e and e.strip()}
    cause = (claim.cause or "").strip().lower()
    if cause and cause in exclusions:
        reasons.append(Reason("cause_excluded", Severity.BLOCKING,
                              f"the policy excludes losses caused by {cause}",
                              f"exclusion:{cause}"))
    elif not cause and exclusions:
        reasons.append(Reason("cause_unknown", Severity.REVIEW,
                              "the cause of the loss is not known, and the policy has "
                              "exclusions"))


def _duplicates(claim: ClaimLike, others: list[ClaimLike], reasons: list[Reason]) -> None:
    if claim.loss_date is None:
        return
    cause = (claim.cause or "").strip().lower()
    same = [
        c.number for c in others
        if c.status not in VOID_STATUSES and c.loss_date == claim.loss_date
        and (not cause or not c.cause or c.cause.strip().lower() == cause)
    ]
    if same:
        reasons.append(Reason("possible_duplicate", Severity.REVIEW,
                              "another claim on this policy is for the same loss: "
                              + ", ".join(sorted(same))))


def _remaining_limit(policy: PolicyLike, others: list[ClaimLike]) -> Decimal | None:
    if policy.coverage_limit is None:
        return None
    used = sum((_money(c.amount_approved) for c in others if c.status in SETTLED_STATUSES),
               ZERO)
    return _money(policy.coverage_limit) - used
