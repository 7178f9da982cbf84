"""Suppressions: one rule, one line (or the line below), always with a reason."""

from __future__ import annotations

import pytest

from pressroom.model.violations import Violation
from pressroom.rules.suppressions import apply_suppressions, find_suppressions

PATH = "content/x.md"


def v(line: int, rule: str = "PRIVACY-ADDRESS") -> Violation:
    return Violation(PATH, line, rule, "m")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<!-- pressroom: allow PRIVACY-ADDRESS -->", "SUPPRESS-REASON"),
        ("<!-- pressroom: allow PRIVACY-ADDRESS -- -->", "SUPPRESS-REASON"),
        ("<!-- pressroom: allow NOT-A-RULE -- because -->", "SUPPRESS-UNKNOWN"),
        ("<!-- pressroom: allow AUTHOR-TRAINING -- they will train soon -->", "SUPPRESS-UNKNOWN"),
        ("<!-- pressroom: allow HTML-FORM -- we want feedback -->", "SUPPRESS-UNKNOWN"),
        ("<!-- pressroom: allw PRIVACY-ADDRESS -- typo -->", "SUPPRESS-UNKNOWN"),
    ],
)
def test_bad_suppressions_are_violations(text, problem):
    found, problems = find_suppressions(PATH, text)
    assert found == []
    assert [p.rule_id for p in problems] == [problem]


def test_suppression_covers_its_line_and_the_next_only():
    [s], _ = find_suppressions(PATH, "a\n<!-- pressroom: allow PRIVACY-ADDRESS -- business -->\nb")
    assert s.line == 2 and s.reason == "business"
    kept, used, idle = apply_suppressions([v(2), v(3), v(4), v(3, "PRIVACY-PHONE")], [s])
    assert kept == [v(4), v(3, "PRIVACY-PHONE")]
    assert used == [s] and idle == []


def test_one_comment_may_allow_several_rules():
    found, _ = find_suppressions(
        PATH, "<!-- pressroom: allow PRIVACY-MEDICAL, PRIVACY-JUVENILE -- family consent -->")
    assert [s.rule_id for s in found] == ["PRIVACY-MEDICAL", "PRIVACY-JUVENILE"]


def test_unused_suppression_is_reported():
    found, _ = find_suppressions(PATH, "<!-- pressroom: allow PRIVACY-PHONE -- hotline -->")
    kept, used, idle = apply_suppressions([], found)
    assert used == [] and [p.rule_id for p in idle] == ["SUPPRESS-UNUSED"]
