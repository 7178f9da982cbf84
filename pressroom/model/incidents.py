"""392.4 (e) and 392.4.1: incidents and real-time safety alerts over time.

An incident is a thread of safety-alerts posts sharing an ``Incident:`` id: the
first alert, its updates, and an all-clear (``Response: AllClear``). A safety
alert without an ``Incident:`` is a thread of one. A thread is *active* while
its latest public post is not an all-clear and not past its ``Expires``; active
threads are shown in the banner on every page. All of it is a pure function of
the posts and "now", so a build is reproducible and ``pressroom due`` can say
when the site will next change by itself (``upcoming_changes``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pressroom.model.content import Post

CAP_INDEX_GRACE = timedelta(hours=48)  # ended alerts stay in the CAP index this long


@dataclass(frozen=True)
class Thread:
    """One incident (or one standalone alert): its public posts, oldest first."""

    id: str
    posts: tuple[Post, ...]

    @property
    def first(self) -> Post:
        return self.posts[0]

    @property
    def latest(self) -> Post:
        return self.posts[-1]

    @property
    def cleared(self) -> bool:
        return self.latest.alert.get("response") == "AllClear"

    @property
    def ends(self) -> datetime:
        """When the thread stops being active: its all-clear, else its latest expiry."""
        if self.cleared:
            return self.latest.date
        return self.latest.expires or self.latest.date

    def active(self, now: datetime) -> bool:
        return not self.cleared and now < self.ends

    def status(self, now: datetime) -> str:
        if self.cleared:
            return "All clear"
        return "Active" if self.active(now) else "Ended"

    @property
    def area(self) -> str:
        return next((p.area for p in reversed(self.posts) if p.area), "")

    @property
    def instruction(self) -> str:
        return next((p.alert.get("instruction", "") for p in reversed(self.posts)
                     if p.alert.get("instruction")), "")


def thread_id(post: Post) -> str:
    return post.incident or post.slug


def threads(posts: Iterable[Post], now: datetime) -> dict[str, Thread]:
    """Every thread of public safety alerts, keyed by incident id (or slug)."""
    grouped: dict[str, list[Post]] = {}
    for post in posts:
        if post.category == "safety-alerts" and post.is_public(now):
            grouped.setdefault(thread_id(post), []).append(post)
    return {key: Thread(key, tuple(sorted(items, key=lambda p: (p.date, p.slug))))
            for key, items in sorted(grouped.items())}


def active_threads(posts: Iterable[Post], now: datetime) -> list[Thread]:
    """Threads for the banner, most recently updated first."""
    live = [t for t in threads(posts, now).values() if t.active(now)]
    return sorted(live, key=lambda t: (t.latest.date, t.id), reverse=True)


def in_cap_index(thread: Thread, now: datetime) -> bool:
    """Active threads, and ended ones for 48 hours after they ended."""
    return thread.active(now) or now < thread.ends + CAP_INDEX_GRACE


def upcoming_changes(posts: Iterable[Post], now: datetime) -> list[tuple[datetime, str]]:
    """Every moment after ``now`` at which the published site changes by itself, with why.

    An embargoed post falling due, an active alert expiring (it leaves the banner),
    or an ended alert leaving the CAP index. Sorted, soonest first.
    """
    posts = list(posts)
    moments = [(p.date, f"{p.path} is published") for p in posts
               if p.status == "published" and p.date > now]
    for thread in threads(posts, now).values():
        if thread.active(now):
            moments.append((thread.ends, f"the alert {thread.id!r} expires"))
        if now < thread.ends + CAP_INDEX_GRACE:
            moments.append((thread.ends + CAP_INDEX_GRACE,
                            f"the alert {thread.id!r} leaves the CAP index"))
    return sorted(m for m in moments if m[0] > now)
