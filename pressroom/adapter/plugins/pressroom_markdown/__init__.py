"""Markdown reading without a new Markdown instance per file, from a parallel pre-render.

``pressroom build`` renders every post on all cores first
(``pressroom.render.markdown_render.render_many``) and passes the results as
the build session's ``rendered``; this reader takes a post's HTML and formatted fields from
there, and renders anything else itself with reusable instances. Metadata is
processed by Pelican's own code, so dates, tags and categories are Pelican's.
"""

from __future__ import annotations

import logging

from pelican import signals
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader
from pelican.utils import pelican_open

from pressroom.adapter.session import current
from pressroom.render.markdown_render import Renderer

logger = logging.getLogger(__name__)


class PressroomMarkdownReader(MarkdownReader):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._renderer: Renderer | None = None

    def read(self, source_path):
        self._source_path = source_path
        # Taken, not copied: Pelican keeps the HTML from here on, so the pre-rendered
        # copy is released at once (a second read of the same file renders it again).
        session = current()
        rendered = session.rendered.pop(source_path, None) if session is not None else None
        if rendered is None:
            if self._renderer is None:
                self._renderer = Renderer(self.settings["MARKDOWN"],
                                          self.settings["FORMATTED_FIELDS"])
            with pelican_open(source_path) as text:
                rendered = self._renderer.render(text)
        content, meta, formatted = rendered
        return content, self._metadata(meta, formatted)

    def _metadata(self, meta, formatted):
        """Pelican's ``_parse_metadata``, with formatted fields already converted."""
        output = {}
        for key, value in meta.items():
            name = key.lower()
            if key in formatted:
                output[name] = self.process_metadata(name, formatted[key])
            elif not DUPLICATES_DEFINITIONS_ALLOWED.get(name, True):
                if len(value) > 1:
                    logger.warning("Duplicate definition of `%s` for %s. Using first one.",
                                   name, self._source_path)
                output[name] = self.process_metadata(name, value[0])
            elif len(value) > 1:
                output[name] = self.process_metadata(name, value)
            else:
                output[name] = self.process_metadata(name, value[0])
        if str(output.get("status", "")).lower() == "test":
            # A test alert (392.4 e) is never a page: Pelican skips it, and the CAP files
            # (pressroom.adapter.cap_index) take it from the build session's posts.
            output["status"] = "skip"
        return output


def use_reader(readers) -> None:
    for extension in PressroomMarkdownReader.file_extensions:
        readers.reader_classes[extension] = PressroomMarkdownReader


def register() -> None:
    signals.readers_init.connect(use_reader)
