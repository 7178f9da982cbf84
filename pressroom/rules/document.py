"""A post as the text rules see it: its prose with line numbers, code and comments masked.

Rules search ``Segment``s — the title, the summary, the area and the body —
and report matches at the right line. Masking replaces characters by spaces
(keeping newlines), so offsets and line numbers stay true: code is shown to
readers as code, and pressroom's own ``<!-- ... -->`` comments are not prose.
``unquoted`` additionally masks quotations, for rules about the department's
own voice (a quoted "I" belongs to the person quoted).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

from pressroom.frontmatter import Header, parse_header

_FENCE = re.compile(r"^(```|~~~)[^\n]*\n.*?^\1[ \t]*$", re.M | re.S)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_QUOTE = re.compile(r"\"[^\"]{0,2000}?\"|\u201c[^\u201d]{0,2000}?\u201d", re.S)
_BLOCKQUOTE = re.compile(r"^[ \t]*>.*$", re.M)
_NON_WORD = re.compile(r"[\W_]+")
_DIGIT_RUN = re.compile(r"\d[\d (),./+-]{5,}\d")
TEXT_FIELDS = ("title", "summary", "area")


def mask(text: str, pattern: re.Pattern[str], marker: str = "") -> str:
    """Replace every match of ``pattern`` by spaces, keeping newlines (and so offsets).

    ``marker`` is a substring every match contains; without it there is nothing to do.
    """
    if marker and marker not in text:
        return text
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _code_and_comments(text: str) -> str:
    if "```" in text or "~~~" in text:
        text = mask(text, _FENCE)
    return mask(mask(text, _INLINE_CODE, "`"), _COMMENT, "<!--")


def _quotes(text: str) -> str:
    text = mask(text, _BLOCKQUOTE, ">")
    if '"' in text or "\u201c" in text:
        text = mask(text, _QUOTE)
    return text


@dataclass(frozen=True)
class Segment:
    """A piece of text starting at ``line``; ``where`` names the field or "body"."""

    line: int
    text: str
    where: str = "body"

    @classmethod
    def of(cls, line: int, text: str, where: str = "body") -> Segment:
        return cls(line, text, where)

    @cached_property
    def lower(self) -> str:
        return self.text.lower()

    @cached_property
    def words(self) -> str:
        """" word word ... ": lets a trigger be required to start (or be) a word."""
        return " " + _NON_WORD.sub(" ", self.lower) + " "

    @cached_property
    def digit_runs(self) -> tuple[tuple[int, int], ...]:
        """Spans of digit sequences (with separators) long enough to be an identity number."""
        return tuple(m.span() for m in _DIGIT_RUN.finditer(self.text))

    @cached_property
    def _starts(self) -> tuple[int, ...]:
        return (0, *(m.end() for m in re.finditer("\n", self.text)))

    def line_at(self, offset: int) -> int:
        return self.line + bisect.bisect_right(self._starts, offset) - 1


@dataclass(frozen=True)
class Match:
    line: int
    text: str
    match: re.Match[str]
    segment: Segment


@dataclass
class Document:
    path: str
    text: str
    header: Header
    raw: list[Segment]        # header fields and body exactly as written
    prose: list[Segment]      # code, inline code and comments masked
    unquoted: list[Segment]   # prose with quotations and blockquotes masked too

    def field(self, name: str) -> str:
        found = self.header.fields.get(name)
        return found.value if found else ""


def make_document(path: str, text: str) -> Document:
    header = parse_header(text)
    lines = text.splitlines()
    body = "\n".join(lines[header.body_line - 1:])
    raw, prose, unquoted = [], [], []
    for name in TEXT_FIELDS:
        item = header.fields.get(name)
        if item is not None and item.value:
            raw.append(Segment.of(item.line, item.value, name))
            clean = _code_and_comments(item.value)
            prose.append(Segment.of(item.line, clean, name))
            unquoted.append(Segment.of(item.line, _quotes(clean), name))
    raw.append(Segment.of(header.body_line, body))
    clean = _code_and_comments(body)
    prose.append(Segment.of(header.body_line, clean))
    unquoted.append(Segment.of(header.body_line, _quotes(clean)))
    return Document(path, text, header, raw, prose, unquoted)


@lru_cache(maxsize=256)
def _any_of(literals: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled alternation of literal strings: faster than testing each with ``in``."""
    return re.compile("|".join(re.escape(s) for s in sorted(set(literals), key=len, reverse=True)))


def search_digits(pattern: re.Pattern[str], segments: list[Segment]) -> Iterator[Match]:
    """``search`` for patterns that only match inside digit runs (SSN, card, phone numbers).

    One cheap scan finds the runs; the pattern runs only there (with a few characters
    either side for its look-arounds) instead of at every position of the post.
    """
    for segment in segments:
        last = -1
        for start, end in segment.digit_runs:
            for found in pattern.finditer(segment.text, max(0, start - 3), end + 1):
                if found.start() > last:
                    last = found.start()
                    yield Match(segment.line_at(found.start()), found.group(0), found, segment)


def search(pattern: re.Pattern[str], segments: list[Segment],
           triggers: tuple[str, ...] = (), word_triggers: tuple[str, ...] = ()
           ) -> Iterator[Match]:
    """Matches of ``pattern`` with their line numbers.

    ``triggers`` are lower-case substrings at least one of which every match
    contains; a segment without any is skipped without running the regex, which
    keeps case-insensitive alternations from dominating a 10,000-post check.
    ``word_triggers`` are the same, but must start a word (given as " word").
    """
    any_of = _any_of(triggers) if triggers else None
    any_word = _any_of(word_triggers) if word_triggers else None
    for segment in segments:
        if any_of is not None and not any_of.search(segment.lower):
            continue
        if any_word is not None and not any_word.search(segment.words):
            continue
        for found in pattern.finditer(segment.text):
            yield Match(segment.line_at(found.start()), found.group(0), found, segment)
