"""CLI command for translations (issue #14): ``pressroom translations``, the stale report."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pressroom.cli.common import REPO_OPTION, UsageProblem, existing_folder, require_git
from pressroom.model.violations import InputError, printable


@click.command("translations")
@REPO_OPTION
@click.option("--stale", "only_work", is_flag=True,
              help="Show only what needs work: stale translations, missing required ones and "
                   "orphans.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document, for scripts.")
@click.option("--branch", "rev", metavar="REV", default=None,
              help="Report on this branch (or tag, or commit) as git holds it, e.g. "
                   "origin/post/gas-leak-es, instead of the working folder.")
def translations_command(repo: Path, only_work: bool, as_json: bool, rev: str | None) -> None:
    """Which posts need translating, and which translations fell behind.

    For every original that has translations, and every safety alert or
    incident update (they need one in each required language of
    policy/site.toml [languages]), one line per language: "up to date",
    "stale since <date> (original modified <date>)" when the original's
    Modified is later than the translation's, "missing (required)" or "—".
    Then translations whose slug no original has (orphans), and a summary.

    A report: it exits 0 whatever it finds (2 for a usage error).
    `pressroom check` reports the same as findings (TRANSLATION-MISSING,
    TRANSLATION-STALE, TRANSLATION-ORPHAN) with their severities.

    \b
    Examples:
      pressroom translations                 # every original and its languages
      pressroom translations --stale         # only what needs work
      pressroom translations --json          # for scripts
      pressroom translations --branch origin/post/gas-leak-es
    A missing translation is started with:
      pressroom new --translate content/2026/gas-leak.md --lang es
    """
    from pressroom.checking.translation_report import translation_report

    existing_folder(repo)
    if rev is not None:
        require_git(repo)
    try:
        report = translation_report(repo, rev)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(report.as_json(only_work), indent=2, ensure_ascii=False))
        return
    for line in report.lines(only_work):
        click.echo(printable(line))  # a branch's titles: no control character reaches the tty
