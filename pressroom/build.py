"""``pressroom build``: validate, render with Pelican, and swap the site in atomically.

The public only ever sees a complete site: Pelican writes into a new temporary
folder beside ``output/``; only when every post was valid and Pelican reported
no error is that folder renamed into place. A failed build leaves the previous
``output/`` exactly as it was.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pressroom.markdown_render import CACHE_FOLDER, CacheStats, render_cached
from pressroom.site import enforced, site_defaults
from pressroom.sources import Sources, load_sources
from pressroom.violations import InputError, Violation

CONFIG_FILE = "pelicanconf.py"


@dataclass
class BuildResult:
    output: Path
    problems: list[Violation] = field(default_factory=list)
    posts: int = 0
    public: int = 0
    drafts: int = 0
    scheduled: int = 0
    files: int = 0
    warnings: list[str] = field(default_factory=list)
    markdown: CacheStats = field(default_factory=CacheStats)  # rendered vs reused
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


class _Collect(logging.Handler):
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
def _collecting_logs():
    """Route every log record of the build (Pelican's, our plugins') to one collector."""
    collect = _Collect()
    root = logging.getLogger()
    root.addHandler(collect)
    try:
        yield collect
    finally:
        root.removeHandler(collect)


def read_config(repo: Path, config: Path | None = None) -> dict[str, Any]:
    """The repo's ``pelicanconf.py`` over our defaults (or the defaults alone)."""
    # Pelican is imported only when building.
    from pelican.settings import get_settings_from_file, read_settings

    path = config or repo / CONFIG_FILE
    if config is not None and not path.is_file():
        raise InputError(f"{path}: settings file not found")
    from_file: dict[str, Any] = {}
    if path.is_file():
        try:
            from_file = get_settings_from_file(str(path))
        except Exception as exc:  # a broken config file is bad input, not a crash
            raise InputError(f"{path}: cannot read settings: {exc}") from exc
    try:
        return read_settings(None, override={**site_defaults(), **from_file})
    except Exception as exc:
        raise InputError(f"{path}: invalid settings: {exc}") from exc


def _check_output(repo: Path, output: Path) -> None:
    if output.exists() and not output.is_dir():
        raise InputError(f"{output}: exists and is not a folder")
    resolved, root = output.resolve(), repo.resolve()
    if resolved == root or resolved in root.parents or resolved == root / "content" \
            or (root / "content") in resolved.parents:
        raise InputError(f"{output}: the output folder must not contain or be inside the "
                         f"content (it is replaced on every build)")


def cache_folder(repo: Path) -> Path:
    """Inside .git when there is one, so the cache can never be committed by accident."""
    git_dir = repo / ".git"
    return git_dir / "pressroom-cache" if git_dir.is_dir() else repo / CACHE_FOLDER


def _swap_in(new: Path, output: Path) -> None:
    """Replace ``output`` by ``new``: two renames, never a half-written site."""
    old = None
    if output.exists():
        old = Path(tempfile.mkdtemp(dir=output.parent, prefix=".output-old-"))
        os.rmdir(old)
        os.rename(output, old)
    os.rename(new, output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_site(
    repo: Path,
    output: Path,
    now: datetime | None = None,
    config: Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> BuildResult:
    """Build the site of the repository at ``repo`` into ``output``.

    ``now`` decides which posts are due (default: the current time); passing it
    makes a build reproducible. Raises ``InputError`` for unusable input
    (missing folders, unreadable settings); content problems are returned as
    violations and leave ``output`` untouched.
    """
    started = time.monotonic()
    repo, output = repo.absolute(), output.absolute()
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise InputError("the build time must include a time zone")
    _check_output(repo, output)
    with _collecting_logs() as collect:
        return _build(repo, output, now, config, progress, started, collect)


def _build(repo: Path, output: Path, now: datetime, config: Path | None,
           progress: Callable[[str], None], started: float, collect: _Collect) -> BuildResult:
    settings = read_config(repo, config)
    try:
        tz = ZoneInfo(settings["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(f"TIMEZONE {settings['TIMEZONE']!r} is not a time zone") from exc

    sources = load_sources(repo, tz, light=True)
    result = BuildResult(output=output, posts=len(sources.posts), problems=sources.problems,
                         warnings=collect.warnings)
    progress(f"Checked {len(sources.posts)} posts and {len(sources.roster)} roster members")
    if result.problems:
        result.seconds = time.monotonic() - started
        return result
    public = [p for p in sources.posts if p.is_public(now)]
    result.public = len(public)
    result.drafts = sum(1 for p in sources.posts if p.status == "draft")
    result.scheduled = result.posts - result.public - result.drafts

    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=output.parent, prefix=".output-"))
    staging.chmod(0o755)
    try:
        _render(repo, staging, settings, sources, now, result, progress, collect)
        if result.ok:
            result.files = sum(1 for p in staging.rglob("*") if p.is_file())
            _swap_in(staging, output)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    result.seconds = time.monotonic() - started
    return result


def _render(repo: Path, staging: Path, settings: dict[str, Any], sources: Sources,
            now: datetime, result: BuildResult, progress: Callable[[str], None],
            collect: _Collect) -> None:
    """Run Pelican into ``staging``; its errors become BUILD-ERROR violations."""
    from pelican import Pelican
    from pelican.settings import configure_settings

    settings = dict(settings)
    settings.update(enforced(repo, staging))
    settings["PRESSROOM_NOW"] = now
    settings["PRESSROOM_ROSTER"] = sources.roster
    settings["PRESSROOM_POSTS"] = {str(repo / p.path): p for p in sources.posts}
    settings = configure_settings(settings)
    host = urlsplit(settings.get("SITEURL", "")).hostname or ""
    settings["PRESSROOM_RENDERED"] = render_cached(
        sorted(settings["PRESSROOM_POSTS"]), settings["MARKDOWN"], settings["FORMATTED_FIELDS"],
        cache_folder(repo), sanitize_host=host, stats=result.markdown)
    progress(f"Markdown: rendered {result.markdown.rendered} post(s), reused "
             f"{result.markdown.reused} unchanged from the cache")
    settings["PRESSROOM_SANITIZED"] = set(settings["PRESSROOM_RENDERED"])

    errors_before = len(collect.errors)
    progress(f"Rendering {result.public} public posts with Pelican")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            Pelican(settings).run()
    except Exception as exc:  # Pelican failing is a failed build, reported in one line
        collect.errors.append(f"{type(exc).__name__}: {exc}")
    for message in collect.errors[errors_before:]:
        result.problems.append(Violation("build", 0, "BUILD-ERROR", message))
