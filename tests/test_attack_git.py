"""Attacks on approval through git itself (issue #11, classes 1, 2 and 4).

Real git, real ssh-keygen keys and signatures, a real server made by
``pressroom install-hooks``. Each test plays an attacker (or a careless user)
trying to get onto main something no authorized member approved:

1. object substitution: replace refs, grafts, alternates, shallow history,
   environment variables and tags standing in for a branch;
2. role scope: an incident commander's merge bringing in more than incident alerts;
4. links: symbolic links and submodules brought in by a merge.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from click.testing import CliRunner
from conftest import post_text
from gitdept import Department, bare_server, server_git, server_refs
from imagefiles import image_bytes

from pressroom import __version__
from pressroom.approvals.verification import verify_history
from pressroom.cli import cli

ALERT = {"category": "safety-alerts", "expires": "2026-11-20 18:00",
         "incident": "2026-1120-gas", "area": "Citrus Avenue"}


@pytest.fixture
def dept(tmp_path, keys_dir):
    return Department(tmp_path / "dept", keys_dir)


@pytest.fixture
def server(tmp_path, dept):
    """The department clone and its central repository, main pushed."""
    bare = bare_server(tmp_path / "pd-site.git")
    dept.git("remote", "add", "origin", f"file://{bare}")
    pushed = dept.git("push", "-q", "origin", "main", check=False)
    assert pushed.returncode == 0, pushed.stderr
    return dept, bare


def found(dept: Department, rev: str = "main", **options) -> list[tuple[str, str]]:
    result = verify_history(dept.root, dept.head(rev), use_cache=False, **options)
    return [(p.path, p.rule_id) for p in result.problems]


def messages(dept: Department) -> str:
    result = verify_history(dept.root, dept.head("main"), use_cache=False)
    return "\n".join(str(p) for p in result.problems)


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner(env=env).invoke(cli, list(args), catch_exceptions=False)


def stranger_merge_with_a_good_twin(dept: Department) -> tuple[str, str]:
    """(a supervisor's approved merge, a stranger-signed merge of other work), both on main^.

    The good merge waits on branch ``approved`` (as if pushed for the record but not
    yet to main); main is left at the stranger's merge.
    """
    start = dept.head("main")
    dept.post_branch("closure")
    good = dept.merge_as("sup1", "post/closure")
    dept.git("branch", "approved", good)
    dept.git("reset", "-q", "--hard", start)
    dept.branch("post/evil")
    dept.commit_as("stranger", "Evil", {"content/2026/evil.md": post_text(
        title="Unapproved statement", summary="Nobody approved this.")})
    bad = dept.merge_as("stranger", "post/evil")
    return good, bad


# --- 1. object substitution ----------------------------------------------------------------


def test_the_stranger_merge_alone_is_refused(dept):
    _, bad = stranger_merge_with_a_good_twin(dept)
    assert (bad[:7], "APPROVAL-SIGNATURE") in found(dept)


def test_a_replace_ref_push_is_refused_and_changes_nothing(server):
    dept, bare = server
    good, bad = stranger_merge_with_a_good_twin(dept)
    dept.git("push", "-q", "origin", "approved")
    dept.git("replace", bad, good)
    before = server_refs(bare)
    pushed = dept.git("push", "origin", f"refs/replace/{bad}", check=False)
    assert pushed.returncode != 0
    assert f"refs/replace/{bad}: only branches (refs/heads/*) and tags" in pushed.stderr
    assert "replace refs make git show one object in place of another" in pushed.stderr
    assert server_refs(bare) == before
    # and main with the stranger's merge behind it is refused on its own as well
    pushed = dept.git("push", "origin", "main", check=False)
    assert pushed.returncode != 0 and f"{bad[:7]}: APPROVAL-SIGNATURE" in pushed.stderr
    assert server_refs(bare) == before


def test_replace_ref_and_main_in_one_push_are_refused_together(server):
    dept, bare = server
    good, bad = stranger_merge_with_a_good_twin(dept)
    dept.git("replace", bad, good)
    before = server_refs(bare)
    pushed = dept.git("push", "origin", "main", "approved", "post/evil",
                      f"refs/replace/{bad}", check=False)
    assert pushed.returncode != 0
    assert server_refs(bare) == before  # not even the free branches were created
    assert server_git(bare, "cat-file", "-e", bad).returncode != 0


def test_a_replace_ref_already_on_the_server_does_not_fool_the_hook(server):
    """Even a replace ref that got onto the server (before the hook, by hand) is ignored."""
    dept, bare = server
    good, bad = stranger_merge_with_a_good_twin(dept)
    dept.git("push", "-q", "origin", "approved", "post/evil")
    # the objects of main are on the server through branches; now the substitution:
    assert dept.git("push", "-q", "origin", f"{bad}:refs/heads/parking").returncode == 0
    assert server_git(bare, "update-ref", f"refs/replace/{bad}", good).returncode == 0
    server_git(bare, "config", "core.useReplaceRefs", "true")
    before = server_git(bare, "rev-parse", "main").stdout
    pushed = dept.git("push", "origin", "main", check=False)
    assert pushed.returncode != 0, pushed.stderr
    assert f"{bad[:7]}: APPROVAL-SIGNATURE" in pushed.stderr
    assert server_git(bare, "rev-parse", "main").stdout == before


def test_a_replace_ref_in_a_clone_does_not_fool_verify(dept):
    good, bad = stranger_merge_with_a_good_twin(dept)
    dept.git("replace", bad, good)
    dept.git("config", "core.useReplaceRefs", "true")  # even when config asks for them
    assert dept.git("log", "-1", "--format=%s", "main").stdout.strip() == \
        "Approve post/closure"  # git itself is fooled
    result = run("verify", "--repo", str(dept.root), "--no-cache")
    assert result.exit_code == 1
    assert f"{bad[:7]}: APPROVAL-SIGNATURE" in result.output
    # nor through an environment variable that moves where replace refs are read
    env = {"GIT_REPLACE_REF_BASE": "refs/heads/"}
    assert run("verify", "--repo", str(dept.root), "--no-cache", env=env).exit_code == 1


def test_a_blob_replacement_does_not_change_what_the_incident_commander_approved(dept):
    """Replacing the page's blob with an alert's must not make an IC's page merge pass."""
    dept.branch("post/alert-and-page")
    dept.commit_as("pio1", "Alert", {"content/2026/gas.md": post_text(**ALERT)})
    dept.commit_as("pio1", "Page", {"content/2026/about-us.md": "Title: About\n\nHello.\n"})
    merge = dept.merge_as("ic1", "post/alert-and-page")
    page_blob = dept.head("main:content/2026/about-us.md")
    alert_blob = dept.head("main:content/2026/gas.md")
    dept.git("replace", "-f", page_blob, alert_blob)
    assert (merge[:7], "APPROVAL-ROLE") in found(dept)


def test_a_cached_verdict_is_never_reached_through_substituted_objects(dept):
    good, bad = stranger_merge_with_a_good_twin(dept)
    dept.git("replace", bad, good)
    cache = dept.root / ".git/pressroom-cache/verified-merges.txt"
    first = verify_history(dept.root, dept.head("main"))  # the cache is on
    assert (bad[:7], "APPROVAL-SIGNATURE") in [(p.path, p.rule_id) for p in first.problems]
    assert bad not in cache.read_text()
    # a verdict remembered by an earlier pressroom (which read through replace refs) is dropped
    cache.write_text(f"v{__version__}\n{bad}\n")
    again = verify_history(dept.root, dept.head("main"))
    assert again.cached == 0 and not again.ok


def test_env_pointing_git_at_another_repository_does_not_redirect_verify(dept, tmp_path,
                                                                         keys_dir):
    _, bad = stranger_merge_with_a_good_twin(dept)
    clean = Department(tmp_path / "clean", keys_dir)
    env = {"GIT_DIR": str(clean.root / ".git"), "GIT_WORK_TREE": str(clean.root),
           "GIT_OBJECT_DIRECTORY": str(clean.root / ".git/objects")}
    result = run("verify", "--repo", str(dept.root), "--no-cache", env=env)
    assert result.exit_code == 1, result.output
    assert f"{bad[:7]}: APPROVAL-SIGNATURE" in result.output


def test_grafts_in_a_clone_stop_verify(dept):
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    direct = dept.commit_as("sup1", "Direct", {"content/2026/x.md": post_text(title="X")})
    # A graft gives the direct commit a second parent, so git shows it as a merge.
    graft = f"{direct} {dept.head('main~1')} {dept.head('post/closure')}\n"
    (dept.root / ".git/info/grafts").write_text(graft)
    result = run("verify", "--repo", str(dept.root), "--no-cache")
    assert result.exit_code == 2
    assert "grafts" in result.output and "remove it" in result.output


def test_alternates_in_a_clone_stop_verify(dept, tmp_path, keys_dir):
    other = Department(tmp_path / "other", keys_dir)
    (dept.root / ".git/objects/info/alternates").write_text(str(other.root / ".git/objects"))
    result = run("verify", "--repo", str(dept.root))
    assert result.exit_code == 2 and "alternate object stores" in result.output


def test_a_shallow_clone_is_not_verified_as_if_complete(dept, tmp_path):
    dept.commit_as("pio1", "Direct", {"content/2026/x.md": post_text()})  # unapproved, local
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{dept.root}", str(shallow)],
                   check=True)
    result = run("verify", "--repo", str(shallow), "--no-cache")
    assert result.exit_code == 2 and "shallow" in result.output, result.output


@pytest.mark.parametrize("ref", ["refs/notes/commits", "refs/pull/1/head", "refs/tags/main",
                                 "refs/stash", "refs/remotes/origin/main"])
def test_refs_that_are_not_branches_or_tags_are_refused(server, ref):
    dept, bare = server
    before = server_refs(bare)
    pushed = dept.git("push", "origin", f"main:{ref}", check=False)
    assert pushed.returncode != 0 and f"{ref}:" in pushed.stderr, pushed.stderr
    assert server_refs(bare) == before


def test_branches_and_tags_are_accepted(server):
    dept, bare = server
    dept.git("tag", "v2026.1", "main")
    dept.branch("post/wip")
    dept.commit_as(None, "Work in progress", {"content/2026/wip.md": "Title: wip\n"})
    pushed = dept.git("push", "origin", "post/wip", "v2026.1", check=False)
    assert pushed.returncode == 0, pushed.stderr
    assert {"refs/heads/post/wip", "refs/tags/v2026.1"} <= set(server_refs(bare))


def test_grafts_or_alternates_on_the_server_refuse_every_push(server, tmp_path, keys_dir):
    dept, bare = server
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    (bare / "info").mkdir(exist_ok=True)
    (bare / "info/grafts").write_text("")
    before = server_refs(bare)
    pushed = dept.git("push", "origin", "main", "post/closure", check=False)
    assert pushed.returncode != 0 and "grafts" in pushed.stderr
    (bare / "info/grafts").unlink()
    other = Department(tmp_path / "other", keys_dir)
    (bare / "objects/info/alternates").write_text(str(other.root / ".git/objects") + "\n")
    pushed = dept.git("push", "origin", "main", check=False)
    assert pushed.returncode != 0 and "alternate object stores" in pushed.stderr
    assert server_refs(bare) == before
    (bare / "objects/info/alternates").unlink()
    assert dept.git("push", "origin", "main", check=False).returncode == 0  # quarantine works


def test_install_hooks_sets_fsck_and_refuses_a_server_holding_replace_refs(tmp_path, dept):
    bare = bare_server(tmp_path / "srv.git")
    assert server_git(bare, "config", "receive.fsckObjects").stdout.strip() == "true"
    dept.git("push", "-q", f"file://{bare}", "main")
    head = server_git(bare, "rev-parse", "main").stdout.strip()
    server_git(bare, "update-ref", f"refs/replace/{head}", head)
    result = CliRunner().invoke(cli, ["install-hooks", "--bare", str(bare)])
    assert result.exit_code == 2 and f"refs/replace/{head}" in result.output


def test_a_tag_named_like_the_branch_is_never_verified_or_merged_instead(dept):
    dept.post_branch("closure")
    approved = dept.merge_as("sup1", "post/closure")
    dept.git("tag", "main", approved + "~1")  # a tag "main" shadows the branch for git
    assert dept.git("rev-parse", "main").stdout.strip() != approved
    result = run("verify", "--repo", str(dept.root))
    assert result.exit_code == 2 and "ambiguous" in result.output
    # and approve merges the branch the supervisor reviewed or nothing, never a same-named tag
    dept.git("tag", "-d", "main")
    dept.post_branch("other", member="author1")
    evil = dept.post_branch("evil", member="author1", title="Something nobody reviewed")
    dept.git("switch", "-q", "main")
    dept.git("tag", "post/other", evil)
    run("setup-signing", "--repo", str(dept.root), "--member", "sup1",
        "--key", str(dept.keys["sup1"].private))
    refused = run("approve", "--repo", str(dept.root), "post/other")
    assert refused.exit_code == 2 and "ambiguous" in refused.output
    assert dept.head("main") == approved


# --- 2. role scope -------------------------------------------------------------------------


def ic_merge(dept: Department, files: dict[str, str], member: str = "ic1") -> str:
    dept.branch("post/incident")
    dept.commit_as("pio1", "Incident alert and more", files)
    return dept.merge_as(member, "post/incident")


@pytest.mark.parametrize("path,text,kind", [
    ("content/pages/about.md", "Title: About\n\nAbout us.\n", "a page"),
    ("content/notes.txt", "notes\n", "a file under content/ that is not a post or an image"),
    ("content/2026/statement.html", "<html><title>x</title></html>\n",
     "a file under content/ that is not a post or an image"),
    ("content/2026/release.md", post_text(category="press-releases"),
     "a post that is not an incident alert"),
    ("theme/templates/base.html", "<html></html>\n", "site code or settings"),
    ("pelicanconf.py", "SITENAME = 'x'\n", "site code or settings"),
])
def test_an_incident_commander_may_not_bring_in_anything_but_alerts(dept, path, text, kind):
    merge = ic_merge(dept, {"content/2026/gas.md": post_text(**ALERT), path: text})
    assert found(dept) == [(merge[:7], "APPROVAL-ROLE")]
    assert f"it brings in {path} ({kind}" in messages(dept)


def test_a_supervisor_may_bring_in_the_same(dept):
    ic_merge(dept, {"content/2026/gas.md": post_text(**ALERT),
                    "content/pages/about.md": "Title: About\n\nAbout us.\n"}, member="sup1")
    assert found(dept) == []


def test_an_incident_commander_may_not_turn_a_press_release_into_an_alert(dept):
    dept.post_branch("release", category="press-releases")
    dept.merge_as("sup1", "post/release")
    dept.branch("post/turn")
    dept.commit_as("pio1", "Now an alert",
                   {"content/2026/release.md": post_text(**ALERT)})
    merge = dept.merge_as("ic1", "post/turn")
    assert found(dept) == [(merge[:7], "APPROVAL-ROLE")]
    assert "which was a post that is not an incident alert before" in messages(dept)


def test_an_incident_commander_may_not_delete(dept):
    dept.post_branch("gas", **ALERT)
    dept.merge_as("ic1", "post/gas")
    dept.branch("post/remove")
    dept.git("rm", "-q", "content/2026/gas.md")
    dept.commit_as("pio1", "Remove the alert",
                   {"content/2026/gas-2.md": post_text(**ALERT, slug="gas-2")})
    merge = dept.merge_as("ic1", "post/remove")
    assert found(dept) == [(merge[:7], "APPROVAL-ROLE")]
    assert "the deletion of content/2026/gas.md" in messages(dept)


def test_an_incident_commander_updates_an_alert_and_adds_the_map_it_shows(dept):
    dept.post_branch("gas", **ALERT)
    dept.merge_as("ic1", "post/gas")
    dept.branch("post/update")
    body = "Avoid the area.\n\n![Map of the closed blocks](/images/gas-map.png)"
    dept.write_bytes("content/images/gas-map.png", image_bytes("png"))
    dept.commit_as("pio1", "Update", {"content/2026/gas.md": post_text(**ALERT, body=body)})
    dept.merge_as("ic1", "post/update")
    assert found(dept) == []


@pytest.mark.parametrize("case", ["not shown", "already existed", "shown only in a comment"])
def test_an_incident_commander_may_not_bring_in_other_images(dept, case):
    dept.write_bytes("content/images/chief.png", image_bytes("png"))
    dept.post_branch("release", category="press-releases",
                     body="![The chief](/images/chief.png)")
    dept.merge_as("sup1", "post/release")
    dept.branch("post/gas")
    if case == "not shown":
        body, image = "Avoid the area.", "content/images/other.png"
    elif case == "already existed":  # replaces the press release's picture
        body, image = "![Map](/images/chief.png)", "content/images/chief.png"
    else:
        body, image = "<!-- ![Map](/images/hidden.png) -->", "content/images/hidden.png"
    dept.write_bytes(image, image_bytes("gif") if case == "already existed"
                     else image_bytes("png"))
    dept.commit_as("pio1", "Alert", {"content/2026/gas.md": post_text(**ALERT, body=body)})
    merge = dept.merge_as("ic1", "post/gas")
    assert found(dept) == [(merge[:7], "APPROVAL-ROLE")], case
    assert f"it brings in {image} (an image" in messages(dept)


def test_an_alert_that_is_not_a_valid_post_is_not_an_alert(dept):
    text = post_text(**ALERT).replace("Category: safety-alerts",
                                      "Category: safety-alerts\nCategory: press-releases")
    merge = ic_merge(dept, {"content/2026/gas.md": text})
    assert found(dept) == [(merge[:7], "APPROVAL-ROLE")]


def test_the_server_refuses_an_incident_commanders_page(server):
    dept, bare = server
    before = server_refs(bare)
    merge = ic_merge(dept, {"content/2026/gas.md": post_text(**ALERT),
                            "content/pages/about.md": "Title: About\n\nAbout us.\n"})
    pushed = dept.git("push", "origin", "main", check=False)
    assert pushed.returncode != 0
    assert f"{merge[:7]}: APPROVAL-ROLE" in pushed.stderr and "content/pages/about.md" in \
        pushed.stderr
    assert server_refs(bare) == before


# --- 4. links ----------------------------------------------------------------------------


@pytest.mark.parametrize("path,target", [
    ("content/2026/passwd.md", "/etc/passwd"),
    ("content/2026/etc", "/etc"),
    ("content/images/key.png", "../../../../home/user/.ssh/id_ed25519"),
    ("theme/static/robots.txt", "/etc/shadow"),
])
def test_a_merge_bringing_in_a_symbolic_link_is_refused_by_name(dept, path, target):
    dept.branch("post/link")
    dept.commit_link("pio1", path, target)
    merge = dept.merge_as("sup1", "post/link")
    assert found(dept) == [(merge[:7], "APPROVAL-LINK")]
    assert f"brings in {path}, which is a symbolic link" in messages(dept)
    platform = verify_history(dept.root, merge, use_cache=False, platform=True)
    assert [p.rule_id for p in platform.problems] == ["APPROVAL-LINK"]


def test_a_merge_bringing_in_a_submodule_is_refused(dept):
    dept.branch("post/sub")
    dept.commit_gitlink("pio1", "content/2026/vendor", dept.head("main"))
    merge = dept.merge_as("sup1", "post/sub")
    assert found(dept) == [(merge[:7], "APPROVAL-LINK")]
    assert "content/2026/vendor, which is a submodule" in messages(dept)


def test_the_server_refuses_a_pushed_link(server):
    dept, bare = server
    before = server_refs(bare)
    dept.branch("post/link")
    dept.commit_link("pio1", "content/2026/passwd.md", "/etc/passwd")
    merge = dept.merge_as("sup1", "post/link")
    pushed = dept.git("push", "origin", "main", check=False)
    assert pushed.returncode != 0
    assert f"{merge[:7]}: APPROVAL-LINK: brings in content/2026/passwd.md" in pushed.stderr
    assert "root:" not in pushed.stderr
    assert server_refs(bare) == before


def test_approve_refuses_a_link_without_reading_through_it(dept):
    assert os.path.exists("/etc/passwd")
    before = dept.head("main")
    dept.branch("post/link")
    dept.commit_link("pio1", "content/2026/passwd.md", "/etc/passwd")
    dept.git("switch", "-q", "main")
    run("setup-signing", "--repo", str(dept.root), "--member", "sup1",
        "--key", str(dept.keys["sup1"].private))
    refused = run("approve", "--repo", str(dept.root), "post/link")
    assert refused.exit_code == 1
    assert "APPROVAL-LINK: brings in content/2026/passwd.md, which is a symbolic link" in \
        refused.output
    assert "root" not in refused.output  # nothing of /etc/passwd was read into the report
    assert dept.head("main") == before
    assert not (dept.root / "content/2026/passwd.md").is_symlink()
