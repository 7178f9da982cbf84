"""``pressroom preview``: the branch as the public would see it after the merge, and the
review sheet — through real git, real ssh-keygen signatures and real Pelican builds."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from conftest import post_text, write
from gitdept import Department
from test_browser import (
    Visit,
    _QuietHandler,
    assert_accessible,
    browser,  # noqa: F401  (the fixture: one Chromium per module)
)

from pressroom.cli import cli
from pressroom.preview import PreviewRefused, make_preview, render_html
from pressroom.preview.mark import MARKER, MARKER_TEXT, NOINDEX, is_marked, mark_page

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=LA)
NOW_TEXT = "2026-11-20T10:00-08:00"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def preview(dept: Department, rev: str, out: Path, reviewer: str = "sup1", **options):
    return make_preview(dept.root, rev, output=out, now=NOW,
                        reviewer_key=dept.keys[reviewer].public, **options)


def urls(review) -> dict[str, str]:
    return {c.url: c.change for c in review.changed}


def alert(slug: str, title: str, date: str, **extra: str) -> tuple[str, str]:
    return (f"content/2026/{slug}.md",
            post_text(title=title, date=date, category="safety-alerts", author="pio1",
                      summary="A gas leak has closed Citrus Avenue.",
                      expires="2026-11-20 18:00", incident="2026-1120-gas",
                      area="Citrus Avenue between 1st and 3rd Streets",
                      body="Crews are working at the scene.", **extra))


@pytest.fixture
def dept(tmp_path: Path, keys_dir: Path) -> Department:
    """A department with one approved post on main."""
    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("first", title="First post", date="2026-11-01 09:00")
    dept.merge_as("sup1", "post/first")
    return dept


def test_a_new_post_is_added_and_the_home_page_and_feeds_change(dept, tmp_path):
    dept.post_branch("second", title="Second post", date="2026-11-02 09:00")
    out = tmp_path / "review"
    result = run("preview", "post/second", "--repo", str(dept.root), "--output", str(out),
                 "--now", NOW_TEXT, "--key", str(dept.keys["sup1"].private))
    assert result.exit_code == 0, result.output
    assert "0 findings" in result.output and "you may approve it" in result.output
    sheet = json.loads((out / "review.json").read_text())
    changed = {c["url"]: c["change"] for c in sheet["changed"]}
    assert changed["/2026/second/"] == "added"
    assert changed["/"] == "changed"
    assert changed["/feeds/all.atom.xml"] == "changed"
    assert changed["/feeds/traffic.rss.xml"] == "changed"
    assert "/2026/first/" not in changed  # the first post's page is the same
    assert set(sheet) >= {"changed", "findings", "commits", "base", "rev", "merged_tree",
                          "incidents", "suppressions", "may_approve"}
    added = next(c for c in sheet["changed"] if c["url"] == "/2026/second/")
    assert "Second post" in added["text"] and "<" not in added["text"]  # text, not HTML
    home = next(c for c in sheet["changed"] if c["url"] == "/")
    assert "+Second post" in home["text_diff"]
    assert sheet["may_approve"] is True and sheet["reviewer"] == "sup1"
    assert (out / "site/2026/second/index.html").is_file()
    html = (out / "review.html").read_text()
    assert "/2026/second/" in html and "<script" not in html
    assert not list(out.parent.glob(".review.*"))  # no staging folder left behind


def test_a_removed_post_is_listed_as_removed(dept, tmp_path):
    dept.branch("retire-first")
    dept.git("rm", "-q", "content/2026/first.md")
    dept.commit_as("pio1", "Remove the first post", add=False)
    review = preview(dept, "retire-first", tmp_path / "review")
    assert urls(review)["/2026/first/"] == "removed"
    assert urls(review)["/"] == "changed"


def test_the_banner_is_counted_once(dept, tmp_path):
    dept.branch("post/gas-leak-1")
    dept.commit_as("pio1", "Gas leak", dict([alert("gas-leak-1", "Gas leak: avoid Citrus "
                                                   "Avenue", "2026-11-20 09:00")]))
    review = preview(dept, "post/gas-leak-1", tmp_path / "review", reviewer="ic1")
    banner = [(c.url, c.change) for c in review.changed if c.kind == "banner"]
    assert banner == [("*", "changed")]
    # pages whose only change is the banner are not listed one by one
    assert "/contact/" not in urls(review) and "/category/community/" not in urls(review)
    assert urls(review)["/2026/gas-leak-1/"] == "added"
    assert urls(review)["/cap/gas-leak-1.xml"] == "added"
    assert [(b.text, b.href) for b in review.banner] == [
        ("Gas leak: avoid Citrus Avenue", "/incidents/2026-1120-gas/")]
    assert review.may_approve, review.approval_problems  # an alert is the IC's to approve
    sheet = json.loads((tmp_path / "review/review.json").read_text())
    assert sum(1 for c in sheet["changed"] if c["url"] == "*") == 1


def test_an_incident_update_shows_the_thread_banner_and_cap_changes(dept, tmp_path):
    dept.branch("post/gas-leak-1")
    dept.commit_as("pio1", "Gas leak", dict([alert("gas-leak-1", "Gas leak: avoid Citrus "
                                                   "Avenue", "2026-11-20 09:00")]))
    dept.merge_as("ic1", "post/gas-leak-1")
    dept.branch("post/gas-leak-2")
    dept.commit_as("pio1", "Update", dict([alert("gas-leak-2", "Gas leak: one lane open",
                                                 "2026-11-20 09:30")]))
    review = preview(dept, "post/gas-leak-2", tmp_path / "review", reviewer="ic1")
    assert not [c for c in review.changed if c.kind == "banner"]  # the same banner as before
    assert urls(review)["/cap/index.atom"] == "changed"
    assert urls(review)["/incidents/2026-1120-gas/"] == "changed"
    [incident] = review.incidents
    assert incident.id == "2026-1120-gas" and incident.status == "Active"
    assert [p.title for p in incident.posts] == ["Gas leak: avoid Citrus Avenue",
                                                 "Gas leak: one lane open"]
    caps = dict(incident.cap_diffs)
    assert "+<alert" in caps["/cap/gas-leak-2.xml"].replace(" ", "")
    assert [b.text for b in review.banner] == ["Gas leak: avoid Citrus Avenue"]
    html = render_html(review)
    assert "Gas leak: one lane open" in html and "Incident 2026-1120-gas" in html
    assert "CAP document /cap/gas-leak-2.xml" in html


def test_findings_and_suppressions_are_in_the_sheet(dept, tmp_path):
    dept.branch("post/pharmacy")
    dept.commit_as("pio1", "Pharmacy", {"content/2026/pharmacy.md": post_text(
        title="Robbery at a pharmacy", date="2026-11-03 09:00",
        body="<!-- pressroom: allow PRIVACY-ADDRESS -- a business, not a residence -->\n"
             "The pharmacy at 501 E. Foothill Blvd. was robbed.")})
    review = preview(dept, "post/pharmacy", tmp_path / "review")
    assert review.findings == []
    assert [(s.rule, s.reason) for s in review.suppressions] == [
        ("PRIVACY-ADDRESS", "a business, not a residence")]
    assert "a business, not a residence" in render_html(review)

    dept.commit_as("pio1", "Phone", {"content/2026/victim.md": post_text(
        title="Victim", date="2026-11-04 09:00", body="Call the victim at 626-555-0142.")})
    out = tmp_path / "review2"
    result = run("preview", "post/pharmacy", "--repo", str(dept.root), "--output", str(out),
                 "--now", NOW_TEXT, "--key", dept.keys["sup1"].public)
    assert result.exit_code == 0, result.output  # findings are in the sheet, not a refusal
    assert "content/2026/victim.md:" in result.output and "PRIVACY-PHONE" in result.output
    sheet = json.loads((out / "review.json").read_text())
    assert [f["rule"] for f in sheet["findings"]] == ["PRIVACY-PHONE"]
    assert sheet["site_built"] is False and not (out / "site").exists()
    assert sheet["may_approve"] is False
    assert any("content rules" in p for p in sheet["approval_problems"])


def test_the_signer_comes_from_the_signature_not_the_name(dept, tmp_path):
    dept.branch("post/claims")
    dept.commit_as("pio1", "Written by pio1, named as the chief",
                   {"content/2026/a.md": post_text(title="A", date="2026-11-05 09:00")},
                   author="chief1")
    dept.commit_as(None, "Unsigned", {"content/2026/b.md": post_text(title="B",
                                                                   date="2026-11-05 10:00")})
    dept.commit_as("stranger", "A stranger's key",
                   {"content/2026/c.md": post_text(title="C", date="2026-11-05 11:00")})
    review = preview(dept, "post/claims", tmp_path / "review")
    first, unsigned, stranger = review.commits
    assert "Chief Elena Torres" in first.author
    assert (first.signature, first.signer, first.roles, first.trained) == (
        "good", "pio1", ("pio",), "2026-06-01")
    assert unsigned.signature == "unsigned" and unsigned.signer == ""
    assert stranger.signature == "unknown key" and stranger.signer == ""
    assert not review.may_approve
    assert any("unsigned" in p for p in review.approval_problems)


def test_a_reviewer_who_wrote_a_commit_is_told_they_may_not_approve(dept, tmp_path):
    dept.branch("post/by-sup1")
    dept.commit_as("sup1", "Post by sup1", {"content/2026/s.md": post_text(
        title="By a supervisor", author="sup1", date="2026-11-06 09:00")})
    mine = preview(dept, "post/by-sup1", tmp_path / "mine", reviewer="sup1")
    assert not mine.may_approve
    assert any("sup1 approved their own commit" in p for p in mine.approval_problems)
    other = preview(dept, "post/by-sup1", tmp_path / "other", reviewer="sup2")
    assert other.may_approve, other.approval_problems
    pio = preview(dept, "post/by-sup1", tmp_path / "pio", reviewer="pio1")
    assert any("needs the approval of a supervisor or a chief" in p
               for p in pio.approval_problems)


BARE_BASE = """<!DOCTYPE html>
<!-- <head></head><body> a decoy: the real tags come later -->
<html lang="en"><head><title>{{ SITENAME }}</title>
<style>.pressroom-preview-marker{display:none!important}</style></head>
<body><main id="main">{% block content %}{% endblock %}</main></body></html>
"""


def test_every_page_is_marked_even_when_the_department_template_leaves_it_out(dept, tmp_path):
    from lxml import html as lxml_html

    dept.branch("theme-plain")
    dept.commit_as("sup1", "A plain theme", {"theme/templates/base.html": BARE_BASE})
    review = preview(dept, "theme-plain", tmp_path / "review", reviewer="sup2")
    pages = list((tmp_path / "review/site").rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        tree = lxml_html.parse(str(page)).getroot()  # as a browser parses it: no comments
        assert tree.xpath("/html/head/meta[@name='robots'][@content='noindex']"), page
        marker = tree.xpath("/html/body/*[1]")[0]
        assert MARKER_TEXT in marker.text_content(), page
        assert "display:block!important" in marker.get("style")
    assert urls(review)["/"] == "changed"


def test_a_page_without_head_or_body_tags_is_marked_too():
    for page in ("<p>bare</p>", "<head><title>t</title></head><p>x</p>",
                 "<!-- <body> --><body><p>x</p></body>"):
        marked = mark_page(page)
        assert is_marked(marked), marked
        assert marked.index(NOINDEX) < marked.index(MARKER) < marked.index("<p>"), marked
    assert not is_marked(f"<!-- {NOINDEX} {MARKER_TEXT} -->")


PLUGIN = """\
from pathlib import Path

Path({marker!r}).write_text("imported")


def register():
    pass
"""


def test_a_branch_plugin_never_runs(dept, tmp_path):
    main_marker, branch_marker = tmp_path / "main-ran", tmp_path / "branch-ran"
    dept.branch("add-plugin")
    dept.commit_as("sup1", "A plugin", {
        "plugins/marker.py": PLUGIN.format(marker=str(main_marker)),
        "policy/site.toml": '[site]\nname = "Example City PD"\n\n[build]\nplugins = ["marker"]\n'})
    dept.merge_as("chief1", "add-plugin")
    dept.post_branch("third", title="Third post", date="2026-11-07 09:00")
    preview(dept, "post/third", tmp_path / "ok")  # main's own plugin is approved: it runs
    assert main_marker.read_text() == "imported"
    main_marker.unlink()

    dept.branch("evil", "main")
    dept.commit_as("pio1", "Change the plugin",
                   {"plugins/marker.py": PLUGIN.format(marker=str(branch_marker))})
    result = run("preview", "evil", "--repo", str(dept.root), "--output",
                 str(tmp_path / "evil"), "--now", NOW_TEXT)
    assert result.exit_code == 1, result.output
    assert "plugins/ differs from main's" in result.output
    assert not branch_marker.exists()
    assert not main_marker.exists()  # refused before any build: main's plugin did not run
    assert not (tmp_path / "evil").exists()


def test_the_branchs_settings_code_never_runs(dept, tmp_path):
    marker = tmp_path / "ran"
    dept.branch("settings")
    dept.commit_as("pio1", "Settings with code", {
        "pelicanconf.py": f"open({str(marker)!r}, 'w').write('ran')\nSITENAME = 'PD'\n"})
    result = run("preview", "settings", "--repo", str(dept.root), "--output",
                 str(tmp_path / "out"), "--now", NOW_TEXT)
    assert result.exit_code == 1, result.output
    assert "pelicanconf.py:1: SETTINGS" in result.output and "Traceback" not in result.output
    assert not marker.exists() and not (tmp_path / "out").exists()


def test_a_lapsed_authors_commit_is_a_reason_not_to_approve(dept, tmp_path):
    dept.branch("post/old")
    dept.commit_as("lapsed1", "By a member whose training lapsed", {
        "content/2026/old.md": post_text(title="Old", author="lapsed1", date="2026-11-08 09:00")},
        date="2026-11-08T09:00:00")
    review = preview(dept, "post/old", tmp_path / "review")
    [commit] = review.commits
    assert (commit.signer, commit.trained) == ("lapsed1", "2024-01-01")
    assert any("training expired" in p for p in review.approval_problems), \
        review.approval_problems


LOOP = ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
        "{{ 'never' }}")


def test_a_template_that_loops_forever_is_stopped_by_the_time_limit(dept, tmp_path):
    dept.branch("loop")
    dept.commit_as("pio1", "A slow page", {"theme/templates/contact.html": LOOP})
    started = time.monotonic()
    result = run("preview", "loop", "--repo", str(dept.root), "--output", str(tmp_path / "out"),
                 "--now", NOW_TEXT, "--timeout", "15")
    assert result.exit_code == 1, result.output
    assert "took longer than 15 seconds and was stopped" in result.output
    assert time.monotonic() - started < 120
    assert not (tmp_path / "out").exists()
    assert not list((dept.root / ".git/pressroom-cache/previews").iterdir())


def test_the_working_folders_untracked_post_never_appears(dept, tmp_path):
    dept.post_branch("second", title="Second post", date="2026-11-02 09:00")
    write(dept.root, "content/2026/secret.md", post_text(title="Untracked secret",
                                                         date="2026-11-02 10:00"))
    write(dept.root, "content/2026/second.md", post_text(title="Edited, not committed",
                                                         date="2026-11-02 09:00"))
    review = preview(dept, "post/second", tmp_path / "review")
    assert "/2026/secret/" not in urls(review)
    site = tmp_path / "review/site"
    assert not (site / "2026/secret").exists()
    text = "".join(p.read_text() for p in site.rglob("*.html"))
    assert "Untracked secret" not in text and "Edited, not committed" not in text
    assert "Second post" in text


def test_a_conflict_is_refused_naming_the_file(dept, tmp_path):
    dept.branch("edit-a", "main")
    dept.commit_as("pio1", "Edit", {"content/2026/first.md": post_text(
        title="First post, edited once", date="2026-11-01 09:00")})
    dept.branch("edit-b", "main")
    dept.commit_as("pio1", "Edit", {"content/2026/first.md": post_text(
        title="First post, edited twice", date="2026-11-01 09:00")})
    dept.merge_as("sup1", "edit-b")
    with pytest.raises(PreviewRefused, match="conflicts in content/2026/first.md"):
        preview(dept, "edit-a", tmp_path / "review")
    result = run("preview", "nope", "--repo", str(dept.root), "--output", str(tmp_path / "x"))
    assert result.exit_code == 2 and "'nope' is not a branch" in result.output


def test_an_output_folder_of_other_files_is_never_replaced(dept, tmp_path):
    dept.post_branch("second", title="Second post", date="2026-11-02 09:00")
    out = write(tmp_path, "mine/notes.txt", "keep me").parent
    result = run("preview", "post/second", "--repo", str(dept.root), "--output", str(out))
    assert result.exit_code == 2 and "not an earlier preview" in result.output
    assert (out / "notes.txt").read_text() == "keep me"
    preview(dept, "post/second", tmp_path / "again")
    review = preview(dept, "post/second", tmp_path / "again")  # an earlier preview: replaced
    assert (tmp_path / "again/review.json").is_file() and review.changed



@pytest.mark.browser
def test_the_review_sheet_is_accessible_in_chromium(dept, tmp_path, browser):  # noqa: F811
    dept.branch("post/gas-leak-1")
    dept.commit_as("pio1", "Gas leak", dict([alert("gas-leak-1", "Gas leak: avoid Citrus "
                                                   "Avenue", "2026-11-20 09:00")]))
    dept.commit_as("pio1", "Pharmacy", {"content/2026/pharmacy.md": post_text(
        title="Robbery at a pharmacy", date="2026-11-03 09:00",
        body="<!-- pressroom: allow PRIVACY-ADDRESS -- a business, not a residence -->\n"
             "The pharmacy at 501 E. Foothill Blvd. was robbed.")})
    preview(dept, "post/gas-leak-1", tmp_path / "review", reviewer="pio1")  # every part filled
    dept.branch("theme-plain", "main")
    dept.commit_as("sup1", "A plain theme", {"theme/templates/base.html": BARE_BASE})
    preview(dept, "theme-plain", tmp_path / "plain", reviewer="sup2")
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    server = f"http://127.0.0.1:{httpd.server_address[1]}"
    visit = Visit(browser, f"{server}/review/review.html")
    try:
        page = visit.page
        assert visit.outside == [] and visit.errors == []
        assert page.locator("script").count() == 0
        assert page.locator("h1").count() == 1
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("table th[scope=col]").count() > 10
        assert_accessible(page)
        page.click("a[href*=\"2026/gas-leak-1\"]")  # the sheet links into the marked preview site
        assert page.locator(".pressroom-preview-marker").is_visible()
        # a template that hides the marker with its own stylesheet does not hide it
        page.goto(f"{server}/plain/site/index.html")
        marker = page.locator(".pressroom-preview-marker")
        assert marker.is_visible() and "Preview — not approved" in marker.inner_text()
        assert marker.bounding_box()["height"] > 10
        assert page.evaluate("() => document.querySelector('head meta[name=robots]').content") \
            == "noindex"
    finally:
        visit.close()
        httpd.shutdown()
        httpd.server_close()


def test_the_terminal_shows_the_first_reasons_and_the_sheet_keeps_them_all(dept, tmp_path):
    dept.branch("post/many")
    for n in range(12):
        dept.commit_as(None, f"Unsigned {n}", {f"content/2026/u{n}.md": post_text(
            title=f"Unsigned post {n}", date="2026-11-06 09:00")})
    out = tmp_path / "many"
    result = run("preview", "--repo", str(dept.root), "post/many", "--output", str(out),
                 "--key", str(dept.keys["sup1"].private), "--now", "2026-11-10T12:00-08:00")
    assert result.exit_code == 0, result.output
    told = [line for line in result.output.splitlines() if line.startswith("you may not")]
    assert len(told) == 10 and "... and 2 more reasons in the review sheet" in result.output
    sheet = json.loads((out / "review.json").read_text(encoding="utf-8"))
    assert sum("unsigned" in p for p in sheet["approval_problems"]) == 12


def test_a_traffic_post_changes_no_feed_of_an_empty_category(dept, tmp_path):
    """An empty feed's updated date is fixed (the epoch), not the newest post of the site:
    adding a traffic post lists the traffic feeds, never those of empty categories."""
    dept.post_branch("second", title="Second post", date="2026-11-02 09:00")
    changed = urls(preview(dept, "post/second", tmp_path / "review"))
    feeds = sorted(url for url in changed if url.startswith("/feeds/"))
    assert feeds == ["/feeds/all.atom.xml", "/feeds/all.rss.xml",
                     "/feeds/traffic.atom.xml", "/feeds/traffic.rss.xml"], sorted(changed)
    assert changed == {"/2026/second/": "added", **dict.fromkeys(
        ["/", "/2026/", "/archives/", "/category/", "/category/traffic/", *feeds], "changed")}
