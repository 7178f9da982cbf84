"""392.4: the content model — a post, its front matter, and what makes it valid.

``parse_post`` turns the bytes of a Markdown file into a ``Post`` (or nothing)
plus violations; it never raises for bad content. ``check_collection`` finds
problems that only show across posts (two posts claiming one URL).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from pressroom.model.alerts import (
    ALL_CLEAR_DEFAULTS,
    DEFAULT_EVENT,
    EVENT_CODE,
    SAME_EVENT_CODES,
    TEST_EVENT_CODES,
)
from pressroom.model.categories import BY_SLUG, CATEGORIES, SLUGS
from pressroom.model.dates import DATE_HELP, parse_datetime
from pressroom.model.frontmatter import Field, Header, parse_header, split_lines
from pressroom.model.header_fields import header_end_problems, required_problems, unknown_fields
from pressroom.model.languages import language_problem
from pressroom.model.lifecycle import lifecycle_problems
from pressroom.model.roster import ROSTER_PATH, Roster
from pressroom.model.violations import Violation
from pressroom.model.wording import did_you_mean
from pressroom.rules.characters import control_problems, header_lines
from pressroom.rules.slugs import check_tag_collisions, check_tag_slugs

REQUIRED = ("title", "date", "category", "author", "summary")
OPTIONAL = ("tags", "slug", "modified", "status", "expires", "area", "incident", "sequence",
            "lang")
# Real-time safety information (392.4 e): CAP 1.2 vocabularies, so alerts feed aggregators.
ALERT_FIELDS = ("event", "urgency", "severity", "certainty", "response", "instruction",
                "polygon", "circle", "wea-text", "wea-long-text", "event-code")
CAP_VALUES = {
    "urgency": ("Immediate", "Expected", "Future", "Past", "Unknown"),
    "severity": ("Extreme", "Severe", "Moderate", "Minor", "Unknown"),
    "certainty": ("Observed", "Likely", "Possible", "Unlikely", "Unknown"),
    "response": ("Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess",
                 "AllClear", "None"),
}
ALERT_DEFAULTS = {"urgency": "Immediate", "severity": "Moderate", "certainty": "Observed",
                  "response": "Monitor", "event": DEFAULT_EVENT}
# ASCII digits only: ``\d`` and float() also take Arabic-Indic or full-width digits, which
# the CAP schemas let through and no alerting system reads.
_POINT = r"-?[0-9]{1,2}(?:\.[0-9]+)?,-?[0-9]{1,3}(?:\.[0-9]+)?"
POLYGON = re.compile(rf"^{_POINT}(?: {_POINT}){{3,}}$")
CIRCLE = re.compile(rf"^{_POINT} [0-9]+(?:\.[0-9]+)?$")
MAX_RADIUS = 500  # km: a circle wider than a state is not a local alert's area
INCIDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SEQUENCE = re.compile(r"^[1-9][0-9]{0,5}$")  # an update's place in its incident: 1, 2, 3 ...
# 392.5: removal from public view, withdrawal of outdated items, and corrections.
LIFECYCLE_FIELDS = ("retraction", "retracted", "retraction-reason", "reported-by", "correction")
KNOWN = REQUIRED + OPTIONAL + ALERT_FIELDS + LIFECYCLE_FIELDS
# "test": a safety alert that exercises the alerting chain: CAP with <status>Test</status>,
# never on a public page, feed or banner (pressroom.model.alerts).
STATUSES = ("published", "draft", "test")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 120
MAX_BYTES = 2_000_000  # a post larger than this is not a post
# A translator who forgot ``Lang:`` gets a duplicate slug: say what was probably meant.
TRANSLATION_HINT = " (a translation? give it 'Lang:', e.g. Lang: es)"


@dataclass(frozen=True)
class Post:
    """One post as the department wrote it; ``path`` is relative to the repo root."""

    path: str
    slug: str
    title: str
    date: datetime
    category: str
    author: str
    summary: str
    body: str
    body_line: int
    tags: tuple[str, ...] = ()
    modified: datetime | None = None
    status: str = "published"
    expires: datetime | None = None
    area: str = ""
    incident: str = ""
    sequence: int = 0  # ``Sequence:``, 0 when not given (model.incidents.minute_rank)
    alert: dict[str, str] = field(default_factory=dict, compare=False)  # CAP values, defaulted
    retraction: str = ""  # "remove" or "withdraw" (392.5)
    retracted: datetime | None = None
    retraction_reason: str = ""
    reported_by: str = ""
    correction: str = ""  # the change note shown with Modified
    # ``Lang:`` as written ("" = the site's default language); a translation has the same
    # slug as its original (pressroom.model.translations).
    lang: str = ""
    fields: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)
    header: Header | None = field(default=None, compare=False, repr=False)

    @property
    def updated(self) -> datetime:
        """When the post last changed for readers: ``Modified``, a withdrawal, or ``Date``."""
        moments = [self.date, self.modified]
        if self.retraction == "withdraw":
            moments.append(self.retracted)
        return max(m for m in moments if m is not None)

    @property
    def is_test(self) -> bool:
        """``Status: test``: a test of the alerting chain, in CAP only (never on a page)."""
        return self.status == "test"

    def is_public(self, now: datetime) -> bool:
        """Published, due and not removed: drafts, embargoed and removed posts never show."""
        return self.status == "published" and self.date <= now and self.retraction != "remove"

    @property
    def removed(self) -> bool:
        return self.retraction == "remove"

    def line_of(self, name: str) -> int:
        found = self.fields.get(name)
        return found.line if found else 1


def decode(path: str, data: bytes) -> tuple[str | None, list[Violation]]:
    """Bytes to text, refusing what is not a UTF-8 text file of sensible size."""
    if len(data) > MAX_BYTES:
        return None, [Violation(path, 1, "FILE-SIZE",
                                f"{len(data):,} bytes is too large for a post "
                                f"(limit {MAX_BYTES:,})")]
    if b"\x00" in data:
        return None, [Violation(path, 1, "FILE-TEXT", "not a text file (contains NUL bytes)")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [not_utf8(path, data, exc)]
    return text, []


def not_utf8(path: str, data: bytes, exc: UnicodeDecodeError,
             advice: str = "save the file as UTF-8") -> Violation:
    """FILE-ENCODING at the line of the first byte that is not UTF-8."""
    line = data[: exc.start].count(b"\n") + 1
    return Violation(path, line, "FILE-ENCODING",
                     f"not UTF-8 (byte 0x{data[exc.start]:02x}); {advice}")


def slug_for(path: str, explicit: str) -> str:
    """The explicit ``Slug:``, else the file name without its extension."""
    if explicit:
        return explicit
    name = path.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name[1:] else name
    return stem


def parse_post(path: str, data: bytes, tz: tzinfo) -> tuple[Post | None, list[Violation]]:
    """Parse and validate a post's front matter; a Post is returned only when it is usable."""
    text, problems = decode(path, data)
    if text is None:
        return None, problems
    return parse_text(path, text, tz)


def parse_text(path: str, text: str, tz: tzinfo) -> tuple[Post | None, list[Violation]]:
    """``parse_post`` for text that is already decoded."""
    problems: list[Violation] = []
    if not text.strip():
        return None, [Violation(path, 1, "FRONT-EMPTY", "the file is empty")]

    header = parse_header(text)
    fields = header.fields
    # Characters no page or feed can carry would stop every build: refuse them here, where
    # check and build both pass, naming the file and line.
    problems += control_problems(path, text, header_lines(
        ((f.name, f.line) for f in [*fields.values(), *header.duplicates]), header.body_line))
    for dup in header.duplicates:
        problems.append(Violation(path, dup.line, "FRONT-DUPLICATE",
                                  f"'{dup.name}' is given twice (first on line "
                                  f"{fields[dup.name.lower()].line}); keep one"))
    misspelt = unknown_fields(path, fields, KNOWN, REQUIRED, problems)
    problems.extend(header_end_problems(path, text, header, KNOWN))
    first_body = header.body_line
    problems.extend(required_problems(path, text, header, KNOWN, REQUIRED, misspelt))

    def date_field(name: str) -> datetime | None:
        item = fields.get(name)
        if item is None or not item.value:
            return None
        parsed = parse_datetime(item.value, tz)
        if parsed is None:
            problems.append(Violation(path, item.line, "FRONT-DATE",
                                      f"{item.value!r} is not a date ({DATE_HELP})"))
        return parsed

    date = date_field("date")
    modified = date_field("modified")
    expires = date_field("expires")
    retracted = date_field("retracted")
    problems.extend(lifecycle_problems(path, fields))
    if date and modified and modified < date:
        problems.append(Violation(path, fields["modified"].line, "FRONT-DATE",
                                  "'Modified' is earlier than 'Date'"))
    if date and expires and expires <= date:
        problems.append(Violation(path, fields["expires"].line, "FRONT-DATE",
                                  "'Expires' must be later than 'Date'"))

    category = fields["category"].value if "category" in fields else ""
    if category and category not in BY_SLUG:
        # "Traffic" or "Crime Prevention Tips" (the name the site shows): the slug is meant
        hint = did_you_mean(category, SLUGS, {c.name: c.slug for c in CATEGORIES})
        problems.append(Violation(path, fields["category"].line, "FRONT-CATEGORY",
                                  f"{category!r} is not one of the eight kinds of content "
                                  f"(392.4){hint}{' The' if hint else '; the'} eight are: "
                                  f"{', '.join(SLUGS)}"))

    if category == "safety-alerts" and "expires" not in fields:
        problems.append(Violation(path, fields["category"].line, "FRONT-EXPIRES",
                                  "a safety alert needs 'Expires:' (when it stops being "
                                  "current), e.g. Expires: 2026-11-24 22:00"))

    for name in ALERT_FIELDS:
        if name in fields and category != "safety-alerts":
            problems.append(Violation(path, fields[name].line, "FRONT-ALERT",
                                      f"'{fields[name].name}' belongs to safety-alerts posts only"))
    for name, allowed in CAP_VALUES.items():
        if name in fields and fields[name].value not in allowed:
            usable = [v for v in allowed if v != "Unknown"]  # Google refuses it (ALERT-GOOGLE)
            problems.append(Violation(path, fields[name].line, "FRONT-ALERT",
                                      f"{fields[name].value!r} is not a CAP {name}"
                                      f"{did_you_mean(fields[name].value, usable)} "
                                      f"(use: {', '.join(usable)})"))
    if "polygon" in fields and not _closed_polygon(fields["polygon"].value):
        problems.append(Violation(path, fields["polygon"].line, "FRONT-ALERT",
                                  "Polygon is 'lat,lon lat,lon ...' with at least four points, "
                                  "the last equal to the first"))
    if "incident" in fields and not INCIDENT_ID.match(fields["incident"].value):
        problems.append(Violation(path, fields["incident"].line, "FRONT-ALERT",
                                  "Incident is an id of letters, digits, '.', '_' or '-', "
                                  "e.g. 2026-1124-elm"))
    if "sequence" in fields and category != "safety-alerts":
        problems.append(Violation(path, fields["sequence"].line, "FRONT-ALERT",
                                  "'Sequence' orders an incident's posts: safety-alerts only"))
    elif "sequence" in fields and not SEQUENCE.match(fields["sequence"].value):
        problems.append(Violation(path, fields["sequence"].line, "FRONT-ALERT",
                                  f"Sequence {fields['sequence'].value!r} is not a whole number "
                                  f"from 1 (the update's place in its incident, e.g. 2)"))
    if "circle" in fields and not CIRCLE.match(fields["circle"].value):
        problems.append(Violation(path, fields["circle"].line, "FRONT-ALERT",
                                  "Circle is 'lat,lon radius-in-km', e.g. 34.13,-117.90 0.5"))
    elif "circle" in fields and not 0 < float(fields["circle"].value.split()[1]) <= MAX_RADIUS:
        problems.append(Violation(path, fields["circle"].line, "FRONT-ALERT",
                                  f"Circle radius {fields['circle'].value.split()[1]} km: give "
                                  f"the radius in km, more than 0 and at most {MAX_RADIUS} "
                                  f"(e.g. 0.5 for half a kilometre)"))

    if "event-code" in fields:
        code = fields["event-code"].value
        if not EVENT_CODE.match(code) or code not in SAME_EVENT_CODES:
            problems.append(Violation(path, fields["event-code"].line, "FRONT-ALERT",
                                      f"Event-Code {code!r} is not a SAME event code"
                                      f"{did_you_mean(code, SAME_EVENT_CODES)} (use one of: "
                                      f"{', '.join(SAME_EVENT_CODES)})"))
        elif code in TEST_EVENT_CODES and (
                "status" not in fields or fields["status"].value.lower() != "test"):
            problems.append(Violation(path, fields["event-code"].line, "FRONT-ALERT",
                                      f"Event-Code {code} ({SAME_EVENT_CODES[code]}) is for "
                                      f"tests: add 'Status: test', or use the code of the "
                                      f"real event"))

    status = fields["status"].value.lower() if "status" in fields else "published"
    if status not in STATUSES:
        problems.append(Violation(path, fields["status"].line, "FRONT-STATUS",
                                  f"{status!r} is not a status{did_you_mean(status, STATUSES)} "
                                  f"(use: {', '.join(STATUSES)})"))
    elif status == "test" and category != "safety-alerts":
        problems.append(Violation(path, fields["status"].line, "FRONT-STATUS",
                                  "'Status: test' is for safety alerts only (a test of the "
                                  "alerting chain); use draft for a post not ready"))

    slug = slug_for(path, fields["slug"].value if "slug" in fields else "")
    if not SLUG.match(slug):
        where = fields["slug"].line if "slug" in fields else 1
        source = "'Slug'" if "slug" in fields else "the file name"
        problems.append(Violation(path, where, "FRONT-SLUG",
                                  f"{source} gives slug {slug!r}; use lower-case words "
                                  f"joined by '-', e.g. road-closure-main-street"))
    elif len(slug) > MAX_SLUG:  # the slug is a folder name: a file system allows 255 bytes
        where = fields["slug"].line if "slug" in fields else 1
        problems.append(Violation(path, where, "FRONT-SLUG",
                                  f"slug of {len(slug)} characters is too long for an address "
                                  f"(at most {MAX_SLUG}); shorten it"))

    if "lang" in fields and language_problem(fields["lang"].value):
        problems.append(Violation(path, fields["lang"].line, "FRONT-LANG",
                                  f"Lang {language_problem(fields['lang'].value)}"))

    tags = tuple(t.strip() for t in fields["tags"].value.split(",") if t.strip()) \
        if "tags" in fields else ()
    if "tags" in fields:  # a tag's slug is the address of its page
        problems += check_tag_slugs(path, fields["tags"].value, fields["tags"].line)

    if problems:
        return None, problems
    assert date is not None  # required and valid, or we returned above
    lines = split_lines(text)
    return Post(
        path=path, slug=slug, title=fields["title"].value, date=date, category=category,
        author=fields["author"].value, summary=fields["summary"].value,
        body="\n".join(lines[first_body - 1:]), body_line=first_body, tags=tags,
        modified=modified, status=status, expires=expires,
        area=fields["area"].value if "area" in fields else "",
        incident=fields["incident"].value if "incident" in fields else "",
        sequence=int(fields["sequence"].value) if "sequence" in fields else 0,
        alert=_alert_values(fields) if category == "safety-alerts" else {},
        retraction=fields["retraction"].value.lower() if "retraction" in fields else "",
        retracted=retracted,
        retraction_reason=fields["retraction-reason"].value if "retraction-reason" in fields
        else "",
        reported_by=fields["reported-by"].value if "reported-by" in fields else "",
        correction=fields["correction"].value if "correction" in fields else "",
        lang=fields["lang"].value if "lang" in fields else "",
        fields=dict(fields), header=header,
    ), []


def _alert_values(fields: dict[str, Field]) -> dict[str, str]:
    """A safety alert's CAP values, defaults filled in: an all-clear defaults to Urgency
    Past, Severity Minor, Certainty Observed (the danger is over), not the alert's own."""
    response = fields["response"].value if "response" in fields else ""
    defaults = {**ALERT_DEFAULTS, **(ALL_CLEAR_DEFAULTS if response == "AllClear" else {})}
    return {name: fields[name].value if name in fields else defaults.get(name, "")
            for name in ALERT_FIELDS}


def _closed_polygon(value: str) -> bool:
    points = value.split()
    return bool(POLYGON.match(value)) and points[0] == points[-1]


def check_author(post: Post, roster: Roster) -> list[Violation]:
    """392.3: only members the Chief authorized (the roster) may post (or report a post)."""
    return check_author_fields(post.path, post.fields, roster)


_WHO = "; write your own member id (`pressroom roster` lists them)"


def check_author_fields(path: str, fields: dict[str, Field], roster: Roster
                        ) -> list[Violation]:
    """``check_author`` from the header alone, so a post whose other fields are wrong still
    hears at once that its author is not on the roster (all findings in one check)."""
    problems = []
    author = fields.get("author")
    if author is not None and author.value and author.value not in roster:
        problems.append(Violation(path, author.line, "FRONT-AUTHOR",
                                  f"{author.value!r} is not a member id in {ROSTER_PATH} (392.3)"
                                  f"{roster.did_you_mean(author.value) or _WHO}"))
    reporter = fields.get("reported-by")
    if reporter is not None and reporter.value and reporter.value not in roster:
        problems.append(Violation(path, reporter.line, "FRONT-RETRACTION",
                                  f"Reported-By {reporter.value!r} is not a member id in "
                                  f"{ROSTER_PATH}{roster.did_you_mean(reporter.value)}"))
    return problems


def check_collection(posts: Iterable[Post], default_lang: str = "en") -> list[Violation]:
    """Problems only visible across posts: a slug in a language is the post's public
    identity (a translation shares its original's slug, in another ``Lang``)."""
    seen: dict[tuple[str, str], Post] = {}
    posts = sorted(posts, key=lambda p: p.path)
    problems: list[Violation] = check_tag_collisions(posts)
    for post in posts:
        first = seen.setdefault((post.slug, post.lang or default_lang), post)
        if first is not post:
            problems.append(Violation(post.path, post.line_of("slug"), "FRONT-SLUG-DUPLICATE",
                                      f"slug {post.slug!r} is already used by {first.path}"
                                      f"{'' if not post.lang else f' in Lang {post.lang}'}; "
                                      f"add a distinct 'Slug:'"
                                      f"{'' if post.lang else TRANSLATION_HINT}"))
    return problems
