"""392.5.1: raw HTML in posts is sanitized before any page or feed uses it.

The rule itself is ``pressroom.sanitize.sanitize_html``; this plugin applies it
to every article's and page's body and summary as soon as they are read.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pelican import signals

from pressroom.sanitize import sanitize_html


def _clean(content, host: str) -> None:
    content._content = sanitize_html(content._content or "", host)
    if "summary" in content.metadata:
        content.metadata["summary"] = sanitize_html(content.metadata["summary"], host)
    if hasattr(content, "_summary"):
        content._summary = sanitize_html(content._summary, host)


def sanitize_articles(generator) -> None:
    host = urlsplit(generator.settings.get("SITEURL", "")).hostname or ""
    for article in generator.articles + generator.translations:
        _clean(article, host)


def sanitize_pages(generator) -> None:
    host = urlsplit(generator.settings.get("SITEURL", "")).hostname or ""
    for page in generator.pages + generator.translations + generator.hidden_pages:
        _clean(page, host)


def register() -> None:
    signals.article_generator_pretaxonomy.connect(sanitize_articles)
    signals.page_generator_finalized.connect(sanitize_pages)
