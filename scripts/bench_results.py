"""The one results file every benchmark writes its section into, and how a run is measured.

``docs/bench-results.json`` holds one section per benchmark script (``bench``,
``bench_publish``, ``bench_verify``, ``bench_check``). A script replaces its own section
and never touches the others', so the four can run at different times. Each section
says what was measured (its rows) and under what conditions: the UTC date, the commit
(``+dirty`` when pressroom/ or scripts/ had uncommitted changes), the machine and the
exact command line. ``scripts/gen_docs.py`` turns the file into the one table of
docs/performance.md, so no figure reaches the docs without the run that produced it.

A measured command that exits nonzero ends the script (exit 1) before anything is
written: a failed run is a failure, never a row.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "docs" / "bench-results.json"
SCHEMA = 1


def measured(command: list[str], cwd: Path | None = None,
             env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, peak resident MB of the command and the children it waited for).

    Any nonzero exit stops the whole benchmark: a figure from a failed command would
    measure the failure, not the work. Output goes to temporary files, not pipes, so a
    talkative command cannot block on a full pipe while its time is being taken.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            out.seek(0)
            err.seek(0)
            raise SystemExit(f"benchmark command failed ({process.returncode}): "
                             f"{shlex.join(command)}\n{out.read().decode()[-2000:]}"
                             f"{err.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def _commit() -> str:
    """``git rev-parse --short HEAD``, with ``+dirty`` when the measured code is uncommitted."""
    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=PROJECT, capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "pressroom", "scripts")
    return head + ("+dirty" if dirty else "")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, Any]:
    """What the figures depend on besides the code: processor, memory, system, versions."""
    return {"cpu": _cpu_model(), "cpus": os.cpu_count(), "memory_gb": _memory_gb(),
            "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "pelican": _version("pelican")}


def _relative(path: Path) -> str:
    """The interpreter as typed in the project (``.venv/bin/python``), else its full path."""
    try:
        return path.absolute().relative_to(PROJECT).as_posix()
    except ValueError:
        return str(path)


class Run:
    """One benchmark run: its conditions are taken when it starts, its rows as they come."""

    def __init__(self, script: str, argv: list[str] | None = None) -> None:
        self.name = Path(script).stem
        arguments = sys.argv[1:] if argv is None else argv
        self.section: dict[str, Any] = {
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "commit": _commit(),
            "machine": machine(),
            "command": shlex.join([_relative(Path(sys.executable)),
                                   f"scripts/{Path(script).name}", *arguments]),
            "rows": [],
        }

    def row(self, measure: str, size: int, unit: str, times: list[float], *,
            baseline: float | None = None, peak_mb: float | None = None,
            base_mb: float | None = None, throughput: tuple[float, str] | None = None,
            target: str | None = None, met: bool | None = None) -> dict[str, Any]:
        """Record one measure: median and spread of ``times``, ratios to the baseline if any.

        ``target`` and ``met`` are given only where the target applies at this size: a
        target set for 10,000 posts says nothing about a run at 200.
        """
        middle = statistics.median(times)
        row: dict[str, Any] = {"measure": measure, "size": size, "unit": unit,
                               "runs": len(times), "median_s": round(middle, 3),
                               "spread_s": round(max(times) - min(times), 3)}
        if baseline:
            row["ratio"] = round(middle / baseline, 3)
        if peak_mb:
            row["peak_mb"] = round(peak_mb, 1)
            if base_mb:
                row["memory_ratio"] = round(peak_mb / base_mb, 3)
        if throughput:
            row["throughput"] = round(throughput[0], 1)
            row["throughput_unit"] = throughput[1]
        if target:
            row["target"] = target
            row["met"] = bool(met)
        self.section["rows"].append(row)
        return row

    def write(self, path: Path = RESULTS) -> None:
        """Replace this script's section of the results file, keeping every other section."""
        results: dict[str, Any] = {"schema": SCHEMA, "sections": {}}
        if path.exists():
            try:
                results = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as error:
                raise SystemExit(f"{path}: not JSON ({error}); not overwriting it") from error
            if not isinstance(results.get("sections"), dict):
                raise SystemExit(f"{path}: no 'sections': not a results file; not overwriting")
        results["schema"] = SCHEMA
        results["sections"][self.name] = self.section
        results["sections"] = dict(sorted(results["sections"].items()))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")
        os.replace(partial, path)
        print(f"section {self.name!r} written to {path}")
