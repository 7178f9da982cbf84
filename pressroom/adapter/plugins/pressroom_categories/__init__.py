"""392.4: the eight kinds of authorized content each have a page and a feed.

Pelican only makes category pages for categories that have posts; the public
should find every kind of content the department publishes, so this plugin
adds the empty ones and orders them as the policy does, (a) to (h).
"""

from __future__ import annotations

import logging

from pelican import signals
from pelican.urlwrappers import Category

from pressroom.model.categories import SLUGS

logger = logging.getLogger(__name__)


def all_eight_categories(generator) -> None:
    present = {cat.slug: (cat, arts) for cat, arts in generator.categories}
    for slug in present:
        if slug not in SLUGS:
            logger.error("pressroom_categories: unknown category %r", slug)
    ordered = [present.get(slug) or (Category(slug, generator.settings), []) for slug in SLUGS]
    generator.categories[:] = ordered  # the context holds this same list
    generator.context["categories"] = generator.categories


def register() -> None:
    signals.article_generator_finalized.connect(all_eight_categories)
