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

All changes to one output path happen under one lock (``output_lock``), taken by
``build``, ``publish`` and ``rollback`` alike.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pressroom.violations import InputError

DEFAULT_KEEP = 5  # old releases kept for `pressroom rollback`
RELEASE_NAME = re.compile(r"^\d{8}T\d{6}Z-(\d+)$")
PARTIAL, STAGE, DOOMED = ".partial-", ".stage-", ".doomed-"
# What pressroom before releases left beside the output when a build was killed.
OLD_LEFTOVER = re.compile(r"^\.output-(old-|stage-)?[A-Za-z0-9_]{8}$")


@dataclass(frozen=True)
class Release:
    """A complete release: ``number`` orders releases, ``path`` is its folder."""

    id: str
    number: int
    path: Path


def releases_folder(output: Path) -> Path:
    return output.parent / f".{output.name}.releases"


def lock_file(output: Path) -> Path:
    return output.parent / f".{output.name}.pressroom-lock"


def _link_prefix(output: Path) -> str:
    return f".{output.name}.pressroom-link-"


# --- the lock ---------------------------------------------------------------------------

_HELD: dict[str, list[int]] = {}  # lock file -> [descriptor, depth], in this process


@contextlib.contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """One build, publish or rollback per output path at a time; a second one fails fast.

    A POSIX record lock (``lockf``): the kernel drops it when the process ends, however
    it ends, and a forked child (the background state saver, banner workers) never
    holds it, so nothing a killed build leaves running can keep the next one out. It is
    re-entrant within a process: ``publish`` holds it and calls ``build_site``, which
    takes it again.
    """
    output = output.absolute()
    path = lock_file(output)
    key = str(path)
    held = _HELD.get(key)
    if held is not None:
        held[1] += 1
        try:
            yield
        finally:
            held[1] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise InputError(f"{path}: cannot open the lock file: {exc.strerror}") from exc
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EACCES, errno.EAGAIN):
            raise InputError(f"another pressroom build, publish or rollback of {output} is "
                             f"running; try again when it has finished") from exc
        raise InputError(f"{path}: cannot lock: {exc.strerror}") from exc
    _HELD[key] = [fd, 1]
    try:
        yield
    finally:
        del _HELD[key]
        os.close(fd)  # closing drops the lock


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


def _target_release(output: Path, target: str) -> Release | None:
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
    release = _target_release(output, target)
    if release is None or not release.path.is_dir():
        return None
    return release


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
    if output.is_symlink():
        target = os.readlink(output)
        if _target_release(output, target) is None:
            raise InputError(f"{output}: a symbolic link pressroom did not make (to {target}); "
                             f"remove it or choose another output")
    elif output.is_dir():
        _adopt_folder(output)
    elif output.exists():
        raise InputError(f"{output}: exists and is not a folder")
    cleanup(output)
    return live_release(output)


def _finish_interrupted_flip(output: Path) -> None:
    """A kill between a migration's two renames left no site: put the pending link in place."""
    if output.exists() or output.is_symlink():
        return
    pending = []
    for link in _temp_links(output):
        try:
            release = _target_release(output, os.readlink(link))
        except OSError:  # the old folder an exchange left under a temporary name
            continue
        if release is not None and release.path.is_dir():
            pending.append((release.number, link))
    if pending:
        os.replace(max(pending)[1], output)


def _temp_links(output: Path) -> list[Path]:
    prefix = _link_prefix(output)
    with contextlib.suppress(FileNotFoundError):
        return [output.parent / name for name in os.listdir(output.parent)
                if name.startswith(prefix)]
    return []


def _adopt_folder(output: Path) -> None:
    if not any(output.iterdir()):
        output.rmdir()  # an empty folder: there is no site to keep serving
        return
    if not (output / "index.html").is_file():
        raise InputError(f"{output}: a folder that is not a site (no index.html) is in the way; "
                         f"move it or choose another output")
    if EXCHANGE is not None:
        # A hard-link copy becomes the first release, and one exchange of the folder with a
        # link to it switches: the site is never missing. The old folder is then removed.
        partial = new_partial(output)
        clone(output, partial)
        release = finish(partial)
        link = _temp_link(output, release.id)
        if EXCHANGE(link, output):
            shutil.rmtree(link)  # now the old folder
            return
        link.unlink()  # the file system cannot exchange: do it the other way
        discard(release.path)
    partial = new_partial(output)
    final = partial.parent / partial.name[len(PARTIAL):]
    partial.rmdir()
    link = _temp_link(output, final.name)
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
    """Remove what crashed builds left: partial releases, stages, temp links, old-style dirs."""
    for link in _temp_links(output):
        _remove(link)
    folder = releases_folder(output)
    with contextlib.suppress(FileNotFoundError):
        for name in os.listdir(folder):
            if name.startswith((PARTIAL, STAGE, DOOMED)):
                _remove(folder / name)
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


def clone(source: Path, target: Path) -> int:
    """Fill ``target`` with hard links to every file of ``source`` (copies where that fails).

    Sharing inodes is safe because no release is ever written in place: a warm build
    renames new files over the clone's links and unlinks removed ones, which leaves
    ``source`` byte-identical. Returns how many files were copied instead of linked.
    """
    copied = 0
    link_works = True
    src_root, dst_root = str(source), str(target)
    for folder, dirs, files in os.walk(src_root):
        rel = os.path.relpath(folder, src_root)
        out = dst_root if rel == "." else os.path.join(dst_root, rel)
        if rel != ".":
            os.mkdir(out)
            shutil.copymode(folder, out)
        for name in files:
            src, dst = os.path.join(folder, name), os.path.join(out, name)
            if link_works:
                try:
                    os.link(src, dst, follow_symlinks=False)
                    continue
                except OSError as exc:
                    if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK,
                                         errno.ENOTSUP, errno.EOPNOTSUPP):
                        raise
                    link_works = exc.errno == errno.EMLINK  # only a full inode may pass
            shutil.copy2(src, dst, follow_symlinks=False)
            copied += 1
        # folders that are symlinks are walked as files would be: copy the link itself
        for name in [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            dirs.remove(name)
            os.symlink(os.readlink(os.path.join(folder, name)), os.path.join(out, name))
    return copied


class Cloning:
    """A clone (``clone``) running beside the build: at 10,000 posts linking 15,000 files
    takes over a second, which a warm build spends rendering on the other core instead.

    GNU ``cp -al`` does the linking in another process; without it (or when it fails) a
    thread runs ``clone``.
    """

    def __init__(self, source: Path, target: Path) -> None:
        self.source, self.target = source, target
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._copied = 0
        self._error: BaseException | None = None
        cp = shutil.which("cp")
        if cp is not None and sys.platform.startswith("linux"):
            self._process = subprocess.Popen(
                [cp, "-al", "--", f"{source}/.", f"{target}/"], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True)
        else:
            self._start_thread()

    def _start_thread(self) -> None:
        def run() -> None:
            try:
                self._copied = clone(self.source, self.target)
            except BaseException as exc:  # re-raised by wait()
                self._error = exc

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def wait(self) -> int:
        """Wait until the clone is complete; how many files were copied instead of linked."""
        if self._process is not None:
            code = self._process.wait()
            self._process = None
            if code != 0:  # e.g. a file system without hard links: start again, in Python
                _empty(self.target)
                self._start_thread()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error
        return self._copied

    def cancel(self) -> None:
        """Stop (a failed build): the caller removes the half-made clone."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def _empty(folder: Path) -> None:
    shutil.rmtree(folder)
    folder.mkdir()
    folder.chmod(0o755)


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


def finish(partial: Path) -> Release:
    """Mark a built release complete: one rename to its final name."""
    release_id = partial.name.removeprefix(PARTIAL)
    final = partial.parent / release_id
    os.rename(partial, final)
    number = _number(release_id)
    assert number is not None
    return Release(release_id, number, final)


def _temp_link(output: Path, release_id: str) -> Path:
    target = os.path.join(releases_folder(output).name, release_id)
    while True:
        link = output.parent / f"{_link_prefix(output)}{os.urandom(4).hex()}"
        try:
            os.symlink(target, link)
            return link
        except FileExistsError:
            continue


def flip(output: Path, release: Release) -> None:
    """Make ``release`` the live site: one rename of a fresh symlink onto the output path."""
    os.replace(_temp_link(output, release.id), output)
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


# --- rollback ---------------------------------------------------------------------------

def rollback(output: Path, to: str | None = None) -> Release:
    """Make the release before the live one (or ``to``) live again, under the lock."""
    output = output.absolute()
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

