"""``pressroom init``: a new department repository that checks and builds on its first day.

The files come from ``pressroom/defaults/`` (inside the installed package), filled in with
the department's name, the time zone, today's date and the installed version. Every policy
file is parsed by the same code ``pressroom check`` uses before anything is written, so a
name that TOML or the site settings cannot carry is refused up front, not found later.

No commit is made: the first commit adopts the roster and is the anchor every later approval
is verified from, so it must carry the real members and their signing keys, not the example.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from string import Template
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pressroom import __version__
from pressroom.model.roster import parse_roster
from pressroom.model.violations import InputError
from pressroom.repo.department import parse_department
from pressroom.repo.gitio import GitError, git
from pressroom.rules.characters import forbidden_character

DEFAULT_TIMEZONE = "America/Los_Angeles"
MAX_NAME = 200

# repository path -> template in pressroom/defaults/
FILES: tuple[tuple[str, str], ...] = (
    ("policy/roster.toml", "roster.toml"),
    ("policy/site.toml", "site.toml"),
    ("policy/rules.toml", "rules.toml"),
    ("policy/retention.toml", "retention.toml"),
    (".pre-commit-config.yaml", "pre-commit-config.yaml"),
    (".gitignore", "gitignore"),
    # on GitHub: the review sheet and its summary on every pull request (docs/approvals.md)
    (".github/workflows/pressroom-review.yml", "pressroom-review.yaml"),
    ("README.md", "README.md"),
    ("content/.gitkeep", ""),
)


@dataclass(frozen=True)
class NewDepartment:
    """What ``init_department`` made: the repository and its files, in writing order."""

    root: Path
    files: tuple[str, ...]


def _template(name: str) -> str:
    return resources.files("pressroom.defaults").joinpath(name).read_text(encoding="utf-8")


def _toml_string(value: str) -> str:
    """A TOML basic string for ``value`` (JSON's escapes are a subset of TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def check_name(department: str) -> str:
    """The department's name, stripped; an ``InputError`` when a site could not carry it."""
    name = department.strip()
    if not name:
        raise InputError("--department must name the department, e.g. "
                         "\"Azusa Police Department\"")
    if len(name) > MAX_NAME:
        raise InputError(f"--department is {len(name)} characters long; keep it under "
                         f"{MAX_NAME}")
    if (bad := forbidden_character(name)) is not None:
        raise InputError(f"--department holds {bad}; delete it")
    return name


def render_files(department: str, timezone: str, today: date) -> dict[str, str]:
    """Every file of the new repository, as text, checked by the parsers ``check`` uses."""
    name = check_name(department)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(f"--timezone {timezone!r} is not a time zone "
                         f"(e.g. \"{DEFAULT_TIMEZONE}\")") from exc
    values = {
        "department": name,
        "name_toml": _toml_string(name),
        "description_toml": _toml_string(
            f"News, safety alerts and announcements from the {name}."),
        "timezone": timezone,
        "today": today.isoformat(),
        "version": __version__,
    }
    files = {path: Template(_template(source)).substitute(values) if source else ""
             for path, source in FILES}
    parse_department(files["policy/site.toml"])  # raises InputError naming the line
    _, problems = parse_roster(files["policy/roster.toml"])
    if problems:
        raise InputError(str(problems[0]))
    return files


def init_department(root: Path, department: str, *, timezone: str = DEFAULT_TIMEZONE,
                    today: date | None = None) -> NewDepartment:
    """Create the department repository at ``root`` (absent or an empty folder).

    An ``InputError`` (nothing written) when ``root`` is a file or a folder with anything
    in it, the name or time zone is unusable, or git is missing.
    """
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        raise InputError(f"{root}: exists and is not a folder")
    if root.is_dir() and any(root.iterdir()):
        raise InputError(f"{root}: not empty; pressroom init only creates a new repository")
    files = render_files(department, timezone, today or date.today())
    root.mkdir(parents=True, exist_ok=True)
    try:
        git(root, "init", "--quiet", "--initial-branch=main")
    except (GitError, FileNotFoundError) as exc:
        raise InputError(f"git init: {exc}") from exc
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:  # never overwrite
            handle.write(text)
    return NewDepartment(root=root, files=tuple(files))


def next_steps(made: NewDepartment) -> list[str]:
    """What the department does next, in order (the CLI prints these)."""
    return [
        f"cd {made.root}",
        "Fill in policy/roster.toml: real members, roles, training dates and, for everyone "
        "who approves, an SSH signing_key (replace the example member).",
        "Fill in policy/site.toml (public address, contact) and, if needed, policy/rules.toml.",
        "pressroom check && pressroom build   # works now, and after every change",
        "As the chief: git add -A && git commit -m \"Adopt roster and rules\"  "
        "(the first commit is the anchor every approval is verified from)",
        "The central repository, on the server: git init --bare -b main pd-site.git && "
        "pressroom install-hooks --bare pd-site.git",
        "As the chief: git remote add origin SERVER:pd-site.git && git push -u origin main",
        "Each member, once per clone: pre-commit install (with pressroom on PATH) and "
        "pressroom setup-signing --member ID --key ~/.ssh/KEY",
    ]
