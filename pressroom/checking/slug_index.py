"""Every post's slug and language, fast enough for a pre-commit hook in a 10,000-post repository.

A slug in a language is a post's public identity (a translation shares its original's slug
under another ``Lang``), so a new post must not reuse one, and knowing
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
    return explicit_identity(head)[0]


def explicit_identity(head: bytes) -> tuple[str, str]:
    """The ``Slug:`` and ``Lang:`` fields of a post's header ("" for each it lacks)."""
    fields = parse_header(head[:4096].decode("utf-8", errors="replace")).fields
    slug, lang = fields.get("slug"), fields.get("lang")
    return (slug.value if slug else "", lang.value if lang else "")


def post_slugs(repo: Path, is_post: Callable[[str], bool],
               use_cache: bool = True) -> dict[str, str]:
    """repo-relative path -> slug for every post (as ``is_post`` decides) in the repository.

    ``use_cache=False`` (``check --no-cache``) reads every post's header again.
    """
    return {rel: slug for rel, (slug, _) in post_identities(repo, is_post, use_cache).items()}


def post_identities(repo: Path, is_post: Callable[[str], bool],
                    use_cache: bool = True) -> dict[str, tuple[str, str]]:
    """repo-relative path -> (slug, ``Lang`` as written) for every post in the repository."""
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
    return {rel: (slug_for(rel, cache.get(sha, ("", ""))[0]), cache.get(sha, ("", ""))[1])
            for rel, sha in posts.items()}


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


def _read_blobs(repo: Path, shas: list[str]) -> dict[str, tuple[str, str]]:
    """sha -> explicit (slug, lang), for many blobs through one ``git cat-file --batch``."""
    return {sha: explicit_identity(data) for sha, (_, data) in read_objects(repo, shas).items()}


def _read_all(repo: Path, is_post: Callable[[str], bool]) -> dict[str, tuple[str, str]]:
    """Outside git: every post's slug, through the one content walker (links, pipes and
    other special files are never opened; ``check`` reports them)."""
    result = {}
    for rel in content_files(repo)[0]:
        if is_post(rel):
            try:
                data = read_regular(repo, rel)
            except OSError:
                continue
            slug, lang = explicit_identity(data[:4096])
            result[rel] = (slug_for(rel, slug), lang)
    return result


def _header() -> str:
    return f"pressroom-slugs {key(CACHE_NAME)}"


def _load(path: Path) -> dict[str, tuple[str, str]]:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return {}
    if not lines or lines[0] != _header():
        return {}
    entries = {}
    for line in lines[1:]:
        parts = line.split("\t")
        if len(parts) in (2, 3):  # sha, slug and (when the post has one) its Lang
            entries[parts[0]] = (parts[1], parts[2] if len(parts) == 3 else "")
    return entries


def _save(path: Path, entries: dict[str, tuple[str, str]]) -> None:
    body = "\n".join(f"{sha}\t{slug}\t{lang}" for sha, (slug, lang) in sorted(entries.items())
                     if not any(c in slug + lang for c in "\t\n"))
    text = f"{_header()}\n{body}".encode()
    write_atomic(path, lambda handle: handle.write(text))  # read-only: just no cache


