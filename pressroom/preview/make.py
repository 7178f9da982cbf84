"""``make_preview``: a branch built as the public would see it after the merge, and the
review sheet that says what changes.

The steps, all from git objects (never the working folder, never the branch's Python):

1. REV and BASE resolved to commits; ``git merge-tree --write-tree`` gives the merged tree
   (a conflict is refused, naming the files);
2. BASE's tree and the merged tree exported (``publishing.published_tree.export_tree``)
   into a work folder inside git's own folder (so every cache of the builds stays there
   and goes with it), and each built at the same ``now`` in a child process with a time
   limit (``pressroom.preview.builder``); the department's plugins run only when
   ``plugins/`` is byte for byte main's, otherwise the preview is refused;
3. the two sites compared (``compare``), the merged one marked on every page (``mark``);
4. the merged tree's content-rule findings, the commits and their signers, the approval
   verdict (``gitview``) and the incidents touched (``incidents``) gathered into a
   ``Review``; ``review.json`` and ``review.html`` written.

The output folder is filled under a temporary name beside it and renamed into place
only when complete: a failed preview leaves no half sheet (and the previous one, if any).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from pressroom.cache import COPY_CACHE, in_git_dir
from pressroom.checking.repo import check_repo
from pressroom.model.violations import InputError
from pressroom.model.wording import plural
from pressroom.preview.builder import BuildOutcome, run_build
from pressroom.preview.compare import MAX_TEXT_BYTES, compare_sites, site_files
from pressroom.preview.gitview import (
    PreviewRefused,
    approve_blockers,
    history,
    merged_tree,
    plugins_as_main,
    resolve,
)
from pressroom.preview.incidents import (
    banner_after,
    changed_alerts,
    scheduled_after,
    touched_incidents,
    tree_posts,
)
from pressroom.preview.mark import mark_site
from pressroom.preview.render import render_html
from pressroom.preview.review import Finding, Review, SuppressionInfo
from pressroom.publishing.published_tree import export_tree
from pressroom.repo.department import load_department
from pressroom.repo.gitio import GitError, git_text

DEFAULT_TIMEOUT = 300.0
SHEET = "review.json"
STALE_SECONDS = 24 * 3600


def make_preview(repo: Path, rev: str, *, base: str = "main", output: Path,
                 now: datetime | None = None, reviewer_key: str | None = None,
                 progress: Callable[[str], None] = lambda message: None,
                 timeout: float = DEFAULT_TIMEOUT) -> Review:
    """Preview merging ``rev`` into ``base`` into ``output`` (``site/``, ``review.json``,
    ``review.html``) and return the review sheet.

    ``now`` decides what is public in both builds (default: the current time);
    ``reviewer_key`` is the previewer's public key or key file (default: git's
    ``user.signingkey``) for the approval verdict. Raises ``InputError`` for unusable
    input (an unknown rev, an output folder that is not a preview's) and
    ``PreviewRefused`` when there is nothing honest to show (a conflict, an unusable
    tree, a build that failed or took longer than ``timeout`` seconds).
    """
    repo, output = repo.absolute(), output.absolute()
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise InputError("the preview time must include a time zone")
    _require_outside(repo, output)
    _require_replaceable(output)
    base_sha, rev_sha = resolve(repo, base), resolve(repo, rev)
    progress(f"Merging {rev} ({rev_sha[:7]}) into {base} ({base_sha[:7]})")
    tree = merged_tree(repo, base_sha, rev_sha)
    review = Review(base_sha, rev_sha, tree, now.isoformat(), base_name=base, rev_name=rev)
    work = Path(tempfile.mkdtemp(prefix="preview-", dir=_work_root(repo)))
    try:
        approved = {}
        for name, treeish in (("base", base_sha), ("merged", tree)):
            folder = work / name / "tree"
            problems = export_tree(repo, treeish, folder)
            if problems:
                raise PreviewRefused(f"the {name} tree cannot be built: {problems[0]}")
            (folder / COPY_CACHE).mkdir(exist_ok=True)  # its caches (cache.folder) go here
            approved[name] = _plugins_approved(repo, folder, treeish, base_sha)
        _findings(review, work / "merged" / "tree")
        sites = {}
        for name in ("base", "merged"):
            progress(f"Building the {name} site")
            sites[name] = _build(work / name, approved[name], now, timeout,
                                 refusable=name == "merged")
        progress("Comparing the two sites and reading the commits")
        merged = work / "merged" / "tree"
        if sites["merged"].ok:
            _require_small_pages(sites["merged"].site)
            review.changed = compare_sites(sites["base"].site, sites["merged"].site)
            review.banner = banner_after(sites["merged"].site)
        else:
            review.site_built = False
            problems = sites["merged"].problems
            count = plural(len(problems), "problem")
            review.not_built_reason = (f"the merged site cannot be built ({count}), so nothing "
                                       f"is shown until they are fixed: {problems[0]}")
        department = load_department(merged)
        before = tree_posts(work / "base" / "tree", department.tz)
        after = tree_posts(merged, department.tz)
        review.incidents = touched_incidents(repo, base_sha, tree, before, after, now,
                                             review.changed)
        review.alerts = changed_alerts(repo, base_sha, tree, after, department.event_code,
                                       department.languages)
        review.scheduled = scheduled_after(before, after, now)
        found = history(repo, base_sha, rev_sha, tree, now, reviewer_key)
        review.commits = found.commits
        review.reviewer = found.reviewer.id if found.reviewer else ""
        review.approval_problems = approve_blockers(repo, base, base_sha, rev_sha) + \
            found.problems + [
            f"the content rules refuse the merged tree: {f.path}:{f.line}: {f.rule}"
            for f in review.errors[:1]]
        if not review.site_built and not review.errors:  # a template error, say
            review.approval_problems.append(review.not_built_reason)
        review.may_approve = not review.approval_problems
        _write(output, review, sites["merged"])
    except GitError as exc:
        raise PreviewRefused(f"git: {exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return review


def _work_root(repo: Path) -> Path:
    """A folder inside git's own folder: a path with ``/.git/`` in it keeps the caches of
    a build of an exported tree beside that tree (``pressroom.cache.folder``)."""
    try:
        git_dir = Path(git_text(repo, "rev-parse", "--absolute-git-dir"))
    except (GitError, OSError) as exc:
        raise InputError(f"{repo}: not a git repository ({exc})") from exc
    root = in_git_dir(git_dir) / "previews"
    root.mkdir(parents=True, exist_ok=True)
    for left in root.iterdir():  # what a killed preview left (a running one is younger)
        with contextlib.suppress(OSError):
            if time.time() - left.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(left, ignore_errors=True)
    return root


def _findings(review: Review, merged: Path) -> None:
    report = check_repo(merged, use_cache=False)
    review.findings = [Finding(v.path, v.line, v.rule_id, v.message, v.severity)
                       for v in report.violations]
    review.suppressions = [SuppressionInfo(s.path, s.line, s.rule_id, s.reason)
                           for s in sorted(report.suppressions)]


def _plugins_approved(repo: Path, tree: Path, treeish: str, base: str) -> bool:
    """Whether the department's plugins may run in the build of ``tree``; refused
    (``PreviewRefused``) before any build when the site runs plugins main never approved."""
    approved = plugins_as_main(repo, treeish, base)
    if not approved and load_department(tree).plugins:
        raise PreviewRefused("plugins/ differs from main's and the site runs plugins: a "
                             "preview never runs code that is not approved on main; review "
                             "the plugin change with `git diff main...BRANCH -- plugins/`")
    return approved


def _build(folder: Path, approved: bool, now: datetime, timeout: float,
           refusable: bool) -> BuildOutcome:
    """Build the exported ``folder/tree``; refused (``PreviewRefused``) unless it built, or
    it is the merged tree and the content rules refused it (the sheet then lists why)."""
    outcome = run_build(folder / "tree", folder / "output", now, approved, timeout,
                        folder / "cache")
    if outcome.ok or (refusable and not outcome.error and outcome.problems):
        return outcome
    first = outcome.error or (outcome.problems[0] if outcome.problems else "unknown")
    raise PreviewRefused(f"the {'merged' if refusable else 'base'} site cannot be built: {first}")


def _require_small_pages(site: Path) -> None:
    """Refuse a merged site with a page over ``MAX_TEXT_BYTES``: each page is parsed here
    (marked, checked, read as text) with no time limit, and a template can write pages of
    millions of tags that would hang the review for hours. No real page comes near it."""
    for rel, path in sorted(site_files(site).items()):
        size = path.stat().st_size
        if rel.endswith((".html", ".htm")) and size > MAX_TEXT_BYTES:
            raise PreviewRefused(f"the merged site's page {rel} is {size:,} bytes (at most "
                                 f"{MAX_TEXT_BYTES:,}): too large to preview; the branch's "
                                 f"templates make it")


def _require_outside(repo: Path, output: Path) -> None:
    """``output`` must not be in the repository's working folder: a preview there (in
    ``content/`` above all) would be read as the department's own files by the next
    ``pressroom check`` or build of that folder, and committed by ``git add -A``."""
    try:
        top = Path(git_text(repo, "rev-parse", "--show-toplevel")).resolve()
        git_dir = Path(git_text(repo, "rev-parse", "--absolute-git-dir")).resolve()
    except GitError:
        return  # a bare repository has no working folder
    where = output.resolve()
    if where.is_relative_to(top) and not where.is_relative_to(git_dir):
        raise InputError(f"{output}: inside the repository's working folder; choose an "
                         f"--output folder outside it (e.g. /tmp/review)")


def _require_replaceable(output: Path) -> None:
    """``output`` must be absent, empty, or an earlier preview (it has a review.json):
    a preview replaces it, and must never delete a folder of someone's own files."""
    if not output.exists():
        return
    if not output.is_dir() or output.is_symlink():
        raise InputError(f"{output}: exists and is not a folder")
    if any(output.iterdir()) and not (output / SHEET).is_file():
        raise InputError(f"{output}: not empty and not an earlier preview; choose a new "
                         f"--output folder")


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``folder`` (between processes and between the desk's
    threads, each with a descriptor of its own)."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _write(output: Path, review: Review, merged: BuildOutcome) -> None:
    """Fill a temporary folder beside ``output``, then rename it into place: two
    previews into one folder at once each put a whole preview there, the last one wins."""
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        if merged.site is not None:
            shutil.copytree(merged.site, staging / "site", symlinks=True)
            unmarked = mark_site(staging / "site")
            if unmarked:
                raise PreviewRefused(f"{unmarked[0]}: the preview marker could not be put in")
        (staging / SHEET).write_text(review.to_json(), encoding="utf-8")
        (staging / "review.html").write_text(render_html(review), encoding="utf-8")
        staging.chmod(0o755)
        with _locked(output.parent):  # another preview into the same folder waits here
            _require_replaceable(output)  # again: it may have changed during the builds
            old = None
            if output.exists():  # renamed onto an empty folder of a name of its own
                old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
                os.replace(output, old)
            os.replace(staging, output)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
