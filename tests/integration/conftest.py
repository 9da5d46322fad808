"""Shared by the integration tests: a real Redis database a test module has
to itself (one of databases 1-15 on the local server, claimed with SET NX so
parallel runs never share one), emptied before each test; the claim survives
the emptying. And ``app``: the web app on the test database (committing)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
import redis
from flask import Flask

from config import Settings
from inbox import create_app
from inbox.database import Database

REDIS_BASE_URL = os.environ.get("INBOX_TEST_REDIS_URL", "redis://127.0.0.1:6379")
CLAIM_KEY = "inbox-test:claimed-by"
CLAIM_TTL = 3600


@pytest.fixture(scope="module")
def redis_claim() -> Iterator[tuple[str, str]]:
    """(url, token) of a Redis database this module has to itself."""
    token = uuid.uuid4().hex
    base = redis.Redis.from_url(REDIS_BASE_URL)
    try:
        base.ping()
    except redis.RedisError as exc:
        base.close()
        pytest.fail(f"Redis is not reachable at {REDIS_BASE_URL}: {exc}")
    base.close()
    for db in range(1, 16):
        client = redis.Redis.from_url(REDIS_BASE_URL, db=db)
        try:
            if client.set(CLAIM_KEY, token, nx=True, ex=CLAIM_TTL):
                url = client.connection_pool.connection_kwargs
                yield f"redis://{url['host']}:{url['port']}/{db}", token
                if client.get(CLAIM_KEY) == token.encode():
                    client.flushdb()
                return
        finally:
            client.close()
    pytest.fail(f"no free Redis database 1-15 at {REDIS_BASE_URL} (all claimed by other runs)")


@pytest.fixture
def redis_url(redis_claim: tuple[str, str]) -> Iterator[str]:
    """An empty database for each test."""
    url, token = redis_claim
    client = redis.Redis.from_url(url)
    with client.pipeline(transaction=True) as pipe:
        pipe.flushdb()
        pipe.set(CLAIM_KEY, token, ex=CLAIM_TTL)
        pipe.execute()
    yield url
    client.close()


@pytest.fixture
def conn(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def app(settings: Settings, committed_db: Database) -> Iterator[Flask]:
    """The web app on the test database; rows it commits are removed after."""
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["inbox.db"].engine.dispose()


@contextmanager
def app_on_redis(settings: Settings, redis_url: str, **changes: Any) -> Iterator[Flask]:
    """The web app on ``redis_url`` with some settings changed."""
    app = create_app(replace(settings, redis_url=redis_url, **changes))
    app.config["TESTING"] = True
    yield app
    app.extensions["inbox.db"].engine.dispose()


@pytest.fixture
def app_with_redis(settings: Settings, committed_db: Database, redis_url: str) -> Iterator[Flask]:
    """The web app with a real Redis of its own (jobs enqueued after commit,
    presence, the rate limiter)."""
    with app_on_redis(settings, redis_url) as app:
        yield app

