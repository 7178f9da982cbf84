"""``pressroom new --incident ID``: an update that carries its incident forward (issue #13, 3c).

The incident's fields come from its latest post on main, read from git objects (not the
working folder, which may be another branch); the update gets the next ``Sequence`` so it is
listed after that post even in the same minute. A new alert's template lists what CAP reads,
and an ``Area:`` left blank is a finding (``FRONT-AREA``).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from conftest import post_text
from gitdept import Department

from pressroom.approvals.workflow import new_post
from pressroom.build.run import build_site
from pressroom.cli import cli
from pressroom.model.content import CAP_VALUES, parse_text
from pressroom.model.drafts import carried_fields, draft_text, next_sequence

LA = ZoneInfo("America/Los_Angeles")
GAS = "2026-1120-gas"
POLYGON = "34.10,-117.90 34.11,-117.90 34.11,-117.89 34.10,-117.90"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def alert(title: str, date: str, **extra: str) -> str:
    return post_text(title=title, date=date, category="safety-alerts", author="pio1",
                     summary=f"{title}.", incident=GAS, body="Crews are at the scene.", **extra)


@pytest.fixture
def dept(tmp_path, keys_dir):
    """Main holds a gas-leak incident of two posts; the first says where and what to do."""
    dept = Department(tmp_path / "dept", keys_dir)
    dept.commit_as("chief1", "Gas leak", {
        "content/2026/gas-leak-1.md": alert(
            "Gas leak: avoid Citrus Avenue", "2026-11-20 09:00", expires="2026-11-20 18:00",
            area="Citrus Avenue between 1st and 3rd Streets", event="Gas leak",
            response="Avoid", instruction="Avoid the area.", polygon=POLYGON, severity="Severe"),
        "content/2026/gas-leak-2.md": alert(
            "Gas leak: still closed", "2026-11-20 11:00", expires="2026-11-20 20:00",
            event="Gas leak", response="Shelter", instruction="Stay indoors.", sequence="2",
            polygon=POLYGON),
    })
    return dept


def front(text: str) -> dict[str, str]:
    head = text.split("\n\n", 1)[0]
    return dict(line.split(": ", 1) if ": " in line else (line.rstrip(":"), "")
                for line in head.splitlines())


def test_update_carries_the_incident_forward_from_main(dept):
    # The working folder is another branch whose copy of the latest post says otherwise.
    dept.branch("post/unrelated")
    dept.commit_as("pio1", "edit", {"content/2026/gas-leak-2.md": alert(
        "Gas leak: still closed", "2026-11-20 11:00", expires="2026-11-20 20:00",
        instruction="FROM THE WORKING FOLDER")})
    made = run("new", "--repo", str(dept.root), "Gas leak: Citrus Avenue reopened",
               "--incident", GAS, "--author", "pio1")
    assert made.exit_code == 0, made.output
    assert "post/2026-1120-gas-update-3" in made.output
    path = next((dept.root / "content").rglob("2026-1120-gas-update-3.md"))
    fields = front(path.read_text())
    assert fields["Category"] == "safety-alerts" and fields["Incident"] == GAS
    assert fields["Sequence"] == "3"
    assert fields["Area"] == "Citrus Avenue between 1st and 3rd Streets"  # from the first post
    assert fields["Instruction"] == "Stay indoors."  # the latest post's, from main
    assert fields["Response"] == "Shelter" and fields["Event"] == "Gas leak"
    assert fields["Polygon"] == POLYGON
    assert "Severity" not in fields  # the latest post did not say it
    assert "FROM THE WORKING FOLDER" not in path.read_text()


def test_unknown_incident_is_one_line_with_did_you_mean(dept):
    result = run("new", "--repo", str(dept.root), "Update", "--incident", "2026-1120-gaz",
                 "--author", "pio1")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: no incident '2026-1120-gaz' on main; did you mean '{GAS}'?"]
    nothing = run("new", "--repo", str(dept.root), "Update", "--incident", "zzz",
                  "--author", "pio1")
    assert nothing.exit_code == 2 and f"known incidents: {GAS}" in nothing.output


def test_incident_update_is_a_safety_alert(dept):
    result = run("new", "--repo", str(dept.root), "Update", "--incident", GAS,
                 "--category", "traffic", "--author", "pio1")
    assert result.exit_code == 2 and "leave out --category" in result.output
    neither = run("new", "--repo", str(dept.root), "Update", "--author", "pio1")
    assert neither.exit_code == 2 and "--category" in neither.output


def test_an_update_in_the_same_minute_is_the_latest_everywhere(dept, tmp_path):
    """The update's Sequence orders it after the post of its minute: its slug sorts first."""
    made = new_post(dept.root, "Gas leak: Citrus Avenue reopened", None, "pio1", None,
                    now=datetime(2026, 11, 20, 11, 0, tzinfo=LA), incident=GAS)
    text = made.path.read_text().replace("Summary: ", "Summary: Citrus Avenue is open.")
    made.path.write_text(text.replace("Response: Shelter", "Response: AllClear"))
    dept.commit_as("pio1", "reopened")
    dept.merge_as("ic1", made.branch)
    out = tmp_path / "out"
    result = build_site(dept.root, out, now=datetime(2026, 11, 20, 12, 0, tzinfo=LA))
    assert result.ok, result.problems
    page = (out / f"incidents/{GAS}/index.html").read_text()
    assert "<strong>All clear</strong>" in page
    assert "Latest: Gas leak: Citrus Avenue reopened" in page
    home = (out / "index.html").read_text()
    assert home.index("Citrus Avenue reopened") < home.index("Gas leak: still closed")


def test_new_alert_template_lists_what_cap_reads_and_blank_area_is_a_finding(dept):
    made = run("new", "--repo", str(dept.root), "Water main break on Elm Street",
               "--category", "safety-alerts", "--author", "pio1")
    assert made.exit_code == 0, made.output
    path = next((dept.root / "content").rglob("water-main-break-on-elm-street.md"))
    text = path.read_text()
    fields = front(text)
    assert {"Expires", "Area", "Incident", "Sequence", "Response", "Instruction"} <= set(fields)
    assert all(value in text for value in CAP_VALUES["response"])  # the comment lists them
    path.write_text(text.replace("Summary: ", "Summary: Elm Street is closed."))
    checked = run("check", "--repo", str(dept.root), str(path))
    assert checked.exit_code == 1
    line = text.splitlines().index("Area: ") + 1
    assert f"water-main-break-on-elm-street.md:{line}: FRONT-AREA:" in checked.output
    path.write_text(path.read_text().replace("Area: ", "Area: Elm Street at 4th Street"))
    assert run("check", "--repo", str(dept.root), str(path)).exit_code == 0


def test_blank_area_is_a_finding_only_on_alerts():
    from pressroom.rules.document import make_document
    from pressroom.rules.front_matter import check_area

    blank = alert("A", "2026-11-20 09:00", expires="2026-11-20 18:00", area="")
    assert [v.rule_id for v in check_area(make_document("a.md", blank))] == ["FRONT-AREA"]
    given = alert("A", "2026-11-20 09:00", expires="2026-11-20 18:00", area="Elm Street")
    assert check_area(make_document("a.md", given)) == []
    absent = alert("A", "2026-11-20 09:00", expires="2026-11-20 18:00")  # the thread's area
    assert check_area(make_document("a.md", absent)) == []


def parsed(text: str):
    post, problems = parse_text("content/2026/x.md", text, LA)
    assert post is not None, problems
    return post


def test_carried_fields_after_an_all_clear_reopen_with_the_last_response():
    first = parsed(alert("A", "2026-11-20 09:00", expires="2026-11-20 18:00", area="Elm",
                         response="Evacuate"))
    clear = parsed(alert("B", "2026-11-20 10:00", expires="2026-11-20 18:00",
                         response="AllClear", sequence="4"))
    carried = carried_fields([first, clear])
    assert carried["response"] == "Evacuate" and carried["area"] == "Elm"
    assert next_sequence([first, clear]) == 5
    assert next_sequence([first]) == 2


def test_draft_text_is_a_valid_post_once_written():
    now = datetime(2026, 11, 20, 9, 17, tzinfo=LA)
    text = draft_text("Gas leak", "safety-alerts", "pio1", now,
                      {"incident": GAS, "sequence": "2", "expires": "2026-11-20 08:00",
                       "area": "Elm Street"})
    fields = front(text)
    assert fields["Expires"] == "2026-11-20 13:00"  # the carried one had passed
    post = parsed(text.replace("Summary: ", "Summary: Gas leak."))
    assert post.sequence == 2 and post.alert["response"] == "Monitor"
    plain = draft_text("Closure", "traffic", "pio1", now, {})
    assert front(plain).keys() == {"Title", "Date", "Category", "Author", "Summary"}


def test_update_fields_skip_drafts_and_removed_posts():
    from pressroom.model.drafts import update_fields
    from pressroom.model.violations import InputError

    first = parsed(alert("A", "2026-11-20 09:00", expires="2026-11-20 18:00", area="Elm"))
    draft = parsed(alert("B", "2026-11-20 10:00", expires="2026-11-20 18:00", area="Draft",
                         status="draft"))
    fields = update_fields([first, draft], GAS)
    assert fields["area"] == "Elm" and fields["sequence"] == "2"
    with pytest.raises(InputError, match="did you mean"):
        update_fields([first], GAS + "x")


def test_carried_fields_after_an_all_clear_take_response_and_instruction_from_one_post():
    """The all-clear's "You may return home" never goes out with an earlier "Shelter"."""
    first = parsed(alert("A", "2026-11-20 09:00", expires="2026-11-20 18:00", area="Elm",
                         response="Avoid", instruction="Avoid the area."))
    second = parsed(alert("B", "2026-11-20 10:00", expires="2026-11-20 18:00",
                          response="Shelter", instruction="Stay indoors.", sequence="2"))
    clear = parsed(alert("C", "2026-11-20 11:00", expires="2026-11-20 18:00",
                         response="AllClear", instruction="You may return home.",
                         sequence="3"))
    carried = carried_fields([first, second, clear])
    assert (carried["response"], carried["instruction"]) == ("Shelter", "Stay indoors.")
    assert carried["area"] == "Elm" and carried["incident"] == GAS
    only_clear = carried_fields([clear])
    assert only_clear["response"] == "Monitor" and "instruction" not in only_clear


def test_new_incident_update_after_an_all_clear_warns_that_it_reopens(dept):
    dept.commit_as("chief1", "All clear", {
        "content/2026/gas-leak-3.md": alert(
            "Gas leak: all clear", "2026-11-20 12:00", expires="2026-11-20 20:00",
            response="AllClear", instruction="You may return home.", sequence="3")})
    made = run("new", "--repo", str(dept.root), "Gas leak again", "--incident", GAS,
               "--author", "pio1")
    assert made.exit_code == 0, made.output
    assert f"warning: incident {GAS} ended with an all-clear (content/2026/gas-leak-3.md); " \
        "this update reopens it" in made.output
    fields = front(next((dept.root / "content").rglob(f"{GAS}-update-4.md")).read_text())
    assert (fields["Response"], fields["Instruction"]) == ("Shelter", "Stay indoors.")
    dept.git("switch", "-q", "main")
    before = run("new", "--repo", str(dept.root), "Gas leak follow-up", "--incident", GAS,
                 "--author", "pio1", "--slug", "follow-up")
    assert before.exit_code == 0 and "warning" in before.output  # still ended
    dept.git("switch", "-q", "main")
    dept.git("rm", "-q", "content/2026/gas-leak-3.md")
    dept.commit_as("chief1", "no all-clear after all", add=False)
    quiet = run("new", "--repo", str(dept.root), "Gas leak update", "--incident", GAS,
                "--author", "pio1", "--slug", "quiet")
    assert quiet.exit_code == 0 and "warning" not in quiet.output


def test_an_update_carries_its_incident_event_code_and_writes_it_as_documented():
    """IPAWS reads one SAME event code for an incident: an update of a Child Abduction
    Emergency must not fall back to the department's default code."""
    first = parsed(alert("A", "2026-11-20 09:00", expires="2026-11-20 18:00", area="Elm")
                   .replace("Incident:", "Event-Code: CAE\nIncident:"))
    assert carried_fields([first])["event-code"] == "CAE"
    now = datetime(2026, 11, 20, 9, 17, tzinfo=LA)
    text = draft_text("Update", "safety-alerts", "pio1", now, carried_fields([first]))
    assert front(text)["Event-Code"] == "CAE"
    assert "WEA-Text:" in text  # the template's comment names the phone texts


def test_an_update_carries_the_originals_forward_never_a_translation(dept):
    """Found by a newcomer (#14): main's Spanish translations of the incident's messages
    were taken for messages: the update's Sequence skipped ahead and its Area and
    Instruction came out in Spanish, in the English CAP block and banner."""
    dept.commit_as("chief1", "Spanish", {
        "content/2026/es/gas-leak-1.md": alert(
            "Fuga de gas: evite Citrus Avenue", "2026-11-20 09:00", expires="2026-11-20 18:00",
            area="Citrus Avenue entre las calles 1st y 3rd", event="Gas leak", lang="es",
            slug="gas-leak-1", response="Avoid", instruction="Evite la zona.",
            polygon=POLYGON, severity="Severe"),
        "content/2026/es/gas-leak-2.md": alert(
            "Fuga de gas: sigue cerrada", "2026-11-20 11:00", expires="2026-11-20 20:00",
            event="Gas leak", response="Shelter", instruction="Permanezca en casa.",
            sequence="2", polygon=POLYGON, lang="es", slug="gas-leak-2"),
        "policy/site.toml": '[site]\nname = "Example City Police Department"\n\n'
                            '[languages]\ntranslations = ["es"]\n',
    })
    made = run("new", "--repo", str(dept.root), "Gas leak: Citrus Avenue reopened",
               "--incident", GAS, "--author", "pio1")
    assert made.exit_code == 0, made.output
    fields = front(next((dept.root / "content").rglob("2026-1120-gas-update-3.md")).read_text())
    assert fields["Sequence"] == "3"
    assert fields["Area"] == "Citrus Avenue between 1st and 3rd Streets"
    assert fields["Instruction"] == "Stay indoors."
