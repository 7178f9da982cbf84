"""Markdown to HTML exactly as Pelican's Markdown reader does it, but reusably and in parallel.

Pelican builds a new ``Markdown`` instance for every file (its metadata step
mutates the instance), which costs more than converting a short post. Here one
instance converts documents (with the ``meta`` extension, which strips the
header) and another converts formatted fields such as ``Summary``; both are
reset between uses. ``render_many`` spreads the work over the machine's cores.
The HTML is identical to Pelican's (a test compares them on real posts).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown import Markdown

from pressroom import cache

Rendered = tuple[str, dict[str, list[str]], dict[str, str]]  # html, Meta, formatted fields


def options(markdown_settings: dict[str, Any]) -> dict[str, Any]:
    """Pelican's MARKDOWN setting completed the way its reader completes it."""
    settings = {key: (list(value) if isinstance(value, list) else value)
                for key, value in markdown_settings.items()}
    settings.setdefault("extension_configs", {})
    settings["extensions"] = list(settings.get("extensions", []))
    for extension in settings["extension_configs"]:
        if extension not in settings["extensions"]:
            settings["extensions"].append(extension)
    if "markdown.extensions.meta" not in settings["extensions"]:
        settings["extensions"].append("markdown.extensions.meta")
    return settings


class Renderer:
    """Converts posts; with ``sanitize_host`` also sanitizes the HTML (``render.sanitize``)."""

    def __init__(self, markdown_settings: dict[str, Any], formatted: Sequence[str],
                 sanitize_host: str | None = None) -> None:
        settings = options(markdown_settings)
        self.document = Markdown(**settings)
        self.field = Markdown(**settings)
        self.field.preprocessors.deregister("meta")
        self.formatted = tuple(formatted)
        self.sanitize_host = sanitize_host

    def _clean(self, html: str) -> str:
        if self.sanitize_host is None:
            return html
        from pressroom.render.sanitize import sanitize_html

        return sanitize_html(html, self.sanitize_host)

    def render(self, text: str) -> Rendered:
        self.document.reset()
        html = self._clean(self.document.convert(text))
        meta = {key: list(value) for key, value in getattr(self.document, "Meta", {}).items()}
        fields = {}
        for name, values in meta.items():
            if name.lower() in self.formatted:
                self.field.reset()
                fields[name] = self._clean(self.field.convert("\n".join(values)))
        return html, meta, fields


_worker: Renderer | None = None
_checker: list[Renderer] = []


def render_for_check(text: str) -> list[str]:
    """A post's HTML as a build renders it before sanitizing: the body, then formatted fields.

    ``pressroom check`` judges the links and images of this HTML (rule HTML-URL), so
    what it sees is what Python-Markdown makes of inline links, reference definitions,
    autolinks, attribute lists and raw HTML, not a guess from the source text.
    """
    if not _checker:
        from pressroom.render.site import enforced

        settings = enforced(Path(), Path())
        _checker.append(Renderer(settings["MARKDOWN"], settings["FORMATTED_FIELDS"]))
    html, _meta, fields = _checker[0].render(text)
    return [html, *fields.values()]


def _start(markdown_settings: dict[str, Any], formatted: Sequence[str],
           sanitize_host: str | None) -> None:
    global _worker
    _worker = Renderer(markdown_settings, formatted, sanitize_host)


def _render_files(paths: Sequence[str]) -> list[tuple[str, Rendered]]:
    assert _worker is not None
    out = []
    for path in paths:
        with open(path, encoding="utf-8-sig") as handle:
            out.append((path, _worker.render(handle.read())))
    return out


CACHE_FILE = "markdown.pickle"


def cache_key(markdown_settings: dict[str, Any], formatted: Sequence[str],
              sanitize_host: str | None) -> str:
    """Everything besides a file's bytes that decides its rendering.

    The code (``pressroom.cache.code_digest``: this module, the sanitizer, Markdown and
    nh3 with its compiled library) and the sanitizer's allowlists: a sanitizer fixed
    without a version bump must not leave unsafe HTML in the cache.
    """
    from pressroom.render import sanitize

    return cache.key(CACHE_FILE, repr(sorted(options(markdown_settings).items(),
                                             key=lambda kv: kv[0])),
                     repr(tuple(formatted)), repr(sanitize_host),
                     sanitize.allowlist_fingerprint())


@dataclass
class CacheStats:
    rendered: int = 0
    reused: int = 0


def render_cached(paths: Sequence[str], markdown_settings: dict[str, Any],
                  formatted: Sequence[str], cache_dir: Path, sanitize_host: str | None = None,
                  stats: CacheStats | None = None, trust: bool = True) -> dict[str, Rendered]:
    """``render_many``, reusing renderings of unchanged files from ``cache_dir``.

    The cache maps (settings and code key, SHA-256 of the file) to its rendering; a
    file is rendered again when its bytes or anything in the key change. A missing
    or unreadable cache is simply rebuilt. With ``trust=False`` (``build --full``)
    the cache is not read at all, only written afresh.
    """
    stats = stats if stats is not None else CacheStats()
    key = cache_key(markdown_settings, formatted, sanitize_host)
    cache_path = cache_dir / CACHE_FILE
    cached: dict[str, Rendered] = {}
    stored = cache.load_pickle(cache_path) if trust else None  # --full: nothing reused
    if isinstance(stored, dict) and stored.get("key") == key \
            and isinstance(stored.get("entries"), dict):
        cached = stored["entries"]
    digests: dict[str, str] = {}
    for path in paths:
        with open(path, "rb") as handle:
            digests[path] = hashlib.sha256(handle.read()).hexdigest()
    result = {path: cached[digests[path]] for path in paths if digests[path] in cached}
    missing = [path for path in paths if path not in result]
    result.update(render_many(missing, markdown_settings, formatted, sanitize_host=sanitize_host))
    stats.rendered, stats.reused = len(missing), len(paths) - len(missing)
    if missing or len(cached) != len(set(digests.values())):
        entries = {digests[path]: result[path] for path in paths}
        cache.dump_pickle(cache_path, {"key": key, "entries": entries})  # read-only: no cache
    return result


def render_many(paths: Sequence[str], markdown_settings: dict[str, Any],
                formatted: Sequence[str], workers: int | None = None,
                sanitize_host: str | None = None) -> dict[str, Rendered]:
    """path -> rendering, for every path, on all cores (in this process when few)."""
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers < 2 or len(paths) < 200:
        _start(markdown_settings, formatted, sanitize_host)
        return dict(_render_files(paths))
    size = max(50, len(paths) // (workers * 4))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    result: dict[str, Rendered] = {}
    with ProcessPoolExecutor(workers, initializer=_start,
                             initargs=(markdown_settings, tuple(formatted),
                                       sanitize_host)) as pool:
        for rendered in pool.map(_render_files, chunks):
            result.update(rendered)
    return result
