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
one file through pre-commit in under 0.5 s. Figures are medians of --repeat runs.
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
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_department import PROJECT, generate  # noqa: E402

BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"benchmark command failed ({result.returncode}): {' '.join(command)}\n"
                 f"{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return elapsed


def median_of(repeat: int, command: list[str], cwd: Path, env=None) -> tuple[float, float]:
    runs = [timed(command, cwd, env) for _ in range(repeat)]
    return statistics.median(runs), (max(runs) - min(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pelican", action="store_true",
                        help="skip the plain Pelican build used for the ratio")
    args = parser.parse_args()

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
        check, check_spread = median_of(args.repeat, [str(BIN / "pressroom"), "check"], repo)
        one = posts[len(posts) // 2].relative_to(repo).as_posix()
        print("timing pre-commit on one post …", flush=True)
        timed([str(BIN / "pre-commit"), "run", "pressroom-content", "--files", one], repo, env)
        hook, hook_spread = median_of(
            max(5, args.repeat),
            [str(BIN / "pre-commit"), "run", "pressroom-content", "--files", one], repo, env)

        # pre-commit's own cost in this repository: the same run with a hook that does nothing.
        config = (repo / ".pre-commit-config.yaml").read_text()
        (repo / ".pre-commit-config.yaml").write_text(
            "repos:\n  - repo: local\n    hooks:\n      - id: noop\n        name: noop\n"
            "        entry: 'true'\n        language: system\n")
        timed([str(BIN / "pre-commit"), "run", "noop", "--files", one], repo, env)
        floor, _ = median_of(max(5, args.repeat),
                             [str(BIN / "pre-commit"), "run", "noop", "--files", one], repo, env)
        (repo / ".pre-commit-config.yaml").write_text(config)

        pelican = None
        if not args.no_pelican:
            print("timing plain Pelican …", flush=True)
            plain = Path(tmp) / "plain.py"
            plain.write_text("TIMEZONE = 'America/Los_Angeles'\n")
            pelican = timed([str(BIN / "pelican"), str(repo / "content"), "-o",
                             str(Path(tmp) / "plain-out"), "-s", str(plain), "-q"], repo)

    rate = args.posts / check
    print()
    print(f"{'measure':<44}{'median':>10}{'spread':>10}  target")
    print(f"{'pressroom check, ' + format(args.posts, ',') + ' posts':<44}{check:>9.2f}s"
          f"{check_spread:>9.2f}s")
    print(f"{'  posts per second':<44}{rate:>10,.0f}{'':>10}  >= 1,000  "
          f"{'met' if rate >= 1000 else 'MISSED'}")
    print(f"{'pre-commit run --files <one post>':<44}{hook:>9.2f}s{hook_spread:>9.2f}s  "
          f"< 0.5 s  {'met' if hook < 0.5 else 'MISSED'}")
    print(f"{'  of which pre-commit itself (no-op hook)':<44}{floor:>9.2f}s")
    print(f"{'  of which the pressroom-content hook':<44}{hook - floor:>9.2f}s")
    if pelican is not None:
        print(f"{'plain Pelican build, same posts (once)':<44}{pelican:>9.2f}s")
        print(f"{'  check / plain Pelican':<44}{check / pelican:>9.2f}x")


if __name__ == "__main__":
    main()
