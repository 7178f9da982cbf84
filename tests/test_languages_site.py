"""Issue #14, part 1: every language its own site — addresses, lists, feeds, alternates.

One department with English and Spanish posts, built for real while an incident is
active: an alert thread translated message by message, a press release with a
translation, an English-only post and an English-only alert, a removed original, a
withdrawn one and an embargoed one, each with a Spanish translation. Every HTML page of
the output is walked for ``lang``, ``dir``, ``hreflang`` alternates and the language
switch; the feeds are read with feedparser. Warm builds with translations added, edited,
removed and their original removed write the same bytes as full builds.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from conftest import Repo, post_text
from lxml import html as lxml_html
from test_browser import Visit, assert_accessible, browser, serve_folder  # noqa: F401
from test_incremental import Twins, at

from pressroom.build.run import build_site

LA = ZoneInfo("America/Los_Angeles")
SITE = "https://police.example"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=LA)
GAS = "2026-1120-gas"
SITE_TOML = f"""\
[site]
name = "Example City Police Department"
url = "{SITE}"
language = "en"

[languages]
translations = ["es"]
"""


def _post(repo: Repo, name: str, lang: str = "", **fields: str) -> None:
    extra = {"slug": Path(name).stem, "lang": lang} if lang else {}
    repo.post(f"2026/{'es/' if lang else ''}{name}.md", post_text(**extra, **fields))


def _gas(repo: Repo, slug: str, date: str, lang: str, title: str, summary: str,
         instruction: str, response: str = "Avoid") -> None:
    _post(repo, slug, lang, title=title, date=date, category="safety-alerts", summary=summary,
          body="Crews are at the scene.", expires="2026-11-20 18:00", incident=GAS,
          area="Citrus Avenue between 1st and 3rd Streets", response=response,
          instruction=instruction)


def _department(root: Path) -> Repo:
    repo = Repo(root)
    repo.site(SITE_TOML)
    _gas(repo, "gas-1", "2026-11-20 09:00", "", "Gas leak: avoid Citrus Avenue",
         "A gas leak closed Citrus Avenue.", "Avoid the area.")
    _gas(repo, "gas-1", "2026-11-20 09:00", "es", "Fuga de gas: evite Citrus Avenue",
         "Una fuga de gas cerró Citrus Avenue.", "Evite la zona.")
    _gas(repo, "gas-2", "2026-11-20 11:00", "", "Gas leak: Citrus Avenue still closed",
         "Repairs continue.", "Use Azusa Avenue instead.")
    _gas(repo, "gas-2", "2026-11-20 11:00", "es", "Fuga de gas: Citrus Avenue sigue cerrada",
         "Las reparaciones continúan.", "Use Azusa Avenue.")
    _post(repo, "elm-park", title="Police activity in Elm Street park", date="2026-11-20 10:00",
          category="safety-alerts", summary="Officers are searching the park.",
          expires="2026-11-20 18:00", area="Elm Street park", response="Avoid",
          instruction="Stay out of the park.")
    _post(repo, "arrests", title="Two arrested in thefts", date="2026-11-18 10:00",
          category="press-releases", summary="Detectives arrested two men.")
    _post(repo, "arrests", "es", title="Dos arrestados por robos", date="2026-11-18 10:00",
          category="press-releases", summary="Los detectives arrestaron a dos hombres.")
    _post(repo, "road-work", title="Road work on Main Street", date="2026-11-17 09:00",
          summary="Main Street narrows to one lane.")
    _post(repo, "old-notice", title="Old notice", date="2026-11-10 09:00",
          category="announcements", summary="An outdated notice.",
          retraction="remove", **_retracted())
    _post(repo, "old-notice", "es", title="Aviso antiguo", date="2026-11-10 09:00",
          category="announcements", summary="Un aviso desactualizado.")
    _post(repo, "fair", title="Safety fair", date="2026-11-11 09:00", category="community",
          summary="A safety fair.", retraction="withdraw", **_retracted())
    _post(repo, "fair", "es", title="Feria de seguridad", date="2026-11-11 09:00",
          category="community", summary="Una feria de seguridad.")
    _post(repo, "holiday-hours", title="Holiday hours", date="2026-12-20 09:00",
          category="announcements", summary="The front counter closes early.")
    _post(repo, "holiday-hours", "es", title="Horario festivo", date="2026-11-15 09:00",
          category="announcements", summary="El mostrador cierra temprano.")
    return repo


def _retracted() -> dict[str, str]:
    return {"retracted": "2026-11-19 08:00", "retraction-reason": "Superseded.",
            "reported-by": "sup1"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("languages")
    repo = _department(root / "dept")
    result = build_site(repo.root, root / "out", now=NOW)
    assert result.ok, result.problems
    return root / "out"


def _page(site: Path, rel: str):
    return lxml_html.fromstring((site / rel).read_bytes())


def _switch(doc) -> dict[str, str]:
    """The language switch: code -> its link's target, resolved against the page."""
    nav = doc.xpath("//nav[contains(@class, 'language-switch')]")
    assert len(nav) == 1 and nav[0].get("aria-label")
    return {a.get("hreflang"): a.get("href") for a in nav[0].iter("a")}


def _resolve(page: str, href: str) -> str:
    """A relative link of ``page`` (site-relative) as a site-relative address."""
    parts = page.split("/")[:-1]
    for part in href.split("/"):
        if part == "..":
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    joined = "/".join(parts)
    return joined + "/" if joined and href.endswith("/") else joined


def test_every_page_says_its_language_and_its_alternates(site: Path) -> None:
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(pages) > 40
    for rel in pages:
        doc = _page(site, rel)
        lang = "es" if rel.startswith("es/") else "en"
        assert doc.get("lang") == lang and doc.get("dir") == "ltr", rel
        links = {link.get("hreflang"): link.get("href")
                 for link in doc.xpath("//head/link[@rel='alternate'][@hreflang]")}
        assert lang in links and "x-default" in links, rel
        assert all(href.startswith(SITE + "/") for href in links.values()), rel
        own = rel.removesuffix("index.html")
        if "/page/" not in rel:
            assert links[lang] == f"{SITE}/{own}", rel
        switch = _switch(doc)
        assert set(switch) == {"en", "es"} - {lang}, rel
        for a in doc.xpath("//nav[contains(@class, 'language-switch')]//a"):
            assert a.get("lang") == a.get("hreflang"), rel


def test_every_link_within_the_site_resolves(site: Path) -> None:
    """Links within a language (``lang_prefix``), the switch and the banner's fallbacks all
    lead to a file of the site: no language links a page that exists only in another."""
    broken = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        for element in lxml_html.fromstring(page.read_bytes()).xpath("//a[@href]|//link[@href]"):
            href = element.get("href").split("#")[0]
            if not href or ":" in href:
                continue  # absolute (hreflang, tel:) or a fragment
            target = _resolve(rel, href)
            path = site / target / "index.html" if target == "" or target.endswith("/") \
                else site / target
            if not path.is_file():
                broken.append((rel, href))
    assert broken == []


def test_the_switch_goes_to_the_translation_else_to_that_languages_home(site: Path) -> None:
    def target(rel: str, code: str) -> str:
        return _resolve(rel, _switch(_page(site, rel))[code])

    assert target("2026/arrests/index.html", "es") == "es/2026/arrests/"
    assert target("es/2026/arrests/index.html", "en") == "2026/arrests/"
    assert target("2026/road-work/index.html", "es") == "es/"  # not translated
    assert target("index.html", "es") == "es/"
    assert target("es/category/safety-alerts/index.html", "en") == "category/safety-alerts/"
    assert target("incidents/2026-1120-gas/index.html", "es") == "es/incidents/2026-1120-gas/"
    links = {link.get("hreflang") for link in _page(site, "2026/road-work/index.html")
             .xpath("//head/link[@hreflang]")}
    assert links == {"en", "x-default"}  # no Spanish alternate where there is none
    both = {link.get("hreflang") for link in _page(site, "2026/arrests/index.html")
            .xpath("//head/link[@hreflang]")}
    assert both == {"en", "es", "x-default"}


def _titles(doc) -> list[str]:
    return [a.text_content() for a in doc.xpath("//ul[@class='post-list']//h2/a")]


def test_each_languages_lists_hold_its_posts(site: Path) -> None:
    spanish = _titles(_page(site, "es/index.html"))
    assert spanish == ["Fuga de gas: Citrus Avenue sigue cerrada",
                       "Fuga de gas: evite Citrus Avenue", "Dos arrestados por robos",
                       "Feria de seguridad"]
    english = _titles(_page(site, "index.html"))
    assert "Road work on Main Street" in english and not set(english) & set(spanish)
    assert _titles(_page(site, "es/category/press-releases/index.html")) == \
        ["Dos arrestados por robos"]
    assert _titles(_page(site, "es/category/traffic/index.html")) == []
    for rel in ("es/archives/index.html", "es/contact/index.html", "es/follow/index.html",
                "es/category/index.html"):
        assert (site / rel).is_file(), rel
    home = _page(site, "es/index.html")
    more = home.xpath("//p[@class='other-language']/a")
    assert _resolve("es/index.html", more[0].get("href")) == "" and more[0].get("lang") == "en"
    nav = [_resolve("es/index.html", a.get("href"))
           for a in home.xpath("//nav[@aria-label='Main']//a")]
    assert all(href.startswith("es/") for href in nav), nav


def test_the_spanish_banner_shows_every_active_alert(site: Path) -> None:
    for rel in ("es/index.html", "es/2026/arrests/index.html"):
        items = _page(site, rel).xpath("//aside[@class='alert-banner']//li")
        assert len(items) == 2, rel
        by_text = {li.text_content(): li for li in items}
        gas = next(li for text, li in by_text.items() if "Fuga de gas" in text)
        assert _resolve(rel, gas.xpath(".//a")[0].get("href")) == "es/incidents/2026-1120-gas/"
        park = next(li for text, li in by_text.items() if "Elm Street park" in text)
        assert park.xpath(".//*[@lang='en']"), rel  # untranslated: in English, marked
        link = park.xpath(".//a")[0]
        assert link.get("hreflang") == "en"
        assert _resolve(rel, link.get("href")) == "2026/elm-park/"
    english = _page(site, "index.html").xpath("//aside[@class='alert-banner']//li")
    assert [li.text_content().startswith("Safety alert: Gas leak") or "Elm" in li.text_content()
            for li in english] == [True, True]
    assert not _page(site, "index.html").xpath("//aside//*[@lang]")


def _feed(site: Path, rel: str):
    parsed = feedparser.parse((site / rel).read_bytes())
    assert not parsed.bozo, (rel, parsed.get("bozo_exception"))
    return parsed


def test_feeds_per_language(site: Path) -> None:
    for kind in ("rss", "atom"):
        spanish = _feed(site, f"es/feeds/all.{kind}.xml")
        assert spanish.feed.language == "es"
        assert spanish.entries and all(e.link.startswith(f"{SITE}/es/") for e in spanish.entries)
        assert {e.title for e in spanish.entries} == {
            "Fuga de gas: Citrus Avenue sigue cerrada", "Fuga de gas: evite Citrus Avenue",
            "Dos arrestados por robos", "Feria de seguridad"}
        english = _feed(site, f"feeds/all.{kind}.xml")
        assert english.feed.language == "en"
        assert not any("/es/" in e.link for e in english.entries)
        press = _feed(site, f"es/feeds/press-releases.{kind}.xml")
        assert [e.title for e in press.entries] == ["Dos arrestados por robos"]
        incident = _feed(site, f"es/feeds/incidents/{GAS}.{kind}.xml")
        assert incident.feed.language == "es"
        assert [e.title for e in incident.entries] == [
            "Fuga de gas: Citrus Avenue sigue cerrada", "Fuga de gas: evite Citrus Avenue"]
        assert "Use Azusa Avenue." in incident.entries[0].content[0].value


def test_incident_pages_per_language(site: Path) -> None:
    doc = _page(site, f"es/incidents/{GAS}/index.html")
    assert doc.get("lang") == "es"
    assert doc.xpath("//h1")[0].text_content() == "Fuga de gas: evite Citrus Avenue"
    timeline = [li.xpath(".//a")[0].text_content()
                for li in doc.xpath("//ol[@class='timeline']/li")]
    assert timeline == ["Fuga de gas: Citrus Avenue sigue cerrada",
                        "Fuga de gas: evite Citrus Avenue"]
    alert = _page(site, "es/2026/gas-2/index.html")
    assert "Use Azusa Avenue." in alert.xpath("//dd[@class='instruction']")[0].text_content()
    assert not (site / "es/incidents/elm-park").exists()
    assert not (site / "es/cap").exists()  # one CAP document per item, at cap/<slug>.xml


def test_a_retraction_or_embargo_of_the_original_applies_to_its_translations(site: Path) -> None:
    removed = (site / "es/2026/old-notice/index.html").read_text(encoding="utf-8")
    assert "Aviso antiguo" not in removed and "Esta publicación fue retirada" in removed
    withdrawn = _page(site, "es/2026/fair/index.html")
    assert withdrawn.xpath("//p[contains(@class, 'notice-withdrawn')]")
    assert not (site / "es/2026/holiday-hours").exists()  # its original is embargoed
    for rel in ("es/feeds/all.atom.xml", "es/index.html", "es/archives/index.html",
                "es/category/announcements/index.html"):
        text = (site / rel).read_text(encoding="utf-8")
        assert "Aviso antiguo" not in text and "Horario festivo" not in text, rel


def test_warm_builds_with_translations_write_what_full_builds_write(tmp_path: Path) -> None:
    twins = Twins(tmp_path)
    twins.build(at(24, 18), expect_warm=False)
    spanish = ("Title: Puesto de control de DUI el viernes por la noche\n"
               "Slug: dui-checkpoint-november\nLang: es\nDate: 2026-11-12 10:00\n"
               "Category: traffic\nAuthor: pio1\nSummary: Habrá un puesto de control.\n\n"
               "El departamento realizará un puesto de control.\n")
    path = Path("content/2026/es/dui-checkpoint-november.md")
    twins.change(lambda root: (root / path).write_text(spanish, encoding="utf-8"))
    added = twins.build(at(24, 18))
    assert 0 < added.rewritten < added.files / 2
    out = tmp_path / "out-warm"
    english = _page(out, "2026/dui-checkpoint-november/index.html")
    assert _resolve("2026/dui-checkpoint-november/index.html", _switch(english)["es"]) == \
        "es/2026/dui-checkpoint-november/"
    assert "Puesto de control" in (out / "es/feeds/traffic.atom.xml").read_text()

    twins.change(lambda root: (root / path).write_text(
        spanish.replace("Habrá un puesto", "Habrá otro puesto"), encoding="utf-8"))
    twins.build(at(24, 18))
    twins.change(lambda root: (root / path).unlink())
    twins.build(at(24, 18))
    assert not (out / "es/2026/dui-checkpoint-november").exists()
    english = _page(out, "2026/dui-checkpoint-november/index.html")
    assert _switch(english)["es"].endswith("es/")

    fields = ("Retraction: remove\nRetracted: 2026-11-24 08:00\n"
              "Retraction-Reason: Superseded.\nReported-By: sup1\n\n")

    def retract(root: Path) -> None:
        original = root / "content/2026/catalytic-converter-arrests.md"
        original.write_text(original.read_text(encoding="utf-8").replace("\n\n", "\n" + fields, 1),
                            encoding="utf-8")

    twins.change(retract)
    twins.build(at(24, 18))
    page = (out / "es/2026/catalytic-converter-arrests/index.html").read_text(encoding="utf-8")
    assert "convertidores" not in page and "Esta publicación fue retirada" in page


@pytest.fixture(scope="module")
def served(site):
    yield from serve_folder(site)


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/es/", f"/es/incidents/{GAS}/", "/es/2026/gas-2/",
                                  "/2026/arrests/"])
def test_spanish_pages_and_the_switch_in_chromium(browser, served, path):  # noqa: F811
    visit = Visit(browser, served + path)
    try:
        assert visit.outside == [] and visit.errors == []
        page = visit.page
        switch = page.locator("nav.language-switch a")
        assert switch.count() == 1 and switch.first.is_visible()
        assert_accessible(page)
        switch.first.click()  # the switch leads to a page that exists
        page.wait_for_load_state("load")
        assert visit.errors == [] and page.locator("html").get_attribute("lang") in ("en", "es")
    finally:
        visit.close()


def test_a_page_at_a_language_folder_is_refused_in_one_line(tmp_path: Path,
                                                             without_rules) -> None:
    """check refuses the address (FRONT-SLUG); behind it, the writer refuses the collision."""
    repo = Repo(tmp_path / "dept")
    repo.site(SITE_TOML)
    _post(repo, "road-work", title="Road work on Main Street", date="2026-11-17 09:00",
          summary="Main Street narrows to one lane.")
    repo.post("pages/es.md", "Title: Español\nSlug: es\nSummary: Una página.\n\nTexto.\n")
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert not result.ok
    assert [(p.path, p.rule_id, p.message) for p in result.problems] == [
        ("content/pages/es.md", "FRONT-SLUG",
         "page address 'es' is one the site uses itself (/es/); choose another 'Slug:'")]
    without_rules()
    result = build_site(repo.root, tmp_path / "out", now=NOW)
    assert not result.ok
    assert [p.message for p in result.problems] == [
        "OutputCollision: es/index.html is written by both template index.html and page "
        "content/pages/es.md; rename one of them"]
