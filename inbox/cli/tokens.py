"""``inbox token create|list|revoke``: personal tokens for ``/api/v1``."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import click
import sqlalchemy as sa

from inbox.cli import Context, pass_context

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from inbox.models import User


@click.group("token")
def token() -> None:
    """Personal API tokens (Authorization: Bearer ...); a token acts with its
    user's role."""


@token.command("create")
@click.argument("email")
@click.option("--name", default="", help="What the token is for (shown in lists).")
@click.option("--expires-days", type=click.IntRange(min=1),
              help="Expire after this many days (default: never).")
@pass_context
def create(obj: Context, email: str, name: str, expires_days: int | None) -> None:
    """Make a token for the user with EMAIL and print it (shown only now)."""
    from db import utcnow
    from inbox.workspace.tokens import issue_token

    now = utcnow()
    with obj.transaction() as session:
        user = _user(session, email)
        row, secret = issue_token(
            session, user, name or "api", now,
            expires_at=now + timedelta(days=expires_days) if expires_days else None)
        token_id = row.id
    click.echo(f"token {token_id} for {email} (keep it secret; it is not shown again):",
               err=True)
    click.echo(secret)


@token.command("list")
@click.argument("email", required=False)
@pass_context
def list_tokens(obj: Context, email: str | None) -> None:
    """Tokens (never the secrets): id, user, name, prefix, state."""
    from db import utcnow
    from inbox.models import ApiToken, User

    now = utcnow()
    with obj.transaction() as session:
        query = sa.select(ApiToken, User.email).join(User).order_by(ApiToken.id)
        if email:
            query = query.where(sa.func.lower(User.email) == email.strip().lower())
        for row, address in session.execute(query):
            state = ("revoked" if row.revoked_at else
                     "expired" if row.expires_at and row.expires_at <= now else "active")
            used = row.last_used_at.isoformat(timespec="minutes") if row.last_used_at else "-"
            click.echo(f"{row.id}\t{address}\t{row.name}\t{row.prefix}…\t{state}\tused {used}")


@token.command("revoke")
@click.argument("token_id", type=int)
@pass_context
def revoke(obj: Context, token_id: int) -> None:
    """Revoke a token at once."""
    from db import utcnow
    from inbox.workspace.tokens import revoke_token

    with obj.transaction() as session:
        if revoke_token(session, token_id, utcnow()) is None:
            raise click.ClickException(f"no token {token_id}")
    click.echo(f"revoked token {token_id}")


def _user(session: Session, email: str) -> User:
    from inbox.models import User

    user = session.scalars(sa.select(User).where(
        sa.func.lower(User.email) == email.strip().lower())).first()
    if user is None or not user.active:
        raise click.ClickException(f"no active user {email}")
    return user


COMMANDS: list[click.Command] = [token]
