"""392.4 (e), 392.4.1: incident pages, the active-alert banner, CAP 1.2 files.

From the build session's validated posts and "now" (``pressroom.adapter.session``):

* every page gets ``alert_banner`` — the active alerts (each incident's name, area and
  page), newest first;
* each safety-alert article gets ``thread`` (its incident's latest status and update, and
  this message's facts and area map: ``pressroom.render.alert_facts``, ``.area_map``);
* ``incident_feeds``: the active incidents, for the follow page;
* ``incidents/<id>/`` pages with their own RSS and Atom feeds (each entry's content starts
  with the message's status, Area, What to do, expiry and CAP link);
* ``cap/<slug>.xml`` for every public safety alert and due test alert, and
  ``cap/index.atom``, the index of active alerts (ended ones drop off 48 hours after they
  end, or sooner if the index would be too large): ``pressroom.adapter.cap_index``.

The decisions are the core's (``pressroom.model.incidents``, ``pressroom.render.cap``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from functools import partial

from pelican import signals

from pressroom.adapter.cap_index import write_cap
from pressroom.adapter.feeds import FeedEntry, FeedMeta, text_html, write_feed_pair
from pressroom.adapter.i18n import gettext_for, locale_of
from pressroom.adapter.languages import (
    alternates_from,
    default_code,
    languages,
    translation_codes,
)
from pressroom.adapter.session import build_time, current, current_posts
from pressroom.model.content import Post
from pressroom.model.incidents import active_threads, threads
from pressroom.render.alert_facts import alert_facts, feed_html, what_to_do
from pressroom.render.area_map import area_map

logger = logging.getLogger(__name__)


def _thread_url(settings, thread) -> str:
    return f"incidents/{thread.id}/" if thread.first.incident else \
        _article_url(settings, thread.first)


def attach_threads(generators) -> None:
    articles_gen = next((g for g in generators if hasattr(g, "articles")), None)
    if articles_gen is None:
        return
    settings = articles_gen.settings
    if current() is None:
        logger.warning("pressroom_incidents: no build session (build with pressroom build)")
        return
    posts = current_posts()  # none at all in a new department: no incidents, no banner
    now = build_time()
    by_path = {a.source_path: a for a in articles_gen.articles}
    public = [posts[path] for path in by_path if path in posts]
    all_threads = threads(public, now)
    slug_to_thread = {p.slug: t for t in all_threads.values() for p in t.posts}
    local = localized(settings, [posts[a.source_path] for a in articles_gen.translations
                                 if a.source_path in posts])
    for article in articles_gen.articles:
        thread = slug_to_thread.get(article.slug)
        article.thread = thread and _thread_view(settings, thread, article.slug, now)
    for article in articles_gen.translations:
        thread = slug_to_thread.get(article.slug)
        post = posts.get(article.source_path)
        article.thread = thread and post and _thread_view(
            settings, thread, article.slug, now, local.get(post.lang or ""))
    # The incident's name, not its latest title: the banner stays put while updates
    # arrive (the incident page leads with the latest), so an update does not mean
    # rewriting every page of the site. On another language's pages each alert shows in
    # that language when translated, else in the default one, marked as such.
    banner = [{"title": thread.first.title, "area": thread.area,
               "url": _thread_url(settings, thread), "updated": thread.latest.date,
               "lang": default_code(settings),
               "languages": {code: _banner_item(settings, thread, local[code], code)
                             for code in translation_codes(settings) if code in local}}
              for thread in active_threads(public, now)]
    articles_gen.context["alert_banner"] = banner
    articles_gen.context["pressroom_threads"] = all_threads
    articles_gen.context["pressroom_localized"] = local
    # The follow page lists the feeds of active incidents (what a resident can follow now);
    # another language's follow page links its incident pages and feeds where they exist.
    articles_gen.context["incident_feeds"] = [
        {"id": thread.id, "title": thread.first.title, "url": _thread_url(settings, thread),
         "prefix": "",
         "languages": {code: {"id": thread.id, "prefix": lang.prefix,
                              "title": lang.posts.get(thread.first.slug, thread.first).title,
                              "url": lang.thread_url(settings, thread)}
                       for code, lang in local.items() if lang.has(thread)}}
        for thread in active_threads(public, now) if thread.first.incident]


def _thread_view(settings, thread, slug: str, now, local: Localized | None = None) -> dict:
    """What an alert's page shows of its incident and of itself (``article.thread``).

    The incident's *latest* status and update (a page is rebuilt when its incident
    changes: its key covers this dict), and this message's facts and map. On a
    translation's page (``local``: its language's posts) the texts are the translation's
    and the links go to that language's pages where they exist."""
    post = next(p for p in thread.posts if p.slug == slug)
    facts = alert_facts(thread, post)
    url = _thread_url(settings, thread)
    latest = thread.latest
    own = post
    if local is not None:
        own = local.posts.get(slug, post)
        facts = replace(facts, area=own.area or facts.area, what_to_do=what_to_do(own))
        url = local.thread_url(settings, thread) or url
        latest = local.posts.get(latest.slug, latest)
    _ = gettext_for(local.code if local is not None else post.lang or default_code(settings))
    return {
        "id": thread.id, "status": thread.status(now), "url": url,
        "is_incident": bool(thread.first.incident), "ends": thread.ends,
        "latest": thread.latest.slug == slug,
        "latest_title": latest.title,
        "latest_url": _article_url(settings, latest),
        "latest_updated": thread.latest.updated,
        "facts": facts,
        "expiry": _expiry(thread, facts.expires, now),
        "map": area_map(post.alert.get("polygon", ""), post.alert.get("circle", ""),
                        own.area or post.area, post.slug, _),
    }


def write_incidents(generator, writer) -> None:
    settings = generator.settings
    all_threads = generator.context.get("pressroom_threads")
    if all_threads is None:
        return
    now = build_time()
    site_url = settings["SITEURL"].rstrip("/")
    template = generator.get_template("incident")
    local = generator.context.get("pressroom_localized") or {}
    for thread in all_threads.values():
        if thread.first.incident:
            posts = [_post_view(settings, p) for p in thread.posts]
            alternates = {code: f"{lang.prefix}incidents/{thread.id}/"
                          for code, lang in local.items() if lang.has(thread)}
            alternates[default_code(settings)] = f"incidents/{thread.id}/"
            writer.write_file(f"incidents/{thread.id}/index.html", template, generator.context,
                              relative_urls=settings["RELATIVE_URLS"],
                              url=f"incidents/{thread.id}/", thread=thread, posts=posts,
                              status=thread.status(now), page_name=f"incidents/{thread.id}",
                              area_map=_latest_map(thread, settings),
                              alternates=alternates_from(settings, default_code(settings),
                                                         alternates))
            _write_thread_feeds(settings, writer, thread, site_url)
            for code, lang in local.items():
                if lang.has(thread):
                    write_local_incident(settings, writer, template, generator.context, thread,
                                         lang, now, alternates_from(settings, code, alternates))
    # CAP documents are per item (``cap/<slug>.xml``): the original's message with one
    # <info> per language (write_cap keeps the originals and finds their translations).
    write_cap(settings, writer, all_threads, list(current_posts().values()), now,
              partial(_article_url, settings))


def _article_url(settings, post) -> str:
    if post.lang and post.lang != default_code(settings):
        return settings["ARTICLE_LANG_URL"].format(date=post.date, slug=post.slug,
                                                   lang=post.lang)
    return settings["ARTICLE_URL"].format(date=post.date, slug=post.slug)


def _post_view(settings, post):
    return {"title": post.title, "date": post.date, "updated": post.updated,
            "summary": post.summary, "lang": post.lang or default_code(settings),
            "url": _article_url(settings, post),
            "area": post.area, "instruction": post.alert.get("instruction", ""),
            "response": post.alert.get("response", ""), "expires": post.expires}


def _expiry(thread, expires, now) -> tuple[str, object] | None:
    """("Until" | "Expired" | "Ended", when) for a message's expiry line.

    While the incident is active the words follow the clock (``upcoming_changes`` names
    the moments); once it has ended they never change again: a message that would have
    run past the end says when the incident ended (its all-clear, or the last expiry)."""
    if expires is None:
        return None
    if thread.active(now):
        return ("Expired", expires) if now >= expires else ("Until", expires)
    return ("Expired", expires) if expires <= thread.ends else ("Ended", thread.ends)


def _latest_map(thread, settings, local: Localized | None = None):
    """The map of the incident's latest area: its newest post with a Polygon or Circle,
    in the incident page's language (``local``'s, else the site's), with its words."""
    _ = gettext_for(local.code if local is not None else default_code(settings))
    for post in reversed(thread.posts):
        area = (local.posts.get(post.slug, post).area if local is not None else "") or post.area
        shown = area_map(post.alert.get("polygon", ""), post.alert.get("circle", ""),
                         area, post.slug, _)
        if shown is not None:
            return shown
    return None


def _write_thread_feeds(settings, writer, thread, site_url: str,
                        local: Localized | None = None) -> None:
    """An incident's RSS and Atom feeds; in another language (``local``) at its prefix,
    with the messages translated into it (the page lists every message), their words
    and labels in that language."""
    pairs = [(p, p) for p in thread.posts] if local is None else \
        [(p, local.posts[p.slug]) for p in thread.posts if p.slug in local.posts]
    prefix = local.prefix if local is not None else ""
    code = local.code if local is not None else default_code(settings)
    _ = gettext_for(code)
    entries = []
    for original, p in reversed(pairs):
        facts = alert_facts(thread, original)
        if p is not original:
            facts = replace(facts, area=p.area or facts.area, what_to_do=what_to_do(p))
        entries.append(FeedEntry(
            slug=p.slug, title=p.title,
            url=f"{site_url}/{_article_url(settings, p)}",
            published=p.date, updated=p.updated, summary_html=text_html(p.summary),
            content_html=feed_html(facts, site_url, _, locale_of(code))
            + f"<p>{text_html(p.summary)}</p>",
            category="safety-alerts", category_name=_("Safety Alerts"),
            author_name=settings["SITENAME"]))
    first = pairs[0][1] if pairs else thread.first
    meta = FeedMeta(title=f"{settings['SITENAME']}: {first.title}",
                    subtitle=_("Updates on incident %(id)s") % {"id": thread.id},
                    site_url=site_url,
                    page_url=f"{site_url}/{prefix}incidents/{thread.id}/",
                    atom_url=f"{site_url}/{prefix}feeds/incidents/{thread.id}.atom.xml",
                    rss_url=f"{site_url}/{prefix}feeds/incidents/{thread.id}.rss.xml",
                    language=code,
                    hub=settings.get("PRESSROOM_WEBSUB_HUB", ""))
    write_feed_pair(writer, f"{prefix}feeds/incidents/{thread.id}.rss.xml",
                    f"{prefix}feeds/incidents/{thread.id}.atom.xml", meta, entries)


@dataclass(frozen=True)
class Localized:
    """One other language's public translations of alerts, by slug (``posts``)."""

    code: str
    prefix: str
    posts: dict[str, Post]

    def has(self, thread) -> bool:
        """Whether the incident has a page in this language: a message is translated."""
        return any(p.slug in self.posts for p in thread.posts)

    def thread_url(self, settings, thread) -> str:
        """The incident's (or lone alert's) page in this language, "" when there is none."""
        if thread.first.incident:
            return f"{self.prefix}incidents/{thread.id}/" if self.has(thread) else ""
        first = self.posts.get(thread.first.slug)
        return _article_url(settings, first) if first is not None else ""

    def carried(self, thread, read) -> tuple[str, str]:
        """``(words, language)`` of what the incident says now (``read``: a post's Area or
        Instruction): the newest message that states it, in this language when that
        message is translated, else in the default language — never an older
        translation's words beside a newer message (an evacuation is not "avoid the
        area" because only the first alert was translated)."""
        for post in reversed(thread.posts):
            if read(post):
                own = self.posts.get(post.slug)
                if own is not None and read(own):
                    return read(own), self.code
                return read(post), ""
        return "", ""

    def area(self, thread) -> str:
        return self.carried(thread, lambda p: p.area)[0] or thread.area


@dataclass(frozen=True)
class LocalThread:
    """What the incident template reads of a thread, in another language."""

    id: str
    first: Post
    latest: Post
    ends: object
    area: str
    cleared: bool
    instruction: str
    # The language of ``area``, ``instruction`` and ``latest`` when it is not the page's
    # ("" = the page's own): the template marks them with ``lang``.
    area_lang: str = ""
    instruction_lang: str = ""
    latest_lang: str = ""


def localized(settings, translations: list[Post]) -> dict[str, Localized]:
    """The translations grouped by language (one pass), for every configured language."""
    prefixes = {lang["code"]: lang["prefix"] for lang in languages(settings)[1:]}
    out = {code: Localized(code, prefix, {}) for code, prefix in prefixes.items()}
    for post in translations:
        if post.lang in out:
            out[post.lang].posts[post.slug] = post
    return out


def _banner_item(settings, thread, local: Localized, code: str) -> dict:
    """An active alert as another language's banner shows it: translated, or the default
    language's text marked as such (``lang``) — never left out."""
    first = local.posts.get(thread.first.slug)
    if first is None:
        return {"title": thread.first.title, "area": thread.area,
                "url": _thread_url(settings, thread), "lang": default_code(settings)}
    return {"title": first.title, "area": local.area(thread),
            "url": local.thread_url(settings, thread), "lang": code}


def write_local_incident(settings, writer, template, context, thread, local: Localized, now,
                         alternates: list[dict]) -> None:
    """``es/incidents/<id>/``: every message, translated where it is (else the default
    language's, marked), and the incident's feeds in that language."""
    posts = [_post_view(settings, local.posts.get(p.slug, p)) for p in thread.posts]
    default = default_code(settings)
    area, area_in = local.carried(thread, lambda p: p.area)
    instruction, instruction_in = local.carried(thread, lambda p: p.alert.get("instruction"))
    view = LocalThread(
        id=thread.id, first=local.posts.get(thread.first.slug, thread.first),
        latest=local.posts.get(thread.latest.slug, thread.latest), ends=thread.ends,
        area=area or thread.area, cleared=thread.cleared,
        instruction=instruction or thread.instruction,
        area_lang="" if area_in else default, instruction_lang="" if instruction_in else default,
        latest_lang="" if thread.latest.slug in local.posts else default)
    url = f"{local.prefix}incidents/{thread.id}/"
    writer.write_file(f"{url}index.html", template, context,
                      relative_urls=settings["RELATIVE_URLS"], url=url, thread=view,
                      posts=posts, status=thread.status(now), page_name=f"incidents/{thread.id}",
                      area_map=_latest_map(thread, settings, local), alternates=alternates)
    _write_thread_feeds(settings, writer, thread, settings["SITEURL"].rstrip("/"), local)


def register() -> None:
    signals.all_generators_finalized.connect(attach_threads)
    signals.article_writer_finalized.connect(write_incidents)
