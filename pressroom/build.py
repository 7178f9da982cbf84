"""``pressroom build``: validate, render with Pelican, and switch the site in atomically.

The public only ever sees a complete site: ``output/`` is a symbolic link to an
immutable release folder (``pressroom.releases``). Pelican writes a new release
beside the live one; only when every post was valid and Pelican reported no error
is the link replaced, in one rename. A failed or killed build leaves the previous
site exactly as it was.

When only posts changed since the last build, the build is *warm*
(``pressroom.incremental``): its release starts as a hard-link clone of the live one
and only the files the change affects are rewritten — the same bytes a full build
writes.
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pressroom import releases
from pressroom.cache import folder as cache_folder
from pressroom.cards import ContentStore
from pressroom.checking import check_repo
from pressroom.content import check_author, check_collection, parse_post
from pressroom.department import load_department, load_pelican_settings
from pressroom.files import NotRegularFile, read_regular
from pressroom.incremental import (
    SiteState,
    Stage,
    forget_state,
    load_state,
    patch_banners,
    save_state_behind,
    scan,
    site_fingerprint,
)
from pressroom.markdown_render import CacheStats, render_cached, render_many
from pressroom.roster import Roster
from pressroom.site import enforced, site_defaults
from pressroom.sources import (
    is_post_path,
    light_post,
    load_roster,
    load_sources,
    require_content,
)
from pressroom.violations import InputError, Violation

CONFIG_FILE = "pelicanconf.py"
# Pelican's intrasite link markers ({static}, {filename}, |attach| ...): the link resolves
# against the whole site's content, which only a full build has (found by the fuzzer).
INTRASITE_LINK = re.compile(rb"[{|](?:filename|static|attach|index|author|category|tag)[}|]")
CONTENT_STORE = "site-content.sqlite"  # post bodies for warm builds (pressroom.cards)


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
    incremental: bool = False  # a warm build (pressroom.incremental)
    full_reason: str = ""  # why a full build was needed
    rewritten: int = 0  # files written by this build
    removed: int = 0  # files a warm build deleted
    banner_patched: int = 0  # kept pages whose alert banner a warm build updated
    validated: list[Any] = field(default_factory=list, repr=False)  # the posts, light

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


def read_config(repo: Path, config: Path | None = None,
                overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Pelican settings: our defaults, ``pelicanconf.py`` and ``--settings`` (both read as
    data, never run), then the department's ``policy/site.toml`` and ``overrides``."""
    from pelican.settings import read_settings  # Pelican is imported only when building

    values = {**site_defaults(), **load_pelican_settings(repo, CONFIG_FILE)}
    if config is not None:
        if not config.is_file():
            raise InputError(f"{config}: settings file not found")
        values.update(load_pelican_settings(config.parent, config.name))
    values.update(load_department(repo).pelican_settings())
    values.update(overrides or {})
    try:
        return read_settings(None, override=values)
    except Exception as exc:
        raise InputError(f"{config or CONFIG_FILE}: invalid settings: {exc}") from exc


def _check_output(repo: Path, output: Path) -> None:
    if output.exists() and not output.is_dir():
        raise InputError(f"{output}: exists and is not a folder")
    # The output path itself is a link to a release: judge where it (and its releases) live.
    resolved, root = output.parent.resolve() / output.name, repo.resolve()
    if resolved == root or resolved in root.parents or resolved == root / "content" \
            or (root / "content") in resolved.parents:
        raise InputError(f"{output}: the output folder must not contain or be inside the "
                         f"content (it is replaced on every build)")


def build_site(
    repo: Path,
    output: Path,
    now: datetime | None = None,
    config: Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
    full: bool = False,
    overrides: dict[str, Any] | None = None,
    keep_releases: int = releases.DEFAULT_KEEP,
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

    Under the output's lock (the same ``publish`` and ``rollback`` take), it first
    converts an old-style output folder and removes what crashed builds left.
    """
    started = time.monotonic()
    repo, output = repo.absolute(), output.absolute()
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise InputError("the build time must include a time zone")
    _check_output(repo, output)
    if keep_releases < 0:
        raise InputError("the number of old releases to keep cannot be negative")
    with releases.output_lock(output), _collecting_logs() as collect:
        releases.prepare(output)
        return _build(repo, output, now, config, progress, started, collect, full,
                      overrides, keep_releases)


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
           progress: Callable[[str], None], started: float, collect: _Collect,
           full: bool, overrides: dict[str, Any] | None,
           keep: int = releases.DEFAULT_KEEP) -> BuildResult:
    settings = read_config(repo, config, overrides)
    tz = ZoneInfo(settings["TIMEZONE"])  # policy/site.toml's, validated as it was read
    require_content(repo)
    progress("Checking the content rules")
    report = check_repo(repo, use_cache=not full)  # --full trusts no cache
    if not report.ok:
        return BuildResult(output=output, problems=report.errors, warnings=collect.warnings,
                           seconds=time.monotonic() - started)
    folder = cache_folder(repo)
    fingerprint = site_fingerprint(repo, output, settings)
    reason = "--full was given"
    if not full:
        with _no_cycle_collection():
            warm = _warm(repo, output, settings, tz, now, folder, fingerprint, progress,
                         collect, keep)
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
    public = [p for p in sources.posts if p.is_public(now)]
    result.public = len(public)
    result.drafts = sum(1 for p in sources.posts if p.status == "draft")
    result.scheduled = result.posts - result.public - result.drafts

    staging = releases.new_partial(output)
    try:
        built = _render(repo, staging, settings, sources.posts, sources.roster, now, result,
                        progress, collect, trust_cache=not full)
        gc.collect()  # Pelican's articles and contexts are cycles: free them before saving
        if result.ok:
            result.files = sum(1 for p in staging.rglob("*") if p.is_file())
            result.rewritten = len(built["PRESSROOM_WRITTEN"])
            forget_state(folder)
            release = releases.publish_release(output, staging, keep)
            progress(f"Release {release.id} is live")
            ContentStore.fresh(folder / CONTENT_STORE, built["PRESSROOM_CARDS"])
            save_state_behind(folder, SiteState(
                fingerprint=fingerprint, sources=sources_state.sources,
                posts={p.path: p for p in sources.posts}, cards=built["PRESSROOM_CARDS"],
                manifest=built["PRESSROOM_MANIFEST"],
                banner=built["PRESSROOM_BANNER_KEY"], files=result.files,
                variables=built["PRESSROOM_VARIABLES"], release=release.id))
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    result.seconds = time.monotonic() - started
    return result


def _pelican_settings(repo: Path, staging: Path, settings: dict[str, Any], posts,
                      roster: Roster, now: datetime) -> dict[str, Any]:
    """The settings Pelican runs with: the site's, then ours that nothing overrides."""
    from pelican.settings import configure_settings

    settings = dict(settings)
    settings.update(enforced(repo, staging))
    settings["PRESSROOM_NOW"] = now
    settings["PRESSROOM_ROSTER"] = roster
    settings["PRESSROOM_POSTS"] = {str(repo / p.path): p for p in posts}
    settings["PRESSROOM_MANIFEST"] = {}
    settings["PRESSROOM_WRITTEN"] = []
    return configure_settings(settings)


def _plugin(pelican, name: str = "pressroom_incremental"):
    from pelican.plugins._utils import get_plugin_name

    return next(p for p in pelican.plugins if get_plugin_name(p) == name)


def _new_pelican(settings: dict[str, Any]):
    """Pelican with our article generator (same output, no quadratic date lists)."""
    from pelican import Pelican
    from pelican.generators import ArticlesGenerator

    class PressroomPelican(Pelican):
        def _get_generator_classes(self):
            ours = _plugin(self).PressroomArticlesGenerator
            return [ours if cls is ArticlesGenerator else cls
                    for cls in super()._get_generator_classes()]

    return PressroomPelican(settings)


def _pelican_errors(collect: _Collect, since: int, result: BuildResult) -> None:
    for message in collect.errors[since:]:
        result.problems.append(Violation("build", 0, "BUILD-ERROR", message))


def _render(repo: Path, staging: Path, settings: dict[str, Any], posts, roster: Roster,
            now: datetime, result: BuildResult, progress: Callable[[str], None],
            collect: _Collect, trust_cache: bool = True) -> dict[str, Any]:
    """Run Pelican into ``staging``; its errors become BUILD-ERROR violations."""

    settings = _pelican_settings(repo, staging, settings, posts, roster, now)
    host = urlsplit(settings.get("SITEURL", "")).hostname or ""
    settings["PRESSROOM_RENDERED"] = render_cached(
        sorted(settings["PRESSROOM_POSTS"]), settings["MARKDOWN"], settings["FORMATTED_FIELDS"],
        cache_folder(repo), sanitize_host=host, stats=result.markdown, trust=trust_cache)
    progress(f"Markdown: rendered {result.markdown.rendered} post(s), reused "
             f"{result.markdown.reused} unchanged from the cache")
    settings["PRESSROOM_SANITIZED"] = set(settings["PRESSROOM_RENDERED"])

    errors_before = len(collect.errors)
    progress(f"Rendering {result.public} public posts with Pelican")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            _new_pelican(settings).run()
    except Exception as exc:  # Pelican failing is a failed build, reported in one line
        collect.errors.append(f"{type(exc).__name__}: {exc}")
    _pelican_errors(collect, errors_before, result)
    return settings


def _warm(repo: Path, output: Path, settings: dict[str, Any], tz, now: datetime,
          folder: Path, fingerprint: str, progress: Callable[[str], None],
          collect: _Collect, keep: int = releases.DEFAULT_KEEP) -> BuildResult | str:
    """A warm build, or why it cannot be one (then the caller builds in full)."""
    state = load_state(folder)
    if state is None:
        return "no earlier build to start from"
    live = releases.live_release(output)
    if live is None:
        return f"{output} does not hold a site yet"
    if state.release != live.id:
        return (f"the live release {live.id} is not the one the last build made "
                f"(a rollback?)")
    if state.fingerprint != fingerprint:
        return "the settings, theme, roster, policy or pressroom itself changed"
    changes = scan(repo, state.sources)
    others = sorted(rel for rel in changes.changed | changes.removed if not is_post_path(rel))
    if others:
        return f"{others[0]} changed (pages and images need a full build)"

    roster, problems = load_roster(repo)
    posts = dict(state.posts)
    for rel in changes.removed:
        posts.pop(rel, None)
    for rel in sorted(changes.changed):
        posts.pop(rel, None)
        try:
            data = read_regular(repo, rel)
        except NotRegularFile as exc:
            problems.append(exc.violation())
            continue
        except OSError as exc:
            problems.append(Violation(rel, 0, "FILE-READ", exc.strerror or str(exc)))
            continue
        if INTRASITE_LINK.search(data):
            return f"{rel} links within the site ({{static}}, {{filename}} ...)"
        post, found = parse_post(rel, data, tz)
        problems.extend(found)
        if post is not None:
            if len(roster):
                problems.extend(check_author(post, roster))
            posts[rel] = light_post(post)
    problems.extend(check_collection(posts.values()))
    result = BuildResult(output=output, posts=len(posts), problems=sorted(problems),
                         warnings=collect.warnings, incremental=True,
                         validated=list(posts.values()))
    progress(f"Checked {len(changes.changed)} changed and {len(changes.removed)} removed "
             f"post(s) of {len(posts)}")
    if result.problems:
        return result
    public = {str(repo / rel) for rel, post in posts.items() if post.is_public(now)}
    result.public = len(public)
    result.drafts = sum(1 for p in posts.values() if p.status == "draft")
    result.scheduled = result.posts - result.public - result.drafts
    changed = {str(repo / rel) for rel in changes.changed}
    cards = {card.source_path: card for card in state.cards}
    kept = [card for path, card in cards.items() if path in public and path not in changed]
    fresh = sorted(path for path in public if path in changed or path not in cards)
    if any(card.volatile for card in kept):
        return "a post links to another post with {filename}"

    # Everything is read from the live release (it never changes) and written to the stage.
    stage = Stage(releases.new_stage(output))
    store = ContentStore(folder / CONTENT_STORE)
    partial: Path | None = None
    cloning: releases.Cloning | None = None
    try:
        if changes.changed or changes.removed:  # link the new release while rendering
            partial = releases.new_partial(output)
            cloning = releases.Cloning(live.path, partial)
        built = _replay(repo, live.path, stage, store, settings, posts.values(), roster, now,
                        state, kept, fresh, result, collect)
        if not result.ok:
            return result
        manifest = built["PRESSROOM_MANIFEST"]
        for name, entry in state.manifest.items():
            if entry[1] == "pages":  # Pelican pages: unchanged, or this were a full build
                manifest.setdefault(name, entry)
        removed = sorted(name for name in state.manifest if name not in manifest)
        written = set(built["PRESSROOM_WRITTEN"])
        progress(f"Rendered {len(written)} changed file(s) of {len(manifest)}")
        banner = built["PRESSROOM_BANNER_KEY"]
        if banner != state.banner:
            region = built["PRESSROOM_BANNER_REGION"]
            blocks: dict[str, bytes] = {}
            jobs = []
            for name, (_key, _owner, template) in sorted(manifest.items()):
                if template and name not in written:
                    block = region(template, name)
                    if block is not None:
                        jobs.append((name, blocks.setdefault(block, block.encode())))
            result.banner_patched = patch_banners(
                live.path, stage, jobs, settings.get("PRESSROOM_PARALLEL_FROM", 500))
            progress(f"The alert banner changed: updated it on {result.banner_patched} "
                     f"other page(s)")
        result.rewritten = len(written)
        result.files, release = state.files, live
        if stage.files or removed:  # else the live release is already this build's site
            if partial is None or cloning is None:
                partial = releases.new_partial(output)
                cloning = releases.Cloning(live.path, partial)
            copied = cloning.wait()
            cloning = None
            result.removed = stage.commit(partial, removed)
            result.files = state.files - result.removed + sum(
                1 for name in written if name not in state.manifest)
            forget_state(folder)
            release = releases.publish_release(output, partial, keep)
            progress(f"Release {release.id} is live: {live.id} linked"
                     f"{f' ({copied} file(s) copied)' if copied else ''}, "
                     f"{len(stage.files)} file(s) new, {result.removed} removed")
        store.add(built["PRESSROOM_CARDS"])
        store.close()
        save_state_behind(folder, SiteState(
            fingerprint=fingerprint, sources=changes.sources, posts=posts,
            cards=built["PRESSROOM_CARDS"], manifest=manifest, banner=banner,
            files=result.files, variables=built["PRESSROOM_VARIABLES"], release=release.id))
    finally:
        store.close()
        if cloning is not None:
            cloning.cancel()
        shutil.rmtree(stage.folder, ignore_errors=True)
        if partial is not None and partial.exists():  # unused, or a failure: not a release
            if result.ok:
                releases.discard(partial)  # a clone with nothing new: off the critical path
            else:
                shutil.rmtree(partial, ignore_errors=True)
    return result


def _replay(repo: Path, output: Path, stage: Stage, store: ContentStore,
            settings: dict[str, Any], posts,
            roster: Roster, now: datetime, state: SiteState, kept: list[Any], fresh: list[str],
            result: BuildResult, collect: _Collect) -> dict[str, Any]:
    """Pelican's output phase over the kept cards and the freshly read posts."""

    settings = _pelican_settings(repo, output, settings, posts, roster, now)
    settings["PRESSROOM_PREVIOUS"] = state.manifest
    settings["PRESSROOM_VARIABLES"] = state.variables
    settings["PRESSROOM_LIVE"] = str(output)
    settings["PRESSROOM_STAGE"] = stage
    host = urlsplit(settings.get("SITEURL", "")).hostname or ""
    rendered = render_many(fresh, settings["MARKDOWN"], settings["FORMATTED_FIELDS"],
                           workers=1, sanitize_host=host)
    settings["PRESSROOM_RENDERED"] = rendered
    settings["PRESSROOM_SANITIZED"] = set(rendered)
    result.markdown.rendered, result.markdown.reused = len(fresh), len(kept)
    errors_before = len(collect.errors)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            pelican = _new_pelican(settings)
            plugin = _plugin(pelican)
            generator = plugin.new_generator(pelican)
            articles = plugin.read_articles(
                generator, [os.path.relpath(path, generator.path) for path in fresh])
            taxa: dict[Any, Any] = {}
            cards = [card.revive(settings, taxa, store) for card in kept]
            writer = plugin.KeyedWriter(str(output), settings=settings)
            plugin.replay(generator, cards + articles, writer)
    except Exception as exc:  # as in a full build: one line, nothing changes
        collect.errors.append(f"{type(exc).__name__}: {exc}")
    _pelican_errors(collect, errors_before, result)
    return settings
