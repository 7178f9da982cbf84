"""Sharing, following and branding (issue #14): Open Graph, Twitter card and canonical links,
the seal, the follow page, feeds that read as pages in a browser, `[branding]` colours checked
for WCAG AA contrast, and a navigation that fits a phone without JavaScript.

Real builds of the sample department (one per module, plus a second to prove byte stability),
feedparser on every feed, headless Chromium (Debian's, through Playwright) with axe-core.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import feedparser
import pytest
from click.testing import CliRunner
from conftest import PROJECT, copy_sample, post_text
from imagefiles import picture
from test_browser import (  # browser: the fixture, one Chromium per module
    AXE,
    CHROMIUM_ARGS,
    Visit,
    _chromium,
    _QuietHandler,
    assert_accessible,
    browser,  # noqa: F401
    serve_folder,
)

from pressroom.build.run import build_site
from pressroom.cli import cli
from pressroom.model.branding import Branding, contrast, contrast_problems, shown
from pressroom.publishing.headers import content_type
from pressroom.render.sharing import canonical, page_path, share_image

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 24, 17, 0, tzinfo=LA)  # the sample's Elm Street alert is active
SITE = "https://police.example-city.gov"
IMAGE_POST = post_text(
    title="New crosswalk at Oak and 5th", date="2026-11-10 10:00", category="traffic",
    summary="A signalled crosswalk opens at Oak Avenue and 5th Street on Monday.",
    body="![The new crosswalk at Oak Avenue and 5th Street, with its signal]"
         "({static}/images/crosswalk.png)\n\nDrivers should expect the new signal.")


def _copy_sample(root: Path) -> Path:
    copy_sample(root)
    (root / "content/images").mkdir(exist_ok=True)
    picture().save(root / "content/images/crosswalk.png")
    (root / "content/2026/crosswalk-oak-5th.md").write_text(IMAGE_POST, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = _copy_sample(tmp_path_factory.mktemp("sharing") / "sample")
    out = root.parent / "out"
    result = build_site(root, out, now=NOW)
    assert result.ok, result.problems
    return out


class _Head(HTMLParser):
    """Meta properties/names and link rels of a page's head."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.links: dict[str, list[str]] = {}
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta" and (values.get("property") or values.get("name")):
            key = values.get("property") or values.get("name")
            self.meta.setdefault(key, []).append(values.get("content") or "")
        elif tag == "link" and values.get("rel"):
            self.links.setdefault(values["rel"], []).append(values.get("href") or "")
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"])


def head(site: Path, rel: str) -> _Head:
    parser = _Head()
    parser.feed((site / rel).read_text(encoding="utf-8"))
    return parser


# --- contrast: WCAG 2.x arithmetic -------------------------------------------------------

@pytest.mark.parametrize(("fore", "back", "ratio", "passes"), [
    ("#777", "#fff", "4.47:1", False),        # the classic near miss: 4.48 is not 4.5
    ("#767676", "#ffffff", "4.54:1", True),   # the lightest grey that passes on white
    ("#000000", "#ffffff", "21.00:1", True),
    ("#ffffff", "#ffffff", "1.00:1", False),
    ("#0a4f99", "#ffffff", "8.10:1", True),   # pressroom's link colour
    ("#88aaff", "#ffffff", "2.27:1", False),
    ("#ffffff", "#0b2a4a", "14.53:1", True),  # the header: white on navy
])
def test_contrast_ratios_are_wcag_and_never_rounded_up(fore, back, ratio, passes):
    assert shown(contrast(fore, back)) == ratio
    assert shown(contrast(back, fore)) == ratio  # order does not matter
    assert (contrast(fore, back) >= 4.5) is passes


def test_each_pair_a_resident_reads_is_checked():
    assert contrast_problems(Branding()) == []
    found = contrast_problems(Branding(link="#88aaff", primary="#777777", text="#777"))
    assert [(fore, back) for fore, back, _ in found] == [
        ("text", "background"), ("link", "background"), ("primary_text", "primary")]
    assert found[1][2] == "link #88aaff on background #ffffff is 2.27:1; WCAG AA needs 4.5:1"
    # A dark site: the derived secondary text still reads on its background and panels.
    dark = Branding(background="#111111", text="#eeeeee", link="#9cc3ff", primary="#000000")
    assert contrast_problems(dark) == []
    css = dark.stylesheet().decode()
    muted = re.search(r"--muted: (#[0-9a-f]{6});", css).group(1)
    wash = re.search(r"--wash: (#[0-9a-f]{6});", css).group(1)
    assert contrast(muted, "#111111") >= 4.5 and contrast(muted, wash) >= 4.5


SITE_TOML = (PROJECT / "policy/site.toml").read_text(encoding="utf-8")


def _with_branding(root: Path, branding: str) -> int:
    """``root``'s site.toml with ``branding`` as its [branding]; the line of its last key."""
    text = SITE_TOML.split("[branding]")[0] + "[branding]\n" + branding
    (root / "policy/site.toml").write_text(text, encoding="utf-8")
    return len(text.splitlines())


@pytest.mark.parametrize(("branding", "message"), [
    ('link = "#88aaff"\n',
     "[branding] link #88aaff on background #ffffff is 2.27:1; WCAG AA needs 4.5:1"),
    ('primary = "#8899aa"\n',
     "[branding] primary_text #ffffff on primary #8899aa is 2.92:1; WCAG AA needs 4.5:1"),
    ('text = "navy"\n', "[branding] text 'navy' is not a colour: write it as #rrggbb"),
    ('seal = "/etc/seal.png"\n', "[branding] seal must be an image"),
    ('seal = "content/images/missing.png"\n',
     "[branding] seal 'content/images/missing.png' is not a file in the repository"),
    ('colour = "#000000"\n', "unknown key 'colour' in [branding]"),
])
def test_bad_branding_is_refused_by_check_and_build_with_file_and_line(
        tmp_path, branding, message):
    root = _copy_sample(tmp_path / "sample")
    line = _with_branding(root, branding)
    checked = CliRunner().invoke(cli, ["check", "--repo", str(root)], catch_exceptions=False)
    assert checked.exit_code == 1, checked.output
    assert f"policy/site.toml:{line}: SITE-CONFIG: {message}" in checked.output
    built = CliRunner().invoke(cli, ["build", "--repo", str(root), "--output",
                                     str(tmp_path / "out")], catch_exceptions=False)
    assert built.exit_code != 0 and "Traceback" not in built.output
    assert f"policy/site.toml:{line}: SITE-CONFIG: {message}" in built.output
    assert not (tmp_path / "out").exists()


def test_a_dark_palette_and_a_seal_of_the_department_reach_the_pages(tmp_path):
    root = _copy_sample(tmp_path / "sample")
    picture().save(root / "content/images/seal.png")
    _with_branding(root, 'seal = "content/images/seal.png"\nlogo_alt = "Our seal"\n'
                         'primary = "#5a0000"\nbackground = "#111111"\ntext = "#eeeeee"\n'
                         'link = "#9cc3ff"\n')
    out = tmp_path / "out"
    assert build_site(root, out, now=NOW).ok
    page = (out / "contact/index.html").read_text(encoding="utf-8")
    brand = re.search(r'href="\./\.\./theme/(css/brand\.[0-9a-f]{12}\.css)"', page) or \
        re.search(r'href="\.\./theme/(css/brand\.[0-9a-f]{12}\.css)"', page)
    css = (out / "theme" / brand.group(1)).read_text()
    assert "--paper: #111111;" in css and "--navy: #5a0000;" in css and "--link: #9cc3ff;" in css
    assert (out / "theme/css/brand.css").read_text() == css
    assert 'src="../images/seal.png"' in page  # the header shows the department's seal
    assert (out / "images/seal.png").read_bytes() == (root / "content/images/seal.png").read_bytes()
    meta = head(out, "contact/index.html").meta
    assert meta["og:image"] == [f"{SITE}/images/seal.png"] and meta["og:image:alt"] == ["Our seal"]


# --- Open Graph, Twitter card, canonical --------------------------------------------------

PAGES = {
    "post": "2026/catalytic-converter-arrests/index.html",
    "alert": "2026/police-activity-elm-street/index.html",
    "category": "category/traffic/index.html",
    "home": "index.html",
    "follow": "follow/index.html",
    "contact": "contact/index.html",
    "archives": "archives/index.html",
    "incident": "incidents/2026-1124-elm/index.html",
}


@pytest.mark.parametrize("name", PAGES)
def test_every_page_type_carries_open_graph_twitter_and_an_absolute_canonical(site, name):
    rel = PAGES[name]
    parsed = head(site, rel)
    meta, links = parsed.meta, parsed.links
    url = f"{SITE}/{page_path(rel)}"
    assert links["canonical"] == [url] and meta["og:url"] == [url]
    for key in ("og:title", "og:description", "og:site_name", "og:locale", "og:type",
                "og:image", "og:image:alt", "twitter:card"):
        assert len(meta.get(key, [])) == 1 and meta[key][0].strip(), (name, key)
    assert meta["og:site_name"] == ["Example City Police Department"]
    assert meta["og:locale"] == ["en_US"]
    assert meta["twitter:card"] == ["summary_large_image"]
    assert meta["og:image"][0].startswith(SITE + "/")
    is_post = name in ("post", "alert")
    assert meta["og:type"] == ["article" if is_post else "website"]
    assert ("article:published_time" in meta) is is_post


def test_a_post_shares_its_summary_title_and_dates(site):
    meta = head(site, PAGES["post"]).meta
    assert meta["og:title"] == ["Two arrested in string of catalytic converter thefts"]
    assert meta["og:description"][0].startswith("Detectives arrested two men suspected")
    assert meta["article:published_time"] == ["2026-11-05T13:00:00-08:00"]
    home = head(site, "index.html").meta
    assert home["og:description"][0].startswith("Announcements, safety alerts")  # the site's


def test_the_seal_is_the_fallback_and_a_post_shares_its_own_first_image(site):
    plain = head(site, PAGES["post"]).meta
    assert plain["og:image"] == [f"{SITE}/theme/images/seal.png"]
    assert plain["og:image:alt"][0].startswith("The seal of the Example City Police")
    assert (site / "theme/images/seal.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pictured = head(site, "2026/crosswalk-oak-5th/index.html").meta
    assert pictured["og:image"] == [f"{SITE}/images/crosswalk.png"]
    assert pictured["og:image:alt"] == [
        "The new crosswalk at Oak Avenue and 5th Street, with its signal"]
    assert (site / "images/crosswalk.png").is_file()


def test_the_default_seal_is_1200_by_630_and_drawn_by_its_script():
    from PIL import Image

    folder = PROJECT / "pressroom/adapter/theme/static/images"
    with Image.open(folder / "seal.png") as seal, Image.open(folder / "seal-mark.png") as mark:
        assert seal.size == (1200, 630) and mark.size == (96, 96)
    sys.path.insert(0, str(PROJECT / "scripts"))
    import make_seal

    assert make_seal.main(["--check"]) == 0  # the committed images are the script's


@pytest.mark.parametrize(("src", "expected"), [
    ("../../images/a.png", f"{SITE}/images/a.png"),
    ("/images/a.png", f"{SITE}/images/a.png"),
    (f"{SITE}/images/a.png", f"{SITE}/images/a.png"),
    ("https://tracker.example/pixel.png", None),  # another host: never in a share
    ("//tracker.example/pixel.png", None),
    ("javascript:alert(1)", None),
    ("../../images/a.png?track=1", None),
    ("", None),
])
def test_a_share_image_is_only_ever_the_sites_own(src, expected):
    page = f"{SITE}/2026/x/"
    found = share_image(f'<p><img alt="A" src="{src}"></p><img src="/images/b.png">', page, SITE)
    assert (found["url"] if found else None) == expected
    assert canonical("2026/x/index.html", SITE + "/") == page
    assert canonical("index.html", SITE) == f"{SITE}/"


def test_meta_values_are_escaped(tmp_path):
    root = _copy_sample(tmp_path / "sample")
    (root / "content/2026/quotes.md").write_text(post_text(
        title='Meeting on "Safe Streets" & parking', date="2026-11-12 10:00",
        summary='Residents ask: "what & where?"'), encoding="utf-8")
    out = tmp_path / "out"
    assert build_site(root, out, now=NOW).ok
    page = (out / "2026/quotes/index.html").read_text(encoding="utf-8")
    assert '<meta property="og:title" content="Meeting on &#34;Safe Streets&#34; &amp; parking">' \
        in page
    assert head(out, "2026/quotes/index.html").meta["og:description"] == [
        'Residents ask: "what & where?"']


# --- feeds ---------------------------------------------------------------------------------

def _feeds(site: Path) -> list[Path]:
    return sorted([*site.glob("feeds/**/*.xml"), site / "cap/index.atom"])


def test_every_feed_names_its_stylesheets_and_still_parses(site):
    feeds = _feeds(site)
    assert len(feeds) > 20 and any("incidents" in p.parts for p in feeds)
    for path in feeds:
        data = path.read_bytes()
        assert data.split(b"\n")[1:3] == [
            b'<?xml-stylesheet type="text/xsl" href="/theme/feed.xsl"?>',
            b'<?xml-stylesheet type="text/css" href="/theme/feed.css"?>'], path
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.feed.title, path
    assert feedparser.parse((site / "feeds/all.atom.xml").read_bytes()).entries
    assert (site / "theme/feed.xsl").is_file() and (site / "theme/feed.css").is_file()
    assert content_type("feeds/all.rss.xml") == "application/xml"


def test_feeds_and_the_brand_stylesheet_are_byte_stable(site, tmp_path):
    root = _copy_sample(tmp_path / "sample")
    again = tmp_path / "again"
    assert build_site(root, again, now=NOW).ok
    for path in [*_feeds(site), *site.glob("theme/css/brand*.css")]:
        rel = path.relative_to(site)
        assert (again / rel).read_bytes() == path.read_bytes(), rel


def test_a_site_under_a_path_names_the_stylesheet_under_that_path():
    from pressroom.adapter.feeds import stylesheet_instruction

    assert stylesheet_instruction("https://city.example/police/").decode().splitlines() == [
        '<?xml-stylesheet type="text/xsl" href="/police/theme/feed.xsl"?>',
        '<?xml-stylesheet type="text/css" href="/police/theme/feed.css"?>']


# --- the follow page -----------------------------------------------------------------------

def test_the_follow_page_explains_feeds_and_every_link_resolves(site):
    page = (site / "follow/index.html").read_text(encoding="utf-8")
    for words in ("What is a feed?", "feed reader", "Copy link", "Atom and RSS",
                  "Common Alerting Protocol", "alerting systems"):
        assert words in page, words
    assert page.count("<section") >= 6
    hrefs = head(site, "follow/index.html").hrefs
    base = "http://site/follow/"
    local = [urljoin(base, href) for href in hrefs if not href.startswith(("tel:", "mailto:"))]
    assert len(local) > 25
    for url in local:
        parts = urlsplit(url)
        assert parts.netloc == "site", url  # nothing points off the site
        target = site / parts.path.lstrip("/")
        if parts.path.endswith("/"):
            target = target / "index.html"
        assert target.is_file(), url
    assert "feeds/incidents/2026-1124-elm.atom.xml" in page  # the active incident's feed


# --- Chromium ------------------------------------------------------------------------------

class _SiteHandler(_QuietHandler):
    """The types the site is served with (nginx and object storage): headers.content_type."""

    def guess_type(self, path):
        return content_type(str(path))


@pytest.fixture(scope="module")
def server(site):
    yield from serve_folder(site, _SiteHandler)


PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}


@pytest.mark.browser
@pytest.mark.parametrize("feed", ["feeds/all.atom.xml", "feeds/traffic.rss.xml",
                                  "feeds/incidents/2026-1124-elm.atom.xml"])
def test_chromium_shows_a_feed_as_a_page_of_links(browser, server, feed):  # noqa: F811
    visit = Visit(browser, f"{server}/{feed}")
    try:
        page = visit.page
        assert visit.outside == []
        text = page.inner_text("main")
        assert "This is a feed" in text and "feed reader app" in text
        titles = page.locator("li.post-card h2 a")
        assert titles.count() > 0
        entries = feedparser.parse(f"{server}/{feed}").entries
        assert [titles.nth(i).inner_text() for i in range(titles.count())] == [
            e.title for e in entries]
        assert [titles.nth(i).get_attribute("href") for i in range(titles.count())] == [
            e.link for e in entries]
        assert page.locator("script").count() == 0
        sheets = page.evaluate("[...document.styleSheets].map(s => s.href.split('/').pop())")
        assert sheets == ["site.css", "brand.css", "feed.css"]
    finally:
        visit.close()


@pytest.mark.browser
def test_without_xslt_the_css_still_makes_a_feed_readable(browser, server):  # noqa: F811
    """Browsers are removing XSLT: one without it shows the feed with feed.css."""
    other = browser.browser_type.launch(
        executable_path=_chromium(), args=[*CHROMIUM_ARGS, "--disable-blink-features=XSLT"])
    try:
        page = other.new_page()
        page.goto(f"{server}/feeds/all.atom.xml")
        assert page.evaluate("document.documentElement.localName") == "feed"  # raw XML
        before = page.evaluate("getComputedStyle(document.documentElement, '::before').content")
        assert "This is a feed" in before
        assert page.evaluate("getComputedStyle(document.querySelector('content')).display") \
            == "none"
        assert page.evaluate("getComputedStyle(document.querySelector('entry')).display") \
            == "block"
    finally:
        other.close()


@pytest.mark.browser
@pytest.mark.parametrize("rel", ["follow/", "2026/crosswalk-oak-5th/",
                                 "2026/police-activity-elm-street/"])
def test_follow_and_post_pages_are_accessible_on_a_phone(browser, server, rel):  # noqa: F811
    assert AXE.is_file()
    visit = Visit(browser, f"{server}/{rel}", **PHONE)
    try:
        assert visit.outside == [] and visit.errors == []
        assert_accessible(visit.page)
        visit.page.locator(".nav-more summary").click()  # and with the menu open
        assert_accessible(visit.page)
    finally:
        visit.close()


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/category/traffic/", "/es/category/traffic/"])
def test_the_navigation_fits_two_lines_on_a_phone_and_every_link_is_reachable(
        browser, server, path):  # noqa: F811
    visit = Visit(browser, f"{server}{path}", **PHONE)
    try:
        page = visit.page
        assert page.locator("script").count() == 0
        line = page.locator(".nav-main li").first.bounding_box()["height"]  # one line box
        row = page.locator(".nav-row").bounding_box()
        assert line > 0 and row["height"] <= 2 * line + 16, (row, line)  # and its padding
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways
        wanted = page.evaluate(
            "[...document.querySelectorAll('.site-nav a')].map(a => a.href)")
        assert len(wanted) == 5 + 8 + 1  # main links (search too), every category, archives
        reached: list[str] = []
        for _ in range(40):  # Tab from the top: skip link, name, phone, then the navigation
            page.keyboard.press("Tab")
            focused = page.evaluate(
                "(() => { const e = document.activeElement;"
                " return [e.tagName, e.href || '', !!e.closest('.site-nav')]; })()")
            if not focused[2]:
                if reached:
                    break  # left the navigation
                continue
            if focused[0] == "SUMMARY":
                page.keyboard.press("Enter")  # opens the menu: its links come next
            reached.append(focused[1] or focused[0])
        assert "SUMMARY" in reached
        assert {href for href in reached if href != "SUMMARY"} == set(wanted)
        assert page.locator(".nav-more").get_attribute("open") is not None
        current = "Tránsito" if path.startswith("/es/") else "Traffic"
        assert page.locator('.nav-more a[aria-current="page"]').inner_text() == current
    finally:
        visit.close()
