"""``inbox customers erase``: a customer's personal data erased on request
(inbox.privacy.erase), and the ``--actor`` both it and ``inbox export
customer`` record in the audit log."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Any

import click
import sqlalchemy as sa
from sqlalchemy.orm import Session

from inbox.cli import Context, pass_context


def actor_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--actor", metavar="EMAIL",
        help="The staff user doing this, recorded in the audit log "
             "(default: the operating-system user).")(func)


def resolve_actor(session: Session, email: str | None) -> tuple[int | None, str]:
    """(user id, who) for the audit entry: a staff user by address, else the
    operating-system user running the command."""
    from inbox.models import User

    if not email:
        try:
            return None, f"os:{getpass.getuser()}"
        except (OSError, KeyError):  # no login name and no passwd entry (a container)
            return None, "os:unknown"
    user_id = session.scalar(sa.select(User.id).where(
        sa.func.lower(User.email) == email.strip().lower()))
    if user_id is None:
        raise click.BadParameter(f"no staff user {email}", param_hint="--actor")
    return user_id, f"user:{user_id}"


def resolve_customer(obj: Context, session: Session, given: str) -> int:
    from inbox.customers import find_customer

    found = find_customer(session, given, obj.settings.default_region)
    if found is None:
        raise click.ClickException(
            f"no customer matches {given!r} (an id, email address, phone number, customer "
            "reference, policy or claim number)")
    return found.id


@click.group("customers")
def customers() -> None:
    """Customers' personal data (data protection)."""


@customers.command("erase")
@click.argument("customer")
@click.option("--reason", required=True,
              help="Why (the request's reference); kept in the audit log, so not the "
                   "person's name.")
@actor_option
@click.option("--force", is_flag=True,
              help="Erase even while a claim or account issue is open.")
@click.option("--dry-run", is_flag=True, help="Say what would be erased; change nothing.")
@pass_context
def erase(obj: Context, customer: str, reason: str, actor: str | None, force: bool,
          dry_run: bool) -> None:
    """Erase CUSTOMER's personal data (id, email address, phone number, customer
    reference, policy or claim number): anonymise the customer, empty their
    messages, delete their identities, portal sign-ins and files no one else
    uses. Claims and policies keep their numbers, dates, amounts and decisions.
    Refused while a claim or account issue is open, unless --force. Running it
    again changes nothing."""
    from db import utcnow
    from inbox.database import discard_after_commit
    from inbox.privacy.erase import ErasureRefused, erase_customer

    with obj.transaction() as session:
        customer_id = resolve_customer(obj, session, customer)
        actor_id, who = resolve_actor(session, actor)
        try:
            result = erase_customer(session, customer_id, utcnow(), reason=reason,
                                    actor_id=actor_id, actor=who, force=force)
        except ErasureRefused as exc:
            raise click.ClickException(str(exc)) from exc
        if dry_run:
            discard_after_commit(session)
            session.rollback()
    verb = "would erase" if dry_run else "erased"
    if not result.changed:
        click.echo(f"customer {result.customer_id}: nothing left to erase"
                   + (" (erased before)" if result.already_erased else ""))
        return
    click.echo(f"customer {result.customer_id}: {verb}")
    for kind, count in result.counts.items():
        if count:
            click.echo(f"  {kind}: {count}")
    if result.forced_past:
        click.echo(f"  open matters erased with --force: {', '.join(result.forced_past)}")
    if dry_run:
        click.echo("dry run: nothing was changed")


COMMANDS = [customers]
