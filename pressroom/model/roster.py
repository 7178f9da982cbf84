"""392.3 and 392.8: the department's roster of authorized members.

Only members the Chief of Police has authorized may post on behalf of the
department (392.3); each member's last social-media training date is kept here
too (392.8). The roster lives in ``policy/roster.toml``::

    [members.pio1]
    name = "Pat Rivera"
    email = "pio1@pd.example"
    roles = ["pio"]
    signing_key = "ssh-ed25519 AAAA... pio1"
    trained = 2026-06-01

Parsing is pure: text in, ``(Roster, violations)`` out.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date

from pressroom.model.violations import Violation
from pressroom.model.wording import close_matches, did_you_mean
from pressroom.rules.characters import forbidden_character

ROSTER_PATH = "policy/roster.toml"

ROLES: tuple[str, ...] = ("author", "pio", "supervisor", "incident-commander", "chief")
MEMBER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TOML_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class Member:
    """One authorized member. Pages show ``name``; ``email`` is never published."""

    id: str
    name: str
    roles: tuple[str, ...]
    email: str = ""
    signing_key: str = ""
    trained: date | None = None
    github: str = ""  # the member's username on a hosting platform, for CODEOWNERS

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)


@dataclass(frozen=True)
class Roster:
    members: dict[str, Member] = field(default_factory=dict)

    def get(self, member_id: str) -> Member | None:
        return self.members.get(member_id)

    def __contains__(self, member_id: object) -> bool:
        return member_id in self.members

    def __len__(self) -> int:
        return len(self.members)

    def by_email(self, email: str) -> Member | None:
        """The member whose email this is (case-insensitive): how a clone's git
        ``user.email``, set by ``pressroom setup-signing``, names who works in it."""
        email = email.strip().lower()
        return next((m for m in self.members.values()
                     if email and m.email.lower() == email), None)

    def did_you_mean(self, written: str) -> str:
        """"; did you mean 'pio1' (Pat Rivera)?" for a member id spelt wrong, or written as
        the member's name or email (people write what they know), or "" when none is close."""
        lower = written.strip().lower()
        by_person = [m for m in self.members.values()
                     if lower and lower in (m.name.lower(), m.email.lower())]
        found = by_person or [self.members[i] for i in close_matches(lower, self.members)]
        if not found:
            return ""
        names = " or ".join(f"'{m.id}' ({m.name})" for m in found[:2])
        return f"; did you mean {names}?"


def _line_of(text: str, member_id: str) -> int:
    """The line of a member's table header, so roster errors point somewhere useful."""
    pattern = re.compile(rf"^\s*\[\s*members\s*\.\s*\"?{re.escape(member_id)}\"?\s*\]")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return 1


def parse_roster(text: str, path: str = ROSTER_PATH) -> tuple[Roster, list[Violation]]:
    """Parse roster TOML; invalid members are reported and left out of the roster."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        line = int(match.group(1)) if match else 1
        return Roster(), [Violation(path, line, "ROSTER-SYNTAX", f"not valid TOML: {exc}")]

    members_table = data.get("members", {})
    if not isinstance(members_table, dict) or not members_table:
        return Roster(), [Violation(path, 1, "ROSTER-EMPTY",
                                    "the roster has no [members.<id>] tables")]

    members: dict[str, Member] = {}
    problems: list[Violation] = []
    for member_id, entry in members_table.items():
        line = _line_of(text, member_id)

        def bad(message: str, line: int = line) -> None:
            problems.append(Violation(path, line, "ROSTER-MEMBER", message))

        if not MEMBER_ID.match(member_id):
            bad(f"member id {member_id!r} must be lower-case letters, digits, '-' or '_'")
            continue
        if not isinstance(entry, dict):
            bad(f"members.{member_id} must be a table")
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            bad(f"members.{member_id} needs a name")
            continue
        text_values = [v for v in entry.values() if isinstance(v, str)]
        control = next(filter(None, map(forbidden_character, text_values)), None)
        if control:  # a name is shown on every page and feed: it would stop every build
            bad(f"members.{member_id} holds control character {control}; delete it")
            continue
        roles = entry.get("roles", [])
        if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
            bad(f"members.{member_id} needs roles, a list of: {', '.join(ROLES)}")
            continue
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            bad(f"members.{member_id} has unknown role {unknown[0]!r}"
                f"{did_you_mean(unknown[0], ROLES)} (known: {', '.join(ROLES)})")
            continue
        trained = entry.get("trained")
        if trained is not None and (not isinstance(trained, date) or hasattr(trained, "hour")):
            bad(f"members.{member_id}.trained must be a date like 2026-06-01")
            continue
        email = entry.get("email", "")
        key = entry.get("signing_key", "")
        github = entry.get("github", "")
        if not all(isinstance(v, str) for v in (email, key, github)):
            bad(f"members.{member_id}: email, signing_key and github must be strings")
            continue
        members[member_id] = Member(
            id=member_id, name=name.strip(), roles=tuple(roles),
            email=email, signing_key=key.strip(), trained=trained, github=github.lstrip("@"),
        )
    return Roster(_without_shared_keys(members, text, path, problems)), problems


def _without_shared_keys(members: dict[str, Member], text: str, path: str,
                         problems: list[Violation]) -> dict[str, Member]:
    """A signature names a key, and the key names one member: a key on two members would
    let one approve as the other (a PIO's merge credited to a supervisor). Such a key is a
    finding and proves nobody's approval — it is taken off every member who shares it."""
    holders: dict[str, list[str]] = {}
    for member in members.values():
        if member.signing_key:
            holders.setdefault(" ".join(member.signing_key.split()[:2]), []).append(member.id)
    for ids in holders.values():
        if len(ids) < 2:
            continue
        for member_id in ids[1:]:
            problems.append(Violation(
                path, _line_of(text, member_id), "ROSTER-MEMBER",
                f"members.{member_id}.signing_key is also {ids[0]}'s: each member signs with a "
                f"key of their own (a shared key would let one approve as the other); until "
                f"then neither key proves an approval"))
        for member_id in ids:
            members[member_id] = replace(members[member_id], signing_key="")
    return members
