"""The fault tests' world: every server private to this run (see world.py)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.world import World
from tests.servers.dovecot import dovecot, test_ca  # noqa: F401 - fixtures

SCANS = 3  # rendered (~2.5 s each); each drop makes its own variant (world.letter)


def _scans() -> list[bytes]:
    """Distinct one-page letters (each its own noise, so its own sha256)."""
    from tests.letters import scans

    out = []
    for i in range(SCANS):
        page = scans.render_pages(scans.LETTERS[i % len(scans.LETTERS)], seed=1000 + i)[0]
        buffer = io.BytesIO()
        page.save(buffer, format="PNG", dpi=page.info.get("dpi", (300, 300)))
        out.append(buffer.getvalue())
    return out


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory, dovecot) -> Iterator[World]:  # noqa: F811
    world = World(Path(tmp_path_factory.mktemp("faults")), dovecot, _scans())
    try:
        world.start()
        yield world
    finally:
        world.stop()
