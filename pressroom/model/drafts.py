"""The text of a new post: what ``pressroom new`` writes and the desk's new-post form starts from.

One pure function makes it (``draft_text``), so the command line and the desk write the same
front matter. A safety alert lists the fields CAP reads (``pressroom.render.cap``) with a
comment on their allowed values; an incident update (``pressroom new --incident ID``)
carries forward what its incident's latest post said (``carried_fields``) and takes the next
``Sequence`` (``next_sequence``), so the update is ordered after it even in the same minute.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from pressroom.model.content import CAP_VALUES, Post
from pressroom.model.dates import parse_datetime
from pressroom.model.header_fields import field_name
from pressroom.model.incidents import post_order
from pressroom.model.violations import InputError

# Fields an update takes from its incident's latest post, in the order they are written:
# everything the incident page, the banner and the CAP document read besides the post's own
# title, date and text.
CARRIED = ("expires", "area", "event", "event-code", "urgency", "severity", "certainty",
           "response", "instruction", "polygon", "circle")
ALERT_HOURS = 4  # a new alert's default Expires: the next full hour plus this
BODY_COMMENT = """\
<!-- Write the post below in plain language. Give ages, not dates of birth; blocks
     ("the 400 block of Elm Street"), not house numbers. Run `pressroom check` before
     you ask a supervisor to approve the branch. This comment is never published. -->
"""
ALERT_COMMENT = f"""\
<!-- A safety alert (392.4 e). Area: where, in words (required). Response: what the public
     should do, one of {", ".join(CAP_VALUES["response"])}
     (AllClear ends the incident). Instruction: the same in words ("Stay indoors").
     Expires: when it stops being current. Keep the same Incident: id for every update;
     Sequence: orders the incident's posts (pressroom new --incident fills both in).
     WEA-Text: (at most 90 characters) and WEA-Long-Text: (360) are what phones would show;
     left out, they are derived from the title and Instruction: `pressroom check` shows them.
     Event-Code: the SAME code (default LEW; SPW for Shelter, EVI for Evacuate). Polygon: or
     Circle: draw the area on the page. Status: test sends a test of the alerting chain (CAP
     only, never on a page). docs/alerts.md has them all. -->
"""


def slugify(title: str) -> str:
    """A post's address from its title: lower-case words joined by hyphens, at most 60 long."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:60].rstrip("-") or "post"


def incident_posts(posts: Iterable[Post], incident: str) -> list[Post]:
    """The approved posts of one incident (no draft, none removed), oldest first."""
    found = [p for p in posts if p.category == "safety-alerts" and p.incident == incident
             and p.status == "published" and not p.removed]
    return list(reversed(sorted(found, key=post_order)))


def known_incidents(posts: Iterable[Post]) -> list[str]:
    return sorted({p.incident for p in posts if p.category == "safety-alerts" and p.incident})


def unknown_incident(incident: str, known: Sequence[str]) -> str:
    """One line for an incident id no post uses, with "did you mean" when one is close."""
    close = difflib.get_close_matches(incident, known, n=3, cutoff=0.6)
    if close:
        hint = "did you mean " + " or ".join(repr(c) for c in close) + "?"
    elif known:
        hint = "known incidents: " + ", ".join(known[-10:])
    else:
        hint = "main has no incident yet; start one with --category safety-alerts"
    return f"no incident {incident!r} on main; {hint}"


def _all_clear(post: Post) -> bool:
    return "response" in post.fields and post.fields["response"].value == "AllClear"


def carried_fields(thread_posts: Sequence[Post]) -> dict[str, str]:
    """What an update carries forward from its incident's latest post (``thread_posts`` oldest
    first): the fields of ``CARRIED`` that post wrote (``Area`` and ``Instruction`` from the
    latest post that gave them), plus ``Incident``.

    After an all-clear the update reopens the incident, so it starts from the last post
    before the all-clear, all of it: that post's ``Response`` *and* its ``Instruction``
    ("Stay indoors" goes with Shelter), never the all-clear's "You may return home" with an
    earlier response. With no such post the response is ``Monitor`` and nothing of the
    all-clear's instruction is kept."""
    if not thread_posts:
        return {}
    source = list(thread_posts)
    if _all_clear(source[-1]):  # up to the last post that is not an all-clear
        while source and _all_clear(source[-1]):
            source.pop()
    carried = {"incident": thread_posts[-1].incident}
    if source:
        latest = source[-1]
        for name in CARRIED:
            if name in latest.fields and latest.fields[name].value:
                carried[name] = latest.fields[name].value
        for name in ("area", "instruction"):
            given = [p.fields[name].value for p in source
                     if name in p.fields and p.fields[name].value and not _all_clear(p)]
            if given and name not in carried:
                carried[name] = given[-1]
    else:  # only an all-clear: its area still says where, its response and words do not
        area = thread_posts[-1].fields.get("area")
        if area is not None and area.value:
            carried["area"] = area.value
    if carried.get("response", "AllClear") == "AllClear":
        carried["response"] = "Monitor"
    return carried


def reopen_warning(posts: Iterable[Post], incident: str) -> str:
    """One line when ``incident``'s latest post on main is its all-clear ("" otherwise): an
    update is still allowed (the incident may flare up again), but it reopens the incident
    for the public, and the writer should mean to."""
    thread = incident_posts(posts, incident)
    if not thread or not _all_clear(thread[-1]):
        return ""
    return (f"warning: incident {incident} ended with an all-clear ({thread[-1].path}); "
            f"this update reopens it. Its fields are carried from the last post before the "
            f"all-clear")


def next_sequence(thread_posts: Sequence[Post]) -> int:
    """The ``Sequence`` of the next update: after every explicit one and every post."""
    return max([len(thread_posts), *(p.sequence for p in thread_posts)]) + 1


def update_fields(posts: Iterable[Post], incident: str) -> dict[str, str]:
    """The fields an update of ``incident`` starts with (``carried_fields`` and the next
    ``Sequence``), from ``posts`` — main's, read from git. Raises ``InputError`` with "did you
    mean" when no post of ``posts`` belongs to ``incident``."""
    posts = list(posts)
    thread = incident_posts(posts, incident)
    if not thread:
        raise InputError(unknown_incident(incident, known_incidents(posts)))
    return {**carried_fields(thread), "sequence": str(next_sequence(thread))}


def new_alert_fields(slug: str, now: datetime) -> dict[str, str]:
    """A new alert's ``Incident`` id (its date and the slug's first word) and ``Sequence: 1``."""
    return {"incident": f"{now:%Y-%m%d}-{slug.split('-')[0]}", "sequence": "1"}


def draft_text(title: str, category: str, author: str, now: datetime,
               fields: Mapping[str, str], body: str | None = None) -> str:
    """A new post's Markdown: the required fields, then ``fields`` (lower-case names, as
    ``carried_fields`` returns them), then ``body`` — or, for ``pressroom new``, which leaves
    the writing to the author, a comment on how to write it.

    A safety alert always lists ``Expires`` (the carried one while it is still ahead of
    ``now``, else the next full hour plus four), ``Area``, ``Incident``, ``Response`` and
    ``Instruction``: the fields CAP reads, so the writer sees them. ``now`` is aware and in
    the department's time zone.
    """
    extra = dict(fields)
    head = [f"Title: {title}", f"Date: {now:%Y-%m-%d %H:%M}", f"Category: {category}",
            f"Author: {author}", f"Summary: {extra.pop('summary', '')}"]
    comment = BODY_COMMENT
    if category == "safety-alerts":
        expires = parse_datetime(extra.get("expires", ""), now.tzinfo) \
            if extra.get("expires") else None
        if expires is None or expires <= now:
            ends = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=ALERT_HOURS)
            extra["expires"] = f"{ends:%Y-%m-%d %H:%M}"
        for name, default in (("area", ""), ("response", "Monitor"), ("instruction", "")):
            extra.setdefault(name, default)
        order = ["expires", "area", "incident", "sequence", *CARRIED]
        extra = {name: extra[name] for name in dict.fromkeys([*order, *extra]) if name in extra}
        comment = ALERT_COMMENT + comment
    head += [f"{field_name(name)}: {value}" for name, value in extra.items()]
    if body is not None:
        return "\n".join(head) + "\n\n" + body.strip() + "\n"
    return "\n".join(head) + "\n\n" + comment + "\n"


# --- pressroom new --translate (issue #14) ------------------------------------------------------

# What a translation copies from its original as written: the facts every language's version
# states once (TRANSLATION-MISMATCH compares them), in the order they are written.
TRANSLATION_COPIED = ("category", "slug", "lang", "status", "expires", "incident", "sequence",
                      "event-code", "urgency", "severity", "certainty", "response",
                      "polygon", "circle")
# What is translated: each starts as "[TRANSLATE] <the original's words>". ``Event`` is the
# CAP block's event name, in the block's language.
TRANSLATION_TEXTS = ("title", "summary", "area", "event", "instruction", "wea-text",
                     "wea-long-text")
TRANSLATE_MARK = "[TRANSLATE]"  # pressroom.rules.translations.PLACEHOLDER: one marker


def translation_text(original: Post, lang: str, author: str, now: datetime,
                     title: str | None = None) -> str:
    """A translation's Markdown (``pressroom new --translate``): the original's slug and facts
    copied, ``Lang``, the translator as ``Author``; the original's ``Date`` (the Spanish
    update sits where the English one does in its incident and on every timeline) and
    ``now`` as ``Modified`` (when the translation was written: TRANSLATION-STALE compares it
    with the original's); each text to
    translate marked ``[TRANSLATE]`` before the original's words, which TRANSLATION-PLACEHOLDER
    refuses until replaced. The original's body follows in a comment, for reference (never
    published). ``title``: the translated title, when the translator gave it."""
    fields = original.fields
    values: dict[str, str] = {}
    for name in ("title", "date", "category", "author", "summary", "modified",
                 *TRANSLATION_COPIED, *TRANSLATION_TEXTS):
        if name in values:
            continue
        if name == "date":
            values[name] = f"{original.date:%Y-%m-%d %H:%M}"
        elif name == "modified":
            if now > original.date:  # an embargoed original: the translation is dated with it
                values[name] = f"{now:%Y-%m-%d %H:%M}"
        elif name == "author":
            values[name] = author
        elif name == "slug":
            values[name] = original.slug
        elif name == "lang":
            values[name] = lang
        elif name == "title" and title:
            values[name] = title
        elif name in TRANSLATION_TEXTS and name in fields and fields[name].value:
            values[name] = f"{TRANSLATE_MARK} {' '.join(fields[name].value.split())}"
        elif name in fields and fields[name].value:
            values[name] = " ".join(fields[name].value.split())
    head = "\n".join(f"{field_name(name)}: {value}" for name, value in values.items())
    reference = original.body.strip().replace("<!--", "<! --").replace("-->", "-- >")
    return (f"{head}\n\n{TRANSLATE_MARK} Write the translation here, in place of this line.\n\n"
            f"<!-- The original ({original.path}), for reference; this comment is never "
            f"published:\n\n{reference}\n-->\n")
