"""392.4 (e) and 392.4.1: incidents and real-time safety alerts over time.

An incident is a thread of safety-alerts posts sharing an ``Incident:`` id: the
first alert, its updates, and an all-clear (``Response: AllClear``). A safety
alert without an ``Incident:`` is a thread of one. A thread is *active* while
its latest public post is not an all-clear and not past its ``Expires``; active
threads are shown in the banner on every page. All of it is a pure function of
the posts and "now", so a build is reproducible and ``pressroom due`` can say
when the site will next change by itself (``upcoming_changes``).

Order within a thread is the thread's own (``order_key``), never the slug alone: by
``Date``, then the explicit ``Sequence:`` that ``pressroom new --incident`` fills in, and an
all-clear after the updates of its minute unless a sequence says otherwise. Every listing
(home, category, incident page, feeds, CAP) sorts by the same key, so they all agree.
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
        """When the thread stops being active: its all-clear, else its latest expiry, or
        earlier when the latest message was withdrawn (392.5: a false or outdated alert
        stays readable under its notice, but is no longer a danger to show as active)."""
        if self.cleared:
            return self.latest.date
        ends = self.latest.expires or self.latest.date
        if self.latest.retraction == "withdraw" and self.latest.retracted is not None:
            ends = min(ends, max(self.latest.retracted, self.latest.date))
        return ends

    def active(self, now: datetime) -> bool:
        return not self.cleared and now < self.ends

    def status(self, now: datetime) -> str:
        if self.cleared:
            return "All clear"
        return "Active" if self.active(now) else "Ended"

    @property
    def area(self) -> str:
        return next((p.area for p in reversed(self.posts) if p.area), "")

    def area_at(self, index: int) -> str:
        """Where message ``index`` is about: its own Area, else the latest Area of the
        messages before it. Never a later message's: a CAP document, once sent, must not
        change because an update written after it moved the area."""
        return next((p.area for p in reversed(self.posts[:index + 1]) if p.area), "")

    @property
    def instruction(self) -> str:
        return next((p.alert.get("instruction", "") for p in reversed(self.posts)
                     if p.alert.get("instruction")), "")


def thread_id(post: Post) -> str:
    return post.incident or post.slug


def minute_rank(sequence: int, response: str) -> float:
    """Where a post stands among the posts of its ``Date``: its ``Sequence`` when it has one,
    else before them (0) — or, for an all-clear, after them (infinity).

    Two updates of one incident are often approved in the same minute; the slug says nothing
    about which came later ("still closed" must not end up above the all-clear).
    """
    if sequence:
        return sequence
    return float("inf") if response == "AllClear" else 0


def order_key(date: datetime, sequence: int, response: str,
              slug: str) -> tuple[float, float, str]:
    """The one listing order, newest first: ``sorted(..., key=order_key(...))``.

    Date first, then ``minute_rank`` (later first), then the slug, so that every build lists
    posts in the same order. A thread's chronological order is exactly this list reversed
    (``threads``), so "latest" means the same post on every page, feed and CAP document.
    """
    return (-date.timestamp(), -minute_rank(sequence, response), slug)


def post_order(post: Post) -> tuple[float, float, str]:
    """``order_key`` of a post."""
    return order_key(post.date, post.sequence, post.alert.get("response", ""), post.slug)


def message_areas(posts: Iterable[Post]) -> dict[str, str]:
    """``Thread.area_at`` for every safety alert among ``posts``, by path (what ``check`` and
    the review show before any build): its Area, else the latest Area of the earlier
    messages of its incident — real ones for a real message, test ones for a test
    (``test_threads``); a removed message lends its Area to none. One pass per incident."""
    incidents: dict[tuple[str, bool], list[Post]] = {}
    areas: dict[str, str] = {}
    for post in posts:
        if post.category != "safety-alerts":
            continue
        areas[post.path] = post.area
        if post.incident:
            incidents.setdefault((post.incident, post.is_test), []).append(post)
    for messages in incidents.values():
        latest = ""
        for post in sorted(messages, key=post_order, reverse=True):  # oldest first
            areas[post.path] = post.area or latest
            if post.area and not post.removed:
                latest = post.area
    return areas


def threads(posts: Iterable[Post], now: datetime) -> dict[str, Thread]:
    """Every thread of public safety alerts, keyed by incident id (or slug)."""
    return _grouped(p for p in posts if p.category == "safety-alerts" and p.is_public(now))


def _grouped(posts: Iterable[Post]) -> dict[str, Thread]:
    """``posts`` as threads keyed by incident id (or slug), each oldest first."""
    grouped: dict[str, list[Post]] = {}
    for post in posts:
        grouped.setdefault(thread_id(post), []).append(post)
    return {key: Thread(key, tuple(reversed(sorted(items, key=post_order))))
            for key, items in sorted(grouped.items())}


def test_threads(posts: Iterable[Post], now: datetime) -> dict[str, Thread]:
    """Every thread of due ``Status: test`` safety alerts, keyed like ``threads``.

    A test message exercises the alerting chain: it gets a CAP document (``<status>Test``)
    and a CAP index entry, never a page, feed or banner. It is threaded only with the
    test messages of its incident, so a real message never ``references`` a test one
    (nor a test one a real one). It appears once its Date is due, and never once removed.
    """
    return _grouped(p for p in posts if p.category == "safety-alerts" and p.is_test
                    and p.date <= now and not p.removed)


def active_threads(posts: Iterable[Post], now: datetime) -> list[Thread]:
    """Threads for the banner, most recently updated first."""
    live = [t for t in threads(posts, now).values() if t.active(now)]
    return sorted(live, key=lambda t: (t.latest.date, t.id), reverse=True)


def in_cap_index(thread: Thread, now: datetime) -> bool:
    """Active threads, and ended ones for 48 hours after they ended."""
    return thread.active(now) or now < thread.ends + CAP_INDEX_GRACE


def upcoming_changes(posts: Iterable[Post], now: datetime) -> list[tuple[datetime, str]]:
    """Every moment after ``now`` at which the published site changes by itself, with why.

    An embargoed post (or a test alert) falling due, an active alert expiring (it leaves
    the banner), an earlier message of an active incident expiring (its page says so), or
    an ended alert leaving the CAP index. Sorted, soonest first.
    """
    posts = list(posts)
    moments = [(p.date, f"{p.path} is published") for p in posts
               if p.status == "published" and p.date > now]
    moments += [(p.date, f"{p.path} (a test alert) goes to the CAP index") for p in posts
                if p.is_test and p.category == "safety-alerts" and p.date > now]
    for thread in threads(posts, now).values():
        if thread.active(now):
            moments.append((thread.ends, f"the alert {thread.id!r} expires"))
            # An earlier message's own expiry: its page turns "Until" into "Expired".
            moments += [(p.expires, f"{p.path} expires") for p in thread.posts[:-1]
                        if p.expires and now < p.expires < thread.ends]
        if now < thread.ends + CAP_INDEX_GRACE:
            moments.append((thread.ends + CAP_INDEX_GRACE,
                            f"the alert {thread.id!r} leaves the CAP index"))
    for thread in test_threads(posts, now).values():  # in the CAP index only
        if now < thread.ends + CAP_INDEX_GRACE:
            moments.append((thread.ends + CAP_INDEX_GRACE,
                            f"the test alert {thread.id!r} leaves the CAP index"))
    return sorted(m for m in moments if m[0] > now)
