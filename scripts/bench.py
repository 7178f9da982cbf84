"""pressroom against plain Pelican at a department's scale, measured side by side.

    make bench                                   # N = 1,000 and 10,000, 3 repetitions
    .venv/bin/python scripts/bench.py --sizes 1000 --repeat 1 --results /tmp/bench.json

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
ratio to the baseline, and replaces its section ("bench") of the results file
(docs/bench-results.json unless --results says otherwise; scripts/bench_results.py)
with the rows, the date, commit, machine and command line; `make docs` makes the
table of docs/performance.md from it. Targets (performance issue), judged only at
10,000 posts and 2,000 merges: full build <= 1.0x plain Pelican; warm rebuild <= 0.2x
and under 5 s; peak memory <= 1.5x; check >= 1,000 posts/s; verify < 10 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_results import RESULTS, Run, measured  # noqa: E402
from gen_department import generate  # noqa: E402
from gen_history import generate as generate_history  # noqa: E402

BIN = Path(sys.executable).parent
END = datetime(2026, 11, 1, 9, 0)
NOW = "2026-11-01T09:30-08:00"
TARGET_POSTS = 10_000  # the targets are set for a department of this size
TARGET_MERGES = 2_000


def remove_site(site: Path) -> None:
    """The site link and every release behind it (``pressroom.publishing.release_folders``)."""
    from pressroom.publishing.release_folders import releases_folder

    shutil.rmtree(releases_folder(site), ignore_errors=True)
    if site.is_symlink():
        site.unlink()
    shutil.rmtree(site, ignore_errors=True)


def one_post(repo: Path, name: str, minute: int, incident: str = "") -> Path:
    path = repo / "content" / "2026" / f"{name}.md"
    extra = (f"Expires: {END + timedelta(hours=6):%Y-%m-%d %H:%M}\nArea: Elm Street\n"
             f"Incident: {incident}\nResponse: Avoid\n") if incident else ""
    category = "safety-alerts" if incident else "announcements"
    path.write_text(f"Title: Benchmark post {name}\nDate: {END:%Y-%m-%d} 09:{minute:02d}\n"
                    f"Category: {category}\nAuthor: pio1\nSummary: One more post.\n{extra}\n"
                    f"A short body.\n")
    return path


def bench_size(n: int, repeat: int, tmp: Path) -> dict[str, list[tuple[float, float]]]:
    repo = tmp / f"dept-{n}"
    generate(repo, n, end=END, incidents=max(1, n // 50))
    plain_settings = tmp / "plain.py"
    plain_settings.write_text("TIMEZONE = 'America/Los_Angeles'\n")
    site = tmp / f"site-{n}"
    build = [str(BIN / "pressroom"), "build", "--repo", str(repo), "--output", str(site),
             "--now", NOW, "-q"]
    runs: dict[str, list[tuple[float, float]]] = {}

    def add(name: str, value: tuple[float, float]) -> None:
        runs.setdefault(name, []).append(value)

    check = [str(BIN / "pressroom"), "check", "--repo", str(repo)]
    from pressroom.cache import folder as cache_folder

    caches = cache_folder(repo)  # where every cache of this department lives
    for index in range(repeat):
        out = tmp / "plain-out"
        shutil.rmtree(out, ignore_errors=True)
        add("plain Pelican, full build", measured(
            [str(BIN / "pelican"), str(repo / "content"), "-o", str(out), "-s",
             str(plain_settings), "-q"]))
        shutil.rmtree(out, ignore_errors=True)
        remove_site(site)  # cold: no earlier release to clone, no caches
        shutil.rmtree(caches, ignore_errors=True)
        add("pressroom build, full (cold)", measured(build))
        added = [one_post(repo, f"bench-new-{index}", 10 + index)]
        add("pressroom build, after one new post", measured(build))
        incident = f"2026-1101-bench{index}"
        added.append(one_post(repo, f"bench-alert-{index}", 20 + index, incident))
        add("pressroom build, after a new alert (banner)", measured(build))
        added.append(one_post(repo, f"bench-update-{index}", 30 + index, incident))
        add("pressroom build, after an incident update", measured(build))
        for path in added:
            path.unlink()
        measured(build)  # back to the generated site
        shutil.rmtree(caches, ignore_errors=True)
        add("pressroom check, every post (cold)", measured(check))
        added = [one_post(repo, f"bench-new-{index}", 10 + index)]
        add("pressroom check, after one new post", measured(check))
        added[0].unlink()
    return runs


def record(run: Run, n: int, runs: dict[str, list[tuple[float, float]]]) -> None:
    """The rows of one size, each against the plain Pelican measured alongside it."""
    baseline = statistics.median(t for t, _ in runs["plain Pelican, full build"])
    base_mb = statistics.median(m for _, m in runs["plain Pelican, full build"])
    judged = n >= TARGET_POSTS
    for name, values in runs.items():
        times = [t for t, _ in values]
        median, memory = statistics.median(times), statistics.median(m for _, m in values)
        target, met, throughput = None, None, None
        if name == "pressroom build, full (cold)" and judged:
            target = "≤ 1.0×, memory ≤ 1.5×"
            met = median <= baseline and memory <= 1.5 * base_mb
        elif name.startswith("pressroom build, after") and judged:
            target = "≤ 0.2× and < 5 s, memory ≤ 1.5×"
            met = median <= 0.2 * baseline and median < 5 and memory <= 1.5 * base_mb
        elif name == "pressroom check, every post (cold)":
            throughput = (n / median, "posts/s")
            if judged:
                target, met = "≥ 1,000 posts/s", n / median >= 1000
        run.row(name, n, "posts", times, baseline=baseline, peak_mb=memory, base_mb=base_mb,
                throughput=throughput, target=target, met=met)


def bench_verify(run: Run, tmp: Path, merges: int) -> None:
    repo = tmp / "history"
    generate_history(repo, merges, progress=None)
    verify = [str(BIN / "pressroom"), "verify", "--repo", str(repo)]
    cold, memory = measured([*verify, "--no-cache"])
    measured(verify)
    warm, warm_memory = measured(verify)
    judged = merges >= TARGET_MERGES
    run.row("pressroom verify, cold (--no-cache)", merges, "merges", [cold],
            peak_mb=memory, throughput=(2 * merges / cold, "signatures/s"),
            target="< 10 s" if judged else None, met=cold < 10)
    run.row("pressroom verify, verified prefix cached", merges, "merges", [warm],
            peak_mb=warm_memory, target="< 10 s" if judged else None, met=warm < 10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated numbers of posts (default: 1000,10000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--merges", type=int, default=2000)
    parser.add_argument("--results", "--json", type=Path, default=RESULTS,
                        help="the results file whose 'bench' section this run replaces "
                             "(default: docs/bench-results.json)")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # measure as on a department's machine
    run = Run(__file__)
    with tempfile.TemporaryDirectory(prefix="pressroom-bench-") as folder:
        tmp = Path(folder)
        for n in (int(s) for s in args.sizes.split(",")):
            print(f"N = {n:,} …", flush=True)
            record(run, n, bench_size(n, args.repeat, tmp))
        print(f"verify, {args.merges:,} merges …", flush=True)
        bench_verify(run, tmp, args.merges)
    print()
    print(f"{'N':>7}  {'measure':<44}{'median':>9}{'spread':>9}{'peak MB':>9}"
          f"{'x Pelican':>10}{'x memory':>9}")
    for row in run.section["rows"]:
        if row["unit"] != "posts":
            continue
        print(f"{row['size']:>7,}  {row['measure']:<44}{row['median_s']:>8.2f}s"
              f"{row['spread_s']:>8.2f}s{row['peak_mb']:>9.0f}{row['ratio']:>9.2f}x"
              f"{row['memory_ratio']:>8.2f}x")
    for row in run.section["rows"]:
        if "throughput" in row:
            print(f"{row['size']:>7,}  {row['measure']}: "
                  f"{row['throughput']:,.0f} {row['throughput_unit']}")
    cold, cached = (row for row in run.section["rows"] if row["unit"] == "merges")
    print(f"verify {args.merges:,} merges: {cold['median_s']:.2f}s first run, "
          f"{cached['median_s']:.2f}s with the verified prefix cached")
    run.write(args.results)


if __name__ == "__main__":
    main()
