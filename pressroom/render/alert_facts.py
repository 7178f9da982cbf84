"""392.4 (e): what every alert page and feed entry says first — status, Area, What to do, expiry.

Issue #15 found that a resident who reached an alert's own page, or read it in a feed,
did not learn where or what to do. The facts are computed here once, from the post and its
thread, so the page (``theme/templates/article.html`` through ``pressroom_incidents``) and
every feed (``pressroom_feeds``, the incident feeds) say the same thing.

Two kinds of status, on purpose:

* a **page** shows its incident's *latest* status (Active, Ended, All clear) and links the
  latest update — it is rebuilt whenever the incident changes (its key covers the thread);
* a **feed entry** carries the status *of this message* (Alert, Update, All clear) and its
  expiry as a date, never "now"-dependent words: an entry a reader already fetched must not
  change because a later update arrived or the clock moved (feeds stay byte-stable and
  readers do not show old items as new). The incident feed's newest entry is the latest
  status.

Pure: no Pelican, no Jinja; HTML written here is escaped text in fixed markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from pressroom.model.content import Post
from pressroom.model.incidents import Thread

ALL_CLEAR = "AllClear"
NO_ACTION = "No action needed."


@dataclass(frozen=True)
class AlertFacts:
    """One alert message's facts, as a resident reads them."""

    kind: str  # "Alert", "Update" or "All clear": the status of this message
    area: str
    what_to_do: str
    expires: datetime | None
    cap_path: str  # site-relative: cap/<slug>.xml
    incident_id: str  # "" for an alert that is not part of an incident


def when_text(moment: datetime, with_time: bool = True) -> str:
    """A date as the theme's ``when`` macro writes it: "November 24, 2026, 6:00 PM"."""
    text = f"{moment:%B} {moment.day}, {moment.year}"
    if with_time and (moment.hour or moment.minute):
        text += f", {(moment.hour % 12) or 12}:{moment:%M %p}"
    return text


def what_to_do(post: Post) -> str:
    """The Instruction; an all-clear without one says no action is needed."""
    instruction = post.alert.get("instruction", "")
    if not instruction and post.alert.get("response") == ALL_CLEAR:
        return NO_ACTION
    return instruction


def alert_facts(thread: Thread, post: Post) -> AlertFacts:
    """The facts of ``post``, one message of ``thread``. The Area is the one its CAP
    document names: its own, else the incident's so far (``Thread.area_at``)."""
    index = thread.posts.index(post)
    if post.alert.get("response") == ALL_CLEAR:
        kind = "All clear"
    else:
        kind = "Alert" if index == 0 else "Update"
    return AlertFacts(kind=kind, area=thread.area_at(index), what_to_do=what_to_do(post),
                      expires=post.expires, cap_path=f"cap/{post.slug}.xml",
                      incident_id=post.incident)


def feed_html(facts: AlertFacts, site_url: str) -> str:
    """The facts as the start of a feed entry's content: escaped text in fixed markup.

    Only elements every feed reader and the sanitizer keep (``p``, ``strong``, ``a``)."""
    lines = [("Status", escape(facts.kind, quote=False))]
    if facts.area:
        lines.append(("Area", escape(facts.area, quote=False)))
    if facts.what_to_do:
        lines.append(("What to do", escape(facts.what_to_do, quote=False)))
    if facts.expires is not None:
        lines.append(("Expires", escape(when_text(facts.expires), quote=False)))
    cap = escape(f"{site_url}/{facts.cap_path}")
    links = [f'<a href="{cap}" type="application/cap+xml">CAP alert (XML)</a>']
    if facts.incident_id:
        feed = escape(f"{site_url}/feeds/incidents/{facts.incident_id}.atom.xml")
        page = escape(f"{site_url}/incidents/{facts.incident_id}/")
        links += [f'<a href="{page}">All updates on this incident</a>',
                  f'<a href="{feed}" type="application/atom+xml">Incident feed (Atom)</a>']
    body = "".join(f"<p><strong>{label}:</strong> {value}</p>" for label, value in lines)
    return f'{body}<p>{" · ".join(links)}</p>'
