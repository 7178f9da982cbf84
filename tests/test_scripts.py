"""The operator scripts run (no timing asserted here: speed lives in the benchmarks)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import PROJECT, require_tool

from pressroom.checking.repo import check_repo

sys.path.insert(0, str(PROJECT / "scripts"))
from gen_department import generate  # noqa: E402


def test_generated_department_is_clean_and_reproducible(tmp_path):
    first = generate(tmp_path / "a", 120, seed=7)
    second = generate(tmp_path / "b", 120, seed=7)
    assert len(first) == 120
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    categories = {p.read_text().split("Category: ")[1].split("\n")[0] for p in first}
    assert len(categories) == 8
    report = check_repo(tmp_path / "a")
    assert report.violations == [], [str(v) for v in report.violations[:5]]


def test_bench_check_prints_its_table(tmp_path):
    require_tool(shutil.which("git") is not None, "git")
    result = subprocess.run(
        [sys.executable, str(PROJECT / "scripts/bench_check.py"), "--posts", "60",
         "--repeat", "1", "--no-pelican"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "pressroom check, 60 posts" in result.stdout
    assert "pre-commit run --files <one post>" in result.stdout
    assert "of which pre-commit itself" in result.stdout


def test_generated_history_verifies_and_a_tampered_one_does_not(tmp_path):
    require_tool(shutil.which("ssh-keygen") is not None, "ssh-keygen")
    from gen_history import generate as generate_history

    from pressroom.approvals.verification import verify_history

    repo = tmp_path / "history"
    tip = generate_history(repo, 12, progress=None)
    assert verify_history(repo, tip, use_cache=False).ok
    assert subprocess.run(["git", "fsck", "--strict"], cwd=repo,
                          capture_output=True).returncode == 0
    # A merge whose message was changed after signing no longer verifies.
    raw = subprocess.run(["git", "cat-file", "commit", tip], cwd=repo, capture_output=True,
                         check=True).stdout.replace(b"Approve post/notice-11", b"Approve it")
    forged = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin"], cwd=repo,
                            input=raw, capture_output=True, check=True).stdout.decode().strip()
    result = verify_history(repo, forged, use_cache=False)
    assert [(p.path, p.rule_id) for p in result.problems] == [(forged[:7], "APPROVAL-SIGNATURE")]


def test_bench_publish_prints_its_table():
    require_tool(shutil.which("ssh-keygen") is not None, "ssh-keygen")
    require_tool(shutil.which("git") is not None, "git")
    result = subprocess.run(
        [sys.executable, str(PROJECT / "scripts/bench_publish.py"), "--posts", "80",
         "--incidents", "4", "--repeat", "1"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "plain Pelican, full build (baseline)" in result.stdout
    assert "approved new alert -> live" in result.stdout
    assert "approved incident update -> live (pressroom publish)" in result.stdout


def test_bench_prints_its_table_and_json(tmp_path):
    require_tool(shutil.which("ssh-keygen") is not None, "ssh-keygen")
    target = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(PROJECT / "scripts/bench.py"), "--sizes", "60", "--repeat", "1",
         "--merges", "4", "--json", str(target)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "plain Pelican, full build" in result.stdout
    import json

    table = json.loads(target.read_text())
    measures = {row["measure"] for row in table["rows"]}
    assert {"pressroom build, full (cold)", "pressroom build, after one new post",
            "pressroom build, after a new alert (banner)",
            "pressroom build, after an incident update", "pressroom check, every post (cold)",
            "pressroom check, after one new post"} <= measures
    assert table["verify"]["merges"] == 4
