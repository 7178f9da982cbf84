"""Benchmark the content rules: `pressroom check` over N posts, and one file through pre-commit.

    .venv/bin/python scripts/bench_check.py            # 10,000 posts
    .venv/bin/python scripts/bench_check.py --posts 1000 --repeat 5

Generates a realistic department repository (scripts/gen_department.py, fixed
seed) in a temp folder, makes it a git repository with this project's
.pre-commit-config.yaml, then measures, as a user would run them:

  1. `pressroom check` over every post: wall time and posts/second;
  2. `pre-commit run pressroom-content --files <one post>`: wall time;
  3. for scale, plain Pelican (stock settings) building the same posts, and the ratio.

Targets on a 2-core machine: 10,000 posts in under 10 s (>= 1,000 posts/s);
one file through pre-commit in under 0.5 s (judged only at 10,000 posts or more).
Figures are medians of --repeat runs; they replace the "bench_check" section of the
results file (docs/bench-results.json unless --results says otherwise;
scripts/bench_results.py).
Commands run as on a department's machine: with Python's bytecode cache on
(PYTHONDONTWRITEBYTECODE is removed from their environment), after one warm-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_results import RESULTS, Run, measured  # noqa: E402
from gen_department import PROJECT, generate  # noqa: E402

BIN = Path(sys.executable).parent
TARGET_POSTS = 10_000  # the targets are set for a department of this size


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """A warm-up run: it must succeed, its time is no figure."""
    return measured(command, cwd, env)[0]


def runs_of(repeat: int, command: list[str], cwd: Path,
            env: dict[str, str] | None = None) -> tuple[list[float], float]:
    """(the wall times of ``repeat`` runs, their median peak memory in MB)."""
    values = [measured(command, cwd, env) for _ in range(repeat)]
    return [t for t, _ in values], statistics.median(m for _, m in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pelican", action="store_true",
                        help="skip the plain Pelican build used for the ratio")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="the results file whose 'bench_check' section this run "
                             "replaces (default: docs/bench-results.json)")
    args = parser.parse_args()
    bench = Run(__file__)

    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        repo = Path(tmp) / "dept"
        print(f"generating {args.posts:,} posts …", flush=True)
        posts = generate(repo, args.posts)
        (repo / ".pre-commit-config.yaml").write_text(
            (PROJECT / ".pre-commit-config.yaml").read_text())
        (repo / ".venv").symlink_to(Path(sys.prefix))
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as on a department's machine
        env = dict(os.environ, PRE_COMMIT_HOME=str(Path(tmp) / "pre-commit-home"),
                   GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@pd.example",
                   GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@pd.example")
        for command in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"],
                        ["git", "commit", "-q", "-m", "generated", "--no-verify"]):
            subprocess.run(command, cwd=repo, check=True, env=env, capture_output=True)

        print("timing pressroom check …", flush=True)
        timed([str(BIN / "pressroom"), "check", "--help"], repo)  # warm-up: bytecode cache
        # cold every time: --no-cache reads no earlier result (the first run would fill it)
        checks, check_mb = runs_of(args.repeat, [str(BIN / "pressroom"), "check", "--no-cache"],
                                   repo)
        one = posts[len(posts) // 2].relative_to(repo).as_posix()
        print("timing pre-commit on one post …", flush=True)
        timed([str(BIN / "pre-commit"), "run", "pressroom-content", "--files", one], repo, env)
        hooks, hook_mb = runs_of(
            max(5, args.repeat),
            [str(BIN / "pre-commit"), "run", "pressroom-content", "--files", one], repo, env)

        # pre-commit's own cost in this repository: the same run with a hook that does nothing.
        config = (repo / ".pre-commit-config.yaml").read_text()
        (repo / ".pre-commit-config.yaml").write_text(
            "repos:\n  - repo: local\n    hooks:\n      - id: noop\n        name: noop\n"
            "        entry: 'true'\n        language: system\n")
        timed([str(BIN / "pre-commit"), "run", "noop", "--files", one], repo, env)
        floors, floor_mb = runs_of(max(5, args.repeat),
                             [str(BIN / "pre-commit"), "run", "noop", "--files", one], repo, env)
        (repo / ".pre-commit-config.yaml").write_text(config)

        pelican = None
        if not args.no_pelican:
            print("timing plain Pelican …", flush=True)
            plain = Path(tmp) / "plain.py"
            plain.write_text("TIMEZONE = 'America/Los_Angeles'\n")
            pelican = measured([str(BIN / "pelican"), str(repo / "content"), "-o",
                                str(Path(tmp) / "plain-out"), "-s", str(plain), "-q"], repo)

    judged = args.posts >= TARGET_POSTS
    baseline, base_mb = pelican if pelican else (None, None)
    check, hook, floor = (statistics.median(values) for values in (checks, hooks, floors))
    rate = args.posts / check
    if pelican:
        bench.row("plain Pelican, full build", args.posts, "posts", [baseline],
                  baseline=baseline, peak_mb=base_mb, base_mb=base_mb)
    bench.row("pressroom check, every post (cold)", args.posts, "posts", checks, baseline=baseline,
              peak_mb=check_mb, base_mb=base_mb, throughput=(rate, "posts/s"),
              target="≥ 1,000 posts/s" if judged else None, met=rate >= 1000)
    bench.row("pre-commit run pressroom-content --files <one post>", args.posts, "posts",
              hooks, peak_mb=hook_mb, target="< 0.5 s" if judged else None, met=hook < 0.5)
    bench.row("… of which pre-commit itself (the same run with a no-op hook)", args.posts,
              "posts", floors, peak_mb=floor_mb)

    def verdict(target: str, met: bool) -> str:
        return f"{target}  {'met' if met else 'MISSED'}" if judged else \
            f"({target} is judged at {TARGET_POSTS:,} posts)"

    print()
    print(f"{'measure':<44}{'median':>10}{'spread':>10}  target")
    print(f"{'pressroom check, ' + format(args.posts, ',') + ' posts':<44}{check:>9.2f}s"
          f"{max(checks) - min(checks):>9.2f}s")
    print(f"{'  posts per second':<44}{rate:>10,.0f}{'':>10}  "
          f"{verdict('>= 1,000', rate >= 1000)}")
    print(f"{'pre-commit run --files <one post>':<44}{hook:>9.2f}s"
          f"{max(hooks) - min(hooks):>9.2f}s  {verdict('< 0.5 s', hook < 0.5)}")
    print(f"{'  of which pre-commit itself (no-op hook)':<44}{floor:>9.2f}s")
    print(f"{'  of which the pressroom-content hook':<44}{hook - floor:>9.2f}s")
    if baseline:
        print(f"{'plain Pelican build, same posts (once)':<44}{baseline:>9.2f}s")
        print(f"{'  check / plain Pelican':<44}{check / baseline:>9.2f}x")
    bench.write(args.results)


if __name__ == "__main__":
    main()
