"""The operator scripts run (no timing asserted here: speed lives in the benchmarks)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import PROJECT, require_tool

from pressroom.checking import check_repo

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
