"""Every language its own site (issue #14): addresses, lists and alternates per language.

The default language keeps its addresses; language L's pages live under ``L/`` — ``es/``,
``es/2026/<slug>/``, ``es/category/<slug>/``, ``es/archives/``, ``es/follow/``... A page's
language is its address's: ``page_values`` gives every page written (by Pelican or a
plugin) ``page_lang``, ``lang_dir``, ``lang_prefix`` (for links within its language) and
``alternates`` (the ``<link rel="alternate" hreflang>`` and the language switch).

Articles in another language are Pelican's ``translations`` (written at
``ARTICLE_LANG_SAVE_AS``, listed nowhere by Pelican): ``split`` puts them there, and
``write_language_pages`` writes each language's home, categories, tags, archives and
direct templates (contact, follow) from Pelican's own methods over that language's
posts. ``attach_alternates`` gives each article its translations' addresses in one pass
over the model's translation sets (``pressroom.model.translations``): O(posts), never a
scan of all translations per page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any

from pelican.utils import order_content

from pressroom.adapter.session import current_posts
from pressroom.model.translations import translation_sets

# Pages that exist in every language (the same list under each prefix): their alternates
# are the same address in each language. Other pages have alternates only where a
# translation exists (an article, an incident, a department page).
EVERY_LANGUAGE = frozenset({"index", "categories", "category", "archives", "contact", "follow",
                            "search"})


def languages(settings: dict[str, Any]) -> list[dict[str, Any]]:
    """The site's languages (``PRESSROOM_LANGUAGES``), the default first; one entry (the
    default) when the department configures none."""
    configured = settings.get("PRESSROOM_LANGUAGES") or []
    if configured:
        return list(configured)
    code = settings.get("DEFAULT_LANG", "en")
    return [{"code": code, "name": code, "prefix": "", "dir": "ltr"}]


def default_code(settings: dict[str, Any]) -> str:
    return languages(settings)[0]["code"]


def translation_codes(settings: dict[str, Any]) -> list[str]:
    """The languages besides the default, in the department's order."""
    return [lang["code"] for lang in languages(settings)[1:]]


def language_of(name: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The language of an output file, from its address: ``es/...`` is Spanish."""
    langs = languages(settings)
    first = name.split("/", 1)[0]
    return next((lang for lang in langs[1:] if lang["code"] == first), langs[0])


def article_lang(article: Any, settings: dict[str, Any]) -> str:
    return getattr(article, "lang", "") or default_code(settings)


def _absolute(settings: dict[str, Any], url: str) -> str:
    return f"{str(settings.get('SITEURL', '')).rstrip('/')}/{url}"


def alternates_from(settings: dict[str, Any], current: str, urls: dict[str, str]) -> list[dict]:
    """The language switch and hreflang data of one page: every language with ``url`` (the
    same item's address in it, else that language's home), ``href`` (absolute),
    ``exists`` (the item is in that language: an hreflang alternate) and ``current``.
    Empty for a one-language site: no switch, no alternates."""
    langs = languages(settings)
    if len(langs) < 2:
        return []
    out = []
    for lang in langs:
        url = urls.get(lang["code"])
        target = url if url is not None else lang["prefix"]
        out.append({"code": lang["code"], "name": lang["name"], "dir": lang["dir"],
                    "url": target, "href": _absolute(settings, target),
                    "exists": url is not None, "current": lang["code"] == current})
    return out


def page_values(name: str, url: str | None, template_name: str | None,
                settings: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """What the writer sets on every page for its language (``KeyedWriter.write_file``)."""
    lang = language_of(name, settings)
    values: dict[str, Any] = {"page_lang": lang["code"], "lang_dir": lang["dir"],
                              "lang_prefix": lang["prefix"]}
    if "alternates" in extra:
        return values
    item = extra.get("article") or extra.get("page")
    if item is not None:
        urls = getattr(item, "alternate_urls", None)
        if urls is None:  # a department page: Pelican's own translations of it
            urls = {article_lang(p, settings): p.url
                    for p in [item, *(getattr(item, "translations", None) or [])]}
        values["alternates"] = alternates_from(settings, lang["code"], urls)
        return values
    page_url = (url if url is not None else name).removesuffix("index.html")
    if template_name in EVERY_LANGUAGE:
        bare = page_url.removeprefix(lang["prefix"])
        urls = {other["code"]: other["prefix"] + bare for other in languages(settings)}
    else:
        urls = {lang["code"]: page_url}
    values["alternates"] = alternates_from(settings, lang["code"], urls)
    return values


def split(generator) -> None:
    """Articles not in the default language become Pelican's ``translations``: written at
    their own address, listed only in their language's lists (``by_language``)."""
    settings = generator.settings
    default = default_code(settings)
    everything = [*generator.articles, *generator.translations]
    generator.articles = [a for a in everything if article_lang(a, settings) == default]
    generator.translations = [a for a in everything if article_lang(a, settings) != default]
    by_language: dict[str, list[Any]] = {code: [] for code in translation_codes(settings)}
    for article in generator.translations:
        by_language.setdefault(article_lang(article, settings), []).append(article)
    generator.by_language = by_language


def attach_alternates(generator) -> None:
    """Each public article's ``alternate_urls``: its address in each language it exists in."""
    settings = generator.settings
    public = [*generator.articles, *generator.translations]
    posts = current_posts()
    by_post: dict[int, Any] = {}
    for article in public:
        post = posts.get(article.source_path)
        if post is not None:
            by_post[id(post)] = article
    groups = translation_sets([posts[a.source_path] for a in public if a.source_path in posts],
                              default_code(settings))
    for group in groups.values():
        members = [p for p in [group.original, *group.translations.values()] if p is not None]
        urls = {article_lang(by_post[id(p)], settings): by_post[id(p)].url for p in members}
        for post in members:
            by_post[id(post)].alternate_urls = urls
    for article in public:
        if getattr(article, "alternate_urls", None) is None or article.source_path not in posts:
            article.alternate_urls = {article_lang(article, settings): article.url}


def _grouped(articles: Iterable[Any], keys: Callable[[Any], Iterable[Any]]) -> dict[Any, list]:
    out: dict[Any, list] = defaultdict(list)
    for article in articles:
        for key in keys(article):
            out[key].append(article)
    return out


def write_language_pages(generator, writer) -> None:
    """Each other language's lists, through Pelican's own methods over its posts: the
    generator's lists are swapped for the language's while its pages are written."""
    settings = generator.settings
    by_language = getattr(generator, "by_language", {})
    saved = {name: getattr(generator, name) for name in
             ("articles", "dates", "categories", "tags", "period_archives", "context",
              "_date_rank")}
    try:
        for code in translation_codes(settings):
            _write_language(generator, writer, by_language.get(code, []),
                            language_of(f"{code}/", settings)["prefix"])
    finally:
        for name, value in saved.items():
            setattr(generator, name, value)


def _write_language(generator, writer, articles: list[Any], prefix: str) -> None:
    settings = generator.settings
    articles = order_content(list(articles), settings["ARTICLE_ORDER_BY"])
    dates = sorted(articles, key=attrgetter("date"), reverse=settings["NEWEST_FIRST_ARCHIVES"])
    by_category = _grouped(articles, lambda a: [a.category.slug])
    categories = [(cat, by_category.get(cat.slug, [])) for cat, _ in generator.categories]
    tags = _grouped(articles, lambda a: getattr(a, "tags", None) or [])
    generator.articles, generator.dates = articles, dates
    generator.categories = categories
    generator.tags = dict(tags)
    generator.period_archives = generator._build_period_archives(dates, articles, settings)
    generator._date_rank = {id(a): i for i, a in enumerate(dates)}
    context = dict(generator.context)
    context.update(articles=articles, dates=dates, categories=categories,
                   tags=generator.tags, period_archives=generator.period_archives)
    generator.context = context

    def write(name, template, context, relative_urls=False, paginated=None,
              template_name=None, override_output=False, url=None, **kwargs):
        writer.write_file(prefix + name if name else name, template, context,
                          relative_urls=settings["RELATIVE_URLS"], paginated=paginated,
                          template_name=template_name, override_output=override_output,
                          url=prefix + url if url is not None else None, **kwargs)

    generator.generate_period_archives(write)
    generator.generate_direct_templates(write)
    generator.generate_tags(write)
    generator.generate_categories(write)
