"""RSS 2.0 and Atom feeds, written explicitly with feedgen.

Feed readers and aggregators are how much of the public follows the
department, so feeds must be stable: every entry has a permanent id, its own
``published`` (the post's Date) and ``updated`` (Modified, else Date), and the
feed's own ``updated`` is the newest entry's, never "now" — two builds of the
same content give byte-identical feeds and readers do not resend old items.
Every feed starts with a processing instruction naming the theme's ``feed.xsl`` (issue #14),
so a resident who clicks "RSS" sees a readable page instead of raw XML; readers ignore it.
An empty feed's ``updated`` is the Unix epoch (``EMPTY_UPDATED``), not the newest post of
the site: adding a traffic post must not change the feeds of categories it is not in
(the review sheet would list every empty category's feeds as changed).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from pressroom.adapter.writer import write_output

EMPTY_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)  # an empty feed's updated and lastBuildDate


@dataclass(frozen=True)
class FeedEntry:
    slug: str
    title: str
    url: str  # absolute
    published: datetime
    updated: datetime
    summary_html: str
    content_html: str
    category: str  # slug
    category_name: str
    author_name: str
    link_type: str = ""  # e.g. application/cap+xml for the CAP index


@dataclass(frozen=True)
class FeedMeta:
    title: str
    subtitle: str
    site_url: str  # absolute, no trailing slash
    page_url: str  # absolute URL of the HTML page this feed mirrors
    atom_url: str  # absolute URL of the Atom file itself
    rss_url: str
    language: str
    hub: str = ""  # the WebSub hub feed readers may subscribe at; "" for none


ATOM_NS = "http://www.w3.org/2005/Atom"


class _RssHub(BaseExtension):
    """``<atom:link rel="hub">`` in an RSS channel, right after its ``rel="self"`` link.

    feedgen accepts ``rel="hub"`` but writes only the self link into RSS (the Atom
    output has every link): WebSub discovery in RSS needs both as ``atom:link``.
    """

    def __init__(self) -> None:
        self.href = ""

    def extend_rss(self, feed):
        channel = feed.find("channel")
        if channel is None or not self.href:
            return feed
        hub = etree.Element(f"{{{ATOM_NS}}}link", href=self.href, rel="hub")
        selfs = channel.findall(f"{{{ATOM_NS}}}link[@rel='self']")
        if selfs:
            selfs[0].addnext(hub)
        else:
            channel.append(hub)
        return feed


class _EntryLinkType(BaseEntryExtension):
    """``type`` on an Atom entry's link (``application/cap+xml`` in the CAP index).

    feedgen 1.0 drops every attribute but ``href`` from an entry's links (its loop variable
    is reused), and aggregators such as Google Public Alerts find the CAP document of an
    index entry by that type."""

    def __init__(self) -> None:
        self.type = ""

    def extend_atom(self, entry):
        for link in entry:
            if self.type and etree.QName(link).localname == "link":
                link.set("rel", "alternate")
                link.set("type", self.type)
        return entry


def text_html(text: str) -> str:
    """A post's Summary as it may appear where a feed carries HTML: escaped text.

    The Summary is the author's text; a feed reader renders ``type="html"`` content, so
    anything that looks like markup must arrive as text, never as a script or image."""
    return html.escape(text, quote=False)


def entry_id(site_url: str, entry: FeedEntry) -> str:
    """A tag: URI (RFC 4151) from host, first publication date and slug: never changes."""
    host = urlsplit(site_url).hostname or "localhost"
    return f"tag:{host},{entry.published:%Y-%m-%d}:{entry.slug}"


def _generator(meta: FeedMeta, entries: Sequence[FeedEntry], self_url: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(meta.page_url)
    fg.title(meta.title)
    fg.subtitle(meta.subtitle or meta.title)
    fg.language(meta.language)
    # rel=self first: RSS takes the last link added as the channel link.
    fg.link(href=self_url, rel="self")
    if meta.hub:
        fg.link(href=meta.hub, rel="hub")
        fg.register_extension("pressroom_hub", _RssHub, BaseEntryExtension, atom=False)
        fg.pressroom_hub.href = meta.hub
    fg.link(href=meta.page_url, rel="alternate")
    updated = max((e.updated for e in entries), default=EMPTY_UPDATED)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    fg.generator("pressroom")
    if any(entry.link_type for entry in entries):
        fg.register_extension("pressroom_link", BaseExtension, _EntryLinkType, rss=False)
    for entry in entries:
        fe = fg.add_entry(order="append")
        fe.id(entry_id(meta.site_url, entry))
        fe.guid(entry_id(meta.site_url, entry), permalink=False)
        fe.title(entry.title)
        fe.link(href=entry.url, rel="alternate")
        if entry.link_type:
            fe.pressroom_link.type = entry.link_type
        fe.published(entry.published)
        fe.updated(entry.updated)
        fe.author(name=entry.author_name)
        fe.category(term=entry.category, label=entry.category_name)
        fe.summary(entry.summary_html, type="html")
        fe.content(entry.content_html, type="html")
    return fg


# Theme static files, the same for every feed (not fingerprinted: a feed's bytes must not
# change with the theme's). XSLT first: a page with links. Browsers are removing XSLT
# (Chromium 156 shows it with a warning bar); one without it applies the CSS instead.
FEED_STYLESHEETS = (("text/xsl", "theme/feed.xsl"), ("text/css", "theme/feed.css"))


def stylesheet_instruction(site_url: str) -> bytes:
    """The ``<?xml-stylesheet ...?>`` lines naming the site's feed stylesheets by their path
    on the site's own host (a browser applies an XSLT only from the feed's origin), never a
    host name: the same bytes on every build, and on a preview served anywhere."""
    path = urlsplit(site_url).path.rstrip("/")
    return "".join(f'<?xml-stylesheet type="{kind}" href="{html.escape(f"{path}/{rel}")}"?>\n'
                   for kind, rel in FEED_STYLESHEETS).encode()


def with_stylesheet(document: bytes, site_url: str) -> bytes:
    """``document`` (feedgen's, starting with its XML declaration line) with the stylesheet
    instruction right after that line."""
    declaration, newline, rest = document.partition(b"\n")
    if not declaration.startswith(b"<?xml ") or not newline:  # feedgen changed: a bug here
        raise RuntimeError("feed output does not start with an XML declaration line")
    return declaration + newline + stylesheet_instruction(site_url) + rest


def render_feeds(meta: FeedMeta, entries: Sequence[FeedEntry]) -> tuple[bytes, bytes]:
    """Return ``(rss, atom)`` documents for ``entries`` (newest first)."""
    rss = _generator(meta, entries, meta.rss_url).rss_str(pretty=True)
    atom = _generator(meta, entries, meta.atom_url).atom_str(pretty=True)
    return with_stylesheet(rss, meta.site_url), with_stylesheet(atom, meta.site_url)


def write_feed_pair(writer, rss_path: str, atom_path: str, meta: FeedMeta,
                    items: list[FeedEntry]) -> None:
    """RSS and Atom of one feed, rendered once and only when its entries changed."""
    rendered: list[tuple[bytes, bytes]] = []

    def produce(which: int) -> bytes:
        if not rendered:
            rendered.append(render_feeds(meta, items))
        return rendered[0][which]

    inputs = (meta, items)
    write_output(writer, rss_path, inputs, lambda: produce(0))
    write_output(writer, atom_path, inputs, lambda: produce(1))
