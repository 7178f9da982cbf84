"""Reading a department repository: its roster and its posts, validated.

This is the one place that turns files into core values (``Roster``, ``Post``)
plus violations, so ``build`` (and later ``check`` and ``publish``) see the
same content the same way. Pages under ``content/pages`` and files under
``content/images`` are not posts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from pathlib import Path

from pressroom.model.content import Post, check_author, check_collection, not_utf8, parse_post
from pressroom.model.roster import ROSTER_PATH, Roster, parse_roster
from pressroom.model.violations import InputError, Violation
from pressroom.repo.files import MARKDOWN_SUFFIXES, NotRegularFile, content_files, read_regular
from pressroom.repo.gitio import GitError, git, read_objects

NOT_POSTS = ("pages", "images")


def is_post_path(rel: str) -> bool:
    """A Markdown file under content/, outside the folders that hold no posts (repo-relative)."""
    if not rel.lower().endswith(MARKDOWN_SUFFIXES) or not rel.startswith("content/"):
        return False
    top = rel[len("content/"):].split("/", 1)
    return len(top) == 1 or top[0] not in NOT_POSTS


@dataclass
class Sources:
    roster: Roster
    posts: list[Post] = field(default_factory=list)
    problems: list[Violation] = field(default_factory=list)


def post_files(repo: Path) -> tuple[list[str], list[Violation]]:
    """Every Markdown post under ``content/`` (repo-relative, stable order), and a problem
    for each link or special file found there (``pressroom.repo.files.walk``)."""
    files, problems = content_files(repo)
    return [rel for rel in files if is_post_path(rel)], problems


def require_content(repo: Path) -> None:
    """A one-line input error for a folder that is not a department repository."""
    if not (repo / "content").is_dir():
        raise InputError(f"{repo}: no content/ folder here; is this a pressroom repository?")


def load_roster(repo: Path) -> tuple[Roster, list[Violation]]:
    try:
        data = read_regular(repo, ROSTER_PATH)
    except NotRegularFile as exc:
        return Roster(), [exc.violation()]
    except FileNotFoundError:
        return Roster(), [Violation(ROSTER_PATH, 0, "ROSTER-MISSING",
                                    "the roster of authorized members (392.3) is missing")]
    except OSError as exc:
        return Roster(), [Violation(ROSTER_PATH, 0, "FILE-READ", exc.strerror or str(exc))]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:  # never names shown with replacement characters
        return Roster(), [not_utf8(ROSTER_PATH, data, exc, "save the roster as UTF-8")]
    return parse_roster(text, ROSTER_PATH)


def light_post(post: Post) -> Post:
    """What a build keeps of a post: no header, and a body only for a safety alert's CAP text."""
    return replace(post, header=None, body=post.body if post.category == "safety-alerts" else "")


# Pelican's intrasite link markers ({static}, {filename}, |attach| ...): the link resolves
# against the whole site's content, which only a full build has (found by the fuzzer).
INTRASITE_LINK = re.compile(rb"[{|](?:filename|static|attach|index|author|category|tag)[}|]")


@dataclass
class Validated:
    """What ``validate_posts`` found: the posts by path, the problems, and the posts that
    link within the site (a warm build cannot resolve those; ``INTRASITE_LINK``)."""

    posts: dict[str, Post] = field(default_factory=dict)
    problems: list[Violation] = field(default_factory=list)
    linking: list[str] = field(default_factory=list)


def validate_posts(repo: Path, rels: Iterable[str], tz: tzinfo, roster: Roster,
                   light: bool = True) -> Validated:
    """Read, parse and check the author of each post of ``rels``: the one validation loop
    that full builds (over every post) and warm builds (over the changed ones) share.

    ``light``: keep only what a build needs (``light_post``), so 10,000 posts do not sit in
    memory twice. Checks across posts (``check_collection``) are the caller's: a warm build
    runs them over the changed posts together with the kept ones.
    """
    found = Validated()
    for rel in rels:
        try:
            data = read_regular(repo, rel)
        except NotRegularFile as exc:
            found.problems.append(exc.violation())
            continue
        except OSError as exc:
            found.problems.append(Violation(rel, 0, "FILE-READ", exc.strerror or str(exc)))
            continue
        if INTRASITE_LINK.search(data):
            found.linking.append(rel)
        post, problems = parse_post(rel, data, tz)
        found.problems.extend(problems)
        if post is not None:
            if len(roster):
                found.problems.extend(check_author(post, roster))
            found.posts[rel] = light_post(post) if light else post
    return found


def load_sources(repo: Path, tz: tzinfo, light: bool = False) -> Sources:
    """Read and validate the roster and every post of the repository at ``repo``
    (``validate_posts`` over every post, then the checks across posts)."""
    require_content(repo)
    roster, problems = load_roster(repo)
    posts, links = post_files(repo)
    found = validate_posts(repo, posts, tz, roster, light)
    sources = Sources(roster=roster, posts=list(found.posts.values()),
                      problems=problems + links + found.problems)
    sources.problems.extend(check_collection(sources.posts))
    sources.problems.sort()
    return sources


def posts_at(repo: Path, rev: str, tz: tzinfo, wanted: re.Pattern[bytes] | None = None
             ) -> list[Post]:
    """The valid posts under ``content/`` in commit ``rev``, read from git objects — never the
    working folder, which may hold another branch or unsaved edits. Links and other entries
    that are not regular files are skipped, like files a post is not. ``wanted``: read only
    the posts whose bytes it matches (``pressroom new --incident`` wants its incident's).
    Raises ``InputError`` when ``rev`` cannot be read."""
    try:
        listing = git(repo, "ls-tree", "-r", "-z", "--full-tree", rev, "--", "content")
    except GitError as exc:
        raise InputError(f"cannot read {rev}: {exc}") from exc
    blobs = {}
    for record in listing.split(b"\0"):
        meta, _, raw = record.partition(b"\t")
        rel = raw.decode("utf-8", errors="surrogateescape")
        if meta.split()[:2] in ([b"100644", b"blob"], [b"100755", b"blob"]) and is_post_path(rel):
            blobs[rel] = meta.split()[2].decode()
    found = read_objects(repo, sorted(set(blobs.values())))
    posts = []
    for rel, sha in sorted(blobs.items()):
        data = found.get(sha, ("", b""))[1]
        if wanted is not None and not wanted.search(data):
            continue
        post, _ = parse_post(rel, data, tz)
        if post is not None:
            posts.append(post)
    return posts
