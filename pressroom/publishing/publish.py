"""``pressroom publish`` and ``pressroom due``: time-driven publishing for a static site.

A static site changes by itself only when it is rebuilt: an embargoed post falls
due, an alert expires and must leave the banner. ``publish`` is safe to run from
cron or a systemd timer: it takes a lock, verifies the approvals on main (392.3),
copies exactly that commit's files out of git (never the working folder), checks
the content rules (392.5), builds, and swaps the site in atomically — or changes
nothing and says why. ``due`` says
when the next such change is, so a timer can be set precisely. Once the new release is
live, a WebSub hub (``[feeds] websub_hub`` of the published commit, or ``websub_hub``)
is told which feeds changed (``pressroom.publishing.websub``), after the lock is let go:
the hub's answer is reported and recorded, it never changes what was published.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pressroom.approvals.verification import verify_history
from pressroom.build.run import BuildResult, build_site
from pressroom.cache import folder as cache_folder
from pressroom.checking.repo import site_timezone
from pressroom.model.content import Post
from pressroom.model.incidents import upcoming_changes
from pressroom.model.violations import InputError
from pressroom.publishing.output_lock import output_lock
from pressroom.publishing.published_tree import FOLDER, export_tree
from pressroom.publishing.release_folders import DEFAULT_KEEP, complete_releases, live_release
from pressroom.publishing.releases import refuse_unusable
from pressroom.publishing.search_index import SearchIndex, follow
from pressroom.publishing.websub import (
    DEFAULT_DELIVERY,
    Delivery,
    Notified,
    Push,
    feed_digests,
    hub_problem,
    notify,
    plan,
    record,
)
from pressroom.repo.department import load_department
from pressroom.repo.gitio import GitError, git_text, is_ancestor, is_branch_name
from pressroom.repo.sources import load_sources

# The public deployment links with absolute URLs on the department's address.
PUBLIC_SETTINGS = {"RELATIVE_URLS": False}


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
    commit: str = ""  # the verified commit that was built
    websub: Notified | None = None  # what the hub said; None without a hub
    search: SearchIndex | None = None  # the index made after the switch; None: not asked


def published_record(target: Path) -> Path:
    """Beside the site: the commit the live site was last published from."""
    return target.parent / f".{target.name}.published"


def _behind_the_live_site(repo: Path, target: Path, commit: str) -> str:
    """Why ``commit`` may not replace what is live, or "".

    A clone whose main is behind would put back what was since removed (392.5): a
    retracted post, and take down newer approved posts. The live site may only move
    forward along main's history (or stay where it is, for time-driven rebuilds).
    """
    try:
        live = json.loads(published_record(target).read_text(encoding="utf-8"))["commit"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    if not isinstance(live, str) or live == commit or is_ancestor(repo, live, commit):
        return ""
    return (f"the live site was published from {live[:7]}, which is not in the history of "
            f"main here ({commit[:7]}): this clone is behind or has another history. Run "
            f"`git pull --ff-only` and publish again (publishing older content would bring "
            f"back what was since removed)")


def published_releases(target: Path) -> dict[str, str]:
    """Release id -> the verified commit it was built from, for every release beside
    ``target`` that ``publish`` made ({} when none or unreadable). ``pressroom deploy``
    sends only these: a ``pressroom build`` into the same target makes a release of the
    working folder, which is not in this list."""
    try:
        found = json.loads(published_record(target).read_text(encoding="utf-8"))["releases"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): str(v) for k, v in found.items()}


def _record_published(target: Path, commit: str) -> None:
    record = published_record(target)
    live = live_release(target)
    kept = {r.id for r in complete_releases(target)}
    made = {k: v for k, v in published_releases(target).items() if k in kept}
    if live is not None:
        made[live.id] = commit
    tmp = record.with_name(record.name + ".tmp")
    tmp.write_text(json.dumps({"commit": commit, "releases": made}) + "\n", encoding="utf-8")
    os.replace(tmp, record)


def publish(repo: Path, target: Path, now: datetime, branch: str = "main",
            platform: bool = False, progress: Callable[[str], None] = lambda m: None,
            keep_releases: int = DEFAULT_KEEP, websub_hub: str = "",
            delivery: Delivery = DEFAULT_DELIVERY, search: bool = True) -> Published:
    """Verify, check, build and deploy ``branch`` of ``repo`` to ``target``, atomically.

    Under the target's lock (``output_lock``, the one ``build`` and
    ``rollback`` take; the build inside re-enters it): a second run fails fast.
    ``websub_hub`` replaces the commit's ``[feeds] websub_hub``: the feeds name it and it
    is notified. The notification is sent after the lock is released (a slow hub does not
    hold up the next publish) and its outcome is appended to ``websub.websub_record``.
    Then, with ``search``, the live release is indexed for site search
    (``pressroom.publishing.search_index.follow``): the site is live before, and stays live
    whatever Pagefind does; a failed index is a warning in ``search``.
    """
    target = target.absolute()
    if websub_hub and hub_problem(websub_hub):
        raise InputError(hub_problem(websub_hub))
    refuse_unusable(target, repo)  # nothing locked or written for a target that cannot be
    with output_lock(target):
        result, push = _publish(repo, target, now, branch, platform, progress, keep_releases,
                                websub_hub)
    if push is not None:
        if push.urls:
            progress(f"Notifying the WebSub hub {push.hub} of the feeds that changed")
        result.websub = notify(push, delivery)
        if result.websub.sent:
            record(target, result.websub)
    if search and result.ok:
        result.search = follow(target, progress)
    return result


def _publish(repo: Path, target: Path, now: datetime, branch: str, platform: bool,
             progress: Callable[[str], None], keep_releases: int = DEFAULT_KEEP,
             websub_hub: str = "") -> tuple[Published, Push | None]:
    """Build exactly the tree of the commit that verified: read from git, never the folder.

    The publishing checkout may hold untracked, ignored or edited files, or be on
    another branch: none of that reaches the public. The commit is resolved once and
    that same commit is verified, exported and built.
    """
    if not is_branch_name(repo, branch):
        raise InputError(f"{branch!r} is not a branch name (publish builds a branch, e.g. "
                         f"main; not a reflog entry such as main@{{1}}, a tag or a commit)")
    try:
        commit = git_text(repo, "rev-parse", "--verify", "--quiet",
                          f"refs/heads/{branch}^{{commit}}")
    except GitError as exc:
        raise InputError(f"{repo}: no branch {branch!r} to publish ({exc})") from exc
    behind = _behind_the_live_site(repo, target, commit)
    if behind:
        return Published(False, [behind]), None
    progress(f"Verifying approvals on {branch} ({commit[:7]})")
    verified = verify_history(repo, commit, platform=platform)
    if not verified.ok:
        return Published(False, [str(p) for p in verified.problems]), None
    progress(f"Reading the files of {commit[:7]} from git")
    tree = cache_folder(repo) / FOLDER
    problems = export_tree(repo, commit, tree)
    if problems:
        return Published(False, [str(p) for p in problems]), None
    progress("Checking content rules and building the site")
    overrides = {**PUBLIC_SETTINGS, **({"PRESSROOM_WEBSUB_HUB": websub_hub} if websub_hub
                                       else {})}
    try:
        department = load_department(tree)  # the verified commit's, as the build reads it
    except InputError:
        department = None  # the build refuses it, naming the file and line
    hub = websub_hub or (department.websub_hub if department else "")
    # What readers see now, whatever is pruned later; read only when a hub will be told.
    feeds_before = feed_digests(target) if hub else {}
    built = build_site(tree, target, now=now, progress=progress, overrides=overrides,
                       keep_releases=keep_releases, plugins_approved=True)
    if not built.ok:
        return Published(False, [str(p) for p in built.problems], built), None
    _record_published(target, commit)
    changes = due(tree, now, built.validated)
    published = Published(True, [], built, changes[0] if changes else None, commit)
    if not hub or department is None:
        return published, None
    live = live_release(target)
    return published, plan(hub, department.url, feeds_before, feed_digests(target),
                           live.id if live else "", commit)
