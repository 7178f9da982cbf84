"""Translations as posts (issue #14): a translation is its own Markdown file with ``Lang:``
and the same ``Slug`` as its original (Pelican's convention). One grouping, used by the
translation rules, the CAP writer (one ``<info>`` per language) and the site's language
switch, so all three agree on what translates what.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from pressroom.model.content import Post


@dataclass(frozen=True)
class TranslationSet:
    """The posts sharing one slug: ``original`` (in the site's default language; None for
    an orphan set) and ``translations`` by language code."""

    slug: str
    original: Post | None
    translations: dict[str, Post] = field(default_factory=dict)

    def in_language(self, code: str, default: str) -> Post | None:
        return self.original if code == default else self.translations.get(code)


def translation_sets(posts: Iterable[Post], default: str) -> dict[str, TranslationSet]:
    """Every slug's set; a post whose ``Lang`` is the default (or absent) is the original.
    Two posts in one language under one slug are FRONT-SLUG-DUPLICATE (``check_collection``):
    the first by path is kept here."""
    originals: dict[str, Post] = {}
    translations: dict[str, dict[str, Post]] = {}
    for post in sorted(posts, key=lambda p: p.path):
        code = post.lang or default
        if code == default:
            originals.setdefault(post.slug, post)
        else:
            translations.setdefault(post.slug, {}).setdefault(code, post)
    return {slug: TranslationSet(slug, originals.get(slug), translations.get(slug, {}))
            for slug in sorted({*originals, *translations})}


def withheld_translations(posts: Iterable[Post], default: str, now: datetime) -> set[str]:
    """Paths of translations that are public on their own but whose original is not.

    A retraction, an embargo or a draft is for the item, not for one language: a removed
    original takes its translations out of public view, and a Spanish text must not
    publish an English press release that is still under embargo. A translation without
    an original (an orphan: TRANSLATION-ORPHAN) follows its own fields."""
    withheld: set[str] = set()
    for group in translation_sets(posts, default).values():
        if group.original is None or group.original.is_public(now):
            continue
        withheld.update(post.path for post in group.translations.values())
    return withheld


def originals(posts: Iterable[Post], default: str) -> list[Post]:
    """The posts in the site's own language: an incident's messages, its next
    ``Sequence`` and the fields an update carries are the originals' — a translation is
    the same message in other words, never a message of its own."""
    return [post for post in posts if (post.lang or default) == default]
