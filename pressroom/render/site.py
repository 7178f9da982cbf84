"""The Pelican settings of a pressroom site: defaults a department may change,
and safety settings it may not.

``site_defaults()`` is what ``pelicanconf.py`` starts from; ``enforced()`` is
applied last by ``pressroom build`` whatever a configuration says, because the
guarantees behind it are policy: nothing unapproved or unfinished becomes
public (392.5 g), and no public posting channel exists (392.5.1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pressroom.model.branding import Branding
from pressroom.model.categories import CATEGORIES
from pressroom.model.incidents import order_key
from pressroom.render.sharing import canonical, share_image

# Where the theme and plugins live: inside the package (pressroom/adapter/), so an installed
# wheel carries them (``pressroom.adapter.engine`` loads the plugins as modules of the
# package; ``pressroom.cache`` hashes both folders). PACKAGE_ROOT is the ``pressroom`` package.
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
THEME_PATH = PACKAGE_ROOT / "adapter" / "theme"
PLUGINS_PATH = PACKAGE_ROOT / "adapter" / "plugins"

PELICAN_FEED_SETTINGS = (
    "FEED_ATOM", "FEED_RSS", "FEED_ALL_ATOM", "FEED_ALL_RSS", "CATEGORY_FEED_ATOM",
    "CATEGORY_FEED_RSS", "AUTHOR_FEED_ATOM", "AUTHOR_FEED_RSS", "TAG_FEED_ATOM",
    "TAG_FEED_RSS", "TRANSLATION_FEED_ATOM", "TRANSLATION_FEED_RSS",
)


def article_order(article: Any) -> tuple[float, float, str]:
    """Newest first, by the model's one listing order (``model.incidents.order_key``).

    Posts of the same minute: an incident's by its ``Sequence`` (an all-clear after its
    updates), the rest by slug, the same order on every build. Pelican's default
    ("reversed-date") keeps ties in the order it found the files, which is not stable from
    one run to the next, and the slug alone put a stale update above the all-clear.
    """
    sequence = getattr(article, "sequence", "") or ""
    return order_key(article.date, int(sequence) if str(sequence).isdigit() else 0,
                     str(getattr(article, "response", "") or ""), article.slug)


def tel_href(number: str) -> str:
    """A ``tel:`` link target from a display number: "(555) 010-4400" -> "tel:5550104400"."""
    digits = "".join(ch for ch in str(number) if ch.isdigit() or ch == "+")
    return f"tel:{digits}"


def site_defaults() -> dict[str, Any]:
    """Settings for a department site; ``pelicanconf.py`` overrides what it needs."""
    return {
        "SITENAME": "Police Department",
        "SITEURL": "https://police.example",
        "SITE_DESCRIPTION": "News, safety alerts and announcements from the police department.",
        "AUTHOR": "Public Information Office",
        "TIMEZONE": "America/Los_Angeles",
        "DEFAULT_LANG": "en",
        "DEFAULT_DATE_FORMAT": "%-d %b %Y",
        "RELATIVE_URLS": True,
        "DEFAULT_PAGINATION": 10,
        "PAGINATION_PATTERNS": (
            (1, "{url}", "{save_as}"),
            (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
        ),
        "SUMMARY_MAX_LENGTH": 50,
        "PRESSROOM_CONTACT": {
            "emergency": "911",
            "non_emergency": "",
            "address": "",
            "hours": "",
            "email": "",
            "records": "",
        },
        "PRESSROOM_FEED_MAX_ITEMS": 50,
        "PRESSROOM_CATEGORIES": [
            {"slug": c.slug, "name": c.name, "clause": c.clause, "description": c.description}
            for c in CATEGORIES
        ],
        "PRESSROOM_CATEGORY_NAMES": {c.slug: c.name for c in CATEGORIES},
        "PRESSROOM_BRANDING": Branding().settings(),
        "PRESSROOM_SITE_URL": "https://police.example",
    }


def enforced(repo: Path, output: Path) -> dict[str, Any]:
    """Settings ``pressroom build`` always applies last, whatever the config says."""
    settings: dict[str, Any] = {name: None for name in PELICAN_FEED_SETTINGS}
    settings.update({
        "PATH": str(repo / "content"),
        "OUTPUT_PATH": str(output),
        "THEME": str(THEME_PATH),
        # Drafts and embargoed posts are decided by pressroom_publication from the build
        # session's "now"; Pelican must never write them anywhere.
        "WITH_FUTURE_DATES": True,
        "DRAFT_SAVE_AS": "",
        "DRAFT_LANG_SAVE_AS": "",
        "DRAFT_PAGE_SAVE_AS": "",
        "DRAFT_PAGE_LANG_SAVE_AS": "",
        # Comment-free and script-free pages; titles are escaped, bodies sanitized.
        "JINJA_FILTERS": {"tel_href": tel_href, "canonical": canonical,
                          "share_image": share_image},
        "JINJA_ENVIRONMENT": {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True},
        "MARKDOWN": {
            "extension_configs": {
                "markdown.extensions.extra": {},
                "markdown.extensions.meta": {},
            },
            "output_format": "html5",
        },
        "ARTICLE_PATHS": [""],
        "ARTICLE_EXCLUDES": ["pages", "images"],
        "PAGE_PATHS": ["pages"],
        "STATIC_PATHS": ["images"],
        "SLUGIFY_SOURCE": "basename",
        "ARTICLE_URL": "{date:%Y}/{slug}/",
        "ARTICLE_SAVE_AS": "{date:%Y}/{slug}/index.html",
        # Every language its own site (pressroom.adapter.languages): a post in another
        # language lives under its code. Pelican's grouping of translations is off: the
        # adapter splits by language after publication decided what is public.
        "ARTICLE_TRANSLATION_ID": None,
        "ARTICLE_LANG_URL": "{lang}/{date:%Y}/{slug}/",
        "ARTICLE_LANG_SAVE_AS": "{lang}/{date:%Y}/{slug}/index.html",
        "PAGE_LANG_URL": "{lang}/{slug}/",
        "PAGE_LANG_SAVE_AS": "{lang}/{slug}/index.html",
        "PAGE_URL": "{slug}/",
        "PAGE_SAVE_AS": "{slug}/index.html",
        "CATEGORY_URL": "category/{slug}/",
        "CATEGORY_SAVE_AS": "category/{slug}/index.html",
        "CATEGORIES_URL": "category/",
        "CATEGORIES_SAVE_AS": "category/index.html",
        "TAG_URL": "tag/{slug}/",
        "TAG_SAVE_AS": "tag/{slug}/index.html",
        "TAGS_SAVE_AS": "",
        "AUTHOR_SAVE_AS": "",
        "AUTHORS_SAVE_AS": "",
        "ARCHIVES_URL": "archives/",
        "ARCHIVES_SAVE_AS": "archives/index.html",
        "YEAR_ARCHIVE_URL": "{date:%Y}/",
        "YEAR_ARCHIVE_SAVE_AS": "{date:%Y}/index.html",
        "MONTH_ARCHIVE_SAVE_AS": "",
        "DAY_ARCHIVE_SAVE_AS": "",
        "CONTACT_URL": "contact/",
        "CONTACT_SAVE_AS": "contact/index.html",
        "FOLLOW_URL": "follow/",
        "FOLLOW_SAVE_AS": "follow/index.html",
        "DIRECT_TEMPLATES": ["index", "categories", "archives", "contact", "follow"],
        "DELETE_OUTPUT_DIRECTORY": False,
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
        "DEFAULT_METADATA": {},
        "FORMATTED_FIELDS": ["summary"],
        "ARTICLE_ORDER_BY": article_order,
        "TEMPLATE_PAGES": {},
        # Only Markdown: an .html or .rst file under content/ would otherwise be published
        # by Pelican's other readers without any content rule seeing it (check refuses such
        # files as FILE-TYPE; this makes sure the build could not read them anyway).
        "READERS": {"html": None, "htm": None, "rst": None},
        # Nothing but our theme and content/ is read, and nothing is written outside the
        # release: Pelican copies THEME_STATIC_PATHS (any folder of the build machine) to
        # THEME_STATIC_DIR (any path), loads templates (Jinja: code) from
        # THEME_TEMPLATES_OVERRIDES, copies a static file to its save_as from
        # EXTRA_PATH_METADATA unchecked, and OUTPUT_SOURCES publishes the raw Markdown
        # with the comments the sanitizer removes.
        "THEME_STATIC_DIR": "theme",
        "THEME_STATIC_PATHS": ["static"],
        "THEME_TEMPLATES_OVERRIDES": [],
        "OUTPUT_SOURCES": False,
        "STATIC_CREATE_LINKS": False,  # a release never shares an inode with content/
        "EXTRA_PATH_METADATA": {},
        "PATH_METADATA": "",
        "FILENAME_METADATA": r"(?P<date>\d{4}-\d{2}-\d{2}).*",
        "IGNORE_FILES": ["**/.*"],
    })
    return settings
