"""392.6: the annual review of the department's social media, computed from the record.

The supervisor the Chief appoints reports on the resources used, the
effectiveness of the content, any unauthorized or inappropriate content and how
it was resolved. Every figure comes from git history (what was published, by
whom, approved by whom, how fast), the posts themselves (incidents, suppressed
rule exceptions) and, when given, the web server's access logs (Combined Log
Format). The same repository, year and logs give the same ``Review``.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from pressroom.approvals.merges import Verifier
from pressroom.approvals.verification import first_parent_chain, verify_history
from pressroom.model.categories import CATEGORIES
from pressroom.model.incidents import threads
from pressroom.records.history import RetentionRecord, published_versions
from pressroom.repo.sources import Sources
from pressroom.rules.authors import training_expires
from pressroom.rules.config import RuleConfig
from pressroom.rules.suppressions import find_suppressions

LOG_LINE = re.compile(r'^\S+ \S+ \S+ \[(?P<when>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+)[^"]*" '
                      r'(?P<status>\d{3}) \S+(?: "[^"]*" "(?P<agent>[^"]*)")?')
BOTS = re.compile(r"(?i)bot|crawl|spider|slurp|archiver|curl|wget|python-requests|httpclient|"
                  r"headless|monitor|uptime")


@dataclass
class Review:
    year: int
    as_of: date
    members_by_role: dict[str, list[str]] = field(default_factory=dict)
    posts_by_category: dict[str, int] = field(default_factory=dict)
    posts_by_month: list[int] = field(default_factory=lambda: [0] * 12)
    posts_by_author: dict[str, int] = field(default_factory=dict)
    approvals_by_member: dict[str, int] = field(default_factory=dict)
    hours_to_approval: list[float] = field(default_factory=list)
    incidents: int = 0
    incident_updates: int = 0
    minutes_between_updates: list[float] = field(default_factory=list)
    has_logs: bool = False
    views_by_post: dict[str, int] = field(default_factory=dict)   # slug -> views
    views_by_category: dict[str, int] = field(default_factory=dict)
    feed_fetches: int = 0
    bot_requests: int = 0
    unread: list[str] = field(default_factory=list)               # titles
    titles: dict[str, str] = field(default_factory=dict)          # slug -> title
    retractions: list[RetentionRecord] = field(default_factory=list)
    suppressions: list[str] = field(default_factory=list)
    verify_problems: list[str] = field(default_factory=list)
    training: list[tuple[str, str, str]] = field(default_factory=list)  # id, name, status

    @staticmethod
    def percentile(values: list[float], share: float) -> float | None:
        if not values:
            return None
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]

    @property
    def median_hours(self) -> float | None:
        return statistics.median(self.hours_to_approval) if self.hours_to_approval else None


def _in_year(stamp: str, year: int) -> bool:
    return stamp[:4] == str(year)


def compute_review(repo: Path, sources: Sources, config: RuleConfig, tz: tzinfo, year: int,
                   logs: Iterable[str] = (), as_of: date | None = None) -> Review:
    as_of = as_of or date(year, 12, 31)
    review = Review(year, as_of)
    roster = sources.roster
    for role in ("chief", "supervisor", "incident-commander", "pio", "author"):
        review.members_by_role[role] = sorted(m.name for m in roster.members.values()
                                              if m.has_role(role))
    records = published_versions(repo, tz)
    review.titles = {r.slug: r.title for r in records if r.title}
    added = [r for r in records if r.change == "added" and _in_year(r.approved_at, year)]
    category_of = {r.slug: r.category for r in records}
    review.posts_by_category = {c.slug: sum(1 for r in added if r.category == c.slug)
                                for c in CATEGORIES}
    for record in added:
        review.posts_by_month[int(record.approved_at[5:7]) - 1] += 1
    review.posts_by_author = dict(sorted(Counter(r.author for r in added).items()))
    _approvals(repo, review, year, tz)
    review.retractions = [r for r in records if r.retraction and _in_year(r.approved_at, year)
                          and not any(o.slug == r.slug and o.retraction and
                                      o.approved_at < r.approved_at for o in records)]
    year_end = datetime(year, 12, 31, 23, 59, tzinfo=tz)
    for thread in threads(sources.posts, year_end).values():
        if thread.first.incident and thread.first.date.year == year:
            review.incidents += 1
            review.incident_updates += len(thread.posts) - 1
            moments = [p.date for p in thread.posts]
            review.minutes_between_updates += [(b - a).total_seconds() / 60
                                               for a, b in zip(moments, moments[1:],
                                                               strict=False)]
    for post in sources.posts:
        found, _ = find_suppressions(post.path, post.body)
        review.suppressions += [f"{post.path}: allows {s.rule_id}: {s.reason}" for s in found]
    result = verify_history(repo, _main(repo))
    review.verify_problems = [str(p) for p in result.problems]
    soon = as_of + timedelta(days=90)
    for member in sorted(roster.members.values(), key=lambda m: m.id):
        due = training_expires(member, config)
        if due is None or due <= soon:
            status = ("no training date" if due is None else
                      f"lapsed {due.isoformat()}" if due < as_of else f"due {due.isoformat()}")
            review.training.append((member.id, member.name, status))
    lines = list(logs)
    if lines:
        review.has_logs = True
        _effectiveness(review, lines, year, added, category_of)
    return review


def _main(repo: Path) -> str:
    from pressroom.repo.gitio import git_text

    return git_text(repo, "rev-parse", "main")


def _approvals(repo: Path, review: Review, year: int, tz: tzinfo) -> None:
    """Who approved, and how long from a branch's first commit to its approval."""
    from pressroom.approvals.signatures import claimed_signer
    from pressroom.repo.gitio import git_text

    chain, anchor = first_parent_chain(repo, _main(repo), None)
    verifier = Verifier(repo)
    try:
        commits = [verifier.reader.commit(sha) for sha in chain]
        known = set(git_text(repo, "rev-list", anchor).split())
        counts: Counter[str] = Counter()
        for plan in verifier.plan(commits, known):
            merged = plan.commit.committed
            if merged.astimezone(tz).year != year or not plan.brought_in:
                continue
            signer = claimed_signer(plan.commit.signature,
                                    verifier.roster_at(plan.commit.parents[0])[0])
            counts[signer.id if signer else "unsigned"] += 1
            started = min(c.committed for c in plan.brought_in)
            review.hours_to_approval.append((merged - started).total_seconds() / 3600)
        review.approvals_by_member = dict(sorted(counts.items()))
    finally:
        verifier.close()


def _effectiveness(review: Review, lines: list[str], year: int,
                   added: list[RetentionRecord], category_of: dict[str, str]) -> None:
    views: Counter[str] = Counter()
    for line in lines:
        match = LOG_LINE.match(line)
        if not match or match.group("method") not in ("GET", "HEAD"):
            continue
        if match.group("when")[7:11] != str(year) or match.group("status")[0] not in "23":
            continue
        if BOTS.search(match.group("agent") or ""):
            review.bot_requests += 1
            continue
        path = match.group("path").split("?", 1)[0]
        if path.startswith(("/feeds/", "/cap/")):
            review.feed_fetches += 1
            continue
        parts = [p for p in path.split("/") if p and p != "index.html"]
        if len(parts) == 2 and parts[0].isdigit() and parts[1] in category_of:
            views[parts[1]] += 1
    review.views_by_post = dict(sorted(views.items(), key=lambda kv: (-kv[1], kv[0])))
    review.views_by_category = {c.slug: sum(n for slug, n in views.items()
                                            if category_of.get(slug) == c.slug)
                                for c in CATEGORIES}
    review.unread = sorted(r.title for r in added if views.get(r.slug, 0) == 0)
