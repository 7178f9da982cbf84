"""392.4 (e): the CAP files of a build — ``cap/<slug>.xml`` for every public safety alert
and every due test alert, and ``cap/index.atom``, the index Google Public Alerts and
other aggregators poll.

The index lists the messages of active alerts, of alerts that ended in the last 48 hours
(``model.incidents.in_cap_index``) and of due test alerts (titled "TEST: ..."). Google
reads at most 900 KB of an index, so it is kept within ``CAP_INDEX_BUDGET`` bytes: when a
department has so many recent alerts that it would be larger, the oldest *ended* alerts'
entries leave it first; an active alert's entries never do. Called by the
``pressroom_incidents`` plugin; the CAP documents themselves are ``pressroom.render.cap``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pressroom.adapter.feeds import FeedEntry, FeedMeta, render_feeds, text_html
from pressroom.adapter.languages import languages
from pressroom.adapter.writer import write_output
from pressroom.model.content import Post
from pressroom.model.incidents import Thread, in_cap_index, order_key, test_threads
from pressroom.model.translations import translation_sets
from pressroom.render.cap import (
    CapSite,
    Translated,
    cap_document,
    identifier,
    translated_blocks,
)

logger = logging.getLogger(__name__)
CAP_DIR = "cap"
CAP_INDEX_BUDGET = 800_000  # bytes; Google Public Alerts reads at most 900 KB
TEST_PREFIX = "TEST: "


@dataclass(frozen=True)
class IndexItem:
    """One index entry and what decides whether it may leave an oversized index."""

    entry: FeedEntry
    active: bool     # its alert is active: it stays whatever the size
    ends: datetime   # when its alert ended: the oldest ended leave first


def cap_site(settings: Mapping[str, Any]) -> CapSite:
    """The sender, contact and ``[alerts]`` settings every CAP document of a build shares."""
    site_url = settings["SITEURL"].rstrip("/")
    alerts = settings.get("PRESSROOM_ALERTS") or {}
    default = languages(settings)[0]  # with "cap" when the department lists languages
    return CapSite(sender=urlsplit(site_url).hostname or "localhost",
                   sender_name=settings["SITENAME"], site_url=site_url,
                   contact=settings.get("PRESSROOM_CONTACT", {}).get("non_emergency", ""),
                   tz=ZoneInfo(settings["TIMEZONE"]),
                   same_geocodes=tuple(alerts.get("same_geocodes") or ()),
                   **({"event_code": alerts["event_code"]} if alerts.get("event_code") else {}),
                   **({"language": default["cap"], "lang": default["code"]}
                      if default.get("cap") else {}))


def translation_languages(settings: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(code, cap)`` of each ``[languages] translations``, in the department's order (the
    order of the ``<info>`` blocks after the original's)."""
    return [(lang["code"], lang["cap"]) for lang in languages(settings)[1:]]


def translation_url(settings: Mapping[str, Any], post: Post) -> str:
    """A translation's page, as Pelican addresses it: ``ARTICLE_LANG_URL`` (Pelican's default
    when the site sets none), formatted with the post's date, slug and language."""
    pattern = settings.get("ARTICLE_LANG_URL") or "{slug}-{lang}.html"
    return pattern.format(date=post.date, slug=post.slug, lang=post.lang)


def shown_translations(posts: Sequence[Post], threads: Sequence[Thread], default: str,
                       now: datetime) -> dict[str, dict[str, Post]]:
    """The translations a CAP document of ``threads`` carries, by slug then language: of an
    original in a thread, due, not removed, and of the same kind (a ``Status: test``
    translation only of a test alert, a published one only of a published alert). A
    translation changes nothing about its alert but the words: a removed or withdrawn
    original is decided by the original alone (the threads)."""
    originals = {p.slug: p for thread in threads for p in thread.posts
                 if (p.lang or default) == default}
    shown: dict[str, dict[str, Post]] = {}
    alerts = (p for p in posts if p.category == "safety-alerts")
    for slug, found in translation_sets(alerts, default).items():
        original = originals.get(slug)
        if original is None:
            continue
        for code, post in found.translations.items():
            due = post.date <= now and not post.removed
            same_kind = post.is_test if original.is_test else post.status == "published"
            if due and same_kind:
                shown.setdefault(slug, {})[code] = post
    return shown


def originals_only(threads: Mapping[str, Thread], default: str) -> dict[str, Thread]:
    """``threads`` with their translations left out: one CAP message per item, whatever
    the languages (a translation is a block of its original's document)."""
    kept = {}
    for key, thread in threads.items():
        posts = tuple(p for p in thread.posts if (p.lang or default) == default)
        if posts:
            kept[key] = thread if len(posts) == len(thread.posts) else Thread(thread.id, posts)
    return kept


def index_meta(settings: Mapping[str, Any], site_url: str) -> FeedMeta:
    return FeedMeta(title=f"{settings['SITENAME']}: active CAP alerts",
                    subtitle="Common Alerting Protocol 1.2 messages for active safety alerts",
                    site_url=site_url, page_url=f"{site_url}/follow/#follow-cap",
                    atom_url=f"{site_url}/{CAP_DIR}/index.atom",
                    rss_url=f"{site_url}/{CAP_DIR}/index.atom",
                    language=settings.get("DEFAULT_LANG", "en"),
                    hub=settings.get("PRESSROOM_WEBSUB_HUB", ""))


def render_index(meta: FeedMeta, entries: Sequence[FeedEntry]) -> bytes:
    return render_feeds(meta, entries)[1]


def window(items: Sequence[IndexItem], render: Callable[[list[FeedEntry]], bytes],
           budget: int = CAP_INDEX_BUDGET) -> tuple[list[FeedEntry], bytes]:
    """The entries the index keeps and the index itself, at most ``budget`` bytes.

    ``items`` are in listing order. When everything fits (the usual case: one render),
    everything stays; else the fewest ended entries leave, oldest ended first, found by
    bisection (a few renders). Active entries always stay, even if they alone are over
    (the build then warns: it never hides a current alert to save bytes)."""
    entries = [item.entry for item in items]
    document = render(entries)
    if len(document) <= budget:
        return entries, document
    leaving = sorted((i for i, item in enumerate(items) if not item.active),
                     key=lambda i: (items[i].ends, items[i].entry.updated, -i))

    def kept(drop: int) -> list[FeedEntry]:
        gone = set(leaving[:drop])
        return [item.entry for i, item in enumerate(items) if i not in gone]

    low, high = 1, len(leaving)  # the fewest dropped that fits lies in low..high
    best = render(kept(high))
    if len(best) > budget:
        logger.warning("cap/index.atom is %d bytes with its active alerts alone (budget "
                       "%d): Google Public Alerts reads at most 900 KB", len(best), budget)
        return kept(high), best
    while low < high:
        middle = (low + high) // 2
        document = render(kept(middle))
        if len(document) <= budget:
            high, best = middle, document
        else:
            low = middle + 1
    return kept(high), best  # best is always the render of kept(high)


def _entry(settings: Mapping[str, Any], site: CapSite, post: Post,
           blocks: Sequence[Translated] = ()) -> FeedEntry:
    """A post's index entry: its title (prefixed for a test), summary and CAP address. One
    entry per message whatever its languages; it is ``updated`` when its document last
    changed, a translation's arrival included, so an aggregator fetches it again."""
    title = f"{TEST_PREFIX}{post.title}" if post.is_test else post.title
    return FeedEntry(
        slug=identifier(site, post), title=title,
        url=f"{site.site_url}/{CAP_DIR}/{post.slug}.xml", published=post.date,
        updated=max([post.updated, *(block.post.updated for block in blocks)]),
        summary_html=text_html(post.summary), content_html="",
        category="safety-alerts", category_name="Safety Alerts",
        author_name=settings["SITENAME"], link_type="application/cap+xml")


def write_cap(settings: Mapping[str, Any], writer: Any, threads: Mapping[str, Thread],
              posts: Sequence[Post], now: datetime, page_url: Callable[[Post], str]) -> None:
    """Every CAP document of the build and the CAP index.

    ``threads`` are the public incidents (``model.incidents.threads``); ``posts`` every
    validated post of the build, from which the due test alerts are threaded apart. The
    index budget is ``CAP_INDEX_BUDGET`` unless a build override gives the ``[alerts]``
    settings a ``cap_index_budget`` (the tests do, to window a small department; Google's
    limit is 900 KB, so no department needs more)."""
    site = cap_site(settings)
    alerts = settings.get("PRESSROOM_ALERTS") or {}
    budget = int(alerts.get("cap_index_budget") or CAP_INDEX_BUDGET)
    items: list[tuple[tuple[float, float, str], IndexItem]] = []
    threads = originals_only(threads, site.lang)
    tests = originals_only(test_threads(posts, now), site.lang)
    if (threads or tests) and not site.same_geocodes:
        logger.warning("policy/site.toml sets no [alerts] same_geocodes: the CAP documents "
                       "carry no SAME geocode, which IPAWS requires (docs/alerts.md)")
    everything = [*threads.values(), *tests.values()]
    shown = shown_translations(posts, everything, site.lang, now)
    languages = translation_languages(settings)

    def url_of(post: Post) -> str | None:
        if post.is_test:
            return None
        path = translation_url(settings, post) if post.lang not in ("", site.lang) \
            else page_url(post)
        return f"{site.site_url}/{path}"

    for thread in everything:
        listed, active = in_cap_index(thread, now), thread.active(now)
        for index, post in enumerate(thread.posts):
            url = url_of(post)
            blocks = translated_blocks(thread, index, shown, languages, url_of)
            write_output(writer, f"{CAP_DIR}/{post.slug}.xml",
                         (site, thread, index, url, blocks),
                         partial(cap_document, site, thread, index, url, blocks))
            if listed:
                # Newest first by the one listing order, by when each message last changed
                # (an incident's all-clear above its update of the same minute).
                key = order_key(post.updated, post.sequence, post.alert.get("response", ""),
                                post.slug)
                items.append((key, IndexItem(_entry(settings, site, post, blocks), active,
                                             thread.ends)))
    ordered = [item for _, item in sorted(items, key=lambda pair: pair[0])]
    meta = index_meta(settings, site.site_url)
    write_output(writer, f"{CAP_DIR}/index.atom", (meta, ordered, budget),
                 lambda: window(ordered, partial(render_index, meta), budget)[1])
