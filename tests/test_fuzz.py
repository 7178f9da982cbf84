"""Property-based fuzzing of ``pressroom check`` and ``pressroom build`` (issue #11).

The README's promises must hold for any file an author (careless or hostile) can commit, not
only for the posts we thought of. Hypothesis generates posts as *bytes*: front matter built
from the known fields with valid values mixed with hostile ones (control, zero-width and bidi
characters, line separators, CR/CRLF line endings, a BOM, invalid UTF-8, NUL, duplicate and
unknown keys, odd dates, tags that slugify to nothing, colliding slugs) and bodies mixing
Markdown, raw HTML, hostile links, reference links, autolinks, code and suppression comments.
File names are fuzzed too: a branch chooses them.

Properties, through the real CLI in-process:

* ``check``: exit 0 or 1 (2 only for unusable input); no traceback; every line before the
  summary is ``path:line: RULE-ID: message`` naming a file that exists and a catalogued rule;
  the exit code agrees with the summary; nothing a terminal would interpret (control
  characters) is printed; the same files give the same output twice, from the cache and
  without it.
* ``build``: exit 0, 1 or 2; no traceback; on a refusal every problem line names a file and the
  previous site is byte-for-byte unchanged; on success every feed and CAP file is well-formed
  XML, no page or feed entry carries active content (script, handler, ``javascript:`` link,
  form, frame, third-party image), a post pressroom holds back (draft, embargoed, removed) is
  written nowhere, and the incremental build wrote the bytes a full build writes.

The default run is bounded and reproducible (``derandomize``, no example database):
``PRESSROOM_FUZZ_EXAMPLES`` (default 30) examples for ``check``, a fifth of that for ``build``.
``make fuzz`` is the long run: thousands of examples from a random seed (``PRESSROOM_FUZZ_LONG``).
Every failure the fuzzer found is kept below as an explicit regression case (``FOUND``).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner, Result
from conftest import LA, NOW, ROSTER, post_text, tree_digest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from pressroom.cache import folder as cache_folder
from pressroom.cli import cli
from pressroom.model.content import CAP_VALUES, parse_post
from pressroom.model.violations import printable
from pressroom.repo.sources import is_post_path
from pressroom.rules.catalog import RULES

# --------------------------------------------------------------------------------------------
# Budgets: bounded and reproducible by default, long and random behind PRESSROOM_FUZZ_LONG.

LONG = os.environ.get("PRESSROOM_FUZZ_LONG", "") == "1"
CHECK_EXAMPLES = int(os.environ.get("PRESSROOM_FUZZ_EXAMPLES", "30"))
BUILD_EXAMPLES = int(os.environ.get("PRESSROOM_FUZZ_BUILD_EXAMPLES",
                                    str(max(3, CHECK_EXAMPLES // 5))))
TODAY = "2026-11-27"
NOW_TEXT = NOW.isoformat(timespec="minutes")


SHRINK = LONG or os.environ.get("PRESSROOM_FUZZ_SHRINK", "") == "1"


def fuzz_settings(examples: int) -> settings:
    """Reproducible in CI (derandomized, no database); a random seed in the long run.

    Shrinking a failing build can take many minutes, so the bounded run reports the failing
    example as generated; the long run (or PRESSROOM_FUZZ_SHRINK=1) shrinks it.
    """
    phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
    return settings(
        max_examples=examples, deadline=None, derandomize=not LONG, database=None,
        print_blob=True, phases=[*phases, Phase.shrink] if SHRINK else phases,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.large_base_example, HealthCheck.filter_too_much],
    )


# --------------------------------------------------------------------------------------------
# Characters and text an attacker or a careless paste brings.

C0 = [chr(c) for c in range(0x20) if c != 0x0A]
C1 = ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u034f", "\u180e"]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u200e", "\u200f", "\u061c"]
SEPARATORS = ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\r"]
ODD = ["\ufffe", "\uffff", "\ufffd", "\U0010ffff", "\U0001f600", "\u0301", "\u0410", "\uff1a",
       "\ud800", "\udfff", "<", ">", "&", '"', "'", "`", ":", "#", "\\", "{", "}", "%", "|",
       "]]>", "-->", "\t", " ", "\u00a0", "\u3000"]
HOSTILE_CHARS = C0 + C1 + INVISIBLE + BIDI + SEPARATORS + ODD

hostile_char = st.one_of(st.sampled_from(HOSTILE_CHARS), st.characters(codec=None))
hostile_text = st.lists(hostile_char, max_size=30).map("".join)  # pieces may be longer than 1
plain_words = st.lists(st.sampled_from(
    ["road", "closure", "Main", "Street", "officers", "the", "public", "safety", "alert",
     "residents", "Foothill", "Boulevard", "update", "night", "cafe", "café", "Ünïcödé"]),
    min_size=1, max_size=8).map(" ".join)
long_line = st.builds(lambda word, n: word * n, st.sampled_from(["a", "word ", "é", "<b>"]),
                      st.integers(500, 20_000))
mixed_text = st.one_of(plain_words, hostile_text, long_line,
                       st.tuples(plain_words, hostile_text, plain_words).map("".join))

# Fragments that trip the content rules, so the rule engine runs on hostile surroundings.
RULE_TRIGGERS = [
    "219-09-9999", "4111 1111 1111 1111", "driver's license number D1234567", "DOB 03/14/1991",
    "(909) 555-0147", "someone@gmail.com", "1423 Maple Avenue", "Tyler Brooks, 16,",
    "who has epilepsy", "FOUO", "a confidential informant", "Undercover Detective Ramos",
    "SWAT officers are positioned on the roof", "will serve search warrants Thursday",
    "I want to thank", "truck for sale", "Vote yes on Measure P", "a damn mess",
    "these scumbags", "we hope they rot in jail", "\"I am proud,\" said Chief Torres",
]

HOSTILE_HTML = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>', '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="  JaVaScRiPt:alert(1)">x</a>', '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    "<svg onload=alert(1)>", "<iframe src=//evil.example></iframe>",
    "<form action=//evil.example><input name=q><textarea></textarea></form>",
    "<style>body{background:url(//evil.example)}</style>",
    '<meta http-equiv="refresh" content="0;url=//evil.example">', "<base href=//evil.example/>",
    "<object data=x></object>", "<embed src=x>", '<link rel=stylesheet href=//evil.example/c>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--><script>alert(1)</script>-->", "<![CDATA[<script>alert(1)</script>]]>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<img src="//evil.example/pixel.gif" alt="pixel">',
    '<img src="http://evil.example/track.gif" alt="t">', '<img src="/images/x.jpg" alt="ok">',
    "<p>unclosed <b>bold <i>italic", "</div></div></body></html><script>alert(1)</script>",
    '<a href="http://ok.example/" onclick="alert(1)">ok</a>', "<details open ontoggle=alert(1)>",
    '<q cite="javascript:alert(1)">q</q>', "<blockquote cite=javascript:alert(1)>b</blockquote>",
    "<div id=disqus_thread></div>", '<div class="fb-comments"></div>',
    "<table><tr><td>cell</td></tr></table>", "&lt;script&gt;", "&#0;", "&#x110000;", "&bogus;",
]
HOSTILE_URLS = [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "jav&#x61;script:alert(1)", "&#106;avascript:alert(1)", "data:text/html,<script>x</script>",
    "vbscript:msgbox(1)", "//evil.example/x", "http://ok.example/a_(b)", "https://ok.example/",
    "mailto:pio1@pd.example", "tel:+19095550100", "/images/missing.jpg", "#top", "",
    "{filename}../../../etc/passwd", "{static}/../pelicanconf.py", "{attach}x.md",
    "{filename}/2026/other.md", "<javascript:alert(1)>", "http://x.example/\"onmouseover=\"alert(1)",
]
MARKDOWN_BITS = [
    "# Heading", "## Sub {: onclick=\"alert(1)\" }", "Para {: style=\"x\" onclick=\"alert(1)\" }",
    "* item\n* item", "1. one\n2. two", "> quoted \"I said\"", "| a | b |\n|---|---|\n| 1 | 2 |",
    "    indented code <script>", "```html\n<script>alert(1)</script>\n```", "`<script>`",
    "Term\n:   definition", "Text[^1]\n\n[^1]: Footnote <script>x</script>",
    "*[HTML]: Hyper <script>", "{{ 7*7 }} {% include 'x' %} |filename|x.md",
    "---", "***", "<!-- a plain comment -->", "<!-- unclosed comment", "-->",
    "<!-- pressroom: allow PRIVACY-ADDRESS -- a business, not a residence -->",
    "<!-- pressroom: allow PRIVACY-SSN -- cannot allow this -->",
    "<!-- pressroom: allow PRIVACY-ADDRESS -->", "<!-- pressroom: allow -- no rule -->",
    "<!-- pressroom: allow NOT-A-RULE, PRIVACY-PHONE -- why -->",
    "<!-- pressroom: allow HTML-SCRIPT -- no -->\n<script>x</script>",
    "Title: not a header", "Status: draft", "\\", "<", "&", "[", "![", "]()", "[x]:",
]


@st.composite
def link(draw: st.DrawFn) -> str:
    """A Markdown link, image, reference link or autolink to a (hostile) URL."""
    url = draw(st.sampled_from(HOSTILE_URLS))
    text = draw(st.one_of(plain_words, hostile_text))
    form = draw(st.integers(0, 4))
    if form == 0:
        return f"[{text}]({url})"
    if form == 1:
        return f"![{text}]({url})"
    if form == 2:
        return f"[{text}][ref]\n\n[ref]: {url}"
    if form == 3:
        return f"<{url}>"
    return f"[{text}](<{url}> \"{text}\")"


body_block = st.one_of(
    mixed_text, st.sampled_from(RULE_TRIGGERS), st.sampled_from(HOSTILE_HTML),
    st.sampled_from(MARKDOWN_BITS), link(),
    st.tuples(plain_words, st.sampled_from(RULE_TRIGGERS), plain_words).map(" ".join),
)
body = st.lists(body_block, max_size=8).map("\n\n".join)

# --------------------------------------------------------------------------------------------
# Front matter: the known fields, valid and hostile values, unknown and duplicate keys.

CATEGORIES = ["announcements", "crime-prevention", "information-requests", "community",
              "safety-alerts", "traffic", "press-releases", "recruitment"]
VALID_DATES = ["2026-11-20 09:00", "2026-11-20", "2026-11-20T09:00-08:00", "2026-11-20T17:00Z",
               "2026-11-20 9:00", "2026-01-01 00:00", "2025-12-31 23:59", "2026-11-27 12:00",
               "2026-11-27 12:01", "2027-01-01 08:00"]
ODD_DATES = ["November 20th", "2026-02-30", "2026-11-20 25:00", "0001-01-01", "9999-12-31 23:59",
             "2026-11-20T09:00+14:00", "2026-11-20T09:00-24:00", "2026-11-20T09:00:00.123456+05:45",
             "1970-01-01", "\uff12\uff10\uff12\uff16-11-20", "2026-11-20 09:00 PST", "2026-W47",
             "20261120", "2026-03-08 02:30", "2026-11-01 01:30", "2026-11-20T09:00+0800",
             "2026-11-20 09:00:60", "-2026-11-20", "2026-11-20\u200b",
             "\u0662\u0660\u0662\u0666-11-20"]
TAG_ATOMS = ["road closure", "construction", "!!!", "---", "", " ", "C++", "c#", "Ünïcödé",
             "a/b", "..", "road-closure", "ROAD CLOSURE", "\u200b", "\u202eevil", "<b>x</b>",
             "tag", "tag", "x" * 300, "🚓", "&amp;", "%2e%2e"]
SLUGS = ["road-closure", "road-closure", "other-post", "Road_Closure", "../etc", "a/b", "",
         "index", "feeds", "category", "2026", "theme", "cap", "-", "a--b", "é", "x" * 300,
         "page", "contact", "archives"]
MEMBERS = ["pio1", "sup1", "nobody", "PIO1", " pio1", "pio1\u200b", "pio1 ", "../pio1"]

FIELD_VALUES: dict[str, list[str]] = {
    "title": ["Road closure on Main Street", "Café <b>bold</b> & \"quoted\"",
              "</title><script>alert(1)</script>", "]]><x>", "{filename}x.md", "Title: nested"],
    "date": VALID_DATES + ODD_DATES,
    "category": CATEGORIES + ["Traffic", "traffic ", "news", "safety alerts", "pages"],
    "author": MEMBERS,
    "summary": ["Main Street is closed between 1st and 2nd Streets today.", "x" * 281,
                "<script>alert(1)</script>", "Summary with [a link](javascript:alert(1))",
                "*emphasis* and `code`", "<!-- pressroom: allow -- x -->"],
    "tags": [],  # drawn from TAG_ATOMS below
    "slug": SLUGS,
    "modified": VALID_DATES + ODD_DATES,
    "status": ["published", "draft", "Draft", "DRAFT", "hidden", "", "published "],
    "expires": VALID_DATES + ODD_DATES,
    "area": ["Elm Street between 4th and 6th Streets", "<script>x</script>"],
    "incident": ["2026-1124-elm", "2026-1124-elm", "x", "-bad", "a b", "é", "x" * 80, "../x"],
    "event": ["Police activity", "Fire", "<event/>"],
    "urgency": ["Immediate", "Expected", "Future", "Past", "Unknown", "Now", "immediate"],
    "severity": ["Extreme", "Severe", "Moderate", "Minor", "Unknown", "Bad"],
    "certainty": ["Observed", "Likely", "Possible", "Unlikely", "Unknown", "Sure"],
    "response": ["Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess",
                 "None", "AllClear", "Panic"],
    "instruction": ["Stay indoors; use Foothill Boulevard", "<b>x</b>"],
    "polygon": ["34.1,-117.9 34.2,-117.9 34.2,-117.8 34.1,-117.9",
                "99,999 99,999 99,999 99,999", "34.1,-117.9", "1,2 3,4 5,6 1,2",
                "34.1,-117.9  34.2,-117.9 34.2,-117.8 34.1,-117.9"],
    "circle": ["34.1337,-117.9076 0.5", "34.1337,-117.9076", "99,999 99999999", "a,b c"],
    "correction": ["corrected the time", "<script>x</script>"],
    "retraction": ["remove", "withdraw", "Remove", "delete"],
    "retracted": VALID_DATES + ODD_DATES,
    "retraction-reason": ["duplicate post", "<script>x</script>"],
    "reported-by": MEMBERS,
}
REQUIRED = ["title", "date", "category", "author", "summary"]
CAP_FIELDS = {name: list(values) for name, values in CAP_VALUES.items()}
OPTIONAL = [name for name in FIELD_VALUES if name not in REQUIRED]
# Pelican obeys these in a header: where to write, which template, which address.
UNKNOWN_VALUES = ["index.html", "feeds/all.atom.xml", "cap/index.atom", "../../escape.html",
                  "/etc/passwd", "theme/css/site.css", "contact/index.html", "article",
                  "../../../etc/passwd"]
UNKNOWN_KEYS = ["Catgory", "Template", "Save_as", "save_as", "URL", "Lang", "Translation",
                "Authors", "Og_image", "Summary_", "x" * 200, "Ünknown"]


def key_spelling(name: str) -> st.SearchStrategy[str]:
    """How an author spells a key: Title, title, TITLE, or Retraction-Reason."""
    return st.sampled_from([name.title(), name, name.upper()])


@st.composite
def field_value(draw: st.DrawFn, name: str) -> str:
    """A valid-looking value for ``name`` most of the time, hostile text otherwise."""
    if name == "tags":
        return ", ".join(draw(st.lists(st.sampled_from(TAG_ATOMS), max_size=5)))
    if draw(st.integers(0, 3)) == 0:
        return draw(mixed_text)
    value = draw(st.sampled_from(FIELD_VALUES[name]))
    if draw(st.integers(0, 5)) == 0:  # a valid value with something glued on
        return value + draw(hostile_text)
    return value


@st.composite
def header_lines(draw: st.DrawFn) -> list[str]:
    """Front matter lines: required fields mostly present, optional ones, junk and repeats."""
    names = [n for n in REQUIRED if draw(st.integers(0, 9)) > 0]
    names += draw(st.lists(st.sampled_from(OPTIONAL), max_size=5, unique=True))
    if draw(st.integers(0, 4)) == 0 and names:
        names.append(draw(st.sampled_from(names)))  # a field given twice
    names = draw(st.permutations(names))
    lines = []
    for name in names:
        key = draw(key_spelling(name))
        value = draw(field_value(name))
        sep = draw(st.sampled_from([": ", ":", ":  ", ":\t", " : "]))
        indent = draw(st.sampled_from(["", "", "", " ", "   ", "    "]))
        lines.append(f"{indent}{key}{sep}{value}")
        if draw(st.integers(0, 9)) == 0:
            lines.append("    " + draw(mixed_text))  # a continuation line
    if draw(st.integers(0, 5)) == 0:
        value = draw(st.one_of(mixed_text, st.sampled_from(UNKNOWN_VALUES)))
        lines.insert(draw(st.integers(0, len(lines))),
                     f"{draw(st.sampled_from(UNKNOWN_KEYS))}: {value}")
    if draw(st.integers(0, 8)) == 0:
        lines = ["---", *lines, draw(st.sampled_from(["---", "..."]))]
    return lines


@st.composite
def post_bytes(draw: st.DrawFn, marker: str = "") -> bytes:
    """One post file's bytes: a header, a blank line, a body; then hostile encodings."""
    lines = draw(header_lines())
    text_body = draw(body)
    if marker:
        text_body += f"\n\n{marker}\n"
    newline = draw(st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", "\n\r"]))
    blank = draw(st.sampled_from(["", "", "", " ", "\t", "\u00a0", "\u200b"]))
    text = newline.join(lines) + newline + blank + newline + text_body.replace("\n", newline)
    if draw(st.integers(0, 9)) == 0:
        text = text.rstrip("\n")
    data = text.encode("utf-8", "surrogatepass")  # a lone surrogate becomes invalid UTF-8
    transform = draw(st.integers(0, 19))
    if transform == 0:
        data = b"\xef\xbb\xbf" + data
    elif transform == 1:
        data = b"\xef\xbb\xbf\xef\xbb\xbf" + data
    elif transform == 2:
        at = draw(st.integers(0, len(data)))
        bad = draw(st.sampled_from([b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\x80", b"\xe2\x82"]))
        data = data[:at] + bad + data[at:]
    elif transform == 3:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00" + data[at:]
    elif transform == 4:
        data = text.encode("utf-16", "surrogatepass")
    elif transform == 5:
        data = text.encode("latin-1", "replace")
    elif transform == 6:
        data = b""
    return data


# Posts whose front matter is valid, so they reach Markdown, the sanitizer, Pelican and the
# feeds: hostile text stays inside the free-text values, hostile Markdown in the body.
GOOD_DATES = ["2026-11-20 09:00", "2026-11-20", "2026-11-20T09:00-08:00", "2026-11-20T17:00Z",
              "2026-07-01 00:00", "2026-11-27 12:00", "2026-11-27 12:01", "2027-01-01 08:00",
              "2026-11-01 01:30", "2026-03-08 02:30", "2026-11-20T09:00+14:00",
              "2026-11-20T09:00-12:00", "0001-01-01", "9999-12-31 23:59"]
LATER_DATES = ["2026-11-26 09:00", "2026-11-27 11:00", "2026-12-31 23:59", "2027-06-01",
               "9999-12-31 23:59"]
GOOD_SLUGS = ["road-closure", "other-post", "index", "feeds", "category", "2026", "theme", "cap",
              "page", "contact", "archives", "tag", "x" * 200, "0"]


def one_line(piece: str) -> bool:
    """Text that stays on one line for Python and for Markdown, and encodes as UTF-8."""
    return (len(f"a{piece}b".splitlines()) == 1 and "\n" not in piece
            and not any("\ud800" <= c <= "\udfff" for c in piece))


line_text = st.lists(hostile_char.filter(one_line), max_size=12).map("".join)
free_text = st.one_of(
    plain_words, st.tuples(plain_words, line_text, plain_words).map("".join),
    st.sampled_from([v for v in FIELD_VALUES["title"] + FIELD_VALUES["summary"] if one_line(v)]),
)


@st.composite
def valid_header(draw: st.DrawFn) -> list[tuple[str, str]]:
    """A header pressroom accepts, with hostile characters in its free text."""
    date = draw(st.sampled_from(GOOD_DATES))
    category = draw(st.sampled_from(CATEGORIES))
    fields = [("Title", draw(free_text)), ("Date", date), ("Category", category),
              ("Author", "pio1"), ("Summary", draw(free_text))]
    later = [d for d in LATER_DATES if d > date] or ["9999-12-31 23:59"]
    if category == "safety-alerts":
        fields.append(("Expires", draw(st.sampled_from(later))))
        for name in draw(st.lists(st.sampled_from(list(CAP_FIELDS)), max_size=4, unique=True)):
            fields.append((name.title(), draw(st.sampled_from(CAP_FIELDS[name]))))
        if draw(st.booleans()):
            fields.append(("Incident", draw(st.sampled_from(["2026-1124-elm", "a.b_c-9"]))))
        for name in draw(st.lists(st.sampled_from(["event", "instruction", "area"]),
                                  max_size=3, unique=True)):
            fields.append((name.title(), draw(free_text)))
    if draw(st.booleans()):
        fields.append(("Tags", ", ".join(draw(st.lists(st.sampled_from(TAG_ATOMS), max_size=5)))))
    if draw(st.booleans()):
        fields.append(("Slug", draw(st.sampled_from(GOOD_SLUGS))))
    if draw(st.integers(0, 3)) == 0:
        fields.append(("Status", draw(st.sampled_from(["draft", "Draft", "published"]))))
    if draw(st.integers(0, 3)) == 0:
        fields.append(("Modified", draw(st.sampled_from(later))))
        if draw(st.booleans()):
            fields.append(("Correction", draw(free_text)))
    if draw(st.integers(0, 4)) == 0:
        fields += [("Retraction", draw(st.sampled_from(["remove", "withdraw"]))),
                   ("Retracted", draw(st.sampled_from(later))),
                   ("Retraction-Reason", draw(free_text)), ("Reported-By", "pio1")]
    return draw(st.permutations(fields))


@st.composite
def valid_post_bytes(draw: st.DrawFn, marker: str = "") -> bytes:
    """A post with valid front matter (hostile free text) and a hostile body."""
    lines = [f"{key}: {value}" for key, value in draw(valid_header())]
    text_body = draw(body) + (f"\n\n{marker}\n" if marker else "")
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    text = newline.join(lines) + newline + newline + text_body.replace("\n", newline)
    data = text.replace("\x00", "").encode("utf-8", "replace")  # no NUL, no lone surrogate
    return b"\xef\xbb\xbf" + data if draw(st.integers(0, 5)) == 0 else data


FILE_STEMS = ["road-closure", "road-closure", "other-post", "Road Closure", "ünï", "a\nb",
              "a\rb", "x:1: FRONT-DATE: fake", "-rf", ".hidden", "a\u202eb", "\u200b", "a b",
              "index", "feeds", "x" * 120, "\udcff"]  # \udcff: a name with an invalid byte
GOOD_STEM = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.")  # a file name that gives a valid slug
FILE_DIRS = ["content/2026/", "content/2026/", "content/", "content/2025/", "content/a b/",
             "content/pages/", "content/images/", "content/2026/deep/er/"]
FILE_SUFFIXES = [".md", ".md", ".md", ".markdown", ".MD", ".mkd", ".mdown"]


@st.composite
def file_name(draw: st.DrawFn, hostile: bool = True) -> str:
    stems = FILE_STEMS if hostile else [s for s in FILE_STEMS if s.isascii() and s.isprintable()]
    return (draw(st.sampled_from(FILE_DIRS)) + draw(st.sampled_from(stems))
            + draw(st.sampled_from(FILE_SUFFIXES)))


@st.composite
def department_posts(draw: st.DrawFn, hostile_names: bool = True, most: int = 3,
                     markers: bool = False, valid: bool = False) -> dict[str, bytes]:
    """A few posts (name -> bytes) for one repository, names unique.

    ``markers``: each post's body ends with ``fuzzmark<i>x``, to find it in the built site.
    ``valid``: front matter pressroom accepts, in post folders, so the build goes all the way.
    """
    names = draw(st.lists(file_name(hostile_names), min_size=1, max_size=most,
                          unique_by=lambda n: n.lower()))
    if valid:
        names = [n for n in names if is_post_path(n) and GOOD_STEM.match(n.rsplit("/", 1)[1])]
        names = names or ["content/2026/fuzzed.md"]
    make = valid_post_bytes if valid else post_bytes
    return {name: draw(make(marker=f"fuzzmark{i}x" if markers else ""))
            for i, name in enumerate(names)}


# --------------------------------------------------------------------------------------------
# The department repository and the CLI.


def write_repo(root: Path, posts: dict[str, bytes]) -> None:
    """A department repository at ``root`` with the test roster and ``posts``."""
    (root / "content").mkdir(parents=True)
    (root / "policy").mkdir()
    (root / "policy" / "roster.toml").write_text(ROSTER, encoding="utf-8")
    for name, data in posts.items():
        path = root / name  # a lone surrogate stands for an undecodable byte of the name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def no_crash(result: Result, allowed: tuple[int, ...] = (0, 1, 2)) -> str:
    """The command ended with an allowed exit code and no traceback; its stdout."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"crashed with {result.exception!r}:\n{trace}")
    assert result.exit_code in allowed, result.output
    assert "Traceback (most recent call last)" not in result.output
    return result.stdout


TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LINE = re.compile(r"^(?P<line>\d+): (?P<rule>[A-Z]+(?:-[A-Z]+)*): (?P<message>.+)$")
SUMMARY = re.compile(r"^(OK|REFUSED): checked \d+ files?")


def problem_lines(out: str, files: set[str], text_of: Callable[[str], str | None]) -> list[str]:
    """Check that every line names one of ``files`` and a catalogued rule; return rule ids.

    ``path:line: RULE-ID: message`` (or ``path: RULE-ID: message`` for the whole file). The
    line must exist in the file (or be one past its end, where a missing field belongs).
    """
    rules = []
    for line in out.split("\n"):
        if not line:
            continue
        path = max((f for f in files if line.startswith(f + ":")), key=len, default=None)
        assert path is not None, f"line names no file of the repository: {line!r}"
        rest = line[len(path) + 1:]
        if rest.startswith(" "):
            rest = "0:" + rest
        found = LINE.match(rest)
        assert found, f"not 'path:line: RULE-ID: message': {line!r}"
        assert found["rule"] in RULES, f"rule id not in the catalog: {line!r}"
        text = text_of(path)
        if text is not None:
            assert int(found["line"]) <= len(text.splitlines()) + 1, f"no such line: {line!r}"
        rules.append(found["rule"])
    return rules


def repo_names(root: Path) -> set[str]:
    """Every file the repository holds, as the POSIX paths pressroom prints."""
    return {printable(p.relative_to(root).as_posix()) for p in root.rglob("*")
            if (p.is_file() or p.is_symlink()) and ".pressroom-cache" not in p.parts
            and "output" not in p.parts}


def reader(root: Path) -> Callable[[str], str | None]:
    def text_of(rel: str) -> str | None:
        try:
            return (root / rel).read_bytes().decode("utf-8", "replace")
        except OSError:
            return None

    return text_of


# --------------------------------------------------------------------------------------------
# check


def run_check(root: Path, files: tuple[str, ...] = ()) -> Result:
    return invoke("check", "--repo", str(root), "--today", TODAY, *files)


def check_properties(posts: dict[str, bytes], name_files: bool = False) -> None:
    """Every promise ``pressroom check`` makes, for one repository holding ``posts``."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "dept"
        write_repo(root, posts)
        args = tuple(str(root / n) for n in sorted(repo_names(root))
                     if n.startswith("content/")) if name_files else ()
        first = run_check(root, args)
        out = no_crash(first, (0, 1))
        unsafe = TERMINAL_UNSAFE.search(first.output)
        assert unsafe is None, f"control character {unsafe[0]!r} printed: {first.output!r}"
        lines = out.rstrip("\n").split("\n")
        assert SUMMARY.match(lines[-1]), f"no summary line: {out!r}"
        problem_lines("\n".join(lines[:-1]), repo_names(root), reader(root))
        refused = lines[-1].startswith("REFUSED")
        assert (first.exit_code == 1) == refused, out
        errors = [line for line in lines[:-1] if ": (warning) " not in line]
        assert not refused or errors, f"refused without a problem line: {out!r}"
        again = run_check(root, args)  # from the check cache
        assert (again.exit_code, again.output) == (first.exit_code, first.output)
        shutil.rmtree(cache_folder(root), ignore_errors=True)
        fresh = run_check(root, args)  # and without it
        assert (fresh.exit_code, fresh.output) == (first.exit_code, first.output)


@fuzz_settings(CHECK_EXAMPLES)
@given(posts=department_posts())
def test_check_whole_repository_keeps_its_promises(posts: dict[str, bytes]) -> None:
    check_properties(posts)


@fuzz_settings(max(3, CHECK_EXAMPLES // 2))
@given(posts=department_posts(hostile_names=False))
def test_check_named_files_keeps_its_promises(posts: dict[str, bytes]) -> None:
    """The pre-commit path: the files are named on the command line."""
    check_properties(posts, name_files=True)


# --------------------------------------------------------------------------------------------
# build

FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
                  "input", "textarea", "select", "button", "svg", "math", "base", "noscript",
                  "template", "portal"}
URL_ATTRIBUTES = {"href", "src", "cite", "action", "formaction", "data", "poster", "background",
                  "srcset", "xlink:href", "ping"}
SAFE_SCHEMES = {"", "http", "https", "mailto", "tel"}
FEED_SUFFIXES = (".xml", ".atom", ".rss", ".cap")


def active_content(tree: etree._Element, where: str) -> list[str]:
    """Everything in an HTML tree that runs code, posts data or calls another host."""
    found = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in FORBIDDEN_TAGS:
            found.append(f"{where}: <{tag}>")
        if tag == "meta" and el.get("http-equiv", "").lower() == "refresh":
            found.append(f"{where}: <meta http-equiv=refresh>")
        for name, value in el.attrib.items():
            name = name.lower()
            if name.startswith("on") or name == "style" and "url(" in value.lower():
                found.append(f"{where}: <{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES:
                parts = urlsplit(value.strip(" \t\n\r\f\v\x00"))
                if parts.scheme.lower() not in SAFE_SCHEMES:
                    found.append(f"{where}: <{tag} {name}={value!r}>")
                canonical = tag == "link" and el.get("rel") == "canonical"  # named, not loaded
                if tag in {"img", "source", "link", "video", "audio"} and parts.netloc \
                        and not canonical:
                    found.append(f"{where}: third-party <{tag} {name}={value!r}>")
    return found


def feed_problems(path: Path, rel: str) -> list[str]:
    """A feed or CAP file must be well-formed XML whose entries carry no active content."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        return [f"{rel}: not well-formed XML: {exc}"]
    found = []
    rss = etree.QName(root).localname == "rss"  # a CAP <description> is plain text
    for el in root.iter():
        local = etree.QName(el).localname if isinstance(el.tag, str) else ""
        is_html = (rss and local == "description") or (local in {"content", "summary"}
                                                      and el.get("type") == "html")
        if is_html and el.text and el.text.strip():
            fragment = lxml_html.fragment_fromstring(el.text, create_parent="div")
            found += active_content(fragment, f"{rel} <{local}>")
    return found


def site_problems(output: Path) -> list[str]:
    """Well-formed feeds, pages without active content, for every file of a built site."""
    found = []
    for path in sorted(output.rglob("*")):
        rel = path.relative_to(output).as_posix()
        if path.suffix in FEED_SUFFIXES:
            found += feed_problems(path, rel)
        elif path.suffix == ".html":
            tree = lxml_html.parse(str(path)).getroot()
            found += search_page_problems(tree, rel) if SEARCH_PAGE.match(rel) \
                else active_content(tree, rel)
    return found


# The search pages (issue #14) are the theme's, not a post's: their one form (a search box that
# submits nowhere) and their one script (the theme's fingerprinted search.js) are expected.
SEARCH_PAGE = re.compile(r"^(?:[a-z]{2,3}/)?search/index\.html$")
SEARCH_SCRIPT = re.compile(r"^(?:\.\./)*theme/js/search\.[0-9a-f]{12}\.js$")


def search_page_problems(tree: etree._Element, rel: str) -> list[str]:
    found = active_content(tree, rel)
    expected = [f"{rel}: <form>", f"{rel}: <input>", f"{rel}: <script>"]
    forms, scripts = tree.findall(".//form"), tree.findall(".//script")
    if (found == expected and len(forms) == 1 and not {"action", "method"} & set(forms[0].attrib)
            and len(scripts) == 1 and SEARCH_SCRIPT.match(scripts[0].get("src", ""))
            and not (scripts[0].text or "").strip()):
        return []
    return found or [f"{rel}: not the theme's search page"]


def held_back(posts: dict[str, bytes]) -> dict[str, str]:
    """Marker -> path of each post pressroom itself says must not be public at NOW."""
    hidden = {}
    for i, (name, data) in enumerate(posts.items()):
        if not is_post_path(name):
            continue
        post, _ = parse_post(name, data, LA)
        if post is not None and not post.is_public(NOW):
            hidden[f"fuzzmark{i}x"] = name
    return hidden


def run_build(root: Path, output: Path, *extra: str) -> Result:
    return invoke("build", "--repo", str(root), "--output", str(output), "--now", NOW_TEXT,
                  "--quiet", *extra)


def build_properties(posts: dict[str, bytes]) -> None:
    """Every promise ``pressroom build`` makes, for a site that already holds a valid post."""
    with tempfile.TemporaryDirectory() as tmp:
        root, output = Path(tmp) / "dept", Path(tmp) / "site"
        write_repo(root, {"content/2026/baseline.md": post_text().encode()})
        no_crash(run_build(root, output), (0,))
        before = tree_digest(output)
        for name, data in posts.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        result = run_build(root, output)
        if result.exit_code != 0:  # refused or crashed: either way the site is as it was
            after = tree_digest(output)
            changed = sorted(k for k in before.keys() | after.keys()
                             if before.get(k) != after.get(k))
            assert not changed, f"a failed build changed the site: {changed}\n{result.output}"
        out = no_crash(result)
        if result.exit_code != 0:
            if result.exit_code == 1:
                rules = problem_lines(out.rstrip("\n"), repo_names(root), reader(root))
                assert rules, f"refused without a problem line: {result.output!r}"
            return
        problems = site_problems(output)
        assert not problems, "\n".join(problems)
        for listing in ("index.html", "feeds/all.atom.xml"):  # nothing replaced them
            assert b"2026/baseline/" in (output / listing).read_bytes(), f"{listing} replaced"
        site = b"\0".join(site_bytes(p) for p in output.rglob("*") if p.is_file())
        for marker, name in held_back(posts).items():
            assert marker.encode() not in site, f"{name} is not public at {NOW_TEXT} yet is"
        full = Path(tmp) / "full"
        no_crash(run_build(root, full, "--full"), (0,))
        # The search index too is the same, but for the list of the previous index's files.
        assert without(tree_digest(full), INDEX_RECORD) == \
            without(tree_digest(output), INDEX_RECORD), "incremental != full build"


INDEX_RECORD = "pagefind/pressroom-files.json"  # which files the index before this one used


def without(digest: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in digest.items() if k != name}


def site_bytes(path: Path) -> bytes:
    """A site file's bytes as a reader gets them: the search index's files are gzipped."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix in (".pf_meta", ".pf_index", ".pf_fragment") \
        else data


@fuzz_settings(BUILD_EXAMPLES)
@given(posts=department_posts(hostile_names=False, most=2, markers=True))
def test_build_keeps_its_promises(posts: dict[str, bytes]) -> None:
    build_properties(posts)


@fuzz_settings(BUILD_EXAMPLES)
@given(posts=department_posts(hostile_names=False, most=2, markers=True, valid=True))
def test_build_of_valid_posts_keeps_its_promises(posts: dict[str, bytes]) -> None:
    """Posts whose front matter pressroom accepts reach Pelican: the sanitizer and feeds run."""
    build_properties(posts)


# --------------------------------------------------------------------------------------------
# What the fuzzer found: each reproducer stays here so the bug stays fixed.


@dataclass(frozen=True)
class Found:
    name: str
    command: str  # "check" or "build"
    posts: dict[str, bytes]
    symptom: str


def _post(**fields: str) -> bytes:
    return post_text(**fields).encode("utf-8")


FOUND: list[Found] = [
    # pressroom check prints file names raw: a branch chooses its file names.
    Found("check-newline-in-file-name", "check", {"content/2026/a\nb.md": b""},
          "the problem line is split in two; the second half names no file (and a crafted "
          "name can forge a whole problem line)"),
    Found("check-cr-in-file-name", "check", {"content/a\rb.md": b""},
          "a raw carriage return is printed: a terminal overwrites the path with the rest"),
    Found("check-undecodable-file-name", "check", {"content/\udcff.md": b""},
          "UnicodeEncodeError traceback when stdout is strict UTF-8 (PYTHONIOENCODING=utf-8)"),
    # Posts check accepts and build cannot publish: the refusal names no file.
    Found("build-upper-case-suffix", "build", {"content/2026/x.MD": _post()},
          "check passes; build: 'build: BUILD-ERROR: TypeError: (Pelican does not know how to "
          "parse %s, /abs/path)'"),
    Found("build-control-character-in-body", "build",
          {"content/2026/x.md": _post(body="closure\x11")},
          "check passes; build: 'build: BUILD-ERROR: ValueError: All strings must be XML "
          "compatible' (feedgen), no file named"),
    Found("build-control-character-in-title", "build",
          {"content/2026/x.md": _post(title="Road closure\x07")}, "as above, from the title"),
    Found("build-noncharacter-in-body", "build", {"content/2026/x.md": _post(body="a\uffffb")},
          "as above, from U+FFFF (not allowed in XML)"),
    Found("build-long-tag", "build",
          {"content/2026/x.md": _post(tags="x" * 300)},
          "check passes; the incremental build crashes (OSError: File name too long, tag/xxx...) "
          "after renaming part of the new files into place: the public site is half updated "
          "(the post and home page live, its tag page missing); a --full build refuses with "
          "'build: BUILD-ERROR: OSError ...' naming no post"),
    # The build's own sanitizer must cover every output, whatever check said.
    Found("build-incident-feed-summary-html", "build",
          {"content/2026/alert.md": _post(
              title="Police activity", category="safety-alerts", expires="2026-11-28 09:00",
              incident="2026-1124-elm",
              summary="<script>alert(1)</script> <img src=x onerror=alert(1)>")},
          "build exits 0; feeds/incidents/2026-1124-elm.atom.xml (summary and content), its .rss "
          "twin and cap/index.atom carry the raw Summary as type=html: a feed reader runs it"),
    # An incremental build must write the bytes a full build writes.
    Found("build-static-link-incremental", "build",
          {"content/2026/x.md": _post(body="[doc]({static}/nothing.pdf)")},
          "the incremental build leaves '{static}/nothing.pdf' in the page and feeds; the full "
          "build resolves it"),
    # Pages (content/pages/) are neither checked nor validated, yet Pelican obeys their header.
    Found("build-page-save-as-feed", "build",
          {"content/pages/about.md": b"Title: About\nSave_as: feeds/all.atom.xml\n\nhello\n"},
          "build exits 0 and feeds/all.atom.xml is the page's HTML: not well-formed XML"),
    Found("build-page-save-as-home", "build",
          {"content/pages/about.md": b"Title: About\nSave_as: index.html\n\nhello\n"},
          "build exits 0 and the home page is replaced by the page: no post listed"),
    Found("build-page-save-as-outside", "build",
          {"content/pages/about.md": b"Title: About\nSave_as: ../../escape.html\n\nhello\n"},
          "'build: BUILD-ERROR: Skipping /abs/path: file ... would be written outside output "
          "path': no 'path:line: RULE-ID'"),
    Found("build-page-without-title", "build",
          {"content/pages/about.md": b"---\nCatgory: road\n---\n\nhello\n"},
          "'build: BUILD-ERROR: Skipping /abs/path: could not find information about title'"),
    Found("build-page-slug-contact", "build",
          {"content/pages/about.md": b"Title: About\nSlug: contact\n\nhello\n"},
          "'build: BUILD-ERROR: FileOverwriteFailedError: Failed to overwrite .../contact/"
          "index.html'"),
    Found("build-page-template", "build",
          {"content/pages/about.md": b"Title: About\nTemplate: ../../../etc/passwd\n\nhi\n"},
          "'build: BUILD-ERROR: PelicanTemplateNotFound: ... ../../../etc/passwd'"),
    Found("build-page-not-utf8", "build",
          {"content/pages/about.md": b"Title: About \xe9\n\nhello\n"},
          "'build: BUILD-ERROR: Could not process pages/about.md'"),
]


@pytest.mark.parametrize("case", FOUND, ids=[case.name for case in FOUND])
def test_found_by_the_fuzzer(case: Found) -> None:
    if case.command == "check":
        check_properties(case.posts)
    else:
        build_properties(case.posts)


# --------------------------------------------------------------------------------------------
# The properties themselves: they hold for a clean department and they see what they look for.


def test_properties_hold_for_a_clean_department() -> None:
    posts = {"content/2026/road-closure.md": _post(),
             "content/2026/alert.md": _post(title="Police activity on Elm Street",
                                           category="safety-alerts", expires="2026-11-28 09:00",
                                           body='<a href="https://ok.example/">map</a>')}
    check_properties(posts)
    check_properties(posts, name_files=True)
    build_properties(posts)


@pytest.mark.parametrize("page", [
    "<script>alert(1)</script>", '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScript:alert(1)">x</a>', '<img src="//evil.example/p.gif">',
    '<p onclick="alert(1)">x</p>', "<form><input></form>", '<iframe src="/x"></iframe>',
    '<meta http-equiv="refresh" content="0;url=/x">', '<q cite="data:text/html,x">q</q>',
])
def test_the_active_content_oracle_sees_it(page: str) -> None:
    assert active_content(lxml_html.fromstring(f"<div>{page}</div>"), "page")


def test_the_active_content_oracle_passes_plain_html() -> None:
    page = ('<div><a href="https://ok.example/">a</a> <a href="mailto:x@pd.example">m</a> '
            '<img src="/images/car.jpg" alt="car"> <a href="../2026/x/">rel</a></div>')
    assert active_content(lxml_html.fromstring(page), "page") == []


def test_the_feed_oracle_sees_malformed_xml_and_scripts_in_entries(tmp_path: Path) -> None:
    broken = tmp_path / "broken.atom.xml"
    broken.write_text("<feed><entry></feed>")
    assert feed_problems(broken, "broken.atom.xml")
    scripted = tmp_path / "all.rss.xml"
    scripted.write_text("<rss><channel><item><description>&lt;script&gt;x&lt;/script&gt;"
                        "</description></item></channel></rss>")
    assert feed_problems(scripted, "all.rss.xml")


@pytest.mark.parametrize("line", [
    "content/other.md:1: FRONT-DATE: x", "content/a.md:1: NOT-A-RULE: x",
    "content/a.md:99: FRONT-DATE: x", "content/a.md:1 FRONT-DATE: x", "build: BUILD-ERROR: x",
])
def test_the_line_oracle_refuses_lines_that_name_no_file(line: str) -> None:
    with pytest.raises(AssertionError):
        problem_lines(line, {"content/a.md"}, lambda rel: "Title: x\n")
    problem_lines("content/a.md:2: FRONT-DATE: x", {"content/a.md"}, lambda rel: "Title: x\n")
