"""``pressroom check --branch REV``: the content rules over a commit's tree, read from git.

A supervisor reviews a branch they have fetched, not their working folder: checking out
the branch would run its hooks, could mix in untracked files lying in the folder, and
leaves the clone on the wrong branch for ``approve``. So the commit's published files
(``content/``, ``policy/``, ``pelicanconf.py``, ``theme/``, ``plugins/``) are copied out of
git's object store (``publishing.published_tree.export_tree``, the same copy ``publish``
builds) into a folder inside git's own folder, and the ordinary check runs there.
Nothing of the branch runs: the check reads its files as data, as it does for any folder.
The files keep their repository paths, so the report names them as the branch does.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path, PurePosixPath

from pressroom import cache
from pressroom.checking.engine import Report
from pressroom.checking.repo import check_repo
from pressroom.model.violations import InputError, Violation
from pressroom.publishing.published_tree import export_tree
from pressroom.repo.gitio import GitError, resolve_commit


def resolve_revision(repo: Path, rev: str) -> str:
    """The commit ``rev`` names (a branch, ``origin/post/x``, a tag or a commit id), or an
    ``InputError`` in one line (unknown, or ambiguous: a tag named like the branch)."""
    try:
        return resolve_commit(repo, rev)
    except GitError as exc:
        raise InputError(f"--branch {rev}: {exc}") from exc


FOLDER = "branch-tree"  # in the cache folder: the last branch checked, kept for the next


@contextmanager
def exported_tree(repo: Path, commit: str) -> Iterator[tuple[Path, list[Violation]]]:
    """A folder holding exactly ``commit``'s published files while the block runs, and the
    problems that stopped the copy (a symbolic link, a submodule: then nothing is checked).

    The folder is in git's own folder (``pressroom.cache.folder``), where no branch can put
    files, and is kept between checks: the next export rewrites only the files that differ
    (``export_tree``), and the check cache beside it (its ``.pressroom-cache``, keyed by
    file contents and everything the rules read) serves any branch. One caller at a time
    holds it (an exclusive lock), so a check from the command line and one from the desk
    never write into the copy the other is reading.
    """
    parent = cache.folder(repo) / FOLDER
    parent.mkdir(parents=True, exist_ok=True)
    with (parent / "lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        tree = parent / "tree"
        yield tree, export_tree(repo, commit, tree)


def tree_paths(rev: str, files: Sequence[str], tree: Path) -> list[str]:
    """FILES of ``check --branch`` as repository paths (``content/2026/x.md``), each one
    present in the branch; an ``InputError`` naming the first that is not."""
    names = []
    for name in files:
        path = PurePosixPath(name.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts:
            raise InputError(f"{name}: give a path inside the repository, e.g. "
                             f"content/2026/closure.md (with --branch, paths are the branch's)")
        rel = path.as_posix().removeprefix("./")
        if not (tree / rel).is_file():
            raise InputError(f"{name}: no such file in {rev}")
        names.append(rel)
    return names


def check_revision(repo: Path, rev: str, files: Sequence[str] | None = None,
                   today: date | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   use_cache: bool = True, with_alerts: bool = False) -> Report:
    """Check ``rev``'s tree as ``check_repo`` checks a folder: the same rules and report.

    ``files`` are repository paths in that tree (default: every post and image). A link or
    submodule in the tree is reported (FILE-LINK, FILE-SPECIAL) and nothing else is
    checked: the copy stops there, as ``publish`` does. ``use_cache=False`` (``--no-cache``)
    reads no earlier result. An ``InputError`` for an unknown ``rev`` or a missing file.
    """
    commit = resolve_revision(repo, rev)
    with exported_tree(repo, commit) as (tree, problems):
        if problems:
            return Report(files=0, violations=problems)
        if not (tree / "content").is_dir():
            raise InputError(f"{rev} has no content/ folder; is it a branch of the "
                             f"department's repository?")
        names = tree_paths(rev, files, tree) if files else None
        try:
            return check_repo(tree, names, today=today, progress=progress,
                              use_cache=use_cache, with_alerts=with_alerts)
        except InputError as exc:  # name the branch, not the copy
            raise InputError(str(exc).replace(str(tree), rev), exc.violation) from exc
