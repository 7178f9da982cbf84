"""What every ``pressroom`` command shares: the usage error, shared options, parsers, printers.

The command modules import this module and nothing else from the CLI; the group in
``pressroom.cli`` imports the command modules. So imports run one way (group -> commands
-> common) and a command module can be read, imported and tested on its own.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import click

from pressroom.model.wording import did_you_mean, plural
from pressroom.publishing.release_folders import DEFAULT_KEEP


class UsageProblem(click.ClickException):
    """Bad input the command cannot work with: one line, exit 2."""

    exit_code = 2


def department_root(start: Path) -> Path:
    """The department repository a command run in ``start`` means: the nearest folder at or
    above ``start`` that holds ``.git`` (a folder, or a file in a worktree), as git finds
    it, or that holds both ``content/`` and ``policy/`` (a department folder not in git).

    So every command works from a subfolder (``content/2026/``) as from the top. A folder
    holding only one of them is used as it is (the command then says what is missing);
    anything else is one line saying where to go, never git's "fatal: not a git repository".
    """
    start = start.absolute()
    for folder in (start, *start.parents):
        if os.path.lexists(folder / ".git") or (
                (folder / "content").is_dir() and (folder / "policy").is_dir()):
            return folder
    if (start / "content").is_dir() or (start / "policy").is_dir():
        return start
    raise UsageProblem(f"{start} is not inside a department repository (no .git here or "
                       f"above, no content/ or policy/ here): cd into your clone of the "
                       f"department's repository, or pass --repo PATH")


def _repo_or_here(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """--repo as given, or else the repository the current folder is in."""
    return repo_or_here(value)


def repo_or_here(value: Path | None) -> Path:
    """``value``, or else the repository the current folder is in (``department_root``)."""
    if value is not None:
        return value
    try:
        here = Path.cwd()
    except OSError as exc:  # the folder was deleted under the shell
        raise UsageProblem("the current folder no longer exists: cd into your clone of the "
                           "department's repository, or pass --repo PATH") from exc
    return department_root(here)


REPO_HELP = ("The department repository (with content/ and policy/)  [default: the "
             "repository the current folder is in]")
REPO_OPTION = click.option(
    "--repo", type=click.Path(file_okay=False, path_type=Path), default=None,
    callback=_repo_or_here, help=REPO_HELP)


def require_git(repo: Path) -> Path:
    """``repo`` when it is a git repository; else a one-line usage error (exit 2).

    For the commands that read history (approve, verify, records, check --branch): git's
    own message ("fatal: not a git repository (or any of the parent directories)") says
    nothing about what to do."""
    existing_folder(repo)
    if not os.path.lexists(repo / ".git") and not (repo / "HEAD").is_file():
        from pressroom.repo.gitio import git

        inside = git(repo, "rev-parse", "--is-inside-work-tree", check=False).strip()
        if inside != b"true":
            raise UsageProblem(f"{repo} is not a git repository: run this in your clone of "
                               f"the department's repository, or pass --repo PATH")
    return repo

KEEP_RELEASES_OPTION = click.option(
    "--keep-releases", "keep_releases", type=click.IntRange(min=0), default=DEFAULT_KEEP,
    show_default=True, metavar="N",
    help="Old releases of the site to keep beside it for `pressroom rollback`.")

SEARCH_OPTION = click.option(
    "--no-search", "no_search", is_flag=True,
    help="Do not index the site for its search pages after it is live (the search pages "
         "keep the index they had).")


class SuggestingChoice(click.Choice):
    """``click.Choice`` that also says which choice was probably meant ("trafic")."""

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> object:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            hint = did_you_mean(str(value), [str(c) for c in self.choices])
            if not hint:
                raise
            self.fail(f"{exc.message.rstrip('.')}{hint}", param, ctx)


def all_approved(checked: int, where: str) -> str:
    """"all 5 commits on main are approved merges", "the 1 commit on main is an approved
    merge": the summary of ``verify`` and of the records archive's report."""
    if checked == 1:
        return f"the 1 commit on {where} is an approved merge"
    return f"all {plural(checked, 'commit')} on {where} are approved merges"


def existing_folder(repo: Path) -> Path:
    """The --repo folder, or a one-line usage error (exit 2) when it does not exist."""
    if not repo.is_dir():
        raise UsageProblem(f"{repo}: no such folder")
    return repo


def parse_now(value: str | None) -> datetime | None:
    """--now as an aware datetime (None: the caller uses the real clock).

    A time without a UTC offset is refused rather than guessed: an embargo read in the
    wrong zone publishes hours early."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise UsageProblem(f"--now {value!r} is not a date and time like "
                           f"2026-11-20T18:00-08:00") from exc
    if parsed.tzinfo is None:
        raise UsageProblem(f"--now {value!r} needs a UTC offset, e.g. 2026-11-20T18:00-08:00")
    return parsed


def parse_day(value: str | None, option: str = "--today") -> date:
    """A date option (--today, --as-of) as a date; today when not given."""
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageProblem(f"{option} {value!r} is not a date like 2026-11-27") from exc


def step_printer(quiet: bool) -> Callable[[str], None]:
    """The progress callback of build and publish: "… step" lines, or nothing with --quiet."""
    if quiet:
        return lambda message: None
    return lambda message: click.echo(f"… {message}")


def progress_printer() -> Callable[[int, int], None] | None:
    """Progress on stderr for long checks, only when someone is watching."""
    if not sys.stderr.isatty():
        return None

    def show(index: int, total: int) -> None:
        if total >= 500 and index % 500 == 0:
            click.echo(f"\r… checked {index:,} of {total:,} posts", err=True, nl=False)
        if total >= 500 and index == total - 1:
            click.echo("\r" + " " * 40 + "\r", err=True, nl=False)

    return show
