"""#14 part 2: the translation rules, the Spanish word lists and the stale translation report.

A department with English and Spanish posts (an alert thread with translations: one up to
date, one missing, one stale, one orphan, one mismatched) is checked for real: the whole
repository (``pressroom check``), the named files against git's index (the pre-commit hook's
``check FILE``), the severity switch in ``policy/rules.toml``, and the report
(``pressroom translations``) as text and JSON.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROSTER, post_text

from pressroom.checking.engine import Context, apply_severity, check_post
from pressroom.checking.repo import check_repo
from pressroom.cli import cli
from pressroom.model.content import parse_text
from pressroom.model.languages import KNOWN, Languages
from pressroom.model.roster import parse_roster
from pressroom.rules.config import load_config
from pressroom.rules.translations import check_translations

SITE = """\
[site]
name = "Example City Police Department"
url = "https://police.example"
timezone = "America/Los_Angeles"
language = "en"

[languages]
translations = ["es", "vi"]
required = ["es"]
"""
BASE = {
    "Title": "Gas leak on Citrus Avenue: avoid the area",
    "Date": "2026-11-10 09:00",
    "Category": "safety-alerts",
    "Author": "pio1",
    "Summary": "Citrus Avenue is closed between 1st and 3rd Streets for a gas leak.",
    "Expires": "2026-11-10 18:00",
    "Area": "Citrus Avenue between 1st and 3rd Streets",
    "Incident": "2026-1110-gas",
    "Response": "Avoid",
    "Instruction": "Avoid Citrus Avenue between 1st and 3rd Streets.",
}


def alert(body: str = "Crews are repairing a gas line.", **fields: str) -> str:
    """A safety alert: ``BASE`` with ``fields`` changed in place or added after it."""
    header = {**BASE, **{key.replace("_", "-"): value for key, value in fields.items()}}
    return "\n".join(f"{k}: {v}" for k, v in header.items()) + "\n\n" + body + "\n"


ALERT = alert(Slug="gas-leak")
# its Spanish version: every fact the same, every text translated (line 14: the body)
ALERT_ES = alert(
    "Equipos reparan una tubería de gas.",
    Title="Fuga de gas en Citrus Avenue: evite la zona", Date="2026-11-10 09:05",
    Summary="Citrus Avenue está cerrada entre las calles 1st y 3rd por una fuga de gas.",
    Area="Citrus Avenue entre las calles 1st y 3rd",
    Instruction="Evite Citrus Avenue entre las calles 1st y 3rd.", Slug="gas-leak", Lang="es")


def findings(report, rule_prefix: str = "TRANSLATION-") -> list[tuple[str, int, str, str]]:
    return sorted((v.path, v.line, v.rule_id, v.severity) for v in report.violations
                  if v.rule_id.startswith(rule_prefix))


@pytest.fixture
def dept(repo):
    """English and Spanish posts: an alert thread (the first alert translated and up to
    date, its update without a translation), a stale translation, an orphan, a mismatch."""
    repo.site(SITE)
    repo.post("2026/gas-leak.md", ALERT)
    repo.post("2026/gas-leak-es.md", ALERT_ES)
    # the update: no Spanish version yet (TRANSLATION-MISSING, a warning by default)
    repo.post("2026/gas-leak-update.md", alert(
        Title="Gas leak on Citrus Avenue: still closed", Date="2026-11-10 11:00",
        Sequence="2", Slug="gas-leak-update"))
    # a press release, modified after its Spanish version was written (TRANSLATION-STALE)
    repo.post("2026/grant.md", post_text(
        title="Traffic safety grant awarded", category="press-releases",
        date="2026-11-01 09:00", modified="2026-11-05 10:00", slug="grant",
        summary="The department received a state grant for traffic safety.",
        body="The grant pays for DUI checkpoints."))
    repo.post("2026/grant-es.md", post_text(
        title="Subvención de seguridad vial", category="press-releases",
        date="2026-11-02 09:00", slug="grant", lang="es",
        summary="El departamento recibió una subvención estatal de seguridad vial.",
        body="La subvención paga puntos de control de alcohol."))
    # a Spanish post whose slug no original has (TRANSLATION-ORPHAN)
    repo.post("2026/cierre-es.md", post_text(
        title="Cierre de la calle Main", category="traffic", slug="cierre-main", lang="es",
        summary="La calle Main está cerrada entre las calles 1 y 2 hoy.",
        body="Los conductores deben usar Oak Avenue."))
    # a Spanish alert whose facts differ from the original's (TRANSLATION-MISMATCH)
    repo.post("2026/shelter.md", alert(
        Title="Police search near Northside Park: stay indoors", Slug="shelter",
        Incident="2026-1112-search", Response="Shelter", Date="2026-11-12 08:00",
        Expires="2026-11-12 14:00", Area="Northside Park",
        Instruction="Stay indoors and lock your doors.",
        Summary="Officers are searching for a suspect near Northside Park."))
    repo.post("2026/shelter-es.md", alert(
        Title="Búsqueda policial cerca de Northside Park: quédese adentro", Slug="shelter",
        Lang="es", Incident="2026-1112-search", Response="Avoid", Date="2026-11-12 08:10",
        Expires="2026-11-12 14:00", Area="Northside Park",
        Instruction="Stay indoors and lock your doors.",
        Summary="Agentes buscan a un sospechoso cerca de Northside Park.",
        body="Los agentes buscan a un sospechoso."))
    return repo


EXPECTED = [
    ("content/2026/cierre-es.md", 6, "TRANSLATION-ORPHAN", "error"),
    ("content/2026/gas-leak-update.md", 3, "TRANSLATION-MISSING", "warning"),
    ("content/2026/grant-es.md", 2, "TRANSLATION-STALE", "warning"),
    ("content/2026/shelter-es.md", 9, "TRANSLATION-MISMATCH", "error"),
    ("content/2026/shelter-es.md", 10, "TRANSLATION-MISMATCH", "error"),
]


def test_each_finding_with_its_line_and_severity(dept):
    report = check_repo(dept.root)
    assert findings(report) == EXPECTED
    messages = {(v.path, v.line): v.message for v in report.violations}
    missing = messages[("content/2026/gas-leak-update.md", 3)]
    assert "Español (es)" in missing
    assert "pressroom new --translate content/2026/gas-leak-update.md --lang es" in missing
    stale = messages[("content/2026/grant-es.md", 2)]
    assert "changed on 2026-11-05 10:00, after this translation (2026-11-02 09:00)" in stale
    assert "Response is 'Avoid' here but 'Shelter'" in messages[("content/2026/shelter-es.md", 9)]
    assert "Instruction is the original's text word for word" in \
        messages[("content/2026/shelter-es.md", 10)]
    # the shelter alert has a Spanish version, wrong as it is: not missing; the first alert's
    # translation is up to date and matches: no finding at all on it
    assert not [v for v in report.violations if v.path.endswith("gas-leak-es.md")]
    assert report.errors  # orphan and mismatch are errors


def test_check_exit_codes_and_the_severity_switch(dept):
    runner = CliRunner()
    run = runner.invoke(cli, ["check", "--repo", str(dept.root), "-q"], catch_exceptions=False)
    assert run.exit_code == 1
    assert "content/2026/cierre-es.md:6: TRANSLATION-ORPHAN:" in run.output
    for name in ("cierre-es.md", "shelter-es.md"):
        (dept.root / "content/2026" / name).unlink()
    run = runner.invoke(cli, ["check", "--repo", str(dept.root), "-q"], catch_exceptions=False)
    assert run.exit_code == 0, run.output  # warnings only: missing and stale
    assert "TRANSLATION-MISSING" in run.output and "TRANSLATION-STALE" in run.output
    (dept.root / "policy/rules.toml").write_text(
        '[severity]\nTRANSLATION-MISSING = "error"\nTRANSLATION-STALE = "off"\n')
    run = runner.invoke(cli, ["check", "--repo", str(dept.root), "-q"], catch_exceptions=False)
    assert run.exit_code == 1
    assert "TRANSLATION-STALE" not in run.output
    assert run.output.count("TRANSLATION-MISSING") == 2  # shelter.md's Spanish is gone too


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example", *args],
                   cwd=root, check=True, capture_output=True)


@pytest.fixture
def indexed(dept):
    if shutil.which("git") is None:
        pytest.skip("git not available")
    _git(dept.root, "init", "-q", "-b", "main")
    _git(dept.root, "add", "-A")
    return dept


def test_the_hook_path_checks_named_files_against_the_others(indexed):
    """``check FILE`` (what the pre-commit hook runs) reads the other posts of each named
    post's set from git's index: the findings of the named files, no others."""
    root = indexed.root

    def named(*names: str) -> list[tuple[str, int, str, str]]:
        return findings(check_repo(root, [f"content/2026/{n}" for n in names]))

    assert named("shelter-es.md") == [e for e in EXPECTED if e[0].endswith("shelter-es.md")]
    assert named("grant-es.md") == [e for e in EXPECTED if e[0].endswith("grant-es.md")]
    assert named("cierre-es.md") == [e for e in EXPECTED if e[0].endswith("cierre-es.md")]
    assert named("gas-leak-update.md") == [
        e for e in EXPECTED if e[0].endswith("gas-leak-update.md")]
    assert named("gas-leak.md", "gas-leak-es.md") == []
    # the original alone: its translation, in the index, counts
    assert named("gas-leak.md") == []
    # a translation is not a duplicate slug; a second Spanish post with one slug is
    indexed.post("2026/gas-leak-es2.md", ALERT_ES)
    report = check_repo(root, ["content/2026/gas-leak-es2.md"])
    assert [(v.rule_id, v.message) for v in report.violations
            if v.rule_id == "FRONT-SLUG-DUPLICATE"] == [
        ("FRONT-SLUG-DUPLICATE", "slug 'gas-leak' is already used by content/2026/gas-leak-es.md "
         "in Lang es; add a distinct 'Slug:'")]
    assert not [v for v in check_repo(root, ["content/2026/gas-leak-es.md"]).violations
                if v.rule_id == "FRONT-SLUG-DUPLICATE"]


def test_the_pre_commit_hook_runs_the_translation_rules(indexed, capsys, monkeypatch):
    """The content hook itself, as pre-commit runs it (in the repository, with the staged
    file's name): an orphan is refused, a Spanish version of the update is fine."""
    from pressroom.hooks import check_content

    indexed.post("2026/orphan-es.md", post_text(
        title="Aviso", category="community", slug="no-such-original", lang="es",
        summary="Un aviso a la comunidad.", body="Texto."))
    indexed.post("2026/gas-leak-update-es.md", ALERT_ES.replace(
        "Slug: gas-leak", "Slug: gas-leak-update").replace(
        "Date: 2026-11-10 09:05", "Date: 2026-11-10 11:05").replace(
        "Response: Avoid", "Response: Avoid\nSequence: 2"))
    _git(indexed.root, "add", "-A")
    monkeypatch.chdir(indexed.root)
    assert check_content.main(["content/2026/orphan-es.md"]) == 1
    assert "content/2026/orphan-es.md:6: TRANSLATION-ORPHAN:" in capsys.readouterr().out
    assert check_content.main(["content/2026/gas-leak-update-es.md"]) == 0
    assert capsys.readouterr().out.startswith("OK: checked 1 file, no problems.")


def test_lang_not_configured(repo):
    repo.site(SITE.replace('translations = ["es", "vi"]', 'translations = ["es"]'))
    repo.post("2026/grant.md", post_text(title="Grant awarded", slug="grant"))
    repo.post("2026/grant-vi.md", post_text(title="Tài trợ", slug="grant", lang="vi",
                                            summary="Sở cảnh sát nhận tài trợ."))
    found = [v for v in check_repo(repo.root).violations if v.rule_id == "TRANSLATION-LANGUAGE"]
    assert [(v.path, v.line) for v in found] == [("content/2026/grant-vi.md", 7)]
    assert "configured: en (English), es (Español)" in found[0].message


def test_no_languages_configured_no_translation_findings(repo):
    """A department without [languages]: an English alert needs no translation."""
    repo.post("2026/gas-leak.md", ALERT)
    assert findings(check_repo(repo.root)) == []


# --- the report ----------------------------------------------------------------------------

def test_the_report_text_and_json(dept):
    runner = CliRunner()
    run = runner.invoke(cli, ["translations", "--repo", str(dept.root)], catch_exceptions=False)
    assert run.exit_code == 0
    lines = run.output.splitlines()
    assert lines[lines.index("content/2026/gas-leak.md  Gas leak on Citrus Avenue: avoid the "
                             "area") + 1:][:1] == [
        "  es: up to date  content/2026/gas-leak-es.md"]
    assert "  es: missing (required)" in lines
    assert ("  es: stale since 2026-11-02 09:00 (original modified 2026-11-05 10:00)  "
            "content/2026/grant-es.md") in lines
    assert "  vi: —" in lines
    assert ("orphan: content/2026/cierre-es.md (Lang es): no original has slug 'cierre-main'"
            in lines)
    assert lines[-1] == ("4 originals with translations or needing them: 2 up to date, "
                         "1 stale, 1 missing (required), 1 orphan.")
    stale = runner.invoke(cli, ["translations", "--repo", str(dept.root), "--stale"])
    assert stale.exit_code == 0
    assert "up to date" not in stale.output.replace("2 up to date", "")
    assert "content/2026/gas-leak.md" not in stale.output
    assert "grant-es.md" in stale.output and "missing (required)" in stale.output
    data = json.loads(runner.invoke(cli, ["translations", "--repo", str(dept.root),
                                          "--json"]).output)
    assert data["summary"] == {"originals": 4, "up_to_date": 2, "stale": 1, "missing": 1,
                               "orphans": 1}
    assert data["languages"] == ["es", "vi"] and data["required"] == ["es"]
    grant = next(o for o in data["originals"] if o["slug"] == "grant")
    assert grant["languages"]["es"]["state"] == "stale"
    assert grant["languages"]["es"]["since"] == "2026-11-02T09:00:00-08:00"
    assert grant["languages"]["vi"] == {"state": "none", "path": None, "since": None,
                                        "original_modified": None}
    only = json.loads(runner.invoke(cli, ["translations", "--repo", str(dept.root), "--json",
                                          "--stale"]).output)
    assert sorted(o["slug"] for o in only["originals"]) == ["gas-leak-update", "grant"]


def test_the_report_usage_errors(dept, tmp_path):
    runner = CliRunner()
    run = runner.invoke(cli, ["translations", "--repo", str(tmp_path / "nowhere")])
    assert run.exit_code == 2 and "no such folder" in run.output
    run = runner.invoke(cli, ["translations", "--repo", str(dept.root), "--branch", "main"])
    assert run.exit_code == 2 and "not a git repository" in run.output
    assert "pressroom translations --stale" in runner.invoke(
        cli, ["translations", "--help"]).output


def test_the_report_of_a_branch(indexed):
    _git(indexed.root, "commit", "-q", "-m", "posts")
    _git(indexed.root, "switch", "-q", "-c", "post/es")
    (indexed.root / "content/2026/grant.md").unlink()
    run = CliRunner().invoke(cli, ["translations", "--repo", str(indexed.root), "--branch",
                                   "main", "--json"], catch_exceptions=False)
    assert run.exit_code == 0
    assert json.loads(run.output)["summary"]["stale"] == 1  # main's grant.md, not the folder's


# --- the pure rules ----------------------------------------------------------------------------

def _post(path: str, text: str):
    from zoneinfo import ZoneInfo

    post, problems = parse_text(path, text, ZoneInfo("America/Los_Angeles"))
    assert post is not None, problems
    return post


def test_shared_fields_compare_as_read_with_defaults():
    """An original that leaves Urgency to its default and a translation that writes the
    default out state the same fact; an explicit different Expires does not."""
    languages = Languages(KNOWN["en"], (KNOWN["es"],), ("es",))
    original = _post("content/a.md", ALERT)
    same = _post("content/a-es.md", ALERT_ES.replace("Lang: es", "Lang: es\nUrgency: Immediate"))
    assert check_translations([original, same], languages) == []
    later = _post("content/a-es.md", ALERT_ES.replace("Expires: 2026-11-10 18:00",
                                                      "Expires: 2026-11-10 19:00"))
    [problem] = check_translations([original, later], languages)
    assert (problem.rule_id, problem.line) == ("TRANSLATION-MISMATCH", 6)
    assert "Expires is '2026-11-10 19:00' here but '2026-11-10 18:00'" in problem.message


def test_drafts_and_removed_alerts_need_no_translation():
    languages = Languages(KNOWN["en"], (KNOWN["es"],), ("es",))
    draft = _post("content/a.md", ALERT.replace("Category:", "Status: draft\nCategory:"))
    assert check_translations([draft], languages) == []
    test = _post("content/a.md", ALERT.replace("Category:", "Status: test\nCategory:"))
    assert [v.rule_id for v in check_translations([test], languages)] == [
        "TRANSLATION-MISSING"]


# --- the content rules in Spanish ---------------------------------------------------------------

@pytest.fixture(scope="module")
def ctx() -> Context:
    roster, _ = parse_roster(ROSTER)
    config, problems = load_config()
    assert problems == []
    return Context(roster, config, __import__("zoneinfo").ZoneInfo("America/Los_Angeles"))


def _rules(ctx: Context, text: str, path: str = "content/2026/aviso-es.md") -> list[str]:
    result = check_post(path, text.encode(), ctx)
    return sorted(f"{v.line}:{v.rule_id}" for v in apply_severity(result.violations, ctx.config))


def test_a_clean_spanish_alert_has_no_finding(ctx):
    assert _rules(ctx, ALERT_ES) == []


@pytest.mark.parametrize(("body", "rule"), [
    ("El sospechoso, un pendejo de 30 años, huyó.", "LANG-PROFANITY"),
    ("Qué mierda de situación.", "LANG-PROFANITY"),
    ("Un grupo de sudacas fue detenido.", "LANG-DISCRIMINATORY"),
    ("Los detenidos son maricones.", "LANG-DISCRIMINATORY"),
    ("Son inmigrantes ilegales según testigos.", "LANG-DISCRIMINATORY"),
    ("Esta escoria será juzgada.", "LANG-ABUSIVE"),
    ("Esperamos que se pudra en la cárcel.", "LANG-INFLAMMATORY"),
    ("Se encontraron revistas porno en el auto.", "LANG-SEXUAL"),
    ("Un hijo de puta robó el auto.", "LANG-PROFANITY"),
    # English slurs are barred inside Spanish text too
    ("El sospechoso es un scumbag.", "LANG-ABUSIVE"),
])
def test_spanish_prohibited_language(ctx, body, rule):
    assert f"14:{rule}" in _rules(ctx, ALERT_ES.replace(
        "Equipos reparan una tubería de gas.", body))


@pytest.mark.parametrize("body", [
    "Se busca un sedán negro con placas de California; el sospechoso vestía una sudadera negra.",
    "Hay conos de tráfico en la calle Main; los vuelos no están retrasados.",
    "La policía confiscó armas ilegales y fuegos artificiales ilegales.",
    "Víctimas de agresión sexual o abuso sexual pueden llamar al 911.",
    "Nunca envíe fotos desnudas a desconocidos: es un caso de extorsión sexual.",
    "Un zorro y una rata fueron vistos cerca del parque.",
    "El agente Ching y el agente Morón llegaron a la escena.",
])
def test_ordinary_spanish_notices_are_not_findings(ctx, body):
    assert _rules(ctx, ALERT_ES.replace("Equipos reparan una tubería de gas.", body)) == []


def test_privacy_and_operations_rules_run_on_spanish(ctx):
    body = ("La víctima, fecha de nacimiento 03/14/1991, vive en 1234 Calle Elm Street. "
            "Llame al (626) 555-0198. Un informante confidencial ayudó.")
    found = _rules(ctx, ALERT_ES.replace("Equipos reparan una tubería de gas.", body))
    for rule in ("PRIVACY-DOB", "PRIVACY-PHONE", "PRIVACY-ADDRESS", "OPS-INFORMANT"):
        assert f"14:{rule}" in found, (rule, found)


def test_spanish_alert_wording(ctx):
    """Spanish instructions start with a Spanish imperative; jargon is told in Spanish."""
    assert _rules(ctx, ALERT_ES.replace("Instruction: Evite Citrus Avenue",
                                        "Instruction: Por favor, evite Citrus Avenue")) == []
    assert _rules(ctx, ALERT_ES.replace(
        "Instruction: Evite Citrus Avenue", "Instruction: Si ve fuga de gas, llame al 911. "
        "Evite Citrus Avenue")) == []
    said = check_post("content/2026/aviso-es.md", ALERT_ES.replace(
        "Equipos reparan una tubería de gas.", "Hay un BOLO para el sospechoso.").encode(), ctx)
    [jargon] = [v for v in said.violations if v.rule_id == "ALERT-JARGON"]
    assert "say 'busquen a'" in jargon.message
    warned = _rules(ctx, ALERT_ES.replace("Instruction: Evite Citrus Avenue",
                                          "Instruction: Se recomienda evitar Citrus Avenue"))
    assert warned == ["10:ALERT-INSTRUCTION"]
    assert _rules(ctx, ALERT_ES.replace("Title: Fuga de gas en Citrus Avenue: evite la zona",
                                        "Title: Alerta: actualización")) == ["1:ALERT-HEADLINE"]
    # a 24-hour time is ordinary Spanish; "1800 horas" is not flagged as English "hours"
    assert _rules(ctx, ALERT_ES.replace("Equipos reparan una tubería de gas.",
                                        "La calle reabre a las 18:30.")) == []


def test_a_department_extends_the_spanish_lists(ctx):
    from dataclasses import replace

    config, problems = load_config('[terms.es]\nabusive = ["malandrín"]\n'
                                   '[alerts.es]\nimperative_verbs = ["huya"]\n')
    assert problems == []
    mine = replace(ctx, config=config)
    assert _rules(mine, ALERT_ES.replace("Equipos reparan una tubería de gas.",
                                         "Un malandrín robó el auto.")) == ["14:LANG-ABUSIVE"]
    assert _rules(mine, ALERT_ES.replace("Instruction: Evite", "Instruction: Huya de")) == []
    config, problems = load_config('[terms.es.remove]\nprofanity = ["culo"]\n')
    assert problems == [] and "culo" not in config.terms_of("es")["profanity"]
    assert _rules(replace(ctx, config=config), ALERT_ES.replace(
        "Equipos reparan una tubería de gas.", "Lo detuvieron por patear culo.")) == []
    _, bad = load_config('[terms.xx]\nprofanity = ["a"]\n[alerts.es]\nverbs = ["b"]\n')
    assert [(v.line, v.rule_id) for v in bad] == [(1, "RULES-CONFIG"), (4, "RULES-CONFIG")]
    assert "'xx' is not a language code" in bad[0].message
    assert "did you mean" not in bad[1].message or "imperative_verbs" in bad[1].message


def test_a_placeholder_is_refused_until_replaced(ctx):
    text = ALERT_ES.replace("Title: Fuga", "Title: [TRANSLATE] Fuga").replace(
        "Equipos reparan", "[TRANSLATE] Equipos reparan")
    assert _rules(ctx, text) == ["14:TRANSLATION-PLACEHOLDER", "1:TRANSLATION-PLACEHOLDER"]
    commented = ALERT_ES + "\n<!-- replace every [TRANSLATE] -->\n"
    assert _rules(ctx, commented) == []


# --- pressroom new --translate, and the approval a translation needs ---------------------------

@pytest.fixture
def signed(tmp_path, keys_dir):
    """A department in git with real keys: Spanish configured (the chief's approval) and an
    incident alert on main (an incident commander's)."""
    from gitdept import Department

    dept = Department(tmp_path / "signed", keys_dir)
    dept.branch("policy/languages")
    dept.commit_as("sup1", "Publish in Spanish", {"policy/site.toml": SITE})
    dept.merge_as("chief1", "policy/languages")
    dept.post_branch("gas-leak", category="safety-alerts", expires="2026-11-20 18:00",
                     incident="2026-1120-gas", area="Citrus Avenue", response="Avoid",
                     instruction="Avoid Citrus Avenue.", title="Gas leak on Citrus Avenue")
    dept.merge_as("ic1", "post/gas-leak")
    return dept


def _new(dept, *args: str):
    return CliRunner().invoke(cli, ["new", "--repo", str(dept.root), *args],
                              catch_exceptions=False)


def _translated(text: str) -> str:
    """What the translator does: every [TRANSLATE] replaced by Spanish, the comment kept."""
    spanish = {"Title": "Fuga de gas en Citrus Avenue", "Summary": "Citrus Avenue está cerrada.",
               "Area": "Citrus Avenue", "Instruction": "Evite Citrus Avenue."}
    lines = []
    for line in text.splitlines():
        name = line.split(":", 1)[0]
        if name in spanish and "[TRANSLATE]" in line:
            line = f"{name}: {spanish[name]}"
        elif line.startswith("[TRANSLATE]"):
            line = "Equipos reparan una tubería de gas."
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_new_translate_starts_a_translation_with_its_facts_copied(signed):
    made = _new(signed, "--translate", "content/2026/gas-leak.md", "--lang", "es",
                "--author", "pio1")
    assert made.exit_code == 0, made.output
    assert "On branch post/gas-leak-es: translate" in made.output
    path = signed.root / "content/2026/gas-leak-es.md"
    text = path.read_text()
    head = dict(line.split(": ", 1) for line in text.split("\n\n", 1)[0].splitlines())
    assert head["Slug"] == "gas-leak" and head["Lang"] == "es" and head["Author"] == "pio1"
    assert head["Incident"] == "2026-1120-gas" and head["Expires"] == "2026-11-20 18:00"
    assert head["Category"] == "safety-alerts" and head["Response"] == "Avoid"
    assert head["Title"] == "[TRANSLATE] Gas leak on Citrus Avenue"
    assert head["Instruction"] == "[TRANSLATE] Avoid Citrus Avenue."
    # the check refuses it until every marker is replaced; then it is clean
    report = check_repo(signed.root, ["content/2026/gas-leak-es.md"])
    assert {v.rule_id for v in report.errors} == {"TRANSLATION-PLACEHOLDER"}
    path.write_text(_translated(text))
    assert check_repo(signed.root, ["content/2026/gas-leak-es.md"]).violations == []


@pytest.mark.parametrize(("args", "says"), [
    (["--lang", "fr"], "--lang 'fr' is not a language this site translates into"),
    (["--lang", "es", "--translate", "content/2026/nothing.md"],
     "is neither on main nor committed on this branch"),
    (["--translate", "content/2026/gas-leak.md"], "needs both --translate PATH and --lang"),
    (["--lang", "es", "--translate", "content/2026/gas-leak.md", "--category", "traffic"],
     "leave out --category"),
])
def test_new_translate_refusals(signed, args, says):
    if "--translate" not in args:
        args = ["--translate", "content/2026/gas-leak.md", *args]
    made = _new(signed, *args, "--author", "pio1")
    assert made.exit_code == 2 and says in made.output, made.output


def test_new_translate_refuses_an_existing_translation(signed):
    assert _new(signed, "--translate", "content/2026/gas-leak.md", "--lang", "es",
                "--author", "pio1").exit_code == 0
    signed.commit_as("pio1", "Spanish", {"content/2026/gas-leak-es.md": _translated(
        (signed.root / "content/2026/gas-leak-es.md").read_text())})
    signed.merge_as("sup1", "post/gas-leak-es")
    again = _new(signed, "--translate", "content/2026/gas-leak.md", "--lang", "es",
                 "--author", "pio1")
    assert again.exit_code == 2
    assert "already has a es translation: content/2026/gas-leak-es.md" in again.output


def test_a_translation_needs_the_same_approval_as_its_original(signed):
    """A PIO's Spanish translation of an incident alert: refused by verify when merged
    without an approver's signature, accepted with the supervisor's (or, like the alert
    itself, an incident commander's) signed merge."""
    from pressroom.approvals.verification import verify_history

    def verdict() -> list[str]:
        result = verify_history(signed.root, signed.head("main"), use_cache=False)
        return [p.rule_id for p in result.problems]

    assert verdict() == []
    assert _new(signed, "--translate", "content/2026/gas-leak.md", "--lang", "es",
                "--author", "pio1").exit_code == 0
    signed.commit_as("pio1", "Spanish version", {"content/2026/gas-leak-es.md": _translated(
        (signed.root / "content/2026/gas-leak-es.md").read_text())})
    before = signed.head("main")
    signed.merge_as("pio1", "post/gas-leak-es")  # the PIO approving her own translation
    assert "APPROVAL-ROLE" in verdict() or "APPROVAL-SELF" in verdict()
    signed.git("reset", "-q", "--hard", before)
    signed.merge_as(None, "post/gas-leak-es")  # nobody's signature
    assert verdict() == ["APPROVAL-SIGNATURE"]
    for approver in ("sup1", "ic1"):
        signed.git("reset", "-q", "--hard", before)
        signed.merge_as(approver, "post/gas-leak-es")
        assert verdict() == [], approver
    assert check_repo(signed.root).errors == []


def test_a_spanish_language_site_reads_its_posts_as_spanish(ctx):
    """``[site] language = "es"``: a post without ``Lang`` is Spanish, and read so."""
    from dataclasses import replace

    spanish_site = replace(ctx, languages=Languages(KNOWN["es"], (KNOWN["en"],)))
    text = ALERT_ES.replace("Lang: es\n", "").replace("Equipos reparan", "Un pendejo repara")
    assert _rules(spanish_site, text) == ["13:LANG-PROFANITY"]
    assert "13:LANG-PROFANITY" not in _rules(ctx, text)  # English site: not a listed word


def test_cached_results_follow_the_languages_and_the_other_posts_of_a_set(dept):
    """The check cache keeps each file's own findings; what a rule reads besides the file —
    the department's languages, the other posts of a translation set — changes the result."""
    assert findings(check_repo(dept.root)) == EXPECTED  # fills the cache
    # the original of the up-to-date translation changes after it: stale now
    original = dept.root / "content/2026/gas-leak.md"
    original.write_text(original.read_text().replace(
        "Slug: gas-leak", "Slug: gas-leak\nModified: 2026-11-10 12:00"))
    assert ("content/2026/gas-leak-es.md", 2, "TRANSLATION-STALE", "warning") in findings(
        check_repo(dept.root))
    # the site's own language becomes Spanish: a post without Lang is read as Spanish
    dept.post("2026/nota.md", post_text(title="Nota", slug="nota",
                                        body="Un pendejo robó una bicicleta."))
    assert not findings(check_repo(dept.root), "LANG-")
    dept.site(SITE.replace('language = "en"', 'language = "es"').replace(
        'translations = ["es", "vi"]', 'translations = ["en"]').replace(
        'required = ["es"]', 'required = []'))
    assert ("content/2026/nota.md", 8, "LANG-PROFANITY", "error") in findings(
        check_repo(dept.root), "LANG-")


def test_changing_a_fact_of_the_original_shows_at_its_translations_in_the_hook(indexed):
    """Found by a newcomer: extending an alert's Expires passed `check FILE` and the hook,
    then the build refused the translation. The hook now names the translation that must
    change too (the files named, plus what they make wrong elsewhere)."""
    root = indexed.root
    path = root / "content/2026/gas-leak.md"
    text = path.read_text()
    assert "Expires: 2026-11-10 18:00" in text
    path.write_text(text.replace("Expires: 2026-11-10 18:00", "Expires: 2026-11-10 20:00"))
    found = findings(check_repo(root, ["content/2026/gas-leak.md"]))
    assert [(f[0], f[2]) for f in found] == [
        ("content/2026/gas-leak-es.md", "TRANSLATION-MISMATCH")], found


def test_a_new_alert_and_its_translation_go_together_on_its_branch(signed):
    """Found by a newcomer: TRANSLATION-MISSING on a new alert's branch suggested
    `new --translate`, which refused an original not yet on main, so the Spanish alert
    always trailed by a whole approval. Now the translation joins the alert's branch."""
    made = _new(signed, "Water main break on Oak Street", "--category", "safety-alerts",
                "--author", "pio1")
    assert made.exit_code == 0, made.output
    original = next((signed.root / "content").rglob("water-main-break-on-oak-street.md"))
    rel = original.relative_to(signed.root).as_posix()
    original.write_text(alert(Title="Water main break on Oak Street", Incident="2026-1120-oak",
                              Slug="water-main-break-on-oak-street"))
    _git(signed.root, "add", "-A")
    _git(signed.root, "commit", "-q", "--no-verify", "-m", "alert")
    branch = subprocess.run(["git", "branch", "--show-current"], cwd=signed.root,
                            capture_output=True, text=True).stdout.strip()
    made = _new(signed, "--translate", rel, "--lang", "es", "--author", "pio1")
    assert made.exit_code == 0, made.output
    assert f"On branch {branch}: translate" in made.output
    translated = original.with_name("water-main-break-on-oak-street-es.md")
    assert "Lang: es" in translated.read_text()
