"""Issue #14: interface strings through gettext, the Spanish catalog, dates per language.

A department whose site language is Spanish is built for real (an incident with an alert and
an update, a standalone alert with a map, a press release, and a template of the
department's own that calls ``_()``): every page's visible text, titles and labels must
carry no English interface string, and dates read Spanish. A site in a language pressroom
has no catalog for reads English, without an error. The catalog test extracts every msgid
as ``make strings`` does and fails on one the Spanish catalog lacks or has not confirmed.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from babel.messages.pofile import read_po
from conftest import PROJECT, Repo, post_text, write
from jinja2 import DictLoader, Environment
from lxml import html as lxml_html

from pressroom.adapter import i18n
from pressroom.adapter.templates import Sandbox
from pressroom.build.run import build_site
from pressroom.render.alert_facts import AlertFacts, feed_html
from pressroom.render.dates import when_text

sys.path.insert(0, str(PROJECT / "scripts"))
from extract_strings import POT, main, pot_text, template_catalog  # noqa: E402

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 24, 19, 0, tzinfo=LA)
SPANISH = PROJECT / "pressroom/adapter/theme/translations/es/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
OWN_CONTACT = """{% extends "pressroom/contact.html" %}
{% block title %}{{ _("Contact the department") }} · {{ "Traffic"|translated }}{% endblock %}
"""


# --- the catalogs ---------------------------------------------------------------------------

def _spanish():
    with SPANISH.open("rb") as fp:
        return read_po(fp)


def test_the_spanish_catalog_translates_every_string_the_pages_can_show():
    wanted = template_catalog()
    spanish = _spanish()
    problems = []
    for message in wanted:
        if not message.id:
            continue
        found = spanish.get(message.id, context=message.context)
        strings = found.string if found is not None else None
        if isinstance(strings, str):
            strings = (strings,)
        if found is None:
            problems.append(f"missing: {message.id!r}")
        elif found.fuzzy or not strings or not all(strings):
            problems.append(f"fuzzy or empty: {message.id!r}")
    assert problems == [], "run `make strings`, then translate:\n" + "\n".join(problems)
    assert len(wanted) > 100  # every template's strings, not an empty extraction


def test_each_translation_keeps_its_placeholders():
    """A translation that drops or renames ``%(when)s`` would fail the page (KeyError) or
    lose the date; one with a stray "%" would fail Jinja's newstyle formatting."""
    for message in _spanish():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == wanted, (message.id, text)
            assert "%" not in PLACEHOLDER.sub("", text), (message.id, text)


def test_the_committed_template_is_current_and_the_check_says_so(capsys):
    assert POT.read_bytes() == pot_text(template_catalog()), "run `make strings`"
    assert main(["--check"]) == 0


def test_a_new_template_string_is_extracted(monkeypatch, tmp_path):
    """The extractor reads the theme folder: a string added to a template is wanted."""
    import extract_strings
    theme = tmp_path / "templates"
    theme.mkdir()
    (theme / "x.html").write_text('<p>{{ _("Report a pothole") }}</p>'
                                  '{% trans %}Two words{% endtrans %}', encoding="utf-8")
    monkeypatch.setattr(extract_strings, "TEMPLATES", theme)
    ids = {m.id for m in extract_strings.template_catalog()}
    assert {"Report a pothole", "Two words", "Safety Alerts", "All clear"} <= ids
    assert _spanish().get("Report a pothole") is None  # so the completeness test would fail


# --- gettext and dates in one environment, per page -----------------------------------------

def _env(kind=Environment) -> Environment:
    env = kind(loader=DictLoader({"t": (
        '{{ _("What to do") }}|{{ _("Until %(when)s", when=w) }}|'
        '{{ ngettext("%(num)d post", "%(num)d posts", n) }}|{{ "Safety Alerts"|translated }}|'
        '{{ format_when(d, True) }}|{{ "100% data"|translated }}')}), autoescape=True)
    i18n.install(env)
    return env


@pytest.mark.parametrize("kind", [Environment, Sandbox])
def test_one_environment_speaks_the_language_of_each_page(kind):
    env = _env(kind)
    moment = datetime(2026, 11, 24, 18, 0, tzinfo=LA)
    page = env.get_template("t")
    spanish = page.render(lang="es", w="<b>", n=3, d=moment)
    assert spanish == ("Qué hacer|Hasta el &lt;b&gt;|3 publicaciones|Alertas de seguridad|"
                       "24 de noviembre de 2026, 6:00 p.m.|100% data")
    english = page.render(DEFAULT_LANG="en", w="x", n=1, d=moment)
    assert english == ("What to do|Until x|1 post|Safety Alerts|November 24, 2026, 6:00 PM|"
                       "100% data")


@pytest.mark.parametrize("lang", ["xx", "fr", "../es", "", None])
def test_a_language_without_a_catalog_reads_english_without_error(lang):
    moment = datetime(2026, 11, 24, 18, 0, tzinfo=LA)
    out = _env().get_template("t").render(lang=lang, w="x", n=2, d=moment)
    assert out == ("What to do|Until x|2 posts|Safety Alerts|November 24, 2026, 6:00 PM|"
                   "100% data")


def test_the_page_language_comes_from_lang_then_the_article_then_the_site():
    class Item:
        lang = "es"
    assert i18n.page_language({"lang": "fr", "article": Item()}) == "fr"
    assert i18n.page_language({"article": Item(), "DEFAULT_LANG": "en"}) == "es"
    assert i18n.page_language({"page": Item()}) == "es"
    assert i18n.page_language({"DEFAULT_LANG": "es"}) == "es"
    assert i18n.page_language({}) == "en"


def test_dates_per_locale_keep_the_english_of_before():
    moment = datetime(2026, 11, 4, 0, 5, tzinfo=LA)
    assert when_text(moment) == "November 4, 2026, 12:05 AM"
    assert when_text(moment, locale="es_US") == "4 de noviembre de 2026, 12:05 a.m."
    assert when_text(moment.replace(minute=0), locale="es_US") == "4 de noviembre de 2026"
    assert when_text(moment, False, "es_US") == "4 de noviembre de 2026"
    assert when_text(moment, locale="xx") == "November 4, 2026, 12:05 AM"
    assert when_text(moment.date(), locale="es_US") == "4 de noviembre de 2026"
    # the same instant on another clock reads that clock (the memo is by wall clock)
    assert when_text(moment.astimezone(ZoneInfo("America/New_York"))) == \
        "November 4, 2026, 3:05 AM"


def test_a_feed_entry_reads_in_the_language_it_is_given():
    facts = AlertFacts(kind="All clear", area="Calle Citrus", what_to_do="No action needed.",
                       expires=datetime(2026, 11, 24, 18, 0, tzinfo=LA),
                       cap_path="cap/x.xml", incident_id="2026-1124-gas")
    spanish = feed_html(facts, "https://pd.example", i18n.gettext_for("es"), "es_US")
    for words in ("<strong>Estado:</strong> Todo despejado", "<strong>Zona:</strong>",
                  "<strong>Qué hacer:</strong> No es necesario hacer nada.",
                  "<strong>Vence:</strong> 24 de noviembre de 2026, 6:00 p.m.",
                  "Alerta CAP (XML)", "Todas las actualizaciones de este incidente"):
        assert words in spanish
    english = feed_html(facts, "https://pd.example")
    assert "<strong>Status:</strong> All clear" in english
    assert "<strong>Expires:</strong> November 24, 2026, 6:00 PM" in english


# --- a Spanish site, built ------------------------------------------------------------------

def _alert(repo: Repo, slug: str, title: str, date: str, summary: str, **extra: str) -> None:
    extra.setdefault("expires", "2026-11-24 22:00")
    repo.post(f"2026/{slug}.md", post_text(title=title, date=date, category="safety-alerts",
                                           summary=summary, body="Hay equipos en el lugar.",
                                           **extra))


@pytest.fixture(scope="module")
def spanish_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("strings")
    repo = Repo(root / "dept")
    repo.site('[site]\nname = "Departamento de Policía"\nlanguage = "es"\n'
              '[contact]\nnon_emergency = "(555) 010-4400"\naddress = "Plaza Cívica 100"\n'
              'hours = "De lunes a viernes"\nemail = "info@pd.example"\n'
              'records = "Pida los registros en el mostrador."\n')
    gas = {"incident": "2026-1124-gas", "area": "Avenida Citrus entre las calles 1 y 3",
           "lang": "es"}
    _alert(repo, "fuga-1", "Fuga de gas: evite la avenida Citrus", "2026-11-24 09:00",
           "Una fuga de gas cerró la avenida Citrus.", response="Avoid",
           instruction="Evite la zona.", **gas)
    _alert(repo, "fuga-2", "Fuga de gas: la avenida Citrus sigue cerrada", "2026-11-24 11:00",
           "Continúan las reparaciones.", response="Avoid",
           instruction="Use la avenida Azusa.", **gas)
    _alert(repo, "parque", "Actividad policial en el parque", "2026-11-24 10:00",
           "Los agentes buscan en el parque.", area="Parque de la calle Elm", response="Avoid",
           instruction="No entre al parque.", circle="34.12,-117.88 0.4")
    repo.post("2026/comunicado.md", post_text(
        title="Nuevo jefe de policía", date="2026-11-23 08:00", category="press-releases",
        summary="El concejo nombró a la nueva jefa.", body="La ceremonia es el lunes."))
    write(repo.root, "theme/templates/contact.html", OWN_CONTACT)
    out = root / "site"
    result = build_site(repo.root, out, now=NOW)
    assert result.ok, result.problems
    return out


def _visible(doc) -> str:
    """What a reader meets: the text, and the words of titles and labels."""
    for bad in doc.xpath("//script|//style|//svg"):
        bad.getparent().remove(bad)
    attributes = doc.xpath("//@title|//@aria-label|//@alt|//meta[@name='description']/@content")
    return " ".join([doc.text_content(), *attributes])


def _english_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Each English msgid whose Spanish differs, as a pattern (placeholders match anything)."""
    out = []
    for message in _spanish():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if not english or english in strings:
                continue
            parts = [re.escape(part) for part in PLACEHOLDER.split(english)[::2]]
            pattern = r"\b" + ".+?".join(parts) + (r"\b" if english[-1].isalnum() else "")
            out.append((english, re.compile(pattern)))
    return out


def test_every_page_of_a_spanish_site_is_free_of_english_interface_strings(spanish_site):
    patterns = _english_patterns()
    pages = sorted(p for p in spanish_site.rglob("*.html"))
    assert len(pages) > 10
    found = {}
    for page in pages:
        text = _visible(lxml_html.fromstring(page.read_bytes()))
        hits = [english for english, pattern in patterns if pattern.search(text)]
        if hits:
            found[str(page.relative_to(spanish_site))] = hits
    assert found == {}


def test_a_spanish_alert_page_reads_spanish_labels_and_dates(spanish_site):
    doc = lxml_html.fromstring((spanish_site / "2026/fuga-1/index.html").read_bytes())
    facts = dict(zip([t.text_content() for t in doc.xpath("//dl[@class='alert-facts-list']/dt")],
                     [d.text_content() for d in doc.xpath("//dl[@class='alert-facts-list']/dd")],
                     strict=True))
    assert facts == {"Este mensaje": "Alerta",
                     "Zona": "Avenida Citrus entre las calles 1 y 3",
                     "Qué hacer": "Evite la zona.",
                     "Vence": "Hasta el 24 de noviembre de 2026, 10:00 p.m."}
    status = " ".join(doc.xpath("//p[contains(@class,'alert-status')]")[0].text_content().split())
    assert status.startswith("Activa — hasta el 24 de noviembre de 2026, 10:00 p.m. · "
                             "Este es un mensaje anterior. Lo más reciente: Fuga de gas:")
    meta = " ".join(doc.xpath("//p[@class='post-meta']")[0].text_content().split())
    assert meta == "Publicado el 24 de noviembre de 2026, 9:00 a.m. · Por Pat Rivera"
    assert doc.xpath("//p[@class='post-meta']//time/@datetime")[0] == "2026-11-24T09:00:00-08:00"
    assert doc.xpath("//a[@class='skip-link']")[0].text == "Saltar al contenido principal"
    nav = [a.text_content() for a in doc.xpath("//nav[@class='site-nav']//a")]
    assert nav[:5] == ["Lo último", "Alertas", "Buscar", "Contacto", "Seguir"]
    assert "Avisos" in nav and "Alertas de seguridad" in nav  # the categories, under "Más"
    assert "Alerta de seguridad:" in doc.xpath("//aside[@class='alert-banner']")[0].text_content()


def test_a_map_and_an_incident_page_speak_spanish(spanish_site):
    park = lxml_html.fromstring((spanish_site / "2026/parque/index.html").read_bytes())
    caption = park.xpath("//figure[@class='area-figure']/figcaption")[0].text_content()
    assert caption.startswith("Parque de la calle Elm: círculo de unos ")
    assert caption.endswith("El contorno se dibuja sin un mapa de calles.")
    incident = lxml_html.fromstring(
        (spanish_site / "incidents/2026-1124-gas/index.html").read_bytes())
    kicker = incident.xpath("//p[@class='post-kicker']")[0].text_content()
    assert kicker == "Alertas de seguridad · Incidente 2026-1124-gas"
    assert incident.xpath("//h2[@id='timeline-heading']")[0].text == "Cronología"


def test_the_departments_own_template_calls_gettext_in_the_sandbox(spanish_site):
    doc = lxml_html.fromstring((spanish_site / "contact/index.html").read_bytes())
    assert doc.findtext(".//title") == "Contacto con el departamento · Tránsito"
    assert "Número que no es de emergencia" in doc.text_content()


def test_spanish_feed_entries_read_spanish(spanish_site):
    feed = feedparser.parse((spanish_site / "feeds/incidents/2026-1124-gas.atom.xml").read_bytes())
    latest = feed.entries[0].content[0].value
    assert "<strong>Estado:</strong> Actualización" in latest
    assert "<strong>Qué hacer:</strong> Use la avenida Azusa." in latest
    assert "<strong>Vence:</strong> 24 de noviembre de 2026, 10:00 p.m." in latest
    assert feed.feed.subtitle == "Actualizaciones del incidente 2026-1124-gas"
    site = feedparser.parse((spanish_site / "feeds/all.atom.xml").read_bytes())
    release = next(e for e in site.entries if e.title == "Nuevo jefe de policía")
    assert release.tags[0].label == "Comunicados de prensa"
    traffic = feedparser.parse((spanish_site / "feeds/traffic.atom.xml").read_bytes())
    assert traffic.feed.title == "Departamento de Policía: Tránsito"


def test_a_site_in_a_language_without_a_catalog_builds_in_english(tmp_path):
    repo = Repo(tmp_path / "dept")
    repo.site('[site]\nname = "Département de police"\nlanguage = "fr"\n')
    repo.post("2026/annonce.md", post_text(title="Fermeture de la rue", lang="fr",
                                           date="2026-11-24 18:00"))
    result = build_site(repo.root, tmp_path / "site", now=NOW)
    assert result.ok, result.problems
    doc = lxml_html.fromstring((tmp_path / "site/2026/annonce/index.html").read_bytes())
    meta = " ".join(doc.xpath("//p[@class='post-meta']")[0].text_content().split())
    assert meta == "Published November 24, 2026, 6:00 PM · By Pat Rivera"
    assert doc.xpath("//a[@class='skip-link']")[0].text == "Skip to main content"
