"""Issue #11, classes 3, 4 and 9, tried as an attacker and as a careless user would.

* Links and special files in a department's folders are never read, published or
  checked through: `check`, `build` and the pre-commit hook refuse them by name.
* Every path that writes a site runs the content rules: a post that `check` refuses
  is refused by `build` too, whatever `--settings` says.
* Checking, hooks, `approve` and `due` never run the department's Python: settings are
  data (`policy/site.toml`, and `pelicanconf.py` parsed, never executed); exit codes
  stay 0/1/2 whatever a settings file tries.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Repo, post_text, require_tool

from pressroom.cli import cli

SECRET = "root:x:0:0:TOP-SECRET-OUTSIDE-THE-REPOSITORY"
BIN = Path(sys.executable).parent


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def pressroom(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real console command in its own process (so a sys.exit anywhere shows)."""
    return subprocess.run([str(BIN / "pressroom"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def site_text(out: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Text and posts outside the repository that a link could point at."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "passwd").write_text(SECRET + "\n")
    (folder / "post.md").write_text(post_text(title="Smuggled post", body=SECRET))
    return folder


LINKS = {
    "post to a file outside": lambda repo, out: repo.root.joinpath(
        "content/2026/passwd.md").symlink_to(out / "passwd"),
    "post to a post outside": lambda repo, out: repo.root.joinpath(
        "content/2026/smuggled.md").symlink_to(out / "post.md"),
    "folder of posts outside": lambda repo, out: repo.root.joinpath(
        "content/2025").symlink_to(out, target_is_directory=True),
    "image to a file outside": lambda repo, out: repo.root.joinpath(
        "content/images/secret.png").symlink_to(out / "passwd"),
    "dangling link": lambda repo, out: repo.root.joinpath(
        "content/2026/gone.md").symlink_to(out / "missing.md"),
    "link inside the repository": lambda repo, out: repo.root.joinpath(
        "content/2026/copy.md").symlink_to(repo.root / "content/2026/closure.md"),
}


@pytest.mark.parametrize("make_link", LINKS.values(), ids=LINKS.keys())
def test_check_and_build_refuse_links_by_name(repo: Repo, outside, tmp_path, make_link):
    repo.post("2026/closure.md")
    (repo.root / "content/images").mkdir()
    make_link(repo, outside)
    checked = run("check", "--repo", str(repo.root))
    assert checked.exit_code == 1, checked.output
    assert "FILE-LINK" in checked.output and SECRET not in checked.output
    line = next(li for li in checked.output.splitlines() if "FILE-LINK" in li)
    assert line.startswith("content/")
    out = tmp_path / "site"
    built = run("build", "--repo", str(repo.root), "--output", str(out), "--now",
                "2026-11-27T12:00-08:00")
    assert built.exit_code == 1, built.output
    assert "FILE-LINK" in built.output
    assert not out.exists()


def test_links_to_the_policy_files_are_refused(repo: Repo, outside, tmp_path):
    repo.post("2026/closure.md")
    roster = repo.root / "policy/roster.toml"
    (outside / "roster.toml").write_text(roster.read_text())
    roster.unlink()
    roster.symlink_to(outside / "roster.toml")
    checked = run("check", "--repo", str(repo.root))
    assert checked.exit_code == 1 and "policy/roster.toml: FILE-LINK" in checked.output
    (repo.root / "policy/site.toml").symlink_to(outside / "passwd")
    built = run("build", "--repo", str(repo.root), "--output", str(tmp_path / "site"))
    assert built.exit_code == 2 and "policy/site.toml: FILE-LINK" in built.output
    assert SECRET not in built.output


def test_content_folder_that_is_a_link_is_refused(tmp_path, outside):
    root = tmp_path / "dept"
    Repo(root)
    (root / "content").rmdir()
    (outside / "2026").mkdir()
    (outside / "2026/a.md").write_text(post_text())
    (root / "content").symlink_to(outside, target_is_directory=True)
    checked = run("check", "--repo", str(root))
    assert checked.exit_code == 1 and "content: FILE-LINK" in checked.output
    built = run("build", "--repo", str(root), "--output", str(tmp_path / "site"))
    assert built.exit_code == 1 and not (tmp_path / "site").exists()


def test_a_named_pipe_is_refused_not_read(repo: Repo, tmp_path):
    """Reading a fifo would hang `check` and the hook forever: it is refused by its type."""
    repo.post("2026/closure.md")
    os.mkfifo(repo.root / "content/2026/pipe.md")
    checked = pressroom("check", "--repo", str(repo.root))  # timeout=300 catches a hang
    assert checked.returncode == 1
    assert "content/2026/pipe.md: FILE-SPECIAL" in checked.stdout
    named = pressroom("check", "--repo", str(repo.root), "content/2026/pipe.md",
                      cwd=repo.root)
    assert named.returncode == 1 and "FILE-SPECIAL" in named.stdout


def test_the_commit_hook_refuses_a_staged_link(tmp_path, outside):
    """Through the real pre-commit framework: pre-commit skips links unless told not to."""
    require_tool(shutil.which("git") is not None, "git")
    root = tmp_path / "dept"
    repo = Repo(root)
    repo.post("2026/closure.md")
    (root / "content/2026/passwd.md").symlink_to(outside / "passwd")
    hooks = Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml"
    hook = hooks.read_text().split("- id: pressroom-images")[0]
    config = ("repos:\n  - repo: local\n    hooks:\n" + "\n".join(
        "      " + line for line in hook.splitlines()
        if line and not line.startswith("#")).replace("      - id", "      - id")
        .replace("entry: pressroom-check-content",
                 f"entry: {BIN / 'pressroom-check-content'}")
        .replace("language: python", "language: system") + "\n")
    (root / ".pre-commit-config.yaml").write_text(config)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home"),
           "GIT_AUTHOR_NAME": "Pat", "GIT_AUTHOR_EMAIL": "pio1@pd.example",
           "GIT_COMMITTER_NAME": "Pat", "GIT_COMMITTER_EMAIL": "pio1@pd.example"}
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(command, cwd=root, check=True, env=env)
    result = subprocess.run([str(BIN / "pre-commit"), "run", "pressroom-content",
                             "--files", "content/2026/passwd.md", "content/2026/closure.md"],
                            cwd=root, capture_output=True, text=True, env=env, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "content/2026/passwd.md: FILE-LINK" in output and SECRET not in output


def test_the_image_hook_never_writes_through_a_link(tmp_path, outside):
    from imagefiles import exif_with_location, image_bytes

    target = outside / "photo.jpg"
    target.write_bytes(image_bytes("JPEG", exif_with_location()))
    before = target.read_bytes()
    root = tmp_path / "dept"
    (root / "content/images").mkdir(parents=True)
    (root / "content/images/photo.jpg").symlink_to(target)
    result = subprocess.run([str(BIN / "pressroom-strip-image-metadata"),
                             "content/images/photo.jpg"], cwd=root, capture_output=True,
                            text=True)
    assert result.returncode == 1 and "FILE-LINK" in result.stdout
    assert target.read_bytes() == before


# --- every path that writes a site runs the content rules ------------------------------------

BAD_POSTS = {
    "ssn": "The victim's SSN, 219-09-9999, was stolen.",
    "home address": "Officers arrested the suspect at his home at 1423 Maple Avenue.",
    "abusive": "These scumbags will be caught.",
}


@pytest.mark.parametrize("body", BAD_POSTS.values(), ids=BAD_POSTS.keys())
@pytest.mark.parametrize("with_settings", [False, True], ids=["build", "build --settings"])
def test_build_refuses_what_check_refuses(repo: Repo, tmp_path, body, with_settings):
    repo.post("2026/closure.md")
    repo.post("2026/bad.md", post_text(title="Arrest made", body=body))
    out = tmp_path / "www"
    args = ["build", "--repo", str(repo.root), "--output", str(out)]
    if with_settings:
        settings = tmp_path / "publishconf.py"
        settings.write_text("RELATIVE_URLS = False\n")
        args += ["--settings", str(settings)]
    checked = run("check", "--repo", str(repo.root))
    built = run(*args)
    assert checked.exit_code == 1 and built.exit_code == 1, built.output
    rule = next(li for li in checked.output.splitlines() if li.startswith("content/2026/bad"))
    assert rule.split(" ", 2)[:2] == next(
        li for li in built.output.splitlines() if li.startswith("content/2026/bad")
    ).split(" ", 2)[:2]
    assert not out.exists()


def test_build_says_it_is_a_preview(repo: Repo, tmp_path):
    repo.post("2026/closure.md")
    built = run("build", "--repo", str(repo.root), "--output", str(tmp_path / "out"))
    assert built.exit_code == 0 and "preview" in built.output


# --- reviewing never runs the department's Python -------------------------------------------

HOSTILE_SETTINGS = {
    "exit 3": "import sys\nsys.exit(3)\n",
    "writes a file": "open({marker!r}, 'w').write('ran')\n",
    "exit via expression": "TIMEZONE = __import__('sys').exit(3)\n",
    "raise": "raise SystemExit(5)\n",
    "syntax error": "SITENAME = \n",
}


@pytest.mark.parametrize("code", HOSTILE_SETTINGS.values(), ids=HOSTILE_SETTINGS.keys())
def test_settings_code_never_runs(repo: Repo, tmp_path, code):
    marker = tmp_path / "ran"
    repo.post("2026/closure.md")
    repo.settings(code.format(marker=str(marker)))
    checked = pressroom("check", "--repo", str(repo.root))  # refused, as data, not run
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "pelicanconf.py:1: SETTINGS" in checked.stdout and "Traceback" not in checked.stderr
    due = pressroom("due", "--repo", str(repo.root), "--now", "2026-11-27T12:00-08:00")
    assert due.returncode == 0, due.stdout + due.stderr
    built = pressroom("build", "--repo", str(repo.root), "--output", str(tmp_path / "out"))
    assert built.returncode == 2, built.stdout + built.stderr
    assert "pelicanconf.py:1: SETTINGS" in built.stderr and "Traceback" not in built.stderr
    assert len(built.stderr.strip().splitlines()) == 1
    assert not marker.exists() and not (tmp_path / "out").exists()


def test_the_department_settings_are_data_with_line_numbers(repo: Repo, tmp_path):
    repo.post("2026/closure.md")
    repo.site('[site]\nname = "PD"\ntimezone = "Mars/Olympus_Mons"\n')
    expected = ("policy/site.toml:3: SITE-CONFIG: timezone 'Mars/Olympus_Mons' is not a time "
                'zone (e.g. "America/Los_Angeles")')
    checked = pressroom("check", "--repo", str(repo.root))  # a finding of the repository
    assert checked.returncode == 1 and expected in checked.stdout.splitlines()
    built = pressroom("build", "--repo", str(repo.root), "--output", str(tmp_path / "out"))
    assert built.returncode == 2 and built.stderr.strip().endswith(expected)
    repo.site('[site]\nname = "PD"\ncolour = "blue"\n')
    result = pressroom("check", "--repo", str(repo.root))
    assert result.returncode == 1 and "policy/site.toml:3: SITE-CONFIG: unknown key" in \
        result.stdout
    repo.site('[site\n')
    result = pressroom("check", "--repo", str(repo.root))
    assert result.returncode == 1 and "policy/site.toml:1: SITE-CONFIG: not valid TOML" in \
        result.stdout


def test_the_time_zone_comes_from_the_department_settings(repo: Repo, tmp_path):
    """The rules and the build agree on local time: both read policy/site.toml."""
    repo.post("2026/late.md", date="2026-11-27 23:30")
    repo.site('[site]\ntimezone = "Pacific/Kiritimati"\n')  # UTC+14: already due
    out = tmp_path / "out"
    built = run("build", "--repo", str(repo.root), "--output", str(out),
                "--now", "2026-11-27T10:00-00:00")
    assert built.exit_code == 0, built.output
    assert (out / "2026/late/index.html").is_file()
    assert "+14:00" in (out / "2026/late/index.html").read_text()


def test_only_the_pelican_settings_a_department_may_tune_are_read(repo: Repo, tmp_path):
    """An allowlist, each value checked: THEME_TEMPLATES_OVERRIDES once ran a template from
    anywhere, THEME_STATIC_PATHS copied ~/.ssh into the site (tests/test_attack_more.py)."""
    repo.post("2026/closure.md")
    for text, message in (
            ("PLUGINS = ['evil']\n", "pelicanconf.py:1: SETTINGS: PLUGINS cannot be set here"),
            ("READERS = {}\n", "pelicanconf.py:1: SETTINGS: READERS cannot be set here"),
            ("DEFAULT_PAGINATION = -1\n", "DEFAULT_PAGINATION must be a whole number of at "
                                           "least 1"),
            ("PRESSROOM_FEED_MAX_ITEMS = -5\n", "PRESSROOM_FEED_MAX_ITEMS must be a whole"),
            ("TAG_REGEX_SUBSTITUTIONS = [('(', '')]\n", "TAG_REGEX_SUBSTITUTIONS must be a "
                                                         "list of (regular expression")):
        repo.settings(text)
        built = pressroom("build", "--repo", str(repo.root), "--output", str(tmp_path / "o"))
        assert built.returncode == 2 and message in built.stderr, (text, built.stderr)
    repo.settings("DEFAULT_PAGINATION = 3\nDATE_FORMATS = {'en': '%d %B %Y'}\n")
    built = pressroom("build", "--repo", str(repo.root), "--output", str(tmp_path / "o"))
    assert built.returncode == 0, built.stderr


def test_department_settings_may_not_hide_in_pelicanconf(repo: Repo, tmp_path):
    repo.post("2026/closure.md")
    repo.settings('DEFAULT_PAGINATION = 5\nTIMEZONE = "Asia/Tokyo"\n')
    built = pressroom("build", "--repo", str(repo.root), "--output", str(tmp_path / "out"))
    assert built.returncode == 2
    assert "pelicanconf.py:2: SETTINGS: TIMEZONE is a department setting: set it in " \
        "policy/site.toml" in built.stderr


def test_a_control_character_in_settings_or_roster_is_refused_by_name(repo: Repo, tmp_path):
    """A TOML escape decodes to a control character the source never shows; it would stop
    every build with an XML error naming nothing. Each file refuses it at its line."""
    repo.post("2026/closure.md")
    out = tmp_path / "out"
    repo.site('[site]\nname = "Example\\u0001 PD"\n')
    built = pressroom("build", "--repo", str(repo.root), "--output", str(out))
    assert built.returncode == 2 and "policy/site.toml:2: SITE-CONFIG: [site] name holds " \
        "control character U+0001" in built.stderr
    (repo.root / "policy/site.toml").unlink()
    repo.settings('DEFAULT_DATE_FORMAT = "%d\\u000b%b"\n')
    built = pressroom("build", "--repo", str(repo.root), "--output", str(out))
    assert built.returncode == 2 and "pelicanconf.py:1: SETTINGS: DEFAULT_DATE_FORMAT holds " \
        "control character" in built.stderr
    (repo.root / "pelicanconf.py").unlink()
    roster = repo.root / "policy/roster.toml"
    roster.write_text(roster.read_text().replace('name = "Pat Rivera"',
                                                 'name = "Pat\\u0001 Rivera"'))
    built = pressroom("build", "--repo", str(repo.root), "--output", str(out))
    assert built.returncode == 1 and "policy/roster.toml" in built.stdout
    assert "ROSTER-MEMBER: members.pio1 holds control character U+0001" in built.stdout
    assert "Traceback" not in built.stderr + built.stdout and not out.exists()


OTHER_READERS = {
    "content/2026/evil.html": (
        '<html><head><title>Evil</title><meta name="date" content="2026-11-20">'
        '<meta name="category" content="traffic"><meta name="author" content="pio1"></head>'
        f"<body><p>SSN 219-09-9999 {SECRET}</p></body></html>"),
    "content/2026/evil.rst": f"Evil\n####\n\n:date: 2026-11-20\n:author: pio1\n\n{SECRET}\n",
}


@pytest.mark.parametrize("name", OTHER_READERS, ids=lambda n: n.rsplit(".", 1)[1])
def test_files_pelican_could_read_besides_markdown_are_never_published(
        repo: Repo, tmp_path, name, without_rules):
    """An .html or .rst file under content/ was published by Pelican's other readers
    without any content rule seeing it. check refuses it (FILE-TYPE); and even with the
    rules switched off, the build reads only Markdown."""
    repo.post("2026/closure.md")
    (repo.root / name).write_text(OTHER_READERS[name])
    checked = run("check", "--repo", str(repo.root))
    assert checked.exit_code == 1 and f"{name}: FILE-TYPE" in checked.output
    built = run("build", "--repo", str(repo.root), "--output", str(tmp_path / "a"))
    assert built.exit_code == 1 and not (tmp_path / "a").exists()
    without_rules()
    built = run("build", "--repo", str(repo.root), "--output", str(tmp_path / "b"))
    assert built.exit_code == 0, built.output
    assert SECRET not in site_text(tmp_path / "b") and "219-09" not in site_text(tmp_path / "b")


def test_an_empty_gitkeep_is_fine_but_other_stray_files_are_not(repo: Repo):
    repo.post("2026/closure.md")
    (repo.root / "content/.gitkeep").write_text("")
    assert run("check", "--repo", str(repo.root)).exit_code == 0
    (repo.root / "content/notes.txt").write_text("draft ideas")
    checked = run("check", "--repo", str(repo.root))
    assert checked.exit_code == 1 and "content/notes.txt: FILE-TYPE" in checked.output


def test_a_roster_that_is_not_utf8_is_refused_not_shown_with_replacement_characters(
        repo: Repo, tmp_path):
    """A Latin-1 name ("Caf\\xe9") was read with U+FFFD and shown on every page (392.3: the
    public sees members' names); stray bytes at the end were a baffling TOML error."""
    from click.testing import CliRunner

    from pressroom.build.run import build_site
    from pressroom.cli import cli

    repo.post("2026/closure.md")
    roster = repo.root / "policy/roster.toml"
    data = roster.read_bytes()
    roster.write_bytes(data.replace(b'name = "', b'name = "Caf\xe9 ', 1))
    line = data[:data.index(b'name = "')].count(b"\n") + 1
    checked = CliRunner().invoke(cli, ["check", "--repo", str(repo.root)])
    assert checked.exit_code == 1, checked.output
    assert f"policy/roster.toml:{line}: FILE-ENCODING" in checked.output, checked.output
    assert "\ufffd" not in checked.output
    assert "FRONT-AUTHOR" not in checked.output  # the one cause, not a line for every post
    built = build_site(repo.root, tmp_path / "out")
    assert not built.ok and any(v.rule_id == "FILE-ENCODING" for v in built.problems)
    assert not (tmp_path / "out").exists()
