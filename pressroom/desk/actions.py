"""What the desk's buttons do in git: approve and push, send back, commit and push a new post.

Each returns an ``Outcome`` (success or refusal, in words, with the server's own lines) and
never raises for a refusal. Signing is git's: the clone's configured ``user.signingkey`` (or
ssh-agent); the desk never asks for, reads or uploads a key. Nothing is rewritten: approve is
``approvals.workflow.approve`` (the same signed merge as ``pressroom approve``), a send-back
and a new post are new commits made with plumbing on a private index, pushed fast-forward.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pressroom.approvals.workflow import ApprovalRefused, approve
from pressroom.desk import gitops
from pressroom.desk.drafts import Draft, check_text, current_member, now_at, post_path, post_text
from pressroom.desk.queue import SENT_BACK
from pressroom.model.violations import InputError
from pressroom.model.wording import plural

PULL_FIRST = " — run git pull before you push again"  # ends every send-back note


@dataclass
class Outcome:
    ok: bool
    summary: str
    lines: list[str] = field(default_factory=list)  # the server's answer, or the problems
    commit: str = ""
    answered: bool = False  # the lines are the central repository's answer


def _refused(summary: str, lines: list[str] | None = None, answered: bool = False) -> Outcome:
    return Outcome(False, summary, lines or [], answered=answered)


NO_MEMBER = ("git's user.email in this clone matches no member of the roster; run pressroom "
             "setup-signing first.")


def _fetched_tip(repo: Path, name: str, missing: str = "") -> tuple[str, Outcome | None]:
    """Branch ``name``'s commit on the central repository, fetched just now (or the refusal
    to show: the central repository cannot be reached, or has no such branch: ``missing``)."""
    problem = gitops.fetch(repo)
    if problem:
        return "", _refused(f"Cannot reach the central repository: {problem}")
    tip = gitops.text(repo, "rev-parse", "--verify", "--quiet",
                      f"{gitops.remote_ref(name)}^{{commit}}")
    if not tip:
        return "", _refused(missing or f"There is no branch {name} on the central repository.")
    return tip, None


def _pushed(repo: Path, commit: str, branch: str, refused: str, done: str) -> Outcome:
    """Push ``commit`` to the central ``branch`` (fast-forward only) and what the server said."""
    pushed = gitops.push(repo, commit, f"refs/heads/{branch}")
    if not pushed.ok:
        return _refused(refused, gitops.server_lines(pushed), answered=True)
    return Outcome(True, done, gitops.server_lines(pushed), commit, answered=True)


# --- Approve -------------------------------------------------------------------------------

def approve_and_push(repo: Path, name: str, reviewed: str) -> Outcome:
    """Fetch, bring local main up to the central main, the signed merge of ``origin/<name>``
    (exactly ``pressroom approve``), then ``git push origin main``. Refused when the branch
    is no longer at ``reviewed``, the commit the supervisor read. A push the server refuses
    takes the local merge back off main (it never left this clone) and shows why."""
    tip, refused = _fetched_tip(repo, name)
    if refused is not None:
        return refused
    if tip != reviewed:
        return _refused(f"{name} changed since you opened it; review it again before "
                        f"approving.")
    if gitops.text(repo, "status", "--porcelain", "--untracked-files=no"):
        return _refused("This clone has uncommitted changes; commit or stash them first.")
    central = gitops.remote_ref(gitops.MAIN)
    for step in (("switch", "--quiet", gitops.MAIN), ("merge", "--quiet", "--ff-only", central)):
        done = gitops.run(repo, *step)
        if not done.ok:
            return _refused(f"Cannot bring main up to date with the central main: "
                            f"{done.first_line()}")
    own = gitops.text(repo, "rev-list", "--count", f"{central}..{gitops.MAIN}")
    if own != "0":
        count = plural(int(own), "commit") if own.isdigit() else "commits"
        return _refused(f"Your main has {count} of its own that are not on "
                        f"the central main; Approve would push them too. Push them first (git "
                        f"push origin main) or take them off (git reset --keep origin/main).")
    try:
        approval = approve(repo, f"{gitops.REMOTE}/{name}")
    except ApprovalRefused as refused:
        return _refused(f"Not approved: the merge of {name} breaks a rule.", refused.problems)
    except InputError as error:
        return _refused(f"Not approved: {error}")
    if gitops.text(repo, "rev-parse", f"{approval.merge}^2") != reviewed:
        # origin/<name> moved between the check above and the merge (another desk or a
        # terminal fetched into this clone): what was merged is not what was read.
        gitops.run(repo, "reset", "--quiet", "--hard", approval.previous)
        return _refused(f"{name} changed since you opened it; review it again before "
                        f"approving.")
    pushed = gitops.push(repo, gitops.MAIN, f"refs/heads/{gitops.MAIN}")
    answer = gitops.server_lines(pushed)
    if not pushed.ok:
        gitops.run(repo, "reset", "--quiet", "--hard", approval.previous)
        return _refused(f"The central repository refused the approval of {name}; main is as "
                        f"it was.", answer, answered=True)
    who = approval.member.name if approval.member else "you"
    return Outcome(True, f"Approved {name}: merge {approval.merge[:7]} signed by {who} and "
                   f"pushed to main.", answer, approval.merge, answered=True)


# --- Send back -----------------------------------------------------------------------------

def send_back(repo: Path, name: str, note: str) -> Outcome:
    """A signed empty commit on ``origin/<name>`` saying why it was sent back, pushed
    fast-forward: the author sees it on their branch; nothing of theirs is changed."""
    note = " ".join(note.split())
    if not note:
        return _refused("Write a note: say what the author should change.")
    member = current_member(repo)
    if member is None:
        return _refused(NO_MEMBER)
    tip, refused = _fetched_tip(repo, name)
    if refused is not None:
        return refused
    # The note is a commit on the author's branch: a push made without pulling it is refused.
    message = f"{SENT_BACK}{member.name} ({member.id}): {note}{PULL_FIRST}\n"
    made = gitops.run(repo, "commit-tree", "-S", f"{tip}^{{tree}}", "-p", tip,
                      input=message.encode())
    if not made.ok:
        return _refused(f"Cannot sign the note: {made.first_line()}")
    return _pushed(repo, made.out.strip(), name,
                   f"The central repository refused the note on {name}.",
                   f"Sent {name} back to its author with your note.")


# --- Commit and push a new post ------------------------------------------------------------

def commit_draft(repo: Path, draft: Draft) -> Outcome:
    """Branch ``post/<slug>`` from the central main with the draft as its one new file,
    signed and pushed, without touching this clone's index, working tree or branches.

    Refused while the draft breaks a content rule, when the slug is taken on main or
    the branch already exists on the central repository."""
    member = current_member(repo)
    if member is None:
        return _refused(NO_MEMBER)
    if not draft.title:
        return _refused("Give the post a title.")
    now = now_at(repo)
    path = post_path(draft, now)
    data = post_text(draft, member.id, now).encode("utf-8")
    errors = [v for v in check_text(repo, path, data) if v.severity == "error"]
    if errors:
        return _refused("Not committed: the draft breaks a content rule.",
                        [str(v) for v in errors])
    base, refused = _fetched_tip(repo, gitops.MAIN,
                                 missing="The central repository has no main branch yet.")
    if refused is not None:
        return refused
    branch = f"post/{path.rsplit('/', 1)[1][:-3]}"
    if gitops.exists(repo, gitops.remote_ref(branch)):
        return _refused(f"Branch {branch} already exists on the central repository; "
                        f"choose another title.")
    slug_file = "/" + path.rsplit("/", 1)[1]
    taken = [p for p in (gitops.text(repo, "ls-tree", "-r", "--name-only", base, "content/")
                         or "").splitlines() if p.endswith(slug_file)]
    if taken:
        return _refused(f"The address of this title is already used by {taken[0]}; "
                        f"choose another title.")
    with tempfile.TemporaryDirectory(prefix="pressroom-desk-") as scratch:
        commit = _commit_file(repo, Path(scratch) / "index", base, path, data,
                              f"{draft.title}\n")
    if isinstance(commit, Outcome):
        return commit
    return _pushed(repo, commit, branch, f"The central repository refused {branch}.",
                   f"Pushed {branch} with {path}: it is in the queue for a supervisor.")


def _commit_file(repo: Path, index: Path, base: str, path: str, data: bytes,
                 message: str) -> str | Outcome:
    """A signed commit of ``base``'s tree plus ``path``, made on the private ``index``."""
    blob = gitops.run(repo, "hash-object", "-w", "--stdin", input=data)
    steps = [("read-tree", base), ("update-index", "--add", "--cacheinfo",
                                   f"100644,{blob.out.strip()},{path}"), ("write-tree",)]
    done = blob
    for step in steps:
        if not done.ok:
            break
        done = gitops.run(repo, *step, index=index)
    if not done.ok:
        return _refused(f"Cannot make the commit: {done.first_line()}")
    made = gitops.run(repo, "commit-tree", "-S", done.out.strip(), "-p", base,
                      input=message.encode())
    if not made.ok:
        return _refused(f"Cannot sign the commit: {made.first_line()}")
    return made.out.strip()
