"""392.5: removal from public view, withdrawal under a notice, corrections; git keeps all."""

from __future__ import annotations

import feedparser
from click.testing import CliRunner
from conftest import NOW, post_text
from gitdept import Department

from pressroom.approvals.verification import verify_history
from pressroom.build.run import build_site
from pressroom.cli import cli

REMOVED = dict(retraction="remove", retracted="2026-11-26 10:00",
               **{"retraction-reason": "Named a witness by mistake", "reported-by": "sup1"})


def all_text(root) -> str:
    return "\n".join(p.read_text(errors="replace") for p in sorted(root.rglob("*")) if p.is_file())


def test_a_removed_post_vanishes_and_its_address_says_so(repo, tmp_path):
    repo.post("2026/keep.md", title="Still here")
    repo.post("2026/leak.md", post_text(title="Witness Jane Roe saw it",
                                        body="Secret detail xyzzy.", **REMOVED))
    out = tmp_path / "out"
    assert build_site(repo.root, out, now=NOW).ok
    tombstone = (out / "2026/leak/index.html").read_text()
    assert "<h1>This item has been removed</h1>" in tombstone
    assert "November 26, 2026" in tombstone
    everything = all_text(out)
    for secret in ("Jane Roe", "xyzzy", "Named a witness"):
        assert secret not in everything, secret
    assert "Still here" in (out / "index.html").read_text()
    feed = feedparser.parse((out / "feeds/all.atom.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Still here"]


def test_a_withdrawn_post_stays_readable_under_a_dated_notice(repo, tmp_path):
    repo.post("2026/checkpoint.md", post_text(
        title="DUI checkpoint on Friday", retraction="withdraw", retracted="2026-11-21 08:00",
        **{"retraction-reason": "Outdated: the checkpoint has taken place.",
           "reported-by": "pio1"}))
    out = tmp_path / "out"
    assert build_site(repo.root, out, now=NOW).ok
    page = (out / "2026/checkpoint/index.html").read_text()
    assert "<strong>Withdrawn on" in page and "Outdated: the checkpoint has taken place." in page
    assert "Drivers should use Oak Avenue." in page  # still readable
    assert "(withdrawn)" in (out / "index.html").read_text()
    entry = feedparser.parse((out / "feeds/all.atom.xml").read_bytes()).entries[0]
    assert entry.updated.startswith("2026-11-21T08:00:00")  # readers see the change


def test_a_correction_is_shown_with_its_date_and_updates_feeds(repo, tmp_path):
    repo.post("2026/closure.md", post_text(modified="2026-11-21 09:30",
                                           correction="Corrected the time of the closure."))
    out = tmp_path / "out"
    assert build_site(repo.root, out, now=NOW).ok
    page = (out / "2026/closure/index.html").read_text()
    assert "Corrected the time of the closure." in page and "<strong>Updated" in page
    entry = feedparser.parse((out / "feeds/all.atom.xml").read_bytes()).entries[0]
    assert entry.updated.startswith("2026-11-21T09:30:00")
    assert entry.published.startswith("2026-11-20T09:00:00")


def test_incomplete_retractions_and_corrections_are_refused(repo, tmp_path):
    repo.post("2026/a.md", post_text(retraction="remove"))
    repo.post("2026/b.md", post_text(correction="Fixed a typo."))
    repo.post("2026/c.md", post_text(**{**REMOVED, "reported-by": "nobody"}))
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    found = sorted({(p.path, p.rule_id) for p in result.problems})
    assert found == [("content/2026/a.md", "FRONT-RETRACTION"),
                     ("content/2026/b.md", "FRONT-RETRACTION"),
                     ("content/2026/c.md", "FRONT-RETRACTION")]
    assert not (tmp_path / "out").exists()


def test_retract_through_the_approval_flow_keeps_the_history(tmp_path, keys_dir, monkeypatch):
    for key, value in (("GIT_AUTHOR_NAME", "Pat Rivera"), ("GIT_AUTHOR_EMAIL", "pio1@pd.example"),
                       ("GIT_COMMITTER_NAME", "Pat Rivera"),
                       ("GIT_COMMITTER_EMAIL", "pio1@pd.example")):
        monkeypatch.setenv(key, value)
    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("oak-appeal", title="Witness Jane Roe saw the crash")
    dept.merge_as("sup1", "post/oak-appeal")
    original = dept.git("show", "HEAD:content/2026/oak-appeal.md").stdout
    result = CliRunner().invoke(cli, [
        "retract", "--repo", str(dept.root), "oak-appeal", "--reported-by", "sup1",
        "--reason", "Named a witness by mistake"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("On branch retract/oak-appeal: remove of "
                                    "content/2026/oak-appeal.md committed.")
    # The retraction commit must be signed like any other: sign it as the PIO.
    dept.git("-c", "gpg.format=ssh", "-c", f"user.signingkey={dept.keys['pio1'].private}",
             "-c", "user.name=Pat Rivera", "-c", "user.email=pio1@pd.example",
             "commit", "-q", "--amend", "--no-edit", "-S", "--reset-author")
    dept.merge_as("sup2", "retract/oak-appeal")
    assert verify_history(dept.root, dept.head("main"), use_cache=False).ok
    site = tmp_path / "www"
    published = CliRunner().invoke(cli, ["publish", "--repo", str(dept.root), "--target",
                                         str(site), "--now", "2026-12-01T12:00-08:00", "-q"])
    assert published.exit_code == 0, published.output
    assert "This item has been removed" in (site / "2026/oak-appeal/index.html").read_text()
    assert "Jane Roe" not in all_text(site)
    # Nothing is deleted from history: the original text is still in git.
    first = dept.git("log", "--format=%H", "--", "content/2026/oak-appeal.md").stdout.split()[-1]
    assert dept.git("show", f"{first}:content/2026/oak-appeal.md").stdout == original
    assert "Retraction: remove" in (dept.root / "content/2026/oak-appeal.md").read_text()
