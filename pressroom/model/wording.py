"""Small pieces of English for messages a person acts on: articles, plurals, "did you mean".

Every message pressroom prints is read by someone who has to fix something (a PIO, a
supervisor, the chief). "a incident commander", "1 problem(s)" or a list of every known
field when one letter was wrong all make that person work harder; these helpers are the
one place messages get them right. Pure (stdlib only).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

# Words starting with a vowel letter but a consonant sound, and the reverse ("an hour").
_CONSONANT_SOUND = ("uni", "use", "usu", "one", "once", "eu", "ubi", "uti", "ure")
_VOWEL_SOUND = ("hour", "honest", "honor", "honour", "heir")


def article(word: str) -> str:
    """"a" or "an" for ``word`` as spoken: "an incident commander", "a supervisor"."""
    lower = word.strip().lower()
    if not lower:
        return "a"
    if lower.startswith(_VOWEL_SOUND):
        return "an"
    if lower.startswith(_CONSONANT_SOUND):
        return "a"
    return "an" if lower[0] in "aeiou" else "a"


def with_article(word: str) -> str:
    """``word`` after its article: ``with_article("incident commander")`` is "an incident
    commander"."""
    return f"{article(word)} {word}"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """"1 finding", "2 findings", "0 findings"; ``many`` for irregular plurals."""
    return f"{count} {noun if count == 1 else (many or noun + 's')}"


def close_matches(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The ``choices`` ``word`` was probably meant to be, best first (case-insensitive;
    equally close ones in alphabetical order, so a message is the same every time).

    ``difflib``'s similarity with a cut-off that finds one-letter slips and swaps
    ("Catgory", "trafic", "pio2") but not unrelated words."""
    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(choice.lower(), choice)
    lower = word.strip().lower()
    if lower in by_lower:
        return [by_lower[lower]]
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(lower)
    scored = []
    for key, choice in by_lower.items():
        matcher.set_seq1(key)
        if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6:
            ratio = matcher.ratio()
            if ratio >= 0.6:
                scored.append((-ratio, choice))
    scored.sort()
    # only the ones about as close as the best: "PRIVACY-ADRESS" is 'PRIVACY-ADDRESS', and
    # 'PRIVACY-SSN', further off, would only distract
    return [choice for score, choice in scored[:n] if score <= scored[0][0] + 0.05]


def did_you_mean(word: str, choices: Iterable[str], aliases: Mapping[str, str] | None = None
                 ) -> str:
    """"; did you mean 'x'?" (or "'x' or 'y'"), or "" when nothing is close.

    ``aliases`` map other names of a choice to it (a category's title to its slug): a word
    close to the alias suggests the choice."""
    aliases = aliases or {}
    found = list(dict.fromkeys(aliases.get(m, m)
                               for m in close_matches(word, [*choices, *aliases])))
    if not found:
        return ""
    names = " or ".join(f"'{item}'" for item in found[:2])
    return f"; did you mean {names}?"


# How a message marks advice that is not for the post's author: the main instruction comes
# first and tells the author what to change in the post; a decision only a supervisor (or
# the chief) may take follows, labelled, so it is never mistaken for the instruction.
HINT_MARK = " [for the supervisor: "


def supervisor_hint(text: str) -> str:
    """" [for the supervisor: TEXT; see docs/rules.md]": advice the author should not act
    on alone (a suppression, a change to the department's rules)."""
    return f"{HINT_MARK}{text}; see docs/rules.md]"
