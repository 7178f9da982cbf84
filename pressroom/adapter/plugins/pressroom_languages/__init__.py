"""Issue #14: every language its own site (``pressroom.adapter.languages``).

After ``pressroom_publication`` decided what is public, posts not in the site's default
language become Pelican's translations (their own address under ``es/``, listed only in
their language's lists); once the lists are made, each article gets the addresses of its
translations for the ``hreflang`` alternates and the language switch.
"""

from __future__ import annotations

from pelican import signals

from pressroom.adapter.languages import attach_alternates, split


def register() -> None:
    signals.article_generator_pretaxonomy.connect(split)
    signals.article_generator_finalized.connect(attach_alternates)
