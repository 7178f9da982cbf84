"""WebSub: feeds name the hub, and publish pings it with exactly the feeds that changed.

Real signed departments, real publishes (Pelican builds), and a real HTTP hub: a
``ThreadingHTTPServer`` on 127.0.0.1 that records every request and answers as scripted.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl

import feedparser
import pytest
from click.testing import CliRunner
from conftest import post_text
from gitdept import Department
from hubserver import closed_port_url, start_hub
from lxml import etree

from pressroom.cli import cli
from pressroom.publishing import websub
from pressroom.publishing.publish import publish
from pressroom.publishing.release_folders import live_release

SITE = "https://police.example"
ATOM = "{http://www.w3.org/2005/Atom}"
NOW = "2026-11-20T09:30-08:00"


def department(root: Path, keys_dir: Path, hub_url: str = "") -> Department:
    """A signed department on police.example with one traffic post on main."""
    dept = Department(root / "dept", keys_dir)
    dept.branch("settings")
    feeds = f'\n[feeds]\nwebsub_hub = "{hub_url}"\n' if hub_url else ""
    dept.commit_as("pio1", "Site settings", {"policy/site.toml": (
        f'[site]\nurl = "{SITE}"\n{feeds}')})
    dept.merge_as("chief1", "settings")
    dept.post_branch("closure", title="Road closure on Elm Street")
    dept.merge_as("sup1", "post/closure")
    return dept


def run_publish(dept: Department, site: Path, *extra: str, now: str = NOW):
    return CliRunner().invoke(cli, ["publish", "--repo", str(dept.root), "--target",
                                    str(site), "--now", now, "-q", *extra])


def add_post(dept: Department, slug: str, member: str = "sup1", **fields: str) -> None:
    dept.post_branch(slug, **fields)
    dept.merge_as(member, f"post/{slug}")


def add_alert(dept: Department) -> None:
    """The PIO's first safety alert of an incident; the Incident Commander approves."""
    dept.branch("post/gas-leak-1")
    dept.commit_as("pio1", "gas-leak-1", {"content/2026/gas-leak-1.md": post_text(
        title="Gas leak: avoid Citrus Avenue", date="2026-11-20 09:40",
        category="safety-alerts", summary="A gas leak has closed Citrus Avenue.",
        expires="2026-11-20 18:00", incident="2026-1120-gas",
        area="Citrus Avenue between 1st and 3rd Streets", response="Avoid",
        instruction="Avoid the area.", body="Crews are working at the scene.")})
    dept.merge_as("ic1", "post/gas-leak-1")


def feed_files(site: Path) -> list[str]:
    """Every feed of the live site, found independently of pressroom.publishing.websub."""
    found = [p.relative_to(site).as_posix() for p in (site / "feeds").rglob("*")
             if p.name.endswith((".rss.xml", ".atom.xml"))]
    return sorted([*found, "cap/index.atom"])


def urls_of(paths: list[str]) -> list[str]:
    return sorted(f"{SITE}/{path}" for path in paths)


def declared(path: Path) -> tuple[str | None, str | None]:
    """(hub, self) links a feed declares: Atom ``<link>``, RSS ``<atom:link>`` in the channel."""
    root = etree.parse(str(path)).getroot()
    parent = root if root.tag == f"{ATOM}feed" else root.find("channel")
    links = {link.get("rel"): link.get("href") for link in parent.findall(f"{ATOM}link")}
    return links.get("hub"), links.get("self")


def assert_feeds_declare(site: Path, hub_url: str) -> None:
    paths = feed_files(site)
    for path in paths:
        assert declared(site / path) == (hub_url, f"{SITE}/{path}"), path
        parsed = feedparser.parse((site / path).read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        rels = {link.rel: link.href for link in parsed.feed.links}
        assert rels["hub"] == hub_url and rels["self"] == f"{SITE}/{path}", path


# --- planning and sending, without a build ------------------------------------------------

def test_the_plan_names_new_and_changed_feeds_only():
    before = {"feeds/all.atom.xml": "a", "feeds/traffic.rss.xml": "b", "feeds/gone.rss.xml": "c"}
    after = {"feeds/all.atom.xml": "A", "feeds/traffic.rss.xml": "b", "cap/index.atom": "d"}
    push = websub.plan("https://hub.example/", f"{SITE}/", before, after, "r1", "abc")
    assert push.urls == (f"{SITE}/cap/index.atom", f"{SITE}/feeds/all.atom.xml")
    assert websub.plan("https://hub.example/", SITE, after, after).urls == ()
    assert parse_qsl(websub.form_body(push.urls).decode()) == [
        ("hub.mode", "publish"), ("hub.url", f"{SITE}/cap/index.atom"),
        ("hub.url", f"{SITE}/feeds/all.atom.xml")]


@pytest.mark.parametrize("bad", ["ftp://hub.example/", "https://hub.example/a b",
                                 "hub.example", "https:// hub.example/", ""])
def test_a_hub_must_be_an_http_address_without_spaces(bad):
    assert "is not an http(s) address" in websub.hub_problem(bad)
    assert websub.hub_problem("https://pubsubhubbub.appspot.com/") == ""


def test_nothing_changed_means_no_request(hub):
    result = websub.notify(websub.Push(hub.url, ()))
    assert not result.sent and hub.requests == []
    assert result.summary() == f"WebSub: no feed changed; nothing sent to {hub.url}"


@pytest.mark.parametrize("status", [400, 404, 302])
def test_an_answer_that_will_not_change_is_not_retried(hub, status):
    hub.answers = [status]
    result = websub.notify(websub.Push(hub.url, (f"{SITE}/feeds/all.atom.xml",)),
                           websub.Delivery(backoff=(0.0,)))
    assert (result.ok, len(hub.requests), result.status) == (False, 1, status)
    assert f"(HTTP {status})" in result.summary()


def test_a_slow_hub_costs_at_most_the_bound(hub):
    hub.delay = 5.0  # waiting for both answers would take 10 s
    delivery = websub.Delivery(timeout=0.3, attempts=2, backoff=(0.1,))
    started = time.monotonic()
    result = websub.notify(websub.Push(hub.url, (f"{SITE}/feeds/all.atom.xml",)), delivery)
    assert time.monotonic() - started < 2 * 0.3 + 0.1 + 1.5  # the bound, with slack for load
    assert not result.ok and result.error == "no answer within 0.3 s"
    assert len(result.tries) == 2


# --- real publishes ------------------------------------------------------------------------

def test_publish_notifies_the_hub_of_exactly_the_feeds_that_changed(tmp_path, keys_dir, hub):
    dept = department(tmp_path, keys_dir, hub.url)
    site = tmp_path / "www" / "pd"
    site.parent.mkdir()

    first = run_publish(dept, site)
    assert first.exit_code == 0, first.output
    assert f"WebSub: notified {hub.url} of {len(feed_files(site))} feeds" in first.stdout
    assert len(hub.requests) == 1
    request = hub.requests[0]
    assert request["type"] == "application/x-www-form-urlencoded"
    assert request["form"][0] == ("hub.mode", "publish")
    assert sorted(hub.urls()) == urls_of(feed_files(site))
    assert_feeds_declare(site, hub.url)

    # A time-driven publish that changes no feed pings nobody.
    again = run_publish(dept, site, now="2026-11-20T09:35-08:00")
    assert again.exit_code == 0, again.output
    assert f"WebSub: no feed changed; nothing sent to {hub.url}" in again.stdout
    assert len(hub.requests) == 1

    # A safety alert: the site feed, its category's, the incident's and the CAP index.
    add_alert(dept)
    alert = run_publish(dept, site, now="2026-11-20T09:45-08:00")
    assert alert.exit_code == 0, alert.output
    assert len(hub.requests) == 2
    assert sorted(hub.urls()) == urls_of([
        "cap/index.atom", "feeds/all.atom.xml", "feeds/all.rss.xml",
        "feeds/incidents/2026-1120-gas.atom.xml", "feeds/incidents/2026-1120-gas.rss.xml",
        "feeds/safety-alerts.atom.xml", "feeds/safety-alerts.rss.xml"])
    assert_feeds_declare(site, hub.url)  # the incident's new feeds too

    # The hub is busy twice, then takes it: three attempts, one success on record.
    hub.answers = [503, 503]
    add_post(dept, "parade", title="Holiday parade route", date="2026-11-20 09:50")
    busy = run_publish(dept, site, now="2026-11-20T09:55-08:00")
    assert busy.exit_code == 0, busy.output
    assert len(hub.requests) == 5 and hub.urls(2) == hub.urls(3) == hub.urls(4)
    assert sorted(hub.urls()) == urls_of(["feeds/all.atom.xml", "feeds/all.rss.xml",
                                          "feeds/traffic.atom.xml", "feeds/traffic.rss.xml"])

    record = websub.read_record(site)
    assert [(r["ok"], r["attempts"]) for r in record] == [(True, 1), (True, 1), (True, 3)]
    last = record[-1]
    assert last["tries"] == [{"status": 503, "error": "HTTP 503"},
                             {"status": 503, "error": "HTTP 503"},
                             {"status": 204, "error": ""}]
    assert last["hub"] == hub.url and last["commit"] == dept.head("main")
    assert last["release"] == live_release(site).id
    assert sorted(last["urls"]) == sorted(hub.urls())
    assert datetime.fromisoformat(last["time"]).tzinfo is not None
    assert (tmp_path / "www" / ".pd.websub.jsonl").is_file()


def test_a_hub_that_is_down_never_stops_the_publish(tmp_path, keys_dir):
    down = closed_port_url()
    dept = department(tmp_path, keys_dir, down)
    site = tmp_path / "www"
    result = run_publish(dept, site)
    assert result.exit_code == 0, result.output
    assert "Road closure on Elm Street" in (site / "2026/closure/index.html").read_text()
    assert f"Published 1 post to {site}." in result.stdout
    line = [x for x in result.stderr.splitlines() if x.startswith("WebSub:")]
    assert len(line) == 1 and line[0].startswith(
        f"WebSub: {down} did not accept the notification after 3 attempts (cannot connect")
    assert line[0].endswith("the site is live, readers will see the change when they next poll")
    [entry] = websub.read_record(site)
    assert entry["ok"] is False and entry["attempts"] == 3 and entry["status"] is None
    assert "cannot connect" in entry["error"]


def test_a_slow_hub_does_not_hold_up_publish(tmp_path, keys_dir, hub):
    hub.delay = 10.0  # each answer comes after 10 s: waiting for two would take 20 s
    dept = department(tmp_path, keys_dir, hub.url)
    site = tmp_path / "www"
    delivery = websub.Delivery(timeout=0.4, attempts=2, backoff=(0.1,))
    started = time.monotonic()
    result = publish(dept.root, site, datetime.fromisoformat(NOW), delivery=delivery)
    spent = time.monotonic() - started
    assert result.ok and live_release(site) is not None
    assert result.websub is not None and not result.websub.ok
    assert result.websub.seconds < 2 * 0.4 + 0.1 + 1.5
    assert spent < 10  # the build (about a second) and the bounded notification
    assert len(hub.requests) == 2
    assert websub.read_record(site)[0]["error"] == "no answer within 0.4 s"


def test_websub_hub_overrides_site_toml_and_a_new_hub_rebuilds_every_feed(tmp_path, keys_dir):
    configured, first, second = start_hub(), start_hub(), start_hub()
    try:
        dept = department(tmp_path, keys_dir, configured.url)
        site = tmp_path / "www"
        result = run_publish(dept, site, "--websub-hub", first.url)
        assert result.exit_code == 0, result.output
        assert_feeds_declare(site, first.url)
        assert len(first.requests) == 1 and configured.requests == []

        # Nothing but the hub changes: the next build notices, every feed names it and
        # every feed is new to the hub.
        result = run_publish(dept, site, "--websub-hub", second.url)
        assert result.exit_code == 0, result.output
        assert_feeds_declare(site, second.url)
        assert sorted(second.urls()) == urls_of(feed_files(site))
        assert len(first.requests) == 1 and configured.requests == []
    finally:
        for server in (configured, first, second):
            server.server.shutdown()
            server.server.server_close()


def test_without_a_hub_feeds_name_none_and_nothing_is_sent_or_recorded(tmp_path, keys_dir):
    dept = department(tmp_path, keys_dir)
    site = tmp_path / "www"
    result = run_publish(dept, site)
    assert result.exit_code == 0, result.output
    assert "WebSub" not in result.output
    for path in feed_files(site):
        assert declared(site / path) == (None, f"{SITE}/{path}")
    assert not websub.websub_record(site).exists()

    bad = run_publish(dept, tmp_path / "other", "--websub-hub", "https://hub.example/a b")
    assert bad.exit_code == 2
    assert bad.output.strip().splitlines() == [
        "Error: --websub-hub 'https://hub.example/a b' is not an http(s) address without "
        "spaces, e.g. https://pubsubhubbub.appspot.com/"]
    assert not (tmp_path / "other").exists()
    assert websub.read_record(site) == []
