"""Site-wide and per-category RSS 2.0 and Atom feeds, written with feedgen.

Pelican's own feeds are switched off (``pressroom.render.site.enforced``); the feed
documents come from ``pressroom.adapter.feeds.render_feeds``. Files:
``feeds/all.{rss,atom}.xml`` and ``feeds/<category>.{rss,atom}.xml`` for each
of the eight categories, even when empty; each other language's under its prefix
(``es/feeds/all.atom.xml``...), listing that language's posts. A safety alert's entry
starts with its facts (``pressroom.render.alert_facts.feed_html``).
"""

from __future__ import annotations

from pelican import signals

from pressroom.adapter.feeds import FeedEntry, FeedMeta, write_feed_pair
from pressroom.adapter.i18n import gettext_for, locale_of
from pressroom.adapter.languages import article_lang, languages
from pressroom.adapter.session import current_posts
from pressroom.model.categories import CATEGORIES
from pressroom.render.alert_facts import feed_html
from pressroom.render.site import article_order

FEED_DIR = "feeds"


def feed_paths(name: str) -> tuple[str, str]:
    return f"{FEED_DIR}/{name}.rss.xml", f"{FEED_DIR}/{name}.atom.xml"


def _entry(article, site_url: str) -> FeedEntry:
    member = getattr(article, "member", None)
    names = article.settings.get("PRESSROOM_CATEGORY_NAMES", {})
    slug = article.category.slug
    post = current_posts().get(article.source_path)
    content = article.get_content(site_url)
    thread = getattr(article, "thread", None)
    lang = article_lang(article, article.settings)
    _ = gettext_for(lang)  # the entry's own words in its post's language (issue #14)
    if thread and thread.get("facts") is not None:
        # A safety alert: its status, Area, What to do, expiry and CAP link first, as on
        # its page (this message's own facts: the entry never changes after it is read).
        content = feed_html(thread["facts"], site_url, _, locale_of(lang)) + content
    return FeedEntry(
        slug=article.slug,
        title=article.title,
        url=f"{site_url}/{article.url}",
        published=article.date,
        updated=post.updated if post else getattr(article, "modified", None) or article.date,
        summary_html=article.get_summary(site_url),
        content_html=content,
        category=slug,
        category_name=_(names.get(slug, slug)),
        author_name=member.name if member else str(article.author),
    )


def write_feeds(generator, writer) -> None:
    """The default language's feeds at ``feeds/``, each other language's at ``es/feeds/``
    (its posts only, ``<language>`` its code)."""
    settings = generator.settings
    by_language = getattr(generator, "by_language", {})
    for lang in languages(settings):
        chosen = generator.articles if not lang["prefix"] else by_language.get(lang["code"], [])
        _write_language_feeds(settings, writer, chosen, lang["code"], lang["prefix"])


def _write_language_feeds(settings, writer, chosen, code: str, prefix: str) -> None:
    site_url = settings["SITEURL"].rstrip("/")
    limit = int(settings.get("PRESSROOM_FEED_MAX_ITEMS", 50))
    articles = sorted(chosen, key=article_order)  # as every listing orders them
    built: dict[str, FeedEntry] = {}

    def entries_for(chosen) -> list[FeedEntry]:
        """Entries only for the articles a feed shows (its newest ``limit``)."""
        out = []
        for article in chosen[:limit]:
            if article.source_path not in built:
                built[article.source_path] = _entry(article, site_url)
            out.append(built[article.source_path])
        return out

    def write(name: str, title: str, subtitle: str, page: str, items: list[FeedEntry]) -> None:
        rss_path, atom_path = (prefix + path for path in feed_paths(name))
        meta = FeedMeta(
            title=title, subtitle=subtitle, site_url=site_url,
            page_url=f"{site_url}/{prefix}{page}",
            atom_url=f"{site_url}/{atom_path}", rss_url=f"{site_url}/{rss_path}",
            language=code, hub=settings.get("PRESSROOM_WEBSUB_HUB", ""),
        )
        write_feed_pair(writer, rss_path, atom_path, meta, items)

    sitename = settings["SITENAME"]
    _ = gettext_for(code)  # the feeds' language (issue #14)
    write("all", sitename, settings.get("SITE_DESCRIPTION", ""), "", entries_for(articles))
    for category in CATEGORIES:
        write(category.slug, f"{sitename}: {_(category.name)}", _(category.description),
              settings["CATEGORY_URL"].format(slug=category.slug),
              entries_for([a for a in articles if a.category.slug == category.slug]))


def register() -> None:
    signals.article_writer_finalized.connect(write_feeds)
