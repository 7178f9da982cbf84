"""392.5: a supervisor removes content from public view; outdated items are withdrawn.

* ``Retraction: remove`` — the post is in no list, feed or CAP file (the core's
  ``Post.is_public`` says so), and its address serves a short "this item has been
  removed" page without its title, content or the reason.
* ``Retraction: withdraw`` — the post stays readable under a dated notice.
* ``Correction:`` — the change note shown with ``Modified`` ("Updated …: …").

A translation follows its original's retraction (``Retraction: remove`` on the original
takes every language's page down; ``withdraw`` shows the notice in every language).
The file and its whole history stay in git; only the public view changes.
"""

from __future__ import annotations

from pelican import signals

from pressroom.adapter.languages import default_code
from pressroom.adapter.session import build_time, current_posts


def _originals(posts, default: str) -> dict[str, object]:
    """The default language's post of each slug: a translation's retraction is its own,
    else its original's (a retraction is for the item, not one language)."""
    return {p.slug: p for p in posts.values() if (p.lang or default) == default}


def attach_lifecycle(generator) -> None:
    posts = current_posts()
    default = default_code(generator.settings)
    originals = _originals(posts, default)
    for article in [*generator.articles, *generator.translations]:
        post = posts.get(article.source_path)
        article.withdrawn = None
        article.correction = ""
        if post is None:
            continue
        original = originals.get(post.slug, post)
        retracted = post if post.retraction == "withdraw" else original
        if retracted.retraction == "withdraw":
            article.withdrawn = {"on": retracted.retracted,
                                 "reason": retracted.retraction_reason}
        article.correction = post.correction


def write_removed_pages(generator, writer) -> None:
    settings = generator.settings
    posts = current_posts()
    now = build_time()
    default = default_code(settings)
    originals = _originals(posts, default)
    template = generator.get_template("removed")
    for post in sorted(posts.values(), key=lambda p: p.path):
        original = originals.get(post.slug, post)
        if not ((post.removed or original.removed) and post.status == "published"
                and post.date <= now):
            continue  # never public, so there is nothing to take down
        lang = post.lang if (post.lang or default) != default else ""
        key = "ARTICLE_LANG" if lang else "ARTICLE"
        url = settings[f"{key}_URL"].format(date=post.date, slug=post.slug, lang=lang)
        writer.write_file(settings[f"{key}_SAVE_AS"].format(date=post.date, slug=post.slug,
                                                            lang=lang),
                          template, generator.context, relative_urls=settings["RELATIVE_URLS"],
                          url=url, removed_on=(post if post.removed else original).retracted,
                          page_name=url)


def register() -> None:
    signals.article_generator_finalized.connect(attach_lifecycle)
    signals.article_writer_finalized.connect(write_removed_pages)
