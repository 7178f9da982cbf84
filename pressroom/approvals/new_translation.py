"""``pressroom new --translate PATH --lang es``: start a translation of a post on main.

A translation is its own post with ``Lang:`` and its original's ``Slug`` (issue #14). This
starts it as ``pressroom new`` starts a post: a branch from main holding the file
(``model.drafts.translation_text``: the original's facts copied, each text marked
``[TRANSLATE]``), for the same approval as its original (the approval rules read the
category and incident, which the translation shares). The original is read from git's
objects, never the working folder: main's, or — for an original not approved yet — the
current branch's, and the translation is then added to that branch.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path, PurePosixPath

from pressroom.approvals.workflow import (
    MAIN,
    NewPost,
    _git,
    _require_clean,
    post_author,
)
from pressroom.model.content import parse_post
from pressroom.model.drafts import translation_text
from pressroom.model.violations import InputError
from pressroom.repo.department import load_department
from pressroom.repo.gitio import GitError, git
from pressroom.repo.sources import is_post_path, posts_at


def original_path(repo: Path, given: str) -> str:
    """PATH as a repository path (``content/2026/gas-leak.md``): relative to the repository
    or to the current folder, or absolute inside the repository."""
    path = Path(given)
    if path.is_absolute() or (Path.cwd() / path).exists():
        try:
            return Path(path).absolute().relative_to(repo.absolute()).as_posix()
        except ValueError:
            pass
    rel = PurePosixPath(given.replace("\\", "/")).as_posix().removeprefix("./")
    if ".." in PurePosixPath(rel).parts or PurePosixPath(rel).is_absolute():
        raise InputError(f"{given}: give the original's path in the repository, e.g. "
                         f"content/2026/gas-leak.md")
    return rel


def new_translation(repo: Path, given: str, lang: str, author: str | None,
                    title: str | None = None, now: datetime | None = None) -> NewPost:
    """Create branch ``post/<slug>-<lang>`` from main with the translation of ``given``
    beside its original (``<name>-<lang>.md``). Refuses a language the department does not
    translate into, an original not on main (or itself a translation), and a translation
    that exists already."""
    department = load_department(repo)
    languages = department.languages
    codes = [language.code for language in languages.translations]
    if lang not in codes:
        configured = ", ".join(codes) or "none"
        raise InputError(f"--lang {lang!r} is not a language this site translates into "
                         f"([languages] translations in policy/site.toml: {configured})")
    rel = original_path(repo, given)
    if not is_post_path(rel):
        raise InputError(f"{given}: not a post under content/ (e.g. content/2026/gas-leak.md)")
    # An approved original (on main): the translation gets a branch of its own. An original
    # still on its branch (a new alert): the translation joins that branch, so one approval
    # publishes both languages together — a Spanish alert never waits a round behind.
    on_branch = ""
    try:
        data = git(repo, "cat-file", "blob", f"{MAIN}:{rel}")
    except GitError as not_on_main:
        try:
            data = git(repo, "cat-file", "blob", f"HEAD:{rel}")
        except GitError as exc:
            raise InputError(f"{rel} is neither on {MAIN} nor committed on this branch: "
                             f"commit the original first, then start its translation") from exc
        on_branch = _git(repo, "branch", "--show-current").strip()
        if not on_branch or on_branch == MAIN:
            raise InputError(f"{rel} is not on {MAIN}: switch to the original's "
                             f"branch") from not_on_main
    original, problems = parse_post(rel, data, department.tz)
    if original is None:
        raise InputError(f"{rel} on {on_branch or MAIN} cannot be read as a post: "
                         f"{problems[0]}")
    if original.lang and original.lang != languages.default.code:
        raise InputError(f"{rel} is itself a translation (Lang: {original.lang}); translate "
                         f"the original")
    author = post_author(repo, author)
    on_main = posts_at(repo, MAIN, department.tz, re.compile(rb"(?im)^lang:"))
    existing = [p.path for p in on_main if p.slug == original.slug and p.lang == lang]
    target = PurePosixPath(rel).with_name(f"{PurePosixPath(rel).stem}-{lang}.md").as_posix()
    if existing or (repo / target).exists():
        raise InputError(f"{rel} already has a {lang} translation: "
                         f"{existing[0] if existing else target}; edit that one")
    when = (now or datetime.now(department.tz)).astimezone(department.tz)
    if on_branch:
        branch = on_branch
    else:
        branch = f"post/{original.slug}-{lang}"
        if _git(repo, "branch", "--list", branch):
            raise InputError(f"branch {branch} already exists; switch to it with "
                             f"git switch {branch}")
        _require_clean(repo)
        _git(repo, "switch", "--quiet", "-c", branch, MAIN)
    path = repo / target
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(translation_text(original, lang, author, when, title), encoding="utf-8")
    return NewPost(branch, path)
