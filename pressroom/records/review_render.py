"""The annual review as a self-contained HTML page (inline CSS and SVG, no script) and Markdown.

Charts are drawn as plain SVG so the report opens anywhere, prints, and is
byte-identical for the same data; every chart also has its numbers in a table.
"""

from __future__ import annotations

from html import escape

from pressroom.model.categories import BY_SLUG, CATEGORIES
from pressroom.records.review import Review

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def bar_chart(title: str, labels: list[str], values: list[int], width: int = 640) -> str:
    """A horizontal bar chart in SVG, labelled for screen readers."""
    row, left, right = 26, 190, 60
    height = row * len(labels) + 20
    top = max(values, default=0) or 1
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 10 + index * row
        length = round((width - left - right) * value / top)
        bars.append(
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="bar" x="{left}" y="{y + 3}" width="{max(length, 1)}" height="18">'
            f"<title>{escape(label)}: {value}</title></rect>"
            f'<text x="{left + length + 6}" y="{y + 16}">{value}</text>')
    return (f'<figure><figcaption>{escape(title)}</figcaption>'
            f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
            + "".join(bars) + "</svg></figure>")


def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 60:.0f} min" if value < 1 else f"{value:.1f} h"


def _sections(review: Review) -> list[tuple[str, list[tuple[str, str]], str]]:
    """(heading, [(label, value)], chart svg) for the figures both formats show."""
    cats = [BY_SLUG[c.slug].name for c in CATEGORIES]
    per_cat = [review.posts_by_category.get(c.slug, 0) for c in CATEGORIES]
    resources = [
        ("Posts published", str(sum(review.posts_by_month))),
        *[(f"Members: {role}", ", ".join(names) or "—")
          for role, names in review.members_by_role.items()],
        *[(f"Posts by {author}", str(n)) for author, n in review.posts_by_author.items()],
        *[(f"Approvals by {member}", str(n)) for member, n in review.approvals_by_member.items()],
        ("Time from first commit to approval, median", _hours(review.median_hours)),
        ("Time from first commit to approval, 90th percentile",
         _hours(review.percentile(review.hours_to_approval, 0.9))),
        ("Incidents", str(review.incidents)),
        ("Incident updates", str(review.incident_updates)),
        ("Minutes between incident updates, median",
         "—" if not review.minutes_between_updates else
         f"{sorted(review.minutes_between_updates)[len(review.minutes_between_updates) // 2]:.0f}"),
    ]
    charts = bar_chart(f"Posts per category, {review.year}", cats, per_cat) + bar_chart(
        f"Posts per month, {review.year}", MONTHS, review.posts_by_month)
    sections = [("Resources used", resources, charts)]
    if review.has_logs:
        views = [review.views_by_category.get(c.slug, 0) for c in CATEGORIES]
        top = list(review.views_by_post.items())[:10]
        effective = [("Page views of posts (people, not bots)",
                      str(sum(review.views_by_post.values()))),
                     ("Feed and CAP fetches", str(review.feed_fetches)),
                     ("Requests by bots (excluded)", str(review.bot_requests)),
                     *[(f"Top: {review.titles.get(slug, slug)}", str(n)) for slug, n in top],
                     ("Published this year and never read",
                      "; ".join(review.unread) or "none")]
        sections.append(("Effectiveness of the content", effective,
                         bar_chart(f"Page views per category, {review.year}", cats, views)))
        sections.append(("Page views per post", [
            (review.titles.get(slug, slug), str(n)) for slug, n in review.views_by_post.items()]
            or [("No post", "was viewed")], ""))
    else:
        sections.append(("Effectiveness of the content",
                         [("Access logs", "none given (pressroom review --access-log FILE)")], ""))
    issues = [(f"{r.retraction.capitalize()}: {r.title or r.slug}",
               f"reason: {r.retraction_reason}; reported by {r.reported_by or '—'}; approved by "
               f"{r.approver or '—'} in {r.approval_commit[:7]} on {r.approved_at[:10]}")
              for r in review.retractions]
    issues += [("Rule exception (suppression)", s) for s in review.suppressions]
    issues += [("Approval problem (pressroom verify)", p) for p in review.verify_problems]
    sections.append(("Unauthorized or inappropriate content and resolution",
                     issues or [("Nothing to report", "no removals, withdrawals, rule exceptions "
                                                      "or approval problems")], ""))
    sections.append((f"Training (392.8), as of {review.as_of.isoformat()}",
                     [(f"{name} ({member})", status) for member, name, status in review.training]
                     or [("All members", "trained, none due in the next 90 days")], ""))
    return sections


def to_markdown(review: Review, site_name: str) -> str:
    out = [f"# {site_name}: social media review {review.year} (Policy 392.6)", ""]
    for heading, rows, _ in _sections(review):
        out += [f"## {heading}", "", "| Item | Value |", "|---|---|"]
        out += [f"| {label.replace('|', '/')} | {value.replace('|', '/')} |"
                for label, value in rows]
        out.append("")
    return "\n".join(out)


CSS = """body{font-family:system-ui,sans-serif;max-width:54rem;margin:2rem auto;padding:0 1rem;
color:#1b1f24;line-height:1.5}h1{font-size:1.7rem}h2{margin-top:2rem;border-bottom:2px solid
#d6dbe1}table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #d6dbe1;
padding:.35rem .5rem;text-align:left;vertical-align:top}.chart{display:block;margin:1rem 0;
max-width:100%;height:auto}figure{margin:1.5rem 0}figcaption{font-weight:600}
.chart text{font-size:13px;fill:#1b1f24}.bar{fill:#0a4f99}
@media print{h2{break-after:avoid}}"""


def to_html(review: Review, site_name: str) -> str:
    title = f"{escape(site_name)}: social media review {review.year}"
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{title}</title>", f"<style>{CSS}</style>", "</head>", "<body>", "<main>",
             f"<h1>{title} <small>(Policy 392.6)</small></h1>"]
    for heading, rows, chart in _sections(review):
        parts.append(f"<section><h2>{escape(heading)}</h2>")
        parts.append(chart)
        parts.append('<table><thead><tr><th scope="col">Item</th><th scope="col">Value</th>'
                     "</tr></thead><tbody>")
        parts += [f"<tr><td>{escape(label)}</td><td>{escape(value)}</td></tr>"
                  for label, value in rows]
        parts.append("</tbody></table></section>")
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)
