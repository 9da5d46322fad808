"""``inbox import customers|policies|claims FILE.csv``: load the book of business.

The rows are parsed and upserted by :mod:`claims.book_import`; this module
reads the file, commits one transaction per batch of rows and reports. Bad rows
go to stderr as ``FILE:LINE: reason``; the summary goes to stdout.
"""

from __future__ import annotations

import csv
import io
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from claims.book_import import BOOK_FILES, OUTCOMES, HeaderError, RowResult, import_rows
from db import utcnow
from inbox import audit
from inbox.cli import Context, pass_context

BATCH_SIZE = 500
EXIT_BAD_ROWS = 1
EXIT_UNUSABLE_FILE = 2

Record = tuple[int, list[str] | None, str]  # line, cells (None: unreadable), reason


@click.command("import")
@click.argument("kind", type=click.Choice([*BOOK_FILES, "users"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--batch-size", type=click.IntRange(min=1), default=BATCH_SIZE,
              show_default=True, help="Rows per transaction.")
@pass_context
def import_book(obj: Context, kind: str, file: Path, batch_size: int) -> None:
    """Import customers, policies, claims or users from a UTF-8 CSV FILE with
    a header row.

    \b
    customers: customer_ref,name,email,phone,language,address[,preferred_channel]
    policies:  policy_number,customer_ref,product,status,start_date,end_date,
               renewal_date,coverage_limit,deductible[,exclusions]
    claims:    claim_number,policy_number,status,loss_date,amount_claimed,description
               [,cause,amount_approved]
    users:     email,name,role,team[,authority_limit]

    exclusions are codes separated by ; (flood;wear_and_tear); cause is one
    code (storm); preferred_channel is email, sms or letter; role is rep,
    supervisor, lead or admin; authority_limit is the largest claim payment
    the user approves without escalation (empty: claims.default_authority_limit
    for reps, none for supervisors). Columns in [ ] may be left out.

    Rows are upserted by their key, so importing a file again changes nothing.
    Dates are yyyy-mm-dd. Bad rows are reported on stderr and skipped; the
    good rows are kept. Exit status: 0 every row imported, 1 some rows bad,
    2 the file cannot be used (e.g. a required column is missing).
    """
    if kind == "users":
        from inbox.users_import import USERS_FILE

        book = USERS_FILE
    else:
        book = BOOK_FILES[kind]
    region = obj.settings.default_region
    counts: Counter[str] = Counter(dict.fromkeys(OUTCOMES, 0))
    with file.open("rb") as raw:
        reader = csv.reader(
            io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        )
        records = _records(reader)
        try:
            first = next(records, None)
            if first is None or first[1] is None:
                raise HeaderError(first[2] if first else "the file is empty")
            header = book.header(first[1])
        except HeaderError as exc:
            click.echo(f"{file}: error: {exc}", err=True)
            click.get_current_context().exit(EXIT_UNUSABLE_FILE)
        for name in header.unknown:
            click.echo(f"{file}:{first[0]}: warning: unknown column {name!r} ignored", err=True)

        with _progress(raw, file.stat().st_size, f"importing {kind}") as report:
            for batch in _batches(records, batch_size):
                rows = [(line, cells) for line, cells, _ in batch if cells is not None]
                results = [RowResult(line, "bad", reason=reason)
                           for line, cells, reason in batch if cells is None]
                with obj.transaction() as session:
                    results += import_rows(session, header, rows, default_region=region)
                results.sort(key=lambda r: r.line)
                counts.update(r.outcome for r in results)
                report([f"{file}:{r.line}: {r.reason}" for r in results if r.outcome == "bad"])

    with obj.transaction() as session:
        audit.record_event(session, "import", 0, "book.imported", utcnow(),
                           reason=f"inbox import {kind}", kind=kind, file=file.name, **counts)
    click.echo(f"{file}: " + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES))
    if counts["bad"]:
        click.get_current_context().exit(EXIT_BAD_ROWS)


def _records(reader: Any) -> Iterator[Record]:
    """``(first line of the record, cells, "")``; blank lines skipped; a record
    the CSV reader rejects comes as ``(line, None, reason)``."""
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, None, f"unreadable CSV: {exc}"
            continue
        if cells:
            yield line, cells, ""


def _batches(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@contextmanager
def _progress(raw: IO[bytes], size: int, label: str) -> Iterator[Callable[[list[str]], None]]:
    """Yields ``report(messages)``, called after each batch: the messages go to
    stderr, above a byte-based progress bar when stderr is a terminal."""
    if not sys.stderr.isatty():

        def plain(messages: list[str]) -> None:
            for message in messages:
                click.echo(message, err=True)

        yield plain
        return
    with click.progressbar(length=size, label=label, file=sys.stderr) as bar:

        def above_bar(messages: list[str]) -> None:
            for message in messages:
                click.echo(f"\r\x1b[K{message}", err=True)  # clear the bar's line first
            bar.update(raw.tell() - bar.pos)

        yield above_bar


COMMANDS: list[click.Command] = [import_book]
