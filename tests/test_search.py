"""Site search: Pagefind's index per language, made after the switch, and the search pages.

A real build of the sample department with a Spanish translation, indexed by the real
Pagefind binary (``pagefind[bin]``) and served by a real nginx with the site's headers (its
Content-Security-Policy included); headless Chromium types a word of one post into the search
page of each language and must see that post listed. Publishing goes through signed merges
and ``publish``; a Pagefind that fails is a real executable that exits 1.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from conftest import NOW, PROJECT, copy_sample, require_tool
from gitdept import Department

from pressroom.build.run import build_site
from pressroom.cli import cli
from pressroom.deploy.plan import make_plan
from pressroom.publishing import releases, search_index
from pressroom.publishing.nginx import CONTENT_SECURITY_POLICY
from pressroom.publishing.publish import publish
from pressroom.publishing.release_folders import live_release, new_partial, publish_release

LA = ZoneInfo("America/Los_Angeles")
BUILT = datetime(2026, 11, 29, 12, 0, tzinfo=LA)
# A word only the English grant press release has, and one only its Spanish translation has.
WORDS = {"en": ("saturation", "/2026/traffic-safety-grant/"),
         "es": ("sillas", "/es/2026/traffic-safety-grant/")}
SPANISH = """\
Title: El departamento recibe una subvención de seguridad vial
Date: 2026-10-07 09:30
Category: press-releases
Author: pio1
Lang: es
Slug: traffic-safety-grant
Summary: Una subvención de California pagará controles y revisiones de sillas infantiles.

El Departamento de Policía recibió una subvención para un programa de un año de
educación vial. Habrá revisiones gratuitas de sillas de coche para niños en los eventos
comunitarios del barrio.
"""


def _entry(release: Path) -> dict:
    return json.loads((release / "pagefind" / search_index.ENTRY).read_text())


def _index_complete(release: Path) -> None:
    """Every file the entry names (each language's meta and WebAssembly) is in the release."""
    entry = _entry(release)
    assert entry["languages"]
    for lang in entry["languages"].values():
        assert (release / "pagefind" / f"pagefind.{lang['hash']}.pf_meta").is_file()
        assert (release / "pagefind" / f"wasm.{lang['wasm']}.pagefind").is_file()
    assert (release / "pagefind" / "pagefind.js").is_file()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The sample department with a Spanish translation, built and indexed like publish."""
    root = tmp_path_factory.mktemp("search")
    sample = root / "sample"
    copy_sample(sample)
    (sample / "content/2026/traffic-safety-grant-es.md").write_text(SPANISH, encoding="utf-8")
    target = root / "www" / "pd"
    target.parent.mkdir()
    assert build_site(sample, target, now=BUILT).ok
    index = search_index.follow(target)
    assert index.ok, index.problem
    return target


# --- the pages ---------------------------------------------------------------------------


def test_a_search_page_per_language_with_its_lang_a_labelled_box_and_a_live_list(site):
    for prefix, lang in (("", "en"), ("es/", "es")):
        html = (site / prefix / "search" / "index.html").read_text()
        assert f'<html lang="{lang}" dir="ltr">' in html
        assert '<form role="search"' in html and 'type="search" id="search-input"' in html
        assert '<label for="search-input">' in html
        assert 'aria-live="polite"' in html
        assert "method=" not in html and "action=" not in html  # it posts nowhere (392.5.1)
        assert "<style" not in html and "<script>" not in html  # no inline code (CSP)
        assert f'href="../{"../" if prefix else ""}{prefix}archives/"' in html


def test_every_page_links_the_search_page_and_only_posts_are_indexed(site):
    home = (site / "index.html").read_text()
    post = (site / "2026/traffic-safety-grant/index.html").read_text()
    assert 'href="./search/"' in home and 'href="../../search/"' in post
    assert "data-pagefind-body" in post and "data-pagefind-body" not in home
    assert "data-pagefind-body" not in (site / "search/index.html").read_text()
    marked: dict[str, int] = {}  # pages to find, by their <html lang>
    for path in site.rglob("*.html"):
        text = path.read_text()
        if "data-pagefind-body" in text:
            lang = re.search(r'<html lang="([a-z]+)"', text)
            assert lang is not None, path
            marked[lang.group(1)] = marked.get(lang.group(1), 0) + 1
    assert marked["en"] >= 10
    assert {code: lang["page_count"] for code, lang in _entry(site)["languages"].items()} \
        == marked


def test_the_spanish_translation_is_in_a_spanish_index(site):
    """Every public Spanish post (the sample's Spanish alert thread and press release, and
    this test's translation) and only those are in the Spanish index."""
    spanish = {p.parent for p in (site / "es").rglob("index.html")
               if "data-pagefind-body" in p.read_text()}
    assert site / "es/2026/traffic-safety-grant" in spanish
    assert _entry(site)["languages"]["es"]["page_count"] == len(spanish) >= 2


# --- the index -------------------------------------------------------------------------


def _release_of(target: Path, pages: dict[str, str]) -> Path:
    """A release made of ``pages`` (path -> html) switched live at ``target``."""
    partial = new_partial(target)
    for rel, html in pages.items():
        (partial / rel).parent.mkdir(parents=True, exist_ok=True)
        (partial / rel).write_text(html, encoding="utf-8")
    return publish_release(target, partial, keep=5).path


def _page(lang: str, title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><title>{title}</title></head><body>'
            f"<nav>Latest Archives</nav><article data-pagefind-body><h1>{title}</h1>"
            f"<p>{body}</p></article></body></html>")


def test_pagefind_makes_an_index_per_html_lang_and_skips_pages_without_a_body(tmp_path):
    target = tmp_path / "www" / "pd"
    release = _release_of(target, {
        "index.html": '<html lang="en"><body>Latest posts: a list</body></html>',
        "2026/a/index.html": _page("en", "Road closed", "Citrus Avenue is closed."),
        "2026/b/index.html": _page("en", "Road open", "Citrus Avenue is open again."),
        "es/2026/a/index.html": _page("es", "Calle cerrada", "La avenida está cerrada."),
    })
    index = search_index.follow(target)
    assert index.ok and index.release == release.name
    assert index.languages == {"en": 2, "es": 1} and index.pages == 3
    assert index.size == search_index.folder_size(release / "pagefind") > 0
    _index_complete(release)
    served = search_index.bundle_files(release / "pagefind")
    assert not any(name.startswith("pagefind-ui") for name in served)  # unused, not served
    assert not list(target.parent.glob(".pd.releases/.search-*"))  # its work folder is gone


def test_a_new_index_switches_by_its_entry_file_and_keeps_only_the_previous_one(tmp_path):
    target = tmp_path / "www" / "pd"
    release = _release_of(target, {"a/index.html": _page("en", "First", "alpha words")})
    generations = []
    for word in ("bravo", "charlie", "delta"):
        (release / "a/index.html").chmod(0o644)
        page = release / "a/index.html"  # (a test edits the release: publish never does)
        page.unlink()
        page.write_text(_page("en", "First", f"{word} words"))
        assert search_index.follow(target).ok
        generations.append(set(search_index.bundle_files(release / "pagefind")))
    metas = [{n for n in names if n.endswith(".pf_meta")} for names in generations]
    assert len(metas[2]) == 2  # the current index's meta and the previous one's
    assert metas[1] & metas[2] and not metas[0] & metas[2]  # the one before that is gone
    _index_complete(release)


def _failing_pagefind(folder: Path) -> str:
    script = folder / "pagefind-fails"
    script.write_text("#!/bin/sh\necho 'pagefind: out of memory' >&2\nexit 1\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def _watching_pagefind(folder: Path, target: Path) -> tuple[str, Path]:
    """The real Pagefind, run by a script that first notes which release is live."""
    record = folder / "live-when-indexing"
    script = folder / "pagefind-watched"
    script.write_text(f"#!/bin/sh\nreadlink '{target}' > '{record}'\n"
                      f"exec '{search_index.executable()}' \"$@\"\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script), record


def _approved(dept: Department, name: str, title: str, day: int) -> None:
    dept.post_branch(name, title=title, date=f"2026-11-{day:02d} 09:00")
    dept.merge_as("sup1", f"post/{name}")


def test_publish_is_live_before_the_index_and_a_failing_pagefind_leaves_search_working(
        tmp_path, keys_dir, monkeypatch):
    dept = Department(tmp_path / "dept", keys_dir)
    _approved(dept, "road-closure", "Citrus Avenue closed for repaving", 2)
    target = tmp_path / "www" / "pd"
    watched, record = _watching_pagefind(tmp_path, target)
    monkeypatch.setenv(search_index.PAGEFIND, watched)
    first = publish(dept.root, target, NOW)
    assert first.ok and first.search is not None and first.search.ok, first.search
    live = live_release(target)
    assert live is not None
    assert record.read_text().strip().endswith(live.id)  # already live when Pagefind ran
    assert first.search.release == live.id and first.search.pages >= 1
    _index_complete(live.path)
    before = _entry(live.path)

    monkeypatch.setenv(search_index.PAGEFIND, _failing_pagefind(tmp_path))
    _approved(dept, "road-open", "Citrus Avenue open again", 3)
    second = publish(dept.root, target, NOW)
    assert second.ok  # published: the index is not part of the verdict
    assert second.search is not None and not second.search.ok
    assert "out of memory" in second.search.problem
    newer = live_release(target)
    assert newer is not None and newer.id != live.id
    assert (newer.path / "2026/road-open/index.html").is_file()  # the new post is live
    assert _entry(newer.path) == before  # the search it had (cloned), whole
    _index_complete(newer.path)
    _index_complete(live.path)  # and the previous release's, for a rollback


def test_cli_build_indexes_and_a_failed_index_is_a_warning_not_a_failure(tmp_path,
                                                                          monkeypatch):
    sample = tmp_path / "sample"
    copy_sample(sample, settings=False)
    out = tmp_path / "out"
    args = ["build", "--repo", str(sample), "--output", str(out), "--now", BUILT.isoformat(),
            "-q"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Search index of release" in result.output and "is current" in result.output
    monkeypatch.setenv(search_index.PAGEFIND, _failing_pagefind(tmp_path))
    (sample / "content/2026/volunteer-program.md").write_text(
        (sample / "content/2026/volunteer-program.md").read_text() + "\nMore volunteers.\n")
    result = CliRunner().invoke(cli, [*args, "--full"])
    assert result.exit_code == 0, result.output
    assert "Search index not updated: pagefind exited 1" in result.output
    result = CliRunner().invoke(cli, [*args, "--no-search"])
    assert result.exit_code == 0 and "Search index" not in result.output


def test_a_warm_build_keeps_the_index_for_a_new_post_and_drops_it_after_an_edit(tmp_path):
    sample = tmp_path / "sample"
    copy_sample(sample, settings=False)
    target = tmp_path / "out"
    assert build_site(sample, target, now=BUILT).ok
    assert search_index.follow(target).ok
    indexed = _entry(releases.live_release(target).path)
    post = (sample / "content/2026/volunteer-program.md").read_text()
    (sample / "content/2026/new-volunteers.md").write_text(
        post.replace("Title:", "Title: New:", 1))
    added = build_site(sample, target, now=BUILT)
    assert added.ok and added.incremental
    assert _entry(releases.live_release(target).path) == indexed  # search behind, working
    (sample / "content/2026/volunteer-program.md").write_text(
        post.replace("Summary:", "Summary: Corrected.", 1))
    edited = build_site(sample, target, now=BUILT)
    assert edited.ok and edited.incremental
    live = releases.live_release(target).path
    assert not (live / "pagefind").exists()  # the edited words are not searchable meanwhile
    assert search_index.follow(target).ok
    _index_complete(live)


def test_rollback_brings_back_the_index_of_that_release(tmp_path):
    target = tmp_path / "www" / "pd"
    first = _release_of(target, {"a/index.html": _page("en", "One", "alpha")})
    assert search_index.follow(target).ok
    _release_of(target, {"a/index.html": _page("en", "One", "alpha"),
                         "b/index.html": _page("en", "Two", "bravo")})
    assert search_index.follow(target).ok
    assert releases.rollback(target).id == first.name
    assert _entry(first)["languages"]["en"]["page_count"] == 1


def test_a_deploy_writes_index_files_before_the_entry_and_pages_that_load_them(tmp_path):
    target = tmp_path / "www" / "pd"
    release = _release_of(target, {"a/index.html": _page("en", "One", "alpha"),
                                   "search/index.html": "<html lang='en'></html>"})
    assert search_index.follow(target).ok
    from pressroom.deploy.plan import local_manifest

    files = local_manifest(release)
    plan = make_plan(None, files, set(), datetime(2026, 11, 29, tzinfo=LA), 60)
    order = {path: i for i, stage in enumerate(plan.stages) for path in stage}
    entry = "pagefind/pagefind-entry.json"
    for path in files:
        if path.startswith("pagefind/") and path.endswith((".js", ".pagefind", ".pf_meta",
                                                           ".pf_index", ".pf_fragment")):
            assert order[path] < order[entry], path
    assert order["pagefind/pagefind.js"] < order["search/index.html"]
    assert order[entry] <= order["search/index.html"]


def test_the_policy_allows_wasm_and_fetches_from_the_site_only():
    rules = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert rules["script-src"] == "'self' 'wasm-unsafe-eval'"
    assert rules["connect-src"] == "'self'" and rules["default-src"] == "'none'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY.replace("wasm-unsafe-eval", "")


# --- in Chromium, behind nginx with the site's headers ------------------------------------


@pytest.fixture(scope="module")
def served(site, tmp_path_factory):
    from test_nginx import Nginx

    server = Nginx(tmp_path_factory.mktemp("search-nginx") / "nginx", site)
    yield f"http://127.0.0.1:{server.port}"
    server.stop()


@pytest.fixture(scope="module")
def chromium():
    from test_browser import AXE, CHROMIUM_ARGS, _chromium

    found = _chromium()
    require_tool(found is not None, "Debian's chromium")
    require_tool(AXE.is_file(), "axe-core (npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=found, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "es"])
def test_typing_a_word_of_a_post_lists_that_post(chromium, served, lang):
    from test_browser import Visit, assert_accessible

    word, url = WORDS[lang]
    prefix = "" if lang == "en" else f"{lang}/"
    visit = Visit(chromium, f"{served}/{prefix}search/")
    try:
        page = visit.page
        page.get_by_role("searchbox").fill(word)
        results = page.locator("#search-results a")
        results.first.wait_for(timeout=10_000)
        hrefs = results.evaluate_all("links => links.map(a => new URL(a.href).pathname)")
        assert url in hrefs
        found = {"en": "found.", "es": "encontrada."}[lang]  # "1 post found." in each language
        assert page.locator("#search-status").inner_text().endswith(found)
        assert page.locator("#search-results mark").count() >= 1  # the word, marked
        assert not page.locator("#search-browse").is_visible()
        assert visit.outside == [] and visit.errors == []
        assert any("/pagefind/" in r and r.endswith(".pf_fragment") for r in visit.requests)
    finally:
        visit.close()
    # axe is injected as an inline script, which the CSP refuses: its visit bypasses the CSP.
    visit = Visit(chromium, f"{served}/{prefix}search/", bypass_csp=True)
    try:
        visit.page.get_by_role("searchbox").fill(word)
        visit.page.locator("#search-results a").first.wait_for(timeout=10_000)
        assert_accessible(visit.page)
    finally:
        visit.close()


@pytest.mark.browser
def test_without_javascript_the_search_page_is_a_list_of_links(chromium, served):
    from test_browser import Visit, assert_accessible

    visit = Visit(chromium, f"{served}/search/", java_script_enabled=False)
    try:
        page = visit.page
        assert not page.get_by_role("searchbox").is_visible()  # no box that cannot work
        links = page.locator("#search-browse a")
        assert links.count() >= 10
        names = links.all_inner_texts()
        assert "All posts, newest first" in names and "Traffic" in names
        assert visit.outside == [] and visit.errors == []
    finally:
        visit.close()
    # The same page for axe (which needs JavaScript): search.js is not loaded instead.
    context = chromium.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.route("**/search.*.js", lambda route: route.abort())
        page.goto(f"{served}/search/")
        assert page.locator("#search-browse").is_visible()
        assert_accessible(page)
    finally:
        context.close()



def test_a_killed_build_takes_pagefind_with_it_and_the_next_build_clears_its_folder(
        tmp_path):
    sample = tmp_path / "sample"
    copy_sample(sample, settings=False)
    out = tmp_path / "out"
    started = tmp_path / "pagefind.pid"
    slow = tmp_path / "pagefind-slow"
    slow.write_text(f"#!/bin/sh\necho $$ > '{started}'\nexec sleep 60\n")
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PYTHONPATH": str(PROJECT), search_index.PAGEFIND: str(slow)}
    build = [sys.executable, "-m", "pressroom", "build", "--repo", str(sample), "--output",
             str(out), "--now", BUILT.isoformat(), "-q"]
    proc = subprocess.Popen(build, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not started.exists() or not started.read_text().strip():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        assert releases.live_release(out) is not None  # live while Pagefind runs
        pid = int(started.read_text())
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    for _ in range(100):  # Pagefind dies with its parent
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        raise AssertionError("pagefind outlived the killed build")
    work = list(releases.releases_folder(out).glob(".search-*"))
    assert len(work) == 1  # what the kill left
    again = subprocess.run([*build, "--no-search"], env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert not work[0].exists()  # cleared under the lock by the next build


@pytest.mark.browser
def test_without_an_index_the_search_page_says_so_and_offers_its_links(chromium, tmp_path):
    """A site whose index was never made (Pagefind failed on a full build): the search page
    tells the reader and shows its list of links, with no script error."""
    from test_browser import Visit, serve_folder

    sample = tmp_path / "sample"
    copy_sample(sample, settings=False)
    assert build_site(sample, tmp_path / "out", now=BUILT).ok  # no index
    served = serve_folder(tmp_path / "out")
    base = next(served)
    visit = Visit(chromium, f"{base}/search/")
    try:
        page = visit.page
        page.get_by_role("searchbox").fill("grant")
        status = page.locator("#search-status")
        status.filter(has_text="not available").wait_for(timeout=10_000)
        assert page.locator("#search-browse").is_visible()
        assert not page.get_by_role("searchbox").is_visible()
        assert visit.outside == []
    finally:
        visit.close()
        next(served, None)
