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
from functools import partial

from pelican import signals

from pressroom.adapter.cap_index import write_cap
from pressroom.adapter.feeds import FeedEntry, FeedMeta, text_html, write_feed_pair
from pressroom.adapter.i18n import gettext_for, locale_of
from pressroom.adapter.session import build_time, current, current_posts
from pressroom.model.incidents import active_threads, threads
from pressroom.render.alert_facts import alert_facts, feed_html
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
    for article in articles_gen.articles:
        thread = slug_to_thread.get(article.slug)
        article.thread = thread and _thread_view(settings, thread, article.slug, now)
    # The incident's name, not its latest title: the banner stays put while updates
    # arrive (the incident page leads with the latest), so an update does not mean
    # rewriting every page of the site.
    banner = [{"title": thread.first.title, "area": thread.area,
               "url": _thread_url(settings, thread), "updated": thread.latest.date}
              for thread in active_threads(public, now)]
    articles_gen.context["alert_banner"] = banner
    articles_gen.context["pressroom_threads"] = all_threads
    # The follow page lists the feeds of active incidents (what a resident can follow now).
    articles_gen.context["incident_feeds"] = [
        {"id": thread.id, "title": thread.first.title, "url": _thread_url(settings, thread)}
        for thread in active_threads(public, now) if thread.first.incident]


def _thread_view(settings, thread, slug: str, now) -> dict:
    """What an alert's page shows of its incident and of itself (``article.thread``).

    The incident's *latest* status and update (a page is rebuilt when its incident
    changes: its key covers this dict), and this message's facts and map."""
    post = next(p for p in thread.posts if p.slug == slug)
    facts = alert_facts(thread, post)
    _ = gettext_for(post.lang or settings.get("DEFAULT_LANG", "en"))
    return {
        "id": thread.id, "status": thread.status(now), "url": _thread_url(settings, thread),
        "is_incident": bool(thread.first.incident), "ends": thread.ends,
        "latest": thread.latest.slug == slug,
        "latest_title": thread.latest.title,
        "latest_url": _article_url(settings, thread.latest),
        "latest_updated": thread.latest.updated,
        "facts": facts,
        "expiry": _expiry(thread, facts.expires, now),
        "map": area_map(post.alert.get("polygon", ""), post.alert.get("circle", ""),
                        post.area, post.slug, _),
    }


def write_incidents(generator, writer) -> None:
    settings = generator.settings
    all_threads = generator.context.get("pressroom_threads")
    if all_threads is None:
        return
    now = build_time()
    site_url = settings["SITEURL"].rstrip("/")
    template = generator.get_template("incident")
    for thread in all_threads.values():
        if thread.first.incident:
            posts = [_post_view(settings, p) for p in thread.posts]
            writer.write_file(f"incidents/{thread.id}/index.html", template, generator.context,
                              relative_urls=settings["RELATIVE_URLS"],
                              url=f"incidents/{thread.id}/", thread=thread, posts=posts,
                              status=thread.status(now), page_name=f"incidents/{thread.id}",
                              area_map=_latest_map(thread, settings))
            _write_thread_feeds(settings, writer, thread, site_url)
    write_cap(settings, writer, all_threads, list(current_posts().values()), now,
              partial(_article_url, settings))


def _article_url(settings, post) -> str:
    return settings["ARTICLE_URL"].format(date=post.date, slug=post.slug)


def _post_view(settings, post):
    return {"title": post.title, "date": post.date, "updated": post.updated,
            "summary": post.summary,
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


def _latest_map(thread, settings):
    """The map of the incident's latest area: its newest post with a Polygon or Circle,
    in the incident page's language (its first post's)."""
    _ = gettext_for(thread.first.lang or settings.get("DEFAULT_LANG", "en"))
    for post in reversed(thread.posts):
        shown = area_map(post.alert.get("polygon", ""), post.alert.get("circle", ""),
                         post.area, post.slug, _)
        if shown is not None:
            return shown
    return None


def _write_thread_feeds(settings, writer, thread, site_url: str) -> None:
    default = settings.get("DEFAULT_LANG", "en")

    def entry(p) -> FeedEntry:
        """One message, its words in its own language (issue #14)."""
        lang = p.lang or default
        _ = gettext_for(lang)
        return FeedEntry(
            slug=p.slug, title=p.title,
            url=f"{site_url}/{_article_url(settings, p)}",
            published=p.date, updated=p.updated, summary_html=text_html(p.summary),
            content_html=feed_html(alert_facts(thread, p), site_url, _, locale_of(lang))
            + f"<p>{text_html(p.summary)}</p>",
            category="safety-alerts", category_name=_("Safety Alerts"),
            author_name=settings["SITENAME"])

    entries = [entry(p) for p in reversed(thread.posts)]
    _ = gettext_for(thread.first.lang or default)
    meta = FeedMeta(title=f"{settings['SITENAME']}: {thread.first.title}",
                    subtitle=_("Updates on incident %(id)s") % {"id": thread.id},
                    site_url=site_url,
                    page_url=f"{site_url}/incidents/{thread.id}/",
                    atom_url=f"{site_url}/feeds/incidents/{thread.id}.atom.xml",
                    rss_url=f"{site_url}/feeds/incidents/{thread.id}.rss.xml",
                    language=settings.get("DEFAULT_LANG", "en"),
                    hub=settings.get("PRESSROOM_WEBSUB_HUB", ""))
    write_feed_pair(writer, f"feeds/incidents/{thread.id}.rss.xml",
                    f"feeds/incidents/{thread.id}.atom.xml", meta, entries)


def register() -> None:
    signals.all_generators_finalized.connect(attach_threads)
    signals.article_writer_finalized.connect(write_incidents)
