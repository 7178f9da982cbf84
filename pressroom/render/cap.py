"""Common Alerting Protocol 1.2 documents for safety alerts (392.4 e), in the profiles
that carry alerts to people: the OASIS "CAP v1.2 USA IPAWS Profile v1.0" (FEMA's IPAWS,
which relays to Wireless Emergency Alerts on phones) and Google Public Alerts.

Each safety-alerts post becomes one CAP ``alert``: the first post of an incident is
``msgType`` Alert, later ones Update (an all-clear is an Update with ``responseType``
AllClear and, from the model, Past / Minor / Observed), each ``references`` every earlier
message of the incident as ``sender,identifier,sent``. A ``Status: test`` alert is
``<status>Test</status>`` and is threaded only with the test messages of its incident.
Times are in CAP's form with an offset (``2026-11-20T18:00:00-08:00``), never ``Z``.

What the writer guarantees whatever the post says (``check`` reports the same things to
the PIO earlier, in words; docs/alerts.md lists both):

* ``<code>IPAWSv1.0</code>``; one SAME ``eventCode``; ``expires``, ``description`` and
  ``area`` always present (IPAWS and Google require them);
* never ``Unknown`` urgency, severity or certainty (Google cannot rank it): an ``Unknown``
  is written as the value pressroom uses when the field is left out;
* the WEA texts ``CMAMtext`` (at most 90 septets) and ``CMAMlongtext`` (at most 360) are
  GSM-7 only: a written text that breaks either rule is replaced by the derived one;
* ``WEAHandling`` is ``Imminent Threat`` only when the three values the PIO wrote meet the
  thresholds (an ``Unknown`` never makes an alert eligible);
* one SAME ``geocode`` per ``[alerts] same_geocodes`` in every ``area``;
* no character XML 1.0 cannot carry (a stray control character would make the whole
  document unreadable to every consumer).

Documents are built element by element in the schema's order, so the output is
deterministic and valid against both the OASIS CAP 1.2 schema and the IPAWS profile's.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from xml.etree import ElementTree as ET

import markdown

from pressroom.model.alerts import (
    ALL_CLEAR_DEFAULTS,
    DEFAULT_EVENT_CODE,
    DEFAULT_EVENTS,
    HEADLINE_MAX,
    event_code,
    is_imminent_threat,
    phone_texts_in,
)
from pressroom.model.content import ALERT_DEFAULTS, Post
from pressroom.model.incidents import Thread

NS = "urn:oasis:names:tc:emergency:cap:1.2"
ET.register_namespace("", NS)
IPAWS_CODE = "IPAWSv1.0"
# Only for a post that reached the writer without Expires (a plain Pelican build):
# validation requires Expires on every safety alert.
EXPIRES_FALLBACK = timedelta(hours=24)
# Characters XML 1.0 cannot carry at all (not even as &#...;).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class CapSite:
    sender: str        # the site's host name: no spaces, commas, '<' or '&'
    sender_name: str   # the department's name
    site_url: str      # absolute, no trailing slash
    contact: str       # the public non-emergency line
    tz: tzinfo
    same_geocodes: tuple[str, ...] = ()   # [alerts] same_geocodes: six-digit SAME codes
    event_code: str = DEFAULT_EVENT_CODE  # [alerts] event_code: the department's default
    language: str = "en-US"  # CAP <language> of the originals: the site's language's
    lang: str = "en"         # its Lang code (the derived WEA texts' wording)


@dataclass(frozen=True)
class Translated:
    """One more ``<info>`` block of a message: the same alert in another language.

    ``post`` is the translation (``model.translations``); ``area`` where it is about in
    its own words (its Area, else its language's latest Area of the earlier messages);
    ``page_url`` its page (None for a test alert)."""

    language: str  # CAP <language>, e.g. "es-US"
    lang: str      # its Lang code, e.g. "es"
    post: Post
    area: str
    page_url: str | None


def translated_blocks(thread: Thread, index: int,
                      translations: Mapping[str, Mapping[str, Post]],
                      languages: Sequence[tuple[str, str]],
                      page_url: Callable[[Post], str | None]) -> tuple[Translated, ...]:
    """The translations of ``thread.posts[index]`` as blocks, in the order of ``languages``
    (``(code, cap)`` pairs: ``[languages] translations``). ``translations`` are the
    translations that may be shown, by slug then code. A language without a translation of
    this message has no block: phones set to it get the English one, never a copy of it in
    the wrong block. Like ``Thread.area_at``, an Area never comes from a later message."""
    post = thread.posts[index]
    blocks = []
    for code, cap in languages:
        translated = translations.get(post.slug, {}).get(code)
        if translated is None:
            continue
        area = next((t.area for p in reversed(thread.posts[:index + 1])
                     if (t := translations.get(p.slug, {}).get(code)) is not None and t.area),
                    "")
        blocks.append(Translated(cap, code, translated, area, page_url(translated)))
    return tuple(blocks)


def cap_time(moment: datetime, tz: tzinfo) -> str:
    """``moment`` in CAP's form, in the site's time zone. CAP's offset is hours and minutes:
    where the zone's was not (local mean time before 1883 in Los Angeles, -07:52:58, which
    a year typed as 1026 reaches), the time is written in UTC, the same moment."""
    local = moment.astimezone(tz)
    offset = local.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        local = moment.astimezone(UTC)
    text = local.isoformat(timespec="seconds")
    return text[:-6] + "-00:00" if text.endswith("+00:00") else text  # CAP's UTC form


def identifier(site: CapSite, post: Post) -> str:
    return f"{site.sender}-{post.slug}"


_CONVERTER: list[markdown.Markdown] = []


def plain_text(post: Post) -> str:
    """The summary and body as plain text (CAP descriptions are not HTML)."""
    if not _CONVERTER:  # one instance, reset between posts: building one costs more
        _CONVERTER.append(markdown.Markdown(extensions=["extra"]))
    converter = _CONVERTER[0]
    converter.reset()
    rendered = converter.convert(post.body)
    rendered = re.sub(r"<!--.*?-->", "", rendered, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return f"{post.summary}\n\n{text}".strip()


def cap_values(alert: Mapping[str, str]) -> dict[str, str]:
    """Urgency, severity and certainty as written, never ``Unknown`` (Google Public Alerts
    cannot rank an alert whose value is unknown): an ``Unknown`` or missing value is the
    one pressroom uses when the field is left out (an all-clear's for an all-clear)."""
    defaults = {**ALERT_DEFAULTS,
                **(ALL_CLEAR_DEFAULTS if alert.get("response") == "AllClear" else {})}
    values = {}
    for name in ("urgency", "severity", "certainty"):
        value = alert.get(name) or ""
        values[name] = value if value and value != "Unknown" else defaults[name]
    return values


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _add(parent: ET.Element, name: str, text: str | None) -> None:
    text = _xml_text(text or "")
    if text:
        ET.SubElement(parent, f"{{{NS}}}{name}").text = text


def _pair(parent: ET.Element, name: str, value_name: str, value: str) -> None:
    """An ``eventCode``, ``parameter`` or ``geocode``: a valueName and its value."""
    element = ET.SubElement(parent, f"{{{NS}}}{name}")
    _add(element, "valueName", value_name)
    _add(element, "value", value)


def headline(title: str) -> str:
    """The title within Google's 140 characters, cut at a word when it is longer."""
    if len(title) <= HEADLINE_MAX:
        return title
    cut = title[:HEADLINE_MAX - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > HEADLINE_MAX // 2 else cut).rstrip(" ,;:-") + "…"


def cap_document(site: CapSite, thread: Thread, index: int, page_url: str | None,
                 translations: Sequence[Translated] = ()) -> bytes:
    """The CAP alert for ``thread.posts[index]``; ``page_url`` is its page (None for a test
    alert, which has no page). One message whatever the languages: ``identifier``,
    ``msgType`` and ``references`` are the original's; its ``<info>`` comes first, then one
    per ``translations`` (``translated_blocks``), each in its own words."""
    post = thread.posts[index]
    alert = ET.Element(f"{{{NS}}}alert")
    _add(alert, "identifier", identifier(site, post))
    _add(alert, "sender", site.sender)
    _add(alert, "sent", cap_time(post.date, site.tz))
    _add(alert, "status", "Test" if post.is_test else "Actual")
    _add(alert, "msgType", "Alert" if index == 0 else "Update")
    _add(alert, "scope", "Public")
    _add(alert, "code", IPAWS_CODE)
    if index:
        _add(alert, "references", " ".join(
            f"{site.sender},{identifier(site, p)},{cap_time(p.date, site.tz)}"
            for p in thread.posts[:index]))
    if post.incident:
        _add(alert, "incidents", post.incident)
    original = Translated(site.language, site.lang, post, thread.area_at(index), page_url)
    for block in (original, *translations):
        _info(ET.SubElement(alert, f"{{{NS}}}info"), site, post, block)
    ET.indent(alert)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(alert, encoding="utf-8",
                                                                     xml_declaration=False) + b"\n"


def _event(original: Post, block: Translated) -> str:
    """The block's ``event``, a text in the block's language: the original's in its own
    block; a translation's own ``Event:``, else its language's default event name (never the
    original's English, unless pressroom has no name in that language)."""
    original_event = original.alert.get("event") or ALERT_DEFAULTS["event"]
    written = block.post.fields.get("event")  # ``alert`` has the English default filled in
    if block.post is original:
        return original_event
    if written is not None and written.value.strip():
        return written.value.strip()
    return DEFAULT_EVENTS.get(block.lang) or original_event


def _info(info: ET.Element, site: CapSite, original: Post, block: Translated) -> None:
    """One ``info`` block, its children in the order of the schema's sequence.

    What the alert *is* (response, urgency, severity, certainty, event code, expiry, WEA
    handling, polygon, circle, geocodes) is the original's in every block, so phones and
    aggregators in any language get the same alert; what it *says* (event name, headline,
    description, instruction, area in words, page, WEA texts) is ``block.post``'s own."""
    fields, post = original.alert, block.post
    area_desc = block.area or site.sender_name
    _add(info, "language", block.language)
    _add(info, "category", "Security")
    _add(info, "event", _event(original, block))
    _add(info, "responseType", fields.get("response") or ALERT_DEFAULTS["response"])
    values = cap_values(fields)
    for name in ("urgency", "severity", "certainty"):
        _add(info, name, values[name])
    _pair(info, "eventCode", "SAME", event_code(fields, site.event_code))
    _add(info, "expires", cap_time(original.expires or original.date + EXPIRES_FALLBACK,
                                   site.tz))
    _add(info, "senderName", site.sender_name)
    _add(info, "headline", headline(post.title))
    _add(info, "description", plain_text(post) or post.title)
    _add(info, "instruction", post.alert.get("instruction"))
    _add(info, "web", block.page_url)
    _add(info, "contact", site.contact)
    texts = phone_texts_in(block.lang, post.alert, post.title, post.summary, area_desc)
    if texts is not None:
        _pair(info, "parameter", "CMAMtext", texts.text)
        _pair(info, "parameter", "CMAMlongtext", texts.long_text)
    _pair(info, "parameter", "WEAHandling",
          "Imminent Threat" if is_imminent_threat(fields) else "Public Safety")
    area = ET.SubElement(info, f"{{{NS}}}area")
    _add(area, "areaDesc", area_desc)
    _add(area, "polygon", fields.get("polygon"))
    _add(area, "circle", fields.get("circle"))
    for code in site.same_geocodes:
        _pair(area, "geocode", "SAME", code)
