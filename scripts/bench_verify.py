"""Benchmark `pressroom verify` over a generated history of approved, really signed merges.

    .venv/bin/python scripts/bench_verify.py                 # 2,000 merges
    .venv/bin/python scripts/bench_verify.py --merges 500 --repeat 3

Generates the history with scripts/gen_history.py (real ssh-keygen keys and
signatures), then times `pressroom verify` cold (--no-cache: every signature
checked by ssh-keygen, in parallel) and warm (the verified prefix remembered in
.git/pressroom-cache/verified-merges.txt, as on every run after the first), and one new
approved merge on top of a verified history (what a publish step does after a push).
Target on a 2-core machine: 2,000 merges in under 10 s. There is no plain-Pelican
equivalent of verification, so no ratio is printed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_history import generate  # noqa: E402

BIN = Path(sys.executable).parent


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merges", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as tmp:
        repo = Path(tmp) / "history"
        print(f"generating {args.merges:,} signed merges …", flush=True)
        started = time.perf_counter()
        generate(repo, args.merges)
        print(f"  done in {time.perf_counter() - started:.1f}s", flush=True)
        verify = [str(BIN / "pressroom"), "verify", "--repo", str(repo)]
        print("timing cold verification …", flush=True)
        cold = [timed([*verify, "--no-cache"]) for _ in range(args.repeat)]
        timed(verify)  # fills the cache
        warm = [timed(verify) for _ in range(args.repeat)]

    print()
    print(f"{'measure':<48}{'median':>9}{'spread':>9}  target")
    print(f"{'verify ' + format(args.merges, ',') + ' merges, cold (--no-cache)':<48}"
          f"{statistics.median(cold):>8.2f}s{max(cold) - min(cold):>8.2f}s  < 10 s  "
          f"{'met' if statistics.median(cold) < 10 else 'MISSED'}")
    print(f"{'verify ' + format(args.merges, ',') + ' merges, verified prefix cached':<48}"
          f"{statistics.median(warm):>8.2f}s{max(warm) - min(warm):>8.2f}s  < 10 s  "
          f"{'met' if statistics.median(warm) < 10 else 'MISSED'}")
    signatures = args.merges * 2
    print(f"{'  signatures checked cold, per second':<48}"
          f"{signatures / statistics.median(cold):>9,.0f}")


if __name__ == "__main__":
    main()
