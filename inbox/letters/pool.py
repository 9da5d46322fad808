"""Reading pages on every core: one process per core, each with its own
tesseract objects and language detector (tesseract is single-threaded here:
``OMP_THREAD_LIMIT=1``, see :mod:`channels.letters.ocr`).

A task names a file and a page, not pixels: the worker opens and decodes the
page itself, so nothing large crosses between processes.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from channels.letters.letter import PageResult
from channels.letters.ocr import OcrEngine, OcrOptions
from channels.letters.pages import ScanError, load_page
from channels.letters.separators import is_separator


@dataclass(frozen=True)
class PageJob:
    path: str
    kind: str
    index: int
    options: OcrOptions
    separator_barcode: str = ""


_engine: OcrEngine | None = None


def engine(options: OcrOptions) -> OcrEngine:
    """This process's OCR engine (made again if the options changed)."""
    global _engine  # noqa: PLW0603 - one engine per worker process
    if _engine is None or _engine.options != options:
        if _engine is not None:
            _engine.close()
        from inbox.intake.language import detect_language

        languages = options.languages
        _engine = OcrEngine(options, detect=lambda text: detect_language(
            text, languages, low_accuracy=True))
    return _engine


def warm_up(options: OcrOptions) -> None:
    """Load the language models and the first tesseract model now (about a
    second), while the main process is still starting."""
    ocr = engine(options)
    if ocr.detect is not None:
        ocr.detect("warming up the language models")
    ocr.api("eng")


def read_page(job: PageJob) -> PageResult:
    """Open, classify and read one page (runs in a worker process)."""
    try:
        page = load_page(Path(job.path), job.kind, job.index)
        ocr = engine(job.options)
        if page.image is None:
            return PageResult(job.index, "text", ocr.read_text_layer(page.text_layer))
        if job.separator_barcode and is_separator(page.image, page.dpi, job.separator_barcode):
            return PageResult(job.index, "separator")
        text = ocr.read(page.image, page.dpi)
        return PageResult(job.index, "blank" if text.method == "blank" else "text", text)
    except ScanError as exc:
        return PageResult(job.index, "error", error=str(exc))
    except Exception as exc:
        return PageResult(job.index, "error", error=f"{type(exc).__name__}: {exc}")


class _InProcess(Executor):
    """Same interface, no processes (tests, and ``ocr_workers = 1`` on one core)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def ocr_pool(workers: int = 0, warm: OcrOptions | None = None) -> Executor:
    """``workers`` processes (0: one per core); 1 reads in this process.
    With ``warm``, each worker loads its models straight away."""
    count = workers or os.cpu_count() or 1
    if count <= 1:
        return _InProcess()
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["inbox.letters.pool"])
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context)
    if warm is not None:
        for _ in range(count):
            pool.submit(warm_up, warm)
    return pool
