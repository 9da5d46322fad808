"""The process pool that parses mail on the other cores.

Workers start from a fork server (a clean process without our threads or
database connections) with the parser preloaded; they only parse bytes.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def parse_pool(
    workers: int | None = None, languages: tuple[str, ...] = ()
) -> ProcessPoolExecutor | None:
    """A pool with ``workers`` processes (default: one fewer than the cores, at
    least one); ``workers=0`` means parse in this process."""
    if workers is None:
        workers = max(1, (os.cpu_count() or 2) - 1)
    if workers <= 0:
        return None
    # Workers start on first submit; start them now so the warm-up overlaps.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["channels.email.parse", "inbox.mail.sync"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm_up,
                               initargs=(languages,))
    for _ in range(workers):
        pool.submit(int)
    return pool


def _warm_up(languages: tuple[str, ...]) -> None:
    """Load the language models as the worker starts, while the main process
    is still connecting and fetching: the trigram models that mail of a few
    sentences needs (0.1 s); the full ones load on a first short mail."""
    if languages:
        from inbox.intake.language import warm_up

        warm_up(languages, short_texts=False)
