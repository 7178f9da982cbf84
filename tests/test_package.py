"""The package a department installs: the wheel alone, in a fresh virtual environment.

The wheel is built from this repository (not installed editable) and installed with its
dependencies into a new venv without this checkout on the path. There, and only there,
``pressroom init`` makes a department repository, a post is added, and ``check``, ``build``
and the pre-commit hooks run from the installed console scripts. Building and installing
take ~15 s (pip's cache keeps the dependencies); pip needs the package index for the
dependencies and the build backend, so the test skips on a laptop without it and fails in CI.

``pressroom init`` itself (refusals, names, what it writes) is tested in-process below.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import PROJECT, post_text, require_tool

from pressroom import __version__
from pressroom.adapter.engine import PLUGINS
from pressroom.cli import cli
from pressroom.hooks import check_content, strip_image_metadata
from pressroom.init import FILES, init_department
from pressroom.model.violations import InputError
from pressroom.render.site import PLUGINS_PATH, THEME_PATH
from pressroom.repo.department import parse_department

DEPARTMENT = "Azusa Police Department"
POST = "content/2026/road-closure-on-foothill.md"


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None,
        timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def outside_env(venv: Path) -> dict[str, str]:
    """The environment of a department's shell: the fresh venv first, no checkout paths."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    shared = str(Path(sys.executable).parent)
    path = [p for p in env.get("PATH", os.defpath).split(os.pathsep) if p and p != shared]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    return env


# --- the wheel --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """``pip wheel`` of a copy of the package's sources (the checkout is not written to)."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT / name, src / name)
    shutil.copytree(PROJECT / "pressroom", src / "pressroom",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(src),
                 "-w", str(root / "dist")], cwd=root)
    require_tool(built.returncode == 0,
                 f"pip wheel (the build backend from the package index): {built.stderr[-500:]}")
    wheels = list((root / "dist").glob("pressroom-*.whl"))
    assert [w.name for w in wheels] == [f"pressroom-{__version__}-py3-none-any.whl"]
    return wheels[0]


def test_the_wheel_carries_theme_plugins_and_defaults_and_only_the_pressroom_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    tops = {name.split("/")[0] for name in names}
    assert tops == {"pressroom", f"pressroom-{__version__}.dist-info"}  # no `hooks`, no `plugins`
    for folder in (THEME_PATH, PLUGINS_PATH):
        shipped = [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        assert shipped
        for path in shipped:
            assert path.relative_to(PROJECT).as_posix() in names
    assert "pressroom/adapter/theme/templates/base.html" in names
    assert "pressroom/adapter/theme/static/css/site.css" in names
    for plugin in PLUGINS:
        assert plugin.replace(".", "/") + "/__init__.py" in names
    for _, template in FILES:
        if template:
            assert f"pressroom/defaults/{template}" in names
    assert "pressroom/rules/defaults.toml" in names
    assert "pressroom/defaults/nginx.conf" in names  # pressroom nginx-config fills it in
    desk = [p for p in (PROJECT / "pressroom/desk").rglob("*")
            if p.is_file() and p.suffix in (".html", ".css", ".js")]
    assert {"base.html", "desk.css", "desk.js"} <= {p.name for p in desk}  # pressroom desk
    for path in desk:
        assert path.relative_to(PROJECT).as_posix() in names
    entry_points = zipfile.ZipFile(wheel).read(
        f"pressroom-{__version__}.dist-info/entry_points.txt").decode()
    assert "pressroom-check-content = pressroom.hooks.check_content:main" in entry_points
    assert "pressroom-strip-image-metadata = pressroom.hooks.strip_image_metadata:main" \
        in entry_points


def test_the_version_has_one_source():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "pressroom._version.__version__"}
    assert tuple(int(part) for part in __version__.split(".")) >= (0, 2, 0)


@pytest.fixture(scope="module")
def fresh(wheel, tmp_path_factory) -> Path:
    """A new venv holding the wheel and its dependencies (pinned by constraints.txt)."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    made = run([sys.executable, "-m", "venv", str(venv)], cwd=venv.parent)
    assert made.returncode == 0, made.stderr
    installed = run([str(venv / "bin/python"), "-m", "pip", "install", "-q",
                     "-c", str(PROJECT / "constraints.txt"), str(wheel)],
                    cwd=venv.parent, env=outside_env(venv), timeout=600)
    require_tool(installed.returncode == 0,
                 f"pip install of the wheel's dependencies: {installed.stderr[-500:]}")
    return venv


def test_a_department_installs_the_wheel_and_starts_its_own_repository(fresh, tmp_path):
    env = outside_env(fresh)
    where = run([str(fresh / "bin/python"), "-c", "import pressroom; print(pressroom.__file__)"],
                cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(fresh), where.stdout + where.stderr
    desk = run([str(fresh / "bin/python"), "-c", "import pressroom.desk.app"], cwd=tmp_path,
               env=env)
    assert desk.returncode == 0, desk.stderr  # Flask came with the wheel's dependencies
    version = run(["pressroom", "--version"], cwd=tmp_path, env=env)
    assert version.stdout.strip() == f"pressroom, version {__version__}"

    made = run(["pressroom", "init", "azusa", "--department", DEPARTMENT], cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stdout + made.stderr
    dept = tmp_path / "azusa"
    assert "git add -A && git commit" in made.stdout  # told, not done: the anchor is theirs

    (dept / POST).parent.mkdir(parents=True)
    (dept / POST).write_text(post_text(title="Road closure on Foothill Boulevard"))
    checked = run(["pressroom", "check"], cwd=dept, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "checked 1 file, no problems" in checked.stdout
    built = run(["pressroom", "build"], cwd=dept, env=env)
    assert built.returncode == 0, built.stdout + built.stderr

    site = dept / "output"
    assert (site / "theme/css/site.css").read_bytes() == \
        (THEME_PATH / "static/css/site.css").read_bytes()
    index = (site / "index.html").read_text(encoding="utf-8")
    linked = re.search(r'href="[^"]*/(theme/css/site\.[0-9a-f]{12}\.css)"', index)
    assert linked and DEPARTMENT in index  # the page links the fingerprinted copy
    assert (site / linked.group(1)).read_bytes() == (site / "theme/css/site.css").read_bytes()
    assert "Road closure on Foothill Boulevard" in index
    assert (site / "2026/road-closure-on-foothill/index.html").is_file()
    for feed in ("feeds/all.atom.xml", "feeds/all.rss.xml", "feeds/traffic.atom.xml"):
        assert "Road closure on Foothill Boulevard" in (site / feed).read_text(encoding="utf-8")

    # git keeps content/ and the policy files and ignores the build's output
    staged = run(["git", "add", "-A", "--dry-run"], cwd=dept).stdout
    for rel in ("policy/roster.toml", "content/.gitkeep", ".pre-commit-config.yaml", POST):
        assert f"add '{rel}'" in staged
    assert "output" not in staged and ".output" not in staged

    # the pinned hooks run from the installed console scripts
    assert run(["git", "add", "-A"], cwd=dept).returncode == 0
    hook_env = {**env, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    clean = run(["pre-commit", "run", "--files", POST], cwd=dept, env=hook_env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    (dept / POST).write_text(post_text(body="The victim's SSN, 219-09-9999, was stolen."))
    refused = run(["pre-commit", "run", "--files", POST], cwd=dept, env=hook_env)
    assert refused.returncode == 1
    assert f"{POST}:7: PRIVACY-SSN" in refused.stdout


# --- pressroom init, in-process ---------------------------------------------------------------

def test_init_makes_a_repository_that_checks_and_builds(tmp_path):
    runner = CliRunner()
    dept = tmp_path / "dept"
    made = runner.invoke(cli, ["init", str(dept), "--department", DEPARTMENT])
    assert made.exit_code == 0, made.output
    assert run(["git", "symbolic-ref", "HEAD"], cwd=dept).stdout.strip() == "refs/heads/main"
    assert run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=dept).returncode != 0
    for rel, _ in FILES:
        assert (dept / rel).is_file(), rel
    assert f"pressroom-check-content --pressroom-version {__version__}" in \
        (dept / ".pre-commit-config.yaml").read_text()
    assert DEPARTMENT in (dept / "README.md").read_text()
    assert runner.invoke(cli, ["check", "--repo", str(dept)]).exit_code == 0
    built = runner.invoke(cli, ["build", "--repo", str(dept), "--output", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    assert "warning" not in built.output.lower(), built.output  # no posts yet is not a problem
    assert DEPARTMENT in (tmp_path / "out/contact/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("prepare", ["file", "not-empty", "link"])
def test_init_refuses_anything_but_a_new_or_empty_folder(tmp_path, prepare):
    target = tmp_path / "dept"
    if prepare == "file":
        target.write_text("x")
    elif prepare == "not-empty":
        target.mkdir()
        (target / "notes.txt").write_text("mine")
    else:
        (tmp_path / "elsewhere").mkdir()
        target.symlink_to(tmp_path / "elsewhere")
    result = CliRunner().invoke(cli, ["init", str(target), "--department", DEPARTMENT])
    assert result.exit_code == 2
    assert not (tmp_path / "elsewhere").exists() or not any((tmp_path / "elsewhere").iterdir())
    if prepare == "not-empty":
        assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_init_accepts_an_existing_empty_folder(tmp_path):
    (tmp_path / "dept").mkdir()
    made = init_department(tmp_path / "dept", DEPARTMENT, today=date(2026, 11, 29))
    assert (made.root / ".git").is_dir()
    assert "trained = 2026-11-29" in (made.root / "policy/roster.toml").read_text()


def test_a_name_with_quotes_and_backslashes_is_written_as_toml_carries_it(tmp_path):
    name = 'Saint "Joe\'s" \\ Police Department, Ünterführung'
    made = init_department(tmp_path / "dept", name)
    department = parse_department((made.root / "policy/site.toml").read_text())
    assert department.name == name
    assert department.description == f"News, safety alerts and announcements from the {name}."


@pytest.mark.parametrize(("department", "timezone", "message"), [
    ("", "America/Los_Angeles", "must name the department"),
    ("Azusa\x07 PD", "America/Los_Angeles", "--department holds"),
    ("x" * 201, "America/Los_Angeles", "characters long"),
    (DEPARTMENT, "Mars/Olympus", "not a time zone"),
])
def test_init_refuses_a_name_or_zone_a_site_cannot_carry_and_writes_nothing(
        tmp_path, department, timezone, message):
    with pytest.raises(InputError, match=message):
        init_department(tmp_path / "dept", department, timezone=timezone)
    assert not (tmp_path / "dept").exists()


def test_the_hooks_refuse_a_pressroom_other_than_the_pinned_one(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert check_content.main(["--pressroom-version", "0.0.1", "x.md"]) == 2
    assert strip_image_metadata.main(["--pressroom-version", "0.0.1", "x.jpg"]) == 2
    out = capsys.readouterr().out
    assert f"pins pressroom 0.0.1, but {__version__} is installed" in out
    assert check_content.main(["--pressroom-version", __version__]) == 0
