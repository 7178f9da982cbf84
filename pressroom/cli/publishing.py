"""CLI commands for time-driven publishing (392.4 e, 392.4.1): due, publish, rollback."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from pressroom.cli.common import (
    KEEP_RELEASES_OPTION,
    REPO_OPTION,
    SEARCH_OPTION,
    UsageProblem,
    existing_folder,
    parse_now,
    step_printer,
)
from pressroom.model.violations import InputError
from pressroom.model.wording import plural

NOW_OPTION = click.option("--now", "now_text", metavar="DATETIME", default=None,
                          help="Act as if it were this time (ISO 8601 with offset). "
                               "Default: the current time.")


@click.command("due")
@REPO_OPTION
@NOW_OPTION
@click.option("--all", "show_all", is_flag=True, help="List every upcoming change.")
def due_command(repo: Path, now_text: str | None, show_all: bool) -> None:
    """Print when the published site will next change by itself.

    An embargoed post falling due, a safety alert expiring (it leaves the banner),
    or an ended alert leaving the CAP index. Prints the time (ISO 8601) and why,
    or "nothing scheduled".

    \b
    Example:
      pressroom due
      when="$(pressroom due | cut -d' ' -f1)"     # e.g. 2026-12-18T08:00-08:00
      systemd-run --on-calendar="$(date -d "$when" '+%F %T')" pressroom publish ...
    """
    from pressroom.publishing.publish import due

    now = parse_now(now_text) or datetime.now(UTC)
    try:
        changes = due(repo, now)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    if not changes:
        click.echo("nothing scheduled")
        return
    for moment, why in changes if show_all else changes[:1]:
        click.echo(f"{moment.isoformat(timespec='minutes')} {why}")


@click.command("publish")
@REPO_OPTION
@click.option("--target", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="What the web server serves: a link to the live release, switched "
                   "atomically (releases are kept beside it for `pressroom rollback`).")
@NOW_OPTION
@click.option("--branch", default="main", show_default=True,
              help="The branch to verify and publish (a branch name, never a revision).")
@click.option("--platform", is_flag=True, help="Main is merged on GitHub/GitLab (see verify).")
@KEEP_RELEASES_OPTION
@click.option("--websub-hub", "websub_hub", metavar="URL", default="",
              help="The WebSub hub to name in every feed and notify of the feeds this "
                   "publish changed, instead of [feeds] websub_hub in policy/site.toml.")
@SEARCH_OPTION
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and the summary.")
def publish_command(repo: Path, target: Path, now_text: str | None, branch: str,
                    platform: bool, keep_releases: int, websub_hub: str, no_search: bool,
                    quiet: bool) -> None:
    """Verify approvals, check content, build and deploy the site — or change nothing.

    Builds exactly the commit on the branch (main) whose approvals it has just
    verified, read from git: untracked, edited or linked files in the checkout,
    or a checkout on another branch, never reach the site. Safe to run from cron
    or a systemd timer: one run at a time (a lock); the site only moves forward
    along main's history (a clone that is behind is refused: pull first); and the
    served link is switched to the new release only when every step succeeded.
    Exit 0 published, 1 refused (the site is unchanged), 2 usage.

    With a WebSub hub ([feeds] websub_hub of the published commit, or --websub-hub),
    every feed names the hub, and once the site is live the hub gets one POST
    (hub.mode=publish, a hub.url per feed that changed; nothing when none did),
    tried up to 3 times, 5 s each. Its answer is printed and recorded in
    .TARGET.websub.jsonl beside the target; it never changes the exit code.

    Then the live site is indexed for its search pages (Pagefind, into pagefind/ of
    the live release): the site is already live, search follows seconds later. A
    failed index is a warning: the site stays live with the search it had.

    \b
    Examples:
      cd /srv/pd-site && git pull --ff-only -q && pressroom publish --target /var/www/pd
      pressroom publish --target /var/www/pd --websub-hub https://pubsubhubbub.appspot.com/
    """
    from pressroom.publishing.publish import publish

    existing_folder(repo)
    now = parse_now(now_text) or datetime.now(UTC)
    say = step_printer(quiet)
    try:
        result = publish(repo, target, now, branch, platform, say, keep_releases,
                         websub_hub=websub_hub, search=not no_search)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    if not result.ok:
        for problem in result.problems:
            click.echo(problem)
        click.echo(f"Not published: {plural(len(result.problems), 'problem')}; {target} is "
                   f"unchanged.",
                   err=True)
        raise SystemExit(1)
    assert result.build is not None
    nxt = (f" Next change: {result.next_change[0].isoformat(timespec='minutes')} "
           f"({result.next_change[1]})." if result.next_change else "")
    tests = (f" and {plural(result.build.tests, 'test alert')} (CAP only)"
             if result.build.tests else "")
    click.echo(f"Published {plural(result.build.public, 'post')}{tests} to {target}.{nxt}")
    if result.websub is not None:  # the site is live either way: exit 0
        click.echo(result.websub.summary(), err=result.websub.sent and not result.websub.ok)
    if result.search is not None:  # the site is live either way: exit 0
        click.echo(result.search.describe(), err=not result.search.ok)


@click.command("rollback")
@click.option("--target", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The served folder publish deploys to.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder build writes to  [default: ./output]")
@click.option("--to", "to", metavar="RELEASE", default=None,
              help="The release to make live (see --list). Default: the one before the "
                   "live one.")
@click.option("--list", "show", is_flag=True, help="List the kept releases; change nothing.")
def rollback_command(target: Path | None, output: Path | None, to: str | None,
                     show: bool) -> None:
    """Put an earlier release of the site back live, in one atomic switch.

    Every build keeps the last few releases beside the site (--keep-releases);
    rollback points the site at the one before the live one, or at --to RELEASE,
    under the same lock as build and publish. The next build is then a full
    one. Exit 0 switched (or listed), 2 nothing to roll back to or usage.

    \b
    Examples:
      pressroom rollback --target /var/www/pd --list
      pressroom rollback --target /var/www/pd
      pressroom rollback --target /var/www/pd --to 20261124T184500Z-41
    """
    from pressroom.publishing import releases

    if target is not None and output is not None:
        raise UsageProblem("give --target or --output, not both")
    site = target or output or Path("output")
    try:
        if show:
            listed = releases.describe(site)
            if not listed:
                raise InputError(f"{site}: no releases kept here")
            for release, live in listed:
                click.echo(f"{'*' if live else ' '} {release.id}{'  (live)' if live else ''}")
            return
        release = releases.rollback(site, to)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    click.echo(f"{site} now serves release {release.id}. The next build is a full one.")
