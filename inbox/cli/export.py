"""``inbox export ...``: data out as JSON Lines (UTF-8, one object a line) on stdout.

A group, so more exports can be added beside ``threads``; the queries and the
shape of each object live in :mod:`inbox.export`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

import click

from inbox.cli import Context, pass_context
from inbox.models.threads import THREAD_STATUSES


class Timestamp(click.ParamType):
    """``2026-03-01`` or ISO 8601 with a time; UTC unless it names a zone."""

    name = "timestamp"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date (yyyy-mm-dd) or ISO 8601 time", param, ctx)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@click.group("export")
def export() -> None:
    """Export data as JSON Lines on stdout."""


@export.command("threads")
@click.option("--status", "statuses", multiple=True, type=click.Choice(THREAD_STATUSES),
              help="Only threads with this status (repeat for several).")
@click.option("--since", type=Timestamp(),
              help="Only threads with a message received at or after this time.")
@pass_context
def export_threads(obj: Context, statuses: tuple[str, ...], since: datetime | None) -> None:
    """Every thread with its messages, one JSON object a line, in thread id order:

    \b
    {"id", "customer": {"id", "ref", "name"}, "status", "claim", "issue_type",
     "messages": [{"id", "channel", "direction", "external_id", "received_at",
                   "subject", "text", "language", "auto"}]}

    "claim" is the claim number or null; messages are in time order;
    received_at is ISO 8601 in UTC.
    """
    from inbox.export import threads

    with obj.transaction() as session:
        _write_lines(threads(session, statuses=statuses, since=since))


def _write_lines(items: Iterable[dict[str, Any]]) -> None:
    """UTF-8 whatever the locale says: JSON Lines is UTF-8 by definition."""
    sys.stdout.flush()
    out: IO[bytes] = sys.stdout.buffer
    try:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode())
            out.write(b"\n")
        out.flush()
    except BrokenPipeError:
        # The reader went away (``inbox export threads | head``): stop quietly,
        # and keep Python from complaining again when it flushes at exit.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise click.exceptions.Exit(1) from None


COMMANDS: list[click.Command] = [export]
