"""What a build reports: its result, and Pelican's log records turned into one-line messages.

Shared by the full build (``pressroom.build.run``) and the warm one (``pressroom.build.warm``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pressroom.model.content import Post
from pressroom.model.violations import Violation
from pressroom.render.markdown_render import CacheStats


@dataclass
class BuildResult:
    output: Path
    problems: list[Violation] = field(default_factory=list)
    posts: int = 0
    public: int = 0
    drafts: int = 0
    tests: int = 0  # Status: test alerts (pressroom.model.alerts)
    scheduled: int = 0
    files: int = 0
    warnings: list[str] = field(default_factory=list)
    markdown: CacheStats = field(default_factory=CacheStats)  # rendered vs reused
    seconds: float = 0.0
    incremental: bool = False  # a warm build (pressroom.build.incremental)
    full_reason: str = ""  # why a full build was needed
    rewritten: int = 0  # files written by this build
    removed: int = 0  # files a warm build deleted
    banner_patched: int = 0  # kept pages whose alert banner a warm build updated
    validated: list[Any] = field(default_factory=list, repr=False)  # the posts, light

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, posts: Iterable[Post], now: datetime) -> None:
        """How many of the validated ``posts`` are public, drafts, or scheduled ``now``."""
        posts = list(posts)
        self.posts = len(posts)
        self.public = sum(1 for p in posts if p.is_public(now))
        self.drafts = sum(1 for p in posts if p.status == "draft")
        self.tests = sum(1 for p in posts if p.is_test)  # CAP only, never a page
        self.scheduled = self.posts - self.public - self.drafts - self.tests


class LogCollector(logging.Handler):
    """Keeps Pelican's warnings and errors so they become our one-line messages."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().splitlines()[0] if record.getMessage() else ""
        if record.exc_info and record.exc_info[1] is not None:
            message = f"{message}: {record.exc_info[1]}"
        (self.errors if record.levelno >= logging.ERROR else self.warnings).append(message)


@contextlib.contextmanager
def collecting_logs():
    """Route every log record of the build (Pelican's, our plugins') to one collector."""
    collect = LogCollector()
    root = logging.getLogger()
    root.addHandler(collect)
    try:
        yield collect
    finally:
        root.removeHandler(collect)


def report_errors(collect: LogCollector, since: int, result: BuildResult) -> None:
    for message in collect.errors[since:]:
        result.problems.append(Violation("build", 0, "BUILD-ERROR", message))


