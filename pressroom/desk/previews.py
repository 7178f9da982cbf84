"""A branch's preview and review sheet for the desk, and serving their files safely.

The preview is ``pressroom.preview.make_preview`` (the branch merged into the central main,
built from git objects, never running the branch's code), written once per (tip, main) pair
into the clone's cache folder: a new push or a moved main makes a new one. Its files are
served only as regular files below that folder: no ``..``, no absolute path, no component
that is a symbolic link (``O_NOFOLLOW`` on every step), so a page can never read outside it.
"""

from __future__ import annotations

import errno
import json
import mimetypes
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pressroom.desk import gitops
from pressroom.desk.queue import Entry
from pressroom.model.violations import InputError, Violation
from pressroom.preview import PreviewRefused, make_preview

FOLDER = "desk-previews"
KEEP = 20  # previews kept in the cache folder (the most recently made)


@dataclass
class Made:
    """What the branch page shows of the preview."""

    ready: bool = False
    error: str = ""
    changed: list[dict[str, Any]] = field(default_factory=list)
    sheet: dict[str, Any] = field(default_factory=dict)

    def findings(self, entry: Entry) -> list[Violation]:
        """The content-rule findings to list: the merged tree's from the review sheet, or
        (no sheet) the branch's posts checked on their own."""
        if not self.ready:
            return entry.findings
        return [Violation(f.get("path", ""), int(f.get("line", 0) or 0), f.get("rule", ""),
                          f.get("message", ""), f.get("severity", "error"))
                for f in self.sheet.get("findings", [])]


def folder(repo: Path, entry: Entry) -> Path | None:
    """Where the preview of ``entry`` against the central main lives (None: no main)."""
    base = gitops.text(repo, "rev-parse", "--verify", "--quiet",
                       f"{gitops.remote_ref(gitops.MAIN)}^{{commit}}")
    common = gitops.text(repo, "rev-parse", "--path-format=absolute", "--git-common-dir")
    if not base or not common:
        return None
    return Path(common) / "pressroom-cache" / FOLDER / f"{entry.tip}-{base}"


def ensure(repo: Path, entry: Entry) -> Made:
    """The preview of ``entry`` merged into the central main, made now when it does not
    exist yet (a refusal, e.g. a merge conflict, is the page's one-line ``error``)."""
    where = folder(repo, entry)
    if where is None:
        return Made(error="the central repository has no main branch yet")
    if not (where / "review.json").is_file():
        try:
            make_preview(repo, gitops.remote_ref(entry.name),
                         base=gitops.remote_ref(gitops.MAIN), output=where)
        except (PreviewRefused, InputError) as refused:
            return Made(error=str(refused))
        _prune(where.parent)
    sheet = load_sheet(where)
    if not sheet:
        return Made(error="the review sheet could not be read")
    return Made(True, "", list(sheet.get("changed", [])), sheet)


def _prune(root: Path) -> None:
    """Keep the ``KEEP`` most recent previews: each is a whole site."""
    made = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for old in made[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def read(repo: Path, entry: Entry, rel: str) -> tuple[bytes, str] | None:
    """The bytes and type of ``rel`` in the preview of ``entry``; None when it is not a
    regular file below the preview folder (missing, a link, a folder, or outside)."""
    root = folder(repo, entry)
    parts = rel.split("/")
    if root is None or not rel or any(p in ("", ".", "..") or "\\" in p or "\0" in p
                                      for p in parts):
        return None
    data = _read_no_links(root, parts)
    if data is None:
        return None
    mimetype = mimetypes.guess_type(parts[-1])[0] or "application/octet-stream"
    return data, mimetype


def _read_no_links(root: Path, parts: list[str]) -> bytes | None:
    """Open ``root/parts...`` one component at a time, never following a link."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(root, flags | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        for part in parts[:-1]:
            nxt = os.open(part, flags | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        leaf = os.open(parts[-1], flags, dir_fd=fd)
        try:
            if not stat.S_ISREG(os.fstat(leaf).st_mode):
                return None
            with os.fdopen(leaf, "rb", closefd=False) as handle:
                return handle.read()
        finally:
            os.close(leaf)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EACCES):
            return None
        raise
    finally:
        os.close(fd)


def load_sheet(where: Path) -> dict[str, Any]:
    """``review.json`` of a made preview ({} when unreadable)."""
    try:
        return json.loads((where / "review.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
