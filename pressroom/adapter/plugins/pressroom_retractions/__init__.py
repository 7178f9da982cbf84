"""392.5: a supervisor removes content from public view; outdated items are withdrawn.

* ``Retraction: remove`` — the post is in no list, feed or CAP file (the core's
  ``Post.is_public`` says so), and its address serves a short "this item has been
  removed" page without its title, content or the reason.
* ``Retraction: withdraw`` — the post stays readable under a dated notice.
* ``Correction:`` — the change note shown with ``Modified`` ("Updated …: …").

The file and its whole history stay in git; only the public view changes.
"""

from __future__ import annotations

from pelican import signals

from pressroom.adapter.session import build_time, current_posts


def attach_lifecycle(generator) -> None:
    posts = current_posts()
    for article in generator.articles:
        post = posts.get(article.source_path)
        article.withdrawn = None
        article.correction = ""
        if post is None:
            continue
        if post.retraction == "withdraw":
            article.withdrawn = {"on": post.retracted, "reason": post.retraction_reason}
        article.correction = post.correction


def write_removed_pages(generator, writer) -> None:
    settings = generator.settings
    posts = current_posts()
    now = build_time()
    template = generator.get_template("removed")
    for post in sorted(posts.values(), key=lambda p: p.path):
        if not (post.removed and post.status == "published" and post.date <= now):
            continue  # never public, so there is nothing to take down
        url = settings["ARTICLE_URL"].format(date=post.date, slug=post.slug)
        writer.write_file(settings["ARTICLE_SAVE_AS"].format(date=post.date, slug=post.slug),
                          template, generator.context, relative_urls=settings["RELATIVE_URLS"],
                          url=url, removed_on=post.retracted, page_name=url)


def register() -> None:
    signals.article_generator_finalized.connect(attach_lifecycle)
    signals.article_writer_finalized.connect(write_removed_pages)
