"""Suppressions: a supervisor-visible exception to one rule on one line.

``<!-- pressroom: allow RULE-ID -- reason -->`` on a line (or on the line
above) allows that rule there. The reason is required, because every exception
is listed by ``pressroom check --report`` and in the annual review (392.6).
The comment never reaches the public: the sanitizer strips HTML comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pressroom.model.frontmatter import split_lines
from pressroom.model.violations import Violation
from pressroom.model.wording import did_you_mean
from pressroom.rules.catalog import RULES
from pressroom.rules.lazy import lazy

PATTERN = lazy(
    r"<!--\s*pressroom:\s*allow\s+(?P<ids>[A-Za-z0-9-]+(?:\s*,\s*[A-Za-z0-9-]+)*)"
    r"\s*(?:--\s*(?P<reason>.*?))?\s*-->")
_MENTION = lazy(r"<!--\s*pressroom:", re.I)


@dataclass(frozen=True, order=True)
class Suppression:
    path: str
    line: int
    rule_id: str
    reason: str

    def covers(self, violation: Violation) -> bool:
        return (violation.rule_id == self.rule_id and violation.path == self.path
                and violation.line in (self.line, self.line + 1))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: allows {self.rule_id}: {self.reason}"


def find_suppressions(path: str, text: str) -> tuple[list[Suppression], list[Violation]]:
    found: list[Suppression] = []
    problems: list[Violation] = []
    for number, line in enumerate(split_lines(text), start=1):
        matches = list(PATTERN.finditer(line))
        if not matches and _MENTION.search(line):
            problems.append(Violation(path, number, "SUPPRESS-UNKNOWN",
                                      "malformed suppression; write "
                                      "<!-- pressroom: allow RULE-ID -- reason -->"))
        for match in matches:
            reason = (match.group("reason") or "").strip()
            ids = [i.strip().upper() for i in match.group("ids").split(",")]
            if not reason:
                problems.append(Violation(path, number, "SUPPRESS-REASON",
                                          f"allowing {', '.join(ids)} needs a reason: "
                                          f"<!-- pressroom: allow {ids[0]} -- why -->"))
                continue
            for rule_id in ids:
                rule = RULES.get(rule_id)
                if rule is None:
                    problems.append(Violation(path, number, "SUPPRESS-UNKNOWN",
                                              f"{rule_id} is not a pressroom rule"
                                              f"{did_you_mean(rule_id, RULES)}"))
                elif not rule.suppressible:
                    problems.append(Violation(path, number, "SUPPRESS-UNKNOWN",
                                              f"{rule_id} cannot be allowed by a comment "
                                              f"({rule.section}: {rule.title})"))
                else:
                    found.append(Suppression(path, number, rule_id, reason))
    return found, problems


def apply_suppressions(violations: Iterable[Violation], suppressions: list[Suppression]
                       ) -> tuple[list[Violation], list[Suppression], list[Violation]]:
    """Return (violations left, suppressions used, a SUPPRESS-UNUSED for each idle one)."""
    kept, used = [], set()
    for violation in violations:
        cover = next((s for s in suppressions if s.covers(violation)), None)
        if cover is None:
            kept.append(violation)
        else:
            used.add(cover)
    idle = [Violation(s.path, s.line, "SUPPRESS-UNUSED",
                      f"nothing here breaks {s.rule_id}; remove the suppression")
            for s in suppressions if s not in used]
    return kept, [s for s in suppressions if s in used], idle
