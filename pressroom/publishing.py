"""``pressroom publish`` and ``pressroom due``: time-driven publishing for a static site.

A static site changes by itself only when it is rebuilt: an embargoed post falls
due, an alert expires and must leave the banner. ``publish`` is safe to run from
cron or a systemd timer: it takes a lock, requires a clean checkout of main,
verifies the approvals (392.3), checks the content rules (392.5), builds, and
swaps the site in atomically — or changes nothing and says why. ``due`` says
when the next such change is, so a timer can be set precisely.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pressroom import releases
from pressroom.approvals import verify_history
from pressroom.build import BuildResult, build_site
from pressroom.checking import check_repo, site_timezone
from pressroom.content import Post
from pressroom.gitio import GitError, git, git_text
from pressroom.incidents import upcoming_changes
from pressroom.sources import load_sources
from pressroom.violations import InputError


def due(repo: Path, now: datetime, posts: Iterable[Post] | None = None
        ) -> list[tuple[datetime, str]]:
    """Upcoming self-changes of the published site, soonest first.

    ``posts``: the validated posts when the caller has them (a build just read them).
    """
    tz = site_timezone(repo)  # no Pelican needed to answer "when"
    if posts is None:
        posts = load_sources(repo, tz, light=True).posts
    return [(moment.astimezone(tz), why) for moment, why in upcoming_changes(posts, now)]


@dataclass
class Published:
    ok: bool
    problems: list[str] = field(default_factory=list)
    build: BuildResult | None = None
    next_change: tuple[datetime, str] | None = None


def publish(repo: Path, target: Path, now: datetime, branch: str = "main",
            platform: bool = False, progress: Callable[[str], None] = lambda m: None,
            keep_releases: int = releases.DEFAULT_KEEP) -> Published:
    """Verify, check, build and deploy ``branch`` of ``repo`` to ``target``, atomically.

    Under the target's lock (``releases.output_lock``, the one ``build`` and
    ``rollback`` take; the build inside re-enters it): a second run fails fast.
    """
    target = target.absolute()
    with releases.output_lock(target):
        return _publish(repo, target, now, branch, platform, progress, keep_releases)


def _publish(repo: Path, target: Path, now: datetime, branch: str, platform: bool,
             progress: Callable[[str], None],
             keep_releases: int = releases.DEFAULT_KEEP) -> Published:
    try:
        current = git_text(repo, "symbolic-ref", "--quiet", "--short", "HEAD")
    except GitError as exc:
        raise InputError(f"{repo}: not a git checkout on a branch ({exc})") from exc
    if current != branch:
        return Published(False, [f"the checkout is on {current}, not {branch}; publish builds "
                                 f"only {branch}"])
    if git(repo, "status", "--porcelain", "--untracked-files=no").strip():
        return Published(False, ["the checkout has uncommitted changes; publish builds only "
                                 "what is committed and approved"])
    progress(f"Verifying approvals on {branch}")
    verified = verify_history(repo, git_text(repo, "rev-parse", "HEAD"), platform=platform)
    if not verified.ok:
        return Published(False, [str(p) for p in verified.problems])
    progress("Checking content rules")
    report = check_repo(repo)
    if not report.ok:
        return Published(False, [str(v) for v in report.errors])
    progress("Building the site")
    built = build_site(repo, target, now=now, progress=progress, keep_releases=keep_releases)
    if not built.ok:
        return Published(False, [str(p) for p in built.problems], built)
    changes = due(repo, now, built.validated)
    return Published(True, [], built, changes[0] if changes else None)
