"""``[claims]`` table: the casework around claims and account issues.

```toml
[claims]
info_request_follow_up_days = 14    # chase the customer if nothing came by then
default_authority_limit = "5000.00" # a rep's approval limit when the user has none;
                                    # "" = no limit (supervisors and admins have none)
complaint_ack_days = 5              # regulatory acknowledgement of a complaint
complaint_final_response_days = 56  # final response (8 weeks, as the FCA's DISP 1.6)
payment_chase_days = 3              # how often a late payment is chased
team = "Claims service"             # the signature of notices to customers
currency = "GBP"                    # amounts in notices (ISO 4217)
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

_DAY_KEYS = ("info_request_follow_up_days", "complaint_ack_days",
             "complaint_final_response_days", "payment_chase_days")


class ClaimsConfigError(ValueError):
    """A ``[claims]`` setting is wrong; the message starts with the key."""


@dataclass(frozen=True)
class ClaimsSettings:
    info_request_follow_up_days: int = 14
    default_authority_limit: Decimal | None = Decimal("5000.00")
    complaint_ack_days: int = 5
    complaint_final_response_days: int = 56
    payment_chase_days: int = 3
    team: str = "Claims service"
    currency: str = "GBP"


def parse_claims(raw: Any) -> ClaimsSettings:
    if raw is None:
        return ClaimsSettings()
    if not isinstance(raw, dict):
        raise ClaimsConfigError("claims: must be a table ([claims])")
    known = {*_DAY_KEYS, "default_authority_limit", "team", "currency"}
    for key in raw:
        if key not in known:
            raise ClaimsConfigError(f"claims.{key}: unknown setting")
    defaults = ClaimsSettings()
    values: dict[str, Any] = {}
    for key in _DAY_KEYS:
        value = raw.get(key, getattr(defaults, key))
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ClaimsConfigError(f"claims.{key}: must be a whole number of days, at least 1")
        values[key] = value
    values["default_authority_limit"] = _limit(
        raw.get("default_authority_limit", defaults.default_authority_limit))
    team = raw.get("team", defaults.team)
    if not isinstance(team, str) or not team.strip():
        raise ClaimsConfigError("claims.team: must be a non-empty string")
    values["team"] = team.strip()
    currency = raw.get("currency", defaults.currency)
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency.strip()):
        raise ClaimsConfigError("claims.currency: must be a currency code like GBP or EUR")
    values["currency"] = currency.strip()
    return ClaimsSettings(**values)


def _limit(limit: Any) -> Decimal | None:
    if isinstance(limit, bool) or not isinstance(limit, str | int | float | Decimal):
        raise ClaimsConfigError("claims.default_authority_limit: must be an amount or \"\"")
    if isinstance(limit, str) and not limit.strip():
        return None
    try:
        amount = Decimal(str(limit).strip())
    except InvalidOperation as exc:
        raise ClaimsConfigError(
            f"claims.default_authority_limit: {limit!r} is not an amount") from exc
    if not amount.is_finite() or amount < 0:
        raise ClaimsConfigError("claims.default_authority_limit: must be 0 or more")
    return amount.quantize(Decimal("0.01"))
