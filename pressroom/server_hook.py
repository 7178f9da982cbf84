"""The department's central repository refuses unapproved history on main (392.3, 392.5 g).

Installed as a ``pre-receive`` hook by ``pressroom install-hooks --bare PATH``. git
runs it before any ref is updated; when it exits non-zero nothing changes, and
what it prints reaches the pusher. It refuses deleting main, rewriting main
(non-fast-forward, i.e. force-push), and any new first-parent commit that
``pressroom verify`` would refuse. Other branches (``post/*``) are free.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pressroom.approvals import verify_history
from pressroom.gitio import ZERO, GitError, is_ancestor

PROTECTED = "refs/heads/main"


def check_update(repo: Path, old: str, new: str, ref: str) -> list[str]:
    """Reasons to refuse one ref update (empty when it may go ahead)."""
    if ref != PROTECTED:
        return []
    if new == ZERO:
        return ["deleting main is not allowed"]
    if old != ZERO and not is_ancestor(repo, old, new):
        return [f"main would be rewritten ({old[:7]} is not in the new history): "
                f"force-pushing main is not allowed"]
    try:
        result = verify_history(repo, new, None if old == ZERO else old, use_cache=False)
    except GitError as exc:
        return [f"cannot verify the pushed history: {exc}"]
    return [str(problem) for problem in result.problems]


def main(stdin=None, out=None) -> int:
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    repo = Path(".")
    refused = []
    for line in stdin:
        parts = line.split()
        if len(parts) == 3:
            refused += check_update(repo, *parts)
    if refused:
        print("pressroom: push to main refused (Policy 392.3: a supervisor's signed merge is "
              "the authorization):", file=out)
        for reason in refused:
            print(f"  {reason}", file=out)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
