"""The HTTP headers every copy of the public site is served with: one policy, two servers.

The same site is served by the department's nginx (the release folders behind their one
symlink) or from S3-compatible object storage behind a CDN (``pressroom deploy``). Both take
``Content-Type`` and ``Cache-Control`` from here, so a page cannot be fresh on one and stale on
the other, and the tests compare what each server sends with these functions.

Why these lifetimes: alerts and their updates must reach readers within a minute, so every
page, feed, CAP document and anything else that changes in place is cached for
``SHORT_SECONDS``; a file whose name carries the hash of its bytes (``site.3f2a9c1d.css``)
can never change, so caches may keep it for a year without asking again; other files
(images a post links) rarely change but may, so they get an hour.
"""

from __future__ import annotations

import re
from urllib.parse import quote

SHORT_SECONDS = 60
MEDIUM_SECONDS = 3600
IMMUTABLE_SECONDS = 31_536_000

SHORT = f"public, max-age={SHORT_SECONDS}"
MEDIUM = f"public, max-age={MEDIUM_SECONDS}"
IMMUTABLE = f"public, max-age={IMMUTABLE_SECONDS}, immutable"

# A fingerprinted file: a name, a dot, at least 8 hex digits of its content's hash, an extension.
FINGERPRINTED = re.compile(r"^[^/]+\.[0-9a-f]{8,64}\.[A-Za-z0-9]+$")

# By extension (lower case). Text types carry their charset: the site is written in UTF-8.
TYPES: dict[str, str] = {
    "html": "text/html; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "json": "application/json",
    "txt": "text/plain; charset=utf-8",
    "xml": "application/xml",
    "atom": "application/atom+xml",  # the CAP index, /cap/index.atom
    "xsl": "application/xslt+xml",
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "ico": "image/x-icon",
    "pdf": "application/pdf",
    "woff2": "font/woff2",
    "woff": "font/woff",
}
FALLBACK_TYPE = "application/octet-stream"
# What changes in place and must reach readers within a minute (and files with no extension).
SHORT_EXTENSIONS = ("html", "xml", "atom", "json", "txt", "xsl")
# Which XML a path holds, by where the site puts it. Feeds go out as application/xml: feed
# readers parse them whatever the type, and browsers show application/atom+xml and
# application/rss+xml as raw text, never applying the feed.xsl each feed names (issue #14:
# a resident who clicks "RSS" gets a readable page). The CAP index (.atom) keeps its type.
XML_TYPES = (("atom.xml", "application/xml"), ("rss.xml", "application/xml"))
CAP_FOLDER = "cap/"
CAP_TYPE = "application/cap+xml"


def extension(path: str) -> str:
    """The lower-case extension of the file name at the end of ``path`` ("" if none)."""
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def content_type(path: str) -> str:
    """The ``Content-Type`` of the site file at ``path`` (relative, ``/``-separated)."""
    kind = extension(path)
    if kind == "xml":
        for suffix, feed_type in XML_TYPES:
            if path.endswith(suffix):
                return feed_type
        if path.startswith(CAP_FOLDER) or f"/{CAP_FOLDER}" in path:
            return CAP_TYPE
    return TYPES.get(kind, FALLBACK_TYPE)


def cache_control(path: str) -> str:
    """The ``Cache-Control`` of the site file at ``path`` (relative, ``/``-separated)."""
    name = path.rsplit("/", 1)[-1]
    if FINGERPRINTED.match(name):
        return IMMUTABLE
    kind = extension(path)
    if kind in SHORT_EXTENSIONS or not kind:
        return SHORT
    return MEDIUM


def url_paths(path: str) -> list[str]:
    """The URL paths a site file answers at: ``news/index.html`` is also ``/news/`` (what a
    CDN must be told to forget when the file changes).

    Percent-encoded (RFC 3986; ``*`` too, a wildcard to CloudFront): ``a b.html`` is
    ``/a%20b.html`` and ``q?.html`` is not ``/q`` with a query, so an invalidation names
    the very object that changed."""
    paths = [f"/{quote(path, safe='/')}"]
    if path == "index.html":
        paths.insert(0, "/")
    elif path.endswith("/index.html"):
        paths.insert(0, f"/{quote(path[:-len('index.html')], safe='/')}")
    return paths
