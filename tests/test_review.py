"""392.6: the annual review, computed from real history and access logs, rendered in Chromium."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from conftest import PROJECT, post_text, require_tool
from gitdept import Department

from pressroom.cli import cli


def entry(when: str, path: str, status: int = 200, agent: str = "Mozilla/5.0") -> str:
    """One Combined Log Format line."""
    return (f'203.0.113.5 - - [{when} -0800] "GET {path} HTTP/1.1" {status} 5120 "-" '
            f'"{agent}"')


LOG = "\n".join([
    entry("21/Nov/2026:10:00:00", "/2026/closure/", agent="Mozilla/5.0 (iPhone)"),
    entry("21/Nov/2026:10:05:00", "/2026/closure/index.html", agent="Mozilla/5.0 (Windows)"),
    entry("21/Nov/2026:11:00:00", "/2026/gas-leak-1/", agent="Mozilla/5.0 (Android)"),
    entry("21/Nov/2026:11:00:00", "/feeds/all.atom.xml", agent="NetNewsWire"),
    entry("21/Nov/2026:12:00:00", "/2026/closure/", agent="Googlebot/2.1"),
    entry("21/Nov/2025:12:00:00", "/2026/closure/"),       # another year
    entry("21/Nov/2026:12:00:00", "/2026/closure/", 404),  # not served
    "this line is not a log line",
]) + "\n"


@pytest.fixture
def reviewed(tmp_path, keys_dir):
    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    for n, response in ((1, "Avoid"), (2, "AllClear")):
        dept.branch(f"post/gas-leak-{n}")
        dept.commit_as("pio1", f"gas {n}", {f"content/2026/gas-leak-{n}.md": post_text(
            title=f"Gas leak {n}", category="safety-alerts", date=f"2026-11-20 1{n}:00",
            expires="2026-11-20 18:00", incident="2026-1120-gas", response=response)})
        dept.merge_as("ic1", f"post/gas-leak-{n}")
    dept.branch("post/pharmacy")
    dept.commit_as("author1", "pharmacy", {"content/2026/pharmacy.md": post_text(
        title="Pharmacy robbery", category="press-releases",
        body="<!-- pressroom: allow PRIVACY-ADDRESS -- a business, not a residence -->\n"
             "The pharmacy at 501 E. Foothill Blvd. was robbed.")})
    dept.merge_as("sup2", "post/pharmacy")
    dept.branch("retract/closure")
    dept.commit_as("pio1", "remove", {"content/2026/closure.md": post_text(
        retraction="remove", retracted="2026-11-25 08:00",
        **{"retraction-reason": "Wrong street named", "reported-by": "sup2"})})
    dept.merge_as("sup1", "retract/closure")
    log = tmp_path / "access.log"
    log.write_text(LOG)
    out = tmp_path / "reports"
    result = CliRunner().invoke(cli, ["review", "--repo", str(dept.root), "--year", "2026",
                                      "--access-log", str(log), "--output", str(out),
                                      "--as-of", "2026-12-31"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return dept, log, out


def test_review_figures(reviewed):
    _, _, out = reviewed
    md = (out / "review-2026.md").read_text()
    for row in ("| Posts published | 4 |", "| Approvals by ic1 | 2 |", "| Approvals by sup1 | 2 |",
                "| Approvals by sup2 | 1 |", "| Incidents | 1 |", "| Incident updates | 1 |",
                "| Page views of posts (people, not bots) | 3 |", "| Feed and CAP fetches | 1 |",
                "| Requests by bots (excluded) | 1 |", "| Top: Road closure on Main Street | 2 |"):
        assert row in md, row
    assert "| Published this year and never read | Gas leak 2; Pharmacy robbery |" in md
    assert "| Remove: Road closure on Main Street | reason: Wrong street named; reported by sup2;" \
        " approved by sup1" in md
    assert "allows PRIVACY-ADDRESS: a business, not a residence" in md
    assert "| Sgt. Dana Okafor (sup1) | lapsed 2027-02-10 |" not in md  # due only within 90 days
    assert "(chief1) | due 2027-01-12 |" in md


def test_review_is_byte_identical(reviewed, tmp_path):
    dept, log, out = reviewed
    again = tmp_path / "again"
    CliRunner().invoke(cli, ["review", "--repo", str(dept.root), "--year", "2026",
                             "--access-log", str(log), "--output", str(again),
                             "--as-of", "2026-12-31"], catch_exceptions=False)
    for name in ("review-2026.html", "review-2026.md"):
        assert (again / name).read_bytes() == (out / name).read_bytes()


def test_review_renders_its_charts_in_chromium(reviewed, tmp_path):
    _, _, out = reviewed
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    require_tool(chromium is not None, "Debian's chromium")
    axe = PROJECT / "node_modules/axe-core/axe.min.js"
    require_tool(axe.is_file(), "axe-core (npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        page.goto((out / "review-2026.html").as_uri())
        bars = page.locator("svg.chart rect.bar")
        assert bars.count() == 8 + 12 + 8  # categories, months, views per category
        widest = max(bars.nth(i).bounding_box()["width"] for i in range(bars.count()))
        assert widest > 300  # drawn to scale, not collapsed
        page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
        assert (tmp_path / "review.png").stat().st_size > 20_000
        page.add_script_tag(path=str(axe))
        results = page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: "
                                "['wcag2a', 'wcag2aa']}})")
        assert [v["id"] for v in results["violations"]
                if v["impact"] in ("serious", "critical")] == []
        browser.close()
