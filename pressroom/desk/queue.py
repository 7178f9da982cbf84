"""The supervisor's queue: branches on the central repository not yet merged into main.

Read from git objects only (``refs/remotes/origin/*``, their commits and the post files
they add or change): nothing is checked out, no file of a branch is run. Each entry says
who wrote it, its category, whether it is an incident alert, how many content-rule findings
its posts have, how old it is, and whether a supervisor sent it back (with the note).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pressroom.approvals.signatures import allowed_signers, check_signature
from pressroom.desk import gitops
from pressroom.desk.drafts import check_text, main_context
from pressroom.model.frontmatter import parse_header
from pressroom.model.violations import Violation
from pressroom.repo.gitio import parse_commit
from pressroom.repo.sources import is_post_path

SENT_BACK = "Sent back by "  # how a send-back commit's message starts (actions.send_back)


@dataclass
class Post:
    """One post file the branch adds or changes, as its header says."""

    path: str
    title: str
    category: str
    incident: str


@dataclass
class Entry:
    """One branch in the queue."""

    name: str  # without origin/, e.g. post/road-closure
    tip: str
    author: str
    when: datetime
    posts: list[Post] = field(default_factory=list)
    findings: list[Violation] = field(default_factory=list)
    other_files: list[str] = field(default_factory=list)
    sent_back: str = ""  # "by <member>: <note>" when the tip is a send-back commit

    @property
    def categories(self) -> list[str]:
        return sorted({p.category for p in self.posts if p.category})

    @property
    def incident(self) -> bool:
        return any(p.incident or p.category == "safety-alerts" for p in self.posts)

    def age(self, now: datetime | None = None) -> str:
        seconds = max(0, int(((now or datetime.now(UTC)) - self.when).total_seconds()))
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if seconds >= size:
                count = seconds // size
                return f"{count} {unit}{'s' if count != 1 else ''} ago"
        return "just now"


def branch_names(repo: Path) -> list[str]:
    """Branches on origin not merged into origin/main, newest commit first."""
    listed = gitops.text(repo, "for-each-ref", "--sort=-committerdate",
                         f"--no-merged={gitops.remote_ref(gitops.MAIN)}",
                         "--format=%(refname)", f"refs/remotes/{gitops.REMOTE}/")
    prefix = f"refs/remotes/{gitops.REMOTE}/"
    names = [ref[len(prefix):] for ref in (listed or "").splitlines() if ref.startswith(prefix)]
    return [name for name in names if name not in (gitops.MAIN, "HEAD")]


def entry(repo: Path, name: str) -> Entry | None:
    """The queue's entry for ``origin/<name>`` (None: no such branch)."""
    ref = gitops.remote_ref(name)
    shown = gitops.text(repo, "log", "-1", "--format=%H%x00%ct%x00%B", ref)
    if shown is None:
        return None
    tip, stamp, message = (shown.split("\0") + ["", ""])[:3]
    authors = gitops.text(repo, "log", "--reverse", "--format=%an",
                          f"{gitops.remote_ref(gitops.MAIN)}..{ref}") or ""
    found = Entry(name, tip, (authors.splitlines() or ["?"])[0],
                  datetime.fromtimestamp(int(stamp or 0), UTC))
    if message.startswith(SENT_BACK):
        found.sent_back = sent_back_note(repo, tip, message)
    for status, mode, path in gitops.changed_files(repo, gitops.remote_ref(gitops.MAIN), tip):
        if status == "D" or not is_post_path(path) or mode not in ("100644", "100755"):
            found.other_files.append(path)
            continue
        data = gitops.read_blob(repo, tip, path) or b""
        header = parse_header(data.decode("utf-8", errors="replace")).fields
        found.posts.append(Post(path, *(header[key].value if key in header else ""
                                        for key in ("title", "category", "incident"))))
        found.findings += check_text(repo, path, data)
    return found


def sent_back_note(repo: Path, tip: str, message: str) -> str:
    """"by <name> (<id>): <note>" when ``tip`` is a real send-back: it changes no file and
    its signature verifies as the roster member its message names; "" otherwise (anyone can
    write "Sent back by the chief" in a commit message of their own)."""
    raw = gitops.read_commit(repo, tip)
    commit = parse_commit(tip, raw) if raw is not None else None
    if commit is None or len(commit.parents) != 1 or \
            gitops.text(repo, "rev-parse", f"{commit.parents[0]}^{{tree}}") != commit.tree:
        return ""
    roster = main_context(repo).roster
    with tempfile.TemporaryDirectory(prefix="pressroom-desk-signers-") as scratch:
        signers = Path(scratch) / "allowed_signers"
        signers.write_text(allowed_signers(roster), encoding="utf-8")
        member = check_signature(commit.signature, commit.payload, roster, str(signers)).member
    said = " ".join(message[len(SENT_BACK):].split())
    if member is None or not said.startswith(f"{member.name} ({member.id}): "):
        return ""
    return "by " + said


def load(repo: Path) -> list[Entry]:
    """Every branch in the queue, newest first (call ``gitops.fetch`` before for fresh refs)."""
    entries = [entry(repo, name) for name in branch_names(repo)]
    return [e for e in entries if e is not None]
