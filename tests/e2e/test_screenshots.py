"""Screenshots of the queue and of a thread (email, call, letter and the
claim panel), as small palette PNGs.

They go to the test's temporary folder; to refresh the ones in the docs:

    INBOX_E2E_SCREENSHOTS=docs/screenshots .venv/bin/pytest tests/e2e/test_screenshots.py

which first adds a little demo data (inbox/demo) so the queue looks lived in.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e import seed
from tests.e2e.conftest import Browse
from tests.e2e.seed import Story

pytestmark = pytest.mark.e2e
WIDTH = 1000  # px of the saved image
MAX_HEIGHT = 2600


def save_png(page: Any, path: Path, width: int = WIDTH) -> Path:
    """The whole page, scaled to ``width``, at most MAX_HEIGHT tall, 64 colours."""
    shot = Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB")
    if shot.width > width:
        shot = shot.resize((width, round(shot.height * width / shot.width)),
                           Image.Resampling.LANCZOS)
    shot = shot.crop((0, 0, shot.width, min(shot.height, MAX_HEIGHT)))
    shot.quantize(colors=64, dither=Image.Dither.NONE).save(path, optimize=True)
    return path


def test_screenshots_of_the_queue_and_a_thread(browse: Browse, story: Story,
                                               tmp_path: Path) -> None:
    target = os.environ.get("INBOX_E2E_SCREENSHOTS")
    folder = Path(target) if target else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    if target:
        from inbox.demo import create_demo_data

        with browse.product.db.transaction() as session:
            create_demo_data(session, seed.now(), customers=12)

    page = browse.page_as("rep1@insurer.example")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    expect(page.locator("#queue-rows tr").filter(has_text=story.email_subject)).to_be_visible()
    queue = save_png(page, folder / "queue.png")

    page.goto(f"/threads/{story.thread_id}")
    expect(page.locator("#claim-status")).to_be_visible()
    for img in page.locator(".pages img").all():  # lazy: load the scan before the shot
        img.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    page.evaluate("window.scrollTo(0, 0)")
    thread = save_png(page, folder / "thread.png")

    for path in (queue, thread):
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.width == WIDTH
        assert path.stat().st_size < 400_000, path
