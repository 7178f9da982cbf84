"""Reading git history for approvals: commits, their signatures, files at a commit.

Plain ``git`` plumbing through subprocess: it works the same in a working clone,
in a bare server repository and inside a ``pre-receive`` hook (where pushed
objects sit in quarantine that only ``git`` itself knows how to reach).

Every git process pressroom starts goes through ``git_command``, which makes git
read the *real* objects: what a commit id names is what was signed and pushed.
git can be told to show other objects in place of the real ones — replace refs
(``refs/replace/*``), a graft file, alternate object stores, a shallow boundary, or
environment variables that point it at another repository — and an attacker who
can push a ref, or a careless shell setting, could then make verification read an
approved merge while ``main`` names a stranger's. So replace refs and grafts are
switched off for every process (on the command line, which outranks any config),
repository-location variables are dropped, and ``require_real_objects`` refuses
outright a repository whose own files substitute objects (alternates, grafts,
shallow). The quarantine a ``pre-receive`` hook reads pushed objects from is the
one substitution kept, and only when it is exactly what git itself set up.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ZERO = "0" * 40

# Options that make git read the real objects, whatever the repository's config says:
# ``core.useReplaceRefs=true`` in a config file overrides both ``--no-replace-objects``
# and GIT_NO_REPLACE_OBJECTS (git 2.39), but not ``-c`` on the command line.
SAFE_OPTIONS = ("--no-replace-objects", "-c", "core.useReplaceRefs=false",
                "-c", "core.commitGraph=false", "-c", "advice.graftFileDeprecated=false")
# Variables that point git at other objects, refs or repositories than the one asked about.
UNSAFE_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE",
              "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH",
              "GIT_REPLACE_REF_BASE", "GIT_GRAFT_FILE", "GIT_SHALLOW_FILE", "GIT_NAMESPACE",
              "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_PREFIX")
QUARANTINE_ENV = ("GIT_QUARANTINE_PATH", "GIT_OBJECT_DIRECTORY",
                  "GIT_ALTERNATE_OBJECT_DIRECTORIES")
# A path that cannot exist (a file below /dev/null), so git reads no graft file at all.
NO_GRAFTS = os.path.join(os.devnull, "grafts")


class GitError(Exception):
    """A git command failed; the message is git's own first line."""


def _quarantine(repo: Path) -> dict[str, str]:
    """The pre-receive quarantine variables, kept only when git itself set them up for ``repo``.

    git puts pushed objects in ``<objects>/tmp_objdir-incoming-*`` and points
    GIT_OBJECT_DIRECTORY there, with the repository's own object store as the one
    alternate. Anything else (another folder, a list of folders) is dropped.
    """
    values = {name: os.environ.get(name, "") for name in QUARANTINE_ENV}
    quarantine, objects, alternates = (values[n] for n in QUARANTINE_ENV)
    if not quarantine or objects != quarantine or os.pathsep in alternates:
        return {}
    real = os.path.realpath(alternates)
    quarantined = os.path.realpath(quarantine)
    own = {os.path.realpath(repo / "objects"), os.path.realpath(repo / ".git" / "objects")}
    if real not in own or os.path.dirname(quarantined) != real or \
            not os.path.basename(quarantined).startswith("tmp_objdir-incoming-"):
        return {}
    return values


def git_env(repo: Path) -> dict[str, str]:
    """The environment for a git process that must see ``repo``'s real objects only."""
    env = {k: v for k, v in os.environ.items() if k not in UNSAFE_ENV}
    env.update(_quarantine(repo))
    env["GIT_NO_REPLACE_OBJECTS"] = "1"
    env["GIT_GRAFT_FILE"] = NO_GRAFTS
    return env


def git_command(*args: str) -> list[str]:
    """``git`` with ``args``, reading the real objects (see the module docstring)."""
    return ["git", *SAFE_OPTIONS, *args]


def git(repo: Path, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
    result = subprocess.run(git_command(*args), cwd=repo, input=input, capture_output=True,
                            env=git_env(repo))
    if check and result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(message[0] if message else f"git {args[0]} failed")
    return result.stdout


def git_text(repo: Path, *args: str) -> str:
    return git(repo, *args).decode().strip()


def is_ancestor(repo: Path, old: str, new: str) -> bool:
    result = subprocess.run(git_command("merge-base", "--is-ancestor", old, new), cwd=repo,
                            capture_output=True, env=git_env(repo))
    return result.returncode == 0


def require_real_objects(repo: Path) -> None:
    """Refuse (GitError) a repository whose own files make git show substituted history.

    Alternate object stores lend objects from another repository; a graft file
    rewrites parents; a shallow clone cuts history off so that a later commit
    looks like the root. Verification would then judge history that is not the
    repository's own, so it stops with a message saying what to remove.
    """
    common = Path(git_text(repo, "rev-parse", "--path-format=absolute", "--git-common-dir"))
    found = [(common / "objects/info/alternates", "alternate object stores"),
             (common / "objects/info/http-alternates", "alternate object stores"),
             (common / "info/grafts", "a graft file (rewritten parents)"),
             (common / "shallow", "a shallow history (cut-off parents)")]
    for path, what in found:
        if path.exists():
            raise GitError(f"{path} gives this repository {what}: verification reads only "
                           f"the repository's own, complete history; remove it (for a shallow "
                           f"clone: git fetch --unshallow)")


def resolve_commit(repo: Path, name: str) -> str:
    """The commit a branch, tag or commit id names, refusing names that mean two things.

    git resolves ``main`` to ``refs/tags/main`` before ``refs/heads/main``, so a tag
    could stand in for the branch being verified or approved; a name that matches
    refs with different targets is refused instead of guessed.
    """
    if not name or name.startswith("-"):
        raise GitError(f"{name!r} is not a branch, tag or commit name")
    rules = (f"refs/{name}", f"refs/tags/{name}", f"refs/heads/{name}",
             f"refs/remotes/{name}", f"refs/remotes/{name}/HEAD")
    candidates = [name] if name.startswith("refs/") else list(rules)
    listed = git(repo, "for-each-ref", "--format=%(refname)%00%(*objectname)%00%(objectname)",
                 check=False).decode(errors="replace")
    targets = {}
    for line in listed.splitlines():
        ref, peeled, target = (line.split("\0") + ["", ""])[:3]
        if ref in candidates:
            targets[ref] = peeled or target
    if len(set(targets.values())) > 1:
        raise GitError(f"{name!r} is ambiguous: it names {' and '.join(sorted(targets))}; "
                       f"give the full ref name")
    found = next(iter(targets), name)
    sha = git(repo, "rev-parse", "--verify", "--quiet", f"{found}^{{commit}}", check=False)
    if not sha.strip():
        pushed = pushed_for_review(repo, name)
        hint = f"; did you mean {pushed} (the branch pushed for review)?" if pushed else ""
        raise GitError(f"{name!r} is not a branch, tag or commit here{hint}")
    return sha.decode().strip()


REVIEW_REMOTE = "origin"


def pushed_for_review(repo: Path, name: str) -> str:
    """``origin/<name>`` when this clone has no ``name`` but has fetched it from origin.

    An author pushes ``post/x``; the supervisor's clone holds it only as ``origin/post/x``.
    Every command that takes a branch (approve, preview, check --branch, verify) says so
    from here, in the same words, instead of only "not a branch".
    """
    if not name or name.startswith(("-", "refs/", f"{REVIEW_REMOTE}/")):
        return ""
    pushed = f"{REVIEW_REMOTE}/{name}"
    found = git(repo, "rev-parse", "--verify", "--quiet", f"refs/remotes/{pushed}^{{commit}}",
                check=False)
    return pushed if found.strip() else ""


@dataclass(frozen=True)
class Commit:
    sha: str
    tree: str
    parents: tuple[str, ...]
    committed: datetime
    signature: str  # the armored signature ("" when unsigned)
    payload: bytes  # what was signed: the commit object without its signature
    message: str

    @property
    def short(self) -> str:
        return self.sha[:7]


def parse_commit(sha: str, raw: bytes) -> Commit:
    """Split a raw commit object into fields, its signature and the signed payload."""
    head, _, message = raw.partition(b"\n\n")
    lines = head.split(b"\n")
    tree, parents, committed, signature_lines = "", [], datetime.fromtimestamp(0, UTC), []
    payload_lines = []
    in_signature = False
    for line in lines:
        if in_signature and line.startswith(b" "):
            signature_lines.append(line[1:])
            continue
        in_signature = False
        if line.startswith(b"gpgsig "):
            in_signature = True
            signature_lines.append(line[len(b"gpgsig "):])
            continue
        payload_lines.append(line)
        if line.startswith(b"tree "):
            tree = line[5:].decode()
        elif line.startswith(b"parent "):
            parents.append(line[7:].decode())
        elif line.startswith(b"committer "):
            parts = line.rsplit(b" ", 2)
            committed = datetime.fromtimestamp(int(parts[1]), UTC)
    payload = b"\n".join(payload_lines) + b"\n\n" + message
    return Commit(sha, tree, tuple(parents), committed,
                  b"\n".join(signature_lines).decode(errors="replace"), payload,
                  message.decode(errors="replace"))


def read_objects(repo: Path, names: list[str]) -> dict[str, tuple[str, bytes]]:
    """name -> (type, content) for many objects at once (missing ones are left out).

    All requests go to one ``git cat-file --batch`` in a single write: much faster than
    ``ObjectReader``'s one round trip per object when thousands are needed up front.
    """
    if any("\n" in name for name in names):
        return {}
    try:
        out = git(repo, "cat-file", "--batch", input="".join(f"{n}\n" for n in names).encode())
    except (OSError, GitError):
        return {}
    found: dict[str, tuple[str, bytes]] = {}
    pos = 0
    for name in names:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        found[name] = (header[1].decode(), out[pos:pos + size])
        pos += size + 1
    return found


class ObjectReader:
    """Reads many objects through one ``git cat-file --batch`` process."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self._process = subprocess.Popen(git_command("cat-file", "--batch"), cwd=repo,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         env=git_env(repo))

    def read(self, name: str) -> tuple[str, bytes] | None:
        """(type, content) of the object ``name`` (a sha or ``rev:path``), or None."""
        assert self._process.stdin and self._process.stdout
        if "\n" in name:  # one name per line: a newline would answer the wrong question
            raise GitError(f"{name[:40]!r}... is not an object name (it contains a newline)")
        self._process.stdin.write(name.encode() + b"\n")
        self._process.stdin.flush()
        header = self._process.stdout.readline().split()
        if len(header) < 3 or header[1] == b"missing":
            return None
        size = int(header[2])
        data = self._process.stdout.read(size)
        self._process.stdout.read(1)
        return header[1].decode(), data

    def commit(self, sha: str) -> Commit:
        found = self.read(sha)
        if found is None or found[0] != "commit":
            raise GitError(f"{sha[:7]} is not a commit")
        return parse_commit(sha, found[1])

    def file_at(self, rev: str, path: str) -> bytes | None:
        found = self.read(f"{rev}:{path}")
        return found[1] if found is not None and found[0] == "blob" else None

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        self._process.wait()

    def __enter__(self) -> ObjectReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_branch_name(repo: Path, name: str) -> bool:
    """Whether ``name`` is a well-formed branch name (``main``, ``post/x``): not an option,
    a reflog entry (``main@{1}``), a revision expression (``main^``) or a full ref."""
    if not name or name.startswith(("-", "refs/")):
        return False
    result = subprocess.run(git_command("check-ref-format", f"refs/heads/{name}"),
                            cwd=repo, capture_output=True, env=git_env(repo))
    return result.returncode == 0
