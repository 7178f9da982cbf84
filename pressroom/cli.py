"""The ``pressroom`` command: thin shells over the core.

Each command parses its options, calls one library function and turns the
result into output and an exit code: 0 clean, 1 violations (one line each,
``path:line: RULE-ID: message``), 2 usage or unreadable input.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import datetime
from pathlib import Path

import click

from pressroom import __version__
from pressroom.releases import DEFAULT_KEEP
from pressroom.violations import InputError


class UsageProblem(click.ClickException):
    """Bad input the command cannot work with: one line, exit 2."""

    exit_code = 2


def existing_folder(repo: Path) -> Path:
    """The --repo folder, or a one-line usage error (exit 2) when it does not exist."""
    if not repo.is_dir():
        raise UsageProblem(f"{repo}: no such folder")
    return repo


def parse_now(value: str | None) -> datetime | None:
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


KEEP_RELEASES_OPTION = click.option(
    "--keep-releases", "keep_releases", type=click.IntRange(min=0), default=DEFAULT_KEEP,
    show_default=True, metavar="N",
    help="Old releases of the site to keep beside it for `pressroom rollback`.")

REPO_OPTION = click.option(
    "--repo", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="The department repository (with content/ and policy/).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pressroom")
def cli() -> None:
    """pressroom: publish a police department's announcements, press releases
    and safety alerts to its website and feeds under Policy 392.

    \b
    Typical use:
      pressroom build                 build the site into output/
      pressroom build --now 2026-12-01T08:00-08:00
                                      preview the site as it will be then
    """


@cli.command()
@REPO_OPTION
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="Where to write the site  [default: REPO/output]")
@click.option("--now", "now_text", metavar="DATETIME", default=None,
              help="Build as if it were this time (ISO 8601 with offset); posts dated "
                   "later stay unpublished. Default: the current time.")
@click.option("--settings", "config", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Pelican settings file  [default: REPO/pelicanconf.py]")
@click.option("--full", is_flag=True,
              help="Rebuild every file even when only posts changed since the last build.")
@KEEP_RELEASES_OPTION
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and the summary.")
def build(repo: Path, output: Path | None, now_text: str | None, config: Path | None,
          full: bool, keep_releases: int, quiet: bool) -> None:
    """Check every post and build a preview of the site with its feeds.

    This builds the working folder as it is — a preview, not the approved
    site: `pressroom publish` builds exactly main's verified commit, read
    from git. Like publish, it first runs every content rule (`pressroom
    check`) and refuses to write anything when one is broken. Drafts and
    posts dated in the future are never written. A failed build leaves the
    previous site untouched.

    When only posts changed since the last build (and time moved on: an
    embargo ended, an alert expired), the build is incremental: it checks the
    changed posts and rewrites only the files they affect — the same bytes a
    full build writes — in a few seconds even for 10,000 posts. A change to
    the settings, theme, roster, policy, pages or images means a full build,
    which renders everything into a new release.

    The output path is a symbolic link to a release folder beside it
    (.NAME.releases/); a build switches it to the new release in one atomic
    rename, so readers see the old site or the new one, never a mix. One
    build or publish per output at a time: a second one exits 2 at once.

    \b
    Examples:
      pressroom build
      pressroom build --repo ~/pd-site --output /srv/www/pd
      pressroom build --full          # ignore the last build's state
    """
    from pressroom.build import build_site

    existing_folder(repo)
    now = parse_now(now_text)
    target = output if output is not None else repo / "output"
    say = (lambda message: None) if quiet else (lambda message: click.echo(f"… {message}"))
    try:
        result = build_site(repo, target, now=now, config=config, progress=say, full=full,
                            keep_releases=keep_releases)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not result.ok:
        for problem in result.problems:
            click.echo(str(problem))
        click.echo(f"Build refused: {len(result.problems)} problem(s); "
                   f"{target} was left unchanged.", err=True)
        raise SystemExit(1)
    withheld = []
    if result.drafts:
        withheld.append(f"{result.drafts} draft(s)")
    if result.scheduled:
        withheld.append(f"{result.scheduled} scheduled")
    note = f" (not public: {', '.join(withheld)})" if withheld else ""
    click.echo(f"Built {result.public} public post(s){note} into {target}: "
               f"{result.files} files in {result.seconds:.1f}s ({build_summary(result)}).")
    click.echo("This is a preview of the working folder; `pressroom publish` builds the "
               "approved commit on main.")


def build_summary(result) -> str:
    """How the files came to be: "incremental: 12 rewritten, ..." or "full build: why"."""
    if not result.incremental:
        return f"full build: {result.full_reason}" if result.full_reason else "full build"
    parts = [f"{result.rewritten} rewritten"]
    if result.banner_patched:
        parts.append(f"alert banner updated on {result.banner_patched}")
    if result.removed:
        parts.append(f"{result.removed} removed")
    return "incremental: " + ", ".join(parts) + ", the rest unchanged"


def main() -> None:
    """The console command: run, then exit without tearing down the build's objects.

    A 10,000-post build leaves a million objects; freeing them one by one at exit
    takes a second, which an urgent incident update should not wait for. Every file
    is closed and every stream flushed before leaving.
    """
    try:
        cli.main(prog_name="pressroom")
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if isinstance(done.code, str):
            click.echo(done.code, err=True)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@cli.command()
@REPO_OPTION
@click.option("--report", is_flag=True,
              help="Also list every suppression in force (path, line, rule, reason).")
@click.option("--today", "today_text", metavar="DATE", default=None,
              help="The date used for training reminders (YYYY-MM-DD). Default: today.")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def check(repo: Path, report: bool, today_text: str | None, files: tuple[Path, ...]) -> None:
    """Check posts and images against the content rules (392.3-392.5).

    With no FILES, checks every post and image under content/. Prints one line
    per problem (path:line: RULE-ID: message) and a summary. Exit 0 when
    clean (warnings allowed), 1 when a rule is broken, 2 for usage errors.

    \b
    Examples:
      pressroom check                          # the whole repository
      pressroom check content/2026/closure.md  # one post
      pressroom check --report                 # and list every suppression
    """
    from pressroom.checking import check_repo
    from pressroom.reporting import print_check_report, relative_files

    existing_folder(repo)
    today = parse_day(today_text)
    try:
        names = relative_files(repo, files) if files else None
        result = check_repo(repo, names, today=today, progress=_progress_printer())
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    print_check_report(result, report)
    raise SystemExit(0 if result.ok else 1)


def parse_day(value: str | None):
    from datetime import date

    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageProblem(f"--today {value!r} is not a date like 2026-11-27") from exc


def _progress_printer():
    """Progress on stderr for long checks, only when someone is watching."""
    import sys

    if not sys.stderr.isatty():
        return None

    def show(index: int, total: int) -> None:
        if total >= 500 and index % 500 == 0:
            click.echo(f"\r… checked {index:,} of {total:,} posts", err=True, nl=False)
        if total >= 500 and index == total - 1:
            click.echo("\r" + " " * 40 + "\r", err=True, nl=False)

    return show


# Register the command groups defined in their own modules.
from pressroom import cli_approvals, cli_init, cli_publishing, cli_records  # noqa: E402,F401
