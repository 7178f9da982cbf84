"""The PIO's and the supervisor's daily commands, end to end in a real clone."""

from __future__ import annotations

import subprocess

import pytest
from click.testing import CliRunner
from conftest import post_text
from gitdept import Department

from pressroom.approvals.verification import verify_history
from pressroom.cli import cli


@pytest.fixture
def dept(tmp_path, keys_dir):
    return Department(tmp_path / "dept", keys_dir)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def setup(dept: Department, member: str):
    return run("setup-signing", "--repo", str(dept.root), "--member", member,
               "--key", str(dept.keys[member].private))


def test_setup_signing_configures_git(dept):
    result = setup(dept, "pio1")
    assert result.exit_code == 0, result.output
    assert "signed as Pat Rivera (pio1, pio)" in result.output
    config = dept.git("config", "--local", "--list").stdout
    assert "gpg.format=ssh" in config and "commit.gpgsign=true" in config
    assert "user.email=pio1@pd.example" in config


def test_setup_signing_refuses_a_key_that_is_not_the_members(dept):
    result = run("setup-signing", "--repo", str(dept.root), "--member", "pio1",
                 "--key", str(dept.keys["stranger"].private))
    assert result.exit_code == 2
    assert "is not the key on the roster for pio1" in result.output


def test_new_post_branch_then_commit_then_approve(dept):
    assert setup(dept, "pio1").exit_code == 0
    made = run("new", "--repo", str(dept.root), "Road closure on Elm Street",
               "--category", "traffic")
    assert made.exit_code == 0, made.output
    assert "post/road-closure-on-elm-street" in made.output
    assert dept.git("branch", "--show-current").stdout.strip() == "post/road-closure-on-elm-street"
    path = next((dept.root / "content").rglob("road-closure-on-elm-street.md"))
    text = path.read_text()
    assert "Category: traffic" in text and "Author: pio1" in text
    # The PIO writes the summary and body, and commits (signed by the configuration).
    path.write_text(text.replace("Summary: ", "Summary: Elm Street is closed today.") +
                    "Drivers should use Oak Avenue.\n")
    dept.git("add", "-A")
    dept.git("commit", "-q", "-m", "Road closure")
    # The supervisor approves in the same clone after switching identity.
    assert setup(dept, "sup1").exit_code == 0
    approved = run("approve", "--repo", str(dept.root), "post/road-closure-on-elm-street")
    assert approved.exit_code == 0, approved.output
    assert "signed by Sgt. Dana Okafor (sup1)" in approved.output
    assert verify_history(dept.root, dept.head("main"), use_cache=False).ok


def test_approve_refuses_self_approval_and_leaves_main_unchanged(dept):
    before = dept.head("main")
    dept.post_branch("closure", member="sup1")
    assert setup(dept, "sup1").exit_code == 0
    refused = run("approve", "--repo", str(dept.root), "post/closure")
    assert refused.exit_code == 1
    assert "APPROVAL-SELF: sup1 approved their own commit" in refused.output
    assert dept.head("main") == before


def test_approve_refuses_a_post_that_breaks_a_content_rule(dept):
    before = dept.head("main")
    dept.post_branch("leak", body="The victim's SSN is 219-09-9999.")
    assert setup(dept, "sup1").exit_code == 0
    refused = run("approve", "--repo", str(dept.root), "post/leak")
    assert refused.exit_code == 1
    assert "content/2026/leak.md:7: PRIVACY-SSN" in refused.output
    assert dept.head("main") == before


def test_approve_by_the_pio_is_refused(dept):
    before = dept.head("main")
    dept.post_branch("closure", member="author1")
    assert setup(dept, "pio1").exit_code == 0
    refused = run("approve", "--repo", str(dept.root), "post/closure")
    assert refused.exit_code == 1 and "APPROVAL-ROLE" in refused.output
    assert dept.head("main") == before


def test_new_refuses_an_existing_slug_and_unknown_category(dept):
    dept.commit_as("chief1", "seed", {"content/2026/closure.md": post_text()})
    assert run("new", "--repo", str(dept.root), "Closure", "--category", "traffic",
               "--author", "pio1", "--slug", "closure").exit_code == 2
    assert run("new", "--repo", str(dept.root), "X", "--category", "gossip").exit_code == 2


def test_approve_refuses_settings_that_would_stop_every_publish(dept):
    """Found by following the README: a control character (or code, or a setting a
    department may not tune) in pelicanconf.py passed check and approval, then every
    publish stopped. approve checks the settings files even when no post changed."""
    before = dept.head("main")
    dept.branch("site/date-format")
    dept.commit_as("pio1", "Date format",
                   {"pelicanconf.py": 'DEFAULT_DATE_FORMAT = "%d\\u000b%b"\n'})
    assert setup(dept, "sup1").exit_code == 0
    refused = run("approve", "--repo", str(dept.root), "site/date-format")
    assert refused.exit_code == 1, refused.output
    assert "pelicanconf.py:1: SETTINGS: DEFAULT_DATE_FORMAT holds control character" in \
        refused.output
    assert dept.head("main") == before


def test_approve_refuses_a_branch_already_on_main(dept):
    """It once reported success naming main's last merge and its signer: someone else's."""
    dept.post_branch("closure")
    dept.merge_as("sup2", "post/closure")
    before = dept.head("main")
    assert setup(dept, "sup1").exit_code == 0
    refused = run("approve", "--repo", str(dept.root), "post/closure")
    assert refused.exit_code == 2, refused.output
    assert "already on main: nothing to approve" in refused.output
    assert dept.head("main") == before


def test_approve_refuses_a_main_behind_its_upstream(dept, tmp_path):
    """The merge would be made on an old main and its push refused: say so before merging."""
    clone = tmp_path / "sup1-clone"
    dept.git("clone", "-q", str(dept.root), str(clone))
    dept.post_branch("first")
    dept.merge_as("sup2", "post/first")  # main moves on in the central repository
    dept.post_branch("second")
    git = ["git", "-C", str(clone)]
    subprocess.run([*git, "fetch", "-q"], check=True)
    subprocess.run([*git, "branch", "-q", "post/second", "origin/post/second"], check=True)
    before = subprocess.run([*git, "rev-parse", "main"], capture_output=True, text=True).stdout
    refused = run("approve", "--repo", str(clone), "post/second")
    assert refused.exit_code == 2, refused.output
    assert "main is 2 commits behind origin/main" in refused.output
    assert "git pull --ff-only" in refused.output
    assert subprocess.run([*git, "rev-parse", "main"], capture_output=True,
                          text=True).stdout == before
