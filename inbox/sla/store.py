"""Policies in ``sla_policies``: loading them (cached per session for a short
while), writing the ``[sla]`` section's policies there, and saving an
admin's edit.

A row that came from the configuration (``source = "config"``) follows the
configuration: :func:`sync_config` updates it when ``[sla]`` changes, and
deactivates it when ``[sla]`` no longer lists it. Once an admin edits it
(``source = "admin"``) the configuration leaves it alone. Until the table
holds anything, the configuration's policies are used as they are.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inbox import audit
from inbox.models.sla import SlaPolicy
from inbox.sla.policies import (
    DEFAULT_KEY,
    Policy,
    PolicyError,
    PolicySet,
    config_policies,
    parse_policy,
    policy_to_json,
    with_default,
)

CACHE_KEY = "sla.policies"
CACHE_SECONDS = 30.0  # another process's edit is seen within this
DEFAULT_POSITION = 1_000_000
SYNC_LOCK = 0x534C4131  # pg_advisory_xact_lock key of sync_config ("SLA1")


def config_set(session: Session) -> PolicySet:
    """The configuration's policies (``[sla]``), as ingest was configured."""
    from inbox.intake.core import CONFIG_KEY

    cfg = session.info.get(CONFIG_KEY)
    if cfg is not None and getattr(cfg, "sla", None) is not None:
        found: PolicySet = cfg.sla
        return found
    from config.sla import SlaSettings

    return config_policies(SlaSettings(), _first_response(session))


def _first_response(session: Session) -> Any:
    from datetime import timedelta

    from inbox.intake.core import CONFIG_KEY

    cfg = session.info.get(CONFIG_KEY)
    return cfg.first_response if cfg is not None else timedelta(hours=24)


def load_policies(session: Session, *, fresh: bool = False) -> PolicySet:
    """The policies in force: the table's active ones in order (the default
    last), or the configuration's while the table is empty. One query, then
    kept in ``session.info`` for :data:`CACHE_SECONDS`."""
    cached = session.info.get(CACHE_KEY)
    if cached is not None and not fresh and time.monotonic() - cached[0] < CACHE_SECONDS:
        found: PolicySet = cached[1]
        return found
    rows = session.scalars(sa.select(SlaPolicy).where(SlaPolicy.active.is_(True))
                           .order_by(SlaPolicy.position, SlaPolicy.id)).all()
    configured = config_set(session)
    if rows:
        policies = []
        for row in rows:
            try:
                policies.append(row_policy(row))
            except PolicyError:
                continue  # saved through the checks; unreadable only if edited by hand
        result = with_default(policies, configured.default)
    else:
        result = configured
    session.info[CACHE_KEY] = (time.monotonic(), result)
    return result


def forget_policies(session: Session) -> None:
    session.info.pop(CACHE_KEY, None)


def row_policy(row: SlaPolicy) -> Policy:
    raw: dict[str, Any] = {"key": row.key, "name": row.name, **(row.conditions or {}),
                           **(row.targets or {}), "calendar": row.calendar or {"kind": "calendar"},
                           "warn_at": row.warn_at, "on_breach": row.on_breach}
    return parse_policy(raw, where=f"sla_policies[{row.key}]")


def _row_values(policy: Policy) -> dict[str, Any]:
    plain = policy_to_json(policy)
    return {
        "name": policy.name,
        "conditions": policy.conditions.to_json(),
        "targets": {name: plain[name] for name in policy.targets},
        "calendar": plain["calendar"],
        "warn_at": policy.warn_at,
        "on_breach": policy.on_breach,
    }


def sync_config(session: Session, now: datetime) -> dict[str, list[str]]:
    """Write the configuration's policies to the table: new ones added,
    changed ones updated unless an admin edited them, ones no longer
    configured deactivated. Returns the keys by outcome; a second run
    changes nothing. Rows are locked, so two syncs at once wait for each other."""
    configured = config_set(session)
    if session.get_bind().dialect.name == "postgresql":
        # Two sweeps starting at once on an empty table would both insert:
        # syncs take turns (the lock ends with the transaction).
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(SYNC_LOCK)))
    rows = {row.key: row for row in session.scalars(
        sa.select(SlaPolicy).order_by(SlaPolicy.id).with_for_update()
        .execution_options(populate_existing=True))}
    outcome: dict[str, list[str]] = {"added": [], "updated": [], "kept": [], "deactivated": []}
    listed = set()
    for n, policy in enumerate(configured.policies):
        listed.add(policy.key)
        position = DEFAULT_POSITION if policy.key == DEFAULT_KEY else (n + 1) * 10
        values = {**_row_values(policy), "position": position, "active": True}
        row = rows.get(policy.key)
        if row is None:
            session.add(SlaPolicy(key=policy.key, source="config", updated_at=now, **values))
            outcome["added"].append(policy.key)
        elif row.source != "config":
            outcome["kept"].append(policy.key)
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.updated_at = now
            outcome["updated"].append(policy.key)
    for key, row in rows.items():
        if key not in listed and row.source == "config" and row.active:
            row.active, row.updated_at = False, now
            outcome["deactivated"].append(key)
    if any(outcome[k] for k in ("added", "updated", "deactivated")):
        session.flush()
        changed: dict[str, Any] = {k: v for k, v in outcome.items() if v}
        audit.record_event(session, "sla_policies", 0, "sla.config_synced", now, **changed)
        forget_policies(session)
    return outcome


def ensure_policies(session: Session, now: datetime) -> None:
    """The table holds the configuration's policies (written once, or again
    when ``[sla]`` changed): what the sweep does before it runs. Reads only,
    unless there is something to write."""
    rows = {row.key: row for row in session.scalars(sa.select(SlaPolicy))}
    for n, policy in enumerate(config_set(session).policies):
        row = rows.pop(policy.key, None)
        position = DEFAULT_POSITION if policy.key == DEFAULT_KEY else (n + 1) * 10
        wanted = {**_row_values(policy), "position": position, "active": True}
        if row is None or (row.source == "config"
                           and any(getattr(row, k) != v for k, v in wanted.items())):
            sync_config(session, now)
            return
    if any(row.source == "config" and row.active for row in rows.values()):
        sync_config(session, now)


def save_policy(session: Session, raw: Mapping[str, Any], now: datetime, *,
                actor_id: int | None, row: SlaPolicy | None = None,
                position: int | None = None) -> SlaPolicy:
    """An admin's new or edited policy; :class:`PolicyError` (nothing
    changed) names what is wrong. The edited row no longer follows the
    configuration."""
    policy = parse_policy(raw, where="policy")
    if row is not None and row.key == DEFAULT_KEY and not policy.conditions.empty:
        raise PolicyError("the default policy always matches: it has no conditions")
    if row is not None and policy.key != row.key:
        raise PolicyError("key: a policy's key does not change (events name it)")
    if row is None:
        existing = session.scalar(sa.select(SlaPolicy.id).where(SlaPolicy.key == policy.key))
        if existing is not None or policy.key == DEFAULT_KEY:
            raise PolicyError(f"key: a policy {policy.key!r} exists already; edit that one")
        highest = session.scalar(sa.select(sa.func.max(SlaPolicy.position)).where(
            SlaPolicy.key != DEFAULT_KEY)) or 0
        row = SlaPolicy(key=policy.key, position=position or highest + 10, active=True,
                        updated_at=now)
        session.add(row)
        action = "sla.policy_created"
    else:
        action = "sla.policy_edited"
        if position is not None and row.key != DEFAULT_KEY:
            row.position = position
    for k, v in _row_values(policy).items():
        setattr(row, k, v)
    row.source, row.updated_at, row.updated_by = "admin", now, actor_id
    session.flush()
    audit.record(session, row, action, now, actor_id=actor_id, **policy_to_json(policy))
    forget_policies(session)
    return row


def set_active(session: Session, row: SlaPolicy, active: bool, now: datetime, *,
               actor_id: int | None) -> None:
    if row.key == DEFAULT_KEY and not active:
        raise PolicyError("the default policy cannot be switched off: it catches the rest")
    if row.active == active:
        return
    row.active, row.source, row.updated_at, row.updated_by = active, "admin", now, actor_id
    session.flush()
    audit.record(session, row, "sla.policy_activated" if active else "sla.policy_deactivated",
                 now, actor_id=actor_id)
    forget_policies(session)


def policies_in_order(session: Session) -> list[SlaPolicy]:
    return list(session.scalars(sa.select(SlaPolicy)
                                .order_by(SlaPolicy.active.desc(), SlaPolicy.position,
                                          SlaPolicy.id)))
