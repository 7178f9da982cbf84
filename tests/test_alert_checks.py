"""#15: safety alerts at ``check`` — what IPAWS and Google Public Alerts refuse, the wording
the public can act on, and the WEA information shown to the PIO and the supervisor.

The rules are pure (``check_post`` over bytes), so most cases are a table; the command line
and the review sheet are exercised for real (a department folder, a preview of a branch).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from conftest import PROJECT, ROSTER, post_text

from pressroom.checking.engine import Context, apply_severity, check_post
from pressroom.cli import cli
from pressroom.model.alerts import gsm7_length
from pressroom.model.content import parse_text
from pressroom.model.roster import parse_roster
from pressroom.preview.render import render_html
from pressroom.preview.review import Review
from pressroom.rules.alert_wording import first_verb, spoken_time
from pressroom.rules.alerts import alert_summary, summary_lines
from pressroom.rules.config import load_config

LA = ZoneInfo("America/Los_Angeles")
PATH = "content/2026/alert.md"
BASE = {
    "Title": "Gas leak on Citrus Avenue: avoid the area",
    "Date": "2026-11-10 09:00",
    "Category": "safety-alerts",
    "Author": "pio1",
    "Summary": "Citrus Avenue is closed between 1st and 3rd Streets for a gas leak.",
    "Expires": "2026-11-10 18:00",
    "Area": "Citrus Avenue between 1st and 3rd Streets",
    "Response": "Avoid",
    "Instruction": "Avoid Citrus Avenue between 1st and 3rd Streets.",
}


def alert_text(body: str = "Crews are repairing a gas line.", **fields: str | None) -> str:
    """A safety alert; a field given as None is left out (``WEA_Text`` is ``WEA-Text``)."""
    header = dict(BASE)
    for key, value in fields.items():
        name = key.replace("_", "-")
        header.pop(name, None)
        if value is not None:
            header[name] = value
    return "\n".join(f"{k}: {v}" for k, v in header.items()) + "\n\n" + body + "\n"


@pytest.fixture(scope="module")
def ctx() -> Context:
    roster, _ = parse_roster(ROSTER)
    config, problems = load_config()
    assert problems == []
    return Context(roster, config, LA)


def findings(ctx: Context, text: str, prefix: str = "ALERT-") -> list[tuple[str, str]]:
    """(rule, message) of every finding of ``prefix``, severities as the defaults set them."""
    result = check_post(PATH, text.encode(), ctx)
    return [(v.rule_id, v.message)
            for v in apply_severity(result.violations, ctx.config)
            if v.rule_id.startswith(prefix)]


def rules(ctx: Context, text: str) -> list[str]:
    return [rule for rule, _ in findings(ctx, text)]


def test_a_well_written_alert_has_no_alert_finding(ctx):
    assert findings(ctx, alert_text(), "") == []


# --- the profiles: WEA texts, Google's values, the area ------------------------------------

@pytest.mark.parametrize(("fields", "expected", "words"), [
    ({"WEA_Text": "x" * 90}, [], ""),
    ({"WEA_Text": "x" * 91}, ["ALERT-WEA-LENGTH"], "WEA-Text is 91 characters"),
    ({"WEA_Text": "x" * 88 + "€"}, [], ""),  # 88 + 2 = 90
    ({"WEA_Text": "x" * 88 + "[]"}, ["ALERT-WEA-LENGTH"], "([] count two each)"),
    ({"WEA_Long_Text": "y" * 360}, [], ""),
    ({"WEA_Long_Text": "y" * 361}, ["ALERT-WEA-LENGTH"], "at most 360: shorten it by 1"),
    ({"WEA_Text": "Avoid Citrus Ave \u2013 don\u2019t go"}, ["ALERT-WEA-CHARACTERS"],
     "\u2013 (use -), \u2019 (use ')"),
    ({"WEA_Text": "Gas leak \U0001f6a8 avoid"}, ["ALERT-WEA-CHARACTERS"],
     "\U0001f6a8 (leave it out)"),
    ({"WEA_Text": "Caf\u00e9 \u00e0 \u00d1and\u00fa: avoid"}, ["ALERT-WEA-CHARACTERS"],
     "\u00fa (use u)"),  # é, à, Ñ are GSM-7; ú is not
    ({"WEA_Long_Text": "Fuga de gas en la avenida Citrus. Evite la zona."}, [], ""),
    ({"Urgency": "Unknown"}, ["ALERT-GOOGLE"], "urgency is Unknown"),
    ({"Severity": "Unknown"}, ["ALERT-GOOGLE"], "Extreme, Severe, Moderate, Minor"),
    ({"Certainty": "Unknown"}, ["ALERT-GOOGLE"], "certainty is Unknown"),
    ({"Urgency": "Expected", "Severity": "Minor", "Certainty": "Possible"}, [], ""),
    ({"Area": None}, ["ALERT-GOOGLE"], "needs 'Area:'"),
    ({"Circle": "34.13,-117.90 0.5"}, [], ""),
    ({"Circle": "34.13,-217.90 0.5"}, ["ALERT-GOOGLE"], "'34.13,-217.90' is not on the map"),
    ({"Polygon": "34.10,-117.90 34.11,-117.90 94.11,-117.89 34.10,-117.90"}, ["ALERT-GOOGLE"],
     "Polygon point '94.11,-117.89'"),
])
def test_profile_rules(ctx, fields, expected, words):
    found = findings(ctx, alert_text(**fields))
    assert [rule for rule, _ in found] == expected, found
    assert all(words in message for _, message in found)


def test_each_profile_problem_is_reported_at_its_line(ctx):
    text = alert_text(Area=None, Urgency="Unknown", Certainty="Unknown",
                      WEA_Text="\u201cAvoid\u201d " + "x" * 90)
    result = check_post(PATH, text.encode(), ctx)
    lines = {(v.line, v.rule_id) for v in result.violations if v.rule_id.startswith("ALERT-")}
    header = text.splitlines()
    line_of = {line.split(":")[0]: n for n, line in enumerate(header, start=1) if ":" in line}
    assert lines == {(line_of["Category"], "ALERT-GOOGLE"), (line_of["Urgency"], "ALERT-GOOGLE"),
                     (line_of["Certainty"], "ALERT-GOOGLE"),
                     (line_of["WEA-Text"], "ALERT-WEA-LENGTH"),
                     (line_of["WEA-Text"], "ALERT-WEA-CHARACTERS")}


def test_an_update_without_an_area_takes_its_incidents(ctx):
    assert findings(ctx, alert_text(Area=None, Incident="2026-1110-gas")) == []


def test_an_empty_area_is_front_area_not_a_second_finding(ctx):
    result = check_post(PATH, alert_text(Area="").encode(), ctx)
    assert {v.rule_id for v in result.violations} == {"FRONT-AREA"}


def test_posts_that_are_not_alerts_are_not_judged_as_alerts(ctx):
    text = (alert_text(body="BOLO: at 1800 hours approx. 20 people saw Unit 12.")
            .replace("safety-alerts", "press-releases"))
    text = "\n".join(line for line in text.splitlines()
                     if not line.startswith(("Area:", "Response:", "Instruction:", "Expires:")))
    assert findings(ctx, text + "\n") == []


# --- wording: headline ---------------------------------------------------------------------

@pytest.mark.parametrize(("title", "flagged"), [
    ("Update", True),
    ("Alert", True),
    ("Police activity", True),
    ("Police Activity: Update", True),
    ("Incident", True),
    ("Road closed", True),                      # what, but not where
    ("Shelter in place order", True),
    ("Gas leak on Citrus Avenue", False),
    ("Police activity near 5th Avenue", False),
    ("Standoff in Northside Park", False),
    ("Crash closes Main St", False),
    ("Police activity near the 400 block of Elm Street: avoid the area", False),
    ("I-210 closed at Citrus after a crash", False),
    ("Power outage downtown", False),
    ("Update: Citrus closure extended", False),  # a word of the Area
])
def test_headline(ctx, title, flagged):
    found = findings(ctx, alert_text(Title=title))
    assert (found == [("ALERT-HEADLINE", found[0][1])]) if flagged else found == [], found
    if flagged:
        assert "headline names the danger and the place" in found[0][1]


def test_a_headline_longer_than_cap_keeps_is_flagged(ctx):
    title = "Gas leak on Citrus Avenue: " + "avoid the area " * 10
    [(rule, message)] = findings(ctx, alert_text(Title=title.strip()))
    assert rule == "ALERT-HEADLINE" and "CAP and the alerting apps show 140" in message
    assert findings(ctx, alert_text(Title=("Gas leak on Citrus Avenue " * 7)[:140])) == []


def test_headline_and_instruction_are_warnings_by_default(ctx):
    text = alert_text(Title="Update", Instruction="Residents are advised to stay inside.")
    result = apply_severity(check_post(PATH, text.encode(), ctx).violations, ctx.config)
    assert {(v.rule_id, v.severity) for v in result} == {("ALERT-HEADLINE", "warning"),
                                                         ("ALERT-INSTRUCTION", "warning")}


# --- wording: instruction ------------------------------------------------------------------

@pytest.mark.parametrize(("instruction", "flagged"), [
    ("Avoid the area.", False),
    ("Stay indoors and lock your doors.", False),
    ("Shelter in place now.", False),
    ("Call 911 if you see him.", False),
    ("Do not approach him; call 911.", False),
    ("Don't drive through flooded streets.", False),
    ("Please avoid Elm Street.", False),
    ("Please, stay away from the windows.", False),
    ("Residents between 4th and 6th Streets: stay indoors. Everyone else: avoid Elm Street.",
     False),
    ("If you see the suspect, call 911.", False),
    ("Until the all-clear, keep your doors locked.", False),
    ("Residents are advised to stay indoors.", True),
    ("It is recommended that drivers use Foothill Boulevard.", True),
    ("The public should avoid the area.", True),
    ("You should stay inside.", True),
    ("The police department asks residents to stay inside.", True),
    ("Officers are on scene.", True),
    ("Residents: are advised to stay inside.", True),
])
def test_instruction(ctx, instruction, flagged):
    found = rules(ctx, alert_text(Instruction=instruction))
    assert found == (["ALERT-INSTRUCTION"] if flagged else []), instruction


def test_an_all_clear_may_word_its_instruction_as_it_likes(ctx):
    text = alert_text(Title="All clear: Citrus Avenue has reopened", Response="AllClear",
                      Instruction="No action is needed. Thank you for your patience.")
    assert findings(ctx, text) == []
    assert rules(ctx, alert_text(Instruction="No action is needed.")) == ["ALERT-INSTRUCTION"]


def test_first_verb_reads_past_please_an_addressee_and_a_condition():
    assert first_verb("Please avoid it") == "avoid"
    assert first_verb("Drivers on Grand Avenue: please use Foothill Boulevard.") == "use"
    assert first_verb("If you smell gas, leave the building.") == "leave"
    assert first_verb("") == ""


# --- wording: jargon -----------------------------------------------------------------------

@pytest.mark.parametrize(("body", "terms"), [
    ("Officers issued a BOLO for a red sedan.", ["'BOLO'"]),
    ("The RP said the man ran north. The perp dropped a bag.", ["'RP'", "'perp'"]),
    ("Officers were GOA; the man was UTL.", ["'GOA'", "'UTL'"]),
    ("The last LKA was on Elm Street. An ATL was issued.", ["'LKA'", "'ATL'"]),
    ("The officer radioed 10-4 and then 10-99.", ["'10-4'", "'10-99'"]),
    ("Officers responded Code 3.", ["'Code 3'"]),
    ("Unit 12 and Units 14 responded.", ["'Unit 12'", "'Units 14'"]),
    ("1-Adam-12 stopped the car.", ["'1-Adam-12'"]),
    ("He was arrested for PC 187.", ["'PC 187'"]),
    ("He was booked for 245(a)(1) PC and 11350 HS.", ["'245(a)(1) PC'", "'11350 HS'"]),
    ("The driver was cited for 23152 VC.", ["'23152 VC'"]),
    ("The suspect is 5150.", ["'5150'"]),
])
def test_jargon_is_named_each_time(ctx, body, terms):
    found = findings(ctx, alert_text(body=body))
    assert {rule for rule, _ in found} == {"ALERT-JARGON"}, found
    assert sorted(message.split(" is ")[0] for _, message in found) == sorted(terms)
    assert all("say" in message or "name the offense" in message for _, message in found)


@pytest.mark.parametrize("body", [
    "The closure will last 10-15 minutes.",
    "Children ages 10-12 attended the event.",
    "Call the non-emergency line at (555) 010-4400.",
    "Apartment unit 12 was not affected.",
    "The 5150 block of Citrus Avenue is closed.",
    "The rpm gauge and the atlas were recovered.",  # 'rp' and 'atl' only in capitals
    "The code of conduct applies. Penal Code 187 defines murder.",
    "Expect delays of 20 to 30 minutes on Route 66 and I-10.",
    "The BOLO Cafe on Elm Street is open.  <!-- pressroom: allow ALERT-JARGON -- a name -->",
    "`10-4` appears only in code.",
])
def test_ordinary_words_are_not_jargon(ctx, body):
    assert findings(ctx, alert_text(body=body)) == []


def test_jargon_in_the_instruction_and_wea_texts_is_found_at_their_lines(ctx):
    text = alert_text(Instruction="Avoid the area; see the BOLO.", WEA_Text="Avoid 10-4 area.")
    result = check_post(PATH, text.encode(), ctx)
    lines = text.splitlines()
    assert sorted((v.line, v.rule_id) for v in result.violations) == sorted([
        (lines.index("Instruction: Avoid the area; see the BOLO.") + 1, "ALERT-JARGON"),
        (lines.index("WEA-Text: Avoid 10-4 area.") + 1, "ALERT-JARGON")])


def test_a_suppression_allows_jargon_on_its_line_and_is_reported(ctx):
    body = ("<!-- pressroom: allow ALERT-JARGON -- quoting the radio log -->\n"
            "The dispatcher's log reads \"10-4\".")
    result = check_post(PATH, alert_text(body=body).encode(), ctx)
    assert result.violations == []
    assert [s.rule_id for s in result.suppressions] == ["ALERT-JARGON"]


def test_a_department_extends_the_lists(ctx):
    config, problems = load_config('[alerts]\njargon = ["TAC = the tactical team"]\n'
                                   'imperative_verbs = ["sandbag"]\n'
                                   'generic_headlines = ["gas leak"]\n')
    assert problems == []
    own = Context(ctx.roster, config, LA)
    assert [r for r, _ in findings(own, alert_text(body="TAC is on scene."))] == ["ALERT-JARGON"]
    assert findings(own, alert_text(Instruction="Sandbag your doors.")) == []
    assert findings(ctx, alert_text(Instruction="Sandbag your doors.")) != []
    assert findings(own, alert_text(body="BOLO issued."))  # the built-in list still applies
    assert rules(own, alert_text(Title="Gas leak")) == ["ALERT-HEADLINE"]


def test_a_malformed_jargon_entry_is_a_rules_config_finding():
    _, problems = load_config('[alerts]\njargon = ["BOLO"]\n')
    assert [p.rule_id for p in problems] == ["RULES-CONFIG"]
    assert "TERM = plain words" in problems[0].message


# --- wording: times and dates read aloud -----------------------------------------------------

@pytest.mark.parametrize(("body", "say"), [
    ("The road reopens at 1800 hours.", ["'1800 hours'", "'6 p.m.'"]),
    ("Expect delays until 0630 hrs.", ["'0630 hrs'", "'6:30 a.m.'"]),
    ("Closed from 0930-1130 hours.", ["'0930-1130 hours'", "'9:30 a.m. to 11:30 a.m.'"]),
    ("The curfew starts at 2359 hours.", ["'11:59 p.m.'"]),
    ("Officers arrived at 18:30 today.", ["'18:30'", "'6:30 p.m.'"]),
    ("Officers arrived at 09:15.", ["'9:15 a.m.'"]),
    ("Officers arrived at 1200 hours.", ["'noon'"]),
    ("The event on 2026-11-24 is cancelled.", ["'2026-11-24'", "'Nov. 24'"]),
    ("It is approx. two blocks long.", ["'approx.'", "'about'"]),
])
def test_readable(ctx, body, say):
    [(rule, message)] = findings(ctx, alert_text(body=body))
    assert rule == "ALERT-READABLE"
    assert all(words in message for words in say), message


@pytest.mark.parametrize("body", [
    "The road reopens at 6 p.m. on Nov. 24.",
    "Officers arrived at 9:30 a.m. and left at 10:15 p.m.",
    "About 1,800 people live in the area; 2026 was a quiet year.",
    "Case 26-004512 was closed. The 1800 block of Elm Street is open.",
    "Approximately 20 homes were asked to leave.",
    "It took 24 hours to repair.",
])
def test_readable_writing_passes(ctx, body):
    assert findings(ctx, alert_text(body=body)) == []


def test_spoken_time():
    assert [spoken_time(h, m) for h, m in ((0, 0), (0, 30), (9, 5), (12, 0), (12, 45),
                                            (18, 0), (23, 59))] == [
        "midnight", "12:30 a.m.", "9:05 a.m.", "noon", "12:45 p.m.", "6 p.m.", "11:59 p.m."]


# --- the sample department and the corpus -------------------------------------------------

def _sample_posts() -> list[Path]:
    return sorted((PROJECT / "content").rglob("*.md"))


def test_no_alert_finding_on_the_sample_department_or_the_clean_corpus(ctx):
    posts = _sample_posts() + sorted((PROJECT / "tests/corpus/clean").glob("*.md"))
    assert any("safety-alerts" in p.read_text() for p in posts)
    found = {p.name: findings(ctx, p.read_text()) for p in posts}
    assert {name: f for name, f in found.items() if f} == {}


def test_the_bad_corpus_breaks_alert_rules_only_where_named(ctx):
    for path in sorted((PROJECT / "tests/corpus/bad").glob("*.md")):
        expected = path.stem.split("--")[0]
        found = set(rules(ctx, path.read_text()))
        assert found <= {expected}, (path.name, found)
        assert found or not expected.startswith("ALERT-"), path.name


# --- shown to the PIO ------------------------------------------------------------------------

def _post(text: str):
    post, problems = parse_text(PATH, text, LA)
    assert problems == [] and post is not None
    return post


def test_the_summary_of_a_derived_and_a_written_alert():
    derived = alert_summary(_post(alert_text()), "LEW")
    assert not derived.wea_text_written and not derived.wea_long_text_written
    assert derived.wea_text_length == gsm7_length(derived.wea_text) <= 90
    assert derived.wea_long_text_length <= 360
    assert derived.event_code == "LEW" and derived.event_name == "Law Enforcement Warning"
    assert not derived.imminent_threat
    assert derived.imminent_threat_gaps == ("severity is Moderate (needs Extreme or Severe)",)
    lines = summary_lines(derived)
    assert lines[0] == f"{PATH}: alert information (not a finding)"
    assert lines[1].startswith(f"  WEA text (derived, {derived.wea_text_length}/90): ")
    assert lines[1].endswith(derived.wea_text) and "Avoid" in derived.wea_text  # what to do
    assert lines[3] == "  Imminent Threat: no: severity is Moderate (needs Extreme or Severe)"
    assert lines[4] == "  SAME event code: LEW (Law Enforcement Warning)"

    written = alert_summary(_post(alert_text(WEA_Text="Gas leak. Avoid Citrus Ave.",
                                             Severity="Severe", Status="test",
                                             Event_Code="HMW")), "LEW")
    assert written.wea_text == "Gas leak. Avoid Citrus Ave." and written.wea_text_written
    assert written.imminent_threat and written.test and written.event_code == "HMW"
    lines = summary_lines(written)
    assert "Status: test" in lines[0]
    assert lines[1] == "  WEA text (written, 27/90): Gas leak. Avoid Citrus Ave."
    assert lines[3] == "  Imminent Threat: yes"


def check(root: Path, *args: str):
    return CliRunner().invoke(cli, ["check", "--repo", str(root), "--today", "2026-11-10",
                                    *args], catch_exceptions=False)


def test_check_shows_each_alert_and_quiet_hides_it(repo):
    repo.post("2026/gas-leak.md", alert_text())
    repo.post("2026/closure.md")  # not an alert: nothing shown for it
    shown = check(repo.root)
    assert shown.exit_code == 0, shown.output
    # stdout stays findings and the summary (what scripts read); the information is on stderr
    assert shown.stdout == "OK: checked 2 files, no problems.\n"
    lines = shown.stderr.splitlines()
    assert lines[0] == "content/2026/gas-leak.md: alert information (not a finding)"
    assert lines[1].startswith("  WEA text (derived, ")
    assert lines[2].startswith("  WEA long text (derived, ")
    assert lines[3] == "  Imminent Threat: no: severity is Moderate (needs Extreme or Severe)"
    assert lines[4] == "  SAME event code: LEW (Law Enforcement Warning)"
    assert len(lines) == 5
    assert shown.output.splitlines()[-1] == "OK: checked 2 files, no problems."  # after it
    quiet = check(repo.root, "-q")
    assert quiet.exit_code == 0 and quiet.output == "OK: checked 2 files, no problems.\n"
    # one file named: only that alert; an error keeps the information and exits 1
    repo.post("2026/bad.md", alert_text(Urgency="Unknown", WEA_Text="Don\u2019t go"))
    bad = check(repo.root, str(repo.root / "content/2026/bad.md"))
    assert bad.exit_code == 1
    out = bad.output.splitlines()
    assert [line.split(": ")[1] for line in out[:2]] == ["ALERT-GOOGLE", "ALERT-WEA-CHARACTERS"]
    assert out[2] == "content/2026/bad.md: alert information (not a finding)"
    assert "  WEA-Text as written (refused: see the finding; 8 characters): Don\u2019t go" in out
    assert any(line.startswith("  WEA text (derived, ") for line in out)  # what CAP carries
    assert out[-1].startswith("REFUSED")


def test_the_information_cannot_forge_a_line_or_reach_the_terminal_raw(repo):
    repo.post("2026/gas-leak.md", alert_text(WEA_Text="Avoid \u202eCitrus\u2028OK: all clear"))
    result = check(repo.root)
    assert result.exit_code == 1  # TEXT-INVISIBLE, ALERT-WEA-CHARACTERS
    assert "\u202e" not in result.output and "\u2028" not in result.output
    assert "): Avoid \\u202eCitrus\\u2028OK: all clear" in result.stderr  # the refused text


def test_the_department_default_event_code_is_shown(repo):
    repo.post("2026/gas-leak.md", alert_text())
    (repo.root / "policy/site.toml").write_text(
        (PROJECT / "policy/site.toml").read_text().replace('event_code = "LEW"',
                                                           'event_code = "CEM"'))
    assert "  SAME event code: CEM (Civil Emergency Message)" in check(repo.root).output


def test_the_review_sheet_shows_the_alerts_escaped():
    post = _post(alert_text(Title="Gas leak <b>on</b> Citrus Avenue",
                            WEA_Text="Avoid <script>x</script> Citrus & 1st"))
    review = Review(base="a" * 40, rev="b" * 40, merged_tree="c" * 40,
                    now="2026-11-10T10:00:00-08:00", alerts=[alert_summary(post, "LEW")])
    html = render_html(review)
    assert "<script>" not in html and "<b>on</b>" not in html
    assert "Avoid &lt;script&gt;x&lt;/script&gt; Citrus &amp; 1st" in html
    assert "Gas leak &lt;b&gt;on&lt;/b&gt; Citrus Avenue" in html
    assert "WEA text (written, 37/90)" in html
    assert "no: severity is Moderate (needs Extreme or Severe)" in html
    assert "LEW (Law Enforcement Warning)" in html
    assert "<p>The merge adds or changes no safety alert.</p>" in render_html(
        Review(base="a" * 40, rev="b" * 40, merged_tree="c" * 40, now="x"))
    data = json.loads(review.to_json())
    assert data["alerts"][0]["wea_text"] == "Avoid <script>x</script> Citrus & 1st"
    assert data["alerts"][0]["imminent_threat"] is False


def test_a_preview_of_an_alert_branch_lists_its_alert(tmp_path, keys_dir):
    from gitdept import Department

    from pressroom.preview import make_preview

    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("first", title="First post", date="2026-11-01 09:00")
    dept.merge_as("sup1", "post/first")
    dept.branch("post/gas-leak")
    dept.commit_as("pio1", "Gas leak", {"content/2026/gas-leak.md": alert_text(
        Date="2026-11-20 09:00", Expires="2026-11-20 18:00", Severity="Severe",
        WEA_Text="Gas leak on Citrus Ave. Avoid the area.")})
    review = make_preview(dept.root, "post/gas-leak", output=tmp_path / "review",
                          now=datetime(2026, 11, 20, 10, 0, tzinfo=LA),
                          reviewer_key=dept.keys["sup1"].public)
    [shown] = review.alerts
    assert shown.path == "content/2026/gas-leak.md" and shown.imminent_threat
    assert shown.wea_text == "Gas leak on Citrus Ave. Avoid the area." and shown.wea_text_written
    sheet = json.loads((tmp_path / "review/review.json").read_text())
    assert sheet["alerts"][0]["event_code"] == "LEW"
    html = (tmp_path / "review/review.html").read_text()
    assert "<h2>Alerts: what phones would get</h2>" in html
    assert "Gas leak on Citrus Ave. Avoid the area." in html


def test_the_pull_request_summary_lists_the_alerts_escaped():
    from pressroom.preview.summary import markdown_summary

    post = _post(alert_text(WEA_Text="Avoid *Citrus* [Ave](http://x)"))
    review = Review(base="a" * 40, rev="b" * 40, merged_tree="c" * 40, now="x",
                    alerts=[alert_summary(post, "LEW")])
    summary = markdown_summary(json.loads(review.to_json()))
    [line] = [line for line in summary.splitlines() if line.startswith("- content/")]
    assert "### Alerts: what phones would get (1)" in summary
    assert "WEA text (written, 32/90): Avoid \\*Citrus\\* \\[Ave\\]\\(http://x\\)" in line
    assert "Imminent Threat: no: severity is Moderate" in line and line.endswith("SAME LEW")
    assert "Alerts" not in markdown_summary(json.loads(Review("a", "b", "c", "x").to_json()))
    drill = _post(alert_text(Status="test"))
    review = Review(base="a" * 40, rev="b" * 40, merged_tree="c" * 40, now="x",
                    alerts=[alert_summary(drill, "LEW")])
    assert f"- {PATH} (Status: test, CAP only): WEA text" in markdown_summary(
        json.loads(review.to_json()))


@pytest.mark.parametrize(("status", "found"), [("", True), ("published", True), ("test", False)])
def test_a_test_event_code_needs_status_test(status, found):
    fields = {"status": status} if status else {}
    text = post_text(category="safety-alerts", expires="2026-11-20 18:00", area="Elm Street",
                     **fields).replace("Area:", "Event-Code: RWT\nArea:")
    _, problems = parse_text("content/x.md", text, ZoneInfo("America/Los_Angeles"))
    messages = [p.message for p in problems if p.rule_id == "FRONT-ALERT"]
    assert bool(messages) is found, messages
    if found:
        assert "Status: test" in messages[0]


@pytest.mark.parametrize(("event", "found"), [("Police activity", False), ("x" * 35, False),
                                              ("Police activity near the old mill site", True)])
def test_google_takes_a_short_event_name(ctx, event, found):
    google = [m for rule, m in findings(ctx, alert_text(Event=event)) if rule == "ALERT-GOOGLE"]
    assert bool(google) is found, google


@pytest.mark.parametrize(("fields", "found"), [
    ({"Instruction": None}, True), ({"Instruction": ""}, True),
    ({"Instruction": None, "Response": "AllClear"}, False),
    ({"Instruction": None, "Response": "None"}, False),
])
def test_an_alert_without_an_instruction_is_named(ctx, fields, found):
    """What to do is what a phone's few words are for (the derived WEA text leads with it)."""
    assert ("ALERT-INSTRUCTION" in rules(ctx, alert_text(**fields))) is found


@pytest.mark.parametrize(("title", "instruction", "expected"), [
    ("Police activity on Elm Street", "Shelter in place, lock doors, stay away from windows "
     "until police say it is safe to leave.", "Shelter in place, lock doors, stay away from "
     "windows until police say it is safe to leave."),
    ("Gas leak: avoid Citrus Avenue", "Avoid Citrus Avenue. If you smell gas, leave the "
     "building and call 911.", "Gas leak: avoid Citrus Avenue. Avoid Citrus Avenue."),
    ("Police activity on Elm Street", "Stay indoors.", "Police activity on Elm Street. Stay "
     "indoors."),
])
def test_a_derived_phone_text_keeps_what_to_do(title, instruction, expected):
    from pressroom.model.alerts import derived_wea_text
    assert derived_wea_text(title, instruction) == expected


@pytest.mark.parametrize(("fields", "found"), [
    ({"Response": "AllClear", "Severity": "Severe"}, ["ALERT-ALL-CLEAR"]),
    ({"Response": "AllClear", "Urgency": "Immediate", "Severity": "Extreme"},
     ["ALERT-ALL-CLEAR", "ALERT-ALL-CLEAR"]),
    ({"Response": "AllClear", "Severity": "Minor", "Urgency": "Past"}, []),
    ({"Response": "AllClear"}, []),
    ({"Response": "Shelter", "Severity": "Severe"}, []),
])
def test_an_all_clear_may_not_keep_the_danger_of_the_alert(ctx, fields, found):
    """`pressroom new --incident` carries Severity forward: an all-clear written from it
    would tell phones the threat is current (found by the #15 newcomer)."""
    assert [r for r in rules(ctx, alert_text(**fields)) if r == "ALERT-ALL-CLEAR"] == found


@pytest.mark.parametrize(("summary", "found"), [
    ("Adam-12 responded to the call.", True), ("Units 1A12 and 2B3 responded.", True),
    ("Shots fired, 11-99.", True), ("Children ages 11-14 are safe.", False),
    ("The 100 block of King Street is closed.", False),
])
def test_call_signs_and_11_codes_are_jargon(ctx, summary, found):
    """Missed by the first rules (found by the #15 newcomer)."""
    assert ("ALERT-JARGON" in rules(ctx, alert_text(Summary=summary))) is found


@pytest.mark.parametrize(("circle", "found"), [
    ("34.1,-117.9 0.5", False), ("34.1,-117.9 500", False), ("34.1,-117.9 0", True),
    ("34.1,-117.9 5000", True)])
def test_a_circle_radius_is_a_local_area(circle, found):
    _, problems = parse_text(PATH, alert_text(Circle=circle), LA)
    assert any("Circle radius" in p.message for p in problems) is found, problems
