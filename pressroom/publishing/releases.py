"""The live site as immutable releases and one symlink: every switch is one rename(2).

The output path (``output/``, or publish's ``--target /var/www/pd``) is a symbolic link
to a release folder kept beside it::

    /var/www/pd -> .pd.releases/20261124T184500Z-42
    /var/www/.pd.releases/20261124T184500Z-42/index.html ...
    /var/www/.pd.pressroom-lock

A build writes a new release under a dot-name (``.partial-<id>``), renames it to its
final name when it is complete, and then *flips*: it makes a symlink to it at a
temporary name in the output's folder and ``os.replace``s that onto the output path.
That rename is atomic, so a reader (or a ``kill -9``) sees either the whole old or
the whole new release, never a mix and never no site. A release is never changed
after its rename; a warm build starts its release as a hard-link clone of the live
one and only renames new files into the clone or unlinks from it.

Names in the releases folder:

* ``<UTC time>-<n>``: a complete release; ``n`` grows by one per release and orders them
  (the clock may jump, ``n`` does not).
* ``.partial-<id>``, ``.stage-*``, ``.doomed-<id>``: a release being built, a warm
  build's staged files, a release being deleted. Whatever of them a crashed build left
  is removed by the next build (``prepare``), under the lock.

All changes to one output path happen under one lock (``pressroom.publishing.output_lock``), taken
by ``build``, ``publish`` and ``rollback`` alike.

This module holds what runs before a build (``prepare``: migration, recovery, cleanup)
and ``rollback``; a release's life is in ``pressroom.publishing.release_folders``, the hard-link
clone in ``pressroom.publishing.cloning``. Their names used by ``pressroom.build.run`` are
re-exported here so the build reads ``releases.<name>`` from one place.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from pressroom.model.violations import InputError
from pressroom.publishing import search_index
from pressroom.publishing.cloning import Cloning, clone
from pressroom.publishing.output_lock import output_lock
from pressroom.publishing.release_folders import (
    DEFAULT_KEEP,
    DOOMED,
    PARTIAL,
    STAGE,
    Release,
    complete_releases,
    discard,
    finish,
    flip,
    link_prefix,
    live_release,
    new_partial,
    new_stage,
    publish_release,
    releases_folder,
    remove_behind,
    target_release,
    temp_link,
)

# This module's own names, and those pressroom.build.run reads as ``releases.<name>`` from their
# new homes (release_folders, cloning, output_lock): one import for the build.
__all__ = ["EXCHANGE", "cleanup", "describe", "prepare", "rollback",
           "DEFAULT_KEEP", "Cloning", "discard", "live_release", "new_partial", "new_stage",
           "output_lock", "publish_release"]

# What pressroom before releases left beside the output when a build was killed.
OLD_LEFTOVER = re.compile(r"^\.output-(old-|stage-)?[A-Za-z0-9_]{8}$")


# --- preparing: migration, recovery, cleanup --------------------------------------------

def prepare(output: Path) -> Release | None:
    """Before a build (under the lock): make ``output`` ours, finish or undo a crashed one.

    * A real folder at the output path (pressroom before releases) becomes the first
      release: a hard-link copy of it is exchanged with a link to it in one step
      (``renameat2``). Where the system cannot exchange, one rename moves the folder into
      the releases folder and one more puts the link in its place; a kill between the
      two is repaired here on the next run, from the temporary link left behind. An
      empty folder is simply removed.
    * A file, a symlink we did not make, or a non-empty folder that is not a site is
      refused: it is not ours to replace.
    * Leftovers of crashed builds are removed.

    Returns the live release (None when there is no site yet).
    """
    output = output.absolute()
    _finish_interrupted_flip(output)
    refuse_unusable(output)  # again under the lock: the path may have changed since
    if output.is_dir() and not output.is_symlink():
        _adopt_folder(output)
    cleanup(output)
    return live_release(output)


# Folders of a department repository no site may be built into (or beside: the releases
# folder and the lock live next to the output path).
REPO_FOLDERS = ("content", "policy", "theme", "plugins", ".git")


def refuse_unusable(output: Path, repo: Path | None = None) -> None:
    """Refuse an output path before anything is locked or written (``InputError``).

    What ``prepare`` would refuse under the lock (a file, a link pressroom did not make, a
    folder that is not a site) is refused here first, so a refused command leaves nothing
    behind, not even a lock file; with ``repo``, so is a path inside the repository's own
    folders, or the repository itself: the site is replaced on every build.
    """
    output = output.absolute()
    if repo is not None:
        resolved, root = output.parent.resolve() / output.name, repo.resolve()
        if resolved == root or resolved in root.parents:
            raise InputError(f"{output}: the output folder must not contain the repository "
                             f"(it is replaced on every build)")
        for name in REPO_FOLDERS:
            folder = root / name
            if resolved == folder or folder in resolved.parents:
                what = "content" if name == "content" else f"repository's {name}/ folder"
                raise InputError(f"{output}: the output folder must not contain or be inside "
                                 f"the {what} (it is replaced on every build)")
    if output.is_symlink():
        if target_release(output, os.readlink(output)) is None:
            raise InputError(f"{output}: a symbolic link pressroom did not make (to "
                             f"{os.readlink(output)}); remove it or choose another output")
    elif output.is_dir():
        if any(output.iterdir()) and not (output / "index.html").is_file():
            raise InputError(f"{output}: a folder that is not a site (no index.html) is in "
                             f"the way; move it or choose another output")
    elif output.exists():
        raise InputError(f"{output}: exists and is not a folder")


def _finish_interrupted_flip(output: Path) -> None:
    """A kill between a migration's two renames left no site: put the pending link in place."""
    if output.exists() or output.is_symlink():
        return
    pending = []
    for link in _temp_links(output):
        try:
            release = target_release(output, os.readlink(link))
        except OSError:  # the old folder an exchange left under a temporary name
            continue
        if release is not None and release.path.is_dir():
            pending.append((release.number, link))
    if pending:
        os.replace(max(pending)[1], output)


def _temp_links(output: Path) -> list[Path]:
    prefix = link_prefix(output)
    with contextlib.suppress(FileNotFoundError):
        return [output.parent / name for name in os.listdir(output.parent)
                if name.startswith(prefix)]
    return []


def _adopt_folder(output: Path) -> None:
    """A site folder from before releases (``refuse_unusable`` let only a site or nothing
    through) becomes the first release; an empty one is removed."""
    if not any(output.iterdir()):
        output.rmdir()  # an empty folder: there is no site to keep serving
        return
    if EXCHANGE is not None:
        # A hard-link copy becomes the first release, and one exchange of the folder with a
        # link to it switches: the site is never missing. The old folder is then removed.
        partial = new_partial(output)
        clone(output, partial)
        release = finish(partial)
        link = temp_link(output, release.id)
        if EXCHANGE(link, output):
            shutil.rmtree(link)  # now the old folder
            return
        link.unlink()  # the file system cannot exchange: do it the other way
        discard(release.path)
    partial = new_partial(output)
    final = partial.parent / partial.name[len(PARTIAL):]
    partial.rmdir()
    link = temp_link(output, final.name)
    os.rename(output, final)  # from here to the next rename there is no site; see above
    os.replace(link, output)


def _renameat2_exchange() -> Callable[[Path, Path], bool] | None:
    """Linux's ``renameat2(RENAME_EXCHANGE)``: swap two names in one step (a folder and a
    link, which ``rename`` cannot replace one with the other). None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        call = libc.renameat2
    except (OSError, AttributeError):
        return None
    at_fdcwd, rename_exchange = -100, 2

    def exchange(first: Path, second: Path) -> bool:
        if call(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second),
                rename_exchange) == 0:
            return True
        code = ctypes.get_errno()
        if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
            return False
        raise OSError(code, os.strerror(code), str(second))

    return exchange


EXCHANGE = _renameat2_exchange()


def cleanup(output: Path) -> None:
    """Remove what crashed builds left: partial releases, stages, temp links, old-style dirs,
    and the work folders of killed search index runs (``search_index.forget_stale``).

    A ``.doomed-`` release is most often one the last build's detached process is still
    deleting (15,000 links take seconds, and publishes come back to back during an
    incident): deleting it here as well put those seconds on this build's critical path.
    It is not a release and never becomes one, so it is left to a detached process again
    (``remove_behind``), as is a partial release a kill left (renamed ``.doomed-`` first).
    """
    for link in _temp_links(output):
        _remove(link)
    folder = releases_folder(output)
    doomed: list[Path] = []
    with contextlib.suppress(FileNotFoundError):
        for name in os.listdir(folder):
            if name.startswith(DOOMED):
                doomed.append(folder / name)
            elif name.startswith(PARTIAL) and (folder / name).is_dir():
                gone = folder / f"{DOOMED}{name.removeprefix(PARTIAL)}"
                with contextlib.suppress(OSError):
                    os.rename(folder / name, gone)
                    doomed.append(gone)
                    continue
                _remove(folder / name)
            elif name.startswith((PARTIAL, STAGE)):
                _remove(folder / name)
    if doomed:
        remove_behind(doomed)
    search_index.forget_stale(output)  # a killed index run's work folder
    with contextlib.suppress(FileNotFoundError):
        for name in os.listdir(output.parent):
            if OLD_LEFTOVER.match(name):
                _remove(output.parent / name)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# --- rollback ---------------------------------------------------------------------------

def rollback(output: Path, to: str | None = None) -> Release:
    """Make the release before the live one (or ``to``) live again, under the lock."""
    output = output.absolute()
    refuse_unusable(output)
    if not (output.is_symlink() or releases_folder(output).is_dir()):
        raise InputError(f"{output}: no site here to roll back (build or publish one first)")
    with output_lock(output):
        live = prepare(output)
        releases = complete_releases(output)
        if to is not None:
            chosen = next((r for r in releases if r.id == to), None)
            if chosen is None:
                raise InputError(f"{output}: no complete release {to!r} "
                                 f"(see pressroom rollback --list)")
        else:
            if live is None:
                raise InputError(f"{output}: no live release to roll back from")
            earlier = [r for r in releases if r.number < live.number]
            if not earlier:
                raise InputError(f"{output}: no release older than the live one "
                                 f"({live.id}) is kept")
            chosen = earlier[-1]
        flip(output, chosen)
        return chosen


def describe(output: Path) -> list[tuple[Release, bool]]:
    """The complete releases, newest first, and whether each is live."""
    live = live_release(output.absolute())
    return [(r, live is not None and r.id == live.id)
            for r in reversed(complete_releases(output.absolute()))]

