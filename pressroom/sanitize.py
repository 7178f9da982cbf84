"""392.5.1 and the Quality bar: raw HTML in posts never reaches a page unsanitized.

Markdown lets authors write raw HTML; a pasted embed could add a comment widget
(a public posting channel, 392.5.1), a form, a tracking pixel or a script. Every
rendered post body and summary goes through ``sanitize_html``: nh3 (the Ammonia
sanitizer) with a small allowlist of tags for text, lists, tables, quotes and
images, ``http``/``https``/``mailto``/``tel`` links only, and images only from
the site itself, so a page never makes a request to another host.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import nh3

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl",
    "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
})
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
    "li": {"id"},       # footnotes (python-markdown "extra")
    "sup": {"id"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
CLASSES = {
    "div": {"footnote"},
    "a": {"footnote-ref", "footnote-backref"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript",
                               "template", "form", "textarea", "select", "svg", "math"})


def _local_source(site_host: str):
    """An nh3 attribute filter that keeps only images served by the site itself."""

    def keep(element: str, attribute: str, value: str) -> str | None:
        if attribute == "src":
            parts = urlsplit(value.strip())
            if parts.scheme or parts.netloc:
                same_site = parts.scheme in {"http", "https"} and parts.hostname == site_host
                return value if site_host and same_site else None
        return value

    return keep


_cleaner = lru_cache(maxsize=8)(_local_source)


def sanitize_html(html: str, site_host: str = "") -> str:
    """Return ``html`` with everything outside the allowlist removed.

    ``site_host`` is the public host name of the site (from ``SITEURL``); images
    from any other host are dropped so no page makes a third-party request.
    """
    if not html:
        return html
    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        attribute_filter=_cleaner(site_host),
        url_schemes=set(URL_SCHEMES),
        allowed_classes={k: set(v) for k, v in CLASSES.items()},
        strip_comments=True,
        link_rel="noopener noreferrer",
    )
