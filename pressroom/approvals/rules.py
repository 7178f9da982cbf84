"""392.3, 392.4.1, 392.5 (g): a supervisor's signed merge into main is the authorization.

``pressroom.approvals.verification.verify_history`` replays the approval rules over the
first-parent history of ``main`` after an anchor (by default the root commit, trusted
as the adoption of the roster):

* every commit is a two-parent merge, SSH-signed by a member of the roster *as it
  stood in the merge's first parent* (so a branch can never grant itself rights);
* the signer holds a role that may approve what the merge brings in, as
  ``pressroom.approvals.scope`` decides from what each changed file is: supervisor or chief
  for posts and everything else; incident-commander (or supervisor/chief) for
  incident alerts and the new images they show, and nothing else; the chief alone
  for ``policy/``;
* the merge brings in no symbolic link, submodule or other non-regular file;
* every commit the merge brings in is signed by a roster member whose training is
  current at that commit's date, and the approver signed none of them that changes
  anything (a commit with one parent and that parent's tree, such as the desk's
  send-back note, is not authorship: ``changes_nothing``);
* the merge adds no edits of its own: its tree is the automatic merge of its parents.

This module holds those rules over one merge (``evaluate``), given what
``pressroom.approvals.merges`` read of it and a signature check;
``pressroom.approvals.verification`` walks the history, checks the signatures in parallel
and remembers the merges that passed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from pressroom.approvals.merges import MergePlan, Verifier
from pressroom.approvals.scope import approvers, not_regular, shown
from pressroom.approvals.signatures import SignatureCheck
from pressroom.model.roster import Member, Roster
from pressroom.model.violations import Violation
from pressroom.model.wording import with_article
from pressroom.repo.gitio import Commit
from pressroom.rules.config import RuleConfig


def _refuse(commit: Commit, rule: str, message: str) -> Violation:
    return Violation(commit.short, 0, rule, message)


def required_roles(verifier: Verifier, plan: MergePlan) -> tuple[tuple[str, ...], str]:
    """Which roles may approve what the merge brings in, and why (``scope.approvers``)."""
    return approvers(plan.changes, verifier.blob)


def _names(roles: tuple[str, ...]) -> str:
    """"an incident commander, a supervisor or a chief": roles as a person reads them."""
    named = [with_article(role.replace("-", " ")) for role in roles]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"


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
        if approval.member is not None and check.member.id == approval.member.id \
                and not changes_nothing(verifier, content):
            problems.append(_refuse(commit, "APPROVAL-SELF",
                                    f"{approval.member.id} approved their own commit "
                                    f"{content.short}: someone else must approve it"))
    if plan.own_edits:
        problems.append(_refuse(commit, "APPROVAL-EDITS",
                                "the merge adds edits of its own: its tree is not the automatic "
                                "merge of its parents"))
    return problems


def changes_nothing(verifier: Verifier, commit: Commit) -> bool:
    """Whether ``commit`` has exactly one parent and that parent's tree: it brings in nothing.

    Such a commit (the desk's signed send-back note, ``git commit --allow-empty``) carries
    words, not content, so signing it does not make a supervisor the author of the branch:
    they may still approve it. A merge, or any commit whose tree differs from its parent's,
    is authorship, and an empty commit cannot carry content another commit did not bring.
    """
    if len(commit.parents) != 1:
        return False
    parent = verifier.reader.commit(commit.parents[0])
    return parent.tree == commit.tree


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
    roles, why = required_roles(verifier, plan)
    if approval.member.has_role(*roles):
        return []
    return [_refuse(commit, "APPROVAL-ROLE",
                    f"signed by {approval.member.id} ({', '.join(approval.member.roles)}), but "
                    f"{why}: it needs the approval of {_names(roles)}")]


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
