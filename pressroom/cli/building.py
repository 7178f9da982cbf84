"""The commands of the site itself: ``pressroom build`` (a preview) and ``pressroom check``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pressroom.cli.common import (
    KEEP_RELEASES_OPTION,
    REPO_HELP,
    REPO_OPTION,
    SEARCH_OPTION,
    UsageProblem,
    existing_folder,
    parse_day,
    parse_now,
    progress_printer,
    repo_or_here,
    require_git,
    step_printer,
)
from pressroom.model.violations import InputError
from pressroom.model.wording import plural

if TYPE_CHECKING:
    from pressroom.build.run import BuildResult


@click.command("build")
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
@SEARCH_OPTION
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and the summary.")
def build(repo: Path, output: Path | None, now_text: str | None, config: Path | None,
          full: bool, keep_releases: int, no_search: bool, quiet: bool) -> None:
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
    Once the site is switched, it is indexed for its search pages (search/,
    es/search/ ...; --no-search skips it); a failed index is only a warning.

    \b
    Examples:
      pressroom build
      pressroom build --repo ~/pd-site --output /srv/www/pd
      pressroom build --full          # ignore the last build's state
      pressroom build --no-search     # a quicker preview: search keeps its old index
    """
    from pressroom.build.run import build_site

    existing_folder(repo)
    now = parse_now(now_text)
    target = output if output is not None else repo / "output"
    from pressroom.publishing.publish import published_record

    if published_record(target.absolute()).is_file():  # the public site: verified commits only
        raise UsageProblem(f"{target}: pressroom publish serves this folder (the public site); "
                           f"a build of the working folder is a preview: give another "
                           f"--output, or run pressroom publish --target {target}")
    say = step_printer(quiet)
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
        click.echo(f"Build refused: {plural(len(result.problems), 'problem')}; "
                   f"{target} was left unchanged.", err=True)
        raise SystemExit(1)
    withheld = []
    if result.drafts:
        withheld.append(plural(result.drafts, "draft"))
    if result.scheduled:
        withheld.append(f"{result.scheduled} scheduled")
    if result.tests:
        withheld.append(f"{plural(result.tests, 'test alert')} in CAP only")
    note = f" (not public: {', '.join(withheld)})" if withheld else ""
    click.echo(f"Built {plural(result.public, 'public post')}{note} into {target}: "
               f"{plural(result.files, 'file')} in {result.seconds:.1f}s "
               f"({build_summary(result)}).")
    click.echo("This is a preview of the working folder; `pressroom publish` builds the "
               "approved commit on main.")
    if not no_search:
        from pressroom.publishing.search_index import follow

        index = follow(target, say)
        click.echo(index.describe(), err=not index.ok)  # the site is live either way


def build_summary(result: BuildResult) -> str:
    """How the files came to be: "incremental: 12 rewritten, ..." or "full build: why"."""
    if not result.incremental:
        return f"full build: {result.full_reason}" if result.full_reason else "full build"
    parts = [f"{result.rewritten} rewritten"]
    if result.banner_patched:
        parts.append(f"alert banner updated on {result.banner_patched}")
    if result.removed:
        parts.append(f"{result.removed} removed")
    return "incremental: " + ", ".join(parts) + ", the rest unchanged"


@click.command("check")
@REPO_OPTION
@click.option("--branch", "rev", metavar="REV", default=None,
              help="Check this branch (or tag, or commit) as git holds it, without checking "
                   "it out: e.g. origin/post/road-closure. FILES are then the branch's "
                   "paths. Nothing of the branch runs and nothing in the working folder "
                   "counts.")
@click.option("--report", is_flag=True,
              help="Also list every suppression in force (path, line, rule, reason).")
@click.option("--today", "today_text", metavar="DATE", default=None,
              help="The date used for training reminders (YYYY-MM-DD). Default: today.")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Check every file again: read no result kept by an earlier check.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print only problems and the summary: not the WEA texts and Imminent "
                   "Threat verdict shown for each safety alert.")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def check(repo: Path, rev: str | None, report: bool, today_text: str | None, no_cache: bool,
          quiet: bool, files: tuple[Path, ...]) -> None:
    """Check posts and images against the content rules (392.3-392.5).

    With no FILES, checks every post and image under content/. Prints one line
    per problem (path:line: RULE-ID: message) and a summary. Exit 0 when
    clean (warnings allowed), 1 when a rule is broken, 2 for usage errors.

    With --branch, checks what git holds for that branch instead of the
    working folder: what a supervisor reviews before `pressroom approve`.

    For each safety alert checked it also shows, as information (not a
    finding), what phones would get: the WEA short and long texts (as
    written in WEA-Text / WEA-Long-Text, or derived), their lengths, whether
    the alert meets WEA's Imminent Threat thresholds (and if not, why), and
    its SAME event code, on stderr (stdout stays the findings and the
    summary). -q leaves that out.

    \b
    Examples:
      pressroom check                          # the whole repository
      pressroom check content/2026/closure.md  # one post
      pressroom check --report                 # and list every suppression
      pressroom check -q content/2026/alert.md # findings only, no alert texts
      git fetch && pressroom check --branch origin/post/road-closure
    """
    from pressroom.checking.reporting import print_check_report, relative_files

    existing_folder(repo)
    today = parse_day(today_text)
    try:
        if rev is not None:
            from pressroom.checking.revision import check_revision

            require_git(repo)
            result = check_revision(repo, rev, [f.as_posix() for f in files], today=today,
                                    progress=progress_printer(), use_cache=not no_cache,
                                    with_alerts=not quiet)
        else:
            from pressroom.checking.repo import check_repo

            names = relative_files(repo, files) if files else None
            result = check_repo(repo, names, today=today, progress=progress_printer(),
                                use_cache=not no_cache, with_alerts=not quiet)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    print_check_report(result, report, with_alerts=not quiet)
    raise SystemExit(0 if result.ok else 1)


@click.command("serve")
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=REPO_HELP)
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="The built site to serve  [default: REPO/output]")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port (0: any free one).")
@click.option("--bind", default="127.0.0.1", show_default=True,
              help="The address to listen on. The default lets only this computer see the "
                   "preview.")
def serve(repo: Path | None, output: Path | None, port: int, bind: str) -> None:
    """Preview the built site in a browser: a local web server for its folder.

    Serves what `pressroom build` wrote, at http://127.0.0.1:8000/ by default;
    after another build, reload the page. A folder `pressroom preview` wrote
    opens on its review sheet (review.html), which links into the preview.
    Ctrl-C stops it. Nothing of the repository runs: it only sends files.

    \b
    Examples:
      pressroom build && pressroom serve
      pressroom serve --output review --port 8001   # a preview's sheet and site
    """
    from pressroom.build.serve import server_url, site_server, start_page

    # --output alone needs no repository: a preview folder can be anywhere
    target = output if output is not None else repo_or_here(repo) / "output"
    try:
        server = site_server(target, bind, port)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    page = start_page(target)
    address = server_url(server) + ("" if page == "index.html" else page)
    click.echo(f"Serving {target} at {address} (Ctrl-C to stop)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()
