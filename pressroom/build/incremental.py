"""Warm builds (392.4.1 "speed ... paramount"): only what a change affects is rewritten.

After every successful build a *state* is kept in the cache folder
(``pressroom.cache``): each content file's stamp (times, size, inode, SHA-256), the
validated posts, the article cards and the key of every file written
(``pressroom.adapter.writer``), and the alert banner. The next build starts
from it when nothing but posts changed — not the settings, the theme, the roster,
pressroom's own code, pages or images, and no post links to another with
``{filename}``. It then

1. checks only the changed posts (plus the checks across posts, over all of them);
2. reads the changed and newly due posts through Pelican and the plugins;
3. replays the output phase over all cards, rendering only the files whose key
   changed, into a staging folder beside the releases (``Stage``);
4. patches the banner of the pages it kept, when the banner changed, likewise;
5. only when all of that succeeded, makes a new release (``pressroom.publishing.releases``): a
   hard-link clone of the live one, each staged file renamed over its link, the files
   the site no longer has unlinked — the live release is never touched — and switches
   the site to it with one atomic rename of a symlink.

A failed or killed warm build changes nothing that is served. The state names the
release it describes; it is dropped before the switch and saved (in the background)
after it, and a state naming another release than the live one (after a rollback, or
a kill between the two) is not used: the next build is a full one.

A test builds the same content both ways after adds, edits, removals, expiries and
setting and theme changes, and compares the trees byte for byte.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pressroom.cache import (
    Stamp,
    code_files,
    digest,
    file_sha256,
    key,
    stable_repr,
    stamp,
    write_atomic,
)
from pressroom.repo.files import read_regular, walk

__all__ = ["digest"]  # the output keys (pressroom.adapter.keys)

STATE_FILE = "site-state.pickle"
CHUNK = 500  # posts or cards per pickle
BANNER_VARIABLE = "alert_banner"
BANNER_START, BANNER_END = "<!-- pressroom:banner -->", "<!-- /pressroom:banner -->"
BANNER_START_BYTES, BANNER_END_BYTES = BANNER_START.encode(), BANNER_END.encode()
# The banner block in a template source; page keys leave it out (it is patched instead).
BANNER_BLOCK = re.compile(r"{%-?\s*block\s+banner\s*-?%}.*?{%-?\s*endblock(\s+banner)?\s*-?%}",
                          re.S)


@dataclass
class SiteState:
    """What the last successful build left for the next one."""

    fingerprint: str
    sources: dict[str, Stamp]  # content file -> how it was when built (pressroom.cache)
    posts: dict[str, Any]  # repo-relative path -> light Post
    cards: list[Any]  # pressroom.adapter.cards.Card of every public article
    manifest: dict[str, Any]  # output file -> pressroom.adapter.session.OutputEntry
    banner: str  # digest of the banner's alerts
    files: int  # files in the site
    variables: dict[str, frozenset[str]]  # template -> the variables it reads
    release: str = ""  # the release (pressroom.publishing.releases) this state describes


@dataclass
class Changes:
    """Content files that differ from the state, by their bytes (not their times)."""

    sources: dict[str, Stamp] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)  # added or edited
    removed: set[str] = field(default_factory=set)


STATE_LOCK = "site-state.lock"


@contextlib.contextmanager
def _state_lock(folder: Path, exclusive: bool):
    """Readers wait for a state still being written (``save_state_behind``)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / STATE_LOCK, "a+b")  # noqa: SIM115 - held across a fork
    except OSError:
        yield None
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield handle
    finally:
        handle.close()


def load_state(folder: Path) -> SiteState | None:
    with _state_lock(folder, exclusive=False):
        return _load_state(folder)


def _load_state(folder: Path) -> SiteState | None:
    """The state, or None when there is none or it cannot be read (a broken cache is a
    miss). Whether it still describes this site is ``site_fingerprint``'s question."""
    try:
        with open(folder / STATE_FILE, "rb") as handle:
            state = pickle.load(handle)
            if not isinstance(state, SiteState):
                return None
            state.posts = dict(item for _ in range(pickle.load(handle))
                               for item in pickle.load(handle))
            state.cards = [card for _ in range(pickle.load(handle)) for card in pickle.load(handle)]
    except Exception:  # noqa: BLE001 - any broken cache is a miss, whatever broke it
        return None
    return state


def save_state(folder: Path, state: SiteState) -> None:
    """The state, then its posts and cards in chunks: pickling 10,000 at once costs 50 MB.

    Not written at all when the folder is read-only: the next build is then a full one.
    """
    cards, posts = state.cards, state.posts

    def write(handle) -> None:
        protocol = pickle.HIGHEST_PROTOCOL
        pickle.dump(state, handle, protocol)
        for items in (list(posts.items()), cards):
            chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
            pickle.dump(len(chunks), handle, protocol)
            for chunk in chunks:
                pickle.dump(chunk, handle, protocol)

    state.cards, state.posts = [], {}
    try:
        write_atomic(folder / STATE_FILE, write)
    finally:
        state.cards, state.posts = cards, posts


def save_state_behind(folder: Path, state: SiteState) -> None:
    """Save the state in a child process, so the command can end as soon as the site is live.

    The child holds the state lock (taken here, before the fork) until the file is
    written; the next build's ``load_state`` waits for it.
    """
    with _state_lock(folder, exclusive=True) as lock:
        if lock is None or not hasattr(os, "fork"):
            save_state(folder, state)
            return
        sys.stdout.flush()
        sys.stderr.flush()
        child = os.fork()
        if child == 0:  # twice, so no zombie is left to a long-running parent
            try:
                if os.fork() == 0:
                    # The grandchild writes, holding only the state lock: other files the
                    # build had open (publish's own lock, say) are not its to keep.
                    keep = lock.fileno()
                    os.closerange(3, keep)
                    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
                    save_state(folder, state)
            finally:
                os._exit(0)  # leave without running anything else of the build
        os.waitpid(child, 0)


def forget_state(folder: Path) -> None:
    """Before a build changes output/: a state must never describe another site."""
    with contextlib.suppress(OSError):
        (folder / STATE_FILE).unlink()


def scan(repo: Path, before: dict[str, Stamp] | None = None) -> Changes:
    """Every file under content/ (repo-relative), read and hashed unless its stamp
    (``pressroom.cache.stamp``: times, size and inode, not just written) vouches for it."""
    before = before or {}
    changes = Changes()
    root = str(repo)  # os.path.join, not pathlib: once per post of every build
    for rel, problem in walk(repo):
        if problem is not None:
            continue  # links and special files are never read; check refuses them
        old = before.get(rel)
        now = stamp(os.lstat(os.path.join(root, rel)), lambda rel=rel: read_regular(repo, rel),
                    old)
        changes.sources[rel] = now
        if old is None or old.sha256 != now.sha256:
            changes.changed.add(rel)
    changes.removed = set(before) - set(changes.sources)
    return changes


def site_fingerprint(repo: Path, output: Path, settings: dict[str, Any]) -> str:
    """Everything besides posts that decides the site: a change means a full build.

    pressroom's code and libraries (``pressroom.cache.code_digest``), the settings, and
    the department's own files that are not posts: its policy, and a theme or plugins
    of its own (its ``theme/`` and ``plugins/``, the folders its settings name).
    """
    parts = [f"site-state {repo} {output}", stable_repr(settings)]
    folders = [repo / "policy", repo / "theme", repo / "plugins",
               *(Path(p) for p in settings.get("PLUGIN_PATHS") or ()),
               *(Path(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES") or ())]
    for root in folders:
        if root.is_dir():
            for path in code_files(root):
                parts += [str(path), file_sha256(path)]
    return key(*parts)


class Stage:
    """A warm build's new files, kept flat beside the releases until all of them are ready."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, str] = {}  # site path -> staged file name

    def path_for(self, name: str) -> str:
        flat = self.files.setdefault(name, f"{len(self.files):07d}")
        return str(self.folder / flat)

    def commit(self, site: Path, removed: Iterable[str]) -> int:
        """Move every staged file into ``site`` (one rename each); delete ``removed``.

        ``site`` is the new release, a hard-link clone of the live one: a rename replaces
        the clone's link and an unlink drops it, and the inode the live release shares
        is never written.
        """
        folder, root = str(self.folder), str(site)
        for name, flat in self.files.items():
            source, target = os.path.join(folder, flat), os.path.join(root, name)
            try:
                os.replace(source, target)
            except FileNotFoundError:  # a new folder (a new post's)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.replace(source, target)
        return remove_outputs(site, removed)


def remove_outputs(root: Path, names: Iterable[str]) -> int:
    """Delete files a build no longer makes, and the folders they leave empty."""
    count = 0
    for name in names:
        path = root / name
        try:
            path.unlink()
            count += 1
        except FileNotFoundError:
            continue
        parent = path.parent
        while parent != root:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
    return count


def patched_banner(page: bytes, block: bytes) -> bytes | None:
    """``page`` with ``block`` (the banner region, markers included) for its own.

    None when the page has no banner region or already shows ``block``.
    """
    start = page.find(BANNER_START_BYTES)
    end = page.find(BANNER_END_BYTES, start)
    if start < 0 or end < 0:
        return None
    updated = page[:start] + block + page[end + len(BANNER_END_BYTES):]
    return updated if updated != page else None


def _patch_slice(site: str, folder: str, jobs: list[tuple[str, str, bytes]], index: int,
                 count: int) -> list[tuple[str, str]]:
    done = []
    for name, flat, block in jobs[index::count]:
        with open(os.path.join(site, name), "rb") as handle:
            updated = patched_banner(handle.read(), block)
        if updated is not None:
            with open(os.path.join(folder, flat), "wb") as handle:
                handle.write(updated)
            done.append((name, flat))
    return done


def patch_banners(site: Path, stage: Stage, jobs: list[tuple[str, bytes]],
                  parallel_from: int = 500) -> int:
    """Stage every page of ``jobs`` (name, banner region) whose banner differs; on all cores.

    An incident's first alert, expiry or all-clear changes the banner on every page of
    the site; reading and writing 15,000 pages is what a warm build spends then.
    """
    flat_jobs = [(name, f"b{i:07d}", block) for i, (name, block) in enumerate(jobs)]
    workers = min(os.cpu_count() or 1, 8)
    args = (str(site), str(stage.folder), flat_jobs)
    if workers < 2 or len(jobs) < parallel_from:
        done = _patch_slice(*args, 0, 1)
    else:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.starmap(_patch_slice, [(*args, k, workers) for k in range(workers)])
        done = [item for part in parts for item in part]
    for name, flat in done:
        stage.files[name] = flat
    return len(done)
