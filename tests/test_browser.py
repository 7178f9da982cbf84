"""The built site in a real headless Chromium: local-only, error-free, comment-free, accessible.

Chromium is Debian's (``apt-get install chromium``; ``.ci/run`` installs it),
driven by Playwright; axe-core comes from the npm registry (``npm ci``) and is
injected into each page. Pages are served from a local HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from conftest import PROJECT, copy_sample, require_tool

from pressroom.build.run import build_site

pytestmark = pytest.mark.browser

LA = ZoneInfo("America/Los_Angeles")
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {
    "home": "/",
    "post": "/2026/police-activity-elm-street/",
    "category": "/category/traffic/",
    "incident": "/incidents/2026-1124-elm/",
    "contact": "/contact/",
    "archives": "/archives/",
}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    sample = root / "sample"
    copy_sample(sample)
    out = root / "out"
    # While the sample's Elm Street alert is active, so the banner is on every page.
    assert build_site(sample, out, now=datetime(2026, 11, 24, 17, 0, tzinfo=LA)).ok
    yield from serve_folder(out)


def serve_folder(folder: Path, handler_class: type | None = None):
    """Serve ``folder`` on 127.0.0.1 (a generator for a fixture): yields its base URL.
    ``handler_class``: a ``SimpleHTTPRequestHandler`` of the caller's (its own types)."""
    handler = functools.partial(handler_class or _QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass


@pytest.fixture(scope="module")
def browser():
    chromium = _chromium()
    require_tool(chromium is not None, "Debian's chromium")
    require_tool(AXE.is_file(), "axe-core (npm ci)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - it is a test dependency
        require_tool(False, "playwright (pip)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def assert_accessible(page) -> None:
    """axe-core (WCAG 2.1 A/AA and best practice) finds nothing serious on ``page``, and really
    ran its checks. The one accessibility check of every browser test."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})")
    serious = [f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}"
               for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert len(results["passes"]) > 10  # axe really ran its checks


class Visit:
    """One page load with every request and console error recorded."""

    def __init__(self, browser, url: str, **context_options) -> None:
        self.requests: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(**context_options)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(
            f"HTTP {r.status} {r.url}"))
        self.page.goto(url, wait_until="load")

    def _route(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        if urlsplit(url).hostname != "127.0.0.1":
            self.outside.append(url)
            route.abort()
        else:
            route.continue_()

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_is_local_error_free_comment_free_and_accessible(browser, server, name):
    visit = Visit(browser, server + PAGES[name])
    try:
        page = visit.page
        assert visit.outside == [], "requests left 127.0.0.1"
        assert visit.errors == []
        assert len(visit.requests) >= 2  # the page and its stylesheet, both local
        assert page.locator("form").count() == 0
        assert page.locator("iframe, textarea, input, [contenteditable]").count() == 0
        assert page.locator("script").count() == 0
        assert page.locator("main#main").count() == 1
        assert page.locator("header").count() >= 1 and page.locator("footer").count() >= 1
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").count() == 1
        assert page.locator("aside.alert-banner a").count() == 1  # the active alert, everywhere

        assert_accessible(page)
    finally:
        visit.close()


def test_skip_link_is_first_and_visible_on_focus(browser, server):
    visit = Visit(browser, server + PAGES["post"])
    try:
        page = visit.page
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; const r = e.getBoundingClientRect();"
            " return {text: e.textContent.trim(), top: r.top, height: r.height,"
            " outline: getComputedStyle(e).outlineStyle}; }")
        assert focused["text"] == "Skip to main content"
        assert focused["top"] >= 0 and focused["height"] > 0
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"
    finally:
        visit.close()


def test_post_reads_without_javascript_on_a_phone(browser, server):
    visit = Visit(browser, server + PAGES["post"], java_script_enabled=False,
                  viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = visit.page
        assert "avoid Elm Street between 4th Street and 6th Street" in page.inner_text("main")
        width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], "the page scrolls sideways on a phone"
    finally:
        visit.close()


def test_print_stylesheet_hides_navigation(browser, server):
    visit = Visit(browser, server + PAGES["post"])
    try:
        visit.page.emulate_media(media="print")
        assert not visit.page.locator("nav.site-nav").is_visible()
        assert visit.page.locator("article").is_visible()
    finally:
        visit.close()
