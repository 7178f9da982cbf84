"""Images in a post: every image needs alt text, and must exist in the repository.

Alt text is how a screen-reader user learns what a photo of a suspect vehicle
or a map of a closure shows (WCAG 1.1.1). A missing image is a broken post.
"""

from __future__ import annotations

import re
from collections.abc import Container
from posixpath import normpath

from pressroom.model.violations import Violation
from pressroom.rules.document import Document, search
from pressroom.rules.lazy import LazyPattern, lazy

MARKDOWN_IMAGE = lazy(
    r"!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<src>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_IMAGE = lazy(r"(?is)<img\b[^>]*>")
_ALT = lazy(r"(?is)\balt\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))")
_SRC = lazy(r"(?is)\bsrc\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))")


def _attr(pattern: LazyPattern, tag: str) -> str | None:
    found = pattern.search(tag)
    if found is None:
        return None
    return next(group for group in found.groups() if group is not None)


def image_path(post_path: str, src: str) -> str | None:
    """The repository path an image reference points to, or None for external images."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) or src.startswith("//"):
        return None
    for prefix in ("{static}", "{attach}", "{filename}"):
        if src.startswith(prefix):
            return normpath("content/" + src[len(prefix):].lstrip("/"))
    if src.startswith("/"):
        return normpath("content/" + src.lstrip("/"))
    folder = post_path.rsplit("/", 1)[0] if "/" in post_path else ""
    return normpath(f"{folder}/{src}")


def check_images(doc: Document, static_files: Container[str] | None = None
                 ) -> list[Violation]:
    problems = []
    found: list[tuple[int, str | None, str | None]] = []
    for hit in search(MARKDOWN_IMAGE, doc.raw):  # file names exactly as written
        found.append((hit.line, hit.match.group("alt"), hit.match.group("src")))
    for hit in search(HTML_IMAGE, doc.raw):
        found.append((hit.line, _attr(_ALT, hit.text), _attr(_SRC, hit.text)))
    for line, alt, src in found:
        if not (alt or "").strip():
            problems.append(Violation(doc.path, line, "IMAGE-ALT",
                                      f"image {src or ''!r} has no alt text; describe what it "
                                      f"shows, e.g. ![Map of the Elm Street closure](...)"))
        if src and static_files is not None:
            target = image_path(doc.path, src)
            if target is not None and target not in static_files:
                problems.append(Violation(doc.path, line, "IMAGE-MISSING",
                                          f"image {src!r} is not in the repository "
                                          f"(looked for {target}); add the image there "
                                          f"or correct the path"))
    return problems
