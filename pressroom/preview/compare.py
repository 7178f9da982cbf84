"""Two builds of a site compared as the public would see them: which URLs a merge adds,
changes or removes.

Both builds ran at the same ``now``, so every difference comes from the merge. The alert
banner sits in every page (between ``<!-- pressroom:banner -->`` markers); a change to it
alone is one entry (url ``*``, kind ``banner``), not one per page: a reviewer reads it
once. A page whose own content changed is listed with a diff of its readable text.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from pressroom.preview.pagetext import banner_region, page_text, without_banner
from pressroom.preview.review import Change

FEED_SUFFIXES = (".xml", ".atom", ".rss")


def site_files(site: Path) -> dict[str, Path]:
    """Relative POSIX path -> file, for every regular file of a built site."""
    found = {}
    for folder, _dirs, files in os.walk(site):
        for name in files:
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(site).as_posix()] = path
    return found


def url_of(rel: str) -> str:
    """The public URL (site-relative) of a file: ``x/index.html`` is ``/x/``."""
    if rel == "index.html":
        return "/"
    if rel.endswith("/index.html"):
        return "/" + rel[: -len("index.html")]
    return "/" + rel


def kind_of(rel: str) -> str:
    if rel.startswith("cap/"):
        return "cap"
    if rel.endswith(".html"):
        return "page"
    if rel.startswith("feeds/") or rel.endswith(FEED_SUFFIXES):
        return "feed"
    return "other"


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def text_diff(before: str, after: str, name: str) -> str:
    """A unified diff of two texts (line by line), "" when they are equal."""
    return "".join(difflib.unified_diff([line + "\n" for line in before.splitlines()],
                                        [line + "\n" for line in after.splitlines()],
                                        fromfile=f"before {name}", tofile=f"after {name}",
                                        n=2)).rstrip("\n")


def compare_sites(before: Path, after: Path) -> list[Change]:
    """Every public URL that differs between two built sites (banner-only changes once)."""
    old, new = site_files(before), site_files(after)
    changes: list[Change] = []
    banner_changed = False
    for rel in sorted(set(old) | set(new), key=url_of):
        url, kind = url_of(rel), kind_of(rel)
        if rel not in old:
            text = page_text(_text(new[rel])) if kind == "page" else ""
            diff = text_diff("", _text(new[rel]), url) if kind == "cap" else ""
            changes.append(Change(url, "added", kind, rel, text_diff=diff, text=text))
        elif rel not in new:
            changes.append(Change(url, "removed", kind, rel))
        elif old[rel].read_bytes() != new[rel].read_bytes():
            if kind != "page":
                diff = text_diff(_text(old[rel]), _text(new[rel]), url) if kind == "cap" else ""
                changes.append(Change(url, "changed", kind, rel, text_diff=diff))
                continue
            before_html, after_html = _text(old[rel]), _text(new[rel])
            if banner_region(before_html) != banner_region(after_html):
                banner_changed = True
            if without_banner(before_html) != without_banner(after_html):
                diff = text_diff(page_text(before_html), page_text(after_html), url)
                changes.append(Change(url, "changed", kind, rel, text_diff=diff))
    if banner_changed:
        changes.insert(0, Change("*", "changed", "banner"))
    return changes
