"""392.4: every tag has its own page at ``tag/<slug>/``, so a tag's slug is an address.

Pelican makes a tag's slug from its name (``pelican.utils.slugify`` with the
``SLUG_REGEX_SUBSTITUTIONS``): a tag made only of punctuation or emoji ("!!!")
slugifies to nothing and its page would land on ``tag/index.html``; two spellings
("Road Work", "road-work") share one page under one of the two names. Both are
refused at check time, at the ``Tags:`` line, with the slug rules' ids
(FRONT-SLUG, FRONT-SLUG-DUPLICATE). The build's writer refuses any output path
claimed twice or with an empty part as well (``pressroom.adapter.writer``), which
also covers sites that change Pelican's slug settings.

``slugify`` and ``pelican_tags`` mirror Pelican 4's code and default settings (a
test compares them with Pelican's own on many names); they are copied rather
than imported so ``pressroom check`` does not load Pelican.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from markupsafe import Markup
from unidecode import unidecode

from pressroom.model.violations import Violation

# pelican.settings.DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"]
SUBSTITUTIONS = (
    (r"[^\w\s-]", ""),
    (r"(?u)\A\s*", ""),
    (r"(?u)\s*\Z", ""),
    (r"[-\s]+", "-"),
)
_COMPILED = tuple((re.compile(unicodedata.normalize("NFKC", pattern), re.IGNORECASE), new)
                  for pattern, new in SUBSTITUTIONS)


@lru_cache(maxsize=8192)
def slugify(value: str) -> str:
    """``pelican.utils.slugify(value, SLUG_REGEX_SUBSTITUTIONS)`` as a Tag computes it.

    Remembered: a department reuses a few hundred tags over 10,000 posts, and the check
    across posts slugified every one of them again (a second of a 10,000-post check)."""
    value = unicodedata.normalize("NFKC", Markup(value).striptags())
    value = unidecode(value)
    for pattern, replacement in _COMPILED:
        value = pattern.sub(replacement, value)
    return value.lower().strip()


def pelican_tags(value: str) -> list[str]:
    """The tag names Pelican reads from a ``Tags:`` value (``;`` separates if present)."""
    parts = value.split(";") if ";" in value else value.split(",")
    return list(dict.fromkeys(part.strip() for part in parts if part.strip()))


def _tag_fields(post) -> tuple[str, int] | None:
    found = (getattr(post, "fields", None) or {}).get("tags")
    return (found.value, found.line) if found is not None else None


MAX_TAG_SLUG = 120


def check_tag_slugs(path: str, value: str, line: int) -> list[Violation]:
    """One post's tags: none may slugify to nothing, no two may share a slug."""
    problems = []
    seen: dict[str, str] = {}
    for name in pelican_tags(value):
        slug = slugify(name)
        if not slug:
            problems.append(Violation(path, line, "FRONT-SLUG",
                                      f"tag {name!r} has an empty slug (its page would be "
                                      f"tag/index.html); use letters or digits"))
            continue
        if len(slug.encode()) > MAX_TAG_SLUG:  # a file name has at most 255 bytes
            problems.append(Violation(path, line, "FRONT-SLUG",
                                      f"tag {name[:40]!r}... is too long for an address "
                                      f"(at most {MAX_TAG_SLUG} characters)"))
            continue
        first = seen.setdefault(slug, name)
        if first != name:
            problems.append(Violation(path, line, "FRONT-SLUG-DUPLICATE",
                                      f"tags {first!r} and {name!r} share the slug {slug!r} "
                                      f"(one page, tag/{slug}/); use one spelling"))
    return problems


def check_tag_collisions(posts: Iterable) -> list[Violation]:
    """Across posts: one tag page per slug, so one spelling per slug (posts in path order)."""
    names: dict[str, tuple[str, str]] = {}  # slug -> (name, first path)
    problems = []
    for post in sorted(posts, key=lambda p: p.path):
        found = _tag_fields(post)
        if found is None:
            continue
        value, line = found
        reported: set[str] = set()
        for name in pelican_tags(value):
            slug = slugify(name)
            if not slug:
                continue
            first_name, first_path = names.setdefault(slug, (name, post.path))
            if first_name != name and first_path != post.path and slug not in reported:
                reported.add(slug)
                problems.append(Violation(post.path, line, "FRONT-SLUG-DUPLICATE",
                                          f"tag {name!r} shares the slug {slug!r} with tag "
                                          f"{first_name!r} of {first_path} (one page, "
                                          f"tag/{slug}/); use the same spelling"))
    return problems
