"""Benchmark how fast an incident update goes live, against plain Pelican on the same site.

    .venv/bin/python scripts/bench_publish.py                 # 10,000 posts, 200 incidents
    .venv/bin/python scripts/bench_publish.py --posts 1000 --incidents 20

Generates a realistic department (scripts/gen_department.py, fixed seed), then
measures in one run:

  1. plain Pelican (stock settings) building the same posts — the baseline;
  2. `pressroom build` of the whole site;
  3. one incident update added to an active incident, then `pressroom build` again
     until the incident page, banner, feeds and CAP files are in place.

Target (issue: incidents and alerts): step 3 under 5 s on a 2-core machine. Today
`pressroom build` rewrites the whole site, so step 3 costs a full build; the
incremental writer (performance issue) is what brings it down.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_department import generate  # noqa: E402

BIN = Path(sys.executable).parent
END = datetime(2026, 11, 1, 9, 0)


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return time.perf_counter() - started


def newest_incident(repo: Path) -> tuple[str, Path]:
    for path in sorted((repo / "content").rglob("*.md"), reverse=True):
        head = path.read_text().split("\n\n")[0]
        if "Incident: " in head:
            return head.split("Incident: ")[1].split("\n")[0], path
    sys.exit("no incident generated")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--incidents", type=int, default=200)
    args = parser.parse_args()
    now = (END + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M-08:00")  # PST on 1 Nov
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        repo = Path(tmp) / "dept"
        print(f"generating {args.posts:,} posts with {args.incidents} incidents …", flush=True)
        generate(repo, args.posts, end=END, incidents=args.incidents)
        plain = Path(tmp) / "plain.py"
        plain.write_text("TIMEZONE = 'America/Los_Angeles'\n")
        print("plain Pelican full build …", flush=True)
        baseline = timed([str(BIN / "pelican"), str(repo / "content"), "-o",
                          str(Path(tmp) / "plain-out"), "-s", str(plain), "-q"])
        site = Path(tmp) / "www"
        build = [str(BIN / "pressroom"), "build", "--repo", str(repo), "--output", str(site),
                 "--now", now, "-q"]
        print("pressroom full build …", flush=True)
        full = timed(build)
        incident, path = newest_incident(repo)
        update = path.with_name("incident-update-bench.md")
        update.write_text(
            f"Title: Update: the area is still closed\nDate: {END:%Y-%m-%d} 09:15\n"
            f"Category: safety-alerts\nAuthor: pio1\nSummary: Crews are still working.\n"
            f"Expires: {END + timedelta(hours=6):%Y-%m-%d %H:%M}\nArea: Elm Street\n"
            f"Incident: {incident}\nResponse: Avoid\n\nCrews are still at the scene.\n")
        print("one incident update …", flush=True)
        updated = timed(build)
        ok = "incident-update-bench" in (site / "incidents" / incident / "index.html").read_text()
        assert ok and (site / "cap" / "incident-update-bench.xml").is_file()

    print()
    print(f"{'measure':<52}{'time':>9}{'ratio':>9}  target")
    print(f"{'plain Pelican, full build (baseline)':<52}{baseline:>8.2f}s{1:>8.2f}x")
    print(f"{'pressroom build, full':<52}{full:>8.2f}s{full / baseline:>8.2f}x")
    print(f"{'one incident update live (pages, banner, feeds, CAP)':<52}{updated:>8.2f}s"
          f"{updated / baseline:>8.2f}x  < 5 s  {'met' if updated < 5 else 'MISSED'}")


if __name__ == "__main__":
    main()
