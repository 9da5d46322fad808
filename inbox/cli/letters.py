"""``inbox letters ingest FILE...``, ``inbox letters watch DIR`` and the
"needs a human" list (``inbox letters review``, ``inbox letters assign``)."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from inbox.cli import Context, pass_context


@click.group("letters")
def letters() -> None:
    """Scanned letters: file them, watch a drop folder, review the unclear ones."""


@contextmanager
def _intake(obj: Context, workers: int | None) -> Iterator[Any]:
    from inbox.letters.intake import LetterIntake, ocr_options
    from inbox.letters.pool import ocr_pool

    settings = obj.settings
    # The workers load their models while this process builds the app.
    pool = ocr_pool(settings.letters.ocr_workers if workers is None else workers,
                    warm=ocr_options(settings))
    try:
        yield LetterIntake(obj.app.extensions["inbox.db"], settings, pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _report(outcome: Any) -> None:
    name = outcome.path.name
    if outcome.outcome == "failed":
        click.echo(f"{name}: failed: {outcome.error}"
                   + (f" (failed intake {outcome.failed_id})" if outcome.failed_id else ""))
        return
    ids = ", ".join(str(i) for i in outcome.message_ids)
    what = "already filed" if outcome.outcome == "duplicate" else "filed"
    review = (f"; needs a human: review {', '.join(map(str, outcome.review_ids))}"
              if outcome.review_ids else "")
    click.echo(f"{name}: {what}: {outcome.letters} letter(s), message {ids}{review}")


@letters.command("ingest")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--workers", type=click.IntRange(0, 64), default=None,
              help="OCR processes (default: letters.ocr_workers, 0 = one per core).")
@click.option("--move", is_flag=True,
              help="Move each file to processed/ or failed/ beside it afterwards.")
@pass_context
def ingest(obj: Context, files: tuple[Path, ...], workers: int | None, move: bool) -> None:
    """File scanned letters (PDF, TIFF, PNG, JPEG). Exits 1 if any failed."""
    from inbox.letters.folders import place

    failed = 0
    with _intake(obj, workers) as intake:
        for outcome in intake.ingest_files(files, lambda: datetime.now(UTC)):
            _report(outcome)
            if move:
                place(outcome, outcome.path.parent)
            failed += outcome.outcome == "failed"
    if failed:
        raise SystemExit(1)


@letters.command("watch")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--interval", type=click.FloatRange(0.1, 3600), default=5.0, show_default=True,
              help="Seconds between looks at the folder.")
@click.option("--once", is_flag=True, help="Take what is ready now, then exit.")
@click.option("--workers", type=click.IntRange(0, 64), default=None)
@pass_context
def watch(obj: Context, directory: Path, interval: float, once: bool,
          workers: int | None) -> None:
    """Watch a drop folder: file each complete scan, then move it to
    processed/ (or failed/ with a .reason.txt)."""
    from inbox.letters.folders import FolderState, process_folder

    settle = obj.settings.letters.settle_seconds
    stop = {"now": False}

    def _stop(*_: Any) -> None:
        stop["now"] = True

    previous = signal.signal(signal.SIGTERM, _stop)
    state = FolderState()
    try:
        with _intake(obj, workers) as intake:
            while True:
                outcomes = process_folder(intake, directory, lambda: datetime.now(UTC),
                                          settle_seconds=0 if once else settle,
                                          state=None if once else state)
                for outcome in outcomes:
                    _report(outcome)
                if once or stop["now"]:
                    break
                deadline = time.monotonic() + interval
                while time.monotonic() < deadline and not stop["now"]:
                    time.sleep(min(0.2, interval))
                if stop["now"]:
                    break
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


@letters.command("review")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@pass_context
def review(obj: Context, limit: int) -> None:
    """Letters that need a person to say who sent them."""
    from inbox.letters.review import open_reviews

    with obj.transaction() as session:
        rows = open_reviews(session, limit)
        if not rows:
            click.echo("no letters need review")
            return
        for row in rows:
            letter = (row.message.extras or {}).get("letter") or {}
            click.echo(f"{row.id:>6}  message {row.message_id}  customer "
                       f"{row.filed_customer_id}  {letter.get('file', '')}  "
                       f"{letter.get('sender_name', '')!r}")
            for reason in row.reasons:
                click.echo(f"{'':>8}- {reason}")


@letters.command("assign")
@click.argument("review_id", type=int)
@click.argument("customer_id", type=int)
@pass_context
def assign(obj: Context, review_id: int, customer_id: int) -> None:
    """Say who sent a letter on the review list (remembered for the next one)."""
    from inbox.letters.review import ReviewError, resolve_review

    try:
        with obj.transaction() as session:
            resolve_review(session, review_id, customer_id, datetime.now(UTC))
    except ReviewError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"review {review_id}: letter filed under customer {customer_id}")


COMMANDS: list[click.Command] = [letters]
