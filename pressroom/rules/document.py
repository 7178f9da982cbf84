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
from dataclasses import dataclass, field

from pressroom.frontmatter import Header, parse_header

_FENCE = re.compile(r"^(```|~~~)[^\n]*\n.*?^\1[ \t]*$", re.M | re.S)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_QUOTE = re.compile(r"\"[^\"]{0,2000}?\"|\u201c[^\u201d]{0,2000}?\u201d", re.S)
_BLOCKQUOTE = re.compile(r"^[ \t]*>.*$", re.M)
TEXT_FIELDS = ("title", "summary", "area")


def mask(text: str, pattern: re.Pattern[str]) -> str:
    """Replace every match of ``pattern`` by spaces, keeping newlines (and so offsets)."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


@dataclass(frozen=True)
class Segment:
    """A piece of text starting at ``line``; ``where`` names the field or "body"."""

    line: int
    text: str
    where: str = "body"
    _starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def of(cls, line: int, text: str, where: str = "body") -> Segment:
        starts = (0, *(m.end() for m in re.finditer("\n", text)))
        return cls(line, text, where, starts)

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
            clean = mask(mask(item.value, _INLINE_CODE), _COMMENT)
            prose.append(Segment.of(item.line, clean, name))
            unquoted.append(Segment.of(item.line, mask(clean, _QUOTE), name))
    raw.append(Segment.of(header.body_line, body))
    clean = mask(mask(mask(body, _FENCE), _INLINE_CODE), _COMMENT)
    prose.append(Segment.of(header.body_line, clean))
    unquoted.append(Segment.of(header.body_line, mask(mask(clean, _BLOCKQUOTE), _QUOTE)))
    return Document(path, text, header, raw, prose, unquoted)


def search(pattern: re.Pattern[str], segments: list[Segment]) -> Iterator[Match]:
    for segment in segments:
        for found in pattern.finditer(segment.text):
            yield Match(segment.line_at(found.start()), found.group(0), found, segment)
