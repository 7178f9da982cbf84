"""Site search: a Pagefind index of the live release, made *after* the release went live.

Why after: an alert must be live in seconds (docs/performance.md), and indexing every page
takes longer than the warm build that changed two of them. So ``build`` and ``publish``
switch the site first and then call ``follow``: Pagefind reads the live release's HTML
(only what carries ``data-pagefind-body``: post pages and the department's pages; one
index per ``<html lang>``) into a folder beside the releases, and the result is moved into
the release's ``pagefind/`` folder under the output's lock:

1. every new file is renamed in. Pagefind names its index files by their content
   (``pagefind.en_4297bf2e31.pf_meta``, ``fragment/en_1a1066b.pf_fragment``), so new ones
   never replace a file the current index uses; its scripts and WebAssembly are renamed
   over the old ones (the same bytes, unless Pagefind was upgraded);
2. ``pagefind-entry.json``, the one file that names the index files, is renamed over the
   old one: the switch, atomic as the release switch is;
3. files neither the new index nor the one before it use are unlinked (a reader who loaded
   the previous entry a moment ago can still finish a search; ``search.js`` reloads the
   index when a file has gone).

A release is otherwise never changed after it went live (``pressroom.publishing.releases``);
``pagefind/`` changes only by renames and unlinks, which leave every hard-link clone of
the release (a warm build's start) as it was. A warm build's release therefore starts with
the live release's index — search is behind by the changed posts until ``follow`` ends —
unless the change took a post down (removed, retracted, no longer public): then the new
release starts *without* an index (``withhold``), so a removed post's words are not
searchable for a moment longer; the page falls back to its list of links until the index
follows. A failed or killed Pagefind changes nothing: the site stays live with the search
it had, and the failure is a warning (``SearchIndex.problem``), never a failed publish.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pressroom.model.violations import InputError
from pressroom.publishing.output_lock import output_lock
from pressroom.publishing.release_folders import live_release, releases_folder

FOLDER = "pagefind"  # in the release: https://<site>/pagefind/pagefind.js
ENTRY = "pagefind-entry.json"  # the one file naming the index files: replaced last
FILES = "pressroom-files.json"  # the files of the current and the previous index
WORK = ".search-"  # Pagefind's output beside the releases (never a release name)
# Another pagefind executable (an operator's, a test's): the variable Pagefind's own Python
# package reads for the same purpose.
PAGEFIND = "PAGEFIND_BINARY_PATH"
TIMEOUT = 600.0  # seconds Pagefind may take before the index is left as it was
NICENESS = 10  # Pagefind runs at a lower CPU priority than a build
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
HELD = ".in-use"  # a lock file in a work folder, held while its follow runs
LOCK_WAIT = 30.0  # seconds to wait for a build of the output to end before installing
# Files Pagefind names by a hash of their content (the rest are its scripts and WebAssembly).
CONTENT_NAMED = (".pf_meta", ".pf_index", ".pf_fragment")
# Pagefind's ready-made interfaces: not used (their inline styles break the CSP), not served.
UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.",
          "pagefind-highlight.")


@dataclass
class SearchIndex:
    """What ``follow`` did: ``ok`` with the release indexed, or ``problem`` (a warning)."""

    release: str = ""
    ok: bool = False
    problem: str = ""
    seconds: float = 0.0  # from the call to the index's switch
    pages: int = 0
    languages: dict[str, int] = field(default_factory=dict)  # code -> pages indexed
    size: int = 0  # bytes of the index folder

    def describe(self) -> str:
        """One line for the command's output."""
        if not self.ok:
            return f"Search index not updated: {self.problem}"
        langs = ", ".join(f"{code} {count}" for code, count in sorted(self.languages.items()))
        return (f"Search index of release {self.release} is current: {self.pages} pages "
                f"({langs}), {self.size / 1_000_000:.1f} MB, {self.seconds:.1f}s after the "
                f"switch")


def executable() -> str:
    """The pagefind binary: ``$PAGEFIND_BINARY_PATH``, else the one ``pagefind[bin]`` ships."""
    chosen = os.environ.get(PAGEFIND, "")
    if chosen:
        return chosen
    try:
        from pagefind_bin import get_executable  # the wheel's binary, no network
    except ImportError as exc:
        raise FileNotFoundError("pagefind is not installed (pip install 'pagefind[bin]')") \
            from exc
    return str(get_executable())


def _child_setup() -> None:
    """In Pagefind's process before it starts: a lower CPU priority (the next publish's build
    goes first) and, on Linux, death with its parent — a ``kill -9`` of ``build`` or
    ``publish`` must not leave Pagefind writing beside the releases."""
    os.nice(NICENESS)
    if sys.platform.startswith("linux"):
        parent = os.getppid()
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the line above: so do we
            os._exit(1)


def run_pagefind(site: Path, into: Path, timeout: float = TIMEOUT) -> str:
    """Index the HTML of ``site`` into ``into`` (a new folder); "" or why it failed."""
    try:
        command = [executable(), "--site", str(site), "--output-path", str(into), "--silent"]
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout, check=False, preexec_fn=_child_setup)
    except FileNotFoundError as exc:
        return str(exc)
    except subprocess.TimeoutExpired:
        return f"pagefind took more than {timeout:.0f}s"
    except (OSError, subprocess.SubprocessError) as exc:
        return f"pagefind could not run: {getattr(exc, 'strerror', None) or exc}"
    if done.returncode != 0:
        said = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
        return f"pagefind exited {done.returncode}" + (f": {said[-1]}" if said else "")
    if not (into / ENTRY).is_file():
        return f"pagefind wrote no {ENTRY}"
    return ""


def bundle_files(bundle: Path) -> list[str]:
    """The files of a Pagefind output worth serving (posix paths), the entry file last."""
    found = []
    for folder, _dirs, names in os.walk(bundle):
        for name in names:
            rel = os.path.relpath(os.path.join(folder, name), bundle).replace(os.sep, "/")
            if rel != ENTRY and rel != FILES and not name.startswith(UNUSED):
                found.append(rel)
    return [*sorted(found), ENTRY]


def install(bundle: Path, release: Path) -> list[str]:
    """Move Pagefind's output ``bundle`` into ``release``/pagefind/: new files first, the
    entry file last (the switch), then unlink what neither this index nor the previous one
    uses. Only renames and unlinks: a hard-link clone of ``release`` is left as it was.
    Returns the files removed."""
    target = release / FOLDER
    target.mkdir(exist_ok=True)
    target.chmod(0o755)
    files = bundle_files(bundle)
    for rel in files:
        source, dest = bundle / rel, target / rel
        if rel == ENTRY:
            break
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.suffix in CONTENT_NAMED and dest.exists():
            continue  # named by its content: the same bytes are already in place
        os.chmod(source, 0o644)
        os.replace(source, dest)
    previous = _recorded(target)
    os.chmod(bundle / ENTRY, 0o644)
    os.replace(bundle / ENTRY, target / ENTRY)  # the switch
    keep = set(files) | set(previous.get("current", []))
    _write_record(target, files, previous.get("current", []))
    removed = []
    for rel in bundle_files(target):
        if rel not in keep:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target / rel)
                removed.append(rel)
    return removed


def _recorded(target: Path) -> dict[str, list[str]]:
    try:
        data = json.loads((target / FILES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_record(target: Path, current: list[str], previous: list[str]) -> None:
    """Which files the current and the previous index use (a new file, renamed in)."""
    tmp = target / f"{FILES}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"current": current, "previous": previous}) + "\n",
                   encoding="utf-8")
    os.replace(tmp, target / FILES)


def _entry_counts(bundle: Path) -> dict[str, int]:
    try:
        entry = json.loads((bundle / ENTRY).read_text(encoding="utf-8"))
        return {str(code): int(lang.get("page_count", 0))
                for code, lang in entry["languages"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def folder_size(folder: Path) -> int:
    """Bytes of the files under ``folder`` (0 when there is none)."""
    total = 0
    for parent, _dirs, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(parent, name)).st_size
    return total


def _waiting_lock(output: Path, wait: float) -> contextlib.ExitStack:
    """The output's lock (entered), waiting up to ``wait`` seconds for another build to end;
    ``InputError`` when it did not."""
    deadline = time.monotonic() + wait
    while True:
        stack = contextlib.ExitStack()
        try:
            stack.enter_context(output_lock(output))
            return stack
        except InputError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


def follow(output: Path, progress: Callable[[str], None] = lambda message: None,
           timeout: float = TIMEOUT, lock_wait: float = LOCK_WAIT) -> SearchIndex:
    """Index the live release of ``output`` and make the index live in it (module doc).

    Runs after the switch, outside the build's lock (taken again only to move the files
    in): never raises for a failed index, which is reported in ``problem``.
    """
    started = time.monotonic()
    output = output.absolute()
    release = live_release(output)
    if release is None:
        return SearchIndex(problem=f"{output} holds no live release to index")
    result = SearchIndex(release=release.id)
    progress(f"Indexing release {release.id} for search (the site is already live)")
    forget_stale(output)
    work = Path(tempfile.mkdtemp(dir=releases_folder(output), prefix=WORK))
    held = _hold(work)
    try:
        bundle = work / FOLDER
        problem = run_pagefind(release.path, bundle, timeout)
        if problem:
            result.problem = f"{problem}; {_as_it_was(release.path)}"
            return result
        try:
            lock = _waiting_lock(output, lock_wait)
        except InputError:
            result.problem = ("another build of the site is running (it indexes its own "
                              f"release); {_as_it_was(release.path)}")
            return result
        with lock:
            if not release.path.is_dir():
                result.problem = f"release {release.id} was removed while it was indexed"
                return result
            install(bundle, release.path)
        result.seconds = time.monotonic() - started
        result.languages = _entry_counts(release.path / FOLDER)
        result.pages = sum(result.languages.values())
        result.size = folder_size(release.path / FOLDER)
        result.ok = True
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)
        os.close(held)


def _as_it_was(release: Path) -> str:
    if (release / FOLDER / ENTRY).is_file():
        return "the site is live and its search works with the index it had"
    return ("the site is live; its search pages show their lists of links until an index "
            "is made")


def withhold(release: Path) -> None:
    """Leave a release being built without the index it was cloned with (a post was taken
    down: its words must not stay searchable); ``follow`` makes a new one."""
    folder = release / FOLDER
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder)


def forget_stale(output: Path) -> None:
    """Remove the work folders of ``follow`` runs that were killed: those whose lock no
    process holds (a running ``follow``, in another process, holds its own). Called at every
    build's cleanup, under the output's lock, and when ``follow`` starts."""
    folder = releases_folder(output)
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            if entry.name.startswith(WORK) and not _in_use(Path(entry.path)):
                shutil.rmtree(entry.path, ignore_errors=True)


def _in_use(work: Path) -> bool:
    try:
        fd = os.open(work / HELD, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:  # killed between making the folder and locking it, or new
        with contextlib.suppress(OSError):
            return time.time() - work.stat().st_mtime < 60
        return False
    except OSError:
        return True
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)  # (closing drops a lock this process just took)


def _hold(work: Path) -> int:
    """Lock ``work`` as in use for as long as the descriptor is open."""
    fd = os.open(work / HELD, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    fcntl.lockf(fd, fcntl.LOCK_EX)
    return fd


__all__ = ["ENTRY", "FOLDER", "SearchIndex", "bundle_files", "executable", "folder_size",
           "follow", "forget_stale", "install", "run_pagefind", "withhold"]
