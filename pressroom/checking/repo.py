"""``pressroom check`` and the pre-commit hooks: every content rule over a repository's files.

``check_repo`` reads a repository (roster, rules, the files to check: one walk of
``content/``, never through a link), runs the engine (``pressroom.checking.engine``, pure)
over each post, on several cores for large sets, reuses earlier results from the check
cache (``pressroom.checking.results``), adds the checks across posts (duplicate slugs, page
addresses and translations: ``pressroom.rules.translations``) and returns a ``Report``.
Suppressions are applied, then severities from ``policy/rules.toml``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, tzinfo
from pathlib import Path
from urllib.parse import urlsplit

from pressroom import cache
from pressroom.checking import slug_index
from pressroom.checking.engine import Context, Report, apply_severity, check_image, check_post
from pressroom.checking.images import IMAGE_SUFFIXES
from pressroom.checking.pages import check_page_collection, is_page_path, page_slug
from pressroom.checking.results import CheckCache, FileResult
from pressroom.model.content import TRANSLATION_HINT, Post, check_collection, parse_text, slug_for
from pressroom.model.frontmatter import parse_header
from pressroom.model.violations import Violation
from pressroom.repo.department import load_department, read_settings_files
from pressroom.repo.files import (
    NotRegularFile,
    bad_name,
    content_files,
    is_regular,
    link_above,
    read_optional,
    read_regular,
    refusal,
)
from pressroom.repo.overrides import read_theme
from pressroom.repo.sources import MARKDOWN_SUFFIXES, is_post_path, load_roster, require_content
from pressroom.rules.alerts import alert_summaries
from pressroom.rules.authors import training_due
from pressroom.rules.config import RULES_PATH, load_config, with_contact
from pressroom.rules.translations import check_translations


@dataclass(frozen=True)
class RepoFiles:
    """Answers "is this file in the repository?" for IMAGE-MISSING (picklable for workers)."""

    root: str

    def __contains__(self, rel: object) -> bool:
        return isinstance(rel, str) and is_regular(Path(self.root), rel)


def site_timezone(repo: Path) -> tzinfo:
    """The department's time zone, from ``policy/site.toml`` (data: no settings code runs)."""
    return load_department(repo).tz


def repo_files(repo: Path, listed: tuple[list[str], list[Violation]] | None = None
               ) -> tuple[list[str], list[str], list[Violation]]:
    """(posts, images) under content/, as sorted repo-relative POSIX paths, and a problem
    for every link or special file there (never read: ``pressroom.repo.files``). ``listed``:
    ``content_files(repo)`` when the caller walked content/ already."""
    posts, images = [], []
    files, problems = listed if listed is not None else content_files(repo)
    problems = list(problems)
    for rel in files:
        if is_post_path(rel) or is_page_path(rel):
            posts.append(rel)
        elif rel.lower().endswith(IMAGE_SUFFIXES):
            images.append(rel)
        elif not _kept_empty(repo, rel):
            problems.append(Violation(rel, 0, "FILE-TYPE", "not a post, page or image: "
                                      "pressroom publishes Markdown posts (.md), pages under "
                                      "content/pages/ and images; move or delete this file"))
    return sorted(posts), sorted(images), problems


def _kept_empty(repo: Path, rel: str) -> bool:
    """An empty ``.gitkeep`` (or ``.keep``): how git keeps an empty folder."""
    return rel.endswith(("/.gitkeep", "/.keep")) and os.lstat(repo / rel).st_size == 0


def load_context(repo: Path, static_files: Container[str] | None
                 ) -> tuple[Context, list[Violation]]:
    """What the engine needs besides a file, read from the repository (roster, rules'
    settings, time zone, host), and every problem reading it."""
    roster, problems = load_roster(repo)
    rules = read_optional(repo, RULES_PATH)
    override = rules.decode("utf-8", errors="replace") if rules is not None else None
    config, config_problems = load_config(override)
    department, settings = read_settings_files(repo)
    contact = dict(department.contact)
    config = with_contact(config, [contact.get("non_emergency", ""), contact.get("emergency", "")],
                          contact.get("email", ""))
    host = urlsplit(department.url).hostname or ""
    return (Context(roster, config, department.tz, static_files, host, department.event_code,
                    department.languages),
            problems + config_problems + settings)


def check_repo(repo: Path, files: Sequence[str] | None = None, today: date | None = None,
               progress: Callable[[int, int], None] | None = None,
               use_cache: bool = True, with_alerts: bool = False) -> Report:
    """Check ``files`` (repo-relative; default: every post and image under content/).

    ``use_cache=False`` (``check --no-cache``, ``build --full``) reads no earlier result:
    every file is checked again (and the fresh results are kept for the next check).
    ``with_alerts`` fills ``report.alerts`` (what phones would get), for ``check`` to show:
    the build, publish and the hook do not pay for it.
    """
    require_content(repo)
    ctx, problems = load_context(repo, RepoFiles(str(repo)))
    listed = content_files(repo)  # one walk of content/ for the whole check
    if files is None:
        posts, images, links = repo_files(repo, listed)
    else:
        files, links = _regular_only(repo, files)
        posts = [f for f in files if f.endswith(MARKDOWN_SUFFIXES)]
        images = [f for f in files if f.lower().endswith(IMAGE_SUFFIXES)]
    problems += links
    report = Report(files=len(posts) + len(images))
    parsed: list[Post] = []
    for result in _check_posts(repo, posts, ctx, progress, use_cache, listed[0]):
        problems += result.violations
        report.suppressions += result.suppressions
        if result.post is not None:
            parsed.append(result.post)
    # shown with the area its CAP document names (an update's is its incident's)
    if with_alerts:
        report.alerts = alert_summaries(parsed, ctx.event_code, ctx.languages)
    if files is None:
        problems += check_collection(parsed, ctx.languages.default.code)
        problems += check_translations(parsed, ctx.languages)
    else:  # the named posts against the others: git's index, through the slug index
        named = [p for p in posts if not is_page_path(p)]
        identities = slug_index.post_identities(repo, is_post_path, use_cache)
        problems += _duplicate_slugs(repo, named, identities, ctx.languages.default.code)
        problems += check_translations(
            [*parsed, *_set_members(repo, parsed, named, identities, ctx.tz)], ctx.languages,
            only=set(named))
    problems += check_page_collection(_page_slugs(repo, posts, listed[0]))
    if files is None:  # the department's templates and static files, as files (never run)
        problems += read_theme(repo)[2]
    for rel in images:
        try:
            problems += check_image(rel, read_regular(repo, rel))
        except NotRegularFile as exc:
            problems.append(exc.violation())
        except OSError as exc:
            problems.append(Violation(rel, 0, "FILE-READ", exc.strerror or str(exc)))
    report.violations = sorted(apply_severity(problems, ctx.config))
    if today is not None:
        authors = {p.author for p in parsed} if files is not None else set(ctx.roster.members)
        report.training_due = [d for d in training_due(ctx.roster, ctx.config, today)
                               if d.member.id in authors]
    return report


PARALLEL_FROM = 400  # below this, starting worker processes costs more than it saves


def _check_chunk(repo: Path, rels: Sequence[str], ctx: Context) -> list[FileResult]:
    out: list[FileResult] = []
    for rel in rels:
        try:
            stat = os.lstat(repo / rel)  # before reading: a later edit changes it
            data = read_regular(repo, rel)
        except NotRegularFile as exc:
            out.append(FileResult(rel, "", [exc.violation()], [], None, (0, 0)))
            continue
        except OSError as exc:
            out.append(FileResult(rel, "", [Violation(rel, 0, "FILE-READ",
                                                      exc.strerror or str(exc))],
                                  [], None, (0, 0)))
            continue
        result = check_post(rel, data, ctx)
        post = result.post and replace(result.post, body="", header=None)  # light to send
        out.append(FileResult(rel, hashlib.sha256(data).hexdigest(), result.violations,
                              result.suppressions, post, cache.stat_key(stat)))
    return out


def _check_posts(repo: Path, posts: Sequence[str], ctx: Context,
                 progress: Callable[[int, int], None] | None,
                 use_cache: bool, listed: Sequence[str]) -> Iterator[FileResult]:
    """Check posts in chunks; on several cores for large sets (rules are pure, so this is safe).

    A post whose bytes, and everything else the rules read (rules, roster, time zone,
    the files beside the posts, pressroom itself), are as at an earlier check is not
    checked again: its result comes from the cache, so checking 10,000 posts after
    one changed takes a second.
    """
    results = CheckCache(repo, ctx, listed, use_cache)
    todo = []
    for rel in posts:
        cached = results.get(rel)
        if cached is not None:
            yield cached
        else:
            todo.append(rel)
    workers = min(os.cpu_count() or 1, 8)
    size = 500 if len(todo) >= PARALLEL_FROM and workers > 1 else max(1, len(todo))
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    done = len(posts) - len(todo)
    if len(chunks) > 1:
        from concurrent.futures import ProcessPoolExecutor  # only large checks need it

        with ProcessPoolExecutor(max_workers=workers) as pool:
            for checked in pool.map(_check_chunk, [repo] * len(chunks), chunks,
                                    [ctx] * len(chunks)):
                done += len(checked)
                if progress is not None:
                    progress(min(done, len(posts)) - 1, len(posts))
                results.add(checked)
                yield from checked
    elif chunks:
        checked = _check_chunk(repo, chunks[0], ctx)
        results.add(checked)
        yield from checked
    results.save()


def _page_slugs(repo: Path, checked: Sequence[str], listed: Sequence[str]
                ) -> list[tuple[str, str]]:
    """(path, address) of every page under content/pages (the checked ones and the rest)."""
    names = set(rel for rel in checked if is_page_path(rel))
    names.update(rel for rel in listed if is_page_path(rel))
    slugs = []
    for rel in sorted(names):
        try:
            text = read_regular(repo, rel).decode("utf-8", errors="replace")
        except OSError:
            continue
        slugs.append((rel, page_slug(rel, parse_header(text))))
    return slugs


def _regular_only(repo: Path, files: Sequence[str]) -> tuple[list[str], list[Violation]]:
    """The named files that are regular files; a problem naming each link or special file
    (a pre-commit hook or a user may name one: it is refused, never read)."""
    keep, problems = [], []
    for rel in files:
        try:
            mode = os.lstat(repo / rel).st_mode
        except OSError:
            keep.append(rel)  # reading it reports FILE-READ with the reason
            continue
        problem = refusal(rel, mode) or bad_name(rel, rel.rsplit("/", 1)[-1])
        if problem is None:
            problem = link_above(repo, rel)
        if problem is None:
            keep.append(rel)
        else:
            problems.append(problem.violation())
    return keep, problems


def _duplicate_slugs(repo: Path, checked: Sequence[str],
                     identities: dict[str, tuple[str, str]], default: str) -> list[Violation]:
    """Named posts against every other post (in git: the posts in the index). A slug in a
    language is the identity: a translation (``Lang: es``) shares its original's slug, two
    Spanish posts may not."""
    problems = []
    checked_set = set(checked)
    others: dict[tuple[str, str], str] = {}
    for rel, (slug, lang) in sorted(identities.items()):
        if rel not in checked_set:
            others.setdefault((slug, lang or default), rel)
    for rel in checked:
        try:
            with open(repo / rel, "rb") as handle:
                slug, lang = slug_index.explicit_identity(handle.read(4096))
        except OSError:
            continue
        identity = (slug_for(rel, slug), lang or default)
        if identity in others:
            where = f" in Lang {lang}" if lang and lang != default else ""
            problems.append(Violation(rel, 1, "FRONT-SLUG-DUPLICATE",
                                      f"slug {identity[0]!r} is already used by "
                                      f"{others[identity]}{where}; add a distinct 'Slug:'"
                                      f"{'' if where else TRANSLATION_HINT}"))
        others.setdefault(identity, rel)
    return problems


def _set_members(repo: Path, parsed: Sequence[Post], checked: Sequence[str],
                 identities: dict[str, tuple[str, str]], tz: tzinfo) -> list[Post]:
    """The other posts sharing a slug with a named post (its original or translations), read
    and parsed: what the translation rules compare a named post with. Only those few are
    read, so the hook stays fast in a large repository."""
    slugs = {post.slug for post in parsed}
    named = set(checked)
    members = []
    for rel, (slug, _) in sorted(identities.items()):
        if rel in named or slug not in slugs:
            continue
        try:
            text = read_regular(repo, rel).decode("utf-8", errors="replace")
        except OSError:
            continue  # deleted in the working folder: not part of what is committed
        post, _ = parse_text(rel, text, tz)
        if post is not None:
            members.append(post)
    return members
