"""PRIVACY-PHONE sees a victim's number however it is written (issue #13, newcomer findings).

docs/rules.md promises "any number that is not the department's". A newcomer found
``6265550196``, ``555-0195``, ``626-5550193`` and ``626/555-0192`` published unflagged. Each
form is checked here through ``pressroom check`` on a department repository, next to the
numbers a police post legitimately carries (dates, times, case and report numbers, blocks,
ages, money, ZIP codes) which must stay clean, in a sample department copy as well.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Repo, post_text

from pressroom.checking.repo import check_repo
from pressroom.cli import cli

SITE = ('[site]\nname = "PD"\nurl = "https://pd.example"\n'
        '[contact]\nnon_emergency = "(626) 555-0150"\n')

PRIVATE = [
    "6265550196", "555-0195", "626-5550193", "626/555-0192",          # missed before
    "(626)555-0198", "626.555.0199", "+1 626 555 0197", "626 555 0194",  # flagged already
    "(626) 555-0199", "1-626-555-0191", "16265550190",
]

# What a police post legitimately contains, each in a sentence as a post writes it.
LEGITIMATE = [
    "It happened on 2026-11-29 at 10:30 p.m.",
    "It happened on 11/29/2026 at 22:15.",
    "Refer to case 26-012345 when you call.",
    "Refer to report #2026-004512 when you call.",
    "Refer to DR 26-1234567 when you call.",
    "Refer to report #2026004512 or case 6265550196 when you call.",
    "Refer to case number 555-0195 when you call.",
    "It happened in the 400 block of Oak Avenue.",
    "The driver, a 34-year-old man, was booked.",
    "About $1,500 in tools, $250-1000 each, were taken.",
    "Mail arrives at Example City, CA 91702 or 91702-1234.",
    "Between 500-1000 people attended the event.",
    "The road is closed from 2300-0300 hours and between 930-1130 hours.",
    "Call 911 in an emergency, or our line, (626) 555-0150.",
    "Call our line, 555-0150, during office hours.",
    "Officers worked the 2025-2026 season; ages 18-25 may apply.",
    "Read https://pd.example/reports/2026004512.pdf or https://v.example/?id=6265550196.",
]


def check(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", "--repo", str(root), "--today", "2026-11-27"],
                                catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("number", PRIVATE)
def test_a_private_number_is_flagged_however_it_is_written(repo: Repo, number: str) -> None:
    repo.site(SITE)
    repo.post("2026/tip.md", post_text(body=f"Call the victim at {number} today."))
    code, out = check(repo.root)
    assert code == 1, out
    assert (f"content/2026/tip.md:7: PRIVACY-PHONE: phone number {number!r} is not one of the "
            "department's public numbers") in out, out


def test_a_record_label_does_not_hide_a_number_written_as_a_phone(repo: Repo) -> None:
    repo.site(SITE)
    repo.post("2026/tip.md", post_text(
        body="Case (626) 555-0199, case 626-555-0198, report #626555-0197, DR 626.555.0196."))
    report = check_repo(repo.root)
    assert sorted(v.message.split("'")[1] for v in report.violations
                  if v.rule_id == "PRIVACY-PHONE") == [
        "(626) 555-0199", "626-555-0198", "626.555.0196", "626555-0197"]


def test_what_a_police_post_legitimately_contains_is_not_a_phone(repo: Repo) -> None:
    repo.site(SITE)
    repo.post("2026/notice.md", post_text(body="\n\n".join(LEGITIMATE)))
    report = check_repo(repo.root)
    assert report.violations == [], [str(v) for v in report.violations]


def test_the_sample_department_stays_clean_with_those_numbers(sample_repo: Path) -> None:
    (sample_repo / "content" / "2026" / "numbers.md").write_text(post_text(
        date="2026-11-20 09:00", body="\n\n".join(LEGITIMATE).replace(
            "(626) 555-0150", "(555) 010-4400").replace("555-0150", "010-4400")),
        encoding="utf-8")
    code, out = check(sample_repo)
    assert code == 0, out


def test_the_departments_number_in_its_local_form_is_allowed(repo: Repo) -> None:
    repo.site(SITE)
    repo.post("2026/a.md", post_text(body="Call 555-0150 or 555-0151."))
    code, out = check(repo.root)
    assert code == 1 and "'555-0151'" in out and "'555-0150'" not in out, out
