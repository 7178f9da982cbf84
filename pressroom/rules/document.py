"""A post as the text rules see it: its prose with line numbers, code and comments masked.

Rules search ``Segment``s — the title, the summary, the area and the body —
and report matches at the right line. Masking replaces characters by spaces
(keeping newlines), so offsets and line numbers stay true: code is shown to
readers as code, and pressroom's own ``<!-- ... -->`` comments are not prose.
``unquoted`` additionally masks quotations, for rules about the department's
own voice (a quoted "I" belongs to the person quoted).

The prose is then *folded* (``pressroom.rules.characters.fold``: NFKC-style
compatibility forms, invisible characters removed, combining marks dropped,
look-alike letters and other scripts' digits made ASCII), so a zero-width space in an
SSN or a Cyrillic "о" in "FOUO" hides nothing. Folding happens after masking, so
what counts as code or a comment is decided on the text Markdown reads, and it keeps
every newline, so line numbers are those of the file. ``raw`` is the unfolded
prose, for rules that need the exact characters (an image's file name).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from pressroom.model.frontmatter import KEY_LINE, MORE_LINE, Header, parse_header
from pressroom.rules.characters import fold
from pressroom.rules.lazy import LazyPattern

PatternLike = re.Pattern[str] | LazyPattern  # anything with .finditer

_FENCE = re.compile(r"^(```|~~~)[^\n]*\n.*?^\1[ \t]*$", re.M | re.S)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
# As HTML ends a comment (and so as the sanitizer does): "-->", "--!>", or at once "<!-->"
# and "<!--->". Reading only "-->" would mask the text between "<!-- a --!>" and a later
# comment, which readers see.
_COMMENT = re.compile(r"<!--(?:-?>|.*?--!?>)", re.S)
_QUOTE = re.compile(r"\"[^\"]{0,2000}?\"|\u201c[^\u201d]{0,2000}?\u201d", re.S)
_BLOCKQUOTE = re.compile(r"^[ \t]*>.*$", re.M)
# Every character that is not a letter or digit becomes a space (for ``Segment.words``).
_TO_SPACE = {i: " " for i in range(0x3000) if not chr(i).isalnum()}
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
    line_source: str = field(default="", repr=False, compare=False)  # for line numbers

    @classmethod
    def of(cls, line: int, text: str, where: str = "body") -> Segment:
        return cls(line, text, where)

    @cached_property
    def lower(self) -> str:
        return self.text.lower()

    @cached_property
    def words(self) -> str:
        """" word word ... ": lets a trigger be required to start (or be) a word."""
        return " " + self.lower.translate(_TO_SPACE) + " "

    @cached_property
    def tokens(self) -> frozenset[str]:
        return frozenset(self.words.split())

    @cached_property
    def by_prefix(self) -> dict[str, list[str]]:
        """The distinct words by their first three characters, made once per segment: a
        prefix trigger then costs one lookup, not a pass over every word (a third of a
        10,000-post check went to those passes, a dozen word-trigger sets per post)."""
        index: dict[str, list[str]] = {}
        for token in self.tokens:
            index.setdefault(token[:3], []).append(token)
        return index

    @cached_property
    def _seen(self) -> dict[tuple[tuple[str, ...], tuple[str, ...]], bool]:
        return {}

    def has_any(self, triggers: tuple[str, ...], word_triggers: tuple[str, ...]) -> bool:
        """Whether a trigger occurs here (remembered: several rules ask the same)."""
        key = (triggers, word_triggers)
        seen = self._seen.get(key)
        if seen is None:
            seen = ((not triggers or _any_of(triggers).search(self.lower) is not None)
                    and (not word_triggers or _WordTriggers.of(word_triggers).found_in(self)))
            self._seen[key] = seen
        return seen

    @cached_property
    def digit_runs(self) -> tuple[tuple[int, int], ...]:
        """Spans of digit sequences (with separators) long enough to be an identity number."""
        return tuple(m.span() for m in _DIGIT_RUN.finditer(self.text))

    @cached_property
    def _starts(self) -> tuple[int, ...]:
        source = self.line_source or self.text
        return (0, *(m.end() for m in re.finditer("\n", source)))

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
    prose: list[Segment]      # the post's text (title, summary, area, body); code masked, folded
    masked: str = field(default="", repr=False)  # the prose before folding

    @cached_property
    def raw(self) -> list[Segment]:
        """``prose`` with the file's own characters (not folded)."""
        if not self.masked or self.masked is self.prose[0].line_source:
            return self.prose
        return [Segment(1, _separate(self.masked, self.header.body_line), "body", self.masked)]

    @cached_property
    def unquoted(self) -> list[Segment]:
        """``prose`` with quotations and blockquotes masked too (made only when asked for)."""
        out = []
        for segment in self.prose:
            source = segment.line_source or segment.text
            out.append(Segment(segment.line, _separate(_quotes(source), self.header.body_line),
                               segment.where, source))
        return out


def make_document(path: str, text: str, header: Header | None = None) -> Document:
    """The rules' view of a post; pass ``header`` when it is already parsed.

    The whole file is one segment starting at line 1, so every match has its true
    line number: header lines are blanked except the values of the text fields
    (title, summary, area), which readers see and the rules must check too.
    """
    header = header or parse_header(text)
    if "\r" in text:  # a lone CR ends a line for Markdown (and an editor): same length, so
        text = _LONE_CR.sub("\n", text)  # offsets hold and line numbers are the file's
    lines = text.split("\n")
    head_end = min(header.body_line - 1, len(lines))
    keep = False
    for index in range(head_end):
        line = lines[index]
        key = KEY_LINE.match(line)
        if key is not None:
            keep = key.group("key").lower() in TEXT_FIELDS
            lines[index] = " " * key.start("value") + line[key.start("value"):] if keep \
                else " " * len(line)
        elif not (keep and MORE_LINE.match(line)):
            lines[index] = " " * len(line)
    masked = _code_and_comments("\n".join(lines))
    folded = fold(masked)
    return Document(path, text, header,
                    [Segment(1, _separate(folded, header.body_line), "body", folded)], masked)


_LONE_CR = re.compile(r"\r(?!\n)")
_PARAGRAPH_END = re.compile(r"\n(?=[ \t\r]*(?:\n|$))")


def _separate(text: str, body_line: int) -> str:
    """Newlines ending a header line or a paragraph become NUL (same length, no ``\\s``).

    Rules may match across a line break inside a paragraph (sentences wrap), but never
    from one header field into the next or across a blank line.
    """
    cut = 0
    for _ in range(max(0, body_line - 1)):
        cut = text.find("\n", cut) + 1
        if cut == 0:
            return text.replace("\n", "\0")
    return text[:cut].replace("\n", "\0") + _PARAGRAPH_END.sub("\0", text[cut:])


class _WordTriggers:
    """Word-start triggers checked against a segment's distinct words, not by scanning.

    " word" means some word starts with "word"; " word " means that exact word;
    " two words" means that phrase (checked in ``Segment.words``).
    """

    def __init__(self, triggers: tuple[str, ...]) -> None:
        self.exact: set[str] = set()
        self.phrases: list[str] = []
        self.prefixes: dict[str, list[str]] = {}
        for trigger in triggers:
            word = trigger.strip()
            if " " in word:
                self.phrases.append(trigger)
            elif trigger.endswith(" ") or len(word) < 3:
                self.exact.add(word)
            else:
                self.prefixes.setdefault(word[:3], []).append(word)

    @staticmethod
    @lru_cache(maxsize=256)
    def of(triggers: tuple[str, ...]) -> _WordTriggers:
        return _WordTriggers(triggers)

    def found_in(self, segment: Segment) -> bool:
        tokens = segment.tokens
        if self.exact and not self.exact.isdisjoint(tokens):
            return True
        if self.prefixes:
            index = segment.by_prefix
            for prefix, candidates in self.prefixes.items():
                words = index.get(prefix)
                if words and any(w.startswith(c) for w in words for c in candidates):
                    return True
        return any(phrase in segment.words for phrase in self.phrases)


@lru_cache(maxsize=256)
def _any_of(literals: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled alternation of literal strings: faster than testing each with ``in``."""
    return re.compile("|".join(re.escape(s) for s in sorted(set(literals), key=len, reverse=True)))


def _search_spans(pattern: PatternLike, segment: Segment, spans: Iterable[tuple[int, int]],
                  before: int, after: int) -> Iterator[Match]:
    """Matches inside the windows around ``spans``; overlapping windows are merged first,
    so a match containing an anchor always lies wholly inside one window."""
    windows: list[list[int]] = []
    for start, end in sorted(spans):
        low, high = max(0, start - before), end + after
        if windows and low <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], high)
        else:
            windows.append([low, high])
    for low, high in windows:
        for found in pattern.finditer(segment.text, low, high):
            yield Match(segment.line_at(found.start()), found.group(0), found, segment)


def search_digits(pattern: PatternLike, segments: list[Segment]) -> Iterator[Match]:
    """``search`` for patterns that only match inside digit runs (SSN, card, phone numbers).

    One cheap scan finds the runs; the pattern runs only there (with a few characters
    either side for its look-arounds) instead of at every position of the post.
    """
    for segment in segments:
        yield from _search_spans(pattern, segment, segment.digit_runs, 3, 1)


def search_around(pattern: PatternLike, segments: list[Segment], anchor: PatternLike,
                  before: int, after: int) -> Iterator[Match]:
    """``search`` in windows around a cheap ``anchor`` (an "@", a "-year-old").

    Patterns that open with a look-behind or a word boundary cannot use the regex
    engine's fast scan for their first character; a literal anchor can, so the full
    pattern runs only where a match is possible: ``before`` characters ahead of each
    anchor to ``after`` characters past it.
    """
    for segment in segments:
        spans = [m.span() for m in anchor.finditer(segment.text)]
        if spans:
            yield from _search_spans(pattern, segment, spans, before, after)


def any_present(segments: list[Segment], triggers: tuple[str, ...] = (),
                word_triggers: tuple[str, ...] = ()) -> bool:
    """Whether some segment contains a trigger: lets a rule skip compiling its pattern."""
    return any(s.has_any(triggers, word_triggers) for s in segments)


def search(pattern: PatternLike, segments: list[Segment],
           triggers: tuple[str, ...] = (), word_triggers: tuple[str, ...] = ()
           ) -> Iterator[Match]:
    """Matches of ``pattern`` with their line numbers.

    ``triggers`` are lower-case substrings at least one of which every match
    contains; a segment without any is skipped without running the regex, which
    keeps case-insensitive alternations from dominating a 10,000-post check.
    ``word_triggers`` are the same, but must start a word (given as " word").
    """
    for segment in segments:
        if (triggers or word_triggers) and not segment.has_any(triggers, word_triggers):
            continue
        for found in pattern.finditer(segment.text):
            yield Match(segment.line_at(found.start()), found.group(0), found, segment)
