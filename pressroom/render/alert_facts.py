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

Pure: no Pelican, no Jinja; HTML written here is escaped text in fixed markup. The words
are English msgids: a page translates them in its template, a feed entry through the
``gettext`` its caller passes (``pressroom.adapter.i18n.gettext_for``), so a Spanish entry
reads Spanish (issue #14).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape

from pressroom.model.content import Post
from pressroom.model.incidents import Thread
from pressroom.render.dates import DEFAULT_LOCALE
from pressroom.render.dates import when_text as when_text

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


def _untranslated(message: str) -> str:
    return message


def feed_html(facts: AlertFacts, site_url: str,
              gettext: Callable[[str], str] = _untranslated,
              locale: str = DEFAULT_LOCALE) -> str:
    """The facts as the start of a feed entry's content: escaped text in fixed markup, in
    the language of ``gettext`` and ``locale`` (English by default).

    Only elements every feed reader and the sanitizer keep (``p``, ``strong``, ``a``)."""
    _ = gettext
    lines = [(_("Status"), escape(_(facts.kind), quote=False))]
    if facts.area:
        lines.append((_("Area"), escape(facts.area, quote=False)))
    if facts.what_to_do:
        todo = _(NO_ACTION) if facts.what_to_do == NO_ACTION else facts.what_to_do
        lines.append((_("What to do"), escape(todo, quote=False)))
    if facts.expires is not None:
        lines.append((_("Expires"), escape(when_text(facts.expires, True, locale), quote=False)))
    cap = escape(f"{site_url}/{facts.cap_path}")
    links = [f'<a href="{cap}" type="application/cap+xml">{escape(_("CAP alert (XML)"))}</a>']
    if facts.incident_id:
        feed = escape(f"{site_url}/feeds/incidents/{facts.incident_id}.atom.xml")
        page = escape(f"{site_url}/incidents/{facts.incident_id}/")
        links += [f'<a href="{page}">{escape(_("All updates on this incident"))}</a>',
                  f'<a href="{feed}" type="application/atom+xml">'
                  f'{escape(_("Incident feed (Atom)"))}</a>']
    body = "".join(f"<p><strong>{escape(label)}:</strong> {value}</p>"
                   for label, value in lines)
    return f'{body}<p>{" · ".join(links)}</p>'
