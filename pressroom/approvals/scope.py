"""What a file in a merge IS, and so who may approve bringing it in (392.3, 392.4.1).

Role scope is decided here and only here. ``classify`` says what one path is —
from its place, its git file mode and (for posts) its parsed front matter, exactly
as the build will read it — and ``approvers`` turns the changes of a merge into
the roles that may sign it:

* anything under ``policy/`` (the roster, the rules): the chief alone;
* only incident alerts and the new images they show: an incident commander too;
* everything else — other posts, pages, images, any other file under ``content/``,
  theme, plugins, settings, deletions: a supervisor or the chief.

An incident commander's scope is checked on both sides of the merge: a file that
is an incident alert now must have been one before (if it existed), so an
incident commander cannot turn a press release into an alert, and deleting a file
is never theirs to approve. Symbolic links and submodules are not files at all:
``not_regular`` names them so verification can refuse them outright.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC
from enum import Enum
from typing import NamedTuple

from pressroom.checking.images import IMAGE_SUFFIXES
from pressroom.model.content import parse_post
from pressroom.repo.sources import is_post_path
from pressroom.rules.document import make_document, search
from pressroom.rules.images import _SRC, HTML_IMAGE, MARKDOWN_IMAGE, _attr, image_path

POST_APPROVERS = ("supervisor", "chief")
INCIDENT_APPROVERS = ("incident-commander", "supervisor", "chief")
POLICY_APPROVERS = ("chief",)

TREE_MODE = "40000"
REGULAR_MODES = ("100644", "100755")
NOT_REGULAR = {"120000": "a symbolic link", "160000": "a submodule (gitlink)"}


class Kind(Enum):
    POLICY = "a policy file"
    INCIDENT_ALERT = "an incident alert"
    POST = "a post that is not an incident alert"
    IMAGE = "an image"
    PAGE = "a page"
    CONTENT_OTHER = "a file under content/ that is not a post or an image"
    SITE = "site code or settings"
    NOT_A_FILE = "not a regular file"


class Entry(NamedTuple):
    """One side of a changed path: its git file mode and object id ("" when absent)."""

    mode: str = ""
    sha: str = ""

    def __bool__(self) -> bool:
        return bool(self.sha)


ABSENT = Entry()

# blob id -> its bytes (None when it cannot be read: then it is nothing an IC may approve)
Reader = Callable[[str], bytes | None]


def shown(path: str) -> str:
    """A path for messages: names that are not UTF-8 keep their bytes visible as \\xNN."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def not_regular(entry: Entry) -> str:
    """What the entry is when it is not a regular file (a link, a submodule), else ""."""
    if not entry or entry.mode in REGULAR_MODES:
        return ""
    return NOT_REGULAR.get(entry.mode, f"not a regular file (mode {entry.mode})")


def incident_alert_text(path: str, data: bytes | None) -> str | None:
    """The text of a valid safety-alerts post with an ``Incident:``, else None.

    The post is parsed by the same ``parse_post`` the build uses, so a file with a
    duplicated ``Category:`` or any other front-matter error is not an alert here.
    """
    if data is None:
        return None
    post, _ = parse_post(path, data, UTC)
    if post is None or post.category != "safety-alerts" or not post.incident:
        return None
    return data.decode("utf-8-sig")


def classify(path: str, entry: Entry, read: Reader) -> Kind:
    """What the file at ``path`` is (the one place this is decided)."""
    if path.startswith("policy/"):
        return Kind.POLICY
    if not_regular(entry):
        return Kind.NOT_A_FILE
    if not path.startswith("content/"):
        return Kind.SITE
    if is_post_path(path):
        text = incident_alert_text(path, read(entry.sha))
        return Kind.INCIDENT_ALERT if text is not None else Kind.POST
    if path.startswith("content/pages/"):
        return Kind.PAGE
    if path.lower().endswith(IMAGE_SUFFIXES):
        return Kind.IMAGE
    return Kind.CONTENT_OTHER


def images_used(path: str, text: str) -> set[str]:
    """Repository paths of the images a post shows (what IMAGE-MISSING looks for)."""
    doc = make_document(path, text)
    sources = [hit.match.group("src") for hit in search(MARKDOWN_IMAGE, doc.prose)]
    sources += [_attr(_SRC, hit.text) for hit in search(HTML_IMAGE, doc.prose)]
    found = {image_path(path, src) for src in sources if src}
    return {p for p in found if p is not None}


Change = tuple[str, Entry, Entry]  # path, before (first parent), after (the merge)


def approvers(changes: Iterable[Change], read: Reader) -> tuple[tuple[str, ...], str]:
    """Which roles may sign a merge making ``changes``, and why (naming a path)."""
    changes = sorted(changes)
    policy = [p for p, _, _ in changes if p.startswith("policy/")]
    if policy:
        return POLICY_APPROVERS, f"it changes policy/ (the roster or the rules): {shown(policy[0])}"
    outside = _outside_incident_scope(changes, read)
    if outside:
        return POST_APPROVERS, f"it brings in {outside}"
    return INCIDENT_APPROVERS, "it brings in incident alerts"


def _outside_incident_scope(changes: list[Change], read: Reader) -> str:
    """The first change an incident commander may not approve, in words ("" when none)."""
    if not changes:
        return "no incident alert (it changes no file)"
    alerts: dict[str, str] = {}
    for path, before, after in changes:
        if not after:
            return f"the deletion of {shown(path)}"
        if not is_post_path(path) or classify(path, after, read) is not Kind.INCIDENT_ALERT:
            continue
        if before and classify(path, before, read) is not Kind.INCIDENT_ALERT:
            return f"{shown(path)}, which was {classify(path, before, read).value} before"
        alerts[path] = incident_alert_text(path, read(after.sha)) or ""
    if not alerts:
        path, _, after = changes[0]
        return f"{shown(path)} ({classify(path, after, read).value})"
    shown_images = set().union(*(images_used(p, t) for p, t in alerts.items()))
    for path, before, after in changes:
        if path in alerts:
            continue
        kind = classify(path, after, read)
        if kind is Kind.IMAGE and path in shown_images and not before:
            continue
        what = "an image that already existed" if kind is Kind.IMAGE and before else \
            "an image no incident alert of the merge shows" if kind is Kind.IMAGE else kind.value
        return f"{shown(path)} ({what})"
    return ""
