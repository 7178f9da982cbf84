"""`pressroom desk` through Flask's test client: the queue, a branch's review sheet, Approve,
Send back, the PIO's new post, and the guards (token, Host, Origin, headers, one-line errors).

Everything runs against real git: a bare central repository made by `pressroom
install-hooks`, the supervisor's and the PIO's own clones signing with real ssh-keygen keys
(tests/deskloop.py). The browser half is tests/test_desk_browser.py.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from deskloop import make_loop, run_git, token_of

from pressroom.approvals.verification import verify_history
from pressroom.cli import cli
from pressroom.desk import previews, queue
from pressroom.desk.app import create_app
from pressroom.desk.drafts import now_at
from pressroom.desk.server import make_desk_server, url_of


@pytest.fixture
def loop(tmp_path, keys_dir):
    return make_loop(tmp_path / "world", keys_dir)


def desk(clone):
    return create_app(clone).test_client()


def main_part(response) -> str:
    html = response.get_data(as_text=True)
    return html[html.index("<main"):html.index("</main>")]


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main_part(response))).split())


# --- the queue -------------------------------------------------------------------------------

def test_an_empty_queue_says_so(loop):
    page = desk(loop.sup).get("/")
    assert page.status_code == 200
    assert "The queue is empty: no branch is waiting for review." in text_of(page)


def test_the_queue_lists_pushed_branches_newest_first_with_their_facts(loop):
    loop.push_branch("closure")
    loop.push_branch("leak", body="The victim's SSN is 219-09-9999.")
    loop.push_branch("alert", category="safety-alerts", expires="2026-11-20 13:00",
                     area="Elm Street", incident="2026-1120-elm")
    page = desk(loop.sup).get("/")  # the page fetches: the clone had never seen them
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", main_part(page), re.S)
    names = [re.search(r">(post/[^<]+)<", row).group(1) for row in rows]
    assert set(names) == {"post/closure", "post/leak", "post/alert"}
    cells = {name: " ".join(re.sub(r"<[^>]+>", " ", row).split())
             for name, row in zip(names, rows, strict=True)}
    assert cells["post/closure"] == "post/closure Pat Rivera traffic No 0 just now Waiting"
    assert cells["post/leak"].split()[4:6] == ["No", "1"]  # one finding: the SSN
    assert "safety-alerts Incident alert" in cells["post/alert"]
    # merged branches leave the queue
    loop.dept.merge_as("sup2", "post/closure")
    loop.dept.git("push", "-q", "origin", "main")
    assert "post/closure" not in main_part(desk(loop.sup).get("/"))


def test_newest_first(loop):
    loop.push_branch("older")
    loop.dept.branch("post/newer")
    loop.dept.commit_as("pio1", "Newer", {"content/2026/newer.md": "Title: x\n\nx\n"},
                        date="2030-01-01T00:00:00+00:00")
    loop.dept.git("push", "-q", "origin", "post/newer")
    loop.dept.git("switch", "-q", "main")
    page = main_part(desk(loop.sup).get("/"))
    assert page.index("post/newer") < page.index("post/older")


def test_an_unreachable_central_repository_shows_the_last_fetched_queue(loop, tmp_path):
    loop.push_branch("closure")
    client = desk(loop.sup)
    client.get("/")
    run_git(loop.sup, "remote", "set-url", "origin", f"file://{tmp_path}/gone.git")
    page = text_of(client.get("/"))
    assert "Could not reach the central repository" in page
    assert "post/closure" in page


# --- a branch: the review sheet and its files --------------------------------------------------

def test_the_branch_page_shows_the_review_sheet_and_serves_the_preview(loop):
    loop.push_branch("closure")
    client = desk(loop.sup)
    page = client.get("/branch/post/closure")
    text = text_of(page)
    assert page.status_code == 200
    assert "/2026/closure/ added page" in text
    assert "/feeds/all.atom.xml changed feed" in text
    assert "The approval rules would accept your merge of this branch." in text
    assert "Post closure Pat Rivera" in text  # the signer, from the signature
    sheet = client.get("/branch/post/closure/preview/review.html")
    assert sheet.status_code == 200 and sheet.mimetype == "text/html"
    assert "script-src 'none'" in sheet.headers["Content-Security-Policy"]
    post = client.get("/branch/post/closure/preview/site/2026/closure/")
    assert post.status_code == 200 and "Preview" in post.get_data(as_text=True)


def test_a_branch_that_breaks_a_rule_says_its_site_was_not_built(loop):
    loop.push_branch("leak", body="The victim's SSN is 219-09-9999.")
    text = text_of(desk(loop.sup).get("/branch/post/leak"))
    assert "The preview site was not built: the merged site cannot be built (1 problem)" in text
    assert "content/2026/leak.md:7 PRIVACY-SSN" in text
    assert "No public address changes" not in text


def test_a_branch_by_the_supervisor_is_marked_as_not_approvable(loop):
    loop.push_branch("mine", member="sup1")
    text = text_of(desk(loop.sup).get("/branch/post/mine"))
    assert "would not accept your merge" in text


def test_preview_files_are_served_only_from_inside_the_preview_never_through_a_link(loop,
                                                                                     tmp_path):
    loop.push_branch("closure")
    client = desk(loop.sup)
    assert client.get("/branch/post/closure").status_code == 200
    entry = queue.entry(loop.sup, "post/closure")
    where = previews.folder(loop.sup, entry)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the browser")
    os.symlink(secret, where / "site" / "leak.txt")
    os.symlink(tmp_path, where / "site" / "outside")
    for path in ("site/leak.txt", "site/outside/secret.txt", "../../../config",
                 "site/../../secret.txt", "site/%2e%2e/review.json", "site"):
        answer = client.get(f"/branch/post/closure/preview/{path}")
        assert answer.status_code == 404, path
        assert b"not for the browser" not in answer.data
    assert previews.read(loop.sup, entry, "site/../review.json") is None
    assert previews.read(loop.sup, entry, "/etc/passwd") is None
    assert previews.read(loop.sup, entry, "review.json") is not None


def test_an_unknown_branch_is_a_one_line_404(loop):
    page = desk(loop.sup).get("/branch/post/nope")
    assert page.status_code == 404
    assert "No branch post/nope is waiting for review" in text_of(page)
    assert "Traceback" not in page.get_data(as_text=True)


# --- Approve -----------------------------------------------------------------------------------

def test_approve_makes_the_signed_merge_pushes_it_and_shows_the_servers_answer(loop):
    tip = loop.push_branch("closure")
    client = desk(loop.sup)
    token = token_of(client.get("/branch/post/closure").get_data(as_text=True))
    done = client.post("/branch/post/closure/approve", data={"token": token, "tip": tip})
    text = text_of(done)
    assert "Approved post/closure: merge" in text and "signed by Sgt. Dana Okafor" in text
    assert "What the central repository answered" in text and "main -> main" in text
    central = loop.central("main")
    assert run_git(loop.bare, "rev-parse", f"{central}^2") == tip
    assert run_git(loop.sup, "log", "-1", "--format=%G? %GS", central) == "G sup1"
    assert verify_history(loop.bare, central, use_cache=False).ok
    assert "post/closure" not in main_part(client.get("/"))


def test_approve_is_refused_for_a_self_approval_and_main_stays(loop):
    tip = loop.push_branch("mine", member="sup1")
    before = loop.central("main")
    client = desk(loop.sup)
    token = token_of(client.get("/branch/post/mine").get_data(as_text=True))
    text = text_of(client.post("/branch/post/mine/approve", data={"token": token, "tip": tip}))
    assert "Not approved" in text and "APPROVAL-SELF" in text
    assert loop.central("main") == before
    assert run_git(loop.sup, "rev-parse", "main") == before


def test_approve_refuses_a_branch_that_moved_since_the_page_was_read(loop):
    old = loop.push_branch("closure")
    client = desk(loop.sup)
    token = token_of(client.get("/branch/post/closure").get_data(as_text=True))
    loop.dept.git("switch", "-q", "post/closure")
    loop.dept.commit_as("pio1", "More", {"content/2026/more.md": "Title: m\n\nm\n"})
    loop.dept.git("push", "-q", "origin", "post/closure")
    before = loop.central("main")
    text = text_of(client.post("/branch/post/closure/approve", data={"token": token, "tip": old}))
    assert "changed since you opened it" in text
    assert loop.central("main") == before


def test_approve_brings_a_stale_main_up_to_date_first(loop):
    """The issue's stale-main refusal: the desk fast-forwards main before merging."""
    loop.push_branch("first")
    loop.dept.merge_as("sup2", "post/first")
    loop.dept.git("push", "-q", "origin", "main")  # central main moves on; sup1's is stale
    tip = loop.push_branch("second")
    client = desk(loop.sup)
    token = token_of(client.get("/branch/post/second").get_data(as_text=True))
    text = text_of(client.post("/branch/post/second/approve", data={"token": token,
                                                                    "tip": tip}))
    assert "Approved post/second" in text
    assert run_git(loop.bare, "rev-parse", "main^2") == tip


def test_a_push_the_server_refuses_shows_its_lines_and_takes_the_merge_back(loop):
    """The central repository has the last word: its hook's lines are shown, and the merge
    that never left this clone is taken off its main (a hook of the test's own stands in
    for a server that refuses what the clone accepted, e.g. during maintenance)."""
    tip = loop.push_branch("closure")
    hook = loop.bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'main is frozen for maintenance until 18:00'\nexit 1\n")
    before = loop.central("main")
    client = desk(loop.sup)
    token = token_of(client.get("/branch/post/closure").get_data(as_text=True))
    text = text_of(client.post("/branch/post/closure/approve", data={"token": token, "tip": tip}))
    assert "The central repository refused the approval of post/closure" in text
    assert "main is frozen for maintenance until 18:00" in text
    assert loop.central("main") == before
    assert run_git(loop.sup, "rev-parse", "main") == before
    assert run_git(loop.sup, "status", "--porcelain") == ""


# --- Send back ---------------------------------------------------------------------------------

def test_send_back_adds_a_signed_note_commit_and_never_touches_the_clone(loop):
    tip = loop.push_branch("closure")
    client = desk(loop.sup)
    token = token_of(client.get("/branch/post/closure").get_data(as_text=True))
    head, status = run_git(loop.sup, "rev-parse", "HEAD"), run_git(loop.sup, "status", "-s")
    empty = text_of(client.post("/branch/post/closure/send-back",
                                data={"token": token, "note": "   "}))
    assert "Write a note" in empty and loop.central("post/closure") == tip
    done = text_of(client.post("/branch/post/closure/send-back",
                               data={"token": token, "note": "Add the detour\nroute, please."}))
    assert "Sent post/closure back to its author" in done
    note = loop.central("post/closure")
    assert run_git(loop.bare, "rev-parse", f"{note}^") == tip  # a new commit on top
    assert run_git(loop.bare, "rev-parse", f"{note}^{{tree}}") == \
        run_git(loop.bare, "rev-parse", f"{tip}^{{tree}}")  # changes no file
    assert run_git(loop.sup, "log", "-1", "--format=%G? %GS%n%s", note) == \
        "G sup1\nSent back by Sgt. Dana Okafor (sup1): Add the detour route, please. — run " \
        "git pull before you push again"
    assert (run_git(loop.sup, "rev-parse", "HEAD"), run_git(loop.sup, "status", "-s")) == \
        (head, status)
    row = text_of(client.get("/"))
    assert "Sent back by Sgt. Dana Okafor (sup1): Add the detour route, please." in row


# --- the PIO's new post ------------------------------------------------------------------------

YEAR = f"{date.today():%Y}"  # a post the desk writes is dated now
FAIR = {"title": "Fair on Saturday", "category": "community",
        "summary": "The community fair is on Saturday at 10 a.m. in Central Park.",
        "body": "Come and meet the officers of the department."}


def test_check_shows_the_findings_and_commit_is_refused_while_they_remain(loop):
    client = desk(loop.pio)
    token = token_of(client.get("/new").get_data(as_text=True))
    bad = {**FAIR, "body": "The victim's SSN is 219-09-9999.", "token": token}
    checked = text_of(client.post("/new", data={**bad, "action": "check"}))
    assert f"content/{YEAR}/fair-on-saturday.md:7 PRIVACY-SSN" in checked
    refused = text_of(client.post("/new", data={**bad, "action": "commit"}))
    assert "Not committed: the draft breaks a content rule." in refused
    assert run_git(loop.bare, "branch", "--list", "post/*") == ""
    fine = text_of(client.post("/new", data={**FAIR, "token": token, "action": "check"}))
    assert "No findings: every content rule passes." in fine
    fragment = client.post("/check", data={**bad, "token": token}).get_data(as_text=True)
    assert "PRIVACY-SSN" in fragment and "<main" not in fragment


def test_the_draft_is_checked_with_the_central_mains_policy_not_the_working_folders(loop):
    """The clone may be on any branch with any edits: the rules read main's policy/ from git."""
    roster = loop.pio / "policy" / "roster.toml"
    roster.write_text(roster.read_text().replace("[members.pio1]", "[members.someone]"))
    client = desk(loop.pio)
    token = token_of(client.get("/new").get_data(as_text=True))
    checked = text_of(client.post("/new", data={**FAIR, "token": token, "action": "check"}))
    assert "No findings: every content rule passes." in checked


def test_commit_and_push_makes_a_signed_branch_without_touching_the_working_tree(loop):
    client = desk(loop.pio)
    token = token_of(client.get("/new").get_data(as_text=True))
    before = [run_git(loop.pio, *args) for args in
              (("rev-parse", "HEAD"), ("status", "--porcelain", "--ignored"),
               ("branch", "--list"), ("ls-files", "--stage"))]
    done = text_of(client.post("/new", data={**FAIR, "token": token, "action": "commit"}))
    assert f"Pushed post/fair-on-saturday with content/{YEAR}/fair-on-saturday.md" in done
    tip = loop.central("post/fair-on-saturday")
    assert run_git(loop.bare, "rev-parse", f"{tip}^") == loop.central("main")
    assert run_git(loop.bare, "diff-tree", "--no-commit-id", "--name-status", "-r", tip) == \
        f"A\tcontent/{YEAR}/fair-on-saturday.md"
    text = run_git(loop.bare, "show", f"{tip}:content/{YEAR}/fair-on-saturday.md")
    assert "Author: pio1" in text and "Category: community" in text
    assert run_git(loop.pio, "log", "-1", "--format=%G? %GS", "origin/post/fair-on-saturday") \
        == "G pio1"
    assert [run_git(loop.pio, *args) for args in
            (("rev-parse", "HEAD"), ("status", "--porcelain", "--ignored"),
             ("branch", "--list"), ("ls-files", "--stage"))] == before
    again = text_of(client.post("/new", data={**FAIR, "token": token, "action": "commit"}))
    assert "already exists on the central repository" in again
    # the supervisor sees it in the queue and approves it; the server accepts it
    sup = desk(loop.sup)
    assert "post/fair-on-saturday" in main_part(sup.get("/"))
    sup_token = token_of(sup.get("/branch/post/fair-on-saturday").get_data(as_text=True))
    approved = text_of(sup.post("/branch/post/fair-on-saturday/approve",
                                data={"token": sup_token, "tip": tip}))
    assert "Approved post/fair-on-saturday" in approved
    assert run_git(loop.bare, "rev-parse", "main^2") == tip


def test_an_incident_update_carries_the_incidents_fields_forward(loop):
    now = now_at(loop.dept.root)  # the department's time zone
    start, ends = now - timedelta(hours=2), now + timedelta(days=2)
    loop.dept.post_branch("elm", category="safety-alerts", title="Police activity on Elm",
                          date=f"{start:%Y-%m-%d %H:%M}", expires=f"{ends:%Y-%m-%d %H:%M}",
                          area="Elm Street between 4th and 6th", incident="2026-elm",
                          instruction="Avoid the area.", response="Avoid")
    loop.dept.merge_as("sup2", "post/elm")
    loop.dept.git("push", "-q", "origin", "main")
    client = desk(loop.pio)
    client.get("/")  # fetch
    form = client.get("/new").get_data(as_text=True)
    assert '<option value="2026-elm">2026-elm: Police activity on Elm (Active)</option>' in form
    update = client.get("/new?incident=2026-elm").get_data(as_text=True)
    for value in ('name="incident" value="2026-elm"', 'value="Elm Street between 4th and 6th"',
                  'value="Avoid the area."', f'value="{ends:%Y-%m-%d %H:%M}"',
                  '<option value="Avoid" selected>', '<option value="safety-alerts" selected>',
                  'name="sequence" inputmode="numeric" value="2"'):  # after the first post
        assert value in update, value
    assert client.get("/new?incident=nope").status_code == 404
    # The update the desk commits is the incident's next post in the thread's order.
    done = text_of(client.post("/new", data={
        "token": token_of(update), "action": "commit", "title": "Elm Street reopened",
        "category": "safety-alerts", "summary": "Elm Street is open again.",
        "body": "Officers have left the area.", "incident": "2026-elm", "sequence": "2",
        "area": "Elm Street between 4th and 6th", "instruction": "You may use Elm Street.",
        "response": "AllClear", "expires": f"{ends:%Y-%m-%d %H:%M}"}))
    assert "Pushed post/elm-street-reopened" in done, done
    tip = loop.central("post/elm-street-reopened")
    text = run_git(loop.bare, "show", f"{tip}:content/{now:%Y}/elm-street-reopened.md")
    assert "Incident: 2026-elm" in text and "Sequence: 2" in text and "Response: AllClear" in text


# --- the guards --------------------------------------------------------------------------------

def test_every_post_needs_the_sessions_token(loop):
    tip = loop.push_branch("closure")
    client = desk(loop.sup)
    client.get("/")
    for data in ({"tip": tip}, {"tip": tip, "token": "guessed"}, {"tip": tip, "token": ""}):
        refused = client.post("/branch/post/closure/approve", data=data)
        assert refused.status_code == 403
        assert "did not come from the desk" in text_of(refused)
    assert client.post("/new", data={**FAIR, "action": "commit"}).status_code == 403
    assert client.post("/check", data=FAIR).status_code == 403
    other = desk(loop.sup)  # another desk (another session): its token is not this one's
    token = token_of(other.get("/new").get_data(as_text=True))
    assert client.post("/branch/post/closure/send-back",
                       data={"token": token, "note": "x"}).status_code == 403
    assert loop.central("post/closure") == tip
    assert client.get("/branch/post/closure/approve").status_code in (404, 405)  # only POST
    assert loop.central("main") == run_git(loop.sup, "rev-parse", "origin/main")


def test_a_foreign_host_or_origin_is_refused(loop):
    client = desk(loop.sup)
    token = token_of(client.get("/new").get_data(as_text=True))
    for host in ("evil.example", "evil.example:8300", "127.0.0.1.evil.example", "10.0.0.1"):
        refused = client.get("/", headers={"Host": host})
        assert refused.status_code == 403, host
        assert "answers only to 127.0.0.1 or localhost" in text_of(refused)
    for host in ("localhost", "127.0.0.1:8300", "[::1]:8300"):
        assert client.get("/new", headers={"Host": host}).status_code == 200, host
    data = {**FAIR, "token": token}
    assert client.post("/check", data=data,
                       headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post("/check", data=data,
                       headers={"Referer": "http://evil.example/x"}).status_code == 403
    assert client.post("/check", data=data,
                       headers={"Origin": "http://localhost"}).status_code == 200
    assert client.post("/check", data=data, headers={"Origin": "null"}).status_code == 200


def test_an_unexpected_error_is_one_line_on_the_page_never_a_traceback(loop, monkeypatch):
    def broken(repo):
        raise RuntimeError("the queue broke\nsecond line")

    monkeypatch.setattr(queue, "load", broken)
    page = desk(loop.sup).get("/")
    assert page.status_code == 500
    assert "RuntimeError: the queue broke" in text_of(page)
    body = page.get_data(as_text=True)
    assert "second line" not in body and "Traceback" not in body


def test_every_page_sends_the_security_headers(loop):
    page = desk(loop.sup).get("/")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert desk(loop.sup).get("/nope", headers={"Host": "evil"}).headers[
        "X-Frame-Options"] == "DENY"


# --- the command -------------------------------------------------------------------------------

def test_desk_refuses_a_non_loopback_host_and_a_folder_that_is_not_a_clone(loop, tmp_path):
    result = CliRunner().invoke(cli, ["desk", "--repo", str(loop.sup), "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "the desk listens only on this computer" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["desk", "--repo", str(tmp_path), "--port", "0"])
    assert result.exit_code == 2 and "not a git clone" in result.output
    run_git(loop.sup, "remote", "remove", "origin")
    result = CliRunner().invoke(cli, ["desk", "--repo", str(loop.sup), "--port", "0"])
    assert result.exit_code == 2 and "has no remote 'origin'" in result.output


def test_desk_prints_its_url_and_serves_on_loopback(loop):
    process = subprocess.Popen([sys.executable, "-m", "pressroom", "desk", "--repo",
                                str(loop.sup), "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        found = re.match(r"pressroom desk: (http://127\.0\.0\.1:\d+/) ", line)
        assert found, line
        from urllib.request import urlopen

        with urlopen(found.group(1), timeout=30) as answer:
            assert answer.status == 200 and b"Waiting for review" in answer.read()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_make_desk_server_binds_loopback_only(loop):
    server = make_desk_server(loop.sup, "127.0.0.1", 0)
    try:
        assert url_of(server).startswith("http://127.0.0.1:")
    finally:
        server.server_close()


def test_an_error_page_still_names_who_the_desk_acts_as(loop):
    """A 404 or a refused form is no reason to tell a set-up supervisor to set up signing."""
    client = desk(loop.sup)
    for response in (client.get("/branch/post/nope"), client.post("/new", data={})):
        assert response.status_code in (403, 404)
        page = response.get_data(as_text=True)
        assert "Sgt. Dana Okafor (sup1)" in page and "unknown member" not in page


def test_a_new_alert_from_the_desk_gets_an_incident_id_and_sequence_like_pressroom_new(loop):
    """Without an Incident id an alert is no incident alert: an incident commander could not
    approve it. The desk names a new incident as `pressroom new` does."""
    client = desk(loop.pio)
    token = token_of(client.get("/new").get_data(as_text=True))
    done = text_of(client.post("/new", data={
        "token": token, "action": "commit", "title": "Gas leak on Citrus Avenue",
        "category": "safety-alerts", "summary": "Avoid Citrus Avenue near 1st Street.",
        "body": "Crews are repairing a gas line.", "area": "Citrus Avenue at 1st Street",
        "instruction": "Avoid the area.", "response": "Avoid"}))
    assert "Pushed post/gas-leak-on-citrus-avenue" in done, done
    tip = loop.central("post/gas-leak-on-citrus-avenue")
    text = run_git(loop.bare, "show", f"{tip}:content/{YEAR}/gas-leak-on-citrus-avenue.md")
    assert re.search(r"(?m)^Incident: \d{4}-\d{4}-gas$", text) and "Sequence: 1" in text
