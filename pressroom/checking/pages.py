"""Pages (``content/pages/*.md``): the department's standing pages, checked like posts.

Pelican obeys a page's header: ``Save_as: feeds/all.atom.xml`` once replaced the feed
with HTML, ``Save_as: index.html`` the home page, ``Template:`` named any file. A page
may therefore say only what a page needs — its title, its address (``Slug``), a
summary and whether it is listed — and its address may not take one the site uses.
Its text goes through the same content rules as a post's (``check_engine.check_post``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pressroom.model.frontmatter import Header
from pressroom.model.languages import KNOWN
from pressroom.model.violations import Violation
from pressroom.model.wording import did_you_mean

PAGES_FOLDER = "content/pages/"
PAGE_FIELDS = ("title", "slug", "summary", "status")
PAGE_STATUSES = ("published", "hidden", "draft")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 120
# First path parts the site itself writes (see pressroom.render.site.enforced and the plugins).
RESERVED = frozenset({"index", "category", "tag", "feeds", "cap", "incidents", "contact", "follow",
                      "archives", "page", "images", "theme", "drafts", "search", "removed"})
# A language's pages live under its code (``es/``): a page there would replace that language's
# home page, and a code a department may configure later is kept free for it too.
LANGUAGE_FOLDERS = frozenset(KNOWN)


def is_page_path(rel: str) -> bool:
    from pressroom.repo.files import MARKDOWN_SUFFIXES

    return rel.startswith(PAGES_FOLDER) and rel.endswith(MARKDOWN_SUFFIXES)


def page_slug(rel: str, header: Header) -> str:
    """The page's address: ``Slug:``, else the file name (Pelican's basename slug)."""
    if "slug" in header.fields:
        return header.fields["slug"].value
    name = rel.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0]


def check_page_header(path: str, header: Header) -> list[Violation]:
    """A page's header: known fields only, a title, a slug that takes no site address."""
    problems = []
    for field in header.duplicates:
        problems.append(Violation(path, field.line, "FRONT-DUPLICATE",
                                  f"'{field.name}' is given twice (first on line "
                                  f"{header.fields[field.name.lower()].line}); keep one"))
    for key, field in header.fields.items():
        if key not in PAGE_FIELDS:
            problems.append(Violation(
                path, field.line, "FRONT-UNKNOWN",
                f"unknown field '{field.name}' for a page"
                f"{did_you_mean(key, [f.title() for f in PAGE_FIELDS])} (a page may have "
                f"{', '.join(f.title() for f in PAGE_FIELDS)}; Pelican settings such as "
                f"Save_as or Template are not allowed)"))
    title = header.fields.get("title")
    if title is None or not title.value.strip():
        problems.append(Violation(path, title.line if title else header.last_line,
                                  "FRONT-REQUIRED", "'Title' is required for a page"))
    status = header.fields.get("status")
    if status is not None and status.value.lower() not in PAGE_STATUSES:
        problems.append(Violation(path, status.line, "FRONT-STATUS",
                                  f"{status.value!r} is not a page status"
                                  f"{did_you_mean(status.value, PAGE_STATUSES)} "
                                  f"(use: {', '.join(PAGE_STATUSES)})"))
    slug = page_slug(path, header)
    line = header.fields["slug"].line if "slug" in header.fields else 1
    if not SLUG.match(slug) or len(slug) > MAX_SLUG:
        problems.append(Violation(path, line, "FRONT-SLUG",
                                  f"page address {slug!r} must be lower-case words joined by "
                                  f"'-' (at most {MAX_SLUG} characters); add a 'Slug:'"))
    elif slug in RESERVED or slug in LANGUAGE_FOLDERS or re.fullmatch(r"\d{4}", slug):
        problems.append(Violation(path, line, "FRONT-SLUG",
                                  f"page address {slug!r} is one the site uses itself "
                                  f"(/{slug}/); choose another 'Slug:'"))
    return problems


def check_page_collection(pages: Iterable[tuple[str, str]]) -> list[Violation]:
    """(path, slug) of every page: one address per page."""
    seen: dict[str, str] = {}
    problems = []
    for path, slug in sorted(pages):
        first = seen.setdefault(slug, path)
        if first != path:
            problems.append(Violation(path, 1, "FRONT-SLUG-DUPLICATE",
                                      f"page address {slug!r} is already used by {first}; "
                                      f"add a distinct 'Slug:'"))
    return problems
