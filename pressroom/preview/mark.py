"""Every page of a preview says it is one: a visible "Preview — not approved" marker and
``<meta name="robots" content="noindex">``.

Both are put into the built HTML after the build, not by a template: a department's own
``base.html`` (or the branch's) could leave a template block out, but cannot stop this
pass. ``mark_site`` then reads every page back and refuses the preview if one still
lacks either, so a preview copied to a web server is never taken for the real site.
"""

from __future__ import annotations

import re
from pathlib import Path

from pressroom.preview.compare import site_files

NOINDEX = '<meta name="robots" content="noindex">'
MARKER_TEXT = "Preview — not approved"
MARKER = ('<p class="pressroom-preview-marker" style="margin:0;padding:.5em 1em;'
          'background:#fff3b0;color:#1a1a1a;border-bottom:3px solid #8a6d00;'
          'font:bold 1rem/1.4 sans-serif;text-align:center">'
          f'{MARKER_TEXT}: this page is a preview of a branch, not the public site.</p>')
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.I)
_BODY = re.compile(r"<body(?:\s[^>]*)?>", re.I)


def mark_page(html: str) -> str:
    """The page with the noindex meta first in ``<head>`` and the marker first in ``<body>``
    (at the start of the document when a tag is missing: still first for a reader)."""
    head = _HEAD.search(html)
    html = (html[:head.end()] + NOINDEX + html[head.end():]) if head else NOINDEX + html
    body = _BODY.search(html)
    return (html[:body.end()] + MARKER + html[body.end():]) if body else MARKER + html


def is_marked(html: str) -> bool:
    return NOINDEX in html and MARKER_TEXT in html


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
