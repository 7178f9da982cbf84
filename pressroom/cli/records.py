"""CLI commands for the policy's record-keeping: roster (392.8), records (392.7), review (392.6)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from pressroom.cli.common import (
    REPO_OPTION,
    UsageProblem,
    all_approved,
    existing_folder,
    parse_day,
    require_git,
)
from pressroom.model.wording import plural


@click.command("roster")
@REPO_OPTION
@click.option("--today", "today_text", metavar="DATE", default=None,
              help="The date to measure training against (YYYY-MM-DD). Default: today.")
def roster_command(repo: Path, today_text: str | None) -> None:
    """List authorized members (392.3) with their roles and training (392.8).

    Training is due `period_days` (policy/rules.toml, default 365) after the
    last training; members within `warn_days` (default 30) of it, or past it,
    are flagged. Authors with lapsed training cannot post (AUTHOR-TRAINING).

    \b
    Example:
      pressroom roster
      pressroom roster --today 2027-01-01
    """
    from pressroom.repo.sources import load_roster
    from pressroom.rules.authors import training_expires
    from pressroom.rules.config import RULES_PATH, load_config

    today = parse_day(today_text)
    roster, problems = load_roster(repo)
    if problems and not len(roster):
        raise UsageProblem(str(problems[0]))
    rules = repo / RULES_PATH
    config, _ = load_config(rules.read_text(encoding="utf-8") if rules.is_file() else None)
    rows = []
    flagged = 0
    for member in sorted(roster.members.values(), key=lambda m: m.id):
        due = training_expires(member, config)
        if due is None:
            status = "NO TRAINING DATE"
        elif due < today:
            status = "LAPSED"
        elif due <= today + timedelta(days=config.training_warn_days):
            status = f"due in {(due - today).days} days"
        else:
            status = "current"
        flagged += status != "current"
        rows.append((member.id, member.name, ", ".join(member.roles),
                     member.trained.isoformat() if member.trained else "-",
                     due.isoformat() if due else "-", status))
    header = ("id", "name", "roles", "trained", "due", "status")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"{plural(len(rows), 'member')}; {flagged} need training attention as of "
               f"{today.isoformat()}." if flagged else
               f"{plural(len(rows), 'member')}; all training current as of "
               f"{today.isoformat()}.")


@click.group("records", invoke_without_command=True)
@REPO_OPTION
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True)
@click.option("--branch", default="main", show_default=True)
@click.pass_context
def records_command(ctx: click.Context, repo: Path, fmt: str, branch: str) -> None:
    """List every version of every item ever published, for records retention (392.7).

    One row per version: path, slug, title, category, author, approver and
    approving commit, dates, retraction and reason, SHA-256 of the text, and
    the retain-until date from policy/retention.toml.

    \b
    Examples:
      pressroom records > records.csv
      pressroom records --format json
      pressroom records export --output pd-records-2026.tar.gz
    """
    ctx.obj = {"repo": repo, "branch": branch}
    if ctx.invoked_subcommand is not None:
        return
    from pressroom.records.history import to_csv, to_json

    records = _records(repo, branch)
    click.echo(to_csv(records) if fmt == "csv" else to_json(records), nl=False)


def _records(repo: Path, branch: str):
    from pressroom.checking.repo import site_timezone
    from pressroom.model.violations import InputError
    from pressroom.records.history import published_versions
    from pressroom.repo.gitio import GitError

    require_git(repo)
    try:
        return published_versions(repo, site_timezone(repo), branch)
    except (GitError, InputError) as exc:
        raise UsageProblem(str(exc)) from exc


@records_command.command("export")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The archive to write (.tar.gz).")
@click.pass_context
def records_export_command(ctx: click.Context, output: Path) -> None:
    """Write a self-contained archive: every version's text, the manifest, a verify report.

    A records custodian can open it without git. The same history gives a
    byte-identical archive.

    \b
    Example:
      pressroom records export --output /records/pd-site-2026-11-27.tar.gz
    """
    from pressroom.approvals.verification import verify_history
    from pressroom.records.history import export_archive
    from pressroom.repo.gitio import git_text

    repo, branch = ctx.obj["repo"], ctx.obj["branch"]
    records = _records(repo, branch)
    result = verify_history(repo, git_text(repo, "rev-parse", branch), use_cache=False)
    report = "".join(f"{p}\n" for p in result.problems) + (
        f"OK: {all_approved(result.checked, branch)}.\n" if result.ok
        else f"REFUSED: {plural(len(result.problems), 'problem')} in "
             f"{plural(result.checked, 'commit')}.\n")
    try:
        count = export_archive(repo, records, report, output)
    except OSError as exc:
        raise UsageProblem(f"{output}: cannot write the archive ({exc.strerror})") from exc
    click.echo(f"Wrote {output}: {plural(len(records), 'record')}, {plural(count, 'file')}.")


@click.command("review")
@REPO_OPTION
@click.option("--year", type=int, required=True, help="The year to review.")
@click.option("--access-log", "logs", multiple=True, type=click.Path(dir_okay=False,
              path_type=Path), help="Web server access log (Combined Log Format); repeatable.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder for review-YEAR.html and review-YEAR.md.")
@click.option("--as-of", "as_of_text", metavar="DATE", default=None,
              help="Date for the training section (default: 31 December of the year).")
def review_command(repo: Path, year: int, logs: tuple[Path, ...], output: Path,
                   as_of_text: str | None) -> None:
    """Write the annual review of social media use (392.6) as HTML and Markdown.

    Resources used (members, posts by category, month and author, approvers,
    time to approval, incidents), effectiveness (page views and feed fetches
    from access logs, bots excluded; top and unread posts), unauthorized or
    inappropriate content and its resolution (removals, withdrawals, rule
    exceptions, approval problems), and training due (392.8).

    \b
    Example:
      pressroom review --year 2026 --access-log /var/log/nginx/access.log --output reports/
    """
    from zoneinfo import ZoneInfo

    from pressroom.build.run import read_config
    from pressroom.checking.repo import load_context
    from pressroom.model.violations import InputError
    from pressroom.records.review import compute_review
    from pressroom.records.review_render import to_html, to_markdown
    from pressroom.repo.gitio import GitError
    from pressroom.repo.sources import load_sources

    existing_folder(repo)
    as_of = parse_day(as_of_text, "--as-of") if as_of_text else None
    try:
        settings = read_config(repo)
        tz = ZoneInfo(settings["TIMEZONE"])
        sources = load_sources(repo, tz)
        ctx, _ = load_context(repo, None)
        lines: list[str] = []
        for log in logs:
            try:
                lines += log.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError as exc:
                raise InputError(f"{log}: cannot read the access log ({exc.strerror})") from exc
        review = compute_review(repo, sources, ctx.config, tz, year, lines, as_of)
    except (InputError, GitError) as exc:
        raise UsageProblem(str(exc)) from exc
    html_path, md_path = output / f"review-{year}.html", output / f"review-{year}.md"
    try:
        output.mkdir(parents=True, exist_ok=True)
        html_path.write_text(to_html(review, settings["SITENAME"]), encoding="utf-8")
        md_path.write_text(to_markdown(review, settings["SITENAME"]), encoding="utf-8")
    except OSError as exc:
        raise UsageProblem(f"{output}: cannot write the review ({exc.strerror})") from exc
    click.echo(f"Wrote {html_path} and {md_path}: {plural(sum(review.posts_by_month), 'post')}, "
               f"{plural(len(review.retractions), 'retraction')}, "
               f"{plural(len(review.suppressions), 'rule exception')}, "
               f"{plural(len(review.verify_problems), 'approval problem')}.")
