"""CLI commands for authorship and approval (392.3, 392.5): new, setup-signing, approve,
verify, install-hooks, codeowners, retract."""

from __future__ import annotations

from pathlib import Path

import click

from pressroom.cli.common import (
    REPO_OPTION,
    SuggestingChoice,
    UsageProblem,
    all_approved,
    existing_folder,
    require_git,
)
from pressroom.model.categories import SLUGS
from pressroom.model.violations import InputError
from pressroom.model.wording import plural


@click.command("new")
@REPO_OPTION
@click.argument("title", required=False)
@click.option("--category", default=None, type=SuggestingChoice(list(SLUGS)),
              help="One of the eight kinds of content (392.4); safety-alerts with --incident.")
@click.option("--incident", default=None, metavar="ID",
              help="Start an update of this incident on main: its Area, Instruction, Response, "
                   "Expires, Event, Polygon/Circle carried forward, the next Sequence.")
@click.option("--author", default=None, help="Member id (default: you, from git's user.email).")
@click.option("--slug", default=None,
              help="The post's address (default: from the title; <incident>-update-N).")
@click.option("--translate", "original", default=None, metavar="PATH",
              help="Start a translation of this post on main (with --lang): its slug and "
                   "facts copied, each text marked [TRANSLATE]. TITLE, if given, is the "
                   "translated title.")
@click.option("--lang", default=None, metavar="CODE",
              help="The translation's language, one of [languages] translations in "
                   "policy/site.toml (e.g. es).")
def new_command(repo: Path, title: str | None, category: str | None, incident: str | None,
                author: str | None, slug: str | None, original: str | None,
                lang: str | None) -> None:
    """Start a post: a new branch post/<slug> from main with the post file ready to write.

    \b
    Example:
      pressroom new "Road closure on Elm Street" --category traffic
      # write content/2026/road-closure-on-elm-street.md, then:
      git add content && git commit -m "Road closure on Elm Street" && git push -u origin HEAD
    \b
    An update of an incident (the fields of its latest post on main carried forward):
      pressroom new "Gas leak: Citrus Avenue reopened" --incident 2026-1120-gas
    \b
    A safety alert's file lists the fields phones, IPAWS and Google read: Area,
    Response, Instruction, Expires, and optionally WEA-Text (90 characters),
    WEA-Long-Text (360), Event-Code (SAME), Urgency/Severity/Certainty, Polygon or
    Circle (a map on the page); Status: test makes it a test of the alerting chain
    (CAP only). `pressroom check` shows what phones would get (docs/alerts.md).
    \b
    A translation of a post on main (docs/languages.md):
      pressroom new --translate content/2026/gas-leak.md --lang es
      # replace every [TRANSLATE] in content/2026/gas-leak-es.md, then check and commit
    """
    from pressroom.approvals.workflow import new_post

    if original is not None or lang is not None:
        _new_translation(repo, title, original, lang, author, (category, incident, slug))
        return
    if title is None:
        raise UsageProblem("pass the post's TITLE, e.g. pressroom new \"Road closure on Elm "
                           "Street\" --category traffic")
    if category is None and incident is None:
        raise UsageProblem("pass --category SLUG (or --incident ID for an incident update)")
    try:
        made = new_post(existing_folder(repo), title, category, author, slug,
                        incident=incident)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    if made.warning:
        click.echo(made.warning, err=True)
    click.echo(f"On new branch {made.branch}: write {made.path}")
    click.echo("Then: pressroom check, git commit, git push, and ask a supervisor to approve.")


def _new_translation(repo: Path, title: str | None, original: str | None, lang: str | None,
                     author: str | None, others: tuple[str | None, ...]) -> None:
    from pressroom.approvals.new_translation import new_translation

    if original is None or lang is None:
        raise UsageProblem("a translation needs both --translate PATH and --lang CODE, e.g. "
                           "pressroom new --translate content/2026/gas-leak.md --lang es")
    if any(value is not None for value in others):
        raise UsageProblem("--translate copies the original's category, incident and slug: "
                           "leave out --category, --incident and --slug")
    try:
        made = new_translation(existing_folder(repo), original, lang, author, title)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    click.echo(f"On branch {made.branch}: translate {made.path} (replace every "
               f"[TRANSLATE]; the original's text is in a comment at the end)")
    click.echo("Then: pressroom check, git commit, git push, and ask a supervisor to approve.")


@click.command("setup-signing")
@REPO_OPTION
@click.option("--member", "member_id", required=True, help="Your member id on the roster.")
@click.option("--key", "key_path", required=True, type=click.Path(path_type=Path),
              help="Your SSH private key (its public half must be your roster signing_key).")
def setup_signing_command(repo: Path, member_id: str, key_path: Path) -> None:
    """Configure this clone to SSH-sign every commit and merge as you.

    Checks that the key is the one on the roster for you, then sets git's
    user.name/user.email, gpg.format=ssh, user.signingkey and commit.gpgsign.

    \b
    Example:
      ssh-keygen -t ed25519 -f ~/.ssh/pd_signing     # once; give the .pub to the Chief
      pressroom setup-signing --member pio1 --key ~/.ssh/pd_signing
    """
    from pressroom.approvals.workflow import setup_signing

    try:
        member = setup_signing(existing_folder(repo), member_id, key_path)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    click.echo(f"Signing set up: commits in this clone are signed as {member.name} "
               f"({member.id}, {', '.join(member.roles)}).")


@click.command("approve")
@REPO_OPTION
@click.option("--offline", is_flag=True,
              help="Do not fetch origin first: compare main with origin/main as last "
                   "fetched (when the central repository cannot be reached).")
@click.argument("branch")
def approve_command(repo: Path, branch: str, offline: bool) -> None:
    """Approve a branch: a signed merge --no-ff into main, kept only if it verifies.

    First fetches origin, and refuses before merging when main lacks commits
    of origin/main (the push would be refused; it says what to run) or when
    the fetch moved the branch (its author pushed again: review it again).
    Refused (and undone) when you may not approve what the branch brings in,
    when you wrote any of its commits yourself, or when a post breaks a
    content rule. Push main afterwards to publish.

    \b
    Example:
      git fetch && pressroom check --branch origin/post/road-closure
      pressroom approve origin/post/road-closure
      git push origin main
    """
    from pressroom.approvals.workflow import ApprovalRefused, approve

    require_git(repo)
    try:
        done = approve(repo, branch, offline=offline)
    except ApprovalRefused as exc:
        for problem in exc.problems:
            click.echo(problem)
        click.echo(f"Not approved: {plural(len(exc.problems), 'problem')}; nothing was merged "
                   f"and main is as it was.", err=True)
        if exc.switched_from:
            click.echo(f"Switched to main (you were on {exc.switched_from}).", err=True)
        if exc.next_step:
            click.echo(f"Next: {exc.next_step}.", err=True)
        raise SystemExit(1) from exc
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    who = f" signed by {done.member.name} ({done.member.id})" if done.member else ""
    if done.switched_from:
        click.echo(f"Switched to main (you were on {done.switched_from}).")
    click.echo(f"Approved {branch}: merge {done.merge[:7]}{who}.")
    click.echo("Next: git push origin main (the server verifies it), then the site is "
               "published by the timer or pressroom publish.")


@click.command("verify")
@REPO_OPTION
@click.option("--branch", default="main", show_default=True, help="The branch to verify.")
@click.option("--since", default=None, metavar="REV",
              help="Trust history up to REV (default: the root commit, the roster's adoption).")
@click.option("--no-cache", is_flag=True, help="Re-check merges verified before.")
@click.option("--platform", is_flag=True,
              help="Main is merged on GitHub/GitLab, which sign web merges with their own key: "
                   "skip the merge signer and role (the platform's required review is the "
                   "evidence); every other rule still applies.")
@click.option("--verifier", type=click.Choice(["builtin", "ssh-keygen"]), default="builtin",
              show_default=True,
              help="Who checks the SSH signatures: builtin (in process; key types it does not "
                   "implement, such as security keys, still go to ssh-keygen) or ssh-keygen "
                   "for every signature, for audits (reads no remembered verdicts).")
def verify_command(repo: Path, branch: str, since: str | None, no_cache: bool,
                   platform: bool, verifier: str) -> None:
    """Verify that every commit on main is a supervisor's signed, valid approval.

    Replays the approval rules over the first-parent history of the branch.
    Exit 0 with a summary when all is approved; 1 with one line per problem
    naming the commit; 2 for usage errors.

    \b
    Example:
      pressroom verify
      pressroom verify --since v2026.1 --branch main
      pressroom verify --verifier ssh-keygen   # an audit: every signature by ssh-keygen
    """
    from pressroom.approvals.verification import verify_history
    from pressroom.repo.gitio import GitError, resolve_commit

    require_git(repo)
    try:  # resolve_commit: a tag named like the branch is refused, never verified instead
        tip = resolve_commit(repo, branch)
        anchor = resolve_commit(repo, since) if since else None
        result = verify_history(repo, tip, anchor, use_cache=not no_cache, platform=platform,
                                signatures=verifier)
    except GitError as exc:
        raise UsageProblem(f"{branch}: {exc}") from exc
    for problem in result.problems:
        click.echo(str(problem))
    where = f"{branch} after {since}" if since else branch
    if result.ok:
        click.echo(f"OK: {all_approved(result.checked, where)} "
                   f"({result.cached} remembered from earlier runs).")
        return
    click.echo(f"REFUSED: {plural(len(result.problems), 'problem')} in "
               f"{plural(result.checked, 'commit')} on {where}.")
    raise SystemExit(1)


@click.command("install-hooks")
@click.option("--bare", "bare", required=True, type=click.Path(path_type=Path),
              help="The department's central bare repository.")
@click.option("--force", is_flag=True, help="Replace an existing pre-receive hook.")
def install_hooks_command(bare: Path, force: bool) -> None:
    """Install the pre-receive hook that refuses unapproved pushes to main.

    The hook refuses deleting main, force-pushing main, and any new commit on
    main that `pressroom verify` refuses; a refused push changes nothing.

    \b
    Example:
      git init --bare -b main /srv/git/pd-site.git
      pressroom install-hooks --bare /srv/git/pd-site.git
    """
    from pressroom.approvals.workflow import install_hooks

    try:
        hook = install_hooks(bare, force)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    click.echo(f"Installed {hook}: pushes to main must be approved merges.")


@click.command("codeowners")
@REPO_OPTION
@click.option("--write", is_flag=True, help="Write .github/CODEOWNERS instead of printing it.")
def codeowners_command(repo: Path, write: bool) -> None:
    """Generate CODEOWNERS from the roster, for GitHub or GitLab branch protection.

    Supervisors and the chief own content/ (incident commanders too, for
    alerts); the chief alone owns policy/ and .github/. Members need a
    `github = "username"` entry in policy/roster.toml.

    \b
    Example:
      pressroom codeowners --write && git add .github/CODEOWNERS
    """
    from pressroom.approvals.codeowners import codeowners
    from pressroom.repo.sources import load_roster

    roster, problems = load_roster(existing_folder(repo))
    if problems:
        raise UsageProblem(str(problems[0]))
    try:
        text = codeowners(roster)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    if not write:
        click.echo(text, nl=False)
        return
    target = repo / ".github" / "CODEOWNERS"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {target}.")


@click.command("retract")
@REPO_OPTION
@click.argument("slug")
@click.option("--reason", required=True, help="Why, for the record (not shown for removals).")
@click.option("--reported-by", "reported_by", required=True,
              help="Member id of whoever reported it (392.5).")
@click.option("--mode", type=click.Choice(["remove", "withdraw"]), default="remove",
              show_default=True,
              help="remove: gone from every page, feed and CAP file, its address says it was "
                   "removed; withdraw: stays readable under a dated notice.")
def retract_command(repo: Path, slug: str, reason: str, reported_by: str, mode: str) -> None:
    """Prepare a removal or withdrawal (392.5) on a branch for a supervisor to approve.

    The post's file and its whole history stay in git; only the public view
    changes once a supervisor approves the branch and the site is published.

    \b
    Examples:
      pressroom retract hit-and-run-oak-avenue --reported-by sup1 \\
          --reason "Named a witness by mistake"
      pressroom retract dui-checkpoint-november --mode withdraw --reported-by pio1 \\
          --reason "Outdated: the checkpoint has taken place"
    """
    from pressroom.approvals.workflow import retract

    try:
        done = retract(existing_folder(repo), slug, reason, reported_by, mode)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
    click.echo(f"On branch {done.branch}: {mode} of {done.path} committed. Push it and ask a "
               f"supervisor to approve: pressroom approve {done.branch}")


@click.command("review-summary")
@click.argument("sheet", type=click.Path(dir_okay=False, path_type=Path))
def review_summary_command(sheet: Path) -> None:
    """Print a review sheet's summary as Markdown, for a pull request's job summary.

    SHEET is the review.json that `pressroom preview` wrote: the public URLs
    the merge adds, changes and removes, the content-rule findings and the
    commits with their signers. Every value is escaped, so a branch cannot
    write Markdown or HTML into the summary. Exit 2 when SHEET is not a
    review sheet.

    \b
    Example (a GitHub Actions step):
      pressroom preview "$HEAD" --base "origin/$BASE" --output review
      pressroom review-summary review/review.json >> "$GITHUB_STEP_SUMMARY"
    """
    import json

    from pressroom.preview.summary import markdown_summary

    try:
        data = json.loads(sheet.read_text(encoding="utf-8"))
        click.echo(markdown_summary(data), nl=False)
    except OSError as exc:
        raise UsageProblem(f"{sheet}: cannot read it ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise UsageProblem(f"{sheet}: not UTF-8 text") from exc
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise UsageProblem(f"{sheet}: {exc}") from exc
