"""Benchmark `pressroom verify` over a generated history of approved, really signed merges.

    .venv/bin/python scripts/bench_verify.py                 # 2,000 merges
    .venv/bin/python scripts/bench_verify.py --merges 500 --repeat 3

Generates the history with scripts/gen_history.py (real ssh-keygen keys and
signatures), then times `pressroom verify` cold (--no-cache: every signature
checked by ssh-keygen, in parallel) and warm (the verified prefix remembered in
.git/pressroom-cache/verified-merges.txt, as on every run after the first), and one new
approved merge on top of a verified history (what a publish step does after a push).
Target on a 2-core machine: 2,000 merges in under 10 s (judged only at 2,000 merges
or more). There is no plain-Pelican equivalent of verification, so no ratio is
printed. The rows replace the "bench_verify" section of the results file
(docs/bench-results.json unless --results says otherwise; scripts/bench_results.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_results import RESULTS, Run, measured  # noqa: E402
from gen_history import generate  # noqa: E402

BIN = Path(sys.executable).parent
TARGET_MERGES = 2_000  # the < 10 s target is set for a history of this length


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merges", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="the results file whose 'bench_verify' section this run "
                             "replaces (default: docs/bench-results.json)")
    args = parser.parse_args()
    bench = Run(__file__)
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as tmp:
        repo = Path(tmp) / "history"
        print(f"generating {args.merges:,} signed merges …", flush=True)
        started = time.perf_counter()
        generate(repo, args.merges)
        print(f"  done in {time.perf_counter() - started:.1f}s", flush=True)
        verify = [str(BIN / "pressroom"), "verify", "--repo", str(repo)]
        print("timing cold verification …", flush=True)
        cold = [measured([*verify, "--no-cache"]) for _ in range(args.repeat)]
        measured(verify)  # fills the cache
        warm = [measured(verify) for _ in range(args.repeat)]

    judged = args.merges >= TARGET_MERGES
    signatures = args.merges * 2
    rows = []
    for name, values in ((f"verify {args.merges:,} merges, cold (--no-cache)", cold),
                         (f"verify {args.merges:,} merges, verified prefix cached", warm)):
        times = [t for t, _ in values]
        median = statistics.median(times)
        rows.append((name, bench.row(
            "pressroom " + name.replace(f" {args.merges:,} merges", ""), args.merges, "merges",
            times,
            peak_mb=statistics.median(m for _, m in values),
            throughput=(signatures / median, "signatures/s") if values is cold else None,
            target="< 10 s" if judged else None, met=median < 10)))
    print()
    print(f"{'measure':<48}{'median':>9}{'spread':>9}  target")
    for name, row in rows:
        verdict = f"< 10 s  {'met' if row['met'] else 'MISSED'}" if judged else \
            f"(< 10 s is judged at {TARGET_MERGES:,} merges)"
        print(f"{name:<48}{row['median_s']:>8.2f}s{row['spread_s']:>8.2f}s  {verdict}")
    print(f"{'  signatures checked cold, per second':<48}"
          f"{signatures / rows[0][1]['median_s']:>9,.0f}")
    bench.write(args.results)


if __name__ == "__main__":
    main()
