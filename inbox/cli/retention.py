"""``inbox retention run``: the retention policy ([retention]) once, now."""

from __future__ import annotations

import click

from inbox.cli import Context, pass_context


@click.group("retention")
def retention() -> None:
    """The retention policy for raw mail, recordings and failed intake."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Count what would be removed; change nothing.")
@pass_context
def run(obj: Context, dry_run: bool) -> None:
    """Remove raw mail and call recordings older than [retention] raw_mail_days
    and recording_days, and failed intake older than failed_intake_days (as the
    hourly job does; at most 10,000 of each a run)."""
    from db import utcnow
    from inbox.database import discard_after_commit
    from inbox.privacy.retention import apply_retention

    settings = obj.settings.retention
    if not settings.active:
        click.echo("no limits in [retention]: everything is kept")
        return
    with obj.transaction() as session:
        result = apply_retention(session, settings, utcnow())
        if dry_run:
            discard_after_commit(session)
            session.rollback()
    verb = "would remove" if dry_run else "removed"
    counts = result.counts()
    click.echo(f"{verb}: raw mail of {counts['raw_mail']} messages, "
               f"{counts['recordings']} recordings, {counts['failed_intakes']} failed intakes; "
               f"{counts['blobs']} files no longer used by anything")


COMMANDS = [retention]
