"""The dashboard in the browser: a lead sees the figures the API gives, the
charts are drawn (server-side SVG, no script) and the CSV links download;
the screenshot for the docs.

    INBOX_E2E_SCREENSHOTS=docs/screenshots .venv/bin/pytest tests/e2e/test_dashboard.py

refreshes ``docs/screenshots/dashboard.png``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e import seed
from tests.e2e.conftest import Browse
from tests.e2e.test_screenshots import WIDTH, save_png
from tests.integration.dashboard_world import build_world

pytestmark = pytest.mark.e2e


def test_a_lead_sees_the_dashboard(browse: Browse, tmp_path: Path) -> None:
    target = os.environ.get("INBOX_E2E_SCREENSHOTS")
    folder = Path(target) if target else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    with browse.product.db.transaction() as session:
        build_world(session, seed.now(), seed=2026, customers=60, days=35)

    page = browse.page_as("lead1@insurer.example")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    for chart in ("First response time by day", "Resolution time by day",
                  "Backlog by age and channel", "SLA breaches by day the target was due"):
        expect(page.get_by_role("img", name=chart, exact=False)).to_be_visible()

    # The page shows what the API computes for the same range.
    api = page.request.get(f"{browse.product.base}/api/v1/dashboard").json()
    expect(page.locator("#count-open")).to_have_text(f"{api['live']['open']:,}")
    summary = page.locator("#table-summary tbody tr").first
    expect(summary.locator("td").first).to_have_text(
        f"{api['times']['all']['first_response']['count']:,}")
    assert api["times"]["all"]["first_response"]["count"] > 10

    with page.expect_download() as download:
        page.get_by_role("link", name="By channel as CSV").click()
    csv_file = download.value.path()
    assert csv_file is not None
    assert Path(csv_file).read_text().startswith("key,label,first_responses,")

    page.select_option("select[name=channel]", "email")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{browse.product.base}/dashboard?"
                             f"from={api['range']['from']}&to={api['range']['to']}"
                             "&channel=email&team=&rep=")
    page.goto("/dashboard")
    page.evaluate("window.scrollTo(0, 0)")
    shot = save_png(page, folder / "dashboard.png")
    with Image.open(shot) as image:
        assert image.width == WIDTH
    assert shot.stat().st_size < 400_000
