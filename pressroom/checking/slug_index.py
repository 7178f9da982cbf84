"""Every post's slug, fast enough for a pre-commit hook in a 10,000-post repository.

A slug is a post's public identity, so a new post must not reuse one, and knowing
all slugs means knowing every post's header. In a git checkout the posts are
listed from git's index (``git ls-files -s``, what the commit will contain) and
each blob's explicit ``Slug:`` is cached by blob hash in the cache folder
(``pressroom.cache``): content-addressed, and kept by the code that read it (a file
made by other code is dropped), so an entry can never be stale. Only blobs not seen
before are read, all at once through ``git cat-file --batch``. Outside git every
header is read.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from pressroom.cache import folder, key, write_atomic
from pressroom.model.content import slug_for
from pressroom.model.frontmatter import parse_header
from pressroom.repo.files import content_files, read_regular
from pressroom.repo.gitio import read_objects

CACHE_NAME = "slugs.txt"


def explicit_slug(head: bytes) -> str:
    """The ``Slug:`` field of a post's header ("" when it has none)."""
    found = parse_header(head[:4096].decode("utf-8", errors="replace")).fields.get("slug")
    return found.value if found else ""


def post_slugs(repo: Path, is_post: Callable[[str], bool],
               use_cache: bool = True) -> dict[str, str]:
    """repo-relative path -> slug for every post (as ``is_post`` decides) in the repository.

    ``use_cache=False`` (``check --no-cache``) reads every post's header again.
    """
    listed = _git_listing(repo)
    if listed is None:
        return _read_all(repo, is_post)
    posts = {rel: sha for rel, sha in listed.items() if is_post(rel)}
    cache_file = folder(repo) / CACHE_NAME
    cache = _load(cache_file) if use_cache else {}
    missing = sorted({sha for sha in posts.values() if sha not in cache})
    if missing:
        cache.update(_read_blobs(repo, missing))
        _save(cache_file, {sha: cache[sha] for sha in set(posts.values()) if sha in cache})
    return {rel: slug_for(rel, cache.get(sha, "")) for rel, sha in posts.items()}


def _git_listing(repo: Path) -> dict[str, str] | None:
    if not (repo / ".git").is_dir():
        return None
    try:
        out = subprocess.run(["git", "ls-files", "-s", "-z", "--", "content"], cwd=repo,
                             capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    listing = {}
    for record in out.split(b"\0"):
        if record:
            meta, _, path = record.partition(b"\t")
            listing[path.decode("utf-8", errors="replace")] = meta.split()[1].decode()
    return listing


def _read_blobs(repo: Path, shas: list[str]) -> dict[str, str]:
    """sha -> explicit slug, for many blobs through one ``git cat-file --batch``."""
    return {sha: explicit_slug(data) for sha, (_, data) in read_objects(repo, shas).items()}


def _read_all(repo: Path, is_post: Callable[[str], bool]) -> dict[str, str]:
    """Outside git: every post's slug, through the one content walker (links, pipes and
    other special files are never opened; ``check`` reports them)."""
    result = {}
    for rel in content_files(repo)[0]:
        if is_post(rel):
            try:
                data = read_regular(repo, rel)
            except OSError:
                continue
            result[rel] = slug_for(rel, explicit_slug(data[:4096]))
    return result


def _header() -> str:
    return f"pressroom-slugs {key(CACHE_NAME)}"


def _load(path: Path) -> dict[str, str]:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return {}
    if not lines or lines[0] != _header():
        return {}
    return dict(line.split("\t", 1) for line in lines[1:] if "\t" in line)


def _save(path: Path, entries: dict[str, str]) -> None:
    body = "\n".join(f"{sha}\t{slug}" for sha, slug in sorted(entries.items())
                     if "\n" not in slug)
    text = f"{_header()}\n{body}".encode()
    write_atomic(path, lambda handle: handle.write(text))  # read-only: just no cache


