"""``inbox sla ...``: the SLA policies and clocks (inbox.sla) by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from inbox.cli import Context, pass_context


@click.group("sla")
def sla() -> None:
    """SLA policies, due times and the sweep."""


@sla.command("policies")
@pass_context
def policies(obj: Context) -> None:
    """The policies in force, in the order they are tried."""
    from inbox.sla.policies import format_duration
    from inbox.sla.store import load_policies

    with obj.transaction() as session:
        for policy in load_policies(session).policies:
            targets = ", ".join(f"{name} {format_duration(value)}"
                                for name, value in policy.targets.items()) or "no targets"
            click.echo(f"{policy.key:<20} {policy.conditions.describe()}: {targets}; "
                       f"{policy.calendar.describe()}; warn at {policy.warn_at:.0%}; "
                       f"on breach {policy.on_breach}")


@sla.command("sync")
@pass_context
def sync(obj: Context) -> None:
    """Write [sla]'s policies to the table (the sweep does it too). Policies
    an admin edited at /admin/sla are kept."""
    from inbox.sla.store import sync_config

    with obj.transaction() as session:
        outcome = sync_config(session, datetime.now(UTC))
    for what, keys in outcome.items():
        if keys:
            click.echo(f"{what}: {', '.join(keys)}")
    if not any(outcome.values()):
        click.echo("nothing to do")


@sla.command("recompute")
@click.option("--policy", "policy_key", default=None, help="Only threads of this policy.")
@pass_context
def recompute(obj: Context, policy_key: str | None) -> None:
    """Give every open thread and claim its due times under the policies as
    they are now (threads filed before the SLA engine, or after an edit)."""
    from inbox.sla.recompute import recompute_all

    with obj.transaction() as session:
        done = recompute_all(session, datetime.now(UTC), policy_key=policy_key)
    click.echo(f"{done['threads']} threads, {done['claims']} claims")


@sla.command("sweep")
@click.option("--now", "now_text", default=None, help="ISO time to sweep as of (default: now).")
@pass_context
def sweep_now(obj: Context, now_text: str | None) -> None:
    """One sweep here and now: warnings, breaches, escalations (what the
    periodic job does every minute)."""
    from inbox.sla.sweep import sweep

    try:
        now = datetime.fromisoformat(now_text) if now_text else datetime.now(UTC)
    except ValueError:
        raise click.BadParameter(f"{now_text!r} is not an ISO time", param_hint="--now") from None
    if now.tzinfo is None:
        raise click.BadParameter("give a time zone (e.g. 2026-03-02T09:00+00:00)",
                                 param_hint="--now")
    with obj.transaction() as session:
        result = sweep(session, now, mailboxes=obj.settings.mailboxes)
    click.echo(" ".join(f"{k}={v}" for k, v in result.summary().items()))


COMMANDS = [sla]
