"""A release folder's life: named, built, completed, made live, pruned, discarded.

The primitives of ``pressroom.publishing.releases`` (which holds the overview and what runs before
a build and at a rollback): kept apart so the rules that make a switch atomic — a
release is complete only after one rename, live only after another, never changed after
— can be read in one place.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_KEEP = 5  # old releases kept for `pressroom rollback`
RELEASE_NAME = re.compile(r"^\d{8}T\d{6}Z-(\d+)$")
PARTIAL, STAGE, DOOMED = ".partial-", ".stage-", ".doomed-"


@dataclass(frozen=True)
class Release:
    """A complete release: ``number`` orders releases, ``path`` is its folder."""

    id: str
    number: int
    path: Path


def releases_folder(output: Path) -> Path:
    """The folder beside the output that holds its releases (``.pd.releases``)."""
    return output.parent / f".{output.name}.releases"


def link_prefix(output: Path) -> str:
    """The name every temporary link to a release starts with, beside the output."""
    return f".{output.name}.pressroom-link-"


# --- reading what is there --------------------------------------------------------------

def _number(name: str) -> int | None:
    match = RELEASE_NAME.match(name)
    return int(match.group(1)) if match else None


def complete_releases(output: Path) -> list[Release]:
    """Every complete release beside ``output``, oldest first."""
    folder = releases_folder(output)
    found = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(folder):
            number = _number(entry.name)
            if number is not None and entry.is_dir(follow_symlinks=False):
                found.append(Release(entry.name, number, Path(entry.path)))
    return sorted(found, key=lambda r: r.number)


def target_release(output: Path, target: str) -> Release | None:
    """The release a link at ``output`` pointing to ``target`` names, if it is one of ours."""
    parts = Path(target).parts
    if len(parts) != 2 or parts[0] != releases_folder(output).name:
        return None
    number = _number(parts[1])
    if number is None:
        return None
    return Release(parts[1], number, releases_folder(output) / parts[1])


def live_release(output: Path) -> Release | None:
    """The release ``output`` points to, when it is a link of ours to a complete release."""
    try:
        target = os.readlink(output)
    except OSError:
        return None
    release = target_release(output, target)
    if release is None or not release.path.is_dir():
        return None
    return release


# --- making a release -------------------------------------------------------------------

def new_partial(output: Path) -> Path:
    """A new, empty folder for a release being built (``.partial-<id>``)."""
    folder = releases_folder(output)
    folder.mkdir(parents=True, exist_ok=True)
    numbers = [0]
    for name in os.listdir(folder):
        bare = name
        for prefix in (PARTIAL, DOOMED):
            bare = bare.removeprefix(prefix)
        number = _number(bare)
        if number is not None:
            numbers.append(number)
    number = max(numbers) + 1
    while True:
        release_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{number}"
        path = folder / f"{PARTIAL}{release_id}"
        try:
            path.mkdir()
        except FileExistsError:
            number += 1
            continue
        path.chmod(0o755)  # served by a web server: not mkdtemp's 0700
        return path


def new_stage(output: Path) -> Path:
    """A folder for a warm build's new files, on the same file system as the releases."""
    folder = releases_folder(output)
    folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=folder, prefix=STAGE))


def finish(partial: Path) -> Release:
    """Mark a built release complete: one rename to its final name."""
    release_id = partial.name.removeprefix(PARTIAL)
    final = partial.parent / release_id
    os.rename(partial, final)
    number = _number(release_id)
    assert number is not None
    return Release(release_id, number, final)


def temp_link(output: Path, release_id: str) -> Path:
    """A new symbolic link to a release at a temporary name beside the output."""
    target = os.path.join(releases_folder(output).name, release_id)
    while True:
        link = output.parent / f"{link_prefix(output)}{os.urandom(4).hex()}"
        try:
            os.symlink(target, link)
            return link
        except FileExistsError:
            continue


def flip(output: Path, release: Release) -> None:
    """Make ``release`` the live site: one rename of a fresh symlink onto the output path."""
    os.replace(temp_link(output, release.id), output)
    with contextlib.suppress(OSError):  # the rename survives a power cut, too
        fd = os.open(output.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def prune(output: Path, keep: int) -> list[str]:
    """Delete all but the ``keep`` newest releases besides the live one; their ids.

    A release is renamed to ``.doomed-<id>`` first, so a kill while deleting it never
    leaves a half-deleted folder that looks complete (``discard``).
    """
    live = live_release(output)
    others = [r for r in complete_releases(output) if live is None or r.id != live.id]
    doomed = others[:max(0, len(others) - keep)]
    discard(*(release.path for release in doomed))
    return [r.id for r in doomed]


def publish_release(output: Path, partial: Path, keep: int) -> Release:
    """Complete ``partial``, make it live, prune old releases."""
    release = finish(partial)
    flip(output, release)
    prune(output, keep)
    return release


def discard(*paths: Path) -> None:
    """Remove a release folder that is not (or no longer) complete, off the critical path.

    Renamed to ``.doomed-…`` at once (never again mistaken for a release), deleted by a
    detached process (removing 15,000 links takes seconds); the next build's cleanup
    deletes whatever a kill left.
    """
    doomed = []
    for path in paths:
        if path.exists():
            gone = path.parent / f"{DOOMED}{path.name.removeprefix(PARTIAL)}"
            os.rename(path, gone)
            doomed.append(gone)
    if doomed:
        remove_behind(doomed)


def remove_behind(paths: list[Path]) -> None:
    """``shutil.rmtree`` each path in a detached grandchild (here where fork is missing).

    Only an in-memory decision: the child holds no lock and no file the build had open.
    """
    if not hasattr(os, "fork"):
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:
        try:
            if os.fork() == 0:
                os.closerange(3, os.sysconf("SC_OPEN_MAX"))
                for path in paths:
                    shutil.rmtree(path, ignore_errors=True)
        finally:
            os._exit(0)
    os.waitpid(child, 0)
