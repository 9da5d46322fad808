"""``inbox demo-data``: fill the database with demo customers and messages."""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import UTC, datetime

import click

from inbox import audit
from inbox.cli import Context, pass_context
from inbox.demo import (
    DEFAULT_CUSTOMERS,
    DEFAULT_SEED,
    DemoReport,
    DemoSeedError,
    create_canned,
    create_users,
    plan_demo,
    write_customers,
)

BATCH_SIZE = 25


@click.command("demo-data")
@click.option("--customers", type=click.IntRange(1, 100_000), default=DEFAULT_CUSTOMERS,
              show_default=True, help="How many book customers to create.")
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED, show_default=True,
              help="The same seed gives the same people, numbers and texts.")
@click.option("--batch-size", type=click.IntRange(min=1), default=BATCH_SIZE,
              show_default=True, help="Customers per transaction.")
@pass_context
def demo_data(obj: Context, customers: int, seed: int, batch_size: int) -> None:
    """Fill the database with demo data: customers in six languages (en, de, el,
    cs, sv, id) with policies and claims, users (rep1..rep6, supervisor1, lead1,
    admin @insurer.example, no passwords), four canned responses in each
    language (only those missing: edits are kept), and the last 20 days of
    email, calls, SMS and letters filed through the real intake, so the inbox
    looks lived in.

    \b
    Safe to run again. Demo customers carry the ref DEMO-<seed>-<n>, and each
    is written together with its policies, claims and messages in one
    transaction (a batch of customers at a time). Customers already present
    are skipped, so a second run adds nothing, an interrupted run is
    completed, and a larger --customers adds only the missing ones. A
    database holding demo data made with another --seed is refused.

    Demo email addresses use reserved .example domains; only British numbers
    are fictional (Ofcom's drama range): do not send SMS to demo customers.
    """
    now = datetime.now(UTC)
    planned = plan_demo(seed, now, customers)
    with obj.transaction() as session:
        report = create_users(session, now)
        report += create_canned(session, now)
    try:
        with click.progressbar(length=len(planned), label="demo customers", file=sys.stderr,
                               hidden=not sys.stderr.isatty()) as bar:
            for start in range(0, len(planned), batch_size):
                batch = planned[start:start + batch_size]
                with obj.transaction() as session:
                    report += write_customers(session, batch, now, seed)
                bar.update(len(batch))
    except DemoSeedError as exc:
        raise click.ClickException(str(exc)) from exc
    if report.customers_created or report.users_created or report.canned_created:
        with obj.transaction() as session:
            audit.record_event(session, "demo", 0, "demo.created", now,
                               reason="inbox demo-data", seed=seed, **asdict(report))
    click.echo(_summary(report, seed))
    from inbox.demo import DEMO_PASSWORD, USERS

    click.echo(f"sign in as {USERS[0][0]} (rep), {USERS[-3][0]} (supervisor), "
               f"{USERS[-1][0]} (admin); password {DEMO_PASSWORD}")


def _summary(report: DemoReport, seed: int) -> str:
    if not report.customers_created and report.customers_present:
        return (f"demo data (seed {seed}) already present: {report.customers_present} "
                f"customers, nothing added")
    parts = [
        f"{report.customers_created} customers", f"{report.policies} policies",
        f"{report.claims} claims", f"{report.messages_filed} messages",
        f"{report.users_created} users", f"{report.canned_created} canned responses",
    ]
    text = f"demo data (seed {seed}): created " + ", ".join(parts)
    if report.customers_present:
        text += f"; {report.customers_present} customers were already present"
    if report.customers_conflicting:
        text += (f"; {report.customers_conflicting} skipped because non-demo data holds "
                 f"their numbers or addresses")
    if report.messages_failed:
        text += f"; {report.messages_failed} messages failed (see failed intakes)"
    return text


COMMANDS: list[click.Command] = [demo_data]
