"""The central repository refuses unapproved history on main; a refused push changes nothing."""

from __future__ import annotations

import subprocess

import pytest
from click.testing import CliRunner
from gitdept import Department

from pressroom.cli import cli


@pytest.fixture
def server(tmp_path, keys_dir):
    """A department clone and its central bare repository with the hook installed."""
    dept = Department(tmp_path / "clone", keys_dir)
    bare = tmp_path / "pd-site.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    result = CliRunner().invoke(cli, ["install-hooks", "--bare", str(bare)])
    assert result.exit_code == 0, result.output
    dept.git("remote", "add", "origin", f"file://{bare}")
    pushed = dept.git("push", "-q", "origin", "main", check=False)
    assert pushed.returncode == 0, pushed.stderr
    return dept, bare


def server_main(bare) -> str:
    return subprocess.run(["git", "rev-parse", "main"], cwd=bare, capture_output=True,
                          text=True).stdout.strip()


def test_approved_push_is_accepted(server):
    dept, bare = server
    dept.post_branch("closure")
    assert dept.git("push", "-q", "origin", "post/closure", check=False).returncode == 0
    merge = dept.merge_as("sup1", "post/closure")
    pushed = dept.git("push", "origin", "main", check=False)
    assert pushed.returncode == 0, pushed.stderr
    assert server_main(bare) == merge


def test_unapproved_push_is_refused_and_changes_nothing(server):
    dept, bare = server
    before = server_main(bare)
    dept.post_branch("closure")
    merge = dept.merge_as("pio1", "post/closure")
    pushed = dept.git("push", "origin", "main", check=False)
    assert pushed.returncode != 0
    assert "push to main refused" in pushed.stderr
    assert f"{merge[:7]}: APPROVAL-ROLE" in pushed.stderr
    assert server_main(bare) == before
    missing = subprocess.run(["git", "cat-file", "-e", merge], cwd=bare, capture_output=True)
    assert missing.returncode != 0  # the refused objects were not kept either


def test_direct_commit_push_is_refused(server):
    dept, bare = server
    before = server_main(bare)
    commit = dept.commit_as("sup1", "Direct", {"content/2026/x.md": "Title: x\n"})
    pushed = dept.git("push", "origin", "main", check=False)
    assert pushed.returncode != 0 and f"{commit[:7]}: APPROVAL-DIRECT" in pushed.stderr
    assert server_main(bare) == before


def test_force_push_is_refused(server):
    dept, bare = server
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    dept.git("push", "-q", "origin", "main")
    approved = server_main(bare)
    dept.git("reset", "-q", "--hard", "HEAD~1")
    dept.post_branch("other")
    dept.merge_as("sup2", "post/other")
    pushed = dept.git("push", "--force", "origin", "main", check=False)
    assert pushed.returncode != 0
    assert "force-pushing main is not allowed" in pushed.stderr
    assert server_main(bare) == approved


def test_deleting_main_is_refused(server):
    dept, bare = server
    before = server_main(bare)
    pushed = dept.git("push", "origin", ":main", check=False)
    assert pushed.returncode != 0
    assert "deleting main is not allowed" in pushed.stderr
    assert server_main(bare) == before


def test_other_branches_are_free(server):
    dept, bare = server
    dept.branch("post/draft-work")
    dept.commit_as(None, "Unsigned work in progress", {"content/2026/wip.md": "Title: wip\n"})
    assert dept.git("push", "-q", "origin", "post/draft-work", check=False).returncode == 0


def test_install_hooks_refuses_a_working_clone_and_a_foreign_hook(server, tmp_path):
    dept, bare = server
    result = CliRunner().invoke(cli, ["install-hooks", "--bare", str(dept.root)])
    assert result.exit_code == 2 and "not a bare repository" in result.output
    (bare / "hooks/pre-receive").write_text("#!/bin/sh\necho other\n")
    result = CliRunner().invoke(cli, ["install-hooks", "--bare", str(bare)])
    assert result.exit_code == 2 and "--force" in result.output
