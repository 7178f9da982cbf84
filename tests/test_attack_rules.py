"""The content rules under attack: hidden characters, look-alikes, control characters, and
juveniles named in ordinary news phrasing (issue #11, classes 6, 7 and 10).

Every evasion is a sentence a reader sees as the forbidden text. It goes through
``check_post`` (the rules) and, for a sample, through the real ``pressroom check`` and
``pressroom build`` commands in a temp department.
"""

from __future__ import annotations

import os
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from conftest import NOW, PROJECT, ROSTER, post_text, tree_digest

from pressroom.checking.engine import Context, check_post
from pressroom.model.content import parse_post
from pressroom.model.frontmatter import parse_header
from pressroom.model.roster import parse_roster
from pressroom.rules.config import load_config

LA = ZoneInfo("America/Los_Angeles")
PATH = "content/2026/notice.md"
BODY_LINE = 7  # the line _post puts the sentence on


@pytest.fixture(scope="module")
def ctx() -> Context:
    roster, _ = parse_roster(ROSTER)
    config, _ = load_config('[allow]\nphones = ["(555) 010-4400"]\n'
                            'email_domains = ["pd.example"]\n')
    return Context(roster, config, LA, frozenset({"content/images/café-front.jpg"}))


def _post(sentence: str, title: str = "Notice") -> bytes:
    return (f"Title: {title}\nDate: 2026-11-10\nCategory: press-releases\nAuthor: pio1\n"
            f"Summary: A notice.\n\n{sentence}\n").encode()


def _found(ctx: Context, data: bytes) -> list[tuple[int, str]]:
    return sorted({(v.line, v.rule_id) for v in check_post(PATH, data, ctx).violations})


# --- class 6: invisible characters and look-alikes ------------------------------------------

INVISIBLE = "TEXT-INVISIBLE"
# (sentence a reader sees as forbidden text, the rules it must break)
EVASIONS = [
    ("Her SSN is 219-09-\u200b9999.", {"PRIVACY-SSN", INVISIBLE}),            # zero-width space
    ("Her SSN is 2\u200c19-09-9999.", {"PRIVACY-SSN", INVISIBLE}),            # ZWNJ
    ("Her SSN is 219\u200d-09-9999.", {"PRIVACY-SSN", INVISIBLE}),            # ZWJ
    ("Her SSN is 219-09-99\u206099.", {"PRIVACY-SSN", INVISIBLE}),            # word joiner
    ("Her SSN is 219-09-99\ufeff99.", {"PRIVACY-SSN", INVISIBLE}),            # BOM mid-text
    ("Her SSN is 219\u00a009\u00a09999.", {"PRIVACY-SSN"}),                  # NBSP separators
    ("Her SSN is 219\u201309\u20139999.", {"PRIVACY-SSN"}),                  # en dashes
    ("Her SSN is \u0968\u0967\u096f-\u0966\u096f-\u096f\u096f\u096f\u096f.",  # Devanagari digits
     {"PRIVACY-SSN"}),
    ("Call the witness at \uff16\uff12\uff16-555-\uff10\uff11\uff12\uff13.",  # full-width digits
     {"PRIVACY-PHONE"}),
    ("Call the witness at \u0666\u0662\u0666-\u0665\u0665\u0665-\u0660\u0661\u0662\u0663.",
     {"PRIVACY-PHONE"}),                                                    # Arabic-Indic digits
    ("Call the witness at 626\u2011555\u20110123.", {"PRIVACY-PHONE"}),       # non-breaking hyphen
    ("Email jane.doe\uff20gmail.com with photos.", {"PRIVACY-EMAIL"}),        # full-width @
    ("What a dam\u00adn mess.", {"LANG-PROFANITY", INVISIBLE}),               # soft hyphen
    ("What a d\u0430mn mess.", {"LANG-PROFANITY"}),                           # Cyrillic a
    ("What a da\u0301mn mess.", {"LANG-PROFANITY"}),                          # combining acute
    ("What a d\u0336a\u0336m\u0336n\u0336 mess.", {"LANG-PROFANITY"}),        # strike-through marks
    ("What a \uff44\uff41\uff4d\uff4e mess.", {"LANG-PROFANITY"}),            # full-width letters
    ("What a \U0001d41d\U0001d41a\U0001d426\U0001d427 mess.", {"LANG-PROFANITY"}),  # math bold
    ("What a da\u3164mn mess.", {"LANG-PROFANITY", INVISIBLE}),               # Hangul filler
    ("What a da\U000e0041mn mess.", {"LANG-PROFANITY", INVISIBLE}),           # tag character
    ("Stop the bull\u034fshit.", {"LANG-PROFANITY", INVISIBLE}),              # grapheme joiner
    ("These sc\u0443mbags will be caught.".replace("\u0443", "u\u200b"),
     {"LANG-ABUSIVE", INVISIBLE}),
    ("F\u041eU\u041e summary of the operation.", {"OPS-MARKING"}),            # Cyrillic O
    ("FOU\u039f summary of the operation.", {"OPS-MARKING"}),                 # Greek Omicron
    ("\uff26\uff2f\uff35\uff2f summary of the operation.", {"OPS-MARKING"}),  # full-width
    ("Not for public\u00a0release: staffing plan.", {"OPS-MARKING"}),        # NBSP
    ("N\u043et for publ\u0456c release: staffing plan.", {"OPS-MARKING"}),    # Cyrillic o, i
    ("He lives at 1423 M\u0430ple \u0410venue.", {"PRIVACY-ADDRESS"}),        # Cyrillic a, A
    ("He lives at \uff11\uff14\uff12\uff13 Maple Avenue.", {"PRIVACY-ADDRESS"}),
    ("He lives at 1423 Ma\u200bple Avenue.", {"PRIVACY-ADDRESS", INVISIBLE}),
    ("Tyler Bro\u200boks, 1\u200b6, of Azusa was cited.", {"PRIVACY-JUVENILE", INVISIBLE}),
    ("Tyl\u0435r Br\u043e\u043eks, \uff11\uff16, of Azusa was cited.", {"PRIVACY-JUVENILE"}),
    ("Vote yes on \u202eMeasure P\u202c.", {"PERSONAL-POLITICAL", INVISIBLE}),  # bidi override
    ("Undercover Detective R\u0430mos will be at the meeting.", {"OPS-UNDERCOVER"}),
]


@pytest.mark.parametrize(("sentence", "rules"), EVASIONS, ids=[repr(e[0])[:40] for e in EVASIONS])
def test_hidden_and_look_alike_characters_do_not_evade_the_rules(ctx, sentence, rules):
    found = _found(ctx, _post(sentence))
    assert found == sorted((BODY_LINE, rule) for rule in rules)


@pytest.mark.parametrize("title", ["Road closure d\u200bamn it", "Road closure d\u0430mn it"])
def test_header_fields_are_folded_too(ctx, title):
    found = _found(ctx, _post("Drivers should use Oak Avenue.", title=title))
    assert (1, "LANG-PROFANITY") in found
    assert {rule for _, rule in found} <= {"LANG-PROFANITY", INVISIBLE}


def test_lines_are_the_files_even_after_characters_expand_or_vanish(ctx):
    """Folding removes and expands characters; every finding keeps the file's line."""
    body = ("\u200b\u200b\u00ad\ufdfa \ufb03 \u2026 \u3164\n"        # 8: invisible and expanding
            "Caf\u00e9 \u201cquotes\u201d \u2014 fine.\n"               # 9
            "\n"                                                        # 10
            "Call 626\u2011555\u20110123 about the d\u0430mn car.\n"   # 11
            "Then 1423 Maple Avenue.")                                  # 12
    data = _post("Intro line.\n" + body)
    assert _found(ctx, data) == [(8, INVISIBLE), (11, "LANG-PROFANITY"),
                                 (11, "PRIVACY-PHONE"), (12, "PRIVACY-ADDRESS")]


# Non-ASCII a department writes on purpose: none of it is a finding.
LEGITIMATE = [
    "Caf\u00e9 Ol\u00e9 hosts the event \u2014 10\u00a0a.m. to 2\u00a0p.m. \u2013 all welcome.",
    "\u201cWe are proud of our volunteers,\u201d said Chief Torres. It\u2019s their day.",
    "La polic\u00eda invita a la comunidad: \u00a1ni\u00f1os y familias bienvenidos!",
    "Families \U0001f468\u200d\U0001f469\u200d\U0001f467 are welcome \u2764\ufe0f "
    "at 1\ufe0f\u20e3 p.m.",
    "Flag day \U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f for all.",
    "\u8b66\u5bdf\u5c40\u958b\u653e\u65e5\u3002 Open house at the station.",
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 welcome.",  # Persian ZWNJ
    "The r\u00e9sum\u00e9 workshop is free; Cafe\u0301 Luna hosts it.",
    "![The front of Caf\u00e9 Luna](/images/caf\u00e9-front.jpg)",
    "Temperatures reach 40\u00b0C; drink water. Area: 5\u00a0km\u00b2.",
]


@pytest.mark.parametrize("sentence", LEGITIMATE)
def test_ordinary_non_ascii_text_is_clean(ctx, sentence):
    assert _found(ctx, _post(sentence)) == []


def test_folding_any_character_is_stable_and_never_makes_a_line_break():
    """Every code point (but surrogates): folded once is folded for good, and no character
    becomes or swallows a newline, so line numbers cannot drift."""
    from pressroom.rules.characters import fold

    for code in [*range(0x80, 0xD800), *range(0xE000, 0x30000), *range(0xE0000, 0xE0200)]:
        text = f"a{chr(code)}\nb"
        once = fold(text)
        assert fold(once) == once, hex(code)
        assert once.count("\n") == 1 and once.endswith("\nb"), hex(code)


@pytest.mark.parametrize("comment", ["<!-- a --!>", "<!-->", "<!--->"])
def test_a_comment_ends_where_html_ends_it(ctx, comment):
    """Text after an HTML comment end is published, so the rules must read it."""
    found = _found(ctx, _post(f"Notes {comment} Her SSN is 219-09-9999. <!-- b --> End."))
    assert found == [(BODY_LINE, "PRIVACY-SSN")]


def test_fold_keeps_ascii_as_is_and_never_changes_the_line_count():
    from pressroom.rules.characters import fold

    text = "Plain ASCII\nstays the very same object.\n"
    assert fold(text) is text
    tricky = "a\u2028b\u2029c\u0085d\u000be\n\u00ad\u200b\nf\ufdfa\n"
    assert fold(tricky).count("\n") == tricky.count("\n")


def test_invisible_characters_can_be_allowed_with_a_reason(ctx):
    """A supervisor may keep a meant joiner; the rules still read through it."""
    text = ("<!-- pressroom: allow TEXT-INVISIBLE -- the family asked for this spelling -->\n"
            "Rem\u200bember Ana.")
    assert _found(ctx, _post(text)) == []
    hidden = ("<!-- pressroom: allow TEXT-INVISIBLE -- a joiner -->\n"
              "Her SSN is 219-09-\u200b9999.")
    assert _found(ctx, _post(hidden)) == [(BODY_LINE + 1, "PRIVACY-SSN")]


def test_a_line_separator_does_not_split_the_header_as_pelican_would_not():
    header = parse_header("Title: Road closure\u2028Summary: injected\nDate: 2026-11-10\n\nBody\n")
    assert header.fields["title"].value == "Road closure\u2028Summary: injected"
    assert "summary" not in header.fields and header.fields["date"].line == 2


# --- class 7: control characters ------------------------------------------------------------

CONTROLS = ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\ufffe",
            "\uffff", "&#1;", "&#x0B;", "&#xFFFE;", "&#0000027"]


def _with(field: str, bad: str) -> str:
    fields = {"title": "Road closure", "summary": "Main Street is closed.", "area": "Elm Street",
              "body": "Drivers should use Oak Avenue."}
    fields[field] = fields[field][:4] + bad + fields[field][4:]
    return post_text(title=fields["title"], summary=fields["summary"], body=fields["body"],
                     area=fields["area"])


LINES = {"title": (1, "Title"), "summary": (5, "Summary"), "area": (6, "Area"), "body": (8, "")}


@pytest.mark.parametrize("bad", CONTROLS, ids=[repr(c) for c in CONTROLS])
@pytest.mark.parametrize("field", list(LINES))
def test_control_characters_are_refused_at_their_line(ctx, field, bad):
    text = _with(field, bad)
    post, problems = parse_post(PATH, text.encode(), LA)  # what build uses, too
    line, name = LINES[field]
    assert post is None
    assert [(p.line, p.rule_id) for p in problems] == [(line, "TEXT-CONTROL")]
    if name:
        assert f" in {name};" in problems[0].message
    checked = check_post(PATH, text.encode(), ctx)
    assert (line, "TEXT-CONTROL") in {(v.line, v.rule_id) for v in checked.violations}


def test_lone_carriage_return_is_refused_but_crlf_and_tabs_are_fine():
    good = post_text(body="Drivers\tshould use Oak Avenue.").replace("\n", "\r\n")
    assert parse_post(PATH, good.encode(), LA)[1] == []
    bad = post_text(body="Drivers should\ruse Oak Avenue.")
    assert [(p.line, p.rule_id) for p in parse_post(PATH, bad.encode(), LA)[1]] == [
        (7, "TEXT-CONTROL")]
    assert parse_post(PATH, post_text(body="A line&#10;break &#9; tab").encode(), LA)[1] == []


def test_control_characters_cannot_be_allowed(ctx):
    text = "<!-- pressroom: allow TEXT-CONTROL -- it is harmless -->\nA bell\x07 here."
    found = _found(ctx, _post(text))
    assert (BODY_LINE, "SUPPRESS-UNKNOWN") in found and (BODY_LINE + 1, "TEXT-CONTROL") in found


# --- class 10: juveniles named in news phrasing ---------------------------------------------

NAMED_MINORS = [
    "Tyler Brooks, 16, of Azusa, was arrested Wednesday.",
    "Police arrested 16-year-old Tyler Brooks on Tuesday.",
    "Sixteen-year-old Tyler Brooks was found safe.",
    "Tyler Brooks (16) was cited for vandalism.",
    "Tyler Brooks (age 16) was cited for vandalism.",
    "The driver was Tyler Brooks, age 16.",
    "Tyler Brooks, aged 15, was cited.",
    "Tyler Brooks, 16 years old, was cited.",
    "Tyler Brooks, sixteen, was found safe.",
    "Officers detained a juvenile, Tyler Brooks, at the scene.",
    "The minor, Tyler Brooks, was released to his parents.",
    "The boy, identified as Tyler Brooks, was not hurt.",
    "Brooks, who is 15, was released to his parents.",
    "The 17-year-old, identified as Tyler Brooks, was booked.",
    "The 17-year-old was later identified as Tyler Brooks.",
    "Tyler Brooks, a 16-year-old from Azusa, was cited.",
    "Tyler Brooks, a juvenile from Azusa, was cited.",
    "The teens were identified as Maria Lopez, 19, and Ana Diaz, 15.",
    "Her son, Tyler Brooks, 16, was not hurt.",
    "A 16-year-old high school student, Tyler Brooks, was cited.",
    "The 14-year-old girl Maria Lopez was found.",
    "A teen identified as Marcus was detained.",
    "Jos\u00e9 Garc\u00eda, 15, was cited.",
    "DeShawn McDonald, 14, was cited.",
    "Tyler J. Brooks, 16, was cited.",
    "Officers arrested Kevin O'Brien, 17.",
    "Tyler Brooks, 16, and his brother were cited.",
]
NOT_NAMED = [
    "Maria Lopez, 34, of Covina was arrested.",
    "Detectives arrested Daniel Ortiz, 34, of Riverside and Kevin Marsh, 29, of Pomona.",
    "Officers arrested a 16-year-old boy on Tuesday.",
    "A 16-year-old boy was struck by a car driven by Tyler Brooks.",
    "Tyler Brooks, 45, and a 16-year-old boy were arrested.",
    "A 16-year-old boy and a 40-year-old man, identified as Tyler Brooks, were arrested.",
    "Officer Ana Diaz, 16 years with the department, retired this week.",
    "Tyler Brooks, 18, was arrested.",
    "A 16-year-old Los Angeles resident was cited.",
    "A 16-year-old West Covina High School student was cited.",
    "A 16-year-old boy was named Student of the Month.",
    "Two teens, ages 15 and 16, were cited for curfew violations.",
    "The victim, 17, was treated for minor injuries.",
    "Sgt. Dana Okafor, 44, received the Medal of Valor.",
    "On Saturday, 12 people attended the event.",
    "The event is Saturday, 15 November, at the park.",
    "Units 4, 12, and 15 responded to the 1400 block of Maple Avenue.",
    "Route 66, 12 miles east of the city, is closed.",
    "Maria Lopez, a child advocate, spoke at the meeting.",
    "Maria Lopez, a youth pastor, spoke at the meeting.",
    "Ana Diaz, the girl's mother, called police.",
    "Girl Scouts Troop 12, 15 members strong, collected toys.",
    "The crash closed Foothill Boulevard, 12 hours after the storm.",
]


@pytest.mark.parametrize("sentence", NAMED_MINORS)
def test_a_named_minor_is_found(ctx, sentence):
    assert _found(ctx, _post(sentence)) == [(BODY_LINE, "PRIVACY-JUVENILE")]


@pytest.mark.parametrize("sentence", NOT_NAMED)
def test_adults_and_unnamed_minors_are_fine(ctx, sentence):
    assert _found(ctx, _post(sentence)) == []


@pytest.mark.parametrize("title", ["Missing Teen, 15, Found Safe", "Azusa Teen, 16, Arrested",
                                   "Teen Driver Injured In Crash"])
def test_title_case_headlines_are_not_names(ctx, title):
    assert _found(ctx, _post("Details will follow.", title=title)) == []


def test_title_case_headline_naming_a_minor_is_found(ctx):
    found = _found(ctx, _post("Details will follow.", title="Missing Teen Tyler Brooks, 15, Found"))
    assert found == [(1, "PRIVACY-JUVENILE")]


# --- through the real commands ----------------------------------------------------------------

def _pressroom(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    return subprocess.run([sys.executable, "-m", "pressroom", *args], capture_output=True,
                          text=True, env=env, timeout=300)


@pytest.mark.parametrize(("sentence", "rule"), [
    ("Her SSN is 219-09-\u200b9999.", "PRIVACY-SSN"),
    ("Call the witness at \uff16\uff12\uff16-555-\uff10\uff11\uff12\uff13.", "PRIVACY-PHONE"),
    ("What a dam\u00adn mess.", "LANG-PROFANITY"),
    ("F\u041eU\u041e summary of the operation.", "OPS-MARKING"),
    ("He lives at 1423 M\u0430ple \u0410venue.", "PRIVACY-ADDRESS"),
    ("Brooks, who is 15, was released to his parents.", "PRIVACY-JUVENILE"),
])
def test_pressroom_check_refuses_the_evasion_naming_file_line_and_rule(repo, sentence, rule):
    repo.post("2026/notice.md", post_text(body=sentence))
    result = _pressroom("check", "--repo", str(repo.root), "--today", "2026-11-27")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"content/2026/notice.md:7: {rule}: " in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("field", "bad"), [("title", "\x01"), ("area", "\x0b"),
                                            ("summary", "\x1b"), ("body", "&#1;")])
def test_a_control_character_is_refused_by_check_and_by_build_naming_the_file(
        repo, tmp_path, field, bad):
    repo.post("2026/closure.md")
    out = tmp_path / "site"
    first = _pressroom("build", "--repo", str(repo.root), "--output", str(out), "--now",
                       NOW.isoformat(), "--quiet")
    assert first.returncode == 0, first.stdout + first.stderr
    before = tree_digest(out)
    repo.post("2026/bad.md", _with(field, bad))
    line, _name = LINES[field]
    where = f"content/2026/bad.md:{line}: TEXT-CONTROL: "

    checked = _pressroom("check", "--repo", str(repo.root), "--today", "2026-11-27")
    assert checked.returncode == 1 and where in checked.stdout, checked.stdout + checked.stderr

    built = _pressroom("build", "--repo", str(repo.root), "--output", str(out), "--now",
                       NOW.isoformat())
    output = built.stdout + built.stderr
    assert built.returncode == 1, output
    assert where in output
    assert "Traceback" not in output and "XML" not in output and "BUILD-ERROR" not in output
    assert tree_digest(out) == before
