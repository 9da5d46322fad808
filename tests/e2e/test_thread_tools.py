"""Thread tools in Chromium: two reps on one thread see each other (and who
is typing a reply), then one merges it into the customer's other thread and
the other's old link leads there. Runs the page's own presence.js under the
product's Content-Security-Policy (the watch fails on any violation)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e import seed
from tests.e2e.conftest import VIEWPORT, Browse, Watch

pytestmark = pytest.mark.e2e
EMMA = "rep1@insurer.example"  # Emma Clarke
JONAS = "rep2@insurer.example"  # Jonas Becker
SLOW = 15_000  # ms: a heartbeat every 10 s at most, plus the request


@pytest.fixture
def colleague(browser: Any, browse: Browse) -> Iterator[Browse]:
    """A second browser (its own cookies) on the same product."""
    context = browser.new_context(viewport=VIEWPORT, base_url=browse.product.base)
    context.set_default_timeout(10_000)
    watch = Watch(browse.product.base)
    watch.attach(context)
    try:
        yield Browse(browse.product, context, watch, browse.cookies)
        problems = watch.problems()
        assert not problems, problems
    finally:
        context.close()


def test_presence_and_merge_between_two_reps(browse: Browse, colleague: Browse) -> None:
    product = browse.product
    email, _ = seed.customer_with_claim(product, "Pia Presence")
    first = seed.file_email(product, seed.raw_email(
        sender=email, name="Pia Presence", subject="Hail on the car", text="Dents everywhere."))
    second = seed.file_email(product, seed.raw_email(
        sender=email, name="Pia Presence", subject="Hail damage photos",
        text="Photos of the dents."))

    emma = browse.page_as(EMMA)
    emma.goto(f"/threads/{first}")
    jonas = colleague.page_as(JONAS)
    jonas.goto(f"/threads/{first}")

    expect(jonas.locator("#presence")).to_have_text(
        "Also on this thread: Emma Clarke (viewing)", timeout=SLOW)
    expect(emma.locator("#presence")).to_contain_text("Jonas Becker (viewing)", timeout=SLOW)
    # The customer card lists the other thread.
    expect(emma.locator(".customer-card")).to_contain_text("Hail damage photos")

    emma.locator("#reply-body").press_sequentially("Dear Ms Presence,")
    jonas.reload()
    expect(jonas.locator("#presence .replying")).to_have_text(
        "Emma Clarke (replying)", timeout=SLOW)

    emma.locator("#merge-into").select_option(str(second))
    emma.get_by_role("button", name="Merge").click()
    expect(emma).to_have_url(f"{product.base}/threads/{second}")
    expect(emma.get_by_role("status").first).to_contain_text(
        f"Thread #{first} was merged into this thread.")
    expect(emma.locator("article.msg")).to_have_count(2)

    jonas.goto(f"/threads/{first}")
    expect(jonas).to_have_url(f"{product.base}/threads/{second}")
    expect(jonas.get_by_text(re.compile(rf"Thread #{first} was merged into this thread"))
           ).to_be_visible()
