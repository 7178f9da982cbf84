"""The roster of authorized members (392.3) with training dates (392.8)."""

from __future__ import annotations

from datetime import date

import pytest

from pressroom.model.roster import parse_roster


def test_sample_roster_parses(tmp_path):
    from conftest import PROJECT

    roster, problems = parse_roster((PROJECT / "policy/roster.toml").read_text())
    assert problems == []
    assert roster.get("pio1").name == "Pat Rivera"
    assert roster.get("ic1").has_role("incident-commander")
    assert roster.get("chief1").trained == date(2026, 1, 12)


@pytest.mark.parametrize(
    ("text", "rule", "line"),
    [
        ("[members.pio1\nname = 'x'", "ROSTER-SYNTAX", 1),
        ("title = 'no members'\n", "ROSTER-EMPTY", 1),
        ("[members.pio1]\nroles = ['pio']\n", "ROSTER-MEMBER", 1),
        ("[members.a]\nname='A'\nroles=['author']\n\n[members.pio1]\nname = 'P'\n"
         "roles = ['sheriff']\n", "ROSTER-MEMBER", 5),
        ("[members.pio1]\nname = 'P'\nroles = ['pio']\ntrained = 'last year'\n",
         "ROSTER-MEMBER", 1),
        ("[members.Pat]\nname = 'P'\nroles = ['pio']\n", "ROSTER-MEMBER", 1),
    ],
)
def test_bad_rosters_are_reported(text, rule, line):
    roster, problems = parse_roster(text)
    assert [(p.rule_id, p.line) for p in problems] == [(rule, line)]
    assert "pio1" not in roster


def test_valid_members_survive_a_bad_neighbour():
    roster, problems = parse_roster(
        "[members.good]\nname='G'\nroles=['pio']\n[members.bad]\nname='B'\nroles=[]\n")
    assert "good" in roster and "bad" not in roster
    assert len(problems) == 1
