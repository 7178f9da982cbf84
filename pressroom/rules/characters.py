"""Characters: what the rules see, what readers cannot see, and what no page or feed can hold.

Three jobs, one table of code points:

* ``fold`` — the text the rules search. A zero-width space inside an SSN, a soft
  hyphen inside a profanity, full-width or Arabic-Indic digits in a phone number, a
  Cyrillic "о" in "FOUO" all look the same to a reader as the plain word, so the
  rules must see the plain word. ``fold`` applies, per character:

  1. invisible characters (``is_invisible``: Unicode format characters, category Cf,
     such as U+200B-U+200F, U+2060, U+FEFF and the soft hyphen U+00AD; variation
     selectors; Hangul fillers; the combining grapheme joiner) are removed, and line
     or paragraph separators and the braille blank become a space;
  2. compatibility decomposition (Unicode NFKD: full-width forms, ligatures,
     mathematical letters, superscripts, NBSP and the other spaces), then every
     combining mark (Mn, Me) is dropped, so "d\\u0301amn", "dámn" and "d̶amn" are "damn";
  3. ``CONFUSABLES``: Cyrillic, Greek and other letters drawn like Latin ones become
     those Latin letters; ``DASHES`` become "-"; decimal digits of any script
     become 0-9 (``unicodedata.decimal``);
  4. the result is recomposed (NFC).

  Together this is Unicode NFKC plus what NFKC leaves alone. Folding is idempotent, so
  the few characters of a post that change are simply replaced, one after the other.

  Newlines are never added or removed, so a match in the folded text is on the same
  line as in the file. Pure-ASCII text (most posts) is returned as it is.

* ``check_invisible`` (TEXT-INVISIBLE): invisible characters are findings of their
  own — a reader cannot see them and an author rarely means them — except where
  they are part of an emoji or of a script that needs joiners.

* ``control_problems`` (TEXT-CONTROL): control characters and everything else XML 1.0
  forbids (C0 controls other than tab, newline and CR+LF; DEL and C1 controls;
  U+FFFE, U+FFFF; surrogates), raw or as a numeric character reference that the
  sanitizer would turn into one (``&#1;``). Feeds and CAP files are XML: one such
  character makes every later build fail, so the post is refused, naming file and line.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable

from pressroom.model.violations import Violation
from pressroom.model.wording import supervisor_hint

# Drawn like a Latin letter (a reader cannot tell them apart in most fonts).
CONFUSABLES: dict[str, str] = {
    # Cyrillic, lower and upper case
    "а": "a", "в": "b", "г": "r", "д": "g", "е": "e", "ё": "e", "з": "3", "і": "i",
    "ї": "i", "ј": "j", "к": "k", "м": "m", "н": "h", "о": "o", "п": "n", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ц": "u", "ѕ": "s", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "һ": "h", "ӏ": "l", "ү": "y", "ь": "b", "ѡ": "w", "ɡ": "g",
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "З": "3", "І": "I", "Ї": "I", "Ј": "J",
    "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y",
    "Х": "X", "Ѕ": "S", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Һ": "H", "Ӏ": "I", "Ү": "Y",
    "Ь": "b",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Latin letters from other blocks, Armenian and Cherokee
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɩ": "i", "ʏ": "y", "ʀ": "r", "ʜ": "h", "ɪ": "i",
    "ʟ": "l", "ɴ": "n", "ᴀ": "a", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ᴋ": "k", "ᴍ": "m",
    "ᴏ": "o", "ᴘ": "p", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z", "ꜱ": "s",
    "օ": "o", "ս": "u", "ո": "n", "ց": "g", "հ": "h", "Ꭺ": "A", "Ꮯ": "C", "Ꭼ": "E",
    "Ꮋ": "H", "Ꮶ": "K", "Ꮇ": "M", "Ꮲ": "P", "Ꮪ": "S", "Ꭲ": "T",
}
# Hyphens and minus signs that read as "-" (the em dash, a sentence mark, is kept).
DASHES = {"\u2010", "\u2011", "\u2012", "\u2013", "\u2212", "\ufe58", "\ufe63"}
# Invisible, but not format characters (Cf), or wanted as a space.
_INVISIBLE_EXTRA = {
    "\u034f",                      # combining grapheme joiner
    "\u115f", "\u1160", "\u3164", "\uffa0",  # Hangul fillers
    "\u17b4", "\u17b5",            # Khmer inherent vowels
    *(chr(c) for c in range(0x180B, 0x1810)),   # Mongolian variation selectors
    *(chr(c) for c in range(0xFE00, 0xFE10)),   # variation selectors
    *(chr(c) for c in range(0xE0100, 0xE01F0)),  # variation selectors supplement
}
_AS_SPACE = {"\u2028", "\u2029", "\u2800"}  # line/paragraph separator, braille blank
# In an emoji (👨‍👩‍👧, ❤️, 🏴 flags) or a script that uses them, these are meant.
_JOINERS = {"\u200c", "\u200d", *(chr(c) for c in range(0xFE00, 0xFE10)),
            *(chr(c) for c in range(0xE0020, 0xE0080))}

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_PLAIN = bytes(range(0x20, 0x7F)) + b"\t\n\r"
# Forbidden in XML 1.0 (and so in feeds and CAP), or a control with no place in a post.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_LONE_CR = re.compile(r"\r(?!\n)")
_DELETE = "delete it: web pages and feeds cannot carry it, and it would stop every build"
_CHAR_REF = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,6})|0*([0-9]{1,7}))")


def is_invisible(ch: str) -> bool:
    """A character that shows nothing where it stands."""
    return ch in _INVISIBLE_EXTRA or ch in _AS_SPACE or unicodedata.category(ch) == "Cf"


def _fold_char(ch: str) -> str:
    if ch in _AS_SPACE:
        return " "
    if is_invisible(ch):
        return ""
    if unicodedata.category(ch) in ("Cc", "Cs"):
        return ch  # refused by TEXT-CONTROL; leave it where it is
    out = []
    for part in unicodedata.normalize("NFKD", ch):
        if unicodedata.category(part) in ("Mn", "Me") or is_invisible(part):
            continue
        if part in CONFUSABLES:
            part = CONFUSABLES[part]
        elif part in DASHES:
            part = "-"
        elif unicodedata.category(part) == "Nd":
            part = str(unicodedata.decimal(part))
        out.append(part)
    return unicodedata.normalize("NFC", "".join(out))


class _FoldTable(dict[int, str]):
    """Code point -> its folded text, worked out on first sight (a post uses few)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_TABLE = _FoldTable()


def forbidden_character(text: str) -> str | None:
    """The first character of ``text`` that no web page or feed can carry, described, or None.

    For values that arrive already decoded (a TOML escape such as ``"\\u0001"`` in the
    roster or ``policy/site.toml``), where ``control_problems`` on the source sees nothing.
    """
    found = _CONTROL.search(text)
    return _describe(found.group()) if found else None


def unusual(text: str) -> str:
    """Every character of ``text`` that is not printable ASCII, tab or line break, in order.

    Computed at C speed (encode, delete the plain bytes, decode): a post is mostly plain,
    and scanning it character by character in a regular expression costs more than
    checking it.
    """
    data = text.encode("utf-8", "surrogatepass").translate(None, _PLAIN)
    return data.decode("utf-8", "surrogatepass")


def fold(text: str) -> str:
    """The text as a reader takes it in (see the module docstring); same lines as ``text``."""
    if text.isascii():
        return text
    changes = {}
    for ch in set(unusual(text)):
        folded = _TABLE[ord(ch)]
        if folded != ch:
            changes[ch] = folded
    for ch, folded in changes.items():  # a folded character is never folded again
        text = text.replace(ch, folded)
    return text


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def header_lines(fields: Iterable[tuple[str, int]], body_line: int) -> dict[int, str]:
    """Header line -> the field it belongs to (a value may continue on indented lines)."""
    starts = sorted((line, name) for name, line in fields)
    out = {}
    for index, (line, name) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else body_line
        for number in range(line, max(line + 1, end)):
            out[number] = name
    return out


class _Lines:
    """Line numbers of offsets, counting newlines once (a file may hold many findings)."""

    def __init__(self, text: str) -> None:
        self.starts = [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) + 1


def control_problems(path: str, text: str, fields: dict[int, str] | None = None
                     ) -> list[Violation]:
    """TEXT-CONTROL: one finding per line holding a character no web page or feed can hold.

    ``fields`` maps header line numbers to field names, so the message can say "in Title".
    """
    problems: list[Violation] = []
    seen: set[int] = set()
    lines: _Lines | None = None

    def flag(offset: int, what: str, fix: str = _DELETE) -> None:
        nonlocal lines
        lines = lines or _Lines(text)
        line = lines.at(offset)
        if line not in seen:
            seen.add(line)
            where = f" in {fields[line]}" if fields and line in fields else ""
            problems.append(Violation(path, line, "TEXT-CONTROL", f"{what}{where}; {fix}"))

    if _CONTROL.search(unusual(text)):
        for found in _CONTROL.finditer(text):
            flag(found.start(), f"control character {_describe(found.group())}")
    if "\r" in text:
        for found in _LONE_CR.finditer(text):
            flag(found.start(), "a carriage return without a line feed (an old Mac line "
                                "ending)", "save the file with LF line endings")
    if "&#" in text:
        for found in _CHAR_REF.finditer(text):
            hexa, decimal = found.groups()
            code = int(hexa, 16) if hexa else int(decimal)
            if code in (0xFFFE, 0xFFFF) or (code < 0x20 and code not in (0x9, 0xA, 0xD)):
                flag(found.start(), f"character reference {found.group()!r}, which stands for "
                                    f"control character U+{code:04X}")
    return sorted(problems)


def _meant(text: str, index: int) -> bool:
    """A joiner or variation selector inside an emoji or a non-Latin word is meant."""
    if text[index] not in _JOINERS:
        return False
    if text[index] == "\ufe0f" and text[index + 1:index + 2] == "\u20e3":
        return True  # keycap: 1️⃣
    before = index - 1
    while before >= 0 and text[before] in _JOINERS:
        before -= 1
    after = text[index + 1:index + 2]
    if before < 0 or text[before].isascii() or (after.isascii() and after.isalnum()):
        return False
    return _fold_char(text[before]) == text[before]  # an emoji, or a letter of its own script


def check_invisible(path: str, text: str) -> list[Violation]:
    """TEXT-INVISIBLE: a character a reader cannot see, once per line."""
    if text.isascii() or not any(is_invisible(ch) for ch in set(unusual(text))):
        return []
    problems: list[Violation] = []
    seen: set[int] = set()
    lines: _Lines | None = None
    for run in _NON_ASCII.finditer(text):
        for offset in range(run.start(), run.end()):
            ch = text[offset]
            if not is_invisible(ch) or _meant(text, offset):
                continue
            lines = lines or _Lines(text)
            line = lines.at(offset)
            if line in seen:
                continue
            seen.add(line)
            problems.append(Violation(path, line, "TEXT-INVISIBLE",
                                      f"invisible character {_describe(ch)}; readers cannot "
                                      f"see it, so delete it" + supervisor_hint(
                                          "a character a language needs (a joiner in a "
                                          "name) may be allowed with a reason")))
    return problems
