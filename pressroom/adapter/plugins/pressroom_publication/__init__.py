"""392.5 (g): only what is finished and due is public.

Runs before Pelican builds categories, tags and archives, and removes every
article that is a draft or dated in the future (an embargo) — so they are
written nowhere and listed nowhere. "Now" is the build session's
(``pressroom build --now``), so a build is reproducible and testable. The
decision is the core's ``Post.is_public`` for the session's validated posts;
under plain Pelican (no session) status and date decide. A translation is public only
while its original is (``model.translations.withheld_translations``): a retraction or an
embargo is for the item, not one language.
"""

from __future__ import annotations

import logging
from datetime import datetime

from pelican import signals

from pressroom.adapter.session import build_time, current_posts
from pressroom.model.translations import withheld_translations

logger = logging.getLogger(__name__)


def _is_public(article, posts, now: datetime, withheld: frozenset[str] = frozenset()) -> bool:
    post = posts.get(article.source_path) if posts else None
    if post is not None:
        return post.is_public(now) and post.path not in withheld
    return article.status == "published" and article.date <= now


def withhold_unpublished(generator) -> None:
    now = build_time()
    posts = current_posts()
    # A translation of an original that is not public is not public either.
    held = frozenset(withheld_translations(
        posts.values(), generator.settings.get("DEFAULT_LANG", "en"), now) if posts else ())

    def public(article) -> bool:
        return _is_public(article, posts, now, held)

    withheld = [a for a in [*generator.articles, *generator.translations, *generator.drafts,
                            *generator.drafts_translations, *generator.hidden_articles,
                            *generator.hidden_translations] if not public(a)]
    generator.articles = [a for a in generator.articles if public(a)]
    generator.translations = [a for a in generator.translations if public(a)]
    # Hidden articles and drafts are never written (DRAFT_SAVE_AS is empty as well).
    generator.drafts = []
    generator.drafts_translations = []
    generator.hidden_articles = []
    generator.hidden_translations = []
    # Pelican lists every file it read in ``generated_content`` (for {filename} links), and
    # every template's context carries it: what is not public must not be there either.
    ids = {id(article) for article in withheld}
    content = generator.context.get("generated_content")
    if isinstance(content, dict):
        for key in [k for k, v in content.items() if id(v) in ids]:
            del content[key]


def withhold_draft_pages(generator) -> None:
    generator.draft_pages = []
    generator.draft_translations = []


def register() -> None:
    signals.article_generator_pretaxonomy.connect(withhold_unpublished)
    signals.page_generator_finalized.connect(withhold_draft_pages)
