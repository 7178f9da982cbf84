"""Errors a PIO can act on (issue #13, item 4).

* every finding of a post at once: a misspelt field, a bad date or a stranger as Author
  does not hide the others, and each one names the line an editor shows (BOM, CRLF, lone CR,
  leading blank lines, comments and code in the body);
* "did you mean" for fields, categories, CAP values, statuses, member ids and roles;
* the instruction is for the post's author; what only a supervisor or the chief decides
  (a suppression, the department's rules) is a second, labelled hint, never the instruction;
* the department's own published numbers are not private ones;
* "an incident commander", "1 problem" / "2 problems".
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from conftest import LA, ROSTER, post_text

from pressroom.approvals.rules import _names
from pressroom.checking.engine import Context, check_post
from pressroom.cli import cli
from pressroom.model.roster import parse_roster
from pressroom.model.wording import (
    HINT_MARK,
    article,
    close_matches,
    did_you_mean,
    plural,
    with_article,
)
from pressroom.rules.config import load_config, with_contact

PATH = "content/2026/notice.md"

# One post, six independent problems on six lines; a comment and a code span in the body
# move nothing. (line, rule) is what an author reads in an editor.
SEVERAL = (
    "Title: Elm Street closed\n"                       # 1
    "Date: 2026-13-40 09:00\n"                         # 2  FRONT-DATE
    "Catgory: traffic\n"                               # 3  FRONT-UNKNOWN (Category)
    "Author: pio2\n"                                   # 4  FRONT-AUTHOR (pio1)
    "Summary: Write to jane.doe@gmail.com for news.\n"  # 5  PRIVACY-EMAIL
    "Status: publshed\n"                               # 6  FRONT-STATUS (published)
    "\n"                                               # 7
    "<!-- a note for the reviewer,\n"                  # 8
    "over two lines: (626) 555-0100 -->\n"             # 9  (a comment: not prose)
    "Use `(626) 555-0101` in code.\n"                  # 10 (code: not prose)
    "Call the victim at (626) 555-0199.\n"             # 11 PRIVACY-PHONE
    "\n"                                               # 12
    "He was diagnosed with dementia.\n"                # 13 PRIVACY-MEDICAL
)
SEVERAL_FOUND = [
    (2, "FRONT-DATE"), (3, "FRONT-UNKNOWN"), (4, "FRONT-AUTHOR"), (5, "PRIVACY-EMAIL"),
    (6, "FRONT-STATUS"), (11, "PRIVACY-PHONE"), (13, "PRIVACY-MEDICAL"),
]


@pytest.fixture(scope="module")
def ctx() -> Context:
    roster, _ = parse_roster(ROSTER)
    config, _ = load_config('[allow]\nemail_domains = ["pd.example"]\n')
    config = with_contact(config, ["(555) 010-4400", "911"], "info@pd.example")
    return Context(roster, config, LA, None)


def found(ctx: Context, data: bytes | str) -> list[tuple[int, str]]:
    data = data.encode("utf-8") if isinstance(data, str) else data
    return sorted((v.line, v.rule_id) for v in check_post(PATH, data, ctx).violations)


def messages(ctx: Context, data: str) -> dict[str, str]:
    return {v.rule_id: v.message for v in check_post(PATH, data.encode(), ctx).violations}


# --- 1. all findings at once, each at its line ----------------------------------------------

def test_a_post_with_several_problems_gets_every_finding_at_its_line(ctx):
    assert found(ctx, SEVERAL) == SEVERAL_FOUND


@pytest.mark.parametrize("encode", [
    pytest.param(lambda t: t.encode(), id="LF"),
    pytest.param(lambda t: t.replace("\n", "\r\n").encode(), id="CRLF"),
    pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode(), id="BOM"),
    pytest.param(lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode(), id="BOM+CRLF"),
])
def test_line_numbers_hold_with_bom_and_windows_line_endings(ctx, encode):
    assert found(ctx, encode(SEVERAL)) == SEVERAL_FOUND


def test_line_numbers_hold_with_old_mac_line_endings(ctx):
    """A lone CR ends a line for Markdown and for an editor: the body's findings are at
    their lines, beside the one TEXT-CONTROL asking for LF endings."""
    text = post_text(body="First line.\n\nCall (626) 555-0199.").replace("\n", "\r")
    assert found(ctx, text) == [(1, "TEXT-CONTROL"), (9, "PRIVACY-PHONE")]


def test_two_findings_of_one_rule_on_one_line_are_both_reported(ctx):
    text = post_text(body="Call (626) 555-0199 or (626) 555-0198.")
    assert found(ctx, text) == [(7, "PRIVACY-PHONE"), (7, "PRIVACY-PHONE")]


def test_every_missing_required_field_is_named_in_one_finding(ctx):
    text = "Date: 2026-11-20 09:00\nCategory: traffic\nAuthor: pio1\n\nBody.\n"
    [problem] = check_post(PATH, text.encode(), ctx).violations
    assert (problem.line, problem.rule_id) == (3, "FRONT-REQUIRED")
    assert problem.message == ("'Title:' and 'Summary:' are required; add them to the header")


def test_a_field_given_twice_names_both_lines(ctx):
    text = post_text().replace("Author: pio1\n", "Author: pio1\nTitle: Again\n")
    [problem] = check_post(PATH, text.encode(), ctx).violations
    assert str(problem) == (f"{PATH}:5: FRONT-DUPLICATE: 'Title' is given twice (first on "
                            f"line 1); keep one")


def test_an_empty_required_field_is_named_at_its_line(ctx):
    [problem] = check_post(PATH, post_text(summary="").encode(), ctx).violations
    assert (problem.line, problem.rule_id) == (5, "FRONT-REQUIRED")
    assert "'Summary' is required but empty" in problem.message


def test_a_header_after_blank_lines_is_named_as_the_cause(ctx):
    """Pelican reads no header when the file starts with a blank line: say so, not "Title,
    Date, Category, Author and Summary are required" (the author wrote all five)."""
    text = "\n\n" + post_text(body="Call (626) 555-0199.")
    result = check_post(PATH, text.encode(), ctx).violations
    assert [(v.line, v.rule_id) for v in result] == [(1, "FRONT-REQUIRED"),
                                                     (9, "PRIVACY-PHONE")]
    assert result[0].message == ("the header must start on line 1, but it starts on line 3; "
                                 "remove what comes before the 'Title:' line")


def test_a_file_without_any_header_is_told_where_the_header_goes(ctx):
    [problem] = check_post(PATH, b"Just some text.\n", ctx).violations
    assert (problem.line, problem.rule_id) == (1, "FRONT-REQUIRED")
    assert problem.message.startswith("'Title:', 'Date:', 'Category:', 'Author:' and "
                                      "'Summary:' are required; add them to the header at "
                                      "the top of the file")


def test_the_cli_prints_every_finding_and_a_correct_summary(repo):
    repo.post("2026/notice.md", SEVERAL)
    result = CliRunner().invoke(cli, ["check", "--repo", str(repo.root), "--today",
                                      "2026-11-27"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert [tuple(line.split(": ")[0].split(":")[1:]) + (line.split(": ")[1],)
            for line in lines[:-1]] == [(str(n), rule) for n, rule in SEVERAL_FOUND]
    assert lines[-1] == "REFUSED: checked 1 file: 7 problems in 1 file."


# --- 2. did you mean --------------------------------------------------------------------------

def test_a_misspelt_field_suggests_the_field_and_replaces_the_required_finding(ctx):
    text = post_text().replace("Category:", "Catgory:")
    [problem] = check_post(PATH, text.encode(), ctx).violations
    assert str(problem) == (f"{PATH}:3: FRONT-UNKNOWN: unknown field 'Catgory'; did you mean "
                            f"'Category' (a required field)? Correct the spelling")


def test_an_unknown_field_far_from_any_lists_the_known_ones(ctx):
    assert messages(ctx, post_text(mood="sunny"))["FRONT-UNKNOWN"].startswith(
        "unknown field 'Mood'; the known fields are Title, Date, Category")


@pytest.mark.parametrize(("written", "meant"), [
    ("trafic", "traffic"), ("Traffic", "traffic"), ("press-release", "press-releases"),
    ("Crime Prevention Tips", "crime-prevention"), ("safety-alert", "safety-alerts"),
])
def test_a_category_suggests_the_slug_meant(ctx, written, meant):
    message = messages(ctx, post_text(category=written))["FRONT-CATEGORY"]
    assert f"; did you mean '{meant}'? The eight are: announcements," in message


def test_a_category_far_from_any_lists_the_eight(ctx):
    message = messages(ctx, post_text(category="gossip"))["FRONT-CATEGORY"]
    assert message == ("'gossip' is not one of the eight kinds of content (392.4); the eight "
                       "are: announcements, crime-prevention, information-requests, community, "
                       "safety-alerts, traffic, press-releases, recruitment")


@pytest.mark.parametrize(("author", "hint"), [
    ("pio2", "did you mean 'pio1' (Pat Rivera)?"),
    ("Pat Rivera", "did you mean 'pio1' (Pat Rivera)?"),
    ("dokafor@pd.example", "did you mean 'sup1' (Sgt. Dana Okafor)?"),
])
def test_an_author_suggests_the_member_id(ctx, author, hint):
    message = messages(ctx, post_text(author=author))["FRONT-AUTHOR"]
    assert message.endswith(hint), message


def test_a_stranger_as_author_gets_no_guess_but_where_to_look(ctx):
    assert messages(ctx, post_text(author="zz-9"))["FRONT-AUTHOR"] == (
        "'zz-9' is not a member id in policy/roster.toml (392.3); write your own member id "
        "(`pressroom roster` lists them)")


def test_suppressions_and_the_departments_settings_suggest_the_name_meant(ctx):
    text = post_text(body="<!-- pressroom: allow PRIVACY-ADRESS -- a business -->\nOpen.")
    assert messages(ctx, text)["SUPPRESS-UNKNOWN"] == (
        "PRIVACY-ADRESS is not a pressroom rule; did you mean 'PRIVACY-ADDRESS'?")
    _, problems = load_config('[allow]\nphone = ["1"]\n[severty]\n[severity]\n'
                              'PRIVACY-FONE = "off"\n')
    assert [str(p) for p in problems] == [
        "policy/rules.toml:2: RULES-CONFIG: unknown key 'phone' in [allow]; did you mean "
        "'phones'?",
        "policy/rules.toml:3: RULES-CONFIG: unknown section [severty]; did you mean "
        "'severity'? (known: training, summary, allow, terms, alerts, severity)",
        "policy/rules.toml:5: RULES-CONFIG: [severity] names unknown rule 'PRIVACY-FONE'; did "
        "you mean 'PRIVACY-PHONE'?"]


def test_site_settings_suggest_the_key_meant():
    from pressroom.model.violations import InputError
    from pressroom.repo.department import parse_department

    with pytest.raises(InputError) as caught:
        parse_department('[site]\nname = "PD"\nurl = "https://pd.example"\n'
                         '[contact]\nnonemergency = "(555) 010-4400"\n')
    assert "unknown key 'nonemergency' in [contact]; did you mean 'non_emergency'?" in str(
        caught.value)


def test_cap_values_and_statuses_suggest_the_value(ctx):
    alert = post_text(category="safety-alerts", expires="2026-11-21 09:00", response="shelter")
    assert "did you mean 'Shelter'?" in messages(ctx, alert)["FRONT-ALERT"]
    assert "did you mean 'draft'?" in messages(ctx, post_text(status="drafts"))["FRONT-STATUS"]


def test_a_roster_role_suggests_the_role():
    _, problems = parse_roster('[members.ic2]\nname = "Lt. Hale"\n'
                               'roles = ["incident_commander"]\n')
    assert "did you mean 'incident-commander'?" in problems[0].message


def test_pressroom_new_suggests_the_category_and_the_author(repo):
    runner = CliRunner()
    wrong = runner.invoke(cli, ["new", "Road closure", "--repo", str(repo.root),
                                "--category", "trafic"])
    assert wrong.exit_code == 2 and "'trafic' is not one of" in wrong.output
    assert "did you mean 'traffic'?" in wrong.output, wrong.output
    stranger = runner.invoke(cli, ["new", "Road closure", "--repo", str(repo.root),
                                   "--category", "traffic", "--author", "Pat Rivera"])
    assert stranger.exit_code == 2
    assert stranger.output.strip().splitlines()[-1] == (
        "Error: author 'Pat Rivera' is not a member id in policy/roster.toml; did you mean "
        "'pio1' (Pat Rivera)?")


def test_a_page_header_suggests_the_field_and_status(ctx):
    text = "Title: About us\nSumary: Who we are.\nStatus: hiden\nTitle: Again\n\nText.\n"
    found = {v.rule_id: str(v) for v in check_post("content/pages/about.md", text.encode(),
                                                   ctx).violations}
    assert found == {
        "FRONT-UNKNOWN": "content/pages/about.md:2: FRONT-UNKNOWN: unknown field 'Sumary' for a "
                         "page; did you mean 'Summary'? (a page may have Title, Slug, Summary, "
                         "Status; Pelican settings such as Save_as or Template are not allowed)",
        "FRONT-STATUS": "content/pages/about.md:3: FRONT-STATUS: 'hiden' is not a page status; "
                        "did you mean 'hidden'? (use: published, hidden, draft)",
        "FRONT-DUPLICATE": "content/pages/about.md:4: FRONT-DUPLICATE: 'Title' is given twice "
                           "(first on line 1); keep one"}


def test_did_you_mean_helpers():
    assert close_matches("catgory", ["title", "category"]) == ["category"]
    assert close_matches("TITLE", ["title"]) == ["title"]
    assert did_you_mean("zzz", ["title", "category"]) == ""
    assert did_you_mean("sup", ["sup1", "sup2", "pio1"]) == "; did you mean 'sup1' or 'sup2'?"
    assert did_you_mean("PRIVACY-ADRESS", ["PRIVACY-ADDRESS", "PRIVACY-SSN"]) == (
        "; did you mean 'PRIVACY-ADDRESS'?")  # only the ones about as close as the best


# --- 3. advice that fits the reader ---------------------------------------------------------

def test_a_private_phone_number_tells_the_author_what_to_give_instead(ctx):
    message = messages(ctx, post_text(body="Call the victim at (626) 555-0199."))
    assert message["PRIVACY-PHONE"] == (
        "phone number '(626) 555-0199' is not one of the department's public numbers; remove "
        "it, or give the department's line, (555) 010-4400, instead (392.5 b)")


def test_no_finding_tells_the_author_to_edit_the_departments_rules(ctx):
    """policy/rules.toml and suppressions are decisions of the chief and the supervisor:
    they may follow as a labelled hint, never as the instruction."""
    text = post_text(body="Call (626) 555-0199 or write jane@gmail.com. He lives at 1423 Elm "
                          "Street and was diagnosed with dementia.\n\nDOB 01/02/1990.")
    result = check_post(PATH, text.encode(), ctx).violations
    assert {v.rule_id for v in result} >= {"PRIVACY-PHONE", "PRIVACY-EMAIL", "PRIVACY-ADDRESS",
                                           "PRIVACY-MEDICAL", "PRIVACY-DOB"}
    for violation in result:
        instruction = violation.message.split(HINT_MARK)[0]
        assert "rules.toml" not in instruction and "suppression" not in instruction, violation
        assert "allow it" not in instruction, violation
    address = next(v for v in result if v.rule_id == "PRIVACY-ADDRESS")
    assert address.message == (
        "exact address '1423 Elm Street'; write the block instead (\"the 1400 block of Elm "
        "Street\") (392.5 b) [for the supervisor: a business or public place may be allowed "
        "with a reason; see docs/rules.md]")


def test_the_departments_published_numbers_are_not_private(ctx):
    for body in ("Call our non-emergency line, (555) 010-4400.", "Call 911 now.",
                 "Write to info@pd.example."):
        assert found(ctx, post_text(body=body)) == [], body


def test_public_numbers_in_the_rules_are_allowed():
    roster, _ = parse_roster(ROSTER)
    config, problems = load_config('[allow]\npublic_numbers = ["1-626-555-0123"]\n')
    assert problems == []
    checked = Context(roster, config, LA, None)
    assert found(checked, post_text(body="Crime Stoppers: 1-626-555-0123.")) == []
    assert found(checked, post_text(body="Call 626-555-0124.")) == [(7, "PRIVACY-PHONE")]


def test_the_site_contact_line_is_allowed_in_a_department_repository(repo):
    repo.site('[site]\nname = "PD"\nurl = "https://pd.example"\n'
              '[contact]\nnon_emergency = "(626) 555-0150"\n')
    repo.post("2026/closure.md", post_text(body="Questions: (626) 555-0150."))
    repo.post("2026/other.md", post_text(body="Call (626) 555-0151."))
    result = CliRunner().invoke(cli, ["check", "--repo", str(repo.root), "--today",
                                      "2026-11-27"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "closure.md" not in result.output
    assert ("content/2026/other.md:7: PRIVACY-PHONE: phone number '(626) 555-0151' is not one "
            "of the department's public numbers; remove it, or give the department's line, "
            "(626) 555-0150, instead (392.5 b)") in result.output


# --- 4. grammar -----------------------------------------------------------------------------

@pytest.mark.parametrize(("word", "expected"), [
    ("incident commander", "an incident commander"), ("supervisor", "a supervisor"),
    ("author", "an author"), ("pio", "a pio"), ("chief", "a chief"),
    ("hour", "an hour"), ("unit", "a unit"), ("officer", "an officer"),
])
def test_article_by_the_following_word(word, expected):
    assert with_article(word) == expected
    assert article(word) == expected.split()[0]


def test_roles_in_an_approval_refusal_read_as_english():
    assert _names(("incident-commander", "supervisor", "chief")) == (
        "an incident commander, a supervisor or a chief")
    assert _names(("chief",)) == "a chief"


def test_plural():
    assert [plural(n, "finding") for n in (0, 1, 2)] == ["0 findings", "1 finding",
                                                        "2 findings"]
    assert plural(1, "copy", "copies") == "1 copy" and plural(3, "copy", "copies") == "3 copies"


HEAD = ("Title: Police activity on Elm Street\nDate: 2026-11-24 16:05\nCategory: safety-alerts\n"
        "Author: pio1\nSummary: Avoid the area.\nExpires: 2026-11-24 22:00\nArea: Elm Street\n")


@pytest.mark.parametrize(("text", "line", "words"), [
    (HEAD + "WEA Text: Avoid Elm St.\nResponse: Shelter\n\nBody.\n", 8, "did you mean 'WEA-Text:'"),
    (HEAD + "\nResponse: Shelter\nInstruction: Stay indoors.\n\nBody.\n", 9,
     "'Response:' is below the blank line on line 8"),
])
def test_a_header_that_ends_early_is_named_not_published_as_text(text, line, words):
    """A field mistyped with a space, or a blank line left where a field was deleted, ends
    the header: the fields below it would become text of the public page."""
    from pressroom.model.content import parse_text
    _, problems = parse_text("content/x.md", text, ZoneInfo("America/Los_Angeles"))
    found = [p for p in problems if p.rule_id == "FRONT-UNKNOWN"]
    assert [p.line for p in found] == [line] and words in found[0].message, problems


def test_a_body_after_one_blank_line_is_no_finding():
    from pressroom.model.content import parse_text
    post, problems = parse_text("content/x.md", HEAD + "\nOfficers are at the scene.\n",
                                ZoneInfo("America/Los_Angeles"))
    assert post is not None and problems == []
