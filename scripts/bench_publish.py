"""How fast an approved incident update goes live, against plain Pelican on the same site.

    .venv/bin/python scripts/bench_publish.py                 # 10,000 posts, 200 incidents
    .venv/bin/python scripts/bench_publish.py --posts 1000 --incidents 20 --repeat 1

Generates a realistic department (scripts/gen_department.py, fixed seed) as a git
repository whose root commit the chief signed, with real SSH keys in the roster,
and measures in one run:

  1. plain Pelican (stock settings) building the same posts — the baseline;
  2. the first `pressroom publish` (verify, check, full build, deploy);
  3. for each repetition, the time from an approved merge to the site being in place
     — `pressroom publish` after the incident commander's signed merge of:
     a. the first alert of a new incident (the banner changes on every page), then
     b. an update to that incident (incident page, its feeds, CAP files, the lists
        it appears in; the banner keeps naming the incident).

Target (incidents issue): an update live in under 5 s on a 2-core machine, judged
only at 10,000 posts or more. Medians of the repetitions are printed with their
spread, and replace the "bench_publish" section of the results file
(docs/bench-results.json unless --results says otherwise; scripts/bench_results.py).
"""

from __future__ import annotations

import argparse
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
from bench_results import RESULTS, Run, measured  # noqa: E402
from gen_department import ROSTER, generate  # noqa: E402

BIN = Path(sys.executable).parent
END = datetime(2026, 11, 1, 9, 0)
NOW = (END + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M-08:00")  # PST on 1 Nov
TARGET_POSTS = 10_000  # the < 5 s target is set for a department of this size
EMAILS = {"chief1": "etorres@pd.example", "pio1": "pio1@pd.example", "ic1": "mhale@pd.example"}


def run(command: list[str], cwd: Path | None = None) -> float:
    """A setup step (git, ssh-keygen): it must succeed; its time is not a figure."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return time.perf_counter() - started


def git(repo: Path, *args: str) -> None:
    run(["git", *args], cwd=repo)


def act_as(repo: Path, keys: Path, member: str) -> None:
    """This clone signs as ``member`` from now on (what `pressroom setup-signing` does)."""
    git(repo, "config", "user.name", member)
    git(repo, "config", "user.email", EMAILS[member])
    git(repo, "config", "user.signingkey", str(keys / member))


def make_repo(repo: Path, posts: int, incidents: int, keys: Path) -> None:
    generate(repo, posts, end=END, incidents=incidents)
    keys.mkdir()
    roster = ROSTER.format(trained="2026-06-01")
    for member in EMAILS:
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", member, "-f", str(keys / member)])
        public = (keys / f"{member}.pub").read_text().strip()
        roster = roster.replace(f"[members.{member}]\n",
                                f'[members.{member}]\nsigning_key = "{public}"\n', 1)
    (repo / "policy" / "roster.toml").write_text(roster)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "gpg.format", "ssh")
    git(repo, "config", "commit.gpgsign", "true")
    act_as(repo, keys, "chief1")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-S", "-m", "Adopt pressroom with the department's archive")


def approved(repo: Path, keys: Path, slug: str, text: str) -> None:
    """The PIO writes on a branch; the incident commander merges it, signed."""
    git(repo, "checkout", "-q", "-b", f"post/{slug}")
    act_as(repo, keys, "pio1")
    (repo / "content" / "2026" / f"{slug}.md").write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-S", "-m", slug)
    git(repo, "checkout", "-q", "main")
    act_as(repo, keys, "ic1")
    git(repo, "merge", "-q", "--no-ff", "-S", "-m", f"Approve post/{slug}", f"post/{slug}")


def alert(title: str, minute: int, incident: str = "") -> str:
    when = END + timedelta(minutes=minute)
    return (f"Title: {title}\nDate: {when:%Y-%m-%d %H:%M}\nCategory: safety-alerts\n"
            f"Author: pio1\nSummary: Crews are at the scene; avoid the area.\n"
            f"Expires: {END + timedelta(hours=8):%Y-%m-%d %H:%M}\nArea: Grand Avenue\n"
            + (f"Incident: {incident}\n" if incident else "")
            + "Response: Avoid\n\nCrews are at the scene. Use Foothill Boulevard instead.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="the results file whose 'bench_publish' section this run "
                             "replaces (default: docs/bench-results.json)")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # measure as on a department's machine
    bench = Run(__file__)
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as folder:
        tmp = Path(folder)
        repo, keys, site = tmp / "dept", tmp / "keys", tmp / "www"
        print(f"generating {args.posts:,} posts with {args.incidents} incidents …", flush=True)
        make_repo(repo, args.posts, args.incidents, keys)
        plain = tmp / "plain.py"
        plain.write_text("TIMEZONE = 'America/Los_Angeles'\n")
        print("plain Pelican full build …", flush=True)
        baseline, base_mb = measured([str(BIN / "pelican"), str(repo / "content"), "-o",
                                      str(tmp / "plain-out"), "-s", str(plain), "-q"])
        shutil.rmtree(tmp / "plain-out")
        publish = [str(BIN / "pressroom"), "publish", "--repo", str(repo), "--target",
                   str(site), "--now", NOW, "-q"]
        print("first publish (full build) …", flush=True)
        first, first_mb = measured(publish)
        updates: list[tuple[float, float]] = []
        alerts: list[tuple[float, float]] = []
        for index in range(args.repeat):
            print(f"repetition {index + 1}: a new alert, then an update to it …", flush=True)
            incident = f"2026-1101-bench{index}"
            slug = f"bench-alert-{index}"
            approved(repo, keys, slug, alert(f"Water main break {index}: avoid Grand Avenue",
                                             10 + 2 * index, incident))
            alerts.append(measured(publish))
            assert f"incidents/{incident}/" in (site / "contact" / "index.html").read_text()
            slug = f"bench-update-{index}"
            approved(repo, keys, slug, alert(f"Update {index}: Grand Avenue still closed",
                                             11 + 2 * index, incident))
            updates.append(measured(publish))
            page = (site / "incidents" / incident / "index.html").read_text()
            assert slug in page and (site / "cap" / f"{slug}.xml").is_file()

    judged = args.posts >= TARGET_POSTS

    def row(name: str, values: list[tuple[float, float]], target: str = "") -> None:
        times = [t for t, _ in values]
        peak = statistics.median(m for _, m in values)
        recorded = bench.row(name, args.posts, "posts", times, baseline=baseline, peak_mb=peak,
                             base_mb=base_mb, target=target if judged else None,
                             met=(statistics.median(times) < 5) if target else None)
        verdict = f"{target} {'met' if recorded.get('met') else 'MISSED'}" if judged else \
            f"({target} is judged at {TARGET_POSTS:,} posts)"
        print(f"{name:<56}{recorded['median_s']:>8.2f}s{recorded['spread_s']:>8.2f}s"
              f"{recorded['ratio']:>8.2f}x  {verdict if target else ''}")

    print()
    print(f"{'measure (' + format(args.posts, ',') + ' posts)':<56}{'median':>9}{'spread':>9}"
          f"{'ratio':>9}  target")
    row("plain Pelican, full build (baseline)", [(baseline, base_mb)])
    row("first pressroom publish (verify, check, full build)", [(first, first_mb)])
    row("approved new alert -> live, banner on every page", alerts, "< 5 s")
    row("approved incident update -> live (pressroom publish)", updates, "< 5 s")
    bench.write(args.results)


if __name__ == "__main__":
    main()
