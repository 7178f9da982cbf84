"""A built page as a reader sees it: its title and description, the text of its body with
every link's target and every image's alt text, and its alert banner.

A reviewer judges what the public will read, not HTML source, so changed pages are
compared as text, one block element per line. The text is everything a reader or a search
engine is shown: the ``<title>``, the meta description (shown under the link in search
results), the whole ``<body>`` (a phone number changed in the footer is a change), each
link's target after its words (``online [link: https://city.example/pay]``: a link swapped to
another host must show) and each image's alt text. Standard library only (``html.parser``).

The banner region is the one between ``<!-- pressroom:banner -->`` markers; a page with
more than one pair (a template wrapping other content in markers) has none, so nothing of
it can be dropped from the comparison as "only the banner".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

BANNER_START = "<!-- pressroom:banner -->"
BANNER_END = "<!-- /pressroom:banner -->"

BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section",
          "article", "header", "footer", "aside", "nav", "ul", "ol", "table", "dt", "dd",
          "blockquote", "pre", "figure", "figcaption", "time", "main"}
SKIPPED = {"script", "style", "template", "noscript"}


def _span(html: str) -> tuple[int, int] | None:
    """Where the one banner region starts and ends; None unless exactly one pair."""
    if html.count(BANNER_START) != 1 or html.count(BANNER_END) != 1:
        return None
    start = html.find(BANNER_START)
    end = html.find(BANNER_END, start)
    return (start, end + len(BANNER_END)) if end != -1 else None


def without_banner(html: str) -> str:
    """The page with its banner region emptied: what the page says apart from the banner."""
    span = _span(html)
    if span is None:
        return html
    return html[:span[0]] + BANNER_START + BANNER_END + html[span[1]:]


def banner_region(html: str) -> str:
    """The banner region of a page ("" when it has none, or more than one)."""
    span = _span(html)
    return html[span[0]:span[1]] if span else ""


_URL_ATTR = re.compile(r'\b(href|src)="([^"]*)"')
_ORIGIN = "https://preview.invalid/"


def banner_key(html: str, rel: str) -> str:
    """The banner region of the page at ``rel`` (its path in the site) with every quoted
    link resolved from that page: equal on every page that shows the same banner, though
    relative links differ with a page's depth."""
    def resolve(found: re.Match) -> str:
        return f'{found.group(1)}="{urljoin(_ORIGIN + rel, found.group(2))}"'
    return _URL_ATTR.sub(resolve, banner_region(html))


def site_link(href: str, rel: str) -> str:
    """A link of the page at ``rel`` as the reader follows it: a site URL (``/contact/``)
    for a link within the site, the whole address for another host."""
    target = urljoin(_ORIGIN + rel, href.strip())
    return "/" + target[len(_ORIGIN):] if target.startswith(_ORIGIN) else target


class _Text(HTMLParser):
    def __init__(self, rel: str = "index.html") -> None:
        super().__init__(convert_charrefs=True)
        self.rel = rel
        self.main: list[str] = []
        self.body: list[str] = []
        self.head: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._in_main = 0
        self._in_body = False
        self._in_title = False
        self._skip = 0
        self._link: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in SKIPPED:
            self._skip += 1
        elif tag == "body":
            self._in_body = True
        elif tag == "title" and not self._in_body:
            self._in_title = True
        elif tag == "meta" and values.get("name", "").lower() == "description":
            self.head.append(f"\nDescription: {values.get('content', '')}\n")
        elif tag == "img":
            self._add(f"[image: {values.get('alt', '')}]")
        elif tag == "a":
            self._link = (values.get("href", ""), [])
        if tag in BLOCKS:
            self._add("\n")
        if tag == "main":
            self._in_main += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self._skip = max(0, self._skip - 1)
        elif tag == "main":
            self._in_main = max(0, self._in_main - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == "a" and self._link is not None:
            href, words = self._link
            self.links.append((" ".join("".join(words).split()), href))
            self._add(f" [link: {site_link(href, self.rel)}]")
            self._link = None
        if tag in BLOCKS:
            self._add("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.head.append(f"\nTitle: {' '.join(data.split())}\n")
            return
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


def page_text(html: str, rel: str = "index.html") -> str:
    """What a page shows its readers, one block per line: title, description, the body's
    text (links with their targets, images with their alt text). The caller leaves the
    site-wide banner out first (``without_banner``): it is compared once. ``rel`` is the
    page's path in the site, to show its links as site URLs."""
    parser = _Text(rel)
    parser.feed(html)
    parser.close()
    return _lines(parser.head + ["\n"] + parser.body)


def banner_text(html: str) -> str:
    """The banner region's text (links with their targets), "" when it has none."""
    parser = _Text()
    parser.feed("<body>" + banner_region(html) + "</body>")
    parser.close()
    return _lines(parser.body)


def banner_links(html: str) -> tuple[str, list[tuple[str, str]]]:
    """The banner's text and its (text, href) links, from one page."""
    parser = _Text()
    parser.feed("<body>" + banner_region(html) + "</body>")
    parser.close()
    return _lines(parser.body), parser.links
