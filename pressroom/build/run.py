"""``pressroom build``: validate, render with Pelican, and switch the site in atomically.

The public only ever sees a complete site: ``output/`` is a symbolic link to an
immutable release folder (``pressroom.publishing.releases``). Pelican writes a new release
beside the live one; only when every post was valid and Pelican reported no error
is the link replaced, in one rename. A failed or killed build leaves the previous
site exactly as it was.

When only posts changed since the last build, the build is *warm*
(``pressroom.build.incremental``): its release starts as a hard-link clone of the live one
and only the files the change affects are rewritten — the same bytes a full build
writes.
"""

from __future__ import annotations

import contextlib
import gc
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pressroom.adapter import engine
from pressroom.adapter.cards import ContentStore
from pressroom.adapter.session import BuildSession
from pressroom.build.incremental import (
    SiteState,
    forget_state,
    save_state_behind,
    scan,
    site_fingerprint,
)
from pressroom.build.result import BuildResult, LogCollector, collecting_logs, report_errors
from pressroom.build.warm import CONTENT_STORE, build_warm, markdown_settings, new_session
from pressroom.cache import folder as cache_folder
from pressroom.checking.repo import check_repo
from pressroom.model.roster import Roster
from pressroom.model.violations import InputError
from pressroom.model.wording import plural
from pressroom.publishing import releases
from pressroom.render.markdown_render import render_cached
from pressroom.render.site import site_defaults
from pressroom.repo.department import load_department, load_pelican_settings
from pressroom.repo.overrides import Overrides, read_overrides
from pressroom.repo.sources import load_sources, require_content

CONFIG_FILE = "pelicanconf.py"


def read_config(repo: Path, config: Path | None = None,
                overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Pelican settings: our defaults, ``pelicanconf.py`` and ``--settings`` (both read as
    data, never run), then the department's ``policy/site.toml`` and ``overrides``."""
    values = {**site_defaults(), **load_pelican_settings(repo, CONFIG_FILE)}
    if config is not None:
        if not config.is_file():
            raise InputError(f"{config}: settings file not found")
        values.update(load_pelican_settings(config.parent, config.name))
    values.update(load_department(repo).pelican_settings())
    values.update(overrides or {})
    return engine.site_settings(values, str(config or CONFIG_FILE))


def build_site(
    repo: Path,
    output: Path,
    now: datetime | None = None,
    config: Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
    full: bool = False,
    overrides: dict[str, Any] | None = None,
    keep_releases: int = releases.DEFAULT_KEEP,
    plugins_approved: bool = False,
) -> BuildResult:
    """Build the site of the repository at ``repo`` into ``output``.

    ``now`` decides which posts are due (default: the current time); passing it
    makes a build reproducible. Every build first runs the content rules over the
    whole folder (``check_repo``, cached per file): nothing that ``pressroom check``
    refuses is ever written to a site. ``overrides`` are settings applied last
    (``publish`` turns relative URLs off). ``full`` skips the warm build even when one is
    possible. Raises ``InputError`` for unusable input
    (missing folders, unreadable settings, another build of ``output`` running);
    content problems are returned as violations and leave ``output`` untouched.
    ``keep_releases`` old releases are kept for ``pressroom rollback``.
    ``plugins_approved`` is for ``publish`` only: ``repo`` is the verified commit's tree,
    so the department's plugins run without comparing ``plugins/`` with main.

    Under the output's lock (the same ``publish`` and ``rollback`` take), it first
    converts an old-style output folder and removes what crashed builds left.
    """
    started = time.monotonic()
    repo, output = repo.absolute(), output.absolute()
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise InputError("the build time must include a time zone")
    require_content(repo)
    releases.refuse_unusable(output, repo)
    if keep_releases < 0:
        raise InputError("the number of old releases to keep cannot be negative")
    with releases.output_lock(output), collecting_logs() as collect:
        releases.prepare(output)
        return _build(repo, output, now, config, progress, started, collect, full,
                      overrides, keep_releases, plugins_approved)


@contextlib.contextmanager
def _no_cycle_collection():
    """A warm build loads a million objects that all live until it ends; Python's cycle
    collector would walk them again and again (loading the state takes 7x longer with
    it). A full build keeps it: there it holds memory down more than it costs."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(repo: Path, output: Path, now: datetime, config: Path | None,
           progress: Callable[[str], None], started: float, collect: LogCollector,
           full: bool, overrides: dict[str, Any] | None,
           keep: int = releases.DEFAULT_KEEP, plugins_approved: bool = False) -> BuildResult:
    settings = read_config(repo, config, overrides)
    tz = ZoneInfo(settings["TIMEZONE"])  # policy/site.toml's, validated as it was read
    progress("Checking the content rules")
    report = check_repo(repo, use_cache=not full)  # --full trusts no cache
    if not report.ok:
        return BuildResult(output=output, problems=report.errors, warnings=collect.warnings,
                           seconds=time.monotonic() - started)
    # The department's templates, static files and plugins (pressroom.overrides).
    extras, problems = read_overrides(repo, load_department(repo).plugins, plugins_approved)
    if problems:
        return BuildResult(output=output, problems=problems, warnings=collect.warnings,
                           seconds=time.monotonic() - started)
    folder = cache_folder(repo)
    fingerprint = site_fingerprint(repo, output, settings)
    reason = "--full was given"
    if not full:
        with _no_cycle_collection():
            warm = build_warm(repo, output, settings, tz, now, folder, fingerprint, progress,
                              collect, keep, extras)
        if isinstance(warm, BuildResult):
            warm.seconds = time.monotonic() - started
            return warm
        reason = warm
    progress(f"Full build: {reason}")

    sources_state = scan(repo)
    sources = load_sources(repo, tz, light=True)
    result = BuildResult(output=output, posts=len(sources.posts), problems=sources.problems,
                         warnings=collect.warnings, full_reason=reason,
                         validated=sources.posts)
    progress(f"Checked {len(sources.posts)} posts and {len(sources.roster)} roster members")
    if result.problems:
        result.seconds = time.monotonic() - started
        return result
    result.count(sources.posts, now)

    staging = releases.new_partial(output)
    try:
        session = _render(repo, staging, settings, sources.posts, sources.roster, now,
                          result, progress, collect, extras, trust_cache=not full)
        gc.collect()  # Pelican's articles and contexts are cycles: free them before saving
        if result.ok:
            result.files = sum(1 for p in staging.rglob("*") if p.is_file())
            result.rewritten = len(session.written)
            forget_state(folder)
            release = releases.publish_release(output, staging, keep)
            progress(f"Release {release.id} is live")
            ContentStore.fresh(folder / CONTENT_STORE, session.cards)
            save_state_behind(folder, SiteState(
                fingerprint=fingerprint, sources=sources_state.sources,
                posts={p.path: p for p in sources.posts}, cards=session.cards,
                manifest=session.manifest, banner=session.banner_key, files=result.files,
                variables=session.variables, release=release.id))
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    result.seconds = time.monotonic() - started
    return result


def _render(repo: Path, staging: Path, settings: dict[str, Any], posts, roster: Roster,
            now: datetime, result: BuildResult, progress: Callable[[str], None],
            collect: LogCollector, extras: Overrides, trust_cache: bool = True) -> BuildSession:
    """Run Pelican into ``staging``; its errors become BUILD-ERROR violations."""
    session = new_session(repo, settings, posts, roster, now, overrides=extras)
    host = urlsplit(settings.get("SITEURL", "")).hostname or ""
    markdown, formatted = markdown_settings(repo, staging)
    session.rendered = render_cached(
        sorted(session.posts), markdown, formatted, cache_folder(repo), sanitize_host=host,
        stats=result.markdown, trust=trust_cache)
    session.sanitized = set(session.rendered)
    progress(f"Markdown: rendered {plural(result.markdown.rendered, 'post')}, reused "
             f"{result.markdown.reused} unchanged from the cache")
    errors_before = len(collect.errors)
    progress(f"Rendering {result.public} public posts with Pelican")
    try:
        engine.run_full(settings, session, staging)
    except Exception as exc:  # Pelican failing is a failed build, reported in one line
        collect.errors.append(f"{type(exc).__name__}: {exc}")
    report_errors(collect, errors_before, result)
    return session
