"""392.3, 392.4.1, 392.5 (g): a supervisor's signed merge into main is the authorization.

``verify_history`` replays the approval rules over the first-parent history of
``main`` after an anchor (by default the root commit, trusted as the adoption of
the roster):

* every commit is a two-parent merge, SSH-signed by a member of the roster *as it
  stood in the merge's first parent* (so a branch can never grant itself rights);
* the signer holds a role that may approve what the merge brings in: supervisor or
  chief for posts; incident-commander (or supervisor/chief) for safety alerts that
  carry an ``Incident`` field and for nothing else; the chief alone for ``policy/``;
* every commit the merge brings in is signed by a roster member whose training is
  current at that commit's date, and the approver signed none of them;
* the merge adds no edits of its own: its tree is the automatic merge of its parents.

Signatures are checked by ``ssh-keygen -Y verify`` in parallel threads; merges
that passed are remembered by commit hash (their verdict depends only on
immutable objects) so a long history is verified once.
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

from pressroom import __version__
from pressroom.frontmatter import parse_header
from pressroom.gitio import Commit, GitError, ObjectReader, git, git_text
from pressroom.roster import ROSTER_PATH, Member, Roster, parse_roster
from pressroom.rules.config import RULES_PATH, RuleConfig, load_config
from pressroom.signatures import SignatureCheck, allowed_signers, check_signature
from pressroom.sources import is_post_path
from pressroom.violations import Violation

POST_APPROVERS = ("supervisor", "chief")
INCIDENT_APPROVERS = ("incident-commander", "supervisor", "chief")
POLICY_APPROVERS = ("chief",)
CACHE_NAME = "pressroom-verified"


@dataclass
class MergePlan:
    """What one first-parent commit of main is, before any signature is checked."""

    commit: Commit
    brought_in: list[Commit] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
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
        self._trees: dict[str, dict[bytes, tuple[str, str]]] = {}
        self._tmp = tempfile.TemporaryDirectory(prefix="pressroom-signers-")

    def close(self) -> None:
        self.reader.close()
        self._tmp.cleanup()

    # -- objects --------------------------------------------------------------------------

    def _tree(self, sha: str) -> dict[bytes, tuple[str, str]]:
        """name -> (mode, sha) of a tree object."""
        if sha not in self._trees:
            found = self.reader.read(sha)
            entries: dict[bytes, tuple[str, str]] = {}
            data = found[1] if found else b""
            pos = 0
            while pos < len(data):
                space = data.index(b" ", pos)
                nul = data.index(b"\0", space)
                mode = data[pos:space].decode()
                entries[data[space + 1:nul]] = (mode, data[nul + 1:nul + 21].hex())
                pos = nul + 21
            self._trees[sha] = entries
        return self._trees[sha]

    def changed(self, a: str, b: str, prefix: str = "") -> dict[str, str]:
        """path -> blob sha in ``b`` ("" if deleted) for every file differing from tree ``a``."""
        if a == b:
            return {}
        left = self._tree(a) if a else {}
        right = self._tree(b) if b else {}
        out: dict[str, str] = {}
        for name in set(left) | set(right):
            l_mode, l_sha = left.get(name, ("", ""))
            r_mode, r_sha = right.get(name, ("", ""))
            if l_sha == r_sha and l_mode == r_mode:
                continue
            path = prefix + name.decode(errors="replace")
            l_tree = l_sha if l_mode == "40000" else ""
            r_tree = r_sha if r_mode == "40000" else ""
            if l_tree or r_tree:
                out.update(self.changed(l_tree, r_tree, path + "/"))
                if l_sha and not l_tree:
                    out[path] = ""
                if r_sha and not r_tree:
                    out[path] = r_sha
            else:
                out[path] = r_sha
        return out

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
        plan.changed = set(self.changed(first_tree, plan.commit.tree))
        plan.own_edits = self._has_own_edits(plan, first_tree, boundary)

    def _has_own_edits(self, plan: MergePlan, first_tree: str, boundary: set[str]) -> bool:
        """Whether the merge's tree differs from the automatic merge of its parents."""
        second_tree = self.reader.commit(plan.commit.parents[1]).tree
        merge_tree = plan.commit.tree
        if len(boundary) == 1:  # one fork point: compute the automatic merge from diffs
            base_tree = self.reader.commit(next(iter(boundary))).tree
            main_side = self.changed(base_tree, first_tree)
            branch_side = self.changed(base_tree, second_tree)
            if all(main_side[p] == branch_side[p] for p in set(main_side) & set(branch_side)):
                # The automatic merge takes the branch's version of what only it changed.
                expected = {p: s for p, s in branch_side.items() if p not in main_side}
                return self.changed(first_tree, merge_tree) != expected
        # Both sides touched the same file, or history is tangled: ask git itself.
        out = git(self.repo, "merge-tree", "--write-tree", plan.commit.parents[0],
                  plan.commit.parents[1], check=False)
        lines = out.decode().split("\n")
        return not lines or lines[0].strip() != merge_tree

    # -- rules ----------------------------------------------------------------------------

    def required_roles(self, plan: MergePlan) -> tuple[tuple[str, ...], str]:
        """Which roles may approve what the merge brings in, and why."""
        if any(p.startswith("policy/") for p in plan.changed):
            return POLICY_APPROVERS, "it changes policy/ (the roster or the rules)"
        posts = [p for p in plan.changed if is_post_path(p)]
        others = [p for p in plan.changed if not is_post_path(p)]
        incident_posts = [p for p in posts if self._is_incident_alert(plan.commit.sha, p)]
        content_only = all(p.startswith("content/") for p in others)
        if posts and len(incident_posts) == len(posts) and content_only:
            return INCIDENT_APPROVERS, "it brings in incident alerts"
        return POST_APPROVERS, "it brings in posts or site changes"

    def _is_incident_alert(self, rev: str, path: str) -> bool:
        blob = self.reader.file_at(rev, path)
        if blob is None:
            return False
        fields = parse_header(blob[:4096].decode("utf-8", errors="replace")).fields
        category = fields["category"].value if "category" in fields else ""
        return category == "safety-alerts" and bool(fields.get("incident")
                                                     and fields["incident"].value)


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
    problems: list[Violation] = []
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
    return Path(git_text(repo, "rev-parse", "--absolute-git-dir")) / CACHE_NAME


def _load_cache(path: Path) -> set[str]:
    try:
        lines = path.read_text().split()
    except OSError:
        return set()
    return set(lines[1:]) if lines and lines[0] == f"v{__version__}" else set()


def _save_cache(path: Path, shas: set[str]) -> None:
    try:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(f"v{__version__}\n" + "\n".join(sorted(shas)) + "\n")
        os.replace(tmp, path)
    except OSError:
        pass


def verify_history(repo: Path, tip: str, anchor: str | None = None, workers: int = 4,
                   use_cache: bool = True, platform: bool = False) -> VerifyResult:
    """Verify every first-parent commit of ``tip`` after ``anchor`` (default: the root)."""
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
