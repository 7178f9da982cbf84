"""Every page of a preview says it is one: a visible "Preview — not approved" marker and
``<meta name="robots" content="noindex">``.

Both are put into the built HTML after the build, not by a template: a department's own
``base.html`` (or the branch's) could leave a template block out, but cannot stop this
pass. The ``<head>`` and ``<body>`` tags are found by an HTML parser, so one written inside
a comment is not taken for the real one; the marker's inline style is ``!important`` so
no stylesheet of the branch hides it, and its sizes are in pixels, so no root or parent
font size of the branch (``html{font-size:0}``) shrinks it away. ``mark_site`` then parses
every page again and refuses the preview if one lacks either, so a preview copied to a
web server is never taken for the real site.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from pressroom.preview.compare import site_files

NOINDEX = '<meta name="robots" content="noindex">'
MARKER_TEXT = "Preview — not approved"
MARKER_CLASS = "pressroom-preview-marker"
_STYLE = ("display:block!important;visibility:visible!important;position:static!important;"
          "opacity:1!important;margin:0!important;padding:8px 16px!important;"
          "background:#fff3b0!important;color:#1a1a1a!important;"
          "border-bottom:3px solid #8a6d00!important;font:bold 16px/1.4 sans-serif!important;"
          "text-align:center!important;clip:auto!important;height:auto!important;"
          "width:auto!important;transform:none!important")
MARKER = (f'<p class="{MARKER_CLASS}" style="{_STYLE}">'
          f'{MARKER_TEXT.replace("—", "&#8212;")}: this page is a preview of a branch, not the '
          f"public site.</p>")  # ASCII: right whatever charset the page declares, or none


class _Tags(HTMLParser):
    """Where the first real ``<head>`` and ``<body>`` start tags end, and what a page holds:
    a robots noindex meta and the marker's text (outside comments, scripts and styles)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self._lines = [0]  # where each line starts, as the parser counts lines (by "\n")
        newline = html.find("\n")
        while newline != -1:
            self._lines.append(newline + 1)
            newline = html.find("\n", newline + 1)
        self._html = html
        self.ends: dict[str, int] = {}
        self.noindex = False
        self.marked = False
        self._skip = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "body") and tag not in self.ends:
            line, column = self.getpos()
            text = self.get_starttag_text() or ""
            self.ends[tag] = self._lines[line - 1] + column + len(text)
        if tag in ("script", "style", "template", "noscript"):
            self._skip += 1
        values = {name: (value or "").lower() for name, value in attrs}
        if tag == "meta" and values.get("name") == "robots" and \
                "noindex" in values.get("content", ""):
            self.noindex = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "head" and "/head" not in self.ends:
            line, column = self.getpos()
            start = self._lines[line - 1] + column
            self.ends["/head"] = self._html.find(">", start) + 1 or len(self._html)
        if tag in ("script", "style", "template", "noscript"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip and MARKER_TEXT in data:
            self.marked = True


def mark_page(html: str) -> str:
    """The page with the noindex meta first in ``<head>`` and the marker first in ``<body>``
    (after ``</head>``, or after the meta, when a tag is missing: still first for a reader)."""
    ends = _Tags(html).ends
    head = ends.get("head", 0)
    body = ends.get("body", ends.get("/head", head))  # no <body> tag: after the head
    html = html[:head] + NOINDEX + html[head:]
    body += len(NOINDEX) if head <= body else 0
    return html[:body] + MARKER + html[body:]


def is_marked(html: str) -> bool:
    """Whether a parser finds a real robots noindex meta and the marker's text."""
    tags = _Tags(html)
    return tags.noindex and tags.marked


def mark_site(site: Path) -> list[str]:
    """Mark every HTML page under ``site``; the pages still unmarked (none, normally)."""
    unmarked = []
    for rel, path in sorted(site_files(site).items()):
        if not rel.endswith((".html", ".htm")):
            continue
        html = path.read_bytes().decode("utf-8", errors="replace")
        path.write_text(mark_page(html), encoding="utf-8")
        if not is_marked(path.read_text(encoding="utf-8")):
            unmarked.append(rel)
    return unmarked
