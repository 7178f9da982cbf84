"""The department's central repository refuses unapproved history on main (392.3, 392.5 g).

Installed as a ``pre-receive`` hook by ``pressroom install-hooks --bare PATH``. git
runs it once per push, with every ref the push would update, before any is
updated; when it exits non-zero nothing changes (the whole push, not just the
bad ref), and what it prints reaches the pusher.

Only two kinds of ref may be pushed: branches (``refs/heads/*``) and tags
(``refs/tags/*``). Every other ref is refused because some change how git reads
history for everyone who reads this repository — ``refs/replace/*`` makes git show
one object in place of another, so a replace ref could make a stranger's merge
read as a supervisor's — and nothing in the department's work needs the others
(notes, ``refs/pull/*``, ``refs/stash``...). A tag named ``main`` is refused too:
git resolves the name ``main`` to ``refs/tags/main`` before ``refs/heads/main``.

On ``main`` it refuses deleting it, rewriting it (non-fast-forward, i.e.
force-push), and any new first-parent commit that ``pressroom verify`` would
refuse. Other branches (``post/*``) are free. Signatures are checked by the builtin, in-process
verifier (``pressroom.approvals.sshsig``; key types it does not implement, such as security
keys, go to ``ssh-keygen``), the one ``pressroom verify`` uses by default; an audit re-checks
main with ``pressroom verify --verifier ssh-keygen``. A server repository that itself
substitutes objects (alternates, grafts, shallow) refuses every push.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pressroom.approvals.verification import verify_history
from pressroom.repo.gitio import ZERO, GitError, git_text, is_ancestor, require_real_objects

PROTECTED = "refs/heads/main"
ACCEPTED = ("refs/heads/", "refs/tags/")
DIRECT = "a direct commit on main"  # how verification names a commit that is not a merge
DIRECT_NEXT = ("next: put your commits on a branch: git branch post/NAME && "
               "git reset --hard origin/main, then git push origin post/NAME and ask a "
               "supervisor to approve it")
REASONS = {
    "refs/replace/": "replace refs make git show one object in place of another",
    "refs/notes/": "notes are not part of the department's history",
}


def ref_problem(ref: str) -> str:
    """Why ``ref`` may not be pushed at all ("" when it is a branch or tag that may)."""
    if ref.startswith(ACCEPTED) and ref not in ACCEPTED:
        if ref == "refs/tags/" + PROTECTED.removeprefix("refs/heads/"):
            return f"{ref}: a tag named like the branch main would stand in for it"
        return ""
    why = next((text for prefix, text in REASONS.items() if ref.startswith(prefix)),
               "it is not a branch or a tag, and other refs can change how history reads")
    return f"{ref}: only branches (refs/heads/*) and tags (refs/tags/*) may be pushed; {why}"


def check_update(repo: Path, old: str, new: str, ref: str) -> list[str]:
    """Reasons to refuse one ref update (empty when it may go ahead)."""
    problem = ref_problem(ref)
    if problem:
        return [problem]
    if ref != PROTECTED:
        return []
    if new == ZERO:
        return ["deleting main is not allowed"]
    if old != ZERO and not is_ancestor(repo, old, new):
        return [f"main would be rewritten ({old[:7]} is not in the new history): "
                f"force-pushing main is not allowed"]
    if old != ZERO and not on_first_parent_line(repo, old, new):
        return [f"the merge was made on an out-of-date main: main here is {old[:7]}, which "
                f"{new[:7]} brings in as a branch instead of building on it. On main: "
                f"git fetch origin && git reset --hard origin/main, then pressroom approve "
                f"the branch again and push"]
    try:
        result = verify_history(repo, new, None if old == ZERO else old, use_cache=False,
                                signatures="builtin")
    except GitError as exc:
        return [f"cannot verify the pushed history: {exc}"]
    reasons = [str(problem) for problem in result.problems]
    if any(p.rule_id == "APPROVAL-DIRECT" and p.message.startswith(DIRECT)
           for p in result.problems):
        reasons.append(DIRECT_NEXT)
    return reasons


def on_first_parent_line(repo: Path, old: str, new: str) -> bool:
    """Whether ``old`` is on ``new``'s first-parent line: ``new`` builds on it.

    A supervisor who approved onto a stale main pushes a merge whose first parent is that
    stale main; the server's main is in its history only through the branch. Verification
    would refuse it with "b49098c is not on the first-parent history of 0e90148"; this
    says what happened and what to run."""
    try:
        line = git_text(repo, "rev-list", "--first-parent", new)
    except GitError:
        return False
    return old in line.split()


def check_push(repo: Path, lines: list[str]) -> dict[str, list[str]]:
    """ref -> reasons to refuse it, for every refused ref of one push."""
    try:
        require_real_objects(repo)
    except GitError as exc:
        return {"this push": [f"the server repository is not safe to verify: {exc}"]}
    refused: dict[str, list[str]] = {}
    for line in lines:
        parts = line.split()
        if len(parts) != 3:
            refused.setdefault("this push", []).append(f"unreadable ref update {line!r}")
            continue
        reasons = check_update(repo, *parts)
        if reasons:
            refused.setdefault(parts[2], []).extend(reasons)
    return refused


def main(stdin=None, out=None) -> int:
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    refused = check_push(Path("."), [line for line in stdin if line.strip()])
    if refused:
        names = ", ".join(ref.removeprefix("refs/heads/") for ref in refused)
        print(f"pressroom: push to {names} refused; nothing was changed (Policy 392.3: a "
              f"supervisor's signed merge is the authorization):", file=out)
        for reasons in refused.values():
            for reason in reasons:
                print(f"  {reason}", file=out)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
