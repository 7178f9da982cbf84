"""``pressroom check`` and the pre-commit hooks: every content rule over posts and images.

``check_post`` and ``check_image`` are pure (bytes in, violations out);
``check_repo`` reads a repository (roster, rules, the files to check) and
returns a ``Report``. Suppressions are applied, then severities from
``policy/rules.toml`` ("off" drops a rule, "warning" reports it without failing).
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, tzinfo
from pathlib import Path
from urllib.parse import urlsplit

from pressroom import cache, slug_index
from pressroom.content import (
    Post,
    check_author,
    check_collection,
    decode,
    parse_text,
    slug_for,
)
from pressroom.department import load_department, read_settings_files
from pressroom.files import (
    NotRegularFile,
    bad_name,
    content_files,
    is_regular,
    link_above,
    read_optional,
    read_regular,
    refusal,
)
from pressroom.frontmatter import parse_header
from pressroom.images import IMAGE_SUFFIXES, ImageError, find_metadata
from pressroom.pages import check_page_collection, check_page_header, is_page_path, page_slug
from pressroom.roster import Roster
from pressroom.rules.authors import TrainingDue, check_training, training_due
from pressroom.rules.characters import check_invisible, control_problems, header_lines
from pressroom.rules.config import RULES_PATH, RuleConfig, load_config
from pressroom.rules.document import make_document
from pressroom.rules.front_matter import check_summary
from pressroom.rules.html import check_html
from pressroom.rules.images import check_images
from pressroom.rules.language import check_language
from pressroom.rules.operations import check_operations
from pressroom.rules.personal import check_personal
from pressroom.rules.privacy import check_privacy
from pressroom.rules.suppressions import Suppression, apply_suppressions, find_suppressions
from pressroom.sources import MARKDOWN_SUFFIXES, is_post_path, load_roster, require_content
from pressroom.violations import Violation


@dataclass(frozen=True)
class RepoFiles:
    """Answers "is this file in the repository?" for IMAGE-MISSING (picklable for workers)."""

    root: str

    def __contains__(self, rel: object) -> bool:
        return isinstance(rel, str) and is_regular(Path(self.root), rel)


@dataclass(frozen=True)
class Context:
    """What the rules need besides the file itself."""

    roster: Roster
    config: RuleConfig
    tz: tzinfo
    static_files: Collection[str] | RepoFiles | None = None
    site_host: str = ""  # the public host: images there are the site's own (HTML-URL)


@dataclass
class Report:
    files: int = 0
    violations: list[Violation] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    training_due: list[TrainingDue] = field(default_factory=list)

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "error"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class PostCheck:
    post: Post | None  # None when the front matter is unusable
    violations: list[Violation]
    suppressions: list[Suppression]  # the ones that allowed something


def check_post(path: str, data: bytes, ctx: Context) -> PostCheck:
    """Every text rule over one post (or page: ``pressroom.pages``)."""
    text, problems = decode(path, data)
    if text is None:
        return PostCheck(None, problems, [])
    post = None
    if is_page_path(path):
        header = parse_header(text)
        problems = control_problems(path, text, header_lines(
            ((f.name, f.line) for f in [*header.fields.values(), *header.duplicates]),
            header.body_line))
        problems += check_page_header(path, header)
        doc = make_document(path, text, header)
    else:
        post, problems = parse_text(path, text, ctx.tz)
        if not text.strip():
            return PostCheck(None, problems, [])
        doc = make_document(path, text, post.header if post is not None else None)
        problems += check_summary(doc, ctx.config)
    if post is not None:
        problems += check_author(post, ctx.roster)
        problems += check_training(post, ctx.roster, ctx.config)
    problems += check_invisible(path, text)
    problems += check_language(doc, ctx.config)
    problems += check_privacy(doc, ctx.config)
    problems += check_operations(doc)
    problems += check_personal(doc)
    problems += check_html(doc, site_host=ctx.site_host)
    problems += check_images(doc, ctx.static_files)
    suppressions, bad = find_suppressions(path, text)
    kept, used, idle = apply_suppressions(_one_per_line(problems), suppressions)
    return PostCheck(post, kept + bad + idle, used)


def _one_per_line(problems: list[Violation]) -> list[Violation]:
    """Two matches of one rule on one line are one problem to fix: keep the first."""
    seen: set[tuple[int, str]] = set()
    kept = []
    for problem in problems:
        key = (problem.line, problem.rule_id)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


def check_image(path: str, data: bytes) -> list[Violation]:
    try:
        found = find_metadata(data)
    except ImageError as exc:
        return [Violation(path, 0, "IMAGE-FORMAT", str(exc))]
    if not found:
        return []
    return [Violation(path, 0, "IMAGE-METADATA",
                      f"carries {', '.join(found)}; the pressroom-images pre-commit hook "
                      f"strips it (pre-commit run pressroom-images --files {path})")]


def apply_severity(violations: Sequence[Violation], config: RuleConfig) -> list[Violation]:
    out = []
    for violation in violations:
        level = config.severity_of(violation.rule_id)
        if level == "off":
            continue
        out.append(replace(violation, severity=level) if level != violation.severity
                   else violation)
    return out


# --- reading a repository ------------------------------------------------------------------

def site_timezone(repo: Path) -> tzinfo:
    """The department's time zone, from ``policy/site.toml`` (data: no settings code runs)."""
    return load_department(repo).tz


def repo_files(repo: Path, listed: tuple[list[str], list[Violation]] | None = None
               ) -> tuple[list[str], list[str], list[Violation]]:
    """(posts, images) under content/, as sorted repo-relative POSIX paths, and a problem
    for every link or special file there (never read: ``pressroom.files``). ``listed``:
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


def load_context(repo: Path, static_files: Collection[str] | RepoFiles | None
                 ) -> tuple[Context, list[Violation]]:
    roster, problems = load_roster(repo)
    rules = read_optional(repo, RULES_PATH)
    override = rules.decode("utf-8", errors="replace") if rules is not None else None
    config, config_problems = load_config(override)
    department, settings = read_settings_files(repo)
    host = urlsplit(department.url).hostname or ""
    return (Context(roster, config, department.tz, static_files, host),
            problems + config_problems + settings)


def check_repo(repo: Path, files: Sequence[str] | None = None, today: date | None = None,
               progress: Callable[[int, int], None] | None = None,
               use_cache: bool = True) -> Report:
    """Check ``files`` (repo-relative; default: every post and image under content/).

    ``use_cache=False`` (``check --no-cache``, ``build --full``) reads no earlier result:
    every file is checked again (and the fresh results are kept for the next check).
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
    for _rel, _sha, found, suppressions, post, _stat in _check_posts(repo, posts, ctx,
                                                                     progress, use_cache,
                                                                     listed[0]):
        problems += found
        report.suppressions += suppressions
        if post is not None:
            parsed.append(post)
    problems += (check_collection(parsed) if files is None
                 else _duplicate_slugs(repo, [p for p in posts if not is_page_path(p)],
                                       use_cache))
    problems += check_page_collection(_page_slugs(repo, posts, listed[0]))
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


# One post's outcome: (path, sha256 of its bytes, violations, suppressions, light post,
# the file's stat key (pressroom.cache.stat_key) when it was read).
FileResult = tuple[str, str, list[Violation], list[Suppression], Post | None, tuple[int, ...]]
PARALLEL_FROM = 400  # below this, starting worker processes costs more than it saves
CHECK_CACHE = "check-results.pickle"


def _check_chunk(repo: Path, rels: Sequence[str], ctx: Context) -> list[FileResult]:
    out: list[FileResult] = []
    for rel in rels:
        try:
            stat = os.lstat(repo / rel)  # before reading: a later edit changes it
            data = read_regular(repo, rel)
        except NotRegularFile as exc:
            out.append((rel, "", [exc.violation()], [], None, (0, 0)))
            continue
        except OSError as exc:
            out.append((rel, "", [Violation(rel, 0, "FILE-READ", exc.strerror or str(exc))],
                        [], None, (0, 0)))
            continue
        result = check_post(rel, data, ctx)
        post = result.post and replace(result.post, body="", header=None)  # light to send
        out.append((rel, hashlib.sha256(data).hexdigest(), result.violations,
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
    results = _CheckCache(repo, ctx, listed, use_cache)
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


class _CheckCache:
    """Earlier results by path, valid while the file's bytes (``pressroom.cache.stamp``)
    and everything else the rules read are the same: pressroom's code, the rules'
    settings, the roster, the time zone, the site's host and the files beside the posts.
    With ``trust=False`` nothing is read; the results of this check are still kept."""

    def __init__(self, repo: Path, ctx: Context, listed: Sequence[str],
                 trust: bool = True) -> None:
        self.repo = repo
        self.path = cache.folder(repo) / CHECK_CACHE
        others = sorted(rel for rel in listed if not is_post_path(rel))
        self.key = cache.key(CHECK_CACHE, cache.stable_repr(ctx.config),
                             cache.stable_repr(ctx.roster), str(ctx.tz), ctx.site_host, *others)
        self.entries: dict[str, FileResult] = {}
        self.fresh: list[FileResult] = []
        if not trust:
            return
        collecting = gc.isenabled()
        gc.disable()  # 10,000 small results: the cycle collector would triple the load time
        try:
            stored = cache.load_pickle(self.path)
        finally:
            if collecting:
                gc.enable()
        if isinstance(stored, dict) and stored.get("key") == self.key \
                and isinstance(stored.get("entries"), dict):
            self.entries = stored["entries"]

    def get(self, rel: str) -> FileResult | None:
        """The stored result when the file is as it was (its stamp, else its bytes, say so)."""
        entry = self.entries.get(rel)
        if entry is None:
            return None
        before = cache.Stamp(entry[5], entry[1])
        try:
            now = cache.stamp(os.lstat(self.repo / rel), lambda: read_regular(self.repo, rel),
                              before)
        except OSError:
            return None  # checked again: that reports why it cannot be read
        if now.sha256 != entry[1]:
            return None
        if now.stat != entry[5]:
            entry = (*entry[:5], now.stat)  # touched, not changed
            self.fresh.append(entry)
        return entry

    def add(self, results: list[FileResult]) -> None:
        self.fresh += [r for r in results if r[1]]

    def save(self) -> None:
        if not self.fresh:
            return
        for result in self.fresh:
            self.entries[result[0]] = result
        cache.dump_pickle(self.path, {"key": self.key, "entries": self.entries})


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
                     use_cache: bool = True) -> list[Violation]:
    """Named posts against every other post (in git: the posts in the index)."""
    problems = []
    checked_set = set(checked)
    others: dict[str, str] = {}
    for rel, slug in sorted(slug_index.post_slugs(repo, is_post_path, use_cache).items()):
        if rel not in checked_set:
            others.setdefault(slug, rel)
    for rel in checked:
        try:
            with open(repo / rel, "rb") as handle:
                slug = slug_for(rel, slug_index.explicit_slug(handle.read(4096)))
        except OSError:
            continue
        if slug in others:
            problems.append(Violation(rel, 1, "FRONT-SLUG-DUPLICATE",
                                      f"slug {slug!r} is already used by {others[slug]}; "
                                      f"add a distinct 'Slug:'"))
        others.setdefault(slug, rel)
    return problems
