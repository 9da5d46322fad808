"""The process pool that parses mail on the other cores.

Workers start from a fork server (a clean process without our threads or
database connections) with the parser preloaded; they only parse bytes.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
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
    context = multiprocessing.get_context("forkserver")
    # What the workers run, without the database layer (inbox.mail.parsing).
    context.set_forkserver_preload(["inbox.mail.parsing"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm_up,
                               initargs=(languages,))
    # Workers start on first submit, and starting one waits until the fork
    # server has imported the parser (about 0.3 s). A thread starts them, so
    # that wait overlaps the caller's own imports and connecting; a submit
    # meanwhile waits for it (the pool's lock).
    threading.Thread(target=_start, args=(pool, workers), name="parse-pool-start",
                     daemon=True).start()
    return pool


def _start(pool: ProcessPoolExecutor, workers: int) -> None:
    try:
        for _ in range(workers):
            pool.submit(int)
    except RuntimeError:
        pass  # shut down before it started: nothing to start


def _warm_up(languages: tuple[str, ...]) -> None:
    """Load the language models as the worker starts, while the main process
    is still connecting and fetching: the trigram models that mail of a few
    sentences needs (0.1 s); the full ones load on a first short mail."""
    if languages:
        from inbox.intake.language import warm_up

        warm_up(languages, short_texts=False)
