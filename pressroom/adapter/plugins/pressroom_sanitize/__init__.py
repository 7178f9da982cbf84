"""392.5.1: raw HTML in posts is sanitized before any page or feed uses it.

The rule itself is ``pressroom.render.sanitize.sanitize_html``. ``pressroom build``
applies it while rendering Markdown on all cores (the build session's ``sanitized``
lists those files); this plugin applies it to everything else — pages, and articles
read any other way — as soon as they are read.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pelican import signals

from pressroom.adapter.session import current
from pressroom.render.sanitize import sanitize_html


def _clean(content, host: str) -> None:
    content._content = sanitize_html(content._content or "", host)
    if "summary" in content.metadata:
        content.metadata["summary"] = sanitize_html(content.metadata["summary"], host)
    if hasattr(content, "_summary"):
        content._summary = sanitize_html(content._summary, host)


def sanitize_articles(generator) -> None:
    host = urlsplit(generator.settings.get("SITEURL", "")).hostname or ""
    session = current()
    done = session.sanitized if session is not None else set()  # cleaned while rendering
    for article in generator.articles + generator.translations:
        if article.source_path not in done:
            _clean(article, host)


def sanitize_pages(generator) -> None:
    host = urlsplit(generator.settings.get("SITEURL", "")).hostname or ""
    for page in generator.pages + generator.translations + generator.hidden_pages:
        _clean(page, host)


def register() -> None:
    signals.article_generator_pretaxonomy.connect(sanitize_articles)
    signals.page_generator_finalized.connect(sanitize_pages)
