"""Scans generated once per run (tests/letters/scans.py) and a book holding
the customers, policies and claims the letters name."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from config import Settings, load_settings
from inbox.database import Database
from inbox.letters.intake import LetterIntake
from inbox.letters.pool import ocr_pool
from tests import factories
from tests.letters import scans
from tests.letters.scans import LETTERS, LetterSpec

FORMATS = ("png", "tiff", "pdf")


@dataclass
class Scans:
    root: Path
    letters: dict[str, Path]  # spec key -> file

    def copy(self, key: str, to: Path) -> Path:
        src = self.letters[key]
        dest = to / src.name
        dest.write_bytes(src.read_bytes())
        return dest


@pytest.fixture(scope="session")
def letter_scans(tmp_path_factory: pytest.TempPathFactory) -> Scans:
    root = tmp_path_factory.mktemp("scans")
    files: dict[str, Path] = {}
    for i, spec in enumerate(LETTERS):
        pages = scans.render_pages(spec, seed=i)
        kind = FORMATS[i % len(FORMATS)]
        path = root / f"{spec.key}.{kind}"
        if kind == "png":
            scans.save_png(pages[0], path)
        elif kind == "tiff":
            scans.save_tiff(pages, path)
        else:
            scans.save_pdf(pages, path)
        files[spec.key] = path
    return Scans(root, files)


@pytest.fixture(scope="session")
def pool() -> Iterator[Executor]:
    executor = ocr_pool(2)
    yield executor
    executor.shutdown(wait=True)


@pytest.fixture
def letter_settings(settings: Settings, database_url: str, tmp_path: Path) -> Settings:
    return load_settings(env={}, overrides={
        "database_url": database_url,
        "instance_dir": str(tmp_path / "instance"),
        "blob_dir": str(tmp_path / "blobs"),
        "letters": {"settle_seconds": 0,
                    "letterhead": {"company": "Nordlicht Versicherung AG"}},
    })


@pytest.fixture
def intake(committed_db: Database, letter_settings: Settings, pool: Executor) -> LetterIntake:
    return LetterIntake(committed_db, letter_settings, pool)


def add_to_book(session: Session, spec: LetterSpec, *, with_address: bool) -> int:
    """The letter's sender as a customer with its policy and claim; returns the id."""
    owner = factories.customer(
        session, name=spec.sender_name, language=spec.language,
        address=", ".join(spec.address_lines) if with_address else None,
    )
    if spec.policy_number:
        policy = factories.policy(session, owner, spec.policy_number)
        if spec.claim_number:
            factories.claim(session, policy, spec.claim_number)
    return owner.id


@pytest.fixture
def book(committed_db: Database) -> dict[str, int]:
    """Every letter's sender; the even ones with their postal address on file."""
    with committed_db.transaction() as session:
        return {spec.key: add_to_book(session, spec, with_address=i % 2 == 0)
                for i, spec in enumerate(LETTERS)}
