"""``inbox dashboard rebuild``: (re)build the dashboard's facts from the
messages and threads already in the database (after upgrading to the
revision that added them, or to repair them). Idempotent: a second run
writes nothing."""

from __future__ import annotations

import time

import click

from inbox.cli import Context, pass_context


@click.group("dashboard")
def dashboard() -> None:
    """The leads' dashboard (/dashboard)."""


@dashboard.command("rebuild")
@click.option("--chunk", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Threads read per step.")
@pass_context
def rebuild(obj: Context, chunk: int) -> None:
    """Recompute every thread's response and resolution facts in one
    transaction; closings already recorded are kept, missing ones come from
    the audit trail."""
    from inbox.metrics.facts import rebuild as rebuild_facts

    started = time.perf_counter()
    with obj.transaction() as session:
        report = rebuild_facts(session, chunk=chunk)
    written = report.written
    assert written is not None
    click.echo(f"{report.threads:,} threads: {written.inserted:,} facts added, "
               f"{written.updated:,} changed, {written.deleted + report.orphans:,} removed "
               f"in {time.perf_counter() - started:.1f} s")


COMMANDS = [dashboard]
