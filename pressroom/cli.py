"""The ``pressroom`` command: thin shells over the core.

Each command parses its options, calls one library function and turns the
result into output and an exit code: 0 clean, 1 violations (one line each,
``path:line: RULE-ID: message``), 2 usage or unreadable input.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from pressroom import __version__
from pressroom.violations import InputError


class UsageProblem(click.ClickException):
    """Bad input the command cannot work with: one line, exit 2."""

    exit_code = 2


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
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and the summary.")
def build(repo: Path, output: Path | None, now_text: str | None, config: Path | None,
          quiet: bool) -> None:
    """Check every post and build the public site with its feeds.

    Drafts and posts dated in the future are never written. The site is built
    in a temporary folder and swapped in only when everything succeeded, so a
    failed build leaves the previous site untouched.

    \b
    Examples:
      pressroom build
      pressroom build --repo ~/pd-site --output /srv/www/pd
    """
    from pressroom.build import build_site

    if not repo.is_dir():
        raise UsageProblem(f"{repo}: no such folder")
    now = parse_now(now_text)
    target = output if output is not None else repo / "output"
    say = (lambda message: None) if quiet else (lambda message: click.echo(f"… {message}"))
    try:
        result = build_site(repo, target, now=now, config=config, progress=say)
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
               f"{result.files} files in {result.seconds:.1f}s.")


def main() -> None:  # pragma: no cover - console entry for python -m
    cli()
