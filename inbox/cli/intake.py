"""``inbox intake failed`` and ``inbox intake retry``: the failed-intake list
and retrying it, by hand (the periodic job retries automatically, with backoff)."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from inbox.cli import Context, pass_context

STATUSES = ("failed", "retried", "discarded", "all")


@click.group("intake")
def intake() -> None:
    """Input that could not be filed, and retrying it."""


@intake.command("failed")
@click.option("--status", type=click.Choice(STATUSES), default="failed", show_default=True)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@pass_context
def failed(obj: Context, status: str, limit: int) -> None:
    """List failed intake, most recently updated first."""
    from inbox.intake.retry import list_failed

    with obj.transaction() as session:
        rows = list_failed(session, None if status == "all" else status, limit)
        if not rows:
            click.echo(f"no {'' if status == 'all' else status + ' '}intake records")
            return
        click.echo(
            f"{'id':>6}  {'channel':<7} {'status':<9} {'tries':>5}  {'updated (UTC)':<16}  error"
        )
        for row in rows:
            error = row.error.splitlines()[0] if row.error else ""
            click.echo(
                f"{row.id:>6}  {row.channel:<7} {row.status:<9} {row.attempts:>5}  "
                f"{row.updated_at:%Y-%m-%d %H:%M}  {error[:100]}"
            )
            click.echo(f"{'':>8}{row.external_id[:110]}")


@intake.command("retry")
@click.argument("ids", nargs=-1, required=True, type=int)
@click.option(
    "--enqueue", is_flag=True,
    help="Queue the retry for a worker instead of running it here.",
)
@pass_context
def retry(obj: Context, ids: tuple[int, ...], enqueue: bool) -> None:
    """Retry failed intake records by id (records not in status failed are skipped)."""
    if enqueue:
        from inbox import queueing
        from inbox.jobs.base import enqueue as enqueue_job
        from inbox.jobs.intake import retry_failed_intakes

        job = enqueue_job(
            retry_failed_intakes, list(ids), connection=queueing.connect(obj.settings)
        )
        click.echo(f"queued job {job.id} on {job.origin}")
        return

    from inbox.intake.retry import retry_failed_intake

    now = datetime.now(UTC)
    with obj.transaction() as session:
        outcomes = [retry_failed_intake(session, failed_id, now) for failed_id in ids]
    for outcome in outcomes:
        detail = f" as message {outcome.message_id}" if outcome.message_id else ""
        reason = f": {outcome.error}" if outcome.error and not outcome.ok else ""
        click.echo(f"{outcome.failed_id}: {outcome.outcome.replace('_', ' ')}{detail}{reason}")
    if not all(outcome.ok for outcome in outcomes):
        raise SystemExit(1)


COMMANDS: list[click.Command] = [intake]
