"""The ``inbox`` command. Each feature's commands live in their own module;
they call domain functions, never web handlers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.orm import Session


class Context:
    """Built lazily so ``inbox --help`` works even with a broken config."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._app: Flask | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings()
            except ConfigError as exc:
                raise click.ClickException(f"configuration error: {exc}") from exc
        return self._settings

    @property
    def app(self) -> Flask:
        if self._app is None:
            from inbox import create_app

            self._app = create_app(self.settings)
        return self._app

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction for a command (or one batch of it)."""
        with self.app.extensions["inbox.db"].transaction() as session:
            yield session


pass_context = click.make_pass_decorator(Context, ensure=True)


@click.group()
@click.pass_context
def cli(ctx: click.Context) -> None:
    """One inbox for claims service."""
    ctx.ensure_object(Context)


@cli.command("migrate")
@click.option("--revision", default="head", show_default=True)
@pass_context
def migrate(obj: Context, revision: str) -> None:
    """Bring the database schema up to date (Alembic upgrade)."""
    from inbox.migrations import upgrade

    upgrade(obj.settings.database_url, revision)
    click.echo(f"database at {revision}")


def _register() -> None:
    from inbox.cli import (
        account_issues,
        book,
        canned,
        claims,
        customers,
        dashboard,
        demo,
        export,
        intake,
        letters,
        portal,
        retention,
        serve,
        sla,
        sync,
        tokens,
        users,
    )

    for module in (account_issues, book, canned, claims, customers, dashboard, demo, export,
                   intake, letters, portal, retention, serve, sla, sync, tokens, users):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    try:
        cli(prog_name="inbox")
    except ConfigError as exc:  # raised outside a command's own handling
        click.echo(f"configuration error: {exc}", err=True)
        sys.exit(2)
