"""Warm builds (392.4.1 "speed ... paramount"): only what a change affects is rewritten.

After every successful build a *state* is kept in the cache folder: each content
file's size, time and SHA-256, the validated posts, the article cards and the key
of every file written (``pressroom/adapter/plugins/pressroom_incremental``), and the alert banner.
The next build starts from it when nothing but posts changed — not the settings,
the theme, the roster, pressroom's own code, pages or images, and no post links to
another with ``{filename}``. It then

1. checks only the changed posts (plus the checks across posts, over all of them);
2. reads the changed and newly due posts through Pelican and the plugins;
3. replays the output phase over all cards, rendering only the files whose key
   changed, into a staging folder beside the releases (``Stage``);
4. patches the banner of the pages it kept, when the banner changed, likewise;
5. only when all of that succeeded, makes a new release (``pressroom.releases``): a
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
import dataclasses
import fcntl
import hashlib
import os
import pickle
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pressroom.files import read_regular, walk

STATE_FILE = "site-state.pickle"
STATE_VERSION = 2  # 2: the state names its release
CHUNK = 500  # posts or cards per pickle
BANNER_VARIABLE = "alert_banner"
BANNER_START, BANNER_END = "<!-- pressroom:banner -->", "<!-- /pressroom:banner -->"
BANNER_START_BYTES, BANNER_END_BYTES = BANNER_START.encode(), BANNER_END.encode()
# The banner block in a template source; page keys leave it out (it is patched instead).
BANNER_BLOCK = re.compile(r"{%-?\s*block\s+banner\s*-?%}.*?{%-?\s*endblock(\s+banner)?\s*-?%}",
                          re.S)
CODE_SUFFIXES = (".py", ".html", ".css", ".js", ".toml", ".svg", ".png", ".woff2")


def digest(parts: Iterable[str]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


@dataclass
class SiteState:
    """What the last successful build left for the next one."""

    fingerprint: str
    sources: dict[str, tuple[int, int, str]]  # content file -> (mtime_ns, size, sha256)
    posts: dict[str, Any]  # repo-relative path -> light Post
    cards: list[Any]  # pressroom_incremental.Card of every public article
    manifest: dict[str, tuple[str, str, str]]  # output file -> (key, owner, template)
    banner: str  # digest of the banner's alerts
    files: int  # files in the site
    variables: dict[str, frozenset[str]]  # template -> the variables it reads
    version: int = STATE_VERSION
    release: str = ""  # the release (pressroom.releases) this state describes


@dataclass
class Changes:
    """Content files that differ from the state, by their bytes (not their times)."""

    sources: dict[str, tuple[int, int, str]] = field(default_factory=dict)
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
    try:
        with open(folder / STATE_FILE, "rb") as handle:
            state = pickle.load(handle)
            if not isinstance(state, SiteState) or state.version != STATE_VERSION:
                return None
            state.posts = dict(item for _ in range(pickle.load(handle))
                               for item in pickle.load(handle))
            state.cards = [card for _ in range(pickle.load(handle)) for card in pickle.load(handle)]
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
            ValueError, TypeError):
        return None
    return state


def save_state(folder: Path, state: SiteState) -> None:
    """The state, then its posts and cards in chunks: pickling 10,000 at once costs 50 MB."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / (STATE_FILE + ".tmp")
        cards, posts = state.cards, state.posts
        state.cards, state.posts = [], {}
        try:
            with open(tmp, "wb") as handle:
                protocol = pickle.HIGHEST_PROTOCOL
                pickle.dump(state, handle, protocol)
                for items in (list(posts.items()), cards):
                    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
                    pickle.dump(len(chunks), handle, protocol)
                    for chunk in chunks:
                        pickle.dump(chunk, handle, protocol)
        finally:
            state.cards, state.posts = cards, posts
        os.replace(tmp, folder / STATE_FILE)
    except OSError:
        pass  # a read-only checkout builds fully every time


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


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scan(repo: Path, before: dict[str, tuple[int, int, str]] | None = None) -> Changes:
    """Every file under content/ (repo-relative), hashed only when its size or time moved."""
    before = before or {}
    changes = Changes()
    for rel, problem in walk(repo):
        if problem is not None:
            continue  # links and special files are never read; check refuses them
        stat = os.lstat(repo / rel)
        old = before.get(rel)
        if old is not None and old[:2] == (stat.st_mtime_ns, stat.st_size):
            changes.sources[rel] = old
            continue
        sha = hashlib.sha256(read_regular(repo, rel)).hexdigest()
        changes.sources[rel] = (stat.st_mtime_ns, stat.st_size, sha)
        if old is None or old[2] != sha:
            changes.changed.add(rel)
    changes.removed = set(before) - set(changes.sources)
    return changes


def cache_folder(repo: Path) -> Path:
    """Where this repository's caches live: never anywhere a branch could put files.

    Inside git's own folder when there is one (so the cache is never committed); for a
    folder outside git (an archive of a branch, say), in the user's cache folder
    (``$XDG_CACHE_HOME/pressroom`` or ``~/.cache/pressroom``), keyed by the folder's real
    path. The caches are pickles: reading one that came with the content would run code.
    """
    git_dir = _git_dir(repo)
    if git_dir is not None:
        return git_dir / "pressroom-cache"
    real = os.path.realpath(repo)
    if "/.git/" in real + "/":  # publish's copy of a commit (pressroom.published_tree):
        return repo / ".pressroom-cache"  # inside git's folder, a name no tree may hold
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pressroom"
    return base / f"{Path(real).name[:40]}-{hashlib.sha256(real.encode()).hexdigest()[:24]}"


def _git_dir(repo: Path) -> Path | None:
    """``.git``, or the folder a ``.git`` file names (a worktree, a submodule): never the
    working folder, where a branch can commit a ``.pressroom-cache/`` of its own (the
    caches are pickles: loading one a branch wrote would run its code)."""
    dot_git = repo / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        if not dot_git.is_file() or dot_git.is_symlink():
            return None
        text = dot_git.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("gitdir:"):
        return None
    found = Path(text[len("gitdir:"):].strip())
    found = found if found.is_absolute() else repo / found
    return found if found.is_dir() else None


def stable_repr(value: Any) -> str:
    """A repr that is the same in every process (no addresses, sorted mappings)."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{stable_repr(k)}:{stable_repr(v)}"
                              for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(stable_repr(v) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(stable_repr(v) for v in value)) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value).__name__ + "(" + ",".join(
            f"{f.name}={stable_repr(getattr(value, f.name))}"
            for f in dataclasses.fields(value)) + ")"
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
    return repr(value)


def _tree(root: Path) -> Iterable[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(CODE_SUFFIXES) or root.name == "policy":
                yield Path(folder, name)


_SOURCE_DIGEST: list[str] = []


def source_digest() -> str:
    """pressroom's own code: results computed by another version are not reused."""
    if not _SOURCE_DIGEST:
        from pressroom.site import PACKAGE_ROOT

        _SOURCE_DIGEST.append(digest(
            part for path in _tree(PACKAGE_ROOT)
            for part in (path.relative_to(PACKAGE_ROOT.parent).as_posix(), _sha256(path))))
    return _SOURCE_DIGEST[0]


def site_fingerprint(repo: Path, output: Path, settings: dict[str, Any]) -> str:
    """Everything besides posts that decides the site: a change means a full build."""
    import feedgen
    import jinja2
    import markdown
    import pelican

    from pressroom import __version__
    from pressroom.site import PLUGINS_PATH, THEME_PATH

    parts = [str(STATE_VERSION), str(repo), str(output), __version__, pelican.__version__,
             jinja2.__version__, markdown.__version__, getattr(feedgen, "__version__", ""),
             stable_repr(settings), source_digest()]
    for root in (PLUGINS_PATH, THEME_PATH, repo / "policy"):
        for path in _tree(root):
            parts += [str(path), _sha256(path)]
    return digest(parts)


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


def write_output(writer: Any, name: str, inputs: Any, produce: Callable[[], bytes]) -> None:
    """How plugins write a file made from ``inputs`` (a feed, a CAP document).

    Under ``pressroom build`` the writer keys it and skips it when ``inputs`` did not
    change; a plain Pelican writer just writes it.
    """
    keyed = getattr(writer, "write_bytes", None)
    if keyed is not None:
        keyed(name, inputs, produce)
        return
    path = Path(writer.output_path) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(produce())
