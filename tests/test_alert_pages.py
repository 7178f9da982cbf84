"""Issue #15, parts 3 and 4: alert pages and feeds a resident can act on, a map without third
parties, the follow page — and a test alert that reaches no public page.

One department, built for real at two moments: while the gas-leak incident is active (alert
and update published) and after its all-clear. A standalone alert has a Circle, the incident's
first alert a Polygon, and a ``Status: test`` alert exercises the chain.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import feedparser
import pytest
from conftest import Repo, post_text
from lxml import html as lxml_html
from test_browser import Visit, assert_accessible, browser, serve_folder  # noqa: F401

from pressroom.build.run import build_site
from pressroom.model.content import parse_text
from pressroom.model.incidents import upcoming_changes
from pressroom.render.alert_facts import when_text
from pressroom.render.area_map import HEIGHT, WIDTH, area_map

LA = ZoneInfo("America/Los_Angeles")
SVG = "{http://www.w3.org/2000/svg}"
GAS = "2026-1120-gas"
SQUARE = "34.130,-117.900 34.138,-117.900 34.138,-117.890 34.130,-117.890 34.130,-117.900"
DURING, AFTER = datetime(2026, 11, 20, 12, 0, tzinfo=LA), datetime(2026, 11, 20, 14, 0, tzinfo=LA)


def _alert(repo: Repo, slug: str, title: str, date: str, summary: str, **extra: str) -> None:
    extra.setdefault("expires", "2026-11-20 18:00")
    repo.post(f"2026/{slug}.md", post_text(title=title, date=date, category="safety-alerts",
                                           summary=summary, body="Crews are at the scene.",
                                           **extra))


def _department(root: Path) -> Repo:
    repo = Repo(root)
    gas = {"incident": GAS, "area": "Citrus Avenue between 1st and 3rd Streets"}
    _alert(repo, "gas-1", "Gas leak: avoid Citrus Avenue", "2026-11-20 09:00",
           "A gas leak closed Citrus Avenue.", response="Avoid", instruction="Avoid the area.",
           polygon=SQUARE, **gas)
    _alert(repo, "gas-2", "Gas leak: Citrus Avenue still closed", "2026-11-20 11:00",
           "Repairs continue.", response="Avoid", instruction="Use Azusa Avenue instead.", **gas)
    _alert(repo, "gas-3", "All clear: Citrus Avenue reopened", "2026-11-20 13:00",
           "The leak is repaired.", response="AllClear", **gas)
    _alert(repo, "elm-park", "Police activity in Elm Street park", "2026-11-20 10:00",
           "Officers are searching the park.", area="Elm Street park", response="Avoid",
           instruction="Stay out of the park.", circle="34.12,-117.88 0.4")
    _alert(repo, "drill-xyzzy", "Exercise quokka alert", "2026-11-20 10:30",
           "A test of the alerting chain.", area="Citywide", status="test",
           instruction="No action.")
    return repo


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("alert-pages")
    repo = _department(root / "dept")
    out = {}
    for name, now in (("during", DURING), ("after", AFTER)):
        out[name] = root / name
        result = build_site(repo.root, out[name], now=now)
        assert result.ok, result.problems
    return out


def _page(site: Path, rel: str):
    return lxml_html.fromstring((site / rel).read_bytes())


def _facts(doc) -> dict[str, str]:
    terms = doc.xpath("//dl[@class='alert-facts-list']/dt")
    return {dt.text_content().strip(): dt.getnext().text_content().strip() for dt in terms}


def _href_ends(doc, suffix: str, **attrs: str) -> bool:
    condition = "".join(f"[@{k}='{v}']" for k, v in attrs.items())
    return any(a.get("href").endswith(suffix) for a in doc.xpath(f"//a{condition}"))


# --- the map: pure, table-driven ---------------------------------------------------------

MAPS = [
    # name, polygon, circle, words in the description
    ("square", SQUARE, "", "about 0.9 km across"),
    ("triangle", "34.10,-118.00 34.11,-117.99 34.10,-117.98 34.10,-118.00", "", "1.8 km"),
    ("city block", "40.7527,-73.9772 40.7536,-73.9765 40.7530,-73.9750 40.7521,-73.9757 "
                   "40.7527,-73.9772", "", "0.2 km"),
    ("tiny, meters", "34.13000,-117.90000 34.13010,-117.90000 34.13010,-117.89990 "
                     "34.13000,-117.90000", "", "m across"),
    ("large, tens of km", "34.0,-118.5 34.4,-118.5 34.4,-118.0 34.0,-118.0 34.0,-118.5", "",
     "46 km across"),
    ("circle", "", "34.12,-117.88 0.4", "circle about 0.8 km across"),
    ("circle and polygon", SQUARE, "34.134,-117.895 2", "outlined area"),
]


@pytest.mark.parametrize(("name", "polygon", "circle", "words"), MAPS, ids=[m[0] for m in MAPS])
def test_area_map_is_an_inline_svg_inside_its_viewbox(name, polygon, circle, words):
    shown = area_map(polygon, circle, "Elm & 4th <Street>", "post-1")
    assert shown is not None and words in shown.description
    assert shown == area_map(polygon, circle, "Elm & 4th <Street>", "post-1")  # byte-stable
    svg = ET.fromstring(shown.svg)  # well-formed XML: the Area words are escaped
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    assert svg.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"
    assert svg.find(f"{SVG}title").text == "Map of the alert area: Elm & 4th <Street>"
    assert svg.find(f"{SVG}desc").text == shown.description
    assert svg.get("aria-labelledby") == svg.find(f"{SVG}title").get("id")
    assert "centred near" in shown.description and "°" in shown.description
    # Nothing that loads anything: no links, scripts, images, fonts or styles.
    assert not re.search(r"href|<script|<image|<style|style=|font|url\(", shown.svg)
    coordinates = []
    for polygon_el in svg.iter(f"{SVG}polygon"):
        coordinates += [tuple(map(float, p.split(","))) for p in polygon_el.get("points").split()]
    for circle_el in svg.iter(f"{SVG}circle"):
        cx, cy, r = (float(circle_el.get(k)) for k in ("cx", "cy", "r"))
        coordinates += [(cx - r, cy - r), (cx + r, cy + r)]
        assert r > 1
    assert coordinates
    for x, y in coordinates:
        assert 0 <= x <= WIDTH and 0 <= y <= HEIGHT
    for number in re.findall(r'(?:points|cx|cy|r)="([^"]+)"', shown.svg):
        assert all(re.fullmatch(r"\d+\.\d", n) for n in re.split(r"[ ,]", number))
    xs = [x for x, _ in coordinates]
    ys = [y for _, y in coordinates]
    assert max(max(xs) - min(xs), max(ys) - min(ys)) > 100  # scaled up to fill the box


def test_area_map_keeps_the_shape_with_cos_latitude():
    """At 60° N a degree of longitude is half a degree of latitude: a 1°x1° box is drawn
    twice as tall as it is wide, and a circle stays round."""
    box = area_map("60,10 61,10 61,11 60,11 60,10", "", "", "x")
    points = [tuple(map(float, p.split(","))) for p in
              ET.fromstring(box.svg).find(f"{SVG}polygon").get("points").split()]
    width = max(x for x, _ in points) - min(x for x, _ in points)
    height = max(y for _, y in points) - min(y for _, y in points)
    assert math.isclose(width / height, math.cos(math.radians(60.5)), rel_tol=0.02)


def test_no_shape_no_map():
    assert area_map("", "", "Elm Street", "x") is None


def test_when_text_matches_the_theme_macro():
    assert when_text(datetime(2026, 11, 24, 18, 0, tzinfo=LA)) == "November 24, 2026, 6:00 PM"
    assert when_text(datetime(2026, 11, 24, 0, 0, tzinfo=LA)) == "November 24, 2026"
    assert when_text(datetime(2026, 11, 4, 0, 5, tzinfo=LA)) == "November 4, 2026, 12:05 AM"


# --- the built pages ---------------------------------------------------------------------

def test_an_earlier_alert_page_shows_its_facts_and_the_incident_latest(sites):
    doc = _page(sites["during"], "2026/gas-1/index.html")
    facts = _facts(doc)
    assert facts["This message"] == "Alert"
    assert facts["Area"] == "Citrus Avenue between 1st and 3rd Streets"
    assert facts["What to do"] == "Avoid the area."
    assert facts["Expires"] == "Until November 20, 2026, 6:00 PM"
    status = doc.xpath("//p[contains(@class, 'alert-status')]")[0].text_content()
    assert "Active" in status and "earlier" in status
    assert "Gas leak: Citrus Avenue still closed" in status  # the incident's latest update
    assert _href_ends(doc, "2026/gas-2/")
    assert _href_ends(doc, "cap/gas-1.xml", type="application/cap+xml")
    assert _href_ends(doc, f"feeds/incidents/{GAS}.atom.xml", type="application/atom+xml")
    assert _href_ends(doc, f"incidents/{GAS}/")
    figure = doc.xpath("//figure[@class='area-figure']")[0]
    assert figure.xpath(".//*[local-name()='svg'][@role='img']")
    assert "about 0.9 km across" in figure.xpath("string(.//figcaption)")
    alternates = {link.get("title"): link.get("href") for link in
                  doc.xpath("//head/link[@rel='alternate']")}
    assert alternates["CAP alerts"].endswith("cap/index.atom")
    assert alternates["Incident updates (Atom)"].endswith(f"feeds/incidents/{GAS}.atom.xml")


def test_after_the_all_clear_every_page_says_so(sites):
    cleared = _page(sites["after"], "2026/gas-3/index.html")
    facts = _facts(cleared)
    assert facts["This message"] == "All clear"
    assert facts["What to do"] == "No action needed."
    assert facts["Area"] == "Citrus Avenue between 1st and 3rd Streets"
    # The incident has ended: the line no longer follows the clock.
    assert facts["Expires"] == "Ended November 20, 2026, 1:00 PM"
    assert "All clear" in cleared.xpath("string(//p[contains(@class, 'alert-status')])")
    assert not cleared.xpath("//figure")  # no shape on this message
    first = _page(sites["after"], "2026/gas-1/index.html")
    status = first.xpath("string(//p[contains(@class, 'alert-status')])")
    assert "All clear" in status and "All clear: Citrus Avenue reopened" in status
    assert _facts(first)["What to do"] == "Avoid the area."  # what this message said
    incident = _page(sites["after"], f"incidents/{GAS}/index.html")
    assert "What to do: No action needed." in incident.xpath("string(//p[@class='instruction'])")
    assert incident.xpath("//head/link[@rel='alternate'][@title='CAP alerts']")[0].get(
        "href").endswith("cap/index.atom")
    assert incident.xpath("//figure/*[local-name()='svg'][@role='img']")  # the latest area
    assert _href_ends(incident, "cap/gas-3.xml", type="application/cap+xml")


def test_expiry_follows_the_clock_while_the_incident_is_active(tmp_path):
    repo = Repo(tmp_path / "dept")
    oak = {"incident": "2026-1120-oak", "area": "Oak Street"}
    _alert(repo, "oak-1", "Police activity on Oak Street", "2026-11-20 09:00",
           "Officers are on Oak Street.", instruction="Avoid Oak Street.",
           expires="2026-11-20 12:30", **oak)
    _alert(repo, "oak-2", "Oak Street still closed", "2026-11-20 11:00",
           "Officers remain on Oak Street.", instruction="Avoid Oak Street.",
           expires="2026-11-20 16:00", **oak)
    _alert(repo, "short", "Police activity on Ash Street", "2026-11-20 09:00",
           "Officers are on Ash Street.", area="Ash Street", instruction="Avoid Ash Street.",
           expires="2026-11-20 10:00")
    posts = [parse_text(f"content/2026/{p.name}", p.read_text(), LA)[0]
             for p in sorted((repo.root / "content/2026").iterdir())]
    # The moment oak-1's page turns from "Until" to "Expired" is one `due` knows.
    assert (datetime(2026, 11, 20, 12, 30, tzinfo=LA), "content/2026/oak-1.md expires") \
        in upcoming_changes(posts, DURING)
    assert build_site(repo.root, tmp_path / "out", now=AFTER).ok
    first = _page(tmp_path / "out", "2026/oak-1/index.html")
    assert _facts(first)["Expires"] == "Expired November 20, 2026, 12:30 PM"
    assert "Active" in first.xpath("string(//p[contains(@class, 'alert-status')])")
    assert _facts(_page(tmp_path / "out", "2026/oak-2/index.html"))["Expires"] == \
        "Until November 20, 2026, 4:00 PM"
    ended = _page(tmp_path / "out", "2026/short/index.html")
    assert _facts(ended)["Expires"] == "Expired November 20, 2026, 10:00 AM"
    assert "Ended" in ended.xpath("string(//p[contains(@class, 'alert-status')])")
    assert not ended.xpath("//a[contains(@href, 'feeds/incidents/')]")  # not an incident


def test_a_circle_alert_page_has_its_map(sites):
    doc = _page(sites["during"], "2026/elm-park/index.html")
    svg = doc.xpath("//figure/*[local-name()='svg']")[0]
    assert svg.xpath(".//*[local-name()='circle']")
    assert "circle about 0.8 km across" in doc.xpath("string(//figcaption)")
    assert _facts(doc)["What to do"] == "Stay out of the park."


# --- the feeds ---------------------------------------------------------------------------

FEEDS = ["feeds/all.atom.xml", "feeds/all.rss.xml", "feeds/safety-alerts.atom.xml",
         "feeds/safety-alerts.rss.xml", f"feeds/incidents/{GAS}.atom.xml",
         f"feeds/incidents/{GAS}.rss.xml"]


def _entry_text(entry) -> str:
    return entry.content[0].value if "content" in entry else entry.description


@pytest.mark.parametrize("feed", FEEDS)
def test_every_alert_entry_carries_the_facts(sites, feed):
    parsed = feedparser.parse((sites["after"] / feed).read_bytes())
    by_title = {e.title: _entry_text(e) for e in parsed.entries}
    cleared = by_title["All clear: Citrus Avenue reopened"]
    for words in ("<strong>Status:</strong> All clear",
                  "<strong>Area:</strong> Citrus Avenue between 1st and 3rd Streets",
                  "<strong>What to do:</strong> No action needed.",
                  "<strong>Expires:</strong> November 20, 2026, 6:00 PM",
                  'href="https://police.example/cap/gas-3.xml"',
                  f'href="https://police.example/feeds/incidents/{GAS}.atom.xml"'):
        assert words in cleared
    first = by_title["Gas leak: avoid Citrus Avenue"]
    assert "<strong>Status:</strong> Alert" in first
    assert "<strong>What to do:</strong> Avoid the area." in first
    if "incidents" not in feed:
        park = by_title["Police activity in Elm Street park"]
        assert "<strong>Area:</strong> Elm Street park" in park and "cap/elm-park.xml" in park
        assert "feeds/incidents/" not in park


def test_a_feed_entry_does_not_change_when_a_later_update_arrives(sites):
    """A feed entry carries its own message's status, never the incident's latest: readers
    that fetched it before the all-clear must not see it change (documented in alerts.md)."""
    def entry(site: Path) -> str:
        parsed = feedparser.parse((site / f"feeds/incidents/{GAS}.atom.xml").read_bytes())
        return next(_entry_text(e) for e in parsed.entries if e.title.startswith("Gas leak: a"))
    assert entry(sites["during"]) == entry(sites["after"])


# --- the follow page ---------------------------------------------------------------------

def test_follow_page_links_every_feed_and_the_cap_index(sites):
    doc = _page(sites["during"], "follow/index.html")
    assert doc.xpath("string(//h1)") == "Follow the department"
    assert _href_ends(doc, "cap/index.atom", type="application/atom+xml")
    assert _href_ends(doc, "feeds/all.atom.xml") and _href_ends(doc, "feeds/all.rss.xml")
    for category in ("traffic", "safety-alerts", "recruitment"):
        assert _href_ends(doc, f"feeds/{category}.atom.xml")
    assert _href_ends(doc, f"feeds/incidents/{GAS}.atom.xml")  # active now
    assert not doc.xpath("//form | //script | //iframe")
    after = _page(sites["after"], "follow/index.html")
    assert not _href_ends(after, f"feeds/incidents/{GAS}.atom.xml")  # cleared
    assert "No incident is active now." in after.text_content()
    home = _page(sites["during"], "index.html")
    assert _href_ends(home.xpath("//footer")[0], "follow/")


# --- the test alert ----------------------------------------------------------------------

def test_a_test_alert_is_on_no_public_page_feed_or_banner(sites):
    for site in sites.values():
        public = [p for p in site.rglob("*") if p.is_file()
                  and p.relative_to(site).parts[0] != "cap"]
        assert len(public) > 30
        for path in public:
            data = path.read_bytes()
            for word in (b"xyzzy", b"quokka", b"test of the alerting chain"):
                assert word not in data, f"{word!r} in {path.relative_to(site)}"
        assert not (site / "2026/drill-xyzzy").exists()


# --- in a browser ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(sites):
    yield from serve_folder(sites["during"])


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/2026/gas-1/", "/2026/elm-park/", "/follow/"])
def test_alert_and_follow_pages_in_chromium(browser, served, path):  # noqa: F811
    visit = Visit(browser, served + path)
    try:
        assert visit.outside == [], "requests left 127.0.0.1"
        assert all(url.startswith(served) for url in visit.requests)
        assert visit.errors == []
        page = visit.page
        assert page.locator("h1").count() == 1
        if path != "/follow/":
            box = page.locator("svg.area-map").bounding_box()
            assert box is not None and box["width"] > 100  # drawn, not hidden
        assert_accessible(page)
    finally:
        visit.close()
