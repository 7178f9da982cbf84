"""392.5 (a): abusive, discriminatory, inflammatory and sexually explicit language, and profanity.

Word lists (data, in ``defaults.toml`` and ``policy/rules.toml``) matched as
whole words with common endings, except inside "safe phrases" — the names of
crimes and public-safety topics ("sexual assault", "nude photos" in a
sextortion warning) that a police department must be able to write.

A post in another language (``Lang: es``) is checked against the default (English) lists
and its own language's lists (``[terms.es]``), each with its language's endings: English
slurs are no less barred inside Spanish text, except the English terms that are ordinary
words or names in that language (``ordinary``: "Kike" is a Spanish nickname, "Morón" a
surname that folds to "moron"). Terms are folded like the prose (accents
dropped: ``pressroom.rules.characters.fold``), so "maricón" and "maricon" are one term.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pressroom.model.violations import Violation
from pressroom.rules.characters import fold
from pressroom.rules.config import RuleConfig
from pressroom.rules.document import Document, any_present, search

LISTS = {
    "profanity": ("LANG-PROFANITY", "profanity"),
    "discriminatory": ("LANG-DISCRIMINATORY", "discriminatory language"),
    "abusive": ("LANG-ABUSIVE", "abusive language about people"),
    "inflammatory": ("LANG-INFLAMMATORY", "inflammatory language"),
    "sexual": ("LANG-SEXUAL", "sexually explicit language"),
}
_ENDINGS = r"(?:s|es|ed|ing|er|ers|y)?"
# Endings of other languages' listed words; a language not here takes plurals only.
LANGUAGE_ENDINGS = {"es": r"(?:s|es)?"}


def _term(term: str, endings: str = _ENDINGS) -> str:
    term = fold(term)
    if term.endswith("*"):
        return re.escape(term[:-1]) + r"[\w-]*"
    return r"\s+".join(re.escape(word) for word in term.split()) + endings


@lru_cache(maxsize=64)
def _triggers(terms: tuple[str, ...]) -> tuple[str, ...]:
    """Each term as " word word" (words normalized as in ``Segment.words``): a match starts so."""
    found = set()
    for term in terms:
        words = [w for w in re.split(r"[\W_]+", fold(term).rstrip("*").lower()) if w]
        if words:
            found.add(" " + " ".join(words))
    return tuple(sorted(found))


@lru_cache(maxsize=64)
def _compile(terms: tuple[str, ...], endings: str = _ENDINGS) -> re.Pattern[str] | None:
    if not terms:
        return None
    body = "|".join(_term(t, endings) for t in sorted(set(terms), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.I)


def check_language(doc: Document, config: RuleConfig, lang: str = "") -> list[Violation]:
    """392.5 (a) over the prose: the default lists, and ``lang``'s own (a post's ``Lang``)."""
    own = config.terms_of(lang) if lang else {}
    safe_phrases = config.safe_phrases + own.get("safe_phrases", ())
    default = config.terms
    if own.get("ordinary"):
        ordinary = {fold(word).lower() for word in own["ordinary"]}
        default = {name: tuple(t for t in terms if fold(t).lower() not in ordinary)
                   for name, terms in default.items()}
    problems = _check_lists(doc, default, _compile(safe_phrases), _ENDINGS)
    if own:
        problems += _check_lists(doc, own, _compile(safe_phrases),
                                 LANGUAGE_ENDINGS.get(lang, r"(?:s|es)?"))
    return problems


def _check_lists(doc: Document, lists: dict[str, tuple[str, ...]],
                 safe: re.Pattern[str] | None, endings: str) -> list[Violation]:
    problems = []
    for name, (rule_id, label) in LISTS.items():
        terms = lists.get(name, ())
        if not terms or not any_present(doc.prose, word_triggers=_triggers(terms)):
            continue  # no term's words appear: no need to compile or run the full pattern
        pattern = _compile(terms, endings)
        assert pattern is not None
        for hit in search(pattern, doc.prose, word_triggers=_triggers(terms)):
            if safe is not None and _inside_safe_phrase(hit.segment.text, hit.match, safe):
                continue
            problems.append(Violation(doc.path, hit.line, rule_id,
                                      f"{label}: {hit.text!r} (392.5 a); rephrase in neutral, "
                                      f"professional words"))
    return problems


def _inside_safe_phrase(text: str, match: re.Match[str], safe: re.Pattern[str]) -> bool:
    start, end = match.span()
    window = text[max(0, start - 60): end + 60]
    offset = max(0, start - 60)
    return any(s.start() + offset <= start and end <= s.end() + offset
               for s in safe.finditer(window))
