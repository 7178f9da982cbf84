"""The search page of every language: ``search/`` for the default, ``<prefix>search/`` else.

One page per entry of ``PRESSROOM_LANGUAGES`` (``es/search/`` for Spanish), each with the
``<html lang>`` of its language, so that Pagefind's script picks that language's index
(``pressroom.publishing.search_index`` makes the index once the site is live). Its
no-JavaScript list links the language's archives, categories and years (years with a
public post in that language). Written on ``article_writer_finalized`` like the incident
pages, so a warm build writes it again only when what it shows changed.
"""

from __future__ import annotations

from pelican import signals

from pressroom.adapter.languages import article_lang, languages

SAVE_AS = "{prefix}search/index.html"


def write_search_pages(generator, writer) -> None:
    settings = generator.settings
    template = generator.get_template("search")
    articles = [*generator.articles, *getattr(generator, "translations", [])]
    for language in languages(settings):
        code, prefix = language["code"], language["prefix"]
        years = sorted({article.date.year for article in articles
                        if article_lang(article, settings) == code}, reverse=True)
        name = SAVE_AS.format(prefix=prefix)
        writer.write_file(name, template, generator.context,
                          relative_urls=settings["RELATIVE_URLS"], url=name[:-len("index.html")],
                          page_name="search", template_name="search", search_prefix=prefix,
                          search_years=years)


def register() -> None:
    signals.article_writer_finalized.connect(write_search_pages)
