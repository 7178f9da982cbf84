"""The operator scripts run (no timing asserted here: speed lives in the benchmarks).

Every benchmark runs here at a tiny size and writes its section of a temporary results
file, never the committed docs/bench-results.json; a failed command writes nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
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


COMMITTED = PROJECT / "docs" / "bench-results.json"


def _section(results, name: str) -> dict:
    """The script's section, with the run's conditions every section must carry."""
    section = json.loads(results.read_text())["sections"][name]
    assert section["date"].endswith("Z") and section["commit"]
    assert f" scripts/{name}.py " in section["command"]
    assert str(results) in section["command"]
    assert {"cpu", "cpus", "memory_gb", "os", "python", "pelican"} <= set(section["machine"])
    for row in section["rows"]:
        assert row["runs"] >= 1 and row["median_s"] > 0 and row["size"] > 0
    return section


def test_bench_check_prints_its_table(tmp_path):
    require_tool(shutil.which("git") is not None, "git")
    results = tmp_path / "results.json"
    committed = COMMITTED.read_bytes() if COMMITTED.exists() else None
    result = subprocess.run(
        [sys.executable, str(PROJECT / "scripts/bench_check.py"), "--posts", "60",
         "--repeat", "1", "--no-pelican", "--results", str(results)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "pressroom check, 60 posts" in result.stdout
    assert "pre-commit run --files <one post>" in result.stdout
    assert "of which pre-commit itself" in result.stdout
    rows = _section(results, "bench_check")["rows"]
    check = rows[0]
    assert check["measure"] == "pressroom check, every post (cold)" and check["size"] == 60
    assert check["throughput_unit"] == "posts/s" and "ratio" not in check  # --no-pelican
    assert all("target" not in row for row in rows)  # targets are judged at 10,000 posts
    assert (COMMITTED.read_bytes() if COMMITTED.exists() else None) == committed


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


def test_bench_publish_prints_its_table(tmp_path):
    require_tool(shutil.which("ssh-keygen") is not None, "ssh-keygen")
    require_tool(shutil.which("git") is not None, "git")
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"schema": 1, "sections": {"bench": {"kept": True}}}))
    result = subprocess.run(
        [sys.executable, str(PROJECT / "scripts/bench_publish.py"), "--posts", "80",
         "--incidents", "4", "--repeat", "1", "--results", str(results)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "plain Pelican, full build (baseline)" in result.stdout
    assert "approved new alert -> live" in result.stdout
    assert "approved incident update -> live (pressroom publish)" in result.stdout
    rows = _section(results, "bench_publish")["rows"]
    assert [row["measure"] for row in rows][0] == "plain Pelican, full build (baseline)"
    assert all(row["size"] == 80 and "ratio" in row for row in rows)
    # Another script's section is left as it was.
    assert json.loads(results.read_text())["sections"]["bench"] == {"kept": True}


def test_bench_prints_its_table_and_json(tmp_path):
    require_tool(shutil.which("ssh-keygen") is not None, "ssh-keygen")
    target = tmp_path / "bench.json"
    result = subprocess.run(  # --json is the option's old name, still accepted
        [sys.executable, str(PROJECT / "scripts/bench.py"), "--sizes", "60", "--repeat", "1",
         "--merges", "4", "--json", str(target)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "plain Pelican, full build" in result.stdout
    rows = _section(target, "bench")["rows"]
    measures = {row["measure"] for row in rows if row["unit"] == "posts"}
    assert {"plain Pelican, full build", "pressroom build, full (cold)",
            "pressroom build, after one new post",
            "pressroom build, after a new alert (banner)",
            "pressroom build, after an incident update", "pressroom check, every post (cold)",
            "pressroom check, after one new post"} == measures
    assert all(row["size"] == 60 and "ratio" in row and "memory_ratio" in row
               for row in rows if row["unit"] == "posts")
    verify = [row for row in rows if row["unit"] == "merges"]
    assert [row["size"] for row in verify] == [4, 4]
    assert verify[0]["throughput_unit"] == "signatures/s"


def test_bench_verify_writes_its_section_and_a_failed_run_writes_nothing(tmp_path, monkeypatch):
    require_tool(shutil.which("ssh-keygen") is not None, "ssh-keygen")
    import bench_verify

    results = tmp_path / "results.json"
    monkeypatch.setattr(sys, "argv", ["bench_verify.py", "--merges", "3", "--repeat", "1",
                                      "--results", str(results)])
    bench_verify.main()
    before = results.read_bytes()
    rows = _section(results, "bench_verify")["rows"]
    assert [row["measure"] for row in rows] == ["pressroom verify, cold (--no-cache)",
                                                "pressroom verify, verified prefix cached"]
    # The same run where `pressroom verify` fails: the script exits nonzero, nothing is written.
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pressroom").write_text("#!/bin/sh\necho refused >&2\nexit 1\n")
    (fake / "pressroom").chmod(0o755)
    monkeypatch.setattr(bench_verify, "BIN", fake)
    with pytest.raises(SystemExit) as failed:
        bench_verify.main()
    assert failed.value.code != 0 and "refused" in str(failed.value.code)
    assert results.read_bytes() == before


def test_results_file_keeps_other_sections_and_refuses_a_foreign_file(tmp_path):
    from bench_results import Run

    results = tmp_path / "results.json"
    first = Run("scripts/bench_check.py", ["--posts", "5"])
    first.row("pressroom check, every post", 5, "posts", [0.3, 0.1, 0.2], baseline=0.4,
              peak_mb=30, base_mb=60, throughput=(25.0, "posts/s"), target="≥ 1", met=True)
    first.write(results)
    second = Run("scripts/bench_verify.py", [])
    second.row("pressroom verify, cold (--no-cache)", 3, "merges", [1.0])
    second.write(results)
    sections = json.loads(results.read_text())["sections"]
    assert sections["bench_check"]["rows"] == [
        {"measure": "pressroom check, every post", "size": 5, "unit": "posts", "runs": 3,
         "median_s": 0.2, "spread_s": 0.2, "ratio": 0.5, "peak_mb": 30, "memory_ratio": 0.5,
         "throughput": 25.0, "throughput_unit": "posts/s", "target": "≥ 1", "met": True}]
    assert sections["bench_check"]["command"].endswith(" scripts/bench_check.py --posts 5")
    assert list(sections) == ["bench_check", "bench_verify"]
    foreign = tmp_path / "other.json"
    foreign.write_text('{"rows": []}')
    with pytest.raises(SystemExit, match="not a results file"):
        second.write(foreign)
    assert foreign.read_text() == '{"rows": []}'
