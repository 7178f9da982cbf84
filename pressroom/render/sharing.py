"""Issue #14: what a shared link shows — a page's canonical address and its preview image.

Open Graph and Twitter cards need absolute addresses. They are made only from the site's
configured ``[site] url`` (``PRESSROOM_SITE_URL``) and the path of the file being written,
never from anything a post says: a post's first image is used only when it resolves to a
file under the site's own address, so a share preview never makes a reader's app ask
another host for anything. Jinja filters (``render.site.enforced``); no Pelican here.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


def page_path(output_file: str) -> str:
    """The address path of a written page: ``2026/x/index.html`` -> ``2026/x/``,
    ``index.html`` -> ``""`` (the home page)."""
    name = str(output_file or "").lstrip("/")
    if name == "index.html":
        return ""
    if name.endswith("/index.html"):
        return name[: -len("index.html")]
    return name


def canonical(output_file: str, site_url: str) -> str:
    """The absolute canonical address of the page written to ``output_file``."""
    return f"{site_url.rstrip('/')}/{page_path(output_file)}"


class _FirstImage(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and self.found is None:
            values = dict(attrs)
            self.found = (values.get("src") or "", values.get("alt") or "")


def share_image(content: str, page_url: str, site_url: str) -> dict[str, str] | None:
    """The post's first image (``content``: its sanitized HTML) as ``{"url", "alt"}``,
    absolute, if it is a file of this site; else None (the seal is shown instead)."""
    parser = _FirstImage()
    parser.feed(str(content or ""))
    parser.close()
    if parser.found is None or not parser.found[0].strip():
        return None
    src, alt = parser.found
    url = urljoin(page_url, src.strip())
    base = site_url.rstrip("/") + "/"
    parts = urlsplit(url)
    if not url.startswith(base) or parts.query or parts.fragment or "\\" in url:
        return None
    return {"url": url, "alt": alt.strip()}
