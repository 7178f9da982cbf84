"""What a deploy changes, decided before anything is sent: manifests, the order, deletions.

A *manifest* maps every file of a release (``news/index.html``) to the sha256 and size of
its bytes. The bucket keeps the manifest of what it serves (the *pointer*); a deploy
compares the live release's manifest with it and sends only what differs.

The order of the writes is the whole safety argument (see ``pressroom.deploy``): files
nothing links *from* first, then CAP documents, then pages and feeds that are new (no
page the public already has links to them), then the pages and feeds that change. So at
every moment a page that is served links only to objects that are there: an old page to
old objects (nothing is deleted before the pointer is written), a new or changed page to
objects already written. Files that left the site are deleted only once the pointer
names the new release *and* ``grace`` seconds have passed since they left, so a page a
CDN still holds (for up to ``headers.SHORT_SECONDS``) keeps its images.

Pure: no file or network I/O here except ``local_manifest``, which reads a release.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from pathlib import Path

from pressroom.model.violations import InputError
from pressroom.publishing.headers import CAP_FOLDER, SHORT_EXTENSIONS, extension, url_paths

FORMAT = 1
STATE = ".pressroom/"  # deploy's own state under the prefix (store.py keeps it): never a site file
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

Files = dict[str, tuple[str, int]]  # path -> (sha256 hex, size)


def local_manifest(release: Path) -> Files:
    """Every regular file of a release folder and its sha256; a link or special file is
    refused (a release never holds one: it would serve something outside the release)."""
    files: Files = {}
    for folder, dirs, names in os.walk(release, followlinks=False):
        for name in dirs:
            if os.path.islink(os.path.join(folder, name)):
                raise InputError(f"{os.path.join(folder, name)}: a symbolic link in the "
                                 f"release; refusing to deploy it")
        for name in names:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, release).replace(os.sep, "/")
            if rel.startswith(STATE):  # it would be copied over the pointer or the store
                raise InputError(f"{path}: {STATE} is where deploy keeps its state in the "
                                 f"bucket; a release may not hold it")
            if os.path.islink(path) or not os.path.isfile(path):
                raise InputError(f"{path}: not a regular file; refusing to deploy it")
            digest = hashlib.sha256()
            size = 0
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
            files[rel] = (digest.hexdigest(), size)
    return dict(sorted(files.items()))


def rank(path: str, is_new: bool) -> int:
    """When a file is written in a deploy: 0 assets, 1 stylesheets and scripts (they name
    assets), 2 CAP documents, 3 new pages and feeds, 4 changed pages and feeds."""
    kind = extension(path)
    if path.startswith(CAP_FOLDER) and kind == "xml":
        return 2
    if kind in SHORT_EXTENSIONS:  # pages and feeds: they link to others, replaced in place
        return 3 if is_new else 4
    if kind in ("css", "js", "svg"):
        return 1
    return 0


def _require(condition: bool) -> None:
    """A check of what the bucket holds that ``python -O`` keeps (an assert would go)."""
    if not condition:
        raise ValueError("not a manifest")


@dataclass(frozen=True)
class Manifest:
    """A release as the bucket records it: its id, commit, files, and what awaits deletion
    (path -> when it left the site, ISO 8601), and a deploy that was cut off (its release
    id and the paths it may have written)."""

    release: str
    commit: str
    files: Files
    pending: dict[str, str] = field(default_factory=dict)
    interrupted: tuple[str, tuple[str, ...]] | None = None

    def to_json(self) -> dict[str, object]:
        return {"format": FORMAT, "release": self.release, "commit": self.commit,
                "files": {path: {"sha256": sha, "size": size}
                          for path, (sha, size) in self.files.items()},
                "pending_deletion": self.pending,
                "interrupted": None if self.interrupted is None else {
                    "release": self.interrupted[0], "paths": list(self.interrupted[1])}}

    @staticmethod
    def from_json(data: object, where: str) -> Manifest:
        """A manifest read from the bucket; ``InputError`` naming ``where`` when it is not one."""
        try:
            _require(isinstance(data, dict) and data["format"] == FORMAT)
            assert isinstance(data, dict)  # for the type checker; _require refused the rest
            files = {str(path): (str(entry["sha256"]), int(entry["size"]))
                     for path, entry in data["files"].items()}
            _require(all(_SHA256.match(sha) for sha, _ in files.values()))
            pending = {str(k): str(v) for k, v in data.get("pending_deletion", {}).items()}
            for when in pending.values():  # make_plan subtracts them from an aware now
                _require(datetime.fromisoformat(when).tzinfo is not None)
            interrupted = data.get("interrupted")
            cut = None if not interrupted else (
                str(interrupted["release"]), tuple(str(p) for p in interrupted["paths"]))
            # Never write or delete pressroom's own state because a manifest names it.
            _require(not any(path.startswith(STATE)
                             for path in [*files, *pending, *(cut[1] if cut else ())]))
            return Manifest(str(data["release"]), str(data["commit"]), files, pending, cut)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"{where}: not a pressroom deploy manifest (format {FORMAT}); "
                             f"was it written by another tool?") from exc


@dataclass(frozen=True)
class Plan:
    """One deploy's writes in their safe order, and its deletions."""

    writes: list[str]  # paths to (re)write, in order
    stages: list[list[str]]  # the same, by rank: a stage starts when the one before is done
    deletions: list[str]  # paths to delete after the pointer is written
    pending: dict[str, str]  # paths that left the site, deleted by a later deploy
    new_blobs: list[str]  # sha256 of bytes the bucket does not hold yet

    @property
    def changed_urls(self) -> list[str]:
        """URL paths a CDN must forget: every path written or deleted (``/news/`` too)."""
        return [url for path in [*self.writes, *self.deletions] for url in url_paths(path)]

    @property
    def empty(self) -> bool:
        return not (self.writes or self.deletions)


def make_plan(current: Manifest | None, files: Files, stored: set[str], now: datetime,
              grace: float) -> Plan:
    """The writes and deletions that make the bucket serve ``files`` instead of ``current``.

    ``stored``: the sha256 of the bytes already in the bucket's object store. Paths an
    interrupted deploy may have written are rewritten whatever the manifest says.
    """
    old = current.files if current else {}
    suspect = set(current.interrupted[1]) if current and current.interrupted else set()
    writes = [path for path, (sha, _) in files.items()
              if old.get(path, ("", 0))[0] != sha or path in suspect]
    writes.sort(key=lambda path: (rank(path, path not in old), path))
    pending = {path: when for path, when in (current.pending if current else {}).items()
               if path not in files}
    stamp = now.isoformat(timespec="seconds")
    for path in [*old, *sorted(suspect)]:  # an interrupted deploy's new files too
        if path not in files and path not in pending:
            pending[path] = stamp
    due = sorted(path for path, when in pending.items()
                 if (now - datetime.fromisoformat(when)).total_seconds() >= grace)
    for path in due:
        del pending[path]
    needed = {files[path][0] for path in writes}
    stages = [list(group) for _, group in
              groupby(writes, key=lambda path: rank(path, path not in old))]
    return Plan(writes, stages, due, dict(sorted(pending.items())), sorted(needed - stored))
