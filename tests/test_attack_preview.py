"""Attacks on ``pressroom preview`` and its review sheet (issue #13).

A supervisor approves on what the sheet says, so a sheet that hides a change is a hole as
bad as running the branch's code. Each test is a branch author (malicious or careless) or a
careless supervisor trying; real git, real ssh-keygen signatures, real Pelican builds in
time-limited child processes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from conftest import post_text
from gitdept import Department
from test_browser import browser  # noqa: F401  (the fixture: one Chromium per module)

from pressroom.cli import cli
from pressroom.preview import PreviewRefused, make_preview, render_html

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=LA)
NOW_TEXT = "2026-11-20T10:00-08:00"
PROJECT = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def preview(dept: Department, rev: str, out: Path, reviewer: str = "sup1", **options):
    return make_preview(dept.root, rev, output=out, now=NOW,
                        reviewer_key=dept.keys[reviewer].public, **options)


def changes(review) -> dict[str, object]:
    return {c.url: c for c in review.changed}


def shown(review, url: str) -> str:
    """Everything the sheet says about one URL: its diff or its full text."""
    change = changes(review)[url]
    return change.text_diff + change.text


FIRST_BODY = "Pay a parking ticket [online](https://city.example/pay)."


@pytest.fixture
def dept(tmp_path: Path, keys_dir: Path) -> Department:
    """A department with one approved post (holding a link) on main."""
    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("first", title="First post", date="2026-11-01 09:00", body=FIRST_BODY)
    dept.merge_as("sup1", "post/first")
    return dept


def edit_first(dept: Department, branch: str, extra: dict[str, str] | None = None,
               **fields: str) -> None:
    """A branch that edits the first post (and writes ``extra`` files), signed by pio1."""
    dept.branch(branch)
    values = {"title": "First post", "date": "2026-11-01 09:00", "body": FIRST_BODY,
              "author": "pio1", **fields}
    dept.commit_as("pio1", f"Edit {branch}",
                   {"content/2026/first.md": post_text(**values), **(extra or {})})


# --- a change the text diff drops -----------------------------------------------------------


def test_a_link_swapped_to_a_phishing_url_shows_in_the_diff(dept, tmp_path):
    edit_first(dept, "swap-link", body=FIRST_BODY.replace("city.example", "c1ty-pay.example"))
    review = preview(dept, "swap-link", tmp_path / "review")
    assert "c1ty-pay.example" in shown(review, "/2026/first/")
    assert "c1ty-pay.example" in (tmp_path / "review/review.html").read_text()


def test_a_new_pages_links_are_shown_with_their_targets(dept, tmp_path):
    dept.post_branch("second", title="Second post", date="2026-11-02 09:00",
                     body="Pay [at the city's site](https://c1ty-pay.example/pay).")
    review = preview(dept, "post/second", tmp_path / "review")
    assert "c1ty-pay.example" in shown(review, "/2026/second/")


def test_a_changed_summary_shows_although_only_the_meta_description_holds_it(dept, tmp_path):
    edit_first(dept, "summary", summary="Settle your parking ticket by card at the window.")
    review = preview(dept, "summary", tmp_path / "review")
    assert "Settle your parking ticket by card" in shown(review, "/2026/first/")


def test_a_footer_change_outside_main_shows_in_the_diff(dept, tmp_path):
    dept.branch("footer")
    dept.commit_as("pio1", "Footer", {"theme/templates/base.html":
                                      '{% extends "pressroom/base.html" %}'
                                      "{% block feeds %}{% endblock %}"
                                      "{% block banner %}<!-- pressroom:banner -->"
                                      "<!-- /pressroom:banner -->"
                                      "<p>Pay fines by phone: 555-0142</p>{% endblock %}"})
    review = preview(dept, "footer", tmp_path / "review", reviewer="sup2")
    assert "555-0142" in shown(review, "/2026/first/")


# --- the banner's "counted once" path -------------------------------------------------------

FAKE_BANNER = ('{% extends "pressroom/article.html" %}'
               "{% block content %}<!-- pressroom:banner -->{{ super() }}"
               "<!-- /pressroom:banner -->{% endblock %}")


def test_banner_markers_in_a_template_cannot_hide_a_pages_new_text(dept, tmp_path):
    edit_first(dept, "fake-banner", {"theme/templates/article.html": FAKE_BANNER},
               body="Pay your ticket in gift cards at the back door.")
    review = preview(dept, "fake-banner", tmp_path / "review", reviewer="sup2")
    assert "gift cards at the back door" in shown(review, "/2026/first/")


def test_a_banner_on_one_page_only_is_not_counted_once(dept, tmp_path):
    """A 'banner' an article template adds is not the banner every page shows."""
    article = ('{% extends "pressroom/article.html" %}{% block banner %}'
               "<!-- pressroom:banner --><p>Urgent: call 555-0188</p>"
               "<!-- /pressroom:banner -->{% endblock %}")
    dept.branch("one-banner")
    dept.commit_as("pio1", "Article", {"theme/templates/article.html": article})
    review = preview(dept, "one-banner", tmp_path / "review", reviewer="sup2")
    assert "555-0188" in shown(review, "/2026/first/")


# --- files outside content/, feeds, the embargo ------------------------------------------


def test_a_stylesheet_change_shows_its_text(dept, tmp_path):
    dept.branch("css")
    dept.commit_as("pio1", "CSS", {"theme/static/css/site.css":
                                   "main{display:none}\n.site-footer::after"
                                   "{content:'Call 555-0166'}\n"})
    review = preview(dept, "css", tmp_path / "review", reviewer="sup2")
    assert "555-0166" in shown(review, "/theme/css/site.css")
    assert "555-0166" in (tmp_path / "review/review.html").read_text()


def test_a_feed_change_shows_its_text(dept, tmp_path):
    edit_first(dept, "feed", summary="Settle your ticket at c1ty-pay.example today.")
    review = preview(dept, "feed", tmp_path / "review")
    assert "c1ty-pay.example" in shown(review, "/feeds/all.atom.xml")


def test_a_post_embargoed_until_an_hour_after_now_is_shown(dept, tmp_path):
    dept.post_branch("later", title="Falls due later", date="2026-11-20 11:00",
                     body="Published an hour after the preview's now.")
    review = preview(dept, "post/later", tmp_path / "review")
    sheet = json.loads((tmp_path / "review/review.json").read_text())
    assert any("content/2026/later.md" in s["what"] for s in sheet["scheduled"]), sheet
    assert "2026-11-20T11:00:00-08:00" in json.dumps(sheet["scheduled"])
    html = render_html(review)
    assert "content/2026/later.md" in html and "scheduled" in review.summary()


def test_a_branch_whose_site_does_not_build_is_not_approvable_and_says_why(dept, tmp_path):
    dept.branch("broken")
    dept.commit_as("pio1", "Theme", {"theme/templates/base.html":
                                     '{% extends "pressroom/base.html" %}'
                                     "{% block banner %}{{ super() }}{% endblock %}"})
    review = preview(dept, "broken", tmp_path / "review", reviewer="sup2")
    assert not review.site_built and not review.errors
    assert "no parent block called 'banner'" in review.not_built_reason
    assert not review.may_approve
    assert "no parent block called" in (tmp_path / "review/review.html").read_text()


# --- denial of service ------------------------------------------------------------------

LOOP = ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
        "{{ 'never' }}")


def builders_of(root: Path) -> list[int]:
    """The build children still running for the department at ``root``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "pressroom.preview.builder" in command and str(root) in command:
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_a_terminate_leaves_no_build_running(dept, tmp_path, stop):
    """The child runs in its own session (the time limit kills its group), so the
    terminal's Ctrl-C never reaches it, nor a kill of the preview (the desk stopping):
    the preview must kill it itself."""
    dept.branch("loop")
    dept.commit_as("pio1", "A slow page", {"theme/templates/contact.html": LOOP})
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    process = subprocess.Popen([sys.executable, "-c", "from pressroom.cli import main; main()",
                                "preview", "loop", "--repo", str(dept.root), "--output",
                                str(tmp_path / "out"), "--now", NOW_TEXT, "--timeout", "600"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(builders_of(dept.root)) == 0 or not any(
            "merged" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
            for pid in builders_of(dept.root)):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the merged build never started"
        time.sleep(0.2)
    process.send_signal(stop)
    process.communicate(timeout=60)
    time.sleep(0.5)
    left = builders_of(dept.root)
    for pid in left:  # do not leave it burning a core if the test fails
        os.kill(pid, signal.SIGKILL)
    assert left == []
    assert not (tmp_path / "out").exists()
    assert not list((dept.root / ".git/pressroom-cache/previews").iterdir())


# --- may_approve must not say yes where pressroom approve would refuse ------------------------


def test_a_branch_already_on_main_is_not_approvable(dept, tmp_path):
    for rev in ("main", "post/first"):
        review = preview(dept, rev, tmp_path / rev.replace("/", "-"))
        assert not review.may_approve
        assert any("already on main" in p for p in review.approval_problems), rev


def test_a_sheet_against_another_base_is_not_a_yes_for_main(dept, tmp_path):
    dept.post_branch("second", title="Second post", date="2026-11-02 09:00")
    dept.git("branch", "old-main", "main~1")  # the roster commit: before the first post
    review = preview(dept, "post/second", tmp_path / "review", base="old-main")
    assert not review.may_approve
    assert any("approve merges into main" in p for p in review.approval_problems)


def test_a_main_behind_the_central_main_is_not_a_yes(dept, tmp_path):
    central = tmp_path / "central.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(dept.root), str(central)], check=True)
    dept.git("remote", "add", "origin", str(central))
    dept.git("fetch", "-q", "origin")
    dept.git("branch", "-u", "origin/main", "main")
    other = Department.__new__(Department)
    other.root, other.keys = tmp_path / "other", dept.keys
    subprocess.run(["git", "clone", "-q", str(central), str(other.root)], check=True)
    other.post_branch("elsewhere", title="Approved elsewhere", date="2026-11-03 09:00")
    other.merge_as("sup2", "post/elsewhere")
    other.git("push", "-q", "origin", "main")
    dept.git("fetch", "-q", "origin")
    dept.post_branch("second", title="Second post", date="2026-11-02 09:00")
    review = preview(dept, "post/second", tmp_path / "review")
    assert not review.may_approve
    assert any("behind origin/main" in p for p in review.approval_problems)


# --- the signer -------------------------------------------------------------------------


def test_a_roster_change_in_the_branch_does_not_make_its_author_a_signer(dept, tmp_path):
    """The stranger adds their own key as a chief and signs as 'Sgt. Dana Okafor': the
    sheet judges every signature, and the previewer, by BASE's roster."""
    roster = (dept.root / "policy/roster.toml").read_text()
    dept.branch("takeover")
    dept.commit_as("stranger", "Routine roster update", {
        "policy/roster.toml": roster + f'\n[members.helper]\nname = "Helper"\nemail = '
                              f'"h@pd.example"\nroles = ["chief", "supervisor"]\n'
                              f'signing_key = "{dept.keys["stranger"].public}"\n'
                              f"trained = 2026-01-01\n",
        "content/2026/notice.md": post_text(title="Notice", date="2026-11-03 09:00")},
        author="sup1")
    review = preview(dept, "takeover", tmp_path / "review", reviewer="stranger")
    assert [c.signature for c in review.commits] == ["unknown key"]
    assert review.commits[0].author.startswith("Sgt. Dana Okafor")
    assert review.reviewer == "" and not review.may_approve
    by_sup1 = preview(dept, "takeover", tmp_path / "sup1")
    assert not by_sup1.may_approve and by_sup1.approval_problems


# --- the sheet itself ---------------------------------------------------------------------


def test_titles_subjects_and_names_cannot_inject_markup_into_the_sheet(dept, tmp_path):
    evil = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    dept.branch(f"post/x{'-'}")
    dept.commit_as("pio1", f"Subject {evil}", {"content/2026/x.md": post_text(
        title=f"Title {evil}", date="2026-11-03 09:00", summary=f"Summary {evil}",
        body=f"Body {evil} [link](https://example.org/{'%22%3E%3Cscript%3E'})")})
    review = preview(dept, "post/x-", tmp_path / "review")
    html = (tmp_path / "review/review.html").read_text()
    assert "<script" not in html and "<img" not in html and "onerror=alert" not in \
        html.replace("onerror=alert(1)&gt;", "")
    assert "Subject &quot;&gt;&lt;img" in html
    assert review.commits[0].subject.startswith("Subject")


# --- the output folder --------------------------------------------------------------------


def test_an_output_folder_inside_the_repositorys_working_folder_is_refused(dept, tmp_path):
    """A preview written into content/ would be read as the department's content by the
    next ``pressroom check`` or build of the working folder (and committed by git add -A)."""
    dept.post_branch("second", title="Second post", date="2026-11-02 09:00")
    for inside in ("content/review", "review"):
        result = run("preview", "post/second", "--repo", str(dept.root), "--output",
                     str(dept.root / inside), "--now", NOW_TEXT)
        assert result.exit_code == 2, result.output
        assert "inside the repository" in result.output
        assert not (dept.root / inside).exists()
    assert dept.git("status", "--porcelain").stdout == ""


def test_a_symbolic_link_in_the_branchs_static_files_never_reaches_the_preview(dept, tmp_path):
    dept.branch("link")
    dept.commit_link("pio1", "theme/static/css/keys.txt", str(Path.home() / ".ssh/id_ed25519"))
    with pytest.raises(PreviewRefused, match="theme/static/css/keys.txt: FILE-LINK"):
        preview(dept, "link", tmp_path / "review", reviewer="sup2")
    assert not (tmp_path / "review").exists()


@pytest.mark.parametrize("template, why", [
    ("{{ 'x' * 300000000 }}", "File too large"),  # 300 MB: a page past the file limit
    ("{{ 'x' * 5000000000 }}", "MemoryError"),  # 5 GB: past the memory limit
])
def test_a_template_that_writes_a_huge_page_is_stopped_in_one_line(dept, tmp_path, template,
                                                                    why):
    dept.branch("huge")
    dept.commit_as("pio1", "A big page", {"theme/templates/contact.html": template})
    started = time.monotonic()
    review = preview(dept, "huge", tmp_path / "out", reviewer="sup2")
    assert time.monotonic() - started < 60
    assert not review.site_built and why in review.not_built_reason
    assert not review.may_approve
    assert not list((tmp_path / "out").rglob("contact*"))


def test_concurrent_previews_into_one_folder_both_finish_and_leave_one_whole_preview(
        dept, tmp_path):
    """Two supervisors (or two desk requests) previewing into the same folder at once."""
    from concurrent.futures import ThreadPoolExecutor

    from pressroom.preview import make as preview_make
    from pressroom.preview.builder import BuildOutcome

    dept.post_branch("second", title="Second post", date="2026-11-02 09:00")
    out = tmp_path / "review"
    preview(dept, "post/second", out)
    review = preview(dept, "post/second", tmp_path / "built")
    site = BuildOutcome(tmp_path / "built/site")

    def write(_index: int) -> None:
        preview_make._write(out, review, site)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(32)))
    assert json.loads((out / "review.json").read_text())["rev"] == review.rev
    assert (out / "site/2026/second/index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["built", "dept", "review"]


def test_a_site_toml_change_of_the_non_emergency_number_shows_on_every_page_it_changes(
        dept, tmp_path):
    dept.branch("number")
    dept.commit_as("pio1", "Contact", {"policy/site.toml":
                                       '[contact]\nnon_emergency = "(555) 010-0199"\n'})
    review = preview(dept, "number", tmp_path / "review", reviewer="sup2")
    assert "010-0199" in shown(review, "/2026/first/")
    assert "010-0199" in shown(review, "/contact/")


# --- which revision -----------------------------------------------------------------------


def test_a_tag_named_like_the_branch_is_refused_as_ambiguous(dept, tmp_path):
    dept.post_branch("second", title="Second post", date="2026-11-02 09:00")
    dept.git("tag", "post/second", "main")  # an older commit under the branch's name
    result = run("preview", "post/second", "--repo", str(dept.root), "--output",
                 str(tmp_path / "out"), "--now", NOW_TEXT)
    assert result.exit_code == 2, result.output
    assert "ambiguous" in result.output and "Traceback" not in result.output


def test_a_merge_from_an_unapproved_branch_brings_its_commits_into_the_sheet(dept, tmp_path):
    dept.branch("side")
    dept.commit_as(None, "Unsigned side work", {"content/2026/side.md": post_text(
        title="Side post", date="2026-11-03 09:00")}, author="sup1")
    dept.branch("post/carrier", "main")
    dept.commit_as("pio1", "Carrier", {"content/2026/carrier.md": post_text(
        title="Carrier post", date="2026-11-04 09:00")})
    subprocess.run(["git", *dept._as("pio1"), "merge", "-q", "--no-ff", "-S", "-m",
                    "Merge side", "side"], cwd=dept.root, check=True, capture_output=True)
    review = preview(dept, "post/carrier", tmp_path / "review")
    by_subject = {c.subject: c.signature for c in review.commits}
    assert by_subject["Unsigned side work"] == "unsigned"
    assert {"Carrier", "Merge side"} <= set(by_subject)
    assert "/2026/side/" in changes(review) and not review.may_approve


def test_a_page_of_millions_of_tags_is_refused_before_it_is_parsed(dept, tmp_path):
    """Marking and comparing parse every page in the reviewer's own process, with no time
    limit: a page of 2 million tags would take minutes per pass (hours at 256 MB)."""
    dept.branch("tags")
    dept.commit_as("pio1", "Many tags", {"theme/templates/contact.html":
                                         "{% for i in range(2000) %}{% for j in range(1000) %}"
                                         "<b>{% endfor %}{% endfor %}"})
    result = run("preview", "tags", "--repo", str(dept.root), "--output", str(tmp_path / "out"),
                 "--now", NOW_TEXT)
    assert result.exit_code == 1, result.output
    assert "contact/index.html is" in result.output and "too large to preview" in result.output
    assert not (tmp_path / "out").exists()


# --- the marker ---------------------------------------------------------------------------

ZERO_ROOT = b"html{font-size:0!important}body *{font-size:16px}\n"


@pytest.mark.browser
def test_a_zero_root_font_size_does_not_shrink_the_marker_away(dept, tmp_path,
                                                               browser):  # noqa: F811
    """The marker's size must not follow the branch's root font size (rem, em)."""
    import functools
    import http.server
    import threading

    from test_browser import Visit, _QuietHandler

    dept.branch("tiny")
    dept.commit_as("pio1", "Tiny", {"theme/static/css/site.css": ZERO_ROOT.decode()})
    preview(dept, "tiny", tmp_path / "review", reviewer="sup2")
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    visit = Visit(browser, f"http://127.0.0.1:{httpd.server_address[1]}/review/site/index.html")
    try:
        marker = visit.page.locator(".pressroom-preview-marker")
        assert visit.page.evaluate("() => getComputedStyle(document.querySelector("
                                   "'.pressroom-preview-marker')).fontSize") == "16px"
        assert marker.is_visible() and marker.bounding_box()["height"] > 20
    finally:
        visit.close()
        httpd.shutdown()
        httpd.server_close()
