"""Browser end-to-end tests: Playwright driving Debian's Chromium against the
running product (tests/e2e/server.py).

Chromium is ``/usr/bin/chromium`` (``scripts/ensure-services.sh`` installs it;
no browser is ever downloaded). Without it the tests are skipped with the
reason, except under ``CI=true``, where they fail: CI must run them.

Every page a test opens is watched (:class:`Watch`): console errors, uncaught
exceptions, dialogs, Content-Security-Policy violations and every request.
A request for anything but the app's own origin is aborted and recorded. At
the end of each test the watch must be clean, so a page that breaks under
the CSP, or that reaches outside, fails whichever test opened it.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import seed
from tests.e2e.server import Product, chromium_args, running_product

CHROMIUM = Path(os.environ.get("INBOX_E2E_CHROMIUM", "/usr/bin/chromium"))
VIEWPORT = {"width": 1100, "height": 800}
# Set by an init script before any page script runs; every CSP violation is pushed here.
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run; "
                    "scripts/ensure-services.sh installs chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed (scripts/ensure-services.sh installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=chromium_args())
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def product(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    """The running product, shared by the browser tests (each makes its own
    customers); it starts only when a browser is there to use it."""
    database = os.environ.get("INBOX_E2E_DATABASE", "postgresql")
    # Filing mail detects its language; lingua's models take seconds to load:
    # load them while the product starts.
    warm = threading.Thread(target=seed.warm_language_detector, name="e2e-lingua")
    warm.start()
    with running_product(tmp_path_factory.mktemp("e2e"), database) as running:
        seed.demo_users(running)
        warm.join()
        yield running


@pytest.fixture(scope="session")
def letter_pool() -> Iterator[Executor]:
    from inbox.letters.pool import ocr_pool

    pool = ocr_pool(1)  # in this process: one letter, no pool start-up
    yield pool
    pool.shutdown(wait=True)


@pytest.fixture(scope="session")
def story(product: Product, letter_pool: Executor,
          tmp_path_factory: pytest.TempPathFactory) -> seed.Story:
    """One customer's thread with an email (and attachment), a call and a letter."""
    return seed.margaret(product, letter_pool, tmp_path_factory.mktemp("scans"))


@dataclass
class Watch:
    """What the pages of one browser context did."""

    origin: str
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    pages: list[Any] = field(default_factory=list)

    def attach(self, context: Any) -> None:
        context.add_init_script(_RECORD_VIOLATIONS)
        context.on("request", lambda request: self.requests.append(request.url))
        # Only requests elsewhere are intercepted (the pattern is matched in
        # the driver, so our own pages load at full speed): recorded, aborted.
        context.route(re.compile(f"^(?!{re.escape(self.origin)}/)"), self._elsewhere)
        context.on("page", self._page)

    def _elsewhere(self, route: Any) -> None:
        self.foreign.append(route.request.url)
        route.abort("blockedbyclient")

    def _page(self, page: Any) -> None:
        self.pages.append(page)
        page.on("console", lambda m: self.console_errors.append(m.text)
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

        def dialog(d: Any) -> None:
            self.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)

    def collect_violations(self) -> None:
        for page in self.pages:
            if not page.is_closed():
                self.violations += page.evaluate("window.__cspViolations || []")

    def problems(self) -> dict[str, list[str]]:
        self.collect_violations()
        found = {"requests elsewhere": self.foreign, "console errors": self.console_errors,
                 "page errors": self.page_errors, "dialogs": self.dialogs,
                 "CSP violations": self.violations}
        return {k: v for k, v in found.items() if v}


@dataclass
class Browse:
    """A browser context on the product for one test."""

    product: Product
    context: Any
    watch: Watch
    cookies: dict[str, list[Any]]  # a session's cookies by user, shared by the run

    def page(self) -> Any:
        return self.context.new_page()

    def sign_in(self, page: Any, email: str, password: str | None = None) -> None:
        """Through the sign-in form, as a person does."""
        from inbox.demo import DEMO_PASSWORD

        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password or DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(self.product.base + "/")
        self.cookies[email] = self.context.cookies()

    def page_as(self, email: str) -> Any:
        """A page of ``email``'s session, on the queue. The form is used once
        per user and run (sign-in is rate-limited per address); later tests
        reuse the session cookie."""
        page = self.page()
        if email in self.cookies:
            self.context.add_cookies(self.cookies[email])
            page.goto("/")
        else:
            self.sign_in(page, email)
        return page


@pytest.fixture(scope="session")
def session_cookies() -> dict[str, list[Any]]:
    return {}


@pytest.fixture
def browse(browser: Any, product: Product,
           session_cookies: dict[str, list[Any]]) -> Iterator[Browse]:
    context = browser.new_context(viewport=VIEWPORT, base_url=product.base,
                                  accept_downloads=True)
    context.set_default_timeout(10_000)
    watch = Watch(product.base)
    watch.attach(context)
    try:
        yield Browse(product, context, watch, session_cookies)
        problems = watch.problems()
        assert not problems, problems
    finally:
        context.close()
