"""392.3, 392.4.1, 392.5 (g): a supervisor's signed merge into main is the authorization.

``verify_history`` replays the approval rules over the first-parent history of
``main`` after an anchor (by default the root commit, trusted as the adoption of
the roster):

* every commit is a two-parent merge, SSH-signed by a member of the roster *as it
  stood in the merge's first parent* (so a branch can never grant itself rights);
* the signer holds a role that may approve what the merge brings in, as
  ``pressroom.scope`` decides from what each changed file is: supervisor or chief
  for posts and everything else; incident-commander (or supervisor/chief) for
  incident alerts and the new images they show, and nothing else; the chief alone
  for ``policy/``;
* the merge brings in no symbolic link, submodule or other non-regular file;
* every commit the merge brings in is signed by a roster member whose training is
  current at that commit's date, and the approver signed none of them;
* the merge adds no edits of its own: its tree is the automatic merge of its parents.

Every object is read through ``pressroom.gitio``, which makes git show the real
objects (no replace refs, grafts, alternates or shallow history). Signatures are
checked by ``ssh-keygen -Y verify`` in parallel threads; merges that passed are
remembered by commit hash (their verdict depends only on immutable objects) so a
long history is verified once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from pressroom import cache
from pressroom.gitio import Commit, GitError, ObjectReader, git, git_text, require_real_objects
from pressroom.roster import ROSTER_PATH, Member, Roster, parse_roster
from pressroom.rules.config import RULES_PATH, RuleConfig, load_config
from pressroom.scope import ABSENT, TREE_MODE, Change, Entry, approvers, not_regular, shown
from pressroom.signatures import SignatureCheck, allowed_signers, check_signature
from pressroom.violations import Violation

CACHE_NAME = "verified-merges.txt"


@dataclass
class MergePlan:
    """What one first-parent commit of main is, before any signature is checked."""

    commit: Commit
    brought_in: list[Commit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # path, before, after
    own_edits: bool = False
    problem: str = ""  # a structural refusal (direct commit, octopus, nothing merged)
    rule: str = ""


@dataclass
class VerifyResult:
    checked: int = 0
    cached: int = 0
    problems: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _refuse(commit: Commit, rule: str, message: str) -> Violation:
    return Violation(commit.short, 0, rule, message)


class Verifier:
    """Verifies first-parent history of one branch; one instance per run."""

    def __init__(self, repo: Path, workers: int = 4) -> None:
        self.repo = repo
        self.reader = ObjectReader(repo)
        self.workers = workers
        self._rosters: dict[str, tuple[Roster, str]] = {}  # roster blob sha -> (roster, file)
        self._configs: dict[str, RuleConfig] = {}
        self._trees: dict[str, dict[bytes, Entry]] = {}
        self._tmp = tempfile.TemporaryDirectory(prefix="pressroom-signers-")

    def close(self) -> None:
        self.reader.close()
        self._tmp.cleanup()

    # -- objects --------------------------------------------------------------------------

    def _tree(self, sha: str) -> dict[bytes, Entry]:
        """name -> entry of a tree object; a missing or malformed tree stops verification.

        Names are kept as bytes (two names never collapse into one path), and a tree git
        itself would reject — a name given twice, or one with "/" or "." parts — is
        refused rather than read one way here and another way by a checkout.
        """
        if sha not in self._trees:
            found = self.reader.read(sha)
            if found is None or found[0] != "tree":
                raise GitError(f"{sha[:7]} is not a tree in this repository")
            entries: dict[bytes, Entry] = {}
            data = found[1]
            pos = 0
            while pos < len(data):
                space = data.index(b" ", pos)
                nul = data.index(b"\0", space)
                mode, name = data[pos:space].decode(), data[space + 1:nul]
                if name in entries or b"/" in name or name in (b"", b".", b".."):
                    raise GitError(f"tree {sha[:7]} is malformed (entry {name!r})")
                entries[name] = Entry(mode, data[nul + 1:nul + 21].hex())
                pos = nul + 21
            self._trees[sha] = entries
        return self._trees[sha]

    def changes(self, a: str, b: str, prefix: str = "") -> dict[str, tuple[Entry, Entry]]:
        """path -> (entry in tree ``a``, entry in tree ``b``) for every file that differs.

        Paths are decoded with ``surrogateescape``, so distinct byte names stay distinct.
        """
        if a == b:
            return {}
        left = self._tree(a) if a else {}
        right = self._tree(b) if b else {}
        out: dict[str, tuple[Entry, Entry]] = {}
        for name in set(left) | set(right):
            before, after = left.get(name, ABSENT), right.get(name, ABSENT)
            if before == after:
                continue
            path = prefix + name.decode("utf-8", "surrogateescape")
            before_tree = before.sha if before.mode == TREE_MODE else ""
            after_tree = after.sha if after.mode == TREE_MODE else ""
            if before_tree or after_tree:
                out.update(self.changes(before_tree, after_tree, path + "/"))
            before_file = ABSENT if before_tree else before
            after_file = ABSENT if after_tree else after
            if before_file != after_file:
                out[path] = (before_file, after_file)
        return out

    def changed(self, a: str, b: str) -> dict[str, str]:
        """path -> blob sha in ``b`` ("" if deleted) for every file differing from tree ``a``."""
        return {path: after.sha for path, (_, after) in self.changes(a, b).items()}

    def _after(self, a: str, b: str) -> dict[str, Entry]:
        """path -> entry (mode and sha) in ``b`` for every file differing from tree ``a``."""
        return {path: after for path, (_, after) in self.changes(a, b).items()}

    def blob(self, sha: str) -> bytes | None:
        found = self.reader.read(sha) if sha else None
        return found[1] if found is not None and found[0] == "blob" else None

    def roster_at(self, rev: str) -> tuple[Roster, str]:
        """The roster as it stood at ``rev``, and an allowed-signers file for it."""
        found = self.reader.read(f"{rev}:{ROSTER_PATH}")
        blob = found[1] if found else b""
        key = rev if not found else hashlib.sha1(blob).hexdigest()
        if key not in self._rosters:
            roster, _ = parse_roster(blob.decode("utf-8", errors="replace")) if found \
                else (Roster(), [])
            path = os.path.join(self._tmp.name, f"{len(self._rosters)}.signers")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(allowed_signers(roster))
            self._rosters[key] = (roster, path)
        return self._rosters[key]

    def config_at(self, rev: str) -> RuleConfig:
        blob = self.reader.file_at(rev, RULES_PATH)
        key = blob.decode("utf-8", errors="replace") if blob else ""
        if key not in self._configs:
            self._configs[key] = load_config(key or None)[0]
        return self._configs[key]

    # -- structure --------------------------------------------------------------------------

    def plan(self, chain: list[Commit], known: set[str]) -> list[MergePlan]:
        """Structure of each chain commit; ``known`` holds every ancestor of the anchor."""
        plans = []
        for commit in chain:
            plan = MergePlan(commit)
            plans.append(plan)
            if len(commit.parents) == 1:
                plan.problem, plan.rule = ("a direct commit on main, not an approved merge",
                                           "APPROVAL-DIRECT")
            elif len(commit.parents) != 2:
                plan.problem, plan.rule = ("merges more than one branch at once",
                                           "APPROVAL-DIRECT")
            else:
                self._plan_merge(plan, known)
            known.add(commit.sha)
            known.update(c.sha for c in plan.brought_in)
        return plans

    def _plan_merge(self, plan: MergePlan, known: set[str]) -> None:
        first, second = plan.commit.parents
        # Commits reachable from the second parent and not from the first: what is merged.
        frontier, seen, boundary = [second], set(), set()
        while frontier:
            sha = frontier.pop()
            if sha in seen:
                continue
            seen.add(sha)
            if sha in known:
                boundary.add(sha)
                continue
            commit = self.reader.commit(sha)
            plan.brought_in.append(commit)
            frontier.extend(commit.parents)
        if not plan.brought_in:
            plan.problem, plan.rule = ("merges nothing new: the branch is already in main",
                                       "APPROVAL-EMPTY")
            return
        first_tree = self.reader.commit(first).tree
        plan.changes = sorted((path, before, after) for path, (before, after)
                              in self.changes(first_tree, plan.commit.tree).items())
        plan.own_edits = self._has_own_edits(plan, first_tree, boundary)

    def _has_own_edits(self, plan: MergePlan, first_tree: str, boundary: set[str]) -> bool:
        """Whether the merge's tree differs from the automatic merge of its parents."""
        second_tree = self.reader.commit(plan.commit.parents[1]).tree
        merge_tree = plan.commit.tree
        if len(boundary) == 1:  # one fork point: compute the automatic merge from diffs
            base_tree = self.reader.commit(next(iter(boundary))).tree
            main_side = self._after(base_tree, first_tree)
            branch_side = self._after(base_tree, second_tree)
            if all(main_side[p] == branch_side[p] for p in set(main_side) & set(branch_side)):
                # The automatic merge takes the branch's version of what only it changed.
                expected = {p: s for p, s in branch_side.items() if p not in main_side}
                return self._after(first_tree, merge_tree) != expected
        # Both sides touched the same file, or history is tangled: ask git itself.
        out = git(self.repo, "merge-tree", "--write-tree", plan.commit.parents[0],
                  plan.commit.parents[1], check=False)
        lines = out.decode().split("\n")
        return not lines or lines[0].strip() != merge_tree

    # -- rules ----------------------------------------------------------------------------

    def required_roles(self, plan: MergePlan) -> tuple[tuple[str, ...], str]:
        """Which roles may approve what the merge brings in, and why (``scope.approvers``)."""
        return approvers(plan.changes, self.blob)


def _names(roles: tuple[str, ...]) -> str:
    return " or ".join(roles)


def evaluate(verifier: Verifier, plan: MergePlan,
             signature_of: Callable[[Commit, Roster, str], SignatureCheck],
             platform: bool = False) -> list[Violation]:
    """The approval rules for one first-parent commit.

    ``platform``: main is merged on a hosting platform (GitHub, GitLab) that signs web
    merges with its own key; the approval evidence is then the platform's required
    review, so the merge's signer and role are not checked here (see the README).
    """
    commit = plan.commit
    if plan.problem:
        return [_refuse(commit, plan.rule, plan.problem)]
    first = commit.parents[0]
    roster, signers = verifier.roster_at(first)
    problems = _link_problems(plan)
    approval = SignatureCheck(None, "")
    if not platform:
        approval = signature_of(commit, roster, signers)
        problems += _approver_problems(verifier, plan, approval, first)
    config = verifier.config_at(first)
    for content in plan.brought_in:
        check = signature_of(content, roster, signers)
        if check.member is None:
            problems.append(_refuse(commit, "APPROVAL-CONTENT-SIGNATURE",
                                    f"brings in {content.short}, which is {check.problem}"))
            continue
        problems += _training(commit, content, check.member, config)
        if approval.member is not None and check.member.id == approval.member.id:
            problems.append(_refuse(commit, "APPROVAL-SELF",
                                    f"{approval.member.id} approved their own commit "
                                    f"{content.short}: someone else must approve it"))
    if plan.own_edits:
        problems.append(_refuse(commit, "APPROVAL-EDITS",
                                "the merge adds edits of its own: its tree is not the automatic "
                                "merge of its parents"))
    return problems


def _link_problems(plan: MergePlan) -> list[Violation]:
    """Links and submodules are refused wherever they are: nothing reads through them.

    A symbolic link in content/ would publish whatever file it points to on the build
    machine (/etc/passwd); a submodule brings in history nobody here approved.
    """
    return [_refuse(plan.commit, "APPROVAL-LINK",
                    f"brings in {shown(path)}, which is {what}: only regular files are "
                    f"approved and published; commit the file itself")
            for path, _, after in plan.changes if (what := not_regular(after))]


def _approver_problems(verifier: Verifier, plan: MergePlan, approval: SignatureCheck,
                       first: str) -> list[Violation]:
    """The merge is signed by a roster member whose role may approve what it brings in."""
    commit = plan.commit
    if approval.member is None:
        return [_refuse(commit, "APPROVAL-SIGNATURE",
                        f"the merge is {approval.problem} (roster at {first[:7]})")]
    roles, why = verifier.required_roles(plan)
    if approval.member.has_role(*roles):
        return []
    return [_refuse(commit, "APPROVAL-ROLE",
                    f"signed by {approval.member.id} ({', '.join(approval.member.roles)}), but "
                    f"{why}: it needs the approval of a {_names(roles)}")]


def _training(merge: Commit, content: Commit, member: Member,
              config: RuleConfig) -> list[Violation]:
    if member.trained is None:
        return [_refuse(merge, "APPROVAL-TRAINING",
                        f"brings in {content.short} by {member.id}, who has no training date")]
    expires = member.trained + timedelta(days=config.training_period_days)
    if content.committed.date() > expires:
        return [_refuse(merge, "APPROVAL-TRAINING",
                        f"brings in {content.short} by {member.id}, whose social-media training "
                        f"expired on {expires.isoformat()} (392.8)")]
    return []


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
                   use_cache: bool = True, platform: bool = False) -> VerifyResult:
    """Verify every first-parent commit of ``tip`` after ``anchor`` (default: the root).

    Raises GitError when the repository substitutes objects (``require_real_objects``):
    a verdict is only ever given on the repository's own history.
    """
    require_real_objects(repo)
    chain, anchor = first_parent_chain(repo, tip, anchor)
    cache_path = _cache_file(repo)
    use_cache = use_cache and not platform
    cached = _load_cache(cache_path) if use_cache else set()
    result = VerifyResult()
    # Everything reachable from the anchor is an ancestor of every later main commit.
    known = set(git_text(repo, "rev-list", anchor).split())
    verifier = Verifier(repo, workers)
    try:
        commits = [verifier.reader.commit(sha) for sha in chain]
        todo_start = 0
        while todo_start < len(commits) and commits[todo_start].sha in cached:
            todo_start += 1  # a verified prefix: only the structure is needed, not signatures
        if todo_start:
            known.update(git_text(repo, "rev-list", commits[todo_start - 1].sha).split())
        result.cached = todo_start
        plans = verifier.plan(commits[todo_start:], known)
        checks = _check_signatures(verifier, plans, workers, platform)
        verified = set(cached) if use_cache else set()
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
                      platform: bool = False) -> dict[tuple[str, str], SignatureCheck]:
    """Every signature the plans need, checked once each, in parallel."""
    jobs: dict[tuple[str, str], tuple[Commit, Roster, str]] = {}
    for plan in plans:
        if plan.problem:
            continue
        roster, signers = verifier.roster_at(plan.commit.parents[0])
        for commit in plan.brought_in if platform else [plan.commit, *plan.brought_in]:
            jobs.setdefault((commit.sha, signers), (commit, roster, signers))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {key: pool.submit(check_signature, c.signature, c.payload, r, s)
                   for key, (c, r, s) in jobs.items()}
        return {key: future.result() for key, future in futures.items()}
