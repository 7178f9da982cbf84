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


def test_a_key_on_two_members_is_a_finding_and_proves_nobodys_approval():
    """Found by the attacker of issue #16: with one key on a PIO and a supervisor, a
    signature by it was credited to whichever came first in the roster."""
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx3bSh0Zkq3dm2G1q2Bxkq0M1Y0bq7S0x3Wb7m0Y3dB"
    roster, problems = parse_roster(
        f"[members.sup1]\nname='S'\nroles=['supervisor']\nsigning_key='{key} sup'\n\n"
        f"[members.pio1]\nname='P'\nroles=['pio']\nsigning_key='{key} pio'\n\n"
        f"[members.pio2]\nname='Q'\nroles=['pio']\nsigning_key='ssh-ed25519 AAAAother'\n")
    assert [(p.rule_id, p.line) for p in problems] == [("ROSTER-MEMBER", 6)]
    assert "also sup1's" in problems[0].message
    assert roster.get("sup1").signing_key == roster.get("pio1").signing_key == ""
    assert roster.get("pio2").signing_key == "ssh-ed25519 AAAAother"
