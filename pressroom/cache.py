"""The one cache layer: where caches live, what invalidates them, how they are kept.

pressroom keeps five caches — check results, the site state of the last build, the
Markdown renderings, verified merges and the slug index — and they follow one set of
rules, all decided here:

* **Where.** ``folder(repo)``: inside git's own folder, or the user's cache folder for
  a folder outside git, never anywhere a branch can put files. Most caches are
  pickles: loading one that came with the content would run its code.
* **What invalidates them.** Every key starts with ``code_digest()``: the bytes of
  pressroom's own code (the package, the Pelican plugins and theme it builds with),
  the versions of the libraries that shape output (and nh3's compiled sanitizer
  itself) and ``FORMAT``. A fix to a rule or to the sanitizer drops every result the
  old code made, without anyone bumping a version. The rest of a key is the inputs.
* **Did this file change.** ``stamp``: a file's (mtime, size, ctime, inode) vouches
  for its SHA-256 only when it was not written in the last seconds (git's "racy
  clean" problem: an edit in the same clock tick as the read leaves every time as it
  was); otherwise only its hash is trusted.
* **Trust nothing.** ``pressroom check --no-cache`` and ``build --full`` read no cache
  (they write fresh ones).
* **Keeping them.** Written whole to a temporary file and renamed over the old one
  (``write_atomic``); anything unreadable, truncated or from other code is a miss
  (``load_pickle``), never an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

# Bumped when the way caches are stored changes in a way the code digest cannot see.
FORMAT = 3
# Libraries whose versions shape what pressroom writes.
LIBRARIES = ("pelican", "markdown", "nh3", "jinja2", "feedgen", "babel")  # babel: CLDR dates
# A file written this recently is trusted only by its hash (its times may not move again).
RACY_NS = 2_000_000_000
# The cache folder of publish's copy of a commit (under .git): a name no tree may hold.
COPY_CACHE = ".pressroom-cache"


# --- where -----------------------------------------------------------------------------------

def folder(repo: Path) -> Path:
    """Where this repository's caches live: never anywhere a branch could put files.

    Inside git's own folder when there is one (so the cache is never committed); for a
    folder outside git (an archive of a branch, say), in the user's cache folder
    (``$XDG_CACHE_HOME/pressroom`` or ``~/.cache/pressroom``), keyed by the folder's real
    path. Publish's copy of a commit (``pressroom.publishing.published_tree``) lives inside git's
    folder: its ``.pressroom-cache`` is there, a name no tree may hold.
    """
    git_dir = _git_dir(repo)
    if git_dir is not None:
        return in_git_dir(git_dir)
    real = os.path.realpath(repo)
    if "/.git/" in real + "/":
        return repo / COPY_CACHE
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pressroom"
    return base / f"{Path(real).name[:40]}-{hashlib.sha256(real.encode()).hexdigest()[:24]}"


def in_git_dir(git_dir: Path) -> Path:
    """The cache folder inside a git folder (also a bare repository's, on the server)."""
    return git_dir / "pressroom-cache"


def _git_dir(repo: Path) -> Path | None:
    """``.git``, or the folder a ``.git`` file names (a worktree, a submodule): never the
    working folder, where a branch can commit a ``.pressroom-cache/`` of its own."""
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


# --- what invalidates them -------------------------------------------------------------------

def digest(parts: Iterable[str]) -> str:
    """One short hex digest of ``parts`` (each kept apart from the next)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def key(*parts: str) -> str:
    """A cache key: the code that computes the value, then the inputs it reads."""
    return digest([code_digest(), *parts])


def code_roots() -> list[Path]:
    """The folders of pressroom's own code: the package, and the plugins and theme it
    builds with (found where ``pressroom.render.site`` finds them, inside the package or not)."""
    from pressroom.render import site

    package = Path(__file__).resolve().parent
    roots = [package]
    for extra in (Path(site.PLUGINS_PATH).resolve(), Path(site.THEME_PATH).resolve()):
        if package not in extra.parents:  # inside the package: already hashed with it
            roots.append(extra)
    return roots


def code_digest() -> str:
    """pressroom's code, the libraries that shape its output, and ``FORMAT``.

    The files are read again only when one of them may have changed (its stat key,
    ``stat_key``, moved): a build in a long-running process (a test, a server) sees a
    theme or plugin edited since the last one.
    """
    files = [(root, path) for root in code_roots() for path in code_files(root)]
    libraries = _libraries()
    seen = (libraries, tuple((str(path), stat_key(os.stat(path))) for _, path in files))
    if _CODE_MEMO and _CODE_MEMO[0] == seen and all(found for _, found in seen[1]):
        return _CODE_MEMO[1]
    parts = [f"format {FORMAT}", *libraries]
    done: set[Path] = set()
    for root, path in files:
        real = path.resolve()
        if real not in done:  # the plugins or theme may live inside the package
            done.add(real)
            parts += [f"{root.name}/{path.relative_to(root).as_posix()}", file_sha256(path)]
    result = digest(parts)
    _CODE_MEMO[:] = [seen, result]
    return result


_CODE_MEMO: list[Any] = []


@functools.cache
def _libraries() -> tuple[str, ...]:
    """Each library's installed distribution (its version, and the hash of its RECORD,
    which lists every installed file with its hash) and nh3's compiled sanitizer itself.

    Found from the files, without importing the libraries or ``importlib.metadata``
    (tens of milliseconds a pre-commit check would pay each time).
    """
    parts = []
    for name in LIBRARIES:
        try:
            parts.append(f"{name} {_distribution(name)}")
        except (OSError, ImportError, ValueError):
            parts.append(f"{name} -")
    parts.append(f"nh3 library {_native_nh3()}")
    return tuple(parts)


def _distribution(name: str) -> str:
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        return "-"
    site = Path(spec.origin).parent
    site = site.parent if spec.submodule_search_locations else site
    for entry in sorted(os.listdir(site)):
        dist, _, rest = entry.partition("-")
        if entry.endswith(".dist-info") and dist.lower().replace("-", "_") == name and rest:
            return f"{entry} {file_sha256(site / entry / 'RECORD')}"
    return "-"


def _native_nh3() -> str:
    """The compiled sanitizer behind nh3: a rebuilt library with the same version counts."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("nh3")
    except (ImportError, ValueError):
        return "-"
    if spec is None or not spec.submodule_search_locations:
        return "-"
    found = []
    for folder in spec.submodule_search_locations:
        for entry in sorted(os.listdir(folder)):
            if entry.endswith((".so", ".pyd", ".dylib")):
                found.append(f"{entry} {file_sha256(Path(folder, entry))}")
    return " ".join(found) or "-"


def code_files(root: Path) -> Iterator[Path]:
    """Every file under ``root`` in a stable order, but compiled bytecode."""
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")):
                yield Path(here, name)


def stable_repr(value: Any) -> str:
    """A repr that is the same in every process (no addresses, sorted mappings)."""
    import dataclasses

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


# --- did this file change --------------------------------------------------------------------

def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stat_key(stat: os.stat_result, now_ns: int | None = None) -> tuple[int, ...]:
    """What tells a file was not written since it was seen, or ``()`` when nothing does.

    Size and time alone do not (``cp -p``, ``rsync -t``, ``tar x`` and ``touch -r``
    restore the time of an edited file of the same size); the change time and inode
    cannot be set back by anyone. A file written within ``RACY_NS`` of now gets no key
    (only its hash is trusted): an edit in the same clock tick as the read would leave
    every time unchanged ("racy git").
    """
    now_ns = time.time_ns() if now_ns is None else now_ns
    if now_ns - max(stat.st_mtime_ns, stat.st_ctime_ns) < RACY_NS:
        return ()
    return (stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns, stat.st_ino)


@dataclass(frozen=True)
class Stamp:
    """A file as it was seen: its stat key (``()``: trust only the hash) and SHA-256."""

    stat: tuple[int, ...]
    sha256: str


def stamp(stat: os.stat_result, read: Callable[[], bytes], before: Stamp | None) -> Stamp:
    """The file's stamp; read (and hashed) only when ``before`` cannot vouch for it.

    ``stat`` must be taken before ``read``: an edit after it then changes the file's
    stat, and the next look reads it again.
    """
    found = stat_key(stat)
    if before is not None and found and before.stat == found:
        return before
    return Stamp(found, hashlib.sha256(read()).hexdigest())


# --- keeping them ----------------------------------------------------------------------------

def load_pickle(path: Path) -> Any | None:
    """The pickled value at ``path``, or None for a missing, unreadable or broken cache.

    Only ever called on a path under ``folder()``: a pickle runs code when loaded.
    """
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except Exception:  # noqa: BLE001 - any broken cache is a miss, whatever broke it
        return None


def write_atomic(path: Path, write: Callable[[IO[bytes]], None]) -> bool:
    """Write ``path`` whole through ``write`` or not at all: a temporary file beside it,
    renamed over it. False when it could not be written (a read-only checkout still
    works, only without the cache)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, path)
        return True
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            return False
        raise


def dump_pickle(path: Path, value: Any) -> bool:
    return write_atomic(path, lambda handle: pickle.dump(value, handle,
                                                         protocol=pickle.HIGHEST_PROTOCOL))
