"""The review sheet as one self-contained HTML page: no script, inline CSS, no request to
another host, one ``h1``, a heading per part and tables with headers (WCAG 2.1 AA).

Built with ``html.escape`` like ``records/review_render.py``: Jinja belongs to the adapter,
and every value here comes from a branch under review, so each one is escaped.
"""

from __future__ import annotations

from html import escape

from pressroom.preview.review import Change, CommitInfo, Review
from pressroom.rules.alerts import AlertSummary, summary_rows

CSS = """
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#1a1a1a}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:2px solid #444}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #777;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#e8e8e8}
pre{background:#f4f4f4;padding:.5rem;overflow-x:auto;white-space:pre-wrap;border:1px solid #999}
.verdict{padding:.5rem 1rem;border:2px solid}.yes{border-color:#0a6b2d}.no{border-color:#a00}
.marker{background:#fff3b0;padding:.5rem 1rem;border:2px solid #8a6d00;font-weight:bold}
a{color:#0645ad}
"""


def _table(caption: str, headers: list[str], rows: list[list[str]]) -> str:
    """A table; cells are already-escaped HTML."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return (f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _link(url: str) -> str:
    """A link into the preview site for a URL that exists after the merge."""
    if url == "*":
        return "every page (the alert banner)"
    if not url.startswith("/"):
        return escape(url)
    target = "site" + url + ("index.html" if url.endswith("/") else "")
    return f'<a href="{escape(target)}">{escape(url)}</a>'


def _changes(review: Review) -> str:
    if not review.site_built:
        return f"<p>{escape(review.not_built_reason)}</p>"
    if not review.changed:
        return "<p>The merge changes no public URL.</p>"
    rows = [[_link(c.url) if c.change != "removed" else escape(c.url), escape(c.change),
             escape(c.kind)] for c in review.changed]
    out = [_table("Public URLs the merge adds, changes or removes",
                  ["URL", "Change", "Kind"], rows)]
    for change in review.changed:
        out.append(_page_detail(change))
    return "".join(out)


def _page_detail(change: Change) -> str:
    """What changed at one URL: a new page's text in full, else the diff of its text
    (pages, the banner, feeds, CAP, stylesheets: every text the public is served)."""
    if change.text:
        return (f"<h3>New page {escape(change.url)}</h3>"
                f"<pre>{escape(change.text)}</pre>")
    if change.text_diff:
        what = "the alert banner" if change.url == "*" else f"{change.kind} {change.url}"
        verb = "Text of the new" if change.change == "added" else "Changed text of"
        return (f"<h3>{verb} {escape(what)}</h3>"
                f"<pre>{escape(change.text_diff)}</pre>")
    return ""


def _findings(review: Review) -> str:
    out = []
    if review.findings:
        out.append(_table("Findings of the content rules in the merged tree",
                          ["File", "Line", "Rule", "Severity", "Message"],
                          [[escape(f.path), str(f.line or ""), escape(f.rule),
                            escape(f.severity), escape(f.message)] for f in review.findings]))
    else:
        out.append("<p>The content rules find nothing in the merged tree.</p>")
    if review.suppressions:
        out.append(_table("Suppressions in force, with their reasons",
                          ["File", "Line", "Rule allowed", "Reason"],
                          [[escape(s.path), str(s.line), escape(s.rule), escape(s.reason)]
                           for s in review.suppressions]))
    else:
        out.append("<p>No suppression allows anything in the merged tree.</p>")
    return "".join(out)


def _signer(c: CommitInfo) -> list[str]:
    if c.signature != "good":
        return [f"<strong>{escape(c.signature)}</strong>", "—", "—"]
    return [escape(f"{c.signer_name} ({c.signer})"), escape(", ".join(c.roles)),
            escape(c.trained or "no training date")]


def _commits(review: Review) -> str:
    rows = [[f"<code>{escape(c.sha[:10])}</code>", escape(c.subject), escape(c.author),
             *_signer(c)] for c in review.commits]
    table = _table("Commits the merge brings in (signer from the signature, roster of the "
                   "base)", ["Commit", "Subject", "Author (as recorded, not trusted)",
                             "Signed by", "Roles", "Trained"], rows)
    who = escape(review.reviewer) if review.reviewer else "you (your key is not on the roster)"
    if review.may_approve:
        verdict = (f'<p class="verdict yes">The approval rules would accept a merge of this '
                   f"branch signed by {who}.</p>")
    else:
        reasons = "".join(f"<li>{escape(p)}</li>" for p in review.approval_problems)
        verdict = (f'<div class="verdict no"><p>The approval rules would <strong>not</strong> '
                   f"accept a merge of this branch signed by {who}:</p><ul>{reasons}</ul></div>")
    return table + verdict


def _incidents(review: Review) -> str:
    out = []
    if review.banner:
        items = "".join(f"<li>{escape(b.text)} ({_link(b.href)})</li>"
                        for b in review.banner)
        out.append(f"<p>After the merge every page shows this banner:</p><ul>{items}</ul>")
    else:
        out.append("<p>After the merge no page shows an alert banner.</p>")
    for incident in review.incidents:
        out.append(f"<h3>Incident {escape(incident.id)}: {escape(incident.status)}</h3>")
        if incident.posts:
            out.append(_table(f"The thread of {incident.id}, in order",
                              ["Posted", "Title", "Response"],
                              [[escape(p.date), _link(p.url), escape(p.response or "—")]
                               for p in incident.posts]))
        for url, diff in incident.cap_diffs:
            out.append(f"<h4>CAP document {escape(url)}</h4><pre>{escape(diff)}</pre>")
    return "".join(out)


def _alerts(review: Review) -> str:
    """What phones would get from each alert the merge adds or changes (as ``check``
    shows it): the WEA texts, whether it is WEA "Imminent Threat" eligible, its code."""
    if not review.alerts:
        return "<p>The merge adds or changes no safety alert.</p>"
    return "".join(_alert(a) for a in review.alerts)


def _alert(alert: AlertSummary) -> str:
    rows = [[escape(label), escape(value)] for label, value in summary_rows(alert)]
    if alert.test:
        rows.append(["Status", "test: a CAP test message, never on a page or feed"])
    return (f"<h3>{escape(alert.title)} ({escape(alert.path)})</h3>"
            + _table(f"What phones would get from {alert.path}", ["Item", "Value"], rows))


def _scheduled(review: Review) -> str:
    if not review.scheduled:
        return ("<p>Nothing the merge brings in changes the site by itself after "
                f"{escape(review.now)}.</p>")
    rows = [[escape(s.when), escape(s.what)] for s in review.scheduled]
    return (_table("Changes the merge schedules after the preview's time (not in the "
                   "preview site)", ["When", "What"], rows)
            + "<p>Preview again with <code>--now</code> set to one of these times to see "
              "the site then.</p>")


def render_html(review: Review) -> str:
    """The review sheet of ``review`` as a complete, self-contained HTML document."""
    name = review.rev_name or review.rev[:10]
    alerts = ["<h2>Alerts: what phones would get</h2>", _alerts(review)]
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex">',
        f"<title>Review sheet: {escape(name)}</title><style>{CSS}</style></head><body><main>",
        f"<h1>Review sheet: {escape(name)} into {escape(review.base_name)}</h1>",
        '<p class="marker">Preview — not approved. Nothing here is public yet.</p>',
        f"<p>{escape(review.summary())}.</p>",
        _table("What was compared", ["Item", "Value"], [
            ["Branch", f"{escape(name)} <code>{escape(review.rev[:10])}</code>"],
            ["Base", f"{escape(review.base_name)} <code>{escape(review.base[:10])}</code>"],
            ["Merged tree", f"<code>{escape(review.merged_tree[:10])}</code>"],
            ["Both sites built as of", escape(review.now)],
            ["Preview site", '<a href="site/index.html">site/index.html</a>'
             if review.site_built else "not built"]]),
        # What phones would get comes first when the merge brings an alert: it is what a
        # supervisor approving an alert must read (the page diffs follow).
        *(alerts if review.alerts else []),
        "<h2>Public URLs that change</h2>", _changes(review),
        "<h2>Scheduled for later</h2>", _scheduled(review),
        "<h2>Content rules</h2>", _findings(review),
        "<h2>Commits and approval</h2>", _commits(review),
        "<h2>Incidents and the alert banner</h2>", _incidents(review),
        *([] if review.alerts else alerts),
        "</main></body></html>\n",
    ]
    return "".join(parts)
