"""The review sheet as values: what a merge changes on the public site, and who wrote it.

``pressroom.preview.make.make_preview`` fills a ``Review``; ``review.json`` is its
``to_json()`` and ``review.html`` is ``pressroom.preview.render.render_html`` of it. The
JSON is a contract (the desk and the pull-request job read it): the top-level keys
``changed`` (``[{"url", "change", "kind"}]``), ``findings`` and ``commits`` keep their
meaning; new keys may be added, none renamed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from pressroom.model.wording import plural
from pressroom.rules.alerts import AlertSummary


@dataclass(frozen=True)
class Change:
    """One public URL the merge adds, changes or removes.

    ``kind`` is ``page``, ``feed``, ``cap``, ``other`` or ``banner`` (the alert banner on
    every page, listed once with url ``*``). ``text_diff`` is the unified diff of the
    page's readable text (changed pages); ``text`` the whole text of a new page.
    """

    url: str
    change: str  # "added" | "changed" | "removed"
    kind: str
    path: str = ""  # the file in the site folder
    text_diff: str = ""
    text: str = ""


@dataclass(frozen=True)
class Finding:
    """A content-rule finding of the merged tree (as ``pressroom check`` prints it)."""

    path: str
    line: int
    rule: str
    message: str
    severity: str


@dataclass(frozen=True)
class SuppressionInfo:
    """A ``<!-- pressroom: allow RULE -- reason -->`` that allowed something."""

    path: str
    line: int
    rule: str
    reason: str


@dataclass(frozen=True)
class CommitInfo:
    """One commit of BASE..REV and who signed it — from the signature, never the name.

    ``signature`` is ``good``, ``unsigned``, ``unknown key`` or the reason it does not
    verify; ``signer`` is the roster member id (BASE's roster) when ``good``.
    """

    sha: str
    subject: str
    author: str  # the name and email git records: shown, never trusted
    signature: str
    signer: str = ""
    signer_name: str = ""
    roles: tuple[str, ...] = ()
    trained: str = ""  # ISO date, "" when none


@dataclass(frozen=True)
class ThreadPost:
    """One post of an incident's thread, in the thread's order."""

    title: str
    date: str
    url: str
    response: str = ""


@dataclass(frozen=True)
class IncidentInfo:
    """An incident the merge touches: its thread after the merge, status, and CAP diffs."""

    id: str
    status: str
    posts: tuple[ThreadPost, ...]
    cap_diffs: tuple[tuple[str, str], ...] = ()  # (url, unified diff of the CAP XML)


@dataclass(frozen=True)
class Scheduled:
    """A moment after the preview's ``now`` at which the merged site changes by itself
    (an embargoed post falling due, an alert expiring), and the base's would not: the
    built sites cannot show it, so the sheet names it."""

    when: str  # ISO 8601
    what: str


@dataclass(frozen=True)
class BannerLink:
    text: str
    href: str


@dataclass
class Review:
    """The whole review sheet of one preview (see the module docstring)."""

    base: str
    rev: str
    merged_tree: str
    now: str
    changed: list[Change] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    suppressions: list[SuppressionInfo] = field(default_factory=list)
    commits: list[CommitInfo] = field(default_factory=list)
    incidents: list[IncidentInfo] = field(default_factory=list)
    banner: list[BannerLink] = field(default_factory=list)  # the banner after the merge
    alerts: list[AlertSummary] = field(default_factory=list)  # WEA texts of changed alerts
    scheduled: list[Scheduled] = field(default_factory=list)  # changes after ``now``
    reviewer: str = ""  # the roster member previewing ("" when their key is not on it)
    may_approve: bool = False
    approval_problems: list[str] = field(default_factory=list)
    site_built: bool = True
    not_built_reason: str = ""
    base_name: str = "main"
    rev_name: str = ""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def summary(self) -> str:
        """One line: what changes, the findings, and whether the previewer may approve."""
        counts = {kind: sum(1 for c in self.changed if c.change == kind)
                  for kind in ("added", "changed", "removed")}
        urls = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        approve = "you may approve it" if self.may_approve else "you may not approve it"
        built = "" if self.site_built else " (site not built: see the sheet)"
        later = (f"{plural(len(self.scheduled), 'change')} scheduled after the preview's "
                 f"time; " if self.scheduled else "")
        return (f"{plural(len(self.changed), 'public URL')} changed ({urls}); {later}"
                f"{plural(len(self.findings), 'finding')}, {plural(len(self.errors), 'error')}; "
                f"{plural(len(self.commits), 'commit')}; {approve}{built}")

    def to_dict(self) -> dict:
        data = asdict(self)
        for entry in data["changed"]:  # the contract's keys first, then the extras
            for key in ("path", "text_diff", "text"):
                if not entry[key]:
                    del entry[key]
        data["summary"] = self.summary()
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
