"""The review sheet in a few lines of Markdown, for a pull request's job summary.

On GitHub or GitLab the reviewers see the pull request, not a terminal: the review workflow
(``pressroom/defaults/pressroom-review.yaml``) runs ``pressroom preview``, uploads the sheet,
and appends ``pressroom review-summary review/review.json`` to ``$GITHUB_STEP_SUMMARY`` so
the public URLs that change and the content-rule findings are on the run's page.

It reads only the JSON contract of ``review.json``: ``changed`` (``url``, ``change``),
``findings`` and ``commits``, and uses ``summary``, ``suppressions``, ``may_approve``... when
present. Everything in it comes from the branch under review (file names, titles, rule
messages quoting its text), so every value is escaped: a file named like Markdown or HTML
shows as text and cannot forge a line of the summary, a link or an image.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

from pressroom.model.wording import plural

CHANGES = ("added", "changed", "removed")
MAX_ROWS = 200  # a job summary holds at most 1 MiB; the uploaded sheet has everything
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def text(value: object) -> str:
    """``value`` as inline Markdown that shows exactly its characters: one line, HTML
    escaped, Markdown's punctuation backslash-escaped."""
    one_line = " ".join(str(value).split())
    return _MARKDOWN.sub(r"\\\1", html.escape(one_line, quote=False))


def _rows(items: Sequence[object], line: object) -> list[str]:
    out = [line(item) for item in items[:MAX_ROWS]]  # type: ignore[operator]
    if len(items) > MAX_ROWS:
        out.append(f"- … and {len(items) - MAX_ROWS} more: see the review sheet (artifact)")
    return out


def _finding(finding: object) -> str:
    if not isinstance(finding, Mapping):
        return f"- {text(finding)}"
    where = str(finding.get("path", ""))
    if finding.get("line"):
        where += f":{finding['line']}"
    severity = " (warning)" if finding.get("severity") == "warning" else ""
    return (f"- {text(where)}: **{text(finding.get('rule', ''))}**{severity}: "
            f"{text(finding.get('message', ''))}")


def _commit(commit: object) -> str:
    if not isinstance(commit, Mapping):
        return f"- {text(commit)}"
    sha = str(commit.get("sha", ""))[:7]
    who = commit.get("signer_name") or commit.get("signer") or ""
    signature = str(commit.get("signature", ""))
    signed = f"signed by {text(who)}" if who and signature in ("", "good") else \
        text(signature or "unsigned")
    return f"- `{text(sha)}` {text(commit.get('subject', ''))}: {signed}"


def _alert(alert: object) -> str:
    """One alert of the change: its WEA short text and whether it is Imminent Threat."""
    if not isinstance(alert, Mapping):
        return f"- {text(alert)}"
    how = "written" if alert.get("wea_text_written") else "derived"
    gaps = alert.get("imminent_threat_gaps")
    if alert.get("imminent_threat"):
        threat = "yes"
    elif isinstance(gaps, list) and gaps:
        threat = "no: " + "; ".join(str(gap) for gap in gaps)
    else:
        threat = "no"
    test = " (Status: test, CAP only)" if alert.get("test") else ""
    return (f"- {text(alert.get('path', ''))}{test}: WEA text ({how}, "
            f"{text(alert.get('wea_text_length', ''))}/90): {text(alert.get('wea_text', ''))}; "
            f"Imminent Threat: {text(threat)}; SAME {text(alert.get('event_code', ''))}")


def markdown_summary(review: Mapping[str, object]) -> str:
    """The job summary of a review sheet (``review.json`` as parsed JSON).

    Lists every public URL by change (added, changed, removed), every content-rule finding
    with its file, line and rule, the suppressions, each commit with its signer, and
    whether the approval rules would accept the merge. Refuses (``ValueError``) data that
    is not a review sheet: a mapping with lists ``changed``, ``findings`` and ``commits``.
    """
    if not isinstance(review, Mapping):
        raise ValueError("not a review sheet: expected a JSON object")
    parts = {key: review.get(key) for key in ("changed", "findings", "commits")}
    missing = [key for key, value in parts.items() if not isinstance(value, list)]
    if missing:
        raise ValueError(f"not a review sheet: no list {missing[0]!r}")
    changed: list = parts["changed"]  # type: ignore[assignment]
    findings: list = parts["findings"]  # type: ignore[assignment]
    commits: list = parts["commits"]  # type: ignore[assignment]
    rev = review.get("rev_name") or review.get("rev") or "the branch"
    base = review.get("base_name") or review.get("base") or "main"
    lines = [f"## pressroom review: {text(rev)} into {text(base)}", ""]
    if review.get("summary"):
        lines += [text(review["summary"]), ""]
    if review.get("site_built") is False:
        lines += [f"**The site was not built:** {text(review.get('not_built_reason', ''))}",
                  ""]
    lines.append(f"### Public URLs that change ({len(changed)})")
    lines.append("")
    if not changed:
        lines.append("None: the public site stays as it is.")
    for change in CHANGES:
        urls = [c for c in changed if isinstance(c, Mapping) and c.get("change") == change]
        if urls:
            lines += [f"**{change.capitalize()}** ({len(urls)}):", ""]
            lines += _rows(urls, lambda c: f"- {text(c.get('url', ''))}"
                           + (f" ({text(c['kind'])})" if c.get("kind") else ""))
            lines.append("")
    errors = sum(1 for f in findings if isinstance(f, Mapping) and f.get("severity") != "warning")
    counted = f"{plural(len(findings), 'finding')}, {plural(errors, 'error')}"
    lines += ["", f"### Content rules: {counted}", ""]
    lines += _rows(findings, _finding) if findings else ["No findings."]
    suppressions = review.get("suppressions")
    if isinstance(suppressions, list) and suppressions:
        lines += ["", f"Suppressions in force ({len(suppressions)}):", ""]
        lines += _rows(suppressions, lambda s: _finding({**s, "message": s.get("reason", "")})
                       if isinstance(s, Mapping) else f"- {text(s)}")
    alerts = review.get("alerts")
    if isinstance(alerts, list) and alerts:
        lines += ["", f"### Alerts: what phones would get ({len(alerts)})", ""]
        lines += _rows(alerts, _alert)
    lines += ["", f"### Commits ({len(commits)})", ""]
    lines += _rows(commits, _commit) if commits else ["None."]
    if review.get("reviewer"):  # in CI nobody previews with a key: nothing to say
        verdict = "would accept" if review.get("may_approve") else "would refuse"
        lines += ["", f"Approval: the approval rules {verdict} a merge by "
                  f"{text(review['reviewer'])}, who made this preview."]
        problems = review.get("approval_problems")
        if isinstance(problems, list):
            lines += _rows(problems, lambda p: f"- {text(p)}")
    lines += ["", "The full review sheet (every page's text diff) is the run's **review** "
              "artifact: open review.html.", ""]
    return "\n".join(lines)
