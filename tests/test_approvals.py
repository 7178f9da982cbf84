"""Merge approval is the supervisor's authorization (392.3, 392.4.1, 392.5 g).

Real git repositories, real ssh-keygen keys, real signed commits and merges.
Every refusal must name the offending commit.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import post_text
from gitdept import MEMBERS, Department, roster_text

from pressroom.approvals.verification import verify_history
from pressroom.cli import cli


@pytest.fixture
def dept(tmp_path, keys_dir):
    return Department(tmp_path / "dept", keys_dir)


def problems(dept: Department, **options):
    result = verify_history(dept.root, dept.head("main"), use_cache=False, **options)
    return [(p.path, p.rule_id) for p in result.problems], result


def only(dept: Department, rule: str, commit: str) -> str:
    found, result = problems(dept)
    assert found == [(commit[:7], rule)], [str(p) for p in result.problems]
    return str(result.problems[0])


# --- accepted ---------------------------------------------------------------------------------

def test_approved_merge_is_accepted(dept):
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    found, result = problems(dept)
    assert found == [] and result.checked == 1


def test_incident_commander_approves_an_incident_alert(dept):
    dept.post_branch("gas-leak", category="safety-alerts", expires="2026-11-20 18:00",
                     incident="2026-1120-gas", area="Citrus Avenue")
    dept.merge_as("ic1", "post/gas-leak")
    assert problems(dept)[0] == []


def test_chief_approves_a_roster_change(dept):
    dept.branch("policy/new-member")
    members = dict(MEMBERS)
    del members["lapsed1"]
    dept.commit_as("sup1", "Remove lapsed member",
                   {"policy/roster.toml": roster_text(dept.keys, members)})
    dept.merge_as("chief1", "policy/new-member")
    assert problems(dept)[0] == []


def test_several_approved_merges_and_posts_from_branches_of_branches(dept):
    dept.post_branch("one")
    dept.merge_as("sup1", "post/one")
    dept.post_branch("two", member="author1")
    dept.commit_as("pio1", "Edit two", {"content/2026/two.md": post_text(author="author1",
                                                                          title="Two, edited")})
    dept.merge_as("sup2", "post/two")
    assert problems(dept)[0] == []


# --- refused ----------------------------------------------------------------------------------

def test_unsigned_merge(dept):
    dept.post_branch("closure")
    merge = dept.merge_as(None, "post/closure")
    assert "the merge is unsigned" in only(dept, "APPROVAL-SIGNATURE", merge)


def test_forged_approved_by_trailer_is_just_an_unsigned_merge(dept):
    dept.post_branch("closure")
    merge = dept.merge_as(None, "post/closure",
                          message="Approve post/closure\n\nApproved-by: sup1 <sup1@pd.example>")
    only(dept, "APPROVAL-SIGNATURE", merge)


def test_direct_commit_on_main(dept):
    commit = dept.commit_as("sup1", "Quick fix", {"content/2026/x.md": post_text()})
    assert "a direct commit on main" in only(dept, "APPROVAL-DIRECT", commit)


def test_fast_forward_merge(dept):
    content = dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure", ff=True)
    only(dept, "APPROVAL-DIRECT", content)


def test_self_approval(dept):
    dept.post_branch("closure", member="sup1")
    merge = dept.merge_as("sup1", "post/closure")
    assert "sup1 approved their own commit" in only(dept, "APPROVAL-SELF", merge)


def test_forged_author_name_does_not_make_a_supervisor(dept):
    dept.post_branch("closure", member="author1")
    dept.git("switch", "-q", "main")
    # pio1 signs, but writes the supervisor's name and email as author and committer.
    merge = dept.merge_as("pio1", "post/closure")
    dept.git("-c", "user.name=Sgt. Dana Okafor", "-c", "user.email=sup1@pd.example",
             "-c", "gpg.format=ssh", "-c", f"user.signingkey={dept.keys['pio1'].private}",
             "commit", "-q", "--amend", "-S", "--no-edit", "--reset-author")
    merge = dept.head()
    assert "signed by pio1" in only(dept, "APPROVAL-ROLE", merge)


def test_unknown_key(dept):
    dept.post_branch("closure")
    dept.keys["sup1"] = dept.keys["stranger"]  # sign with a key the roster does not know
    merge = dept.merge_as("sup1", "post/closure")
    assert "not on the roster" in only(dept, "APPROVAL-SIGNATURE", merge)


def test_key_of_a_member_removed_from_the_roster(dept):
    dept.branch("policy/remove-sup2")
    members = {k: v for k, v in MEMBERS.items() if k != "sup2"}
    dept.commit_as("sup1", "Remove sup2", {"policy/roster.toml": roster_text(dept.keys, members)})
    dept.merge_as("chief1", "policy/remove-sup2")
    dept.post_branch("closure")
    merge = dept.merge_as("sup2", "post/closure")
    only(dept, "APPROVAL-SIGNATURE", merge)


def test_roster_edited_in_the_same_branch_grants_nothing(dept):
    dept.branch("post/closure")
    members = dict(MEMBERS)
    members["pio1"] = ("Pat Rivera", ["pio", "supervisor", "chief"], "2026-06-01")
    dept.commit_as("author1", "Closure and a roster tweak",
                   {"policy/roster.toml": roster_text(dept.keys, members),
                    "content/2026/closure.md": post_text(author="author1")})
    merge = dept.merge_as("pio1", "post/closure")
    assert "needs the approval of a chief" in only(dept, "APPROVAL-ROLE", merge)


def test_roster_change_approved_by_a_supervisor(dept):
    dept.branch("policy/x")
    members = dict(MEMBERS)
    members["author1"] = ("Officer Sam Lee", ["author"], "2026-09-01")
    dept.commit_as("pio1", "Training date", {"policy/roster.toml": roster_text(dept.keys, members)})
    merge = dept.merge_as("sup1", "policy/x")
    assert "it changes policy/" in only(dept, "APPROVAL-ROLE", merge)


def test_untrained_author(dept):
    dept.post_branch("closure", member="lapsed1")
    merge = dept.merge_as("sup1", "post/closure")
    assert "training expired on 2024-12-31" in only(dept, "APPROVAL-TRAINING", merge)


def test_unsigned_content_commit(dept):
    dept.post_branch("closure", member=None)
    merge = dept.merge_as("sup1", "post/closure")
    assert "which is unsigned" in only(dept, "APPROVAL-CONTENT-SIGNATURE", merge)


def test_pio_approving(dept):
    dept.post_branch("closure", member="author1")
    merge = dept.merge_as("pio1", "post/closure")
    assert "needs the approval of a supervisor or a chief" in only(dept, "APPROVAL-ROLE", merge)


def test_incident_commander_approving_a_press_release(dept):
    dept.post_branch("arrests", category="press-releases")
    merge = dept.merge_as("ic1", "post/arrests")
    only(dept, "APPROVAL-ROLE", merge)


def test_merge_that_slips_in_its_own_edits(dept):
    dept.post_branch("closure")
    merge = dept.merge_as("sup1", "post/closure",
                          edit={"content/2026/closure.md": post_text(title="Changed at merge")})
    assert "edits of its own" in only(dept, "APPROVAL-EDITS", merge)


def test_approved_merge_followed_by_an_unapproved_commit(dept):
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    sneaky = dept.commit_as("pio1", "Small fix", {"content/2026/closure.md": post_text(
        title="Edited after approval")})
    only(dept, "APPROVAL-DIRECT", sneaky)


def test_since_trusts_history_up_to_the_anchor(dept):
    unapproved = dept.commit_as("pio1", "Before adoption", {"content/2026/a.md": post_text()})
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    assert problems(dept)[0] == [(unapproved[:7], "APPROVAL-DIRECT")]
    assert problems(dept, anchor=unapproved)[0] == []


def test_verified_merges_are_remembered_but_new_problems_still_found(dept):
    dept.post_branch("one")
    dept.merge_as("sup1", "post/one")
    first = verify_history(dept.root, dept.head("main"))
    assert first.ok and first.cached == 0
    sneaky = dept.commit_as("pio1", "Direct", {"content/2026/z.md": post_text()})
    second = verify_history(dept.root, dept.head("main"))
    assert second.cached == 1
    assert [(p.path, p.rule_id) for p in second.problems] == [(sneaky[:7], "APPROVAL-DIRECT")]


# --- the CLI ----------------------------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_verify_command_exit_codes(dept):
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    ok = run("verify", "--repo", str(dept.root))
    assert ok.exit_code == 0
    assert ok.output.startswith("OK: the 1 commit on main is an approved merge")
    sneaky = dept.commit_as("pio1", "Direct", {"content/2026/z.md": post_text()})
    bad = run("verify", "--repo", str(dept.root))
    assert bad.exit_code == 1
    assert bad.output.splitlines()[0].startswith(f"{sneaky[:7]}: APPROVAL-DIRECT:")
    assert run("verify", "--repo", str(dept.root), "--branch", "nope").exit_code == 2


# --- hosting platforms ------------------------------------------------------------------------

def test_platform_mode_accepts_a_platform_signed_merge_but_not_the_rest(dept):
    dept.post_branch("closure")
    dept.merge_as(None, "post/closure")  # a web merge: not signed by a roster member
    assert verify_history(dept.root, dept.head("main"), use_cache=False, platform=True).ok
    dept.post_branch("late", member="lapsed1")
    merge = dept.merge_as(None, "post/late")
    result = verify_history(dept.root, dept.head("main"), use_cache=False, platform=True)
    assert [(p.path, p.rule_id) for p in result.problems] == [(merge[:7], "APPROVAL-TRAINING")]
    sneaky = dept.commit_as("pio1", "Direct", {"content/2026/z.md": post_text()})
    result = verify_history(dept.root, dept.head("main"), use_cache=False, platform=True)
    assert (sneaky[:7], "APPROVAL-DIRECT") in [(p.path, p.rule_id) for p in result.problems]


def test_codeowners_from_the_roster(dept):
    roster = (dept.root / "policy/roster.toml").read_text()
    roster = roster.replace('name = "Sgt. Dana Okafor"',
                            'name = "Sgt. Dana Okafor"\ngithub = "dokafor"')
    roster = roster.replace('name = "Chief Elena Torres"',
                            'name = "Chief Elena Torres"\ngithub = "@etorres"')
    (dept.root / "policy/roster.toml").write_text(roster)
    result = run("codeowners", "--repo", str(dept.root))
    assert result.exit_code == 0, result.output
    assert "/content/  @dokafor @etorres" in result.output
    assert "/policy/   @etorres" in result.output
    written = run("codeowners", "--repo", str(dept.root), "--write")
    assert written.exit_code == 0
    assert (dept.root / ".github/CODEOWNERS").read_text() == result.output


def test_codeowners_needs_usernames(dept):
    result = run("codeowners", "--repo", str(dept.root))
    assert result.exit_code == 2 and "github username" in result.output
