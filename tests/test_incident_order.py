"""Order within an incident is the thread's order (issue #13, item 5), on every listing.

Two posts of one incident approved in the same minute were listed by slug: the stale
"still closed" update above the all-clear on the home page and the category page, or, with
other slugs, the update taken as the thread's latest (the banner kept the incident active).
Within a thread the order is ``Date``, then ``Sequence:``, and an all-clear after the
updates of its minute when no sequence says otherwise; home, category, incident page,
feeds, CAP documents and the CAP index all agree.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import feedparser
import pytest
from conftest import NOW, Repo, post_text
from lxml import etree

from pressroom.build.run import build_site
from pressroom.model.content import parse_text
from pressroom.model.incidents import threads

LA = ZoneInfo("America/Los_Angeles")
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


def alert(title: str, date: str, incident: str, **extra: str) -> str:
    return post_text(title=title, date=date, category="safety-alerts", author="pio1",
                     summary=f"{title}.", expires="2026-11-27 18:00", incident=incident,
                     area="Citrus Avenue between 1st and 3rd Streets", **extra,
                     body="Crews are at the scene.")


# Incident "gas": the all-clear's slug sorts after the stale update's (home and category
# pages put "still closed" on top). Incident "elm": the all-clear's slug sorts first (the
# thread took "still closed" as its latest: banner active, page "Active").
# Incident "oak": explicit sequences against the slugs' order, in one minute.
POSTS = {
    "gas-leak-1": alert("Gas leak: avoid Citrus Avenue", "2026-11-27 09:00", "gas",
                        response="Avoid"),
    "gas-leak-2": alert("Gas leak: Citrus Avenue still closed", "2026-11-27 11:00", "gas",
                        response="Avoid"),
    "gas-leak-3": alert("Gas leak: Citrus Avenue reopened", "2026-11-27 11:00", "gas",
                        response="AllClear"),
    "elm-first": alert("Elm: water main break", "2026-11-27 08:00", "elm", response="Avoid"),
    "elm-still-closed": alert("Elm: still closed", "2026-11-27 10:00", "elm",
                              response="Avoid"),
    "elm-reopened": alert("Elm: reopened", "2026-11-27 10:00", "elm", response="AllClear"),
    "oak-a-later": alert("Oak: third message", "2026-11-27 07:00", "oak", sequence="3"),
    "oak-b-earlier": alert("Oak: second message", "2026-11-27 07:00", "oak", sequence="2"),
}
NEWEST_FIRST = {
    "gas": ["Gas leak: Citrus Avenue reopened", "Gas leak: Citrus Avenue still closed",
            "Gas leak: avoid Citrus Avenue"],
    "elm": ["Elm: reopened", "Elm: still closed", "Elm: water main break"],
    "oak": ["Oak: third message", "Oak: second message"],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("order")
    repo = Repo(root / "dept")
    for slug, text in POSTS.items():
        repo.post(f"2026/{slug}.md", text)
    out = root / "out"
    result = build_site(repo.root, out, now=NOW)
    assert result.ok, result.problems
    return out


def order_in(text: str, titles: list[str]) -> list[str]:
    """The titles in the order they first appear in ``text``."""
    assert all(t in text for t in titles), [t for t in titles if t not in text]
    return sorted(titles, key=text.index)


@pytest.mark.parametrize("page", ["index.html", "category/safety-alerts/index.html"])
@pytest.mark.parametrize("incident", ["gas", "elm", "oak"])
def test_home_and_category_pages_list_a_thread_in_its_order(site, page, incident):
    main = (site / page).read_text().split("<main", 1)[1]
    assert order_in(main, NEWEST_FIRST[incident]) == NEWEST_FIRST[incident]


@pytest.mark.parametrize("incident", ["gas", "elm", "oak"])
def test_incident_page_leads_with_the_threads_latest(site, incident):
    page = (site / f"incidents/{incident}/index.html").read_text()
    latest = page.split('id="latest-heading">', 1)[1].split("</h2>", 1)[0]
    assert latest == f"Latest: {NEWEST_FIRST[incident][0]}"
    timeline = page.split('class="timeline"', 1)[1]
    assert order_in(timeline, NEWEST_FIRST[incident]) == NEWEST_FIRST[incident]
    if incident in ("gas", "elm"):
        assert "<strong>All clear</strong>" in page


def test_cleared_incidents_leave_the_banner(site):
    banner = (site / "index.html").read_text().split('class="alert-banner"', 1)
    shown = banner[1].split("</aside>", 1)[0] if len(banner) > 1 else ""
    assert "Gas leak" not in shown and "Elm" not in shown
    assert "Oak" in shown


@pytest.mark.parametrize("feed", ["all", "safety-alerts", "incidents/gas", "incidents/elm",
                                  "incidents/oak"])
@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_feeds_list_a_thread_in_its_order(site, feed, fmt):
    parsed = feedparser.parse((site / "feeds" / f"{feed}.{fmt}.xml").read_bytes())
    titles = [e.title for e in parsed.entries]
    for incident, expected in NEWEST_FIRST.items():
        assert [t for t in titles if t in expected] == \
            (expected if feed in ("all", "safety-alerts", f"incidents/{incident}") else [])


def test_cap_messages_follow_the_thread(site):
    def cap(slug):
        return etree.parse(str(site / "cap" / f"{slug}.xml")).getroot()

    clear = cap("gas-leak-3")
    assert clear.find(f"{CAP}msgType").text == "Update"
    assert "gas-leak-2" in clear.find(f"{CAP}references").text
    assert cap("gas-leak-2").find(f"{CAP}references").text.count(",") == 2  # only the first
    assert "elm-still-closed" in cap("elm-reopened").find(f"{CAP}references").text
    assert cap("oak-b-earlier").find(f"{CAP}msgType").text == "Alert"
    assert "oak-b-earlier" in cap("oak-a-later").find(f"{CAP}references").text


def test_cap_index_lists_an_incidents_messages_in_its_order(site):
    parsed = feedparser.parse((site / "cap" / "index.atom").read_bytes())
    ids = [e.id for e in parsed.entries]
    for later, earlier in [("gas-leak-3", "gas-leak-2"), ("elm-reopened", "elm-still-closed"),
                           ("oak-a-later", "oak-b-earlier")]:
        assert ids.index(f"tag:police.example,2026-11-27:police.example-{later}") < \
            ids.index(f"tag:police.example,2026-11-27:police.example-{earlier}")


def parsed(slug: str, **extra: str):
    post, problems = parse_text(f"content/2026/{slug}.md", alert(slug, "2026-11-27 11:00",
                                                                 "x", **extra), LA)
    assert post is not None, problems
    return post


@pytest.mark.parametrize(("first", "second", "latest"), [
    ({}, {"response": "AllClear"}, "b"),                    # all-clear after an update
    ({"response": "AllClear"}, {}, "a"),
    ({"sequence": "3", "response": "AllClear"}, {"sequence": "4"}, "b"),  # sequence decides
    ({"sequence": "2"}, {"response": "AllClear"}, "b"),     # no sequence on the all-clear
    ({"sequence": "5"}, {"sequence": "4"}, "a"),
])
def test_thread_latest_in_one_minute(first, second, latest):
    a, b = parsed("a", **first), parsed("b", **second)
    for order in ([a, b], [b, a]):
        thread = threads(order, datetime(2026, 11, 27, 12, tzinfo=LA))["x"]
        assert thread.latest.slug == latest


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", "01"])
def test_sequence_is_a_whole_number_from_one(value):
    post, problems = parse_text("content/2026/a.md", alert("A", "2026-11-27 11:00", "x",
                                                           sequence=value), LA)
    assert post is None and [p.rule_id for p in problems] == ["FRONT-ALERT"]
    assert "Sequence" in problems[0].message


def test_sequence_belongs_to_safety_alerts():
    post, problems = parse_text("content/2026/a.md", post_text(sequence="2"), LA)
    assert post is None and [p.rule_id for p in problems] == ["FRONT-ALERT"]
