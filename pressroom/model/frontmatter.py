"""Pelican's native metadata header, read the way Pelican's Markdown reader reads it.

A post starts with ``Key: value`` lines and ends its header at the first blank
line. We parse it ourselves (rather than through Pelican) so that every field
keeps its line number, which is what lets a rule say ``content/x.md:2: ...``.
The grammar mirrors python-markdown's ``meta`` extension that Pelican uses, so
what we validate is exactly what Pelican will read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KEY_LINE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
MORE_LINE = re.compile(r"^[ ]{4,}(?P<value>.*)")
_BEGIN = re.compile(r"^-{3}(\s.*)?$")
_END = re.compile(r"^(-{3}|\.{3})(\s.*)?$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as Markdown (and so Pelican) reads them: only CR, LF and CR+LF end a line.

    ``str.splitlines`` also breaks at form feeds, U+0085 and U+2028, which Markdown keeps
    inside a line: a header read that way would not be the header Pelican reads, and line
    numbers would not be the ones an editor or ``grep -n`` shows.
    """
    lines = _LINE_BREAK.split(text) if "\r" in text else text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass(frozen=True)
class Field:
    """One metadata field: the name as written, its value and the line it starts on."""

    name: str
    value: str
    line: int


@dataclass
class Header:
    fields: dict[str, Field] = field(default_factory=dict)  # keyed by lower-case name
    duplicates: list[Field] = field(default_factory=list)
    body_line: int = 1  # first line of the body (1-based)
    last_line: int = 1  # last line of the header, where a missing field belongs


def parse_header(text: str) -> Header:
    """Split ``text`` into metadata fields and the line where the body starts."""
    lines = split_lines(text)
    header = Header()
    index = 0
    if lines and _BEGIN.match(lines[0]):
        index = 1
    last: str | None = None
    while index < len(lines):
        line = lines[index]
        if not line.strip() or (index > 0 and _END.match(line)):
            index += 1  # the blank line (or fence) belongs to the header
            break
        key_match = KEY_LINE.match(line)
        if key_match:
            key = key_match.group("key").lower()
            new = Field(key_match.group("key"), key_match.group("value").strip(), index + 1)
            if key in header.fields:
                header.duplicates.append(new)
            else:
                header.fields[key] = new
            last = key
            header.last_line = index + 1
        elif last is not None and MORE_LINE.match(line):
            old = header.fields[last]
            more = MORE_LINE.match(line).group("value").strip()  # type: ignore[union-attr]
            header.fields[last] = Field(old.name, f"{old.value} {more}".strip(), old.line)
            header.last_line = index + 1
        else:
            break  # the first line that is not metadata starts the body
        index += 1
    header.body_line = index + 1
    return header
