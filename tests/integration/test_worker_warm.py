"""The worker builds the language detector before it forks work horses, so
a job that files a text does not pay ~1 s of CPU building it (found by
bench/load.py)."""

from __future__ import annotations

import redis
from flask import Flask

from inbox.intake.language import _detector
from inbox.jobs.worker import run_worker


def test_worker_builds_the_language_detector_before_any_job(app_with_redis: Flask,
                                                            redis_url: str) -> None:
    _detector.cache_clear()  # another test in this process may have built it
    connection = redis.Redis.from_url(redis_url)
    try:
        worked = run_worker(app_with_redis, connection, ["default"], burst=True, cron=False)
    finally:
        connection.close()
    assert worked is False  # no job ran: the worker itself built it
    assert _detector.cache_info().currsize == 1
