"""Main's merges as git's objects show them: what each first-parent commit brings in.

The reading half of verifying approvals (``pressroom.approvals.rules`` holds the rules,
``pressroom.approvals.verification`` the walk over history): trees, the files a merge changes, the
commits it brings in, whether it adds edits of its own, and the roster and rules as they
stood at its first parent. Every object is read through ``pressroom.repo.gitio``, which makes
git show the real objects (no replace refs, grafts, alternates or shallow history).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pressroom.approvals.scope import ABSENT, TREE_MODE, Change, Entry
from pressroom.approvals.signatures import allowed_signers
from pressroom.model.roster import ROSTER_PATH, Roster, parse_roster
from pressroom.repo.gitio import (
    Commit,
    GitError,
    ObjectReader,
    git,
    git_text,
    parse_commit,
    read_objects,
)
from pressroom.repo.sources import is_post_path
from pressroom.rules.config import RULES_PATH, RuleConfig, load_config

_SHA = re.compile(r"[0-9a-f]{40}")


class CommitCache(ObjectReader):
    """An ``ObjectReader`` that keeps the commits it read: verifying a history reads the same
    commits again and again (a merge's parents, the commits it brings in), and a commit
    named by its hash never changes. ``prefetch`` reads many in one batch up front, so a long
    history costs one ``git cat-file`` round trip instead of one per commit."""

    def __init__(self, repo: Path) -> None:
        super().__init__(repo)
        self._commits: dict[str, Commit] = {}

    def commit(self, sha: str) -> Commit:
        found = self._commits.get(sha)
        if found is None:
            found = super().commit(sha)
            if _SHA.fullmatch(sha):
                self._commits[sha] = found
        return found

    def prefetch(self, shas: list[str]) -> None:
        for sha, (kind, data) in read_objects(self.repo, shas).items():
            if kind == "commit" and _SHA.fullmatch(sha):
                self._commits[sha] = parse_commit(sha, data)


@dataclass
class MergePlan:
    """What one first-parent commit of main is, before any signature is checked."""

    commit: Commit
    brought_in: list[Commit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # path, before, after
    own_edits: bool = False
    problem: str = ""  # a structural refusal (direct commit, octopus, nothing merged)
    rule: str = ""


class Verifier:
    """What verifying one repository reads: trees, what a merge changes and brings in, the
    roster and the rules' settings as they stood at a commit. One instance per run: it
    keeps what it read (a long history reads the same rosters and trees again and again).
    """

    def __init__(self, repo: Path, workers: int = 4) -> None:
        self.repo = repo
        self.reader = CommitCache(repo)
        self.workers = workers
        self._rosters: dict[str, tuple[Roster, str]] = {}  # roster blob sha -> (roster, file)
        self._configs: dict[str, RuleConfig] = {}
        self._config_blobs: dict[str, RuleConfig] = {}  # rules blob sha -> settings
        self._trees: dict[str, dict[bytes, Entry]] = {}
        self._blobs: dict[str, bytes] = {}  # posts read ahead for the scope rules
        self._tmp = tempfile.TemporaryDirectory(prefix="pressroom-signers-")

    def close(self) -> None:
        self.reader.close()
        self._tmp.cleanup()

    # -- objects --------------------------------------------------------------------------

    def tree(self, sha: str) -> dict[bytes, Entry]:
        """name -> entry of a tree object; a missing or malformed tree stops verification.

        Names are kept as bytes (two names never collapse into one path), and a tree git
        itself would reject — a name given twice, or one with "/" or "." parts — is
        refused rather than read one way here and another way by a checkout.
        """
        if sha not in self._trees:
            found = self.reader.read(sha)
            if found is None or found[0] != "tree":
                raise GitError(f"{sha[:7]} is not a tree in this repository")
            self._trees[sha] = _parse_tree(sha, found[1])
        return self._trees[sha]

    def changes(self, a: str, b: str, prefix: str = "") -> dict[str, tuple[Entry, Entry]]:
        """path -> (entry in tree ``a``, entry in tree ``b``) for every file that differs.

        Paths are decoded with ``surrogateescape``, so distinct byte names stay distinct.
        """
        if a == b:
            return {}
        left = self.tree(a) if a else {}
        right = self.tree(b) if b else {}
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
        if sha in self._blobs:
            return self._blobs[sha]
        found = self.reader.read(sha) if sha else None
        return found[1] if found is not None and found[0] == "blob" else None

    def prefetch(self, anchor: str, tip: str) -> None:
        """Read every commit of ``anchor..tip`` (what verifying ``tip`` after ``anchor`` reads:
        main's merges and the commits they bring in) in one batch."""
        self.reader.prefetch(git_text(self.repo, "rev-list", f"{anchor}..{tip}").split())

    def _entry_at(self, rev: str, path: str) -> str | None:
        """The object sha at ``path`` in commit ``rev``'s tree, as ``rev:path`` names it, read
        through the trees this run keeps (None when there is none); "" when ``rev`` is not a
        commit hash (a ref moves: it is left to git to resolve)."""
        if not _SHA.fullmatch(rev):
            return ""
        tree = self.reader.commit(rev).tree
        *folders, name = path.encode().split(b"/")
        for folder in folders:
            entry = self.tree(tree).get(folder)
            if entry is None or entry.mode != TREE_MODE:
                return None
            tree = entry.sha
        entry = self.tree(tree).get(name)
        return entry.sha if entry is not None else None

    def roster_at(self, rev: str) -> tuple[Roster, str]:
        """The roster as it stood at ``rev``, and an allowed-signers file for it."""
        sha = self._entry_at(rev, ROSTER_PATH)
        found: tuple[str, bytes] | None = None
        if sha is None:
            key = rev
        elif sha == "":
            found = self.reader.read(f"{rev}:{ROSTER_PATH}")
            key = "content:" + hashlib.sha1(found[1]).hexdigest() if found else rev
        else:
            key = sha
            found = None if sha in self._rosters else self.reader.read(sha)
        if key not in self._rosters:
            roster, _ = parse_roster(found[1].decode("utf-8", errors="replace")) if found \
                else (Roster(), [])
            path = os.path.join(self._tmp.name, f"{len(self._rosters)}.signers")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(allowed_signers(roster))
            self._rosters[key] = (roster, path)
        return self._rosters[key]

    def config_at(self, rev: str) -> RuleConfig:
        sha = self._entry_at(rev, RULES_PATH)
        if sha and sha in self._config_blobs:
            return self._config_blobs[sha]
        if sha == "":
            blob = self.reader.file_at(rev, RULES_PATH)
        else:
            found = self.reader.read(sha) if sha else None
            blob = found[1] if found is not None and found[0] == "blob" else None
        key = blob.decode("utf-8", errors="replace") if blob else ""
        if key not in self._configs:
            self._configs[key] = load_config(key or None)[0]
        if sha:
            self._config_blobs[sha] = self._configs[key]
        return self._configs[key]

    # -- structure --------------------------------------------------------------------------

    def plan(self, chain: list[Commit], known: set[str]) -> list[MergePlan]:
        """Structure of each chain commit; ``known`` holds every ancestor of the anchor."""
        plans = []
        boundaries: dict[str, set[str]] = {}  # merge -> the known commits its walk stopped at
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
                boundaries[commit.sha] = self._brought_in(plan, known)
            known.add(commit.sha)
            known.update(c.sha for c in plan.brought_in)
        merges = [p for p in plans if p.commit.sha in boundaries and not p.problem]
        self._prefetch_trees([pair for p in merges
                              for pair in self._tree_pairs(p, boundaries[p.commit.sha])])
        for plan in merges:
            first_tree = self.reader.commit(plan.commit.parents[0]).tree
            plan.changes = sorted((path, before, after) for path, (before, after)
                                  in self.changes(first_tree, plan.commit.tree).items())
            plan.own_edits = self._has_own_edits(plan, first_tree, boundaries[plan.commit.sha])
        self._prefetch_posts(merges)
        return plans

    def _prefetch_posts(self, plans: list[MergePlan], batch: int = 512) -> None:
        """Read in batches the posts the scope rules will open (``approvals.scope.classify``
        reads each changed post, before and after, to tell an incident alert)."""
        wanted = sorted({entry.sha for plan in plans for path, before, after in plan.changes
                         if is_post_path(path) for entry in (before, after)
                         if entry.sha and entry.mode != TREE_MODE and entry.sha not in self._blobs})
        for start in range(0, len(wanted), batch):
            for sha, (kind, data) in read_objects(self.repo, wanted[start:start + batch]).items():
                if kind == "blob":
                    self._blobs[sha] = data

    def _tree_pairs(self, plan: MergePlan, boundary: set[str]) -> list[tuple[str, str]]:
        """The pairs of trees ``changes`` and ``_has_own_edits`` will compare for ``plan``."""
        first_tree = self.reader.commit(plan.commit.parents[0]).tree
        pairs = [(first_tree, plan.commit.tree)]
        if len(boundary) == 1:
            base_tree = self.reader.commit(next(iter(boundary))).tree
            second_tree = self.reader.commit(plan.commit.parents[1]).tree
            pairs += [(base_tree, first_tree), (base_tree, second_tree)]
        return pairs

    def _prefetch_trees(self, pairs: list[tuple[str, str]], batch: int = 512) -> None:
        """Read, level by level and in batches, every tree ``changes`` will descend into for
        ``pairs``, so a long history costs a few batched reads instead of one round trip per
        tree. A tree that is missing or malformed is left for ``tree`` to refuse."""
        level = set(pairs)
        while level:
            wanted = sorted({t for pair in level for t in pair if t and t not in self._trees})
            for start in range(0, len(wanted), batch):
                for sha, (kind, data) in read_objects(self.repo,
                                                      wanted[start:start + batch]).items():
                    try:
                        if kind == "tree":
                            self._trees[sha] = _parse_tree(sha, data)
                    except (GitError, ValueError):
                        continue
            below: set[tuple[str, str]] = set()
            for a, b in level:
                left, right = self._trees.get(a, {}), self._trees.get(b, {})
                for name in set(left) | set(right) if a != b else ():
                    before, after = left.get(name, ABSENT), right.get(name, ABSENT)
                    pair = (before.sha if before.mode == TREE_MODE else "",
                            after.sha if after.mode == TREE_MODE else "")
                    if before != after and any(pair) and pair[0] != pair[1]:
                        below.add(pair)
            level = below

    def _brought_in(self, plan: MergePlan, known: set[str]) -> set[str]:
        """Fill ``plan.brought_in``; the boundary commits (already known) it stops at."""
        second = plan.commit.parents[1]
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
        return boundary

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


def _parse_tree(sha: str, data: bytes) -> dict[bytes, Entry]:
    """name -> entry of a tree object's content (see ``Verifier.tree``)."""
    entries: dict[bytes, Entry] = {}
    pos = 0
    while pos < len(data):
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        mode, name = data[pos:space].decode(), data[space + 1:nul]
        if name in entries or b"/" in name or name in (b"", b".", b".."):
            raise GitError(f"tree {sha[:7]} is malformed (entry {name!r})")
        entries[name] = Entry(mode, data[nul + 1:nul + 21].hex())
        pos = nul + 21
    return entries
