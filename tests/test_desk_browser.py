"""`pressroom desk` in the real headless Chromium with axe-core: the PIO starts a post, the
supervisor reads the queue and the review sheet, approves, and sends a branch back.

The desk runs in a thread (werkzeug's server on 127.0.0.1, port 0) over real clones of a
bare central repository made by `pressroom install-hooks`, signing with real ssh-keygen keys
(tests/deskloop.py). Every page: no request leaves 127.0.0.1, no console error (a CSP
violation is one), lang, one h1, the skip link first, and no serious or critical axe finding.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from deskloop import make_loop, run_git
from test_browser import Visit, assert_accessible, browser  # noqa: F401  (browser: the fixture)

from pressroom.approvals.verification import verify_history
from pressroom.desk.server import make_desk_server, url_of

pytestmark = pytest.mark.browser


@pytest.fixture
def loop(tmp_path, keys_dir):
    return make_loop(tmp_path / "world", keys_dir)


@pytest.fixture
def serve():
    """Start a desk over a clone; every desk started is stopped after the test."""
    started = []

    def start(clone) -> str:
        server = make_desk_server(clone, "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started.append((server, thread))
        return url_of(server).rstrip("/")

    yield start
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def check_page(visit: Visit, axe: bool = True) -> None:
    """The page is local, error-free, structured and accessible (axe: no serious finding;
    axe is injected as a script, so its visits bypass the page's CSP and run JavaScript)."""
    page = visit.page
    assert visit.outside == [], "requests left 127.0.0.1"
    assert visit.errors == []
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").count() == 1
    assert page.locator("main#main").count() == 1
    assert page.locator("a").first.get_attribute("href") == "#main"  # the skip link
    if not axe:
        return
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js+axe"])
def test_the_pio_starts_a_post(browser, loop, serve, javascript):  # noqa: F811
    """Without JavaScript the form works the same; with it, axe checks every page."""
    base = serve(loop.pio)
    visit = Visit(browser, base + "/new", java_script_enabled=javascript, bypass_csp=javascript)
    try:
        page = visit.page
        check_page(visit, axe=javascript)
        page.fill("#title", "Fair on Saturday")
        page.select_option("#category", "community")
        page.fill("#summary", "The community fair is on Saturday at 10 a.m. in Central Park.")
        page.fill("#body", "The victim's SSN is 219-09-9999.")
        page.get_by_role("button", name="Check").click()
        page.wait_for_load_state("load")
        assert "PRIVACY-SSN" in page.locator("#findings").inner_text()
        assert page.locator("#title").input_value() == "Fair on Saturday"  # kept
        check_page(visit, axe=javascript)
        page.get_by_role("button", name="Commit and push").click()
        page.wait_for_load_state("load")
        assert "Not committed: the draft breaks a content rule." in page.inner_text("main")
        assert run_git(loop.bare, "branch", "--list", "post/*") == ""
        page.fill("#body", "Come and meet the officers of the department.")
        page.get_by_role("button", name="Commit and push").click()
        page.wait_for_load_state("load")
        assert "Pushed post/fair-on-saturday" in page.inner_text("main")
        check_page(visit, axe=javascript)
        assert loop.central("post/fair-on-saturday")
    finally:
        visit.close()


def test_with_javascript_the_rules_are_checked_as_the_pio_types(browser, loop,  # noqa: F811
                                                                serve):
    base = serve(loop.pio)
    visit = Visit(browser, base + "/new")
    try:
        page = visit.page
        page.fill("#title", "Fair on Saturday")
        page.fill("#summary", "The community fair is on Saturday at 10 a.m. in Central Park.")
        page.locator("#body").press_sequentially("SSN 219-09-9999", delay=10)
        page.locator("#findings").get_by_text("PRIVACY-SSN").wait_for(timeout=15000)
        assert page.url == base + "/new"  # no page load: the script asked /check
        assert visit.errors == [] and visit.outside == []
    finally:
        visit.close()


def test_the_supervisor_reads_the_queue_and_the_review_sheet_and_approves(browser, loop,  # noqa: F811,E501
                                                                          serve):
    tip = loop.push_branch("closure")
    base = serve(loop.sup)
    visit = Visit(browser, base + "/", bypass_csp=True)
    try:
        page = visit.page
        row = page.locator("tr", has=page.get_by_role("link", name="post/closure"))
        assert "Pat Rivera" in row.inner_text() and "traffic" in row.inner_text()
        check_page(visit)
        page.get_by_role("link", name="post/closure").click()
        page.wait_for_load_state("load")
        main = page.inner_text("main")
        assert "/2026/closure/" in main and "added" in main
        assert "/feeds/all.atom.xml" in main
        check_page(visit)
        page.get_by_role("link", name="The review sheet").click()
        page.wait_for_load_state("load")
        assert "/2026/closure/" in page.inner_text("body")
        page.go_back()
        page.get_by_role("link", name="The preview site").click()
        page.wait_for_load_state("load")
        assert page.evaluate("() => document.styleSheets.length") >= 1  # its CSS loads
        assert "Preview" in page.inner_text("body")
        assert visit.errors == [] and visit.outside == []
        page.go_back()
        page.get_by_role("button", name="Approve", exact=True).click()
        page.wait_for_load_state("load")
        main = page.inner_text("main")
        assert "Approved post/closure" in main, main
        assert "main -> main" in main  # the central repository's answer
        check_page(visit)
    finally:
        visit.close()
    central = loop.central("main")
    assert run_git(loop.bare, "rev-parse", f"{central}^2") == tip
    assert verify_history(loop.bare, central, use_cache=False).ok


def test_preview_pages_load_under_their_sandboxed_policy(browser, loop, serve):  # noqa: F811
    """Under the real CSP (sandbox, no script): the preview's own stylesheet and inline
    styles load and nothing is blocked or fails."""
    loop.push_branch("closure")
    base = serve(loop.sup)
    Visit(browser, base + "/branch/post/closure").close()  # makes the preview
    for path in ("review.html", "site/index.html", "site/2026/closure/"):
        visit = Visit(browser, f"{base}/branch/post/closure/preview/{path}")
        try:
            page = visit.page
            assert visit.errors == [] and visit.outside == [], path
            assert page.evaluate("() => document.styleSheets.length") >= 1, path
            assert "Preview" in page.inner_text("body"), path
        finally:
            visit.close()


def test_the_supervisor_sends_a_branch_back_with_a_note(browser, loop, serve):  # noqa: F811
    tip = loop.push_branch("closure")
    base = serve(loop.sup)
    visit = Visit(browser, base + "/branch/post/closure", bypass_csp=True)
    try:
        page = visit.page
        page.get_by_label("Note to the author (required)").fill("Add the detour route.")
        page.get_by_role("button", name="Send back").click()
        page.wait_for_load_state("load")
        assert "Sent post/closure back to its author" in page.inner_text("main")
        check_page(visit)
        page.get_by_role("link", name="Back to the queue").click()
        page.wait_for_load_state("load")
        assert "Sent back by Sgt. Dana Okafor (sup1): Add the detour route." in \
            page.inner_text("main")
        check_page(visit)
    finally:
        visit.close()
    assert run_git(loop.bare, "rev-parse", "post/closure^") == tip


def test_the_whole_loop_pio_desk_to_supervisor_desk_to_publish(browser, loop, serve,  # noqa: F811
                                                               tmp_path):
    """Issue #13's "done when": the PIO starts a post in the desk and pushes; the supervisor
    opens the queue, reads the sheet (the new post added, home page and feeds changed),
    approves; the central repository accepts it; `pressroom publish` puts it live."""
    from click.testing import CliRunner

    from pressroom.cli import cli

    pio, sup = serve(loop.pio), serve(loop.sup)
    visit = Visit(browser, pio + "/new")
    try:
        page = visit.page
        page.fill("#title", "Coffee with a cop")
        page.select_option("#category", "community")
        page.fill("#summary", "Meet officers over coffee on Friday at 9 a.m. at the library.")
        page.fill("#body", "Everyone is welcome. Bring your questions.")
        page.get_by_role("button", name="Commit and push").click()
        page.wait_for_load_state("load")
        assert "Pushed post/coffee-with-a-cop" in page.inner_text("main")
        page.goto(sup + "/")
        page.get_by_role("link", name="post/coffee-with-a-cop").click()
        page.wait_for_load_state("load")
        changes = {tuple(row.inner_text().split("\t")[:2])
                   for row in page.locator("table").first.locator("tbody tr").all()}
        assert {(f"/{date.today():%Y}/coffee-with-a-cop/", "added"), ("/", "changed"),
                ("/feeds/all.atom.xml", "changed")} <= changes, changes
        page.get_by_role("button", name="Approve", exact=True).click()
        page.wait_for_load_state("load")
        assert "Approved post/coffee-with-a-cop" in page.inner_text("main")
        assert visit.errors == [] and visit.outside == []
    finally:
        visit.close()
    assert run_git(loop.dept.root, "pull", "-q", "--ff-only", "origin", "main") == ""
    www = tmp_path / "www"
    published = CliRunner().invoke(cli, ["publish", "--repo", str(loop.dept.root), "--target",
                                         str(www), "-q"])
    assert published.exit_code == 0, published.output
    page = www / f"{date.today():%Y}" / "coffee-with-a-cop" / "index.html"
    assert "Coffee with a cop" in page.read_text()
