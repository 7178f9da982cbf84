"""pressroom against plain Pelican at a department's scale, measured side by side.

    make bench                                   # N = 1,000 and 10,000, 3 repetitions
    .venv/bin/python scripts/bench.py --sizes 1000 --repeat 1 --json /tmp/bench.json

For each size N it generates a realistic department (scripts/gen_department.py:
fixed seed, all eight categories, incidents with updates, images, a roster) and
measures, alternating the commands within each repetition:

  1. plain Pelican 4.12, stock settings, same posts — the baseline;
  2. `pressroom build`, full and cold: empty output, no caches;
  3. `pressroom build` again (warm) after one new post, after a new alert (its
     banner goes on every page) and after an update to that alert's incident;
  4. `pressroom check` over every post, cold (no cache) and after one changed post;
and once, `pressroom verify` over a generated history of 2,000 signed merges.

It prints wall time (median and spread), peak memory of the process tree and the
ratio to the baseline, and writes the table as JSON for comparison across commits.
Targets (performance issue): full build <= 1.0x plain Pelican; warm rebuild <= 0.2x
and under 5 s; peak memory <= 1.5x; check >= 1,000 posts/s; verify < 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_department import generate  # noqa: E402
from gen_history import generate as generate_history  # noqa: E402

BIN = Path(sys.executable).parent
END = datetime(2026, 11, 1, 9, 0)
NOW = "2026-11-01T09:30-08:00"


def remove_site(site: Path) -> None:
    """The site link and every release behind it (``pressroom.publishing.release_folders``)."""
    from pressroom.publishing.release_folders import releases_folder

    shutil.rmtree(releases_folder(site), ignore_errors=True)
    if site.is_symlink():
        site.unlink()
    shutil.rmtree(site, ignore_errors=True)


def measured(command: list[str]) -> tuple[float, float]:
    """(seconds, peak resident MB of the command and the children it waited for)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        sys.exit(f"failed ({process.returncode}): {' '.join(command)}\n"
                 f"{process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def one_post(repo: Path, name: str, minute: int, incident: str = "") -> Path:
    path = repo / "content" / "2026" / f"{name}.md"
    extra = (f"Expires: {END + timedelta(hours=6):%Y-%m-%d %H:%M}\nArea: Elm Street\n"
             f"Incident: {incident}\nResponse: Avoid\n") if incident else ""
    category = "safety-alerts" if incident else "announcements"
    path.write_text(f"Title: Benchmark post {name}\nDate: {END:%Y-%m-%d} 09:{minute:02d}\n"
                    f"Category: {category}\nAuthor: pio1\nSummary: One more post.\n{extra}\n"
                    f"A short body.\n")
    return path


def bench_size(n: int, repeat: int, tmp: Path) -> list[dict]:
    repo = tmp / f"dept-{n}"
    generate(repo, n, end=END, incidents=max(1, n // 50))
    plain_settings = tmp / "plain.py"
    plain_settings.write_text("TIMEZONE = 'America/Los_Angeles'\n")
    site = tmp / f"site-{n}"
    build = [str(BIN / "pressroom"), "build", "--repo", str(repo), "--output", str(site),
             "--now", NOW, "-q"]
    runs: dict[str, list[tuple[float, float]]] = {}

    def record(name: str, value: tuple[float, float]) -> None:
        runs.setdefault(name, []).append(value)

    check = [str(BIN / "pressroom"), "check", "--repo", str(repo)]
    from pressroom.cache import folder as cache_folder

    caches = cache_folder(repo)  # where every cache of this department lives
    for index in range(repeat):
        out = tmp / "plain-out"
        shutil.rmtree(out, ignore_errors=True)
        record("plain Pelican, full build", measured(
            [str(BIN / "pelican"), str(repo / "content"), "-o", str(out), "-s",
             str(plain_settings), "-q"]))
        shutil.rmtree(out, ignore_errors=True)
        remove_site(site)  # cold: no earlier release to clone, no caches
        shutil.rmtree(caches, ignore_errors=True)
        record("pressroom build, full (cold)", measured(build))
        added = [one_post(repo, f"bench-new-{index}", 10 + index)]
        record("pressroom build, after one new post", measured(build))
        incident = f"2026-1101-bench{index}"
        added.append(one_post(repo, f"bench-alert-{index}", 20 + index, incident))
        record("pressroom build, after a new alert (banner)", measured(build))
        added.append(one_post(repo, f"bench-update-{index}", 30 + index, incident))
        record("pressroom build, after an incident update", measured(build))
        for path in added:
            path.unlink()
        measured(build)  # back to the generated site
        shutil.rmtree(caches, ignore_errors=True)
        record("pressroom check, every post (cold)", measured(check))
        added = [one_post(repo, f"bench-new-{index}", 10 + index)]
        record("pressroom check, after one new post", measured(check))
        added[0].unlink()
    baseline = statistics.median(t for t, _ in runs["plain Pelican, full build"])
    base_memory = statistics.median(m for _, m in runs["plain Pelican, full build"])
    rows = []
    for name, values in runs.items():
        times = [t for t, _ in values]
        memory = statistics.median(m for _, m in values)
        rows.append({"size": n, "measure": name, "median_s": round(statistics.median(times), 3),
                     "spread_s": round(max(times) - min(times), 3),
                     "peak_mb": round(memory, 1),
                     "ratio": round(statistics.median(times) / baseline, 3),
                     "memory_ratio": round(memory / base_memory, 3)})
    return rows


def bench_verify(tmp: Path, merges: int) -> dict:
    repo = tmp / "history"
    generate_history(repo, merges, progress=None)
    cold, memory = measured([str(BIN / "pressroom"), "verify", "--repo", str(repo), "--no-cache"])
    measured([str(BIN / "pressroom"), "verify", "--repo", str(repo)])
    warm, _ = measured([str(BIN / "pressroom"), "verify", "--repo", str(repo)])
    return {"merges": merges, "cold_s": round(cold, 3), "cached_s": round(warm, 3),
            "peak_mb": round(memory, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated numbers of posts (default: 1000,10000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--merges", type=int, default=2000)
    parser.add_argument("--json", type=Path, default=Path("bench-results.json"))
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # measure as on a department's machine
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="pressroom-bench-") as folder:
        tmp = Path(folder)
        for n in (int(s) for s in args.sizes.split(",")):
            print(f"N = {n:,} …", flush=True)
            rows += bench_size(n, args.repeat, tmp)
        print(f"verify, {args.merges:,} merges …", flush=True)
        verify = bench_verify(tmp, args.merges)
    print()
    print(f"{'N':>7}  {'measure':<44}{'median':>9}{'spread':>9}{'peak MB':>9}"
          f"{'x Pelican':>10}{'x memory':>9}")
    for row in rows:
        print(f"{row['size']:>7,}  {row['measure']:<44}{row['median_s']:>8.2f}s"
              f"{row['spread_s']:>8.2f}s{row['peak_mb']:>9.0f}{row['ratio']:>9.2f}x"
              f"{row['memory_ratio']:>8.2f}x")
    for row in rows:
        if row["measure"] == "pressroom check, every post (cold)":
            print(f"{row['size']:>7,}  check: {row['size'] / row['median_s']:,.0f} posts/s")
    print(f"verify {verify['merges']:,} merges: {verify['cold_s']:.2f}s first run, "
          f"{verify['cached_s']:.2f}s with the verified prefix cached")
    args.json.write_text(json.dumps({"measured": datetime.now().isoformat(timespec="seconds"),
                                     "rows": rows, "verify": verify}, indent=2) + "\n")
    print(f"table written to {args.json}")


if __name__ == "__main__":
    main()
