"""The PIO's draft: form fields to a post's text, checked by the same rules as ``pressroom check``.

A draft is only text in memory until "Commit and push" (``actions.commit_draft``): the rules
run on its bytes through the engine (``checking.engine.check_post``) with the roster, rules
and settings of the central main (``policy/`` read from git objects, whatever branch the
clone is on), so nothing is written into the working folder to check it. An
incident update starts from the incident's latest post on the central main: same
``Incident``, its ``Area``, ``Instruction``, ``Expires``, ``Event``, ``Polygon``/``Circle``.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from pathlib import Path

from pressroom.checking.engine import Context, apply_severity, check_post
from pressroom.checking.repo import load_context, site_timezone
from pressroom.desk import gitops
from pressroom.model.content import CAP_VALUES
from pressroom.model.drafts import draft_text, new_alert_fields, slugify, update_fields
from pressroom.model.incidents import active_threads
from pressroom.model.roster import Member
from pressroom.model.translations import originals
from pressroom.model.violations import InputError, Violation
from pressroom.repo.department import load_department
from pressroom.repo.sources import posts_at

RESPONSES = CAP_VALUES["response"]
ALERTS = re.compile(rb"(?im)^category:[ \t]*safety-alerts")  # the posts an incident reads
# The alert fields the form holds besides title, category, summary and body.
ALERT_FIELDS = ("expires", "area", "incident", "sequence", "response", "instruction", "event",
                "polygon", "circle")


@dataclass
class Draft:
    """What the form holds (all text, as typed)."""

    title: str = ""
    category: str = ""
    summary: str = ""
    body: str = ""
    area: str = ""
    instruction: str = ""
    response: str = ""
    expires: str = ""
    incident: str = ""
    sequence: str = ""
    event: str = ""
    polygon: str = ""
    circle: str = ""

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> Draft:
        """The draft a form posted; line breaks in one-line fields become spaces (a header
        field is one line: a newline in a title must not start a new field)."""
        values = {}
        for item in fields(cls):
            value = str(form.get(item.name, ""))
            values[item.name] = (value.replace("\r\n", "\n").strip() if item.name == "body"
                                 else " ".join(value.split()))
        return cls(**values)

    @property
    def alert(self) -> bool:
        return self.category == "safety-alerts"


def post_path(draft: Draft, now: datetime) -> str:
    return f"content/{now:%Y}/{slugify(draft.title)}.md"


def post_text(draft: Draft, author: str, now: datetime) -> str:
    """The post file, written by the same function as ``pressroom new`` (``draft_text``)."""
    fields = {"summary": draft.summary}
    if draft.alert:
        fields.update((name, getattr(draft, name)) for name in ALERT_FIELDS
                      if getattr(draft, name) or name in ("expires", "area"))
        if not draft.incident:  # a new incident, named as `pressroom new` names it
            fields.update(new_alert_fields(slugify(draft.title), now))
    return draft_text(draft.title, draft.category, author, now, fields, body=draft.body)


POLICY = ("policy/roster.toml", "policy/rules.toml", "policy/site.toml")
_contexts: dict[tuple[str, str], Context] = {}  # (clone, main's commit) -> its context


def main_context(repo: Path) -> Context:
    """What the rules read besides a post (roster, rules, time zone, host), from the central
    main's ``policy/`` files as git holds them (regular files only); the working folder's
    when the clone has no ``origin/main`` yet. Kept per commit of main."""
    main = gitops.text(repo, "rev-parse", "--verify", "--quiet",
                       f"{gitops.remote_ref(gitops.MAIN)}^{{commit}}")
    if not main:
        return load_context(repo, None)[0]
    key = (str(repo), main)
    if key not in _contexts:
        listed = gitops.run(repo, "ls-tree", "-z", main, "--", *POLICY)
        with tempfile.TemporaryDirectory(prefix="pressroom-desk-policy-") as scratch:
            (Path(scratch) / "policy").mkdir()
            for entry in listed.out.split("\0") if listed.ok else []:
                meta, _, path = entry.partition("\t")
                data = gitops.read_blob(repo, main, path) if meta.startswith("100644 blob") \
                    else None
                if path in POLICY and data is not None:
                    (Path(scratch) / path).write_bytes(data)
            _contexts.clear()  # one main at a time: the newest
            _contexts[key] = load_context(Path(scratch), None)[0]
    return _contexts[key]


def check_text(repo: Path, path: str, data: bytes) -> list[Violation]:
    """Every content rule over one post's bytes, as ``pressroom check`` runs them (with the
    central main's roster, rules and settings; nothing is written)."""
    ctx = main_context(repo)
    return sorted(apply_severity(check_post(path, data, ctx).violations, ctx.config))


def now_at(repo: Path) -> datetime:
    """Now in the department's time zone (policy/site.toml)."""
    return datetime.now(site_timezone(repo)).replace(second=0, microsecond=0)


def default_expires(now: datetime) -> str:
    ends = now.replace(minute=0) + timedelta(hours=4)
    return f"{ends:%Y-%m-%d %H:%M}"


def current_member(repo: Path) -> Member | None:
    """The member of the central main's roster whose email is git's user.email in this
    clone (set by ``pressroom setup-signing``)."""
    return main_context(repo).roster.by_email(gitops.text(repo, "config", "user.email") or "")


@dataclass(frozen=True)
class Incident:
    """An active incident on the central main, and the draft an update starts from."""

    id: str
    title: str
    status: str
    start: Draft


def active_incidents(repo: Path, now: datetime) -> list[Incident]:
    """Active incidents on ``origin/main`` (read from git objects), latest first."""
    try:
        posts = originals(posts_at(repo, gitops.remote_ref(gitops.MAIN), now.tzinfo, ALERTS),
                          load_department(repo).languages.default.code)
    except InputError:  # no central main fetched yet: no incident to update
        posts = []
    found = []
    for thread in active_threads(posts, now):
        carried = update_fields(posts, thread.id)
        start = Draft(title=f"Update: {thread.first.title}", category="safety-alerts",
                      **{name: carried.get(name, "") for name in ALERT_FIELDS})
        found.append(Incident(thread.id, thread.first.title, thread.status(now), start))
    return found


def update_of(incident: Incident, typed: Draft) -> Draft:
    """An update: the incident's carried fields, under what the PIO typed so far."""
    carried = {name: getattr(typed, name) or getattr(incident.start, name)
               for name in ALERT_FIELDS if name not in ("incident", "sequence")}
    return replace(typed, category="safety-alerts", incident=incident.id,
                   sequence=incident.start.sequence,
                   title=typed.title or incident.start.title, **carried)
