"""The one results file of one benchmark run (schema 2): what was measured, and how.

``scripts/bench.py`` measures everything in one run and writes ``docs/bench-results.json``
whole: the UTC date, the commit (``+dirty`` when pressroom/ or scripts/ had uncommitted
changes), the machine, the exact command line, whether the OS's caches could be dropped
before the cold rows, and every row with its repetitions, the minimum, median and maximum
of its time, of its background time, of its exit (for publish: after the switch) and of the
peak memory of its process tree, its ratios
against the *matched* and the *stock* Pelican baselines measured in the same run, and its
target (judged only at the size the target is set for). ``scripts/gen_docs.py`` makes the
one table of docs/performance.md from it, so no figure reaches the docs without its run.

The file is written only at the end of a run in which every command succeeded and did
what it was measured for: a failed run writes nothing.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench_measure import Measurement

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "docs" / "bench-results.json"
SCHEMA = 2
MATCHED, STOCK = "matched", "stock"  # the ids of the two baseline rows


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


def spread(values: list[float], digits: int) -> dict[str, float]:
    """min, median and max of ``values``, rounded."""
    return {"min": round(min(values), digits), "median": round(statistics.median(values), digits),
            "max": round(max(values), digits)}


class Run:
    """One benchmark run: its conditions are taken when it starts, its rows as they come."""

    def __init__(self, argv: list[str] | None = None) -> None:
        arguments = sys.argv[1:] if argv is None else argv
        self.results: dict[str, Any] = {
            "schema": SCHEMA,
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "commit": _commit(),
            "machine": machine(),
            "command": shlex.join([_relative(Path(sys.executable)), "scripts/bench.py",
                                   *arguments]),
            "os_caches_dropped": True,
            "load_average": {"start": round(os.getloadavg()[0], 2)},
            "baselines": {},
            "notes": [],
            "rows": [],
        }
        self._judges: dict[str, Any] = {}

    def row(self, row_id: str, measure: str, size: int, unit: str,
            values: list[Measurement], *, cold: bool, how: str, compare: bool = False,
            target: str | None = None, judge: Any = None) -> dict[str, Any]:
        """Record one measure from its repetitions.

        ``compare``: the row does a site's work, so its ratios to the baselines mean
        something (builds and publishes; not check or verify).

        ``judge(median_s, median_peak_mb, baselines)`` says whether ``target`` is met; it
        is called in ``finish`` (when both baselines are known), and only when ``target``
        is given: a target set for 10,000 posts says nothing about a run at 300.
        """
        row: dict[str, Any] = {
            "id": row_id, "measure": measure, "size": size, "unit": unit, "cold": cold,
            "how": how, "compare": compare, "runs": len(values),
            "time_s": spread([v.live_s for v in values], 3),
            "background_s": spread([v.background_s for v in values], 3),
            "exit_s": spread([v.exit_s for v in values], 3),
            "peak_mb": spread([v.peak_mb for v in values], 1),
        }
        if target:
            row["target"] = target
        self.results["rows"].append(row)
        if target and judge is not None:
            self._judges[row_id] = judge
        return row

    def finish(self) -> None:
        """Ratios of every posts row against both baselines, the targets' verdicts, and the
        load at the end (with the load at the start: was the machine quiet?)."""
        self.results["load_average"]["end"] = round(os.getloadavg()[0], 2)
        rows = {row["id"]: row for row in self.results["rows"]}
        bases = {name: rows[name] for name in (MATCHED, STOCK) if name in rows}
        for row in self.results["rows"]:
            if not row["compare"]:
                continue
            for name, base in bases.items():
                row[f"ratio_{name}"] = round(row["time_s"]["median"] / base["time_s"]["median"], 3)
                row[f"memory_ratio_{name}"] = round(
                    row["peak_mb"]["median"] / base["peak_mb"]["median"], 3)
        for row_id, judge in self._judges.items():
            row = rows[row_id]
            row["met"] = bool(judge(row["time_s"]["median"], row["peak_mb"]["median"], bases))

    def write(self, path: Path = RESULTS) -> None:
        """The whole file at once (a temporary file renamed over the old one); ``finish``
        must have run."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(self.results, indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")
        os.replace(partial, path)
        print(f"results written to {path}")
