"""``inbox claims show CLM-...``: a claim with its coverage and its timeline."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from inbox.cli import Context, pass_context


@click.group("claims")
def claims() -> None:
    """Claims: look one up with its whole story."""


@claims.command("show")
@click.argument("number")
@pass_context
def show(obj: Context, number: str) -> None:
    """The claim, its policy and customer, today's coverage assessment, and
    every message and step in time order (who, what, when, why)."""
    from inbox.claim_timeline import ClaimNotFound, claim_story

    with obj.transaction() as session:
        try:
            story = claim_story(session, number, datetime.now(UTC).date())
        except ClaimNotFound as exc:
            raise click.ClickException(str(exc)) from exc
        c, p = story.claim, story.claim.policy
        period = f"{p.start_date or '?'}..{p.end_date or '?'}"
        click.echo(f"{c.number}  {c.status}  policy {p.number} ({p.product or '-'}, "
                   f"{p.status} {period})")
        click.echo(f"customer: {p.customer.name or '-'} ({p.customer.ref or p.customer_id})")
        click.echo(f"loss {c.loss_date or '?'}  cause {c.cause or '?'}  claimed "
                   f"{c.amount_claimed if c.amount_claimed is not None else '?'}  approved "
                   f"{c.amount_approved if c.amount_approved is not None else '-'}")
        cov = story.coverage
        codes = ", ".join(cov.codes) or "no findings"
        click.echo(f"coverage today: {cov.verdict.value.replace('_', ' ')}, payable "
                   f"{cov.payable} ({codes})")
        click.echo("")
        click.echo("timeline (UTC)")
        if not story.entries:
            click.echo("  nothing yet")
        for e in story.entries:
            line = f"  {e.at:%Y-%m-%d %H:%M}  {e.kind:<7}  {e.who[:30]:<30}  {e.what}"
            click.echo(line)
            if e.why:
                click.echo(f"  {'':16}  {'':7}  {'':30}  why: {e.why}")


COMMANDS: list[click.Command] = [claims]
