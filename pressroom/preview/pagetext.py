"""A built page as a reader sees it: the text of its main content, and its alert banner.

A reviewer judges what the public will read, not HTML source, so changed pages are
compared as text: the words of ``<main>`` (the whole ``<body>`` when a department's
template has no ``<main>``), one block element per line. Standard library only
(``html.parser``): the built pages are our own output, and no script runs.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BANNER_START = "<!-- pressroom:banner -->"
BANNER_END = "<!-- /pressroom:banner -->"
_BANNER = re.compile(re.escape(BANNER_START) + ".*?" + re.escape(BANNER_END), re.S)

BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section",
          "article", "header", "footer", "aside", "nav", "ul", "ol", "table", "dt", "dd",
          "blockquote", "pre", "figure", "figcaption", "time"}
SKIPPED = {"script", "style", "template", "noscript"}


def without_banner(html: str) -> str:
    """The page with its banner region emptied: what the page says apart from the banner."""
    return _BANNER.sub(BANNER_START + BANNER_END, html)


def banner_region(html: str) -> str:
    """The banner region of a page ("" when it has none or the region is empty)."""
    found = _BANNER.search(html)
    return found.group(0) if found else ""


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.main: list[str] = []
        self.body: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._in_main = 0
        self._in_body = False
        self._skip = 0
        self._link: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self._skip += 1
        elif tag == "main":
            self._in_main += 1
        elif tag == "body":
            self._in_body = True
        elif tag == "a":
            self._link = (dict(attrs).get("href") or "", [])
        if tag in BLOCKS:
            self._add("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self._skip = max(0, self._skip - 1)
        elif tag == "main":
            self._in_main = max(0, self._in_main - 1)
        elif tag == "a" and self._link is not None:
            href, words = self._link
            self.links.append((" ".join("".join(words).split()), href))
            self._link = None
        if tag in BLOCKS:
            self._add("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._add(data)
            if self._link is not None:
                self._link[1].append(data)

    def _add(self, text: str) -> None:
        if self._in_main:
            self.main.append(text)
        if self._in_body or not self.body:
            self.body.append(text)


def _lines(parts: list[str]) -> str:
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def page_text(html: str) -> str:
    """The readable text of a page's main content, one block per line."""
    parser = _Text()
    parser.feed(without_banner(html))
    parser.close()
    return _lines(parser.main if parser.main else parser.body)


def banner_links(html: str) -> tuple[str, list[tuple[str, str]]]:
    """The banner's text and its (text, href) links, from one page."""
    parser = _Text()
    parser.feed("<body>" + banner_region(html) + "</body>")
    parser.close()
    return _lines(parser.body), parser.links
