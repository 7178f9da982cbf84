"""392.5: the fields of removal from public view, withdrawal of outdated items, and
corrections: each retraction names its kind, date, reason and reporter; a correction note
has the ``Modified`` it explains. Split from ``pressroom.model.content`` (the post model)."""

from __future__ import annotations

from pressroom.model.frontmatter import Field
from pressroom.model.violations import Violation

RETRACTIONS = ("remove", "withdraw")


def lifecycle_problems(path: str, fields: dict[str, Field]) -> list[Violation]:
    """A retraction names its kind, date, reason and reporter; a correction has Modified."""
    problems = []
    if "retraction" in fields:
        kind = fields["retraction"]
        if kind.value.lower() not in RETRACTIONS:
            problems.append(Violation(path, kind.line, "FRONT-RETRACTION",
                                      f"{kind.value!r} is not a retraction (use: remove, "
                                      f"withdraw)"))
        for needed in ("retracted", "retraction-reason", "reported-by"):
            if needed not in fields or not fields[needed].value:
                problems.append(Violation(path, kind.line, "FRONT-RETRACTION",
                                          f"a retraction needs '{needed.title()}:' "
                                          f"(pressroom retract fills it in)"))
    elif any(name in fields for name in ("retracted", "retraction-reason", "reported-by")):
        item = next(fields[n] for n in ("retracted", "retraction-reason", "reported-by")
                    if n in fields)
        problems.append(Violation(path, item.line, "FRONT-RETRACTION",
                                  f"'{item.name}' without 'Retraction: remove' or 'withdraw'"))
    if "correction" in fields and "modified" not in fields:
        problems.append(Violation(path, fields["correction"].line, "FRONT-RETRACTION",
                                  "a Correction note needs 'Modified:' (when it was corrected)"))
    return problems
