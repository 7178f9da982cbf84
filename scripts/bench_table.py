"""The one performance table of docs/performance.md, made from one run's results file.

``render_bench`` turns ``docs/bench-results.json`` (schema 2, scripts/bench_results.py)
into the generated part of the page: the table (every row with its time's median, min and
max, the background work after it, the peak memory of its process tree, its ratios against
the matched and the stock Pelican baselines of the same run, and its target: met or
**missed**), how each row was measured, the run's conditions and the notes a reader needs
(whether the OS's caches were dropped, what the baselines do and do not do).
"""

from __future__ import annotations

import html

SCHEMA = 2
TARGETS_AT = "10,000 posts and 2,000 merges"


class ResultsMismatch(Exception):
    """The performance page has no place for the table, or the results file is not one."""


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def _time(row: dict) -> str:
    t = row["time_s"]
    if row["runs"] == 1:
        return f"{_seconds(t['median'])} (1 run)"
    return (f"{_seconds(t['median'])} ({_seconds(t['min'])} – {_seconds(t['max'])}, "
            f"{row['runs']} runs)")


def _memory(row: dict) -> str:
    m = row["peak_mb"]
    if row["runs"] == 1:
        return f"{m['median']:,.0f} MB"
    return f"{m['median']:,.0f} MB ({m['min']:,.0f} – {m['max']:,.0f})"


def _ratio(row: dict, name: str) -> str:
    if f"ratio_{name}" not in row:
        return ""
    return f"{row[f'ratio_{name}']:.2f}×, memory {row[f'memory_ratio_{name}']:.2f}×"


def _cell(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|")


def _verdict(row: dict) -> str:
    if "target" not in row:
        return ""
    return f"{row['target']}: {'met' if row.get('met') else '**missed**'}"


def _machine(machine: dict) -> str:
    memory = f", {machine['memory_gb']} GB" if machine.get("memory_gb") else ""
    return (f"{machine['cpu']} × {machine['cpus']} CPUs{memory}, {machine['os']}, "
            f"Python {machine['python']}, Pelican {machine['pelican']}")


def render_bench(results: dict) -> str:
    """The generated part of docs/performance.md: the table, how, the run, the notes."""
    if results.get("schema") != SCHEMA or not isinstance(results.get("rows"), list):
        raise ResultsMismatch(f"bench-results.json: not a schema {SCHEMA} results file "
                              "(run `make bench`)")
    lines = ["| Measure | Size | Cold | Time: median (min – max) | Background after | "
             "Peak memory of the process tree | × matched Pelican | × stock Pelican | Target |",
             "|---|---|---|---|---|---|---|---|---|"]
    missed, judged = [], 0
    for row in results["rows"]:
        lines.append(
            f"| {_cell(row['measure'])} | {row['size']:,} {row['unit']} | "
            f"{'cold' if row['cold'] else 'warm'} | {_time(row)} | "
            f"{_seconds(row['background_s']['median'])} | {_memory(row)} | "
            f"{_ratio(row, 'matched')} | {_ratio(row, 'stock')} | {_verdict(row)} |")
        judged += "target" in row
        if "target" in row and not row.get("met"):
            missed.append(f"- {_cell(row['measure'])}: {_seconds(row['time_s']['median'])}, "
                          f"{row['peak_mb']['median']:,.0f} MB against {row['target']}.")
    lines.append("")
    if missed:
        lines += ["**Targets missed in this run** (see [where the time goes]"
                  "(#where-the-time-goes)):", "", *missed]
    elif judged:
        lines.append(f"Every target judged in this run ({judged}) was met.")
    else:
        lines.append(f"**No target was judged in this run**: it was smaller than the size the "
                     f"targets are set for ({TARGETS_AT}).")
    lines += ["", "How each row was measured:", ""]
    lines += [f"- {_cell(row['measure'])}: {_cell(row['how'])}." for row in results["rows"]]
    lines += ["", "The run and its notes:", "",
              f"- `{results['command']}` on {results['date'].replace('T', ' ').removesuffix('Z')}"
              f" UTC, commit `{results['commit']}`"
              + (" (`+dirty`: pressroom/ or scripts/ had uncommitted changes)"
                 if results["commit"].endswith("+dirty") else "")
              + f", {_machine(results['machine'])}."]
    load, cpus = results.get("load_average"), results["machine"].get("cpus")
    if load:
        busy = (" — more than its CPUs: other work competed for the machine, the figures are "
                "noisier" if max(load.values()) > (cpus or 1) else "")
        lines.append(f"- Load average (one minute) at the start and the end of the run: "
                     f"{load['start']}, {load.get('end', '?')} on {cpus} CPUs{busy}.")
    if results["os_caches_dropped"]:
        lines.append("- The OS page cache was dropped before every cold repetition.")
    else:
        lines.append("- **The OS page cache was not dropped** before the cold rows (not "
                     "permitted, or `--keep-os-caches`): their files may have been in memory.")
    index = results.get("search_index")
    if index:
        lines.append(f"- Search index after the last publish: {index['bytes'] / 1e6:,.1f} MB in "
                     f"{index['files']:,} files for {index['pages']:,} pages of "
                     f"{index['posts']:,} posts — {index['bytes_per_10000_posts'] / 1e6:,.1f} MB "
                     f"per 10,000 posts; its largest file {index['largest_file_bytes'] / 1e3:,.0f}"
                     f" kB (a search downloads only the few files it needs).")
    lines += [f"- {_cell(text)}." for text in results["baselines"].values()]
    lines += [f"- {_cell(note)}" for note in results.get("notes", [])]
    return "\n".join(lines) + "\n"
