"""``pressroom preview``: a branch as the public would see it after the merge, and its
review sheet (``pressroom.preview``)."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from pressroom.cli.common import REPO_OPTION, UsageProblem, existing_folder, parse_now, step_printer
from pressroom.model.violations import InputError

# Reasons not to approve printed on the terminal; the sheet lists all of them.
SHOWN_PROBLEMS = 10


def _terminated(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


@click.command("preview")
@REPO_OPTION
@click.argument("rev")
@click.option("--base", default="main", show_default=True,
              help="The branch REV would be merged into.")
@click.option("--output", type=click.Path(path_type=Path), required=True,
              help="The folder to write: site/, review.html, review.json. Replaced when it "
                   "holds an earlier preview; refused when it holds anything else.")
@click.option("--now", "now_text", metavar="DATETIME", default=None,
              help="Build both sites as if it were this time (ISO 8601 with offset). "
                   "Default: the current time.")
@click.option("--key", "reviewer_key", metavar="KEY", default=None,
              help="Your public key or key file, for 'may I approve this?'. "
                   "Default: git's user.signingkey.")
@click.option("--timeout", type=click.FloatRange(min=1), default=300, show_default=True,
              metavar="SECONDS",
              help="Stop either of the two builds when it takes longer than this.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and the summary.")
def preview_command(repo: Path, rev: str, base: str, output: Path, now_text: str | None,
                    reviewer_key: str | None, timeout: float, quiet: bool) -> None:
    """Preview merging REV into main: the site as the public would see it, and a review sheet.

    Reads everything from git (the branch need not be checked out; the
    working folder is never read) and runs none of the branch's code: its
    settings are read as data, its templates sandboxed and stopped after
    --timeout, its plugins never run (a branch that changes plugins/ is
    refused). Both main and the merge are built at the same --now, so only
    the merge's changes differ.

    OUTPUT/site/ is the merged site, every page marked "Preview — not
    approved" and noindex; open OUTPUT/review.html in a browser. It lists
    every public URL added, changed or removed (with the changed text), the
    content-rule findings and suppressions, each commit's signer (from its
    signature), whether you may approve it, the incidents touched, and what
    the merge schedules after --now (an embargoed post falling due).
    OUTPUT/review.json holds the same for programs.

    Exit 0 when the preview was made (even with findings: they are in the
    sheet), 1 when it was refused (a merge conflict, an unusable tree), 2 for
    a usage error.

    \b
    Examples:
      git fetch
      pressroom preview origin/post/road-closure-on-elm-street --output /tmp/review
      pressroom preview origin/post/gas-leak-2 --now 2026-12-01T08:00-08:00 --output /tmp/r
    """
    from pressroom.preview import PreviewRefused, make_preview

    existing_folder(repo)
    now = parse_now(now_text)
    # A terminate (the desk or a service manager stopping us) unwinds like Ctrl-C, so the
    # build child, in a session of its own, is killed and the work folder removed.
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        review = make_preview(repo, rev, base=base, output=output, now=now,
                              reviewer_key=reviewer_key, progress=step_printer(quiet),
                              timeout=timeout)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    except PreviewRefused as exc:
        click.echo(f"Preview refused: {exc}", err=True)
        raise SystemExit(1) from exc
    finally:
        signal.signal(signal.SIGTERM, previous)
    for finding in review.findings:
        where = f"{finding.path}:{finding.line}" if finding.line else finding.path
        note = "(warning) " if finding.severity == "warning" else ""
        click.echo(f"{where}: {finding.rule}: {note}{finding.message}")
    shown = review.approval_problems[:SHOWN_PROBLEMS]
    for problem in shown:
        click.echo(f"you may not approve it: {problem}")
    if len(review.approval_problems) > len(shown):
        click.echo(f"... and {len(review.approval_problems) - len(shown)} more reasons in "
                   f"the review sheet")
    click.echo(f"Preview of {rev} into {base} in {output}: {review.summary()}.")
    click.echo(f"Open {output / 'review.html'} in a browser.")
