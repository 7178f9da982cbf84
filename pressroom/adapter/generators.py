"""The article generator every build uses, and ``replay``: a warm build's output phase.

``PressroomArticlesGenerator`` is Pelican's, with the same output and two changes: the
date lists of categories, tags and years come from the articles' positions (Pelican's
``article in list`` is quadratic: seconds at 10,000 posts), and after its output it
leaves the article cards and the banner's key in the build session for the next build.

``replay`` runs the generator's grouping and output phase over cards (posts a warm
build did not read again) plus the freshly read changed posts, sending the signals a
full build sends, so plugins attach and write exactly what they would in a full build.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from itertools import groupby
from operator import attrgetter
from typing import Any

from pelican import signals
from pelican.contents import Article
from pelican.generators import ArticlesGenerator
from pelican.utils import order_content

from pressroom.adapter import languages
from pressroom.adapter.cards import card_of
from pressroom.adapter.keys import banner_regions
from pressroom.adapter.session import current
from pressroom.adapter.templates import SandboxedTemplates
from pressroom.adapter.writer import KeyedWriter, flush_writers
from pressroom.build.incremental import BANNER_VARIABLE, digest


def keep_cards(generator) -> None:
    """After the article pages, feeds and incident files: the cards the next build reuses."""
    session = current()
    if session is None:
        return
    session.cards = [card_of(a) for a in [*generator.articles, *generator.translations]]
    banner = generator.context.get(BANNER_VARIABLE) or []
    region = banner_regions(generator, banner)
    session.banner_region = region
    # The banner as each language's home page shows it: what it says, not the data behind
    # it (an update changes its incident's latest date, not the banner).
    session.banner_key = digest([region("index.html", f"{lang['prefix']}index.html") or ""
                                 for lang in languages.languages(generator.settings)])


class PressroomArticlesGenerator(SandboxedTemplates, ArticlesGenerator):
    """Pelican's article generator, used by every build, and by ``replay`` over cards;
    its templates render in the sandbox (``pressroom.adapter.templates``).

    Pelican finds a category's, tag's or year's dates with ``article in list`` for
    every article — quadratic (seconds at 10,000 posts); here the same lists come
    from the articles' positions. Articles compare by identity, so the lists are equal.
    """

    def generate_pages(self, writer):
        self._date_rank = {id(a): i for i, a in enumerate(self.dates)}
        super().generate_pages(writer)
        languages.write_language_pages(self, writer)

    def generate_output(self, writer):
        """Pelican's output (its last step sends ``article_writer_finalized``, on which the
        feeds and incident files are written), then the cards of what was written."""
        super().generate_output(writer)
        keep_cards(self)

    def _write_groups(self, write, kind: str, groups) -> None:
        """Pelican's tag, category and author pages (one loop, its keyword arguments)."""
        template = self.get_template(kind)
        for group, articles in groups:
            dates = sorted(articles, key=lambda a: self._date_rank[id(a)])
            write(group.save_as, template, self.context, url=group.url, articles=articles,
                  dates=dates, template_name=kind, blog=True, page_name=group.page_name,
                  all_articles=self.articles, **{kind: group})

    def generate_tags(self, write):
        self._write_groups(write, "tag", self.tags.items())

    def generate_categories(self, write):
        self._write_groups(write, "category", self.categories)

    def generate_authors(self, write):
        self._write_groups(write, "author", self.authors)

    def _build_period_archives(self, sorted_articles, articles, settings):
        formats = {g: (settings[f"{g.upper()}_ARCHIVE_SAVE_AS"],
                       settings[f"{g.upper()}_ARCHIVE_URL"]) for g in ("year", "month", "day")}
        keys = {"year": attrgetter("date.year"),
                "month": attrgetter("date.year", "date.month"),
                "day": attrgetter("date.year", "date.month", "date.day")}
        archives = defaultdict(list)
        for granularity in ("year", "month", "day"):
            save_as, url = formats[granularity]
            if not save_as:
                continue
            for period, group in groupby(sorted_articles, key=keys[granularity]):
                dates = list(group)
                ids = {id(a) for a in dates}
                d = dates[0].date
                archive = {"dates": dates, "articles": [a for a in articles if id(a) in ids],
                           "save_as": save_as.format(date=d), "url": url.format(date=d)}
                if granularity == "year":
                    archive["period"] = archive["period_num"] = (period,)
                else:
                    month = calendar.month_name[period[1]]
                    archive["period"] = (period[0], month) if granularity == "month" \
                        else (period[0], month, period[2])
                    archive["period_num"] = tuple(period)
                archives[granularity].append(archive)
        return archives


def new_generator(pelican) -> PressroomArticlesGenerator:
    context = pelican.settings.copy()
    context.update(generated_content={}, static_links=set(), static_content={},
                   localsiteurl=pelican.settings["SITEURL"])
    return PressroomArticlesGenerator(context=context, settings=pelican.settings, path=pelican.path,
                           theme=pelican.theme, output_path=pelican.output_path)


def read_articles(generator: PressroomArticlesGenerator, paths: list[str]) -> list[Any]:
    """Changed posts read as a full build reads them, through the same plugins."""
    articles = []
    for path in paths:
        article = generator.readers.read_file(
            base_path=generator.path, path=path, content_class=Article,
            context=generator.context, preread_signal=signals.article_generator_preread,
            preread_sender=generator, context_signal=signals.article_generator_context,
            context_sender=generator)
        if article.status == "published":
            articles.append(article)
    generator.articles, generator.translations = articles, []
    signals.article_generator_pretaxonomy.send(generator)
    return [*generator.articles, *generator.translations]


def replay(generator: PressroomArticlesGenerator, articles: list[Any], writer: KeyedWriter) -> None:
    """What ``ArticlesGenerator.generate_context``'s grouping and ``generate_output`` do."""
    settings = generator.settings
    generator.articles = order_content(list(articles), settings["ARTICLE_ORDER_BY"])
    generator.translations, generator.drafts, generator.drafts_translations = [], [], []
    languages.split(generator)  # as on pressroom_languages' pretaxonomy in a full build
    generator.hidden_articles, generator.hidden_translations = [], []
    categories, tags, authors = defaultdict(list), defaultdict(list), defaultdict(list)
    for article in generator.articles:
        if hasattr(article, "category"):
            categories[article.category].append(article)
        for tag in getattr(article, "tags", None) or []:
            tags[tag].append(article)
        for author in getattr(article, "authors", []):
            authors[author].append(article)
    generator.tags = tags
    generator.dates = sorted(generator.articles, key=attrgetter("date"),
                             reverse=generator.context["NEWEST_FIRST_ARCHIVES"])
    generator.period_archives = generator._build_period_archives(
        generator.dates, generator.articles, settings)
    generator.categories = sorted(categories.items(),
                                  reverse=settings["REVERSE_CATEGORY_ORDER"])
    generator.authors = sorted(authors.items())
    generator._update_context(("articles", "drafts", "hidden_articles", "dates", "tags",
                               "categories", "authors", "related_posts"))
    generator.context["period_archives"] = generator.period_archives
    signals.article_generator_finalized.send(generator)
    signals.all_generators_finalized.send([generator])
    generator.refresh_metadata_intersite_links()
    generator.generate_output(writer)
    flush_writers()

