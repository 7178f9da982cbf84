"""The daily approval commands: start a post, set up signing, approve, install the server hook.

Each function does one job through git and returns what happened in words, or
raises ``InputError`` with one line saying what to do instead.
"""

from __future__ import annotations

import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pressroom.approvals.central import (
    fetch_for_approval,
    has_origin,
    ref_target,
    refusal,
    remote_ref,
    require_current_main,
)
from pressroom.approvals.signatures import allowed_signers, key_id
from pressroom.approvals.verification import verify_history
from pressroom.checking.repo import check_repo, site_timezone
from pressroom.checking.slug_index import post_slugs
from pressroom.model.categories import BY_SLUG, SLUGS
from pressroom.model.drafts import (
    draft_text,
    new_alert_fields,
    reopen_warning,
    slugify,
    update_fields,
)
from pressroom.model.roster import Member, Roster
from pressroom.model.translations import originals
from pressroom.model.violations import InputError
from pressroom.repo.department import load_department
from pressroom.repo.gitio import (
    GitError,
    git,
    git_text,
    pushed_for_review,
    require_real_objects,
    resolve_commit,
)
from pressroom.repo.sources import is_post_path, load_roster, posts_at

MAIN = "main"


def _git(repo: Path, *args: str) -> str:
    try:
        return git_text(repo, *args)
    except GitError as exc:
        raise InputError(f"git {args[0]}: {exc}") from exc


def _roster(repo: Path) -> Roster:
    roster, problems = load_roster(repo)
    if problems:
        raise InputError(str(problems[0]))
    return roster


def _require_clean(repo: Path) -> None:
    if _git(repo, "status", "--porcelain", "--untracked-files=no"):
        raise InputError("the working tree has uncommitted changes; commit or stash them first")


# --- pressroom new ----------------------------------------------------------------------------

@dataclass
class NewPost:
    branch: str
    path: Path
    warning: str = ""  # e.g. the update reopens an incident that ended with an all-clear


def new_post(repo: Path, title: str, category: str | None, author: str | None,
             slug: str | None, now: datetime | None = None,
             incident: str | None = None) -> NewPost:
    """Create branch ``post/<slug>`` from main with the post file (``model.drafts``).

    ``incident``: an update of that incident as main holds it (read from git objects, not
    the working folder): safety-alerts, the incident's fields carried forward from its
    latest post, the next ``Sequence``, slug ``<incident>-update-<sequence>`` by default.
    """
    if incident is not None:
        if category not in (None, "safety-alerts"):
            raise InputError(f"--incident makes a safety-alerts update, not {category!r}; "
                             f"leave out --category")
        category = "safety-alerts"
    if category not in BY_SLUG:
        raise InputError(f"category {category!r} is not one of: {', '.join(SLUGS)}")
    author = post_author(repo, author)
    tz = site_timezone(repo)
    now = (now or datetime.now(tz)).astimezone(tz)
    fields: dict[str, str] = {}
    warning = ""
    if incident is not None:
        on_main = originals(posts_at(repo, MAIN, tz, re.compile(rb"(?im)^incident:")),
                            load_department(repo).languages.default.code)
        fields = update_fields(on_main, incident)
        warning = reopen_warning(on_main, incident)
        slug = slug or f"{slugify(incident)}-update-{fields['sequence']}"
    elif category == "safety-alerts":
        fields = new_alert_fields(slug or slugify(title), now)
    slug = slug or slugify(title)
    branch = f"post/{slug}"
    path = repo / "content" / f"{now:%Y}" / f"{slug}.md"
    taken = {s: p for p, s in post_slugs(repo, is_post_path).items()}
    if path.exists() or slug in taken:
        where = taken.get(slug, path.relative_to(repo).as_posix())
        raise InputError(f"slug {slug!r} is already used by {where}; choose another --slug")
    if _git(repo, "branch", "--list", branch):
        raise InputError(f"branch {branch} already exists; switch to it with git switch {branch}")
    _require_clean(repo)
    _git(repo, "switch", "--quiet", "-c", branch, MAIN)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(draft_text(title, category, author, now, fields), encoding="utf-8")
    return NewPost(branch, path, warning)


def post_author(repo: Path, author: str | None) -> str:
    """The member a new post (or translation) is by: ``--author``, else the member whose
    email is git's ``user.email``; refused unless on the roster (392.3)."""
    roster = _roster(repo)
    if author is None:
        member = _git_user(repo, roster)
        if member is None:
            raise InputError("pass --author: git's user.email matches no member of "
                             "policy/roster.toml (run pressroom setup-signing first)")
        author = member.id
    if author not in roster:
        raise InputError(f"author {author!r} is not a member id in policy/roster.toml"
                         f"{roster.did_you_mean(author)}")
    return author


def _git_user(repo: Path, roster: Roster) -> Member | None:
    """The roster member whose email is git's user.email here (set by setup-signing)."""
    return roster.by_email(git(repo, "config", "user.email", check=False).decode())


# --- pressroom retract -----------------------------------------------------------------------

@dataclass
class Retraction:
    branch: str
    path: str


def retract(repo: Path, slug: str, reason: str, reported_by: str, mode: str,
            now: datetime | None = None) -> Retraction:
    """392.5: prepare a removal or withdrawal on branch ``retract/<slug>`` for approval."""
    if mode not in ("remove", "withdraw"):
        raise InputError(f"--mode {mode!r}: use remove or withdraw")
    if not reason.strip():
        raise InputError("--reason is required: say why, for the record (392.5, 392.6)")
    roster = _roster(repo)
    if reported_by not in roster:
        raise InputError(f"--reported-by {reported_by!r} is not a member id in the roster"
                         f"{roster.did_you_mean(reported_by)}")
    found = [p for p, s in post_slugs(repo, is_post_path).items() if s == slug]
    if not found:
        raise InputError(f"no post with slug {slug!r}")
    rel = found[0]
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    if re.search(r"(?im)^retraction:", text.split("\n\n", 1)[0]):
        raise InputError(f"{rel} is already retracted")
    branch = f"retract/{slug}"
    if _git(repo, "branch", "--list", branch):
        raise InputError(f"branch {branch} already exists")
    _require_clean(repo)
    _git(repo, "switch", "--quiet", "-c", branch, MAIN)
    tz = site_timezone(repo)
    when = (now or datetime.now(tz)).astimezone(tz)
    head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    note = " ".join(reason.split())
    head += (f"\nRetraction: {mode}\nRetracted: {when:%Y-%m-%d %H:%M}\n"
             f"Retraction-Reason: {note}\nReported-By: {reported_by}")
    path.write_text(f"{head}\n\n{body}", encoding="utf-8")
    _git(repo, "add", rel)
    _git(repo, "commit", "--quiet", "-m", f"{mode.capitalize()} {slug}: {note}")
    return Retraction(branch, rel)


# --- pressroom setup-signing ------------------------------------------------------------------

def public_key_of(key_path: Path) -> str:
    """The OpenSSH public key for a private key file (or a .pub file)."""
    candidates = [key_path] if key_path.suffix == ".pub" else [key_path.with_name(
        key_path.name + ".pub")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8").strip()
    try:
        result = subprocess.run(["ssh-keygen", "-y", "-f", str(key_path)], capture_output=True,
                                text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise InputError(f"{key_path}: cannot read an SSH key from it") from exc
    return result.stdout.strip()


def setup_signing(repo: Path, member_id: str, key_path: Path) -> Member:
    """Configure this clone to SSH-sign every commit as ``member_id`` with ``key_path``."""
    roster = _roster(repo)
    member = roster.get(member_id)
    if member is None:
        raise InputError(f"{member_id!r} is not a member id in policy/roster.toml"
                         f"{roster.did_you_mean(member_id)}")
    if not key_path.exists():
        raise InputError(f"{key_path}: no such key file")
    public = public_key_of(key_path)
    if not member.signing_key:
        raise InputError(f"{member_id} has no signing_key in policy/roster.toml; ask the Chief "
                         f"to add: signing_key = \"{key_id(public)}\"")
    if key_id(member.signing_key) != key_id(public):
        raise InputError(f"{key_path} is not the key on the roster for {member_id}")
    git_dir = Path(_git(repo, "rev-parse", "--absolute-git-dir"))
    signers = git_dir / "pressroom-allowed-signers"
    signers.write_text(allowed_signers(roster), encoding="utf-8")
    for key, value in (("user.name", member.name), ("user.email", member.email or member.id),
                       ("gpg.format", "ssh"), ("user.signingkey", str(key_path.resolve())),
                       ("commit.gpgsign", "true"), ("tag.gpgsign", "true"),
                       ("gpg.ssh.allowedSignersFile", str(signers))):
        _git(repo, "config", "--local", key, value)
    return member


# --- pressroom approve ------------------------------------------------------------------------

@dataclass
class Approval:
    merge: str
    member: Member | None
    previous: str
    switched_from: str = ""  # the branch the clone was on before approve switched to main


def approve(repo: Path, branch: str, *, offline: bool = False) -> Approval:
    """Signed ``git merge --no-ff`` of ``branch`` into main, kept only if it verifies.

    First ``git fetch origin`` (unless ``offline``; a clone without ``origin`` has nothing
    to fetch), refusing when the fetch moved the branch under review or when main lacks
    commits of the central main (``approvals.central``): a merge on a stale main is refused
    at the push. The branch is resolved to one commit first (a tag or remote ref of the same
    name is refused as ambiguous, never silently merged instead), and the content rules
    read only regular files of the merge: never through a symbolic link. A refusal undoes
    the merge and names the branch's tip, never the merge that no longer exists.
    """
    _require_clean(repo)
    try:
        require_real_objects(repo)
        if not offline and has_origin(repo):
            before = remote_ref(repo, branch)
            fetch_for_approval(repo, branch, ref_target(repo, before) if before else None)
        if not _git(repo, "branch", "--list", branch) and \
                not _git(repo, "branch", "-r", "--list", branch):
            pushed = pushed_for_review(repo, branch)
            hint = (f"; did you mean {pushed} (the branch pushed for review)? "
                    f"pressroom approve {pushed}" if pushed else
                    "; git fetch, then git branch -r lists the branches pushed for review")
            raise InputError(f"no branch {branch!r}{hint}")
        tip = resolve_commit(repo, branch)
    except GitError as exc:
        raise InputError(str(exc)) from exc
    was_on = git_text(repo, "branch", "--show-current")
    _git(repo, "switch", "--quiet", MAIN)
    previous = _git(repo, "rev-parse", "HEAD")
    _require_mergeable(repo, branch, tip)
    try:
        git(repo, "merge", "--no-ff", "-S", "--no-edit", "-m", f"Approve {branch}", tip)
    except GitError as exc:
        git(repo, "merge", "--abort", check=False)
        raise InputError(f"cannot merge {branch}: {exc}") from exc
    merge = _git(repo, "rev-parse", "HEAD")
    unverified = []
    try:
        problems = list(verify_history(repo, merge, previous, use_cache=False).problems)
    except GitError as exc:
        problems, unverified = [], [f"cannot verify the merge of {branch}: {exc}"]
    posts = _regular_content_files(repo, previous, merge)
    # Always: the settings and policy files are checked even when no post changed (a bad
    # pelicanconf.py or policy/site.toml on main would stop every later publish).
    problems += check_repo(repo, posts).errors
    if problems or unverified:
        _git(repo, "reset", "--quiet", "--hard", previous)
        said = refusal(problems, merge, branch, tip, unverified)
        raise ApprovalRefused(said.lines, said.next_step,
                              was_on if was_on != MAIN else "")
    return Approval(merge, _git_user(repo, _roster(repo)), previous,
                    was_on if was_on != MAIN else "")


def _require_mergeable(repo: Path, branch: str, tip: str) -> None:
    """Refuse, before any merge, what would approve the wrong thing or be refused later:
    a branch already on main (there is nothing to approve; the last merge on main is
    someone else's), and a main behind the central main (the push would be refused)."""
    try:
        git(repo, "merge-base", "--is-ancestor", tip, "HEAD")  # exit 1: not on main
        raise InputError(f"{branch} ({tip[:7]}) is already on {MAIN}: nothing to approve")
    except GitError:
        pass
    try:
        require_current_main(repo)
    except GitError as exc:
        raise InputError(f"cannot compare {MAIN} with the central main: {exc}") from exc


REGULAR_MODES = ("100644", "100755")


def _regular_content_files(repo: Path, before: str, after: str) -> list[str]:
    """Files under content/ that ``after`` adds or changes and that are regular files.

    Symbolic links and submodules are left out (verification refuses them by name),
    so the content rules never open a file a link points to.
    """
    out = git(repo, "diff-tree", "-r", "-z", "--no-renames", before, after).split(b"\0")
    found = []
    for meta, raw in zip(out[0::2], out[1::2], strict=False):
        fields = meta.decode(errors="replace").lstrip(":").split()
        path = raw.decode(errors="surrogateescape")
        if len(fields) == 5 and fields[1] in REGULAR_MODES and path.startswith("content/"):
            found.append(path)
    return found


class ApprovalRefused(InputError):
    """An approval that was undone: one line per problem, and what to do next."""

    def __init__(self, problems: list[str], next_step: str = "",
                 switched_from: str = "") -> None:
        super().__init__(problems[0])
        self.problems = problems
        self.next_step = next_step
        self.switched_from = switched_from  # approve left that branch for main


# --- pressroom install-hooks ------------------------------------------------------------------

HOOK = """\
#!/bin/sh
# Installed by `pressroom install-hooks`: refuses unapproved history on main (Policy 392.3)
# and every ref that is not a branch or a tag (refs/replace/* ...). Other branches are free.
exec "{python}" -m pressroom.approvals.server_hook
"""


# Server settings install-hooks makes: check every pushed object is well-formed (a tree with
# a name given twice, or a path with ".." or ".git", is refused before the hook reads it).
SERVER_CONFIG = (("receive.fsckObjects", "true"),)


def install_hooks(bare: Path, force: bool = False) -> Path:
    """Install the pre-receive hook on the department's bare repository.

    Refused when the repository already substitutes objects or holds refs the hook
    would refuse (e.g. ``refs/replace/*``): those must be removed first, or what the
    hook verifies would not be what everyone else reads.
    """
    if not bare.is_dir():
        raise InputError(f"{bare}: no such folder")
    if _git(bare, "rev-parse", "--is-bare-repository") != "true":
        raise InputError(f"{bare}: not a bare repository (the server's copy, e.g. pd-site.git)")
    from pressroom.approvals.server_hook import ref_problem

    try:
        require_real_objects(bare)
    except GitError as exc:
        raise InputError(str(exc)) from exc
    bad = [ref for ref in _git(bare, "for-each-ref", "--format=%(refname)").split()
           if ref_problem(ref)]
    if bad:
        raise InputError(f"{bare} holds {bad[0]}, which the hook refuses ({ref_problem(bad[0])}"
                         f"); remove it first: git -C {bare} update-ref -d {bad[0]}")
    hook = Path(_git(bare, "rev-parse", "--absolute-git-dir")) / "hooks" / "pre-receive"
    if hook.exists() and "pressroom" not in hook.read_text(errors="replace") and not force:
        raise InputError(f"{hook} exists and is not pressroom's; pass --force to replace it")
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(HOOK.format(python=sys.executable), encoding="utf-8")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    for key, value in SERVER_CONFIG:
        _git(bare, "config", key, value)
    return hook


