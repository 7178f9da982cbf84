"""Attacks on the promises of #15 (docs/alerts.md): what a careless PIO or an attacker
writes must not make the CAP documents, the pages or the review say something else than
what ``check`` showed. Each test failed on the code as #15 landed it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from conftest import Repo, post_text
from lxml import etree

from pressroom.build.run import build_site
from pressroom.cli import cli

LA = ZoneInfo("America/Los_Angeles")
C = "{urn:oasis:names:tc:emergency:cap:1.2}"


def alert(title: str, date: str, **extra: str) -> str:
    extra.setdefault("expires", "2026-11-20 18:00")
    return post_text(title=title, date=date, category="safety-alerts", author="pio1",
                     summary="Officers are on Elm Street.", body="Stay clear.", **extra)


def cap_texts(site: Path, slug: str) -> tuple[str, str, str]:
    """CMAMtext, CMAMlongtext and areaDesc of a built CAP document."""
    root = etree.parse(str(site / "cap" / f"{slug}.xml")).getroot()
    found = {p.findtext(f"{C}valueName"): p.findtext(f"{C}value")
             for p in root.iter(f"{C}parameter")}
    return found["CMAMtext"], found["CMAMlongtext"], root.findtext(f"{C}info/{C}area/{C}areaDesc")


def shown_by_check(root: Path) -> dict[str, tuple[str, str]]:
    """The WEA texts ``pressroom check`` shows the PIO, by file."""
    result = CliRunner().invoke(cli, ["check", "--repo", str(root), "--today", "2026-11-10"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    shown: dict[str, tuple[str, str]] = {}
    lines = result.stderr.splitlines()
    for at, line in enumerate(lines):
        if line.endswith("alert information (not a finding)"):
            short = lines[at + 1].split("): ", 1)[1] if "): " in lines[at + 1] else ""
            long = lines[at + 2].split("): ", 1)[1] if "): " in lines[at + 2] else ""
            shown[line.split(":")[0]] = (short, long)
    return shown


def test_check_shows_the_wea_texts_the_cap_documents_carry(tmp_path):
    """An update without its own Area (its CAP takes the incident's) and a title of emoji
    (the CAP names the event and area): ``check`` showed other texts than phones get."""
    repo = Repo(tmp_path / "dept")
    repo.post("2026/elm-1.md", alert("Police activity on Elm Street", "2026-11-20 09:00",
                                     area="Elm Street between 4th and 6th Streets",
                                     incident="2026-1120-elm", instruction="Avoid the area."))
    repo.post("2026/elm-2.md", alert("Update: police activity on Elm Street",
                                     "2026-11-20 10:00", incident="2026-1120-elm",
                                     instruction="Keep avoiding the area."))
    repo.post("2026/oak.md", alert("\U0001f6a8\U0001f6a8", "2026-11-20 10:00",
                                   area="Oak Street", instruction="Avoid the area."))
    shown = shown_by_check(repo.root)
    site = tmp_path / "out"
    assert build_site(repo.root, site, now=datetime(2026, 11, 20, 12, tzinfo=LA)).ok
    for slug in ("elm-1", "elm-2", "oak"):
        short, long, _ = cap_texts(site, slug)
        assert shown[f"content/2026/{slug}.md"] == (short, long), slug
    assert "Area: Elm Street between 4th and 6th Streets." in cap_texts(site, "elm-2")[1]


def test_a_later_update_does_not_rewrite_an_earlier_messages_cap_area(tmp_path):
    """A CAP message, once out, is what it said: an update without Area takes the area of
    the messages before it, not of an update written after it."""
    repo = Repo(tmp_path / "dept")
    repo.post("2026/elm-1.md", alert("Police activity on Elm Street", "2026-11-20 09:00",
                                     area="Elm Street", incident="2026-1120-elm"))
    repo.post("2026/elm-2.md", alert("Update: police activity on Elm Street",
                                     "2026-11-20 10:00", incident="2026-1120-elm"))
    first = tmp_path / "first"
    assert build_site(repo.root, first, now=datetime(2026, 11, 20, 10, 30, tzinfo=LA)).ok
    repo.post("2026/elm-3.md", alert("Police activity moves to Oak Street", "2026-11-20 11:00",
                                     area="Oak Street", incident="2026-1120-elm"))
    second = tmp_path / "second"
    assert build_site(repo.root, second, now=datetime(2026, 11, 20, 11, 30, tzinfo=LA)).ok
    assert cap_texts(first, "elm-2")[2] == "Elm Street"
    assert (first / "cap/elm-2.xml").read_bytes() == (second / "cap/elm-2.xml").read_bytes()
