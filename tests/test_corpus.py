"""Precision matters as much as recall: a realistic corpus through every rule.

``corpus/bad/<RULE-ID>--<name>.md`` each break exactly that one rule;
``corpus/clean/*.md`` are ordinary police posts (adult arrests with ages,
block addresses, intersections, crime names, quotes from the Chief...) that
must pass untouched.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from conftest import ROSTER
from PIL import Image

from pressroom.checking.repo import check_repo

CORPUS = Path(__file__).parent / "corpus"
BAD = sorted((CORPUS / "bad").glob("*.md"))
CLEAN = sorted((CORPUS / "clean").glob("*.md"))
RULES_TOML = """\
[allow]
phones = ["(555) 010-4400"]
email_domains = ["pd.example", ".gov"]
addresses = ["100 Civic Center Plaza"]
"""
LAPSED = '\n[members.lapsed1]\nname = "Officer Lapsed"\nroles = ["author"]\ntrained = 2024-01-01\n'


def repo_name(path: Path) -> str:
    """Corpus file names carry the expected rule; in the repo they must be valid slugs."""
    return path.name.lower().replace("--", "-")


@pytest.fixture(scope="module")
def corpus_repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    (root / "policy").mkdir()
    (root / "policy/roster.toml").write_text(ROSTER + LAPSED)
    (root / "policy/rules.toml").write_text(RULES_TOML)
    posts = root / "content/2026"
    posts.mkdir(parents=True)
    for path in BAD + CLEAN:
        shutil.copy(path, posts / repo_name(path))
    images = root / "content/images"
    images.mkdir()
    for name in ("suspect-vehicle.jpg", "found-bicycle.jpg"):
        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), (30, 60, 90)).save(buffer, "JPEG")
        (images / name).write_bytes(buffer.getvalue())
    return root


def test_corpus_is_large_enough():
    assert len(BAD) >= 30 and len(CLEAN) >= 20
    assert len({p.name.split("--")[0] for p in BAD}) >= 30  # thirty different rules


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_post_is_refused_for_the_right_rule(corpus_repo, path):
    expected = path.stem.split("--")[0]
    report = check_repo(corpus_repo, [f"content/2026/{repo_name(path)}"])
    assert not report.ok
    assert {v.rule_id for v in report.errors} == {expected}, [str(v) for v in report.violations]


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.stem)
def test_clean_post_passes(corpus_repo, path):
    report = check_repo(corpus_repo, [f"content/2026/{repo_name(path)}"])
    assert report.violations == [], [str(v) for v in report.violations]


# Single sentences a department writes, checked one by one: what must be caught ...
CAUGHT = [
    ("Her SSN is 078 05 1120.", "PRIVACY-SSN"),
    ("Card 5500-0000-0000-0004 was used.", "PRIVACY-CARD"),
    ("Born on July 4, 1990, he moved here.", "PRIVACY-DOB"),
    ("Reach the witness at 626.555.0123.", "PRIVACY-PHONE"),
    ("He lives at 742 Evergreen Terrace.", "PRIVACY-ADDRESS"),
    ("Email the family at jane.doe+tips@gmail.com with photos.", "PRIVACY-EMAIL"),
    ("The 14-year-old girl Maria Lopez was found.", "PRIVACY-JUVENILE"),
    ("A teen identified as Marcus was detained.", "PRIVACY-JUVENILE"),
    ("The suspect was placed on a 5150 hold.", "PRIVACY-MEDICAL"),
    ("Not for public release: staffing plan.", "OPS-MARKING"),
    ("U//FOUO summary of the operation.", "OPS-MARKING"),
    ("Officers will be conducting surveillance of the house next week.", "OPS-PLANNED"),
    ("Undercover Detective Ramos will be at the meeting.", "OPS-UNDERCOVER"),
    ("A command post is set up at Memorial Park.", "OPS-TACTICAL"),
    ("Tips from a reliable source led to the car.", "OPS-INFORMANT"),
    ("My shift was long today.", "PERSONAL-FIRST-PERSON"),
    ("Re-elect Sheriff Brown!", "PERSONAL-POLITICAL"),
    ("Bicycle for sale, $40 or best offer.", "PERSONAL-SALE"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "HTML-URL"),
    ('<img src="/images/a.png" onerror="alert(1)" alt="a">', "HTML-SCRIPT"),
    ("What a bunch of morons.", "LANG-ABUSIVE"),
    ("These thugs will be caught.", "LANG-ABUSIVE"),
    ("He's a real piece of trash.", "LANG-ABUSIVE"),
    ("Stop the bullshit.", "LANG-PROFANITY"),
]
# ... and what must pass: ordinary police writing that looks a little like a problem.
PASSES = [
    "Officers responded at 7:30 p.m. to case number 26-004512 involving a 2019 Honda Civic.",
    "The suspect vehicle, a 2014 Ford F-150 with license plate 8ABC123, fled east.",
    "The collision happened on Interstate 210 near the Azusa Avenue exit.",
    "The man, who was armed with a knife, was taken into custody without injury.",
    "Anyone with information may call Crime Stoppers at 1-800-222-8477.",
    "The ME's office identified the victim as a 45-year-old man.",
    "Two teens, ages 15 and 16, were cited for curfew violations.",
    "The victim, 17, was treated for minor injuries.",
    "Sgt. Dana Okafor, 44, received the Medal of Valor.",
    "Our K-9 unit is named Max. Vote for his new partner's name on Friday!",
    "Shelter in place if you live between 3rd and 5th Streets.",
    "Officers are positioned to keep the public away from the scene.",
    "A perimeter has been established around the area; avoid the neighborhood.",
    "Detectives arrested the man on a warrant for failing to appear.",
    "A search warrant was served Tuesday at a home in the 100 block of Lime Avenue.",
    "I-10 eastbound is closed at Citrus Avenue.",
    "Do not leave valuables in your car, and do not confront a burglar.",
    "Existing resources for victims are listed on the county website.",
    "Officers are waiting for the tow truck; expect delays on Grand Avenue.",
]


def _sentence_post(sentence: str) -> bytes:
    return (f"Title: Notice\nDate: 2026-11-10\nCategory: press-releases\nAuthor: pio1\n"
            f"Summary: A notice.\n\n{sentence}\n").encode()


@pytest.fixture(scope="module")
def sentence_context():
    from zoneinfo import ZoneInfo

    from pressroom.checking.engine import Context
    from pressroom.model.roster import parse_roster
    from pressroom.rules.config import load_config

    roster, _ = parse_roster(ROSTER)
    config, _ = load_config(RULES_TOML)
    return Context(roster, config, ZoneInfo("America/Los_Angeles"), None)


@pytest.mark.parametrize(("sentence", "rule"), CAUGHT, ids=[c[1] for c in CAUGHT])
def test_sentence_is_caught(sentence_context, sentence, rule):
    from pressroom.checking.engine import check_post

    found = check_post("content/2026/notice.md", _sentence_post(sentence), sentence_context)
    assert [v.rule_id for v in found.violations] == [rule]


@pytest.mark.parametrize("sentence", PASSES)
def test_sentence_passes(sentence_context, sentence):
    from pressroom.checking.engine import check_post

    found = check_post("content/2026/notice.md", _sentence_post(sentence), sentence_context)
    assert found.violations == [], [str(v) for v in found.violations]


def test_two_addresses_close_together_are_each_read_whole(sentence_context):
    from pressroom.checking.engine import check_post

    text = ("Send tips to tips@pd.example or to the county at help@county.example.org; "
            "records@pd.example handles reports.")
    found = check_post("content/2026/notice.md", _sentence_post(text), sentence_context)
    assert [v.message.split("'")[1] for v in found.violations] == ["help@county.example.org"]


def test_rules_never_match_across_header_fields_or_paragraphs(sentence_context):
    from pressroom.checking.engine import check_post

    text = (b"Title: Road closure: Foothill Boulevard repaving, December 1 to 4\n"
            b"Date: 2026-11-10\nCategory: traffic\nAuthor: pio1\n"
            b"Summary: Eastbound Foothill Boulevard will be reduced to one lane.\n\n"
            b"Work runs from December 1 to 4\n\nEastbound Foothill Boulevard stays open.\n")
    found = check_post("content/2026/notice.md", text, sentence_context)
    assert found.violations == [], [str(v) for v in found.violations]


def test_a_match_may_wrap_within_a_paragraph(sentence_context):
    from pressroom.checking.engine import check_post

    found = check_post("content/2026/notice.md",
                       _sentence_post("A man broke into a home at 1423\nMaple Avenue on Tuesday."),
                       sentence_context)
    assert [(v.rule_id, v.line) for v in found.violations] == [("PRIVACY-ADDRESS", 7)]
