"""``pressroom verify``: the approval rules over the first-parent history of ``main``.

Walks the history after an anchor, reads each merge (``pressroom.approvals.merges``), checks every
signature it needs once — in process by default, or by ``ssh-keygen -Y verify`` in parallel
threads with ``verifier="ssh-keygen"`` (``pressroom.approvals.signatures``) — and applies the
rules (``pressroom.approvals.rules.evaluate``). Merges that passed are remembered by commit hash
in the verified-merges cache (their verdict depends only on immutable objects and on
pressroom's code), so a long history is verified once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pressroom import cache
from pressroom.approvals.merges import MergePlan, Verifier
from pressroom.approvals.rules import evaluate
from pressroom.approvals.signatures import (
    VERIFIERS,
    SignatureCheck,
    check_signature,
    claimed_signer,
)
from pressroom.approvals.sshsig import IMPLEMENTED
from pressroom.model.roster import Roster
from pressroom.model.violations import Violation
from pressroom.repo.gitio import Commit, GitError, git_text, require_real_objects

CACHE_NAME = "verified-merges.txt"


@dataclass
class VerifyResult:
    """How many first-parent commits were verified (``cached``: by an earlier run) and
    every problem found; ``ok`` when there is none."""

    checked: int = 0
    cached: int = 0
    problems: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def first_parent_chain(repo: Path, tip: str, anchor: str | None) -> tuple[list[str], str]:
    """(chain of shas after the anchor, oldest first; the anchor used)."""
    if anchor is None:
        roots = git_text(repo, "rev-list", "--max-parents=0", "--first-parent", tip).split()
        anchor = roots[-1]
    shas = git_text(repo, "rev-list", "--first-parent", "--reverse",
                    f"{anchor}..{tip}").split()
    first_parents = set(git_text(repo, "rev-list", "--first-parent", tip).split())
    if anchor not in first_parents:
        raise GitError(f"{anchor[:7]} is not on the first-parent history of {tip[:7]}")
    return shas, anchor


def _cache_file(repo: Path) -> Path:
    """In the cache folder (``pressroom.cache``) of git's own folder, as git names it."""
    return cache.in_git_dir(Path(git_text(repo, "rev-parse", "--absolute-git-dir"))) / CACHE_NAME


def _cache_header() -> str:
    """Verdicts are kept by the code that gave them: any change to pressroom's code (the
    rules of what makes a merge verify) drops them all."""
    return f"verified-merges-{cache.key(CACHE_NAME)}"


def _load_cache(path: Path) -> set[str]:
    try:
        lines = path.read_text().split()
    except OSError:
        return set()
    return set(lines[1:]) if lines and lines[0] == _cache_header() else set()


def _save_cache(path: Path, shas: set[str]) -> None:
    text = (f"{_cache_header()}\n" + "\n".join(sorted(shas)) + "\n").encode()
    cache.write_atomic(path, lambda handle: handle.write(text))  # read-only: just no cache


def verify_history(repo: Path, tip: str, anchor: str | None = None, workers: int = 4,
                   use_cache: bool = True, platform: bool = False,
                   signatures: str = "builtin") -> VerifyResult:
    """Verify every first-parent commit of ``tip`` after ``anchor`` (default: the root).

    ``signatures`` ("builtin" or "ssh-keygen", see ``VERIFIERS``) checks the signatures. An
    ssh-keygen run is an audit: it reads no verdict remembered from earlier runs (they may be
    the builtin verifier's) and checks every merge, then remembers what passed.

    Raises GitError when the repository substitutes objects (``require_real_objects``):
    a verdict is only ever given on the repository's own history.
    """
    if signatures not in VERIFIERS:
        raise ValueError(f"unknown verifier {signatures!r}: one of {', '.join(VERIFIERS)}")
    require_real_objects(repo)
    chain, anchor = first_parent_chain(repo, tip, anchor)
    cache_path = _cache_file(repo)
    use_cache = use_cache and not platform
    remembered = _load_cache(cache_path) if use_cache else set()
    cached = remembered if signatures == "builtin" else set()
    result = VerifyResult()
    # Everything reachable from the anchor is an ancestor of every later main commit.
    known = set(git_text(repo, "rev-list", anchor).split())
    verifier = Verifier(repo, workers)
    try:
        verifier.prefetch(anchor, tip)  # every commit read below, in one batch
        commits = [verifier.reader.commit(sha) for sha in chain]
        todo_start = 0
        while todo_start < len(commits) and commits[todo_start].sha in cached:
            todo_start += 1  # a verified prefix: only the structure is needed, not signatures
        if todo_start:
            known.update(git_text(repo, "rev-list", commits[todo_start - 1].sha).split())
        result.cached = todo_start
        plans = verifier.plan(commits[todo_start:], known)
        checks = _check_signatures(verifier, plans, workers, platform, signatures)
        verified = set(remembered)
        for plan in plans:
            problems = evaluate(verifier, plan, lambda c, r, s: checks[(c.sha, s)], platform)
            result.problems += problems
            if not problems and not result.problems:
                verified.add(plan.commit.sha)
        result.checked = len(commits)
        if use_cache:
            _save_cache(cache_path, verified)
    finally:
        verifier.close()
    return result


def _check_signatures(verifier: Verifier, plans: list[MergePlan], workers: int,
                      platform: bool = False, signatures: str = "builtin"
                      ) -> dict[tuple[str, str], SignatureCheck]:
    """Every signature the plans need, checked once each: in this thread when in process (a
    check takes ~0.1 ms, threads would only add overhead; a key type handed to ssh-keygen
    then runs serially), in parallel threads when every check runs ssh-keygen."""
    jobs: dict[tuple[str, str], tuple[Commit, Roster, str]] = {}
    for plan in plans:
        if plan.problem:
            continue
        roster, signers = verifier.roster_at(plan.commit.parents[0])
        for commit in plan.brought_in if platform else [plan.commit, *plan.brought_in]:
            jobs.setdefault((commit.sha, signers), (commit, roster, signers))
    if signatures == "builtin" and not any(_needs_ssh_keygen(c, r) for c, r, _ in jobs.values()):
        return {key: check_signature(c.signature, c.payload, r, s, signatures)
                for key, (c, r, s) in jobs.items()}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {key: pool.submit(check_signature, c.signature, c.payload, r, s, signatures)
                   for key, (c, r, s) in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


def _needs_ssh_keygen(commit: Commit, roster: Roster) -> bool:
    """Whether the member this commit's signature names has a key only ssh-keygen checks."""
    member = claimed_signer(commit.signature, roster) if commit.signature else None
    return member is not None and member.signing_key.split()[0] not in IMPLEMENTED
