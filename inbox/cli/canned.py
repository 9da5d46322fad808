"""``inbox canned import FILE`` / ``inbox canned list``: the team's canned
responses (file format: :mod:`inbox.workspace.canned_files`)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
import sqlalchemy as sa

from inbox.cli import Context, pass_context

EXIT_BAD_ROWS = 1
EXIT_UNUSABLE_FILE = 2


@click.group("canned")
def canned() -> None:
    """Canned responses: reply texts in each language, with placeholders."""


@canned.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_context
def import_canned(obj: Context, file: Path) -> None:
    """Import canned responses from a TOML (.toml) or CSV FILE, upserted by
    key and language.

    \b
    TOML: [[canned]] tables with key, language, title, body.
    CSV:  a header row key,language,title,body (UTF-8; quote multi-line bodies).

    Placeholders in a body: {name} {claim_number} {policy_number}
    {missing_documents} {agent_name}; {{ and }} are literal braces. Bad rows
    (unknown placeholder or language, empty title or body, a key and language
    twice) are reported on stderr as FILE:LINE: reason and skipped; the good
    rows are kept. Exit status: 0 every row imported, 1 some rows bad, 2 the
    file cannot be used.
    """
    from db import utcnow
    from inbox import audit
    from inbox.workspace.canned_files import OUTCOMES, UnusableFile, import_entries, read

    try:
        entries, problems = read(file)
    except UnusableFile as exc:
        click.echo(f"{file}: error: {exc}", err=True)
        click.get_current_context().exit(EXIT_UNUSABLE_FILE)
    now = utcnow()
    with obj.transaction() as session:
        results = import_entries(session, entries, now)
        counts = Counter(dict.fromkeys(OUTCOMES, 0))
        counts.update(r.outcome for r in results)
        counts["bad"] += len(problems)
        audit.record_event(session, "import", 0, "canned.imported", now,
                           reason="inbox canned import", file=file.name, **counts)
    for problem in problems:
        click.echo(f"{file}:{problem.line}: {problem.reason}", err=True)
    click.echo(f"{file}: " + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES))
    if counts["bad"]:
        click.get_current_context().exit(EXIT_BAD_ROWS)


@canned.command("list")
@pass_context
def list_canned(obj: Context) -> None:
    """Every canned response: key, language, title."""
    from inbox.models import CannedResponse

    with obj.transaction() as session:
        for row in session.scalars(sa.select(CannedResponse)
                                   .order_by(CannedResponse.key, CannedResponse.language)):
            click.echo(f"{row.key:<30} {row.language:<4} {row.title}")


COMMANDS: list[click.Command] = [canned]
