"""392.3 and 392.8: posts are by authorized members whose training is current.

A post's author must be on the roster (``pressroom.model.content.check_author``) and
must have completed social-media training within the training period before
the post's date. A post dated before the member's latest training is judged by
that training too, since the roster keeps only the latest date: it was checked
when it was committed. ``training_due`` lists members whose training lapses
soon, so the department can schedule it before anyone is blocked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pressroom.model.content import Post
from pressroom.model.roster import ROSTER_PATH, Member, Roster
from pressroom.model.violations import Violation
from pressroom.rules.config import RuleConfig


def training_expires(member: Member, config: RuleConfig) -> date | None:
    if member.trained is None:
        return None
    return member.trained + timedelta(days=config.training_period_days)


def check_training(post: Post, roster: Roster, config: RuleConfig) -> list[Violation]:
    member = roster.get(post.author)
    if member is None:
        return []  # FRONT-AUTHOR reports it
    expires = training_expires(member, config)
    posted = post.date.date()
    if expires is None:
        reason = f"{member.name} ({member.id}) has no training date in {ROSTER_PATH}"
    elif posted > expires:
        reason = (f"{member.name}'s social-media training expired on {expires.isoformat()} "
                  f"(trained {member.trained.isoformat()}, valid "
                  f"{config.training_period_days} days)")
    else:
        return []
    return [Violation(post.path, post.line_of("author"), "AUTHOR-TRAINING",
                      f"{reason}; only a trained member may post (392.8): take the training "
                      f"(the chief records its date in the roster), or ask a trained member "
                      f"to post it")]


@dataclass(frozen=True)
class TrainingDue:
    member: Member
    due: date | None

    def __str__(self) -> str:
        when = self.due.isoformat() if self.due else "now (no training date)"
        return f"{ROSTER_PATH}: AUTHOR-TRAINING-DUE: {self.member.name} ({self.member.id}) " \
               f"needs social-media training by {when} (392.8)"


def training_due(roster: Roster, config: RuleConfig, today: date) -> list[TrainingDue]:
    """Members whose training has lapsed or lapses within the warning period."""
    soon = today + timedelta(days=config.training_warn_days)
    due = []
    for member in roster.members.values():
        expires = training_expires(member, config)
        if expires is None or expires <= soon:
            due.append(TrainingDue(member, expires))
    return due
