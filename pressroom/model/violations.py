"""Violations are values: every rule returns them, every edge prints them.

A violation names the file, the line and a stable RULE-ID so a person can find
and fix the problem, and so a supervisor can grep for one kind of problem.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


def printable(name: str) -> str:
    """A file name as it can be printed on one line of a report, and read back.

    A branch chooses its file names: a newline in one would split a problem line (and
    could forge another), a carriage return would let a terminal overwrite it, and an
    undecodable byte (kept by Python as a lone surrogate) would crash a strict UTF-8
    output. Such characters are shown as escapes (``\\n``, ``\\x0d``, ``\\xff``)."""
    if name.isprintable():
        return name
    out = []
    for char in name:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char == "\n":
            out.append("\\n")
        elif char.isprintable() or (char == " "):
            out.append(char)
        elif code < 0x100:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def unprintable_name(name: str) -> bool:
    """Whether a file name holds a character ``printable`` has to escape."""
    return not name.isprintable() and any(
        not char.isprintable() or unicodedata.category(char) in ("Cf", "Zl", "Zp", "Cs")
        for char in name)


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule at one place, printed as ``path:line: RULE-ID: message``."""

    path: str
    line: int
    rule_id: str
    message: str
    severity: str = "error"  # or "warning": reported, but does not fail a check

    def __str__(self) -> str:
        path = printable(self.path)
        where = f"{path}:{self.line}" if self.line else path
        note = "(warning) " if self.severity == "warning" else ""
        return f"{where}: {self.rule_id}: {note}{self.message}"


class InputError(Exception):
    """Input the program cannot work with at all (usage error, exit 2), as one line.

    ``violation``, when set, is the same problem as data (file, line, rule): a settings
    file that stops a build (exit 2) is a finding for ``check`` (exit 1).
    """

    def __init__(self, message: str, violation: Violation | None = None) -> None:
        super().__init__(message)
        self.violation = violation

    @classmethod
    def of(cls, violation: Violation) -> InputError:
        """The input error that is exactly this violation, printed the same way."""
        return cls(str(violation), violation)
