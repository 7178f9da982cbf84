"""The supervisor's commands in a department repository (issue #13, 3a 3b 3d): check a
branch without checking it out, approve onto the central main, serve the built site, and
run from a subfolder. Real git, real ssh-keygen signing, a real bare central repository."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import post_text
from gitdept import Department, bare_server

from pressroom.cli import cli

SSN = "The victim's SSN is 219-09-9999."


@pytest.fixture
def dept(tmp_path, keys_dir):
    return Department(tmp_path / "dept", keys_dir)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def in_folder(folder: Path, *args: str):
    """The command as someone would type it in ``folder`` (no --repo)."""
    here = Path.cwd()
    os.chdir(folder)
    try:
        return run(*args)
    finally:
        os.chdir(here)


# --- pressroom check --branch ---------------------------------------------------------------

def test_check_branch_reads_the_branch_not_the_working_folder(dept):
    dept.post_branch("leak", body=SSN)
    dept.git("switch", "-q", "main")
    (dept.root / "content/2026/untracked.md").write_text(post_text(body=SSN))

    branch = run("check", "--repo", str(dept.root), "--branch", "post/leak")
    assert branch.exit_code == 1, branch.output
    assert "content/2026/leak.md:7: PRIVACY-SSN" in branch.output
    assert "untracked" not in branch.output  # the working folder's file does not count
    assert "/tmp" not in branch.output and "tree-" not in branch.output

    (dept.root / "content/2026/untracked.md").unlink()
    here = run("check", "--repo", str(dept.root))
    assert here.exit_code == 0, here.output  # main, checked out, is clean
    assert dept.git("branch", "--show-current").stdout.strip() == "main"


def test_check_branch_of_a_clean_branch_ignores_a_bad_untracked_file(dept):
    dept.post_branch("closure")
    dept.git("switch", "-q", "main")
    (dept.root / "content/2026/untracked.md").write_text(post_text(body=SSN))
    assert run("check", "--repo", str(dept.root)).exit_code == 1  # the folder is not clean

    result = run("check", "--repo", str(dept.root), "--branch", "post/closure")
    assert result.exit_code == 0, result.output
    assert "OK: checked 1 file, no problems." in result.output


def test_check_branch_with_files_and_report(dept):
    dept.post_branch("leak", body=SSN)
    dept.commit_as("pio1", "Another", {"content/2026/fine.md": post_text(title="Fine post")})
    dept.git("switch", "-q", "main")
    one = run("check", "--repo", str(dept.root), "--branch", "post/leak", "--report",
              "content/2026/fine.md")
    assert one.exit_code == 0, one.output
    assert "Suppressions in force: none" in one.output
    missing = run("check", "--repo", str(dept.root), "--branch", "post/leak",
                  "content/2026/nope.md")
    assert missing.exit_code == 2
    assert "content/2026/nope.md: no such file in post/leak" in missing.output


def test_check_branch_refuses_a_link_by_name_and_unknown_names(dept):
    dept.branch("post/link")
    dept.commit_link("pio1", "content/2026/passwd.md", "/etc/passwd")
    result = run("check", "--repo", str(dept.root), "--branch", "post/link")
    assert result.exit_code == 1, result.output
    assert "content/2026/passwd.md: FILE-LINK" in result.output
    unknown = run("check", "--repo", str(dept.root), "--branch", "post/nope")
    assert unknown.exit_code == 2
    assert unknown.output.strip().splitlines()[-1].startswith("Error: --branch post/nope:")
    assert "Traceback" not in unknown.output


def test_check_branch_one_after_another_reuses_the_copy_but_never_mixes_branches(dept):
    dept.post_branch("leak", body=SSN)
    dept.git("switch", "-q", "main")
    dept.post_branch("fine")
    dept.git("switch", "-q", "main")
    for branch, code in (("post/leak", 1), ("post/fine", 0), ("main", 0), ("post/leak", 1),
                         ("post/fine", 0)):
        result = run("check", "--repo", str(dept.root), "--branch", branch)
        assert result.exit_code == code, (branch, result.output)
        assert ("leak.md" in result.output) == (branch == "post/leak"), result.output
    fresh = run("check", "--repo", str(dept.root), "--branch", "post/leak", "--no-cache")
    assert fresh.exit_code == 1 and "PRIVACY-SSN" in fresh.output


def test_check_branch_never_runs_the_branchs_settings_or_plugins(dept, tmp_path):
    marker = tmp_path / "ran"
    code = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n"
    dept.branch("site/settings")
    dept.commit_as("pio1", "Settings and a plugin", {
        "pelicanconf.py": code, "plugins/evil/__init__.py": code,
        "plugins/evil/evil.py": code, "theme/templates/base.html": "{{ x }}"})
    dept.git("switch", "-q", "main")
    result = run("check", "--repo", str(dept.root), "--branch", "site/settings")
    assert result.exit_code == 1, result.output
    assert "pelicanconf.py:" in result.output and "SETTINGS" in result.output
    assert not marker.exists()


# --- from a subfolder, and outside any repository -------------------------------------------

def test_commands_work_from_a_subfolder_of_the_repository(dept):
    dept.post_branch("leak", body=SSN)
    dept.git("switch", "-q", "main")
    sub = dept.root / "content" / "2026"
    result = in_folder(sub, "check", "--branch", "post/leak")
    assert result.exit_code == 1 and "content/2026/leak.md:7: PRIVACY-SSN" in result.output
    assert in_folder(sub, "check").exit_code == 0
    verified = in_folder(sub, "verify")
    assert verified.exit_code == 0, verified.output


def test_outside_any_repository_one_line_says_where_to_go(tmp_path):
    empty = tmp_path / "somewhere"
    empty.mkdir()
    for args in (["check"], ["verify"], ["records"], ["approve", "post/x"],
                 ["check", "--branch", "post/x"]):
        result = in_folder(empty, *args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, (args, result.output)
        assert "is not inside a department repository" in lines[0]
        assert "--repo PATH" in lines[0]


def test_raw_git_errors_become_one_line_messages(dept, tmp_path):
    records = run("records", "--repo", str(dept.root), "--branch", "nope")
    assert records.exit_code == 2
    assert records.output.strip() == "Error: 'nope' is not a branch, tag or commit here"
    plain = tmp_path / "plain"
    (plain / "content").mkdir(parents=True)
    for args in (["approve", "post/x"], ["records"], ["check", "--branch", "main"]):
        result = run(*args[:1], "--repo", str(plain), *args[1:])
        assert result.exit_code == 2, (args, result.output)
        assert result.output.strip() == (
            f"Error: {plain} is not a git repository: run this in your clone of the "
            f"department's repository, or pass --repo PATH"), args


# --- pressroom approve and the central repository -------------------------------------------

@pytest.fixture
def central(dept, tmp_path):
    """The supervisor's clone is the chief's first repository, pushed to the server without
    -u as a new department does after `pressroom init`: its main has no upstream. The PIO
    works in a clone of the server where another supervisor (sup2) approves too."""
    bare = bare_server(tmp_path / "pd-site.git")
    dept.git("remote", "add", "origin", f"file://{bare}")
    assert dept.git("push", "-q", "origin", "main", check=False).returncode == 0
    other = tmp_path / "pio-clone"
    subprocess.run(["git", "clone", "-q", f"file://{bare}", str(other)], check=True)
    return bare, other


def other_git(dept: Department, clone: Path, member: str | None, *args: str) -> str:
    """git in the PIO's clone, as ``member`` (signing with their key)."""
    done = subprocess.run(["git", *dept._as(member), *args], cwd=clone, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def pio_pushes(dept: Department, clone: Path, name: str) -> None:
    """The PIO starts post/NAME from the central main, commits (signed) and pushes it."""
    other_git(dept, clone, None, "fetch", "-q", "origin")
    other_git(dept, clone, None, "switch", "-q", "-C", f"post/{name}", "origin/main")
    (clone / "content/2026").mkdir(parents=True, exist_ok=True)
    (clone / f"content/2026/{name}.md").write_text(post_text(title=f"Post {name}"))
    other_git(dept, clone, None, "add", "-A")
    other_git(dept, clone, "pio1", "commit", "-q", "-S", "-m", f"Post {name}")
    other_git(dept, clone, None, "push", "-q", "origin", f"post/{name}")


def main_moves_on(dept: Department, clone: Path) -> None:
    """sup2 approves post/first in the PIO's clone and pushes: the central main moves on;
    then the PIO starts post/second from that new main."""
    pio_pushes(dept, clone, "first")
    other_git(dept, clone, None, "switch", "-q", "main")
    other_git(dept, clone, None, "pull", "-q", "--ff-only")
    other_git(dept, clone, "sup2", "merge", "-q", "--no-ff", "-S", "-m", "Approve",
              "post/first")
    other_git(dept, clone, None, "push", "-q", "origin", "main")
    pio_pushes(dept, clone, "second")


def test_a_merge_onto_a_stale_main_is_what_the_server_refused(dept, central):
    """The issue's failure, reproduced by hand: the supervisor fetched but their main (no
    upstream) was stale, so the merge's first parent is not the server's main; the push
    is refused (as before), and the refusal now says what to do."""
    bare, clone = central
    main_moves_on(dept, clone)
    dept.git("fetch", "-q", "origin")
    merge = dept.merge_as("sup1", "origin/post/second")
    server_before = subprocess.run(["git", "rev-parse", "main"], cwd=bare, text=True,
                                   capture_output=True).stdout.strip()
    pushed = dept.git("push", "origin", "main", check=False)
    assert pushed.returncode != 0
    # Once "cannot verify the pushed history: b49098c is not on the first-parent history of
    # 0e90148"; now the server says what happened and what to run.
    assert f"the merge was made on an out-of-date main: main here is {server_before[:7]}, " \
        f"which {merge[:7]} brings in as a branch instead of building on it. On main: git " \
        "fetch origin && git reset --hard origin/main, then pressroom approve the branch " \
        "again and push" in pushed.stderr


def test_approve_fetches_and_refuses_a_stale_main_saying_what_to_run(dept, central):
    bare, clone = central
    main_moves_on(dept, clone)
    dept.git("fetch", "-q", "origin", "post/second:refs/remotes/origin/post/second")
    before = dept.head("main")
    assert run("setup-signing", "--repo", str(dept.root), "--member", "sup1", "--key",
               str(dept.keys["sup1"].private)).exit_code == 0
    refused = run("approve", "--repo", str(dept.root), "origin/post/second")
    assert refused.exit_code == 2, refused.output
    assert "main is 2 commits behind origin/main, the central main: run " \
        "`git switch main && git pull --ff-only origin main`, then approve again" \
        in refused.output
    assert dept.head("main") == before
    # Doing exactly that, the approval goes through and the server accepts the push.
    dept.git("switch", "-q", "main")
    dept.git("pull", "-q", "--ff-only", "origin", "main")
    approved = run("approve", "--repo", str(dept.root), "origin/post/second")
    assert approved.exit_code == 0, approved.output
    assert "Next: git push origin main" in approved.output
    pushed = dept.git("push", "origin", "main", check=False)
    assert pushed.returncode == 0, pushed.stderr


def test_approve_refuses_a_branch_its_author_pushed_again_after_the_review(dept, central):
    bare, clone = central
    pio_pushes(dept, clone, "first")
    dept.git("fetch", "-q", "origin")
    reviewed = dept.head("origin/post/first")
    (clone / "content/2026/first.md").write_text(post_text(title="Changed after review"))
    other_git(dept, clone, "pio1", "commit", "-q", "-S", "-am", "Later")
    other_git(dept, clone, None, "push", "-q", "origin", "post/first")
    dept.git("config", "user.signingkey", str(dept.keys["sup1"].private))
    refused = run("approve", "--repo", str(dept.root), "origin/post/first")
    assert refused.exit_code == 2, refused.output
    assert f"origin/post/first moved from {reviewed[:7]} to" in refused.output
    assert "pressroom check --branch origin/post/first" in refused.output


def test_approve_refuses_when_origin_cannot_be_fetched_unless_offline(dept, central):
    bare, clone = central
    pio_pushes(dept, clone, "first")
    dept.git("fetch", "-q", "origin")
    dept.git("remote", "set-url", "origin", f"file://{bare}-gone")
    assert run("setup-signing", "--repo", str(dept.root), "--member", "sup1", "--key",
               str(dept.keys["sup1"].private)).exit_code == 0
    refused = run("approve", "--repo", str(dept.root), "origin/post/first")
    assert refused.exit_code == 2
    assert "cannot fetch from origin" in refused.output and "--offline" in refused.output
    offline = run("approve", "--repo", str(dept.root), "--offline", "origin/post/first")
    assert offline.exit_code == 0, offline.output


def test_a_refused_approval_names_the_branch_not_the_undone_merge(dept):
    before = dept.head("main")
    tip = dept.post_branch("closure", member="sup1")
    assert run("setup-signing", "--repo", str(dept.root), "--member", "sup1", "--key",
               str(dept.keys["sup1"].private)).exit_code == 0
    refused = run("approve", "--repo", str(dept.root), "post/closure")
    assert refused.exit_code == 1, refused.output
    merge = dept.head("HEAD@{1}")  # the undone merge, still in the reflog
    assert merge != before and dept.head("main") == before
    assert merge[:7] not in refused.output
    assert f"merging post/closure (tip {tip[:7]}): APPROVAL-SELF: sup1 approved their own " \
        f"commit {tip[:7]}" in refused.output
    assert "nothing was merged and main is as it was" in refused.output
    assert "Next: someone who wrote none of its commits must approve it." in refused.output


def test_a_refused_approval_for_a_content_rule_says_to_send_it_back(dept):
    dept.post_branch("leak", body=SSN)
    assert run("setup-signing", "--repo", str(dept.root), "--member", "sup1", "--key",
               str(dept.keys["sup1"].private)).exit_code == 0
    refused = run("approve", "--repo", str(dept.root), "post/leak")
    assert refused.exit_code == 1
    assert "content/2026/leak.md:7: PRIVACY-SSN" in refused.output
    assert "Next: send it back to its author: they fix the lines above, commit and push; " \
        "then check it again (pressroom check --branch post/leak) and approve." \
        in refused.output


# --- pressroom serve --------------------------------------------------------------------------

def test_serve_previews_the_built_site_and_stops_cleanly_on_ctrl_c(repo):
    repo.post("2026/closure.md", title="Elm Street closure")
    built = run("build", "--repo", str(repo.root), "--now", "2026-11-27T12:00-08:00", "-q")
    assert built.exit_code == 0, built.output
    assert (repo.root / "output").is_symlink()  # a link to the current release
    server = subprocess.Popen(
        [sys.executable, "-m", "pressroom", "serve", "--port", "0"], cwd=repo.root / "content",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/) \(Ctrl-C to stop\)", first)
        assert match, first + server.stderr.read()
        assert f"Serving {repo.root / 'output'}" in first
        with urllib.request.urlopen(match.group(1), timeout=10) as response:
            page = response.read().decode()
        assert response.status == 200 and "Elm Street closure" in page
        with urllib.request.urlopen(match.group(1) + "feeds/all.atom.xml", timeout=10) as feed:
            assert b"Elm Street closure" in feed.read()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(match.group(1) + "../../policy/roster.toml", timeout=10)
        assert missing.value.code == 404
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=20)
    assert server.returncode == 0, err
    assert "Stopped." in out and "Traceback" not in err


def test_serve_without_a_built_site_or_on_a_used_port_says_so(repo):
    missing = run("serve", "--repo", str(repo.root))
    assert missing.exit_code == 2
    assert missing.output.strip() == (f"Error: {repo.root / 'output'}: no built site here (no "
                                      f"index.html); run pressroom build first, or pass "
                                      f"--output FOLDER")
    site = repo.root / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>x</title>")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        used = run("serve", "--repo", str(repo.root), "--output", str(site), "--port", str(port))
    assert used.exit_code == 2
    assert f"cannot serve on 127.0.0.1:{port}" in used.output
    assert "another program is using it; pass --port N" in used.output


def test_approve_of_a_branch_name_without_origin_points_at_the_pushed_branch(dept, central):
    bare, clone = central
    pio_pushes(dept, clone, "first")
    dept.git("fetch", "-q", "origin")
    refused = run("approve", "--repo", str(dept.root), "post/first")
    assert refused.exit_code == 2
    assert "no branch 'post/first'; did you mean origin/post/first (the branch pushed for " \
        "review)? pressroom approve origin/post/first" in refused.output


def test_preview_and_check_of_a_branch_name_without_origin_point_at_the_pushed_branch(
        dept, central, tmp_path):
    bare, clone = central
    pio_pushes(dept, clone, "first")
    dept.git("fetch", "-q", "origin")
    hint = "'post/first' is not a branch, tag or commit here; did you mean origin/post/first " \
        "(the branch pushed for review)?"
    previewed = run("preview", "--repo", str(dept.root), "--output", str(tmp_path / "out"),
                    "post/first")
    assert previewed.exit_code in (1, 2)
    assert hint in previewed.output
    checked = run("check", "--repo", str(dept.root), "--branch", "post/first")
    assert checked.exit_code == 2
    assert hint in checked.output
    assert "Traceback" not in previewed.output + checked.output
    # A name origin does not have gets no guess.
    unknown = run("check", "--repo", str(dept.root), "--branch", "post/nothing")
    assert unknown.exit_code == 2
    assert "did you mean" not in unknown.output


def test_serve_opens_a_preview_folder_on_its_review_sheet(tmp_path):
    review = tmp_path / "review"
    (review / "site").mkdir(parents=True)
    (review / "review.html").write_text("<!doctype html><title>Review</title>"
                                        "<a href='site/index.html'>preview</a>")
    (review / "site" / "index.html").write_text("<!doctype html><title>Site</title>")
    server = subprocess.Popen(
        [sys.executable, "-m", "pressroom", "serve", "--output", str(review), "--port", "0"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/)review\.html \(Ctrl-C", first)
        assert match, first + server.stderr.read()
        with urllib.request.urlopen(match.group(1) + "review.html", timeout=10) as sheet:
            assert b"site/index.html" in sheet.read()
        with urllib.request.urlopen(match.group(1) + "site/index.html", timeout=10) as site:
            assert b"<title>Site</title>" in site.read()
        with urllib.request.urlopen(match.group(1), timeout=10) as top:  # not a file listing
            assert top.url.endswith("/review.html") and b"site/index.html" in top.read()
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=20)
    assert server.returncode == 0 and "Traceback" not in err


def test_two_approvals_then_one_push_and_a_diverged_main_says_what_to_run(dept, central):
    """main ahead of origin/main (approved, not pushed yet) is fine; a main that also lacks
    the server's commits is refused with the commands that keep the local work."""
    bare, clone = central
    pio_pushes(dept, clone, "first")
    pio_pushes(dept, clone, "second")
    assert run("setup-signing", "--repo", str(dept.root), "--member", "sup1", "--key",
               str(dept.keys["sup1"].private)).exit_code == 0
    dept.git("fetch", "-q", "origin")
    for name in ("first", "second"):
        approved = run("approve", "--repo", str(dept.root), f"origin/post/{name}")
        assert approved.exit_code == 0, approved.output
    assert dept.git("push", "origin", "main", check=False).returncode == 0
    # Now the server moves on while this main holds an approval it has not pushed.
    pio_pushes(dept, clone, "third")
    pio_pushes(dept, clone, "fourth")
    dept.git("fetch", "-q", "origin")
    assert run("approve", "--repo", str(dept.root), "origin/post/third").exit_code == 0
    other_git(dept, clone, None, "switch", "-q", "main")
    other_git(dept, clone, None, "pull", "-q", "--ff-only")
    other_git(dept, clone, "sup2", "merge", "-q", "--no-ff", "-S", "-m", "Approve",
              "post/fourth")
    other_git(dept, clone, None, "push", "-q", "origin", "main")
    pio_pushes(dept, clone, "fifth")
    dept.git("fetch", "-q", "origin")
    refused = run("approve", "--repo", str(dept.root), "origin/post/fifth")
    assert refused.exit_code == 2, refused.output
    assert "main has 2 commits that origin/main does not, and origin/main has 2 that " \
        "main does not: keep " \
        "yours with `git branch unpushed-main main`, run `git reset --hard origin/main`, " \
        "then approve those branches again" in refused.output
