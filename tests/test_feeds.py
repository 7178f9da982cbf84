"""Feeds written with feedgen, read back with feedparser as a feed reader would."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
import pytest
from conftest import NOW

from pressroom.adapter.feeds import FeedEntry, FeedMeta, render_feeds
from pressroom.build.run import build_site
from pressroom.model.categories import BY_SLUG, SLUGS


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from conftest import Repo

    root = tmp_path_factory.mktemp("feeds")
    repo = Repo(root / "dept")
    repo.post("2026/closure.md", title="Main Street closed", date="2026-11-20 09:00",
              modified="2026-11-21 15:30")
    repo.post("2026/hiring.md", title="Now hiring dispatchers", category="recruitment",
              date="2026-11-10 08:00", summary="Apply by December 15.")
    repo.post("2026/old-tip.md", title="Lock your car", category="crime-prevention",
              date="2026-09-01 08:00")
    repo.post("2026/draft.md", title="Draft notice", status="draft", date="2026-11-22")
    repo.post("2026/later.md", title="Embargoed notice", date="2026-12-20")
    out = root / "out"
    result = build_site(repo.root, out, now=NOW)
    assert result.ok, result.problems
    return out


def parse(site, name):
    feed = feedparser.parse((site / "feeds" / name).read_bytes())
    assert not feed.bozo, feed.bozo_exception
    return feed


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_site_feed_lists_public_posts_newest_first(site, fmt):
    feed = parse(site, f"all.{fmt}.xml")
    assert feed.version == ("atom10" if fmt == "atom" else "rss20")
    assert [e.title for e in feed.entries] == [
        "Main Street closed", "Now hiring dispatchers", "Lock your car"]
    first = feed.entries[0]
    assert first.link == "https://police.example/2026/closure/"
    assert first.id == "tag:police.example,2026-11-20:closure"
    assert "Main Street is closed" in first.summary


def test_atom_entries_keep_published_and_updated_distinct(site):
    feed = parse(site, "all.atom.xml")
    closure, hiring = feed.entries[0], feed.entries[1]
    assert closure.published == "2026-11-20T09:00:00-08:00"
    assert closure.updated == "2026-11-21T15:30:00-08:00"
    assert hiring.published == hiring.updated == "2026-11-10T08:00:00-08:00"
    assert closure.author == "Pat Rivera"
    assert closure.tags[0].term == "traffic"


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_feed_updated_is_the_newest_post_never_now(site, fmt):
    feed = parse(site, f"all.{fmt}.xml")
    updated = feed.feed.updated_parsed
    assert datetime(*updated[:6], tzinfo=UTC) == datetime(2026, 11, 21, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_feed_links_itself_and_the_site(site, fmt):
    feed = parse(site, f"all.{fmt}.xml")
    links = {link.get("rel"): link.href for link in feed.feed.links}
    assert links["self"] == f"https://police.example/feeds/all.{fmt}.xml"
    assert feed.feed.link == "https://police.example/"


def test_per_category_feeds_hold_only_their_category(site):
    for slug in SLUGS:
        # Atom carries the slug as term (name as label); RSS carries the proper name.
        assert all(e.tags[0].term == slug for e in parse(site, f"{slug}.atom.xml").entries)
        name = BY_SLUG[slug].name
        assert all(e.tags[0].term == name for e in parse(site, f"{slug}.rss.xml").entries)
    assert [e.title for e in parse(site, "recruitment.atom.xml").entries] == [
        "Now hiring dispatchers"]
    assert parse(site, "safety-alerts.rss.xml").entries == []


def test_drafts_and_embargoed_posts_are_absent_from_every_feed(site):
    for path in (site / "feeds").iterdir():
        text = path.read_text()
        assert "Draft notice" not in text and "Embargoed notice" not in text, path.name


def test_render_feeds_is_deterministic_and_an_empty_feed_dates_from_the_epoch():
    """An empty feed does not date from the site's newest post: an unrelated new post
    would change it (and the review sheet would list it as changed)."""
    meta = FeedMeta("T", "S", "https://pd.example", "https://pd.example/", "https://pd.example/a",
                    "https://pd.example/r", "en")
    entry = FeedEntry("s", "Title", "https://pd.example/s/", datetime(2026, 2, 1, tzinfo=UTC),
                      datetime(2026, 2, 2, tzinfo=UTC), "<p>sum</p>", "<p>body</p>", "traffic",
                      "Traffic", "Pat")
    assert render_feeds(meta, [entry]) == render_feeds(meta, [entry])
    rss, atom = render_feeds(meta, [])
    parsed = feedparser.parse(atom)
    assert parsed.entries == [] and parsed.feed.updated.startswith("1970-01-01")
    assert b"<lastBuildDate>Thu, 01 Jan 1970" in rss
