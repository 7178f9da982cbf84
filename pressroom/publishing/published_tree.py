"""The files ``publish`` builds: exactly the tree of the commit it verified, read from git.

``publish`` once built the working folder, so an untracked post sitting in the
publishing checkout went public without any approval. Now it copies the verified
commit's tree — what a build reads: ``content/``, ``policy/``, ``pelicanconf.py`` and the
department's own ``theme/`` and ``plugins/`` (``pressroom.repo.overrides``: the published site
uses exactly the approved templates and plugins) — out of git's object store into a
folder of its own under the cache folder, and builds that. Nothing else is in that
folder: files git does not list are deleted, and a tree entry that is a symbolic link or
a submodule is refused with its path (git can store a link to ``/etc/passwd``; a build
must never follow it).

The folder is kept between runs and only changed files are rewritten (a file is
unchanged when its stat key, ``pressroom.cache.stat_key``, or else its git hash, says
so), so a warm build still sees which posts changed and an update stays fast.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

from pressroom.cache import COPY_CACHE, stat_key
from pressroom.model.violations import InputError, Violation
from pressroom.repo.files import LINK_RULE, SPECIAL_RULE
from pressroom.repo.gitio import GitError, git, read_objects

FOLDER = "published-tree"
MANIFEST = "published-tree.json"
PUBLISHED = ("content/", "policy/", "theme/", "plugins/")
PUBLISHED_FILES = ("pelicanconf.py",)
KEEP = COPY_CACHE  # the folder's own build cache (state, check and Markdown caches)
REGULAR = ("100644", "100755")


def _wanted(path: str) -> bool:
    return path.startswith(PUBLISHED) or path in PUBLISHED_FILES


def tree_entries(repo: Path, commit: str) -> tuple[dict[str, str], list[Violation]]:
    """path -> blob sha of what a build reads in ``commit``, and a problem for every link,
    submodule or other non-file entry there."""
    try:
        out = git(repo, "ls-tree", "-r", "-z", "--full-tree", commit)
    except GitError as exc:
        raise InputError(f"cannot read the tree of {commit[:7]}: {exc}") from exc
    blobs: dict[str, str] = {}
    problems: list[Violation] = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        path = raw_path.decode("utf-8", errors="surrogateescape")
        if not _wanted(path):
            continue
        if path == KEEP or path.startswith(KEEP + "/") or "/../" in f"/{path}/":
            problems.append(Violation(path, 0, SPECIAL_RULE, "is a name pressroom reserves"))
        elif mode == "120000":
            problems.append(Violation(path, 0, LINK_RULE,
                                      f"is a symbolic link in commit {commit[:7]}; "
                                      f"pressroom never publishes through links"))
        elif kind != "blob" or mode not in REGULAR:
            problems.append(Violation(path, 0, SPECIAL_RULE,
                                      f"is a {kind} (mode {mode}) in commit {commit[:7]}, "
                                      f"not a file"))
        else:
            blobs[path] = sha
    return blobs, sorted(problems)


def _current(path: str, blob: str, recorded: list[int]) -> list[int] | None:
    """The file's stat key when ``path`` still holds ``blob`` (None: rewrite it).

    Its stat key vouches for it when it matches the one recorded; a file written in the
    last seconds has none (``pressroom.cache.stat_key``), and then its git hash decides.
    """
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    key = list(stat_key(st))
    if key and key == recorded:
        return key
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    h = hashlib.sha1() if len(blob) == 40 else hashlib.sha256()  # git's object format
    h.update(b"blob %d\0" % len(data))
    h.update(data)
    return key if h.hexdigest() == blob else None


def export_tree(repo: Path, commit: str, dest: Path) -> list[Violation]:
    """Make ``dest`` hold exactly the published files of ``commit`` (problems: nothing done).

    A file whose blob and on-disk state are as the last export left them is not
    rewritten; everything else in ``dest`` (an untracked file, a link someone put
    there) is removed. The manifest is dropped before any change and written after,
    so an interrupted export is redone in full next time.
    """
    blobs, problems = tree_entries(repo, commit)
    if problems:
        return problems
    manifest_path = dest.parent / MANIFEST
    try:
        before = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = {}
    manifest_path.unlink(missing_ok=True)
    dest.mkdir(parents=True, exist_ok=True)
    _remove_strays(dest, set(blobs))
    after: dict[str, list] = {}
    root = str(dest)  # os.path.join, not pathlib: 10,000 unchanged files per publish
    for path, sha in sorted(blobs.items()):
        if before.get(path, [None])[0] == sha:
            key = _current(os.path.join(root, path), sha, before[path][1:])
            if key is not None:
                after[path] = [sha, *key]
    stale = [path for path in sorted(blobs) if path not in after]
    objects = read_objects(repo, [blobs[path] for path in stale])
    for path in stale:
        found = objects.get(blobs[path])
        if found is None or found[0] != "blob":
            raise InputError(f"{path}: cannot read blob {blobs[path][:7]} of {commit[:7]}")
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.pressroom-tmp")
        tmp.write_bytes(found[1])
        os.replace(tmp, target)
        after[path] = [blobs[path], *_written_key(target)]
    tmp_manifest = manifest_path.with_suffix(".tmp")
    tmp_manifest.write_text(json.dumps(after, sort_keys=True), encoding="utf-8")
    os.replace(tmp_manifest, manifest_path)
    return []


def _written_key(path: Path) -> tuple[int, ...]:
    try:
        return stat_key(os.lstat(path))
    except OSError:
        return ()


def _remove_strays(dest: Path, keep: set[str]) -> None:
    """Delete every entry of ``dest`` that is not a wanted file or a folder above one."""
    folders = {"/".join(p.split("/")[:i]) for p in keep for i in range(1, p.count("/") + 1)}
    for folder, dirs, files in os.walk(dest, topdown=True):
        rel_folder = os.path.relpath(folder, dest).replace(os.sep, "/")
        prefix = "" if rel_folder == "." else rel_folder + "/"
        for name in list(dirs):
            rel = prefix + name
            path = os.path.join(folder, name)
            if rel == KEEP:
                dirs.remove(name)
            elif os.path.islink(path) or rel not in folders:
                dirs.remove(name)
                _remove(path)
        for name in files:
            if prefix + name not in keep:
                _remove(os.path.join(folder, name))


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        os.unlink(path)
