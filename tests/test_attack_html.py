"""Issue #11, class 8: tricks that reach another host or break the site.

An attacker (or a careless paste) tries to make a page load something from another
host or run a script: URLs written so a browser reads them differently from a naive
check; tags whose slug comes out empty or collides; a cache that outlives a
sanitizer fix. Everything goes through the real CLI and real Pelican builds; built
pages are parsed with lxml and every URL is resolved the way a browser does.
"""

from __future__ import annotations

import hashlib
import html
import pickle
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from click.testing import CliRunner
from conftest import NOW, post_text
from lxml import etree

from pressroom.cache import folder as cache_folder
from pressroom.cli import cli
from pressroom.render.markdown_render import CACHE_FILE, render_cached
from pressroom.render.sanitize import sanitize_html, url_problem
from pressroom.rules.slugs import pelican_tags, slugify

SITE = "https://police.example"  # site_defaults()' SITEURL: the test repositories' host
HOST = "police.example"
NOW_TEXT = NOW.isoformat()

# (name, url, may be an image, may be a link): at least 30 tricks, and the fine cases.
TRICKS = [
    ("backslash after slash", "/\\evil.example/x.png", False, True),
    ("two backslashes", "\\\\evil.example/x.png", False, True),
    ("slash backslash slash", "/\\/evil.example/x.png", False, True),
    ("scheme-relative", "//evil.example/x.png", False, True),
    ("https without slashes", "https:evil.example/x.png", False, True),
    ("http with backslashes", "http:\\\\evil.example\\x.png", False, True),
    ("three slashes", "///evil.example/x.png", False, True),
    ("leading tab", "\t//evil.example/x.png", False, True),
    ("leading space and newline", " \n//evil.example/x.png", False, True),
    ("tab between the slashes", "/\t/evil.example/x.png", False, True),
    ("entity tab between the slashes", "/&#x09;/evil.example/x.png", False, True),
    ("entity-encoded slashes", "&#x2F;&#x2F;evil.example/x.png", False, True),
    ("site as user name", "https://police.example@evil.example/x.png", False, True),
    ("site after backslash-at", "https://evil.example\\@police.example/x.png", False, True),
    ("site in the fragment", "https://evil.example#@police.example/x.png", False, True),
    ("upper-case other host", "HTTPS://EVIL.EXAMPLE/x.png", False, True),
    ("site name as a subdomain", "https://police.example.evil.example/x.png", False, True),
    ("site and port as user", "https://police.example:443@evil.example/x.png", False, True),
    ("javascript, entity tab", "java&#x09;script:alert(1)", False, False),
    ("javascript, entity letter", "jav&#x61;script:alert(1)", False, False),
    ("javascript, mixed case", "JaVaScRiPt:alert(1)", False, False),
    ("javascript, decimal entity", "&#106;avascript:alert(1)", False, False),
    ("javascript, entity without semicolon", "&#106avascript:alert(1)", False, False),
    ("javascript, raw tab", "java\tscript:alert(1)", False, False),
    ("javascript, raw newline", "java\nscript:alert(1)", False, False),
    ("javascript, leading spaces", "   javascript:alert(1)", False, False),
    ("javascript, &colon;", "javascript&colon;alert(1)", False, False),
    ("javascript, &Tab;", "jav&Tab;ascript:alert(1)", False, False),
    ("javascript, &NewLine;", "java&NewLine;script:alert(1)", False, False),
    ("javascript, all entities",
     "".join(f"&#x{ord(c):x};" for c in "javascript:") + "alert(1)", False, False),
    ("data: html", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", False, False),
    ("data: image", "data:image/png;base64,iVBORw0KGgo=", False, False),
    ("vbscript", "vbscript:msgbox(1)", False, False),
    ("file", "file:///etc/passwd", False, False),
    ("ftp", "ftp://files.example/x.png", False, False),
    ("blob", "blob:https://police.example/1234", False, False),
    # ... and what must keep working.
    ("site-relative image", "/images/a.png", True, True),
    ("relative image", "images/a.png", True, True),
    ("parent-relative image", "../images/a.png", True, True),
    ("image on the site's host", "https://police.example/images/a.png", True, True),
    ("scheme-relative on the site", "//police.example/images/a.png", True, True),
    ("site host, backslash then at", "https://police.example\\@evil.example/x.png", True, True),
    ("link to another site", "https://www.ca.gov/", False, True),
    ("mailto", "mailto:info@pd.example", False, True),
    ("tel", "tel:5550104400", False, True),
    ("fragment", "#section", True, True),
    ("query", "?page=2", True, True),
]
BAD = [t for t in TRICKS if not (t[2] and t[3])]
assert len(BAD) >= 30


def _attr(value: str) -> str:
    """``value`` inside a double-quoted attribute (entities kept as the attacker wrote them)."""
    return value.replace('"', "&quot;")


def browser_resolve(value: str, page_url: str) -> tuple[str, str]:
    """(scheme, host) a browser reaches from an attribute value already decoded by the parser.

    Written independently of pressroom.render.sanitize: the WHATWG steps (trim C0 controls
    and spaces, drop tabs and newlines, backslash is slash in special URLs, any
    number of slashes before a host) and then urllib's RFC 3986 resolution.
    """
    value = re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(0x21)))))
    found = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", value)
    scheme = found.group(1).lower() if found else ""
    if scheme and scheme not in {"http", "https", "ws", "wss", "ftp", "file"}:
        return scheme, ""
    value = value.replace("\\", "/")
    rest = value[found.end():] if found else value
    if rest.startswith("//") or (scheme and scheme != urlsplit(page_url).scheme):
        value = f"{scheme or urlsplit(page_url).scheme}://{rest.lstrip('/')}"
    resolved = urlsplit(urljoin(page_url, value))
    return resolved.scheme, (resolved.hostname or "").rstrip(".")


@pytest.mark.parametrize(("name", "url", "image_ok", "link_ok"), TRICKS,
                         ids=[t[0] for t in TRICKS])
def test_url_judge_reads_urls_as_a_browser_does(name, url, image_ok, link_ok):
    assert (url_problem(url, "resource", HOST) is None) == image_ok
    assert (url_problem(url, "link", HOST) is None) == link_ok


@pytest.mark.parametrize(("name", "url", "image_ok", "link_ok"), TRICKS,
                         ids=[t[0] for t in TRICKS])
def test_sanitizer_keeps_only_what_a_browser_keeps_on_the_site(name, url, image_ok, link_ok):
    cleaned = sanitize_html(f'<p><img src="{_attr(url)}" alt="a">'
                            f'<a href="{_attr(url)}">x</a><q cite="{_attr(url)}">q</q></p>',
                            HOST)
    root = lxml.html.fragment_fromstring(cleaned, create_parent="div")
    assert (root.find(".//img").get("src") is not None) == image_ok, cleaned
    assert (root.find(".//a").get("href") is not None) == link_ok, cleaned
    assert (root.find(".//q").get("cite") is not None) == link_ok, cleaned
    page = f"{SITE}/2026/post/"
    for element in root.iter("img"):
        if element.get("src") is not None:
            assert browser_resolve(element.get("src"), page)[1] == HOST, cleaned
    for element in root.iter("a"):
        if element.get("href") is not None:
            assert browser_resolve(element.get("href"), page)[0] in {
                "http", "https", "mailto", "tel"}, cleaned


def _check(root: Path, *args: str):
    return CliRunner().invoke(cli, ["check", "--repo", str(root), "--today", "2026-11-27",
                                    *args], catch_exceptions=False)


def _build(root: Path, *args: str):
    return CliRunner().invoke(cli, ["build", "--repo", str(root), "--output",
                                    str(root / "output"), "--now", NOW_TEXT, "--quiet", *args],
                              catch_exceptions=False)


# Python-Markdown expands a raw tab to spaces before anything else, so in a post a tab
# no longer splits a scheme or a pair of slashes (a space does not; the sanitizer and
# the tests above cover the raw tab in HTML).
IN_MARKDOWN = [t for t in BAD if "\t" not in t[1]]


@pytest.mark.parametrize(("name", "url", "image_ok", "link_ok"), IN_MARKDOWN,
                         ids=[t[0] for t in IN_MARKDOWN])
def test_check_refuses_every_trick_in_raw_html(repo, name, url, image_ok, link_ok):
    body = f'Before.\n\n<img src="{_attr(url)}" alt="a"> <a href="{_attr(url)}">x</a>\n'
    repo.post("2026/trick.md", post_text(body=body))
    result = _check(repo.root)
    assert result.exit_code == 1, result.output
    last = 9 + url.count("\n")  # reported where the URL's host or scheme is
    assert re.search(rf"^content/2026/trick\.md:(9|{last}): HTML-URL: ", result.output, re.M), \
        result.output


def test_markdown_neutralises_a_raw_tab(repo, without_rules):
    """What the check lets through with a tab, the built page shows as a harmless path."""
    repo.post("2026/tab.md", post_text(body='<img src="/\t/evil.example/x.png" alt="a">'))
    checked = _check(repo.root).output
    assert "HTML-URL" not in checked and "IMAGE-MISSING" in checked  # no such file
    # The build refuses the missing image too; without the rules, the page is still safe.
    without_rules()
    assert _build(repo.root).exit_code == 0
    page = lxml.html.parse(str(repo.root / "output/2026/tab/index.html")).getroot()
    src = next(img.get("src") for img in page.iter("img") if "evil" in (img.get("src") or ""))
    assert browser_resolve(src, f"{SITE}/2026/tab/") == ("https", HOST)


MARKDOWN_FORMS = """\
Inline: [click](javascript:alert(1)) and ![pixel](//tracker.example/p.gif).

Reference: [the form][f] and ![map][m].

[f]: jav&#x61;script:alert(2)
[m]: /\\tracker.example/map.png

Autolink: <ftp://files.example/leak.txt>

Attribute list: [details](/ok/){: href="vbscript:msgbox(1)" }

<a href="java
script:alert(3)">split over two lines</a>

Fine: [state](https://www.ca.gov/), ![map](/images/map.png), <https://www.ca.gov/>.

`[not a link](javascript:code)` and

    <img src="//evil.example/indented-code.png">
"""


def test_check_judges_markdown_links_as_python_markdown_renders_them(repo):
    repo.post("2026/forms.md", post_text(
        summary="Summary with [a link](data:text/html,hi).", body=MARKDOWN_FORMS))
    result = _check(repo.root)
    assert result.exit_code == 1
    found = {line.split(": ")[0] for line in result.output.splitlines() if "HTML-URL" in line}
    body = 7  # the body starts on line 7 of post_text; the summary is line 5
    expected = {f"content/2026/forms.md:{n}"
                for n in (5, body, body + 4, body + 5, body + 7, body + 9, body + 11)}
    assert found == expected, result.output
    judged = "\n".join(line for line in result.output.splitlines() if "HTML-URL" in line)
    assert "javascript:code" not in judged and "indented-code" not in judged


def test_check_and_sanitizer_agree_on_an_ordinary_post(repo):
    repo.post("2026/ordinary.md", post_text(body=(
        "See [the state site](https://www.ca.gov/), call <a href=\"tel:5550104400\">us</a>, "
        "or write to <info@pd.example>.\n\n![Map of the closure](/images/map.png)\n\n"
        "[ref]: https://www.ca.gov/\n\nMore at [the state][ref].")))
    (repo.root / "policy/rules.toml").write_text('[allow]\nemail_domains = ["pd.example"]\n')
    (repo.root / "content/images").mkdir()
    (repo.root / "content/images/map.png").write_bytes(_png())
    result = _check(repo.root)
    assert result.exit_code == 0, result.output


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 10, 10)).save(buffer, "PNG")
    return buffer.getvalue()


URL_ATTRIBUTES = ("src", "href", "poster", "background", "cite", "action", "formaction",
                  "data", "ping", "lowsrc", "dynsrc", "xlink:href")


def _assert_stays_home(root: etree._Element, page_url: str, where: str) -> int:
    """Every resource of a parsed page resolves to the site; links leave only over the web."""
    count = 0
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            urls = []
            if name in URL_ATTRIBUTES:
                urls = [value]
            elif name.endswith("srcset"):
                urls = [part.split()[0] for part in value.split(",") if part.split()]
            elif name == "style":
                urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", html.unescape(value))
            for url in urls:
                count += 1
                scheme, host = browser_resolve(url, page_url)
                is_link = name in {"href", "cite", "action", "formaction"} and \
                    element.tag in {"a", "area", "q", "blockquote", "del", "ins", "form"}
                if is_link:
                    assert scheme in {"http", "https", "mailto", "tel"}, (where, name, url)
                else:
                    assert (scheme, host) in {("https", HOST), ("http", HOST)}, (where, name, url)
    return count


def test_built_site_makes_no_request_to_another_host(repo, without_rules):
    """Defense in depth: the content rules refuse every one of these tricks (above); with
    the rules switched off for this build, the sanitizer alone keeps every page home."""
    without_rules()
    images = "\n\n".join(f'<img src="{_attr(u)}" alt="a"> <a href="{_attr(u)}">{n}</a> '
                         f'<img srcset="{_attr(u)} 2x" alt="b"> '
                         f'<video poster="{_attr(u)}"></video>'
                         for n, u, _, _ in TRICKS)
    repo.post("2026/tricks.md", post_text(body=images + "\n\n" + MARKDOWN_FORMS,
                                          summary="Summary ![p](//tracker.example/s.gif)."))
    (repo.root / "content/images").mkdir()
    (repo.root / "content/images/map.png").write_bytes(_png())
    result = _build(repo.root)
    assert result.exit_code == 0, result.output
    out = repo.root / "output"
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 5
    judged = 0
    for page in pages:
        rel = page.relative_to(out).as_posix()
        url = f"{SITE}/{rel[:-len('index.html')] if rel.endswith('index.html') else rel}"
        judged += _assert_stays_home(lxml.html.parse(str(page)).getroot(), url, rel)
    for feed in sorted(out.rglob("*.xml")):
        tree = etree.parse(str(feed))
        for text in tree.xpath("//*[local-name()='content' or local-name()='summary' or "
                               "local-name()='description']/text()"):
            if "<" in text:
                fragment = lxml.html.fragment_fromstring(text, create_parent="div")
                judged += _assert_stays_home(fragment, f"{SITE}/", feed.name)
    assert judged > 50
    post = (out / "2026/tricks/index.html").read_text()
    assert 'src="/images/a.png"' in post and 'href="https://www.ca.gov/"' in post
    assert "tracker.example" not in post and "POISON" not in post


# --- output collisions ---------------------------------------------------------------------

def test_tag_with_empty_slug_is_refused_by_check_and_build(repo):
    repo.post("2026/bang.md", post_text(tags="!!!, Road Work"))
    repo.post("2026/emoji.md", post_text(title="Emoji", tags="🚓"))
    result = _check(repo.root)
    assert result.exit_code == 1
    assert "content/2026/bang.md:6: FRONT-SLUG: tag '!!!' has an empty slug" in result.output
    assert "content/2026/emoji.md:6: FRONT-SLUG: tag '🚓' has an empty slug" in result.output
    built = _build(repo.root)
    assert built.exit_code == 1
    assert "content/2026/bang.md:6: FRONT-SLUG" in built.output
    assert not (repo.root / "output").exists()


def test_two_spellings_of_one_tag_slug_are_refused(repo):
    repo.post("2026/a-post.md", post_text(tags="Road Work"))
    repo.post("2026/b-post.md", post_text(title="Other", tags="road-work; Traffic"))
    repo.post("2026/c-post.md", post_text(title="Same", tags="Traffic, TRAFFIC"))
    result = _check(repo.root)
    assert result.exit_code == 1
    assert ("content/2026/b-post.md:6: FRONT-SLUG-DUPLICATE: tag 'road-work' shares the slug "
            "'road-work' with tag 'Road Work' of content/2026/a-post.md") in result.output
    assert ("content/2026/c-post.md:6: FRONT-SLUG-DUPLICATE: tags 'Traffic' and 'TRAFFIC'"
            in result.output)
    assert _build(repo.root).exit_code == 1


def test_writer_refuses_a_slug_that_a_site_setting_makes_empty(repo):
    """Checks mirror Pelican's default slug settings; the writer catches any other."""
    repo.post("2026/closure.md", post_text(tags="Road Work"))
    assert _build(repo.root).exit_code == 0
    site = repo.root / "output"
    before = {p: p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
    repo.settings("TAG_REGEX_SUBSTITUTIONS = [(r'.*', '')]\n")
    result = _build(repo.root)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "BUILD-ERROR" in line]
    assert len(lines) == 1, result.output
    assert "'tag//index.html' from tag 'Road Work' of content/2026/closure.md" in lines[0]
    assert {p: p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()} == before


@pytest.mark.parametrize(("page", "taken_by"), [
    ("contact", "template contact.html"),
    ("2026", "template period_archives.html"),
    ("category", "template categories.html"),
])
def test_writer_refuses_a_second_write_of_one_output(repo, page, taken_by, without_rules):
    repo.post("2026/closure.md", post_text())
    pages = repo.root / "content/pages"
    pages.mkdir(parents=True)
    (pages / f"{page}.md").write_text(f"Title: {page.title()}\n\nA page that takes a path.\n")
    checked = _check(repo.root)  # check refuses the address first ...
    assert checked.exit_code == 1 and f"content/pages/{page}.md:1: FRONT-SLUG" in checked.output
    # ... and with the rules switched off, the writer still refuses the second write.
    without_rules()
    result = _build(repo.root)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if "BUILD-ERROR" in line]
    assert len(lines) == 1, result.output
    assert (f"{page}/index.html is written by both {taken_by} and page "
            f"content/pages/{page}.md; rename one of them") in lines[0]


# --- the Markdown cache -------------------------------------------------------------------

POISON = '<p><img src="//evil.example/poison.png" alt="x">POISONED</p>'


def _old_cache_key(settings, formatted, host) -> str:
    """The key as 12d46c7 computed it: settings and version numbers, not the code."""
    import markdown
    import nh3

    from pressroom import __version__
    from pressroom.render.markdown_render import options

    parts = [repr(sorted(options(settings).items(), key=lambda kv: kv[0])),
             repr(tuple(formatted)), repr(host), __version__, markdown.__version__,
             getattr(nh3, "__version__", "")]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _poison(repo, key: str) -> None:
    path = repo.root / "content/2026/closure.md"
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    folder = cache_folder(repo.root)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / CACHE_FILE, "wb") as handle:
        pickle.dump({"key": key, "entries": {sha: (POISON, {"title": ["x"]}, {})}}, handle)


def test_cache_from_other_sanitizer_code_is_not_reused(repo):
    from pressroom.render.site import enforced

    repo.post("2026/closure.md", post_text())
    settings = enforced(repo.root, repo.root / "output")
    _poison(repo, _old_cache_key(settings["MARKDOWN"], settings["FORMATTED_FIELDS"], HOST))
    result = _build(repo.root)
    assert result.exit_code == 0, result.output
    page = (repo.root / "output/2026/closure/index.html").read_text()
    assert "POISONED" not in page and "evil.example" not in page
    assert "Drivers should use Oak Avenue." in page


def test_build_full_trusts_no_cache(repo):
    repo.post("2026/closure.md", post_text())
    assert _build(repo.root).exit_code == 0
    with open(cache_folder(repo.root) / CACHE_FILE, "rb") as handle:
        key = pickle.load(handle)["key"]  # exactly what this build will look for
    _poison(repo, key)
    # The poisoned entry matches: a trusting read returns it (so this test can fail) ...
    path = str(repo.root / "content/2026/closure.md")
    from pressroom.build.run import read_config
    from pressroom.render.site import enforced

    settings = {**read_config(repo.root), **enforced(repo.root, repo.root / "output")}
    trusted = render_cached([path], settings["MARKDOWN"], settings["FORMATTED_FIELDS"],
                            cache_folder(repo.root), sanitize_host=HOST)
    assert trusted[path][0] == POISON
    _poison(repo, key)
    # ... but `build --full` reads nothing from before.
    result = _build(repo.root, "--full")
    assert result.exit_code == 0, result.output
    page = (repo.root / "output/2026/closure/index.html").read_text()
    assert "POISONED" not in page and "Drivers should use Oak Avenue." in page


# --- the check mirrors Pelican ------------------------------------------------------------

TAG_NAMES = ["Road Work", "road-work", "  Elm  Street ", "!!!", "🚓", "Ñandú", "警察",
             "C++", "a_b", "<b>bold</b>", "DUI/checkpoint", "K-9 unit", "--", "ﬁre", "Ⅻ",
             "tab\there", "x" * 80, "Ünïcödé", "100%", "o'clock"]


@pytest.mark.parametrize("name", TAG_NAMES)
def test_tag_slug_is_pelicans(name):
    from pelican.settings import DEFAULT_CONFIG
    from pelican.urlwrappers import Tag

    assert slugify(name) == Tag(name, DEFAULT_CONFIG).slug


@pytest.mark.parametrize("value", ["a, b", "a; b, c", " ; ,", "one", "x,,y", "a, a, b"])
def test_tag_list_is_pelicans(value):
    from pelican.readers import ensure_metadata_list

    assert pelican_tags(value) == ensure_metadata_list(value)


def test_an_image_on_the_departments_own_host_passes_check_and_build(repo):
    """check knows the public host from policy/site.toml, as the sanitizer does, so the
    two agree: the site's own absolute image URL is fine, another host's is not."""
    repo.site('[site]\nurl = "https://pd.example.gov"\n')
    (repo.root / "content/images").mkdir()
    (repo.root / "content/images/map.png").write_bytes(_png())
    repo.post("2026/own.md", post_text(body="![Map of the closure]"
                                       "(https://pd.example.gov/images/map.png)"))
    assert _check(repo.root).exit_code == 0, _check(repo.root).output
    built = _build(repo.root)
    assert built.exit_code == 0, built.output
    page = (repo.root / "output/2026/own/index.html").read_text()
    assert 'src="https://pd.example.gov/images/map.png"' in page
    repo.site('[site]\nurl = "https://elsewhere.example"\n')
    refused = _check(repo.root)
    assert refused.exit_code == 1 and "content/2026/own.md:7: HTML-URL" in refused.output


def test_incident_feeds_and_the_cap_index_carry_the_summary_as_text(repo, without_rules):
    """Found by the fuzzer: incident feeds and the CAP index put the raw Summary into
    type="html" entries. check refuses the markup; with the rules off, the feeds still
    carry it only as text."""
    summary = "<script>alert(1)</script> <img src=x onerror=alert(1)> Avoid Elm Street."
    repo.post("2026/alert.md", post_text(
        title="Police activity", category="safety-alerts", expires="2026-11-28 09:00",
        incident="2026-1124-elm", summary=summary))
    assert _check(repo.root).exit_code == 1
    without_rules()
    assert _build(repo.root).exit_code == 0
    out = repo.root / "output"
    feeds = [out / "feeds/incidents/2026-1124-elm.atom.xml",
             out / "feeds/incidents/2026-1124-elm.rss.xml", out / "cap/index.atom"]
    for feed in feeds:  # the raw XML: feedparser would sanitize what a reader may not
        texts = etree.parse(str(feed)).xpath(
            "//*[local-name()='summary' or local-name()='content' or "
            "local-name()='description']/text()")
        assert any("Avoid Elm Street" in t for t in texts), feed
        for value in texts:
            fragment = lxml.html.fragment_fromstring(value, create_parent="div")
            assert not fragment.xpath("//script | //img | //*[@onerror]"), (feed, value)
