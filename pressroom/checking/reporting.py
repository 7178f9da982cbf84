"""How ``pressroom check`` and the content hook print results: one line each, then a summary.

Shared by the CLI and ``pressroom/hooks/check_content.py`` so both say exactly the same. Plain
``print`` rather than click: the hook runs on every commit and must start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pressroom.checking.engine import Report
from pressroom.model.violations import InputError, printable
from pressroom.rules.alerts import summary_lines


def relative_files(repo: Path, files: Sequence[Path | str]) -> list[str]:
    """Files given on the command line as repo-relative POSIX paths; missing ones are errors.

    A link is named as itself (not resolved to its target), so the check refuses it."""
    root = repo.resolve()
    names = []
    for name in files:
        path = Path(name)
        full = Path(os.path.abspath(path if path.is_absolute() else Path.cwd() / path))
        full = full.parent.resolve() / full.name  # a link itself is named, not followed
        if not os.path.lexists(full):
            raise InputError(f"{name}: no such file")
        try:
            names.append(full.relative_to(root).as_posix())
        except ValueError as exc:
            raise InputError(f"{name}: not inside the repository {repo}") from exc
    return names


def summary_line(report: Report) -> str:
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    exceptions = ""
    if report.suppressions:
        n = len(report.suppressions)
        exceptions = f"; {n} suppression{'s' if n != 1 else ''} in force"
    if report.ok and not report.warnings:
        return f"OK: checked {files}, no problems{exceptions}."
    errors, warnings = len(report.errors), len(report.warnings)
    bad_files = len({v.path for v in report.violations})
    parts = [f"{errors} problem{'s' if errors != 1 else ''}"]
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    verdict = "OK" if report.ok else "REFUSED"
    return (f"{verdict}: checked {files}: {', '.join(parts)} in {bad_files} "
            f"file{'s' if bad_files != 1 else ''}{exceptions}.")


def print_check_report(report: Report, with_suppressions: bool = False,
                       with_alerts: bool = False) -> None:
    """The findings, whose training falls due, the suppressions (``--report``) and, with
    ``with_alerts``, each safety alert's WEA texts and Imminent Threat verdict: information
    for the PIO, on stderr, so stdout stays one finding a line and the summary for whatever
    reads it (``check -q`` leaves it out)."""
    for violation in report.violations:
        print(str(violation))
    for due in report.training_due:
        print(str(due))
    if with_suppressions:
        if report.suppressions:
            print("Suppressions in force:")
            for suppression in sorted(report.suppressions):
                print(f"  {suppression}")
        else:
            print("Suppressions in force: none")
    if with_alerts and report.alerts:
        sys.stdout.flush()  # the findings first, also when both go to one pipe
        for alert in report.alerts:
            for line in summary_lines(alert):
                # a branch's text: no control character reaches the terminal
                print(printable(line), file=sys.stderr)
        sys.stderr.flush()
    print(summary_line(report))
