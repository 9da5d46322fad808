"""``inbox user add|list``: the people who work in the inbox."""

from __future__ import annotations

import sys
from decimal import Decimal

import click
import sqlalchemy as sa

from inbox.cli import Context, pass_context

MIN_PASSWORD = 12


@click.group("user")
def user() -> None:
    """Users of the workspace (reps, supervisors, leads, admins)."""


@user.command("add")
@click.argument("email")
@click.option("--name", default="")
@click.option("--role", type=click.Choice(["rep", "supervisor", "lead", "admin"]),
              default="rep", show_default=True)
@click.option("--team", default="")
@click.option("--authority-limit", type=Decimal,
              help="Largest claim payment approved without escalation "
                   "(default: claims.default_authority_limit for reps).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input (else asked, hidden; "
                   "without a terminal the user gets no password).")
@pass_context
def add(obj: Context, email: str, name: str, role: str, team: str,
        authority_limit: Decimal | None, password_stdin: bool) -> None:
    """Add a user, or update the one with this EMAIL."""
    from werkzeug.security import generate_password_hash

    from claims.identifiers import normalize_identity
    from db import utcnow
    from inbox import audit
    from inbox.models import User

    address = normalize_identity("email", email, obj.settings.default_region)
    if not address:
        raise click.ClickException(f"{email!r} is not an email address")
    if authority_limit is not None and authority_limit < 0:
        raise click.ClickException("--authority-limit must be 0 or more")
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    if password is not None and len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password needs at least {MIN_PASSWORD} characters")
    with obj.transaction() as session:
        found = session.scalars(sa.select(User).where(
            sa.func.lower(User.email) == address)).first()
        created = found is None
        account = found or User(email=address)
        account.name, account.role, account.team = name or account.name, role, team
        account.authority_limit = authority_limit
        account.active = True
        if password is not None:
            account.password_hash = generate_password_hash(password)
        session.add(account)
        session.flush()
        audit.record(session, account, "user.added" if created else "user.updated", utcnow(),
                     role=role, team=team)
    click.echo(f"{'added' if created else 'updated'} {address} ({role}"
               f"{', team ' + team if team else ''})")


@user.command("list")
@pass_context
def list_users(obj: Context) -> None:
    """Every user with role, team and authority limit."""
    from inbox.models import User

    with obj.transaction() as session:
        for u in session.scalars(sa.select(User).order_by(User.email)):
            limit = "-" if u.authority_limit is None else str(u.authority_limit)
            state = "" if u.active else "  (inactive)"
            click.echo(f"{u.email:<40} {u.role:<10} {u.team or '-':<20} {limit:>12}{state}")


COMMANDS: list[click.Command] = [user]
