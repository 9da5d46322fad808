"""The ``inbox`` command. Each feature's commands live in their own module;
they call domain functions, never web handlers."""

from __future__ import annotations

import atexit
import gc
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.orm import Session

    from inbox.database import Database


class Context:
    """Built lazily so ``inbox --help`` works even with a broken config."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._app: Flask | None = None
        self._database: Database | None = None

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

    @property
    def database(self) -> Database:
        """The database alone, for commands that need no web app (building it
        costs about a second); the app's own once the app is built."""
        if self._app is not None:
            return self._app.extensions["inbox.db"]  # type: ignore[no-any-return]
        if self._database is None:
            from inbox.binding import bind_database
            from inbox.database import Database
            from inbox.observability.logs import configure_logging

            configure_logging(self.settings)
            self._database = bind_database(Database(), self.settings)
        return self._database

    def close(self) -> None:
        """Close the database connections this context opened (tests run
        many commands in one process)."""
        for db in (self._app.extensions["inbox.db"] if self._app is not None else None,
                   self._database):
            if db is not None and db.engine is not None:
                db.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction for a command (or one batch of it)."""
        with self.app.extensions["inbox.db"].transaction() as session:
            yield session


pass_context = click.make_pass_decorator(Context, ensure=True)


# Each command's module, imported when that command runs (or is listed):
# importing all of them cost about half a second on every ``inbox ...`` call.
# tests/unit/test_cli_commands.py checks this against each module's COMMANDS.
COMMAND_MODULES = {
    "account-issue": "account_issues", "import": "book", "canned": "canned",
    "claims": "claims", "customers": "customers", "dashboard": "dashboard",
    "demo-data": "demo", "export": "export", "intake": "intake", "letters": "letters",
    "portal": "portal", "retention": "retention", "run": "serve", "worker": "serve",
    "jobs": "serve", "sla": "sla", "sync": "sync", "token": "tokens", "user": "users",
}


class LazyGroup(click.Group):
    """click's lazily loading group (click docs, "Lazily Loading Subcommands")."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            module = importlib.import_module(f"inbox.cli.{COMMAND_MODULES[cmd_name]}")
            for command in module.COMMANDS:
                self.add_command(command)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup)
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


def main() -> None:
    # At exit the collector would pass over every object still loaded
    # (SQLAlchemy's and the models' classes: about 0.1 s at the end of each
    # command); frozen, it skips them. Whatever holds data to write is closed
    # explicitly before (a command's own cleanup, logging's atexit flush).
    atexit.register(gc.freeze)
    try:
        cli(prog_name="inbox")
    except ConfigError as exc:  # raised outside a command's own handling
        click.echo(f"configuration error: {exc}", err=True)
        sys.exit(2)
