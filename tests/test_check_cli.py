"""``pressroom check``: the contract other parts depend on."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import post_text

from pressroom.cli import cli

SUPPRESSED = post_text(
    title="Robbery at a pharmacy",
    body="<!-- pressroom: allow PRIVACY-ADDRESS -- a business, not a residence -->\n"
         "The pharmacy at 501 E. Foothill Blvd. was robbed.")


def check(repo, *args: str):
    return CliRunner().invoke(cli, ["check", "--repo", str(repo.root), "--today", "2026-11-27",
                                    *args], catch_exceptions=False)


def test_clean_repository_exits_0_with_summary(repo):
    repo.post("2026/closure.md")
    result = check(repo)
    assert result.exit_code == 0
    assert result.output.strip() == "OK: checked 1 file, no problems."


def test_violations_exit_1_one_line_each_then_summary(repo):
    repo.post("2026/closure.md")
    repo.post("2026/bad.md", post_text(category="gossip",
                                       body="Call the victim at (626) 555-0199.\n\nI did it."))
    result = check(repo)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("content/2026/bad.md:3: FRONT-CATEGORY: 'gossip'")
    assert lines[1].startswith("content/2026/bad.md:7: PRIVACY-PHONE: phone number "
                               "'(626) 555-0199'")
    assert lines[2].startswith("content/2026/bad.md:9: PERSONAL-FIRST-PERSON:")
    assert lines[-1] == "REFUSED: checked 2 files: 3 problems in 1 file."


def test_named_files_only(repo):
    repo.post("2026/closure.md")
    repo.post("2026/bad.md", post_text(date="nope"))
    result = check(repo, str(repo.root / "content/2026/closure.md"))
    assert result.exit_code == 0
    assert "checked 1 file" in result.output


def test_report_lists_suppressions_with_reasons(repo):
    repo.post("2026/pharmacy.md", SUPPRESSED)
    result = check(repo, "--report")
    assert result.exit_code == 0
    assert ("content/2026/pharmacy.md:7: allows PRIVACY-ADDRESS: a business, not a residence"
            in result.output)
    assert result.output.strip().endswith("1 suppression in force.")


@pytest.mark.parametrize(
    ("data", "rule"),
    [(b"\x00\x01binary\x00", "FILE-TEXT"), (b"Title: caf\xe9\n", "FILE-ENCODING"),
     (b"", "FRONT-EMPTY"), (b"Title: x\n\n" + b"word " * 500_000, "FILE-SIZE")],
)
def test_unreadable_posts_never_traceback(repo, data, rule):
    (repo.root / "content/odd.md").write_bytes(data)
    result = check(repo)
    assert result.exit_code == 1
    assert f"content/odd.md:1: {rule}:" in result.output
    assert "Traceback" not in result.output


def test_broken_image_is_one_line(repo):
    (repo.root / "content/images").mkdir()
    (repo.root / "content/images/photo.jpg").write_bytes(b"\xff\xd8\xff\xe1\x00garbage")
    result = check(repo)
    assert result.exit_code == 1
    assert "content/images/photo.jpg: IMAGE-FORMAT: corrupt JPEG" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [(["content/none.md"], "no such file"), (["--today", "soon"], "is not a date")],
)
def test_usage_errors_exit_2(repo, args, message):
    repo.post("2026/closure.md")
    result = check(repo, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_file_outside_the_repository_exits_2(repo, tmp_path):
    outside = tmp_path / "elsewhere.md"
    outside.write_text(post_text())
    result = check(repo, str(outside))
    assert result.exit_code == 2
    assert "not inside the repository" in result.output


def test_untrained_author_is_refused_and_training_due_is_warned(repo):
    (repo.root / "policy/roster.toml").write_text(
        '[members.pio1]\nname = "Pat Rivera"\nroles = ["pio"]\ntrained = 2025-12-10\n'
        '[members.old]\nname = "Officer Old"\nroles = ["author"]\ntrained = 2024-05-01\n')
    repo.post("2026/ok.md")
    repo.post("2026/lapsed.md", author="old")
    result = check(repo)
    assert result.exit_code == 1
    assert ("content/2026/lapsed.md:4: AUTHOR-TRAINING: Officer Old's social-media training "
            "expired on 2025-05-01") in result.output
    assert ("policy/roster.toml: AUTHOR-TRAINING-DUE: Pat Rivera (pio1) needs social-media "
            "training by 2026-12-10 (392.8)") in result.output


def test_rules_toml_severity_turns_a_rule_into_a_warning(repo):
    (repo.root / "policy/rules.toml").write_text('[severity]\nPERSONAL-FIRST-PERSON = "warning"\n')
    repo.post("2026/x.md", post_text(body="I was there."))
    result = check(repo)
    assert result.exit_code == 0
    assert "PERSONAL-FIRST-PERSON: (warning) first person singular" in result.output
    assert "OK: checked 1 file: 0 problems, 1 warning in 1 file." in result.output


def test_invalid_rules_toml_is_reported(repo):
    (repo.root / "policy/rules.toml").write_text("[allow]\nphone = ['555']\n")
    repo.post("2026/x.md")
    result = check(repo)
    assert result.exit_code == 1
    assert "policy/rules.toml:2: RULES-CONFIG: unknown key 'phone' in [allow]" in result.output


def test_named_file_reusing_a_slug_outside_git(repo):
    repo.post("2025/old.md", post_text(date="2025-06-01", slug="closure"))
    repo.post("2026/closure.md")
    result = check(repo, str(repo.root / "content/2026/closure.md"))
    assert result.exit_code == 1
    assert ("content/2026/closure.md:1: FRONT-SLUG-DUPLICATE: slug 'closure' is already used "
            "by content/2025/old.md") in result.output


def test_results_are_reused_only_while_nothing_they_depend_on_changed(repo, monkeypatch):
    """The check cache: same bytes and same rules -> the stored result, else a new check."""
    from pressroom.checking import repo as checking

    repo.post("2026/closure.md")
    repo.post("2026/robbery.md", post_text(title="Robbery", body="It was at 412 Elm St."))
    first = check(repo)
    assert first.exit_code == 1 and "PRIVACY-ADDRESS" in first.output

    checked: list[str] = []
    real = checking.check_post
    monkeypatch.setattr(checking, "check_post",
                        lambda path, data, ctx: checked.append(path) or real(path, data, ctx))
    assert check(repo).output == first.output  # the stored violation is still reported
    assert checked == []

    repo.post("2026/closure.md", post_text(title="Road closure on Main Street, updated"))
    assert check(repo).exit_code == 1
    assert checked == ["content/2026/closure.md"]

    (repo.root / "policy" / "rules.toml").write_text(
        '[allow]\naddresses = ["412 Elm St."]\n', encoding="utf-8")
    checked.clear()
    relaxed = check(repo)
    assert sorted(checked) == ["content/2026/closure.md", "content/2026/robbery.md"]
    assert relaxed.exit_code == 0 and "PRIVACY-ADDRESS" not in relaxed.output


def test_results_are_reused_by_the_next_process(repo):
    """Cache keys must not depend on a process's hash seed (sets print in any order)."""
    import os
    import shutil
    import subprocess
    import sys

    from pressroom.cache import folder as cache_folder
    from pressroom.checking.results import CHECK_CACHE

    repo.post("2026/closure.md")
    (repo.root / "policy" / "rules.toml").write_text(
        '[allow]\naddresses = ["412 Elm St.", "100 Civic Center Plaza"]\n', encoding="utf-8")
    command = [shutil.which("pressroom") or str(Path(sys.executable).parent / "pressroom"),
               "check", "--repo", str(repo.root)]
    for seed in ("1", "2"):
        subprocess.run(command, check=True, capture_output=True,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        if seed == "1":
            stored = (cache_folder(repo.root) / CHECK_CACHE).stat().st_mtime_ns
    assert (cache_folder(repo.root) / CHECK_CACHE).stat().st_mtime_ns == stored
