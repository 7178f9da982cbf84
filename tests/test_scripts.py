"""The operator scripts run (no timing asserted here: speed lives in the benchmarks).

The benchmark runs here at a tiny size and writes a temporary results file, never the
committed docs/bench-results.json; a failed command, or one that did not do its job,
writes nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

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


ROWS = ["stock", "matched", "build-full", "build-post", "build-alert", "build-update",
        "check-cold", "check-edit", "hook", "hook-floor", "verify-first", "verify-cached",
        "publish-first", "push", "publish-alert", "publish-update", "search-current"]


def test_bench_measures_every_row_in_one_run_and_writes_one_file(tmp_path):
    """The quick run of `make bench`'s script: every row, real spreads, the table from it."""
    for tool in ("git", "ssh-keygen"):
        require_tool(shutil.which(tool) is not None, tool)
    from bench_table import render_bench

    results = tmp_path / "results.json"
    committed = COMMITTED.read_bytes()
    result = subprocess.run(
        [sys.executable, str(PROJECT / "scripts/bench.py"), "--posts", "80", "--merges", "6",
         "--repeat", "2", "--keep-os-caches", "--results", str(results)],
        capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    run = json.loads(results.read_text())
    assert run["schema"] == 2 and run["date"].endswith("Z") and run["commit"]
    assert run["command"].endswith(f"scripts/bench.py --posts 80 --merges 6 --repeat 2 "
                                   f"--keep-os-caches --results {results}")
    assert {"cpu", "cpus", "memory_gb", "os", "python", "pelican"} <= set(run["machine"])
    assert run["os_caches_dropped"] is False  # --keep-os-caches, and said so
    assert set(run["load_average"]) == {"start", "end"}  # a busy machine shows
    assert set(run["baselines"]) == {"stock", "matched"}
    rows = {row["id"]: row for row in run["rows"]}
    assert list(rows) == ROWS
    for row in rows.values():
        # A fresh clone's first publish once; two pushes (an alert, an update) per repetition.
        assert row["runs"] == {"publish-first": 1, "push": 4, "search-current": 4}.get(
            row["id"], 2), row["id"]
        for figure in ("time_s", "background_s", "exit_s", "peak_mb"):
            low, middle, high = (row[figure][k] for k in ("min", "median", "max"))
            assert 0 <= low <= middle <= high, (row["id"], figure)
        assert row["time_s"]["min"] > 0 and row["peak_mb"]["min"] > 5, row["id"]
        assert "target" not in row and "met" not in row  # judged at 10,000 posts only
        compared = row["id"] in {"stock", "matched", "publish-first", "publish-alert",
                                 "publish-update"} or row["id"].startswith("build")
        assert ("ratio_matched" in row and "memory_ratio_stock" in row) == compared, row["id"]
    assert rows["matched"]["ratio_matched"] == 1.0 and rows["stock"]["ratio_stock"] == 1.0
    assert rows["build-full"]["cold"] and not rows["build-post"]["cold"]
    # Live is the switch, which comes before publish exits. (Work left running after the exit
    # counts as background: test_measure_counts_the_whole_tree_the_background_and_the_switch;
    # at 80 posts the state saver may be done before publish exits: not asserted here.)
    for row_id in ("publish-alert", "publish-update"):
        assert rows[row_id]["time_s"]["min"] <= rows[row_id]["exit_s"]["max"]
    index = run["search_index"]  # the index follows every publish; its size is reported
    assert index["posts"] == 80 and index["pages"] >= 50 and index["bytes"] > 0
    assert index["bytes_per_10000_posts"] == round(index["bytes"] * 10_000 / 80)
    table = render_bench(run)
    assert "MB per 10,000 posts" in table
    assert "**The OS page cache was not dropped**" in table
    assert "Load average (one minute) at the start and the end of the run" in table
    assert all(row["measure"].replace("<", "&lt;").replace(">", "&gt;") in table
               for row in run["rows"])
    assert COMMITTED.read_bytes() == committed  # the committed results are never touched


def test_cold_removes_every_pressroom_cache(tmp_path):
    """Cold rows start with no cache in git's folder and none in the user cache folder."""
    import argparse

    from bench import Bench
    from bench_results import Run

    from pressroom.cache import folder

    repo = tmp_path / "dept"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    args = argparse.Namespace(bin=Path(sys.executable).parent, keep_os_caches=True)
    bench = Bench(args, tmp_path, Run([]))
    for cache in (folder(repo), tmp_path / "xdg-cache" / "pressroom" / "outside-git"):
        cache.mkdir(parents=True)
        (cache / "check-results.pickle").write_bytes(b"old")
    bench.cold(repo)
    assert not folder(repo).exists() and not (tmp_path / "xdg-cache").exists()
    assert bench.env["XDG_CACHE_HOME"] == str(tmp_path / "xdg-cache")
    assert bench.run.results["os_caches_dropped"] is False  # --keep-os-caches is recorded


def _fake_bin(folder, pressroom: str):
    """A bin folder whose pressroom is ``pressroom`` (a shell script); the rest are real."""
    folder.mkdir()
    for name in ("pelican", "pre-commit"):
        (folder / name).symlink_to(Path(sys.executable).parent / name)
    (folder / "pressroom").write_text(f"#!/bin/sh\n{pressroom}\n")
    (folder / "pressroom").chmod(0o755)
    return folder


@pytest.mark.parametrize("pressroom, why", [
    ("echo refused >&2; exit 1", "failed (exit 1)"),  # a build that refuses
    ("exit 0", "post pages missing"),  # a build that "succeeds" without building
])
def test_a_failed_or_empty_command_fails_the_bench_and_writes_nothing(tmp_path, pressroom, why):
    require_tool(shutil.which("ssh-keygen") is not None, "ssh-keygen")
    results = tmp_path / "results.json"
    results.write_text("the previous run\n")
    result = subprocess.run(
        [sys.executable, str(PROJECT / "scripts/bench.py"), "--posts", "50", "--merges", "1",
         "--repeat", "1", "--keep-os-caches", "--results", str(results),
         "--bin", str(_fake_bin(tmp_path / "bin", pressroom))],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "FAILED, nothing written" in result.stderr and why in result.stderr
    assert "Traceback" not in result.stderr
    assert results.read_text() == "the previous run\n"
    assert not list(tmp_path.glob("results.json.*"))


def test_measure_counts_the_whole_tree_the_background_and_the_switch(tmp_path):
    """Forked children's memory is summed; what outlives the command is background time."""
    from bench_measure import BenchFailure, measure

    allocate = (f"{sys.executable} -c 'import time; b = bytearray(60 << 20); "
                "b[::4096] = b\"x\" * len(b[::4096]); time.sleep({})'")
    # The command waits for one child and leaves another running (as the state saver does).
    tree = measure(["sh", "-c", f"{allocate.format(0.3)} & {allocate.format(0.8)} & "
                                "wait %1; exit 0"])
    assert tree.peak_mb > 100  # two children of 60 MB each, neither of them the command
    assert tree.live_s >= 0.3 and tree.background_s >= 0.3
    link = tmp_path / "site"
    link.symlink_to("release-1")
    switched = measure(["sh", "-c", f"sleep 0.3; ln -s release-2 {tmp_path}/new; "
                                    f"mv -T {tmp_path}/new {link}; sleep 0.5"], switch=link)
    assert 0.25 <= switched.live_s < switched.exit_s and switched.background_s >= 0.4
    with pytest.raises(BenchFailure, match="never switched"):
        measure(["true"], switch=link)
    with pytest.raises(BenchFailure, match="exit 3"):
        measure(["sh", "-c", "exit 3"])


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
