"""Issue #14 attacked: a translation never reaches the public ahead of, or after, its
original — not on a page, a feed, the banner or the search index — and a hostile ``Lang``
is refused in one line, never a traceback or a folder outside the site.

The attacker and the careless translator: a translation marked ``published`` of a draft
or embargoed original, a ``Lang`` that is a path, a translation of a removed original;
each built for real, the whole output (search index included) searched for its words.
"""

from __future__ import annotations

import contextlib
import gzip
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import Repo, commit_all, git, post_text

from pressroom.build.run import build_site
from pressroom.publishing.search_index import follow

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=LA)
SITE_TOML = """\
[site]
name = "Example City Police Department"
url = "https://police.example"

[languages]
translations = ["es"]
"""


def _department(root: Path, original: dict[str, str]) -> Repo:
    repo = Repo(root)
    repo.site(SITE_TOML)
    fields = {"date": "2026-11-10 09:00", **original}
    repo.post("2026/notice.md", post_text(title="Water main notice", category="announcements",
                                          slug="notice", summary="A water main notice.",
                                          **fields))
    repo.post("2026/es/notice.md", post_text(
        title="Aviso zarzamora", date="2026-11-10 09:00", category="announcements",
        slug="notice", lang="es", summary="Un aviso zarzamora.", body="Texto zarzamora.",
        **{k: v for k, v in original.items() if k not in ("status", "date")}))
    repo.post("2026/other.md", post_text(title="Other news", date="2026-11-09 09:00",
                                         summary="Something else."))
    return repo


def _all_output(site: Path) -> str:
    """Every file of the built site as text; the search index's compressed parts inflated."""
    parts = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix.startswith(".pf_") or path.name.endswith(".pf_meta"):
            with contextlib.suppress(OSError):  # a part Pagefind did not compress
                data = gzip.decompress(data)
        parts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(parts)


def test_a_published_translation_of_a_draft_is_refused_and_nothing_is_written(tmp_path):
    repo = _department(tmp_path / "dept", {"status": "draft"})
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert [p.rule_id for p in result.problems] == ["TRANSLATION-MISMATCH"]
    assert not (tmp_path / "out").exists()


def test_a_translation_of_an_embargoed_original_waits_for_it(tmp_path):
    """The translation's own Date has passed; its original's has not."""
    repo = _department(tmp_path / "dept", {"date": "2026-12-01 09:00"})
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert result.ok, result.problems
    site = (tmp_path / "out").resolve()
    index = follow(tmp_path / "out")
    assert index.ok, index.problem
    everything = _all_output(site)
    assert "Other news" in everything  # the site and its index were built
    assert "zarzamora" not in everything  # the translation's words are nowhere


@pytest.mark.parametrize("lang", ["../x", "ES", "e s", "spanish", "en/../es"])
def test_a_hostile_lang_is_one_line_and_writes_nothing(tmp_path, lang):
    repo = Repo(tmp_path / "dept")
    repo.site(SITE_TOML)
    repo.post("2026/bad.md", f"Title: Bad\nDate: 2026-11-10 09:00\nCategory: announcements\n"
                             f"Author: pio1\nSummary: Bad.\nLang: {lang}\n\nText.\n")
    check = subprocess.run([sys.executable, "-m", "pressroom", "check", "--repo",
                            str(repo.root)], capture_output=True, text=True)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "Traceback" not in check.stdout + check.stderr
    assert "FRONT-LANG" in check.stdout + check.stderr
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert not result.ok
    assert not (tmp_path / "x").exists() and not (tmp_path / "out").exists()


def test_a_spanish_incident_page_never_pairs_the_latest_order_with_an_older_instruction(
        tmp_path):
    """Found by a newcomer: only the first alert was translated; the English update orders
    an evacuation. The Spanish incident page must say so (in English, marked), not go on
    telling Spanish readers to avoid the area."""
    repo = Repo(tmp_path / "dept")
    repo.site(SITE_TOML)
    alert = {"category": "safety-alerts", "incident": "2026-1120-gas",
             "expires": "2026-11-20 18:00", "body": "Crews are at the scene."}
    repo.post("2026/gas-1.md", post_text(
        title="Gas leak: avoid Citrus Avenue", date="2026-11-20 09:00", slug="gas-1",
        summary="A gas leak.", area="Citrus Avenue", response="Avoid",
        instruction="Avoid the area.", **alert))
    repo.post("2026/es/gas-1.md", post_text(
        title="Fuga de gas: evite Citrus Avenue", date="2026-11-20 09:00", slug="gas-1",
        lang="es", summary="Una fuga de gas.", area="Avenida Citrus", response="Avoid",
        instruction="Evite la zona.", **alert))
    repo.post("2026/gas-2.md", post_text(
        title="Gas leak: evacuate Citrus Avenue homes", date="2026-11-20 11:00", slug="gas-2",
        summary="Evacuate.", response="Evacuate", sequence="2",
        instruction="Leave homes on Citrus Avenue now.", **alert))
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert result.ok, result.problems
    page = (tmp_path / "out" / "es/incidents/2026-1120-gas/index.html").read_text()
    assert "Evite la zona." not in page
    assert '<span lang="en">Leave homes on Citrus Avenue now.</span>' in page
    assert '<span lang="en">Gas leak: evacuate Citrus Avenue homes</span>' in page


def test_a_bad_colour_is_one_finding_not_every_translation_in_a_wrong_language(tmp_path):
    """Found by a newcomer: one low-contrast colour made site.toml unusable and every
    Spanish post "a language this site does not publish in"."""
    repo = _department(tmp_path / "dept", {})
    repo.site(SITE_TOML + '\n[branding]\nlink = "#88aaff"\n')
    check = subprocess.run([sys.executable, "-m", "pressroom", "check", "-q", "--repo",
                            str(repo.root)], capture_output=True, text=True)
    assert check.returncode == 1
    lines = [line for line in check.stdout.splitlines() if ": " in line and "REFUSED" not in line]
    assert len(lines) == 1 and "SITE-CONFIG" in lines[0] and "2.27:1" in lines[0], check.stdout


@pytest.mark.parametrize(("name", "header"), [("es.md", ""), ("aviso.md", "Slug: es\n"),
                                              ("fr.md", "")])
def test_a_page_cannot_take_a_language_folder(tmp_path, name, header):
    """``content/pages/es.md`` would be written to ``es/index.html``, the Spanish home page:
    check refused it only at build time (a writer collision), after review; a code not yet
    configured (``fr``) is kept free for the day the department adds it."""
    repo = Repo(tmp_path / "dept")
    repo.site(SITE_TOML)
    repo.post("2026/other.md", post_text(title="Other news", date="2026-11-09 09:00"))
    repo.post(f"pages/{name}", f"Title: Hours\n{header}\nThe front counter is open.\n")
    check = subprocess.run([sys.executable, "-m", "pressroom", "check", "--repo",
                            str(repo.root)], capture_output=True, text=True)
    assert check.returncode == 1, check.stdout + check.stderr
    assert f"content/pages/{name}" in check.stdout and "FRONT-SLUG" in check.stdout
    assert "Traceback" not in check.stdout + check.stderr


def test_a_huge_seal_is_refused_by_check_and_build(tmp_path):
    """The seal is on every page's header and every share: 60 MB of it passed check and
    build, and every resident's phone would have loaded it on every page."""
    repo = Repo(tmp_path / "dept")
    repo.site(SITE_TOML + '\n[branding]\nseal = "content/images/seal.png"\n')
    repo.post("2026/other.md", post_text(title="Other news", date="2026-11-09 09:00"))
    (repo.root / "content" / "images").mkdir()
    (repo.root / "content" / "images" / "seal.png").write_bytes(
        b"\x89PNG\r\n\x1a\n" + bytes(6_000_000))
    check = subprocess.run([sys.executable, "-m", "pressroom", "check", "--repo",
                            str(repo.root)], capture_output=True, text=True)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "policy/site.toml:" in check.stdout + check.stderr
    assert "6,000,008 bytes" in check.stdout + check.stderr
    assert "Traceback" not in check.stdout + check.stderr
    build = subprocess.run([sys.executable, "-m", "pressroom", "build", "--repo", str(repo.root),
                            "--output", str(tmp_path / "out")], capture_output=True, text=True)
    assert build.returncode != 0 and "Traceback" not in build.stdout + build.stderr
    assert not (tmp_path / "out").exists()


ALERT_EN = """\
Title: Gas leak on Citrus Avenue: avoid the area
Date: 2026-11-19 16:05
Category: safety-alerts
Author: pio1
Summary: Crews are repairing a gas leak on Citrus Avenue between 1st and 3rd Streets.
Expires: 2026-11-21 22:00
Area: Citrus Avenue between 1st Street and 3rd Street
Incident: 2026-1119-gas
Response: Avoid
{event}Instruction: Avoid Citrus Avenue between 1st and 3rd Streets.

Crews are at the scene.
"""
ALERT_ES = """\
Title: Fuga de gas en la avenida Citrus: evite la zona
Slug: gas
Lang: es
Date: 2026-11-19 16:05
Category: safety-alerts
Author: pio1
Summary: Cuadrillas reparan una fuga de gas en la avenida Citrus entre las calles 1st y 3rd.
Expires: 2026-11-21 22:00
Area: Avenida Citrus entre las calles 1st y 3rd
Incident: 2026-1119-gas
Response: Avoid
{event}Instruction: Evite la avenida Citrus entre las calles 1st y 3rd.

Hay cuadrillas en el lugar.
"""
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


def _alert_department(root: Path, event_en: str, event_es: str) -> Repo:
    repo = Repo(root)
    repo.site(SITE_TOML)
    repo.post("2026/gas.md", ALERT_EN.format(event=f"Event: {event_en}\n" if event_en else ""))
    repo.post("2026/es/gas.md", ALERT_ES.format(event=f"Event: {event_es}\n" if event_es else ""))
    return repo


def _events(site: Path) -> dict[str, str]:
    root = ET.parse(site / "cap" / "gas.xml").getroot()
    return {info.findtext(f"{CAP}language"): info.findtext(f"{CAP}event")
            for info in root.findall(f"{CAP}info")}


@pytest.mark.parametrize(("event_en", "event_es", "expected"), [
    ("", "", {"en-US": "Police activity", "es-US": "Actividad policial"}),
    ("Gas leak", "Fuga de gas", {"en-US": "Gas leak", "es-US": "Fuga de gas"}),
])
def test_the_spanish_cap_block_names_the_event_in_spanish(tmp_path, event_en, event_es,
                                                          expected):
    """CAP's ``<event>`` is text in its block's language: the es-US block carried the
    original's English ("Police activity", "Gas leak") to phones set to Spanish."""
    repo = _alert_department(tmp_path / "dept", event_en, event_es)
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert result.ok, result.problems
    assert _events((tmp_path / "out").resolve()) == expected


@pytest.mark.parametrize("event_es", ["Gas leak", ""])
def test_a_translation_must_name_the_event_in_its_language(tmp_path, event_es):
    """The English event copied (or left out) is found at check, at the translation."""
    repo = _alert_department(tmp_path / "dept", "Gas leak", event_es)
    check = subprocess.run([sys.executable, "-m", "pressroom", "check", "--repo",
                            str(repo.root)], capture_output=True, text=True)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "content/2026/es/gas.md" in check.stdout and "TRANSLATION-MISMATCH" in check.stdout
    assert "Event" in check.stdout


def test_translations_branch_reads_the_branch_or_refuses_in_one_line(tmp_path):
    """``pressroom translations --branch`` passed the name to git as it was: a tag named
    ``main`` was read instead of the branch (a wrong report, exit 0), ``-x`` reached git as an
    option and a tree was read as an empty department. It now resolves the name as
    ``check --branch`` does."""
    repo = _alert_department(tmp_path / "dept", "", "")
    (repo.root / "content" / "2026" / "es" / "gas.md").unlink()
    commit_all(repo.root, "the alert")
    git(repo.root, "tag", "main")  # a tag named like the branch, on the commit without es
    repo.post("2026/es/gas.md", ALERT_ES.format(event=""))
    commit_all(repo.root, "its Spanish version")

    def report(rev: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pressroom", "translations", "--repo",
                               str(repo.root), "--branch", rev], capture_output=True, text=True)

    for rev in ("main", "-x", "HEAD:content"):
        found = report(rev)
        assert found.returncode == 2, (rev, found.stdout, found.stderr)
        assert len(found.stderr.strip().splitlines()) == 1 and "Traceback" not in found.stderr
    assert "ambiguous" in report("main").stderr
    good = report("refs/heads/main")
    assert good.returncode == 0 and "es: up to date" in good.stdout, good.stdout + good.stderr
