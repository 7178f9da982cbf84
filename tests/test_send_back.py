"""What a newcomer met on the README's daily loop (issue #13, newcomer findings A).

* A supervisor who sent a branch back (the desk's signed empty note commit) can still approve
  it once the author pushed a fix: a commit that changes nothing is not authorship. An empty
  commit never launders content: a merge, a commit with another tree, or an unsigned commit
  under the note still counts.
* A direct commit pushed to main is refused with the next step, and the step works.
* ``pressroom approve`` says when it switched the clone to main.

Real git, real ssh-keygen keys, the central repository made by ``pressroom install-hooks``
(tests/deskloop.py), the desk's real send-back action.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import post_text
from deskloop import make_loop, run_git
from gitdept import Department

from pressroom.approvals.verification import verify_history
from pressroom.cli import cli
from pressroom.desk.actions import send_back


@pytest.fixture
def loop(tmp_path, keys_dir):
    return make_loop(tmp_path / "world", keys_dir)


@pytest.fixture
def dept(tmp_path, keys_dir):
    return Department(tmp_path / "dept", keys_dir)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def approve(clone: Path, branch: str):
    """The supervisor fetches (and reviews) what was pushed, then approves it."""
    assert git_in(clone, "fetch", "-q", "origin").returncode == 0
    return run("approve", "--repo", str(clone), branch)


def git_in(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=where, capture_output=True, text=True)


def pio_pushes(pio: Path, name: str, title: str) -> None:
    """The PIO writes content/2026/NAME.md on post/NAME (signed: setup-signing) and pushes."""
    if git_in(pio, "branch", "--show-current").stdout.strip() != f"post/{name}":
        assert git_in(pio, "switch", "-q", "-c", f"post/{name}", "origin/main").returncode == 0
    (pio / "content/2026").mkdir(parents=True, exist_ok=True)
    (pio / f"content/2026/{name}.md").write_text(post_text(title=title))
    assert git_in(pio, "add", "-A").returncode == 0
    done = git_in(pio, "commit", "-q", "-m", title)
    assert done.returncode == 0, done.stderr
    pushed = git_in(pio, "push", "-q", "-u", "origin", f"post/{name}")
    assert pushed.returncode == 0, pushed.stderr


# --- 1. send back, fix, approve by the same supervisor ----------------------------------------

def test_the_supervisor_who_sent_a_branch_back_approves_the_fix(loop):
    pio_pushes(loop.pio, "closure", "Road closure on Elm Street")
    sent = send_back(loop.sup, "post/closure", "Add the detour route.")
    assert sent.ok, (sent.summary, sent.lines)
    note = loop.central("post/closure")
    assert run_git(loop.bare, "log", "-1", "--format=%s", note).endswith(
        "Add the detour route. — run git pull before you push again")
    # Pushing the fix without pulling the note is refused by git (not a fast-forward) ...
    (loop.pio / "content/2026/closure.md").write_text(
        post_text(title="Road closure on Elm Street", body="Detour by Oak Street."))
    assert git_in(loop.pio, "commit", "-q", "-am", "Detour").returncode == 0
    assert git_in(loop.pio, "push", "-q", "origin", "post/closure").returncode != 0
    # ... so the author pulls first, as the note says, and pushes.
    pulled = git_in(loop.pio, "pull", "-q", "--no-rebase", "--no-edit")
    assert pulled.returncode == 0, pulled.stderr
    pushed = git_in(loop.pio, "push", "-q", "origin", "post/closure")
    assert pushed.returncode == 0, pushed.stderr

    approved = approve(loop.sup, "origin/post/closure")
    assert approved.exit_code == 0, approved.output
    assert "signed by Sgt. Dana Okafor (sup1)" in approved.output
    pushed = git_in(loop.sup, "push", "origin", "main")
    assert pushed.returncode == 0, pushed.stderr  # the server hook accepts it
    assert loop.central("main") == run_git(loop.sup, "rev-parse", "main")
    verified = run("verify", "--repo", str(loop.sup), "--no-cache")
    assert verified.exit_code == 0, verified.output
    assert verify_history(loop.bare, loop.central("main"), use_cache=False).problems == []


def problems(dept: Department) -> list[str]:
    result = verify_history(dept.root, dept.head("main"), use_cache=False)
    return [str(p) for p in result.problems]


def test_an_empty_commit_signed_by_the_approver_is_not_their_work(dept):
    dept.post_branch("closure")
    subprocess.run(["git", *dept._as("sup1"), "commit", "-q", "-S", "--allow-empty", "-m",
                    "Sent back by sup1: add the detour"], cwd=dept.root, check=True)
    dept.commit_as("pio1", "Detour", {"content/2026/closure.md": post_text(body="Detour.")})
    dept.merge_as("sup1", "post/closure")
    assert problems(dept) == []


def test_a_commit_with_another_tree_is_still_the_approvers_own(dept):
    dept.post_branch("closure")
    own = dept.commit_as("sup1", "Fix it myself",
                         {"content/2026/closure.md": post_text(body="Changed by sup1.")})
    dept.merge_as("sup1", "post/closure")
    assert [p for p in problems(dept) if "APPROVAL-SELF" in p and own[:7] in p]


def test_a_merge_with_its_first_parents_tree_is_still_the_approvers_own(dept):
    """``git merge -s ours``: the tree of one parent, but two parents: it is not a no-op."""
    dept.branch("post/side")
    dept.commit_as("pio1", "Side", {"content/2026/side.md": post_text(title="Side")})
    dept.post_branch("closure")
    subprocess.run(["git", *dept._as("sup1"), "merge", "-q", "-S", "-s", "ours", "--no-edit",
                    "post/side"], cwd=dept.root, check=True, capture_output=True)
    mine = dept.head()
    assert dept.head(f"{mine}^{{tree}}") == dept.head(f"{mine}^1^{{tree}}")
    dept.merge_as("sup1", "post/closure")
    assert [p for p in problems(dept) if "APPROVAL-SELF" in p and mine[:7] in p]


def test_an_empty_commit_does_not_launder_an_unsigned_commit_under_it(dept):
    dept.branch("post/closure")
    unsigned = dept.commit_as(None, "Stranger's post", {"content/2026/x.md": post_text()})
    subprocess.run(["git", *dept._as("pio1"), "commit", "-q", "-S", "--allow-empty", "-m",
                    "looks signed"], cwd=dept.root, check=True)
    dept.merge_as("sup1", "post/closure")
    found = problems(dept)
    assert any("APPROVAL-CONTENT-SIGNATURE" in p and unsigned[:7] in p for p in found), found


# --- 2. a direct commit on main: refused, with a next step that works --------------------------

def test_a_direct_push_to_main_says_how_to_put_it_on_a_branch(loop):
    before = loop.central("main")
    pio = loop.pio
    (pio / "content/2026/direct.md").write_text(post_text(title="Direct"))
    assert git_in(pio, "add", "-A").returncode == 0
    assert git_in(pio, "commit", "-q", "-m", "Direct").returncode == 0
    refused = git_in(pio, "push", "origin", "main")
    assert refused.returncode != 0 and loop.central("main") == before
    assert "APPROVAL-DIRECT: a direct commit on main" in refused.stderr
    assert "next: put your commits on a branch: git branch post/NAME && git reset --hard " \
        "origin/main, then git push origin post/NAME and ask a supervisor to approve it" \
        in refused.stderr
    # The step, as written (NAME filled in), then a supervisor approves: accepted.
    fixed = subprocess.run("git branch post/direct && git reset -q --hard origin/main && "
                           "git push -q origin post/direct", shell=True, cwd=pio,
                           capture_output=True, text=True)
    assert fixed.returncode == 0, fixed.stderr
    assert run_git(pio, "rev-parse", "main") == before
    assert approve(loop.sup, "origin/post/direct").exit_code == 0
    pushed = git_in(loop.sup, "push", "origin", "main")
    assert pushed.returncode == 0, pushed.stderr


def test_a_refused_merge_does_not_get_the_direct_commit_advice(loop):
    pio_pushes(loop.pio, "closure", "Road closure")
    dept = loop.dept
    dept.git("fetch", "-q", "origin")
    dept.git("switch", "-q", "main")
    dept.git("merge", "-q", "--ff-only", "origin/main")
    dept.merge_as("pio1", "origin/post/closure")  # the PIO may not approve
    refused = dept.git("push", "origin", "main", check=False)
    assert refused.returncode != 0 and "APPROVAL-ROLE" in refused.stderr
    assert "git branch post/NAME" not in refused.stderr


# --- 4. approve says it switched to main -----------------------------------------------------

def test_approve_from_another_branch_says_it_switched_to_main(loop):
    pio_pushes(loop.pio, "closure", "Road closure")
    sup = loop.sup
    assert git_in(sup, "switch", "-q", "-c", "notes").returncode == 0
    approved = approve(sup, "origin/post/closure")
    assert approved.exit_code == 0, approved.output
    assert "Switched to main (you were on notes)." in approved.output
    assert run_git(sup, "branch", "--show-current") == "main"
    pio_pushes(loop.pio, "second", "Second post")
    again = approve(sup, "origin/post/second")  # already on main
    assert again.exit_code == 0 and "Switched" not in again.output


def test_a_refused_approve_from_another_branch_says_it_switched_to_main(loop):
    loop.push_branch("mine", member="sup1")
    sup = loop.sup
    assert git_in(sup, "switch", "-q", "-c", "notes").returncode == 0
    refused = approve(sup, "origin/post/mine")
    assert refused.exit_code == 1 and "APPROVAL-SELF" in refused.output
    assert "Switched to main (you were on notes)." in refused.output
