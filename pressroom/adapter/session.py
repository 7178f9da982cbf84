"""The build session: the one object a build's steps hand each other.

``pressroom build`` validates the posts, decides what a warm build may keep, and then
runs Pelican; Pelican's plugins, generator and writer need those decisions, and the
build needs back what they produced (the output keys, the article cards, the banner).
All of it travels in one ``BuildSession`` with named, typed fields, owned by the build:
plugins read its inputs and fill its outputs. The engine makes it the running build's
(``active``) and plugins ask for it (``current``); it is never in Pelican's settings,
which every template can read.

No Pelican here: the core (``pressroom.build.run``) makes sessions without importing it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from pressroom.model.content import Post
from pressroom.model.roster import Roster
from pressroom.repo.overrides import Overrides

# Below this many pages a batch renders in this process: starting workers costs more.
PARALLEL_FROM = 200
RENDER_BATCH = 500  # pages queued before a batch starts rendering


class OutputEntry(NamedTuple):
    """One file of the site as the build that wrote it left it (the writer's manifest)."""

    key: str  # digest of everything that produced the file
    owner: str  # "pages" (Pelican pages: kept by warm builds) or "articles"
    template: str  # the template that rendered it ("" for feeds and CAP files)


@dataclass(eq=False)
class BuildSession:
    """What one build knows before Pelican runs, and what Pelican's steps leave for it."""

    repo: Path
    now: datetime  # the build's one "now": embargo, expiry and removal decide by it
    roster: Roster
    posts: dict[str, Post]  # absolute source path -> the validated post
    # The department's templates, static files and plugins (read and gated by the build).
    overrides: Overrides = field(default_factory=Overrides)
    # Markdown rendered (and sanitized) before Pelican reads: source path -> result.
    rendered: dict[str, Any] = field(default_factory=dict)
    sanitized: set[str] = field(default_factory=set)
    # A warm build's starting point: the last build's outputs and the live release.
    previous: dict[str, OutputEntry] = field(default_factory=dict)
    variables: dict[str, frozenset[str]] = field(default_factory=dict)  # template -> names
    live: str | None = None  # the live release's folder (a warm build reads it)
    stage: Any = None  # pressroom.build.incremental.Stage: where a warm build's new files go
    parallel_from: int = PARALLEL_FROM
    render_batch: int = RENDER_BATCH
    # Filled in by the writer and generator.
    manifest: dict[str, OutputEntry] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    cards: list[Any] = field(default_factory=list)  # pressroom.adapter.cards.Card
    banner_key: str = ""
    banner_region: Callable[[str, str], str | None] | None = None

    @classmethod
    def tuned(cls, settings: dict[str, Any], **values: Any) -> BuildSession:
        """A session with the department's tuning settings (``pelicanconf.py``) applied."""
        return cls(parallel_from=int(settings.get("PRESSROOM_PARALLEL_FROM", PARALLEL_FROM)),
                   render_batch=int(settings.get("PRESSROOM_RENDER_BATCH", RENDER_BATCH)),
                   **values)


_ACTIVE: list[BuildSession] = []  # the session of the build running in this process


@contextlib.contextmanager
def active(session: BuildSession) -> Iterator[BuildSession]:
    """Make ``session`` the running build's for the duration of the ``with`` block.

    Never in Pelican's settings: Pelican copies its settings into every template's context
    (and every article keeps them), so a department template could reach the session's
    paths and call their methods (read, write, delete files) even in Jinja's sandbox.
    Forked render workers inherit it with the rest of the build.
    """
    _ACTIVE.append(session)
    try:
        yield session
    finally:
        _ACTIVE.remove(session)


def current() -> BuildSession | None:
    """The running build's session (None under plain Pelican)."""
    return _ACTIVE[-1] if _ACTIVE else None


def build_time() -> datetime:
    """The build's "now" (``pressroom build --now``), else the clock: every plugin that
    decides by time (embargo, expiry, removal pages) asks here, so they agree."""
    session = current()
    return session.now if session is not None else datetime.now(UTC)


def current_posts() -> dict[str, Post]:
    """The build's validated posts by absolute source path (empty under plain Pelican)."""
    session = current()
    return session.posts if session is not None else {}
