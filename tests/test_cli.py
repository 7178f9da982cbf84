"""The ``pressroom`` command line: exit codes, one-line errors, help that teaches."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import post_text

from pressroom.cli import cli

NOW = "2026-11-27T12:00-08:00"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_build_succeeds_with_summary(repo, tmp_path):
    repo.post("2026/closure.md")
    repo.post("2026/draft.md", title="Draft", status="draft")
    out = tmp_path / "out"
    result = run("build", "--repo", str(repo.root), "--output", str(out), "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "Checked 2 posts" in result.output
    assert f"Built 1 public post (not public: 1 draft) into {out}" in result.output
    assert (out / "index.html").is_file()


def test_build_counts_a_test_alert_as_cap_only_not_scheduled(repo, tmp_path):
    repo.post("2026/closure.md")
    repo.post("2026/drill.md", title="Drill of the alerting chain on Elm Street",
              category="safety-alerts", status="test", expires="2026-11-20 18:00",
              area="Elm Street", instruction="Take no action.")
    out = tmp_path / "out"
    result = run("build", "--repo", str(repo.root), "--output", str(out), "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "(not public: 1 test alert in CAP only)" in result.output
    assert (out / "cap/drill.xml").is_file() and not (out / "2026/drill").exists()


def test_build_defaults_to_output_folder_in_repo(repo, monkeypatch):
    repo.post("2026/closure.md")
    monkeypatch.chdir(repo.root)
    result = run("build", "--now", NOW, "--quiet")
    assert result.exit_code == 0, result.output
    assert (repo.root / "output/index.html").is_file()
    assert "Checked" not in result.output


def test_invalid_post_exits_1_with_one_line_per_problem(repo, tmp_path):
    repo.post("2026/x.md", post_text(date="not a date", category="gossip"))
    result = run("build", "--repo", str(repo.root), "--output", str(tmp_path / "o"), "--now", NOW)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("content/")]
    assert lines[0].startswith("content/2026/x.md:2: FRONT-DATE: 'not a date' is not a date")
    assert lines[1].startswith("content/2026/x.md:3: FRONT-CATEGORY: 'gossip' is not one of")
    assert "left unchanged" in result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("data", "rule"),
    [(b"\x00\x01\x02binary", "FILE-TEXT"), (b"Title: \xff\xfe\n", "FILE-ENCODING"),
     (b"", "FRONT-EMPTY")],
)
def test_unreadable_posts_are_one_line_not_a_traceback(repo, tmp_path, data, rule):
    (repo.root / "content/bad.md").write_bytes(data)
    result = run("build", "--repo", str(repo.root), "--output", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert f"content/bad.md:1: {rule}:" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "--repo", "/nonexistent/dept"], "no such folder"),
        (["build", "--now", "tomorrow"], "is not a date and time"),
        (["build", "--now", "2026-11-27T12:00"], "needs a UTC offset"),
        (["build", "--bogus"], "No such option"),
    ],
)
def test_usage_errors_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_folder_without_content_exits_2(tmp_path):
    result = run("build", "--repo", str(tmp_path))
    assert result.exit_code == 2
    assert "no content/ folder" in result.output


def test_broken_settings_file_exits_2(repo):
    repo.post("2026/closure.md")
    repo.settings("SITENAME = \n")
    result = run("build", "--repo", str(repo.root))
    assert result.exit_code == 2
    assert "pelicanconf.py:1: SETTINGS: cannot read settings" in result.output
    assert "Traceback" not in result.output


def _commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_every_command_has_help_with_an_example():
    for path, command in _commands(cli):
        assert command.help and len(command.help) > 40, path
        assert "Example" in command.help, path
        result = run(*path, "--help")
        assert result.exit_code == 0
        assert "Usage:" in result.output


def test_console_script_is_installed():
    bindir = Path(sys.executable).parent
    result = subprocess.run([str(bindir / "pressroom"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "pressroom build" in result.stdout


def test_top_level_help_shows_each_persons_daily_commands():
    """The PIO writes and checks, a supervisor checks, previews and approves, the server
    publishes: `pressroom --help` is the first thing a newcomer reads."""
    result = run("--help")
    assert result.exit_code == 0
    typical = result.output.split("Typical use")[1].split("Options:")[0]
    sections = re.split(r"\n    (?=\S)", typical)
    people = {section.split(":")[0].strip(): set(re.findall(r"pressroom ([a-z-]+)", section))
              for section in sections[1:]}
    assert people == {
        "Once, for a new department": {"init", "nginx-config"},
        "The PIO writes a post on its own branch": {"new", "check", "build", "serve"},
        "A supervisor reviews and approves it": {"check", "preview", "serve", "approve",
                                                 "desk"},
        "Publishing, on the web server (from a timer)": {"publish", "due", "rollback",
                                                         "deploy"},
    }
    for name in set().union(*people.values()):
        assert name in cli.commands, name


@pytest.mark.parametrize(
    ("command", "code", "stream", "text"),
    [
        (["--version"], 0, "stdout", "pressroom, version"),
        (["build", "--repo", "/nonexistent/dept"], 2, "stderr", "no such folder"),
        (["check", "--today", "soon"], 2, "stderr", "is not a date like"),
    ],
)
def test_console_script_and_module_keep_exit_codes(command, code, stream, text):
    """Through main() (console script, fast exit) and `python -m pressroom` alike."""
    bindir = Path(sys.executable).parent
    for launcher in ([str(bindir / "pressroom")], [sys.executable, "-m", "pressroom"]):
        result = subprocess.run([*launcher, *command], capture_output=True, text=True)
        assert result.returncode == code, (launcher, result.stdout, result.stderr)
        assert text in getattr(result, stream), (launcher, result.stdout, result.stderr)


def test_record_commands_refuse_bad_dates_and_unwritable_outputs_with_exit_2(tmp_path, keys_dir):
    """Once a traceback and exit 1; now one line and exit 2, like every usage problem."""
    from gitdept import Department

    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    repo = ["--repo", str(dept.root)]
    cases = [
        (["review", *repo, "--year", "2026", "--as-of", "31/12/2026"],
         "--as-of '31/12/2026' is not a date like 2026-11-27"),
        (["review", *repo, "--year", "2026", "--output", str(blocker / "reports")],
         "cannot write the review"),
        (["records", *repo, "export", "--output", str(blocker / "records.tar.gz")],
         "cannot write the archive"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("Error: ") and message in result.output, result.output
        assert len(result.output.splitlines()) == 1, result.output
    assert blocker.read_text() == "not a folder\n"
