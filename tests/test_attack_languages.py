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
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import Repo, post_text

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
