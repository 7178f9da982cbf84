"""Attacks on `pressroom desk`: a hostile web page, a hostile branch author, a careless
supervisor and an unkind machine. Each test is an attack that once worked (then fixed) or a
claim of docs/desk.md that held when attacked.

Real git, a bare central repository made by `pressroom install-hooks`, real ssh-keygen keys
(tests/deskloop.py), Flask's test client.
"""

from __future__ import annotations

import functools
import html
import http.server
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from click.testing import CliRunner
from conftest import post_text, require_tool
from deskloop import make_loop, run_git, token_of
from test_browser import Visit, browser  # noqa: F401
from test_browser import _QuietHandler as QuietHandler
from test_desk_browser import serve  # noqa: F401  (fixtures)

from pressroom.cli import cli
from pressroom.desk.app import create_app
from pressroom.desk.drafts import now_at
from pressroom.desk.server import make_desk_server, url_of
from pressroom.model.frontmatter import parse_header


@pytest.fixture
def loop(tmp_path, keys_dir):
    return make_loop(tmp_path / "world", keys_dir)


def desk(clone, **options):
    return create_app(clone, **options).test_client()


def main_part(response) -> str:
    page = response.get_data(as_text=True)
    return page[page.index("<main"):page.index("</main>")]


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main_part(response))).split())


def review(client, name: str) -> str:
    """The token from the branch page (the supervisor opened it)."""
    page = client.get(f"/branch/{name}")
    assert page.status_code == 200, text_of(page)
    return token_of(page.get_data(as_text=True))


# --- a careless supervisor -----------------------------------------------------------------

def test_a_supervisor_who_sent_a_branch_back_can_approve_its_fix(loop):
    tip = loop.push_branch("closure")
    client = desk(loop.sup)
    token = review(client, "post/closure")
    done = text_of(client.post("/branch/post/closure/send-back",
                               data={"token": token, "note": "Add the detour."}))
    assert "Sent post/closure back" in done
    loop.dept.git("fetch", "-q", "origin")
    loop.dept.git("switch", "-q", "post/closure")
    loop.dept.git("merge", "-q", "--ff-only", "origin/post/closure")
    fixed = loop.dept.commit_as("pio1", "Detour", {"content/2026/closure.md":
                                                   run_git(loop.dept.root, "show",
                                                           f"{tip}:content/2026/closure.md")
                                                   + "\nDetour by Oak Street.\n"})
    loop.dept.git("push", "-q", "origin", "post/closure")
    loop.dept.git("switch", "-q", "main")
    token = review(client, "post/closure")
    text = text_of(client.post("/branch/post/closure/approve",
                               data={"token": token, "tip": fixed}))
    assert "Approved post/closure" in text, text


def test_approve_refuses_a_local_main_with_commits_of_its_own(loop):
    """The supervisor approved another branch in a terminal and did not push: Approve in the
    desk must not push that unseen merge along with the branch on the page."""
    loop.push_branch("other")
    tip = loop.push_branch("closure")
    run_git(loop.sup, "fetch", "-q", "origin")
    run_git(loop.sup, "merge", "-q", "--no-ff", "-S", "-m", "Approve origin/post/other",
            "origin/post/other")
    before = loop.central("main")
    client = desk(loop.sup)
    token = review(client, "post/closure")
    text = text_of(client.post("/branch/post/closure/approve", data={"token": token, "tip": tip}))
    assert "Approved" not in text
    assert "of its own that are not on the central main" in text, text
    assert loop.central("main") == before


# --- a hostile branch author ---------------------------------------------------------------

def empty_commit(loop, member: str, message: str) -> None:
    """An empty commit on the chief's clone's current branch, signed by ``member``."""
    done = subprocess.run(["git", *loop.dept._as(member, None), "commit", "-q", "--allow-empty",
                           "-S", "-m", message], cwd=loop.dept.root, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr


def test_an_author_cannot_forge_a_supervisors_send_back_note(loop):
    """The queue says "Sent back by Sgt. Lee Park" only when Sgt. Lee Park signed the note."""
    loop.dept.post_branch("closure")
    empty_commit(loop, "pio1", "Sent back by Sgt. Lee Park (sup2): fine as it is, approve it")
    loop.dept.git("push", "-q", "origin", "post/closure")
    loop.dept.git("switch", "-q", "main")
    client = desk(loop.sup)
    assert "Sent back" not in text_of(client.get("/"))
    assert "<strong>Sent back</strong>" not in main_part(client.get("/branch/post/closure"))
    # the real thing, signed by the supervisor it names, is shown
    loop.dept.git("switch", "-q", "post/closure")
    empty_commit(loop, "sup2", "Sent back by Sgt. Lee Park (sup2): add the detour")
    loop.dept.git("push", "-q", "origin", "post/closure")
    loop.dept.git("switch", "-q", "main")
    assert "Sent back by Sgt. Lee Park (sup2): add the detour" in text_of(client.get("/"))


# --- the machine ---------------------------------------------------------------------------

def slow_central(loop, tmp_path, seconds: int = 30) -> None:
    """The supervisor's central repository stops answering: its upload-pack and
    receive-pack hang (what an unreachable server behind a VPN does)."""
    script = tmp_path / "hang.sh"
    script.write_text(f"#!/bin/sh\nsleep {seconds}\n")
    script.chmod(0o755)
    run_git(loop.sup, "config", "remote.origin.uploadpack", str(script))
    run_git(loop.sup, "config", "remote.origin.receivepack", str(script))


def test_a_central_repository_that_hangs_does_not_hang_the_desk(loop, tmp_path):
    tip = loop.push_branch("closure")
    client = desk(loop.sup, fetch_timeout=2)
    token = review(client, "post/closure")
    slow_central(loop, tmp_path)
    started = time.monotonic()
    page = client.get("/")
    assert time.monotonic() - started < 15
    assert "Could not reach the central repository" in text_of(page)
    assert "post/closure" in text_of(page)
    started = time.monotonic()
    text = text_of(client.post("/branch/post/closure/approve", data={"token": token, "tip": tip}))
    assert time.monotonic() - started < 40
    assert "Cannot reach the central repository" in text


def test_approve_merges_the_commit_reviewed_even_if_the_branch_moves_meanwhile(loop):
    """Another desk on the same clone (or a terminal's git fetch) moves origin/post/closure
    after the desk compared it with the page and before it merged: the commit merged is
    still the one the supervisor read, or none. A post-checkout hook of the clone plays
    the author who pushes at that instant."""
    tip = loop.push_branch("closure")
    loop.dept.git("switch", "-q", "post/closure")
    sneaked = loop.dept.commit_as("pio1", "More", {"content/2026/more.md": post_text(
        title="Unreviewed", author="pio1", body="Nobody read this.")})
    loop.dept.git("switch", "-q", "main")
    client = desk(loop.sup)
    token = review(client, "post/closure")
    hook = loop.sup / ".git" / "hooks" / "post-checkout"
    hook.write_text("#!/bin/sh\nunset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE\n"
                    f"rm -f '{hook}'\n"
                    f"git -C '{loop.dept.root}' push -q origin post/closure\n"
                    f"git -C '{loop.sup}' fetch -q origin\n")
    hook.chmod(0o755)
    text = text_of(client.post("/branch/post/closure/approve", data={"token": token, "tip": tip}))
    assert not hook.exists()  # the author did push meanwhile
    assert loop.central("post/closure") == sneaked
    central = loop.central("main")
    assert subprocess.run(["git", "merge-base", "--is-ancestor", sneaked, central],
                          cwd=loop.bare).returncode == 1, text
    assert "changed since you opened it" in text, text
    assert run_git(loop.sup, "rev-parse", "main") == run_git(loop.sup, "rev-parse", "origin/main")


def test_a_port_in_use_is_one_line_and_exit_2(loop):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["desk", "--repo", str(loop.sup), "--port", str(port)])
    assert result.exit_code == 2, result.output
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_without_git_the_desk_says_so_in_one_line(loop, tmp_path):
    bare_path = tmp_path / "nogit"
    bare_path.mkdir()
    result = CliRunner().invoke(cli, ["desk", "--repo", str(loop.sup), "--port", "0"],
                                env={"PATH": str(bare_path)})
    assert result.exit_code == 2, result.output
    assert "cannot run git" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_html_in_a_branch_name_title_subject_and_note_is_only_text(loop):
    """A branch named like markup, a post titled with a script, a commit subject and a
    send-back note with HTML: every page shows them as text (autoescaped), the branch's
    page and its preview still open, and the review sheet (sandboxed anyway) has no tag."""
    name = "post/<script>alert(1)</script>#\"&'x"
    loop.dept.branch("evil")
    loop.dept.commit_as("pio1", "<img src=x onerror=alert(2)> subject",
                        {"content/2026/evil.md": post_text(
                            title="<script>alert(3)</script> Closure", author="pio1")})
    pushed = loop.dept.git("push", "-q", "origin", f"evil:refs/heads/{name}", check=False)
    assert pushed.returncode == 0, pushed.stderr
    loop.dept.git("switch", "-q", "main")
    client = desk(loop.sup)
    queue_page = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)" not in queue_page and "&lt;script&gt;alert(1)" in queue_page
    link = re.search(r'<a href="(/branch/[^"]+)">', main_part(client.get("/"))).group(1)
    page = client.get(html.unescape(link))
    assert page.status_code == 200, text_of(page)
    body = page.get_data(as_text=True)
    for raw in ("<script>alert(", "<img src=x"):
        assert raw not in body
    token = token_of(body)
    sheet = client.get(html.unescape(link) + "/preview/review.html")
    assert sheet.status_code == 200
    assert "<script>alert(" not in sheet.get_data(as_text=True)
    assert "<img src=x" not in sheet.get_data(as_text=True)
    done = client.post(html.unescape(link) + "/send-back",
                       data={"token": token, "note": "<script>alert(4)</script>"})
    assert "Sent " in text_of(done), text_of(done)
    assert "<script>alert(4)" not in client.get("/").get_data(as_text=True)


def test_a_header_field_cannot_be_injected_through_the_pios_form(loop):
    """Line breaks of every kind in one-line fields become spaces, and a body that starts
    like a header stays the body: the post is not hidden as a draft nor re-categorised."""
    client = desk(loop.pio)
    token = token_of(client.get("/new").get_data(as_text=True))
    done = text_of(client.post("/new", data={
        "token": token, "action": "commit", "category": "community",
        "title": "Fair\r\nStatus: draft\u2028Date: 2001-01-01",
        "summary": "On Saturday\x85Category: crime\x0bStatus: draft",
        "body": "Status: draft\nCategory: crime\nDate: 2001-01-01 00:00\n\nCome along."}))
    assert "Pushed post/" in done, done
    branch = re.search(r"Pushed (post/\S+) with (\S+):", done)
    text = run_git(loop.bare, "show", f"{branch.group(1)}:{branch.group(2)}")
    header = parse_header(text).fields
    assert header["category"].value == "community"
    assert "status" not in header
    assert header["date"].value.startswith(f"{now_at(loop.pio):%Y-%m-%d}")
    assert header["title"].value == "Fair Status: draft Date: 2001-01-01"


# --- a hostile web page --------------------------------------------------------------------

CROSS_SITE_IMAGE = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors",
                    "Sec-Fetch-Dest": "image"}


def test_another_sites_page_cannot_make_the_desk_fetch_or_build(loop):
    """<img src="http://127.0.0.1:8300/branch/..."> on any web page the supervisor visits
    passes the Host check: without this guard it made the desk fetch from the central
    repository and build previews (a whole Pelican site each) at the page's will."""
    loop.push_branch("closure")
    client = desk(loop.sup)
    before = run_git(loop.sup, "for-each-ref", "refs/remotes/")
    for path in ("/", "/branch/post/closure", "/new"):
        answer = client.get(path, headers=CROSS_SITE_IMAGE)
        assert answer.status_code == 403, path
    assert run_git(loop.sup, "for-each-ref", "refs/remotes/") == before  # nothing fetched
    assert not (loop.sup / ".git" / "pressroom-cache" / "desk-previews").exists()
    # a link the supervisor follows from elsewhere (a top-level navigation) still opens
    navigate = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate",
                "Sec-Fetch-Dest": "document"}
    assert client.get("/branch/post/closure", headers=navigate).status_code == 200
    # a form another site posts is refused before its token is even looked at
    token = token_of(client.get("/branch/post/closure").get_data(as_text=True))
    posted = client.post("/branch/post/closure/send-back", headers=navigate,
                         data={"token": token, "note": "from elsewhere"})
    assert posted.status_code == 403 and "Another site's page" in text_of(posted)
    # the preview's own pages are sandboxed (an opaque origin: "cross-site" to the browser):
    # their stylesheets and images still load
    css = client.get("/branch/post/closure/preview/site/index.html").get_data(as_text=True)
    sheet = re.search(r'href="([^"]+\.css)"', css)
    assert sheet, "the preview links no stylesheet"
    style = client.get("/branch/post/closure/preview/site/" + sheet.group(1).lstrip("./"),
                       headers={**CROSS_SITE_IMAGE, "Sec-Fetch-Dest": "style"})
    assert style.status_code == 200


@pytest.mark.browser
def test_a_hostile_page_in_chromium_gets_no_work_no_approval_and_no_frame(
        browser, loop, serve, tmp_path):  # noqa: F811
    """The supervisor, with the desk running, visits another site (here another port of
    127.0.0.1: "same-site" to the browser, the closest a test gets to a web page): its
    image, frame, script and self-submitting form reach the desk and achieve nothing."""
    tip = loop.push_branch("closure")
    base = serve(loop.sup)
    before = run_git(loop.sup, "for-each-ref", "refs/remotes/")
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "index.html").write_text(f"""<!doctype html><title>cats</title>
<img src="{base}/branch/post/closure" alt="">
<iframe src="{base}/branch/post/closure" id="f"></iframe>
<form method="post" action="{base}/branch/post/closure/approve" id="a" target="out">
<input name="tip" value="{tip}"><input name="token" value="guess"></form>
<iframe name="out"></iframe>
<script>
fetch("{base}/branch/post/closure/approve", {{method: "POST", mode: "no-cors",
  body: new URLSearchParams({{tip: "{tip}"}})}}).catch(() => 0);
document.getElementById("a").submit();
</script>""")
    handler = functools.partial(QuietHandler, directory=str(evil))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    visit = Visit(browser, f"http://127.0.0.1:{httpd.server_port}/index.html")
    try:
        visit.page.wait_for_timeout(3000)
        for frame in visit.page.frames[1:]:  # the desk refuses to be framed
            assert "Approve" not in frame.content(), frame.url
    finally:
        visit.close()
        httpd.shutdown()
        httpd.server_close()
    assert loop.central("main") == run_git(loop.sup, "rev-parse", "main")
    assert subprocess.run(["git", "merge-base", "--is-ancestor", tip, loop.central("main")],
                          cwd=loop.bare).returncode == 1  # not approved
    assert run_git(loop.sup, "for-each-ref", "refs/remotes/") == before  # nothing fetched
    assert not (loop.sup / ".git" / "pressroom-cache" / "desk-previews").exists()


def test_two_desks_on_one_clone_take_turns(loop):
    """A second desk on the same clone waits while the first is approving (here: past its
    wait, it says so in one line) instead of merging, resetting or aborting under it."""
    tip = loop.push_branch("closure")
    first = create_app(loop.sup)
    second = create_app(loop.sup, lock_timeout=1).test_client()
    token = review(second, "post/closure")
    before = loop.central("main")
    with first.extensions["pressroom_desk"].lock:  # the first desk is mid-approval
        busy = second.post("/branch/post/closure/approve", data={"token": token, "tip": tip})
        assert busy.status_code == 503
        assert "Another desk is working in this clone" in text_of(busy)
        assert loop.central("main") == before
    done = second.post("/branch/post/closure/approve", data={"token": token, "tip": tip})
    assert "Approved post/closure" in text_of(done)


@pytest.mark.browser
def test_a_branchs_template_script_does_not_run_in_its_preview(browser, loop,  # noqa: F811
                                                               serve):  # noqa: F811
    """A branch's own template puts a script in every preview page that reads a desk page
    for the token and posts a send-back, and a frame of the desk: in the real Chromium,
    under the preview's sandboxed policy, none of it runs or shows."""
    loop.dept.branch("post/evil")
    script = ('<script>document.title = "pwned"; fetch("/branch/post/evil").then(r => r.text())'
              '.then(t => fetch("/branch/post/evil/send-back", {method: "POST", body: new '
              'URLSearchParams({token: t.match(/name="token" value="([^"]+)"/)[1], '
              'note: "pwned"})}));</script><iframe id="f" src="/branch/post/evil"></iframe>')
    tip = loop.dept.commit_as("pio1", "Post evil", {
        "content/2026/evil.md": post_text(title="Evil", author="pio1"),
        "theme/templates/base.html": '{% extends "pressroom/base.html" %}\n'
                                     "{% block feeds %}" + script + "{% endblock %}\n"})
    loop.dept.git("push", "-q", "origin", "post/evil")
    loop.dept.git("switch", "-q", "main")
    base = serve(loop.sup)
    Visit(browser, base + "/branch/post/evil").close()  # makes the preview
    visit = Visit(browser, f"{base}/branch/post/evil/preview/site/index.html")
    try:
        page = visit.page
        assert "<script>document.title" in page.content()  # the template was used
        page.wait_for_timeout(2000)
        assert page.title() != "pwned"
        for frame in page.frames[1:]:
            assert "Approve" not in frame.content(), frame.url
    finally:
        visit.close()
    assert loop.central("post/evil") == tip  # no note was posted


def test_a_double_click_on_approve_makes_one_merge(loop):
    """Two Approve posts at once (a double click on a real server): one signed merge is
    pushed, the other click is refused in words."""
    tip = loop.push_branch("closure")
    before = loop.central("main")
    server = make_desk_server(loop.sup, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = url_of(server).rstrip("/")
    try:
        with urlopen(f"{base}/branch/post/closure", timeout=120) as answer:
            token = token_of(answer.read().decode())
        body = urlencode({"token": token, "tip": tip}).encode()
        answers: list[str] = []

        def click() -> None:
            request = Request(f"{base}/branch/post/closure/approve", data=body,
                              headers={"Origin": base})
            try:
                with urlopen(request, timeout=300) as answer:
                    answers.append(answer.read().decode())
            except HTTPError as error:
                answers.append(error.read().decode())

        clicks = [threading.Thread(target=click) for _ in range(2)]
        for one in clicks:
            one.start()
        for one in clicks:
            one.join(timeout=300)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    texts = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", a)).split()) for a in answers]
    assert sum("Approved post/closure" in t for t in texts) == 1, texts
    assert any("No branch post/closure is waiting" in t or "already on main" in t
               for t in texts), texts
    central = loop.central("main")
    assert run_git(loop.bare, "rev-parse", f"{central}^2") == tip
    assert run_git(loop.bare, "rev-parse", f"{central}^1") == before  # one merge, no second


def test_another_account_on_this_computer_cannot_use_the_desk(loop):
    """127.0.0.1 is every account's: another person logged in to the same computer opened
    the desk's address and got its pages and token, so could approve with this user's key."""
    require_tool(shutil.which("curl") is not None, "curl")
    require_tool(Path("/proc/net/tcp").is_file() and getattr(os, "getuid", lambda: -1)() == 0,
                 "Linux and root (to run curl as another account)")
    loop.push_branch("closure")
    server = make_desk_server(loop.sup, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = url_of(server)
    try:
        other = subprocess.run(["curl", "-s", "-w", "\\n%{http_code}", base + "new"],
                               capture_output=True, text=True, user=65534, timeout=60)
        mine = subprocess.run(["curl", "-s", "-w", "\\n%{http_code}", base + "new"],
                              capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert mine.stdout.endswith("\n200") and 'name="token"' in mine.stdout
    assert other.stdout.endswith("\n403"), other.stdout[-300:]
    assert 'name="token"' not in other.stdout
    assert "answers only to the account that started it" in other.stdout


def test_approve_refuses_a_clone_with_uncommitted_changes_and_leaves_them(loop):
    tip = loop.push_branch("closure")
    roster = loop.sup / "policy" / "roster.toml"
    edited = roster.read_text() + "\n# the supervisor's unsaved edit\n"
    roster.write_text(edited)
    before = loop.central("main")
    client = desk(loop.sup)
    token = review(client, "post/closure")
    text = text_of(client.post("/branch/post/closure/approve", data={"token": token, "tip": tip}))
    assert "This clone has uncommitted changes" in text
    assert roster.read_text() == edited and loop.central("main") == before
