"""``inbox export ...``: data out as JSON Lines (UTF-8, one object a line) on stdout.

A group, so more exports can be added beside ``threads``; the queries and the
shape of each object live in :mod:`inbox.export`, and for ``customer`` (a
subject-access export) in :mod:`inbox.privacy.export`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import click

from inbox.cli import Context, pass_context
from inbox.cli.customers import actor_option
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


@export.command("customer")
@click.argument("customer")
@click.option("--files", "files_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also copy their files (raw mail, attachments, recordings, scans) into "
                   "this folder, each named by its sha256 as the records say.")
@actor_option
@pass_context
def export_customer(obj: Context, customer: str, files_dir: Path | None,
                    actor: str | None) -> None:
    """Everything held about CUSTOMER (id, email address, phone number, customer
    reference, policy or claim number), for a subject-access request: one JSON
    object a line, each with a "record" key (export, customer, identity, policy,
    claim, account_issue, thread, message, outbound, letter_review,
    portal_sign_in, portal_session, channel_event, failed_intake, audit,
    summary). The export is recorded in the audit log (who, when, how many
    records; no content)."""
    from db import utcnow
    from inbox import audit
    from inbox.cli.customers import resolve_actor, resolve_customer
    from inbox.intake.core import CONFIG_KEY
    from inbox.privacy.export import customer_export

    now = utcnow()
    with obj.transaction() as session:
        customer_id = resolve_customer(obj, session, customer)
        actor_id, who = resolve_actor(session, actor)
    copy = None
    if files_dir is not None:
        files_dir.mkdir(parents=True, exist_ok=True)
        blobs = obj.app.extensions["inbox.db"].info[CONFIG_KEY].blobs

        def copy(sha: str) -> str:
            shutil.copyfile(blobs.path(sha), files_dir / sha)
            return sha

    summary: dict[str, Any] = {}

    def tracked(items: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for item in items:
            if item["record"] == "summary":
                summary.update(item)
            yield item

    try:
        with obj.transaction() as session:
            _write_lines(tracked(customer_export(session, customer_id, now, copy=copy)))
    finally:
        # After the read transaction: SQLite lets one writer in at a time.
        with obj.transaction() as session:
            audit.record_event(
                session, "customers", customer_id, "customer.exported", now,
                actor_id=actor_id, actor=who, complete=bool(summary),
                records=sum((summary.get("counts") or {}).values()),
                files=summary.get("files", 0))


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
