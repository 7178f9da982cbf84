"""``pressroom approve`` and the central repository: fetch first, never merge onto a stale main.

A supervisor who approves onto an old ``main`` makes a merge whose first parent is not the
server's ``main``; the server then refuses the push (``cannot verify the pushed history:
b49098c is not on the first-parent history of 0e90148``), which says nothing about what to
do. That happened following the README in a repository made by ``pressroom init``, whose
``main`` was pushed without ``-u``: with no upstream configured, the old check had nothing
to compare with. So ``approve`` now fetches ``origin`` itself and compares ``main`` with
``origin/main`` whatever the upstream configuration says, and refuses before merging with the
exact command to run.

Fetching also moves ``origin/post/x``. A supervisor who reviewed one tip must not approve a
newer one the author pushed since: when the fetch moves the branch being approved, the
approval stops and asks for a new review.

And when an approval is refused, its merge is undone, so the refusal must not send anyone
looking for it: lines about the merge name the branch and its tip instead of the merge's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pressroom.model.violations import InputError, Violation
from pressroom.model.wording import plural
from pressroom.repo.gitio import GitError, git, git_text

ORIGIN = "origin"
MAIN = "main"
CENTRAL_MAIN = f"refs/remotes/{ORIGIN}/{MAIN}"

# What the approver does next, by the rule that refused (the first that applies wins).
NEXT_STEPS = (
    (("APPROVAL-SELF",), "someone who wrote none of its commits must approve it"),
    (("APPROVAL-ROLE",), "ask a member whose role covers what it brings in (above)"),
    (("APPROVAL-TRAINING", "APPROVAL-CONTENT-SIGNATURE"),
     "its author must sign their commits as a trained roster member; send it back"),
)
SEND_BACK = ("send it back to its author: they fix the lines above, commit and push; then "
             "check it again (pressroom check --branch {branch}) and approve")


def has_origin(repo: Path) -> bool:
    """Whether this clone has a central repository to fetch from (``origin``)."""
    return ORIGIN in git_text(repo, "remote").split()


def fetch_origin(repo: Path) -> None:
    """``git fetch origin``, or one line saying the central repository could not be read."""
    try:
        git(repo, "fetch", "--quiet", ORIGIN)
    except GitError as exc:
        raise InputError(f"cannot fetch from {ORIGIN} ({exc}): approving needs the central "
                         f"main; check the connection and try again, or pass --offline to "
                         f"approve against origin/main as last fetched") from exc


def ref_target(repo: Path, ref: str) -> str | None:
    """The commit a full ref names now, or None when there is no such ref."""
    out = git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    return out.decode().strip() or None


def remote_ref(repo: Path, name: str) -> str | None:
    """``refs/remotes/origin/post/x`` when ``name`` is a remote-tracking branch, else None."""
    for ref in (name, f"refs/remotes/{name}"):
        if ref.startswith("refs/remotes/") and ref_target(repo, ref):
            return ref
    return None


def fetch_for_approval(repo: Path, branch: str, tip: str | None) -> None:
    """Fetch ``origin`` and refuse when that moved the branch under review.

    ``tip`` is what ``branch`` named before the fetch (None: nothing yet). A local branch
    never moves with a fetch; a remote-tracking one does when its author pushed again.
    """
    fetch_origin(repo)
    ref = remote_ref(repo, branch)
    if ref is None:
        return
    now = ref_target(repo, ref)
    if tip is None:
        raise InputError(f"{branch} was not here before this fetch ({now[:7] if now else ''})"
                         f": review it first (pressroom check --branch {branch}), then "
                         f"approve")
    if now != tip:
        raise InputError(f"{branch} moved from {tip[:7]} to {now[:7] if now else 'nowhere'}"
                         f" while fetching: its author pushed again. Review what it holds "
                         f"now (pressroom check --branch {branch}), then approve")


def central_main(repo: Path) -> str | None:
    """The central main to compare with: ``origin/main`` when the clone has one, else main's
    configured upstream, else None (a department without a central repository yet)."""
    if ref_target(repo, CENTRAL_MAIN):
        return f"{ORIGIN}/{MAIN}"
    try:
        return git_text(repo, "rev-parse", "--abbrev-ref", "--symbolic-full-name",
                        f"{MAIN}@{{upstream}}") or None
    except GitError:
        return None


def require_current_main(repo: Path) -> None:
    """Refuse, before any merge, a ``main`` that lacks commits of the central main.

    A merge made on it would be refused by the server; say exactly what to run instead.
    A ``main`` ahead of the central one (approvals not pushed yet) is fine: they go with
    this one in the next push.
    """
    central = central_main(repo)
    if central is None:
        return
    counts = git_text(repo, "rev-list", "--left-right", "--count", f"{MAIN}...{central}")
    ahead, behind = (int(n) for n in counts.split())
    if behind and not ahead:
        raise InputError(f"{MAIN} is {plural(behind, 'commit')} behind {central}, the central "
                         f"main: run `git switch {MAIN} && git pull --ff-only {ORIGIN} {MAIN}`, "
                         f"then approve again")
    if behind:
        raise InputError(f"{MAIN} has {plural(ahead, 'commit')} that {central} does not, and "
                         f"{central} has {behind} that {MAIN} does not: keep yours with `git "
                         f"branch unpushed-{MAIN} {MAIN}`, run `git reset --hard {central}`, "
                         f"then approve those branches again")


@dataclass(frozen=True)
class Refusal:
    """Why an approval was undone, in lines that name only commits that still exist."""

    lines: list[str]
    next_step: str


def refusal(problems: list[Violation], merge: str, branch: str, tip: str,
            other: list[str] | None = None) -> Refusal:
    """The refusal of the undone ``merge`` of ``branch`` (at ``tip``).

    A line about the merge itself names the branch and its tip; any mention of the merge's
    id in a message (or in ``other``, lines that are not a rule's) becomes "the merge".
    What to do next follows the first rule that refused (a content rule: send it back).
    """
    short = merge[:7]
    lines = [line.replace(short, "the merge") for line in other or ()]
    for problem in problems:
        text = str(problem)
        if problem.path == short:
            text = f"merging {branch} (tip {tip[:7]}): {problem.rule_id}: {problem.message}"
        lines.append(text.replace(short, "the merge"))
    rules = {problem.rule_id for problem in problems}
    step = next((step for ids, step in NEXT_STEPS if rules & set(ids)),
                SEND_BACK.format(branch=branch))
    return Refusal(lines, step)
