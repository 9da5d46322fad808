"""``inbox account-issue show|step``: renewals, account changes, payment
delays and complaints from the command line."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from inbox.cli import Context, pass_context


@click.group("account-issue")
def account_issue() -> None:
    """Account issues: renewals, account changes, payment delays, complaints."""


@account_issue.command("show")
@click.argument("issue_id", type=int)
@pass_context
def show(obj: Context, issue_id: int) -> None:
    """The issue, its details, deadline and steps."""
    import sqlalchemy as sa

    from claims.models import AccountIssue, AccountIssueEvent
    from inbox.models import User

    with obj.transaction() as session:
        issue = session.get(AccountIssue, issue_id)
        if issue is None:
            raise click.ClickException(f"no account issue {issue_id}")
        due = f"  due {issue.due_at:%Y-%m-%d %H:%M}" if issue.due_at else ""
        click.echo(f"#{issue.id}  {issue.kind}  {issue.status}{due}  customer "
                   f"{issue.customer.name or issue.customer_id}")
        click.echo(f"summary: {issue.summary}")
        for key, value in sorted((issue.details or {}).items()):
            click.echo(f"  {key}: {value}")
        names = dict(session.execute(sa.select(User.id, User.name)).all())
        for e in session.scalars(sa.select(AccountIssueEvent)
                                 .where(AccountIssueEvent.issue_id == issue.id)
                                 .order_by(AccountIssueEvent.created_at, AccountIssueEvent.id)):
            who = names.get(e.actor_id, "system") if e.actor_id else "system"
            click.echo(f"  {e.created_at:%Y-%m-%d %H:%M}  {who:<24} {e.action:<18} "
                       f"{e.from_status} -> {e.to_status}  {e.note}")


@account_issue.command("step")
@click.argument("issue_id", type=int)
@click.argument("action")
@click.option("--as", "as_user", required=True, metavar="EMAIL")
@click.option("--note", default="")
@click.option("--set", "fields", multiple=True, metavar="KEY=VALUE",
              help="A field of the step (field=bank_details, new=..., method=callback, "
                   "category=delay, severity=high, resolution=..., ...).")
@pass_context
def step(obj: Context, issue_id: int, action: str, as_user: str, note: str,
         fields: tuple[str, ...]) -> None:
    """Take step ACTION on issue ISSUE_ID (start, note, resolve, close, reopen,
    and the kind's own: quote, decide, record_change, verify_identity,
    apply_change, reject_change, set_payment, chase, payment_received,
    classify, acknowledge, record_root_cause)."""
    from claims.account_issues import IllegalStep
    from claims.models import AccountIssue
    from inbox.casework.account_issues import issue_step
    from inbox.casework.actors import UnknownActor, actor_for

    data = {}
    for item in fields:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--set")
        data[key.strip()] = value
    try:
        with obj.transaction() as session:
            issue = session.get(AccountIssue, issue_id)
            if issue is None:
                raise click.ClickException(f"no account issue {issue_id}")
            actor = actor_for(session, obj.settings, as_user)
            event = issue_step(session, obj.settings, issue, action, actor, datetime.now(UTC),
                               note=note, **data)
            click.echo(f"#{issue.id}: {action}, {event.from_status} -> {event.to_status}")
    except (IllegalStep, UnknownActor) as exc:
        raise click.ClickException(str(exc)) from exc


COMMANDS: list[click.Command] = [account_issue]
