"""The content model: front matter parsed as Pelican reads it, validated with line numbers."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import LA, post_text

from pressroom.model.content import check_author, check_collection, parse_post
from pressroom.model.frontmatter import parse_header
from pressroom.model.roster import parse_roster

PATH = "content/2026/x.md"


def parse(text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_post(PATH, data, LA)


def test_valid_post_parses_every_field():
    post, problems = parse(post_text(tags="road closure, detour", modified="2026-11-21 10:00",
                                     slug="main-street-closure"))
    assert problems == []
    assert post.title == "Road closure on Main Street"
    assert post.date == datetime(2026, 11, 20, 9, 0, tzinfo=LA)
    assert post.modified == datetime(2026, 11, 21, 10, 0, tzinfo=LA)
    assert post.updated == post.modified
    assert post.tags == ("road closure", "detour")
    assert post.slug == "main-street-closure"
    assert post.body.strip() == "Drivers should use Oak Avenue."
    assert post.body_line == 10  # 8 header lines, a blank line, then the body


def test_slug_defaults_to_file_name():
    post, _ = parse(post_text())
    assert post.slug == "x"


@pytest.mark.parametrize(
    ("text", "rule", "line"),
    [
        (post_text(date="not a date"), "FRONT-DATE", 2),
        (post_text(date="2026-13-40"), "FRONT-DATE", 2),
        (post_text(date="20/11/2026"), "FRONT-DATE", 2),
        (post_text(category="news"), "FRONT-CATEGORY", 3),
        (post_text(category="Traffic"), "FRONT-CATEGORY", 3),
        (post_text(summary=""), "FRONT-REQUIRED", 5),
        ("Title: x\nDate: 2026-11-20\nCategory: traffic\nAuthor: pio1\n\nbody\n",
         "FRONT-REQUIRED", 4),
        (post_text(status="hidden"), "FRONT-STATUS", 6),
        (post_text(modified="2026-11-19"), "FRONT-DATE", 6),
        (post_text(category="safety-alerts", expires="2026-11-19 08:00"), "FRONT-DATE", 6),
        (post_text(slug="Main Street!"), "FRONT-SLUG", 6),
        (post_text(catgory="traffic"), "FRONT-UNKNOWN", 6),
        ("Title: a\nTitle: b\nDate: 2026-11-20\nCategory: traffic\nAuthor: pio1\nSummary: s\n\nb",
         "FRONT-DUPLICATE", 2),
        ("", "FRONT-EMPTY", 1),
        ("Just some text without a header.\n", "FRONT-REQUIRED", 1),
    ],
)
def test_invalid_front_matter_is_reported_at_its_line(text, rule, line):
    post, problems = parse(text)
    assert post is None
    assert (rule, line) in [(p.rule_id, p.line) for p in problems], problems


def test_example_message_from_the_contract():
    _, problems = parse(post_text(date="not a date"))
    assert str(problems[0]).startswith(
        "content/2026/x.md:2: FRONT-DATE: 'not a date' is not a date")


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "FILE-TEXT"),
        ("Title: caf\u00e9\n".encode("latin-1"), "FILE-ENCODING"),
        (b"Title: x\n" + b"a" * 2_100_000, "FILE-SIZE"),
    ],
)
def test_files_that_are_not_posts_are_violations_not_crashes(data, rule):
    post, problems = parse(data)
    assert post is None
    assert [p.rule_id for p in problems] == [rule]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20", datetime(2026, 11, 20, tzinfo=LA)),
        ("2026-11-20 14:30", datetime(2026, 11, 20, 14, 30, tzinfo=LA)),
        ("2026-11-20T14:30:15", datetime(2026, 11, 20, 14, 30, 15, tzinfo=LA)),
        ("2026-11-20 14:30-05:00", datetime.fromisoformat("2026-11-20T14:30-05:00")),
        ("2026-11-20T22:30Z", datetime.fromisoformat("2026-11-20T22:30+00:00")),
    ],
)
def test_accepted_date_forms(value, expected):
    post, problems = parse(post_text(date=value))
    assert problems == []
    assert post.date == expected


def test_byte_order_mark_and_windows_line_endings_are_fine():
    text = post_text().replace("\n", "\r\n")
    post, problems = parse(b"\xef\xbb\xbf" + text.encode())
    assert problems == [] and post.title == "Road closure on Main Street"


def test_header_mirrors_markdown_meta_continuation_lines():
    header = parse_header("Title: A long\n    title\nDate: 2026-11-20\n\nBody")
    assert header.fields["title"].value == "A long title"
    assert header.fields["date"].line == 3
    assert header.body_line == 5


def test_draft_and_future_posts_are_not_public():
    draft, _ = parse(post_text(status="draft"))
    future, _ = parse(post_text(date="2026-12-25 08:00"))
    now = datetime(2026, 11, 27, 12, tzinfo=LA)
    assert not draft.is_public(now)
    assert not future.is_public(now)
    assert future.is_public(datetime(2026, 12, 25, 8, tzinfo=LA))


def test_author_must_be_in_roster():
    roster, _ = parse_roster('[members.pio1]\nname = "Pat"\nroles = ["pio"]\n')
    ok, _ = parse(post_text(author="pio1"))
    stranger, _ = parse(post_text(author="intern7"))
    assert check_author(ok, roster) == []
    [problem] = check_author(stranger, roster)
    assert (problem.rule_id, problem.line) == ("FRONT-AUTHOR", 4)


def test_slugs_are_unique_across_posts():
    one, _ = parse_post("content/2025/closure.md", post_text().encode(), LA)
    two, _ = parse_post("content/2026/closure.md", post_text().encode(), LA)
    [problem] = check_collection([one, two])
    assert problem.rule_id == "FRONT-SLUG-DUPLICATE"
    assert problem.path == "content/2026/closure.md"
    assert "content/2025/closure.md" in problem.message
