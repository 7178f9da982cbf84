"""The check cache: a post's earlier result, reused while nothing it depends on changed.

Apart from the engine (``pressroom.checking.engine``, pure) and from reading the repository
(``pressroom.checking.repo``) so what invalidates a result is decided in one place, through the
one cache layer (``pressroom.cache``), and ``check --no-cache`` is one flag.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from pressroom import cache
from pressroom.checking.engine import Context
from pressroom.model.content import Post
from pressroom.model.violations import Violation
from pressroom.repo.files import read_regular
from pressroom.repo.sources import is_post_path
from pressroom.rules.suppressions import Suppression


class FileResult(NamedTuple):
    """One post's outcome, as a worker sends it and the cache keeps it."""

    path: str
    sha256: str  # of the bytes checked; "" when the file could not be read (never kept)
    violations: list[Violation]
    suppressions: list[Suppression]
    post: Post | None  # light: without body and header (cheap to send and to keep)
    stat: tuple[int, ...]  # pressroom.cache.stat_key of the file when it was read


CHECK_CACHE = "check-results.pickle"


class CheckCache:
    """Earlier results by path, valid while the file's bytes (``pressroom.cache.stamp``)
    and everything else the rules read are the same: pressroom's code, the rules'
    settings (with every language's word lists), the roster, the time zone, the site's
    host, the department's languages and the files beside the posts. (The translation rules
    compare posts with each other: they run after the cache, over the results, never from it.)
    With ``trust=False`` nothing is read; the results of this check are still kept."""

    def __init__(self, repo: Path, ctx: Context, listed: Sequence[str],
                 trust: bool = True) -> None:
        self.repo = repo
        self.path = cache.folder(repo) / CHECK_CACHE
        others = sorted(rel for rel in listed if not is_post_path(rel))
        self.key = cache.key(CHECK_CACHE, cache.stable_repr(ctx.config),
                             cache.stable_repr(ctx.roster), str(ctx.tz), ctx.site_host,
                             cache.stable_repr(ctx.languages), *others)
        self.entries: dict[str, FileResult] = {}
        self.fresh: list[FileResult] = []
        if not trust:
            return
        collecting = gc.isenabled()
        gc.disable()  # 10,000 small results: the cycle collector would triple the load time
        try:
            stored = cache.load_pickle(self.path)
        finally:
            if collecting:
                gc.enable()
        if isinstance(stored, dict) and stored.get("key") == self.key \
                and isinstance(stored.get("entries"), dict):
            self.entries = stored["entries"]

    def get(self, rel: str) -> FileResult | None:
        """The stored result when the file is as it was (its stamp, else its bytes, say so)."""
        entry = self.entries.get(rel)
        if entry is None:
            return None
        before = cache.Stamp(entry.stat, entry.sha256)
        try:
            now = cache.stamp(os.lstat(os.path.join(self.repo, rel)),  # not pathlib: per post
                              lambda: read_regular(self.repo, rel), before)
        except OSError:
            return None  # checked again: that reports why it cannot be read
        if now.sha256 != entry.sha256:
            return None
        if now.stat != entry.stat:
            entry = entry._replace(stat=now.stat)  # touched, not changed
            self.fresh.append(entry)
        return entry

    def add(self, results: list[FileResult]) -> None:
        self.fresh += [r for r in results if r.sha256]

    def save(self) -> None:
        if not self.fresh:
            return
        for result in self.fresh:
            self.entries[result.path] = result
        cache.dump_pickle(self.path, {"key": self.key, "entries": self.entries})
