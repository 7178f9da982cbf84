"""The incidents a merge touches: each thread as it will read, the banner, the CAP changes.

An incident is decided by the same model the build uses (``pressroom.model.incidents``):
the posts of both exported trees are read and validated by ``repo.sources`` (data only),
every thread holding a post the merge adds, changes or removes is listed with its posts
in the thread's order, and the CAP documents the comparison found changed are attached.
"""

from __future__ import annotations

import posixpath
from datetime import datetime, tzinfo
from pathlib import Path

from pressroom.model.content import Post
from pressroom.model.incidents import thread_id, threads, upcoming_changes
from pressroom.model.languages import Languages
from pressroom.preview.compare import site_files
from pressroom.preview.pagetext import banner_links
from pressroom.preview.review import BannerLink, Change, IncidentInfo, Scheduled, ThreadPost
from pressroom.repo.gitio import git
from pressroom.repo.sources import load_sources
from pressroom.rules.alerts import AlertSummary, alert_summaries


def changed_paths(repo: Path, base: str, tree: str) -> set[str]:
    """Files under content/ that differ between ``base`` and the merged ``tree``."""
    out = git(repo, "diff-tree", "-r", "-z", "--name-only", "--no-renames", base, tree, "--",
              "content/")
    return {p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p}


def tree_posts(folder: Path, tz: tzinfo) -> list[Post]:
    """The valid posts of an exported tree, read as data (``repo.sources``): read once per
    preview for both the incidents and the scheduled changes."""
    return load_sources(folder, tz, light=True).posts


def touched_incidents(repo: Path, base: str, tree: str, before: list[Post],
                      after_posts: list[Post], now: datetime,
                      changed: list[Change]) -> list[IncidentInfo]:
    """Every safety-alert thread holding a post the merge adds, changes or removes
    (``before``/``after_posts``: the posts of ``base`` and of the merged ``tree``)."""
    paths = changed_paths(repo, base, tree)
    if not paths:
        return []
    ids = {thread_id(p) for p in [*after_posts, *before]
           if p.path in paths and p.category == "safety-alerts"}
    caps = {c.url: c.text_diff for c in changed if c.kind == "cap" and c.text_diff}
    found = threads(after_posts, now)
    infos = []
    for key in sorted(ids):
        thread = found.get(key)
        if thread is None:
            infos.append(IncidentInfo(key, "Not public after the merge", ()))
            continue
        posts = tuple(ThreadPost(p.title, p.date.isoformat(), f"/{p.date:%Y}/{p.slug}/",
                                 p.alert.get("response", "")) for p in thread.posts)
        slugs = {p.slug for p in thread.posts}
        diffs = tuple(sorted((url, diff) for url, diff in caps.items()
                             if url.rsplit("/", 1)[-1].removesuffix(".xml") in slugs))
        infos.append(IncidentInfo(key, thread.status(now), posts, diffs))
    return infos


def changed_alerts(repo: Path, base: str, tree: str, after_posts: list[Post],
                   event_code: str, languages: Languages) -> list[AlertSummary]:
    """What phones would get from each safety alert the merge adds or changes: its WEA
    texts, Imminent Threat verdict and SAME event code (``rules.alerts.alert_summary``, the
    block ``pressroom check`` prints), so the supervisor reads them before approving."""
    paths = changed_paths(repo, base, tree)
    return alert_summaries(sorted(after_posts, key=lambda p: p.path), event_code, languages,
                           lambda post: post.path in paths)


def scheduled_after(before_posts: list[Post], after_posts: list[Post],
                    now: datetime) -> list[Scheduled]:
    """What the merged site will do by itself after ``now`` that the base's would not:
    an embargoed post falling due an hour after the preview is not in either built site,
    yet approving the merge publishes it."""
    before = set(upcoming_changes(before_posts, now))
    after = upcoming_changes(after_posts, now)
    return [Scheduled(when.isoformat(), what) for when, what in after if (when, what)
            not in before]


def banner_after(site: Path) -> list[BannerLink]:
    """The alert banner every page will show after the merge (from the home page), its
    links as site URLs."""
    home = site_files(site).get("index.html")
    if home is None:
        return []
    _text, links = banner_links(home.read_text(encoding="utf-8", errors="replace"))
    return [BannerLink(text, _site_url(href)) for text, href in links]


def _site_url(href: str) -> str:
    """A link of the home page as a site URL (``./incidents/x/`` is ``/incidents/x/``);
    a link to another host is kept as it is."""
    if "://" in href or href.startswith("/"):
        return href
    path = posixpath.normpath("/" + href)
    return path + "/" if href.endswith("/") and path != "/" else path
