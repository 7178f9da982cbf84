"""What git says about a branch under review: the merged tree, its commits and signers,
and whether the approval rules would accept a merge by the person previewing.

Everything is read from git objects (``pressroom.repo.gitio``), never the working folder,
and nothing is run from the branch. The approval verdict is not a second copy of the
rules: a merge commit that does not exist yet (BASE and REV as parents, the merged tree,
"signed" by the previewer's key) is put through ``pressroom.approvals.rules.evaluate``,
the function ``pressroom verify`` and the server hook apply to every real merge.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pressroom.approvals.merges import Verifier
from pressroom.approvals.rules import evaluate
from pressroom.approvals.signatures import SignatureCheck, check_signature, key_id
from pressroom.approvals.workflow import public_key_of
from pressroom.model.roster import Member, Roster
from pressroom.model.violations import InputError
from pressroom.model.wording import plural
from pressroom.preview.review import CommitInfo
from pressroom.repo.gitio import (
    Commit,
    GitError,
    git,
    git_command,
    git_env,
    git_text,
    is_ancestor,
    resolve_commit,
)
from pressroom.repo.overrides import APPROVED_BRANCH, PLUGINS

PREVIEW_SHA = "0" * 40  # the merge that is not made: a name no real object has


class PreviewRefused(Exception):
    """The branch cannot be previewed (a conflict, an unknown name, an unusable tree):
    one line saying why; ``pressroom preview`` exits 1 with it."""


def resolve(repo: Path, name: str) -> str:
    """The commit ``name`` names (one line naming it when it names none, or two)."""
    try:
        return resolve_commit(repo, name)
    except GitError as exc:
        raise InputError(str(exc)) from exc


def merged_tree(repo: Path, base: str, rev: str) -> str:
    """The tree the public would see after merging ``rev`` into ``base`` (git merge-tree).

    A conflict is refused naming the conflicting files: there is no one merged site to show.
    """
    result = subprocess.run(git_command("merge-tree", "--write-tree", "--name-only",
                                        "--no-messages", base, rev),
                            cwd=repo, capture_output=True, env=git_env(repo))
    lines = result.stdout.decode(errors="replace").split("\n")
    if result.returncode == 1:
        files = sorted({line for line in lines[1:] if line.strip()})
        raise PreviewRefused(f"merging {rev[:7]} into {base[:7]} conflicts in "
                             f"{', '.join(files) or 'some files'}: the branch's author must "
                             f"merge main into it (or rebase) first")
    if result.returncode != 0 or not lines[0].strip():
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise PreviewRefused(f"cannot merge {rev[:7]} into {base[:7]}: "
                             f"{message[0] if message else 'git merge-tree failed'}")
    return lines[0].strip()


def subtree(repo: Path, tree: str, path: str) -> str:
    """The object id of ``path`` in ``tree`` ("" when absent)."""
    out = git(repo, "ls-tree", "--full-tree", tree, "--", path, check=False).decode()
    fields = out.split()
    return fields[2] if len(fields) >= 3 else ""


def plugins_as_main(repo: Path, tree: str, base: str) -> bool:
    """Whether ``tree``'s ``plugins/`` is byte for byte main's (BASE's when there is no main).

    Only then may the department's plugins run in a preview build: running them is
    running the department's code, and only main's was approved.
    """
    try:
        reference = git_text(repo, "rev-parse", "--verify", "--quiet",
                             f"{APPROVED_BRANCH}^{{tree}}")
    except GitError:
        reference = git_text(repo, "rev-parse", f"{base}^{{tree}}")
    return subtree(repo, tree, PLUGINS) == subtree(repo, reference, PLUGINS)


def _text(repo: Path, *args: str) -> str:
    return git(repo, *args, check=False).decode(errors="replace").strip()


def approve_blockers(repo: Path, base_name: str, base: str, rev: str) -> list[str]:
    """Why ``pressroom approve`` would refuse before any rule is read (as
    ``approvals.workflow._require_mergeable`` does), or would approve something else than
    this sheet shows: a REV already on BASE, a BASE that is not main (approve merges into
    main only), a main behind the central main (the sheet compares with a stale main and
    the push would be refused)."""
    problems = []
    main_name = APPROVED_BRANCH.removeprefix("refs/heads/")
    main = _text(repo, "rev-parse", "--verify", "--quiet", f"{APPROVED_BRANCH}^{{commit}}")
    if main != base:
        problems.append(f"pressroom approve merges into {main_name} ({main[:7] or 'absent'}),"
                        f" not {base_name} ({base[:7]}): preview with --base {main_name} to "
                        f"see what approving does")
    if is_ancestor(repo, rev, base):
        problems.append(f"{rev[:7]} is already on {base_name}: nothing to approve")
    upstream = _text(repo, "rev-parse", "--abbrev-ref", "--symbolic-full-name",
                     f"{main_name}@{{upstream}}")
    if main and upstream:
        behind = _text(repo, "rev-list", "--count", f"{main}..{upstream}")
        if behind not in ("", "0"):
            count = plural(int(behind), "commit")
            problems.append(f"{main_name} is {count} behind {upstream}: run "
                            f"`git fetch`, `git switch {main_name} && git pull --ff-only`, "
                            f"then preview again")
    return problems


@dataclass
class History:
    """The commits of BASE..REV with their signers, and the approval verdict."""

    commits: list[CommitInfo]
    reviewer: Member | None
    problems: list[str]  # why the previewer may not approve ([] when they may)


def reviewer_public_key(repo: Path, given: str | None) -> str:
    """The previewer's public key: ``given`` (a key or a key file; ``InputError`` when it
    cannot be read), else git's ``user.signingkey`` ("key::ssh-ed25519 ..." or a path),
    "" when there is none."""
    value = given
    if value is None:
        value = git(repo, "config", "user.signingkey", check=False).decode().strip()
    if not value:
        return ""
    value = value.removeprefix("key::")
    if value.startswith(("ssh-", "ecdsa-", "sk-")):
        return key_id(value)
    try:
        return key_id(public_key_of(Path(value).expanduser()))
    except InputError:
        if given is not None:  # a key named on the command line must be readable
            raise
        return ""  # git's setting names a key that is gone: nobody on the roster


def _member_for(roster: Roster, key: str) -> Member | None:
    return next((m for m in roster.members.values()
                 if key and m.signing_key and key_id(m.signing_key) == key), None)


def history(repo: Path, base: str, rev: str, tree: str, now: datetime,
            reviewer_key: str | None) -> History:
    """Each commit of BASE..REV, signer from the signature (BASE's roster), and what the
    approval rules say of a merge of REV into BASE signed by the previewer."""
    verifier = Verifier(repo)
    try:
        roster, signers = verifier.roster_at(base)
        shas = git_text(repo, "rev-list", "--reverse", "--topo-order", f"{base}..{rev}").split()
        log = git(repo, "log", "--no-walk=unsorted", "--format=%H%x00%an <%ae>%x00%s%x00",
                  *shas).decode(errors="replace") if shas else ""
        described = {}
        for record in log.split("\0\n"):
            parts = record.split("\0")
            if len(parts) >= 3:
                described[parts[0].strip()] = (parts[1], parts[2])
        checks: dict[str, SignatureCheck] = {}
        infos = []
        for sha in shas:
            commit = verifier.reader.commit(sha)
            check = check_signature(commit.signature, commit.payload, roster, signers)
            checks[sha] = check
            author, subject = described.get(sha, ("", commit.message.split("\n", 1)[0]))
            infos.append(_info(commit, check, author, subject))
        member = _member_for(roster, reviewer_public_key(repo, reviewer_key))
        problems = _approval(verifier, base, rev, tree, now, member, checks)
    finally:
        verifier.close()
    return History(infos, member, problems)


def _info(commit: Commit, check: SignatureCheck, author: str, subject: str) -> CommitInfo:
    if check.member is None:
        state = {"signed by a key that is not on the roster": "unknown key"}.get(
            check.problem, check.problem)
        return CommitInfo(commit.sha, subject, author, state)
    m = check.member
    return CommitInfo(commit.sha, subject, author, "good", m.id, m.name, m.roles,
                      m.trained.isoformat() if m.trained else "")


def _approval(verifier: Verifier, base: str, rev: str, tree: str, now: datetime,
              member: Member | None, checks: dict[str, SignatureCheck]) -> list[str]:
    """The approval rules over the merge the previewer would sign (it is never made)."""
    merge = Commit(PREVIEW_SHA, tree, (base, rev), now, "", b"", "Approve (preview)")
    known = set(git_text(verifier.repo, "rev-list", base).split())
    plan = verifier.plan([merge], known)[0]
    why_not = "signed by no roster member: your signing key (git's user.signingkey) is not on it"

    def signature_of(commit: Commit, roster: Roster, signers: str) -> SignatureCheck:
        if commit.sha == PREVIEW_SHA:
            return SignatureCheck(member, "" if member else why_not)
        if commit.sha in checks:
            return checks[commit.sha]
        return check_signature(commit.signature, commit.payload, roster, signers)

    return [v.message for v in evaluate(verifier, plan, signature_of)]
