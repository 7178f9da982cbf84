"""Attacks on `pressroom desk`: a hostile web page, a hostile branch author, a careless
supervisor and an unkind machine. Each test is an attack that once worked (then fixed) or a
claim of docs/desk.md that held when attacked.

Real git, a bare central repository made by `pressroom install-hooks`, real ssh-keygen keys
(tests/deskloop.py), Flask's test client.
"""

from __future__ import annotations

import html
import re
import socket
import subprocess
import time

import pytest
from click.testing import CliRunner
from conftest import post_text
from deskloop import make_loop, run_git, token_of

from pressroom.cli import cli
from pressroom.desk.app import create_app


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
    assert "commit(s) of its own that are not on the central main" in text, text
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
