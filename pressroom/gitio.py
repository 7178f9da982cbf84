"""Reading git history for approvals: commits, their signatures, files at a commit.

Plain ``git`` plumbing through subprocess: it works the same in a working clone,
in a bare server repository and inside a ``pre-receive`` hook (where pushed
objects sit in quarantine that only ``git`` itself knows how to reach).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ZERO = "0" * 40


class GitError(Exception):
    """A git command failed; the message is git's own first line."""


def git(repo: Path, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
    result = subprocess.run(["git", *args], cwd=repo, input=input, capture_output=True)
    if check and result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(message[0] if message else f"git {args[0]} failed")
    return result.stdout


def git_text(repo: Path, *args: str) -> str:
    return git(repo, *args).decode().strip()


def is_ancestor(repo: Path, old: str, new: str) -> bool:
    result = subprocess.run(["git", "merge-base", "--is-ancestor", old, new], cwd=repo,
                            capture_output=True)
    return result.returncode == 0


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
        self._process = subprocess.Popen(["git", "cat-file", "--batch"], cwd=repo,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def read(self, name: str) -> tuple[str, bytes] | None:
        """(type, content) of the object ``name`` (a sha or ``rev:path``), or None."""
        assert self._process.stdin and self._process.stdout
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
