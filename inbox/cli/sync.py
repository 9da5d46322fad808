"""``inbox sync email``: pull mail over IMAP; ``inbox sync calls``: Twilio
reconciliation (calls, recordings and SMS whose webhooks were lost)."""

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
    from inbox.mail.pool import parse_pool

    mailboxes = obj.settings.mailboxes
    if not mailboxes:
        raise click.ClickException("no mailboxes configured: add [[email]] tables to INBOX_CONFIG")
    if names:
        unknown = sorted(set(names) - {box.name for box in mailboxes})
        if unknown:
            raise click.ClickException(f"unknown mailbox: {', '.join(unknown)}")
        mailboxes = tuple(box for box in mailboxes if box.name in names)
    # The parse workers first: they start (importing the parser, loading the
    # language models) while this process imports the rest and connects to
    # the database and the mailboxes.
    pool = parse_pool(parse_workers, obj.settings.languages)
    from channels.email.imap import AuthenticationFailed, ImapUnavailable
    from inbox.mail.runner import run_all
    from inbox.mail.sync import sync_mailbox

    db = obj.database
    try:
        if not once:
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            try:
                ended = run_all(db, mailboxes, stop, now=_now, poll_seconds=poll, pool=pool)
            except KeyboardInterrupt:
                stop.set()
                return
            failed = [f"{name} ({how})" for name, how in ended.items() if how != "stopped"]
            if failed:
                raise click.ClickException(f"stopped: {', '.join(failed)}")
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


@sync.command("calls")
@click.option("--once", is_flag=True, help="One reconciliation pass, then exit.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Backfill calls, recordings and SMS from DATE (YYYY-MM-DD, UTC) "
                   "instead of the watermark; idempotent.")
@click.option("--interval", default=300.0, show_default=True, type=click.FloatRange(min=1),
              help="Seconds between passes (without --once).")
@pass_context
def sync_calls(obj: Context, once: bool, since: datetime | None, interval: float) -> None:
    """List Twilio's call logs, recordings and inbound SMS and file what the
    webhooks missed. Without --once, runs a pass every --interval seconds until
    SIGTERM or Ctrl-C."""
    twilio = obj.settings.twilio
    if twilio is None:
        raise click.ClickException(
            "twilio is not configured: add a [twilio] table to INBOX_CONFIG")
    start = since.replace(tzinfo=UTC) if since is not None else None
    if once:
        if not _calls_pass(obj, start):
            click.get_current_context().exit(1)
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.is_set():
            _calls_pass(obj, start)
            start = None  # a backfill once; then from the watermark
            stop.wait(interval)
    except KeyboardInterrupt:
        stop.set()


def _calls_pass(obj: Context, since: datetime | None) -> bool:
    """One reconciliation in one transaction; prints its summary. False when
    Twilio failed or an event could not be filed."""
    from channels.twilio.rest import connect
    from config.twilio import TwilioConfigError
    from inbox.calls.reconcile import reconcile, since_for

    twilio = obj.settings.twilio
    assert twilio is not None
    db = obj.app.extensions["inbox.db"]
    now = _now()
    try:
        # In the app's context, so the jobs queued after commit (fetching
        # recordings and media) reach the app's Redis.
        with obj.app.app_context(), db.transaction() as session, connect(twilio) as client:
            start = since or since_for(session, twilio.account_sid, now)
            report = reconcile(session, twilio, client, since=start, now=now)
    except TwilioConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"twilio {twilio.account_sid}: {report.summary()}")
    if report.error:
        click.echo(f"error: Twilio API: {report.error} (watermark not moved; "
                   "the next pass lists the same window again)", err=True)
    for event_id, error in sorted(report.filing.failed.items()):
        click.echo(f"error: event {event_id} not filed: {error}", err=True)
    return report.ok


def _line(folder: Any) -> str:
    reset = " (UIDVALIDITY changed: scanned again)" if folder.uidvalidity_reset else ""
    return (f"{folder.mailbox}/{folder.folder}: {folder.fetched} fetched, {folder.filed} filed, "
            f"{folder.duplicates} already filed, {folder.failed} failed{reset} "
            f"(seconds: fetch {folder.fetch_seconds:.1f}, waiting for parse "
            f"{folder.parse_wait_seconds:.1f}, store {folder.store_seconds:.1f})")


def _now() -> datetime:
    return datetime.now(UTC)


COMMANDS: list[click.Command] = [sync]
