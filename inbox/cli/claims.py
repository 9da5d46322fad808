"""``inbox claims``: look a claim up with its story, and work it from the
command line (the same functions the workspace calls):

    inbox claims show CLM-2026-000123
    inbox claims act CLM-... approve --as rep@example.com --amount 1200 --reason "..."
    inbox claims request-info CLM-... --as rep@... --item invoice --item photos
    inbox claims escalations [--supervisor boss@...]
    inbox claims decide CLM-... approve --as boss@... --amount 7500 --note "..."
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import click
import sqlalchemy as sa
from sqlalchemy.orm import Session

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
            line = f"  {e.at:%Y-%m-%d %H:%M}  {e.kind:<8}  {e.who[:30]:<30}  {e.what}"
            click.echo(line)
            if e.why:
                label = f'"{e.why}"' if e.kind in ("message", "note") else f"why: {e.why}"
                click.echo(f"  {'':16}  {'':8}  {'':30}  {label}")


ACTOR = click.option("--as", "as_user", required=True, metavar="EMAIL",
                     help="The user acting (their role and authority limit apply).")


@contextmanager
def _work(obj: Context) -> Iterator[tuple[Session, Callable[[str], Any], Callable[[str], Any]]]:
    """A transaction, a claim finder and an actor finder; user errors become
    clear messages and nothing is changed."""
    from claims.account_issues import IllegalStep
    from claims.info_requests import BadInfoRequest
    from claims.models import Claim
    from claims.workflow import IllegalTransition
    from inbox.casework.actors import UnknownActor, actor_for
    from inbox.casework.claim_threads import NoThread
    from inbox.casework.escalations import NoSupervisor
    from inbox.outbound import ReplyError

    def find_claim(number: str) -> Claim:
        found = session.scalars(sa.select(Claim).where(
            Claim.number == number.strip().upper())).first()
        if found is None:
            raise click.ClickException(f"no claim {number}")
        return found

    try:
        with obj.transaction() as session:
            yield session, find_claim, lambda who: actor_for(session, obj.settings, who)
    except (IllegalTransition, IllegalStep, BadInfoRequest, ReplyError, NoThread,
            NoSupervisor, UnknownActor) as exc:
        raise click.ClickException(str(exc)) from exc


def _send(obj: Context, session: Session, outbounds: list[Any]) -> None:
    from inbox import queueing
    from inbox.jobs.replies import send_after_commit

    if outbounds:
        send_after_commit(session, outbounds, connection=queueing.app_connection(obj.app))


@claims.command("act")
@click.argument("number")
@click.argument("action", type=click.Choice(
    ["start_review", "info_received", "approve", "deny", "escalate", "pay", "close", "reopen"]))
@ACTOR
@click.option("--amount", type=Decimal, help="Approved or paid amount.")
@click.option("--reason", default="", help="Why (required to escalate or reopen).")
@click.option("--reason-code", default="",
              help="The policy provision a denial cites (exclusion:flood, policy_not_active...).")
@click.option("--thread", "thread_id", type=int, help="The thread to answer in.")
@click.option("--quiet-customer", is_flag=True, help="Do not send the customer the decision.")
@pass_context
def act(obj: Context, number: str, action: str, as_user: str, amount: Decimal | None,
        reason: str, reason_code: str, thread_id: int | None, quiet_customer: bool) -> None:
    """Take a step on claim NUMBER. An approval above your authority limit is
    escalated to a supervisor; a decision is sent to the customer."""
    from inbox.casework.decisions import claim_action

    with _work(obj) as (session, find_claim, actor):
        claim = find_claim(number)
        decision = claim_action(session, obj.settings, claim, action, actor(as_user),
                                datetime.now(UTC), amount=amount, reason=reason,
                                reason_code=reason_code, thread_id=thread_id,
                                tell_customer=not quiet_customer)
        _send(obj, session, [n.outbound for n in decision.notices])
        event = decision.event
        click.echo(f"{claim.number}: {event.from_status} -> {event.to_status}"
                   + (f" ({event.reason})" if event.action != event.requested else ""))
        if decision.escalation is not None:
            sup = decision.escalation.supervisor
            click.echo(f"escalation {decision.escalation.id} to "
                       f"{sup.name or sup.email if sup else '-'}")
        for sent in decision.notices:
            click.echo(f"customer told by {sent.channel} ({sent.language})")


@claims.command("request-info")
@click.argument("number")
@ACTOR
@click.option("--item", "items", multiple=True,
              help="A missing document: invoice, photos, police_report, bank_details, "
                   "medical_report, repair_estimate, proof_of_ownership, id_document.")
@click.option("--note", default="", help="What else is missing, in your words.")
@click.option("--channel", type=click.Choice(["email", "sms", "letter"]),
              help="Default: the customer's preferred channel, else the one they wrote on.")
@click.option("--thread", "thread_id", type=int, help="The thread to answer in.")
@pass_context
def request_info(obj: Context, number: str, as_user: str, items: tuple[str, ...], note: str,
                 channel: str | None, thread_id: int | None) -> None:
    """Ask the customer of claim NUMBER for what is missing, in their language;
    the claim waits (info_requested) until they answer on any channel."""
    from inbox.casework.info_requests import request_information

    with _work(obj) as (session, find_claim, actor):
        claim = find_claim(number)
        row, sent = request_information(session, obj.settings, claim, actor(as_user),
                                        datetime.now(UTC), items=items, note=note,
                                        channel=channel, thread_id=thread_id)
        _send(obj, session, [sent.outbound])
        click.echo(f"{claim.number}: asked by {sent.channel} ({sent.language}); "
                   f"follow up {row.due_at:%Y-%m-%d}")


@claims.command("escalations")
@click.option("--supervisor", metavar="EMAIL", help="Only this supervisor's queue.")
@pass_context
def escalations(obj: Context, supervisor: str | None) -> None:
    """Open escalations, oldest first."""
    from inbox.casework.escalations import escalation_queue

    with _work(obj) as (session, _, actor):
        sup_id = actor(supervisor).id if supervisor else None
        rows = escalation_queue(session, sup_id)
        if not rows:
            click.echo("no open escalations")
        for x in rows:
            what = x.claim.number if x.claim else f"thread {x.thread_id}"
            who = x.supervisor.email if x.supervisor else "-"
            raiser = x.raiser.email if x.raiser else "system"
            click.echo(f"{x.id:>6}  {x.created_at:%Y-%m-%d %H:%M}  {what:<20}  to {who:<30}  "
                       f"by {raiser}: {x.reason}")


@claims.command("decide")
@click.argument("number")
@click.argument("decision", type=click.Choice(["approve", "deny"]))
@ACTOR
@click.option("--note", required=True, help="The supervisor's reasons.")
@click.option("--amount", type=Decimal, help="The amount approved.")
@click.option("--reason-code", default="", help="The provision a denial cites.")
@pass_context
def decide(obj: Context, number: str, decision: str, as_user: str, note: str,
           amount: Decimal | None, reason_code: str) -> None:
    """As a supervisor, decide the open escalation of claim NUMBER; the rep
    who raised it and the customer are told."""
    from inbox.casework.decisions import decide_escalation
    from inbox.models import Escalation

    with _work(obj) as (session, find_claim, actor):
        claim = find_claim(number)
        escalation = session.scalars(sa.select(Escalation).where(
            Escalation.claim_id == claim.id, Escalation.status == "open")).first()
        if escalation is None:
            raise click.ClickException(f"{claim.number} has no open escalation")
        result = decide_escalation(session, obj.settings, escalation, decision,
                                   actor(as_user), datetime.now(UTC), note=note,
                                   amount=amount, reason_code=reason_code)
        _send(obj, session, [n.outbound for n in result.notices])
        click.echo(f"{claim.number}: {result.event.from_status} -> {result.event.to_status}")


COMMANDS: list[click.Command] = [claims]
