"""GitHub/GitLab mode (issue #13 item 6): the pull-request workflow `pressroom init` writes,
and the job summary `pressroom review-summary` makes from a review sheet."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml
from click.testing import CliRunner
from gitdept import Department

from pressroom.cli import cli
from pressroom.init import init_department
from pressroom.preview.summary import markdown_summary

WORKFLOW = ".github/workflows/pressroom-review.yml"

SHEET = {
    "base": "0" * 40, "rev": "1" * 40, "base_name": "origin/main", "rev_name": "post/elm",
    "summary": "3 public URLs changed (1 added, 2 changed, 0 removed); 2 findings",
    "changed": [
        {"url": "/2026/elm-street-closure.html", "change": "added", "kind": "page"},
        {"url": "/index.html", "change": "changed", "kind": "page"},
        {"url": "/feeds/all.atom.xml", "change": "changed", "kind": "feed"},
        {"url": "/2026/old-news.html", "change": "removed", "kind": "page"},
    ],
    "findings": [
        {"path": "content/2026/elm.md", "line": 7, "rule": "PRIVACY-SSN",
         "message": "a Social Security number", "severity": "error"},
        {"path": "content/2026/<img src=x onerror=alert(1)>.md", "line": 2,
         "rule": "STYLE-ALLCAPS", "message": "[click](https://evil.example) **now**\n# Hi",
         "severity": "warning"},
    ],
    "suppressions": [{"path": "content/2026/elm.md", "line": 9, "rule": "PRIVACY-PHONE",
                      "reason": "the department's tip line"}],
    "commits": [{"sha": "abcdef1234567890", "subject": "Elm Street closure",
                 "author": "Chief <chief@x>", "signature": "good", "signer": "pio1",
                 "signer_name": "Pat Rivera", "roles": ["pio"], "trained": "2026-06-01"},
                {"sha": "1234567abcdef", "subject": "Typo", "author": "pio1",
                 "signature": "unsigned"}],
}


class _Text(HTMLParser):
    """The text and the tags of rendered Markdown, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.text.append(data)


def rendered(summary: str) -> _Text:
    parser = _Text()
    parser.feed(markdown.markdown(summary))
    return parser


def test_the_summary_lists_each_changed_url_and_finding():
    page = rendered(markdown_summary(SHEET))
    text = " ".join("".join(page.text).split())
    for change in SHEET["changed"]:
        assert change["url"] in text
    assert "Added (1): /2026/elm-street-closure.html (page)" in text
    assert "Removed (1): /2026/old-news.html (page)" in text
    assert "content/2026/elm.md:7: PRIVACY-SSN: a Social Security number" in text
    assert "2 findings, 1 error" in text
    assert "content/2026/elm.md:9: PRIVACY-PHONE: the department's tip line" in text
    assert "abcdef1 Elm Street closure: signed by Pat Rivera" in text
    assert "1234567 Typo: unsigned" in text


def test_the_branch_cannot_write_markdown_or_html_into_the_summary():
    summary = markdown_summary(SHEET)
    page = rendered(summary)
    text = " ".join("".join(page.text).split())
    assert "content/2026/<img src=x onerror=alert(1)>.md:2: STYLE-ALLCAPS (warning): " \
        "[click](https://evil.example) **now** # Hi" in text
    assert not page.tags & {"img", "a", "h1", "script"}, page.tags
    assert all(not line.startswith("# ") for line in summary.splitlines())


def test_review_summary_command_and_its_refusals(tmp_path):
    sheet = tmp_path / "review.json"
    sheet.write_text(json.dumps(SHEET))
    result = CliRunner().invoke(cli, ["review-summary", str(sheet)])
    assert result.exit_code == 0, result.output
    assert result.output == markdown_summary(SHEET)
    for content, message in (("{", "Expecting"), ("[]", "not a review sheet"),
                             ('{"changed": []}', "not a review sheet: no list 'findings'")):
        sheet.write_text(content)
        bad = CliRunner().invoke(cli, ["review-summary", str(sheet)])
        assert bad.exit_code == 2 and message in bad.output, bad.output
        assert len(bad.output.strip().splitlines()) == 1
    missing = CliRunner().invoke(cli, ["review-summary", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "cannot read it" in missing.output


def test_an_empty_review_says_the_site_stays_as_it_is():
    text = "".join(rendered(markdown_summary(
        {"changed": [], "findings": [], "commits": []})).text)
    assert "None: the public site stays as it is." in text and "No findings." in text


# --- the workflow `pressroom init` writes ---------------------------------------------------

@pytest.fixture
def workflow(tmp_path):
    init_department(tmp_path / "dept", "Azusa Police Department")
    path = tmp_path / "dept" / WORKFLOW
    return path.read_text(encoding="utf-8")


def _steps(text: str) -> list[dict]:
    data = yaml.safe_load(text)
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request"}
    assert data["permissions"] == {"contents": "read"}  # no write token, no secrets
    return data["jobs"]["review"]["steps"]


def test_the_workflow_parses_and_runs_the_review_commands(workflow):
    from pressroom import __version__

    steps = _steps(workflow)
    assert "$$" not in workflow and f"PRESSROOM: pressroom=={__version__}" in workflow
    assert "Azusa Police Department" in workflow
    runs = [step["run"] for step in steps if "run" in step]
    assert any('pressroom preview "$HEAD_SHA" --base "origin/$BASE_REF" --output review'
               in run for run in runs)
    assert any('pressroom review-summary review/review.json >> "$GITHUB_STEP_SUMMARY"' in run
               for run in runs)
    assert any('pressroom check --report --branch "$HEAD_SHA"' in run for run in runs)
    uploads = [step for step in steps if step.get("uses", "").startswith(
        "actions/upload-artifact")]
    assert uploads and uploads[0]["with"]["path"] == "review/"
    # The pull request's values reach the shell as variables, never pasted into the script.
    assert not any("${{" in run for run in runs)


def test_every_command_and_option_the_workflow_runs_exists(workflow):
    from pressroom.cli import cli as group

    named = []
    for step in _steps(workflow):
        for line in step.get("run", "").splitlines():
            match = re.match(r"pressroom ([a-z-]+)(.*)", line.strip())
            if match:
                named.append((match[1], re.findall(r"--[a-z-]+", match[2])))
    assert {name for name, _ in named} == {"preview", "review-summary", "check"}
    for name, options in named:
        command = group.commands[name]
        assert CliRunner().invoke(group, [name, "--help"]).exit_code == 0
        known = {opt for param in command.params for opt in param.opts}
        assert set(options) <= known, (name, set(options) - known)


def test_the_workflows_check_step_runs_as_github_would_run_it(tmp_path, keys_dir, workflow):
    """The step's shell line, with the variables GitHub sets, in a real clone: a branch
    with a bad post fails the job, a clean one passes."""
    step = next(s for s in _steps(workflow) if "pressroom check" in s.get("run", ""))
    dept = Department(tmp_path / "clone", keys_dir)
    bad = dept.post_branch("leak", body="The victim's SSN is 219-09-9999.")
    dept.git("switch", "-q", "main")
    good = dept.post_branch("fine")
    dept.git("switch", "-q", "main")
    bindir = str(Path(sys.executable).parent)
    for sha, code in ((bad, 1), (good, 0)):
        env = {**os.environ, "HEAD_SHA": sha, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
        done = subprocess.run([shutil.which("bash") or "bash", "-e", "-c", step["run"]],
                              cwd=dept.root, env=env, capture_output=True, text=True)
        assert done.returncode == code, done.stdout + done.stderr
    assert "content/2026/leak.md:7: PRIVACY-SSN" in subprocess.run(
        ["bash", "-c", step["run"]], cwd=dept.root, capture_output=True, text=True,
        env={**os.environ, "HEAD_SHA": bad,
             "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}).stdout
