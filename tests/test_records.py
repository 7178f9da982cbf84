"""392.7 records and 392.8 training: what was published, approved and retracted, from git."""

from __future__ import annotations

import csv
import io
import json
import tarfile

from click.testing import CliRunner
from conftest import post_text
from gitdept import Department

from pressroom.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def history(tmp_path, keys_dir) -> Department:
    dept = Department(tmp_path / "dept", keys_dir)
    dept.branch("policy/retention")
    dept.commit_as("sup1", "Retention schedule", {"policy/retention.toml": (
        "[default]\nyears = 3\n[categories]\npress-releases = \"permanent\"\n")})
    dept.merge_as("chief1", "policy/retention")
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    dept.branch("post/closure-fix")
    dept.commit_as("author1", "Correct the time", {"content/2026/closure.md": post_text(
        modified="2026-11-21 10:00", correction="Corrected the time.")})
    dept.merge_as("sup2", "post/closure-fix")
    dept.branch("post/release")
    dept.commit_as("pio1", "Release", {"content/2026/release.md": post_text(
        title="Arrests made", category="press-releases")})
    dept.merge_as("sup1", "post/release")
    dept.branch("retract/closure")
    dept.commit_as("pio1", "Remove closure", {"content/2026/closure.md": post_text(
        modified="2026-11-21 10:00", correction="Corrected the time.", retraction="remove",
        retracted="2026-11-25 08:00", **{"retraction-reason": "Wrong street",
                                          "reported-by": "sup2"})})
    dept.merge_as("sup1", "retract/closure")
    return dept


def test_records_list_every_version_with_approver_and_retention(tmp_path, keys_dir):
    dept = history(tmp_path, keys_dir)
    result = run("records", "--repo", str(dept.root))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    summary = [(r["slug"], r["change"], r["approver"], r["retraction"], r["retain_until"][:4])
               for r in rows]
    assert summary == [
        ("closure", "added", "sup1", "", "2029"),
        ("closure", "modified", "sup2", "", "2029"),
        ("release", "added", "sup1", "", "perm"),
        ("closure", "modified", "sup1", "remove", "2029"),
    ]
    removal = rows[-1]
    assert removal["retraction_reason"] == "Wrong street" and removal["reported_by"] == "sup2"
    assert removal["approval_commit"] == dept.head("main")
    as_json = json.loads(run("records", "--repo", str(dept.root), "--format", "json").output)
    assert [r["content_sha256"] for r in as_json] == [r["content_sha256"] for r in rows]


def test_export_is_self_contained_and_byte_identical(tmp_path, keys_dir):
    dept = history(tmp_path, keys_dir)
    first, second = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    for target in (first, second):
        assert run("records", "--repo", str(dept.root), "export", "--output",
                   str(target)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    with tarfile.open(first) as tar:
        names = tar.getnames()
        assert "records/manifest.csv" in names and "records/README.txt" in names
        report = tar.extractfile("records/verify-report.txt").read().decode()
        assert report.startswith("OK: all 5 commits on main are approved merges")
        versions = [n for n in names if n.startswith("records/versions/")]
        assert len(versions) == 4  # the original text survives the removal
        texts = [tar.extractfile(n).read().decode() for n in versions]
        assert any("Retraction: remove" not in t and "Road closure" in t for t in texts)


def test_roster_lists_training_due_and_lapsed(repo):
    (repo.root / "policy/roster.toml").write_text(
        '[members.pio1]\nname = "Pat Rivera"\nroles = ["pio"]\ntrained = 2026-06-01\n'
        '[members.old]\nname = "Officer Old"\nroles = ["author"]\ntrained = 2025-01-10\n'
        '[members.soon]\nname = "Sgt. Soon"\nroles = ["supervisor"]\ntrained = 2025-12-20\n'
        '[members.none]\nname = "Officer New"\nroles = ["author"]\n')
    result = run("roster", "--repo", str(repo.root), "--today", "2026-12-01")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:5]}
    assert lines["pio1"].endswith("current")
    assert lines["old"].endswith("LAPSED")
    assert lines["soon"].endswith("due in 19 days")
    assert lines["none"].endswith("NO TRAINING DATE")
    assert result.output.strip().endswith("3 need training attention as of 2026-12-01.")
