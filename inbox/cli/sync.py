"""``inbox sync email``: pull mail over IMAP (and, later, other channels)."""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime
from typing import Any

import click

from inbox.cli import Context, pass_context


@click.group("sync")
def sync() -> None:
    """Pull new input from the channels."""


@sync.command("email")
@click.option("--once", is_flag=True, help="One pass over every folder, then exit.")
@click.option("--mailbox", "names", multiple=True, metavar="NAME",
              help="Only this mailbox (repeatable). Default: all configured.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Backfill mail received on or after DATE (YYYY-MM-DD); idempotent.")
@click.option("--poll", default=60.0, show_default=True, type=click.FloatRange(min=1),
              help="Seconds between passes where the server offers no IDLE.")
@click.option("--parse-workers", type=click.IntRange(min=0), default=None,
              help="Processes that parse mail (default: cores - 1; 0 = in this process).")
@pass_context
def sync_email(obj: Context, once: bool, names: tuple[str, ...], since: datetime | None,
               poll: float, parse_workers: int | None) -> None:
    """Pull mail from the configured [[email]] mailboxes."""
    from channels.email.imap import AuthenticationFailed, ImapUnavailable
    from inbox.mail.pool import parse_pool
    from inbox.mail.runner import run_all
    from inbox.mail.sync import sync_mailbox

    mailboxes = obj.settings.mailboxes
    if not mailboxes:
        raise click.ClickException("no mailboxes configured: add [[email]] tables to INBOX_CONFIG")
    if names:
        unknown = sorted(set(names) - {box.name for box in mailboxes})
        if unknown:
            raise click.ClickException(f"unknown mailbox: {', '.join(unknown)}")
        mailboxes = tuple(box for box in mailboxes if box.name in names)
    db = obj.app.extensions["inbox.db"]
    pool = parse_pool(parse_workers, obj.settings.languages)
    try:
        if not once:
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            try:
                ended = run_all(db, mailboxes, stop, now=_now, poll_seconds=poll, pool=pool)
            except KeyboardInterrupt:
                stop.set()
                return
            failed = [name for name, how in ended.items() if how != "stopped"]
            if failed:
                raise click.ClickException(
                    f"stopped on authentication failure: {', '.join(failed)}"
                )
            return
        problems = 0
        for box in mailboxes:
            try:
                report = sync_mailbox(db, box, now=_now,
                                      since=since.date() if since else None, pool=pool)
            except (AuthenticationFailed, ImapUnavailable) as exc:
                click.echo(f"{box.name}: {exc}", err=True)
                problems += 1
                continue
            for folder in report.folders:
                click.echo(_line(folder))
        if problems:
            click.get_current_context().exit(1)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _line(folder: Any) -> str:
    reset = " (UIDVALIDITY changed: scanned again)" if folder.uidvalidity_reset else ""
    return (f"{folder.mailbox}/{folder.folder}: {folder.fetched} fetched, {folder.filed} filed, "
            f"{folder.duplicates} already filed, {folder.failed} failed{reset} "
            f"(seconds: fetch {folder.fetch_seconds:.1f}, waiting for parse "
            f"{folder.parse_wait_seconds:.1f}, store {folder.store_seconds:.1f})")


def _now() -> datetime:
    return datetime.now(UTC)


COMMANDS: list[click.Command] = [sync]
