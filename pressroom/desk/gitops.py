"""git for the desk: with a time limit, a private index when asked, and the central repository.

Everything goes through ``gitio.git_command`` and ``gitio.git_env`` (real objects only). Two
things ``gitio.git`` does not give: a time limit (a central repository that does not answer
must not hang a page) and a temporary index (``GIT_INDEX_FILE``, which ``git_env`` drops on
purpose) so a commit can be made without touching the clone's index or working tree.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pressroom.repo.gitio import git_command, git_env

REMOTE = "origin"
MAIN = "main"
FETCH_TIMEOUT = 15.0  # seconds: a central repository that does not answer in time is "offline"
PUSH_TIMEOUT = 120.0  # the server's hook verifies the history: give it time
LOCK_TIMEOUT = 300.0  # waiting for another desk's action in the same clone (a push and more)


@dataclass(frozen=True)
class Run:
    """A finished git process: exit code and its output, decoded."""

    code: int
    out: str
    err: str

    @property
    def ok(self) -> bool:
        return self.code == 0

    def first_line(self) -> str:
        lines = [line for line in self.err.splitlines() if line.strip()]
        return lines[0].strip() if lines else f"git exited with {self.code}"


def run(repo: Path, *args: str, input: bytes | None = None, timeout: float = 60.0,
        index: Path | None = None) -> Run:
    """git ``args`` in ``repo``; ``index``: a private index file (the clone's is untouched).

    A time-out is a ``Run`` with code 124 and a message, never an exception."""
    env = git_env(repo)
    env["GIT_TERMINAL_PROMPT"] = "0"  # never wait for a password on a page load
    if index is not None:
        env["GIT_INDEX_FILE"] = str(index)
    try:
        done = subprocess.run(git_command(*args), cwd=repo, input=input, capture_output=True,
                              env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Run(124, "", f"git {args[0]} did not finish within {timeout:.0f} seconds")
    except OSError as exc:
        return Run(127, "", f"cannot run git: {exc.strerror or exc}")
    return Run(done.returncode, done.stdout.decode(errors="replace"),
               done.stderr.decode(errors="replace"))


def text(repo: Path, *args: str) -> str | None:
    """git's output, stripped, or None when the command failed."""
    done = run(repo, *args)
    return done.out.strip() if done.ok else None


def fetch(repo: Path, timeout: float = FETCH_TIMEOUT) -> str | None:
    """``git fetch --prune origin``: None when it worked, else one line saying why not."""
    done = run(repo, "fetch", "--quiet", "--prune", REMOTE, timeout=timeout)
    return None if done.ok else done.first_line()


def remote_ref(name: str) -> str:
    return f"refs/remotes/{REMOTE}/{name}"


def exists(repo: Path, ref: str) -> bool:
    return run(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").ok


def read_blob(repo: Path, commit: str, path: str) -> bytes | None:
    done = subprocess.run(git_command("cat-file", "blob", f"{commit}:{path}"), cwd=repo,
                          capture_output=True, env=git_env(repo))
    return done.stdout if done.returncode == 0 else None


def read_commit(repo: Path, sha: str) -> bytes | None:
    """The raw commit object (bytes: its signature covers them exactly)."""
    done = subprocess.run(git_command("cat-file", "commit", sha), cwd=repo,
                          capture_output=True, env=git_env(repo))
    return done.stdout if done.returncode == 0 else None


def changed_files(repo: Path, base: str, tip: str) -> list[tuple[str, str, str]]:
    """(status, mode, path) of every file ``tip`` adds or changes since its merge base with
    ``base`` (what the branch brings in, not what main did meanwhile)."""
    found = run(repo, "diff-tree", "-r", "-z", "--no-renames", "--merge-base", base, tip)
    if not found.ok:
        return []
    parts = found.out.split("\0")
    out = []
    for meta, path in zip(parts[0::2], parts[1::2], strict=False):
        fields = meta.lstrip(":").split()
        if len(fields) == 5:
            out.append((fields[4], fields[1], path))
    return out


def push(repo: Path, source: str, ref: str) -> Run:
    """``git push origin SOURCE:REF`` — never forced: a branch only moves forward."""
    return run(repo, "push", REMOTE, f"{source}:{ref}", timeout=PUSH_TIMEOUT)


def server_lines(done: Run) -> list[str]:
    """What the server said: its hook's ``remote:`` lines and git's verdict, for the page."""
    lines = []
    for line in (done.err + "\n" + done.out).splitlines():
        line = line.rstrip()
        if line.startswith("remote:"):
            line = line[len("remote:"):].strip()
        if line.strip() and not line.startswith(("To ", "Done")):
            lines.append(line.strip())
    return lines


class Busy(Exception):
    """Another desk (or another click) kept the clone busy longer than the wait allowed."""


class CloneLock:
    """One git-changing action at a time in a clone: across this desk's threads, and across
    desks on the same clone (another process: an ``flock`` on ``pressroom-desk.lock`` in
    the clone's git folder). Without it, a second desk could merge, reset or abort while
    the first was between its checks and its push."""

    def __init__(self, repo: Path, timeout: float = LOCK_TIMEOUT) -> None:
        self.repo = repo
        self.timeout = timeout
        self._thread = threading.Lock()
        self._fd: int | None = None

    def __enter__(self) -> CloneLock:
        deadline = time.monotonic() + self.timeout
        if not self._thread.acquire(timeout=self.timeout):
            raise Busy(BUSY)
        try:
            self._fd = self._take_file(deadline)
        except BaseException:
            self._thread.release()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None
        self._thread.release()

    def _take_file(self, deadline: float) -> int | None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: this process's lock only
            return None
        common = text(self.repo, "rev-parse", "--path-format=absolute", "--git-common-dir")
        if not common:
            return None
        fd = os.open(Path(common) / "pressroom-desk.lock", os.O_RDWR | os.O_CREAT, 0o600)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise Busy(BUSY) from None
                time.sleep(0.1)


BUSY = ("Another desk is working in this clone (an approval or a push); try again in a "
        "moment.")
