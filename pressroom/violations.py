"""Violations are values: every rule returns them, every edge prints them.

A violation names the file, the line and a stable RULE-ID so a person can find
and fix the problem, and so a supervisor can grep for one kind of problem.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule at one place, printed as ``path:line: RULE-ID: message``."""

    path: str
    line: int
    rule_id: str
    message: str
    severity: str = "error"  # or "warning": reported, but does not fail a check

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        note = "(warning) " if self.severity == "warning" else ""
        return f"{where}: {self.rule_id}: {note}{self.message}"


class InputError(Exception):
    """Input the program cannot work with at all (usage error, exit 2), as one line."""
