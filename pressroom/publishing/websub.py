"""Instant push with WebSub: tell the department's hub which feeds a publish changed.

Feed readers and alert aggregators poll feeds every few minutes to hours; a safety alert
should not wait for the next poll. WebSub (W3C, formerly PubSubHubbub) lets them subscribe
at a hub instead: every feed names the hub (``pressroom.adapter.feeds``) and, once the new
release is live, ``publish`` sends the hub one form-encoded POST, ``hub.mode=publish`` with a
``hub.url`` for each feed whose bytes changed. The hub fetches those feeds and pushes them on.

Three rules shape this module:

* **Planning is data.** ``feed_digests`` reads a release's feed files; ``plan`` compares the
  live release before and after the publish: new or changed feeds are named, nothing
  changed means no request (a time-driven rebuild that changed no feed pings nobody).
* **The hub never decides publishing.** The site is already live when ``notify`` runs;
  it waits at most ``Delivery.timeout`` seconds per network step, tries ``attempts`` times
  (again only after a connection error, a timeout or a 5xx: a 4xx will not change), and
  returns what happened as a value: it never raises.
* **Every notification is on record.** ``record`` appends one JSON line per notification
  (each attempt's outcome inside) beside the site's other publish records.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from pressroom.repo.site_sections import hub_problem  # noqa: F401 - publish's and the tests' name for the rule

FEED_FOLDER = "feeds"  # every RSS and Atom feed of the site, incident feeds included
FEED_SUFFIXES = (".xml", ".atom")
CAP_INDEX = "cap/index.atom"  # the CAP documents themselves are not feeds: only their index
FORM = "application/x-www-form-urlencoded"


# --- planning ---------------------------------------------------------------------------

def feed_digests(site: Path) -> dict[str, str]:
    """Site path of each feed file (``feeds/**``, ``cap/index.atom``) -> its SHA-256.

    ``site`` is a release folder or the link to the live one; {} when there is none yet."""
    found: dict[str, str] = {}
    folder = site / FEED_FOLDER
    paths = sorted(p for p in folder.rglob("*") if p.suffix in FEED_SUFFIXES) \
        if folder.is_dir() else []
    if (site / CAP_INDEX).is_file():
        paths.append(site / CAP_INDEX)
    for path in paths:
        if path.is_symlink():
            continue
        try:
            data = path.read_bytes()
        except OSError:  # unreadable before: counted as changed; after: not named
            continue
        found[path.relative_to(site).as_posix()] = hashlib.sha256(data).hexdigest()
    return found


def changed_feeds(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """Feeds of ``after`` that are new or whose bytes differ from ``before``, sorted.

    A feed that left the site is not named: there is nothing for the hub to fetch."""
    return sorted(path for path, digest in after.items() if before.get(path) != digest)


@dataclass(frozen=True)
class Push:
    """One notification to send: the hub, the absolute feed URLs, what was published."""

    hub: str
    urls: tuple[str, ...]
    release: str = ""
    commit: str = ""


def plan(hub: str, site_url: str, before: Mapping[str, str], after: Mapping[str, str],
         release: str = "", commit: str = "") -> Push:
    """The notification for a publish that took the live feeds from ``before`` to
    ``after`` (``feed_digests`` of each); ``urls`` is empty when no feed changed."""
    base = site_url.rstrip("/")
    return Push(hub, tuple(f"{base}/{path}" for path in changed_feeds(before, after)),
                release, commit)


def form_body(urls: tuple[str, ...] | list[str]) -> bytes:
    """``hub.mode=publish`` and one ``hub.url`` per feed: hubs take several in one ping."""
    return urlencode([("hub.mode", "publish"), *(("hub.url", url) for url in urls)]).encode()


# --- sending ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Delivery:
    """How hard to try: the default is what ``pressroom publish`` uses (at most about
    3 x 5 s plus 1.5 s of waiting when the hub never answers)."""

    timeout: float = 5.0  # seconds one attempt may take in all (connect, send, answer)
    attempts: int = 3
    backoff: tuple[float, ...] = (0.5, 1.0)  # seconds before the 2nd, 3rd, ... attempt


DEFAULT_DELIVERY = Delivery()


@dataclass
class Notified:
    """What the hub made of one notification (``sent`` False: no feed changed)."""

    hub: str
    urls: tuple[str, ...]
    release: str = ""
    commit: str = ""
    sent: bool = False
    ok: bool = False
    status: int | None = None  # the last HTTP status, if the hub answered at all
    error: str = ""  # why the last attempt failed, "" when it succeeded
    tries: list[dict[str, object]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """The one line ``publish`` prints."""
        if not self.sent:
            return f"WebSub: no feed changed; nothing sent to {self.hub}"
        if self.ok:
            return f"WebSub: notified {self.hub} of {len(self.urls)} " \
                   f"feed{'' if len(self.urls) == 1 else 's'}"
        times = len(self.tries)
        return (f"WebSub: {self.hub} did not accept the notification after {times} "
                f"attempt{'' if times == 1 else 's'} ({self.error}); the site is live, "
                f"readers will see the change when they next poll")

    def to_json(self) -> dict[str, object]:
        return {"hub": self.hub, "release": self.release, "commit": self.commit,
                "urls": list(self.urls), "ok": self.ok, "attempts": len(self.tries),
                "status": self.status, "error": self.error, "tries": self.tries,
                "seconds": round(self.seconds, 3)}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A hub that redirects has not accepted the ping: urllib would resend it as a GET."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, PLR0913
        return None


def _recording(base: type[http.client.HTTPConnection], sockets: list[socket.socket]
               ) -> type[http.client.HTTPConnection]:
    """``base`` that adds each socket it connects to ``sockets`` (so a deadline can close it)."""
    class Recording(base):  # type: ignore[valid-type, misc]
        def connect(self) -> None:
            super().connect()
            sockets.append(self.sock)
    return Recording


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, sockets: list[socket.socket]) -> None:
        super().__init__()
        self.sockets = sockets

    def http_open(self, req):  # noqa: ANN001, ANN201 - urllib's handler protocol
        return self.do_open(_recording(http.client.HTTPConnection, self.sockets), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, sockets: list[socket.socket]) -> None:
        super().__init__()
        self.sockets = sockets

    def https_open(self, req):  # noqa: ANN001, ANN201 - urllib's handler protocol
        return self.do_open(_recording(http.client.HTTPSConnection, self.sockets), req,
                            context=self._context)


def _attempt(push: Push, timeout: float) -> tuple[int | None, str]:
    """One POST within ``timeout`` seconds in all: (HTTP status or None, "" on a 2xx else
    why not). A socket timeout bounds each read, not the answer: a hub sending a byte
    every few seconds would hold publish for days, so the POST runs in a thread and its
    sockets are shut when the time is up."""
    sockets: list[socket.socket] = []
    outcome: list[tuple[int | None, str]] = []
    opener = urllib.request.build_opener(_NoRedirect(), _HTTP(sockets), _HTTPS(sockets))
    worker = threading.Thread(target=lambda: outcome.append(_post(opener, push, timeout)),
                              name="websub", daemon=True)
    worker.start()
    worker.join(timeout)
    if outcome:
        return outcome[0]
    for sock in list(sockets):
        with contextlib.suppress(OSError):  # already closed: nothing left to stop
            sock.shutdown(socket.SHUT_RDWR)
    return None, f"no answer within {timeout:g} s"


def _post(opener: urllib.request.OpenerDirector, push: Push, timeout: float
          ) -> tuple[int | None, str]:
    request = urllib.request.Request(push.hub, data=form_body(push.urls), method="POST",
                                     headers={"Content-Type": FORM,
                                              "User-Agent": "pressroom-websub"})
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(65536)
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
            return None, f"no answer within {timeout:g} s"
        return None, f"cannot connect: {reason}"
    return status, "" if 200 <= status < 300 else f"HTTP {status}"


def _worth_retrying(status: int | None) -> bool:
    """Connection errors, timeouts and 5xx may pass; a 3xx or 4xx answer will not change."""
    return status is None or status >= 500


def notify(push: Push, delivery: Delivery = DEFAULT_DELIVERY,
           sleep: Callable[[float], None] = time.sleep) -> Notified:
    """Send ``push`` to its hub, retrying as ``delivery`` says; never raises.

    Nothing is sent when ``push.urls`` is empty."""
    result = Notified(push.hub, push.urls, push.release, push.commit)
    if not push.urls:
        return result
    result.sent = True
    started = time.monotonic()
    for number in range(max(1, delivery.attempts)):
        if number:
            sleep(delivery.backoff[min(number - 1, len(delivery.backoff) - 1)]
                  if delivery.backoff else 0.0)
        status, error = _attempt(push, delivery.timeout)
        result.status, result.error = status, error
        result.tries.append({"status": status, "error": error})
        if not error:
            result.ok = True
            break
        if not _worth_retrying(status):
            break
    result.seconds = time.monotonic() - started
    return result


# --- the record -------------------------------------------------------------------------

def websub_record(target: Path) -> Path:
    """Beside the site and its ``.NAME.published``: one JSON line per notification."""
    return target.parent / f".{target.name}.websub.jsonl"


def record(target: Path, notified: Notified, now: datetime | None = None) -> None:
    """Append ``notified`` to the target's WebSub record (one ``write`` of one line, so
    two publishes appending at once cannot interleave their lines)."""
    line = json.dumps({"time": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
                       **notified.to_json()})
    with websub_record(target).open("a", encoding="utf-8") as out:
        out.write(line + "\n")


def read_record(target: Path) -> list[dict[str, object]]:
    """Every notification recorded beside ``target``, oldest first (unreadable lines
    skipped: the record is for people, publishing never depends on it)."""
    try:
        lines = websub_record(target).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict):
            out.append(item)
    return out
