"""Two builds of a site compared as the public would see them: which URLs a merge adds,
changes or removes.

Both builds ran at the same ``now``, so every difference comes from the merge. The alert
banner sits in every page (between ``<!-- pressroom:banner -->`` markers); a change to it
alone is one entry (url ``*``, kind ``banner``, with the diff of the home page's banner
text), not one per page: a reviewer reads it once. Only a region that is the home page's
banner is left out of a page's comparison: a template that puts other words between
markers on some pages has them compared as the page's own. A page whose own content
changed is listed with a diff of its readable text (``pagetext.page_text``), or of its
HTML when the text is the same (an attribute, a class); other text files (feeds, CAP,
stylesheets) with a diff of their text; binary files by their sizes.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from pressroom.preview.pagetext import (
    banner_key,
    banner_text,
    page_text,
    without_banner,
)
from pressroom.preview.review import Change

FEED_SUFFIXES = (".xml", ".atom", ".rss")
# Larger files are listed but not read as text: a branch's template can write a page of
# hundreds of megabytes, and parsing and diffing it here (no time limit: this is the
# reviewer's process, or the desk) would hang the review. No real page comes near it.
MAX_TEXT_BYTES = 4 * 1024**2


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


def _strict_text(path: Path) -> str | None:
    """A file's text, or None when it is not UTF-8 text (an image, a font)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\0" in text else text


def text_diff(before: str, after: str, name: str) -> str:
    """A unified diff of two texts (line by line), "" when they are equal."""
    return "".join(difflib.unified_diff([line + "\n" for line in before.splitlines()],
                                        [line + "\n" for line in after.splitlines()],
                                        fromfile=f"before {name}", tofile=f"after {name}",
                                        n=2)).rstrip("\n")


def _too_large(*paths: Path | None) -> str:
    """Why files are not compared as text ("" when they may be)."""
    sizes = [p.stat().st_size for p in paths if p is not None]
    if max(sizes, default=0) <= MAX_TEXT_BYTES:
        return ""
    return (f"too large to compare as text ({max(sizes):,} bytes; at most "
            f"{MAX_TEXT_BYTES:,}): open it in the preview site")


def _file_diff(old: Path | None, new: Path | None, url: str) -> str:
    """The diff of a file that is not a page: its text, or its sizes when it is binary."""
    if _too_large(old, new):
        return _too_large(old, new)
    before = "" if old is None else _strict_text(old)
    after = "" if new is None else _strict_text(new)
    if before is None or after is None:
        sizes = [f"{p.stat().st_size} bytes" if p else "absent" for p in (old, new)]
        return f"binary file: {sizes[0]} before, {sizes[1]} after"
    return text_diff(before, after, url)


def _page_diff(before_html: str, after_html: str, url: str, rel: str) -> str:
    """The text diff of a changed page, or its HTML diff when its text did not change."""
    return (text_diff(page_text(before_html, rel), page_text(after_html, rel), url)
            or text_diff(before_html, after_html, url + " (HTML; its text is the same)"))


def compare_sites(before: Path, after: Path) -> list[Change]:
    """Every public URL that differs between two built sites (banner-only changes once)."""
    old, new = site_files(before), site_files(after)
    homes = [_text(site["index.html"]) if "index.html" in site else "" for site in (old, new)]
    home_banner = [banner_key(html, "index.html") for html in homes]
    changes: list[Change] = []
    for rel in sorted(set(old) | set(new), key=url_of):
        url, kind = url_of(rel), kind_of(rel)
        if rel not in old:
            text = diff = ""
            if kind == "page" and _too_large(new[rel]):
                diff = _too_large(new[rel])
            elif kind == "page":  # in full: all a reader sees, but the site-wide banner
                page = _text(new[rel])
                text = page_text(without_banner(page) if banner_key(page, rel) ==
                                 home_banner[1] else page, rel)
            else:
                diff = _file_diff(None, new[rel], url)
            changes.append(Change(url, "added", kind, rel, text_diff=diff, text=text))
        elif rel not in new:
            changes.append(Change(url, "removed", kind, rel))
        elif old[rel].read_bytes() != new[rel].read_bytes():
            if kind != "page":
                changes.append(Change(url, "changed", kind, rel,
                                      text_diff=_file_diff(old[rel], new[rel], url)))
                continue
            if _too_large(old[rel], new[rel]):
                changes.append(Change(url, "changed", kind, rel,
                                      text_diff=_too_large(old[rel], new[rel])))
                continue
            pages = [_text(old[rel]), _text(new[rel])]
            # the banner is left out only where it is the home page's, site-wide banner
            rest = [without_banner(html) if banner_key(html, rel) == home_banner[i] else html
                    for i, html in enumerate(pages)]
            if rest[0] != rest[1]:
                changes.append(Change(url, "changed", kind, rel,
                                      text_diff=_page_diff(rest[0], rest[1], url, rel)))
    if home_banner[0] != home_banner[1]:
        diff = text_diff(banner_text(homes[0]), banner_text(homes[1]), "alert banner")
        changes.insert(0, Change("*", "changed", "banner", text_diff=diff))
    return changes
