"""Markdown to HTML exactly as Pelican's Markdown reader does it, but reusably and in parallel.

Pelican builds a new ``Markdown`` instance for every file (its metadata step
mutates the instance), which costs more than converting a short post. Here one
instance converts documents (with the ``meta`` extension, which strips the
header) and another converts formatted fields such as ``Summary``; both are
reset between uses. ``render_many`` spreads the work over the machine's cores.
The HTML is identical to Pelican's (a test compares them on real posts).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from markdown import Markdown

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
    """Converts posts; with ``sanitize_host`` also sanitizes (pressroom.sanitize) the HTML."""

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
        from pressroom.sanitize import sanitize_html

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
