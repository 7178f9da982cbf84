"""``pressroom deploy`` and ``pressroom deploy --rollback``: the steps, in their safe order.

1. The live release of ``--site`` (a link ``pressroom publish`` made, with its record of
   the verified commit) is read and hashed: never a working folder.
2. New bytes go to the object store, ``.pressroom/objects/<sha256>``: nothing served
   changes, and every version stays there for a rollback.
3. The pointer (``.pressroom/manifest.json``) is rewritten to say a deploy is under way
   and which paths it may touch, then each changed file is copied server-side from the
   store to its public key, with its headers, in ``plan.rank`` order.
4. The release's manifest is kept (``.pressroom/releases/<id>.json``) and the pointer
   names the new release: the switch.
5. Files that left the site are deleted once ``grace`` seconds have passed (``plan``).

A rollback is steps 3-5 with the bytes already in the store. If any step fails, the
pointer still names the release served before, and says which paths may hold the new
release's bytes; the next deploy or rollback rewrites those paths.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pressroom.deploy.plan import Manifest, Plan, local_manifest, make_plan
from pressroom.deploy.store import OBJECTS, POINTER, RELEASES, Bucket, StoreError, Target
from pressroom.model.violations import InputError
from pressroom.model.wording import plural
from pressroom.publishing.headers import SHORT_SECONDS, cache_control, content_type
from pressroom.publishing.publish import published_record, published_releases
from pressroom.publishing.release_folders import DEFAULT_KEEP, RELEASE_NAME, live_release

GRACE = SHORT_SECONDS  # pages a CDN holds that long keep their images
WORKERS = 16  # requests in flight at once
KEEP = DEFAULT_KEEP  # earlier releases kept in the bucket for --rollback, as beside the site


@dataclass
class Deployed:
    """What a deploy or rollback did (or, with ``dry_run``, would do)."""

    target: Target
    release: str
    previous: str | None
    plan: Plan
    uploaded: int = 0  # new blobs sent
    dry_run: bool = False
    changed_urls: list[str] = field(default_factory=list)

    def to_json(self, site_url: str) -> dict[str, object]:
        base = site_url.rstrip("/")
        return {"bucket": self.target.bucket, "prefix": self.target.prefix,
                "release": self.release, "previous": self.previous,
                "dry_run": self.dry_run, "uploaded": self.uploaded,
                "written": self.plan.writes, "deleted": self.plan.deletions,
                "pending_deletion": sorted(self.plan.pending),
                "paths": self.changed_urls,
                "urls": [f"{base}{path}" for path in self.changed_urls]}


Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


def live_published_release(site: Path) -> tuple[str, Path, str]:
    """The release ``site`` serves, its folder and the commit publish built it from.

    Refused (``InputError``) unless ``site`` is a link ``pressroom publish`` made: a
    ``pressroom build`` of a working folder has no record of a verified commit.
    """
    site = site.absolute()
    release = live_release(site)
    if release is None:
        raise InputError(f"{site}: not a site pressroom publish made (a link to a release "
                         f"folder beside it); deploy copies only a published release")
    if not published_record(site).is_file():
        raise InputError(f"{site}: no record of the verified commit beside it "
                         f"({published_record(site).name}): a site `pressroom build` made is "
                         f"not published; run pressroom publish --target {site}")
    commit = published_releases(site).get(release.id)
    if commit is None:  # a `pressroom build` into the publish target, say
        raise InputError(f"{site}: the live release {release.id} was not made by pressroom "
                         f"publish (a build of a working folder?); run pressroom publish "
                         f"--target {site}, or pressroom rollback --to a published release")
    return release.id, release.path, commit


def deploy_settings(repo: Path, commit: str | None = None) -> dict[str, str]:
    """``[deploy]`` of ``policy/site.toml`` as ``commit`` holds it (the commit publish
    verified and built the live release from), else as ``main`` holds it — never the working
    folder — with ``site_url`` defaulting to ``[site] url``; {} when there is no such file.
    A bad table is an ``InputError`` naming its line."""
    from pressroom.repo.department import SITE_PATH, parse_department
    from pressroom.repo.gitio import git

    where = commit or "refs/heads/main"
    try:
        data = git(repo, "show", f"{where}:{SITE_PATH}", check=False)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{SITE_PATH} on {where}: cannot read it ({exc})") from exc
    if not text:
        return {}
    department = parse_department(text)
    return {"site_url": department.url, **dict(department.deploy)}


def _current(bucket: Bucket) -> tuple[Manifest | None, str | None]:
    found = bucket.read_json(POINTER)
    if found is None:
        return None, None
    data, etag = found
    return Manifest.from_json(data, f"{bucket.target}{POINTER}"), etag


def deploy(target: Target, site: Path, *, dry_run: bool = False, grace: float = GRACE,
           keep: int = KEEP, now: datetime | None = None, progress: Progress = _quiet,
           step: Progress = _quiet) -> Deployed:
    """Make the bucket serve the live published release of ``site``.

    ``progress``: human messages for long work; ``step``: called with each public path
    just written or deleted (what a reader could see change).
    """
    release_id, folder, commit = live_published_release(site)
    bucket = Bucket(target)  # credentials, endpoint and bucket checked before any work
    progress(f"Reading release {release_id}")
    files = local_manifest(folder)
    current, etag = _current(bucket)
    stored = set(bucket.names(OBJECTS))
    plan = make_plan(current, files, stored, now or datetime.now(UTC), grace)
    done = Deployed(target, release_id, current.release or None if current else None, plan,
                    dry_run=dry_run, changed_urls=plan.changed_urls)
    if dry_run:
        done.uploaded = len(plan.new_blobs)
        return done
    if current is not None and current.release == release_id and plan.empty \
            and current.interrupted is None:
        return done  # the same release again: nothing to send, the pointer stays
    source = {sha: path for path, (sha, _) in files.items()}

    def upload(sha: str) -> None:
        body = _read_again(folder / source[sha], sha)
        bucket.put(f"{OBJECTS}{sha}", body, "application/octet-stream", "no-store")

    if plan.new_blobs:
        progress(f"Uploading {plural(len(plan.new_blobs), 'new file')}")
    _each(plan.new_blobs, upload)
    done.uploaded = len(plan.new_blobs)
    served = Manifest(release_id, commit, files)
    _switch(bucket, current, etag, served, plan, progress, step)
    _prune(bucket, served, keep, progress)
    return done


def _read_again(path: Path, sha: str) -> bytes:
    """The bytes of ``path`` as hashed a moment ago, or an ``InputError``.

    The store is addressed by hash and every later deploy trusts it, so bytes that no longer
    match (a file rewritten, or swapped for a link to something outside the release, while
    this deploy ran) must never be stored under the old hash; a link is not followed.
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(handle, "rb") as file:
            body = file.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}); was the release pruned or "
                         f"changed while deploying? Run pressroom deploy again") from exc
    if hashlib.sha256(body).hexdigest() != sha:
        raise InputError(f"{path}: changed while deploying (its bytes are not the ones "
                         f"hashed); nothing was switched: run pressroom deploy again")
    return body


def rollback(target: Target, to: str | None = None, *, grace: float = GRACE,
             keep: int = KEEP, now: datetime | None = None, progress: Progress = _quiet,
             step: Progress = _quiet) -> Deployed:
    """Serve an earlier deployed release again (the one before the current, or ``to``),
    with server-side copies from the object store, in the same order as a deploy."""
    bucket = Bucket(target)
    current, etag = _current(bucket)
    if current is None:
        raise InputError(f"{target}: nothing deployed here yet, so nothing to roll back")
    kept = _kept_releases(bucket)  # oldest first
    if to is None:
        earlier = [release for release in kept
                   if _number(release) < _number(current.release)]
        if not earlier:
            raise InputError(f"{target}: no release older than {current.release} was deployed")
        to = earlier[-1]
    elif to not in kept:
        raise InputError(f"{target}: release {to!r} is not kept in the bucket (kept: "
                         f"{', '.join(kept) or 'none'})")
    found = bucket.read_json(f"{RELEASES}{to}.json")
    if found is None:
        raise InputError(f"{target}: the manifest of release {to} is gone")
    chosen = Manifest.from_json(found[0], f"{target}{RELEASES}{to}.json")
    plan = make_plan(current, chosen.files, set(bucket.names(OBJECTS)),
                     now or datetime.now(UTC), grace)
    if plan.new_blobs:
        raise InputError(f"{target}: {len(plan.new_blobs)} files of release {to} are missing "
                         f"from {OBJECTS}; it cannot be restored from the bucket")
    served = Manifest(chosen.release, chosen.commit, chosen.files)
    _switch(bucket, current, etag, served, plan, progress, step)
    _prune(bucket, served, keep, progress)
    return Deployed(target, chosen.release, current.release or None, plan,
                    changed_urls=plan.changed_urls)


def _kept_releases(bucket: Bucket) -> list[str]:
    """The ids of the releases whose manifests the bucket keeps, oldest first."""
    ids = (name.removesuffix(".json") for name in bucket.names(RELEASES))
    return sorted((release for release in ids if RELEASE_NAME.match(release)), key=_number)


def _number(release: str) -> int:
    match = RELEASE_NAME.match(release)
    return int(match.group(1)) if match else -1


def _switch(bucket: Bucket, current: Manifest | None, etag: str | None, new: Manifest,
            plan: Plan, progress: Progress, step: Progress) -> None:
    """Copy, switch the pointer, delete: the part a deploy and a rollback share."""
    if plan.writes:
        # Say first what may change, so a failure below leaves an honest pointer.
        _check_unchanged(bucket, etag)
        marker = Manifest(current.release, current.commit, current.files, current.pending,
                          (new.release, tuple(plan.writes))) if current else \
            Manifest("", "", {}, {}, (new.release, tuple(plan.writes)))
        bucket.write_json(POINTER, marker.to_json())
        etag = bucket.etag(POINTER)

    def write(path: str) -> None:
        bucket.copy(f"{OBJECTS}{new.files[path][0]}", path, content_type(path),
                    cache_control(path))
        step(path)

    written = 0
    for stage in plan.stages:  # in rank order; within a stage, in parallel
        _each(stage, write)
        written += len(stage)
        progress(f"Wrote {written}/{len(plan.writes)} changed files")
    bucket.write_json(f"{RELEASES}{new.release}.json", new.to_json())
    _check_unchanged(bucket, etag)
    due = "1970-01-01T00:00:00+00:00"  # deleted next: a failed delete is retried next time
    pending = {**plan.pending, **{path: due for path in plan.deletions}}
    final = Manifest(new.release, new.commit, new.files, dict(sorted(pending.items())))
    bucket.write_json(POINTER, final.to_json())
    progress(f"{bucket.target} now serves release {new.release}")
    if plan.deletions:
        bucket.delete(plan.deletions)
        for path in plan.deletions:
            step(path)
        bucket.write_json(POINTER, Manifest(new.release, new.commit, new.files,
                                            plan.pending).to_json())
        progress(f"Deleted {len(plan.deletions)} files that left the site")


def _prune(bucket: Bucket, served: Manifest, keep: int, progress: Progress) -> None:
    """Forget all but the ``keep`` newest earlier releases: their manifests, and the stored
    bytes no kept release uses (content since removed, 392.5, leaves the bucket too).

    Only after a switch succeeded, so the bytes of the release served and of every kept
    one stay; bytes an interrupted deploy uploaded and no release names go as well.
    """
    ids = _kept_releases(bucket)
    others = [release for release in ids if release != served.release]
    kept = {served.release, *(others[-keep:] if keep else [])}
    doomed = [release for release in ids if release not in kept]
    if not doomed:
        return
    used = {sha for sha, _ in served.files.values()}
    for release in kept - {served.release}:
        found = bucket.read_json(f"{RELEASES}{release}.json")
        if found is None:
            return  # a manifest gone meanwhile: keep every byte rather than guess
        used |= {sha for sha, _ in
                 Manifest.from_json(found[0], f"{RELEASES}{release}.json").files.values()}
    unused = [f"{OBJECTS}{sha}" for sha in bucket.names(OBJECTS) if sha not in used]
    bucket.delete([*unused, *(f"{RELEASES}{release}.json" for release in doomed)])
    progress(f"Forgot {plural(len(doomed), 'old release')} and "
             f"{plural(len(unused), 'stored file')} no kept release uses")


def _each(items: list[str], work: Callable[[str], None]) -> None:
    """``work`` on every item, ``WORKERS`` at a time (object storage answers each request
    in tens of milliseconds: one at a time, a first deploy of 30,000 files takes half an
    hour). The first failure stops what has not started and is raised."""
    if not items:
        return
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(items))) as pool:
        futures = [pool.submit(work, item) for item in items]
        try:
            for future in futures:
                future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _check_unchanged(bucket: Bucket, etag: str | None) -> None:
    """Refuse to switch when another deploy rewrote the pointer since this one read it."""
    if bucket.etag(POINTER) != etag:
        raise StoreError(f"{bucket.target}: another deploy changed {POINTER} meanwhile; "
                         f"nothing was switched: run pressroom deploy again")


__all__ = ["GRACE", "KEEP", "Deployed", "StoreError", "Target", "deploy", "deploy_settings",
           "live_published_release", "rollback"]
