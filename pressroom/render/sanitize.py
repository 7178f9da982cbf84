"""392.5.1 and the Quality bar: raw HTML in posts never reaches a page unsanitized.

Markdown lets authors write raw HTML; a pasted embed could add a comment widget
(a public posting channel, 392.5.1), a form, a tracking pixel or a script. Every
rendered post body and summary goes through ``sanitize_html``: nh3 (the Ammonia
sanitizer) with a small allowlist of tags for text, lists, tables, quotes and
images, ``http``/``https``/``mailto``/``tel`` links only, and images only from
the site itself, so a page never makes a request to another host.

Every URL is judged by ``url_problem`` the way a browser's URL parser (WHATWG)
reads it: entities decoded, leading and trailing controls and spaces stripped,
tabs and newlines removed anywhere, a backslash read as a slash. So
``/\\evil.example/x.png`` is an image from another host, and ``java&#x09;script:``
is ``javascript:``. ``pressroom check`` (rule HTML-URL) calls the same function on
the post rendered the same way, so the check and the sanitizer cannot disagree.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import unquote

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
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})  # where a link may go
RESOURCE_SCHEMES = frozenset({"http", "https"})  # and only to the site's own host
DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript",
                               "template", "form", "textarea", "select", "svg", "math"})

# Attributes a browser follows (a link, where the reader chooses to go) or fetches by
# itself (a resource: the page makes the request, so it must stay on the site).
LINK_ATTRIBUTES = frozenset({"href", "cite", "action", "formaction", "longdesc"})
RESOURCE_ATTRIBUTES = frozenset({
    "src", "srcset", "imagesrcset", "poster", "background", "lowsrc", "dynsrc", "data",
    "codebase", "archive", "ping", "manifest", "icon", "profile", "xlink:href",
})
LINK_ELEMENTS = frozenset({"a", "area"})  # href elsewhere (link, image, use) is fetched
# WHATWG "special" schemes: a backslash in them (and in URLs relative to them) is a slash.
SPECIAL_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp", "file"})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")


def url_kind(element: str, attribute: str) -> str | None:
    """"link", "resource", or None for an attribute that holds no URL."""
    attribute = attribute.lower()
    if attribute == "href":
        return "link" if element.lower() in LINK_ELEMENTS else "resource"
    if attribute in LINK_ATTRIBUTES:
        return "link"
    if attribute in RESOURCE_ATTRIBUTES:
        return "resource"
    return None


def browser_form(value: str) -> str:
    """``value`` as a browser's URL parser starts from: trimmed, tabs and newlines gone."""
    return _TAB_OR_NEWLINE.sub("", value.strip(_C0_AND_SPACE))


def url_host(after_scheme: str) -> str:
    """The host a special URL names once its scheme is read (``//user@Host:443/x`` -> host)."""
    authority = re.split(r"[/?#]", after_scheme.replace("\\", "/").lstrip("/"), maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    host = host[:host.find("]") + 1] if host.startswith("[") else host.partition(":")[0]
    return unquote(host).lower().rstrip(".")


def url_problem(value: str, kind: str, site_host: str = "") -> str | None:
    """Why ``value`` may not be a link (``kind`` "link") or resource on a page, or None.

    Links may go anywhere over http, https, mailto and tel. Resources (images and
    anything else the page fetches by itself) may only come from the site: a
    relative path, or http(s) on ``site_host``. The value is judged as given and
    entity-decoded once more (a double-encoded scheme is refused, never trusted).
    """
    for candidate in dict.fromkeys((value, html.unescape(value))):
        problem = _judge(browser_form(candidate), kind, site_host.lower().rstrip("."))
        if problem is not None:
            return problem
    return None


def _judge(url: str, kind: str, site_host: str) -> str | None:
    found = _SCHEME.match(url)
    scheme = found.group(1).lower() if found else ""
    rest = url[found.end():] if found else url
    if scheme and kind == "link" and scheme not in URL_SCHEMES:
        return f"a {scheme}: link; links may use http, https, mailto or tel only"
    if scheme and kind != "link" and scheme not in RESOURCE_SCHEMES:
        return f"a {scheme}: image or resource; the page may only load files from the site"
    if kind == "link":
        return None
    # A resource over http(s), or scheme-relative: "//h", "/\h", "\\h" all name a host.
    if scheme in SPECIAL_SCHEMES or (not scheme and rest.replace("\\", "/").startswith("//")):
        host = url_host(rest)
        if not site_host or host != site_host:
            return (f"an image or resource from another host ({host or 'no host'}); "
                    f"the page may only load files from the site (commit the file under "
                    f"content/images and use a relative path)")
    return None


def srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` (candidates "url descriptors", separated by commas)."""
    urls, pos, size = [], 0, len(value)
    while pos < size:
        while pos < size and (value[pos] in " \t\n\r\f,"):
            pos += 1
        start = pos
        while pos < size and value[pos] not in " \t\n\r\f":
            pos += 1
        url = value[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0
            while pos < size and (depth or value[pos] != ","):
                depth += {"(": 1, ")": -1}.get(value[pos], 0)
                pos += 1
        if url:
            urls.append(url)
    return urls


_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\n\r\f]?|\\(.)", re.S)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL = re.compile(r"(?i)(?:url|src)\(\s*(?:\"([^\"]*)\"|'([^']*)'|([^)\s]*))"
                      r"|@import\s*(?:\"([^\"]*)\"|'([^']*)')|image-set\(\s*(?:\"([^\"]*)\"|"
                      r"'([^']*)')")


def css_urls(style: str) -> list[str]:
    """The URLs a CSS ``style`` attribute would fetch (escapes and comments undone)."""
    def unescape(found: re.Match[str]) -> str:
        if found.group(1):
            code = int(found.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
        return found.group(2)

    text = _CSS_COMMENT.sub("", _CSS_ESCAPE.sub(unescape, style))
    return [next(g for g in m.groups() if g is not None) for m in _CSS_URL.finditer(text)]


def attribute_problems(element: str, attribute: str, value: str,
                       site_host: str = "") -> list[tuple[str, str]]:
    """(url, problem) for every URL in an attribute a browser would follow or fetch."""
    attribute = attribute.lower()
    if attribute == "style":
        urls, kind = css_urls(value), "resource"
    else:
        found = url_kind(element, attribute)
        if found is None:
            return []
        kind = found
        urls = srcset_urls(value) if attribute.endswith("srcset") else [value]
    problems = []
    for url in urls:
        problem = url_problem(url, kind, site_host)
        if problem is not None:
            problems.append((url, problem))
    return problems


def _same_site_only(site_host: str):
    """An nh3 attribute filter dropping every URL ``attribute_problems`` refuses."""

    def keep(element: str, attribute: str, value: str) -> str | None:
        return None if attribute_problems(element, attribute, value, site_host) else value

    return keep


_cleaner = lru_cache(maxsize=8)(_same_site_only)


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


def allowlist_fingerprint() -> str:
    """Everything sanitizing depends on besides code: part of the Markdown cache's key."""
    return repr((sorted(TAGS), sorted((k, sorted(v)) for k, v in ATTRIBUTES.items()),
                 sorted((k, sorted(v)) for k, v in CLASSES.items()), sorted(URL_SCHEMES),
                 sorted(RESOURCE_SCHEMES), sorted(DROP_WITH_CONTENT), sorted(LINK_ATTRIBUTES),
                 sorted(RESOURCE_ATTRIBUTES), sorted(LINK_ELEMENTS)))
