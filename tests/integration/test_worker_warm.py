"""The worker builds the language detector before it forks work horses, so
a job that files a text does not pay ~1 s of CPU building it (found by
bench/load.py)."""

from __future__ import annotations

import redis
from flask import Flask

from inbox.intake.language import _detector, detect_language
from inbox.jobs.worker import run_worker


def test_worker_builds_the_language_detector_before_any_job(app_with_redis: Flask,
                                                            redis_url: str) -> None:
    _detector.cache_clear()  # another test in this process may have built it
    connection = redis.Redis.from_url(redis_url)
    try:
        worked = run_worker(app_with_redis, connection, ["default"], burst=True, cron=False)
    finally:
        connection.close()
    assert worked is False  # no job ran: the worker itself built them
    # Both: the trigram models for long texts and the full ones for short
    # texts (an SMS), which are most of what this worker detects.
    assert _detector.cache_info().currsize == 2
    misses = _detector.cache_info().misses
    detect_language("Hej, jag skickar fakturan.", ("cs", "de", "el", "en", "id", "sv"))
    assert _detector.cache_info().misses == misses


def test_the_preloaded_modules_cover_what_jobs_import() -> None:
    """Every inbox/channels module a job function imports when it runs is in
    the worker's preload list (else each job would import it in its horse)."""
    import ast
    from pathlib import Path

    from inbox.jobs import worker

    imported = set()
    for path in Path(worker.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
                        imported.add(inner.module)
    wanted = {m for m in imported if m.split(".")[0] in {"inbox", "channels"} and m != "inbox"}
    preloaded = set(worker._JOB_MODULES) | set(worker._IMPORTED_BY_JOBS)
    assert wanted - preloaded == set()
