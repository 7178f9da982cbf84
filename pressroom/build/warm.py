"""A warm build: when only posts changed, rewrite only the files the change affects.

The last build left a state (``pressroom.build.incremental.SiteState``) naming the live
release; when the settings, theme, roster, policy, pages, images and pressroom itself
are as they were, this build reads only the changed posts, replays the output phase
over the others' cards (``pressroom.adapter.engine.run_warm``), stages the files whose
key changed and patches the banner into kept pages. The new release is a hard-link
clone of the live one with the staged files renamed in (``pressroom.publishing.releases``); a
failure anywhere leaves the live site untouched. Whatever this cannot vouch for, it
declines with a reason, and ``pressroom.build.run`` builds in full.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pressroom.adapter import engine
from pressroom.adapter.cards import ContentStore
from pressroom.adapter.session import BuildSession
from pressroom.build.incremental import (
    SiteState,
    Stage,
    forget_state,
    load_state,
    patch_banners,
    save_state_behind,
    scan,
)
from pressroom.build.result import BuildResult, LogCollector, report_errors
from pressroom.model.content import check_collection
from pressroom.model.roster import Roster
from pressroom.model.translations import withheld_translations
from pressroom.model.wording import plural
from pressroom.publishing import releases, search_index
from pressroom.render.markdown_render import render_many
from pressroom.render.site import enforced
from pressroom.repo.overrides import Overrides
from pressroom.repo.sources import is_post_path, load_roster, validate_posts

CONTENT_STORE = "site-content.sqlite"  # post bodies for warm builds (pressroom.adapter.cards)


def new_session(repo: Path, settings: dict[str, Any], posts, roster: Roster,
                now: datetime, **values: Any) -> BuildSession:
    """The session of a build over the validated ``posts``."""
    root = str(repo)  # os.path.join, not pathlib: 10,000 posts on every build
    return BuildSession.tuned(settings, repo=repo, now=now, roster=roster,
                              posts={os.path.join(root, p.path): p for p in posts}, **values)


def markdown_settings(repo: Path, output: Path) -> tuple[dict[str, Any], list[str]]:
    """How posts are rendered: always pressroom's (``pressroom.render.site.enforced``)."""
    fixed = enforced(repo, output)
    return fixed["MARKDOWN"], fixed["FORMATTED_FIELDS"]


def build_warm(repo: Path, output: Path, settings: dict[str, Any], tz, now: datetime,
               folder: Path, fingerprint: str, progress: Callable[[str], None],
               collect: LogCollector, keep: int = releases.DEFAULT_KEEP,
               extras: Overrides | None = None) -> BuildResult | str:
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
    for rel in changes.removed | changes.changed:
        posts.pop(rel, None)
    found = validate_posts(repo, sorted(changes.changed), tz, roster)
    if found.linking:
        return f"{found.linking[0]} links within the site ({{static}}, {{filename}} ...)"
    posts.update(found.posts)
    problems.extend(found.problems)
    problems.extend(check_collection(posts.values()))
    result = BuildResult(output=output, posts=len(posts), problems=sorted(problems),
                         warnings=collect.warnings, incremental=True,
                         validated=list(posts.values()))
    progress(f"Checked {len(changes.changed)} changed and {len(changes.removed)} removed "
             f"of {plural(len(posts), 'post')}")
    if result.problems:
        return result
    result.count(posts.values(), now)
    root = str(repo)
    held = withheld_translations(posts.values(), settings.get("DEFAULT_LANG", "en"), now)
    public = {os.path.join(root, rel) for rel, post in posts.items()
              if post.is_public(now) and rel not in held}
    changed = {os.path.join(root, rel) for rel in changes.changed}
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
        session = _replay(repo, live.path, stage, store, settings, posts.values(), roster,
                          now, state, kept, fresh, result, collect, extras or Overrides())
        if not result.ok:
            return result
        manifest = session.manifest
        for name, entry in state.manifest.items():
            if entry.owner == "pages":  # Pelican pages: unchanged, or this were a full build
                manifest.setdefault(name, entry)
        removed = sorted(name for name in state.manifest if name not in manifest)
        written = set(session.written)
        progress(f"Rendered {len(written)} changed of {plural(len(manifest), 'file')}")
        banner = session.banner_key
        if banner != state.banner:
            region = session.banner_region
            assert region is not None
            blocks: dict[str, bytes] = {}
            jobs = []
            for name, entry in sorted(manifest.items()):
                if entry.template and name not in written:
                    block = region(entry.template, name)
                    if block is not None:
                        jobs.append((name, blocks.setdefault(block, block.encode())))
            result.banner_patched = patch_banners(
                live.path, stage, jobs, session.parallel_from)
            progress(f"The alert banner changed: updated it on "
                     f"{plural(result.banner_patched, 'other page')}")
        result.rewritten = len(written)
        result.files, release = state.files, live
        if stage.files or removed:  # else the live release is already this build's site
            if partial is None or cloning is None:
                partial = releases.new_partial(output)
                cloning = releases.Cloning(live.path, partial)
            copied = cloning.wait()
            cloning = None
            if changes.removed or any(rel in state.posts for rel in changes.changed):
                search_index.withhold(partial)  # an edit may take words down: no old index
            result.removed = stage.commit(partial, removed)
            result.files = state.files - result.removed + sum(
                1 for name in written if name not in state.manifest)
            forget_state(folder)
            release = releases.publish_release(output, partial, keep)
            progress(f"Release {release.id} is live: {live.id} linked"
                     f"{' (' + plural(copied, 'file') + ' copied)' if copied else ''}, "
                     f"{len(stage.files)} new, {result.removed} removed")
        store.add(session.cards)
        store.close()
        save_state_behind(folder, SiteState(
            fingerprint=fingerprint, sources=changes.sources, posts=posts,
            cards=session.cards, manifest=manifest, banner=banner,
            files=result.files, variables=session.variables, release=release.id))
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


def _replay(repo: Path, live: Path, stage: Stage, store: ContentStore,
            settings: dict[str, Any], posts, roster: Roster, now: datetime, state: SiteState,
            kept: list[Any], fresh: list[str], result: BuildResult,
            collect: LogCollector, extras: Overrides) -> BuildSession:
    """Pelican's output phase over the kept cards and the freshly read posts."""
    session = new_session(repo, settings, posts, roster, now, previous=state.manifest,
                          variables=state.variables, live=str(live), stage=stage,
                          overrides=extras)
    host = urlsplit(settings.get("SITEURL", "")).hostname or ""
    markdown, formatted = markdown_settings(repo, live)
    session.rendered = render_many(fresh, markdown, formatted, workers=1, sanitize_host=host)
    session.sanitized = set(session.rendered)
    result.markdown.rendered, result.markdown.reused = len(fresh), len(kept)
    errors_before = len(collect.errors)
    try:
        engine.run_warm(settings, session, kept, fresh, store)
    except Exception as exc:  # as in a full build: one line, nothing changes
        collect.errors.append(f"{type(exc).__name__}: {exc}")
    report_errors(collect, errors_before, result)
    return session
