"""392.5.1: no public posting channel — raw HTML that would let the public post, or run code.

The sanitizer removes all of this at build time anyway; refusing it at commit
time tells the author why the pasted embed or form will not appear, instead of
letting it vanish silently.

Links and images (HTML-URL) are judged on the post rendered exactly as a build
renders it (``pressroom.render.markdown_render.render_for_check``), parsed by an HTML5
tokenizer (libxml2 through lxml), with the sanitizer's own judge
(``pressroom.render.sanitize.attribute_problems``): inline and reference-style links,
autolinks, attribute lists and raw HTML are all seen as a browser sees them.
"""

from __future__ import annotations

import html
import re

from pressroom.model.violations import Violation
from pressroom.rules.document import Document, search
from pressroom.rules.lazy import lazy

# (pattern, rule, message, lower-case triggers one of which every match contains)
CHECKS = [
    (lazy(r"(?i)<\s*(?:form|input|textarea|button|select)\b"), "HTML-FORM",
     "a form or input field ({text!r}); the public may not post to the site — link to the "
     "Contact page instead", ("<",)),
    (lazy(r"(?i)<\s*(?:iframe|frame|frameset|object|embed|applet|svg|math|portal)\b"),
     "HTML-EMBED", "embedded content ({text!r}); link to it instead", ("<",)),
    (lazy(r"(?i)<\s*script\b|<[a-z][^>]*\son[a-z]+\s*=|<\s*(?:style|link|meta|base)\b"),
     "HTML-SCRIPT", "a script, event handler or page-level tag ({text!r}); remove it: "
     "the site shows no code from a post", ("<",)),
    (lazy(r"(?i)disqus|fb-comments|facebook\.com/plugins/comments|utteranc\.es|giscus"
                r"|commento|intensedebate|livefyre|hyvor|remark42|cusdis|data-comments"),
     "HTML-COMMENTS", "a comment widget ({text!r}); department sites take no public posts",
     ("disqus", "comments", "utteranc", "giscus", "commento", "intensedebate", "livefyre",
      "hyvor", "remark42", "cusdis")),
]


# Elements the rules above refuse outright (and the sanitizer drops with their content):
# their URLs are not judged again.
REFUSED_ELEMENTS = frozenset({
    "form", "input", "textarea", "button", "select", "iframe", "frame", "frameset", "object",
    "embed", "applet", "svg", "math", "portal", "script", "style", "link", "meta", "base",
})


def check_html(doc: Document, config: object = None, site_host: str = "") -> list[Violation]:
    problems = []
    segments = doc.prose
    for pattern, rule_id, message, triggers in CHECKS:
        for hit in search(pattern, segments, triggers):
            problems.append(Violation(doc.path, hit.line, rule_id,
                                      message.format(text=hit.text.strip()) + " (392.5.1)"))
    return problems + check_urls(doc, site_host)


def check_urls(doc: Document, site_host: str = "") -> list[Violation]:
    """HTML-URL: every link and image of the rendered post, judged as the sanitizer judges it.

    Without ``site_host`` (the host of ``SITEURL``) an image must be a relative path.
    """
    if "<" not in doc.text and "[" not in doc.text and "{" not in doc.text:
        return []  # no link, image, raw HTML or attribute list: Markdown makes no URL
    from pressroom.render.markdown_render import render_for_check
    from pressroom.render.sanitize import attribute_problems

    lines = _Lines(doc)
    problems = []
    for fragment in render_for_check(doc.text):
        for element, attribute, value in _url_attributes(fragment):
            for url, problem in attribute_problems(element, attribute, value, site_host):
                shown = url if len(url) <= 80 else url[:77] + "..."
                problems.append(Violation(doc.path, lines.find(url), "HTML-URL",
                                          f"{problem} ({shown!r} in <{element} {attribute}>) "
                                          f"(392.5.1)"))
    return problems


def _url_attributes(fragment: str) -> list[tuple[str, str, str]]:
    """(element, attribute, decoded value) of every attribute, in document order."""
    import lxml.html
    from lxml import etree

    if "=" not in fragment:
        return []  # no attributes at all
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    found = []
    for element in root.iter():
        if not element.attrib or not isinstance(element.tag, str) or any(
                e.tag in REFUSED_ELEMENTS for e in (element, *element.iterancestors())):
            continue
        found += [(element.tag, name, value) for name, value in element.attrib.items()]
    return found


_SQUASH = re.compile(r"[\s\\]")


def _squash(text: str) -> str:
    """Source and rendering made comparable: entities decoded, whitespace and escapes gone."""
    return _SQUASH.sub("", html.unescape(text))


class _Lines:
    """Finds the source line a rendered URL came from (code masked, so code never matches)."""

    def __init__(self, doc: Document) -> None:
        source = doc.prose[0].line_source or doc.prose[0].text if doc.prose else doc.text
        self.sources = [source.split("\n"), doc.text.split("\n")]
        self.fallback = doc.header.body_line
        self.used: set[int] = set()

    def find(self, url: str) -> int:
        needle = _squash(url)
        for size in (len(needle), 12, 6):
            part = needle[:size]
            if not part:
                break
            for lines in self.sources:
                line = self._search(lines, part)
                if line:
                    return line
        return self.fallback

    def _search(self, lines: list[str], part: str) -> int:
        """The first line (not yet reported, if possible) where ``part`` starts, within 3 lines."""
        first = 0
        for width in (1, 2, 3):
            for index in range(len(lines) - width + 1):
                if part in _squash("".join(lines[index:index + width])):
                    if index + 1 not in self.used:
                        self.used.add(index + 1)
                        return index + 1
                    first = first or index + 1
            if first:
                return first
        return first
